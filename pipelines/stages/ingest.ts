import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { execFile, inTransaction, queryFile, query } from '../db.ts';
import { loadSources, OWN_COLUMNS, yearsOf, type PxSource, type KoladaSource } from '../catalogue.ts';
import { classifyAreaCode } from '../areas/classify-code.ts';
import { AREA_REVISION_YEAR } from '../areas/levels.ts';
import { pxData, pxMetadata, type PxSelection } from '../sources/pxweb.ts';
import { checkCatalogue } from '../sources/check-catalogue.ts';
import { parseTableMetadata, type TableMetadata } from '../sources/table-metadata.ts';
import { SourceError } from '../errors.ts';
import { advance, readJsonStat } from '../sources/jsonstat.ts';
import { koladaData, parseKoladaData } from '../sources/kolada.ts';
import type { RawResponse } from '../sources/http.ts';
import { storeRaw, readRaw, sha256, removeStrayTemp } from './raw-cache.ts';
import { observationChunks, type ObservationBatch } from './observation-batch.ts';
import { scbReleases, koladaReleases } from '../sources/release.ts';
import { redactUrl } from '../sources/redact.ts';
import type { SourceCatalogue } from '../catalogue.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface IngestResult {
  fetches: number;
  observations: number;
  bytes: number;
  tables: Record<string, number>;
  /** Tables and KPIs fetched in this run (every one with --refresh or --offline re-reads). */
  fetched: string[];
  /** Tables and KPIs not fetched: the source's release is the one the warehouse and data/raw already hold. */
  unchanged: string[];
}

interface Fetched {
  fetch_id: string;
  body: Buffer;
  url: string;
  /**
   * Online: stores the body under its hash and writes its source_fetch row. Called only once the body parsed, inside
   * the table's transaction, so a response that does not parse is never cited (its raw file may stay as a cache
   * object, referenced by nothing). Offline the fetch is already recorded.
   */
  record?: () => Promise<void>;
}

/** area_version of a served region code whose shape no area level has: no area row has it, so the check names it. */
const UNCLASSIFIED = 'unclassified';


/**
 * Fetches every source table and KPI of data/sources.json (or, with --offline, re-reads the responses the last
 * fetch stored), stores each response body that parsed under its hash with a source_fetch row, and loads the
 * parsed numbers into `observation`. Each table is replaced in one transaction, so a failure leaves the previous
 * observations of that table in place; responses are parsed and appended one at a time, so memory holds one
 * response, not a table. Every region code a table brings must be in the warehouse's area register (built by the
 * areas stage): a code in none fails the table (SourceError naming code, table and URL) instead of becoming a
 * phantom area.
 */
export async function ingest(ctx: Context, conn: DuckDBConnection, runId: string): Promise<IngestResult> {
  const all = loadSources(ctx.config.dataDir);
  const result: IngestResult = { fetches: 0, observations: 0, bytes: 0, tables: {}, fetched: [], unchanged: [] };
  const stray = removeStrayTemp(ctx.config.rawDir);
  if (stray.length > 0) ctx.log.info(`removed ${stray.length} half-written response file(s) that killed runs left in ${ctx.config.rawDir}`, { files: stray.length });
  const municipalities = await koladaMunicipalities(conn);
  // Online, each source's release is asked first (no data request) and only what changed is fetched: SCB's tables,
  // whose metadata is then checked against the catalogue (a refusal stops the run before Kolada is asked anything),
  // then Kolada's KPIs.
  const dueScb = ctx.config.offline ? null : await dueSources(ctx, conn, { pxweb: all.pxweb, kolada: [] }, municipalities);
  const pxweb = dueScb ? all.pxweb.filter((t) => dueScb.has(`SCB ${t.id}`)) : all.pxweb;
  // Every fetched table's live metadata, checked against the catalogue before the first data request.
  const { live, skipped } = ctx.config.offline ? { live: new Map<string, TableMetadata>(), skipped: new Set<string>() } : await preflight(ctx, pxweb);
  if (dueScb) await releaseFromMetadata(ctx, dueScb, live);
  const dueKolada = ctx.config.offline ? null : await dueSources(ctx, conn, { pxweb: [], kolada: all.kolada }, municipalities);
  const due = dueScb && dueKolada ? new Map([...dueScb, ...dueKolada]) : null;
  const cat = { pxweb, kolada: dueKolada ? all.kolada.filter((k) => dueKolada.has(`Kolada ${k.id}`)) : all.kolada };
  result.unchanged = [...all.pxweb.filter((t) => !cat.pxweb.includes(t)).map((t) => t.id), ...all.kolada.filter((k) => !cat.kolada.includes(k)).map((k) => k.id)];
  if (due && due.size === 0) {
    ctx.log.info(`ingest: no source has a new release since its last fetch (${result.unchanged.length} tables and KPIs unchanged); no data requests made (--refresh fetches everything)`, { id: 'I109_NOTHING_CHANGED', unchanged: result.unchanged.length });
    return result;
  }
  if (due && result.unchanged.length > 0) {
    ctx.log.info(`ingest: ${result.unchanged.length} tables and KPIs unchanged since their last fetch, not fetched; fetching ${due.size}: ${[...due.keys()].join(', ')}`, { unchanged: result.unchanged.length, fetching: due.size });
  }
  let seq = 0;
  const total = cat.pxweb.length - skipped.size + cat.kolada.length;
  let done = 0;
  const jobs = [
    ...cat.pxweb.filter((t) => !skipped.has(t.id)).map((t) => ({
      source: 'SCB' as const,
      id: t.id,
      fetchAll: () => pxTable(ctx, t, live.get(t.id)),
      parse: (f: Fetched) => pxResponse(f, t),
      after: t.derive?.length ? () => deriveLevels(conn, t) : undefined,
      release: due?.get(`SCB ${t.id}`),
    })),
    ...cat.kolada.map((k) => ({
      source: 'Kolada' as const,
      id: k.id,
      fetchAll: () => koladaData(ctx, ctx.config.koladaBaseUrl, [k.id], municipalities, yearsOf(k)),
      parse: (f: Fetched): ObservationBatch => koladaObservations(f, k),
      after: undefined,
      release: due?.get(`Kolada ${k.id}`),
    })),
  ];
  if (jobs.length === 0) {
    // Only sources SCB refuses were due (unconfirmed, skipped above): still nothing asked of the data endpoints.
    ctx.log.info(`ingest: no source has a new release that can be fetched (${result.unchanged.length} unchanged, ${skipped.size} skipped); no data requests made`, { id: 'I109_NOTHING_CHANGED', unchanged: result.unchanged.length });
    return result;
  }
  const chunks = observationChunks();
  for (const job of jobs) {
    const counts = await inTransaction(conn, async () => {
      await execFile(conn, 'staging/delete_observations', { source: job.source, table_id: job.id });
      const app = await conn.createAppender('observation');
      const c = { responses: 0, observations: 0, bytes: 0 };
      // Every (area code, version) pair the table's responses brought, for the quick test of checkAreaCodes.
      const pairs = new Map<string, [string, string]>();
      try {
        for await (const f of responses(ctx, conn, runId, job.source, job.id, job.fetchAll, () => seq++)) {
          // Parsed and checked before it is recorded: a body that does not parse throws here and leaves no
          // source_fetch row. Its rows then go to the appender as columns, a chunk of 2,048 rows at a time.
          const batch = job.parse(f);
          if (f.record) await f.record();
          chunks.append(app, batch);
          batch.areaCodes.forEach((code, i) => pairs.set(`${code} ${batch.areaVersions[i] ?? ''}`, [code, batch.areaVersions[i] ?? '']));
          // Flushed per response: the appender's buffer stays small, and a bad row fails on the response it came in.
          app.flushSync();
          c.responses++;
          c.bytes += f.body.length;
        }
      } finally {
        app.closeSync();
      }
      await checkAreaCodes(conn, job.source, job.id, [...pairs.values()]);
      // Levels the pipeline sums from DeSO, in the same transaction as the table they come from.
      if (job.after) await job.after();
      const [row] = await query(conn, 'SELECT count(*)::INTEGER AS n FROM observation WHERE source = $s AND table_id = $t', { s: job.source, t: job.id });
      c.observations = Number(row?.n ?? 0);
      // The release this fetch brought, in the same transaction: a failed table is asked again next time.
      if (job.release) {
        await execFile(conn, 'staging/upsert_release', {
          source: job.source,
          table_id: job.id,
          released: job.release.released ?? 'unknown',
          latest_period: job.release.latestPeriod,
          request_key: job.release.requestKey,
          origin: job.release.origin,
          run_id: runId,
          fetched_at: ctx.now().toISOString(),
        });
      }
      return c;
    });
    result.tables[job.id] = counts.observations;
    result.observations += counts.observations;
    result.fetches += counts.responses;
    result.bytes += counts.bytes;
    result.fetched.push(job.id);
    ctx.log.progress('ingest', ++done, total);
    ctx.log.info(`ingested ${job.source} ${job.id}`, counts);
  }
  return result;
}

interface Due {
  /** The release the source states now (null: it refused the question, e.g. 404; the fetch will say more). */
  released: string | null;
  latestPeriod: number | null;
  requestKey: string;
  origin: string;
  /** SCB: due without asking for the release; it is taken from the table's metadata (releaseFromMetadata). */
  fromMetadata: boolean;
}

/**
 * The tables and KPIs to fetch ("SCB TAB6571", "Kolada N07540" → what to record once fetched): those whose release
 * (SCB's `updated`, Kolada's publication) or request (catalogue entry, source, years, areas) differs from what the
 * warehouse recorded at their last fetch, whose responses are missing from data/raw, that were never fetched, or
 * every one with --refresh. Asking costs one small GET per SCB table and one per ten KPIs, no data request.
 * An SCB table due whatever its release says (--refresh, never fetched, request changed, responses missing) is not
 * asked: its release comes from the metadata the preflight reads before its data anyway (`releaseFromMetadata`),
 * which saves a call per table under SCB's 30 calls per 10 s (a first demo ingest: 57 calls, 13 of them these).
 */
async function dueSources(ctx: Context, conn: DuckDBConnection, cat: SourceCatalogue, municipalities: string[]): Promise<Map<string, Due>> {
  const stored = new Map((await query(conn, 'SELECT source, table_id, released, request_key FROM source_release')).map((r) => [`${String(r.source)} ${String(r.table_id)}`, r]));
  // The demo's emulator listens on a new port each run but serves the same synthetic world.
  const originOf = (url: string): string => (ctx.config.demo ? 'demo' : redactUrl(url));
  const candidates = [
    ...cat.pxweb.map((t) => ({ source: 'SCB' as const, id: t.id, origin: originOf(ctx.config.scbBaseUrl), asked: t as unknown })),
    ...cat.kolada.map((k) => ({ source: 'Kolada' as const, id: k.id, origin: originOf(ctx.config.koladaBaseUrl), asked: { k, municipalities, years: yearsOf(k) } as unknown })),
  ].map((c) => ({ ...c, key: `${c.source} ${c.id}`, requestKey: sha256(Buffer.from(JSON.stringify({ origin: c.origin, asked: c.asked }))) }));
  // Why a source is due whatever its release: these need no question to the source.
  const dueAnyway = new Map<string, string>();
  for (const c of candidates) {
    const before = stored.get(c.key);
    let why: string | null = null;
    if (ctx.config.refresh) why = '--refresh';
    else if (!before) why = 'never fetched into this warehouse';
    else if (String(before.request_key) !== c.requestKey) why = 'the catalogue entry, source or areas asked for changed';
    else if (!(await cached(ctx, conn, c.id))) why = `responses missing from ${ctx.config.rawDir}`;
    if (why !== null) dueAnyway.set(c.key, why);
  }
  const scb = await scbReleases(ctx, cat.pxweb.filter((t) => !dueAnyway.has(`SCB ${t.id}`)).map((t) => t.id));
  const kolada = await koladaReleases(ctx, cat.kolada.map((k) => k.id));
  const due = new Map<string, Due>();
  for (const c of candidates) {
    const release = c.source === 'SCB' ? scb.get(c.id) : kolada.get(c.id);
    const rel = release && 'released' in release ? release : null;
    const entry: Due = { released: rel?.released ?? null, latestPeriod: rel?.latestPeriod ?? null, requestKey: c.requestKey, origin: c.origin, fromMetadata: c.source === 'SCB' && dueAnyway.has(c.key) };
    const before = stored.get(c.key);
    // The order of the reasons as the log gives them: --refresh, then what the source says, then the rest.
    let why: string | null = null;
    if (ctx.config.refresh) why = '--refresh';
    else if (!rel && !entry.fromMetadata) why = 'the source did not state its release';
    else if (!before) why = 'never fetched into this warehouse';
    else if (rel && String(before.released) !== rel.released) why = `new release: ${rel.released} (was ${String(before.released)})`;
    else why = dueAnyway.get(c.key) ?? null;
    if (why === null) {
      ctx.log.debug(`${c.source} ${c.id}: unchanged (${rel?.released ?? ''}); not fetched`, { table: c.id });
      continue;
    }
    ctx.log.info(`${c.source} ${c.id}: fetching (${why})`, { table: c.id });
    due.set(c.key, entry);
  }
  return due;
}

/**
 * The release of each SCB table that was due without asking (dueSources), from its live metadata: `updated`, and
 * the latest year as the last Tid code. SCB's metadata states `updated` as /tables/{id} does; a table whose
 * metadata does not is asked with GET /tables/{id} after all, so what is recorded is what the next run compares.
 */
async function releaseFromMetadata(ctx: Context, due: Map<string, Due>, live: ReadonlyMap<string, TableMetadata>): Promise<void> {
  const ask: string[] = [];
  for (const [id, meta] of live) {
    const d = due.get(`SCB ${id}`);
    if (!d?.fromMetadata) continue;
    if (meta.updated === null) ask.push(id);
    else Object.assign(d, { released: meta.updated, latestPeriod: meta.years.at(-1) ?? null });
  }
  if (ask.length === 0) return;
  for (const [id, rel] of await scbReleases(ctx, ask)) {
    const d = due.get(`SCB ${id}`);
    if (d && 'released' in rel) Object.assign(d, { released: rel.released, latestPeriod: rel.latestPeriod });
  }
}

/** Every response of the table's latest fetch is in data/raw under its hash (a cleared cache means fetch again). */
async function cached(ctx: Context, conn: DuckDBConnection, tableId: string): Promise<boolean> {
  const rows = await queryFile(conn, 'staging/latest_fetches', { table_id: tableId });
  return rows.length > 0 && rows.every((r) => existsSync(join(ctx.config.rawDir, `${String(r.sha256)}.raw`)));
}

/**
 * The catalogue checked against every table's live metadata before any data request (GET metadata is not a data
 * request): a table SCB does not have, a variable or code it lacks, a mandatory variable left out, a year or level
 * it does not publish stops the run here with exit 1 and one line per problem, instead of at the first 400.
 * Unconfirmed sources (`confirmed: false`) are named first; one that SCB refuses is skipped with a warning (its
 * indicator values stay missing) rather than stopping a run whose confirmed sources are sound.
 */
async function preflight(ctx: Context, tables: PxSource[]): Promise<{ live: Map<string, TableMetadata>; skipped: Set<string> }> {
  for (const t of tables.filter((x) => !x.confirmed)) {
    ctx.log.warn('W105_UNCONFIRMED_SOURCE', `SCB ${t.id}: not confirmed by any SCB response we hold (data/metadata/scb); asking SCB for its metadata before any data request`, { table: t.id });
  }
  const live = new Map<string, TableMetadata>();
  const errors: { table: string; line: string }[] = [];
  for (const t of tables) {
    try {
      const m = await pxMetadata(ctx, ctx.config.scbBaseUrl, t.id, { lang: 'en' });
      live.set(t.id, parseTableMetadata(JSON.parse(m.raw.body.toString('utf8')), t.id, m.raw.url));
    } catch (e) {
      // A 4xx is SCB's answer about the table (404 Non-existent table): a catalogue problem, reported with the rest.
      if (e instanceof SourceError && / answered 4\d\d/.test(e.message)) errors.push({ table: t.id, line: `ERROR ${t.id}: ${e.message}` });
      else throw e;
    }
  }
  const problems = checkCatalogue({ pxweb: tables.filter((t) => live.has(t.id)), kolada: [] }, (id) => live.get(id));
  // Unconfirmed sources were named above.
  for (const p of problems.filter((x) => x.severity === 'warning' && !x.message.startsWith('unconfirmed'))) {
    ctx.log.warn('W108_SOURCE_CHECK', `SCB ${p.table}${p.variable ? ` ${p.variable}` : ''}: ${p.message}`, { table: p.table });
  }
  for (const p of problems.filter((x) => x.severity === 'error')) {
    errors.push({ table: p.table, line: `ERROR ${p.table}${p.variable ? ` ${p.variable}` : ''}${p.code ? `=${p.code}` : ''}: ${p.message} [${p.origin ?? ''}]` });
  }
  const unconfirmed = new Set(tables.filter((t) => !t.confirmed).map((t) => t.id));
  const skipped = new Set(errors.filter((e) => unconfirmed.has(e.table)).map((e) => e.table));
  for (const id of skipped) {
    const why = errors.filter((e) => e.table === id).map((e) => e.line).join('; ');
    ctx.log.warn('W105_UNCONFIRMED_SOURCE', `SCB ${id}: unconfirmed source skipped, its values stay missing: ${why}`, { table: id });
  }
  const fatal = errors.filter((e) => !unconfirmed.has(e.table));
  if (fatal.length > 0) {
    throw new SourceError(`data/sources.json does not match SCB's tables (checked against ${ctx.config.scbBaseUrl} before any data request):\n${fatal.map((e) => `  ${e.line}`).join('\n')}`);
  }
  return { live, skipped };
}

/**
 * Fetches a table in two selections split at the DeSO/RegSO revision: years before 2024 with the old area codes,
 * later years with the `_DeSO2025`/`_RegSO2025` codes (kommun, län and riket in both), only the levels the
 * catalogue asks for. Asking for every code in every year would double the cells with structural `..` — and SCB
 * has been seen to answer such cells with 0. The years are the catalogue's, plus any later year SCB now publishes
 * (the follow-up goes on after 2025), less any year SCB does not publish (yet).
 */
async function* pxTable(ctx: Context, t: PxSource, meta: TableMetadata | undefined): AsyncGenerator<RawResponse> {
  // The live metadata the preflight read (and checked) for every table it did not skip: not asked for twice.
  if (!meta) throw new SourceError(`SCB PxWeb: no metadata was read for ${t.id} before its data request`);
  const region = meta.variables.find((v) => v.code === 'Region');
  if (!region) throw new SourceError(`SCB PxWeb: table ${t.id} has no Region variable (variables: ${meta.variables.map((v) => v.code).join(', ')}) [${meta.origin}]`);
  const levels = new Set<string>(t.levels);
  const wanted = region.values.filter((c) => {
    const a = classifyAreaCode(c, 'SCB');
    return a !== null && levels.has(a.level);
  });
  const isNew = (c: string): boolean => /_(DeSO|RegSO)2025$/.test(c);
  const isOldSubArea = (c: string): boolean => !isNew(c) && /^\d{4}[ABCR]\d{3,4}$/.test(c);
  const published = meta.years;
  const expected = yearsOf(t);
  const later = t.onlyYears ? [] : published.filter((y) => y > t.years[1]);
  const years = [...expected, ...later].filter((y) => published.includes(y));
  if (later.length > 0) ctx.log.info(`SCB ${t.id}: also fetching ${later.join(', ')}, published after the catalogue's last year ${t.years[1]}`, { id: 'W106_NEWER_YEARS', table: t.id });
  const notYet = expected.filter((y) => !published.includes(y));
  if (notYet.length > 0) ctx.log.warn('W107_YEARS_NOT_PUBLISHED', `SCB ${t.id}: ${notYet.join(', ')} not published; those years stay missing`, { table: t.id });
  const parts: [string[], number[]][] = [
    [wanted.filter((c) => !isNew(c)), years.filter((y) => y < AREA_REVISION_YEAR)],
    [wanted.filter((c) => !isOldSubArea(c)), years.filter((y) => y >= AREA_REVISION_YEAR)],
  ];
  for (const [codes, ys] of parts) {
    if (codes.length === 0 || ys.length === 0) continue;
    const sel: PxSelection = { Region: codes };
    for (const [code, values] of Object.entries(t.variables)) sel[code] = Object.keys(values);
    sel.Tid = ys.map(String);
    yield* pxData(ctx, ctx.config.scbBaseUrl, t.id, sel);
  }
}

/**
 * Fails the table (inside its transaction, so its previous observations stay) when it brought a region code that
 * is in no area register: checked set-based over the rows just loaded (sql/staging/unknown_areas.sql), naming each
 * code as the source served it, the table and the URL of a response that held it. The distinct pairs of its
 * responses are tested first (a few thousand, against a scan of up to 460,000 rows): when all are known, so is
 * every row, and the scan is left out.
 */
async function checkAreaCodes(conn: DuckDBConnection, source: 'SCB' | 'Kolada', tableId: string, pairs: [string, string][]): Promise<void> {
  if (pairs.length === 0) return;
  const [quick] = await queryFile(conn, 'staging/unknown_area_pairs', { codes: listValue(pairs.map(([c]) => c)), versions: listValue(pairs.map(([, v]) => v)) });
  if (Number(quick?.n_unknown ?? 1) === 0) return;
  const rows = await queryFile(conn, 'staging/unknown_areas', { source, table_id: tableId });
  if (rows.length === 0) return;
  const total = Number(rows[0]?.n_codes ?? rows.length);
  const lines = rows.map((r) => `  ${String(r.served)} (${r.area_version === UNCLASSIFIED ? 'no area level has this shape' : `${String(r.area_version)} code ${String(r.area_code)}`}; ${String(r.n_rows)} rows) in ${String(r.url)}`);
  const more = total > rows.length ? `\n  … and ${total - rows.length} more` : '';
  throw new SourceError(
    `${source} ${tableId}: ${total} region code${total === 1 ? '' : 's'} in no area register (the warehouse's area table: riket, län, kommuner, DeSO and RegSO); ` +
      `the table is not loaded and its previous observations stay:\n${lines.join('\n')}${more}`,
  );
}

/** Kommun, län and riket rows summed from the table's DeSO rows (only where SCB allows aggregation: checked before). */
async function deriveLevels(conn: DuckDBConnection, t: PxSource): Promise<void> {
  await execFile(conn, 'staging/derive_levels', { table_id: t.id, levels: listValue(t.derive ?? []) });
}

/** Kolada ids for every kommun, region and riket in the warehouse's area table. */
async function koladaMunicipalities(conn: DuckDBConnection): Promise<string[]> {
  const rows = await query(conn, "SELECT code, level FROM area WHERE level IN ('riket', 'lan', 'kommun') ORDER BY code");
  return rows.map((r) => (r.level === 'riket' ? '0000' : r.level === 'lan' ? `00${String(r.code)}` : String(r.code)));
}

/**
 * Yields the responses of one table: fetched (each with a `record` that stores it under its hash with a
 * source_fetch row, for the caller to call once the body parsed) or, with --offline, re-read from the cache as the
 * latest fetch of the table left them.
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
    const fetchId = `${runId}-${String(nextSeq()).padStart(5, '0')}`;
    const record = async (): Promise<void> => {
      const hash = storeRaw(ctx.config.rawDir, raw.body);
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
    };
    yield { fetch_id: fetchId, url: raw.url, body: raw.body, record };
  }
}

/**
 * A PxWeb JSON-stat response as one observation batch: the area of each Region code, the year of each Tid code and
 * the breakdown text of each combination of the other variables are made once, not once per cell (a demo ingest
 * writes 3 million cells), and each cell carries only their indexes, its value and its status.
 */
function pxResponse(f: Fetched, table: PxSource): ObservationBatch {
  const grid = readJsonStat(f.body, { tableId: table.id, url: f.url });
  const { dims, total } = grid;
  // A variable's position in the dataset by name (the last one, should a name come twice).
  const at = new Map(dims.map((d, i) => [d.id, i]));
  const region = at.get('Region');
  const contents = at.get('ContentsCode');
  const tid = at.get('Tid');
  // A code of no known shape is kept as served and named by checkAreaCodes, never dropped in silence.
  const noArea = classifyAreaCode('', 'SCB') ?? { code: '', version: UNCLASSIFIED };
  const areas = region === undefined ? [noArea] : (dims[region]?.codes ?? []).map((c) => classifyAreaCode(c, 'SCB') ?? { code: c, version: UNCLASSIFIED });
  // A year that is not a number goes in as 0, as the row appender's int32 took NaN before.
  const years = tid === undefined ? null : (dims[tid]?.codes ?? []).map((c) => Number(c) | 0);
  // The breakdown: the other variables in name order, `name=code` joined by `;`, one text per combination.
  const others = [...at.entries()].filter(([id]) => !OWN_COLUMNS.has(id)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
  const strides = others.map(() => 1);
  for (let k = others.length - 2; k >= 0; k--) strides[k] = (strides[k + 1] ?? 1) * (dims[others[k + 1] ?? 0]?.codes.length ?? 1);
  const breakdowns: string[] = [];
  // Combination key → index into `breakdowns`, made when the combination is first met.
  const breakdownAt = new Map<number, number>();
  const breakdownOf = (counters: number[]): number => {
    let key = 0;
    for (let k = 0; k < others.length; k++) key += (counters[others[k] ?? 0] ?? 0) * (strides[k] ?? 1);
    let index = breakdownAt.get(key);
    if (index === undefined) {
      index = breakdowns.push(others.map((d) => `${dims[d]?.id ?? ''}=${dims[d]?.codes[counters[d] ?? 0] ?? ''}`).join(';')) - 1;
      breakdownAt.set(key, index);
    }
    return index;
  };
  const statuses: string[] = [];
  const statusAt = new Map<string, number>();
  const b: ObservationBatch = {
    fetchId: f.fetch_id,
    source: 'SCB',
    tableId: table.id,
    rows: total,
    measure: new Int32Array(total),
    measures: contents === undefined ? [''] : (dims[contents]?.codes ?? []),
    area: new Int32Array(total),
    areaCodes: areas.map((a) => a.code),
    areaVersions: areas.map((a) => a.version),
    year: new Int32Array(total),
    breakdown: new Int32Array(total),
    breakdowns,
    value: new Float64Array(total),
    status: new Int32Array(total),
    statuses,
  };
  const counters = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < total; i++) {
    if (contents !== undefined) b.measure[i] = counters[contents] ?? 0;
    if (region !== undefined) b.area[i] = counters[region] ?? 0;
    b.year[i] = years === null ? 0 : (years[counters[tid ?? 0] ?? 0] ?? 0);
    b.breakdown[i] = breakdownOf(counters);
    b.value[i] = grid.value(i) ?? Number.NaN;
    const s = grid.status(i);
    if (s !== null) {
      let index = statusAt.get(s);
      if (index === undefined) {
        index = statuses.push(s);
        statusAt.set(s, index);
      }
      b.status[i] = index;
    }
    advance(counters, dims);
  }
  return b;
}

/** A Kolada response as one observation batch (one row per KPI, municipality, year and gender). */
function koladaObservations(f: Fetched, kpi: KoladaSource): ObservationBatch {
  const cells = parseKoladaData(f.body, { kpis: kpi.id, url: f.url });
  const n = cells.length;
  // Each distinct text once, indexed in the order first met.
  const texts = (): { list: string[]; index(t: string): number } => {
    const list: string[] = [];
    const at = new Map<string, number>();
    return {
      list,
      index(t) {
        let i = at.get(t);
        if (i === undefined) {
          i = list.push(t) - 1;
          at.set(t, i);
        }
        return i;
      },
    };
  };
  const measures = texts();
  const areaCodes: string[] = [];
  const areaVersions: string[] = [];
  const breakdowns = texts();
  const statuses = texts();
  const b: ObservationBatch = {
    fetchId: f.fetch_id,
    source: 'Kolada',
    tableId: kpi.id,
    rows: n,
    measure: new Int32Array(n),
    measures: measures.list,
    area: new Int32Array(n),
    areaCodes,
    areaVersions,
    year: new Int32Array(n),
    breakdown: new Int32Array(n),
    breakdowns: breakdowns.list,
    value: new Float64Array(n),
    status: new Int32Array(n),
    statuses: statuses.list,
  };
  // One area per municipality code as served (a code maps to one area code and version).
  const areaOf = new Map<string, number>();
  cells.forEach((cell, i) => {
    let a = areaOf.get(cell.municipality);
    if (a === undefined) {
      const area = classifyAreaCode(cell.municipality, 'Kolada') ?? { code: cell.municipality, version: UNCLASSIFIED };
      a = areaCodes.push(area.code) - 1;
      areaVersions.push(area.version);
      areaOf.set(cell.municipality, a);
    }
    b.measure[i] = measures.index(cell.kpi);
    b.area[i] = a;
    b.year[i] = cell.period;
    b.breakdown[i] = breakdowns.index(`gender=${cell.gender}`);
    b.value[i] = cell.value ?? Number.NaN;
    b.status[i] = cell.status === null ? 0 : statuses.index(cell.status) + 1;
  });
  return b;
}
