/**
 * What tagging costs (issue 8): the demo's reports rendered tagged (PDF/UA-1 + PDF/A-2a, the default) and untagged
 * (SEGFOLLOW_PDF_TAGGED=false, which exists for this comparison only), alternating, over one demo warehouse; then the
 * files' sizes, and the untagged files packed into object streams the way tagged ones are (report/tagging/compact.ts).
 * Printed, never asserted. `node --import tsx bench/tagging.ts [reports] [rounds]`, reports default riket,lan,kommun
 * (all 312), rounds default 1; `node --import tsx bench/tagging.ts --paired [rounds]` for the in-process comparison.
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactPdf } from '../pipelines/report/tagging/compact.ts';
import { checkTaggedPdf } from '../pipelines/report/tagging/check.ts';
import { readPdf } from '../pipelines/report/tagging/pdf-objects.ts';
import { measure } from './goals.ts';

const reports = process.argv[2] ?? 'riket,lan,kommun';
const rounds = Number(process.argv[3] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'segfollow-bench-tagging-'));
const base = { SEGFOLLOW_RAW: join(dir, 'raw') };
const cli = (args: string[]): string[] => ['bin/segfollow.js', ...args, '--year', '2025', '--warehouse', join(dir, 'w.duckdb'), '--log-level', 'warn'];

function pdfs(out: string): string[] {
  const d = join(out, '2025');
  return readdirSync(d).filter((f) => f.endsWith('.pdf')).map((f) => join(d, f));
}

/**
 * In one process, interleaved: the fixture's riket, län and kommun reports (tests/fixtures), tagged and untagged,
 * `rounds` times each, so that the machine's load hits both alike; the paired difference is the tagging's own cost.
 */
async function paired(rounds: number): Promise<void> {
  const { buildReportPdf } = await import('../pipelines/report/build-pdf.ts');
  const { model, KINDS } = await import('../tests/report/tagging/reports.ts');
  const d = mkdtempSync(join(tmpdir(), 'segfollow-bench-paired-'));
  try {
    const ms: Record<'tagged' | 'untagged', number[]> = { tagged: [], untagged: [] };
    for (const kind of KINDS) await buildReportPdf(model(kind), join(d, 'warm.pdf'), { tagged: false });
    for (let r = 0; r < rounds; r++) {
      for (const kind of KINDS) {
        for (const v of r % 2 === 0 ? (['tagged', 'untagged'] as const) : (['untagged', 'tagged'] as const)) {
          const t0 = performance.now();
          await buildReportPdf(model(kind), join(d, `${kind}-${v}.pdf`), { tagged: v === 'tagged' });
          ms[v].push(performance.now() - t0);
        }
      }
    }
    const total = (v: number[]): number => v.reduce((a, b) => a + b, 0);
    const diffs = ms.tagged.map((t, i) => t - (ms.untagged[i] ?? t)).sort((a, b) => a - b);
    console.log(
      `  in-process, ${rounds} × 3 fixture reports interleaved: tagged ${(total(ms.tagged) / ms.tagged.length).toFixed(0)} ms, untagged ${(total(ms.untagged) / ms.untagged.length).toFixed(0)} ms per report; ` +
        `total ${(((total(ms.tagged) - total(ms.untagged)) / total(ms.untagged)) * 100).toFixed(1)} %, paired median Δ ${(diffs[Math.floor(diffs.length / 2)] ?? 0).toFixed(0)} ms`,
    );
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv.includes('--paired')) {
  await paired(Number(process.argv[process.argv.indexOf('--paired') + 1] ?? 5));
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

try {
  console.log(`tagging benchmark — Node ${process.version}, reports ${reports}, ${rounds} round(s), load average ${loadavg()[0]?.toFixed(1)}`);
  const warm = measure(process.execPath, cli(['run', '--demo', '--out', join(dir, 'warm')]), base);
  if (warm.status !== 0) throw new Error(`demo run failed: ${warm.stderr}`);
  console.log(`  demo run (riket report, warehouse built)            ${warm.wallS.toFixed(2)} s`);
  const times: Record<'tagged' | 'untagged', number[]> = { tagged: [], untagged: [] };
  for (let r = 0; r < rounds; r++) {
    for (const v of r % 2 === 0 ? (['tagged', 'untagged'] as const) : (['untagged', 'tagged'] as const)) {
      const m = measure(process.execPath, cli(['report', '--reports', reports, '--out', join(dir, v)]), { ...base, SEGFOLLOW_PDF_TAGGED: v === 'tagged' ? 'true' : 'false' });
      if (m.status !== 0) throw new Error(`report (${v}) failed: ${m.stderr}`);
      times[v].push(m.wallS);
      console.log(`  round ${r + 1}: report ${v.padEnd(8)} ${m.wallS.toFixed(2).padStart(8)} s   peak RSS ${m.peakMb === null ? 'n/a' : `${m.peakMb.toFixed(0)} MB`}`);
    }
  }
  const sum = (v: number[]): number => v.reduce((a, b) => a + b, 0);
  const t = sum(times.tagged) / rounds;
  const u = sum(times.untagged) / rounds;
  console.log(`  report stage, mean: tagged ${t.toFixed(2)} s, untagged ${u.toFixed(2)} s: ${(((t - u) / u) * 100).toFixed(1)} % (goal ≤ 5 %)`);
  const whole = warm.wallS;
  console.log(`  whole demo run (run + these reports), estimated: tagged ${(whole + t).toFixed(2)} s, untagged ${(whole + u).toFixed(2)} s: ${(((t - u) / (whole + u)) * 100).toFixed(1)} %`);

  const tagged = pdfs(join(dir, 'tagged'));
  const untagged = pdfs(join(dir, 'untagged'));
  const bytes = (fs: string[]): number => sum(fs.map((f) => statSync(f).size));
  const tb = bytes(tagged);
  const ub = bytes(untagged);
  const uc = sum(untagged.map((f) => compactPdf(readFileSync(f)).length));
  console.log(`  files: ${tagged.length} tagged ${(tb / 1024).toFixed(0)} KB, ${untagged.length} untagged ${(ub / 1024).toFixed(0)} KB (${(((tb - ub) / ub) * 100).toFixed(1)} %); untagged packed into object streams too: ${(uc / 1024).toFixed(0)} KB (tagged ${(((tb - uc) / uc) * 100).toFixed(1)} % against it)`);
  const larger = tagged.flatMap((f, i) => {
    const [t1, u1] = [statSync(f).size, statSync(untagged[i] ?? f).size];
    return t1 > u1 ? [`${f.split('/').pop()} ${(t1 / 1024).toFixed(0)} KB vs ${(u1 / 1024).toFixed(0)} KB`] : [];
  });
  console.log(`  tagged files larger than their untagged twin: ${larger.length} of ${tagged.length}${larger.length ? `: ${larger.join('; ')}` : ''}`);
  // Every tagged report of the run through the structural checker.
  let errors = 0;
  for (const f of tagged) errors += checkTaggedPdf(readPdf(readFileSync(f))).errors.length;
  console.log(`  structural checker over the ${tagged.length} tagged reports: ${errors} errors`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
