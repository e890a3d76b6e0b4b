import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
  await exec(wh.conn, "INSERT INTO indicator VALUES ('p', 'arbete', 'P', 'P', 'procent', true, 'x', 'SCB', 1, 'd', ''), ('r', 'brottslighet', 'R', 'R', 'per 1 000 invånare', false, 'x', 'K', 0, 'd', '')");
});
afterEach(() => wh.close());

describe('sql/checks/indicator_percent_range.sql', () => {
  it('flags percents outside 0–100 or inconsistent with their counts, not rates', async () => {
    await exec(wh.conn, "INSERT INTO indicator_value VALUES ('p','01','lan1998',2020,50,5,10,'ok','S'), ('p','03','lan1998',2020,101,101,100,'ok','S'), ('p','04','lan1998',2020,40,5,10,'ok','S'), ('r','01','lan1998',2020,140,NULL,NULL,'ok','K')");
    const rows = await queryFile(wh.conn, 'checks/indicator_percent_range');
    expect(rows.map((r) => r.area_code).sort()).toEqual(['03', '04']);
  });
});

describe('sql/checks/observation_duplicates.sql', () => {
  it('flags a cell that arrived twice', async () => {
    await insertObservations(wh.conn, [
      ['T', 'm', '00', 'riket', 2020, 'a=1', 1, null],
      ['T', 'm', '00', 'riket', 2020, 'a=1', 1, null],
      ['T', 'm', '00', 'riket', 2020, 'a=2', 1, null],
    ]);
    const rows = await queryFile(wh.conn, 'checks/observation_duplicates');
    expect(rows).toEqual([{ source: 'SCB', table_id: 'T', measure: 'm', area_code: '00', area_version: 'riket', year: 2020, breakdown: 'a=1', n: 2 }]);
  });

  it('counts a row summed from DeSO (derived_from) as the cell it stands for: beside a published one it is a duplicate', async () => {
    await insertObservations(wh.conn, [
      ['T', 'm', '0180C1010', 'DeSO2018', 2020, 'a=1', 1, null],
      ['T', 'm', '0180', 'kommun2003', 2020, 'a=1', 5, null],
    ]);
    await exec(wh.conn, "INSERT INTO observation VALUES ('derived', 'SCB', 'T', 'm', '01', 'lan1998', 2020, 'a=1', 1, NULL, 'DeSO2018'), ('derived', 'SCB', 'T', 'm', '0180', 'kommun2003', 2020, 'a=1', 1, NULL, 'DeSO2018')");
    expect(await queryFile(wh.conn, 'checks/observation_duplicates')).toEqual([{ source: 'SCB', table_id: 'T', measure: 'm', area_code: '0180', area_version: 'kommun2003', year: 2020, breakdown: 'a=1', n: 2 }]);
  });
});

describe('sql/checks/value_without_status.sql', () => {
  it('flags a missing value that does not say why', async () => {
    await exec(wh.conn, "INSERT INTO indicator_value VALUES ('p','01','lan1998',2020,NULL,NULL,NULL,'ok','S'), ('p','03','lan1998',2020,NULL,NULL,NULL,'suppressed','S'), ('p','04','lan1998',2020,NULL,NULL,NULL,'..','S')");
    expect((await queryFile(wh.conn, 'checks/value_without_status')).map((r) => r.area_code)).toEqual(['01']);
  });
});

describe('sql/checks/indicator_value_duplicates.sql', () => {
  it('flags a key that has two values', async () => {
    await exec(wh.conn, "INSERT INTO indicator_value VALUES ('p','01','lan1998',2020,50,5,10,'ok','S'), ('p','01','lan1998',2020,51,5,10,'ok','S'), ('p','01','lan1998',2021,50,5,10,'ok','S')");
    expect(await queryFile(wh.conn, 'checks/indicator_value_duplicates')).toEqual([{ indicator_id: 'p', area_code: '01', area_version: 'lan1998', year: 2020, n: 2 }]);
  });
});
