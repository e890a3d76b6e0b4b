import { scratchU32 } from './scratch.ts';

/**
 * Half of Σ_i Σ_j |x_i t_j − x_j t_i| over the first m units, in O(m log m) (METHODS.md §3.2).
 *
 * |x_i t_j − x_j t_i| = t_i t_j |p_i − p_j|, so this is the numerator of both Gini indices. Sorting by p = x/t
 * makes every pair's sign known, and Σ_{j before i} (x_i t_j − x_j t_i) = x_i·Tcum − t_i·Xcum. The comparator
 * cross-multiplies instead of dividing so integer counts sort exactly; each term is then an exact non-negative
 * integer (for partial sums below 2^53), and ties contribute exactly 0.
 *
 * Every t must be > 0: a zero t compares equal to everything and would break the ordering.
 */
export function sortedPairSum(xs: Float64Array, ts: Float64Array, m: number): number {
  const order = scratchU32(0, m);
  for (let i = 0; i < m; i++) order[i] = i;
  if (m <= 48) {
    // Insertion sort: for the few dozen units of a kommun faster than TypedArray#sort with a comparator, whose
    // calls back into JavaScript dominate at this size (a panel's thousands of sets sort in a fraction of the time).
    for (let j = 1; j < m; j++) {
      const o = order[j] as number;
      const xo = xs[o] as number;
      const to = ts[o] as number;
      let i = j - 1;
      while (i >= 0 && (xs[order[i] as number] as number) * to > xo * (ts[order[i] as number] as number)) {
        order[i + 1] = order[i] as number;
        i--;
      }
      order[i + 1] = o;
    }
  } else {
    order.subarray(0, m).sort((a, b) => (xs[a] as number) * (ts[b] as number) - (xs[b] as number) * (ts[a] as number));
  }
  let s = 0;
  let tCum = 0;
  let xCum = 0;
  for (let j = 0; j < m; j++) {
    const i = order[j] as number;
    const xi = xs[i] as number;
    const ti = ts[i] as number;
    s += xi * tCum - ti * xCum;
    tCum += ti;
    xCum += xi;
  }
  return s;
}
