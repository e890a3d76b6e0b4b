/**
 * The area-type SQL (sql/area_types/*) against DuckDB with known input and exact output. The cut rule is also
 * checked against an independent two-pass computation in plain TypeScript (oracle below), including the effect of
 * choosing the population rather than the sample standard deviation.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, execFile, query, queryFile, sqlFile } from '../../pipelines/db.ts';
import { cutParams, gapParams, loadAreaTypeCatalogue, type SdKind } from '../../pipelines/measures/classify-area-types.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

const CAT = loadAreaTypeCatalogue();
// The components as data/area-types.json names them (TAB6586, the v2 table of v1 IntGr5Socio: 000005QU/QV/QW there).
const INDEX_PARAMS = { table_id: 'TAB6586', breakdown: '', v1: '000008IW', v2: '000008IV', v3: '000008IX' };
const cut = async (sd: SdKind = 'population'): Promise<void> => {
  await execFile(wh.conn, 'area_types/group_stats', cutParams(CAT, sd));
  await execFile(wh.conn, 'area_types/cut');
};

/** area_type_input as the command builds it: one index (or three components) per unit and group. */
async function input(rows: { grp: string; unit: string; index?: number | null; v?: [number | null, number | null, number | null] }[]): Promise<void> {
  await exec(wh.conn, 'CREATE OR REPLACE TEMP TABLE area_type_input (ord INTEGER, grp VARCHAR, unit VARCHAR, v1 DOUBLE, v2 DOUBLE, v3 DOUBLE, index_value DOUBLE)');
  const app = await wh.conn.createAppender('area_type_input', 'main', 'temp');
  const dbl = (v: number | null | undefined): void => (v === null || v === undefined ? app.appendNull() : app.appendDouble(v));
  rows.forEach((r, i) => {
    app.appendInteger(i);
    app.appendVarchar(r.grp);
    app.appendVarchar(r.unit);
    for (const v of r.v ?? [null, null, null]) dbl(v);
    dbl(r.index);
    app.endRow();
  });
  app.closeSync();
}
const result = () => query(wh.conn, 'SELECT unit, idx, area_type, status FROM area_type_result ORDER BY ord');
const typesOf = async () => (await result()).map((r) => r.area_type);

/** The rule written out independently: two-pass mean and SD, then the documented bands. */
function oracle(xs: number[], sd: SdKind): { types: number[]; mean: number; sd: number; cuts: number[] } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  const s = Math.sqrt(ss / (sd === 'population' ? n : n - 1));
  const cuts = [2, 1, 0, -1].map((k) => mean + k * s);
  return { types: xs.map((x) => (x >= (cuts[0] as number) ? 1 : x >= (cuts[1] as number) ? 2 : x >= (cuts[2] as number) ? 3 : x >= (cuts[3] as number) ? 4 : 5)), mean, sd: s, cuts };
}

/** A right-skewed index like the real one (a long tail of high values), reproducible. */
function skewedIndex(n: number, seed: number): number[] {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    return Math.min(95, 12 * Math.exp(0.55 * z));
  });
}

describe('sql/area_types/index_input.sql', () => {
  it('reads the components data/area-types.json names', () => {
    const c = CAT.index.components;
    expect({ table_id: CAT.index.source_table, breakdown: CAT.index.breakdown, v1: c.V1.measure, v2: c.V2.measure, v3: c.V3.measure }).toEqual(INDEX_PARAMS);
  });

  it('collects V1–V3 per RegSO and year, names missing components with their status, ignores other levels and tables', async () => {
    await insertObservations(wh.conn, [
      ['TAB6586', '000008IW', '0180R001', 'RegSO2020', 2022, '', 10, null],
      ['TAB6586', '000008IV', '0180R001', 'RegSO2020', 2022, '', 20, null],
      ['TAB6586', '000008IX', '0180R001', 'RegSO2020', 2022, '', 30, null],
      ['TAB6586', '000008IW', '0180R002', 'RegSO2020', 2022, '', 11, null],
      ['TAB6586', '000008IV', '0180R002', 'RegSO2020', 2022, '', null, '..'],
      ['TAB6586', '000008IX', '0180R002', 'RegSO2020', 2022, '', 31, null],
      ['TAB6586', '000008IW', '0180R003', 'RegSO2025', 2024, '', 12, null],
      ['TAB6586', '000008IV', '0180R003', 'RegSO2025', 2024, '', 22, null],
      // SCB's own index and area type come in the same table: never read as a component.
      ['TAB6586', '000008IT', '0180R001', 'RegSO2020', 2022, '', 20, null],
      ['TAB6586', '000008IU', '0180R001', 'RegSO2020', 2022, '', 3, null],
      ['TAB6586', '000008IT', '0180R003', 'RegSO2025', 2024, '', 17, null],
      ['TAB6586', '000008IW', '0180', 'kommun2003', 2022, '', 9, null],
      ['OtherTable', '000008IW', '0180R001', 'RegSO2020', 2022, '', 99, null],
    ]);
    await execFile(wh.conn, 'area_types/index_input', INDEX_PARAMS);
    expect(await query(wh.conn, 'SELECT * FROM area_type_input ORDER BY unit')).toEqual([
      { grp: '2022 RegSO2020', unit: '0180R001', year: 2022, area_version: 'RegSO2020', v1: 10, v2: 20, v3: 30, index_value: null, missing: null },
      { grp: '2022 RegSO2020', unit: '0180R002', year: 2022, area_version: 'RegSO2020', v1: 11, v2: null, v3: 31, index_value: null, missing: 'V2 (..)' },
      { grp: '2024 RegSO2025', unit: '0180R003', year: 2024, area_version: 'RegSO2025', v1: 12, v2: 22, v3: null, index_value: null, missing: 'V3 (absent)' },
    ]);
  });
});

describe('sql/area_types/cut.sql', () => {
  it('puts a value exactly on a cut in the type above it (≥), for every cut', async () => {
    // {0,0,0,0,5}: mean 1, population SD 2, so 5 = mean + 2 SD exactly; {0,2,4}: 2 = the mean exactly;
    // {-1,-1,1,1}: mean 0, SD 1, so 1 = mean + 1 SD and -1 = mean - 1 SD exactly.
    await input([
      ...[0, 0, 0, 0, 5].map((x, i) => ({ grp: 'a', unit: `a${i}`, index: x })),
      ...[0, 2, 4].map((x, i) => ({ grp: 'b', unit: `b${i}`, index: x })),
      ...[-1, -1, 1, 1].map((x, i) => ({ grp: 'c', unit: `c${i}`, index: x })),
    ]);
    await cut();
    expect(await typesOf()).toEqual([4, 4, 4, 4, 1, 5, 3, 2, 4, 4, 2, 2]);
    expect(await query(wh.conn, "SELECT DISTINCT n_areas, mean, sd, cut_type1, cut_type2, cut_type3, cut_type4 FROM area_type_result WHERE grp = 'a'")).toEqual([
      { n_areas: 5, mean: 1, sd: 2, cut_type1: 5, cut_type2: 3, cut_type3: 1, cut_type4: -1 },
    ]);
  });

  it('does not let row order change the SD or a type on the cut (two-pass, compensated sums)', async () => {
    // DuckDB's one-pass stddev_pop gives 1.9999999999999998 for this order, which would still happen to keep 5 in
    // type 1 but only by rounding luck; the two-pass SD is exactly 2 in every order.
    for (const order of [[0, 0, 5, 0, 0], [5, 0, 0, 0, 0], [0, 0, 0, 0, 5], [0, 5, 0, 0, 0]]) {
      await input(order.map((x, i) => ({ grp: 'a', unit: `a${i}`, index: x })));
      await cut();
      expect(await query(wh.conn, 'SELECT DISTINCT mean, sd, cut_type1 FROM area_type_result')).toEqual([{ mean: 1, sd: 2, cut_type1: 5 }]);
      expect(await typesOf()).toEqual(order.map((x) => (x === 5 ? 1 : 4)));
    }
  });

  it('with the sample SD instead (divisor n − 1) the same values fall in other types: the choice matters for small sets', async () => {
    await input([
      ...[0, 0, 0, 0, 5].map((x, i) => ({ grp: 'a', unit: `a${i}`, index: x })),
      ...[-1, -1, 1, 1].map((x, i) => ({ grp: 'c', unit: `c${i}`, index: x })),
    ]);
    await cut('sample');
    // a: SD √5 ≈ 2.236, so 5 < mean + 2 SD ≈ 5.47 → type 2; c: SD ≈ 1.155, so 1 < mean + 1 SD → type 3.
    expect(await typesOf()).toEqual([4, 4, 4, 4, 2, 4, 4, 3, 3]);
  });

  it('computes the index as (V1 + V2 + V3) / 3, and a missing component gives no index, no type and no weight in the mean', async () => {
    await input([
      { grp: 'g', unit: 'r1', v: [10, 20, 30] },
      { grp: 'g', unit: 'r2', v: [40, 50, 60] },
      { grp: 'g', unit: 'r3', v: [70, null, 90] },
      { grp: 'g', unit: 'r4', v: [1, 2, 3] },
    ]);
    await cut();
    expect(await result()).toEqual([
      { unit: 'r1', idx: 20, area_type: 4, status: 'ok' },
      { unit: 'r2', idx: 50, area_type: 2, status: 'ok' },
      { unit: 'r3', idx: null, area_type: null, status: 'missing_component' },
      { unit: 'r4', idx: 2, area_type: 5, status: 'ok' },
    ]);
    // Mean over the three complete rows only: (20 + 50 + 2) / 3 = 24.
    expect(await query(wh.conn, 'SELECT DISTINCT n_areas, mean FROM area_type_result')).toEqual([{ n_areas: 3, mean: 24 }]);
  });

  it('gives no type where a group cannot be cut (one area, or no spread), and cuts each group on its own', async () => {
    await input([
      { grp: 'one', unit: 'x', index: 30 },
      { grp: 'flat', unit: 'y1', index: 5 },
      { grp: 'flat', unit: 'y2', index: 5 },
      { grp: 'two', unit: 'z1', index: 5 },
      { grp: 'two', unit: 'z2', index: 7 },
    ]);
    await cut();
    expect(await result()).toEqual([
      { unit: 'x', idx: 30, area_type: null, status: 'no_spread' },
      { unit: 'y1', idx: 5, area_type: null, status: 'no_spread' },
      { unit: 'y2', idx: 5, area_type: null, status: 'no_spread' },
      { unit: 'z1', idx: 5, area_type: 4, status: 'ok' },
      { unit: 'z2', idx: 7, area_type: 2, status: 'ok' },
    ]);
  });

  it('sums each group up in group_cuts.sql: rows, areas, mean, SD, the cuts and the areas per type, in order of first row', async () => {
    await input([
      { grp: 'two', unit: 'z1', index: 5 },
      { grp: 'one', unit: 'x', index: 30 },
      { grp: 'two', unit: 'z2', index: 7 },
    ]);
    await cut();
    const rows = await query(wh.conn, sqlFile('area_types/group_cuts'));
    expect(rows.map((r) => r.grp)).toEqual(['two', 'one']);
    expect(rows[0]).toMatchObject({ n_rows: 2, n_areas: 2, mean: 6, sd: 1, c1: 8, c2: 7, c3: 6, c4: 5, n1: 0, n2: 1, n3: 0, n4: 1, n5: 0 });
    expect(rows[1]).toMatchObject({ n_rows: 1, n_areas: 1, n1: 0, n2: 0, n3: 0, n4: 0, n5: 0 });
  });

  it('refuses an unknown kind of SD', async () => {
    await input([{ grp: 'g', unit: 'a', index: 1 }]);
    await expect(execFile(wh.conn, 'area_types/group_stats', { ...cutParams(CAT), sd_kind: 'weighted' })).rejects.toThrow(/population or sample/);
  });

  it('agrees with an independent two-pass computation on 8 years × 3,363 skewed index values', async () => {
    const years = [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024];
    const data = years.map((y) => skewedIndex(3363, y));
    await input(data.flatMap((xs, yi) => xs.map((x, i) => ({ grp: String(years[yi]), unit: `R${i}`, index: x }))));
    for (const sd of ['population', 'sample'] as const) {
      await cut(sd);
      const got = await typesOf();
      const want = data.flatMap((xs) => oracle(xs, sd).types);
      // Near a cut, the summation order of DuckDB's Welford SD and our two passes could differ in the last bit.
      const nearCut = data.flatMap((xs) => {
        const o = oracle(xs, sd);
        return xs.map((x) => o.cuts.some((c) => Math.abs(x - c) < 1e-9));
      });
      expect(nearCut.filter(Boolean).length).toBe(0);
      expect(got).toEqual(want);
    }
  });

  it('over a national-size year, population vs sample SD changes only areas between the two sets of cuts', async () => {
    const xs = skewedIndex(3363, 2022);
    await input(xs.map((x, i) => ({ grp: '2022', unit: `R${i}`, index: x })));
    await cut('population');
    const pop = await typesOf();
    await cut('sample');
    const smp = await typesOf();
    const op = oracle(xs, 'population');
    const os = oracle(xs, 'sample');
    expect(os.sd / op.sd).toBeCloseTo(Math.sqrt(3363 / 3362), 12);
    const changed = xs.map((x, i) => (pop[i] !== smp[i] ? i : -1)).filter((i) => i >= 0);
    const between = xs.map((x, i) => (op.cuts.some((c, k) => (x >= c) !== (x >= (os.cuts[k] as number))) ? i : -1)).filter((i) => i >= 0);
    expect(changed).toEqual(between);
    // The bands between the two sets of cuts are about 0.0003 SD wide: at most a handful of areas can move.
    expect(changed.length).toBeLessThanOrEqual(3);
  });
});

async function loadSocio(rows: [string, number, number | null, number | null, number | null][], version = 'RegSO2020'): Promise<void> {
  const obs: Parameters<typeof insertObservations>[1] = [];
  for (const [code, year, v1, v2, v3] of rows) {
    obs.push(['TAB6586', '000008IW', code, version, year, '', v1, v1 === null ? '..' : null]);
    obs.push(['TAB6586', '000008IV', code, version, year, '', v2, v2 === null ? '..' : null]);
    obs.push(['TAB6586', '000008IX', code, version, year, '', v3, v3 === null ? '..' : null]);
  }
  await insertObservations(wh.conn, obs);
}

async function classifyWarehouse(): Promise<void> {
  await execFile(wh.conn, 'area_types/index_input', INDEX_PARAMS);
  await cut();
  await execFile(wh.conn, 'area_types/classify');
}

describe('sql/area_types/classify.sql', () => {
  it('writes area_type, area_type_detail and area_type_cut for every year, and a rerun replaces rather than adds', async () => {
    await loadSocio([
      ['0180R001', 2022, 0, 0, 0],
      ['0180R002', 2022, 0, 0, 0],
      ['0180R003', 2022, 0, 0, 0],
      ['0180R004', 2022, 0, 0, 0],
      ['0180R005', 2022, 15, 0, 0],
      ['0180R006', 2022, 3, null, 3],
      ['0180R001', 2023, 3, 3, 3],
      ['0180R002', 2023, 9, 9, 9],
    ]);
    for (let run = 0; run < 2; run++) {
      await classifyWarehouse();
      expect(await query(wh.conn, 'SELECT * FROM area_type ORDER BY year, area_code')).toEqual([
        { area_code: '0180R001', area_version: 'RegSO2020', year: 2022, index_value: 0, area_type: 4 },
        { area_code: '0180R002', area_version: 'RegSO2020', year: 2022, index_value: 0, area_type: 4 },
        { area_code: '0180R003', area_version: 'RegSO2020', year: 2022, index_value: 0, area_type: 4 },
        { area_code: '0180R004', area_version: 'RegSO2020', year: 2022, index_value: 0, area_type: 4 },
        { area_code: '0180R005', area_version: 'RegSO2020', year: 2022, index_value: 5, area_type: 1 },
        { area_code: '0180R006', area_version: 'RegSO2020', year: 2022, index_value: null, area_type: null },
        { area_code: '0180R001', area_version: 'RegSO2020', year: 2023, index_value: 3, area_type: 4 },
        { area_code: '0180R002', area_version: 'RegSO2020', year: 2023, index_value: 9, area_type: 2 },
      ]);
    }
    expect(await query(wh.conn, "SELECT area_code, v1, v2, v3, index_value, z_score, area_type, status, missing FROM area_type_detail WHERE year = 2022 AND area_code IN ('0180R005', '0180R006') ORDER BY 1")).toEqual([
      { area_code: '0180R005', v1: 15, v2: 0, v3: 0, index_value: 5, z_score: 2, area_type: 1, status: 'ok', missing: null },
      { area_code: '0180R006', v1: 3, v2: null, v3: 3, index_value: null, z_score: null, area_type: null, status: 'missing_component', missing: 'V2 (..)' },
    ]);
    expect(await query(wh.conn, 'SELECT * FROM area_type_cut ORDER BY year')).toEqual([
      {
        year: 2022, area_version: 'RegSO2020', n_areas: 5, n_unclassified: 1, mean: 1, sd: 2, sd_kind: 'population',
        cut_type1: 5, cut_type2: 3, cut_type3: 1, cut_type4: -1, n_type1: 1, n_type2: 0, n_type3: 0, n_type4: 4, n_type5: 0, status: 'ok',
      },
      {
        year: 2023, area_version: 'RegSO2020', n_areas: 2, n_unclassified: 0, mean: 6, sd: 3, sd_kind: 'population',
        cut_type1: 12, cut_type2: 9, cut_type3: 6, cut_type4: 3, n_type1: 0, n_type2: 1, n_type3: 0, n_type4: 1, n_type5: 0, status: 'ok',
      },
    ]);
  });
});

const POP = 'Kon=1+2;UtlBakgrund=SA';

async function setTypes(rows: [string, number, number | null][], version = 'RegSO2020'): Promise<void> {
  for (const [code, year, t] of rows) {
    await exec(wh.conn, 'INSERT INTO area_type VALUES ($c, $v, $y, NULL, $t)', { c: code, v: version, y: year, t });
  }
}

describe('sql/area_types/population.sql', () => {
  it('sums RegSO residents by type per kommun, län and riket; zero rows for absent types, a NULL-type row for unclassified RegSO', async () => {
    await setTypes([
      ['0180R001', 2022, 1],
      ['0180R002', 2022, 5],
      ['0180R003', 2022, null],
      ['0114R001', 2022, 1],
      ['2584R001', 2022, 3],
      ['2584R002', 2022, 3],
    ]);
    await insertObservations(wh.conn, [
      ['TAB6571', '000007Y4', '0180R001', 'RegSO2020', 2022, POP, 1000, null],
      ['TAB6571', '000007Y4', '0180R002', 'RegSO2020', 2022, POP, 3000, null],
      ['TAB6571', '000007Y4', '0180R003', 'RegSO2020', 2022, POP, 1000, null],
      ['TAB6571', '000007Y4', '0114R001', 'RegSO2020', 2022, POP, 500, null],
      ['TAB6571', '000007Y4', '2584R001', 'RegSO2020', 2022, POP, 200, null],
      ['TAB6571', '000007Y4', '2584R002', 'RegSO2020', 2022, POP, null, '..'],
      ['TAB6571', '000007Y4', '0180R001', 'RegSO2020', 2022, 'Kon=1+2;UtlBakgrund=1', 999, null],
      ['TAB6571', '000007Y4', '0180R001', 'RegSO2025', 2022, POP, 77777, null],
    ]);
    await execFile(wh.conn, 'area_types/population', { table_id: 'TAB6571', measure: '000007Y4', breakdown: POP });
    const rows = await query(wh.conn, 'SELECT scope_level, scope_code, year, area_type, n_areas, n_missing_population, population, share, status, source_table FROM area_type_population ORDER BY scope_level, scope_code, area_type NULLS LAST');
    const r = (scope_level: string, scope_code: string, area_type: number | null, n_areas: number, n_missing_population: number, population: number | null, share: number | null, status: string) =>
      ({ scope_level, scope_code, year: 2022, area_type, n_areas, n_missing_population, population, share, status, source_table: 'TAB6571' });
    expect(rows).toEqual([
      r('kommun', '0114', 1, 1, 0, 500, 100, 'ok'),
      r('kommun', '0114', 2, 0, 0, 0, 0, 'ok'),
      r('kommun', '0114', 3, 0, 0, 0, 0, 'ok'),
      r('kommun', '0114', 4, 0, 0, 0, 0, 'ok'),
      r('kommun', '0114', 5, 0, 0, 0, 0, 'ok'),
      r('kommun', '0180', 1, 1, 0, 1000, 20, 'ok'),
      r('kommun', '0180', 2, 0, 0, 0, 0, 'ok'),
      r('kommun', '0180', 3, 0, 0, 0, 0, 'ok'),
      r('kommun', '0180', 4, 0, 0, 0, 0, 'ok'),
      r('kommun', '0180', 5, 1, 0, 3000, 60, 'ok'),
      r('kommun', '0180', null, 1, 0, 1000, 20, 'ok'),
      r('kommun', '2584', 1, 0, 0, 0, 0, 'ok'),
      r('kommun', '2584', 2, 0, 0, 0, 0, 'ok'),
      r('kommun', '2584', 3, 2, 1, 200, 100, 'partial'),
      r('kommun', '2584', 4, 0, 0, 0, 0, 'ok'),
      r('kommun', '2584', 5, 0, 0, 0, 0, 'ok'),
      r('lan', '01', 1, 2, 0, 1500, (100 * 1500) / 5500, 'ok'),
      r('lan', '01', 2, 0, 0, 0, 0, 'ok'),
      r('lan', '01', 3, 0, 0, 0, 0, 'ok'),
      r('lan', '01', 4, 0, 0, 0, 0, 'ok'),
      r('lan', '01', 5, 1, 0, 3000, (100 * 3000) / 5500, 'ok'),
      r('lan', '01', null, 1, 0, 1000, (100 * 1000) / 5500, 'ok'),
      r('lan', '25', 1, 0, 0, 0, 0, 'ok'),
      r('lan', '25', 2, 0, 0, 0, 0, 'ok'),
      r('lan', '25', 3, 2, 1, 200, 100, 'partial'),
      r('lan', '25', 4, 0, 0, 0, 0, 'ok'),
      r('lan', '25', 5, 0, 0, 0, 0, 'ok'),
      r('riket', '00', 1, 2, 0, 1500, (100 * 1500) / 5700, 'ok'),
      r('riket', '00', 2, 0, 0, 0, 0, 'ok'),
      r('riket', '00', 3, 2, 1, 200, (100 * 200) / 5700, 'partial'),
      r('riket', '00', 4, 0, 0, 0, 0, 'ok'),
      r('riket', '00', 5, 1, 0, 3000, (100 * 3000) / 5700, 'ok'),
      r('riket', '00', null, 1, 0, 1000, (100 * 1000) / 5700, 'ok'),
    ]);
  });
});

async function indicator(id: string, unit: string, hib: boolean | null): Promise<void> {
  await execFile(wh.conn, 'staging/upsert_indicator', {
    id, policy_area: 'p', title_sv: id, title_en: id, unit, higher_is_better: hib, population: 'p', source: 's', lag_years: 0, definition: 'd', caveats: '',
  });
}

async function value(id: string, code: string, year: number, num: number | null, den: number | null, status = 'ok', version = 'RegSO2020'): Promise<void> {
  await exec(wh.conn, 'INSERT INTO indicator_value VALUES ($id, $c, $v, $y, $val, $n, $d, $s, $t)', {
    id, c: code, v: version, y: year, val: num === null || den === null ? null : (100 * num) / den, n: num, d: den, s: status, t: 'SCB X',
  });
}

describe('sql/area_types/indicator_by_type.sql + skipped_indicators.sql', () => {
  it('divides summed numerators by summed denominators (never averages shares), with n_areas, n_missing, suppression and noise', async () => {
    await setTypes([
      ['0180R001', 2022, 1],
      ['0180R002', 2022, 1],
      ['0180R003', 2022, 1],
      ['0180R004', 2022, 5],
      ['0180R005', 2022, null],
      ['2584R001', 2022, 5],
      ['2584R002', 2022, 2],
    ]);
    await indicator('emp', 'procent', true);
    await indicator('crime', 'per 1 000 invånare', false);
    await indicator('kolada_only', 'procent', true);
    await indicator('median_income', 'kronor', true);
    // Shares 10 %, 40 %, — (suppressed at RegSO): averaging shares would give 25 %, the counts give 60/300 = 20 %.
    await value('emp', '0180R001', 2022, 20, 200);
    await value('emp', '0180R002', 2022, 40, 100, 'noise');
    await value('emp', '0180R003', 2022, null, null, 'suppressed');
    await value('emp', '0180R004', 2022, 900, 1000);
    await value('emp', '0180R005', 2022, 1, 10);
    await value('emp', '2584R001', 2022, 30, 40);
    // 2584R002 (type 2) has no emp row at all: it counts as missing.
    await value('emp', '0180', 2022, 5000, 6000, 'ok', 'kommun2003');
    await value('kolada_only', '0180', 2022, 5, 10, 'ok', 'kommun2003');
    await value('median_income', '0180R001', 2022, 250000, 1);
    await execFile(wh.conn, 'area_types/indicator_by_type', { threshold: 50 });
    const rows = await query(wh.conn, 'SELECT scope_level, scope_code, area_type, value, numerator, denominator, n_areas, n_missing, status FROM indicator_by_area_type WHERE indicator_id = \'emp\' AND year = 2022 ORDER BY 1, 2, 3');
    const r = (scope_level: string, scope_code: string, area_type: number, value: number | null, numerator: number | null, denominator: number | null, n_areas: number, n_missing: number, status: string) =>
      ({ scope_level, scope_code, area_type, value, numerator, denominator, n_areas, n_missing, status });
    expect(rows).toEqual([
      r('kommun', '0180', 1, 20, 60, 300, 2, 1, 'noise'),
      r('kommun', '0180', 2, null, null, null, 0, 0, 'no_areas'),
      r('kommun', '0180', 3, null, null, null, 0, 0, 'no_areas'),
      r('kommun', '0180', 4, null, null, null, 0, 0, 'no_areas'),
      r('kommun', '0180', 5, 90, 900, 1000, 1, 0, 'ok'),
      r('kommun', '2584', 1, null, null, null, 0, 0, 'no_areas'),
      r('kommun', '2584', 2, null, null, null, 0, 1, 'missing'),
      r('kommun', '2584', 3, null, null, null, 0, 0, 'no_areas'),
      r('kommun', '2584', 4, null, null, null, 0, 0, 'no_areas'),
      r('kommun', '2584', 5, null, null, null, 1, 0, 'suppressed'),
      r('lan', '01', 1, 20, 60, 300, 2, 1, 'noise'),
      r('lan', '01', 2, null, null, null, 0, 0, 'no_areas'),
      r('lan', '01', 3, null, null, null, 0, 0, 'no_areas'),
      r('lan', '01', 4, null, null, null, 0, 0, 'no_areas'),
      r('lan', '01', 5, 90, 900, 1000, 1, 0, 'ok'),
      r('lan', '25', 1, null, null, null, 0, 0, 'no_areas'),
      r('lan', '25', 2, null, null, null, 0, 1, 'missing'),
      r('lan', '25', 3, null, null, null, 0, 0, 'no_areas'),
      r('lan', '25', 4, null, null, null, 0, 0, 'no_areas'),
      r('lan', '25', 5, null, null, null, 1, 0, 'suppressed'),
      r('riket', '00', 1, 20, 60, 300, 2, 1, 'noise'),
      r('riket', '00', 2, null, null, null, 0, 1, 'missing'),
      r('riket', '00', 3, null, null, null, 0, 0, 'no_areas'),
      r('riket', '00', 4, null, null, null, 0, 0, 'no_areas'),
      r('riket', '00', 5, (100 * 930) / 1040, 930, 1040, 2, 0, 'ok'),
    ]);
    expect(await queryFile(wh.conn, 'area_types/skipped_indicators')).toEqual([
      { indicator_id: 'crime', reason: 'no values at RegSO level' },
      { indicator_id: 'kolada_only', reason: 'no values at RegSO level' },
      { indicator_id: 'median_income', reason: 'unit is not procent' },
    ]);
  });

  it('lists an indicator whose RegSO rows carry no numerator and denominator', async () => {
    await setTypes([['0180R001', 2022, 1]]);
    await indicator('pct_only', 'procent', true);
    await exec(wh.conn, "INSERT INTO indicator_value VALUES ('pct_only', '0180R001', 'RegSO2020', 2022, 12.5, NULL, NULL, 'ok', 'SCB X')");
    await execFile(wh.conn, 'area_types/indicator_by_type', { threshold: 50 });
    expect(await queryFile(wh.conn, 'area_types/skipped_indicators')).toEqual([{ indicator_id: 'pct_only', reason: 'no numerator and denominator at RegSO level' }]);
  });
});

describe('sql/area_types/compare_scb.sql', () => {
  it('counts per year the RegSO-years both the pipeline and SCB type, and how many agree; untyped ones on either side are left out', async () => {
    await query(wh.conn, `INSERT INTO area_type VALUES
      ('0180R001', 'RegSO2020', 2022, 10, 1), ('0180R002', 'RegSO2020', 2022, 5, 3), ('0180R003', 'RegSO2020', 2022, NULL, NULL),
      ('0180R004', 'RegSO2020', 2022, 4, 4), ('0180R001_x', 'RegSO2025', 2024, 2, 5)`);
    await insertObservations(wh.conn, [
      ['TAB6586', '000008IU', '0180R001', 'RegSO2020', 2022, '', 1, null],
      ['TAB6586', '000008IU', '0180R002', 'RegSO2020', 2022, '', 2, null],
      ['TAB6586', '000008IU', '0180R003', 'RegSO2020', 2022, '', 3, null],
      ['TAB6586', '000008IU', '0180R004', 'RegSO2020', 2022, '', null, '..'],
      // Another measure of the same table is not a type.
      ['TAB6586', '000008IT', '0180R004', 'RegSO2020', 2022, '', 4, null],
    ]);
    const rows = await queryFile(wh.conn, 'area_types/compare_scb', { table_id: 'TAB6586', type_measure: '000008IU' });
    expect(rows).toEqual([{ year: 2022, n_both: 2, n_agree: 1 }]);
  });
});

describe('sql/area_types/gap.sql', () => {
  // The catalogue's rule: base year 2017, 1 percentage point, 1.96 standard errors.
  const GAP = gapParams(CAT);
  /** One type's row in indicator_by_area_type: the value as numerator / denominator (big by default: the materiality decides). */
  async function byType(id: string, scope: string, year: number, t: number, value: number | null, status = 'ok', den = 100_000): Promise<void> {
    const level = scope === '00' ? 'riket' : scope.length === 2 ? 'lan' : 'kommun';
    const has = value !== null && (status === 'ok' || status === 'noise');
    await exec(wh.conn, 'INSERT INTO indicator_by_area_type VALUES ($id, $l, $c, $y, $t, $v, $n, $d, $k, 0, $s)', {
      id, l: level, c: scope, y: year, t, v: has ? value : null, n: has ? ((value as number) * den) / 100 : null, d: has ? den : null, k: status === 'no_areas' ? 0 : 1, s: status,
    });
  }
  /** All five types of one scope and year; null = no RegSO of the type, 'x' = suppressed. */
  async function scope(id: string, code: string, year: number, values: (number | null | 'x')[], den: number | number[] = 100_000): Promise<void> {
    for (const [i, v] of values.entries()) {
      const d = Array.isArray(den) ? (den[i] ?? 0) : den;
      await byType(id, code, year, i + 1, v === 'x' ? null : v, v === null ? 'no_areas' : v === 'x' ? 'suppressed' : 'ok', d);
    }
  }
  const gapRows = (where = 'true') =>
    query(wh.conn, `SELECT indicator_id, scope_code, year, comparison, focus_upto, reference_from, value_focus, value_reference, gap, disadvantage,
                           base_year, gap_base, gap_change, narrowed, change_verdict, status, change_status
                    FROM area_type_gap WHERE ${where} ORDER BY 1, 2, 3`);

  it('type 1 − type 5 where the scope has both, oriented by higher_is_better, with change since the base year and why a gap is missing', async () => {
    // The latest year's types decide the comparison: riket and 0180 have types 1 and 5.
    await setTypes([['0180R001', 2022, 1], ['0180R002', 2022, 5], ['0180R003', 2022, 3]]);
    await indicator('emp', 'procent', true);
    await indicator('unemp', 'procent', false);
    await indicator('rent', 'procent', null);
    await indicator('turnout', 'procent', true);
    // Employment: type 1 far below type 5; the disadvantage shrinks from 30 to 25: narrowed.
    await byType('emp', '00', 2017, 1, 50); await byType('emp', '00', 2017, 5, 80);
    await byType('emp', '00', 2022, 1, 60); await byType('emp', '00', 2022, 5, 85);
    // Unemployment: type 1 above type 5; 10 → 12: widened.
    await byType('unemp', '00', 2017, 1, 15); await byType('unemp', '00', 2017, 5, 5);
    await byType('unemp', '00', 2022, 1, 17); await byType('unemp', '00', 2022, 5, 5);
    // No direction: |gap| 40 → 30, narrowed.
    await byType('rent', '00', 2017, 1, 90); await byType('rent', '00', 2017, 5, 50);
    await byType('rent', '00', 2022, 1, 80); await byType('rent', '00', 2022, 5, 50);
    // No 2017: the base is the first later year (turnout: 2018).
    await byType('turnout', '00', 2018, 1, 60); await byType('turnout', '00', 2018, 5, 90);
    await byType('turnout', '00', 2022, 1, 55); await byType('turnout', '00', 2022, 5, 90);
    await byType('turnout', '0180', 2018, 1, null, 'suppressed'); await byType('turnout', '0180', 2018, 5, 91);
    await byType('turnout', '0180', 2022, 1, 50); await byType('turnout', '0180', 2022, 5, 92);
    // 0180 had no type-1 RegSO in 2019: no focus group that year.
    await byType('turnout', '0180', 2019, 1, null, 'no_areas'); await byType('turnout', '0180', 2019, 5, 80);
    await execFile(wh.conn, 'area_types/gap', GAP);
    const r = (indicator_id: string, scope_code: string, year: number, value_focus: number | null, value_reference: number | null, gap: number | null, disadvantage: number | null, base_year: number, gap_base: number | null, gap_change: number | null, narrowed: boolean | null, change_verdict: string | null, status: string, change_status: string) =>
      ({ indicator_id, scope_code, year, comparison: 'type1_vs_type5', focus_upto: 1, reference_from: 5, value_focus, value_reference, gap, disadvantage, base_year, gap_base, gap_change, narrowed, change_verdict, status, change_status });
    expect(await gapRows()).toEqual([
      r('emp', '00', 2017, 50, 80, -30, 30, 2017, -30, 0, null, null, 'ok', 'base_year'),
      r('emp', '00', 2022, 60, 85, -25, 25, 2017, -30, 5, true, 'narrowed', 'ok', 'ok'),
      r('rent', '00', 2017, 90, 50, 40, null, 2017, 40, 0, null, null, 'ok', 'base_year'),
      r('rent', '00', 2022, 80, 50, 30, null, 2017, 40, -10, true, 'narrowed', 'ok', 'ok'),
      r('turnout', '00', 2018, 60, 90, -30, 30, 2018, -30, 0, null, null, 'ok', 'base_year'),
      r('turnout', '00', 2022, 55, 90, -35, 35, 2018, -30, -5, false, 'widened', 'ok', 'ok'),
      r('turnout', '0180', 2018, null, 91, null, null, 2018, null, null, null, null, 'suppressed', 'no_gap'),
      r('turnout', '0180', 2019, null, 80, null, null, 2018, null, null, null, null, 'no_focus', 'no_gap'),
      r('turnout', '0180', 2022, 50, 92, -42, 42, 2018, null, null, null, null, 'ok', 'no_base'),
      r('unemp', '00', 2017, 15, 5, 10, 10, 2017, 10, 0, null, null, 'ok', 'base_year'),
      r('unemp', '00', 2022, 17, 5, 12, 12, 2017, 10, 2, false, 'widened', 'ok', 'ok'),
    ]);
  });

  it('a Malmö-like kommun (type 1 present, no type 5) compares type 1 with the rest of the kommun, from summed counts', async () => {
    await setTypes([['1280R001', 2022, 1], ['1280R002', 2022, 2], ['1280R003', 2022, 3], ['1280R004', 2022, 4]]);
    await indicator('emp', 'procent', true);
    // Types 2–4 hold 1 000, 3 000 and 6 000 persons at 70, 80 and 90 %: the rest of the kommun is 8 500 / 10 000
    // = 85 %, not the mean of the shares (80 %).
    await scope('emp', '1280', 2017, [50, 70, 80, 90, null], [2000, 1000, 3000, 6000, 0]);
    await scope('emp', '1280', 2022, [55, 70, 80, 90, null], [2000, 1000, 3000, 6000, 0]);
    await execFile(wh.conn, 'area_types/gap', GAP);
    const rows = await gapRows();
    expect(rows.map((x) => [x.year, x.comparison, x.focus_upto, x.reference_from, x.value_focus, x.value_reference, x.status])).toEqual([
      [2017, 'lowest_vs_rest', 1, 2, 50, 85, 'ok'],
      [2022, 'lowest_vs_rest', 1, 2, 55, 85, 'ok'],
    ]);
    expect(rows[1]?.gap).toBeCloseTo(-30, 12);
    // 5 points narrower, beyond 1 point and beyond 1.96 standard errors of the change (about 1.3 points here).
    expect(rows[1]?.change_verdict).toBe('narrowed');
    const [se] = await query(wh.conn, "SELECT se_gap, se_change, den_focus, den_reference FROM area_type_gap WHERE year = 2022");
    const seGap = 100 * Math.sqrt((0.55 * 0.45) / 2000 + (0.85 * 0.15) / 10000);
    expect(se?.se_gap).toBeCloseTo(seGap, 12);
    expect(se?.se_change).toBeCloseTo(Math.sqrt(seGap ** 2 + (100 * Math.sqrt((0.5 * 0.5) / 2000 + (0.85 * 0.15) / 10000)) ** 2), 12);
    expect([se?.den_focus, se?.den_reference]).toEqual([2000, 10000]);
    // Chosen from 2022's types, the latest year with any.
    expect((await query(wh.conn, 'SELECT DISTINCT comparison_year FROM area_type_gap'))).toEqual([{ comparison_year: 2022 }]);
  });

  it('without type 1 the lowest type present leads: types ≤ it against the rest, also in a year that had a lower one', async () => {
    await setTypes([['0114R001', 2022, 2], ['0114R002', 2022, 4], ['0114R003', 2017, 1], ['0114R001', 2017, 2]]);
    await indicator('emp', 'procent', true);
    await scope('emp', '0114', 2017, [40, 60, null, 80, null], [1000, 1000, 0, 2000, 0]);
    await scope('emp', '0114', 2022, [null, 61, null, 81, null], [0, 1000, 0, 2000, 0]);
    await execFile(wh.conn, 'area_types/gap', GAP);
    expect((await gapRows()).map((x) => [x.year, x.comparison, x.focus_upto, x.reference_from, x.value_focus, x.value_reference])).toEqual([
      [2017, 'lowest_vs_rest', 2, 3, 50, 80],
      [2022, 'lowest_vs_rest', 2, 3, 61, 81],
    ]);
  });

  it('a kommun with one type gets single_type and no gap; a group with a suppressed type is suppressed whole', async () => {
    await setTypes([['2403R001', 2022, 4], ['2403R002', 2022, 4], ['0182R001', 2022, 2], ['0182R002', 2022, 3], ['0182R003', 2022, 4]]);
    await indicator('emp', 'procent', true);
    await scope('emp', '2403', 2022, [null, null, null, 80, null], 3000);
    // 0182: type 3 withheld (under the threshold), type 4 published: the rest of the kommun would reveal type 3.
    await scope('emp', '0182', 2022, [null, 60, 'x', 80, null], [0, 1000, 0, 2000, 0]);
    await execFile(wh.conn, 'area_types/gap', GAP);
    expect((await gapRows()).map((x) => [x.scope_code, x.comparison, x.value_focus, x.value_reference, x.gap, x.status])).toEqual([
      ['0182', 'lowest_vs_rest', 60, null, null, 'suppressed'],
      ['2403', 'single_type', null, null, null, 'single_type'],
    ]);
  });

  it('takes a noisy share above 100 % (cell-key noise) without failing: its standard error is 0, not the root of a negative', async () => {
    await setTypes([['0180R001', 2022, 1], ['0180R002', 2022, 5]]);
    await indicator('emp', 'procent', true);
    await byType('emp', '00', 2022, 1, 60, 'ok', 1000);
    await byType('emp', '00', 2022, 5, 100.4, 'noise', 1000);
    await execFile(wh.conn, 'area_types/gap', GAP);
    const [g] = await query(wh.conn, 'SELECT value_reference, status, se_gap FROM area_type_gap');
    expect(g?.status).toBe('noise');
    expect(g?.se_gap).toBeCloseTo(100 * Math.sqrt((0.6 * 0.4) / 1000), 12);
  });

  it('a change is a finding only beyond the materiality and the counts\' uncertainty; a sign change beyond both is reversed', async () => {
    await setTypes([['0180R001', 2022, 1], ['0180R002', 2022, 5]]);
    await indicator('big', 'procent', true);
    await indicator('small', 'procent', true);
    await indicator('tiny_move', 'procent', true);
    await indicator('flip', 'procent', true);
    // The same 5-point widening: over 100 000 persons per group a finding, over 200 not (1.96 SE ≈ 11.9 points).
    await scope('big', '00', 2017, [30, null, null, null, 80]); await scope('big', '00', 2022, [30, null, null, null, 85]);
    await scope('small', '00', 2017, [30, null, null, null, 80], 200); await scope('small', '00', 2022, [30, null, null, null, 85], 200);
    // 0,8 points over huge groups: inside the materiality.
    await scope('tiny_move', '00', 2017, [30, null, null, null, 80]); await scope('tiny_move', '00', 2022, [30, null, null, null, 80.8]);
    // Type 1 from 5 points behind to 5 points ahead.
    await scope('flip', '00', 2017, [70, null, null, null, 75]); await scope('flip', '00', 2022, [80, null, null, null, 75]);
    await execFile(wh.conn, 'area_types/gap', GAP);
    const verdicts = await query(wh.conn, 'SELECT indicator_id, change_verdict, narrowed FROM area_type_gap WHERE year = 2022 ORDER BY 1');
    expect(verdicts).toEqual([
      { indicator_id: 'big', change_verdict: 'widened', narrowed: false },
      { indicator_id: 'flip', change_verdict: 'reversed', narrowed: true },
      { indicator_id: 'small', change_verdict: 'no_change', narrowed: false },
      { indicator_id: 'tiny_move', change_verdict: 'no_change', narrowed: false },
    ]);
    // An indicator's own threshold (data/indicators.json materiality) replaces the default: at 0,5 points the
    // 0,8-point move is a finding; the others keep 1 point.
    await exec(wh.conn, 'DELETE FROM area_type_gap');
    await execFile(wh.conn, 'area_types/gap', gapParams(CAT, new Map([['tiny_move', 0.5]])));
    expect(await query(wh.conn, 'SELECT indicator_id, materiality, change_verdict FROM area_type_gap WHERE year = 2022 ORDER BY 1')).toEqual([
      { indicator_id: 'big', materiality: 1, change_verdict: 'widened' },
      { indicator_id: 'flip', materiality: 1, change_verdict: 'reversed' },
      { indicator_id: 'small', materiality: 1, change_verdict: 'no_change' },
      { indicator_id: 'tiny_move', materiality: 0.5, change_verdict: 'widened' },
    ]);
  });
});

describe('sql/area_types/delete_aggregates.sql', () => {
  it('empties the three aggregate tables and leaves the types', async () => {
    await setTypes([['0180R001', 2022, 1]]);
    await exec(wh.conn, "INSERT INTO area_type_population VALUES ('riket', '00', 2022, 1, 1, 0, 10, 100, 'ok', 'TAB6571')");
    await exec(wh.conn, "INSERT INTO indicator_by_area_type VALUES ('emp', 'riket', '00', 2022, 1, 1, 1, 1, 1, 0, 'ok')");
    await exec(wh.conn, "INSERT INTO area_type_gap (indicator_id, scope_level, scope_code, year, comparison, status, change_status) VALUES ('emp', 'riket', '00', 2022, 'type1_vs_type5', 'ok', 'base_year')");
    await execFile(wh.conn, 'area_types/delete_aggregates');
    const [n] = await query(wh.conn, 'SELECT (SELECT count(*) FROM area_type_population) + (SELECT count(*) FROM indicator_by_area_type) + (SELECT count(*) FROM area_type_gap) AS n, (SELECT count(*) FROM area_type) AS types');
    expect(n).toEqual({ n: 0, types: 1 });
  });
});
