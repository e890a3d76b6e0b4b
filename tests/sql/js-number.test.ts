/**
 * sql/area_types/js_number.sql: the area-types command writes its index column with DuckDB's COPY, and must print
 * each double exactly as JavaScript's String() did before (tests/area-types/command.test.ts checks whole outputs).
 */
import { describe, expect, it } from 'vitest';
import { sqlFile } from '../../pipelines/db.ts';
import { RawDuck } from '../../pipelines/measures/duck-raw.ts';
import { Random } from '../../pipelines/measures/random.ts';

describe('js_number(x)', () => {
  it("writes every double as String(x) does: plain digits for 1e-7 < |x| < 1e21, else d.ddde±N; NULL stays NULL", async () => {
    const edges = [0, 5, -2.5, 0.1, 0.0001, -0.0001, 0.00011, 9.9999e-5, 999999999999999.9, -999999999999999.9, 1e15 + 0.5, 123456789012.345, 1 / 3, 100, 1e15, 1e16, 2 ** 53, 1e20, 9.999999999999999e20, 1e21, 1.5e21, 1e-6, 1.5e-7, 1e-7, 9.99e-8, -1e-7, 1e-300, 1.5e300];
    const rng = new Random('js_number');
    const values = [...edges];
    for (let i = 0; i < 2000; i++) {
      values.push((rng.uniform() - 0.5) * 10 ** Math.floor(rng.uniform() * 60 - 30));
      values.push(Math.round(rng.uniform() * 10 ** (i % 22)));
    }
    const db = await RawDuck.open();
    try {
      await db.run(sqlFile('area_types/js_number'));
      const list = values.map((v) => v.toExponential(17)).join(', ');
      const rows = await db.rows(`SELECT x, js_number(x) AS s FROM (SELECT unnest([${list}]::DOUBLE[]) AS x) UNION ALL SELECT NULL, js_number(NULL::DOUBLE)`);
      expect(rows).toHaveLength(values.length + 1);
      const wrong = rows.filter((r) => r.x !== null && r.s !== String(r.x)).map((r) => `${String(r.x)} written as ${String(r.s)}`);
      expect(wrong).toEqual([]);
      expect(rows.at(-1)?.s).toBeNull();
      expect(rows.find((r) => r.x === 1e-7)?.s).toBe('1e-7');
      expect(rows.find((r) => r.x === 1e16)?.s).toBe('10000000000000000');
    } finally {
      db.close();
    }
  });
});
