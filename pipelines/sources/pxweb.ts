/**
 * Client for SCB's PxWebApi 2.0. It reads /config once per server and run (limits), keeps every later call under
 * the server's call rate, and splits a data selection into requests that each stay under maxDataCells (by Region
 * chunks first, then by Tid). It returns raw responses: the ingest stage stores each under its hash before parsing.
 */
import type { Context } from '../context.ts';
import { SourceError } from '../errors.ts';
import { httpRequest, type RawResponse, Throttle } from './http.ts';
import { jsonStatDimensions } from './jsonstat.ts';

const SOURCE = 'SCB PxWeb';

export interface PxConfig {
  apiVersion: string;
  defaultLanguage: string;
  maxDataCells: number;
  maxCallsPerTimeWindow: number;
  /** Seconds. */
  timeWindow: number;
  dataFormats: string[];
  raw: RawResponse;
}

export interface PxVariable {
  code: string;
  label: string;
  values: string[];
  valueLabels: string[];
  /** May be left out of a selection (the server then eliminates it). */
  elimination: boolean;
  isTime: boolean;
  isContents: boolean;
}

export interface PxMetadata {
  tableId: string;
  label: string;
  updated: string | null;
  variables: PxVariable[];
  raw: RawResponse;
}

/** Variable code → value codes or selection expressions (`*`, `01*`, `TOP(3)`, `RANGE(2017,2020)` …). */
export type PxSelection = Record<string, string[]>;

export interface PxDataOptions {
  lang?: string;
  /** Passed to httpRequest; tests shorten it. */
  backoffMs?: number;
}

interface Session {
  config?: Promise<PxConfig>;
  throttle?: Throttle;
  metadata: Map<string, Promise<PxMetadata>>;
}

// One session per context and server: the config is read once and the throttle sees every call of the run.
const sessions = new WeakMap<Context, Map<string, Session>>();

function session(ctx: Context, base: string): Session {
  let byBase = sessions.get(ctx);
  if (!byBase) sessions.set(ctx, (byBase = new Map()));
  let s = byBase.get(base);
  if (!s) byBase.set(base, (s = { metadata: new Map() }));
  return s;
}

function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

export function pxConfig(ctx: Context, base: string, opts: { backoffMs?: number } = {}): Promise<PxConfig> {
  base = trimBase(base);
  const s = session(ctx, base);
  if (!s.config) {
    s.config = (async () => {
      const raw = await httpRequest(ctx, { url: `${base}/config`, method: 'GET' }, { source: SOURCE, backoffMs: opts.backoffMs });
      const c = JSON.parse(raw.body.toString('utf8')) as Record<string, unknown>;
      const int = (k: string, dflt: number): number => {
        const v = c[k];
        if (v === undefined) return dflt;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new SourceError(`${SOURCE}: ${raw.url}: "${k}" is ${JSON.stringify(v)}, expected a positive integer`);
        return v;
      };
      const cfg: PxConfig = {
        apiVersion: String(c.apiVersion ?? ''),
        defaultLanguage: String(c.defaultLanguage ?? 'sv'),
        // Without a stated limit, assume SCB's published ones.
        maxDataCells: int('maxDataCells', 150_000),
        maxCallsPerTimeWindow: int('maxCallsPerTimeWindow', 30),
        timeWindow: int('timeWindow', 10),
        dataFormats: Array.isArray(c.dataFormats) ? c.dataFormats.map(String) : [],
        raw,
      };
      s.throttle = new Throttle(cfg.maxCallsPerTimeWindow, cfg.timeWindow * 1000, () => ctx.now().getTime());
      return cfg;
    })();
    // A failed read must not stick: the next caller tries again.
    s.config.catch(() => {
      s.config = undefined;
    });
  }
  return s.config;
}

export function pxMetadata(ctx: Context, base: string, tableId: string, opts: PxDataOptions = {}): Promise<PxMetadata> {
  base = trimBase(base);
  const s = session(ctx, base);
  const key = `${tableId}|${opts.lang ?? 'sv'}`;
  let p = s.metadata.get(key);
  if (!p) {
    p = (async () => {
      await pxConfig(ctx, base, opts);
      const url = `${base}/tables/${encodeURIComponent(tableId)}/metadata?lang=${opts.lang ?? 'sv'}`;
      const raw = await httpRequest(ctx, { url, method: 'GET' }, { source: SOURCE, tableId, throttle: s.throttle, backoffMs: opts.backoffMs });
      return parseMetadata(raw, tableId);
    })();
    s.metadata.set(key, p);
    p.catch(() => s.metadata.delete(key));
  }
  return p;
}

/** A table as `GET /tables/{id}` describes it (TableResponse in PxAPI-2.yml): no variables, a few hundred bytes. */
export interface PxTableInfo {
  id: string;
  label: string;
  /** When the figures in the table were last updated (UTC, ISO 8601, e.g. "2026-05-29T06:00:00Z"); null if not stated. */
  updated: string | null;
  firstPeriod: string;
  lastPeriod: string;
  /** SCB no longer updates the table with new figures (null or absent: not stated). */
  discontinued: boolean | null;
  raw: RawResponse;
}

/**
 * `GET /tables/{id}`: what the release watch and the ingest's change check need (updated, lastPeriod) without
 * the metadata, whose Region variable alone is several hundred kilobytes. Under the same throttle as every call.
 */
export async function pxTableInfo(ctx: Context, base: string, tableId: string, opts: PxDataOptions = {}): Promise<PxTableInfo> {
  base = trimBase(base);
  await pxConfig(ctx, base, opts);
  const s = session(ctx, base);
  const url = `${base}/tables/${encodeURIComponent(tableId)}?lang=${opts.lang ?? 'en'}`;
  const raw = await httpRequest(ctx, { url, method: 'GET' }, { source: SOURCE, tableId, throttle: s.throttle, backoffMs: opts.backoffMs });
  let t: Record<string, unknown>;
  try {
    t = JSON.parse(raw.body.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new SourceError(`${SOURCE}: ${raw.url}: not valid JSON (${(e as Error).message})`);
  }
  const text = (k: string): string => {
    const v = t[k];
    if (typeof v !== 'string' || v === '') throw new SourceError(`${SOURCE}: ${raw.url}: "${k}" is ${JSON.stringify(v)}, expected a non-empty string (TableResponse)`);
    return v;
  };
  // Required by the API, but a missing one only means "ask again and fetch": the caller decides.
  const updated = typeof t.updated === 'string' && t.updated !== '' ? t.updated : null;
  if (updated !== null && Number.isNaN(Date.parse(updated))) throw new SourceError(`${SOURCE}: ${raw.url}: "updated" is ${JSON.stringify(updated)}, expected a date and time`);
  if (String(t.id ?? '').toLowerCase() !== tableId.toLowerCase()) throw new SourceError(`${SOURCE}: ${raw.url}: answered for table ${JSON.stringify(t.id)}, not ${tableId}`);
  return {
    id: String(t.id),
    label: typeof t.label === 'string' ? t.label : tableId,
    updated,
    firstPeriod: text('firstPeriod'),
    lastPeriod: text('lastPeriod'),
    discontinued: typeof t.discontinued === 'boolean' ? t.discontinued : null,
    raw,
  };
}

export function parseMetadata(raw: RawResponse, tableId: string): PxMetadata {
  const where = { tableId, url: raw.url };
  const ds = JSON.parse(raw.body.toString('utf8')) as Record<string, unknown>;
  const dims = jsonStatDimensions(ds, where);
  const role = (ds.role ?? {}) as { time?: string[]; metric?: string[] };
  const dimension = ds.dimension as Record<string, { label?: string; category?: { label?: Record<string, string> }; extension?: { elimination?: boolean } }>;
  const variables = dims.map((d): PxVariable => {
    const j = dimension[d.id];
    const labels = j?.category?.label ?? {};
    return {
      code: d.id,
      label: j?.label ?? d.id,
      values: d.codes,
      valueLabels: d.codes.map((c) => labels[c] ?? c),
      elimination: j?.extension?.elimination === true,
      isTime: role.time?.includes(d.id) ?? d.id === 'Tid',
      isContents: role.metric?.includes(d.id) ?? d.id === 'ContentsCode',
    };
  });
  return { tableId, label: String(ds.label ?? tableId), updated: typeof ds.updated === 'string' ? ds.updated : null, variables, raw };
}

/**
 * Fetches a selection from a table, in as many POSTs as the server's cell limit requires. Yields each raw
 * response as it arrives so the caller can store it before the next one is fetched.
 */
export async function* pxData(ctx: Context, base: string, tableId: string, selection: PxSelection, opts: PxDataOptions = {}): AsyncGenerator<RawResponse> {
  base = trimBase(base);
  const cfg = await pxConfig(ctx, base, opts);
  const s = session(ctx, base);
  let explicit = selection;
  if (Object.values(selection).some((codes) => codes.some(isExpression))) {
    const meta = await pxMetadata(ctx, base, tableId, opts);
    explicit = expandSelection(meta, selection);
  }
  const parts = planRequests(explicit, cfg.maxDataCells, tableId);
  if (parts.length > 1) {
    // Splitting is routine, not a problem: logged at info, still under its catalogue id.
    ctx.log.info(`${SOURCE}: ${tableId} selects ${cellCount(explicit)} cells, more than the server's ${cfg.maxDataCells}; fetching it in ${parts.length} requests`, {
      id: 'W103_SPLIT_REQUEST',
      table: tableId,
      requests: parts.length,
    });
  }
  const url = `${base}/tables/${encodeURIComponent(tableId)}/data?lang=${opts.lang ?? 'sv'}&outputFormat=json-stat2`;
  // One request: send the selection as written (expressions and all) so the stored request is the one asked for.
  const bodies = parts.length === 1 ? [selection] : parts;
  for (const part of bodies) {
    const body = JSON.stringify({ selection: Object.entries(part).map(([variableCode, valueCodes]) => ({ variableCode, valueCodes })) });
    yield await httpRequest(ctx, { url, method: 'POST', body }, { source: SOURCE, tableId, throttle: s.throttle, backoffMs: opts.backoffMs });
  }
}

function cellCount(sel: PxSelection): number {
  // A variable left out or given no values is eliminated and counts as one.
  return Object.values(sel).reduce((a, codes) => a * Math.max(1, codes.length), 1);
}

export function isExpression(code: string): boolean {
  return code.includes('*') || code.includes('?') || /^(TOP|BOTTOM|RANGE|FROM|TO)\(.*\)$/i.test(code);
}

/** Splits a selection of explicit codes into parts of at most maxCells cells: Region first, then Tid, then the rest. */
export function planRequests(sel: PxSelection, maxCells: number, tableId = ''): PxSelection[] {
  const vars = Object.keys(sel);
  const chunk: Record<string, number> = {};
  for (const v of vars) chunk[v] = Math.max(1, sel[v]?.length ?? 0);
  const product = (): number => vars.reduce((a, v) => a * (chunk[v] ?? 1), 1);
  const order = [
    ...vars.filter((v) => v === 'Region'),
    ...vars.filter((v) => v === 'Tid'),
    ...vars.filter((v) => v !== 'Region' && v !== 'Tid').sort((a, b) => (sel[b]?.length ?? 0) - (sel[a]?.length ?? 0)),
  ];
  for (const v of order) {
    if (product() <= maxCells) break;
    const others = product() / (chunk[v] ?? 1);
    chunk[v] = Math.max(1, Math.floor(maxCells / others));
  }
  // Only reachable with a limit below one cell, which a sane server never states.
  if (product() > maxCells) throw new SourceError(`${SOURCE}: cannot split the selection of ${tableId} under ${maxCells} cells per request`);
  let parts: PxSelection[] = [{}];
  for (const v of vars) {
    const codes = sel[v] ?? [];
    const size = chunk[v] ?? 1;
    const pieces: string[][] = [];
    if (codes.length === 0) pieces.push([]);
    for (let i = 0; i < codes.length; i += size) pieces.push(codes.slice(i, i + size));
    const next: PxSelection[] = [];
    for (const p of parts) for (const piece of pieces) next.push({ ...p, [v]: piece });
    parts = next;
  }
  return parts;
}

/**
 * Resolves selection expressions against the table's values, as the server would, so the cells can be counted.
 * What the metadata cannot resolve (an unknown variable or value, a malformed expression) is passed through as
 * written: the server is the judge, and its problem title makes the better error message.
 */
export function expandSelection(meta: PxMetadata, sel: PxSelection): PxSelection {
  const out: PxSelection = {};
  for (const [code, exprs] of Object.entries(sel)) {
    const v = meta.variables.find((x) => x.code.toLowerCase() === code.toLowerCase());
    if (!v) {
      out[code] = exprs;
      continue;
    }
    const picked = new Set<number>();
    const unresolved: string[] = [];
    for (const e of exprs) {
      const got = expandOne(v, e);
      if (got === null) unresolved.push(e);
      else for (const i of got) picked.add(i);
    }
    out[v.code] = [...[...picked].sort((a, b) => a - b).map((i) => v.values[i] ?? ''), ...unresolved];
  }
  return out;
}

function expandOne(v: PxVariable, expr: string): number[] | null {
  const idx = (code: string): number => v.values.findIndex((x) => x.toLowerCase() === code.trim().toLowerCase());
  const all = v.values.map((_, i) => i);
  const direct = idx(expr);
  if (direct >= 0) return [direct];
  if (expr.includes('*') || expr.includes('?')) {
    // SCB allows a star only at the start and/or the end; anything else is left for the server to refuse.
    const inner = expr.replace(/^\*/, '').replace(/\*$/, '');
    if (inner.includes('*')) return null;
    const re = new RegExp(`^${expr.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
    return all.filter((i) => re.test(v.values[i] ?? ''));
  }
  const m = /^(TOP|BOTTOM|RANGE|FROM|TO)\((.*)\)$/i.exec(expr);
  const fn = m?.[1]?.toUpperCase();
  const args = m?.[2]?.split(',').map((s) => s.trim()) ?? [];
  if (fn === 'TOP' || fn === 'BOTTOM') {
    const count = Number(args[0]);
    const offset = Number(args[1] ?? 0);
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(offset) || offset < 0) return null;
    // The latest periods are the top ones for time; otherwise TOP means the first values.
    const fromEnd = (fn === 'TOP') === v.isTime;
    return (fromEnd ? [...all].reverse() : all).slice(offset, offset + count);
  }
  if (fn === 'RANGE') {
    const a = idx(args[0] ?? '');
    const b = idx(args[1] ?? '');
    return a < 0 || b < 0 ? null : all.slice(Math.min(a, b), Math.max(a, b) + 1);
  }
  if (fn === 'FROM' || fn === 'TO') {
    const a = idx(args[0] ?? '');
    if (a < 0) return null;
    return fn === 'FROM' ? all.slice(a) : all.slice(0, a + 1);
  }
  return null;
}
