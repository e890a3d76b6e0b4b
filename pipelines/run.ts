import { accessSync, constants, copyFileSync, existsSync, statSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Context } from './context.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFile, memoryLimit, queryFile, withConnection, type Row } from './db.ts';
import { EnvironmentError, environmentError, InterruptedError, memoryLimitError, UsageError } from './errors.ts';
import { acquireLock } from './lock.ts';
import { collectGarbage } from './heap.ts';
import { prepareOutput, publish, stagingDir } from './publish.ts';
import { buildAreas } from './stages/areas.ts';
import { ingest } from './stages/ingest.ts';
import { ingestReference } from './sources/reference.ts';
import { build } from './stages/build.ts';
import { report } from './stages/report.ts';
import { packageVersions } from './versions.ts';
import { checkStale } from './freshness.ts';
import { defaultDraws } from './config.ts';
import { redactUrl } from './sources/redact.ts';
import { StopRequest } from './sources/http.ts';

export type StageName = 'areas' | 'ingest' | 'build' | 'report';
export const ALL_STAGES: StageName[] = ['areas', 'ingest', 'build', 'report'];

export interface StageRecord {
  stage: StageName;
  started_at: string;
  finished_at: string;
  seconds: number;
  outcome: 'ok' | 'failed';
  rows: unknown;
  /** Highest resident memory sampled while the stage ran (MB). */
  peak_rss_mb: number;
  message?: string;
}

export interface RunSummary {
  run_id: string;
  outcome: 'ok' | 'failed';
  stages: StageRecord[];
  outDir: string | null;
  peak_rss_mb: number;
  /** --when-new and no source has published anything since the last report: nothing built or published. */
  nothingNew?: boolean;
}

/** How long a signalled run may take to unwind by itself before it is ended at once. */
const SIGNAL_GRACE_MS = 2_000;

/**
 * Runs stages in order under the warehouse lock, recording each in `run`/`stage_run`. The report stage writes
 * into a staging folder that replaces output/<year>/ whole only after every stage has succeeded, together with
 * manifest.json; a failed or killed run leaves the previous output and the warehouse's committed tables intact.
 *
 * SIGTERM and SIGINT end a run cleanly: pending HTTP requests are aborted and a running query interrupted, so the
 * stage's transaction rolls back; the run is marked 'interrupted', its staging folder removed, the lock released and
 * an InterruptedError thrown (exit 143 / 130). A stage that does not unwind within SIGNAL_GRACE_MS (e.g. waiting to
 * retry a request), or a second signal, ends the process at once: staging folder and lock removed, one error line,
 * the same exit code; its transaction is never committed, and the next run marks the run 'interrupted'.
 */
export interface RunHooks {
  /**
   * Called once the last stage that fetches (areas, ingest) has ended, whether it succeeded or not (never by a run
   * without one): the demo's emulator and its synthetic world (a few hundred MB of JavaScript heap) need not live
   * through build and report.
   */
  sourcesDone?: () => Promise<void>;
}

export async function runStages(ctx: Context, command: string, stages: StageName[], args: string[], hooks: RunHooks = {}): Promise<RunSummary> {
  const { config } = ctx;
  // Checked before anything is created: a mistyped --warehouse for build or report must not leave an empty
  // database behind, and an --out that cannot become a folder must not fail only after the whole build.
  if (!stages.includes('areas') && !stages.includes('ingest')) requireWarehouse(config.warehouse);
  if (stages.includes('report')) checkOutDir(config.outDir);
  const release = (() => {
    try {
      mkdirSync(dirname(config.warehouse), { recursive: true });
      return acquireLock(`${config.warehouse}.lock`);
    } catch (e) {
      throw environmentError(e, `${config.warehouse}.lock`) ?? e;
    }
  })();
  const runId = `${ctx.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const records: StageRecord[] = [];
  const yearDir = join(config.outDir, String(config.year));
  const staging = stagingDir(config.outDir, config.year, runId);
  let peak = process.memoryUsage().rss;
  let stagePeak = peak;
  const sample = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    stagePeak = Math.max(stagePeak, rss);
  }, 50);

  // Signals: see the comment above.
  let phase = 'start';
  let interrupted: InterruptedError | null = null;
  let activeConn: DuckDBConnection | null = null;
  let forceTimer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  const removeStaging = () => {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  };
  const endNow = (e: InterruptedError) => {
    clearInterval(sample);
    removeStaging();
    release();
    ctx.log.error(e.message, { exit: e.exitCode });
    process.exit(e.exitCode);
  };
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => {
    if (phase === 'published') return; // output and warehouse are final; the run ends in a moment anyway
    if (interrupted) return endNow(interrupted);
    const e = new InterruptedError(`interrupted by ${signal} during stage ${phase} of run ${runId}; the warehouse keeps its last committed state and ${yearDir} is unchanged`, signal);
    interrupted = e;
    abort.abort(new StopRequest(`run stopping (${signal})`));
    try {
      activeConn?.interrupt();
    } catch {
      /* no query running */
    }
    forceTimer = setTimeout(() => endNow(e), SIGNAL_GRACE_MS);
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const checkInterrupted = () => {
    if (interrupted) throw interrupted;
  };
  let stageCtx: Context = {
    ...ctx,
    fetch: (input, init) => ctx.fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, abort.signal]) : abort.signal }),
  };

  try {
    const prepared = await prepareOutput(config.outDir, config.year);
    if (prepared.repair === 'restored') ctx.log.info(`restored ${yearDir} from ${yearDir}.old: an earlier run died while publishing`);
    for (const f of prepared.removed) ctx.log.info(`removed the staging folder ${f} of a run that is gone`);
    checkInterrupted();
    await withConnection(config.warehouse, async (conn) => {
      await execFile(conn, 'staging/schema');
      // We hold the lock, so a run still 'running' was killed; say so rather than leave it running for ever.
      await execFile(conn, 'staging/run_orphans', { finished_at: ctx.now().toISOString() });
      await execFile(conn, 'staging/run_start', {
        run_id: runId,
        started_at: ctx.now().toISOString(),
        command,
        args: JSON.stringify(args),
        report_year: config.year,
        versions: JSON.stringify(packageVersions()),
      });
    });
    if (stages.includes('report')) mkdirSync(staging, { recursive: true });
    // A build or report on a warehouse the demo filled is a demo build: the same options as the demo run's.
    if (!config.demo && !stages.includes('ingest')) {
      const demo = await withConnection(config.warehouse, (conn) => demoWarehouse(conn));
      if (demo) {
        stageCtx = { ...stageCtx, config: { ...stageCtx.config, demo: true, bootstrapDraws: config.bootstrapDrawsExplicit ? config.bootstrapDraws : (demo.draws ?? defaultDraws(true)) } };
        ctx.log.info('the warehouse holds demo data: building as the demo run does', { bootstrap_draws: stageCtx.config.bootstrapDraws });
      }
    }
    let nothingNew = false;

    for (const stage of stages) {
      checkInterrupted();
      phase = stage;
      const started = ctx.now();
      const t0 = performance.now();
      stagePeak = process.memoryUsage().rss;
      ctx.log.info(`stage ${stage} started`, { run: runId });
      let rows: unknown;
      let failure: unknown;
      try {
        rows = await withConnection(config.warehouse, async (conn) => {
          activeConn = conn;
          try {
            switch (stage) {
              case 'areas': return await buildAreas(stageCtx, conn, runId);
              case 'ingest': {
                const fetched = await ingest(stageCtx, conn, runId);
                // Municipality groups and DeSO/RegSO outlines (sources/reference.ts), fetched only when missing.
                await ingestReference(stageCtx, conn, runId);
                return fetched;
              }
              case 'build': {
                const built = await build(stageCtx, conn);
                // What the build applied, for the report (it prints this threshold, not the one in force then).
                await execFile(conn, 'staging/record_build', {
                  run_id: runId,
                  built_at: ctx.now().toISOString(),
                  disclosure_threshold: stageCtx.config.disclosureThreshold,
                  bootstrap_draws: stageCtx.config.bootstrapDraws,
                  demo: stageCtx.config.demo,
                });
                return built;
              }
              case 'report':
                // Stale data stops the line before anything is written (exit 1), unless the delay is known.
                await checkStale(stageCtx, conn);
                return await report(stageCtx, conn, staging);
            }
          } finally {
            activeConn = null;
          }
        });
      } catch (e) {
        // A write that fails for want of space has no path of its own: name where the stage was writing.
        const where = stage === 'report' ? `writing ${staging}` : stage === 'ingest' || stage === 'areas' ? `writing ${config.rawDir} or ${config.warehouse}` : `writing ${config.warehouse}`;
        failure = memoryLimitError(e, memoryLimit(), `stage ${stage}`) ?? environmentError(e, where) ?? e;
      }
      if (interrupted) failure = interrupted;
      const rec: StageRecord = {
        stage,
        started_at: started.toISOString(),
        finished_at: ctx.now().toISOString(),
        seconds: round3((performance.now() - t0) / 1000),
        outcome: failure ? 'failed' : 'ok',
        rows: rows ?? null,
        peak_rss_mb: Math.round(Math.max(stagePeak, process.memoryUsage().rss) / 2 ** 20),
        ...(failure ? { message: (failure as Error).message } : {}),
      };
      records.push(rec);
      const fetches = (x: StageName): boolean => x === 'areas' || x === 'ingest';
      if (hooks.sourcesDone && fetches(stage) && !stages.slice(stages.indexOf(stage) + 1).some(fetches)) {
        const done = hooks.sourcesDone;
        hooks = { ...hooks, sourcesDone: undefined };
        await done();
      }
      // What the stage left on the heap is dead now; freed before the next stage takes DuckDB's and workers' memory.
      collectGarbage();
      await withConnection(config.warehouse, (conn) =>
        execFile(conn, 'staging/stage_end', {
          run_id: runId,
          stage,
          started_at: rec.started_at,
          finished_at: rec.finished_at,
          outcome: rec.outcome,
          row_counts: JSON.stringify(rec.rows),
          message: rec.message ?? null,
        }),
      );
      if (failure) throw failure;
      ctx.log.info(`stage ${stage} done`, { seconds: rec.seconds, peak_rss_mb: rec.peak_rss_mb });
      if (stage === 'ingest' && config.whenNew && !(await withConnection(config.warehouse, (conn) => hasNewData(conn, rows, config.year, yearDir)))) {
        nothingNew = true;
        break;
      }
    }
    if (nothingNew) {
      clearInterval(sample);
      removeStaging();
      phase = 'published';
      ctx.log.info(`inget nytt: no source has published new data since the last report for ${config.year}; nothing built or published (${yearDir} unchanged)`, { run: runId });
      await endRun(config.warehouse, runId, ctx, 'nothing-new');
      return { run_id: runId, outcome: 'ok', stages: records, outDir: null, peak_rss_mb: Math.round(peak / 2 ** 20), nothingNew: true };
    }

    clearInterval(sample);
    const summary: RunSummary = { run_id: runId, outcome: 'ok', stages: records, outDir: stages.includes('report') ? yearDir : null, peak_rss_mb: Math.round(peak / 2 ** 20) };
    if (stages.includes('report')) {
      phase = 'publish';
      const inputs = await withConnection(config.warehouse, (conn) => inputHashes(conn));
      // The settings the build applied (its threshold is what the report printed), not those in force now.
      const [built] = await withConnection(config.warehouse, (conn) => queryFile(conn, 'report/build_setting'));
      checkInterrupted();
      const carried = carryOver(yearDir, staging);
      writeManifest(ctx, staging, command, args, summary, inputs, carried, built);
      await publish(staging, yearDir);
    }
    phase = 'published';
    await endRun(config.warehouse, runId, ctx, 'ok');
    return summary;
  } catch (e) {
    const outcome = interrupted ? 'interrupted' : 'failed';
    await endRun(config.warehouse, runId, ctx, outcome).catch(() => undefined);
    removeStaging();
    throw interrupted ?? e;
  } finally {
    clearInterval(sample);
    clearTimeout(forceTimer);
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    release();
  }
}

/** build and report need the warehouse an ingest filled; a path with nothing there is a typo or a missing first run. */
function requireWarehouse(warehouse: string): void {
  if (!existsSync(warehouse)) throw new UsageError(`--warehouse ${warehouse}: no warehouse there; run "segfollow run" (or ingest) first, or check the path`);
  if (!statSync(warehouse).isFile()) throw new EnvironmentError(`--warehouse ${warehouse}: is a folder, expected the warehouse file`);
}

/**
 * --out must be a folder the run can write into, or a path where one can be made: a file there, a file in its
 * path, or a read-only parent is refused now (exit 2, naming the path) rather than after the build.
 */
export function checkOutDir(outDir: string): void {
  let p = resolve(outDir);
  if (existsSync(p) && !statSync(p).isDirectory()) throw new EnvironmentError(`--out ${outDir}: is a file, expected a folder for the reports`);
  while (!existsSync(p)) {
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  if (!statSync(p).isDirectory()) throw new EnvironmentError(`--out ${outDir}: ${p} is a file, so the folder cannot be made`);
  try {
    accessSync(p, constants.W_OK);
  } catch {
    throw new EnvironmentError(`--out ${outDir}: cannot write in ${p} (read-only or no permission)`);
  }
}

/** The demo filled this warehouse (its latest fetch came from the emulator), with the draws of its last build. */
async function demoWarehouse(conn: DuckDBConnection): Promise<{ draws: number | null } | null> {
  await execFile(conn, 'staging/schema');
  const [r] = await queryFile(conn, 'staging/warehouse_demo');
  return r?.demo === true ? { draws: r.draws === null || r.draws === undefined ? null : Number(r.draws) } : null;
}

/**
 * --when-new: something to build and report when this ingest fetched a table or KPI, when a fetch of an earlier run
 * was never followed by a published report for the year (that run failed later), or when output/<year>/ is gone.
 */
async function hasNewData(conn: DuckDBConnection, ingestRows: unknown, year: number, yearDir: string): Promise<boolean> {
  if (((ingestRows as { fetched?: string[] } | undefined)?.fetched ?? []).length > 0) return true;
  if (!existsSync(join(yearDir, 'manifest.json'))) return true;
  const [r] = await queryFile(conn, 'staging/unreported_release', { year });
  return r?.unreported === true;
}

async function endRun(warehouse: string, runId: string, ctx: Context, outcome: 'ok' | 'failed' | 'interrupted' | 'nothing-new'): Promise<void> {
  await withConnection(warehouse, (conn) => execFile(conn, 'staging/run_end', { run_id: runId, finished_at: ctx.now().toISOString(), outcome }));
}

async function inputHashes(conn: DuckDBConnection): Promise<{ source: string; table_id: string; url: string; sha256: string; fetched_at: string }[]> {
  return (await queryFile(conn, 'report/sources_used')).map((r) => ({
    source: String(r.source),
    table_id: String(r.table_id),
    // Redacted again here: rows stored by an older version may still hold a token (sources/redact.ts).
    url: redactUrl(String(r.url)),
    sha256: String(r.sha256),
    fetched_at: String(r.fetched_at),
  }));
}

/**
 * Reports of other areas from earlier runs stay: a run that renders one kommun must not delete the riket report.
 * Files this run did not write are copied into the staging folder (so the swap stays whole) and keep the run id of
 * the run that made them. Returns name → that run id.
 */
function carryOver(yearDir: string, staging: string): Map<string, string> {
  const carried = new Map<string, string>();
  if (!existsSync(yearDir)) return carried;
  let previous = new Map<string, string>();
  try {
    const m = JSON.parse(readFileSync(join(yearDir, 'manifest.json'), 'utf8')) as { run_id: string; outputs: { name: string; run_id?: string }[] };
    previous = new Map(m.outputs.map((o) => [o.name, o.run_id ?? m.run_id]));
  } catch {
    // No readable manifest: the files are still kept, marked as from an unknown run.
  }
  for (const name of readdirSync(yearDir)) {
    if (name === 'manifest.json' || existsSync(join(staging, name))) continue;
    copyFileSync(join(yearDir, name), join(staging, name));
    carried.set(name, previous.get(name) ?? 'unknown');
  }
  return carried;
}

function writeManifest(ctx: Context, dir: string, command: string, args: string[], summary: RunSummary, inputs: unknown, carried: Map<string, string>, built: Row | undefined): void {
  const files = readdirSync(dir)
    .filter((f) => f !== 'manifest.json')
    .sort()
    .map((name) => {
      const body = readFileSync(join(dir, name));
      return { name, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), run_id: carried.get(name) ?? summary.run_id };
    });
  // What the report stage actually used, not what was configured: a report-only run over a demo warehouse writes
  // demo reports, and the intervals rest on the draws of the build that computed them.
  const used = summary.stages.find((s) => s.stage === 'report')?.rows as
    | { demo?: boolean; bootstrap_draws?: number | null; files?: { name: string; kind: string }[] }
    | null
    | undefined;
  const manifest = {
    tool: 'segfollow',
    run_id: summary.run_id,
    command,
    arguments: args,
    report_year: ctx.config.year,
    demo: used?.demo ?? ctx.config.demo,
    bootstrap_draws: used?.bootstrap_draws ?? null,
    /** The reports this run wrote (others in `outputs` were kept from earlier runs, each with its run_id). */
    reports_written: (used?.files ?? []).filter((f) => f.kind === 'report').map((f) => f.name),
    offline: ctx.config.offline,
    generated_at: ctx.now().toISOString(),
    node: process.version,
    packages: packageVersions(),
    config: { disclosureThreshold: built ? Number(built.disclosure_threshold) : ctx.config.disclosureThreshold, bootstrapDraws: ctx.config.bootstrapDraws, scbBaseUrl: redactUrl(ctx.config.scbBaseUrl), koladaBaseUrl: redactUrl(ctx.config.koladaBaseUrl), reports: ctx.config.reports },
    /** The build behind these numbers: when, by which run, with which threshold and draws. */
    build: built ? { run_id: String(built.run_id), built_at: String(built.built_at), disclosure_threshold: Number(built.disclosure_threshold), bootstrap_draws: Number(built.bootstrap_draws), demo: built.demo === true } : null,
    stages: summary.stages,
    peak_rss_mb: summary.peak_rss_mb,
    inputs,
    outputs: files,
  };
  const tmp = join(dir, 'manifest.json.tmp');
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, join(dir, 'manifest.json'));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
