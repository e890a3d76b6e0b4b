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
  await exec(c, `INSERT INTO segregation_index VALUES
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
  await exec(c, "INSERT INTO observation VALUES ('r1-1','SCB','TAB6680','m','00','riket',2020,'',1,NULL), ('r1-2','SCB','TAB6680','m','01','lan1998',2020,'',1,NULL), ('r1-3','Kolada','N07540','N07540','00','riket',2020,'gender=T',1,NULL)");
});
afterAll(() => wh.close());

describe('sql/report/*.sql', () => {
  it('indicator_series: the area series up to the report year, missing kept', async () => {
    const rows = await queryFile(wh.conn, 'report/indicator_series', { indicator_id: 'emp', area_code: '00', year: 2025 });
    expect(rows).toEqual([
      { year: 2017, value: 80.1, status: 'ok', area_version: 'riket' },
      { year: 2023, value: 81.5, status: 'ok', area_version: 'riket' },
      { year: 2024, value: null, status: '..', area_version: 'riket' },
    ]);
  });

  it('latest_year: the last year with a value, not the last row', async () => {
    expect(await queryFile(wh.conn, 'report/latest_year', { indicator_id: 'emp', area_code: '00', year: 2025 })).toEqual([{ latest: 2023 }]);
    expect(await queryFile(wh.conn, 'report/latest_year', { indicator_id: 'nope', area_code: '00', year: 2025 })).toEqual([{ latest: null }]);
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
    expect(k.find((r) => r.code === '0180')).toEqual({ code: '0180', name: 'Stockholm', value: 0.37, first_value: 0.35, n_units: 560, status: 'ok' });
    expect(k.find((r) => r.code === '2521')).toMatchObject({ value: null, status: 'single_unit' });
    expect(k.find((r) => r.code === '0127')).toMatchObject({ value: null, n_units: 0, status: '..' });
  });

  it('sources_used: tables whose observations are in the warehouse, plus the area keys', async () => {
    const rows = await queryFile(wh.conn, 'report/sources_used');
    expect(rows.map((r) => [r.source, r.table_id, r.responses, r.sha256])).toEqual([
      ['SCB', 'TAB6680', 2, 'a1'], ['SCB', 'deso-regso.csv', 1, 'k1'], ['Kolada', 'N07540', 1, 'b1'],
    ]);
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
