import { describe, expect, it } from 'vitest';
import { derivedOnce, groupBy } from '../pipelines/collections.ts';

describe('groupBy', () => {
  it('keeps the groups and their items in the order met, and leaves out items without a key', () => {
    const rows = [
      { code: '0180', v: 1 },
      { code: '0114', v: 2 },
      { code: undefined, v: 3 },
      { code: '0180', v: 4 },
    ];
    const g = groupBy(rows, (r) => r.code);
    expect([...g.keys()]).toEqual(['0180', '0114']);
    expect(g.get('0180')?.map((r) => r.v)).toEqual([1, 4]);
    expect(g.get('0114')?.map((r) => r.v)).toEqual([2]);
  });

  it('takes keys of any type (numbers stay numbers)', () => {
    const g = groupBy([5, 12, 15, 22], (n) => Math.floor(n / 10));
    expect([...g.entries()]).toEqual([
      [0, [5]],
      [1, [12, 15]],
      [2, [22]],
    ]);
  });
});

describe('derivedOnce', () => {
  it('makes the value once per source and again for another source', () => {
    const memo = new WeakMap<readonly number[], number>();
    let made = 0;
    const sum = (xs: readonly number[]): number =>
      derivedOnce(memo, xs, () => {
        made++;
        return xs.reduce((a, b) => a + b, 0);
      });
    const a = [1, 2, 3];
    expect(sum(a)).toBe(6);
    expect(sum(a)).toBe(6);
    expect(made).toBe(1);
    expect(sum([4, 5])).toBe(9);
    expect(made).toBe(2);
  });
});
