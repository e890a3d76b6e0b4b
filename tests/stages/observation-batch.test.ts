import { describe, it, expect } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { execFile, query } from '../../pipelines/db.ts';
import { observationChunks, type ObservationBatch } from '../../pipelines/stages/observation-batch.ts';

/** A batch of `rows` rows whose every column varies, with texts on both sides of string_t's 12 inline bytes. */
function batch(rows: number, fetchId: string): ObservationBatch {
  const b: ObservationBatch = {
    fetchId,
    source: 'SCB',
    tableId: 'TAB6571',
    rows,
    measure: new Int32Array(rows),
    measures: ['000005FF', 'en mätning med ett långt namn'],
    area: new Int32Array(rows),
    areaCodes: ['0180', '0180C1030', '0114A0010_x', 'åäö', ''],
    areaVersions: ['kommun2003', 'RegSO2020', 'DeSO2018', 'unclassified', 'riket'],
    year: new Int32Array(rows),
    breakdown: new Int32Array(rows),
    breakdowns: ['Kon=1', 'Alder=20-64;Kon=2;Utbildningsniva=3', ''],
    value: new Float64Array(rows),
    status: new Int32Array(rows),
    statuses: ['..', 'a status that is long'],
  };
  for (let i = 0; i < rows; i++) {
    b.measure[i] = i % 2;
    b.area[i] = (i * 7) % 5;
    b.year[i] = 2016 + (i % 10);
    b.breakdown[i] = (i * 5) % 3;
    b.value[i] = i % 11 === 0 ? Number.NaN : i % 13 === 0 ? -0 : i % 23 === 0 ? -0.125 : i * 1.5 + 1e-9;
    b.status[i] = i % 17 === 0 ? 1 : i % 19 === 0 ? 2 : 0;
  }
  return b;
}

/** The rows a batch stands for, as the row appender wrote them one by one before. */
function expected(b: ObservationBatch): unknown[][] {
  return Array.from({ length: b.rows }, (_, i) => {
    const v = b.value[i] ?? Number.NaN;
    const s = b.status[i] ?? 0;
    return [b.fetchId, b.source, b.tableId, b.measures[b.measure[i] ?? 0], b.areaCodes[b.area[i] ?? 0], b.areaVersions[b.area[i] ?? 0], b.year[i], b.breakdowns[b.breakdown[i] ?? 0], Number.isNaN(v) ? null : v, s === 0 ? null : b.statuses[s - 1], null];
  });
}

describe('observationChunks', () => {
  it('writes every row of batches spanning several chunks with the texts, years, values, NULLs and order they stand for', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      await execFile(conn, 'staging/schema');
      const chunks = observationChunks();
      const app = await conn.createAppender('observation');
      // 5,000 rows: two full chunks and a part; then a batch of one row and an empty one.
      const batches = [batch(5000, '20261205T065218Z-0603b1-00001'), batch(1, 'f2'), batch(0, 'f3')];
      for (const b of batches) {
        chunks.append(app, b);
        app.flushSync();
      }
      app.closeSync();
      const rows = await query(conn, 'SELECT * FROM observation');
      const got = rows.map((r) => [r.fetch_id, r.source, r.table_id, r.measure, r.area_code, r.area_version, r.year, r.breakdown, r.value, r.status, r.derived_from]);
      expect(got).toEqual(batches.flatMap(expected));
      // NaN (the batch's NULL) never reaches the table; -0 stays -0 (toEqual above tells them apart).
      const [z] = await query(conn, 'SELECT count(*) FILTER (WHERE isnan(value))::INTEGER AS nan, count(*) FILTER (WHERE value IS NULL)::INTEGER AS nulls FROM observation');
      expect(z).toEqual({ nan: 0, nulls: batches.flatMap(expected).filter((r) => r[8] === null).length });
      // Strings compare as texts: the inlined ones are zero-padded like DuckDB's own.
      const [eq] = await query(conn, "SELECT count(*)::INTEGER AS n FROM observation WHERE area_code = '0180' AND measure = '000005FF' AND status = '..'");
      expect(eq?.n).toBe(batches.flatMap(expected).filter((r) => r[4] === '0180' && r[3] === '000005FF' && r[9] === '..').length);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
