/**
 * The figures of issue 10 ("Speed"), each printed with its goal: all reports in the demo, peak memory, the demo under
 * a 500 MB DuckDB memory limit, CLI start-up, `segfollow indices` on the 49,257-row panel beside a pandas/numpy
 * script, and a 5-million-unit table through `indices` and `area-types`. Printed, never asserted: the numbers depend
 * on the machine and its load (the load average is printed with them).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const TIME = '/usr/bin/time';

export interface Measured {
  wallS: number;
  /** User + system CPU seconds of the process and its threads (GNU time); null without GNU time. */
  cpuS: number | null;
  /** Peak resident memory of the whole process tree's largest process (GNU time's %M), MB; null without GNU time. */
  peakMb: number | null;
  status: number | null;
  stderr: string;
}

const timed = (cmd: string, args: string[]): [string, string[]] => (existsSync(TIME) ? [TIME, ['-f', 'segfollow-bench-peak-kb %M cpu %U %S', cmd, ...args]] : [cmd, args]);

function measured(wallS: number, status: number | null, stderr: string): Measured {
  const m = /segfollow-bench-peak-kb (\d+) cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  return {
    wallS,
    cpuS: m ? Number(m[2]) + Number(m[3]) : null,
    peakMb: m ? Number(m[1]) / 1024 : null,
    status,
    stderr: stderr.replace(/segfollow-bench-peak-kb .*\n?/, ''),
  };
}

/** Runs `node args…` (or any command) as a whole process, with its wall time and peak RSS. */
export function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Measured {
  const t0 = performance.now();
  const r = spawnSync(...timed(cmd, args), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  return measured((performance.now() - t0) / 1000, r.status, r.stderr ?? '');
}

/** The same, not waiting for it: for processes measured side by side (started together, so the machine's load and speed are alike for both). */
export function measureBeside(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, core?: number): Promise<Measured> {
  const t0 = performance.now();
  // `core`: the process and all its threads held to that core (util-linux taskset).
  const [c, a] = core === undefined ? timed(cmd, args) : timed('taskset', ['-c', String(core), cmd, ...args]);
  const child = spawn(c, a, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(measured((performance.now() - t0) / 1000, status, stderr)));
  });
}

export function line(label: string, value: string, goal: string): void {
  console.log(`  ${label.padEnd(58)} ${value.padStart(14)}   goal ${goal}`);
}

const s = (x: number): string => `${x.toFixed(2)} s`;
/** Wall time, with CPU time beside it when known: on a shared machine the wall time carries the others' load. */
const sc = (m: { wallS: number; cpuS: number | null }): string => (m.cpuS === null ? s(m.wallS) : `${s(m.wallS)} (CPU ${m.cpuS.toFixed(2)} s)`);
const load = (): string => `load average ${loadavg()[0]?.toFixed(1)}`;

/** The median run of `n` by wall time, with its CPU time. */
function medianRun(n: number, run: () => Measured): Measured {
  const runs = Array.from({ length: n }, run).sort((a, b) => a.wallS - b.wallS);
  return runs[Math.floor(n / 2)] as Measured;
}
const mb = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(0)} MB`);

/**
 * Goal 1 and 5: the demo with every report (riket + 21 län + 290 kommuner) at the default DuckDB limit (300MB), then
 * the same under the goal's 500 MB limit, then the riket report under 200 MB.
 * Returns the seconds of the stages before the report stage in the unlimited run (what is left of 60 s for the
 * reports), or null when that run failed.
 */
export function benchAllReports(dir: string): number | null {
  let before: number | null = null;
  console.log(`\nissue 10 goals 1 and 5: the demo with every report (load average ${loadavg()[0]?.toFixed(1)})`);
  const run = (label: string, sub: string, env: NodeJS.ProcessEnv, levels = 'riket,lan,kommun'): void => {
    const d = join(dir, sub);
    mkdirSync(d, { recursive: true });
    const r = measure(
      process.execPath,
      ['bin/segfollow.js', 'run', '--demo', '--year', '2025', '--reports', levels, '--warehouse', join(d, 'w.duckdb'), '--out', join(d, 'out'), '--log-level', 'info'],
      { SEGFOLLOW_RAW: join(d, 'raw'), ...env },
    );
    if (r.status !== 0) {
      line(label, `exit ${r.status}`, 'completes');
      console.log(`    ${r.stderr.trim().split('\n').slice(-2).join('\n    ')}`);
      return;
    }
    const m = JSON.parse(readFileSync(join(d, 'out', '2025', 'manifest.json'), 'utf8')) as {
      stages: { stage: string; seconds: number; peak_rss_mb: number }[];
      outputs: { name: string }[];
    };
    const reports = m.outputs.filter((o) => o.name.endsWith('.pdf')).length;
    const reportStage = m.stages.find((x) => x.stage === 'report');
    const all = levels === 'riket,lan,kommun';
    line(`${label}: whole process (${reports} reports)`, sc(r), all ? '≤ 60 s' : '-');
    line(`${label}: peak memory (GNU time, whole process)`, mb(r.peakMb), '< 1024 MB');
    if (reportStage && all) line(`${label}: report stage, reports per second`, `${(reports / reportStage.seconds).toFixed(2)}/s`, `≥ ${(312 / 30).toFixed(1)}/s`);
    // Each stage's peak (sampled in-process, main thread and worker threads alike) against the whole run's goal.
    for (const x of m.stages) console.log(`    ${x.stage.padEnd(8)} ${x.seconds.toFixed(2).padStart(7)} s   peak RSS ${String(x.peak_rss_mb).padStart(5)} MB   goal < 1024 MB`);
    if (sub === 'all') before = m.stages.filter((x) => x.stage !== 'report').reduce((t, x) => t + x.seconds, 0);
    // Where a report's time goes, by kind: the stage's "report timing" log lines (pipelines/stages/report.ts).
    for (const t of r.stderr.split('\n').filter((l) => l.includes('report timing'))) console.log(`    ${t.replace(/^.*report timing\s+/, 'report timing ')}`);
  };
  run('demo, all reports', 'all', {});
  run('demo, all reports, SEGFOLLOW_MEMORY_LIMIT=500MB', 'limited', { SEGFOLLOW_MEMORY_LIMIT: '500MB' });
  // Below the default (300MB, memory-limit.ts): ingest and build (where DuckDB holds the most) with the riket report only; a run
  // that cannot fit says so with its exit code and error line rather than a crash.
  run('demo, riket report, SEGFOLLOW_MEMORY_LIMIT=200MB', 'limited200', { SEGFOLLOW_MEMORY_LIMIT: '200MB' }, 'riket');
  return before;
}

/**
 * Goal 1, the report stage alone: every report over the warehouse benchAllReports built (in `dir`/all), with one
 * render thread and with the default (one per core), each with wall and CPU time, peak memory, reports per second and
 * the render threads' CPU per report (the stage's "report timing" log). `before` is the seconds the demo spends
 * before the report stage; the report stage's goal is what remains of 60 s.
 */
export function benchReportStage(dir: string, before: number | null): void {
  const warehouse = join(dir, 'all', 'w.duckdb');
  if (!existsSync(warehouse)) return;
  const budget = before === null ? null : Math.max(0, 60 - before);
  const goal = budget === null ? '≤ 60 s with the rest of the demo' : `≤ ${budget.toFixed(0)} s (60 s − ${before?.toFixed(0)} s before it)`;
  console.log(`\nissue 10 goal 1: the report stage alone, all 312 reports (${load()})`);
  for (const [label, threads] of [
    ['1 render thread', '1'],
    ['default threads (one per core)', undefined],
  ] as const) {
    const out = join(dir, `report-stage-${threads ?? 'default'}`);
    const r = measure(
      process.execPath,
      ['bin/segfollow.js', 'report', '--demo', '--year', '2025', '--reports', 'riket,lan,kommun', '--warehouse', warehouse, '--out', out, '--log-level', 'info'],
      threads === undefined ? {} : { SEGFOLLOW_REPORT_THREADS: threads },
    );
    if (r.status !== 0) {
      line(`report stage, ${label}`, `exit ${r.status}`, 'completes');
      continue;
    }
    // Sums over the kinds of the stage's timing lines: reports, render threads' CPU, main thread's model CPU.
    let reports = 0;
    let renderCpu = 0;
    let modelCpu = 0;
    for (const l of r.stderr.split('\n').filter((x) => x.includes('report timing'))) {
      reports += Number(/reports=(\d+)/.exec(l)?.[1] ?? 0);
      renderCpu += Number(/render_cpu_s=([\d.]+)/.exec(l)?.[1] ?? 0);
      modelCpu += Number(/model_cpu_s=([\d.]+)/.exec(l)?.[1] ?? 0);
    }
    line(`report stage, ${label}`, sc(r), goal);
    line(`  reports per second (${reports} reports)`, `${(reports / r.wallS).toFixed(2)}/s`, budget ? `≥ ${(312 / budget).toFixed(1)}/s` : '-');
    line('  peak memory (GNU time)', mb(r.peakMb), '< 1024 MB');
    if (reports > 0) line('  render CPU per report (threads), model CPU per report', `${(renderCpu / reports).toFixed(2)} s, ${(modelCpu / reports).toFixed(2)} s`, '-');
  }
}

/** Goal 3: `--help` as a whole process, next to a bare `node -e 0` (what no program can go below). */
export function benchStartup(): void {
  console.log(`\nissue 10 goal 3: CLI start-up (${load()})`);
  const bare = medianRun(9, () => measure(process.execPath, ['-e', '0']));
  const help = medianRun(9, () => measure(process.execPath, ['bin/segfollow.js', '--help']));
  const cmdHelp = medianRun(5, () => measure(process.execPath, ['bin/segfollow.js', 'indices', '--help']));
  line('node -e 0 (the floor on this machine), median of 9', sc(bare), '-');
  line('segfollow --help, whole process, median of 9', sc(help), '≤ 0.15 s');
  line('segfollow indices --help, median of 5', sc(cmdHelp), '-');
  line('segfollow --help from the TypeScript sources (tsx)', sc(medianRun(3, () => measure(process.execPath, ['bin/segfollow.js', '--help'], { SEGFOLLOW_FROM_SOURCE: '1' }))), '-');
}

/** Goal 3, second half: `segfollow indices` on the panel, and the pandas/numpy script on the same file. */
export function benchPanelAgainstPandas(panel: string, dir: string): void {
  const args = ['bin/segfollow.js', 'indices', '--input', panel, '--unit', 'deso', '--groups', 'foreign,swedish', '--by', 'kommun,year', '--out', join(dir, 'segfollow.csv')];
  console.log(`  (${load()})`);
  // The command's own floor: Node, its modules and a two-row table, so the panel's figure shows what computing costs.
  const tiny = join(dir, 'tiny.csv');
  writeFileSync(tiny, 'kommun,year,deso,foreign,swedish\n0114,2017,0114A0001,10,90\n0114,2017,0114A0002,40,60\n');
  const floor = medianRun(5, () => measure(process.execPath, ['bin/segfollow.js', 'indices', '--input', tiny, '--unit', 'deso', '--groups', 'foreign,swedish', '--by', 'kommun,year', '--out', join(dir, 'tiny-out.csv')]));
  line('segfollow indices, a 2-row table (start-up), median of 5', sc(floor), '-');
  const ours = medianRun(5, () => measure(process.execPath, args));
  line('segfollow indices, 49,257-row panel, median of 5', sc(ours), '≤ 0.35 s');
  // The python3 first on PATH may be another install (pyenv) than Debian's, where python3-pandas puts pandas.
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import pandas, numpy'], { encoding: 'utf8' }).status === 0);
  if (!python) {
    console.log('  pandas/numpy comparison skipped: no python3 with pandas and numpy (python3 on PATH, /usr/bin/python3; Debian: apt-get install python3-pandas)');
    return;
  }
  const py = join(ROOT, 'bench', 'indices_pandas.py');
  const theirs = medianRun(5, () => measure(python, [py, panel, join(dir, 'pandas.csv')]));
  line('pandas/numpy script (D and H), same panel, median of 5', sc(theirs), 'slower than ours');
  // The same numbers, or the comparison would be of different work.
  const read = (f: string): Map<string, number> => {
    const out = new Map<string, number>();
    const [head, ...rows] = readFileSync(f, 'utf8').trimEnd().split('\n');
    const cols = (head ?? '').split(',');
    for (const r of rows) {
      const c = r.split(',');
      const at = (n: string): string => c[cols.indexOf(n)] ?? '';
      if (cols.includes('index')) {
        if (at('index') === 'D' || at('index') === 'H_two_group') out.set(`${at('kommun')},${at('year')},${at('index') === 'D' ? 'D' : 'H'}`, Number(at('value')));
      } else {
        out.set(`${at('kommun')},${at('year')},D`, Number(at('D')));
        out.set(`${at('kommun')},${at('year')},H`, Number(at('H')));
      }
    }
    return out;
  };
  const a = read(join(dir, 'segfollow.csv'));
  const b = read(join(dir, 'pandas.csv'));
  let worst = 0;
  for (const [k, v] of a) worst = Math.max(worst, Math.abs(v - (b.get(k) ?? Number.NaN)));
  console.log(`    ${a.size} D and H values; largest difference to pandas ${worst.toExponential(1)}`);
}

/** Goal 4: a 5-million-unit two-group table (290 --by sets) through `indices`, and its index column through `area-types`. */
export async function benchLargeInput(dir: string): Promise<void> {
  console.log(`\nissue 10 goal 4: 5,000,000 units (load average ${loadavg()[0]?.toFixed(1)})`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const file = join(dir, 'units5m.csv');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  // hash() rather than random(): the same file on every run.
  await conn.run(
    `COPY (SELECT lpad(((r % 290) + 100)::VARCHAR, 4, '0') AS kommun, 'U' || r AS unit, (hash(r, 1) % 500)::INTEGER AS foreign, ` +
      `(hash(r, 2) % 1500)::INTEGER AS swedish, ((hash(r, 3) % 2000000) / 1000000.0 - 1)::DOUBLE AS socio FROM range(5000000) t(r)) ` +
      `TO '${file.replaceAll("'", "''")}' (HEADER, DELIMITER ',')`,
  );
  conn.closeSync();
  instance.closeSync();
  const ind = measure(process.execPath, ['bin/segfollow.js', 'indices', '--input', file, '--unit', 'unit', '--groups', 'foreign,swedish', '--by', 'kommun', '--out', join(dir, 'idx5m.csv')]);
  line(`segfollow indices, 5M units${ind.status === 0 ? '' : ` (exit ${ind.status})`}`, sc(ind), '≤ 5 s');
  line('  peak memory', mb(ind.peakMb), '< 1024 MB');
  console.log(`  (${load()})`);
  const at = measure(process.execPath, ['bin/segfollow.js', 'area-types', '--input', file, '--unit', 'unit', '--index', 'socio', '--out', join(dir, 'types5m.csv')]);
  line(`segfollow area-types, 5M units${at.status === 0 ? '' : ` (exit ${at.status})`}`, sc(at), '≤ 5 s');
  line('  peak memory', mb(at.peakMb), '< 1024 MB');
  writeFileSync(join(dir, '.done'), '');
}
