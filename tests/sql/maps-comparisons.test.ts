/**
 * The SQL of the maps and comparisons on a handmade warehouse: a kommun's RegSO on the version of the latest area
 * types with type, indicator value (latest year with a value on that version) and outline; Kolada's similar-kommun
 * groups; every kommun's series; the reference data's sources; the reference ingest's counts and deletes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, execFile, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
const square = JSON.stringify({ type: 'Polygon', coordinates: [[[18, 59], [18.1, 59], [18.1, 59.1], [18, 59]]] });

beforeAll(async () => {
  wh = await memoryWarehouse();
  const c = wh.conn;
  await exec(c, `INSERT INTO area VALUES
    ('0180','kommun','kommun2003','Stockholm','0180','01',NULL),
    ('0114','kommun','kommun2003','Upplands Väsby','0114','01',NULL),
    ('1280','kommun','kommun2003','Malmö','1280','12',NULL),
    ('0180R001','regso','RegSO2020','Gamla namnet','0180','01','0180R001'),
    ('0180R001','regso','RegSO2025','Östermalm','0180','01','0180R001'),
    ('0180R002','regso','RegSO2025','Älvsjö','0180','01','0180R002'),
    ('0180R003','regso','RegSO2025','Årsta','0180','01','0180R003'),
    ('1280R001','regso','RegSO2025','Malmö 1','1280','12','1280R001')`);
  await exec(c, "INSERT INTO indicator VALUES ('emp', 'arbete', 'Sysselsättning', 'Employment', 'procent', true, 'x', 'SCB TAB6680', 2, 'd', '')");
  await exec(c, `INSERT INTO indicator_value VALUES
    ('emp','0180R001','RegSO2020',2023,70,1,1,'ok','S'),
    ('emp','0180R001','RegSO2025',2024,81,1,1,'ok','S'), ('emp','0180R002','RegSO2025',2024,NULL,NULL,NULL,'suppressed','S'),
    ('emp','0180R001','RegSO2025',2026,99,1,1,'ok','S'),
    ('emp','0180','kommun2003',2023,80,1,1,'ok','S'), ('emp','0180','kommun2003',2024,81,1,1,'ok','S'),
    ('emp','0114','kommun2003',2024,NULL,NULL,NULL,'..','S'), ('emp','0180','kommun2003',2026,90,1,1,'ok','S')`);
  await exec(c, `INSERT INTO area_type VALUES
    ('0180R001','RegSO2020',2023,20.5,1), ('0180R001','RegSO2025',2024,21.0,2), ('0180R003','RegSO2025',2024,5.0,5), ('1280R001','RegSO2025',2024,1.0,1)`);
  await execFile(c, 'staging/run_start', { run_id: 'r1', started_at: '2026-11-27T10:00:00Z', command: 'run', args: '[]', report_year: 2025, versions: '{}' });
  await execFile(c, 'staging/run_end', { run_id: 'r1', finished_at: '2026-11-27T10:01:00Z', outcome: 'ok' });
  for (const [id, source, table] of [['r1-ref-w', 'SCB', 'stat:RegSO_2025'], ['r1-ref-g', 'Kolada', 'municipality_groups'], ['r1-ref-x', 'SCB', 'stat:RegSO_2020']] as const) {
    await execFile(c, 'staging/insert_fetch', { fetch_id: id, run_id: 'r1', source, table_id: table, method: 'GET', request: null, url: `http://x/${table}`, http_status: 200, fetched_at: '2026-11-27T10:00:00Z', sha256: id, bytes: 1 });
  }
  await exec(c, `INSERT INTO area_geometry VALUES ('0180R001','RegSO2025','0180',$g,'SCB WFS stat:RegSO_2025','r1-ref-w'), ('0180R003','RegSO2025','0180',$g,'SCB WFS stat:RegSO_2025','r1-ref-w')`, { g: square });
  await exec(c, `INSERT INTO municipality_group VALUES
    ('G1','Liknande kommuner, övergripande, Stockholm, 2025','1480','Göteborg','r1-ref-g'),
    ('G1','Liknande kommuner, övergripande, Stockholm, 2025','1280','Malmö','r1-ref-g'),
    ('G2','Stor-Stockholm (ovägt medel)','0180','Stockholm','r1-ref-g')`);
});
afterAll(() => wh.close());

describe('report/map_regso', () => {
  it('the RegSO of the latest types\' version with type, the latest value up to the report year, and the outline or NULL', async () => {
    const rows = await queryFile(wh.conn, 'report/map_regso', { kommun_code: '0180', indicator_id: 'emp', year: 2025 });
    expect(rows.map((r) => [r.code, r.name, r.area_version, r.area_type, r.type_year, r.value, r.status, r.value_year, r.geometry === null ? null : 'geom'])).toEqual([
      ['0180R003', 'Årsta', 'RegSO2025', 5, 2024, null, '..', 2024, 'geom'],
      ['0180R002', 'Älvsjö', 'RegSO2025', null, null, null, 'suppressed', 2024, null],
      ['0180R001', 'Östermalm', 'RegSO2025', 2, 2024, 81, null, 2024, 'geom'],
    ]);
    // An earlier report year reads the version of its own types.
    const y2023 = await queryFile(wh.conn, 'report/map_regso', { kommun_code: '0180', indicator_id: 'emp', year: 2023 });
    expect(y2023.map((r) => [r.code, r.area_version, r.area_type, r.value, r.geometry])).toEqual([['0180R001', 'RegSO2020', 1, 70, null]]);
  });
});

describe('report/similar_kommuner, report/indicator_kommun_years, report/reference_sources', () => {
  it('only the Liknande kommuner groups, with the register\'s names', async () => {
    const rows = await queryFile(wh.conn, 'report/similar_kommuner');
    expect(rows.map((r) => [r.group_id, r.member_code, r.member_name])).toEqual([
      ['G1', '1480', 'Göteborg'],
      ['G1', '1280', 'Malmö'],
    ]);
  });

  it('every kommun\'s values up to the report year, missing ones as NULL', async () => {
    const rows = await queryFile(wh.conn, 'report/indicator_kommun_years', { indicator_id: 'emp', year: 2025 });
    expect(rows.map((r) => [r.code, r.year, r.value])).toEqual([
      ['0114', 2024, null],
      ['0180', 2023, 80],
      ['0180', 2024, 81],
    ]);
  });

  it('the reference fetches that outlines or groups cite, not the others', async () => {
    const rows = await queryFile(wh.conn, 'report/reference_sources');
    expect(rows.map((r) => [r.source, r.table_id])).toEqual([
      ['SCB', 'stat:RegSO_2025'],
      ['Kolada', 'municipality_groups'],
    ]);
  });
});

describe('staging SQL of the reference ingest', () => {
  it('counts, codes of a version, and deletes', async () => {
    expect((await queryFile(wh.conn, 'staging/area_geometry_count', { version: 'RegSO2025' }))[0]?.n).toBe(2);
    expect((await queryFile(wh.conn, 'staging/municipality_group_count'))[0]?.n).toBe(3);
    expect((await queryFile(wh.conn, 'staging/area_codes_of_version', { version: 'RegSO2025' })).map((r) => r.code)).toEqual(['0180R001', '0180R002', '0180R003', '1280R001']);
    await execFile(wh.conn, 'staging/delete_area_geometry', { version: 'RegSO2020' });
    expect((await queryFile(wh.conn, 'staging/area_geometry_count', { version: 'RegSO2025' }))[0]?.n).toBe(2);
    await execFile(wh.conn, 'staging/delete_area_geometry', { version: 'RegSO2025' });
    expect((await queryFile(wh.conn, 'staging/area_geometry_count', { version: 'RegSO2025' }))[0]?.n).toBe(0);
    await execFile(wh.conn, 'staging/delete_municipality_groups');
    expect((await queryFile(wh.conn, 'staging/municipality_group_count'))[0]?.n).toBe(0);
  });
});
