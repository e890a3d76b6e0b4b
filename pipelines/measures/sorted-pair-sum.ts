import { scratchF64, scratchU32 } from './scratch.ts';

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
  const order = sortByRatio(xs, ts, m);
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

/** Runs of this length are insertion-sorted before merging. */
const RUN = 16;

/**
 * The first m unit indices ordered by x/t: insertion sort on short runs, then bottom-up merges, moving each unit's
 * ratio with its index. A ratio's double is its primary key, exactly: division rounds monotonically, so x_a/t_a <
 * x_b/t_b whenever their doubles differ that way; equal doubles are compared by cross-multiplication, exact for
 * integer counts. Plain loops rather than TypedArray#sort with a comparator, whose call back into JavaScript per
 * comparison cost seconds on 5 million units.
 */
function sortByRatio(xs: Float64Array, ts: Float64Array, m: number): Uint32Array {
  let a = scratchU32(0, m);
  let b = scratchU32(2, m);
  let ka = scratchF64(7, m);
  let kb = scratchF64(8, m);
  for (let i = 0; i < m; i++) {
    a[i] = i;
    ka[i] = (xs[i] as number) / (ts[i] as number);
  }
  /** Unit p (ratio kp) goes after unit q (ratio kq). */
  const after = (kp: number, kq: number, p: number, q: number): boolean =>
    kp > kq || (kp === kq && (xs[p] as number) * (ts[q] as number) > (xs[q] as number) * (ts[p] as number));
  for (let lo = 0; lo < m; lo += RUN) {
    const hi = Math.min(lo + RUN, m);
    for (let j = lo + 1; j < hi; j++) {
      const o = a[j] as number;
      const ko = ka[j] as number;
      let i = j - 1;
      while (i >= lo && after(ka[i] as number, ko, a[i] as number, o)) {
        a[i + 1] = a[i] as number;
        ka[i + 1] = ka[i] as number;
        i--;
      }
      a[i + 1] = o;
      ka[i + 1] = ko;
    }
  }
  for (let width = RUN; width < m; width *= 2) {
    for (let lo = 0; lo < m; lo += 2 * width) {
      const mid = Math.min(lo + width, m);
      const hi = Math.min(lo + 2 * width, m);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        // Take from the right only when it is strictly smaller: stable, as the insertion sort.
        if (after(ka[i] as number, ka[j] as number, a[i] as number, a[j] as number)) {
          b[k] = a[j] as number;
          kb[k++] = ka[j++] as number;
        } else {
          b[k] = a[i] as number;
          kb[k++] = ka[i++] as number;
        }
      }
      while (i < mid) {
        b[k] = a[i] as number;
        kb[k++] = ka[i++] as number;
      }
      while (j < hi) {
        b[k] = a[j] as number;
        kb[k++] = ka[j++] as number;
      }
    }
    [a, b] = [b, a];
    [ka, kb] = [kb, ka];
  }
  return a;
}
