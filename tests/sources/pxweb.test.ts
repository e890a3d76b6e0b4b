import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../pipelines/config.ts';
import { loadConfig } from '../../pipelines/config.ts';
import type { Context } from '../../pipelines/context.ts';
import { startEmulator, type RunningEmulator } from '../../pipelines/demo/emulator.ts';
import { SourceError } from '../../pipelines/errors.ts';
import { createLogger } from '../../pipelines/log.ts';
import { httpRequest, parseRetryAfter } from '../../pipelines/sources/http.ts';
import { parseJsonStat, type JsonStatCell } from '../../pipelines/sources/jsonstat.ts';
import { planRequests, pxConfig, pxData, pxMetadata } from '../../pipelines/sources/pxweb.ts';
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { all, errorOf } from '../helpers/async.ts';

const world = tinyWorld();
const FAST = { backoffMs: 20 };

interface TestCtx {
  ctx: Context;
  logs: () => { id?: string; msg: string; level: string }[];
}

/** A real Context: config from loadConfig in a temporary root, a logger writing JSON lines to memory, real fetch. */
function makeCtx(over: Partial<Record<keyof Config, unknown>> = {}): TestCtx {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const root = mkdtempSync(join(tmpdir(), 'segfollow-pxweb-'));
  const config = loadConfig({ httpTimeoutMs: 5000, httpRetries: 3, ...over }, { root, env: {} });
  const log = createLogger({ format: 'json', level: 'debug', stream });
  return {
    ctx: { config, log, fetch: globalThis.fetch, now: () => new Date() },
    logs: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: string; msg: string; level: string }),
  };
}


const key = (c: JsonStatCell): string => JSON.stringify(Object.entries(c.codes).sort());

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator(world, { limits: { maxDataCells: 300, maxCallsPerTimeWindow: 1000, timeWindow: 10 } });
});
afterAll(async () => {
  await emu?.close();
});

describe('pxConfig and pxMetadata', () => {
  it('reads /config once per context and server', async () => {
    const { ctx } = makeCtx();
    const before = emu.requests;
    const c = await pxConfig(ctx, emu.scbBaseUrl);
    await pxConfig(ctx, `${emu.scbBaseUrl}/`);
    expect(emu.requests - before).toBe(1);
    expect(c).toMatchObject({ apiVersion: '2.3.2', maxDataCells: 300, maxCallsPerTimeWindow: 1000, timeWindow: 10 });
    expect(c.raw).toMatchObject({ url: `${emu.scbBaseUrl}/config`, method: 'GET', requestBody: null, status: 200 });
    expect(c.raw.contentType).toContain('application/json');
    expect(c.raw.fetchedAt).toBeInstanceOf(Date);
  });

  it('reads variables, values and elimination from the metadata', async () => {
    const { ctx } = makeCtx();
    // SCB's TAB6680: Region and Alder cannot be eliminated, Kon can; DeSO and RegSO only.
    const m = await pxMetadata(ctx, emu.scbBaseUrl, 'TAB6680');
    expect(m.variables.map((v) => [v.code, v.elimination, v.isTime, v.isContents])).toEqual([
      ['Region', false, false, false],
      ['Kon', true, false, false],
      ['Alder', false, false, false],
      ['ContentsCode', false, false, true],
      ['Tid', false, true, false],
    ]);
    expect(m.variables[0]?.values.slice(0, 3)).toEqual(['0114A0010', '0114A0010_DeSO2025', '0114C1010']);
    expect(m.variables[2]?.values).toEqual(['15-74', '16-64', '16-65', '16-66', '20-64', '20-65', '20-66']);
    expect(m.variables[4]?.values).toEqual(['2020', '2021', '2022', '2023', '2024']);
    const pop = await pxMetadata(ctx, emu.scbBaseUrl, 'TAB6571');
    expect(pop.variables[0]?.values.slice(0, 3)).toEqual(['00', '01', '0114']);
    expect(pop.variables[0]?.valueLabels.slice(0, 3)).toEqual(['00 Sweden', '01 Stockholm county', '0114 Upplands Väsby']);
    expect(pop.variables[1]?.values).toEqual(['2', '1', 'SA']);
  });

  it('an unknown table is a SourceError naming the URL, the status and SCB\'s title', async () => {
    const { ctx } = makeCtx();
    const e = await errorOf(pxMetadata(ctx, emu.scbBaseUrl, 'TAB0000'));
    expect(e).toBeInstanceOf(SourceError);
    expect(e.message).toBe(`SCB PxWeb: GET ${emu.scbBaseUrl}/tables/TAB0000/metadata?lang=sv (table TAB0000) answered 404 "Non-existent table"`);
  });
});

describe('pxData', () => {
  it('sends one POST with the selection as written when it fits', async () => {
    const { ctx, logs } = makeCtx();
    const res = await all(pxData(ctx, emu.scbBaseUrl, 'TAB6571', { Region: ['01*'], UtlBakgrund: ['SA'], ContentsCode: ['*'], Tid: ['TOP(2)'] }, FAST));
    expect(res).toHaveLength(1);
    expect(res[0]).toMatchObject({ method: 'POST', status: 200, url: `${emu.scbBaseUrl}/tables/TAB6571/data?lang=sv&outputFormat=json-stat2` });
    expect(JSON.parse(res[0]?.requestBody ?? '')).toEqual({
      selection: [
        { variableCode: 'Region', valueCodes: ['01*'] },
        { variableCode: 'UtlBakgrund', valueCodes: ['SA'] },
        { variableCode: 'ContentsCode', valueCodes: ['*'] },
        { variableCode: 'Tid', valueCodes: ['TOP(2)'] },
      ],
    });
    const cells = parseJsonStat(res[0]?.body ?? '', { tableId: 'TAB6571' });
    // 01, 0114, 0180; 5 RegSO and 9 DeSO in each version except one DeSO split in 2025: 32 regions × 2 years.
    expect(cells).toHaveLength(32 * 2);
    expect(logs().filter((l) => l.id === 'W103_SPLIT_REQUEST')).toHaveLength(0);
  });

  it('splits by Region under maxDataCells, and the parts add up to the whole', async () => {
    const { ctx, logs } = makeCtx();
    const sel = { Region: ['*'], UtlBakgrund: ['*'], ContentsCode: ['000007Y4'], Tid: ['*'] };
    const res = await all(pxData(ctx, emu.scbBaseUrl, 'TAB6571', sel, FAST));
    // 43 regions × 3 × 16 years (SCB's Tid 2010–2025) = 2064 cells; 300 / 48 = 6 regions per request.
    expect(res).toHaveLength(8);
    const parts = res.flatMap((r) => parseJsonStat(r.body, { tableId: 'TAB6571', url: r.url }));
    for (const r of res) expect(parseJsonStat(r.body, { tableId: 'TAB6571' }).length).toBeLessThanOrEqual(300);
    expect(logs().filter((l) => l.id === 'W103_SPLIT_REQUEST')).toHaveLength(1);
    const big = await startEmulator(world);
    try {
      const whole = await all(pxData(makeCtx().ctx, big.scbBaseUrl, 'TAB6571', sel, FAST));
      expect(whole).toHaveLength(1);
      const wholeCells = parseJsonStat(whole[0]?.body ?? '', { tableId: 'TAB6571' });
      expect(parts.map(key).sort()).toEqual(wholeCells.map(key).sort());
      const byKey = new Map(wholeCells.map((c) => [key(c), c]));
      for (const c of parts) expect(byKey.get(key(c))).toEqual(c);
    } finally {
      await big.close();
    }
  });

  it('splits by Tid when one region is already too big', () => {
    const parts = planRequests({ Region: ['00', '01'], UtlBakgrund: ['1', '2', 'SA'], ContentsCode: ['X'], Tid: ['2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024', '2025'] }, 20);
    expect(parts).toHaveLength(4);
    expect(parts.map((p) => [p.Region, p.Tid?.length])).toEqual([[['00'], 6], [['00'], 3], [['01'], 6], [['01'], 3]]);
    const fine = planRequests({ Region: ['00'], A: ['1', '2', '3'], B: ['1', '2', '3'] }, 2);
    expect(fine).toHaveLength(6);
    expect(fine.every((p) => (p.A?.length ?? 0) * (p.B?.length ?? 0) <= 2)).toBe(true);
  });

  it('a bad value is a SourceError with SCB\'s problem title', async () => {
    const { ctx } = makeCtx();
    const e = await errorOf(all(pxData(ctx, emu.scbBaseUrl, 'TAB6571', { Region: ['9999'], ContentsCode: ['*'], Tid: ['2020'] }, FAST)));
    expect(e).toBeInstanceOf(SourceError);
    expect(e.message).toContain('(table TAB6571) answered 400 "Non-existent value"');
  });
});

describe('call rate', () => {
  it('throttles to the server\'s maxCallsPerTimeWindow, and retries through a 429 it could not foresee', async () => {
    const e = await startEmulator(world, { limits: { maxDataCells: 60, maxCallsPerTimeWindow: 4, timeWindow: 1 } });
    try {
      const { ctx, logs } = makeCtx();
      const t0 = Date.now();
      // 0114* is 11 regions × 9 years (2017–2025) = 99 cells, 6 regions a request: metadata + 2 data calls; then
      // two more.
      const sel = { Region: ['0114*'], ContentsCode: ['*'], Tid: ['FROM(2017)'] };
      await all(pxData(ctx, e.scbBaseUrl, 'TAB6571', sel, FAST));
      await all(pxData(ctx, e.scbBaseUrl, 'TAB6571', { Region: ['00'], ContentsCode: ['*'], Tid: ['FROM(2017)'] }, FAST));
      await all(pxData(ctx, e.scbBaseUrl, 'TAB6571', { Region: ['01'], ContentsCode: ['*'], Tid: ['FROM(2017)'] }, FAST));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(logs().filter((l) => l.id === 'W102_THROTTLED')).toHaveLength(0);
      expect(logs().some((l) => l.level === 'debug' && l.msg.includes('stay under the call rate'))).toBe(true);

      // A second client on the same IP does not know the first one's calls: the server refuses one of its calls,
      // and it waits as Retry-After says and gets through.
      const other = makeCtx();
      const res = await all(pxData(other.ctx, e.scbBaseUrl, 'TAB6571', sel, FAST));
      res.push(...(await all(pxData(other.ctx, e.scbBaseUrl, 'TAB6571', { Region: ['00'], ContentsCode: ['*'], Tid: ['FROM(2017)'] }, FAST))));
      expect(res.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(other.logs().filter((l) => l.id === 'W102_THROTTLED').length).toBeGreaterThan(0);
    } finally {
      await e.close();
    }
  });

  it('honours Retry-After on a 429 and retries', async () => {
    const { ctx, logs } = makeCtx();
    emu.setFaults([{ path: /\/data/, kind: 'status', status: 429, times: 1, retryAfter: 1 }]);
    try {
      const t0 = Date.now();
      const res = await all(pxData(ctx, emu.scbBaseUrl, 'TAB6571', { Region: ['00'], ContentsCode: ['*'], Tid: ['2020'] }, FAST));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(res[0]?.status).toBe(200);
      const w = logs().filter((l) => l.id === 'W102_THROTTLED');
      expect(w).toHaveLength(1);
      expect(w[0]?.level).toBe('warn');
    } finally {
      emu.setFaults([]);
    }
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('faults', () => {
  it('500 then success: retried with a W101 warning', async () => {
    const { ctx, logs } = makeCtx();
    emu.setFaults([{ path: /TAB6685\/data/, kind: 'status', status: 500, times: 2 }]);
    try {
      const res = await all(pxData(ctx, emu.scbBaseUrl, 'TAB6685', { Region: ['00'], Alder: ['tot'], ContentsCode: ['*'], Tid: ['2020'] }, FAST));
      expect(res.map((r) => r.status)).toEqual([200]);
      expect(logs().filter((l) => l.id === 'W101_RETRY').map((l) => l.msg)).toEqual([
        expect.stringMatching(/^SCB PxWeb: HTTP 500; retrying in \d+ ms$/),
        expect.stringMatching(/^SCB PxWeb: HTTP 500; retrying in \d+ ms$/),
      ]);
    } finally {
      emu.setFaults([]);
    }
  });

  it('503 on every attempt: a SourceError after the retries', async () => {
    const { ctx } = makeCtx({ httpRetries: 2 });
    emu.setFaults([{ path: /TAB6685\/data/, kind: 'status', status: 503 }]);
    try {
      const e = await errorOf(all(pxData(ctx, emu.scbBaseUrl, 'TAB6685', { Region: ['00'], Alder: ['tot'], ContentsCode: ['*'], Tid: ['2020'] }, FAST)));
      expect(e).toBeInstanceOf(SourceError);
      expect(e.message).toMatch(/^SCB PxWeb: POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/tables\/TAB6685\/data\?lang=sv&outputFormat=json-stat2 \(table TAB6685\) still answered 503 "Internal Server Error" \(3 attempts\)$/);
    } finally {
      emu.setFaults([]);
    }
  });

  it('a slow server: a timeout error naming the URL', async () => {
    const { ctx, logs } = makeCtx({ httpTimeoutMs: 200, httpRetries: 1 });
    emu.setFaults([{ path: /\/config/, kind: 'slow', ms: 1500 }]);
    try {
      const e = await errorOf(pxConfig(ctx, emu.scbBaseUrl, FAST));
      expect(e).toBeInstanceOf(SourceError);
      expect(e.message).toBe(`SCB PxWeb: no answer from ${emu.scbBaseUrl}/config within 200 ms (2 attempts)`);
      expect(logs().filter((l) => l.id === 'W101_RETRY')).toHaveLength(1);
    } finally {
      emu.setFaults([]);
    }
    // The failed read is not cached.
    expect((await pxConfig(ctx, emu.scbBaseUrl)).maxDataCells).toBe(300);
  });

  it('a body cut off mid-way: an error naming the URL', async () => {
    const { ctx } = makeCtx({ httpRetries: 1 });
    emu.setFaults([{ path: /TAB6684\/metadata/, kind: 'cut' }]);
    try {
      const e = await errorOf(pxMetadata(ctx, emu.scbBaseUrl, 'TAB6684', FAST));
      expect(e).toBeInstanceOf(SourceError);
      expect(e.message).toMatch(new RegExp(`^SCB PxWeb: the response from ${emu.scbBaseUrl}/tables/TAB6684/metadata\\?lang=sv \\(table TAB6684\\) was cut off \\(.+\\) \\(2 attempts\\)$`));
    } finally {
      emu.setFaults([]);
    }
  });

  it('a JSON body malformed on every attempt: a SourceError naming the URL and the table', async () => {
    const { ctx } = makeCtx();
    // One malformed body is retried (tests/sources/http.test.ts); only one that stays malformed fails.
    emu.setFaults([{ path: /TAB6258\/data/, kind: 'malformed' }]);
    try {
      // TAB6258 holds DeSO and RegSO only: a DeSO, so that the request itself is sound.
      const e = await errorOf(all(pxData(ctx, emu.scbBaseUrl, 'TAB6258', { Region: ['0180C1010'], ContentsCode: ['*'], Tid: ['2020'] }, FAST)));
      expect(e).toBeInstanceOf(SourceError);
      expect(e.message).toContain(`SCB PxWeb: ${emu.scbBaseUrl}/tables/TAB6258/data?lang=sv&outputFormat=json-stat2 (table TAB6258) sent a body that is not valid JSON`);
    } finally {
      emu.setFaults([]);
    }
  });

  it('an unreachable host: a SourceError naming the URL and the cause', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const { ctx, logs } = makeCtx({ httpRetries: 1 });
    const e = await errorOf(pxConfig(ctx, `http://127.0.0.1:${port}/api/v2`, FAST));
    expect(e).toBeInstanceOf(SourceError);
    expect(e.message).toBe(`SCB PxWeb: cannot reach http://127.0.0.1:${port}/api/v2/config (ECONNREFUSED) (2 attempts)`);
    expect(logs().filter((l) => l.id === 'W101_RETRY')).toHaveLength(1);
    // fetch refuses some ports outright (9 is on the Fetch standard's list of bad ports); the reason says so.
    const bad = await errorOf(pxConfig(makeCtx({ httpRetries: 0 }).ctx, 'http://127.0.0.1:9/api/v2', FAST));
    expect(bad.message).toBe('SCB PxWeb: cannot reach http://127.0.0.1:9/api/v2/config (bad port)');
  });

  it('httpRequest uses ctx.fetch and ctx.now', async () => {
    const { ctx } = makeCtx();
    const at = new Date('2030-05-05T00:00:00Z');
    const seen: string[] = [];
    const spy: typeof fetch = (input, init) => {
      seen.push(String(input));
      return globalThis.fetch(input, init);
    };
    const r = await httpRequest({ ...ctx, fetch: spy, now: () => at }, { url: `${emu.scbBaseUrl}/tables/TAB6571`, method: 'GET' }, { source: 'SCB PxWeb' });
    expect(seen).toEqual([`${emu.scbBaseUrl}/tables/TAB6571`]);
    expect(r.fetchedAt).toBe(at);
  });
});
