import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../pipelines/config.ts';
import { loadConfig } from '../../pipelines/config.ts';
import type { Context } from '../../pipelines/context.ts';
import { startEmulator, type RunningEmulator } from '../../pipelines/demo/emulator.ts';
import { withConnection, query } from '../../pipelines/db.ts';
import { SourceError, UsageError } from '../../pipelines/errors.ts';
import { createLogger } from '../../pipelines/log.ts';
import { runStages, ALL_STAGES } from '../../pipelines/run.ts';
import { httpRequest, type RawResponse } from '../../pipelines/sources/http.ts';
import { koladaData } from '../../pipelines/sources/kolada.ts';
import { pxData, pxMetadata } from '../../pipelines/sources/pxweb.ts';
import { redactText, redactUrl } from '../../pipelines/sources/redact.ts';
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { startTinyPipeline } from '../helpers/tiny-pipeline.ts';
import { all, errorOf } from '../helpers/async.ts';

const world = tinyWorld();
const FAST = { backoffMs: 10 };

interface Line {
  id?: string;
  msg: string;
  level: string;
  url?: string;
}

function makeCtx(over: Partial<Record<keyof Config, unknown>> = {}): { ctx: Context; logs: () => Line[]; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const config = loadConfig({ httpTimeoutMs: 5000, httpRetries: 3, ...over }, { root: mkdtempSync(join(tmpdir(), 'segfollow-http-')), env: {} });
  return {
    ctx: { config, log: createLogger({ format: 'json', level: 'debug', stream }), fetch: globalThis.fetch, now: () => new Date() },
    logs: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line),
    text: () => lines.join(''),
  };
}


let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator(world, { limits: { maxDataCells: 100_000, maxCallsPerTimeWindow: 1000, timeWindow: 10 } });
});
afterAll(async () => {
  await emu?.close();
});

/** Requests the emulator received for paths matching `re` while `fn` ran. */
async function counted(re: RegExp, fn: () => Promise<unknown>): Promise<number> {
  const from = emu.requestLog.length;
  await fn();
  return emu.requestLog.slice(from).filter((l) => re.test(l)).length;
}

describe('transient bodies are retried like a 5xx', () => {
  it('one malformed 2xx body, then a good one: succeeds on the second attempt', async () => {
    const { ctx, logs } = makeCtx();
    emu.setFaults([{ path: /TAB6571\/data/, kind: 'malformed', times: 1 }]);
    try {
      let res: RawResponse[] = [];
      const n = await counted(/TAB6571\/data/, async () => {
        res = await all(pxData(ctx, emu.scbBaseUrl, 'TAB6571', { Region: ['00'], ContentsCode: ['*'], Tid: ['2020'] }, FAST));
      });
      expect(n).toBe(2);
      expect(res.map((r) => r.status)).toEqual([200]);
      expect(() => JSON.parse(res[0]?.body.toString('utf8') ?? '')).not.toThrow();
      const w = logs().filter((l) => l.id === 'W101_RETRY');
      expect(w.map((l) => l.msg)).toEqual([expect.stringMatching(/^SCB PxWeb: HTTP 200 with a body that is not valid JSON \(.+\); retrying in \d+ ms$/)]);
    } finally {
      emu.setFaults([]);
    }
  });

  it('an empty 2xx body and an HTML maintenance page (200 and 503) are retried, then the data comes', async () => {
    const { ctx, logs } = makeCtx();
    emu.setFaults([
      { path: /\/v3\/data\//, kind: 'empty', times: 1 },
      { path: /\/v3\/data\//, kind: 'html', status: 200, times: 1 },
      { path: /\/v3\/data\//, kind: 'html', status: 503, times: 1 },
    ]);
    try {
      let res: RawResponse[] = [];
      const n = await counted(/\/v3\/data\//, async () => {
        res = await all(koladaData(ctx, emu.koladaBaseUrl, ['N01951'], ['0180'], [2020], FAST));
      });
      expect(n).toBe(4);
      expect(res).toHaveLength(1);
      expect(res[0]?.status).toBe(200);
      expect(logs().filter((l) => l.id === 'W101_RETRY').map((l) => l.msg)).toEqual([
        expect.stringMatching(/^Kolada: HTTP 200 with an empty body; retrying/),
        expect.stringMatching(/^Kolada: HTTP 200 with an HTML page instead of the data .*; retrying/),
        expect.stringMatching(/^Kolada: HTTP 503 \(an HTML page\); retrying/),
      ]);
    } finally {
      emu.setFaults([]);
    }
  });

  it('an HTML page where a file (not JSON) is expected is retried too', async () => {
    const { ctx } = makeCtx();
    emu.setFaults([{ path: /\/keys\//, kind: 'html', status: 200, times: 1 }]);
    try {
      const url = `${emu.url}/keys/deso-regso.csv`;
      let raw: RawResponse | undefined;
      const n = await counted(/\/keys\//, async () => {
        raw = await httpRequest(ctx, { url, method: 'GET' }, { source: 'SCB area keys', expectJson: false, backoffMs: 10 });
      });
      expect(n).toBe(2);
      expect(raw?.status).toBe(200);
      expect(raw?.body.toString('utf8')).not.toContain('<html');
      expect(raw?.body.toString('utf8').length).toBeGreaterThan(100);
    } finally {
      emu.setFaults([]);
    }
  });

  it('a body that stays malformed fails after every attempt, naming the URL', async () => {
    const { ctx } = makeCtx({ httpRetries: 2 });
    emu.setFaults([{ path: /TAB6571\/metadata/, kind: 'malformed' }]);
    try {
      let e: Error | undefined;
      const n = await counted(/TAB6571\/metadata/, async () => {
        e = await errorOf(pxMetadata(ctx, emu.scbBaseUrl, 'TAB6571', FAST));
      });
      expect(n).toBe(3);
      expect(e).toBeInstanceOf(SourceError);
      expect(e?.message).toMatch(
        new RegExp(`^SCB PxWeb: ${emu.scbBaseUrl}/tables/TAB6571/metadata\\?lang=sv \\(table TAB6571\\) sent a body that is not valid JSON \\(.+\\); \\d+ bytes, application/json.* \\(3 attempts\\)$`),
      );
    } finally {
      emu.setFaults([]);
    }
  });
});

describe('client errors are final', () => {
  it.each([400, 403, 404, 410, 422])('a %i is attempted exactly once', async (status) => {
    const { ctx, logs } = makeCtx({ httpRetries: 4 });
    emu.setFaults([{ path: /TAB6571\/metadata/, kind: 'status', status }]);
    try {
      let e: Error | undefined;
      const n = await counted(/TAB6571\/metadata/, async () => {
        e = await errorOf(pxMetadata(ctx, emu.scbBaseUrl, 'TAB6571', FAST));
      });
      expect(n).toBe(1);
      expect(e).toBeInstanceOf(SourceError);
      expect(e?.message).toContain(`answered ${status}`);
      expect(logs().filter((l) => l.id === 'W101_RETRY')).toEqual([]);
    } finally {
      emu.setFaults([]);
    }
  });

  it("the server's own 404 for an unknown table is attempted once", async () => {
    const { ctx } = makeCtx({ httpRetries: 4 });
    const n = await counted(/TAB0000/, () => errorOf(pxMetadata(ctx, emu.scbBaseUrl, 'TAB0000', FAST)));
    expect(n).toBe(1);
  });

  it('a 400 on a data POST is attempted once', async () => {
    const { ctx } = makeCtx({ httpRetries: 4 });
    const n = await counted(/TAB6571\/data/, () => errorOf(all(pxData(ctx, emu.scbBaseUrl, 'TAB6571', { Region: ['9999'], ContentsCode: ['*'], Tid: ['2020'] }, FAST))));
    expect(n).toBe(1);
  });

  it('408 Request Timeout is transient: retried, then the answer', async () => {
    const { ctx } = makeCtx();
    emu.setFaults([{ path: /TAB6571\/metadata/, kind: 'status', status: 408, times: 1 }]);
    try {
      const n = await counted(/TAB6571\/metadata/, async () => {
        const m = await pxMetadata(ctx, emu.scbBaseUrl, 'TAB6571', FAST);
        expect(m.tableId).toBe('TAB6571');
      });
      expect(n).toBe(2);
    } finally {
      emu.setFaults([]);
    }
  });
});

describe('Kolada next_url', () => {
  it('is not followed to another origin: a SourceError naming both URLs, and the other server gets nothing', async () => {
    const other = await startEmulator(world);
    // The configured server's pages name the other server in next_url.
    const liar = await startEmulator(world, { publicUrl: other.url });
    try {
      const { ctx } = makeCtx();
      const e = await errorOf(all(koladaData(ctx, liar.koladaBaseUrl, ['N01951'], ['0180', '0181'], [2018, 2019, 2020, 2021], { perPage: 2, ...FAST })));
      expect(e).toBeInstanceOf(SourceError);
      expect(e.message).toContain(`Kolada: ${liar.koladaBaseUrl}/data/kpi/N01951/municipality/0180,0181/year/2018,2019,2020,2021?per_page=2 gives next_url ${other.koladaBaseUrl}/data/`);
      expect(e.message).toContain(`the configured Kolada base URL ${liar.koladaBaseUrl}; not followed`);
      expect(other.requests).toBe(0);
      expect(liar.requests).toBe(1);
    } finally {
      await liar.close();
      await other.close();
    }
  });

  it('is followed on the same origin (the same host under another spelling of the base is still one origin)', async () => {
    const { ctx } = makeCtx();
    const res = await all(koladaData(ctx, `${emu.koladaBaseUrl}/`, ['N01951'], ['0180', '0181'], [2018, 2019, 2020, 2021], { perPage: 2, ...FAST }));
    expect(res.length).toBeGreaterThan(1);
  });
});

describe('credentials in source URLs', () => {
  it('redacts userinfo and token-like query parameters, and leaves other URLs alone', () => {
    expect(redactUrl('https://user:pa55@api.kolada.se/v3')).toBe('https://***@api.kolada.se/v3');
    expect(redactUrl('https://h/x?token=abc&lang=sv&apikey=K1&key=k2&access_token=t;api_key=z#f')).toBe('https://h/x?token=***&lang=sv&apikey=***&key=***&access_token=***;api_key=***#f');
    expect(redactUrl('https://h/x?monkey=1&keys=2&lang=sv')).toBe('https://h/x?monkey=1&keys=2&lang=sv');
    expect(redactUrl('https://statistikdatabasen.scb.se/api/v2/tables/TAB6571/data?lang=sv&outputFormat=json-stat2')).toBe(
      'https://statistikdatabasen.scb.se/api/v2/tables/TAB6571/data?lang=sv&outputFormat=json-stat2',
    );
    expect(redactText('cannot reach http://a:b@h:1/v3?Token=x (ECONNREFUSED); mail me@example.org')).toBe('cannot reach http://***@h:1/v3?Token=*** (ECONNREFUSED); mail me@example.org');
  });

  it('refuses userinfo before any request, with a UsageError that does not show the password', async () => {
    const { ctx, text } = makeCtx();
    const before = emu.requests;
    const url = emu.scbBaseUrl.replace('http://', 'http://operator:hunter2@');
    const e = await errorOf(pxMetadata(ctx, url, 'TAB6571', FAST));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain('http://***@127.0.0.1:');
    expect(e.message).not.toContain('hunter2');
    expect(emu.requests).toBe(before);
    ctx.log.error(e.message);
    ctx.log.info(`configured ${url}`, { url });
    expect(text()).not.toContain('hunter2');
    expect(text()).not.toContain('operator');
  });

  it('a token in a URL reaches no log line and no error, retries and failures included', async () => {
    const { ctx, text, logs } = makeCtx({ httpRetries: 1 });
    emu.setFaults([{ path: /TAB6571\/metadata/, kind: 'status', status: 503 }]);
    try {
      const e = await errorOf(httpRequest(ctx, { url: `${emu.scbBaseUrl}/tables/TAB6571/metadata?lang=sv&token=s3cret`, method: 'GET' }, { source: 'SCB PxWeb', backoffMs: 10 }));
      expect(e.message).toContain('metadata?lang=sv&token=*** still answered 503');
      expect(logs().filter((l) => l.id === 'W101_RETRY')[0]?.url).toBe(`${emu.scbBaseUrl}/tables/TAB6571/metadata?lang=sv&token=***`);
      ctx.log.error(e.message);
      expect(text()).not.toContain('s3cret');
      // The token was sent: the server needs it.
      expect(emu.requestLog.filter((l) => l.includes('token=s3cret'))).toHaveLength(2);
    } finally {
      emu.setFaults([]);
    }
  });

  it('a whole run with token URLs: the token is sent, but no log line, source_fetch.url or manifest holds it', async () => {
    const tiny = await startTinyPipeline('http-token');
    try {
      const secret = 'tok-9f8e7d';
      let sent = 0;
      // A gateway in front of the sources that wants the token: it checks and strips it before the emulator.
      const gateway: typeof fetch = (input, init) => {
        const u = String(input);
        if (u.includes(`token=${secret}`)) sent++;
        return globalThis.fetch(u.replace(`?token=${secret}`, ''), init);
      };
      const config: Config = { ...tiny.config, scbBaseUrl: `${tiny.config.scbBaseUrl}?token=${secret}`, koladaBaseUrl: `${tiny.config.koladaBaseUrl}?apikey=${secret}` };
      const base = tiny.ctx(config, 'debug');
      const ctx: Context = {
        ...base,
        fetch: (input, init) => {
          const u = String(input).replace(`?apikey=${secret}`, `?token=${secret}`);
          return gateway(u, init);
        },
      };
      const s = await runStages(ctx, 'run', ALL_STAGES, ['--demo']);
      expect(s.outcome).toBe('ok');
      expect(sent).toBeGreaterThan(5);
      const out = join(config.outDir, '2025');
      const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
      expect(manifest).not.toContain(secret);
      expect(manifest).toContain('token=***');
      expect(manifest).toContain('apikey=***');
      expect(tiny.logs.join('')).not.toContain(secret);
      expect(tiny.logs.length).toBeGreaterThan(10);
      const rows = await withConnection(config.warehouse, (conn) => query(conn, 'SELECT url FROM source_fetch'));
      expect(rows.length).toBeGreaterThan(5);
      for (const r of rows) expect(String(r.url)).not.toContain(secret);
      for (const f of readdirSync(out).filter((f) => f.endsWith('.csv'))) expect(readFileSync(join(out, f), 'utf8')).not.toContain(secret);
    } finally {
      await tiny.emulator.close();
    }
  }, 120_000);
});
