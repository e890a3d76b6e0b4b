/**
 * The files a report run writes, read back and compared with the warehouse they came from: the workbook of a kommun
 * report (read-excel-file), the Swedish CSV and the Parquet exports, and the manifest; `--areas` writes exactly the
 * reports it names. Over the tiny world served by the emulator on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, withConnection, type Row } from '../../pipelines/db.ts';
import { UsageError } from '../../pipelines/errors.ts';
import { ALL_STAGES, runStages } from '../../pipelines/run.ts';
import { unitStyle } from '../../pipelines/report/format.ts';
import { startTinyPipeline, type TinyPipeline } from '../helpers/tiny-pipeline.ts';
import { readPdfText } from '../helpers/pdf-text.ts';

let tiny: TinyPipeline;
let out: string;
let warehouseRows: Row[];

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

beforeAll(async () => {
  tiny = await startTinyPipeline('outputs');
  const config = { ...tiny.config, reports: ['riket', 'kommun'], areas: ['0180'] };
  await runStages(tiny.ctx(config), 'run', ALL_STAGES, ['--demo', '--reports', 'riket,kommun', '--areas', '0180']);
  out = join(config.outDir, '2025');
  warehouseRows = await withConnection(config.warehouse, (conn) =>
    query(conn, `SELECT v.indicator_id, v.area_code, v.year, v.value, v.status, i.unit FROM indicator_value v JOIN indicator i ON i.id = v.indicator_id
                 JOIN area a ON a.code = v.area_code AND a.version = v.area_version WHERE a.level IN ('riket','lan','kommun') AND v.year <= 2025 ORDER BY ALL`),
  );
}, 300_000);
afterAll(async () => {
  await tiny.emulator.close();
});

describe('a run with --reports riket,kommun --areas 0180', () => {
  it('writes exactly the riket and Stockholm reports, each with its workbook, and the exports', () => {
    expect(readdirSync(out).sort()).toEqual([
      'indikatorer.csv',
      'indikatorer.parquet',
      'manifest.json',
      'segfollow-kommun-0180-2025.html',
      'segfollow-kommun-0180-2025.pdf',
      'segfollow-kommun-0180-2025.xlsx',
      'segfollow-riket-00-2025.html',
      'segfollow-riket-00-2025.pdf',
      'segfollow-riket-00-2025.xlsx',
      'segregation.csv',
      'segregation.parquet',
    ]);
  });

  it('the manifest lists the reports written, the demo flag and the bootstrap draws as used', async () => {
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { demo: boolean; bootstrap_draws: number | null; reports_written: string[]; outputs: { name: string; sha256: string }[] };
    expect(m.reports_written).toEqual(['segfollow-riket-00-2025.pdf', 'segfollow-kommun-0180-2025.pdf']);
    expect(m.demo).toBe(true);
    const [build] = await withConnection(tiny.config.warehouse, (conn) => query(conn, "SELECT row_counts FROM stage_run WHERE stage = 'build' ORDER BY finished_at DESC LIMIT 1"));
    const draws = (JSON.parse(String(build?.row_counts)) as { segregation?: { draws?: number } }).segregation?.draws;
    expect(draws).toBeGreaterThan(0);
    expect(m.bootstrap_draws).toBe(draws);
    expect(m.outputs.map((o) => o.name)).toContain('segfollow-kommun-0180-2025.xlsx');
    // The HTML twin beside each PDF, listed with its checksum like the other files.
    for (const name of ['segfollow-riket-00-2025.html', 'segfollow-kommun-0180-2025.html']) {
      const html = m.outputs.find((o) => o.name === name);
      expect(html?.sha256, name).toBe(createHash('sha256').update(readFileSync(join(out, name))).digest('hex'));
    }
  });

  it("the kommun workbook's values equal the warehouse's, rounded to the published decimals", async () => {
    const sheets = new Map(((await readXlsxFile(join(out, 'segfollow-kommun-0180-2025.xlsx'))) as { sheet: string; data: unknown[][] }[]).map((s) => [s.sheet, s.data]));
    const data = sheets.get('Indikatorer') ?? [];
    const header = (data[1] ?? []).map(String);
    const col = (h: string) => header.indexOf(h);
    const rows = data.slice(2);
    expect(rows.length).toBeGreaterThan(20);
    let compared = 0;
    for (const r of rows) {
      const w = warehouseRows.find((x) => x.indicator_id === r[col('Indikator-id')] && x.area_code === '0180' && Number(x.year) === r[col('År')]);
      expect(w, `${String(r[col('Indikator-id')])} ${String(r[col('År')])}`).toBeDefined();
      if (w?.value === null || w?.value === undefined) {
        expect(typeof r[col('Värde')]).toBe('string');
      } else {
        expect(r[col('Värde')]).toBe(round(Number(w.value), unitStyle(String(w.unit)).decimals));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
    expect([...sheets.keys()]).toContain('Reformprogrammet');
    expect([...sheets.keys()]).toContain('Definitioner');
  });

  it('the Swedish CSV holds every warehouse row, rounded, with decimal comma and no float artefacts', () => {
    const text = readFileSync(join(out, 'indikatorer.csv'), 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('Indikator-id;Indikator;Nivå;Områdeskod;Område;Områdesindelning;År;Värde;Täljare;Nämnare;Status;Källtabell;Enhet');
    expect(lines.length - 1).toBe(warehouseRows.length);
    // No field is a float with a decimal point or more decimals than any unit publishes.
    for (const l of lines.slice(1)) for (const f of l.split(';')) expect(f).not.toMatch(/^-?\d+\.\d+$|^-?\d+,\d{4,}$|e[-+]\d/);
    const byKey = new Map(lines.slice(1).map((l) => l.split(';')).map((f) => [`${f[0]}|${f[3]}|${f[6]}`, f[7]]));
    for (const w of warehouseRows) {
      const cell = byKey.get(`${String(w.indicator_id)}|${String(w.area_code)}|${String(w.year)}`);
      const d = unitStyle(String(w.unit)).decimals;
      expect(cell).toBe(w.value === null ? '' : round(Number(w.value), d).toFixed(d).replace('.', ','));
    }
  });

  it('the Parquet export holds the warehouse values at full precision', async () => {
    const rows = await withConnection(tiny.config.warehouse, (conn) =>
      query(conn, `SELECT p.indicator_id, p.area_code, p.year, p.value FROM read_parquet('${join(out, 'indikatorer.parquet')}') p ORDER BY ALL`),
    );
    expect(rows).toHaveLength(warehouseRows.length);
    for (const [i, r] of rows.entries()) expect(r.value).toBe(warehouseRows[i]?.value ?? null);
    const seg = await withConnection(tiny.config.warehouse, (conn) =>
      query(conn, `SELECT (SELECT count(*) FROM read_parquet('${join(out, 'segregation.parquet')}'))::INTEGER AS p, (SELECT count(*) FROM segregation_index WHERE year <= 2025)::INTEGER AS w`),
    );
    expect(seg[0]?.p).toBe(seg[0]?.w);
  });

  it('the reform chapter is in every report written, riket and kommun', async () => {
    for (const f of ['segfollow-riket-00-2025.pdf', 'segfollow-kommun-0180-2025.pdf']) {
      const text = (await readPdfText(join(out, f))).pages.join(' ').replace(/\s+/gu, ' ');
      expect(text, f).toContain('Reformprogrammet för minskad segregation');
      expect(text, f).toContain('De tio reformerna');
      expect(text, f).toContain('Inslussningsgrupper som ska förebygga återfall i brott');
    }
  });

  it('--areas 01 with --reports kommun is refused (a län code gives no kommun reports) and writes nothing', async () => {
    const before = readdirSync(out).sort();
    const err = await runStages(tiny.ctx({ ...tiny.config, reports: ['kommun'], areas: ['01'] }), 'report', ['report'], []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--areas 01: 01 is a län code but --reports has no lan/);
    expect(readdirSync(out).sort()).toEqual(before);
    expect(existsSync(join(out, 'segfollow-kommun-0114-2025.pdf'))).toBe(false);
  });
});
