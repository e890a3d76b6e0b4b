/**
 * TRIM_SQL (pipelines/measures/read-table.ts) must give what DuckDB's trim() gives for every string, skipping the
 * copy only where trim() would change nothing: checked over every string of up to four characters from an alphabet
 * of ASCII and Unicode spaces, white space trim() leaves (tab, newline), letters and a non-ASCII letter.
 */
import { describe, expect, it } from 'vitest';
import { TRIM_SQL } from '../../pipelines/measures/read-table.ts';
import { RawDuck } from '../../pipelines/measures/duck-raw.ts';

const ALPHABET = [' ', 'a', '7', '\t', '\n', '\u00a0', '\u2009', '\u3000', 'é', '\u0085'];

describe('TRIM_SQL', () => {
  it('equals trim() on every string of up to four characters', async () => {
    const db = await RawDuck.open({ threads: '1' });
    try {
      await db.run(`CREATE TEMP TABLE ch AS SELECT unnest([${ALPHABET.map((c) => `'${c}'`).join(', ')}]) AS c`);
      await db.run(
        "CREATE TEMP TABLE s AS SELECT '' AS s UNION ALL SELECT c FROM ch UNION ALL SELECT a.c || b.c FROM ch a, ch b " +
          'UNION ALL SELECT a.c || b.c || d.c FROM ch a, ch b, ch d UNION ALL SELECT a.c || b.c || d.c || e.c FROM ch a, ch b, ch d, ch e',
      );
      const [r] = await db.rows(
        `SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE ${TRIM_SQL('s')} IS DISTINCT FROM trim(s))::DOUBLE AS differ, ` +
          `count(*) FILTER (WHERE trim(s) <> s)::DOUBLE AS trimmed FROM s`,
      );
      expect(r).toEqual({ n: 1 + 10 + 100 + 1000 + 10000, differ: 0, trimmed: expect.any(Number) });
      // Strings trim() changes are among them (the check is not vacuous).
      expect(Number(r?.trimmed)).toBeGreaterThan(1000);
    } finally {
      db.close();
    }
  });
});
