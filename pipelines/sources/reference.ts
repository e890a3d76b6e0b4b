/**
 * Reference data beside the statistics (data/sources.json `reference`): Kolada's municipality groups (for the
 * similar kommuner of a kommun report) and SCB's DeSO/RegSO outlines from its WFS (for the kommun reports' maps).
 * Fetched when the warehouse lacks them or with --refresh, cached in data/raw with a source_fetch row like every
 * other response, re-read from the cache with --offline (a warehouse never fetched online then simply has no maps
 * or groups, and the log says so). Stored in `municipality_group` and `area_geometry`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { execFile, inTransaction, queryFile } from '../db.ts';
import { SourceError } from '../errors.ts';
import { readRaw, sha256, storeRaw } from '../stages/raw-cache.ts';
import { httpRequest, type RawResponse } from './http.ts';
import { koladaMunicipalityGroups, parseMunicipalityGroups, type KoladaMunicipalityGroup } from './kolada.ts';
import { redactUrl } from './redact.ts';

/** The WFS layers fetched: the RegSO of both area versions (the maps colour RegSO). */
export const WFS_LAYERS = [
  { layer: 'stat:RegSO_2020', version: 'RegSO2020', code: 'regsokod' },
  { layer: 'stat:RegSO_2025', version: 'RegSO2025', code: 'regsokod' },
] as const;
const GROUPS_TABLE = 'municipality_groups';
/**
 * Features per WFS page (GeoServer pages with WFS 2.0 `count` and `startIndex`). SCB's outlines come unsimplified
 * (their size per page was not measured from here), so pages are kept small to stay inside the HTTP timeout.
 */
const PAGE = 250;
/** Douglas–Peucker tolerance in degrees (≈30 m north–south): a RegSO map is at most a page wide. */
const TOLERANCE = 0.0003;

export interface ReferenceResult {
  groups: number;
  outlines: Record<string, number>;
  skipped: string[];
}

export async function ingestReference(ctx: Context, conn: DuckDBConnection, runId: string): Promise<ReferenceResult> {
  const result: ReferenceResult = { groups: 0, outlines: {}, skipped: [] };
  const cached = async (table: string): Promise<{ sha256: string; url: string; fetch_id: string }[]> =>
    (await queryFile(conn, 'staging/latest_fetches', { table_id: table })).map((r) => ({ sha256: String(r.sha256), url: String(r.url), fetch_id: String(r.fetch_id) }));

  // Municipality groups.
  const [have] = await queryFile(conn, 'staging/municipality_group_count');
  if (ctx.config.offline) {
    const rows = await cached(GROUPS_TABLE);
    if (rows.length === 0) result.skipped.push(GROUPS_TABLE);
    else result.groups = await storeGroups(conn, rows.flatMap((r) => parseMunicipalityGroups(readRaw(ctx.config.rawDir, r.sha256), r.url).map((g) => ({ g, fetch: r.fetch_id }))));
  } else if (ctx.config.refresh || Number(have?.n ?? 0) === 0 || (await cached(GROUPS_TABLE)).length === 0) {
    const { raw } = await koladaMunicipalityGroups(ctx, ctx.config.koladaBaseUrl);
    result.groups = await inTransaction(conn, async () => {
      const groups: { g: KoladaMunicipalityGroup; fetch: string }[] = [];
      // Each group is cited by the page that brought it.
      for (const [i, r] of raw.entries()) {
        const fetch = await record(ctx, conn, runId, 'Kolada', GROUPS_TABLE, i, r);
        groups.push(...parseMunicipalityGroups(r.body, r.url).map((g) => ({ g, fetch })));
      }
      return storeGroups(conn, groups, true);
    });
  }

  // DeSO/RegSO outlines.
  for (const l of WFS_LAYERS) {
    const [n] = await queryFile(conn, 'staging/area_geometry_count', { version: l.version });
    const source = `SCB WFS ${l.layer}`;
    if (ctx.config.offline) {
      const rows = await cached(l.layer);
      if (rows.length === 0) {
        result.skipped.push(l.layer);
        continue;
      }
      const features = rows.flatMap((r) => parseWfsPage(readRaw(ctx.config.rawDir, r.sha256), r.url, l.code).features.map((f) => ({ ...f, fetch: r.fetch_id })));
      result.outlines[l.layer] = await inTransaction(conn, () => storeOutlines(conn, l.version, source, features));
      continue;
    }
    if (!ctx.config.refresh && Number(n?.n ?? 0) > 0 && (await cached(l.layer)).length > 0) continue;
    const pages: { raw: RawResponse; features: WfsFeature[] }[] = [];
    for (let start = 0; ; start += PAGE) {
      const url = `${ctx.config.geoBaseUrl}?service=WFS&version=2.0.0&request=GetFeature&typeNames=${encodeURIComponent(l.layer)}&outputFormat=application/json&srsName=EPSG:4326&count=${PAGE}&startIndex=${start}`;
      const raw = await httpRequest(ctx, { url, method: 'GET' }, { source: 'SCB WFS', tableId: l.layer });
      const page = parseWfsPage(raw.body, raw.url, l.code);
      pages.push({ raw, features: page.features });
      if (page.features.length < PAGE || (page.matched !== null && start + page.features.length >= page.matched)) break;
      if (start > 100_000) throw new SourceError(`SCB WFS ${l.layer}: paging does not end after ${start} features`);
    }
    result.outlines[l.layer] = await inTransaction(conn, async () => {
      const features: (WfsFeature & { fetch: string })[] = [];
      for (const [i, p] of pages.entries()) {
        const id = await record(ctx, conn, runId, 'SCB', l.layer, i, p.raw);
        features.push(...p.features.map((f) => ({ ...f, fetch: id })));
      }
      return storeOutlines(conn, l.version, source, features);
    });
  }
  if (result.skipped.length) ctx.log.info(`offline: no cached copy of ${result.skipped.join(', ')}; the reports go without maps or similar kommuner where these are missing`, { skipped: result.skipped });
  ctx.log.info('reference data', { groups: result.groups, outlines: result.outlines });
  return result;
}

async function record(ctx: Context, conn: DuckDBConnection, runId: string, source: 'SCB' | 'Kolada', table: string, i: number, raw: RawResponse): Promise<string> {
  storeRaw(ctx.config.rawDir, raw.body);
  const fetchId = `${runId}-ref-${table}-${String(i).padStart(4, '0')}`;
  await execFile(conn, 'staging/insert_fetch', {
    fetch_id: fetchId,
    run_id: runId,
    source,
    table_id: table,
    method: 'GET',
    request: null,
    url: redactUrl(raw.url),
    http_status: raw.status,
    fetched_at: raw.fetchedAt.toISOString(),
    sha256: sha256(raw.body),
    bytes: raw.body.length,
  });
  return fetchId;
}

async function storeGroups(conn: DuckDBConnection, groups: { g: KoladaMunicipalityGroup; fetch: string }[], inTx = false): Promise<number> {
  const write = async (): Promise<number> => {
    await execFile(conn, 'staging/delete_municipality_groups');
    const app = await conn.createAppender('municipality_group');
    const seen = new Set<string>();
    try {
      for (const { g, fetch } of groups) {
        for (const m of g.members) {
          const key = `${g.id}\u0000${m.id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          app.appendVarchar(g.id);
          app.appendVarchar(g.title);
          app.appendVarchar(m.id);
          app.appendVarchar(m.title);
          app.appendVarchar(fetch);
          app.endRow();
        }
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
    return new Set(groups.map((x) => x.g.id)).size;
  };
  return inTx ? write() : inTransaction(conn, write);
}

async function storeOutlines(conn: DuckDBConnection, version: string, source: string, features: (WfsFeature & { fetch: string })[]): Promise<number> {
  const known = new Set((await queryFile(conn, 'staging/area_codes_of_version', { version })).map((r) => String(r.code)));
  const unknown = features.filter((f) => !known.has(f.code)).map((f) => f.code);
  if (unknown.length) {
    throw new SourceError(`SCB WFS (${source}): ${unknown.length} ${version} code(s) not in the area register, e.g. ${unknown.slice(0, 3).join(', ')}; the WFS layer and the area keys disagree`);
  }
  await execFile(conn, 'staging/delete_area_geometry', { version });
  const app = await conn.createAppender('area_geometry');
  try {
    for (const f of features) {
      app.appendVarchar(f.code);
      app.appendVarchar(version);
      app.appendVarchar(f.kommun);
      app.appendVarchar(JSON.stringify(f.geometry));
      app.appendVarchar(source);
      app.appendVarchar(f.fetch);
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
  return features.length;
}

// ---- WFS GeoJSON. ----

export interface WfsFeature {
  code: string;
  kommun: string;
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

/**
 * One GetFeature page (GeoJSON): each feature's code (`codeField`), kommun (`kommunkod`, else the code's first four
 * digits) and outline, simplified (Douglas–Peucker, TOLERANCE) and rounded to 5 decimals. Coordinates must be
 * WGS84 degrees inside Sweden; latitude-first pairs (WFS 2.0's EPSG:4326 axis order) are swapped, metres
 * (SWEREF 99 TM, the native CRS, when srsName was ignored) fail.
 */
export function parseWfsPage(body: Buffer | string, url: string, codeField: string): { features: WfsFeature[]; matched: number | null } {
  const where = `SCB WFS ${url}`;
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (e) {
    throw new SourceError(`${where}: not GeoJSON (${(e as Error).message}); a WFS error comes as XML, e.g. an unknown layer`);
  }
  const fc = doc as { type?: unknown; features?: unknown; numberMatched?: unknown };
  if (fc?.type !== 'FeatureCollection' || !Array.isArray(fc.features)) throw new SourceError(`${where}: expected a GeoJSON FeatureCollection`);
  const features = (fc.features as unknown[]).map((f, i): WfsFeature => {
    const ft = f as { properties?: Record<string, unknown> | null; geometry?: { type?: unknown; coordinates?: unknown } | null };
    const code = ft?.properties?.[codeField];
    if (typeof code !== 'string' || code === '') throw new SourceError(`${where}: features[${i}]: property ${codeField} missing`);
    const kommun = typeof ft.properties?.kommunkod === 'string' ? ft.properties.kommunkod : code.slice(0, 4);
    const g = ft.geometry;
    const polys: number[][][][] = g?.type === 'Polygon' ? [g.coordinates as number[][][]] : g?.type === 'MultiPolygon' ? (g.coordinates as number[][][][]) : [];
    if (polys.length === 0 || !polys.every((p) => Array.isArray(p) && p.every((r) => Array.isArray(r) && r.length >= 4))) {
      throw new SourceError(`${where}: features[${i}] (${code}): expected a Polygon or MultiPolygon geometry`);
    }
    const first = polys[0]?.[0]?.[0];
    const [a, b] = [Number(first?.[0]), Number(first?.[1])];
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a) > 180 || Math.abs(b) > 180) {
      throw new SourceError(`${where}: features[${i}] (${code}): coordinates ${a}, ${b} are not degrees; ask with srsName=EPSG:4326 (the layer's own CRS is EPSG:3006)`);
    }
    // Sweden: longitude 10–25, latitude 55–70; the ranges do not overlap, so the order shows.
    const swap = a > 50 && b < 30;
    const out = polys
      .map((p) => p.map((r) => closeRing(simplify(r.map((c) => (swap ? [Number(c[1]), Number(c[0])] : [Number(c[0]), Number(c[1])])), TOLERANCE).map((c) => [round5(c[0] ?? 0), round5(c[1] ?? 0)]))))
      .map((p) => p.filter((r) => r.length >= 4))
      .filter((p) => p.length > 0);
    if (out.length === 0) throw new SourceError(`${where}: features[${i}] (${code}): outline vanished when simplified`);
    return { code, kommun, geometry: out.length === 1 ? { type: 'Polygon', coordinates: out[0] ?? [] } : { type: 'MultiPolygon', coordinates: out } };
  });
  const matched = typeof fc.numberMatched === 'number' ? fc.numberMatched : null;
  return { features, matched };
}

function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

function closeRing(r: number[][]): number[][] {
  const a = r[0];
  const b = r[r.length - 1];
  return a && b && (a[0] !== b[0] || a[1] !== b[1]) ? [...r, a] : r;
}

/** Douglas–Peucker on a ring (kept closed); a ring that would fall under four points keeps its original points. */
export function simplify(ring: number[][], tolerance: number): number[][] {
  if (ring.length <= 5) return ring;
  const keep = new Uint8Array(ring.length);
  keep[0] = 1;
  keep[ring.length - 1] = 1;
  const stack: [number, number][] = [[0, ring.length - 1]];
  while (stack.length) {
    const [s, e] = stack.pop() ?? [0, 0];
    const p = ring[s] ?? [0, 0];
    const q = ring[e] ?? [0, 0];
    let worst = -1;
    let at = -1;
    for (let i = s + 1; i < e; i++) {
      const d = segmentDistance(ring[i] ?? [0, 0], p, q);
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    if (at >= 0 && worst > tolerance) {
      keep[at] = 1;
      stack.push([s, at], [at, e]);
    }
  }
  const out = ring.filter((_, i) => keep[i]);
  return out.length >= 4 ? out : ring;
}

function segmentDistance(pt: number[], a: number[], b: number[]): number {
  const [x, y] = [pt[0] ?? 0, pt[1] ?? 0];
  const [x1, y1] = [a[0] ?? 0, a[1] ?? 0];
  const [x2, y2] = [b[0] ?? 0, b[1] ?? 0];
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = dx * dx + dy * dy;
  const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / len));
  return Math.hypot(x - (x1 + t * dx), y - (y1 + t * dy));
}
