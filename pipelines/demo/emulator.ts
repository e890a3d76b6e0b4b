/**
 * A local stand-in for SCB's PxWebApi 2.0 (under /api/v2) and Kolada's API v3 (under /v3) serving a DemoWorld,
 * so that `--demo` and the tests run the real clients over real HTTP on 127.0.0.1. It keeps SCB's limits (cells
 * per request, calls per time window → 429 with Retry-After) and can inject faults (error statuses, slow, cut-off
 * or malformed bodies) to exercise the clients' retries and error messages.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { StaticKeyFiles } from './area-keys.ts';
import type { DemoWorld } from './world.ts';
import { fileURLToPath } from 'node:url';
import { loadStoredMetadata, storedTableIds, type TableMetadata } from '../sources/table-metadata.ts';
import { WorldIndex } from './cubes.ts';
import { KoladaApi } from './emulator-kolada.ts';
import { WfsApi } from './emulator-wfs.ts';
import { problem, PxwebApi, type Reply } from './emulator-pxweb.ts';

export type FaultRule =
  | { path?: RegExp; method?: 'GET' | 'POST'; kind: 'status'; status: number; times?: number; retryAfter?: number }
  | { path?: RegExp; method?: 'GET' | 'POST'; kind: 'slow'; ms: number; times?: number }
  /** Sends the headers and half the body, then drops the connection. */
  | { path?: RegExp; method?: 'GET' | 'POST'; kind: 'cut'; times?: number }
  /** Sends a complete response whose body is not valid JSON. */
  | { path?: RegExp; method?: 'GET' | 'POST'; kind: 'malformed'; times?: number }
  /** A complete 2xx with no body at all (status defaults to 200). */
  | { path?: RegExp; method?: 'GET' | 'POST'; kind: 'empty'; status?: number; times?: number }
  /** An HTML maintenance page, as a proxy or the server sends it while down (status defaults to 503; 200 happens too). */
  | { path?: RegExp; method?: 'GET' | 'POST'; kind: 'html'; status?: number; times?: number }
  /**
   * A JSON-stat data response with one more Region category `code` (values copied from the first region), as if SCB
   * served a code no area register has (tests of the ingest's area check). Other responses pass unchanged.
   */
  | { path?: RegExp; method?: 'GET' | 'POST'; kind: 'extraRegion'; code: string; times?: number };

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  limits?: {
    /** Largest number of cells one data request may select (SCB: 150000). */
    maxDataCells?: number;
    /** Calls per client and time window before 429 (SCB: 30). */
    maxCallsPerTimeWindow?: number;
    /** Seconds (SCB: 10). */
    timeWindow?: number;
  };
  /** Rules are tried in order; `times` (default unlimited) counts how often a rule may still fire. */
  faults?: FaultRule[];
  /**
   * Folder holding metadata/scb (SCB's table metadata, which defines the tables served) and metadata/kolada.
   * Defaults to the project's data/. The project's catalogue (sources.json) is never read.
   */
  dataDir?: string;
  /** Tables to serve instead of those stored under dataDir (tests). */
  tables?: TableMetadata[];
  /**
   * The scheme://host:port written into the links the emulator returns (Kolada's next_url, PxWeb's links) instead of
   * the one the request came to: a server behind a proxy that names another host (tests of where clients follow).
   */
  publicUrl?: string;
}

export interface RunningEmulator {
  url: string;
  scbBaseUrl: string;
  koladaBaseUrl: string;
  /** SCB WFS stand-in (DeSO/RegSO outlines). */
  geoBaseUrl: string;
  /** Requests received so far (all paths, faults included). */
  readonly requests: number;
  /** Every request received so far, as `METHOD /path?query` (tests check which calls a client made). */
  readonly requestLog: readonly string[];
  /** Every response sent so far, as `STATUS METHOD /path?query` (tests tell a 304 from a body sent). */
  readonly responseLog: readonly string[];
  /** Replaces (or adds) an area key file under /keys/: new body, new ETag, later Last-Modified (a new SCB key). */
  setKeyFile(name: string, body: string): void;
  /** Replaces the fault rules (tests switch faults on and off between cases). */
  setFaults(faults: FaultRule[]): void;
  /** Moves an SCB table's `updated` (tests simulate a new release; see PxwebApi.setUpdated). */
  setUpdated(tableId: string, updated: string): void;
  /** Moves a Kolada KPI's publication fields (tests simulate a new release; see KoladaApi.setRelease). */
  setKpiRelease(kpi: string, fields: { publication_date?: string; publ_period?: string; prel_publication_date?: string | null }): void;
  close(): Promise<void>;
}

interface ActiveFault {
  rule: FaultRule;
  left: number;
}

/**
 * SCB's PxWebApi limits calls per client IP with AspNetCoreRateLimit: a fixed window that starts at the client's
 * first call, `GET /config` exempt, refused calls not counted, 429 with Retry-After and a plain-text message.
 */
class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds to wait, or 0 when the call may proceed (and is then counted). */
  check(client: string, now: number): number {
    let w = this.windows.get(client);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(client, w);
    }
    if (w.count >= this.max) return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    w.count++;
    return 0;
  }
}

export async function startEmulator(world: DemoWorld, opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const limits = {
    maxDataCells: opts.limits?.maxDataCells ?? 150_000,
    maxCallsPerTimeWindow: opts.limits?.maxCallsPerTimeWindow ?? 30,
    timeWindow: opts.limits?.timeWindow ?? 10,
  };
  const dataDir = opts.dataDir ?? fileURLToPath(new URL('../../data', import.meta.url));
  const tables = opts.tables ?? storedTableIds(dataDir).map((id) => loadStoredMetadata(dataDir, id)).filter((m): m is TableMetadata => m !== undefined);
  const index = new WorldIndex(world);
  const pxweb = new PxwebApi(index, tables, limits);
  const kolada = new KoladaApi(index, dataDir);
  const wfs = new WfsApi(index, dataDir);
  const keyFiles = new StaticKeyFiles(world);
  const limiter = new RateLimiter(limits.maxCallsPerTimeWindow, limits.timeWindow * 1000);
  let faults: ActiveFault[] = (opts.faults ?? []).map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }));
  let requests = 0;
  const requestLog: string[] = [];
  const responseLog: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const route = (req: IncomingMessage, body: string, url: URL): Reply => {
    const origin = opts.publicUrl?.replace(/\/+$/, '') ?? `http://${req.headers.host ?? url.host}`;
    const method = req.method ?? 'GET';
    if (url.pathname === '/api/v2' || url.pathname.startsWith('/api/v2/')) {
      const path = url.pathname.slice('/api/v2'.length);
      const isConfig = /^\/config\/?$/i.test(path) && method === 'GET';
      if (!isConfig) {
        const wait = limiter.check(req.socket.remoteAddress ?? 'unknown', Date.now());
        if (wait > 0) {
          return {
            status: 429,
            contentType: 'text/plain',
            body: `API calls quota exceeded! maximum admitted ${limits.maxCallsPerTimeWindow} per ${limits.timeWindow}s.`,
            headers: { 'Retry-After': String(wait) },
          };
        }
      }
      return pxweb.handle(method, path, url.searchParams, body, origin);
    }
    if (url.pathname === '/v3' || url.pathname.startsWith('/v3/')) {
      return kolada.handle(method, url.pathname.slice('/v3'.length), url.searchParams, origin);
    }
    // SCB's WFS for DeSO/RegSO outlines (emulator-wfs.ts: synthetic polygons inside each kommun).
    if (url.pathname === '/geoserver/stat/wfs') return wfs.handle(method, url.searchParams);
    // SCB publishes its area keys as files on scb.se, outside the API; the demo serves them beside it, with the
    // ETag/Last-Modified and 304 answers of a static file server.
    const key = url.pathname.startsWith('/keys/') ? keyFiles.serve(url.pathname.slice('/keys/'.length), method, req.headers) : undefined;
    if (key !== undefined) return key;
    return problem(404, 'Not found');
  };

  /** `request` is the request as requestLog has it, for responseLog. */
  const send = (res: ServerResponse, reply: Reply, fault: FaultRule | undefined, request: string): void => {
    if (res.destroyed) return;
    responseLog.push(`${reply.status} ${request}`);
    let body = Buffer.from(fault?.kind === 'extraRegion' && reply.status === 200 ? withExtraRegion(reply.body, fault.code) : reply.body, 'utf8');
    if (fault?.kind === 'malformed') {
      // A body that stops mid-way but arrives complete: what a broken proxy or a crashed serializer sends.
      body = Buffer.concat([body.subarray(0, Math.max(1, Math.floor(body.length * 0.6))), Buffer.from('<!-- upstream error -->')]);
    }
    res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': String(body.length), ...(reply.headers ?? {}) });
    if (fault?.kind === 'cut') {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      // Let the first half leave before the connection goes, so the client sees a short body, not a refused call.
      const t = setTimeout(() => {
        timers.delete(t);
        res.socket?.destroy();
      }, 20);
      timers.add(t);
      return;
    }
    res.end(body);
  };

  const server = createServer((req, res) => {
    requests++;
    requestLog.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const active = faults.find((f) => f.left > 0 && (!f.rule.method || f.rule.method === method) && (!f.rule.path || f.rule.path.test(url.pathname + url.search)));
      if (active) active.left--;
      const fault = active?.rule;
      const answer = (): void => {
        let reply: Reply;
        if (fault?.kind === 'empty') {
          reply = { status: fault.status ?? 200, contentType: 'application/json', body: '' };
        } else if (fault?.kind === 'html') {
          reply = {
            status: fault.status ?? 503,
            contentType: 'text/html; charset=utf-8',
            body: '<!DOCTYPE html>\n<html><head><title>Underhåll</title></head><body><h1>Planerat underhåll</h1><p>Tjänsten är tillfälligt otillgänglig.</p></body></html>\n',
          };
        } else if (fault?.kind === 'status') {
          reply = problem(fault.status, fault.status === 429 ? 'Too Many Requests' : fault.status >= 500 ? 'Internal Server Error' : 'Error');
          if (fault.retryAfter !== undefined) reply.headers = { 'Retry-After': String(fault.retryAfter) };
        } else {
          try {
            reply = route(req, Buffer.concat(chunks).toString('utf8'), url);
          } catch (e) {
            reply = problem(500, 'Internal Server Error', (e as Error).message);
          }
        }
        send(res, reply, fault, `${method} ${req.url ?? '/'}`);
      };
      if (fault?.kind === 'slow') {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, fault.ms);
        timers.add(t);
      } else {
        answer();
      }
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    scbBaseUrl: `${url}/api/v2`,
    koladaBaseUrl: `${url}/v3`,
    geoBaseUrl: `${url}/geoserver/stat/wfs`,
    get requests() {
      return requests;
    },
    requestLog,
    responseLog,
    setKeyFile(name: string, body: string) {
      keyFiles.set(name, body);
    },
    setFaults(next: FaultRule[]) {
      faults = next.map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }));
    },
    setUpdated(tableId: string, updated: string) {
      pxweb.setUpdated(tableId, updated);
    },
    setKpiRelease(kpi: string, fields: { publication_date?: string; publ_period?: string; prel_publication_date?: string | null }) {
      kolada.setRelease(kpi, fields);
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

/**
 * A JSON-stat 2.0 dataset with one more category `code` appended to its Region dimension, each new cell a copy of
 * the first region's (value and status). Text that is not such a dataset is returned as it was.
 */
export function withExtraRegion(text: string, code: string): string {
  let ds: unknown;
  try {
    ds = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof ds !== 'object' || ds === null) return text;
  const d = ds as { class?: unknown; id?: unknown; size?: unknown; dimension?: Record<string, { category?: { index?: unknown; label?: Record<string, string> } }>; value?: unknown; status?: unknown };
  if (d.class !== 'dataset' || !Array.isArray(d.id) || !Array.isArray(d.size) || !Array.isArray(d.value)) return text;
  const ids = d.id as string[];
  const size = d.size as number[];
  const r = ids.indexOf('Region');
  const cat = d.dimension?.Region?.category;
  if (r < 0 || !cat || (size[r] ?? 0) === 0) return text;
  const n = size[r] ?? 0;
  if (Array.isArray(cat.index)) cat.index.push(code);
  else if (typeof cat.index === 'object' && cat.index !== null) (cat.index as Record<string, number>)[code] = n;
  else return text;
  if (cat.label) cat.label[code] = `Okänt område ${code}`;
  // Row-major cells: `inner` cells per Region category, `outer` blocks of Region categories.
  const inner = size.slice(r + 1).reduce((a, b) => a * b, 1);
  const outer = size.slice(0, r).reduce((a, b) => a * b, 1);
  const oldValue = d.value as unknown[];
  const oldStatus = d.status;
  const value: unknown[] = [];
  const status: Record<string, unknown> = {};
  const statusOf = (i: number): unknown =>
    Array.isArray(oldStatus) ? oldStatus[i] : typeof oldStatus === 'object' && oldStatus !== null ? (oldStatus as Record<string, unknown>)[String(i)] : typeof oldStatus === 'string' ? oldStatus : undefined;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k <= n; k++) {
      const from = k < n ? k : 0;
      for (let j = 0; j < inner; j++) {
        const old = (o * n + from) * inner + j;
        const st = statusOf(old);
        if (st !== undefined && st !== null) status[String(value.length)] = st;
        value.push(oldValue[old] ?? null);
      }
    }
  }
  size[r] = n + 1;
  d.value = value;
  if (oldStatus !== undefined) d.status = status;
  return JSON.stringify(d);
}
