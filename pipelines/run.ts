import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Context } from './context.ts';
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFile, queryFile, withConnection } from './db.ts';
import { LockError } from './errors.ts';
import { buildAreas } from './stages/areas.ts';
import { ingest } from './stages/ingest.ts';
import { build } from './stages/build.ts';
import { report } from './stages/report.ts';
import { packageVersions } from './versions.ts';
import { redactUrl } from './sources/redact.ts';

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
}

/**
 * Runs stages in order under the warehouse lock, recording each in `run`/`stage_run`. The report stage writes
 * into a staging folder that replaces output/<year>/ whole only after every stage has succeeded, together with
 * manifest.json; a failed or killed run leaves the previous output and the warehouse's committed tables intact.
 */
export async function runStages(ctx: Context, command: string, stages: StageName[], args: string[]): Promise<RunSummary> {
  const { config } = ctx;
  mkdirSync(dirname(config.warehouse), { recursive: true });
  const release = acquireLock(`${config.warehouse}.lock`);
  const runId = `${ctx.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const records: StageRecord[] = [];
  const yearDir = join(config.outDir, String(config.year));
  const staging = join(config.outDir, `.${config.year}.staging-${runId}`);
  let peak = process.memoryUsage().rss;
  let stagePeak = peak;
  const sample = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    stagePeak = Math.max(stagePeak, rss);
  }, 50);
  try {
    recoverInterruptedPublish(yearDir);
    await withConnection(config.warehouse, async (conn) => {
      await execFile(conn, 'staging/schema');
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

    for (const stage of stages) {
      const started = ctx.now();
      const t0 = performance.now();
      stagePeak = process.memoryUsage().rss;
      ctx.log.info(`stage ${stage} started`, { run: runId });
      let rows: unknown;
      let failure: unknown;
      try {
        rows = await withConnection(config.warehouse, async (conn) => {
          switch (stage) {
            case 'areas': return buildAreas(ctx, conn, runId);
            case 'ingest': return ingest(ctx, conn, runId);
            case 'build': return build(ctx, conn);
            case 'report': return report(ctx, conn, staging);
          }
        });
      } catch (e) {
        failure = e;
      }
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
    }

    clearInterval(sample);
    const summary: RunSummary = { run_id: runId, outcome: 'ok', stages: records, outDir: stages.includes('report') ? yearDir : null, peak_rss_mb: Math.round(peak / 2 ** 20) };
    if (stages.includes('report')) {
      const inputs = await withConnection(config.warehouse, (conn) => inputHashes(conn));
      const carried = carryOver(yearDir, staging);
      writeManifest(ctx, staging, command, args, summary, inputs, carried);
      publish(staging, yearDir);
    }
    await endRun(config.warehouse, runId, ctx, 'ok');
    return summary;
  } catch (e) {
    await endRun(config.warehouse, runId, ctx, 'failed').catch(() => undefined);
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    clearInterval(sample);
    release();
  }
}

async function endRun(warehouse: string, runId: string, ctx: Context, outcome: 'ok' | 'failed'): Promise<void> {
  await withConnection(warehouse, (conn) => execFile(conn, 'staging/run_end', { run_id: runId, finished_at: ctx.now().toISOString(), outcome }));
}

/** O_EXCL lock file holding our pid; a lock whose process is gone is stale and taken over. */
function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new LockError(`another run (pid ${pid}) holds the lock ${file}; wait for it or remove the file if that process is gone`);
      }
      unlinkSync(file);
    }
  }
  throw new LockError(`could not take the lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Swaps the staging folder into place: old → .old, staging → year, delete .old. If a run dies between the two
 * renames, the next run finds .old without the year folder and puts it back (recoverInterruptedPublish).
 */
function publish(staging: string, yearDir: string): void {
  const old = `${yearDir}.old`;
  if (existsSync(old)) rmSync(old, { recursive: true, force: true });
  if (existsSync(yearDir)) renameSync(yearDir, old);
  renameSync(staging, yearDir);
  rmSync(old, { recursive: true, force: true });
}

function recoverInterruptedPublish(yearDir: string): void {
  const old = `${yearDir}.old`;
  if (existsSync(old) && !existsSync(yearDir)) renameSync(old, yearDir);
  const parent = dirname(yearDir);
  if (existsSync(parent)) {
    for (const f of readdirSync(parent)) if (f.includes('.staging-')) rmSync(join(parent, f), { recursive: true, force: true });
  }
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

function writeManifest(ctx: Context, dir: string, command: string, args: string[], summary: RunSummary, inputs: unknown, carried: Map<string, string>): void {
  const files = readdirSync(dir)
    .filter((f) => f !== 'manifest.json')
    .sort()
    .map((name) => {
      const body = readFileSync(join(dir, name));
      return { name, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), run_id: carried.get(name) ?? summary.run_id };
    });
  const manifest = {
    tool: 'segfollow',
    run_id: summary.run_id,
    command,
    arguments: args,
    report_year: ctx.config.year,
    demo: ctx.config.demo,
    offline: ctx.config.offline,
    generated_at: ctx.now().toISOString(),
    node: process.version,
    packages: packageVersions(),
    config: { disclosureThreshold: ctx.config.disclosureThreshold, bootstrapDraws: ctx.config.bootstrapDraws, scbBaseUrl: redactUrl(ctx.config.scbBaseUrl), koladaBaseUrl: redactUrl(ctx.config.koladaBaseUrl), reports: ctx.config.reports },
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
