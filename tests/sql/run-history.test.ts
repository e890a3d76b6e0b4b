import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { execFile, queryFile } from '../../pipelines/db.ts';
import { historyOf } from '../../pipelines/status-history.ts';
import { memoryWarehouse } from './helpers.ts';

let wh: { conn: DuckDBConnection; close(): void };
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

const start = (run_id: string, started_at: string, command = 'run', args = '["--demo"]') =>
  execFile(wh.conn, 'staging/run_start', { run_id, started_at, command, args, report_year: 2025, versions: '{}' });
const stage = (run_id: string, stage: string, started_at: string, finished_at: string, outcome = 'ok', row_counts: string | null = '{}', message: string | null = null) =>
  execFile(wh.conn, 'staging/stage_end', { run_id, stage, started_at, finished_at, outcome, row_counts, message });
const fetch = (fetch_id: string, run_id: string, source: string) =>
  execFile(wh.conn, 'staging/insert_fetch', {
    fetch_id, run_id, source, table_id: 'T', method: 'GET', request: null, url: 'http://127.0.0.1/x', http_status: 200,
    fetched_at: '2026-11-27T10:00:01Z', sha256: 'x', bytes: 1,
  });

async function threeRuns(): Promise<void> {
  // r1: a whole run, published; r2: ingest failed; r3: still running (or killed), no stage recorded.
  await start('r1', '2026-11-27T10:00:00Z');
  await stage('r1', 'areas', '2026-11-27T10:00:00Z', '2026-11-27T10:00:01.5Z');
  await stage('r1', 'ingest', '2026-11-27T10:00:01.5Z', '2026-11-27T10:00:04Z');
  await stage('r1', 'report', '2026-11-27T10:00:05Z', '2026-11-27T10:00:07Z', 'ok', '{"files":[{"name":"a.pdf","kind":"report"},{"name":"b.csv","kind":"export"}],"reports":1}');
  await execFile(wh.conn, 'staging/run_end', { run_id: 'r1', finished_at: '2026-11-27T10:00:07.250Z', outcome: 'ok' });
  await fetch('f1', 'r1', 'SCB');
  await fetch('f2', 'r1', 'SCB');
  await fetch('f3', 'r1', 'Kolada');
  await start('r2', '2026-11-28T10:00:00Z', 'ingest', '[]');
  await stage('r2', 'ingest', '2026-11-28T10:00:00Z', '2026-11-28T10:00:02Z', 'failed', 'null', 'http://x: 503');
  await execFile(wh.conn, 'staging/run_end', { run_id: 'r2', finished_at: '2026-11-28T10:00:02Z', outcome: 'failed' });
  await fetch('f4', 'r2', 'Kolada');
  await start('r3', '2026-11-29T10:00:00Z', 'report', '["--reports","kommun"]');
}

describe('sql/report/run_history.sql + run_history_fetches.sql', () => {
  it('lists the latest runs newest first, stages in order with durations, and the files a published report stage wrote', async () => {
    await threeRuns();
    const rows = await queryFile(wh.conn, 'report/run_history', { limit: 20 });
    expect(rows.map((r) => [r.run_id, r.stage, r.stage_outcome, r.stage_seconds, r.files])).toEqual([
      ['r3', null, null, null, null],
      ['r2', 'ingest', 'failed', 2, null],
      ['r1', 'areas', 'ok', 1.5, null],
      ['r1', 'ingest', 'ok', 2.5, null],
      ['r1', 'report', 'ok', 2, '["a.pdf","b.csv"]'],
    ]);
    expect(rows.at(-1)).toMatchObject({ command: 'run', args: '["--demo"]', report_year: 2025, outcome: 'ok', seconds: 7.25, started_at: '2026-11-27T10:00:00.000Z', finished_at: '2026-11-27T10:00:07.250Z' });
    expect(rows[0]).toMatchObject({ outcome: 'running', finished_at: null, seconds: null });
    expect((await queryFile(wh.conn, 'report/run_history', { limit: 2 })).map((r) => r.run_id)).toEqual(['r3', 'r2']);
    expect(await queryFile(wh.conn, 'report/run_history_fetches', { limit: 20 })).toEqual([
      { run_id: 'r1', source: 'Kolada', fetches: 1 },
      { run_id: 'r1', source: 'SCB', fetches: 2 },
      { run_id: 'r2', source: 'Kolada', fetches: 1 },
    ]);
    expect(await queryFile(wh.conn, 'report/run_history_fetches', { limit: 1 })).toEqual([]);
  });

  it('gathers them per run (historyOf)', async () => {
    await threeRuns();
    const h = await historyOf(wh.conn, 20);
    expect(h.map((r) => r.run_id)).toEqual(['r3', 'r2', 'r1']);
    expect(h[0]).toMatchObject({ command: 'report', arguments: ['--reports', 'kommun'], outcome: 'running', stages: [], fetches: {}, reports: [] });
    expect(h[1]).toMatchObject({ outcome: 'failed', stages: [{ stage: 'ingest', outcome: 'failed', seconds: 2, message: 'http://x: 503' }], fetches: { Kolada: 1 }, reports: [] });
    expect(h[2]).toMatchObject({ arguments: ['--demo'], seconds: 7.25, fetches: { Kolada: 1, SCB: 2 }, reports: ['a.pdf', 'b.csv'] });
    expect(h[2]?.stages.map((s) => s.stage)).toEqual(['areas', 'ingest', 'report']);
  });
});

describe('sql/report/run_tables.sql', () => {
  it('counts the run tables present: 3 in a warehouse with the schema, 0 in an empty database', async () => {
    expect(await queryFile(wh.conn, 'report/run_tables')).toEqual([{ tables: 3 }]);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      expect(await queryFile(conn, 'report/run_tables')).toEqual([{ tables: 0 }]);
      expect(await historyOf(conn, 20)).toEqual([]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
