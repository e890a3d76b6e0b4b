/**
 * Benchmark of the segregation stage on a demo warehouse (issue 10, goal 2: 200 draws in ≤ 30 s for the demo
 * country): the stage alone, at 20 and at 200 bootstrap draws, each in a child process over its own copy of the
 * warehouse so that the peak memory (VmHWM) is the stage's own. Figures are printed, never asserted.
 *
 *   node --import tsx bench/segregation.ts <warehouse.duckdb> [draws ...]     (default draws: 20 200)
 *
 * `npm run bench` calls benchSegregation() with the warehouse its demo run just built.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const GOAL_S = 30;

interface ChildResult {
  seconds: number;
  /** CPU seconds of the process (user + system): on a shared machine, wall time alone says little. */
  cpu: number;
  read: number;
  compute: number;
  write: number;
  rows: number;
  peakRssMb: number | null;
}

/** Runs in the child: the stage over the given warehouse, in its own transaction, as the build stage runs it. */
async function child(warehouse: string, draws: number): Promise<void> {
  const { loadConfig } = await import('../pipelines/config.ts');
  const { createLogger } = await import('../pipelines/log.ts');
  const { withConnection, execFile } = await import('../pipelines/db.ts');
  const { buildSegregation } = await import('../pipelines/stages/segregation.ts');
  const config = loadConfig({ warehouse }, { root: REPO, env: {} });
  const ctx = { config, log: createLogger({ format: 'json', level: 'error' }), fetch, now: () => new Date() };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await withConnection(warehouse, async (conn) => {
    // A warehouse from an older build gets the current columns, as every run does first.
    await execFile(conn, 'staging/schema');
    return buildSegregation(ctx, conn, { draws });
  });
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const cpu = (c1.user + c1.system) / 1e6;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  const out: ChildResult = { seconds, cpu, ...r.seconds, rows: r.rows, peakRssMb: hwm === undefined ? null : Math.round(Number(hwm) / 1024) };
  process.stdout.write(JSON.stringify(out));
}

export function benchSegregation(warehouse: string, drawsList: readonly number[] = [20, 200]): void {
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-bench-seg-'));
  try {
    console.log(`segregation stage (all splits, DeSO and RegSO, kommun/län/riket, every year) on ${warehouse}`);
    for (const draws of drawsList) {
      const copy = join(dir, `w${draws}.duckdb`);
      copyFileSync(warehouse, copy);
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', copy, String(draws)], { cwd: REPO, encoding: 'utf8' });
      if (r.status !== 0) {
        console.log(`  ${draws} draws: failed (exit ${r.status}): ${r.stderr.split('\n').slice(0, 3).join(' ')}`);
        continue;
      }
      const m = JSON.parse(r.stdout) as ChildResult;
      const goal = draws === 200 ? `  (goal ≤ ${GOAL_S} s)` : '';
      console.log(
        `  ${String(draws).padStart(3)} draws: ${m.seconds.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU (read ${m.read.toFixed(2)}, compute ${m.compute.toFixed(2)}, write ${m.write.toFixed(2)}), ${m.rows} rows, peak RSS ${m.peakRssMb} MB${goal}`,
      );
      rmSync(copy, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const i = process.argv.indexOf('--child');
  if (i >= 0) await child(process.argv[i + 1] as string, Number(process.argv[i + 2]));
  else {
    const warehouse = process.argv[2];
    if (!warehouse) throw new Error('usage: node --import tsx bench/segregation.ts <warehouse.duckdb> [draws ...]');
    const draws = process.argv.slice(3).map(Number);
    benchSegregation(warehouse, draws.length > 0 ? draws : undefined);
  }
}
