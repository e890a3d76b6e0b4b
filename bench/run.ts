/**
 * `npm run bench`: the demo end to end in a scratch folder, printing each stage's wall time and the peak memory,
 * then issue 10's figures with their goals (bench/goals.ts: start-up, every report, the report stage alone with one
 * and with the default number of render threads, a 500 MB memory limit, 5 million units), issue 8's
 * (bench/tagging.ts: the report stage of riket, the 21 län and 21 kommuner tagged against untagged, file sizes per
 * kind), then the segregation stage at 20 and 200 draws, then the indices benchmarks (with the pandas comparison).
 * Figures are printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'segfollow-bench-'));

async function demoRun(label: string, extra: string[]): Promise<void> {
  const { measure, line } = await import('./goals.ts');
  const r = measure(process.execPath, ['bin/segfollow.js', 'run', '--demo', '--year', '2025', '--warehouse', join(dir, 'w.duckdb'), '--out', join(dir, 'out'), '--log-level', 'warn', ...extra], {
    SEGFOLLOW_RAW: join(dir, 'raw'),
  });
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error(`demo run exited ${r.status}`);
  }
  const m = JSON.parse(readFileSync(join(dir, 'out', '2025', 'manifest.json'), 'utf8')) as {
    stages: { stage: string; seconds: number; peak_rss_mb: number }[];
    peak_rss_mb: number;
    outputs: { name: string; bytes: number }[];
  };
  console.log(`\n${label} (load average ${loadavg()[0]?.toFixed(1)}): whole process ${r.wallS.toFixed(2)} s${r.cpuS === null ? '' : `, CPU ${r.cpuS.toFixed(2)} s`}`);
  // Issue 10 goal 5: the whole process tree's largest process (GNU time), and the run's own sampled figure.
  line('peak memory, whole process (GNU time)', r.peakMb === null ? 'n/a' : `${r.peakMb.toFixed(0)} MB`, '< 1024 MB');
  line('peak memory, sampled in-process (manifest peak_rss_mb)', `${m.peak_rss_mb} MB`, '< 1024 MB');
  for (const s of m.stages) console.log(`  ${s.stage.padEnd(8)} ${s.seconds.toFixed(2).padStart(7)} s   peak RSS ${String(s.peak_rss_mb).padStart(5)} MB   goal < 1024 MB`);
  const pdf = m.outputs.find((o) => o.name.endsWith('.pdf'));
  if (pdf) console.log(`  report   ${pdf.name} ${(pdf.bytes / 1024).toFixed(0)} KB`);
}

try {
  console.log('segfollow benchmarks — Node', process.version);
  // What is measured is the compiled CLI, as shipped (bin/segfollow.js falls back to tsx when dist/ is stale).
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) console.log(`npm run build exited ${build.status}; dist/ may be stale and the CLI then runs from source\n${build.stdout}`);
  await demoRun('demo, cold (empty warehouse and cache)', []);
  await demoRun('demo, warm (rerun over the same warehouse)', []);
  // Issue 10: every figure with its goal (bench/goals.ts).
  const goals = await import('./goals.ts');
  goals.benchStartup();
  const beforeReports = goals.benchAllReports(dir);
  goals.benchReportStage(dir, beforeReports);
  // Issue 8: tagging's cost (report stage tagged vs untagged, file sizes) over the demo warehouse built above.
  const tagging = await import('./tagging.ts');
  tagging.benchTaggingReports(join(dir, 'w.duckdb'), join(dir, 'raw'));
  await tagging.benchTaggingBeside(join(dir, 'w.duckdb'), join(dir, 'raw'));
  await tagging.benchTaggingPaired(9);
  await goals.benchLargeInput(dir);
  // Issue 10 goal 2: the segregation stage alone at 20 and 200 draws on the demo warehouse just built.
  const { benchSegregation } = await import('./segregation.ts');
  benchSegregation(join(dir, 'w.duckdb'));
  if (existsSync(join(root, 'bench', 'indices.ts'))) {
    const { benchIndices } = (await import('./indices.ts')) as { benchIndices: () => Promise<void> };
    await benchIndices();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
