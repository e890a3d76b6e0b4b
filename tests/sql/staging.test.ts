import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { exec, execFile, query, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse, insertObservations } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

const fetchRow = (id: string, run: string, table: string, sha: string) => ({
  fetch_id: id, run_id: run, source: 'SCB', table_id: table, method: 'POST', request: '{"selection":[]}',
  url: `http://127.0.0.1/api/v2/tables/${table}/data`, http_status: 200, fetched_at: '2026-11-27T10:00:00.000Z', sha256: sha, bytes: 10,
});

describe('sql/staging/schema.sql', () => {
  it('is idempotent and creates every warehouse table of DESIGN.md §3', async () => {
    await execFile(wh.conn, 'staging/schema');
    const tables = (await query(wh.conn, 'SELECT table_name FROM information_schema.tables ORDER BY 1')).map((r) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(['area', 'area_crosswalk', 'area_type', 'indicator', 'indicator_value', 'observation', 'run', 'segregation_index', 'source_fetch', 'stage_run']));
  });
});

describe('sql/staging/insert_fetch.sql + latest_fetches.sql', () => {
  it('returns the responses of the latest run that fetched the table', async () => {
    await execFile(wh.conn, 'staging/run_start', { run_id: 'r1', started_at: '2026-11-26T10:00:00Z', command: 'run', args: '[]', report_year: 2025, versions: '{}' });
    await execFile(wh.conn, 'staging/run_start', { run_id: 'r2', started_at: '2026-11-27T10:00:00Z', command: 'run', args: '[]', report_year: 2025, versions: '{}' });
    await execFile(wh.conn, 'staging/insert_fetch', fetchRow('r1-1', 'r1', 'TAB1', 'aaa'));
    await execFile(wh.conn, 'staging/insert_fetch', fetchRow('r2-2', 'r2', 'TAB1', 'ccc'));
    await execFile(wh.conn, 'staging/insert_fetch', fetchRow('r2-1', 'r2', 'TAB1', 'bbb'));
    await execFile(wh.conn, 'staging/insert_fetch', fetchRow('r2-3', 'r2', 'TAB2', 'ddd'));
    const rows = await queryFile(wh.conn, 'staging/latest_fetches', { table_id: 'TAB1' });
    expect(rows.map((r) => [r.fetch_id, r.sha256])).toEqual([['r2-1', 'bbb'], ['r2-2', 'ccc']]);
    expect(rows[0]?.fetched_at).toBe('2026-11-27T10:00:00.000Z');
  });
});

describe('sql/staging/delete_observations.sql', () => {
  it('clears one source table only', async () => {
    await insertObservations(wh.conn, [
      ['T1', 'm', '00', 'riket', 2020, '', 1, null],
      ['T2', 'm', '00', 'riket', 2020, '', 2, null],
    ]);
    await insertObservations(wh.conn, [['T1', 'm', '00', 'riket', 2020, '', 3, null]], 'Kolada');
    await execFile(wh.conn, 'staging/delete_observations', { source: 'SCB', table_id: 'T1' });
    expect(await query(wh.conn, 'SELECT source, table_id, value FROM observation ORDER BY 1, 2')).toEqual([
      { source: 'Kolada', table_id: 'T1', value: 3 },
      { source: 'SCB', table_id: 'T2', value: 2 },
    ]);
  });
});

describe('sql/staging/upsert_indicator.sql', () => {
  it('replaces an older definition', async () => {
    const def = { id: 'x', policy_area: 'arbete', title_sv: 'X', title_en: 'X', unit: 'procent', higher_is_better: true, population: 'p', source: 'SCB', lag_years: 2, definition: 'd', caveats: '' };
    await execFile(wh.conn, 'staging/upsert_indicator', def);
    await execFile(wh.conn, 'staging/upsert_indicator', { ...def, title_sv: 'Ny titel', higher_is_better: null });
    expect(await query(wh.conn, 'SELECT id, title_sv, higher_is_better FROM indicator')).toEqual([{ id: 'x', title_sv: 'Ny titel', higher_is_better: null }]);
  });
});

describe('sql/staging/replace_areas.sql', () => {
  it('replaces the register and crosswalk from the staged tables', async () => {
    await exec(wh.conn, "INSERT INTO area VALUES ('9999', 'kommun', 'kommun2003', 'Gammal', '9999', '99', NULL)");
    await exec(wh.conn, "CREATE TEMP TABLE area_stage AS SELECT * FROM area LIMIT 0; CREATE TEMP TABLE crosswalk_stage AS SELECT * FROM area_crosswalk LIMIT 0;");
    await exec(wh.conn, "INSERT INTO area_stage VALUES ('0180', 'kommun', 'kommun2003', 'Stockholm', '0180', '01', NULL), ('0180R001', 'regso', 'RegSO2020', 'R1', '0180', '01', '0180R001'), ('0180R001', 'regso', 'RegSO2020', 'R1', '0180', '01', '0180R001')");
    await exec(wh.conn, "INSERT INTO crosswalk_stage VALUES ('0180C1010', 'DeSO2018', '0180C1011', 'DeSO2025', 0.4), ('0180C1010', 'DeSO2018', '0180C1012', 'DeSO2025', 0.6)");
    await execFile(wh.conn, 'staging/replace_areas');
    expect((await query(wh.conn, 'SELECT code FROM area ORDER BY code')).map((r) => r.code)).toEqual(['0180', '0180R001']);
    expect(await query(wh.conn, 'SELECT sum(weight) AS w FROM area_crosswalk')).toEqual([{ w: 1 }]);
  });
});

describe('sql/staging/run_start.sql, run_end.sql, stage_end.sql', () => {
  it('records a run and its stages, a retried stage replacing its record', async () => {
    await execFile(wh.conn, 'staging/run_start', { run_id: 'r1', started_at: '2026-11-27T10:00:00Z', command: 'run', args: '["--demo"]', report_year: 2025, versions: '{}' });
    const stage = { run_id: 'r1', stage: 'ingest', started_at: '2026-11-27T10:00:00Z', finished_at: '2026-11-27T10:00:05Z', outcome: 'failed', row_counts: null, message: 'boom' };
    await execFile(wh.conn, 'staging/stage_end', stage);
    await execFile(wh.conn, 'staging/stage_end', { ...stage, outcome: 'ok', row_counts: '{"n":3}', message: null });
    await execFile(wh.conn, 'staging/run_end', { run_id: 'r1', finished_at: '2026-11-27T10:01:00Z', outcome: 'ok' });
    expect(await query(wh.conn, 'SELECT outcome, finished_at FROM run')).toEqual([{ outcome: 'ok', finished_at: '2026-11-27T10:01:00.000Z' }]);
    expect(await query(wh.conn, 'SELECT stage, outcome, row_counts FROM stage_run')).toEqual([{ stage: 'ingest', outcome: 'ok', row_counts: '{"n":3}' }]);
  });
});

describe("sql/staging/derive_levels.sql ('staging/derive_levels')", () => {
  const derived = () =>
    query(wh.conn, "SELECT fetch_id, source, table_id, measure, area_code, area_version, year, breakdown, value, status, derived_from FROM observation WHERE derived_from IS NOT NULL ORDER BY table_id, year, breakdown, area_version, area_code");
  const row = (area_code: string, area_version: string, year: number, breakdown: string, value: number | null, derived_from = 'DeSO2018', table_id = 'TAB6258', measure = '000006OC') => ({
    fetch_id: 'derived', source: 'SCB', table_id, measure, area_code, area_version, year, breakdown, value, status: value === null ? '..' : null, derived_from,
  });
  const hr = 'Upplatelseform=1';
  const br = 'Upplatelseform=2';

  it('sums kommun, län and riket from the DeSO rows; any missing or protected DeSO part gives NULL with "..", never a partial sum or 0', async () => {
    await insertObservations(wh.conn, [
      // 2023: kommun 0180 (län 01) has two DeSO, 0114 (län 01) one, 2584 (län 25) two.
      ['TAB6258', '000006OC', '0180C1010', 'DeSO2018', 2023, hr, 100, null],
      ['TAB6258', '000006OC', '0180C1020', 'DeSO2018', 2023, hr, 250, null],
      ['TAB6258', '000006OC', '0114A0010', 'DeSO2018', 2023, hr, 40, null],
      ['TAB6258', '000006OC', '2584A0010', 'DeSO2018', 2023, hr, 30, null],
      ['TAB6258', '000006OC', '2584A0020', 'DeSO2018', 2023, hr, null, '..'],
      ['TAB6258', '000006OC', '0180C1010', 'DeSO2018', 2023, br, 60, null],
      ['TAB6258', '000006OC', '0180C1020', 'DeSO2018', 2023, br, 0, null],
      ['TAB6258', '000006OC', '0114A0010', 'DeSO2018', 2023, br, 15, null],
      ['TAB6258', '000006OC', '2584A0010', 'DeSO2018', 2023, br, 5, null],
      ['TAB6258', '000006OC', '2584A0020', 'DeSO2018', 2023, br, 7, null],
      // 2022: the row of 0180C1020 is absent altogether, so 0180, län 01 and riket lack a part.
      ['TAB6258', '000006OC', '0180C1010', 'DeSO2018', 2022, hr, 90, null],
      ['TAB6258', '000006OC', '0114A0010', 'DeSO2018', 2022, hr, 38, null],
      ['TAB6258', '000006OC', '2584A0010', 'DeSO2018', 2022, hr, 31, null],
      ['TAB6258', '000006OC', '2584A0020', 'DeSO2018', 2022, hr, 9, null],
      // RegSO rows and other tables are not summed.
      ['TAB6258', '000006OC', '0180R001', 'RegSO2020', 2023, hr, 99_999, null],
      ['TAB6638', '00000864', '0180C1010', 'DeSO2025', 2024, hr, 120, null],
    ]);
    await execFile(wh.conn, 'staging/derive_levels', { table_id: 'TAB6258', levels: listValue(['riket', 'lan', 'kommun']) });
    expect(await derived()).toEqual([
      row('0114', 'kommun2003', 2022, hr, 38),
      row('0180', 'kommun2003', 2022, hr, null),
      row('2584', 'kommun2003', 2022, hr, 40),
      row('01', 'lan1998', 2022, hr, null),
      row('25', 'lan1998', 2022, hr, 40),
      row('00', 'riket', 2022, hr, null),
      row('0114', 'kommun2003', 2023, hr, 40),
      row('0180', 'kommun2003', 2023, hr, 350),
      row('2584', 'kommun2003', 2023, hr, null),
      row('01', 'lan1998', 2023, hr, 390),
      row('25', 'lan1998', 2023, hr, null),
      row('00', 'riket', 2023, hr, null),
      row('0114', 'kommun2003', 2023, br, 15),
      row('0180', 'kommun2003', 2023, br, 60),
      row('2584', 'kommun2003', 2023, br, 12),
      row('01', 'lan1998', 2023, br, 75),
      row('25', 'lan1998', 2023, br, 12),
      row('00', 'riket', 2023, br, 87),
    ]);
    // The published rows are untouched and nothing arrived twice.
    expect(await query(wh.conn, 'SELECT count(*)::INTEGER AS n FROM observation WHERE derived_from IS NULL')).toEqual([{ n: 16 }]);
    expect(await queryFile(wh.conn, 'checks/observation_duplicates')).toEqual([]);
    // Replacing the table's rows (as the ingest does before deriving again) removes the derived rows with them.
    await execFile(wh.conn, 'staging/delete_observations', { source: 'SCB', table_id: 'TAB6258' });
    expect(await query(wh.conn, 'SELECT DISTINCT table_id FROM observation')).toEqual([{ table_id: 'TAB6638' }]);
  });

  it('derives only the levels asked for, from the DeSO version of each year (derived_from)', async () => {
    await insertObservations(wh.conn, [
      ['TAB6638', '00000864', '0180C1010', 'DeSO2025', 2024, hr, 120, null],
      ['TAB6638', '00000864', '0180C1030', 'DeSO2025', 2024, hr, 80, null],
      ['TAB6638', '00000864', '0180R001', 'RegSO2025', 2024, hr, 200, null],
    ]);
    await execFile(wh.conn, 'staging/derive_levels', { table_id: 'TAB6638', levels: listValue(['kommun']) });
    expect(await derived()).toEqual([row('0180', 'kommun2003', 2024, hr, 200, 'DeSO2025', 'TAB6638', '00000864')]);
  });
});

describe('sql/staging/run_orphans.sql', () => {
  it('marks runs left running as interrupted, keeps an end time they have, and leaves finished runs alone', async () => {
    await exec(
      wh.conn,
      `INSERT INTO run VALUES
        ('r1', '2026-01-01 10:00:00', NULL, 'run', '[]', 2025, '{}', 'running'),
        ('r2', '2026-01-02 10:00:00', '2026-01-02 10:05:00', 'run', '[]', 2025, '{}', 'running'),
        ('r3', '2026-01-03 10:00:00', '2026-01-03 10:07:00', 'run', '[]', 2025, '{}', 'ok')`,
    );
    await execFile(wh.conn, 'staging/run_orphans', { finished_at: '2026-01-04 09:00:00' });
    const rows = await query(wh.conn, 'SELECT run_id, outcome, finished_at::VARCHAR AS finished_at FROM run ORDER BY run_id');
    expect(rows).toEqual([
      { run_id: 'r1', outcome: 'interrupted', finished_at: '2026-01-04 09:00:00' },
      { run_id: 'r2', outcome: 'interrupted', finished_at: '2026-01-02 10:05:00' },
      { run_id: 'r3', outcome: 'ok', finished_at: '2026-01-03 10:07:00' },
    ]);
  });
});
