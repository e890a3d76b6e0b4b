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
  if (m >= RADIX_MIN) return radixByRatio(xs, ts, m);
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

/** From this many units on, a radix sort (four passes over 16-bit digits) beats the merge sort: 4× on 17,000 units. */
const RADIX_MIN = 4096;
const DIGITS = 1 << 16;
let histogram: Uint32Array | undefined;

/**
 * The same order as the merge sort in sortByRatio (both are stable, so for one comparison there is one answer): an
 * LSD radix sort on the bits of the ratio's double (x/t >= 0, and a non-negative double orders as its bit pattern),
 * then runs of equal doubles put in cross-multiplied order, which for integer counts is almost never a move.
 */
function radixByRatio(xs: Float64Array, ts: Float64Array, m: number): Uint32Array {
  const key = scratchF64(7, m).subarray(0, m);
  for (let i = 0; i < m; i++) key[i] = (xs[i] as number) / (ts[i] as number);
  const words = new Uint32Array(key.buffer, key.byteOffset, 2 * m);
  let hi = scratchU32(3, m);
  let lo = scratchU32(4, m);
  let hi2 = scratchU32(5, m);
  let lo2 = scratchU32(6, m);
  let a = scratchU32(0, m);
  let b = scratchU32(2, m);
  // Little-endian words of each double (Node runs only on little-endian platforms).
  for (let i = 0; i < m; i++) {
    lo[i] = words[2 * i] as number;
    hi[i] = words[2 * i + 1] as number;
    a[i] = i;
  }
  const count = (histogram ??= new Uint32Array(DIGITS));
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < m; i++) {
      const d = ((src[i] as number) >>> shift) & 0xffff;
      count[d] = (count[d] as number) + 1;
    }
    // A digit every unit shares moves nothing.
    if (count[((src[0] as number) >>> shift) & 0xffff] === m) continue;
    let sum = 0;
    for (let d = 0; d < DIGITS; d++) {
      const c = count[d] as number;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const d = ((src[i] as number) >>> shift) & 0xffff;
      const j = count[d] as number;
      count[d] = j + 1;
      hi2[j] = hi[i] as number;
      lo2[j] = lo[i] as number;
      b[j] = a[i] as number;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
    [a, b] = [b, a];
  }
  // Equal doubles: stable insertion by cross-multiplication, as `after` in sortByRatio orders them.
  for (let s = 0; s < m; ) {
    let e = s + 1;
    while (e < m && hi[e] === hi[s] && lo[e] === lo[s]) e++;
    for (let j = s + 1; j < e; j++) {
      const o = a[j] as number;
      let i = j - 1;
      while (i >= s && (xs[a[i] as number] as number) * (ts[o] as number) > (xs[o] as number) * (ts[a[i] as number] as number)) {
        a[i + 1] = a[i] as number;
        i--;
      }
      a[i + 1] = o;
    }
    s = e;
  }
  return a;
}
