import { describe, it, expect } from 'vitest';
import { withConnection, inTransaction, exec, query } from '../pipelines/db.ts';

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
});
