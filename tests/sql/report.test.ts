import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, execFile, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeAll(async () => {
  wh = await memoryWarehouse();
  const c = wh.conn;
  await exec(c, `INSERT INTO area VALUES
    ('00','riket','riket','Riket',NULL,NULL,NULL),
    ('01','lan','lan1998','Stockholms län',NULL,'01',NULL),
    ('25','lan','lan1998','Norrbottens län',NULL,'25',NULL),
    ('0180','kommun','kommun2003','Stockholm','0180','01',NULL),
    ('2584','kommun','kommun2003','Kiruna','2584','25',NULL),
    ('2521','kommun','kommun2003','Pajala','2521','25',NULL),
    ('0127','kommun','kommun2003','Botkyrka','0127','01',NULL),
    ('0180C1010','deso','DeSO2018','0180C1010','0180','01','0180R001')`);
  await exec(c, "INSERT INTO indicator VALUES ('emp', 'arbete', 'Sysselsättning', 'Employment', 'procent', true, 'x', 'SCB TAB6680', 2, 'd', '')");
  await exec(c, `INSERT INTO indicator_value VALUES
    ('emp','00','riket',2017,80.1,1,1,'ok','S'), ('emp','00','riket',2023,81.5,1,1,'ok','S'), ('emp','00','riket',2024,NULL,NULL,NULL,'..','S'),
    ('emp','00','riket',2026,99,1,1,'ok','S'),
    ('emp','0180','kommun2003',2023,82,1,1,'ok','S'), ('emp','2584','kommun2003',2023,NULL,NULL,NULL,'suppressed','S'),
    ('emp','01','lan1998',2023,81,1,1,'ok','S'),
    ('emp','0180C1010','DeSO2018',2023,70,1,1,'ok','S')`);
  await exec(c, `INSERT INTO segregation_index (measure, groups, focal, scope_level, scope_code, unit_level, unit_version, year, value, expected, ci_low, ci_high, n_units, total, status, source_table) VALUES
    ('D','fb/sb','fb','riket','00','deso','DeSO2018',2017,0.40,NULL,NULL,NULL,5984,10e6,'ok','TAB6571'),
    ('D','fb/sb','fb','riket','00','deso','DeSO2025',2025,0.42,0.02,0.41,0.43,6160,10.6e6,'ok','TAB6571'),
    ('D','fb/sb','fb','riket','00','regso','RegSO2025',2025,0.40,NULL,NULL,NULL,3363,10.6e6,'ok','TAB6571'),
    ('D','fb/sb','fb','kommun','0180','regso','RegSO2025',2025,0.30,NULL,NULL,NULL,127,9.8e5,'ok','TAB6571'),
    ('D','fb/sb','fb','kommun','0180','deso','DeSO2018',2017,0.35,NULL,NULL,NULL,544,9e5,'ok','TAB6571'),
    ('D','fb/sb','fb','kommun','0180','deso','DeSO2025',2025,0.37,NULL,NULL,NULL,560,9.8e5,'ok','TAB6571'),
    ('D','fb/sb','fb','kommun','2521','deso','DeSO2025',2025,NULL,NULL,NULL,NULL,1,6e3,'single_unit','TAB6571')`);
  await execFile(c, 'staging/run_start', { run_id: 'r1', started_at: '2026-11-27T10:00:00Z', command: 'run', args: '["--demo"]', report_year: 2025, versions: '{}' });
  await execFile(c, 'staging/run_end', { run_id: 'r1', finished_at: '2026-11-27T10:01:00Z', outcome: 'ok' });
  await execFile(c, 'staging/run_start', { run_id: 'r2', started_at: '2026-11-27T11:00:00Z', command: 'build', args: '[]', report_year: 2025, versions: '{}' });
  await execFile(c, 'staging/run_end', { run_id: 'r2', finished_at: '2026-11-27T11:01:00Z', outcome: 'ok' });
  for (const [id, table, sha] of [['r1-1', 'TAB6680', 'a1'], ['r1-2', 'TAB6680', 'a2'], ['r1-3', 'N07540', 'b1'], ['r1-key-deso-regso.csv', 'deso-regso.csv', 'k1'], ['r1-4', 'UNUSED', 'z']] as const) {
    await execFile(c, 'staging/insert_fetch', { fetch_id: id, run_id: 'r1', source: table === 'N07540' ? 'Kolada' : 'SCB', table_id: table, method: 'GET', request: null, url: `http://x/${table}/${id}`, http_status: 200, fetched_at: '2026-11-27T10:00:00Z', sha256: sha, bytes: 1 });
  }
  await exec(c, "INSERT INTO observation VALUES ('r1-1','SCB','TAB6680','m','00','riket',2020,'',1,NULL,NULL), ('r1-2','SCB','TAB6680','m','01','lan1998',2020,'',1,NULL,NULL), ('r1-3','Kolada','N07540','N07540','00','riket',2020,'gender=T',1,NULL,NULL)");
  // Area types: two RegSO in Stockholm (one new in 2024), one in Kiruna; the aggregates as the area-types stage
  // writes them, so the report files are tested on their selection and ordering, not on recomputing.
  await exec(c, `INSERT INTO area VALUES
    ('0180R001','regso','RegSO2020','Stockholm RegSO 001','0180','01','0180R001'),
    ('0180R001','regso','RegSO2025','Norra Stockholm','0180','01','0180R001'),
    ('0180R002','regso','RegSO2025','Älvsjö','0180','01','0180R002'),
    ('2584R001','regso','RegSO2025','Kiruna RegSO 001','2584','25','2584R001')`);
  await exec(c, `INSERT INTO area_type VALUES
    ('0180R001','RegSO2020',2016,9.0,3), ('0180R001','RegSO2020',2017,20.5,1), ('0180R001','RegSO2025',2024,21.0,1),
    ('0180R002','RegSO2025',2024,2.5,5), ('2584R001','RegSO2025',2024,NULL,NULL)`);
  await exec(c, `INSERT INTO area_type_cut VALUES
    (2017,'RegSO2020',3363,0,9.79,5.94,'population',21.66,15.73,9.79,3.85,138,288,853,1851,233,'ok'),
    (2024,'RegSO2025',3363,2,8.74,5.77,'population',20.27,14.50,8.74,2.97,140,258,861,1906,196,'ok'),
    (2026,'RegSO2025',3363,0,8.00,5.00,'population',18.0,13.0,8.0,3.0,1,1,1,1,1,'ok')`);
  await exec(c, `INSERT INTO area_type_population VALUES
    ('kommun','0180',2024,NULL,1,1,NULL,NULL,'missing','TAB6571'),
    ('kommun','0180',2024,5,1,0,300,30.0,'ok','TAB6571'),
    ('kommun','0180',2024,1,1,0,700,70.0,'ok','TAB6571'),
    ('kommun','0180',2017,1,1,0,650,100.0,'ok','TAB6571'),
    ('kommun','0180',2026,1,1,0,1,100.0,'ok','TAB6571'),
    ('lan','01',2024,1,1,0,700,70.0,'ok','TAB6571')`);
  await exec(c, `INSERT INTO indicator VALUES
    ('une', 'arbete', 'Arbetslöshet', 'Unemployment', 'procent', false, 'x', 'SCB TAB6680', 2, 'd', ''),
    ('turn', 'demokrati', 'Valdeltagande', 'Turnout', 'procent', true, 'x', 'SCB', 0, 'd', '')`);
  await exec(c, `INSERT INTO indicator_by_area_type VALUES
    ('emp','kommun','0180',2024,5,90.0,90,100,1,0,'ok'),
    ('emp','kommun','0180',2024,1,60.0,60,100,1,0,'ok'),
    ('emp','kommun','0180',2017,1,62.0,62,100,1,0,'ok'),
    ('emp','kommun','0180',2026,1,1.0,1,100,1,0,'ok'),
    ('emp','lan','01',2024,1,60.0,60,100,1,0,'ok')`);
  const gapCols = 'indicator_id, scope_level, scope_code, year, comparison, focus_upto, reference_from, value_focus, value_reference, gap, disadvantage, base_year, gap_base, gap_change, narrowed, change_verdict, status, change_status';
  await exec(c, `INSERT INTO area_type_gap (${gapCols}) VALUES
    ('emp','kommun','0180',2017,'type1_vs_type5',1,5,62.0,88.0,-26.0,26.0,2017,-26.0,0.0,NULL,NULL,'ok','base_year'),
    ('emp','kommun','0180',2023,'type1_vs_type5',1,5,61.0,89.0,-28.0,28.0,2017,-26.0,-2.0,false,'widened','ok','ok'),
    ('emp','kommun','0180',2024,'type1_vs_type5',1,5,60.0,90.0,-30.0,30.0,2017,-26.0,-4.0,false,'widened','ok','ok'),
    ('emp','kommun','0180',2026,'type1_vs_type5',1,5,1.0,2.0,-1.0,1.0,2017,-26.0,25.0,true,'narrowed','ok','ok'),
    ('une','kommun','0180',2023,'type1_vs_type5',1,5,10.0,3.0,7.0,7.0,2017,9.0,-2.0,true,'narrowed','ok','ok'),
    ('une','kommun','0180',2024,'type1_vs_type5',1,5,NULL,3.0,NULL,NULL,2017,9.0,NULL,NULL,NULL,'suppressed','no_gap'),
    ('turn','kommun','0180',2022,'type1_vs_type5',1,5,NULL,NULL,NULL,NULL,2018,NULL,NULL,NULL,NULL,'no_reference','no_gap'),
    ('turn','kommun','0180',2018,'type1_vs_type5',1,5,NULL,NULL,NULL,NULL,2018,NULL,NULL,NULL,NULL,'no_reference','no_gap')`);
});
afterAll(() => wh.close());

describe('sql/report/*.sql', () => {
  it('indicator_series: the area series up to the report year, missing kept', async () => {
    const rows = await queryFile(wh.conn, 'report/indicator_series', { indicator_id: 'emp', area_code: '00', year: 2025 });
    expect(rows).toEqual([
      { year: 2017, value: 80.1, status: 'ok', area_version: 'riket', numerator: 1, denominator: 1 },
      { year: 2023, value: 81.5, status: 'ok', area_version: 'riket', numerator: 1, denominator: 1 },
      { year: 2024, value: null, status: '..', area_version: 'riket', numerator: null, denominator: null },
    ]);
  });

  it('indicator_series_all: every riket, län and kommun series at once, each as indicator_series gives it', async () => {
    const all = await queryFile(wh.conn, 'report/indicator_series_all', { year: 2025 });
    // No DeSO row, nothing after the report year.
    expect([...new Set(all.map((r) => `${String(r.indicator_id)} ${String(r.area_code)}`))]).toEqual(['emp 00', 'emp 01', 'emp 0180', 'emp 2584']);
    for (const area of ['00', '01', '0180', '2584', '0127']) {
      const one = await queryFile(wh.conn, 'report/indicator_series', { indicator_id: 'emp', area_code: area, year: 2025 });
      expect(all.filter((r) => r.area_code === area).map(({ indicator_id: _i, area_code: _a, ...rest }) => rest), area).toEqual(one);
    }
  });

  it('indicator_by_area: every kommun in Swedish order, absent values as ".."', async () => {
    const rows = await queryFile(wh.conn, 'report/indicator_by_area', { indicator_id: 'emp', level: 'kommun', year: 2023 });
    expect(rows.map((r) => [r.name, r.value, r.status])).toEqual([
      ['Botkyrka', null, '..'], ['Kiruna', null, 'suppressed'], ['Pajala', null, '..'], ['Stockholm', 82, 'ok'],
    ]);
  });

  it('areas_of_level: län in Swedish name order', async () => {
    expect((await queryFile(wh.conn, 'report/areas_of_level', { level: 'lan' })).map((r) => r.code)).toEqual(['25', '01']);
  });

  it('segregation_series and segregation_by_kommun', async () => {
    const s = await queryFile(wh.conn, 'report/segregation_series', { measure: 'D', groups: 'fb/sb', scope_level: 'riket', scope_code: '00', unit_level: 'deso', year: 2025 });
    expect(s).toEqual([
      { year: 2017, value: 0.4, expected: null, ci_low: null, ci_high: null, n_units: 5984, status: 'ok', unit_version: 'DeSO2018' },
      { year: 2025, value: 0.42, expected: 0.02, ci_low: 0.41, ci_high: 0.43, n_units: 6160, status: 'ok', unit_version: 'DeSO2025' },
    ]);
    const k = await queryFile(wh.conn, 'report/segregation_by_kommun', { measure: 'D', groups: 'fb/sb', unit_level: 'deso', first_year: 2017, year: 2025 });
    // The comparable part of a change across the DeSO break: the latest year on the first year's version (here 2017 itself).
    expect(k.find((r) => r.code === '0180')).toEqual({
      code: '0180', name: 'Stockholm', value: 0.37, first_value: 0.35, n_units: 560, status: 'ok', expected: null, ci_low: null, ci_high: null,
      first_ci_low: null, first_ci_high: null, unit_version: 'DeSO2025', first_unit_version: 'DeSO2018',
      pre_year: 2017, pre_value: 0.35, pre_ci_low: null, pre_ci_high: null,
    });
    expect(k.find((r) => r.code === '2521')).toMatchObject({ value: null, status: 'single_unit' });
    expect(k.find((r) => r.code === '0127')).toMatchObject({ value: null, n_units: 0, status: '..' });
  });

  it('area_type_population: the scope\'s residents per type and year up to the report year, untyped RegSO last', async () => {
    const rows = await queryFile(wh.conn, 'report/area_type_population', { scope_level: 'kommun', scope_code: '0180', year: 2025 });
    expect(rows).toEqual([
      { year: 2017, area_type: 1, n_areas: 1, n_missing_population: 0, population: 650, share: 100, status: 'ok' },
      { year: 2024, area_type: 1, n_areas: 1, n_missing_population: 0, population: 700, share: 70, status: 'ok' },
      { year: 2024, area_type: 5, n_areas: 1, n_missing_population: 0, population: 300, share: 30, status: 'ok' },
      { year: 2024, area_type: null, n_areas: 1, n_missing_population: 1, population: null, share: null, status: 'missing' },
    ]);
  });

  it('the *_all files: every scope at once, the rows of each as its per-scope file gives them', async () => {
    const c = wh.conn;
    await exec(c, `INSERT INTO segregation_index_change VALUES
      ('D','fb/sb','fb','riket','00','deso','comparable',2024,2025,'DeSO2025','DeSO2025',0.41,0.42,0.01,0.0,0.02,'none',false),
      ('D','fb/sb','fb','riket','00','deso','since_first',2017,2025,'DeSO2018','DeSO2025',0.40,0.42,0.02,0.01,0.03,'increase',true),
      ('D','fb/sb','fb','riket','00','deso','comparable',2025,2026,'DeSO2025','DeSO2025',0.42,0.5,0.08,0.07,0.09,'increase',false),
      ('D','fb/sb','fb','kommun','0180','deso','comparable',2018,2024,'DeSO2018','DeSO2018',0.35,0.36,0.01,-0.01,0.03,'none',false),
      ('D','fb/sb','fb','kommun','0180','deso','comparable',2017,2023,'DeSO2018','DeSO2018',0.35,0.30,-0.05,-0.07,-0.03,'decrease',false)`);
    await exec(c, `INSERT INTO segregation_bridge VALUES
      ('D','fb/sb','fb','riket','00','deso',2024,'DeSO2018','DeSO2025',0.41,0.42,5984,6160,'ok'),
      ('D','fb/sb','fb','kommun','0180','deso',2024,'DeSO2018','DeSO2025',0.36,0.37,544,560,'ok'),
      ('D','fb/sb','fb','kommun','2584','deso',2024,'DeSO2018','DeSO2025',NULL,0.2,10,11,'single_unit')`);
    const scopes = [['riket', '00'], ['lan', '01'], ['kommun', '0180'], ['kommun', '2584'], ['kommun', '2521']] as const;
    const split = { measure: 'D', groups: 'fb/sb', unit_level: 'deso' };
    const files = [
      ['report/segregation_series', 'report/segregation_series_all', { ...split, year: 2025 }],
      ['report/segregation_series', 'report/segregation_series_all', { ...split, unit_level: 'regso', year: 2025 }],
      ['report/segregation_change', 'report/segregation_change_all', { ...split, year: 2025 }],
      ['report/segregation_change', 'report/segregation_change_all', { ...split, year: 2023 }],
      ['report/segregation_bridge', 'report/segregation_bridge_all', split],
      ['report/area_type_gaps', 'report/area_type_gaps_all', { year: 2025 }],
      ['report/area_type_population', 'report/area_type_population_all', { year: 2025 }],
      ['report/indicator_by_area_type', 'report/indicator_by_area_type_all', { year: 2025 }],
      ['report/area_type_index_spread', 'report/area_type_index_spread_all', { first_year: 2016, year: 2025 }],
      // Kommun files: asked by kommun_code.
      ['report/area_type_regso', 'report/area_type_regso_all', { first_year: 2016, year: 2025 }],
      ['report/area_type_regso', 'report/area_type_regso_all', { first_year: 2017, year: 2023 }],
      ['report/map_regso', 'report/map_regso_all', { indicator_id: 'emp', year: 2025 }],
    ] as const;
    let nonEmpty = 0;
    for (const [name, allName, params] of files) {
      const all = await queryFile(c, allName, params);
      for (const [level, code] of scopes) {
        const byKommun = name === 'report/area_type_regso' || name === 'report/map_regso';
        if (byKommun && level !== 'kommun') continue;
        const one = await queryFile(c, name, byKommun ? { ...params, kommun_code: code } : { ...params, scope_level: level, scope_code: code });
        const mine = all.filter((r) => r.scope_level === level && r.scope_code === code).map(({ scope_level: _l, scope_code: _c, ...rest }) => rest);
        expect(mine, `${name} ${JSON.stringify(params)} ${code}`).toEqual(one);
        if (one.length > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBe(24);
    // Each scope's change at its own latest end year: riket 2025, Stockholm 2024.
    const changes = await queryFile(c, 'report/segregation_change_all', { ...split, year: 2025 });
    expect(changes.map((r) => `${String(r.scope_code)} ${String(r.span)} ${String(r.to_year)}`)).toEqual(['0180 comparable 2024', '00 comparable 2025', '00 since_first 2025']);
    await exec(c, 'DELETE FROM segregation_index_change; DELETE FROM segregation_bridge');
  });

  it('area_type_gaps: per indicator the latest year with a gap (not a later suppressed one), base-year values beside it', async () => {
    const rows = await queryFile(wh.conn, 'report/area_type_gaps', { scope_level: 'kommun', scope_code: '0180', year: 2025 });
    expect(rows).toEqual([
      {
        indicator_id: 'emp', title_sv: 'Sysselsättning', unit: 'procent', higher_is_better: true, year: 2024,
        comparison: 'type1_vs_type5', comparison_year: null, focus_upto: 1, reference_from: 5,
        value_focus: 60, value_reference: 90, gap: -30, disadvantage: 30, se_gap: null, base_year: 2017, value_focus_base: 62, value_reference_base: 88,
        gap_base: -26, gap_change: -4, se_change: null, materiality: null, narrowed: false, change_verdict: 'widened', status: 'ok', change_status: 'ok',
      },
      {
        // No gap in any year: the latest year is shown, with why.
        indicator_id: 'turn', title_sv: 'Valdeltagande', unit: 'procent', higher_is_better: true, year: 2022,
        comparison: 'type1_vs_type5', comparison_year: null, focus_upto: 1, reference_from: 5,
        value_focus: null, value_reference: null, gap: null, disadvantage: null, se_gap: null, base_year: 2018, value_focus_base: null, value_reference_base: null,
        gap_base: null, gap_change: null, se_change: null, materiality: null, narrowed: null, change_verdict: null, status: 'no_reference', change_status: 'no_gap',
      },
      {
        // 2024 is suppressed in type 1: the row falls back to 2023, which has a gap; no base row exists.
        indicator_id: 'une', title_sv: 'Arbetslöshet', unit: 'procent', higher_is_better: false, year: 2023,
        comparison: 'type1_vs_type5', comparison_year: null, focus_upto: 1, reference_from: 5,
        value_focus: 10, value_reference: 3, gap: 7, disadvantage: 7, se_gap: null, base_year: 2017, value_focus_base: null, value_reference_base: null,
        gap_base: 9, gap_change: -2, se_change: null, materiality: null, narrowed: true, change_verdict: 'narrowed', status: 'ok', change_status: 'ok',
      },
    ]);
    expect(await queryFile(wh.conn, 'report/area_type_gaps', { scope_level: 'kommun', scope_code: '2584', year: 2025 })).toEqual([]);
  });

  it('indicator_by_area_type: one scope, up to the report year, ordered by indicator, year and type', async () => {
    const rows = await queryFile(wh.conn, 'report/indicator_by_area_type', { scope_level: 'kommun', scope_code: '0180', year: 2025 });
    expect(rows).toEqual([
      { indicator_id: 'emp', year: 2017, area_type: 1, value: 62, status: 'ok', n_areas: 1, n_missing: 0 },
      { indicator_id: 'emp', year: 2024, area_type: 1, value: 60, status: 'ok', n_areas: 1, n_missing: 0 },
      { indicator_id: 'emp', year: 2024, area_type: 5, value: 90, status: 'ok', n_areas: 1, n_missing: 0 },
    ]);
  });

  it('area_type_cuts: the national cut per year up to the report year', async () => {
    const rows = await queryFile(wh.conn, 'report/area_type_cuts', { year: 2025 });
    expect(rows).toEqual([
      { year: 2017, area_version: 'RegSO2020', n_areas: 3363, n_unclassified: 0, mean: 9.79, sd: 5.94, n_type1: 138, n_type2: 288, n_type3: 853, n_type4: 1851, n_type5: 233, status: 'ok' },
      { year: 2024, area_version: 'RegSO2025', n_areas: 3363, n_unclassified: 2, mean: 8.74, sd: 5.77, n_type1: 140, n_type2: 258, n_type3: 861, n_type4: 1906, n_type5: 196, status: 'ok' },
    ]);
  });

  it('area_type_regso: the kommun\'s RegSO of the latest year with their type then and in the first year from 2017', async () => {
    const rows = await queryFile(wh.conn, 'report/area_type_regso', { kommun_code: '0180', first_year: 2017, year: 2025 });
    expect(rows).toEqual([
      { code: '0180R001', name: 'Norra Stockholm', first_year: 2017, first_type: 1, latest_year: 2024, latest_type: 1, latest_index: 21 },
      { code: '0180R002', name: 'Älvsjö', first_year: 2017, first_type: null, latest_year: 2024, latest_type: 5, latest_index: 2.5 },
    ]);
    expect(await queryFile(wh.conn, 'report/area_type_regso', { kommun_code: '2584', first_year: 2017, year: 2025 })).toEqual([
      { code: '2584R001', name: 'Kiruna RegSO 001', first_year: 2017, first_type: null, latest_year: 2024, latest_type: null, latest_index: null },
    ]);
  });

  it('segregation_decomposition: riket rows of the M and H terms for one split and unit level, up to the report year', async () => {
    // Own rows, removed again so the export test below sees only the shared fixture.
    const c = wh.conn;
    await exec(c, `INSERT INTO segregation_index (measure, groups, focal, scope_level, scope_code, unit_level, unit_version, year, value, expected, ci_low, ci_high, n_units, total, status, source_table) VALUES
      ('M_total','q','',         'riket','00','deso','DeSO2018',2017,0.06,NULL,NULL,NULL,5984,1e7,'ok','TAB6684'),
      ('M_between_lan','q','',   'riket','00','deso','DeSO2018',2017,0.003,NULL,NULL,NULL,5984,1e7,'ok','TAB6684'),
      ('H_total','q','',         'riket','00','deso','DeSO2018',2017,0.04,NULL,NULL,NULL,5984,1e7,'ok','TAB6684'),
      ('multi_M_divergence','q','','riket','00','deso','DeSO2018',2017,0.06,0.001,0.059,0.061,5984,1e7,'ok','TAB6684'),
      ('M_total','q','',         'riket','00','regso','RegSO2020',2017,0.05,NULL,NULL,NULL,3363,1e7,'ok','TAB6684'),
      ('M_total','q','',         'kommun','0180','deso','DeSO2018',2017,0.05,NULL,NULL,NULL,544,1e6,'ok','TAB6684'),
      ('M_total','q','',         'riket','00','deso','DeSO2025',2024,0.07,NULL,NULL,NULL,6160,1e7,'ok','TAB6684'),
      ('M_total','q','',         'riket','00','deso','DeSO2025',2026,0.08,NULL,NULL,NULL,6160,1e7,'ok','TAB6684')`);
    const rows = await queryFile(wh.conn, 'report/segregation_decomposition', { groups: 'q', unit_level: 'deso', year: 2025 });
    await exec(c, "DELETE FROM segregation_index WHERE groups = 'q'");
    expect(rows).toEqual([
      { year: 2017, unit_version: 'DeSO2018', measure: 'H_total', value: 0.04, status: 'ok', n_units: 5984 },
      { year: 2017, unit_version: 'DeSO2018', measure: 'M_between_lan', value: 0.003, status: 'ok', n_units: 5984 },
      { year: 2017, unit_version: 'DeSO2018', measure: 'M_total', value: 0.06, status: 'ok', n_units: 5984 },
      { year: 2024, unit_version: 'DeSO2025', measure: 'M_total', value: 0.07, status: 'ok', n_units: 6160 },
    ]);
  });

  it('sources_used: tables whose observations are in the warehouse, plus the area keys', async () => {
    const rows = await queryFile(wh.conn, 'report/sources_used');
    expect(rows.map((r) => [r.source, r.table_id, r.responses, r.sha256])).toEqual([
      ['SCB', 'TAB6680', 2, 'a1'], ['SCB', 'deso-regso.csv', 1, 'k1'], ['Kolada', 'N07540', 1, 'b1'],
    ]);
  });

  it('last_build: the row counts of the latest successful build', async () => {
    await execFile(wh.conn, 'staging/stage_end', { run_id: 'r1', stage: 'build', started_at: '2026-11-27T10:00:00Z', finished_at: '2026-11-27T10:00:10Z', outcome: 'ok', row_counts: '{"segregation":{"draws":20}}', message: null });
    await execFile(wh.conn, 'staging/stage_end', { run_id: 'r2', stage: 'build', started_at: '2026-11-27T11:00:00Z', finished_at: '2026-11-27T11:00:10Z', outcome: 'failed', row_counts: null, message: 'x' });
    expect(await queryFile(wh.conn, 'report/last_build')).toEqual([{ row_counts: '{"segregation":{"draws":20}}' }]);
  });

  it('last_ingest: the args of the latest ingesting run', async () => {
    expect(await queryFile(wh.conn, 'report/last_ingest')).toEqual([{ args: '["--demo"]' }]);
  });

  it('export_indicator_values and export_segregation: up to the report year, riket/län/kommun only', async () => {
    const v = await queryFile(wh.conn, 'report/export_indicator_values', { year: 2025 });
    expect(v.map((r) => `${r.area_code}:${r.year}:${r.status}`)).toEqual(['00:2017:ok', '00:2023:ok', '00:2024:..', '01:2023:ok', '0180:2023:ok', '2584:2023:suppressed']);
    const s = await queryFile(wh.conn, 'report/export_segregation', { year: 2024 });
    expect(s.map((r) => `${r.scope_code}:${r.year}`)).toEqual(['00:2017', '0180:2017']);
  });
});
