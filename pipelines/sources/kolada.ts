/**
 * Client and parser for Kolada API v3 (SOURCES.md §3): data under /data/kpi/{ids}/municipality/{ids}/year/{years},
 * pages of at most 5000 items linked by an absolute `next_url`. Municipalities go twenty to a request (v3 admits
 * only about that many per call) and KPIs ten, so URLs stay short.
 */
import type { Context } from '../context.ts';
import { SourceError } from '../errors.ts';
import { httpRequest, type RawResponse } from './http.ts';
import { redactUrl } from './redact.ts';

const SOURCE = 'Kolada';
/** Guards against a server whose next_url never ends. */
const MAX_PAGES = 10_000;

export interface KoladaCell {
  kpi: string;
  municipality: string;
  period: number;
  gender: string;
  value: number | null;
  /** Kolada's status text ("Missing", …); null where Kolada gives an empty status. */
  status: string | null;
}

export interface KoladaOptions {
  perPage?: number;
  municipalitiesPerRequest?: number;
  kpisPerRequest?: number;
  backoffMs?: number;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * Follows next_url from a first URL, yielding every page. A next_url is followed only on the origin (scheme, host
 * and port) of the configured base URL: a page must not send the client, with whatever the URL carries, to
 * another server.
 */
async function* pages(ctx: Context, base: string, first: string, what: string, opts: KoladaOptions): AsyncGenerator<RawResponse> {
  const origin = originOf(base);
  let url: string | null = first;
  const seen = new Set<string>();
  for (let n = 0; url !== null; n++) {
    if (n >= MAX_PAGES || seen.has(url)) throw new SourceError(`${SOURCE}: paging of ${redactUrl(first)} does not end (next_url ${redactUrl(url)})`);
    seen.add(url);
    const raw = await httpRequest(ctx, { url, method: 'GET' }, { source: SOURCE, tableId: what, backoffMs: opts.backoffMs });
    yield raw;
    url = nextUrl(raw, url);
    if (url !== null && originOf(url) !== origin) {
      throw new SourceError(`${SOURCE}: ${raw.url} gives next_url ${redactUrl(url)}, on another server than the configured Kolada base URL ${redactUrl(base)}; not followed`);
    }
  }
}

/** `scheme://host:port` (default ports dropped), or the URL itself when it does not parse (never equal to a real origin). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return `unparsable:${url}`;
  }
}

function nextUrl(raw: RawResponse, current: string): string | null {
  const body = JSON.parse(raw.body.toString('utf8')) as { next_url?: unknown };
  if (body.next_url === undefined || body.next_url === null || body.next_url === '') return null;
  if (typeof body.next_url !== 'string') throw new SourceError(`${SOURCE}: ${raw.url}: next_url is ${redactUrl(JSON.stringify(body.next_url))}, expected a URL`);
  // v3 gives absolute URLs; resolve anyway so a relative one would still work.
  try {
    return new URL(body.next_url, current).href;
  } catch {
    throw new SourceError(`${SOURCE}: ${raw.url}: next_url ${redactUrl(JSON.stringify(body.next_url))} is not a URL`);
  }
}

export async function* koladaData(
  ctx: Context,
  base: string,
  kpis: string[],
  municipalities: string[],
  years: number[],
  opts: KoladaOptions = {},
): AsyncGenerator<RawResponse> {
  base = base.replace(/\/+$/, '');
  const perPage = opts.perPage ?? 5000;
  for (const k of chunks(kpis, opts.kpisPerRequest ?? 10)) {
    for (const m of chunks(municipalities, opts.municipalitiesPerRequest ?? 20)) {
      const url = `${base}/data/kpi/${k.map(encodeURIComponent).join(',')}/municipality/${m.map(encodeURIComponent).join(',')}/year/${years.join(',')}`;
      yield* pages(ctx, base, perPage === 5000 ? url : `${url}?per_page=${perPage}`, k.join(','), opts);
    }
  }
}

export interface KoladaMunicipality {
  id: string;
  title: string;
  type: string;
}

/** All municipalities and regions (id, title, type K or L), with the raw pages for the cache. */
export async function koladaMunicipalities(ctx: Context, base: string, opts: KoladaOptions = {}): Promise<{ values: KoladaMunicipality[]; raw: RawResponse[] }> {
  const raw: RawResponse[] = [];
  const values: KoladaMunicipality[] = [];
  for await (const r of pages(ctx, base, `${base.replace(/\/+$/, '')}/municipality`, 'municipality', opts)) {
    raw.push(r);
    for (const v of listValues(r)) values.push({ id: String(v.id), title: String(v.title), type: String(v.type) });
  }
  return { values, raw };
}

/** KPI metadata objects as Kolada sends them (the twelve v3 keys). */
export async function koladaKpis(ctx: Context, base: string, ids: string[], opts: KoladaOptions = {}): Promise<{ values: Record<string, unknown>[]; raw: RawResponse[] }> {
  const raw: RawResponse[] = [];
  const values: Record<string, unknown>[] = [];
  for (const k of chunks(ids, opts.kpisPerRequest ?? 10)) {
    for await (const r of pages(ctx, base, `${base.replace(/\/+$/, '')}/kpi/${k.join(',')}`, k.join(','), opts)) {
      raw.push(r);
      values.push(...listValues(r));
    }
  }
  return { values, raw };
}

function listValues(r: RawResponse): Record<string, unknown>[] {
  const body = JSON.parse(r.body.toString('utf8')) as { values?: unknown };
  if (!Array.isArray(body.values)) throw new SourceError(`${SOURCE}: ${r.url}: expected "values" to be an array`);
  return body.values as Record<string, unknown>[];
}

export function parseKoladaData(body: string | Buffer, where: { url?: string; kpis?: string } = {}): KoladaCell[] {
  const from = `${SOURCE}${where.url ? ` ${where.url}` : ''}${where.kpis ? ` (${where.kpis})` : ''}`;
  const fail = (what: string): never => {
    throw new SourceError(`${from}: ${what}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  const values = (doc as { values?: unknown } | null)?.values;
  if (!Array.isArray(values)) return fail('expected an object with a "values" array');
  const out: KoladaCell[] = [];
  values.forEach((item: unknown, i) => {
    const it = item as { kpi?: unknown; municipality?: unknown; period?: unknown; values?: unknown };
    if (typeof it?.kpi !== 'string' || typeof it.municipality !== 'string') fail(`values[${i}]: expected "kpi" and "municipality" strings`);
    const period = Number(it.period);
    if (!Number.isInteger(period)) fail(`values[${i}]: period ${JSON.stringify(it.period)} is not a year`);
    if (!Array.isArray(it.values)) fail(`values[${i}]: expected a "values" array`);
    for (const v of it.values as unknown[]) {
      const g = v as { gender?: unknown; value?: unknown; status?: unknown };
      let value: number | null;
      if (g.value === null || g.value === undefined) value = null;
      else if (typeof g.value === 'number' && Number.isFinite(g.value)) value = g.value;
      else return fail(`values[${i}] (${String(it.kpi)} ${String(it.municipality)} ${period}): value ${JSON.stringify(g.value)} is not a number`);
      const status = typeof g.status === 'string' && g.status !== '' ? g.status : null;
      out.push({ kpi: it.kpi as string, municipality: it.municipality as string, period, gender: typeof g.gender === 'string' ? g.gender : 'T', value, status });
    }
  });
  return out;
}

export interface KoladaMunicipalityGroup {
  id: string;
  title: string;
  members: { id: string; title: string }[];
}

/**
 * Every municipality group (`/municipality_groups`, {id, title, members:[{member_id, member_title}]}), with the raw
 * pages for the cache. A group without an id, title or members array fails, naming the page and the group.
 */
export async function koladaMunicipalityGroups(ctx: Context, base: string, opts: KoladaOptions = {}): Promise<{ values: KoladaMunicipalityGroup[]; raw: RawResponse[] }> {
  const raw: RawResponse[] = [];
  const values: KoladaMunicipalityGroup[] = [];
  for await (const r of pages(ctx, base, `${base.replace(/\/+$/, '')}/municipality_groups`, 'municipality_groups', opts)) {
    raw.push(r);
    values.push(...parseMunicipalityGroups(r.body, r.url));
  }
  return { values, raw };
}

export function parseMunicipalityGroups(body: Buffer | string, url: string): KoladaMunicipalityGroup[] {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (e) {
    throw new SourceError(`${SOURCE} ${url}: not valid JSON (${(e as Error).message})`);
  }
  const list = (doc as { values?: unknown } | null)?.values;
  if (!Array.isArray(list)) throw new SourceError(`${SOURCE} ${url}: expected an object with a "values" array`);
  return list.map((g: unknown, i) => {
    const o = g as { id?: unknown; title?: unknown; members?: unknown };
    if (typeof o?.id !== 'string' || typeof o.title !== 'string' || !Array.isArray(o.members)) {
      throw new SourceError(`${SOURCE} ${url}: values[${i}]: expected a group {id, title, members[]}, got ${JSON.stringify(g).slice(0, 120)}`);
    }
    const members = (o.members as unknown[]).map((m, j) => {
      const mm = m as { member_id?: unknown; member_title?: unknown };
      if (typeof mm?.member_id !== 'string') throw new SourceError(`${SOURCE} ${url}: values[${i}] (${o.id as string}) members[${j}]: expected a member_id string`);
      return { id: mm.member_id, title: typeof mm.member_title === 'string' ? mm.member_title : mm.member_id };
    });
    return { id: o.id, title: o.title, members };
  });
}
