import type { IndexStatus } from './index-ids.ts';
import { margins } from './margins.ts';
import { Random } from './random.ts';

export interface InferenceOptions {
  /** Simulated tables for each of the two methods (rseg's n_bootstrap). 0 skips both. */
  readonly draws: number;
  /** Same seed, same table → same numbers. A list lets callers derive a stream per region, e.g. [seed, kommun, year]. */
  readonly seed: number | string | readonly (number | string)[];
  /** Two-sided level of the bootstrap interval. Default 0.95. */
  readonly confidence?: number;
  /** Simulate under random allocation (default true). */
  readonly expected?: boolean;
  /** Multinomial bootstrap (default true). */
  readonly bootstrap?: boolean;
}

export interface InferenceStat {
  /** The index on the observed table. */
  readonly estimate: number;
  /** Mean over tables with the observed margins and no segregation (rseg `*_expected`). */
  readonly expected: number | null;
  readonly expectedSd: number | null;
  /** Mean of the bootstrap replicates. */
  readonly bootstrapMean: number | null;
  /** SD of the bootstrap replicates (rseg's `se`). */
  readonly bootstrapSe: number | null;
  /** 2·estimate − bootstrapMean (rseg's bias-corrected `est`). */
  readonly debiased: number | null;
  /** Quantiles (type 7) of the debiased replicates 2·estimate − boot_b, as rseg's `CI`. Not clipped to [0, 1]. */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

export interface InferenceResult {
  readonly status: IndexStatus;
  readonly nUnits: number;
  readonly total: number;
  readonly draws: number;
  readonly confidence: number;
  /** Simulated tables whose index was defined; a table where every member of a group drew the same unit is not. */
  readonly expectedDrawsUsed: number;
  readonly bootstrapDrawsUsed: number;
  /** Why simulated tables were undefined, the more frequent reason; null when none was. */
  readonly drawFailure: 'single_group' | 'single_unit' | null;
  /** D (two groups) or multigroup D. */
  readonly D: InferenceStat | null;
  /** Theil's H (two-group or multigroup; they coincide for K = 2). */
  readonly H: InferenceStat | null;
  /** Mutual information M in nats. */
  readonly M: InferenceStat | null;
}

/**
 * Small-number bias and sampling uncertainty for D, H and M (METHODS.md §8), following rseg:
 * - expected value under random allocation: tables with the observed unit and group margins drawn from the
 *   multiple hypergeometric (what `stats::r2dtable` samples; rseg `dissimilarity_expected`, `mutual_total_expected`
 *   with fixed_margins = TRUE);
 * - bootstrap: the T individuals resampled over the unit × group cells, Multinomial(T, n_ik / T)
 *   (rseg `se = TRUE`), summarised as rseg's `bootstrap_summary` does.
 *
 * `counts` is row-major units × groups and must hold integers (both methods move whole people). With two columns,
 * D and H are the two-group indices; to get them for one group against the rest, pass [n_k, t_i − n_k] pairs.
 */
export function expectedAndBootstrap(counts: ArrayLike<number>, nGroups: number, opts: InferenceOptions): InferenceResult {
  const draws = opts.draws;
  const confidence = opts.confidence ?? 0.95;
  if (!Number.isInteger(draws) || draws < 0) throw new RangeError(`draws must be a non-negative integer, got ${draws}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const mg = margins(counts, nGroups);
  const base = { status: mg.status, nUnits: mg.nUnits, total: mg.total, draws, confidence };
  if (mg.status !== 'ok') return { ...base, expectedDrawsUsed: 0, bootstrapDrawsUsed: 0, drawFailure: null, D: null, H: null, M: null };
  for (let c = 0; c < counts.length; c++) {
    if (!Number.isInteger(counts[c])) {
      throw new RangeError(`count ${counts[c]} at cell ${c} is not an integer; resampling needs whole people`);
    }
  }
  if (mg.total > 2 ** 50) throw new RangeError(`total ${mg.total} is too large to resample exactly`);

  // Compact to populated units and present groups: draws only ever move people among these cells.
  const keepGroups: number[] = [];
  for (let k = 0; k < nGroups; k++) if ((mg.groupTotals[k] as number) > 0) keepGroups.push(k);
  const K = keepGroups.length;
  const m = mg.nUnits;
  const table = new Float64Array(m * K);
  const rowTotals = new Float64Array(m);
  const colTotals = new Float64Array(K);
  for (let i = 0, r = 0; r < mg.unitTotals.length; r++) {
    if ((mg.unitTotals[r] as number) === 0) continue;
    rowTotals[i] = mg.unitTotals[r] as number;
    for (let j = 0; j < K; j++) table[i * K + j] = counts[r * nGroups + (keepGroups[j] as number)] as number;
    i++;
  }
  for (let j = 0; j < K; j++) colTotals[j] = mg.groupTotals[keepGroups[j] as number] as number;

  const scratch = new Scratch(m, K);
  const est = new Float64Array(3);
  if (dmh(table, m, K, scratch, est) !== OK) throw new Error('internal: observed table undefined although status is ok');

  const rng = new Random(opts.seed);
  const sim = new Float64Array(m * K);
  const out = new Float64Array(3);
  const failures = [0, 0, 0];

  const expD: number[] = [];
  const expH: number[] = [];
  const expM: number[] = [];
  if (opts.expected !== false) {
    const remaining = new Float64Array(K);
    for (let b = 0; b < draws; b++) {
      randomAllocation(rng, rowTotals, colTotals, m, K, mg.total, remaining, sim);
      const code = dmh(sim, m, K, scratch, out);
      failures[code] = (failures[code] as number) + 1;
      if (code === OK) {
        expD.push(out[0] as number);
        expM.push(out[1] as number);
        expH.push(out[2] as number);
      }
    }
  }

  const bootD: number[] = [];
  const bootH: number[] = [];
  const bootM: number[] = [];
  if (opts.bootstrap !== false) {
    for (let b = 0; b < draws; b++) {
      multinomial(rng, table, mg.total, sim);
      const code = dmh(sim, m, K, scratch, out);
      failures[code] = (failures[code] as number) + 1;
      if (code === OK) {
        bootD.push(out[0] as number);
        bootM.push(out[1] as number);
        bootH.push(out[2] as number);
      }
    }
  }

  return {
    ...base,
    expectedDrawsUsed: expD.length,
    bootstrapDrawsUsed: bootD.length,
    drawFailure:
      (failures[SINGLE_GROUP] as number) + (failures[SINGLE_UNIT] as number) === 0
        ? null
        : (failures[SINGLE_GROUP] as number) >= (failures[SINGLE_UNIT] as number)
          ? 'single_group'
          : 'single_unit',
    D: summarise(est[0] as number, expD, bootD, confidence),
    M: summarise(est[1] as number, expM, bootM, confidence),
    H: summarise(est[2] as number, expH, bootH, confidence),
  };
}

class Scratch {
  readonly rows: Float64Array;
  readonly cols: Float64Array;
  constructor(m: number, K: number) {
    this.rows = new Float64Array(m);
    this.cols = new Float64Array(K);
  }
}

const OK = 0;
const SINGLE_GROUP = 1;
const SINGLE_UNIT = 2;

/**
 * D, M and H of a compact table into out[0..2]; returns OK, or why they are undefined. Empty rows and columns
 * contribute nothing to any sum, so they need no special casing beyond the counts.
 */
function dmh(table: Float64Array, m: number, K: number, s: Scratch, out: Float64Array): number {
  const rows = s.rows;
  const cols = s.cols;
  cols.fill(0);
  let T = 0;
  let units = 0;
  for (let i = 0, c = 0; i < m; i++) {
    let t = 0;
    for (let k = 0; k < K; k++, c++) {
      const v = table[c] as number;
      t += v;
      cols[k] = (cols[k] as number) + v;
    }
    rows[i] = t;
    T += t;
    if (t > 0) units++;
  }
  let groups = 0;
  let pairDen = 0;
  let E = 0;
  for (let k = 0; k < K; k++) {
    const Nk = cols[k] as number;
    if (Nk > 0) {
      groups++;
      pairDen += Nk * (T - Nk);
      E -= (Nk / T) * Math.log(Nk / T);
    }
  }
  if (groups < 2) return SINGLE_GROUP;
  if (units < 2) return SINGLE_UNIT;
  let dNum = 0;
  let mSum = 0;
  for (let i = 0, c = 0; i < m; i++) {
    const t = rows[i] as number;
    if (t === 0) {
      c += K;
      continue;
    }
    for (let k = 0; k < K; k++, c++) {
      const n = table[c] as number;
      const Nk = cols[k] as number;
      dNum += Math.abs(n * T - t * Nk);
      if (n > 0) mSum += n * Math.log((n * T) / (t * Nk));
    }
  }
  const M = mSum / T;
  out[0] = dNum / (2 * pairDen);
  out[1] = M;
  out[2] = M / E;
  return OK;
}

/** A table with the given margins under independence: each unit's people drawn without replacement from the pool. */
function randomAllocation(
  rng: Random,
  rowTotals: Float64Array,
  colTotals: Float64Array,
  m: number,
  K: number,
  T: number,
  remaining: Float64Array,
  sim: Float64Array,
): void {
  remaining.set(colTotals);
  let pool = T;
  for (let i = 0; i < m; i++) {
    const ti = rowTotals[i] as number;
    let left = ti;
    let poolLeft = pool;
    for (let k = 0; k < K - 1; k++) {
      const rk = remaining[k] as number;
      const x = left === 0 ? 0 : rng.hypergeometric(poolLeft, rk, left);
      sim[i * K + k] = x;
      remaining[k] = rk - x;
      left -= x;
      poolLeft -= rk;
    }
    sim[i * K + K - 1] = left;
    remaining[K - 1] = (remaining[K - 1] as number) - left;
    pool -= ti;
  }
}

/** Multinomial(T, table / T) over all cells, by conditional binomials. */
function multinomial(rng: Random, table: Float64Array, T: number, sim: Float64Array): void {
  let nLeft = T;
  let wLeft = T;
  for (let c = 0; c < table.length; c++) {
    const w = table[c] as number;
    if (w === 0 || nLeft === 0) {
      sim[c] = 0;
      wLeft -= w;
      continue;
    }
    const x = w >= wLeft ? nLeft : rng.binomial(nLeft, w / wLeft);
    sim[c] = x;
    nLeft -= x;
    wLeft -= w;
  }
}

function summarise(estimate: number, expected: number[], boot: number[], confidence: number): InferenceStat {
  const e = meanSd(expected);
  const b = meanSd(boot);
  let ciLow: number | null = null;
  let ciHigh: number | null = null;
  let debiased: number | null = null;
  if (b.mean !== null) {
    debiased = 2 * estimate - b.mean;
    const d = Float64Array.from(boot, (v) => 2 * estimate - v).sort();
    const alpha = (1 - confidence) / 2;
    ciLow = quantile7(d, alpha);
    ciHigh = quantile7(d, 1 - alpha);
  }
  return {
    estimate,
    expected: e.mean,
    expectedSd: e.sd,
    bootstrapMean: b.mean,
    bootstrapSe: b.sd,
    debiased,
    ciLow,
    ciHigh,
  };
}

function meanSd(v: number[]): { mean: number | null; sd: number | null } {
  if (v.length === 0) return { mean: null, sd: null };
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  if (v.length < 2) return { mean, sd: null };
  let ss = 0;
  for (const x of v) ss += (x - mean) * (x - mean);
  return { mean, sd: Math.sqrt(ss / (v.length - 1)) };
}

/** R's default quantile (type 7) of a sorted sample. */
export function quantile7(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}
