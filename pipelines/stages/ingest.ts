import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { execFile, inTransaction, queryFile, query } from '../db.ts';
import { loadSources, yearsOf, type PxSource, type KoladaSource } from '../catalogue.ts';
import { classifyAreaCode } from '../areas/classify-code.ts';
import { pxData, pxMetadata, type PxSelection } from '../sources/pxweb.ts';
import { SourceError } from '../errors.ts';
import { parseJsonStat } from '../sources/jsonstat.ts';
import { koladaData, parseKoladaData } from '../sources/kolada.ts';
import type { RawResponse } from '../sources/http.ts';
import { storeRaw, readRaw, sha256 } from './raw-cache.ts';

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
 * observations of that table in place.
 */
export async function ingest(ctx: Context, conn: DuckDBConnection, runId: string): Promise<IngestResult> {
  const cat = loadSources(ctx.config.dataDir);
  const result: IngestResult = { fetches: 0, observations: 0, bytes: 0, tables: {} };
  const municipalities = await koladaMunicipalities(conn);
  let seq = 0;
  const total = cat.pxweb.length + cat.kolada.length;
  let done = 0;

  for (const table of cat.pxweb) {
    const fetched = await fetchOrReplay(ctx, conn, runId, 'SCB', table.id, () => pxTable(ctx, table), () => seq++);
    const obs: Obs[] = [];
    for (const f of fetched) for (const o of pxObservations(f, table)) obs.push(o);
    await load(conn, 'SCB', table.id, fetched, obs, runId);
    result.tables[table.id] = obs.length;
    result.observations += obs.length;
    result.fetches += fetched.length;
    result.bytes += fetched.reduce((s, f) => s + f.body.length, 0);
    ctx.log.progress('ingest', ++done, total);
    ctx.log.info(`ingested SCB ${table.id}`, { responses: fetched.length, observations: obs.length });
  }
  for (const kpi of cat.kolada) {
    const fetched = await fetchOrReplay(ctx, conn, runId, 'Kolada', kpi.id, () => koladaData(ctx, ctx.config.koladaBaseUrl, [kpi.id], municipalities, yearsOf(kpi)), () => seq++);
    const obs: Obs[] = [];
    for (const f of fetched) for (const o of koladaObservations(f, kpi)) obs.push(o);
    await load(conn, 'Kolada', kpi.id, fetched, obs, runId);
    result.tables[kpi.id] = obs.length;
    result.observations += obs.length;
    result.fetches += fetched.length;
    result.bytes += fetched.reduce((s, f) => s + f.body.length, 0);
    ctx.log.progress('ingest', ++done, total);
    ctx.log.info(`ingested Kolada ${kpi.id}`, { responses: fetched.length, observations: obs.length });
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

async function fetchOrReplay(
  ctx: Context,
  conn: DuckDBConnection,
  runId: string,
  source: 'SCB' | 'Kolada',
  tableId: string,
  fetchAll: () => AsyncGenerator<RawResponse>,
  nextSeq: () => number,
): Promise<(Fetched & { raw?: RawResponse })[]> {
  if (ctx.config.offline) {
    const rows = await queryFile(conn, 'staging/latest_fetches', { table_id: tableId });
    if (rows.length === 0) ctx.log.warn('W104_OFFLINE_CACHE', `no cached response for ${source} ${tableId}; it stays empty`, { table: tableId });
    return rows.map((r) => ({ fetch_id: String(r.fetch_id), url: String(r.url), body: readRaw(ctx.config.rawDir, String(r.sha256)) }));
  }
  const out: (Fetched & { raw: RawResponse })[] = [];
  for await (const raw of fetchAll()) {
    storeRaw(ctx.config.rawDir, raw.body);
    out.push({ fetch_id: `${runId}-${String(nextSeq()).padStart(5, '0')}`, url: raw.url, body: raw.body, raw });
  }
  return out;
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

async function load(conn: DuckDBConnection, source: string, tableId: string, fetched: (Fetched & { raw?: RawResponse })[], obs: Obs[], runId: string): Promise<void> {
  await inTransaction(conn, async () => {
    for (const f of fetched) {
      if (!f.raw) continue; // replayed from cache: its source_fetch row already exists
      await execFile(conn, 'staging/insert_fetch', {
        fetch_id: f.fetch_id,
        run_id: runId,
        source,
        table_id: tableId,
        method: f.raw.method,
        request: f.raw.requestBody,
        url: f.raw.url,
        http_status: f.raw.status,
        fetched_at: f.raw.fetchedAt.toISOString(),
        sha256: sha256(f.body),
        bytes: f.body.length,
      });
    }
    await execFile(conn, 'staging/delete_observations', { source, table_id: tableId });
    const app = await conn.createAppender('observation');
    for (const o of obs) {
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
    app.closeSync();
  });
}

