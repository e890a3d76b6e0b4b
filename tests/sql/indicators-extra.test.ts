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
      measures: listValue(['000007Y4']), breakdowns: listValue([sa]), noise_from: 2025,
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
    const q = (k: string) => `Inkomstkvintil=${k}`;
    await insertObservations(wh.conn, [
      ['TAB6679', '000008A9', '01', 'lan1998', 2022, q('K1'), 100, null],
      ['TAB6679', '000008A9', '01', 'lan1998', 2022, q('K2'), 150, null],
      ['TAB6679', '000008A9', '03', 'lan1998', 2022, q('K1'), 70, null],
    ]);
    await execFile(wh.conn, 'indicators/count_from_counts', {
      indicator_id: 'k12', source_label: 'SCB TAB6679', tables: listValue(['TAB6679']),
      measures: listValue(['000008A9']), breakdowns: listValue([q('K1'), q('K2')]), noise_from: 9999,
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
    await insertObservations(wh.conn, [
      ['TAB6684', '000008AB', '00', 'riket', 2017, 'Alder=tot', 248.5, null],
      ['TAB6684', '000008AB', '0180', 'kommun2003', 2017, 'Alder=tot', 267.3, null],
      ['TAB6684', '000008AB', '2584A0010', 'DeSO2018', 2017, 'Alder=tot', null, '..'],
      ['TAB6684', '000008AB', '2584A0010_x', 'DeSO2025', 2025, 'Alder=tot', 300, null],
      ['TAB6684', '000008AA', '00', 'riket', 2017, 'Alder=tot', 5, null],
      ['TAB6684', '000008AB', '00', 'riket', 2018, 'Alder=20-64', 270, null],
    ]);
    await execFile(wh.conn, 'indicators/value_as_published', {
      indicator_id: 'median', source_label: 'SCB TAB6684', tables: listValue(['TAB6684']),
      measures: listValue(['000008AB']), breakdowns: listValue(['Alder=tot']), scale: 1000, noise_from: 2025,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '00', area_version: 'riket', year: 2017, value: 248_500, numerator: null, denominator: null, status: 'ok', source_table: 'SCB TAB6684' },
      { area_code: '0180', area_version: 'kommun2003', year: 2017, value: 267_300, numerator: null, denominator: null, status: 'ok', source_table: 'SCB TAB6684' },
      { area_code: '2584A0010', area_version: 'DeSO2018', year: 2017, value: null, numerator: null, denominator: null, status: '..', source_table: 'SCB TAB6684' },
      { area_code: '2584A0010_x', area_version: 'DeSO2025', year: 2025, value: 300_000, numerator: null, denominator: null, status: 'noise', source_table: 'SCB TAB6684' },
    ]);
  });

  it('two cells for one area and year are caught by the duplicate check (the catalogue must name exactly one)', async () => {
    await insertObservations(wh.conn, [
      ['TAB6684', '000008AB', '00', 'riket', 2017, 'Alder=tot', 248.5, null],
      ['TAB6684', '000008AB', '00', 'riket', 2017, 'Alder=20-64', 260.1, null],
    ]);
    await execFile(wh.conn, 'indicators/value_as_published', {
      indicator_id: 'median', source_label: 'SCB TAB6684', tables: listValue(['TAB6684']),
      measures: listValue(['000008AB']), breakdowns: listValue(['Alder=tot', 'Alder=20-64']), scale: 1000, noise_from: 9999,
    });
    expect(await queryFile(wh.conn, 'checks/indicator_value_duplicates')).toEqual([{ indicator_id: 'median', area_code: '00', area_version: 'riket', year: 2017, n: 2 }]);
  });
});

describe('sql/indicators/share_from_percent.sql with the denominator in another table', () => {
  const run = (conn: DuckDBConnection) =>
    execFile(conn, 'indicators/share_from_percent', {
      indicator_id: 'ltu', source_label: 'SCB IntGr1RegSOBASN, TAB6680', tables: listValue(['IntGr1RegSOBASN', 'TAB6680']),
      pct_measure: listValue(['000008B4']), pct_breakdowns: listValue(['Bakgrund=tot20-64']),
      den_measure: listValue(['0000089Y']), den_breakdowns: listValue(['Alder=20-64;Kon=1+2']), noise_from: 9999,
    });

  it('recovers the numerator from the percent × the count of the same population, only where the percent table has a cell', async () => {
    const den = 'Alder=20-64;Kon=1+2';
    const pct = 'Bakgrund=tot20-64';
    await insertObservations(wh.conn, [
      ['IntGr1RegSOBASN', '000008B4', '00', 'riket', 2022, pct, 2.3, null],
      ['TAB6680', '0000089Y', '00', 'riket', 2022, den, 6_000_000, null],
      ['TAB6680', '0000089X', '00', 'riket', 2022, den, 4_900_000, null],
      ['IntGr1RegSOBASN', '000008B4', '0180R001', 'RegSO2020', 2022, pct, 4, null],
      ['TAB6680', '0000089Y', '0180R001', 'RegSO2020', 2022, den, 1250, null],
      // Percent protected at source: stays NULL with SCB's status.
      ['IntGr1RegSOBASN', '000008B4', '0180R002', 'RegSO2020', 2022, pct, null, '..'],
      ['TAB6680', '0000089Y', '0180R002', 'RegSO2020', 2022, den, 900, null],
      // Percent published but no count of the population that year: missing, not 0.
      ['IntGr1RegSOBASN', '000008B4', '0180R003', 'RegSO2020', 2022, pct, 3.1, null],
      // DeSO: the count table reaches it, the percent table does not, so no row at all.
      ['TAB6680', '0000089Y', '0180C1010', 'DeSO2018', 2022, den, 1000, null],
    ]);
    await run(wh.conn);
    const rows = await values(wh.conn);
    // 2.3 % of 6,000,000: the recovered count carries the float error of the one-decimal percent, nothing more.
    expect(rows[0]?.numerator).toBeCloseTo(138_000, 6);
    expect(rows.map((r, i) => (i === 0 ? { ...r, numerator: 138_000 } : r))).toEqual([
      { area_code: '00', area_version: 'riket', year: 2022, value: 2.3, numerator: 138_000, denominator: 6_000_000, status: 'ok', source_table: 'SCB IntGr1RegSOBASN, TAB6680' },
      { area_code: '0180R001', area_version: 'RegSO2020', year: 2022, value: 4, numerator: 50, denominator: 1250, status: 'ok', source_table: 'SCB IntGr1RegSOBASN, TAB6680' },
      { area_code: '0180R002', area_version: 'RegSO2020', year: 2022, value: null, numerator: null, denominator: null, status: '..', source_table: 'SCB IntGr1RegSOBASN, TAB6680' },
      { area_code: '0180R003', area_version: 'RegSO2020', year: 2022, value: null, numerator: null, denominator: null, status: '..', source_table: 'SCB IntGr1RegSOBASN, TAB6680' },
    ]);
  });

  it('takes the percent of a table without breakdown variables (breakdown "") over a count from another table', async () => {
    await insertObservations(wh.conn, [
      ['IntGr5Socio', '000005QU', '0180R001', 'RegSO2020', 2021, '', 12.5, null],
      ['IntGr5Socio', '000005QV', '0180R001', 'RegSO2020', 2021, '', 30, null],
      ['TAB6685', '000008AE', '0180R001', 'RegSO2020', 2021, 'Alder=tot', 1600, null],
      ['TAB6685', '000008AC', '0180R001', 'RegSO2020', 2021, 'Alder=tot', 12.4, null],
    ]);
    await execFile(wh.conn, 'indicators/share_from_percent', {
      indicator_id: 'v1', source_label: 'SCB IntGr5Socio, TAB6685', tables: listValue(['IntGr5Socio', 'TAB6685']),
      pct_measure: listValue(['000005QU']), pct_breakdowns: listValue(['']),
      den_measure: listValue(['000008AE']), den_breakdowns: listValue(['Alder=tot']), noise_from: 9999,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180R001', area_version: 'RegSO2020', year: 2021, value: 12.5, numerator: 200, denominator: 1600, status: 'ok', source_table: 'SCB IntGr5Socio, TAB6685' },
    ]);
  });
});
