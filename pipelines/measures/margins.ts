import type { IndexStatus } from './index-ids.ts';

/**
 * Margins of a units × groups count table and the §2.2 status that follows from them. Every index in this folder
 * starts here, so all of them agree on which units and groups take part and on when a value is undefined.
 */
export interface Margins {
  /** t_i per unit (row sum), zero for empty units. */
  readonly unitTotals: Float64Array;
  /** N_k per group (column sum). */
  readonly groupTotals: Float64Array;
  /** T. */
  readonly total: number;
  /** Units with t_i > 0 (§2.2 step 1 drops the others). */
  readonly nUnits: number;
  /** Groups with N_k > 0 (K_eff, §2.2 step 2). */
  readonly nGroupsEffective: number;
  readonly status: IndexStatus;
}

/**
 * `counts` is row-major: counts[i * nGroups + k] is n_ik. Counts must be finite and non-negative; anything else is
 * a caller bug (the command validates input first), so it throws rather than returning a status.
 */
export function margins(counts: ArrayLike<number>, nGroups: number): Margins {
  if (!Number.isInteger(nGroups) || nGroups < 1) throw new RangeError(`nGroups must be a positive integer, got ${nGroups}`);
  if (counts.length % nGroups !== 0) {
    throw new RangeError(`counts has ${counts.length} values, not a multiple of nGroups = ${nGroups}`);
  }
  const n = counts.length / nGroups;
  const unitTotals = new Float64Array(n);
  const groupTotals = new Float64Array(nGroups);
  let nUnits = 0;
  for (let i = 0, c = 0; i < n; i++) {
    let t = 0;
    for (let k = 0; k < nGroups; k++, c++) {
      const v = counts[c] as number;
      // `!(v >= 0)` also catches NaN.
      if (!(v >= 0) || v === Infinity) throw new RangeError(`count at unit ${i}, group ${k} is ${v}; counts must be finite and >= 0`);
      t += v;
      groupTotals[k] = (groupTotals[k] as number) + v;
    }
    unitTotals[i] = t;
    if (t > 0) nUnits++;
  }
  let total = 0;
  let nGroupsEffective = 0;
  for (let k = 0; k < nGroups; k++) {
    const g = groupTotals[k] as number;
    total += g;
    if (g > 0) nGroupsEffective++;
  }
  return { unitTotals, groupTotals, total, nUnits, nGroupsEffective, status: statusOf(total, nUnits, nGroupsEffective) };
}

/**
 * §2.2 precedence: an empty set first, then a missing contrast between groups (step 3), then a missing partition
 * (step 4). The group check comes first because it is the more basic failure: with one group there is nothing to
 * segregate however many units there are (rseg checks in the same order).
 */
export function statusOf(total: number, nUnits: number, nGroupsEffective: number): IndexStatus {
  if (!(total > 0)) return 'no_population';
  if (nGroupsEffective < 2) return 'single_group';
  if (nUnits < 2) return 'single_unit';
  return 'ok';
}
