import type { IndexStatus } from './index-ids.ts';
import { margins } from './margins.ts';
import { logFactorial, Random } from './random.ts';
import { wording, type Lang } from '../report/wording.ts';

export interface InferenceOptions {
  /** Bootstrap tables (rseg's n_bootstrap). 0 skips the bootstrap; the expected value needs no draws. */
  readonly draws: number;
  /** Same seed, same table → same numbers. A list lets callers derive a stream per region, e.g. [seed, kommun, year]. */
  readonly seed: number | string | readonly (number | string)[];
  /** Two-sided level of the interval. Default 0.95. */
  readonly confidence?: number;
  /** The expected value under random allocation (default true). */
  readonly expected?: boolean;
  /** Multinomial bootstrap (default true). */
  readonly bootstrap?: boolean;
}

export interface InferenceStat {
  /** The index on the observed table. */
  readonly estimate: number;
  /**
   * Exact mean of the index over tables with the observed margins and no segregation (rseg `*_expected`, which
   * estimates the same number by simulation): computed from the hypergeometric distribution of each cell, so it
   * carries no Monte Carlo error.
   */
  readonly expected: number | null;
  /** Mean of the bootstrap replicates. */
  readonly bootstrapMean: number | null;
  /** SD of the bootstrap replicates (rseg's `se`). */
  readonly bootstrapSe: number | null;
  /** Estimated small-number bias, bootstrapMean − estimate (rseg's `bias`). */
  readonly bias: number | null;
  /** 2·estimate − bootstrapMean, unclamped (rseg's bias-corrected `est`). */
  readonly debiased: number | null;
  /** `debiased` clamped to the index's range: the estimate published beside the interval. */
  readonly biasCorrected: number | null;
  /**
   * The interval: debiased ± z·√(se² + bias²), clamped to the index's range (see `summarise`). It always holds
   * both the observed estimate and the bias-corrected one.
   */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

export interface InferenceResult {
  readonly status: IndexStatus;
  readonly nUnits: number;
  readonly total: number;
  readonly draws: number;
  readonly confidence: number;
  /** Bootstrap tables whose index was defined; a table where every member of a group drew the same unit is not. */
  readonly bootstrapDrawsUsed: number;
  /** Why bootstrap tables were undefined, the more frequent reason; null when none was. */
  readonly drawFailure: 'single_group' | 'single_unit' | null;
  /** D (two groups) or multigroup D. */
  readonly D: InferenceStat | null;
  /** Theil's H (two-group or multigroup; they coincide for K = 2). */
  readonly H: InferenceStat | null;
  /** Mutual information M in nats. */
  readonly M: InferenceStat | null;
}

/**
 * Small-number bias and sampling uncertainty for D, H and M (METHODS.md §8):
 * - expected value under random allocation (rseg `dissimilarity_expected`, `mutual_total_expected` with
 *   fixed_margins = TRUE): exact, see `expectedUnderRandom`;
 * - bootstrap: the T individuals resampled over the unit × group cells, Multinomial(T, n_ik / T) (rseg `se = TRUE`),
 *   summarised by `summarise` (bias-corrected estimate and a bias-aware interval).
 *
 * `counts` is row-major units × groups and must hold integers (the bootstrap moves whole people). With two columns,
 * D and H are the two-group indices; to get them for one group against the rest, pass [n_k, t_i − n_k] pairs.
 * The segregation stage uses `inferScopes`, which serves many nested scopes from one set of draws.
 */
export function expectedAndBootstrap(counts: ArrayLike<number>, nGroups: number, opts: InferenceOptions): InferenceResult {
  const draws = opts.draws;
  const confidence = opts.confidence ?? 0.95;
  checkOptions(draws, confidence);
  const mg = margins(counts, nGroups);
  const base = { status: mg.status, nUnits: mg.nUnits, total: mg.total, draws, confidence };
  if (mg.status !== 'ok') return { ...base, bootstrapDrawsUsed: 0, drawFailure: null, D: null, H: null, M: null };
  const table = Float64Array.from(counts);
  checkIntegers(table, mg.total);
  const strata = Uint32Array.from([0, mg.unitTotals.length]);
  const [r] = inferScopes(table, nGroups, strata, [{ strataFrom: 0, strataTo: 1 }], {
    draws: opts.bootstrap === false ? 0 : draws,
    seed: opts.seed,
    confidence,
    expected: opts.expected !== false,
  });
  const s = r as ScopeInference;
  return { ...base, bootstrapDrawsUsed: s.drawsUsed, drawFailure: s.drawFailure, D: s.D, H: s.H, M: s.M };
}

/** A scope: the units of strata [strataFrom, strataTo). */
export interface ScopeSpec {
  readonly strataFrom: number;
  readonly strataTo: number;
}

export interface ScopeInference {
  readonly status: IndexStatus;
  readonly drawsUsed: number;
  readonly drawFailure: 'single_group' | 'single_unit' | null;
  readonly D: InferenceStat | null;
  readonly H: InferenceStat | null;
  readonly M: InferenceStat | null;
}

export interface ScopesOptions {
  readonly draws: number;
  readonly seed: number | string | readonly (number | string)[];
  readonly confidence?: number;
  /** Compute the exact expected values (default true). */
  readonly expected?: boolean;
}

/**
 * Expected values and bootstrap intervals of D, M and H for every scope of one unit set, from ONE set of draws.
 *
 * The units (rows of `table`, units × K integer counts) are cut into strata (`strataStart`, length strata + 1; the
 * stage's strata are kommuner) and every scope is a run of whole strata (a kommun, a län, the riket). Each draw
 * resamples every stratum on its own, Multinomial(T_s, n_ik / T_s) with the stratum's population T_s fixed, and
 * every scope's index is computed from those same resampled cells. For a kommun this is exactly the multinomial
 * bootstrap of its table; for a län or the riket it is the stratified bootstrap with the kommuner as strata, which
 * is the right model for a register where each kommun's population is known and only who lives in which of its
 * areas is the random part (the unstratified bootstrap additionally lets kommun sizes vary, which adds nothing but
 * noise to a scale-free index). Sharing the draws makes the intervals of a kommun and of its län dependent, which
 * no output relies on: each interval is read on its own, and differences are only taken between years, whose
 * draws are independent. The cost is one resample of the cells per draw instead of one per scope level.
 *
 * The expected value under random allocation cannot share draws (a random allocation inside each kommun is not a
 * random allocation of the län), and needs none: it is computed exactly per scope, see `expectedUnderRandom`.
 *
 * Work per draw is on preallocated typed arrays; nothing is allocated inside the draw loop.
 */
export function inferScopes(
  table: Float64Array,
  K: number,
  strataStart: Uint32Array,
  scopes: readonly ScopeSpec[],
  opts: ScopesOptions,
): ScopeInference[] {
  const draws = opts.draws;
  const confidence = opts.confidence ?? 0.95;
  checkOptions(draws, confidence);
  const S = strataStart.length - 1;
  const m = table.length / K;
  if (!Number.isInteger(m) || strataStart[S] !== m) throw new RangeError(`strata cover ${strataStart[S]} units but the table has ${m}`);
  for (const sc of scopes) {
    if (!(sc.strataFrom >= 0 && sc.strataFrom < sc.strataTo && sc.strataTo <= S)) throw new RangeError(`scope strata [${sc.strataFrom}, ${sc.strataTo}) outside 0..${S}`);
  }
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const work = new Work(m, K, S);

  // Observed statistics per scope, with the same formulas as the replicates so that the bias is theirs alone.
  work.load(table, strataStart);
  const obs = new Float64Array(scopes.length * 4); // D, M, H, E
  const obsCode = new Uint8Array(scopes.length);
  scopes.forEach((sc, j) => {
    obsCode[j] = work.scopeStats(table, strataStart, sc, obs, j * 4);
  });

  // Accumulated offsets from the observed value (sum and sum of squares), per scope and statistic.
  const acc = new Float64Array(scopes.length * 6);
  const used = new Uint32Array(scopes.length);
  const fail = new Uint32Array(scopes.length * 2);
  const out = new Float64Array(4);
  if (draws > 0) {
    const rng = new Random(opts.seed);
    const sim = new Float64Array(table.length);
    const stratumTotal = new Float64Array(S);
    for (let s = 0; s < S; s++) stratumTotal[s] = work.stT[s] as number;
    for (let b = 0; b < draws; b++) {
      for (let s = 0; s < S; s++) multinomial(rng, table, sim, (strataStart[s] as number) * K, (strataStart[s + 1] as number) * K, stratumTotal[s] as number);
      work.load(sim, strataStart);
      for (let j = 0; j < scopes.length; j++) {
        if (obsCode[j] !== OK) continue;
        const code = work.scopeStats(sim, strataStart, scopes[j] as ScopeSpec, out, 0);
        if (code !== OK) {
          fail[j * 2 + code - 1] = (fail[j * 2 + code - 1] as number) + 1;
          continue;
        }
        used[j] = (used[j] as number) + 1;
        for (let q = 0; q < 3; q++) {
          const d = (out[q] as number) - (obs[j * 4 + q] as number);
          acc[j * 6 + 2 * q] = (acc[j * 6 + 2 * q] as number) + d;
          acc[j * 6 + 2 * q + 1] = (acc[j * 6 + 2 * q + 1] as number) + d * d;
        }
      }
    }
  }

  return scopes.map((sc, j): ScopeInference => {
    const code = obsCode[j] as number;
    const status: IndexStatus = code === OK ? 'ok' : code === SINGLE_GROUP ? 'single_group' : code === SINGLE_UNIT ? 'single_unit' : 'no_population';
    if (code !== OK) return { status, drawsUsed: 0, drawFailure: null, D: null, H: null, M: null };
    const exp = opts.expected === false ? null : expectedUnderRandom(scopeCells(table, strataStart, sc, K), K);
    const n = used[j] as number;
    const fg = fail[j * 2] as number;
    const fu = fail[j * 2 + 1] as number;
    const stat = (q: number, expected: number | null, hi: number): InferenceStat => {
      const est = obs[j * 4 + q] as number;
      if (n === 0) return summarise(est, expected, null, null, 0, hi, z);
      const sum = acc[j * 6 + 2 * q] as number;
      const ss = acc[j * 6 + 2 * q + 1] as number;
      const meanOff = sum / n;
      const sd = n > 1 ? Math.sqrt(Math.max(0, (ss - n * meanOff * meanOff) / (n - 1))) : null;
      return summarise(est, expected, est + meanOff, sd, 0, hi, z);
    };
    return {
      status,
      drawsUsed: n,
      drawFailure: fg + fu === 0 ? null : fg >= fu ? 'single_group' : 'single_unit',
      D: stat(0, exp?.D ?? null, 1),
      M: stat(1, exp?.M ?? null, obs[j * 4 + 3] as number),
      H: stat(2, exp?.H ?? null, 1),
    };
  });
}

const OK = 0;
const SINGLE_GROUP = 1;
const SINGLE_UNIT = 2;
const NO_POPULATION = 3;

/** Per-draw scratch: unit totals, per-unit Σ n ln n − t ln t, and per-stratum group totals. */
class Work {
  readonly t: Float64Array;
  readonly a: Float64Array;
  readonly stCols: Float64Array;
  readonly stT: Float64Array;
  readonly stA: Float64Array;
  readonly stUnits: Float64Array;
  readonly cols: Float64Array;
  constructor(
    m: number,
    readonly K: number,
    readonly S: number,
  ) {
    this.t = new Float64Array(m);
    this.a = new Float64Array(m);
    this.stCols = new Float64Array(S * K);
    this.stT = new Float64Array(S);
    this.stA = new Float64Array(S);
    this.stUnits = new Float64Array(S);
    this.cols = new Float64Array(K);
  }

  /** Unit and stratum sums of a table. */
  load(table: Float64Array, strataStart: Uint32Array): void {
    const K = this.K;
    this.stCols.fill(0);
    for (let s = 0; s < this.S; s++) {
      let T = 0;
      let A = 0;
      let units = 0;
      const from = strataStart[s] as number;
      const to = strataStart[s + 1] as number;
      for (let i = from, c = from * K; i < to; i++) {
        let ti = 0;
        let ai = 0;
        for (let k = 0; k < K; k++, c++) {
          const n = table[c] as number;
          ti += n;
          ai += xLogX(n);
          this.stCols[s * K + k] = (this.stCols[s * K + k] as number) + n;
        }
        ai -= xLogX(ti);
        this.t[i] = ti;
        this.a[i] = ai;
        T += ti;
        A += ai;
        if (ti > 0) units++;
      }
      this.stT[s] = T;
      this.stA[s] = A;
      this.stUnits[s] = units;
    }
  }

  /**
   * D, M, H and the group entropy E of one scope into out[at..at+3] from the loaded sums; returns OK or why the
   * indices are undefined. M = (Σ n ln n − Σ t ln t − Σ N ln N + T ln T) / T, so the logs of the cells are taken once
   * per draw for all scopes; D needs one pass over the scope's cells with the scope's own group totals.
   */
  scopeStats(table: Float64Array, strataStart: Uint32Array, sc: ScopeSpec, out: Float64Array, at: number): number {
    const K = this.K;
    const cols = this.cols;
    cols.fill(0);
    let T = 0;
    let A = 0;
    let units = 0;
    for (let s = sc.strataFrom; s < sc.strataTo; s++) {
      T += this.stT[s] as number;
      A += this.stA[s] as number;
      units += this.stUnits[s] as number;
      for (let k = 0; k < K; k++) cols[k] = (cols[k] as number) + (this.stCols[s * K + k] as number);
    }
    if (!(T > 0)) return NO_POPULATION;
    let groups = 0;
    let pairDen = 0;
    let sumNlogN = 0;
    let E = 0;
    for (let k = 0; k < K; k++) {
      const N = cols[k] as number;
      if (N > 0) {
        groups++;
        pairDen += N * (T - N);
        sumNlogN += N * Math.log(N);
        E -= (N / T) * Math.log(N / T);
      }
    }
    if (groups < 2) return SINGLE_GROUP;
    if (units < 2) return SINGLE_UNIT;
    const from = strataStart[sc.strataFrom] as number;
    const to = strataStart[sc.strataTo] as number;
    let dNum = 0;
    for (let i = from, c = from * K; i < to; i++) {
      const ti = this.t[i] as number;
      for (let k = 0; k < K; k++, c++) dNum += Math.abs((table[c] as number) * T - ti * (cols[k] as number));
    }
    const M = Math.max(0, (A - sumNlogN + T * Math.log(T)) / T);
    out[at] = dNum / (2 * pairDen);
    out[at + 1] = M;
    out[at + 2] = M / E;
    out[at + 3] = E;
    return OK;
  }
}

function scopeCells(table: Float64Array, strataStart: Uint32Array, sc: ScopeSpec, K: number): Float64Array {
  return table.subarray((strataStart[sc.strataFrom] as number) * K, (strataStart[sc.strataTo] as number) * K);
}

/** Multinomial(T, table / T) over cells [from, to), by conditional binomials, into sim. */
function multinomial(rng: Random, table: Float64Array, sim: Float64Array, from: number, to: number, T: number): void {
  let nLeft = T;
  let wLeft = T;
  for (let c = from; c < to; c++) {
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

/**
 * Exact expected D, M and H under random allocation with the table's margins fixed (people of each group dealt
 * to the units at random, unit sizes kept): what rseg's `dissimilarity_expected` and `mutual_total_expected`
 * estimate by averaging simulated tables (stats::r2dtable), but without their Monte Carlo error. Every cell n_ik is
 * then hypergeometric, HG(T, N_k, t_i), and both indices are sums of functions of single cells, so their means
 * follow from the cells' distributions alone (the dependence between cells does not enter a mean):
 *   E[D] = T Σ_ik E|n_ik − t_i N_k / T| / (2 Σ_k N_k (T − N_k))
 *   E[M] = (Σ_ik E[n_ik ln n_ik] − Σ_i t_i ln t_i − Σ_k N_k ln N_k + T ln T) / T,   E[H] = E[M] / E.
 * See `hypergeometricMoments` for each cell's two expectations.
 */
export function expectedUnderRandom(counts: ArrayLike<number>, K: number): { D: number; M: number; H: number } | null {
  const mg = margins(counts, K);
  if (mg.status !== 'ok') return null;
  const T = mg.total;
  const N = mg.groupTotals;
  let pairDen = 0;
  let E = 0;
  let fixed = xLogX(T);
  for (let k = 0; k < K; k++) {
    const Nk = N[k] as number;
    if (Nk > 0) {
      pairDen += Nk * (T - Nk);
      E -= (Nk / T) * Math.log(Nk / T);
      fixed -= xLogX(Nk);
    }
  }
  let mad = 0;
  let nlogn = 0;
  const r = new Float64Array(2);
  for (let i = 0; i < mg.unitTotals.length; i++) {
    const t = mg.unitTotals[i] as number;
    if (t === 0) continue;
    fixed -= xLogX(t);
    for (let k = 0; k < K; k++) {
      const Nk = N[k] as number;
      if (Nk === 0) continue;
      hypergeometricMoments(T, Nk, t, r);
      mad += r[0] as number;
      nlogn += r[1] as number;
    }
  }
  const M = Math.max(0, (nlogn + fixed) / T);
  return { D: (T * mad) / (2 * pairDen), M, H: M / E };
}

/**
 * E|X − μ| and E[X ln X] of X ~ HG(population, successes, draws) into out[0], out[1].
 * E|X − μ| in closed form: 2 (m + 1)(N − K − n + m + 1) / N · P(X = m + 1) with m = ⌊μ⌋ (the hypergeometric
 * counterpart of de Moivre's mean absolute deviation of the binomial; checked against the full sum in the tests).
 * E[X ln X]: for μ ≥ 20 the Taylor series of x ln x about μ to the fourth central moment (exact moments of the
 * hypergeometric), whose remainder is of order σ⁴/μ⁴ ≤ 1/μ² · ¼ and measured below 1e-4 at μ = 20 and 1e-6 at
 * μ = 300 (a relative error of the expected M below 1e-4); below that the sum over the support, outward from the
 * mode until the terms fall under 1e-15 of the mass.
 */
export function hypergeometricMoments(population: number, successes: number, draws: number, out: Float64Array): void {
  const N = population;
  const K = successes;
  const n = draws;
  const mu = (n * K) / N;
  const lo = Math.max(0, n - (N - K));
  const hi = Math.min(n, K);
  if (lo === hi) {
    out[0] = Math.abs(lo - mu);
    out[1] = xLogX(lo);
    return;
  }
  const F = N - K;
  const m1 = Math.floor(mu) + 1;
  const logP = logFactorial(K) - logFactorial(m1) - logFactorial(K - m1) + logFactorial(F) - logFactorial(n - m1) - logFactorial(F - n + m1) - (logFactorial(N) - logFactorial(n) - logFactorial(N - n));
  out[0] = ((2 * m1 * (F - n + m1)) / N) * Math.exp(logP);
  if (mu >= 20) {
    const p = K / N;
    const q = F / N;
    const s2 = (n * p * q * (N - n)) / (N - 1);
    const k3 = (s2 * (q - p) * (N - 2 * n)) / (N - 2);
    const exKurt =
      ((N - 1) * N * N * (N * (N + 1) - 6 * K * F - 6 * n * (N - n)) + 6 * n * K * F * (N - n) * (5 * N - 6)) / (n * K * F * (N - n) * (N - 2) * (N - 3));
    const m4 = s2 * s2 * (3 + exKurt);
    out[1] = mu * Math.log(mu) + s2 / (2 * mu) - k3 / (6 * mu * mu) + m4 / (12 * mu * mu * mu);
    return;
  }
  let mode = Math.floor(((n + 1) * (K + 1)) / (N + 2));
  if (mode < lo) mode = lo;
  if (mode > hi) mode = hi;
  // The mode's probability up to a constant: the sum is normalised by the mass it covers.
  let mass = 1;
  let sXlx = xLogX(mode);
  let f = 1;
  for (let x = mode; x < hi; ) {
    f *= ((K - x) * (n - x)) / ((x + 1) * (F - n + x + 1));
    x++;
    mass += f;
    sXlx += f * xLogX(x);
    if (f < 1e-15 * mass) break;
  }
  f = 1;
  for (let x = mode; x > lo; ) {
    f *= (x * (F - n + x)) / ((K - x + 1) * (n - x + 1));
    x--;
    mass += f;
    sXlx += f * xLogX(x);
    if (f < 1e-15 * mass) break;
  }
  out[1] = sXlx / mass;
}

/**
 * The published estimate and interval from the bootstrap (the choice, and why; METHOD_TEXT says it for readers):
 *
 *   bias        b  = mean(boot) − estimate                      (rseg's `bias`; Allen et al. 2015's bootstrap bias)
 *   corrected   Dc = estimate − b = 2·estimate − mean(boot)     (rseg's debiased `est`; Allen et al.'s D_bc)
 *   interval    Dc ± z·√(se² + b²), clamped to the index's range ([0, 1] for D and H, [0, E] for M)
 *
 * D, H and M are biased upwards when units are small (METHODS.md §8), and the literature on D's bias (Carrington &
 * Troske 1997; Allen, Burgess, Davidson & Windmeijer 2015; Elbers 2023 for M) recommends reporting the bootstrap
 * bias-corrected estimate with its interval, which is what rseg does. Two refinements, both checked by the coverage
 * simulation in tests/measures/coverage.test.ts:
 * - Percentile-type intervals do not work here. The plain percentile interval sits around mean(boot), i.e. it adds
 *   the bias a second time; Efron's bias-corrected percentile and BCa estimate z0 = Φ⁻¹(share of replicates below
 *   the estimate), and for D that share is 0 whenever the bias exceeds ~2.5 standard errors (riket and län D over
 *   DeSO: bias ≈ 5 se), so z0 is −∞ and the interval degenerates. rseg's interval (quantiles of 2·estimate − boot)
 *   is centred right, but with 20 draws its type-7 quantiles cover ≈ 86 %, and it ignores that the bias correction
 *   is itself uncertain.
 * - The bootstrap estimates the bias at the observed table, which is more segregated than the truth, so it
 *   under-corrects, and the corrected estimate varies more than the raw one (in the simulations its SD is 5–25 %
 *   above the bootstrap se when the bias is material). The correction's own error is of the order of the
 *   correction, so it enters the interval in quadrature beside the sampling error: √(se² + b²). Where the bias is
 *   negligible this is the usual ±z·se interval; where it is large the interval widens rather than claiming a
 *   precision the correction does not have (conservative where b ≫ se: the riket, and H of small groups). Coverage in
 *   the simulations: 93–96 % for D of kommun-sized tables at 200 draws, 99–100 % where b ≫ se, against 79–87 % for
 *   rseg's interval at 20 draws.
 * - Because |b| < z·√(se² + b²), the interval always holds the observed estimate as well as the corrected one, so no
 *   published interval excludes its estimate, and after clamping no bound leaves the index's range.
 * The interval is normal-based, so it needs the mean and SD of the replicates only: 200 draws give the se to ±5 %
 *   and the bias to ±0.07 se.
 */
export function summarise(estimate: number, expected: number | null, bootMean: number | null, bootSd: number | null, lo: number, hi: number, z: number): InferenceStat {
  if (bootMean === null) {
    return { estimate, expected, bootstrapMean: null, bootstrapSe: null, bias: null, debiased: null, biasCorrected: null, ciLow: null, ciHigh: null };
  }
  const clamp = (v: number): number => Math.min(hi, Math.max(lo, v));
  const bias = bootMean - estimate;
  const debiased = estimate - bias;
  const half = z * Math.sqrt((bootSd ?? 0) ** 2 + bias * bias);
  return {
    estimate,
    expected,
    bootstrapMean: bootMean,
    bootstrapSe: bootSd,
    bias,
    debiased,
    biasCorrected: clamp(debiased),
    ciLow: bootSd === null ? null : clamp(debiased - half),
    ciHigh: bootSd === null ? null : clamp(debiased + half),
  };
}

/** Reader-facing method text for the report's method chapter, in the report's language: what the estimate and interval are. */
export function methodText(draws: number, confidence = 0.95, lang: Lang = 'sv'): string {
  // The words are the report's (templates/wording `segregation.bootstrapMethod`); the numbers are this file's.
  return wording(lang).t('segregation.bootstrapMethod', { pct: Math.round(confidence * 100), draws });
}

function checkOptions(draws: number, confidence: number): void {
  if (!Number.isInteger(draws) || draws < 0) throw new RangeError(`draws must be a non-negative integer, got ${draws}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

function checkIntegers(table: Float64Array, total: number): void {
  for (let c = 0; c < table.length; c++) {
    if (!Number.isInteger(table[c])) throw new RangeError(`count ${table[c]} at cell ${c} is not an integer; resampling needs whole people`);
  }
  if (total > 2 ** 50) throw new RangeError(`total ${total} is too large to resample exactly`);
}

const XLOGX_TABLE_SIZE = 1 << 16;
let xLogXTable: Float64Array | null = null;

/** x ln x (0 at 0): a table below 65,536, where nearly every cell count falls, so a draw costs no logs per cell. */
export function xLogX(x: number): number {
  if (x < XLOGX_TABLE_SIZE) {
    if (xLogXTable === null) {
      xLogXTable = new Float64Array(XLOGX_TABLE_SIZE);
      for (let v = 2; v < XLOGX_TABLE_SIZE; v++) xLogXTable[v] = v * Math.log(v);
    }
    return xLogXTable[x] as number;
  }
  return x * Math.log(x);
}

/** Φ⁻¹(p) by Acklam's rational approximation (relative error < 1.2e-9); only used for the interval's z. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl || p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(p < pl ? p : 1 - p));
    const x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    return p < pl ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

// Kept for callers that summarise replicates themselves (and for comparing with rseg's interval in tests).
/** R's default quantile (type 7) of a sorted sample. */
export function quantile7(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}
