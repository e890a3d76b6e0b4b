/**
 * The SQL behind the release watch, the build's recorded settings, conditional key fetches and the RegSO index
 * spread, each run against an in-memory warehouse with the real schema.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { exec, execFile, query, queryFile } from '../../pipelines/db.ts';
import { memoryWarehouse } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

const release = (table: string, fetchedAt: string, origin = 'scb') => ({
  source: 'SCB', table_id: table, released: '2026-01-20T07:00:00Z', latest_period: 2024, request_key: `k-${table}`, origin, run_id: 'r1', fetched_at: fetchedAt,
});

async function reportedRun(runId: string, finishedAt: string, year: number, outcome = 'ok'): Promise<void> {
  await execFile(wh.conn, 'staging/run_start', { run_id: runId, started_at: '2026-02-01T09:00:00Z', command: 'run', args: '["--demo"]', report_year: year, versions: '{}' });
  await execFile(wh.conn, 'staging/stage_end', { run_id: runId, stage: 'report', started_at: '2026-02-01T09:00:00Z', finished_at: finishedAt, outcome, row_counts: '{}', message: null });
  await execFile(wh.conn, 'staging/run_end', { run_id: runId, finished_at: finishedAt, outcome });
}

describe('sql/staging/upsert_release.sql', () => {
  it('keeps one row per table, the latest fetch replacing the one before', async () => {
    await execFile(wh.conn, 'staging/upsert_release', release('TAB6571', '2026-02-01T08:00:00Z'));
    await execFile(wh.conn, 'staging/upsert_release', { ...release('TAB6571', '2026-03-01T08:00:00Z'), released: '2026-02-20T07:00:00Z', latest_period: 2025 });
    await execFile(wh.conn, 'staging/upsert_release', release('TAB6685', '2026-02-01T08:00:00Z'));
    const stored = await query(wh.conn, 'SELECT table_id, released, latest_period FROM source_release ORDER BY table_id');
    expect(stored).toEqual([
      { table_id: 'TAB6571', released: '2026-02-20T07:00:00Z', latest_period: 2025 },
      { table_id: 'TAB6685', released: '2026-01-20T07:00:00Z', latest_period: 2024 },
    ]);
  });
});

describe('sql/staging/unreported_release.sql', () => {
  it('is true when a fetch came after the last published report of the year, false when the report came after', async () => {
    await execFile(wh.conn, 'staging/upsert_release', release('TAB6571', '2026-02-01T08:00:00Z'));
    // Nothing reported yet for 2025: unreported.
    expect(await queryFile(wh.conn, 'staging/unreported_release', { year: 2025 })).toEqual([{ unreported: true }]);
    await reportedRun('r1', '2026-02-01T10:00:00Z', 2025);
    expect(await queryFile(wh.conn, 'staging/unreported_release', { year: 2025 })).toEqual([{ unreported: false }]);
    // A report for another year, or a failed report, does not count.
    expect(await queryFile(wh.conn, 'staging/unreported_release', { year: 2026 })).toEqual([{ unreported: true }]);
    await execFile(wh.conn, 'staging/upsert_release', release('TAB6685', '2026-03-01T08:00:00Z'));
    await reportedRun('r2', '2026-03-01T10:00:00Z', 2025, 'failed');
    expect(await queryFile(wh.conn, 'staging/unreported_release', { year: 2025 })).toEqual([{ unreported: true }]);
  });
});

describe('sql/staging/record_build.sql + report/build_setting.sql + staging/warehouse_demo.sql', () => {
  it('the report reads the settings of the latest build; a demo warehouse is known by its releases or its build', async () => {
    expect(await queryFile(wh.conn, 'report/build_setting', {})).toEqual([]);
    expect(await queryFile(wh.conn, 'staging/warehouse_demo', {})).toEqual([{ demo: false, draws: null }]);
    await execFile(wh.conn, 'staging/record_build', { run_id: 'r1', built_at: '2026-02-01T09:30:00Z', disclosure_threshold: 60, bootstrap_draws: 200, demo: true });
    await execFile(wh.conn, 'staging/record_build', { run_id: 'r2', built_at: '2026-02-02T09:30:00Z', disclosure_threshold: 50, bootstrap_draws: 100, demo: false });
    const [b] = await queryFile(wh.conn, 'report/build_setting', {});
    expect(b).toMatchObject({ run_id: 'r2', disclosure_threshold: 50, bootstrap_draws: 100, demo: false });
    // No releases: the latest build decides.
    expect(await queryFile(wh.conn, 'staging/warehouse_demo', {})).toEqual([{ demo: false, draws: 100 }]);
    // The latest fetch was served by the emulator: a demo warehouse whatever the build said.
    await execFile(wh.conn, 'staging/upsert_release', release('TAB6571', '2026-02-03T08:00:00Z', 'demo'));
    expect(await queryFile(wh.conn, 'staging/warehouse_demo', {})).toEqual([{ demo: true, draws: 100 }]);
  });
});

describe('sql/staging/set_fetch_validators.sql', () => {
  it('stores ETag and Last-Modified on that fetch only, either may be missing', async () => {
    await execFile(wh.conn, 'staging/run_start', { run_id: 'r1', started_at: '2026-02-01T09:00:00Z', command: 'run', args: '[]', report_year: 2025, versions: '{}' });
    for (const id of ['r1-key-a', 'r1-key-b']) {
      await execFile(wh.conn, 'staging/insert_fetch', {
        fetch_id: id, run_id: 'r1', source: 'SCB', table_id: id, method: 'GET', request: null, url: `http://127.0.0.1/keys/${id}.csv`,
        http_status: 200, fetched_at: '2026-02-01T09:00:00Z', sha256: `sha-${id}`, bytes: 10,
      });
    }
    await execFile(wh.conn, 'staging/set_fetch_validators', { fetch_id: 'r1-key-a', etag: '"abc"', last_modified: 'Tue, 20 Jan 2026 07:00:00 GMT' });
    await execFile(wh.conn, 'staging/set_fetch_validators', { fetch_id: 'r1-key-b', etag: null, last_modified: 'Wed, 21 Jan 2026 07:00:00 GMT' });
    const [a] = await queryFile(wh.conn, 'staging/latest_fetches', { table_id: 'r1-key-a' });
    const [b] = await queryFile(wh.conn, 'staging/latest_fetches', { table_id: 'r1-key-b' });
    expect([a?.etag, a?.last_modified]).toEqual(['"abc"', 'Tue, 20 Jan 2026 07:00:00 GMT']);
    expect([b?.etag, b?.last_modified]).toEqual([null, 'Wed, 21 Jan 2026 07:00:00 GMT']);
  });
});

describe('sql/report/indicator_latest_years.sql', () => {
  it('gives per indicator and source the last year with a value; missing values do not count', async () => {
    const ins = 'INSERT INTO indicator_value VALUES ($i, $a, $v, $y, $val, NULL, NULL, $s, $t)';
    await exec(wh.conn, ins, { i: 'emp', a: '0180', v: 'kommun', y: 2023, val: 80, s: 'ok', t: 'N02280' });
    await exec(wh.conn, ins, { i: 'emp', a: '0180', v: 'kommun', y: 2024, val: null, s: 'suppressed', t: 'N02280' });
    await exec(wh.conn, ins, { i: 'emp', a: '0180R001', v: 'RegSO2025', y: 2024, val: 70, s: 'ok', t: 'TAB6685' });
    await exec(wh.conn, ins, { i: 'pop', a: '0180', v: 'kommun', y: 2025, val: 990000, s: 'ok', t: 'TAB6571' });
    expect(await queryFile(wh.conn, 'report/indicator_latest_years', {})).toEqual([
      { indicator_id: 'emp', source_table: 'N02280', latest_year: 2023 },
      { indicator_id: 'emp', source_table: 'TAB6685', latest_year: 2024 },
      { indicator_id: 'pop', source_table: 'TAB6571', latest_year: 2025 },
    ]);
  });
});

describe('sql/report/area_type_index_spread.sql', () => {
  it('gives min, median and max of the scope\'s RegSO index in the first and latest year, with the national cut', async () => {
    const ins = 'INSERT INTO area_type VALUES ($a, $v, $y, $idx, $t)';
    const rows: [string, string, number, number | null, number | null][] = [
      ['0180R001', 'RegSO2020', 2016, 0.1, 4], ['0180R002', 'RegSO2020', 2016, 0.3, 3], ['0180R003', 'RegSO2020', 2016, 0.6, 2],
      ['0180R001', 'RegSO2020', 2017, 0.2, 4], ['0180R002', 'RegSO2020', 2017, 0.4, 3], ['0180R003', 'RegSO2020', 2017, null, null],
      ['0180R001', 'RegSO2025', 2024, 0.2, 4], ['0180R002', 'RegSO2025', 2024, 0.5, 3], ['0180R003', 'RegSO2025', 2024, 0.9, 1],
      ['0181R001', 'RegSO2025', 2024, 5, 1],
    ];
    for (const [a, v, y, idx, t] of rows) await exec(wh.conn, ins, { a, v, y, idx, t });
    const cut = `INSERT INTO area_type_cut (year, area_version, n_areas, n_unclassified, mean, sd, sd_kind, n_type1, n_type2, n_type3, n_type4, n_type5, status)
                 VALUES ($y, $v, 3, 0, $m, $s, 'population', 0, 0, 0, 0, 0, 'ok')`;
    await exec(wh.conn, cut, { y: 2017, v: 'RegSO2020', m: 0.3, s: 0.1 });
    await exec(wh.conn, cut, { y: 2024, v: 'RegSO2025', m: 0.5, s: 0.2 });
    const out = await queryFile(wh.conn, 'report/area_type_index_spread', { scope_level: 'kommun', scope_code: '0180', first_year: 2017, year: 2025 });
    expect(out).toEqual([
      { year: 2017, n_regso: 3, n_indexed: 2, min_index: 0.2, median_index: 0.30000000000000004, max_index: 0.4, national_mean: 0.3, national_sd: 0.1 },
      { year: 2024, n_regso: 3, n_indexed: 3, min_index: 0.2, median_index: 0.5, max_index: 0.9, national_mean: 0.5, national_sd: 0.2 },
    ]);
    expect(await queryFile(wh.conn, 'report/area_type_index_spread', { scope_level: 'kommun', scope_code: '2584', first_year: 2017, year: 2025 })).toEqual([]);
  });
});
