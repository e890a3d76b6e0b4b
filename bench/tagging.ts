/**
 * What tagging costs (issue 8), printed with its goals, never asserted:
 *
 * - the report stage of the demo (its manifest's `report` seconds), tagged (PDF/UA-1 + PDF/A-2a, the default) and
 *   untagged (SEGFOLLOW_PDF_TAGGED=false, which exists for this comparison only), the same reports over the same
 *   warehouse, alternating, median of the rounds: goal at most 5 % slower;
 * - every file's size, tagged against untagged: goal no tagged file larger than its untagged twin;
 * - the structural checker over every tagged file;
 * - in one process, interleaved, the fixture's riket, län and kommun reports (tests/report/tagging/reports.ts), split
 *   into layout and rendering untagged, the same tagged (the layer's bookkeeping and the structure tree written into
 *   the file), and the packing into object streams (report/tagging/compact.ts); CPU time, medians.
 *
 * `npm run bench` runs it over the demo warehouse it has built (bench/run.ts). Alone:
 * `node --import tsx bench/tagging.ts [reports] [rounds]` (reports default riket,lan: riket and the 21 län; rounds
 * default 3; builds a demo warehouse first), `node --import tsx bench/tagging.ts --paired [rounds]` for the
 * in-process split only.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTaggedPdf } from '../pipelines/report/tagging/check.ts';
import { readPdf } from '../pipelines/report/tagging/pdf-objects.ts';
import { line, measure } from './goals.ts';

const median = (v: readonly number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
const pct = (a: number, b: number): string => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)} %`;
const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;

/** The report stage tagged and untagged over a demo warehouse, then sizes and the checker. */
export function benchTaggingReports(warehouse: string, raw: string, reports = 'riket,lan', rounds = 3): void {
  console.log(`\nissue 8: tagging, report stage for --reports ${reports}, ${rounds} round(s) each, alternating (load average ${loadavg()[0]?.toFixed(1)})`);
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-bench-tagging-'));
  try {
    const stage: Record<'tagged' | 'untagged', number[]> = { tagged: [], untagged: [] };
    const wall: Record<'tagged' | 'untagged', number[]> = { tagged: [], untagged: [] };
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 === 0 ? (['tagged', 'untagged'] as const) : (['untagged', 'tagged'] as const)) {
        const out = join(dir, v);
        mkdirSync(out, { recursive: true });
        const args = ['bin/segfollow.js', 'report', '--reports', reports, '--year', '2025', '--warehouse', warehouse, '--out', out, '--log-level', 'warn'];
        const m = measure(process.execPath, args, { SEGFOLLOW_RAW: raw, SEGFOLLOW_PDF_TAGGED: v === 'tagged' ? 'true' : 'false' });
        if (m.status !== 0) throw new Error(`report (${v}) exited ${m.status}: ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        const manifest = JSON.parse(readFileSync(join(out, '2025', 'manifest.json'), 'utf8')) as { stages: { stage: string; seconds: number }[] };
        const seconds = manifest.stages.find((s) => s.stage === 'report')?.seconds ?? NaN;
        stage[v].push(seconds);
        wall[v].push(m.wallS);
        console.log(`  round ${r + 1} ${v.padEnd(8)} report stage ${seconds.toFixed(2).padStart(6)} s, whole process ${m.wallS.toFixed(2).padStart(6)} s`);
      }
    }
    const [t, u] = [median(stage.tagged), median(stage.untagged)];
    line('report stage, median: tagged / untagged', `${t.toFixed(2)} / ${u.toFixed(2)} s`, '');
    line('report stage, tagging costs', pct(t, u), '≤ +5 %');
    line('whole process (median), tagged / untagged', `${median(wall.tagged).toFixed(2)} / ${median(wall.untagged).toFixed(2)} s`, '');

    const files = (v: string): string[] => readdirSync(join(dir, v, '2025')).filter((f) => f.endsWith('.pdf')).sort();
    const tagged = files('tagged');
    const rows = tagged.map((f) => ({ f, t: statSync(join(dir, 'tagged', '2025', f)).size, u: statSync(join(dir, 'untagged', '2025', f)).size }));
    console.log(`  sizes, tagged against untagged (${rows.length} files):`);
    for (const r of rows) console.log(`    ${r.f.padEnd(40)} ${kb(r.t).padStart(8)} ${kb(r.u).padStart(8)}  ${pct(r.t, r.u).padStart(8)}`);
    const sum = (k: 't' | 'u'): number => rows.reduce((a, r) => a + r[k], 0);
    line('all files, tagged / untagged', `${(sum('t') / 1048576).toFixed(2)} / ${(sum('u') / 1048576).toFixed(2)} MB`, `${pct(sum('t'), sum('u'))}`);
    line('tagged files larger than their untagged twin', `${rows.filter((r) => r.t > r.u).length} of ${rows.length}`, '0');
    let errors = 0;
    for (const f of tagged) errors += checkTaggedPdf(readPdf(readFileSync(join(dir, 'tagged', '2025', f)))).errors.length;
    line(`structural checker over the ${tagged.length} tagged files`, `${errors} errors`, '0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * In one process, interleaved: the fixture's reports untagged (pdfmake's layout and rendering), tagged before packing
 * (the same plus the layer's bookkeeping and the structure tree written into the file), and the packing into object
 * streams. CPU time of this process, so that other processes' load counts less; medians over the rounds.
 */
export async function benchTaggingPaired(rounds = 5): Promise<void> {
  const { buildReportPdf, reportDefinition } = await import('../pipelines/report/build-pdf.ts');
  const { accessibleDefinition } = await import('../pipelines/report/tagging/document.ts');
  const { compactPdf } = await import('../pipelines/report/tagging/compact.ts');
  const { model, KINDS } = await import('../tests/report/tagging/reports.ts');
  const d = mkdtempSync(join(tmpdir(), 'segfollow-bench-paired-'));
  try {
    // pdfmake set up as the reports use it (fonts, chart hook, tagging layer), once.
    for (const kind of KINDS) await buildReportPdf(model(kind), join(d, 'warm.pdf'), { tagged: true });
    const pm = createRequire(import.meta.url)('pdfmake') as { createPdf(dd: unknown): { getBuffer(): Promise<Buffer> } };
    const cpu = (): number => {
      const c = process.cpuUsage();
      return (c.user + c.system) / 1000;
    };
    console.log(`\nissue 8: tagging in one process, ${rounds} rounds of the fixture reports, CPU ms per report, medians (load average ${loadavg()[0]?.toFixed(1)})`);
    for (const kind of KINDS) {
      const t: Record<'untagged' | 'tagged' | 'compact', number[]> = { untagged: [], tagged: [], compact: [] };
      let sizes = { u: 0, t: 0 };
      for (let r = 0; r < rounds; r++) {
        const plain = await reportDefinition(model(kind));
        const dd = accessibleDefinition(await reportDefinition(model(kind)), { report: kind, strict: true, archive: true });
        for (const v of r % 2 === 0 ? ['tagged', 'untagged'] : ['untagged', 'tagged']) {
          const c0 = cpu();
          if (v === 'untagged') {
            sizes.u = (await pm.createPdf(plain).getBuffer()).length;
            t.untagged.push(cpu() - c0);
          } else {
            const rawPdf = await pm.createPdf(dd).getBuffer();
            const c1 = cpu();
            sizes.t = compactPdf(rawPdf).length;
            t.tagged.push(c1 - c0);
            t.compact.push(cpu() - c1);
          }
        }
      }
      const [u, tg, c] = [median(t.untagged), median(t.tagged), median(t.compact)];
      console.log(
        `  ${kind.padEnd(7)} layout+render ${u.toFixed(0).padStart(5)} ms; tagged ${tg.toFixed(0).padStart(5)} ms (bookkeeping + tree ${(tg - u).toFixed(0)} ms); ` +
          `packing ${c.toFixed(0)} ms; tagging in all ${pct(tg + c, u)}; size ${kb(sizes.t)} tagged, ${kb(sizes.u)} untagged (${pct(sizes.t, sizes.u)})`,
      );
      sizes = { u: 0, t: 0 };
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--paired')) {
    await benchTaggingPaired(Number(process.argv[process.argv.indexOf('--paired') + 1] ?? 5));
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-bench-tagging-demo-'));
    try {
      const warm = measure(process.execPath, ['bin/segfollow.js', 'run', '--demo', '--year', '2025', '--warehouse', join(dir, 'w.duckdb'), '--out', join(dir, 'out'), '--log-level', 'warn'], {
        SEGFOLLOW_RAW: join(dir, 'raw'),
      });
      if (warm.status !== 0) throw new Error(`demo run failed: ${warm.stderr}`);
      benchTaggingReports(join(dir, 'w.duckdb'), join(dir, 'raw'), process.argv[2] ?? 'riket,lan', Number(process.argv[3] ?? 3));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
