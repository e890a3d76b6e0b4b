import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import { exec, execFile, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
  const areas: [string, string, string][] = [['00', 'riket', 'riket'], ['01', 'lan', 'lan1998'], ['0114', 'kommun', 'kommun2003'], ['0114A0010', 'deso', 'DeSO2018']];
  for (const [code, level, version] of areas) {
    await exec(wh.conn, 'INSERT INTO area VALUES ($c, $l, $v, $c, NULL, NULL, NULL)', { c: code, l: level, v: version });
  }
  await execFile(wh.conn, 'staging/insert_fetch', {
    fetch_id: 'f1', run_id: 'r1', source: 'SCB', table_id: 'T1', method: 'POST', request: null,
    url: 'http://127.0.0.1/api/v2/tables/T1/data', http_status: 200, fetched_at: '2026-11-27T10:00:00.000Z', sha256: 'aaa', bytes: 10,
  });
});
afterEach(() => wh.close());

describe('sql/staging/unknown_areas.sql', () => {
  it('returns each code of the table that no area row has (code and version), as served, with a URL; nothing for known codes', async () => {
    await insertObservations(wh.conn, [
      ['T1', 'm', '00', 'riket', 2020, '', 1, null],
      ['T1', 'm', '01', 'lan1998', 2020, '', 1, null],
      ['T1', 'm', '0114', 'kommun2003', 2020, '', 1, null],
      ['T1', 'm', '0114A0010', 'DeSO2018', 2020, '', 1, null],
      ['T1', 'm', '7114', 'kommun2003', 2020, '', 1, null],
      ['T1', 'm', '7114', 'kommun2003', 2021, '', 1, null],
      ['T1', 'm', '71', 'lan1998', 2020, '', 1, null],
      ['T1', 'm', '0114A0010', 'DeSO2025', 2020, '', 1, null],
      ['T1', 'm', 'FA0101', 'unclassified', 2020, '', 1, null],
      // Another table's unknown code is not this table's.
      ['T2', 'm', '9999', 'kommun2003', 2020, '', 1, null],
    ]);
    const rows = await queryFile(wh.conn, 'staging/unknown_areas', { source: 'SCB', table_id: 'T1' });
    const url = 'http://127.0.0.1/api/v2/tables/T1/data';
    expect(rows).toEqual([
      { area_code: '0114A0010', area_version: 'DeSO2025', served: '0114A0010_DeSO2025', n_rows: 1, url, n_codes: 4 },
      { area_code: '71', area_version: 'lan1998', served: '71', n_rows: 1, url, n_codes: 4 },
      { area_code: '7114', area_version: 'kommun2003', served: '7114', n_rows: 2, url, n_codes: 4 },
      { area_code: 'FA0101', area_version: 'unclassified', served: 'FA0101', n_rows: 1, url, n_codes: 4 },
    ]);
    expect(await queryFile(wh.conn, 'staging/unknown_areas', { source: 'SCB', table_id: 'T3' })).toEqual([]);
  });

  it('names Kolada ids as Kolada writes them (0000, 00LL) and skips rows the pipeline derived', async () => {
    await insertObservations(wh.conn, [
      ['K1', 'k', '02', 'lan1998', 2020, '', 1, null],
      ['K1', 'k', '01', 'lan1998', 2020, '', 1, null],
    ], 'Kolada');
    await exec(wh.conn, "INSERT INTO observation VALUES ('derived', 'Kolada', 'K1', 'k', '7777', 'kommun2003', 2020, '', 1, NULL, 'DeSO2018')");
    const rows = await queryFile(wh.conn, 'staging/unknown_areas', { source: 'Kolada', table_id: 'K1' });
    expect(rows.map((r) => [r.served, r.area_version])).toEqual([['0002', 'lan1998']]);
  });
});

describe('sql/staging/unknown_area_pairs.sql', () => {
  const count = async (pairs: [string, string][]): Promise<number> => {
    const [row] = await queryFile(wh.conn, 'staging/unknown_area_pairs', { codes: listValue(pairs.map(([c]) => c)), versions: listValue(pairs.map(([, v]) => v)) });
    return Number(row?.n_unknown);
  };
  it('counts the pairs no area row has: the code and its version must match together', async () => {
    expect(await count([['00', 'riket'], ['01', 'lan1998'], ['0114', 'kommun2003'], ['0114A0010', 'DeSO2018']])).toBe(0);
    // A known code under another version, an unknown code of a known shape, a code of no known shape.
    expect(await count([['00', 'riket'], ['0114A0010', 'DeSO2025'], ['7114', 'kommun2003'], ['FA0101', 'unclassified']])).toBe(3);
  });
});
