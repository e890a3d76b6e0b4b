import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { listValue } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFile, query } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

const values = (conn: DuckDBConnection) =>
  query(conn, 'SELECT area_code, area_version, year, value, numerator, denominator, status FROM indicator_value ORDER BY area_code, year');

describe('sql/indicators/share_from_counts.sql', () => {
  it('divides published counts per area, keeps missing parts NULL with their status, marks noise years', async () => {
    const fb = 'Kon=1+2;UtlBakgrund=1';
    const sa = 'Kon=1+2;UtlBakgrund=SA';
    await insertObservations(wh.conn, [
      ['TAB6571', '000007Y4', '0180', 'kommun2003', 2024, fb, 300, null],
      ['TAB6571', '000007Y4', '0180', 'kommun2003', 2024, sa, 1200, null],
      ['TAB6571', '000007Y4', '0180', 'kommun2003', 2025, fb, 310, null],
      ['TAB6571', '000007Y4', '0180', 'kommun2003', 2025, sa, 1000, null],
      ['TAB6571', '000007Y4', '0180C1010', 'DeSO2018', 2024, fb, null, '..'],
      ['TAB6571', '000007Y4', '0180C1010', 'DeSO2018', 2024, sa, 800, null],
      ['TAB6571', '000007Y4', '0181', 'kommun2003', 2024, fb, 0, null],
      ['TAB6571', '000007Y4', '0181', 'kommun2003', 2024, sa, 0, null],
      ['OTHER', '000007Y4', '0180', 'kommun2003', 2024, fb, 99999, null],
    ]);
    await execFile(wh.conn, 'indicators/share_from_counts', {
      indicator_id: 'fb', source_label: 'SCB TAB6571', tables: listValue(['TAB6571']),
      num_measures: listValue(['000007Y4']), num_breakdowns: listValue([fb]),
      den_measures: listValue(['000007Y4']), den_breakdowns: listValue([sa]), noise_from: 2025,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180', area_version: 'kommun2003', year: 2024, value: 25, numerator: 300, denominator: 1200, status: 'ok' },
      { area_code: '0180', area_version: 'kommun2003', year: 2025, value: 31, numerator: 310, denominator: 1000, status: 'noise' },
      { area_code: '0180C1010', area_version: 'DeSO2018', year: 2024, value: null, numerator: null, denominator: null, status: '..' },
      { area_code: '0181', area_version: 'kommun2003', year: 2024, value: null, numerator: null, denominator: null, status: '.' },
    ]);
  });

  it('sums several parts for numerator and denominator across two table vintages', async () => {
    const lv = (c: string) => `Kon=1+2;UtbildningsNiva=${c}`;
    await insertObservations(wh.conn, [
      ['TAB5956', '000005MO', '00', 'riket', 2023, lv('21'), 100, null],
      ['TAB5956', '000005MO', '00', 'riket', 2023, lv('3+4'), 400, null],
      ['TAB5956', '000005MO', '00', 'riket', 2023, lv('5'), 200, null],
      ['TAB5956', '000005MO', '00', 'riket', 2023, lv('6'), 250, null],
      ['TAB5956', '000005MO', '00', 'riket', 2023, lv('US'), 50, null],
      ['TAB6534', '000007Z6', '00', 'riket', 2024, lv('21'), 100, null],
      ['TAB6534', '000007Z6', '00', 'riket', 2024, lv('3+4'), 300, null],
      ['TAB6534', '000007Z6', '00', 'riket', 2024, lv('5'), 300, null],
      ['TAB6534', '000007Z6', '00', 'riket', 2024, lv('6'), 300, null],
    ]);
    await execFile(wh.conn, 'indicators/share_from_counts', {
      indicator_id: 'edu', source_label: 'SCB', tables: listValue(['TAB5956', 'TAB6534']),
      num_measures: listValue(['000005MO', '000007Z6']), num_breakdowns: listValue([lv('5'), lv('6')]),
      den_measures: listValue(['000005MO', '000007Z6']), den_breakdowns: listValue(['21', '3+4', '5', '6', 'US'].map(lv)), noise_from: 9999,
    });
    const rows = await values(wh.conn);
    expect(rows[0]).toMatchObject({ year: 2023, value: 45, numerator: 450, denominator: 1000, status: 'ok' });
    // 2024 lacks the US part: the denominator is incomplete, so the value must stay missing, not be computed.
    expect(rows[1]).toMatchObject({ year: 2024, value: null, status: '..' });
  });
});

describe('sql/indicators/share_from_percent.sql', () => {
  it('recovers the numerator from percent × denominator', async () => {
    await insertObservations(wh.conn, [
      ['TAB6685', '000008AC', '01', 'lan1998', 2022, 'Alder=tot', 12.5, null],
      ['TAB6685', '000008AE', '01', 'lan1998', 2022, 'Alder=tot', 2000, null],
      ['TAB6685', '000008AC', '03', 'lan1998', 2022, 'Alder=tot', null, ':'],
      ['TAB6685', '000008AE', '03', 'lan1998', 2022, 'Alder=tot', 500, null],
    ]);
    await execFile(wh.conn, 'indicators/share_from_percent', {
      indicator_id: 'les', source_label: 'SCB TAB6685', tables: listValue(['TAB6685']),
      pct_measure: listValue(['000008AC']), pct_breakdowns: listValue(['Alder=tot']),
      den_measure: listValue(['000008AE']), den_breakdowns: listValue(['Alder=tot']), noise_from: 9999,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '01', area_version: 'lan1998', year: 2022, value: 12.5, numerator: 250, denominator: 2000, status: 'ok' },
      { area_code: '03', area_version: 'lan1998', year: 2022, value: null, numerator: null, denominator: null, status: ':' },
    ]);
  });
});

describe('sql/indicators/kolada_value.sql', () => {
  it('scales Kolada values and keeps Missing as NULL', async () => {
    await insertObservations(
      wh.conn,
      [
        ['N07540', 'N07540', '0180', 'kommun2003', 2021, 'gender=T', 14250, ''],
        ['N07540', 'N07540', '00', 'riket', 2021, 'gender=T', null, 'Missing'],
        ['N07540', 'N07540', '0180', 'kommun2003', 2021, 'gender=K', 1, ''],
      ],
      'Kolada',
    );
    await execFile(wh.conn, 'indicators/kolada_value', { indicator_id: 'crime', source_label: 'Kolada N07540', kpi: 'N07540', scale: 0.01 });
    expect(await values(wh.conn)).toEqual([
      { area_code: '00', area_version: 'riket', year: 2021, value: null, numerator: null, denominator: null, status: 'Missing' },
      { area_code: '0180', area_version: 'kommun2003', year: 2021, value: 142.5, numerator: null, denominator: null, status: 'ok' },
    ]);
  });
});

describe('sql/indicators/delete_indicator.sql and sql/measures/apply_disclosure.sql', () => {
  it('suppresses values resting on fewer persons than the threshold, keeping the row', async () => {
    await query(wh.conn, "INSERT INTO indicator_value VALUES ('a','0180C1010','DeSO2018',2020,10,4,40,'ok','S'), ('a','0180C1020','DeSO2018',2020,10,10,100,'ok','S'), ('b','00','riket',2020,5,5,100,'ok','S'), ('k','0180','kommun2003',2020,142,NULL,NULL,'ok','K')");
    await execFile(wh.conn, 'measures/apply_disclosure', { threshold: 50 });
    const rows = await query(wh.conn, 'SELECT indicator_id, area_code, value, numerator, denominator, status FROM indicator_value ORDER BY 1, 2');
    expect(rows).toEqual([
      { indicator_id: 'a', area_code: '0180C1010', value: null, numerator: null, denominator: null, status: 'suppressed' },
      { indicator_id: 'a', area_code: '0180C1020', value: 10, numerator: 10, denominator: 100, status: 'ok' },
      { indicator_id: 'b', area_code: '00', value: 5, numerator: 5, denominator: 100, status: 'ok' },
      { indicator_id: 'k', area_code: '0180', value: 142, numerator: null, denominator: null, status: 'ok' },
    ]);
    await execFile(wh.conn, 'indicators/delete_indicator', { indicator_id: 'a' });
    expect((await query(wh.conn, 'SELECT DISTINCT indicator_id FROM indicator_value ORDER BY 1')).map((r) => r.indicator_id)).toEqual(['b', 'k']);
  });
});
