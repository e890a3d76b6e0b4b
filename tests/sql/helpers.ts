import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { execFile, exec } from '../../pipelines/db.ts';

/** An in-memory warehouse with the real schema; the caller closes it. */
export async function memoryWarehouse(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await execFile(conn, 'staging/schema');
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

type Cell = string | number | null;

/** Inserts observation rows: [table, measure, area, version, year, breakdown, value, status]. */
export async function insertObservations(conn: DuckDBConnection, rows: [string, string, string, string, number, string, number | null, string | null][], source = 'SCB'): Promise<void> {
  for (const [t, m, a, v, y, b, val, st] of rows) {
    await exec(conn, 'INSERT INTO observation VALUES ($f, $s, $t, $m, $a, $v, $y, $b, $val, $st, NULL)', { f: 'f1', s: source, t, m, a, v, y, b, val, st });
  }
}

export function rowsOf<T extends Record<string, Cell>>(rows: T[]): T[] {
  return rows;
}
