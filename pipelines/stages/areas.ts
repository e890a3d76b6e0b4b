import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { exec, execFile, inTransaction, queryFile } from '../db.ts';
import { loadOfficialAreas } from '../areas/load-official-areas.ts';
import { CSV_KEY_FILES, XLSX_KEY_FILES, findDatedKeyFile, type AreaKeys, type DesoRegsoRecord, type KeyFile } from '../areas/area-keys.ts';
import { readAreaKeysCsv } from '../areas/read-area-keys-csv.ts';
import { readAreaKeysXlsx } from '../areas/read-area-keys-xlsx.ts';
import { httpRequest, type RawResponse } from '../sources/http.ts';
import { redactUrl } from '../sources/redact.ts';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SourceError } from '../errors.ts';
import { storeRaw, readRaw, sha256 } from './raw-cache.ts';

export interface AreasResult {
  areas: number;
  crosswalk: number;
  /** Key files downloaded (a body received and recorded) by this run. */
  fetched: string[];
  /** Key files the server answered 304 Not Modified: read from the cache, the last good fetch still the one cited. */
  unchanged: string[];
}

/**
 * Builds the area register: riket, the 21 län and 290 kommuner from the project's official lists, DeSO and
 * RegSO (both vintages) from the DeSO→RegSO key, and the DeSO 2018→2025 crosswalk. The keys come over HTTP
 * like every other source, or from the cache with --offline. A fetched key is stored under its hash with a
 * source_fetch row only once every key parsed and passed the checks, in the transaction that replaces the
 * register: a key that does not parse (an HTML page, a cut-off file) is never cited, and the last good fetch stays
 * the one --offline reads. A key fetched before is asked for again with the validators its fetch recorded
 * (If-None-Match / If-Modified-Since; none with --refresh): on 304 Not Modified the cached body is used and nothing
 * new is recorded, so a run on unchanged keys downloads nothing.
 */
export async function buildAreas(ctx: Context, conn: DuckDBConnection, runId: string): Promise<AreasResult> {
  const official = loadOfficialAreas(ctx.config.dataDir);
  const { keys, source, fetched: got } = await loadAreaKeys(ctx, conn, new Set(official.kommuner.map((k) => k.code)));
  const fetched = got.filter((k) => !k.unchanged);
  const unchanged = got.filter((k) => k.unchanged).map((k) => k.name);

  const areaRows: (string | null)[][] = [['00', 'riket', 'riket', 'Riket', null, null, null]];
  for (const l of official.lan) areaRows.push([l.code, 'lan', 'lan1998', l.name, null, l.code, null]);
  for (const k of official.kommuner) areaRows.push([k.code, 'kommun', 'kommun2003', k.name, k.code, k.lan_code, null]);
  const kommunNames = new Map(official.kommuner.map((k) => [k.code, k.name]));

  for (const [i, r] of keys.regso.entries()) {
    const where = source.where(i, r);
    if (!kommunNames.has(r.kommun_code)) throw new SourceError(`${where}: unknown kommun code "${r.kommun_code}"`);
    if (r.deso_code.slice(0, 4) !== r.kommun_code || r.regso_code.slice(0, 4) !== r.kommun_code) {
      throw new SourceError(`${where}: DeSO ${r.deso_code} / RegSO ${r.regso_code} do not lie in kommun ${r.kommun_code}`);
    }
    const lan = r.kommun_code.slice(0, 2);
    areaRows.push([r.deso_code, 'deso', r.deso_version, r.deso_code, r.kommun_code, lan, r.regso_code]);
    areaRows.push([r.regso_code, 'regso', r.regso_version, r.regso_name, r.kommun_code, lan, r.regso_code]);
  }
  const cw = keys.crosswalk;

  await inTransaction(conn, async () => {
    for (const f of fetched) await recordFetch(ctx, conn, runId, f);
    await exec(conn, 'CREATE OR REPLACE TEMP TABLE area_stage AS SELECT * FROM area LIMIT 0; CREATE OR REPLACE TEMP TABLE crosswalk_stage AS SELECT * FROM area_crosswalk LIMIT 0;');
    const a = await conn.createAppender('area_stage', 'main', 'temp');
    for (const row of areaRows) {
      for (const v of row) {
        if (v === null) a.appendNull();
        else a.appendVarchar(v);
      }
      a.endRow();
    }
    a.closeSync();
    const c = await conn.createAppender('crosswalk_stage', 'main', 'temp');
    for (const r of cw) {
      for (const v of [r.from_code, r.from_version, r.to_code, r.to_version]) c.appendVarchar(v);
      c.appendDouble(r.weight);
      c.endRow();
    }
    c.closeSync();
    await execFile(conn, 'staging/replace_areas');
  });
  if (source.route === 'xlsx') {
    const fromCodes = new Map<string, number>();
    for (const r of cw) fromCodes.set(r.from_code, (fromCodes.get(r.from_code) ?? 0) + 1);
    const split = [...fromCodes.values()].filter((n) => n > 1).length;
    ctx.log.warn('W203_AREA_VERSION_BREAK', `DeSO 2018 → 2025 crosswalk from SCB's change log: ${split} DeSO 2018 areas divided in equal parts (SCB's log gives no population shares; README "Area keys")`, { split, from: fromCodes.size });
  }
  if (unchanged.length > 0) {
    const all = fetched.length === 0;
    ctx.log.info(
      `areas: ${unchanged.join(', ')} unchanged since the last fetch (304 Not Modified); the cached copy used${all ? ', no key downloaded' : `; downloaded ${fetched.map((k) => k.name).join(', ')}`} (--refresh downloads them)`,
      { id: 'I110_AREA_KEYS_UNCHANGED', unchanged, fetched: fetched.map((k) => k.name) },
    );
  }
  ctx.log.info('area register built', { areas: areaRows.length, crosswalk: cw.length, keys: source.files });
  return { areas: areaRows.length, crosswalk: cw.length, fetched: fetched.map((k) => k.name), unchanged };
}

interface KeySource {
  route: 'csv' | 'xlsx';
  /** Names DeSO→RegSO row i in errors: its file and row (CSV) or its file and DeSO code (XLSX). */
  where(i: number, r: DesoRegsoRecord): string;
  files: string[];
}

function csvSource(regso: string, files: string[]): KeySource {
  return { route: 'csv', where: (i) => `${regso} row ${i + 2}`, files };
}

function xlsxSource(regso2018: string, regso2025: string, files: string[]): KeySource {
  return { route: 'xlsx', where: (_, r) => `${r.deso_version === 'DeSO2025' ? regso2025 : regso2018} (DeSO ${r.deso_code})`, files };
}

/**
 * The discovery rule of README "Area keys": in SEGFOLLOW_AREA_KEYS_URL, `deso-regso.csv` (with
 * `deso-crosswalk.csv`) if it is there; otherwise SCB's three XLSX files (XLSX_KEY_FILES, and in a local folder
 * also SCB's dated names). Offline, the route whose key was fetched last. `fetched` are the files to record (none
 * offline), for the caller to record after the keys parsed and passed its checks.
 */
async function loadAreaKeys(ctx: Context, conn: DuckDBConnection, kommuner: ReadonlySet<string>): Promise<{ keys: AreaKeys; source: KeySource; fetched: FetchedKey[] }> {
  if (ctx.config.offline) return { ...(await loadCachedKeys(ctx, conn, kommuner)), fetched: [] };
  const csv = await fetchKey(ctx, conn, CSV_KEY_FILES.regso);
  if (csv) {
    const crosswalk = await fetchKey(ctx, conn, CSV_KEY_FILES.crosswalk);
    if (!crosswalk) throw new SourceError(`area keys: ${csv.url} is there but ${keyUrl(ctx, CSV_KEY_FILES.crosswalk)} is not; the CSV layout needs both (README "Area keys")`);
    return { keys: readAreaKeysCsv(csv, crosswalk), source: csvSource(csv.name, [csv.url, crosswalk.url]), fetched: [csv, crosswalk] };
  }
  const regso2018 = await fetchKey(ctx, conn, XLSX_KEY_FILES.regso2018);
  const regso2025 = await fetchKey(ctx, conn, XLSX_KEY_FILES.regso2025);
  const changes = await fetchKey(ctx, conn, XLSX_KEY_FILES.changes);
  if (!regso2018 && !regso2025 && !changes) {
    throw new SourceError(
      `no area keys at ${ctx.config.areaKeysUrl}: expected ${CSV_KEY_FILES.regso} and ${CSV_KEY_FILES.crosswalk} (the project's CSV layout) or SCB's ` +
        `${XLSX_KEY_FILES.regso2018}, ${XLSX_KEY_FILES.regso2025} and ${XLSX_KEY_FILES.changes} (a local folder may hold them under SCB's dated names); see README "Area keys"`,
    );
  }
  if (!regso2018 || !regso2025 || !changes) {
    const missing = Object.values(XLSX_KEY_FILES).filter((_, i) => ![regso2018, regso2025, changes][i]);
    throw new SourceError(`area keys at ${ctx.config.areaKeysUrl}: SCB's XLSX route needs all three files; missing ${missing.join(', ')} (see README "Area keys")`);
  }
  const keys = await readAreaKeysXlsx({ regso2018: named(regso2018), regso2025: named(regso2025), changes: named(changes) }, kommuner);
  return { keys, source: xlsxSource(regso2018.file, regso2025.file, [regso2018.url, regso2025.url, changes.url]), fetched: [regso2018, regso2025, changes] };
}

/** A fetched key: `name` is the table id it is recorded under (the canonical name), `file` what was read. */
interface FetchedKey extends KeyFile {
  url: string;
  file: string;
  raw: RawResponse;
  /** The server said 304 Not Modified: `body` is the cached copy of the last recorded fetch, not to be recorded again. */
  unchanged: boolean;
}

/** Errors name the file as found (SCB's dated name, if that is what the folder holds). */
function named(k: FetchedKey): KeyFile {
  return { name: k.file, body: k.body };
}

function keyUrl(ctx: Context, file: string): string {
  return `${ctx.config.areaKeysUrl}/${file}`;
}

/**
 * One key file, or undefined when the folder does not have it (404 over HTTP, no such file locally). Over HTTP a key
 * whose last fetch from the same URL recorded validators, and whose body is still in the cache, is asked for
 * conditionally; a 304 gives back the cached body, marked `unchanged`.
 */
async function fetchKey(ctx: Context, conn: DuckDBConnection, name: string): Promise<FetchedKey | undefined> {
  const base = ctx.config.areaKeysUrl;
  if (base.startsWith('file:')) {
    const dir = fileURLToPath(base);
    let file: string | undefined = name;
    if (!existsSync(join(dir, name)) && name.endsWith('.xlsx')) file = existsSync(dir) ? findDatedKeyFile(readdirSync(dir), name) : undefined;
    if (file === undefined || !existsSync(join(dir, file))) return undefined;
    const url = pathToFileURL(join(dir, file)).href;
    const body = readFileSync(join(dir, file));
    const raw: RawResponse = { url, method: 'GET', requestBody: null, status: 200, contentType: contentTypeOf(file), body, fetchedAt: ctx.now() };
    return { name, file, url, body, raw, unchanged: false };
  }
  const url = keyUrl(ctx, name);
  const cached = ctx.config.refresh ? undefined : await cachedKey(ctx, conn, name, url);
  const headers: Record<string, string> = {};
  if (cached?.etag) headers['If-None-Match'] = cached.etag;
  if (cached?.lastModified) headers['If-Modified-Since'] = cached.lastModified;
  const raw = await httpRequest(ctx, { url, method: 'GET', headers }, { source: 'SCB area keys', tableId: name, expectJson: false, passStatuses: [404, 304] });
  if (raw.status === 404) return undefined;
  if (raw.status === 304) {
    if (!cached) throw new SourceError(`SCB area keys: ${redactUrl(url)} answered 304 Not Modified to a request that was not conditional`);
    return { name, file: name, url, body: cached.body, raw, unchanged: true };
  }
  return { name, file: name, url, body: raw.body, raw, unchanged: false };
}

/**
 * The last recorded fetch of key `name` from this very URL (in the demo: path), with the validators it came with and its body from the
 * cache; undefined when there is none, it has no validators, or its body is gone from data/raw (then the key is
 * downloaded whole, as the ingest re-fetches a table whose responses are gone).
 */
async function cachedKey(ctx: Context, conn: DuckDBConnection, name: string, url: string): Promise<{ body: Buffer; etag: string | null; lastModified: string | null } | undefined> {
  const [row] = (await queryFile(conn, 'staging/latest_fetches', { table_id: name })).slice(-1);
  // Validators belong to one resource: the same URL. The demo's emulator listens on a new port every run, so there
  // the path decides (as the ingest's release check takes every demo origin as one, 'demo').
  const where = (u: string): string => (ctx.config.demo ? new URL(u).pathname : redactUrl(u));
  if (!row || where(String(row.url)) !== where(url)) return undefined;
  const etag = row.etag === null || row.etag === undefined ? null : String(row.etag);
  const lastModified = row.last_modified === null || row.last_modified === undefined ? null : String(row.last_modified);
  if (etag === null && lastModified === null) return undefined;
  const hash = String(row.sha256);
  if (!existsSync(join(ctx.config.rawDir, `${hash}.raw`))) return undefined;
  try {
    return { body: readRaw(ctx.config.rawDir, hash), etag, lastModified };
  } catch {
    // A corrupt cached copy (hash mismatch): download the key whole instead of trusting it.
    return undefined;
  }
}

function contentTypeOf(file: string): string {
  return file.endsWith('.xlsx') ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
}

/** Stores a key under its hash and writes its source_fetch row: called inside the register's transaction. */
async function recordFetch(ctx: Context, conn: DuckDBConnection, runId: string, key: FetchedKey): Promise<void> {
  storeRaw(ctx.config.rawDir, key.body);
  await execFile(conn, 'staging/insert_fetch', {
    fetch_id: `${runId}-key-${key.name}`,
    run_id: runId,
    source: 'SCB',
    table_id: key.name,
    method: 'GET',
    request: null,
    url: redactUrl(key.url),
    http_status: key.raw.status,
    fetched_at: key.raw.fetchedAt.toISOString(),
    sha256: sha256(key.body),
    bytes: key.body.length,
  });
  if (key.raw.etag !== undefined || key.raw.lastModified !== undefined) {
    await execFile(conn, 'staging/set_fetch_validators', { fetch_id: `${runId}-key-${key.name}`, etag: key.raw.etag ?? null, last_modified: key.raw.lastModified ?? null });
  }
}

async function loadCachedKeys(ctx: Context, conn: DuckDBConnection, kommuner: ReadonlySet<string>): Promise<{ keys: AreaKeys; source: KeySource }> {
  const latest = async (name: string): Promise<{ body: Buffer; url: string; fetchedAt: string } | undefined> => {
    const [row] = await queryFile(conn, 'staging/latest_fetches', { table_id: name });
    return row ? { body: readRaw(ctx.config.rawDir, String(row.sha256)), url: String(row.url), fetchedAt: String(row.fetched_at) } : undefined;
  };
  const csv = await latest(CSV_KEY_FILES.regso);
  const xlsx = await latest(XLSX_KEY_FILES.regso2018);
  if (!csv && !xlsx) throw new SourceError(`offline: no cached copy of the area keys (${CSV_KEY_FILES.regso} or ${XLSX_KEY_FILES.regso2018}); run once online first`);
  const need = async (name: string): Promise<KeyFile & { url: string }> => {
    const k = await latest(name);
    if (!k) throw new SourceError(`offline: no cached copy of the area key ${name}; run once online first`);
    return { name: fileNameOf(k.url, name), body: k.body, url: k.url };
  };
  if (csv && (!xlsx || csv.fetchedAt >= xlsx.fetchedAt)) {
    const regso = { name: CSV_KEY_FILES.regso, body: csv.body };
    const crosswalk = await need(CSV_KEY_FILES.crosswalk);
    return { keys: readAreaKeysCsv(regso, crosswalk), source: csvSource(regso.name, [csv.url, crosswalk.url]) };
  }
  const regso2018 = await need(XLSX_KEY_FILES.regso2018);
  const regso2025 = await need(XLSX_KEY_FILES.regso2025);
  const changes = await need(XLSX_KEY_FILES.changes);
  const keys = await readAreaKeysXlsx({ regso2018, regso2025, changes }, kommuner);
  return { keys, source: xlsxSource(regso2018.name, regso2025.name, [regso2018.url, regso2025.url, changes.url]) };
}

/** The file name at the end of a recorded URL (SCB's dated name), for errors; the table id if there is none. */
function fileNameOf(url: string, fallback: string): string {
  const last = url.split('/').at(-1);
  return last ? decodeURIComponent(last) : fallback;
}
