/**
 * The one way the pipeline talks HTTP: through ctx.fetch and ctx.now (so tests can point it at the local emulator),
 * with a timeout per attempt, retries with exponential backoff and jitter on transient failures, Retry-After
 * honoured, an optional client-side throttle, and SourceErrors that name the URL (credentials redacted).
 *
 * Transient, retried with the same backoff: 429, 408, every 5xx, network failures and timeouts, and a 2xx whose
 * body cannot be what was asked for — empty, an HTML page (a proxy's or the server's maintenance page) or, where
 * JSON is expected, not JSON (a truncated or garbled body). 408 Request Timeout is the server saying it gave up
 * waiting for our request (RFC 9110 §15.5.9: the client may repeat it), a property of the moment, not of the
 * request. Every other 4xx is the server judging the request itself (bad value, unknown table, forbidden): sending
 * it again cannot change the answer, so it fails at once, after exactly one attempt.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.ts';
import { SourceError } from '../errors.ts';
import { assertNoUrlCredentials, redactUrl } from './redact.ts';

export interface RawResponse {
  /** The URL requested, with credentials redacted (redact.ts): this is what is stored in source_fetch and published. */
  url: string;
  method: 'GET' | 'POST';
  requestBody: string | null;
  status: number;
  contentType: string;
  body: Buffer;
  fetchedAt: Date;
  /** The response's validators (RFC 9110 §8.8), when it sent them: what a later conditional request sends back. */
  etag?: string;
  lastModified?: string;
}

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
}

export interface HttpOptions {
  /** Names the source in errors and logs, e.g. "SCB PxWeb" or "Kolada". */
  source: string;
  /** The table or KPIs the request is for, named in errors about the body. */
  tableId?: string;
  /** Shared across the calls to one server so that together they stay under its call rate. */
  throttle?: Throttle;
  /** Reject a 2xx body that is not JSON (default true). */
  expectJson?: boolean;
  /** First backoff step; doubles per retry (default 500 ms). */
  backoffMs?: number;
  /** Longest wait we accept from a Retry-After header (default 120 s); longer waits fail instead. */
  maxRetryAfterMs?: number;
  /**
   * Statuses handed back to the caller instead of thrown, e.g. 404 when probing for an optional file, or 304 Not
   * Modified answering a conditional request (the caller sent If-None-Match / If-Modified-Since in `headers`).
   */
  passStatuses?: readonly number[];
}

/**
 * Keeps at most `maxCalls` calls in any `windowMs`, measured from when calls were sent, with a margin because the
 * server counts arrivals and its window need not line up with ours. Calls are serialised through a promise chain
 * so concurrent callers cannot both take the last slot.
 */
export class Throttle {
  private readonly sent: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  private pausedUntil = 0;

  constructor(
    readonly maxCalls: number,
    readonly windowMs: number,
    private readonly now: () => number,
    private readonly marginMs = Math.min(250, windowMs * 0.1),
  ) {}

  /** Resolves with the milliseconds waited. */
  acquire(): Promise<number> {
    const turn = this.chain.then(async () => {
      let waited = 0;
      for (;;) {
        const t = this.now();
        while (this.sent.length > 0 && (this.sent[0] ?? 0) + this.windowMs + this.marginMs <= t) this.sent.shift();
        let wait = Math.max(0, this.pausedUntil - t);
        if (this.sent.length >= this.maxCalls) wait = Math.max(wait, (this.sent[0] ?? t) + this.windowMs + this.marginMs - t);
        if (wait <= 0) break;
        await sleep(wait);
        waited += wait;
        // A clock that does not move (a test's fixed ctx.now) would hold us here for ever; the sleep was real.
        if (this.now() === t) break;
      }
      this.sent.push(this.now());
      return waited;
    });
    this.chain = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** After a 429 the server's window is the truth: send nothing before it says. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}

class Timeout extends Error {}

/** The reason a run aborts its requests with when it is told to stop (SIGTERM/SIGINT): never retried. */
export class StopRequest extends Error {}

type Attempt =
  | { kind: 'response'; res: RawResponse; retryAfterMs: number | null }
  | { kind: 'network'; reason: string; cut: boolean }
  | { kind: 'timeout' }
  | { kind: 'stopped'; reason: StopRequest };

export async function httpRequest(ctx: Context, req: HttpRequest, opts: HttpOptions): Promise<RawResponse> {
  const attempts = 1 + ctx.config.httpRetries;
  const backoff = opts.backoffMs ?? 500;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 120_000;
  const what = opts.tableId ? ` (table ${opts.tableId})` : '';
  assertNoUrlCredentials(req.url, opts.source);
  const shown = redactUrl(req.url);
  let last: Attempt | undefined;
  /** Why the last 2xx could not be used, when it could not. */
  let badBody: string | null = null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (opts.throttle) {
      const waited = await opts.throttle.acquire();
      if (waited > 0) ctx.log.debug(`${opts.source}: waited ${waited} ms to stay under the call rate`, { url: shown });
    }
    last = await once(ctx, req, opts.expectJson !== false, shown);
    // A run told to stop unwinds at once instead of retrying.
    if (last.kind === 'stopped') throw last.reason;
    badBody = null;
    let retryAfterMs: number | null = null;
    if (last.kind === 'response') {
      const { res } = last;
      if (res.status >= 200 && res.status < 300) {
        badBody = unusableBody(res, opts.expectJson !== false);
        if (badBody === null) return res;
      } else {
        if (opts.passStatuses?.includes(res.status)) return res;
        if (!isTransientStatus(res.status)) {
          throw new SourceError(`${opts.source}: ${req.method} ${shown}${what} answered ${res.status}${problemTitle(res)}`);
        }
        retryAfterMs = last.retryAfterMs;
        if (retryAfterMs !== null && retryAfterMs > maxRetryAfter) {
          throw new SourceError(`${opts.source}: ${shown}${what} answered ${res.status} and asks to wait ${Math.round(retryAfterMs / 1000)} s, longer than we wait`);
        }
      }
      if (res.status === 429 && opts.throttle) opts.throttle.pause(retryAfterMs ?? backoff * 2 ** (attempt - 1));
    }
    if (attempt === attempts) break;
    // Exponential backoff with up to 25 % jitter so that parallel clients do not retry in step.
    const step = backoff * 2 ** (attempt - 1);
    const delay = Math.round(Math.max(retryAfterMs ?? 0, step) + Math.random() * step * 0.25);
    const fields = { url: shown, attempt, of: attempts, waitMs: delay };
    if (last.kind === 'response' && last.res.status === 429) {
      ctx.log.warn('W102_THROTTLED', `${opts.source}: 429 Too Many Requests; retrying in ${delay} ms`, fields);
    } else {
      const why =
        last.kind === 'response'
          ? badBody !== null
            ? `HTTP ${last.res.status} with ${badBody}`
            : `HTTP ${last.res.status}${isHtml(last.res) ? ' (an HTML page)' : ''}`
          : last.kind === 'timeout'
            ? `no answer within ${ctx.config.httpTimeoutMs} ms`
            : last.reason;
      ctx.log.warn('W101_RETRY', `${opts.source}: ${why}; retrying in ${delay} ms`, fields);
    }
    await sleep(delay);
  }
  const tries = attempts === 1 ? '' : ` (${attempts} attempts)`;
  if (!last || last.kind === 'timeout') {
    throw new SourceError(`${opts.source}: no answer from ${shown}${what} within ${ctx.config.httpTimeoutMs} ms${tries}`);
  }
  if (last.kind === 'network') {
    if (last.cut) throw new SourceError(`${opts.source}: the response from ${shown}${what} was cut off (${last.reason})${tries}`);
    throw new SourceError(`${opts.source}: cannot reach ${shown} (${last.reason})${tries}`);
  }
  if (last.kind === 'stopped') throw last.reason;
  if (badBody !== null) {
    const { res } = last;
    throw new SourceError(`${opts.source}: ${shown}${what} sent ${badBody}; ${res.body.length} bytes, ${res.contentType || 'no content type'}${tries}`);
  }
  throw new SourceError(`${opts.source}: ${req.method} ${shown}${what} still answered ${last.res.status}${problemTitle(last.res)}${tries}`);
}

/** 429 and 408 (see the header) and every 5xx are worth another attempt; any other status is final. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

async function once(ctx: Context, req: HttpRequest, json: boolean, shown: string): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Timeout()), ctx.config.httpTimeoutMs);
  let headersSeen = false;
  try {
    const res = await ctx.fetch(req.url, {
      method: req.method,
      headers: { ...(json ? { Accept: 'application/json' } : {}), ...(req.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...req.headers },
      body: req.body,
      signal: controller.signal,
    });
    headersSeen = true;
    // The timeout also covers the body: a server that sends headers and then stalls is as slow as one that never answers.
    const body = Buffer.from(await res.arrayBuffer());
    return {
      kind: 'response',
      res: {
        url: shown,
        method: req.method,
        requestBody: req.body ?? null,
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body,
        fetchedAt: ctx.now(),
        ...validators(res.headers),
      },
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), ctx.now()),
    };
  } catch (e) {
    if (controller.signal.aborted && controller.signal.reason instanceof Timeout) return { kind: 'timeout' };
    if (e instanceof StopRequest) return { kind: 'stopped', reason: e };
    return { kind: 'network', reason: networkReason(e), cut: headersSeen };
  } finally {
    clearTimeout(timer);
  }
}

function validators(h: Headers): { etag?: string; lastModified?: string } {
  const etag = h.get('etag');
  const lastModified = h.get('last-modified');
  return { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/** Seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(h: string | null, now: Date): number | null {
  if (h === null || h.trim() === '') return null;
  const s = Number(h);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const d = Date.parse(h);
  return Number.isNaN(d) ? null : Math.max(0, d - now.getTime());
}

/** undici hides the useful part (ECONNREFUSED, "other side closed") in the cause chain. */
function networkReason(e: unknown): string {
  let cur: unknown = e;
  let msg = '';
  for (let i = 0; i < 5 && cur; i++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (typeof c.message === 'string' && c.message !== '' && c.message !== 'fetch failed') msg = c.message;
    cur = c.cause;
  }
  return msg || String(e);
}

/** ` "Too many cells selected"` from a problem+json body (SCB) or a `{"detail": …}` body (Kolada); else nothing. */
function problemTitle(res: RawResponse): string {
  const { body } = res;
  if (isHtml(res)) return ' (an HTML page)';
  try {
    const p = JSON.parse(body.toString('utf8')) as { title?: unknown; detail?: unknown };
    if (typeof p.title === 'string') return ` "${p.title}"`;
    if (typeof p.detail === 'string') return ` "${p.detail}"`;
  } catch {
    // Not JSON: fall through to the text.
  }
  const text = body.toString('utf8').trim().slice(0, 200);
  return text ? ` "${text}"` : '';
}

/** An HTML page: by its content type, or by how the body starts (a proxy may send one labelled as anything). */
function isHtml(res: RawResponse): boolean {
  if (/\btext\/html\b/i.test(res.contentType)) return true;
  const head = res.body.subarray(0, 64).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** Why a 2xx body cannot be the answer asked for (a transient failure, retried), or null when it can be used. */
function unusableBody(res: RawResponse, json: boolean): string | null {
  if (res.status === 204) return null;
  if (res.body.length === 0) return 'an empty body';
  if (isHtml(res)) return 'an HTML page instead of the data (a maintenance or error page?)';
  if (!json) return null;
  try {
    JSON.parse(res.body.toString('utf8'));
    return null;
  } catch (e) {
    return `a body that is not valid JSON (${(e as Error).message})`;
  }
}
