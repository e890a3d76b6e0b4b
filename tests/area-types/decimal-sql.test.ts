/**
 * DECIMAL_SQL (pipelines/area-types-command.ts): the cells DuckDB turns into numbers without asking JavaScript must be
 * among those the command's rule takes as numbers (a decimal after trimming, finite, at most 1e150 in magnitude), with
 * the same value, and every unpadded one of them. Checked over every string of up to four characters from an alphabet of what a number cell can
 * hold and what DuckDB's cast reads more generously (underscores, "+-", inf, nan, white space of every kind).
 */
import { describe, expect, it } from 'vitest';
import { DECIMAL_SQL } from '../../pipelines/area-types-command.ts';
import { RawDuck } from '../../pipelines/measures/duck-raw.ts';

/** The rule as the help text states it, written out independently of the command's code. */
function asTheRuleReads(cell: string): number | null {
  const s = cell.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) && Math.abs(v) <= 1e150 ? v : null;
}

const ALPHABET = ['0', '7', '.', 'e', 'E', '+', '-', '_', ' ', '\t', '\n', '\u00a0', '\u3000', 'n', 'a', 'i', 'f', 'x', ','];
const EXTRA = ['inf', '-inf', '+inf', 'Infinity', 'nan', '-nan', 'NaN', '1e999', '1e151', '1e150', '-1e150', '1e-400', '1_000', '  +-5  ', '0x10', '1.5e+3', '.5', '5.', '-0', '+.5e-1', '00012', '1e', 'e1', '١'];

describe('DECIMAL_SQL', () => {
  it('reads a cell as a number exactly when the rule does, and to the same double', async () => {
    const db = await RawDuck.open({ threads: '1' });
    try {
      const chars = ALPHABET.map((c) => `'${c}'`).join(', ');
      await db.run(`CREATE TEMP TABLE ch AS SELECT unnest([${chars}]) AS c`);
      await db.run(
        'CREATE TEMP TABLE s AS SELECT c AS s FROM ch UNION ALL SELECT a.c || b.c FROM ch a, ch b ' +
          'UNION ALL SELECT a.c || b.c || d.c FROM ch a, ch b, ch d UNION ALL SELECT a.c || b.c || d.c || e.c FROM ch a, ch b, ch d, ch e ' +
          `UNION ALL SELECT unnest([${EXTRA.map((x) => `'${x}'`).join(', ')}])`,
      );
      const r = await db.read(`SELECT s, CASE WHEN abs(d) <= 1e150 THEN d END AS d FROM (SELECT s, ${DECIMAL_SQL('s')} AS d FROM s)`);
      const cells = r.columns[0] as (string | null)[];
      const values = r.columns[1] as Float64Array;
      expect(r.rowCount).toBe(19 + 19 ** 2 + 19 ** 3 + 19 ** 4 + EXTRA.length);
      // A number read in SQL must be the rule's number; a cell SQL leaves goes to JavaScript (numericCell), which
      // applies the rule itself, so only the unpadded decimals must all be read in SQL (the speed of the common case).
      const wrong: string[] = [];
      const leftToJs: string[] = [];
      let numbers = 0;
      for (let i = 0; i < r.rowCount; i++) {
        const cell = cells[i] as string;
        const sql = Number.isNaN(values[i]) ? null : (values[i] as number);
        const rule = asTheRuleReads(cell);
        if (rule !== null) numbers++;
        // -0 and 0 are one number here: the command adds 0.0 to what SQL read.
        if (sql !== null && (rule === null || sql + 0 !== rule + 0)) wrong.push(`${JSON.stringify(cell)}: SQL ${sql}, rule ${String(rule)}`);
        if (sql === null && rule !== null && cell === cell.trim()) leftToJs.push(JSON.stringify(cell));
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(leftToJs.slice(0, 10)).toEqual([]);
      // The alphabet's numbers ("7", " 0.7", "-7e0", …) are there to be read: the check is not vacuous.
      expect(numbers).toBeGreaterThan(2000);
    } finally {
      db.close();
    }
  });
});
