import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { queryFile, type Row } from './db.ts';
import { LockError, UsageError } from './errors.ts';
import type { TextSink } from './log.ts';

export interface StageHistory {
  stage: string;
  outcome: string;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  message: string | null;
}

export interface RunHistory {
  run_id: string;
  command: string;
  arguments: string[];
  report_year: number | null;
  outcome: string;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  stages: StageHistory[];
  /** Responses stored in source_fetch by this run, per source (e.g. { Kolada: 12, SCB: 30 }). */
  fetches: Record<string, number>;
  /** Tables and KPIs the ingest did not fetch because their release had not changed (null: no ingest, or older runs). */
  unchanged: number | null;
  /** Area key files the server answered 304 Not Modified, so not downloaded (null: no areas stage, or older runs). */
  keys_unchanged: number | null;
  /** Files the run's report stage wrote and published into output/<year>/ (empty when it wrote none). */
  reports: string[];
}

export interface History {
  warehouse: string;
  runs: RunHistory[];
}

export const DEFAULT_HISTORY_LIMIT = 20;

/**
 * The latest `limit` runs from the warehouse, newest first, for `segfollow status --history`. The warehouse is
 * opened read-only: status never creates a warehouse or its tables, and never waits for a run.
 * - no file at the path, its folder exists: no runs yet (runs: []);
 * - the folder does not exist, or the path is a folder or not a DuckDB file: UsageError (exit 2);
 * - a run holds the file open for writing: LockError (exit 3), at once.
 */
export async function readHistory(warehouse: string, limit: number): Promise<History> {
  if (!existsSync(warehouse)) {
    const parent = dirname(warehouse);
    if (!existsSync(parent) || !statSync(parent).isDirectory()) {
      throw new UsageError(`--warehouse ${warehouse}: the folder ${parent} does not exist`);
    }
    return { warehouse, runs: [] };
  }
  if (!statSync(warehouse).isFile()) throw new UsageError(`--warehouse ${warehouse}: not a file`);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(warehouse, { access_mode: 'READ_ONLY' });
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) throw new LockError(`the warehouse ${warehouse} is open in a running segfollow; try status --history again when it ends (${msg})`, { cause: e });
    throw new UsageError(`--warehouse ${warehouse}: cannot open it read-only as a DuckDB warehouse (${msg})`, { cause: e });
  }
  try {
    const conn = await instance.connect();
    try {
      return { warehouse, runs: await historyOf(conn, limit) };
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The runs of an open warehouse (exported for tests over an in-memory one). */
export async function historyOf(conn: DuckDBConnection, limit: number): Promise<RunHistory[]> {
  const [present] = await queryFile(conn, 'report/run_tables');
  if (Number(present?.tables) < 3) return [];
  const rows = await queryFile(conn, 'report/run_history', { limit });
  const fetchRows = await queryFile(conn, 'report/run_history_fetches', { limit });
  const runs = new Map<string, RunHistory>();
  for (const r of rows) {
    const id = String(r.run_id);
    let run = runs.get(id);
    if (!run) {
      run = {
        run_id: id,
        command: String(r.command),
        arguments: parseArgs(r.args),
        report_year: r.report_year === null ? null : Number(r.report_year),
        outcome: String(r.outcome),
        started_at: String(r.started_at),
        finished_at: str(r.finished_at),
        seconds: num(r.seconds),
        stages: [],
        fetches: {},
        unchanged: null,
        keys_unchanged: null,
        reports: [],
      };
      runs.set(id, run);
    }
    if (r.stage !== null && r.stage !== undefined) {
      run.stages.push({
        stage: String(r.stage),
        outcome: String(r.stage_outcome),
        started_at: String(r.stage_started_at),
        finished_at: str(r.stage_finished_at),
        seconds: num(r.stage_seconds),
        message: str(r.stage_message),
      });
    }
    if (r.files !== null && r.files !== undefined) run.reports.push(...parseNames(r.files));
    if (r.unchanged !== null && r.unchanged !== undefined) run.unchanged = Number(r.unchanged);
    if (r.keys_unchanged !== null && r.keys_unchanged !== undefined) run.keys_unchanged = Number(r.keys_unchanged);
  }
  for (const f of fetchRows) {
    const run = runs.get(String(f.run_id));
    if (run) run.fetches[String(f.source)] = Number(f.fetches);
  }
  return [...runs.values()];
}

/** The history as text: one block per run, newest first. */
export function formatHistory(h: History): string {
  if (h.runs.length === 0) return `no runs yet (warehouse ${h.warehouse}${existsSync(h.warehouse) ? '' : ' does not exist'})\n`;
  const blocks = h.runs.map((r) => {
    const outcome = r.outcome === 'running' ? 'running (or interrupted)' : r.outcome;
    const args = r.arguments.length ? ` ${r.arguments.join(' ')}` : '';
    const fetched = Object.entries(r.fetches).map(([s, n]) => `${s} ${n}`).join(', ');
    return [
      `run ${r.run_id}: ${r.command}${args}${r.report_year === null ? '' : ` (report year ${r.report_year})`} — ${outcome}`,
      `  started ${r.started_at}, ${r.finished_at ? `finished ${r.finished_at} (${fmtSeconds(r.seconds)})` : 'not finished'}`,
      ...r.stages.map((s) => `  ${s.stage.padEnd(8)} ${s.outcome.padEnd(6)} ${fmtSeconds(s.seconds).padStart(10)}${s.message ? `  ${s.message.split('\n')[0] ?? ''}` : ''}`),
      `  fetched: ${fetched || 'nothing'}${r.unchanged ? `; ${r.unchanged} tables and KPIs unchanged, not fetched` : ''}${r.keys_unchanged ? `; ${r.keys_unchanged} area key files unchanged (304), not downloaded` : ''}`,
      `  reports: ${r.reports.length ? r.reports.join(', ') : 'none'}`,
    ].join('\n');
  });
  return blocks.join('\n\n') + '\n';
}

export async function statusHistory(warehouse: string, opts: { limit: number; json: boolean }, stdout: TextSink): Promise<number> {
  const h = await readHistory(warehouse, opts.limit);
  stdout.write(opts.json ? JSON.stringify(h) + '\n' : formatHistory(h));
  return 0;
}

/** `--limit N`: a whole number of runs, at least 1. */
export function parseLimit(v: string | undefined): number {
  if (v === undefined) return DEFAULT_HISTORY_LIMIT;
  if (!/^[1-9]\d{0,5}$/.test(v)) throw new UsageError(`--limit ${v}: expected a whole number of runs, 1 or more`);
  return Number(v);
}

function fmtSeconds(s: number | null): string {
  return s === null ? '–' : `${s.toFixed(2)} s`;
}

function str(v: Row[string] | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}

function num(v: Row[string] | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function parseNames(v: Row[string]): string[] {
  const parsed: unknown = JSON.parse(String(v));
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

/** run.args holds the command line after the command as JSON text; older or foreign rows may hold anything. */
function parseArgs(v: Row[string] | undefined): string[] {
  try {
    const parsed: unknown = JSON.parse(String(v));
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // not JSON: shown as it is
  }
  return v === null || v === undefined || v === '' ? [] : [String(v)];
}
