/**
 * Issue 8: what tagging costs a report in machine instructions, a figure this machine's noise cannot move.
 *
 * Timed comparisons here drift by ±10 % from one minute to the next, even interleaved in one process (the machine is
 * a shared VM), so a change worth a point of the tagging cost cannot be seen by timing it. Instructions can: each
 * count comes from valgrind's cachegrind (`--cache-sim=no`, instruction counts only) over `node --predictable` (V8's
 * deterministic mode: its garbage collection and compilation on the main thread, on a fixed schedule), and the same
 * run twice differs by ~0.2 %.
 *
 * A child process (this file with `--child`) warms both paths up on the fixture's report kind, makes K report
 * definitions, then writes K PDFs, tagged (`t`), untagged (`u`) or none (`n`). The difference between a run with
 * K = LO and one with K = HI, divided by HI − LO, is what one more report costs once the first ones have warmed up V8
 * (the first reports' compilations fall out). Untagged PDF per report = u − n; tagging per report = t − u; the
 * percentage is of the untagged PDF (pdfmake's layout and rendering) and of the whole report (its definition too:
 * charts, tables, text).
 *
 * Instructions are not time: zlib's and V8's collector's run at other speeds than the JavaScript, and a bigger heap
 * costs memory traffic instructions do not show. Use this to see whether a change to the tagging layer cuts its cost;
 * the goal's figure is timed (bench/tagging.ts `--beside`). Needs valgrind (Debian's `valgrind`); takes ~15 minutes.
 *
 * `node --import tsx bench/instructions.ts [kind] [lo] [hi]` (kind riket, lan or kommun, default kommun; lo 4, hi 12).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Kind = 'riket' | 'lan' | 'kommun';
type Variant = 't' | 'u' | 'n';

async function child(kind: Kind, variant: Variant, k: number): Promise<void> {
  const { buildReportPdf, reportDefinition } = await import('../pipelines/report/build-pdf.ts');
  const { accessibleDefinition } = await import('../pipelines/report/tagging/document.ts');
  const { model } = await import('../tests/report/tagging/reports.ts');
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-bench-instructions-'));
  try {
    for (const tagged of [true, false]) await buildReportPdf(model(kind), join(dir, 'warm.pdf'), { tagged });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pm = createRequire(import.meta.url)('pdfmake') as { createPdf(dd: unknown): { getBuffer(): Promise<Buffer> } };
  const definitions = [];
  for (let i = 0; i < k; i++) definitions.push(await reportDefinition(model(kind)));
  if (variant === 'n') return;
  for (const d of definitions) {
    await pm.createPdf(variant === 't' ? accessibleDefinition(d, { report: kind, strict: true, archive: true }) : d).getBuffer();
  }
}

/** Instructions of one child run (cachegrind's "I refs"). */
function count(kind: Kind, variant: Variant, k: number): Promise<number> {
  const args = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--predictable', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, variant, String(k)];
  return new Promise((resolve, reject) => {
    const p = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const m = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (code !== 0 || !m) reject(new Error(`valgrind ${variant} K=${k} exited ${code}: ${err.slice(-400)}`));
      else resolve(Number((m[1] as string).replaceAll(',', '')));
    });
  });
}

async function main(kind: Kind, lo: number, hi: number): Promise<void> {
  if (spawnSync('valgrind', ['--version']).error) {
    console.log('issue 8, instructions: skipped (no valgrind; Debian package valgrind)');
    return;
  }
  console.log(`\nissue 8: tagging's cost in instructions, fixture ${kind} report, one more report at K = ${lo} → ${hi} (valgrind, node --predictable)`);
  const runs: [Variant, number][] = [['t', lo], ['u', lo], ['n', lo], ['t', hi], ['u', hi], ['n', hi]];
  const got = new Map<string, number>();
  // Two at a time: one per core.
  for (let i = 0; i < runs.length; i += 2) {
    const batch = runs.slice(i, i + 2);
    const counts = await Promise.all(batch.map(([v, k]) => count(kind, v, k)));
    batch.forEach(([v, k], j) => got.set(`${v}${k}`, counts[j] as number));
  }
  const per = (v: Variant): number => ((got.get(`${v}${hi}`) as number) - (got.get(`${v}${lo}`) as number)) / (hi - lo);
  const [t, u, n] = [per('t'), per('u'), per('n')];
  const m = (x: number): string => `${(x / 1e6).toFixed(0)} M`;
  console.log(`  a report's definition (charts, tables, text): ${m(n)} instructions`);
  console.log(`  its PDF untagged: ${m(u - n)}; tagged: ${m(t - n)}`);
  console.log(`  tagging: ${m(t - u)} a report, +${(((t - u) / (u - n)) * 100).toFixed(1)} % of the PDF, +${(((t - u) / u) * 100).toFixed(1)} % of definition and PDF`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const a = process.argv.slice(2);
  if (a[0] === '--child') await child(a[1] as Kind, a[2] as Variant, Number(a[3]));
  else await main((a[0] ?? 'kommun') as Kind, Number(a[1] ?? 4), Number(a[2] ?? 12));
}
