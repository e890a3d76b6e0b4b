import { describe, it, expect } from 'vitest';
import { withConnection, inTransaction, exec, execFile, query, queryFile, queryFileGroups, streamFile, type Row } from '../pipelines/db.ts';

describe('inTransaction', () => {
  it('commits, and rolls back on any thrown error — a parser error included', async () => {
    await withConnection(':memory:', async (conn) => {
      await exec(conn, 'CREATE TABLE t (x INTEGER)');
      await inTransaction(conn, () => exec(conn, 'INSERT INTO t VALUES (1)'));
      await expect(inTransaction(conn, async () => {
        await exec(conn, 'INSERT INTO t VALUES (2)');
        await exec(conn, 'INSERT INTO t VALUS (3)');
      })).rejects.toThrow(/syntax error/i);
      expect(await query(conn, 'SELECT x FROM t ORDER BY x')).toEqual([{ x: 1 }]);
    });
  });

  it('joins an open transaction instead of nesting: the outermost call decides', async () => {
    await withConnection(':memory:', async (conn) => {
      await exec(conn, 'CREATE TABLE t (x INTEGER)');
      await expect(inTransaction(conn, async () => {
        await inTransaction(conn, () => exec(conn, 'INSERT INTO t VALUES (1)'));
        throw new Error('outer fails after the inner one finished');
      })).rejects.toThrow('outer fails');
      expect(await query(conn, 'SELECT count(*)::INTEGER AS n FROM t')).toEqual([{ n: 0 }]);
      await inTransaction(conn, () => inTransaction(conn, () => exec(conn, 'INSERT INTO t VALUES (2)')));
      expect(await query(conn, 'SELECT x FROM t')).toEqual([{ x: 2 }]);
    });
  });
});

describe('query', () => {
  it('turns BIGINT into numbers and timestamps into ISO strings, and refuses unsafe integers', async () => {
    await withConnection(':memory:', async (conn) => {
      expect(await query(conn, "SELECT count(*) AS n, TIMESTAMP '2026-11-27 10:00:00' AS t")).toEqual([{ n: 1, t: '2026-11-27T10:00:00.000Z' }]);
      await expect(query(conn, 'SELECT 9007199254740993::BIGINT AS big')).rejects.toThrow(/too large for a JavaScript number/);
    });
  });

  it('gives every cell its own value where an answer repeats strings, short (shared within the answer) or long', async () => {
    await withConnection(':memory:', async (conn) => {
      const rows = await query(
        conn,
        `SELECT i, CASE WHEN i % 3 = 0 THEN 'ok' ELSE 'suppressed' END AS status, 'K' || (i % 5) AS code, repeat('å', 60 + i % 10) AS long, NULL AS missing
         FROM range(3000) t(i) ORDER BY i`,
      );
      expect(rows).toHaveLength(3000);
      rows.forEach((r, i) => {
        expect(r).toEqual({ i, status: i % 3 === 0 ? 'ok' : 'suppressed', code: `K${i % 5}`, long: 'å'.repeat(60 + (i % 10)), missing: null });
      });
    });
  });
});

describe('streamFile', () => {
  it('gives the rows of queryFile, in order and converted alike, a chunk at a time', async () => {
    await withConnection(':memory:', async (conn) => {
      await execFile(conn, 'staging/schema');
      await exec(conn, "INSERT INTO indicator VALUES ('x', 'arbete', 'X', 'X', 'procent', true, 'alla', 'SCB', 1, 'd', NULL)");
      // 300 areas × 17 years = 5,100 rows: three DuckDB chunks of at most 2,048.
      await exec(conn, "INSERT INTO area SELECT lpad(i::VARCHAR, 4, '0'), 'kommun', 'kommun', 'K' || i, lpad(i::VARCHAR, 4, '0'), '01', NULL FROM range(300) t(i)");
      await exec(
        conn,
        `INSERT INTO indicator_value SELECT 'x', lpad(i::VARCHAR, 4, '0'), 'kommun', 2009 + y, CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3 + y END,
           i * 10 + y, 1000, CASE WHEN i % 7 = 0 THEN 'suppressed' ELSE 'ok' END, 'SCB T' FROM range(300) a(i), range(17) b(y)`,
      );
      const params = { year: 2025 };
      const chunks: Row[][] = [];
      for await (const rows of streamFile(conn, 'report/export_indicator_values', params)) chunks.push(rows);
      expect(chunks.length).toBeGreaterThan(1);
      const all = await queryFile(conn, 'report/export_indicator_values', params);
      expect(all).toHaveLength(5100);
      expect(chunks.flat()).toEqual(all);
    });
  });

  it('names the SQL file when the statement fails', async () => {
    await withConnection(':memory:', async (conn) => {
      const read = async (): Promise<void> => {
        for await (const rows of streamFile(conn, 'report/export_indicator_values', { year: 2025 })) void rows;
      };
      await expect(read()).rejects.toThrow(/sql\/report\/export_indicator_values\.sql failed/);
    });
  });
});

describe('queryFileGroups', () => {
  it('gives the rows of queryFile grouped by the leading key columns, left out of the rows, in order, across chunks', async () => {
    await withConnection(':memory:', async (conn) => {
      await execFile(conn, 'staging/schema');
      await exec(conn, "INSERT INTO area SELECT lpad(i::VARCHAR, 4, '0'), 'kommun', 'kommun', 'K' || i, lpad(i::VARCHAR, 4, '0'), '01', NULL FROM range(300) t(i)");
      // Two indicators × 300 kommuner × 17 years = 10,200 rows: several DuckDB chunks, groups across their borders.
      await exec(
        conn,
        `INSERT INTO indicator_value SELECT ind, lpad(i::VARCHAR, 4, '0'), 'kommun', 2009 + y, CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3 + y END,
           i * 10 + y, 1000, CASE WHEN i % 7 = 0 THEN 'suppressed' ELSE 'ok' END, 'SCB T' FROM range(300) a(i), range(17) b(y), (VALUES ('x'), ('y')) c(ind)`,
      );
      const params = { year: 2025 };
      const expected = new Map<string, Row[]>();
      for (const { indicator_id: ind, area_code: code, ...row } of await queryFile(conn, 'report/indicator_series_all', params)) {
        const k = `${String(ind)}\u0000${String(code)}`;
        expected.set(k, [...(expected.get(k) ?? []), row]);
      }
      const groups = await queryFileGroups(conn, 'report/indicator_series_all', params, ['indicator_id', 'area_code']);
      expect(groups.size).toBe(600);
      expect([...groups.keys()]).toEqual([...expected.keys()]);
      expect([...groups.entries()]).toEqual([...expected.entries()]);
      await expect(queryFileGroups(conn, 'report/indicator_series_all', params, ['area_code'])).rejects.toThrow(/not the keys area_code/);
    });
  });
});
