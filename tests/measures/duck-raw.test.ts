/**
 * RawDuck.connect (pipelines/measures/duck-raw.ts): a second connection to the same in-memory database runs a query
 * while the first runs another, sees the database's tables but not the first connection's TEMP ones, and closing it
 * leaves the first (and the database) usable.
 */
import { describe, expect, it } from 'vitest';
import { RawDuck } from '../../pipelines/measures/duck-raw.ts';

describe('RawDuck.connect', () => {
  it('shares tables, not TEMP objects, runs beside the first connection and closes only itself', async () => {
    const db = await RawDuck.open({ threads: '2' });
    try {
      await db.run('CREATE TABLE shared AS SELECT range::DOUBLE AS x FROM range(200000)');
      await db.run('CREATE TEMP TABLE mine AS SELECT 1 AS y');
      const other = await db.connect();
      try {
        const [a, b] = await Promise.all([
          db.rows('SELECT sum(x)::DOUBLE AS s FROM shared'),
          other.rows('SELECT count(*)::DOUBLE AS n FROM (SELECT x FROM shared ORDER BY x DESC)'),
        ]);
        expect(a).toEqual([{ s: (199999 * 200000) / 2 }]);
        expect(b).toEqual([{ n: 200000 }]);
        await expect(other.rows('SELECT y FROM mine')).rejects.toThrow(/mine/);
      } finally {
        other.close();
      }
      expect(await db.rows('SELECT y::DOUBLE AS y FROM mine')).toEqual([{ y: 1 }]);
    } finally {
      db.close();
    }
  });
});
