/**
 * METHODS.md §2.2 edge-case policy: units with no population are dropped, absent groups are dropped (K_eff),
 * and undefined indices are null with a reason instead of pysal's 0/NaN or rseg's 0.5.
 */
import { describe, expect, it } from 'vitest';
import { decomposeMH } from '../../pipelines/measures/decomposition.ts';
import { expectedAndBootstrap } from '../../pipelines/measures/inference.ts';
import { multigroupIndices } from '../../pipelines/measures/multigroup.ts';
import { twoGroupIndices } from '../../pipelines/measures/two-group.ts';
import { column, countTable, groupColumns, loadData, loadExpected } from './reference-data.ts';

function twoGroup(dataset: string) {
  const d = loadData(dataset);
  return twoGroupIndices(column(d, 'g1').map(Number), column(d, 'g2').map(Number));
}

function allNull(values: Record<string, number | null>): boolean {
  return Object.values(values).every((v) => v === null);
}

describe('single unit (hm_two_single_area)', () => {
  it('every two-group and multigroup index is null with status single_unit', () => {
    const r = twoGroup('hm_two_single_area');
    expect(r.status).toBe('single_unit');
    expect(r.nUnits).toBe(1);
    expect(r.total).toBe(100);
    expect(allNull(r.values)).toBe(true);
    const m = multigroupIndices(countTable(loadData('hm_two_single_area'), ['g1', 'g2']), 2);
    expect(m.status).toBe('single_unit');
    expect(allNull(m.values)).toBe(true);
  });

  it('differs from pysal, which reports 0 ("perfectly integrated")', () => {
    const pysalD = loadExpected('hm_two_single_area').records.find((r) => r.index === 'D' && r.library === 'pysal');
    expect(pysalD?.value).toBe(0);
    expect(twoGroup('hm_two_single_area').values.D).toBeNull();
  });

  it('a region with one populated unit among empty ones is still single_unit', () => {
    expect(twoGroupIndices([0, 30, 0], [0, 70, 0]).status).toBe('single_unit');
  });
});

describe('focal group absent (hm_two_group_absent)', () => {
  it('every index is null with status single_group, including H (pysal 0) and D (rseg 0.5)', () => {
    const r = twoGroup('hm_two_group_absent');
    expect(r.status).toBe('single_group');
    expect(r.nUnits).toBe(3);
    expect(r.total).toBe(200);
    expect(allNull(r.values)).toBe(true);
    const recs = loadExpected('hm_two_group_absent').records;
    expect(recs.find((x) => x.index === 'D' && x.library === 'rseg')?.value).toBe(0.5);
    expect(recs.find((x) => x.index === 'H_two_group' && x.library === 'pysal')?.value).toBe(0);
  });

  it('the other group being everybody is the same case', () => {
    expect(twoGroupIndices([0, 0, 0], [40, 60, 100]).status).toBe('single_group');
    expect(twoGroupIndices([40, 60, 100], [0, 0, 0]).status).toBe('single_group');
  });

  it('single_group wins over single_unit when both apply', () => {
    expect(twoGroupIndices([0], [10]).status).toBe('single_group');
  });
});

describe('no population', () => {
  it('all-zero counts give no_population and nulls', () => {
    const r = twoGroupIndices([0, 0], [0, 0]);
    expect(r.status).toBe('no_population');
    expect(r.nUnits).toBe(0);
    expect(r.total).toBe(0);
    expect(allNull(r.values)).toBe(true);
    expect(multigroupIndices(new Float64Array(6), 3).status).toBe('no_population');
    expect(decomposeMH(new Float64Array(6), 3, [0, 1]).status).toBe('no_population');
    expect(expectedAndBootstrap(new Float64Array(4), 2, { draws: 5, seed: 1 }).D).toBeNull();
  });

  it('an empty unit set is no_population', () => {
    expect(twoGroupIndices([], []).status).toBe('no_population');
    expect(multigroupIndices(new Float64Array(0), 3).status).toBe('no_population');
  });
});

describe('units with zero population', () => {
  it('are dropped: hm_two_zero_area equals the same table without its empty area', () => {
    const d = loadData('hm_two_zero_area');
    const x = column(d, 'g1').map(Number);
    const y = column(d, 'g2').map(Number);
    const keep = x.map((_, i) => i).filter((i) => (x[i] as number) + (y[i] as number) > 0);
    const withZero = twoGroupIndices(x, y);
    const without = twoGroupIndices(keep.map((i) => x[i] as number), keep.map((i) => y[i] as number));
    expect(withZero.status).toBe('ok');
    expect(withZero.nUnits).toBe(5);
    expect(withZero.values).toEqual(without.values);
  });

  it('are dropped from multigroup sets too (hm_multi_basic has one)', () => {
    const d = loadData('hm_multi_basic');
    const m = multigroupIndices(countTable(d, groupColumns(d)), 3);
    expect(m.nUnits).toBe(4);
    expect(d.rows.length).toBe(5);
  });
});

describe('absent groups in a multigroup table (hm_multi_group_absent)', () => {
  const d = loadData('hm_multi_group_absent');
  const all = multigroupIndices(countTable(d, ['grpA', 'grpB', 'grpC', 'grpD']), 4);
  const dropped = multigroupIndices(countTable(d, ['grpA', 'grpB', 'grpC']), 3);

  it('are dropped: K_eff = 3 and every index equals the table without the column', () => {
    expect(all.status).toBe('ok');
    expect(all.nGroupsEffective).toBe(3);
    for (const [id, v] of Object.entries(dropped.values)) {
      expect(all.values[id as keyof typeof all.values], id).toBeCloseTo(v as number, 15);
    }
  });

  it('the squared coefficient of variation uses K_eff − 1 (OasisR 0.18125), not pysal NaN', () => {
    expect(all.values.multi_squared_coef_variation).toBeCloseTo(0.18125, 15);
  });

  it('the absent group against the rest is single_group', () => {
    const counts = countTable(d, ['grpA', 'grpB', 'grpC', 'grpD']);
    const n = counts.length / 4;
    const x = Array.from({ length: n }, (_, i) => counts[i * 4 + 3] as number);
    const y = Array.from({ length: n }, (_, i) => (counts[i * 4] as number) + (counts[i * 4 + 1] as number) + (counts[i * 4 + 2] as number));
    const r = twoGroupIndices(x, y);
    expect(r.status).toBe('single_group');
    expect(r.values.D).toBeNull();
  });
});

describe('extreme but defined sets', () => {
  it('complete segregation gives D = Gini = H = V = 1 (hm_two_complete)', () => {
    const r = twoGroup('hm_two_complete');
    expect(r.status).toBe('ok');
    for (const id of ['D', 'Gini', 'H_two_group', 'correlation_ratio_V', 'atkinson_b0.5'] as const) expect(r.values[id], id).toBeCloseTo(1, 15);
    expect(r.values.isolation_xPx).toBeCloseTo(1, 15);
    expect(r.values.interaction_xPy).toBeCloseTo(0, 15);
  });

  it('evenness gives every evenness index 0 and isolation = P (hm_two_even)', () => {
    const r = twoGroup('hm_two_even');
    for (const id of ['D', 'Gini', 'H_two_group', 'correlation_ratio_V', 'atkinson_b0.5'] as const) expect(Math.abs(r.values[id] as number), id).toBeLessThan(1e-15);
    expect(r.values.isolation_xPx).toBeCloseTo(r.focalTotal / r.total, 15);
  });

  it('two units: multigroup Gini equals multigroup D', () => {
    const m = multigroupIndices(countTable(loadData('hm_multi_elbersb'), ['grp1', 'grp2', 'grp3', 'grp4']), 4);
    expect(m.values.multi_Gini).toBeCloseTo(m.values.multi_D as number, 15);
  });
});

describe('decomposition edge cases', () => {
  it('a region with a single unit contributes M_r = 0 and reports single_unit', () => {
    // Region 1 has one unit: all of its segregation is between regions.
    const counts = Float64Array.from([10, 20, 30, 5, 7, 9]);
    const d = decomposeMH(counts, 2, [0, 0, 1]);
    expect(d.status).toBe('ok');
    expect(d.regions[1]?.status).toBe('single_unit');
    expect(d.regions[1]?.M).toBeNull();
    const m0 = d.regions[0]?.M as number;
    expect(d.values.M_within).toBeCloseTo((d.regions[0]?.p as number) * m0, 15);
    expect((d.values.M_between as number) + (d.values.M_within as number)).toBeCloseTo(d.values.M_total as number, 15);
  });

  it('a region where only one group lives has E_r = 0 and H_r null', () => {
    const d = decomposeMH(Float64Array.from([10, 0, 5, 0, 3, 4, 6, 2]), 2, [0, 0, 1, 1]);
    expect(d.regions[0]?.status).toBe('single_group');
    expect(d.regions[0]?.H).toBeNull();
    expect(d.regions[0]?.entropyRatio).toBe(0);
  });

  it('the whole set with one group is single_group', () => {
    const d = decomposeMH(Float64Array.from([10, 0, 5, 0]), 2, [0, 1]);
    expect(d.status).toBe('single_group');
    expect(Object.values(d.values).every((v) => v === null)).toBe(true);
  });
});

describe('input guards', () => {
  it('negative, NaN and infinite counts are programming errors and throw', () => {
    expect(() => twoGroupIndices([1, -1], [1, 1])).toThrow(RangeError);
    expect(() => twoGroupIndices([1, Number.NaN], [1, 1])).toThrow(RangeError);
    expect(() => multigroupIndices([1, 2, Infinity, 3], 2)).toThrow(RangeError);
    expect(() => multigroupIndices([1, 2, 3], 2)).toThrow(RangeError);
    expect(() => twoGroupIndices([1], [1, 2])).toThrow(RangeError);
    expect(() => twoGroupIndices([1, 2], [1, 2], { atkinson: [1] })).toThrow(RangeError);
  });

  it('real-valued weights work for the deterministic indices but not for resampling', () => {
    const r = twoGroupIndices([1.5, 2.25, 0.5], [3, 1, 2.5]);
    expect(r.status).toBe('ok');
    expect(r.values.D).toBeGreaterThan(0);
    expect(() => expectedAndBootstrap([1.5, 3, 2.25, 1], 2, { draws: 10, seed: 1 })).toThrow(/integer/);
  });
});
