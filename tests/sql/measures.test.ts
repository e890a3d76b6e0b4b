import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFile, query, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

const REF = new URL('../fixtures/reference/', import.meta.url);
const FB = 'Kon=1+2;UtlBakgrund=1';
const SB = 'Kon=1+2;UtlBakgrund=2';
const PARAMS = { table: 'TAB6571', measure: '000007Y4', focal_breakdown: FB, other_breakdown: SB, groups: 'fb/sb', focal: 'fb' };

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

/** Loads a reference two-group file as DeSO units of one kommun (codes 0180C0010, 0180C0020, …). */
async function loadReference(name: string, kommun = '0180', year = 2020): Promise<void> {
  const lines = readFileSync(new URL(`data/${name}.csv`, REF), 'utf8').trim().split('\n').slice(1);
  const rows: Parameters<typeof insertObservations>[1] = [];
  lines.forEach((line, i) => {
    const [, g1, g2] = line.split(',');
    const code = `${kommun}C${String((i + 1) * 10).padStart(4, '0')}`;
    rows.push(['TAB6571', '000007Y4', code, 'DeSO2018', year, FB, Number(g1), null]);
    rows.push(['TAB6571', '000007Y4', code, 'DeSO2018', year, SB, Number(g2), null]);
  });
  await insertObservations(wh.conn, rows);
}

function expectedD(name: string): number {
  const exp = JSON.parse(readFileSync(new URL(`expected/${name}.json`, REF), 'utf8')) as { records: { index: string; library: string; value: unknown; status: string }[] };
  const rec = exp.records.find((r) => r.index === 'D' && r.library === 'pysal' && r.status === 'ok');
  if (!rec || typeof rec.value !== 'number') throw new Error(`no pysal D for ${name}`);
  return rec.value;
}

const kommunD = async () => query(wh.conn, "SELECT value, n_units, total, status FROM segregation_index WHERE scope_level = 'kommun' AND scope_code = '0180'");

describe('sql/measures/dissimilarity.sql', () => {
  for (const name of ['hm_two_basic', 'hm_two_unequal', 'hm_two_zero_area']) {
    it(`equals pysal/rseg on ${name} to 1e-12`, async () => {
      await loadReference(name);
      await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
      const [row] = await kommunD();
      expect(row?.status).toBe('ok');
      expect(Math.abs(Number(row?.value) - expectedD(name))).toBeLessThan(1e-12);
    });
  }

  it('drops the empty unit from n_units (hm_two_zero_area: 6 areas, one empty)', async () => {
    await loadReference('hm_two_zero_area');
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    expect((await kommunD())[0]).toMatchObject({ n_units: 5, total: 255 });
  });

  it('returns single_unit and single_group as NULL with the reason (METHODS §2.2)', async () => {
    await loadReference('hm_two_single_area', '0180');
    await loadReference('hm_two_group_absent', '0181');
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    const rows = await query(wh.conn, "SELECT scope_code, value, status FROM segregation_index WHERE scope_level = 'kommun' ORDER BY 1");
    expect(rows).toEqual([
      { scope_code: '0180', value: null, status: 'single_unit' },
      { scope_code: '0181', value: null, status: 'single_group' },
    ]);
  });

  it('computes län and riket scopes over all their DeSO, and leaves out units missing at source', async () => {
    await loadReference('hm_two_basic', '0180');
    await loadReference('hm_two_basic', '0181');
    await insertObservations(wh.conn, [
      ['TAB6571', '000007Y4', '0181C9990', 'DeSO2018', 2020, FB, null, '..'],
      ['TAB6571', '000007Y4', '0181C9990', 'DeSO2018', 2020, SB, 500, null],
    ]);
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    const rows = await query(wh.conn, 'SELECT scope_level, scope_code, value, n_units FROM segregation_index ORDER BY 1, 2');
    expect(rows.map((r) => [r.scope_level, r.scope_code, r.n_units])).toEqual([
      ['kommun', '0180', 4], ['kommun', '0181', 4], ['lan', '01', 8], ['riket', '00', 8],
    ]);
    for (const r of rows) expect(Math.abs(Number(r.value) - 0.6)).toBeLessThan(1e-12);
    await execFile(wh.conn, 'measures/delete_measure', { measure: 'D', groups: 'fb/sb' });
    expect(await query(wh.conn, 'SELECT * FROM segregation_index')).toEqual([]);
  });
});

describe('sql/measures/apply_disclosure_segregation.sql', () => {
  it('withholds indices over fewer persons than the threshold, keeping the row and its counts', async () => {
    await query(wh.conn, `INSERT INTO segregation_index VALUES
      ('D','g','f','kommun','2403','deso','DeSO2018',2020,0.2,0.05,0.1,0.3,2,40,'ok','T',0.19,0.01,0.05,200),
      ('D','g','f','kommun','0180','deso','DeSO2018',2020,0.3,0.01,0.29,0.31,544,9e5,'ok','T',0.299,0.001,0.004,200),
      ('D','g','f','kommun','2521','deso','DeSO2018',2020,NULL,NULL,NULL,NULL,1,30,'single_unit','T',NULL,NULL,NULL,NULL)`);
    await execFile(wh.conn, 'measures/apply_disclosure_segregation', { threshold: 50 });
    expect(await query(wh.conn, 'SELECT scope_code, value, expected, ci_low, bias_corrected, bias, se, n_units, total, status FROM segregation_index ORDER BY scope_code')).toEqual([
      { scope_code: '0180', value: 0.3, expected: 0.01, ci_low: 0.29, bias_corrected: 0.299, bias: 0.001, se: 0.004, n_units: 544, total: 9e5, status: 'ok' },
      { scope_code: '2403', value: null, expected: null, ci_low: null, bias_corrected: null, bias: null, se: null, n_units: 2, total: 40, status: 'suppressed' },
      { scope_code: '2521', value: null, expected: null, ci_low: null, bias_corrected: null, bias: null, se: null, n_units: 1, total: 30, status: 'single_unit' },
    ]);
  });
});

describe('sql/measures/keep_sql_d.sql and sql/measures/compare_d.sql', () => {
  it('set the SQL D aside and report where another D for the same scopes disagrees', async () => {
    await loadReference('hm_two_basic');
    await execFile(wh.conn, 'measures/dissimilarity', PARAMS);
    await execFile(wh.conn, 'measures/keep_sql_d', { groups: 'fb/sb' });
    expect(await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' })).toEqual([]);
    // Another implementation's rows: equal but for rounding noise, then one value off.
    await query(wh.conn, "UPDATE segregation_index SET value = value + 1e-12 WHERE scope_level = 'lan'");
    expect(await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' })).toEqual([]);
    await query(wh.conn, "UPDATE segregation_index SET value = 0.5 WHERE scope_level = 'kommun'");
    const bad = await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' });
    expect(bad.map((r) => [r.scope_level, r.scope_code, r.engine_value])).toEqual([['kommun', '0180', 0.5]]);
    expect(Math.abs(Number(bad[0]?.sql_value) - 0.6)).toBeLessThan(1e-12);
    await query(wh.conn, "DELETE FROM segregation_index WHERE scope_level = 'riket'");
    expect((await queryFile(wh.conn, 'measures/compare_d', { groups: 'fb/sb' })).map((r) => r.scope_level)).toEqual(expect.arrayContaining(['kommun', 'riket']));
  });
});

describe('sql/measures/segregation_change.sql and sql/measures/delete_segregation_change.sql', () => {
  /** A D row: year, version, source table, bias-corrected value, se, bias (value = bias-corrected + bias). */
  const row = (scope: string, year: number, version: string, table: string, bc: number, se: number, bias: number, status = 'ok'): string =>
    `('D','g','f','kommun','${scope}','deso','${version}',${year},${bc + bias},0.01,${bc - 0.05},${bc + 0.05},20,9e4,'${status}','${table}',${bc},${bias},${se},200)`;

  it('per scope: the comparable span within the latest area version and the span since 2017; verdict from the difference\'s interval', async () => {
    await query(wh.conn, `INSERT INTO segregation_index VALUES
      ${row('0001', 2016, 'DeSO2018', 'T', 0.10, 0.002, 0.010)},
      ${row('0001', 2017, 'DeSO2018', 'T', 0.20, 0.003, 0.010)},
      ${row('0001', 2023, 'DeSO2018', 'T', 0.22, 0.004, 0.011)},
      ${row('0001', 2024, 'DeSO2025', 'T', 0.23, 0.003, 0.010)},
      ${row('0001', 2025, 'DeSO2025', 'T', 0.24, 0.004, 0.012)},
      ${row('0002', 2017, 'DeSO2018', 'T', 0.30, 0.020, 0.010)},
      ${row('0002', 2025, 'DeSO2018', 'T', 0.31, 0.020, 0.010)},
      ${row('0003', 2017, 'DeSO2018', 'A', 0.30, 0.001, 0.001)},
      ${row('0003', 2024, 'DeSO2025', 'B', 0.25, 0.001, 0.001)},
      ${row('0003', 2025, 'DeSO2025', 'B', 0.20, 0.001, 0.001, 'suppressed')}`);
    await query(wh.conn, "INSERT INTO segregation_index_change SELECT 'x','x',NULL,'x','x','x','comparable',1,2,'a','b',0,0,0,0,0,'none',false");
    await execFile(wh.conn, 'measures/delete_segregation_change');
    await execFile(wh.conn, 'measures/segregation_change', { first_year: 2017, z: 1.959963984540054 });
    const all = await query(wh.conn, 'SELECT scope_code, span, from_year, to_year, from_version, to_version, diff, ci_low, ci_high, verdict, crosses_break FROM segregation_index_change ORDER BY scope_code, span, to_year');
    const z = 1.959963984540054;
    // One row per end year: the latest end year per scope is what a report for the latest year reads.
    const last = new Map<string, number>();
    for (const r of all) last.set(String(r.scope_code), Math.max(last.get(String(r.scope_code)) ?? 0, Number(r.to_year)));
    const rows = all.filter((r) => r.to_year === last.get(String(r.scope_code)));
    const pick = (code: string, span: string) => rows.find((r) => r.scope_code === code && r.span === span) as Record<string, unknown>;
    // 0001: 2024 → 2025 on DeSO2025 (0.01 ± z·√(0.003² + 0.004² + 0.002²) contains 0: none); 2017 → 2025 crosses the break.
    expect(pick('0001', 'comparable')).toMatchObject({ from_year: 2024, to_year: 2025, from_version: 'DeSO2025', crosses_break: false, verdict: 'none' });
    expect(Number(pick('0001', 'comparable').ci_low)).toBeCloseTo(0.01 - z * Math.hypot(0.003, 0.004, 0.002), 12);
    expect(pick('0001', 'since_first')).toMatchObject({ from_year: 2017, to_year: 2025, from_version: 'DeSO2018', to_version: 'DeSO2025', crosses_break: true, verdict: 'increase' });
    expect(Number(pick('0001', 'since_first').diff)).toBeCloseTo(0.04, 12);
    // 0002: one version throughout, both spans 2017 → 2025, within the uncertainty.
    expect(pick('0002', 'comparable')).toMatchObject({ from_year: 2017, to_year: 2025, crosses_break: false, verdict: 'none' });
    expect(Number(pick('0002', 'comparable').ci_low)).toBeLessThan(0);
    // 0003: the suppressed 2025 never enters; the latest version has one year only (2024), so the comparable span
    // falls back to 2017 and crosses the break (version and source table both change) — a clear decrease in the
    // numbers, flagged as crossing the break.
    expect(pick('0003', 'comparable')).toMatchObject({ from_year: 2017, to_year: 2024, crosses_break: true, verdict: 'decrease' });
    expect(rows.some((r) => r.scope_code === 'x')).toBe(false);
    expect(rows).toHaveLength(6);
    // An earlier end year looks only backwards: 0001 up to 2023 is on DeSO2018 throughout.
    expect(all.find((r) => r.scope_code === '0001' && r.to_year === 2023 && r.span === 'comparable')).toMatchObject({ from_year: 2017, crosses_break: false });
    // End years: 0001 has 2023, 2024, 2025 (2017 has nothing before it), 0002 2025, 0003 2024; two spans each.
    expect(all).toHaveLength(2 * (3 + 1 + 1));
    // The report reads the latest end year up to its own year.
    const report = (year: number) =>
      queryFile(wh.conn, 'report/segregation_change', { measure: 'D', groups: 'g', scope_level: 'kommun', scope_code: '0001', unit_level: 'deso', year });
    expect((await report(2025)).map((r) => [r.span, r.from_year, r.to_year])).toEqual([['comparable', 2024, 2025], ['since_first', 2017, 2025]]);
    expect((await report(2023)).map((r) => [r.span, r.from_year, r.to_year, r.crosses_break])).toEqual([['comparable', 2017, 2023, false], ['since_first', 2017, 2023, false]]);
    expect(await report(2017)).toEqual([]);
    // Every kommun at once, each at its own latest end year up to the report year.
    const byKommun = await queryFile(wh.conn, 'report/segregation_change_by_kommun', { measure: 'D', groups: 'g', unit_level: 'deso', year: 2025 });
    expect(byKommun.map((r) => [r.code, r.span, r.from_year, r.to_year, r.verdict, r.crosses_break])).toEqual([
      ['0001', 'comparable', 2024, 2025, 'none', false],
      ['0001', 'since_first', 2017, 2025, 'increase', true],
      ['0002', 'comparable', 2017, 2025, 'none', false],
      ['0002', 'since_first', 2017, 2025, 'none', false],
      ['0003', 'comparable', 2017, 2024, 'decrease', true],
      ['0003', 'since_first', 2017, 2024, 'decrease', true],
    ]);
    const before = await queryFile(wh.conn, 'report/segregation_change_by_kommun', { measure: 'D', groups: 'g', unit_level: 'deso', year: 2023 });
    expect(before.map((r) => [r.code, r.span, r.to_year])).toEqual([['0001', 'comparable', 2023], ['0001', 'since_first', 2023]]);
  });
});

describe('sql/measures/deso_crosswalk.sql, sql/measures/delete_segregation_bridge.sql and sql/report/segregation_bridge.sql', () => {
  it('reads the population weights of one version pair, and the bridge table empties', async () => {
    await query(wh.conn, `INSERT INTO area_crosswalk VALUES ('0180C1010','DeSO2018','0180C1011','DeSO2025',0.4),
      ('0180C1010','DeSO2018','0180C1012','DeSO2025',0.6), ('0180C1020','DeSO2018','0180C1020','DeSO2025',1),
      ('0180C1030','DeSO2018','0180C1031','DeSO2025',0)`);
    expect(await queryFile(wh.conn, 'measures/deso_crosswalk', { from_version: 'DeSO2018', to_version: 'DeSO2025' })).toEqual([
      { from_code: '0180C1010', to_code: '0180C1011', weight: 0.4 },
      { from_code: '0180C1010', to_code: '0180C1012', weight: 0.6 },
      { from_code: '0180C1020', to_code: '0180C1020', weight: 1 },
    ]);
    await query(wh.conn, `INSERT INTO segregation_bridge VALUES ('D','g','f','riket','00','deso',2024,'DeSO2018','DeSO2025',0.3,0.31,10,12,'ok'),
      ('D','g','f','riket','00','deso',2023,'DeSO2018','DeSO2025',0.29,0.29,10,12,'ok'), ('D','g','f','kommun','0180','deso',2024,'DeSO2018','DeSO2025',NULL,NULL,1,1,'single_unit')`);
    expect(await queryFile(wh.conn, 'report/segregation_bridge', { measure: 'D', groups: 'g', scope_level: 'riket', scope_code: '00', unit_level: 'deso' })).toEqual([
      { year: 2023, from_version: 'DeSO2018', to_version: 'DeSO2025', value_from: 0.29, value_to: 0.29 },
      { year: 2024, from_version: 'DeSO2018', to_version: 'DeSO2025', value_from: 0.3, value_to: 0.31 },
    ]);
    expect(await queryFile(wh.conn, 'report/segregation_bridge', { measure: 'D', groups: 'g', scope_level: 'kommun', scope_code: '0180', unit_level: 'deso' })).toEqual([]);
    await execFile(wh.conn, 'measures/delete_segregation_bridge');
    expect(await query(wh.conn, 'SELECT count(*)::INTEGER AS n FROM segregation_bridge')).toEqual([{ n: 0 }]);
  });
});
