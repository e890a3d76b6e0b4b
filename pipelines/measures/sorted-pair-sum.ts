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
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => (xs[a] as number) * (ts[b] as number) - (xs[b] as number) * (ts[a] as number));
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
