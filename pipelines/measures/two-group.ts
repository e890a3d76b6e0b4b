import { atkinsonId, type AtkinsonId, type IndexStatus, type TwoGroupIndexId } from './index-ids.ts';
import { statusOf } from './margins.ts';
import { scratchF64 } from './scratch.ts';
import { sortedPairSum } from './sorted-pair-sum.ts';

export interface TwoGroupOptions {
  /** Atkinson parameters b in [0, 1). Default [0.5], the only one the command prints. */
  readonly atkinson?: readonly number[];
}

export type TwoGroupValues = Record<TwoGroupIndexId, number | null> & Record<AtkinsonId, number | null>;

export interface TwoGroupResult {
  readonly status: IndexStatus;
  /** Units with x_i + y_i > 0. */
  readonly nUnits: number;
  /** T = X + Y. */
  readonly total: number;
  /** X (focal group total). */
  readonly focalTotal: number;
  /** Y (total of the rest). */
  readonly otherTotal: number;
  /** null for every index unless status is 'ok'. */
  readonly values: TwoGroupValues;
}

const DEFAULT_ATKINSON: readonly number[] = [0.5];
/** The ids of DEFAULT_ATKINSON, built once: a key built per call is a new string that each store must look up. */
const DEFAULT_ATKINSON_IDS: readonly AtkinsonId[] = DEFAULT_ATKINSON.map(atkinsonId);

/**
 * The two-group indices of METHODS.md §3 for one unit set: x_i is the focal group's count in unit i and y_i the
 * count of everyone else. Units with x_i + y_i = 0 are dropped (§2.2 step 1).
 *
 * Sums are written over integer numerators (x_i·Y − y_i·X and the like) with a single division at the end, so
 * integer counts give results within a few ulps of the exact rational value.
 */
export function twoGroupIndices(x: ArrayLike<number>, y: ArrayLike<number>, opts: TwoGroupOptions = {}): TwoGroupResult {
  if (x.length !== y.length) throw new RangeError(`x has ${x.length} units but y has ${y.length}`);
  const bs = opts.atkinson ?? DEFAULT_ATKINSON;
  for (const b of bs) {
    if (!(b >= 0 && b < 1)) throw new RangeError(`Atkinson b must be in [0, 1), got ${b}`);
  }
  const n = x.length;
  // Compact to populated units once; every sum below runs over these.
  const xs = scratchF64(0, n);
  const ys = scratchF64(1, n);
  const ts = scratchF64(2, n);
  let m = 0;
  let X = 0;
  let Y = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    if (!(xi >= 0) || !(yi >= 0) || xi === Infinity || yi === Infinity) {
      throw new RangeError(`unit ${i}: counts must be finite and >= 0, got x = ${xi}, y = ${yi}`);
    }
    const ti = xi + yi;
    if (ti > 0) {
      xs[m] = xi;
      ys[m] = yi;
      ts[m] = ti;
      m++;
      X += xi;
      Y += yi;
    }
  }
  const T = X + Y;
  const status = statusOf(T, m, (X > 0 ? 1 : 0) + (Y > 0 ? 1 : 0));
  const ids = bs === DEFAULT_ATKINSON ? DEFAULT_ATKINSON_IDS : bs.map(atkinsonId);
  const values = emptyValues(ids);
  const result = { status, nUnits: m, total: T, focalTotal: X, otherTotal: Y, values };
  if (status !== 'ok') return result;

  const XY = X * Y;
  let dNum = 0; // Σ |x_i Y − y_i X|
  let vNum = 0; // Σ (x_i T − t_i X)² / t_i
  let iso = 0; // Σ x_i² / t_i
  let inter = 0; // Σ x_i y_i / t_i
  let mSum = 0; // Σ n ln(n T / (t N)) over both groups, n > 0
  for (let i = 0; i < m; i++) {
    const xi = xs[i] as number;
    const yi = ys[i] as number;
    const ti = ts[i] as number;
    dNum += Math.abs(xi * Y - yi * X);
    const dev = xi * T - ti * X;
    vNum += (dev * dev) / ti;
    iso += (xi * xi) / ti;
    inter += (xi * yi) / ti;
    if (xi > 0) mSum += xi * Math.log((xi * T) / (ti * X));
    if (yi > 0) mSum += yi * Math.log((yi * T) / (ti * Y));
  }
  const P = X / T;
  const Q = Y / T;
  const E = -(P * Math.log(P) + Q * Math.log(Q));

  values.D = dNum / (2 * XY);
  values.Gini = sortedPairSum(xs, ts, m) / XY;
  // H = M / E (METHODS.md §3.3: H equals M / e(P)); the M form has no 1 − (≈1) cancellation for small H.
  values.H_two_group = mSum / T / E;
  values.isolation_xPx = iso / X;
  values.interaction_xPy = inter / X;
  values.correlation_ratio_V = vNum / (T * XY);
  for (let a = 0; a < bs.length; a++) {
    const b = bs[a] as number;
    // Σ (1−p_i)^(1−b) p_i^b t_i / (P T) simplifies to Σ x_i^b y_i^(1−b) / X.
    let s = 0;
    if (b === 0.5) {
      for (let i = 0; i < m; i++) s += Math.sqrt((xs[i] as number) * (ys[i] as number));
    } else {
      for (let i = 0; i < m; i++) s += Math.pow(xs[i] as number, b) * Math.pow(ys[i] as number, 1 - b);
    }
    values[ids[a] as AtkinsonId] = 1 - (X / Y) * Math.pow(Math.abs(s / X), 1 / (1 - b));
  }
  return result;
}

function emptyValues(ids: readonly AtkinsonId[]): TwoGroupValues {
  const values = {
    D: null,
    Gini: null,
    H_two_group: null,
    isolation_xPx: null,
    interaction_xPy: null,
    correlation_ratio_V: null,
    'atkinson_b0.5': null,
  } as TwoGroupValues;
  for (const id of ids) values[id] = null;
  return values;
}
