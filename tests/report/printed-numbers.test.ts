/**
 * The demo reports read as a careful reader would: every table's printed change equals the difference of the
 * printed values, every clear change in the summary is larger than its indicator's materiality threshold, a
 * definition break is never judged on its own, and no warning id or checksum reaches the page. Built by running
 * every stage over the tiny world on the emulator and parsing the PDFs back.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { ALL_STAGES, runStages } from '../../pipelines/run.ts';
import { readPdfText } from '../helpers/pdf-text.ts';
import { startTinyPipeline, type TinyPipeline } from '../helpers/tiny-pipeline.ts';

let tiny: TinyPipeline;
/** Report file → its pages joined, whitespace collapsed. */
const reports = new Map<string, string>();

/** `−7,6` / `71,9` / `324 600` → a number in whole steps of its printed precision, and that precision. */
function printed(s: string): { units: number; decimals: number } {
  const clean = s.replace(/[\s\u00a0]/g, '').replace('\u2212', '-').replace('+', '');
  const decimals = clean.includes(',') ? (clean.split(',')[1]?.length ?? 0) : 0;
  return { units: Number(clean.replace(',', '')), decimals };
}

const NUM = String.raw`(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:,\d+)?`;
/** A number whose thousands are separated by the no-break space format.ts prints (not a plain space between cells). */
const NUM_NB = String.raw`(?:\d{1,3}(?:\u00a0\d{3})+|\d+)(?:,\d+)?`;
const SIGNED = String.raw`(?:[+\u2212]${NUM}|0(?:,0+)?)`;

beforeAll(async () => {
  tiny = await startTinyPipeline('printed');
  // The area register holds every real kommun; the tiny world's numbers are for these.
  const config = { ...tiny.config, reports: ['riket', 'lan', 'kommun'] as ('riket' | 'lan' | 'kommun')[], areas: ['01', '25', '0114', '0180', '2584'] };
  const s = await runStages(tiny.ctx(config), 'run', ALL_STAGES, ['--demo']);
  expect(s.outcome).toBe('ok');
  const out = join(config.outDir, '2025');
  for (const f of readdirSync(out).filter((x) => x.endsWith('.pdf'))) {
    reports.set(f, (await readPdfText(join(out, f))).pages.join('\n').replace(/[ \t]+/g, ' '));
  }
}, 900_000);

afterAll(async () => {
  await tiny.emulator.close();
});

describe('the demo reports (tiny world, every level)', () => {
  it('has a report per level and area', () => {
    expect([...reports.keys()].sort()).toEqual([
      'segfollow-kommun-0114-2025.pdf',
      'segfollow-kommun-0180-2025.pdf',
      'segfollow-kommun-2584-2025.pdf',
      'segfollow-lan-01-2025.pdf',
      'segfollow-lan-25-2025.pdf',
      'segfollow-riket-00-2025.pdf',
    ]);
  });

  it('prints every change as the difference of the printed values (first/latest tables and kommun tables)', () => {
    let rows = 0;
    const wrong: string[] = [];
    // First/latest tables print "value (year)" for the first and the latest value, then the change. Thousands only
    // with the no-break space: the reform table's reform number (2) and a plain space would read as thousands.
    const firstLatest = new RegExp(String.raw`(?<![\d,])(${NUM_NB}) \(20\d\d\)\s+(${NUM_NB}) \(20\d\d\)\s+(${SIGNED})(?![\d,])`, 'g');
    // Kommun tables: first, latest, change, verdict symbol, areas.
    const kommun = new RegExp(String.raw`(?<![\d,])(\d,\d{3})\s+(\d,\d{3})\s+([+\u2212]\d,\d{3}|0,000)\s+[+\u22120]\s+\d`, 'g');
    for (const [file, text] of reports) {
      for (const re of [firstLatest, kommun]) {
        for (const m of text.matchAll(re)) {
          const [a, b, c] = [printed(m[1] ?? ''), printed(m[2] ?? ''), printed(m[3] ?? '')];
          // A row of a table prints its values and their change at one precision (a run of years is not a row).
          if (a.decimals !== c.decimals || b.decimals !== c.decimals) continue;
          rows++;
          if (b.units - a.units !== c.units) wrong.push(`${file}: ${m[0]}`);
        }
      }
    }
    expect(rows).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
  });

  it('calls a change clear (and better or worse) only beyond its indicator\u2019s materiality threshold', () => {
    const cat = loadIndicators(new URL('../../data', import.meta.url).pathname);
    let clear = 0;
    for (const [file, text] of reports) {
      const flat = text.replace(/\s+/g, ' ');
      for (const ind of cat.indicators) {
        const m = ind.materiality;
        if (!m || m.relative) continue;
        const titles = [ind.title_sv, ...(ind.breaks ?? []).flatMap((b) => (b.title_sv ? [b.title_sv] : []))];
        for (const t of titles) {
          const re = new RegExp(`${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [^.]*?en tydlig (?:ökning|minskning) med (${NUM})`, 'g');
          for (const hit of flat.matchAll(re)) {
            clear++;
            const p = printed(hit[1] ?? '');
            expect(p.units / 10 ** p.decimals, `${file}: ${hit[0]}`).toBeGreaterThan(m.value);
          }
        }
      }
      // No judgement word outside a clear change: each förbättring/försämring follows "tydlig".
      for (const s of flat.split(/(?<=[.;])\s/)) {
        if (/förbättr|försämr/.test(s) && !/tydlig|Bara tydliga|säkerställd förändring räknas|kallas förbättring/.test(s)) throw new Error(`${file}: a judgement without a clear change: ${s}`);
      }
    }
    expect(clear).toBeGreaterThan(0);
  });

  it('never judges a change across a definition break on its own', () => {
    for (const [file, text] of reports) {
      const flat = text.replace(/\s+/g, ' ');
      for (const m of flat.matchAll(/Serien har ett brott (\d{4}):[^.]*\.[^.]*\./g)) {
        expect(m[0], file).toContain('bedöms därför inte');
        expect(m[0], file).not.toMatch(/förbättring|försämring/);
      }
    }
  });

  it('titles the education indicators by the age band of their latest year everywhere, the old band only as history', () => {
    for (const [file, text] of reports) {
      const flat = text.replace(/\s+/g, ' ');
      expect(flat, file).toContain('utbildning 25–65 år');
      for (const m of flat.matchAll(/utbildning 25–64 år/g)) {
        expect(flat.slice(Math.max(0, (m.index ?? 0) - 60), m.index), `${file}: 25–64 år outside the history of the break`).toMatch(/före 2024|från 25–64|till och med 2023/);
      }
    }
  });

  it('keeps warning ids and checksums out of the reader\u2019s text', () => {
    for (const [file, text] of reports) {
      expect(text, file).not.toMatch(/\bW\d{3}_[A-Z_]+/);
      expect(text, file).not.toMatch(/SHA-256|\b[0-9a-f]{16,}\b/);
    }
  });
});
