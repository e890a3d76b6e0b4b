import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../pipelines/config.ts';
import { loadConfig } from '../../pipelines/config.ts';
import type { Context } from '../../pipelines/context.ts';
import { loadOfficialAreas } from '../../pipelines/areas/load-official-areas.ts';
import { startEmulator, type RunningEmulator } from '../../pipelines/demo/emulator.ts';
import { SourceError } from '../../pipelines/errors.ts';
import { createLogger } from '../../pipelines/log.ts';
import { koladaData, koladaKpis, koladaMunicipalities, parseKoladaData } from '../../pipelines/sources/kolada.ts';
import { syntheticWorld } from '../fixtures/tiny-world.ts';
import { all } from '../helpers/async.ts';

const REAL = new URL('../fixtures/real-responses/kolada-v3/', import.meta.url);
const YEARS = [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];
const KPIS = ['N05401', 'N07540', 'N15428', 'N00914', 'N01951'];

// Three län with 43 kommuner: enough to need three batches of twenty.
const official = loadOfficialAreas(new URL('../../data', import.meta.url).pathname);
const lan = official.lan.slice(0, 3);
const world = syntheticWorld({ lan, kommuner: official.kommuner.filter((k) => lan.some((l) => l.code === k.lan_code)), desoPerKommun: 2 });
const kommuner = world.areas.filter((a) => a.level === 'kommun').map((a) => a.code);

function makeCtx(over: Partial<Record<keyof Config, unknown>> = {}): { ctx: Context; logs: () => { id?: string; msg: string }[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const config = loadConfig({ httpTimeoutMs: 5000, httpRetries: 2, ...over }, { root: mkdtempSync(join(tmpdir(), 'segfollow-kolada-')), env: {} });
  return {
    ctx: { config, log: createLogger({ format: 'json', level: 'debug', stream }), fetch: globalThis.fetch, now: () => new Date() },
    logs: () => lines.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: string; msg: string }),
  };
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator(world);
});
afterAll(async () => {
  await emu?.close();
});

describe('koladaData', () => {
  it('batches municipalities in twenties and follows next_url through every page', async () => {
    const { ctx } = makeCtx();
    const munis = ['0000', '0001', '0003', ...kommuner];
    expect(munis).toHaveLength(46);
    const res = await all(koladaData(ctx, emu.koladaBaseUrl, KPIS, munis, YEARS, { perPage: 100 }));
    const firsts = res.filter((r) => !/[?&]page=/.test(r.url));
    expect(firsts).toHaveLength(3);
    expect(firsts.map((r) => r.url.split('/municipality/')[1]?.split('/')[0]?.split(',').length)).toEqual([20, 20, 6]);
    expect(res.length).toBeGreaterThan(10);
    for (const r of res) expect(r).toMatchObject({ method: 'GET', status: 200, requestBody: null });
    const cells = res.flatMap((r) => parseKoladaData(r.body, { url: r.url }));
    // Per municipality: N05401 in 2018 and 2022, N00914 in 2017–2021 (Kolada ended it with RAMS), the three others
    // in nine years; but N07540 is a kommun KPI (municipality_type K), without riket and the two regions.
    expect(cells).toHaveLength(46 * (2 + 5 + 3 * 9) - 3 * 9);
    expect(cells.filter((c) => c.kpi === 'N07540' && ['0000', '0001', '0003'].includes(c.municipality))).toEqual([]);
    expect(cells.filter((c) => c.kpi === 'N00914').map((c) => c.period).sort().at(-1)).toBe(2021);
    expect(new Set(cells.map((c) => `${c.kpi}|${c.municipality}|${c.period}`)).size).toBe(cells.length);
    const pop = cells.find((c) => c.kpi === 'N01951' && c.municipality === '0180' && c.period === 2023);
    let truth = 0;
    for (const [code, d] of world.deso.get(2023) ?? []) if (code.startsWith('0180')) truth += d.pop;
    expect(pop).toEqual({ kpi: 'N01951', municipality: '0180', period: 2023, gender: 'T', value: truth, status: null });
    const riket = cells.find((c) => c.kpi === 'N00914' && c.municipality === '0000' && c.period === 2020);
    expect(riket?.value).toBeGreaterThan(40);
    expect(riket?.value).toBeLessThan(95);
  });

  it('retries a failed page and keeps going', async () => {
    const { ctx, logs } = makeCtx();
    emu.setFaults([{ path: /page=2/, kind: 'status', status: 503, times: 1 }]);
    try {
      const res = await all(koladaData(ctx, emu.koladaBaseUrl, ['N01951'], ['0180', '0181'], YEARS, { perPage: 5, backoffMs: 10 }));
      expect(res).toHaveLength(4);
      expect(logs().filter((l) => l.id === 'W101_RETRY')).toHaveLength(1);
    } finally {
      emu.setFaults([]);
    }
  });

  it('a page malformed on every attempt is a SourceError naming the URL and the KPIs', async () => {
    const { ctx } = makeCtx();
    // One malformed body is retried (tests/sources/http.test.ts); only one that stays malformed fails.
    emu.setFaults([{ path: /\/data\//, kind: 'malformed' }]);
    try {
      const e = await all(koladaData(ctx, emu.koladaBaseUrl, ['N01951'], ['0180'], [2020], { backoffMs: 10 })).then(
        () => null,
        (x: unknown) => x as Error,
      );
      expect(e).toBeInstanceOf(SourceError);
      expect(e?.message).toContain(`Kolada: ${emu.koladaBaseUrl}/data/kpi/N01951/municipality/0180/year/2020 (table N01951) sent a body that is not valid JSON`);
    } finally {
      emu.setFaults([]);
    }
  });
});

describe('metadata', () => {
  it('lists municipalities (riket, regions, kommuner) and KPIs', async () => {
    const { ctx } = makeCtx();
    const m = await koladaMunicipalities(ctx, emu.koladaBaseUrl);
    expect(m.values).toHaveLength(1 + 3 + 43);
    expect(m.values.slice(0, 2)).toEqual([
      { id: '0000', title: 'Riket', type: 'L' },
      { id: '0001', title: 'Region Stockholm', type: 'L' },
    ]);
    const k = await koladaKpis(ctx, emu.koladaBaseUrl, KPIS);
    expect(k.values.map((v) => v.id)).toEqual(KPIS);
    expect(k.raw).toHaveLength(1);
  });
});

describe('parseKoladaData', () => {
  it('parses the reconstructed real v3 response', () => {
    const cells = parseKoladaData(readFileSync(new URL('data_N00945_0180-1280-1480_2000-2020_reconstructed.json', REAL)), { kpis: 'N00945' });
    expect(cells).toHaveLength(63);
    expect(cells[0]).toEqual({ kpi: 'N00945', municipality: '0180', period: 2000, gender: 'T', value: 31.32959689, status: null });
    expect(new Set(cells.map((c) => c.municipality))).toEqual(new Set(['0180', '1280', '1480']));
  });

  it('keeps Missing as NULL with its status', () => {
    const body = JSON.stringify({
      values: [
        { kpi: 'N15428', municipality: '2403', period: 2024, values: [{ gender: 'T', count: 0, status: 'Missing', value: null }] },
        { kpi: 'N01951', municipality: '2403', period: 2024, values: [{ gender: 'K', count: 1, status: '', value: 1200 }, { gender: 'M', count: 1, status: '', value: 1290 }] },
      ],
      count: 2,
    });
    expect(parseKoladaData(body)).toEqual([
      { kpi: 'N15428', municipality: '2403', period: 2024, gender: 'T', value: null, status: 'Missing' },
      { kpi: 'N01951', municipality: '2403', period: 2024, gender: 'K', value: 1200, status: null },
      { kpi: 'N01951', municipality: '2403', period: 2024, gender: 'M', value: 1290, status: null },
    ]);
  });

  it('rejects malformed bodies with a SourceError saying what was expected', () => {
    expect(() => parseKoladaData('{"values": 3}', { url: 'http://k/v3/data' })).toThrow(new SourceError('Kolada http://k/v3/data: expected an object with a "values" array'));
    expect(() => parseKoladaData('{"values":[{"kpi":"N1","municipality":"0180","period":"x","values":[]}]}')).toThrow(/period "x" is not a year/);
    expect(() => parseKoladaData('{"values":[{"kpi":"N1","municipality":"0180","period":2020,"values":[{"value":"12"}]}]}')).toThrow(/value "12" is not a number/);
    expect(() => parseKoladaData('{"values":[', { kpis: 'N01951' })).toThrow(/^Kolada \(N01951\): not valid JSON/);
  });
});
