import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { listValue } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFile, queryFile, query } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

/** The indicator methods added with the full catalogue: counts, published medians, percents over another table's count. */

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

/** Every area level; a method's $levels restricts it to some of them (pipelines/catalogue.ts methodsOf). */
const ALL_LEVELS = listValue(['riket', 'lan', 'kommun', 'regso', 'deso']);

const values = (conn: DuckDBConnection) =>
  query(conn, 'SELECT area_code, area_version, year, value, numerator, denominator, status, source_table FROM indicator_value ORDER BY area_code, year');

describe('sql/indicators/count_from_counts.sql', () => {
  it('takes the published total as value and numerator, no denominator; missing stays NULL with its status; noise years marked', async () => {
    const sa = 'Kon=1+2;UtlBakgrund=SA';
    const fb = 'Kon=1+2;UtlBakgrund=1';
    await insertObservations(wh.conn, [
      ['TAB6571', '000007Y4', '00', 'riket', 2024, sa, 10_587_710, null],
      ['TAB6571', '000007Y4', '00', 'riket', 2024, fb, 2_911_000, null],
      ['TAB6571', '000007Y4', '00', 'riket', 2025, sa, 10_610_002, null],
      ['TAB6571', '000007Y4', '0180C1010', 'DeSO2018', 2023, sa, null, '..'],
      ['TAB6571', '000007Y4', '2584A0010', 'DeSO2018', 2023, sa, 41, null],
      ['TAB9999', '000007Y4', '00', 'riket', 2024, sa, 1, null],
    ]);
    await execFile(wh.conn, 'indicators/count_from_counts', {
      indicator_id: 'population', source_label: 'SCB TAB6571', tables: listValue(['TAB6571']),
      measures: listValue(['000007Y4']), breakdowns: listValue([sa]), noise_from: 2025, levels: ALL_LEVELS,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '00', area_version: 'riket', year: 2024, value: 10_587_710, numerator: 10_587_710, denominator: null, status: 'ok', source_table: 'SCB TAB6571' },
      { area_code: '00', area_version: 'riket', year: 2025, value: 10_610_002, numerator: 10_610_002, denominator: null, status: 'noise', source_table: 'SCB TAB6571' },
      { area_code: '0180C1010', area_version: 'DeSO2018', year: 2023, value: null, numerator: null, denominator: null, status: '..', source_table: 'SCB TAB6571' },
      { area_code: '2584A0010', area_version: 'DeSO2018', year: 2023, value: 41, numerator: 41, denominator: null, status: 'ok', source_table: 'SCB TAB6571' },
    ]);
    // A count is never suppressed by the disclosure rule (it rests on no denominator): 41 persons stay published.
    await execFile(wh.conn, 'measures/apply_disclosure', { threshold: 50 });
    expect((await values(wh.conn))[3]).toMatchObject({ value: 41, status: 'ok' });
  });

  it('adds several named cells, and leaves the value missing when one of them is absent', async () => {
    // Foreign plus Swedish background: the two parts of TAB6571's total.
    const bg = (k: string) => `Kon=1+2;UtlBakgrund=${k}`;
    await insertObservations(wh.conn, [
      ['TAB6571', '000007Y4', '01', 'lan1998', 2022, bg('1'), 100, null],
      ['TAB6571', '000007Y4', '01', 'lan1998', 2022, bg('2'), 150, null],
      ['TAB6571', '000007Y4', '01', 'lan1998', 2022, bg('SA'), 250, null],
      ['TAB6571', '000007Y4', '03', 'lan1998', 2022, bg('1'), 70, null],
    ]);
    await execFile(wh.conn, 'indicators/count_from_counts', {
      indicator_id: 'fb_sb', source_label: 'SCB TAB6571', tables: listValue(['TAB6571']),
      measures: listValue(['000007Y4']), breakdowns: listValue([bg('1'), bg('2')]), noise_from: 9999, levels: ALL_LEVELS,
    });
    const rows = await values(wh.conn);
    expect(rows.map((r) => [r.area_code, r.value, r.numerator, r.status])).toEqual([
      ['01', 250, 250, 'ok'],
      ['03', null, null, '..'],
    ]);
  });
});

describe('sql/indicators/value_as_published.sql', () => {
  it('scales a published median (tkr → kronor) at each level with no numerator or denominator', async () => {
    // TAB6684 has no Alder (or any other breakdown) variable: its cells have breakdown "".
    await insertObservations(wh.conn, [
      ['TAB6684', '000008AB', '00', 'riket', 2017, '', 248.5, null],
      ['TAB6684', '000008AB', '0180', 'kommun2003', 2017, '', 267.3, null],
      ['TAB6684', '000008AB', '2584A0010', 'DeSO2018', 2017, '', null, '..'],
      ['TAB6684', '000008AB', '2584A0010_x', 'DeSO2025', 2025, '', 300, null],
      // The persons of the same table, and the same code in another table: not the median.
      ['TAB6684', '000008A5', '00', 'riket', 2017, '', 10_000_000, null],
      ['TAB9999', '000008AB', '00', 'riket', 2018, '', 270, null],
    ]);
    await execFile(wh.conn, 'indicators/value_as_published', {
      indicator_id: 'median', source_label: 'SCB TAB6684', tables: listValue(['TAB6684']),
      measures: listValue(['000008AB']), breakdowns: listValue(['']), scale: 1000, noise_from: 2025, levels: ALL_LEVELS,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '00', area_version: 'riket', year: 2017, value: 248_500, numerator: null, denominator: null, status: 'ok', source_table: 'SCB TAB6684' },
      { area_code: '0180', area_version: 'kommun2003', year: 2017, value: 267_300, numerator: null, denominator: null, status: 'ok', source_table: 'SCB TAB6684' },
      { area_code: '2584A0010', area_version: 'DeSO2018', year: 2017, value: null, numerator: null, denominator: null, status: '..', source_table: 'SCB TAB6684' },
      { area_code: '2584A0010_x', area_version: 'DeSO2025', year: 2025, value: 300_000, numerator: null, denominator: null, status: 'noise', source_table: 'SCB TAB6684' },
    ]);
  });

  it('two cells for one area and year are caught by the duplicate check (the catalogue must name exactly one)', async () => {
    // Turnout per RegSO (IntGr11RegSO1): all persons, and men only.
    const all = 'Bakgrund=TOT;Kon=1+2';
    const men = 'Bakgrund=TOT;Kon=1';
    await insertObservations(wh.conn, [
      ['IntGr11RegSO1', '000004WW', '0180R001', 'RegSO2020', 2022, all, 81.3, null],
      ['IntGr11RegSO1', '000004WW', '0180R001', 'RegSO2020', 2022, men, 80.2, null],
    ]);
    const run = (breakdowns: string[]) =>
      execFile(wh.conn, 'indicators/value_as_published', {
        indicator_id: 'turnout', source_label: 'SCB IntGr11RegSO1', tables: listValue(['IntGr11RegSO1']),
        measures: listValue(['000004WW']), breakdowns: listValue(breakdowns), scale: 1, noise_from: 9999, levels: listValue(['regso']),
      });
    await run([all]);
    expect((await values(wh.conn)).map((r) => [r.area_code, r.value, r.status])).toEqual([['0180R001', 81.3, 'ok']]);
    expect(await queryFile(wh.conn, 'checks/indicator_value_duplicates')).toEqual([]);
    await execFile(wh.conn, 'indicators/delete_indicator', { indicator_id: 'turnout' });
    await run([all, men]);
    expect(await queryFile(wh.conn, 'checks/indicator_value_duplicates')).toEqual([{ indicator_id: 'turnout', area_code: '0180R001', area_version: 'RegSO2020', year: 2022, n: 2 }]);
  });
});

describe('sql/indicators/share_from_percent.sql with the denominator in another table', () => {
  // Long-term unemployment (data/indicators.json): IntGr1RegSOBASN's percent over TAB6685's persons 20–64.
  const run = (conn: DuckDBConnection, levels = ALL_LEVELS) =>
    execFile(conn, 'indicators/share_from_percent', {
      indicator_id: 'ltu', source_label: 'SCB IntGr1RegSOBASN, TAB6685', tables: listValue(['IntGr1RegSOBASN', 'TAB6685']),
      pct_measure: listValue(['000008B4']), pct_breakdowns: listValue(['BakgrVar=TOT;Kon=1+2']),
      den_measure: listValue(['000008AE']), den_breakdowns: listValue(['Alder=20-64']), noise_from: 9999, levels,
    });

  it('recovers the numerator from the percent × the count of the same population, only where the percent table has a cell', async () => {
    const den = 'Alder=20-64';
    const pct = 'BakgrVar=TOT;Kon=1+2';
    await insertObservations(wh.conn, [
      ['IntGr1RegSOBASN', '000008B4', '00', 'riket', 2024, pct, 2.3, null],
      ['TAB6685', '000008AE', '00', 'riket', 2024, den, 6_000_000, null],
      // The persons of all ages, and the low-standard percent of the count table: not the denominator.
      ['TAB6685', '000008AE', '00', 'riket', 2024, 'Alder=tot', 10_500_000, null],
      ['TAB6685', '000008AC', '00', 'riket', 2024, den, 12, null],
      ['IntGr1RegSOBASN', '000008B4', '0180R001', 'RegSO2025', 2024, pct, 4, null],
      ['TAB6685', '000008AE', '0180R001', 'RegSO2025', 2024, den, 1250, null],
      // Percent protected at source: stays NULL with SCB's status.
      ['IntGr1RegSOBASN', '000008B4', '0180R002', 'RegSO2025', 2024, pct, null, '..'],
      ['TAB6685', '000008AE', '0180R002', 'RegSO2025', 2024, den, 900, null],
      // Percent published but no count of the population that year: missing, not 0.
      ['IntGr1RegSOBASN', '000008B4', '0180R003', 'RegSO2025', 2024, pct, 3.1, null],
      // DeSO: the count table reaches it, the percent table does not, so no row at all.
      ['TAB6685', '000008AE', '0180C1010', 'DeSO2025', 2024, den, 1000, null],
    ]);
    await run(wh.conn);
    const rows = await values(wh.conn);
    // 2.3 % of 6,000,000: the recovered count carries the float error of the one-decimal percent, nothing more.
    expect(rows[0]?.numerator).toBeCloseTo(138_000, 6);
    expect(rows.map((r, i) => (i === 0 ? { ...r, numerator: 138_000 } : r))).toEqual([
      { area_code: '00', area_version: 'riket', year: 2024, value: 2.3, numerator: 138_000, denominator: 6_000_000, status: 'ok', source_table: 'SCB IntGr1RegSOBASN, TAB6685' },
      { area_code: '0180R001', area_version: 'RegSO2025', year: 2024, value: 4, numerator: 50, denominator: 1250, status: 'ok', source_table: 'SCB IntGr1RegSOBASN, TAB6685' },
      { area_code: '0180R002', area_version: 'RegSO2025', year: 2024, value: null, numerator: null, denominator: null, status: '..', source_table: 'SCB IntGr1RegSOBASN, TAB6685' },
      { area_code: '0180R003', area_version: 'RegSO2025', year: 2024, value: null, numerator: null, denominator: null, status: '..', source_table: 'SCB IntGr1RegSOBASN, TAB6685' },
    ]);
    // With the catalogue's levels for the indicator (RegSO only) the riket row is not written.
    await execFile(wh.conn, 'indicators/delete_indicator', { indicator_id: 'ltu' });
    await run(wh.conn, listValue(['regso']));
    expect((await values(wh.conn)).map((r) => r.area_code)).toEqual(['0180R001', '0180R002', '0180R003']);
  });

  it('takes the percent of a table without breakdown variables (breakdown "") over a count from another table', async () => {
    // Area-type component V2 (TAB6586 000008IV, pre-upper-secondary education) over TAB6685's persons 20–64.
    await insertObservations(wh.conn, [
      ['TAB6586', '000008IV', '0180R001', 'RegSO2020', 2021, '', 12.5, null],
      ['TAB6586', '000008IW', '0180R001', 'RegSO2020', 2021, '', 30, null],
      ['TAB6685', '000008AE', '0180R001', 'RegSO2020', 2021, 'Alder=20-64', 1600, null],
      ['TAB6685', '000008AE', '0180R001', 'RegSO2020', 2021, 'Alder=tot', 2400, null],
      ['TAB6685', '000008AC', '0180R001', 'RegSO2020', 2021, 'Alder=20-64', 12.4, null],
    ]);
    await execFile(wh.conn, 'indicators/share_from_percent', {
      indicator_id: 'v2', source_label: 'SCB TAB6586, TAB6685', tables: listValue(['TAB6586', 'TAB6685']),
      pct_measure: listValue(['000008IV']), pct_breakdowns: listValue(['']),
      den_measure: listValue(['000008AE']), den_breakdowns: listValue(['Alder=20-64']), noise_from: 9999, levels: listValue(['regso']),
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180R001', area_version: 'RegSO2020', year: 2021, value: 12.5, numerator: 200, denominator: 1600, status: 'ok', source_table: 'SCB TAB6586, TAB6685' },
    ]);
  });
});
