import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { execFile, exec, query, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

// TAB5956 and TAB6534 have no Kon variable: the education level is the only breakdown.
const EDU = (lvl: string) => `UtbildningsNiva=${lvl}`;
const EDU_PARAMS = {
  tables: listValue(['TAB5956', 'TAB6534']),
  measures: listValue(['000005MO', '000007Z6']),
  focal_breakdowns: listValue([EDU('5'), EDU('6')]),
  other_breakdowns: listValue([EDU('21'), EDU('3+4'), EDU('US')]),
};
type Obs = Parameters<typeof insertObservations>[1];

/** The five education parts of one area-year: [21, 3+4, 5, 6, US]; null = protected ('..'), undefined = row absent. */
function education(table: string, area: string, version: string, year: number, parts: (number | null | undefined)[]): Obs {
  const measure = table === 'TAB5956' ? '000005MO' : '000007Z6';
  const rows: Obs = [];
  ['21', '3+4', '5', '6', 'US'].forEach((lvl, i) => {
    const v = parts[i];
    if (v !== undefined) rows.push([table, measure, area, version, year, EDU(lvl), v, v === null ? '..' : null]);
  });
  return rows;
}

describe("sql/measures/unit_counts_two_group.sql ('measures/unit_counts_two_group')", () => {
  it('sums the focal and the other parts per DeSO and RegSO, NULL when a part is protected or absent, ordered by level, version, year, table, kommun, unit', async () => {
    await insertObservations(wh.conn, [
      ...education('TAB5956', '0180C1020', 'DeSO2018', 2023, [5, 30, 10, 20, 1]),
      ...education('TAB5956', '0180C1010', 'DeSO2018', 2023, [7, 40, 12, 22, 0]),
      ...education('TAB5956', '0114C1010', 'DeSO2018', 2023, [5, 30, null, 20, 1]),
      ...education('TAB5956', '0114A0010', 'DeSO2018', 2023, [5, 30, 10, 20, undefined]),
      ...education('TAB6534', '0180C1010', 'DeSO2025', 2024, [8, 41, 13, 23, 2]),
      ...education('TAB5956', '0180R001', 'RegSO2020', 2023, [12, 70, 22, 42, 1]),
      // Not sub-areas, or another table or contents code: ignored.
      ...education('TAB5956', '0180', 'kommun2003', 2023, [1000, 1000, 1000, 1000, 1000]),
      ['TAB5956', 'OTHER', '0180C1010', 'DeSO2018', 2023, EDU('5'), 999, null],
      ['TAB9999', '000005MO', '0180C1010', 'DeSO2018', 2023, EDU('5'), 999, null],
    ]);
    const rows = await queryFile(wh.conn, 'measures/unit_counts_two_group', EDU_PARAMS);
    expect(rows).toEqual([
      { unit_level: 'deso', unit_version: 'DeSO2018', year: 2023, source_table: 'TAB5956', kommun_code: '0114', unit_code: '0114A0010', x: null, y: null },
      { unit_level: 'deso', unit_version: 'DeSO2018', year: 2023, source_table: 'TAB5956', kommun_code: '0114', unit_code: '0114C1010', x: null, y: null },
      { unit_level: 'deso', unit_version: 'DeSO2018', year: 2023, source_table: 'TAB5956', kommun_code: '0180', unit_code: '0180C1010', x: 34, y: 47 },
      { unit_level: 'deso', unit_version: 'DeSO2018', year: 2023, source_table: 'TAB5956', kommun_code: '0180', unit_code: '0180C1020', x: 30, y: 36 },
      { unit_level: 'deso', unit_version: 'DeSO2025', year: 2024, source_table: 'TAB6534', kommun_code: '0180', unit_code: '0180C1010', x: 36, y: 51 },
      { unit_level: 'regso', unit_version: 'RegSO2020', year: 2023, source_table: 'TAB5956', kommun_code: '0180', unit_code: '0180R001', x: 64, y: 83 },
    ]);
  });

  it('takes each group as published under cell-key noise (2025): y is the other part, never total − x', async () => {
    const fb = 'Kon=1+2;UtlBakgrund=1';
    const sb = 'Kon=1+2;UtlBakgrund=2';
    const sa = 'Kon=1+2;UtlBakgrund=SA';
    await insertObservations(wh.conn, [
      ['TAB6571', '000007Y4', '0180C1010', 'DeSO2025', 2025, fb, 301, null],
      ['TAB6571', '000007Y4', '0180C1010', 'DeSO2025', 2025, sb, 702, null],
      ['TAB6571', '000007Y4', '0180C1010', 'DeSO2025', 2025, sa, 1000, null],
      ['TAB6571', '000007Y4', '0180C1020', 'DeSO2025', 2025, fb, 0, null],
      ['TAB6571', '000007Y4', '0180C1020', 'DeSO2025', 2025, sb, 0, null],
    ]);
    const rows = await queryFile(wh.conn, 'measures/unit_counts_two_group', {
      tables: listValue(['TAB6571']), measures: listValue(['000007Y4']), focal_breakdowns: listValue([fb]), other_breakdowns: listValue([sb]),
    });
    expect(rows.map((r) => [r.unit_code, r.x, r.y])).toEqual([['0180C1010', 301, 702], ['0180C1020', 0, 0]]);
  });
});

describe("sql/measures/unit_counts_percent.sql ('measures/unit_counts_percent')", () => {
  it('turns percent × total into whole persons (rounded half away from zero), y = total − x, NULL when either is missing', async () => {
    const b = 'Alder=tot';
    await insertObservations(wh.conn, [
      ['TAB6685', '000008AC', '0114A0010', 'DeSO2018', 2017, b, 8.6, null],
      ['TAB6685', '000008AE', '0114A0010', 'DeSO2018', 2017, b, 1810, null],
      ['TAB6685', '000008AC', '0114A0020', 'DeSO2018', 2017, b, 12.5, null],
      ['TAB6685', '000008AE', '0114A0020', 'DeSO2018', 2017, b, 100, null],
      ['TAB6685', '000008AC', '0114A0030', 'DeSO2018', 2017, b, 0, null],
      ['TAB6685', '000008AE', '0114A0030', 'DeSO2018', 2017, b, 950, null],
      ['TAB6685', '000008AC', '2584A0010', 'DeSO2018', 2017, b, null, '..'],
      ['TAB6685', '000008AE', '2584A0010', 'DeSO2018', 2017, b, 40, null],
      ['TAB6685', '000008AE', '2584A0020', 'DeSO2018', 2017, b, 900, null],
      ['TAB6685', '000008AC', '0114R001', 'RegSO2025', 2024, b, 10.04, null],
      ['TAB6685', '000008AE', '0114R001', 'RegSO2025', 2024, b, 2500, null],
      ['TAB6685', '000008AC', '0114', 'kommun2003', 2017, b, 9.1, null],
      ['TAB6685', '000008AE', '0114', 'kommun2003', 2017, b, 47000, null],
      ['TAB6685', '000008AC', '0114A0040', 'DeSO2018', 2017, 'Alder=0-19', 30, null],
      ['TAB6685', '000008AE', '0114A0040', 'DeSO2018', 2017, 'Alder=0-19', 500, null],
    ]);
    const rows = await queryFile(wh.conn, 'measures/unit_counts_percent', { table: 'TAB6685', pct_measure: '000008AC', total_measure: '000008AE', breakdown: b });
    expect(rows.map((r) => [r.unit_level, r.unit_version, r.year, r.source_table, r.kommun_code, r.unit_code, r.x, r.y])).toEqual([
      ['deso', 'DeSO2018', 2017, 'TAB6685', '0114', '0114A0010', 156, 1654],
      ['deso', 'DeSO2018', 2017, 'TAB6685', '0114', '0114A0020', 13, 87],
      ['deso', 'DeSO2018', 2017, 'TAB6685', '0114', '0114A0030', 0, 950],
      ['deso', 'DeSO2018', 2017, 'TAB6685', '2584', '2584A0010', null, null],
      ['deso', 'DeSO2018', 2017, 'TAB6685', '2584', '2584A0020', null, null],
      ['regso', 'RegSO2025', 2024, 'TAB6685', '0114', '0114R001', 251, 2249],
    ]);
  });
});

describe("sql/measures/unit_counts_quartiles.sql ('measures/unit_counts_quartiles')", () => {
  const PERSONS = '000008A5';
  const SHARES = ['000008A6', '000008A7', '000008A8', '000008A9'];
  const params = { table: 'TAB6684', persons_measure: PERSONS, share_measures: listValue(SHARES) };
  /** One unit of TAB6684 (no breakdown variables): persons, then the whole-percent shares of quartiles 1..4; null = protected, undefined = absent. */
  function unit(area: string, version: string, year: number, persons: number | null | undefined, shares: (number | null | undefined)[], table = 'TAB6684'): Obs {
    const rows: Obs = [];
    [persons, ...shares].forEach((v, i) => {
      if (v !== undefined) rows.push([table, i === 0 ? PERSONS : (SHARES[i - 1] as string), area, version, year, '', v, v === null ? '..' : null]);
    });
    return rows;
  }

  it('turns persons × each quartile\'s whole percent into rounded counts per DeSO and RegSO, in order', async () => {
    await insertObservations(wh.conn, [
      // 1250 persons: 22 % → 275, 7 % → 87.5 → 88 (half away from zero), 35 % → 437.5 → 438, 36 % → 450.
      // The rounded counts add up to 1251, not 1250: whole-percent shares do not reconcile exactly (W222).
      ...unit('0180C1010', 'DeSO2018', 2020, 1250, [22, 7, 35, 36]),
      ...unit('0114A0010', 'DeSO2018', 2020, 1810, [25, 25, 25, 25]),
      // 2024 on the new DeSO; a share of 0 stays 0.
      ...unit('0180C1010', 'DeSO2025', 2024, 999, [0, 13, 40, 47]),
      // 813 persons: 26 % → 211.38 → 211, 27 % → 219.51 → 220, 24 % → 195.12 → 195, 23 % → 186.99 → 187.
      ...unit('0180R001', 'RegSO2020', 2020, 813, [26, 27, 24, 23]),
    ]);
    const out = await queryFile(wh.conn, 'measures/unit_counts_quartiles', params);
    expect(out).toEqual([
      { unit_level: 'deso', unit_version: 'DeSO2018', year: 2020, source_table: 'TAB6684', kommun_code: '0114', unit_code: '0114A0010', q1: 453, q2: 453, q3: 453, q4: 453 },
      { unit_level: 'deso', unit_version: 'DeSO2018', year: 2020, source_table: 'TAB6684', kommun_code: '0180', unit_code: '0180C1010', q1: 275, q2: 88, q3: 438, q4: 450 },
      { unit_level: 'deso', unit_version: 'DeSO2025', year: 2024, source_table: 'TAB6684', kommun_code: '0180', unit_code: '0180C1010', q1: 0, q2: 130, q3: 400, q4: 470 },
      { unit_level: 'regso', unit_version: 'RegSO2020', year: 2020, source_table: 'TAB6684', kommun_code: '0180', unit_code: '0180R001', q1: 211, q2: 220, q3: 195, q4: 187 },
    ]);
  });

  it('gives all four NULL (never 0) when the persons or any share is protected or absent; other levels and tables are ignored', async () => {
    await insertObservations(wh.conn, [
      ...unit('0180C1010', 'DeSO2018', 2020, 1000, [25, 25, 25, 25]),
      ...unit('0180C1020', 'DeSO2018', 2020, null, [25, 25, 25, 25]),
      ...unit('0180C1030', 'DeSO2018', 2020, undefined, [25, 25, 25, 25]),
      ...unit('0180C1040', 'DeSO2018', 2020, 1000, [25, 25, null, 25]),
      ...unit('0180C1050', 'DeSO2018', 2020, 1000, [25, 25, 25, undefined]),
      ...unit('0180R001', 'RegSO2020', 2020, 3000, [null, 30, 30, 30]),
      // Not sub-areas, or another table: no rows.
      ...unit('0180', 'kommun2003', 2020, 900_000, [20, 20, 30, 30]),
      ...unit('00', 'riket', 2020, 10_000_000, [25, 25, 25, 25]),
      ...unit('0180C1010', 'DeSO2018', 2020, 5, [100, 0, 0, 0], 'TAB9999'),
      // The median of the same table is not a share.
      ['TAB6684', '000008AB', '0180C1010', 'DeSO2018', 2020, '', 310.2, null],
    ]);
    const out = await queryFile(wh.conn, 'measures/unit_counts_quartiles', params);
    expect(out.map((r) => [r.unit_level, r.unit_code, r.q1, r.q2, r.q3, r.q4])).toEqual([
      ['deso', '0180C1010', 250, 250, 250, 250],
      ['deso', '0180C1020', null, null, null, null],
      ['deso', '0180C1030', null, null, null, null],
      ['deso', '0180C1040', null, null, null, null],
      ['deso', '0180C1050', null, null, null, null],
      ['regso', '0180R001', null, null, null, null],
    ]);
  });
});

describe("sql/measures/delete_segregation_groups.sql ('measures/delete_segregation_groups')", () => {
  it('removes every row of the listed groups labels and nothing else', async () => {
    for (const [measure, groups] of [['D', 'a / b'], ['Gini', 'a / b'], ['multi_D', 'k1–k5'], ['D', 'c / d']] as const) {
      await exec(wh.conn, "INSERT INTO segregation_index (measure, groups, focal, scope_level, scope_code, unit_level, unit_version, year, value, expected, ci_low, ci_high, n_units, total, status, source_table) VALUES ($m, $g, NULL, 'riket', '00', 'deso', 'DeSO2018', 2020, 0.5, NULL, NULL, NULL, 10, 100, 'ok', 'T')", { m: measure, g: groups });
    }
    await execFile(wh.conn, 'measures/delete_segregation_groups', { groups: listValue(['a / b', 'k1–k5']) });
    expect(await query(wh.conn, 'SELECT measure, groups FROM segregation_index')).toEqual([{ measure: 'D', groups: 'c / d' }]);
  });
});
