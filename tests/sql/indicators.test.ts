import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { listValue } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { execFile, query, queryFile, type Params } from '../../pipelines/db.ts';
import { loadIndicators, methodsOf } from '../../pipelines/catalogue.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

/** Every area level; a method's $levels restricts it to some of them (pipelines/catalogue.ts methodsOf). */
const ALL_LEVELS = listValue(['riket', 'lan', 'kommun', 'regso', 'deso']);

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
      den_measures: listValue(['000007Y4']), den_breakdowns: listValue([sa]), noise_from: 2025, levels: ALL_LEVELS,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180', area_version: 'kommun2003', year: 2024, value: 25, numerator: 300, denominator: 1200, status: 'ok' },
      { area_code: '0180', area_version: 'kommun2003', year: 2025, value: 31, numerator: 310, denominator: 1000, status: 'noise' },
      { area_code: '0180C1010', area_version: 'DeSO2018', year: 2024, value: null, numerator: null, denominator: null, status: '..' },
      { area_code: '0181', area_version: 'kommun2003', year: 2024, value: null, numerator: null, denominator: null, status: '.' },
    ]);
    // Published counts, nothing derived: the label is the plain source.
    expect(await query(wh.conn, 'SELECT DISTINCT source_table FROM indicator_value')).toEqual([{ source_table: 'SCB TAB6571' }]);
  });

  it('sums several parts for numerator and denominator across two table vintages', async () => {
    // TAB5956 and TAB6534 have no Kon variable: the breakdown is the education level alone (data/indicators.json).
    const lv = (c: string) => `UtbildningsNiva=${c}`;
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
      den_measures: listValue(['000005MO', '000007Z6']), den_breakdowns: listValue(['21', '3+4', '5', '6', 'US'].map(lv)), noise_from: 9999, levels: ALL_LEVELS,
    });
    const rows = await values(wh.conn);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ year: 2023, value: 45, numerator: 450, denominator: 1000, status: 'ok' });
    // 2024 lacks the US part: the denominator is incomplete, so the value must stay missing, not be computed.
    expect(rows[1]).toMatchObject({ year: 2024, value: null, numerator: null, denominator: null, status: '..' });
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
      den_measure: listValue(['000008AE']), den_breakdowns: listValue(['Alder=tot']), noise_from: 9999, levels: ALL_LEVELS,
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
    await execFile(wh.conn, 'indicators/kolada_value', { indicator_id: 'crime', source_label: 'Kolada N07540', kpi: 'N07540', scale: 0.01, levels: listValue(['riket', 'lan', 'kommun']) });
    expect(await values(wh.conn)).toEqual([
      { area_code: '00', area_version: 'riket', year: 2021, value: null, numerator: null, denominator: null, status: 'Missing' },
      { area_code: '0180', area_version: 'kommun2003', year: 2021, value: 142.5, numerator: null, denominator: null, status: 'ok' },
    ]);
  });
});

describe('sql/indicators/kolada_weighted.sql', () => {
  it('weights the kommuner\'s rates by their inhabitants for län and riket; a kommun without a value leaves its län and riket missing', async () => {
    await insertObservations(
      wh.conn,
      [
        ['N07540', 'N07540', '0180', 'kommun2003', 2021, 'gender=T', 14000, ''],
        ['N07540', 'N07540', '0114', 'kommun2003', 2021, 'gender=T', 9000, ''],
        ['N07540', 'N07540', '1280', 'kommun2003', 2021, 'gender=T', 16000, ''],
        ['N01951', 'N01951', '0180', 'kommun2003', 2021, 'gender=T', 900, ''],
        ['N01951', 'N01951', '0114', 'kommun2003', 2021, 'gender=T', 100, ''],
        ['N01951', 'N01951', '1280', 'kommun2003', 2021, 'gender=T', 500, ''],
        // 2022: Upplands Väsby's rate is missing, so län 01 and riket have no value (never a rate over part of them).
        ['N07540', 'N07540', '0180', 'kommun2003', 2022, 'gender=T', 15000, ''],
        ['N07540', 'N07540', '0114', 'kommun2003', 2022, 'gender=T', null, 'Missing'],
        ['N07540', 'N07540', '1280', 'kommun2003', 2022, 'gender=T', 16000, ''],
        ['N01951', 'N01951', '0180', 'kommun2003', 2022, 'gender=T', 910, ''],
        ['N01951', 'N01951', '0114', 'kommun2003', 2022, 'gender=T', 100, ''],
        ['N01951', 'N01951', '1280', 'kommun2003', 2022, 'gender=T', 510, ''],
      ],
      'Kolada',
    );
    await execFile(wh.conn, 'indicators/kolada_weighted', {
      indicator_id: 'crime', source_label: 'Kolada N07540 (vägt ur kommunerna med N01951)', kpi: 'N07540', weight_kpi: 'N01951', scale: 0.01, levels: listValue(['riket', 'lan']),
    });
    const rows = await values(wh.conn);
    // 2021: län 01 = (14000·900 + 9000·100)/1000 = 13500 per 100 000; riket adds Malmö: (13 500 000 + 8 000 000)/1500.
    expect(rows).toEqual([
      { area_code: '00', area_version: 'riket', year: 2021, value: ((14000 * 900 + 9000 * 100 + 16000 * 500) / 1500) * 0.01, numerator: null, denominator: null, status: 'ok' },
      { area_code: '00', area_version: 'riket', year: 2022, value: null, numerator: null, denominator: null, status: '..' },
      { area_code: '01', area_version: 'lan1998', year: 2021, value: 135, numerator: null, denominator: null, status: 'ok' },
      { area_code: '01', area_version: 'lan1998', year: 2022, value: null, numerator: null, denominator: null, status: '..' },
      { area_code: '12', area_version: 'lan1998', year: 2021, value: 160, numerator: null, denominator: null, status: 'ok' },
      { area_code: '12', area_version: 'lan1998', year: 2022, value: 160, numerator: null, denominator: null, status: 'ok' },
    ]);
    const [label] = await query(wh.conn, 'SELECT DISTINCT source_table FROM indicator_value');
    expect(label?.source_table).toBe('Kolada N07540 (vägt ur kommunerna med N01951)');
  });

  it('writes only the levels asked for', async () => {
    await insertObservations(wh.conn, [['N07540', 'N07540', '0180', 'kommun2003', 2021, 'gender=T', 14000, ''], ['N01951', 'N01951', '0180', 'kommun2003', 2021, 'gender=T', 900, '']], 'Kolada');
    await execFile(wh.conn, 'indicators/kolada_weighted', { indicator_id: 'crime', source_label: 'x', kpi: 'N07540', weight_kpi: 'N01951', scale: 0.01, levels: listValue(['lan']) });
    expect((await values(wh.conn)).map((r) => r.area_code)).toEqual(['01']);
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

describe('the $levels parameter of every indicator SQL (a method serves only its levels)', () => {
  type Obs = Parameters<typeof insertObservations>[1];
  const AREAS = [['00', 'riket'], ['01', 'lan1998'], ['0180', 'kommun2003'], ['0180R001', 'RegSO2020'], ['0180C1010', 'DeSO2018']] as const;
  /** One cell of `table` at each of the five levels. */
  const everyLevel = (table: string, measure: string, breakdown: string, value: number): Obs =>
    AREAS.map(([code, version]) => [table, measure, code, version, 2022, breakdown, value, null]);
  const written = async () => (await query(wh.conn, 'SELECT DISTINCT area_version FROM indicator_value ORDER BY 1')).map((r) => r.area_version);
  const SUB_AREAS = listValue(['regso', 'deso']);
  const emp = 'Alder=20-64;Kon=1+2';

  it('share_from_counts restricted to regso and deso writes no riket, län or kommun rows', async () => {
    await insertObservations(wh.conn, [...everyLevel('TAB6680', '0000089X', emp, 80), ...everyLevel('TAB6680', '0000089Y', emp, 100)]);
    const params = {
      indicator_id: 'emp', source_label: 'SCB TAB6680', tables: listValue(['TAB6680']),
      num_measures: listValue(['0000089X']), num_breakdowns: listValue([emp]),
      den_measures: listValue(['0000089Y']), den_breakdowns: listValue([emp]), noise_from: 9999,
    };
    await execFile(wh.conn, 'indicators/share_from_counts', { ...params, levels: SUB_AREAS });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180C1010', area_version: 'DeSO2018', year: 2022, value: 80, numerator: 80, denominator: 100, status: 'ok' },
      { area_code: '0180R001', area_version: 'RegSO2020', year: 2022, value: 80, numerator: 80, denominator: 100, status: 'ok' },
    ]);
    // The other levels, run as a second method, add exactly the rest.
    await execFile(wh.conn, 'indicators/share_from_counts', { ...params, levels: listValue(['riket', 'lan', 'kommun']) });
    expect(await written()).toEqual(['DeSO2018', 'RegSO2020', 'kommun2003', 'lan1998', 'riket']);
    expect(await queryFile(wh.conn, 'checks/indicator_value_duplicates')).toEqual([]);
  });

  it('share_from_percent restricted to regso and deso writes no riket, län or kommun rows', async () => {
    await insertObservations(wh.conn, [...everyLevel('TAB6685', '000008AC', 'Alder=tot', 12.5), ...everyLevel('TAB6685', '000008AE', 'Alder=tot', 2000)]);
    await execFile(wh.conn, 'indicators/share_from_percent', {
      indicator_id: 'les', source_label: 'SCB TAB6685', tables: listValue(['TAB6685']),
      pct_measure: listValue(['000008AC']), pct_breakdowns: listValue(['Alder=tot']),
      den_measure: listValue(['000008AE']), den_breakdowns: listValue(['Alder=tot']), noise_from: 9999, levels: SUB_AREAS,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180C1010', area_version: 'DeSO2018', year: 2022, value: 12.5, numerator: 250, denominator: 2000, status: 'ok' },
      { area_code: '0180R001', area_version: 'RegSO2020', year: 2022, value: 12.5, numerator: 250, denominator: 2000, status: 'ok' },
    ]);
  });

  it('count_from_counts restricted to regso and deso writes no riket, län or kommun rows', async () => {
    const sa = 'Kon=1+2;UtlBakgrund=SA';
    await insertObservations(wh.conn, everyLevel('TAB6571', '000007Y4', sa, 1500));
    await execFile(wh.conn, 'indicators/count_from_counts', {
      indicator_id: 'population', source_label: 'SCB TAB6571', tables: listValue(['TAB6571']),
      measures: listValue(['000007Y4']), breakdowns: listValue([sa]), noise_from: 2025, levels: SUB_AREAS,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180C1010', area_version: 'DeSO2018', year: 2022, value: 1500, numerator: 1500, denominator: null, status: 'ok' },
      { area_code: '0180R001', area_version: 'RegSO2020', year: 2022, value: 1500, numerator: 1500, denominator: null, status: 'ok' },
    ]);
  });

  it('value_as_published restricted to regso and deso writes no riket, län or kommun rows', async () => {
    await insertObservations(wh.conn, everyLevel('TAB6684', '000008AB', '', 280.5));
    await execFile(wh.conn, 'indicators/value_as_published', {
      indicator_id: 'median', source_label: 'SCB TAB6684', tables: listValue(['TAB6684']),
      measures: listValue(['000008AB']), breakdowns: listValue(['']), scale: 1000, noise_from: 9999, levels: SUB_AREAS,
    });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180C1010', area_version: 'DeSO2018', year: 2022, value: 280_500, numerator: null, denominator: null, status: 'ok' },
      { area_code: '0180R001', area_version: 'RegSO2020', year: 2022, value: 280_500, numerator: null, denominator: null, status: 'ok' },
    ]);
  });

  it('kolada_value restricted to kommun (reported crime) writes no län or riket rows', async () => {
    // Kolada publishes riket, län and kommun only.
    await insertObservations(wh.conn, everyLevel('N07540', 'N07540', 'gender=T', 14_250).slice(0, 3), 'Kolada');
    await execFile(wh.conn, 'indicators/kolada_value', { indicator_id: 'crime', source_label: 'Kolada N07540', kpi: 'N07540', scale: 0.01, levels: listValue(['kommun']) });
    expect(await values(wh.conn)).toEqual([
      { area_code: '0180', area_version: 'kommun2003', year: 2022, value: 142.5, numerator: null, denominator: null, status: 'ok' },
    ]);
    await execFile(wh.conn, 'indicators/delete_indicator', { indicator_id: 'crime' });
    await execFile(wh.conn, 'indicators/kolada_value', { indicator_id: 'crime', source_label: 'Kolada N07540', kpi: 'N07540', scale: 0.01, levels: listValue(['riket', 'lan']) });
    expect(await written()).toEqual(['lan1998', 'riket']);
  });

  it("employment (data/indicators.json): SCB's register per RegSO and DeSO, Kolada above; each area-year once", async () => {
    const ind = loadIndicators(new URL('../../data/', import.meta.url).pathname).indicators.find((i) => i.id === 'employment_rate_20_64');
    if (!ind) throw new Error('employment_rate_20_64 is not in data/indicators.json');
    await insertObservations(wh.conn, [
      ...everyLevel('TAB6680', '0000089X', emp, 75),
      ...everyLevel('TAB6680', '0000089Y', emp, 100),
    ]);
    await insertObservations(wh.conn, [
      ['N02267', 'N02267', '00', 'riket', 2022, 'gender=T', 81.2, ''],
      ['N02267', 'N02267', '01', 'lan1998', 2022, 'gender=T', 82.4, ''],
      ['N02267', 'N02267', '0180', 'kommun2003', 2022, 'gender=T', 80.9, ''],
      ['N00914', 'N00914', '0180', 'kommun2003', 2019, 'gender=T', 79.5, ''],
    ], 'Kolada');
    const list = (v: string | string[]) => listValue(Array.isArray(v) ? v : [v]);
    const methods = methodsOf(ind);
    for (const m of methods) {
      let params: Params;
      if (m.sql === 'indicators/kolada_value') {
        params = { indicator_id: ind.id, source_label: `Kolada ${m.kpi}`, kpi: m.kpi, scale: m.scale, levels: listValue(m.levels) };
      } else if (m.sql === 'indicators/share_from_counts') {
        params = {
          indicator_id: ind.id, source_label: `SCB ${m.tables.join(', ')}`, tables: listValue(m.tables), levels: listValue(m.levels),
          num_measures: list(m.numerator.measure), num_breakdowns: list(m.numerator.breakdowns),
          den_measures: list(m.denominator.measure), den_breakdowns: list(m.denominator.breakdowns), noise_from: 9999,
        };
      } else {
        throw new Error(`unexpected method ${m.sql} for employment`);
      }
      await execFile(wh.conn, m.sql, params);
    }
    expect(methods.map((m) => [m.sql, m.levels])).toEqual([
      ['indicators/share_from_counts', ['regso', 'deso']],
      ['indicators/kolada_value', ['riket', 'lan', 'kommun']],
      ['indicators/kolada_value', ['riket', 'lan', 'kommun']],
    ]);
    // TAB6680's riket, län and kommun cells (were it to publish them) are not used: those levels come from Kolada.
    expect(await query(wh.conn, 'SELECT area_code, year, value, status, source_table FROM indicator_value ORDER BY area_code, year')).toEqual([
      { area_code: '00', year: 2022, value: 81.2, status: 'ok', source_table: 'Kolada N02267' },
      { area_code: '01', year: 2022, value: 82.4, status: 'ok', source_table: 'Kolada N02267' },
      { area_code: '0180', year: 2019, value: 79.5, status: 'ok', source_table: 'Kolada N00914' },
      { area_code: '0180', year: 2022, value: 80.9, status: 'ok', source_table: 'Kolada N02267' },
      { area_code: '0180C1010', year: 2022, value: 75, status: 'ok', source_table: 'SCB TAB6680' },
      { area_code: '0180R001', year: 2022, value: 75, status: 'ok', source_table: 'SCB TAB6680' },
    ]);
    expect(await queryFile(wh.conn, 'checks/indicator_value_duplicates')).toEqual([]);
  });
});

describe('sql/indicators/share_from_counts.sql over levels summed from DeSO (sql/staging/derive_levels.sql)', () => {
  it("labels the derived kommun, län and riket values ' (summerat från DeSO)' and keeps a missing part missing", async () => {
    const u = (c: string) => `Upplatelseform=${c}`;
    const dwellings = (area: string, year: number, rent: number | null, tenantOwned: number, owned: number): Parameters<typeof insertObservations>[1] => [
      ['TAB6258', '000006OC', area, 'DeSO2018', year, u('1'), rent, rent === null ? '..' : null],
      ['TAB6258', '000006OC', area, 'DeSO2018', year, u('2'), tenantOwned, null],
      ['TAB6258', '000006OC', area, 'DeSO2018', year, u('3'), owned, null],
    ];
    await insertObservations(wh.conn, [
      ...dwellings('0180C1010', 2023, 300, 500, 200),
      ...dwellings('0180C1020', 2023, 100, 50, 100),
      ...dwellings('0114A0010', 2023, null, 100, 300),
      ...dwellings('2584A0010', 2023, 40, 10, 50),
    ]);
    await execFile(wh.conn, 'staging/derive_levels', { table_id: 'TAB6258', levels: listValue(['riket', 'lan', 'kommun']) });
    await execFile(wh.conn, 'indicators/share_from_counts', {
      indicator_id: 'rental_share', source_label: 'SCB TAB6258, TAB6638', tables: listValue(['TAB6258', 'TAB6638']),
      num_measures: listValue(['000006OC', '00000864']), num_breakdowns: listValue([u('1')]),
      den_measures: listValue(['000006OC', '00000864']), den_breakdowns: listValue([u('1'), u('2'), u('3')]), noise_from: 9999, levels: ALL_LEVELS,
    });
    const derived = 'SCB TAB6258, TAB6638 (summerat från DeSO)';
    const plain = 'SCB TAB6258, TAB6638';
    expect(await query(wh.conn, 'SELECT area_code, area_version, value, numerator, denominator, status, source_table FROM indicator_value ORDER BY area_code')).toEqual([
      // Riket and län 01 contain 0114A0010, whose rented dwellings are protected: missing, never a partial share.
      { area_code: '00', area_version: 'riket', value: null, numerator: null, denominator: null, status: '..', source_table: derived },
      { area_code: '01', area_version: 'lan1998', value: null, numerator: null, denominator: null, status: '..', source_table: derived },
      { area_code: '0114', area_version: 'kommun2003', value: null, numerator: null, denominator: null, status: '..', source_table: derived },
      { area_code: '0114A0010', area_version: 'DeSO2018', value: null, numerator: null, denominator: null, status: '..', source_table: plain },
      { area_code: '0180', area_version: 'kommun2003', value: 32, numerator: 400, denominator: 1250, status: 'ok', source_table: derived },
      { area_code: '0180C1010', area_version: 'DeSO2018', value: 30, numerator: 300, denominator: 1000, status: 'ok', source_table: plain },
      { area_code: '0180C1020', area_version: 'DeSO2018', value: 40, numerator: 100, denominator: 250, status: 'ok', source_table: plain },
      { area_code: '25', area_version: 'lan1998', value: 40, numerator: 40, denominator: 100, status: 'ok', source_table: derived },
      { area_code: '2584', area_version: 'kommun2003', value: 40, numerator: 40, denominator: 100, status: 'ok', source_table: derived },
      { area_code: '2584A0010', area_version: 'DeSO2018', value: 40, numerator: 40, denominator: 100, status: 'ok', source_table: plain },
    ]);
  });
});
