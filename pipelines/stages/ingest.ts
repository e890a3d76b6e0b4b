import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { execFile, inTransaction, queryFile, query } from '../db.ts';
import { loadSources, yearsOf, type PxSource, type KoladaSource } from '../catalogue.ts';
import { classifyAreaCode } from '../areas/classify-code.ts';
import { pxData, pxMetadata, type PxSelection } from '../sources/pxweb.ts';
import { SourceError } from '../errors.ts';
import { parseJsonStat } from '../sources/jsonstat.ts';
import { koladaData, parseKoladaData } from '../sources/kolada.ts';
import type { RawResponse } from '../sources/http.ts';
import { storeRaw, readRaw } from './raw-cache.ts';

export interface IngestResult {
  fetches: number;
  observations: number;
  bytes: number;
  tables: Record<string, number>;
}

interface Obs {
  fetch_id: string;
  measure: string;
  area_code: string;
  area_version: string;
  year: number;
  breakdown: string;
  value: number | null;
  status: string | null;
}

interface Fetched {
  fetch_id: string;
  body: Buffer;
  url: string;
}

/** Variables that are not part of an observation's breakdown: they have columns of their own. */
const OWN_COLUMNS = new Set(['Region', 'Tid', 'ContentsCode']);

/**
 * Fetches every source table and KPI of data/sources.json (or, with --offline, re-reads the responses the last
 * fetch stored), stores each response body under its hash with a source_fetch row, and loads the parsed
 * numbers into `observation`. Each table is replaced in one transaction, so a failure leaves the previous
 * observations of that table in place; responses are parsed and appended one at a time, so memory holds one
 * response, not a table.
 */
export async function ingest(ctx: Context, conn: DuckDBConnection, runId: string): Promise<IngestResult> {
  const cat = loadSources(ctx.config.dataDir);
  const result: IngestResult = { fetches: 0, observations: 0, bytes: 0, tables: {} };
  const municipalities = await koladaMunicipalities(conn);
  let seq = 0;
  const total = cat.pxweb.length + cat.kolada.length;
  let done = 0;
  const jobs = [
    ...cat.pxweb.map((t) => ({ source: 'SCB' as const, id: t.id, fetchAll: () => pxTable(ctx, t), parse: (f: Fetched) => pxObservations(f, t) })),
    ...cat.kolada.map((k) => ({
      source: 'Kolada' as const,
      id: k.id,
      fetchAll: () => koladaData(ctx, ctx.config.koladaBaseUrl, [k.id], municipalities, yearsOf(k)),
      parse: (f: Fetched) => koladaObservations(f, k),
    })),
  ];
  for (const job of jobs) {
    const counts = await inTransaction(conn, async () => {
      await execFile(conn, 'staging/delete_observations', { source: job.source, table_id: job.id });
      const app = await conn.createAppender('observation');
      const c = { responses: 0, observations: 0, bytes: 0 };
      try {
        for await (const f of responses(ctx, conn, runId, job.source, job.id, job.fetchAll, () => seq++)) {
          for (const o of job.parse(f)) appendObservation(app, job.source, job.id, o);
          // Flushed per response: the appender's buffer stays small, and a bad row fails on the response it came in.
          app.flushSync();
          c.responses++;
          c.bytes += f.body.length;
        }
      } finally {
        app.closeSync();
      }
      const [row] = await query(conn, 'SELECT count(*)::INTEGER AS n FROM observation WHERE source = $s AND table_id = $t', { s: job.source, t: job.id });
      c.observations = Number(row?.n ?? 0);
      return c;
    });
    result.tables[job.id] = counts.observations;
    result.observations += counts.observations;
    result.fetches += counts.responses;
    result.bytes += counts.bytes;
    ctx.log.progress('ingest', ++done, total);
    ctx.log.info(`ingested ${job.source} ${job.id}`, counts);
  }
  return result;
}

/**
 * Fetches a table in two selections split at the DeSO/RegSO revision: years before 2024 with the old area codes,
 * later years with the `_DeSO2025`/`_RegSO2025` codes (kommun, län and riket in both). Asking for every code in
 * every year would double the cells with structural `..` — and SCB has been seen to answer such cells with 0.
 */
async function* pxTable(ctx: Context, t: PxSource): AsyncGenerator<RawResponse> {
  const meta = await pxMetadata(ctx, ctx.config.scbBaseUrl, t.id);
  const region = meta.variables.find((v) => v.code === 'Region');
  if (!region) throw new SourceError(`SCB PxWeb: table ${t.id} has no Region variable (variables: ${meta.variables.map((v) => v.code).join(', ')})`);
  const isNew = (c: string): boolean => /_(DeSO|RegSO)2025$/.test(c);
  const isOldSubArea = (c: string): boolean => !isNew(c) && /^\d{4}[ABCR]\d{3,4}$/.test(c);
  const years = yearsOf(t);
  const parts: [string[], number[]][] = [
    [region.values.filter((c) => !isNew(c)), years.filter((y) => y < DESO_REVISION_YEAR)],
    [region.values.filter((c) => !isOldSubArea(c)), years.filter((y) => y >= DESO_REVISION_YEAR)],
  ];
  for (const [codes, ys] of parts) {
    if (codes.length === 0 || ys.length === 0) continue;
    const sel: PxSelection = { Region: codes };
    for (const [code, values] of Object.entries(t.variables)) sel[code] = Object.keys(values);
    sel.Tid = ys.map(String);
    yield* pxData(ctx, ctx.config.scbBaseUrl, t.id, sel);
  }
}

/** SCB's mixed tables carry the old DeSO/RegSO codes up to 2023 and the 2025 vintage from 2024 (SOURCES.md §2.1). */
const DESO_REVISION_YEAR = 2024;

/** Kolada ids for every kommun, region and riket in the warehouse's area table. */
async function koladaMunicipalities(conn: DuckDBConnection): Promise<string[]> {
  const rows = await query(conn, "SELECT code, level FROM area WHERE level IN ('riket', 'lan', 'kommun') ORDER BY code");
  return rows.map((r) => (r.level === 'riket' ? '0000' : r.level === 'lan' ? `00${String(r.code)}` : String(r.code)));
}

/**
 * Yields the responses of one table: fetched (each stored under its hash with a source_fetch row before anything
 * parses it) or, with --offline, re-read from the cache as the latest fetch of the table left them.
 */
async function* responses(
  ctx: Context,
  conn: DuckDBConnection,
  runId: string,
  source: 'SCB' | 'Kolada',
  tableId: string,
  fetchAll: () => AsyncGenerator<RawResponse>,
  nextSeq: () => number,
): AsyncGenerator<Fetched> {
  if (ctx.config.offline) {
    const rows = await queryFile(conn, 'staging/latest_fetches', { table_id: tableId });
    if (rows.length === 0) ctx.log.warn('W104_OFFLINE_CACHE', `no cached response for ${source} ${tableId}; it stays empty`, { table: tableId });
    for (const r of rows) yield { fetch_id: String(r.fetch_id), url: String(r.url), body: readRaw(ctx.config.rawDir, String(r.sha256)) };
    return;
  }
  for await (const raw of fetchAll()) {
    const hash = storeRaw(ctx.config.rawDir, raw.body);
    const fetchId = `${runId}-${String(nextSeq()).padStart(5, '0')}`;
    await execFile(conn, 'staging/insert_fetch', {
      fetch_id: fetchId,
      run_id: runId,
      source,
      table_id: tableId,
      method: raw.method,
      request: raw.requestBody,
      url: raw.url,
      http_status: raw.status,
      fetched_at: raw.fetchedAt.toISOString(),
      sha256: hash,
      bytes: raw.body.length,
    });
    yield { fetch_id: fetchId, url: raw.url, body: raw.body };
  }
}

function appendObservation(app: DuckDBAppender, source: string, tableId: string, o: Obs): void {
  app.appendVarchar(o.fetch_id);
  app.appendVarchar(source);
  app.appendVarchar(tableId);
  app.appendVarchar(o.measure);
  app.appendVarchar(o.area_code);
  app.appendVarchar(o.area_version);
  app.appendInteger(o.year);
  app.appendVarchar(o.breakdown);
  if (o.value === null) app.appendNull();
  else app.appendDouble(o.value);
  if (o.status === null) app.appendNull();
  else app.appendVarchar(o.status);
  app.endRow();
}

function pxObservations(f: Fetched, table: PxSource): Obs[] {
  const out: Obs[] = [];
  for (const cell of parseJsonStat(f.body, { tableId: table.id, url: f.url })) {
    const area = classifyAreaCode(cell.codes.Region ?? '', 'SCB');
    if (!area) continue;
    const breakdown = Object.keys(cell.codes)
      .filter((k) => !OWN_COLUMNS.has(k))
      .sort()
      .map((k) => `${k}=${cell.codes[k]}`)
      .join(';');
    out.push({
      fetch_id: f.fetch_id,
      measure: cell.codes.ContentsCode ?? '',
      area_code: area.code,
      area_version: area.version,
      year: Number(cell.codes.Tid),
      breakdown,
      value: cell.value,
      status: cell.status,
    });
  }
  return out;
}

function koladaObservations(f: Fetched, kpi: KoladaSource): Obs[] {
  const out: Obs[] = [];
  for (const cell of parseKoladaData(f.body, { kpis: kpi.id, url: f.url })) {
    const area = classifyAreaCode(cell.municipality, 'Kolada');
    if (!area) continue;
    out.push({
      fetch_id: f.fetch_id,
      measure: cell.kpi,
      area_code: area.code,
      area_version: area.version,
      year: cell.period,
      breakdown: `gender=${cell.gender}`,
      value: cell.value,
      status: cell.status,
    });
  }
  return out;
}
