/**
 * The simulation methods of METHODS.md §8. RNG streams differ from R's, so nothing here is compared exactly with
 * rseg: the samplers are checked against exact distributions, the fast table samplers against naive person-level
 * simulations, and the summaries against rseg's stochastic reference records with tolerances derived from their
 * Monte Carlo error. Everything is seeded, so the tests are deterministic.
 */
import { describe, expect, it } from 'vitest';
import { expectedAndBootstrap, expectedUnderRandom, hypergeometricMoments, inferScopes, methodText, type ScopeInference } from '../../pipelines/measures/inference.ts';
import { logFactorial, Random } from '../../pipelines/measures/random.ts';
import { twoGroupIndices } from '../../pipelines/measures/two-group.ts';
import { column, countTable, loadData, loadExpected } from './reference-data.ts';

function momentsOf(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = draw();
    s += v;
    ss += v * v;
  }
  const mean = s / n;
  return { mean, variance: (ss - n * mean * mean) / (n - 1) };
}

/** Pearson chi-square of observed counts against expected probabilities (cells with tiny expectation pooled). */
function chiSquare(observed: number[], probs: number[], n: number): { stat: number; df: number } {
  let stat = 0;
  let df = -1;
  let pooledO = 0;
  let pooledE = 0;
  observed.forEach((o, k) => {
    const e = (probs[k] as number) * n;
    if (e < 5) {
      pooledO += o;
      pooledE += e;
      return;
    }
    stat += ((o - e) * (o - e)) / e;
    df++;
  });
  if (pooledE > 0) {
    stat += ((pooledO - pooledE) * (pooledO - pooledE)) / Math.max(pooledE, 1e-9);
    df++;
  }
  return { stat, df };
}

function lchoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

describe('Random', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const sa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(sa);
    expect(new Random([1, '0180', 2025]).uniform()).toBe(new Random([1, '0180', 2025]).uniform());
    expect(new Random([1, '0180', 2025]).uniform()).not.toBe(new Random([1, '0181', 2025]).uniform());
  });

  it('gives uniforms on [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Random(1);
    let min = 1;
    let max = 0;
    const m = momentsOf(() => {
      const u = r.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      return u;
    }, 200_000);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / 200_000));
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('logFactorial is exact and continuous where summed logs hand over to Stirling', () => {
    let exact = 0;
    for (let k = 2; k <= 5000; k++) {
      exact += Math.log(k);
      if (k >= 1000 && k % 500 === 0) expect(Math.abs(logFactorial(k) - exact) / exact).toBeLessThan(1e-13);
    }
    for (const k of [1024, 65_536]) expect(Math.abs(logFactorial(k) - logFactorial(k - 1) - Math.log(k))).toBeLessThan(1e-9);
    // Beyond the table, against the exact sum.
    let big = exact;
    for (let k = 5001; k <= 70_000; k++) big += Math.log(k);
    expect(Math.abs(logFactorial(70_000) - big) / big).toBeLessThan(1e-12);
  });

  it('binomial draws follow the exact distribution (small n) and have the right moments (large n)', () => {
    const r = new Random(11);
    // The first three take the chop-down inversion (n·p < 10), the others BTRS (n·min(p, 1−p) >= 10).
    for (const [n, p] of [[12, 0.3], [40, 0.9], [7, 0.02], [200, 0.3], [60, 0.5], [1000, 0.012], [150, 0.85]] as const) {
      const draws = 200_000;
      const obs = new Array<number>(n + 1).fill(0);
      for (let i = 0; i < draws; i++) obs[r.binomial(n, p)]!++;
      const probs = obs.map((_, k) => Math.exp(lchoose(n, k) + k * Math.log(p) + (n - k) * Math.log(1 - p)));
      const { stat, df } = chiSquare(obs, probs, draws);
      // 99.99th percentile of chi-square is below df + 8·sqrt(2 df) + 15 for these df.
      expect(stat, `Binomial(${n}, ${p})`).toBeLessThan(df + 8 * Math.sqrt(2 * df) + 15);
    }
    for (const [n, p] of [[20_000, 0.05], [1_000_000, 0.5], [3000, 0.999], [500, 1e-4]] as const) {
      const m = momentsOf(() => r.binomial(n, p), 20_000);
      const v = n * p * (1 - p);
      expect(Math.abs(m.mean - n * p), `mean Binomial(${n}, ${p})`).toBeLessThan(5 * Math.sqrt(v / 20_000));
      expect(Math.abs(m.variance / v - 1), `variance Binomial(${n}, ${p})`).toBeLessThan(0.06);
    }
    expect(r.binomial(0, 0.5)).toBe(0);
    expect(r.binomial(10, 0)).toBe(0);
    expect(r.binomial(10, 1)).toBe(10);
  });

  it('hypergeometric draws follow the exact distribution (small) and have the right moments (large)', () => {
    const r = new Random(12);
    // Variance < 9 takes the chop-down inversion, the rest HRUA (with each of its symmetry branches).
    for (const [N, K, n] of [[50, 20, 10], [30, 25, 12], [200, 3, 150], [2000, 600, 150], [500, 400, 300], [1000, 200, 900], [400, 380, 60]] as const) {
      const draws = 200_000;
      const obs = new Array<number>(Math.min(n, K) + 1).fill(0);
      for (let i = 0; i < draws; i++) obs[r.hypergeometric(N, K, n)]!++;
      const probs = obs.map((_, k) => (k < n - (N - K) ? 0 : Math.exp(lchoose(K, k) + lchoose(N - K, n - k) - lchoose(N, n))));
      const { stat, df } = chiSquare(obs, probs, draws);
      expect(stat, `Hypergeometric(${N}, ${K}, ${n})`).toBeLessThan(df + 8 * Math.sqrt(2 * df) + 15);
    }
    for (const [N, K, n] of [[20_000, 1000, 1500], [1_000_000, 400_000, 2500], [5000, 4990, 4000]] as const) {
      const m = momentsOf(() => r.hypergeometric(N, K, n), 20_000);
      const mean = (n * K) / N;
      const v = ((n * K) / N) * (1 - K / N) * ((N - n) / (N - 1));
      expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(v / 20_000));
      expect(Math.abs(m.variance / v - 1)).toBeLessThan(0.06);
    }
    expect(r.hypergeometric(10, 10, 4)).toBe(4);
    expect(r.hypergeometric(10, 3, 10)).toBe(3);
    expect(r.hypergeometric(10, 0, 5)).toBe(0);
  });
});

const unequal = loadData('hm_two_unequal');
const x = column(unequal, 'g1').map(Number);
const y = column(unequal, 'g2').map(Number);
const pairs = countTable(unequal, ['g1', 'g2']);

/** D of the table that results from shuffling every person (labels) and cutting the row into units of the observed sizes. */
function naiveRandomAllocationD(rng: Random): number {
  const X = x.reduce((a, b) => a + b, 0);
  const sizes = x.map((v, i) => v + (y[i] as number));
  const T = sizes.reduce((a, b) => a + b, 0);
  const labels = new Uint8Array(T);
  labels.fill(1, 0, X);
  for (let i = T - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const tmp = labels[i] as number;
    labels[i] = labels[j] as number;
    labels[j] = tmp;
  }
  const xs: number[] = [];
  const ys: number[] = [];
  let pos = 0;
  for (const s of sizes) {
    let c = 0;
    for (let k = 0; k < s; k++) c += labels[pos + k] as number;
    pos += s;
    xs.push(c);
    ys.push(s - c);
  }
  return twoGroupIndices(xs, ys).values.D as number;
}

/** D of T people drawn one by one with replacement from the observed cells. */
function naiveBootstrapD(rng: Random): number {
  const cells = Array.from(pairs);
  const T = cells.reduce((a, b) => a + b, 0);
  const cum: number[] = [];
  cells.reduce((acc, v) => (cum.push(acc + v), acc + v), 0);
  const out = new Array<number>(cells.length).fill(0);
  for (let p = 0; p < T; p++) {
    const u = rng.uniform() * T;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    out[lo]!++;
  }
  return twoGroupIndices(out.filter((_, c) => c % 2 === 0), out.filter((_, c) => c % 2 === 1)).values.D as number;
}

describe('expectedUnderRandom and hypergeometricMoments', () => {
  it('the closed-form mean absolute deviation and the Taylor E[X ln X] equal the full sums over the support', () => {
    const out = new Float64Array(2);
    for (const [N, K, n] of [[100, 30, 20], [1000, 123, 77], [5000, 4000, 900], [50, 7, 3], [20_000, 600, 1000], [3000, 1000, 100], [200_000, 40_000, 1500]] as const) {
      let mad = 0;
      let xlx = 0;
      const mu = (n * K) / N;
      for (let v = Math.max(0, n - (N - K)); v <= Math.min(n, K); v++) {
        const p = Math.exp(lchoose(K, v) + lchoose(N - K, n - v) - lchoose(N, n));
        mad += p * Math.abs(v - mu);
        xlx += v > 0 ? p * v * Math.log(v) : 0;
      }
      hypergeometricMoments(N, K, n, out);
      expect(Math.abs((out[0] as number) - mad), `MAD ${N} ${K} ${n}`).toBeLessThan(1e-9 * Math.max(1, mad));
      // Taylor from μ = 20 up: below 1e-4 absolute (μ ln μ is in the hundreds there).
      expect(Math.abs((out[1] as number) - xlx), `E[X ln X] ${N} ${K} ${n}`).toBeLessThan(mu >= 20 ? 1e-4 : 1e-9 * Math.max(1, xlx));
    }
  });

  it('equals the mean of shuffling individuals (D) and rseg dissimilarity_expected / mutual_total_expected', () => {
    const exact = expectedUnderRandom(pairs, 2);
    expect(exact).not.toBeNull();
    const rng = new Random('naive allocation');
    const draws = 4000;
    const m = momentsOf(() => naiveRandomAllocationD(rng), draws);
    expect(Math.abs(m.mean - (exact?.D as number))).toBeLessThan(4 * Math.sqrt(m.variance / draws));
    const recs = loadExpected('hm_two_unequal').records;
    const ref = (id: string): number => recs.find((r) => r.index === id && r.library === 'rseg')?.value as number;
    // rseg averaged 200 simulated tables: its Monte Carlo error is sd/√200 (sd of D from the shuffles above).
    expect(Math.abs((exact?.D as number) - ref('D_expected_under_random'))).toBeLessThan(4 * Math.sqrt(m.variance / 200));
    // M under random allocation is ≈ χ²((m−1)(K−1)) / 2T, so its sd ≈ E[M]·√(2/df).
    const df = x.length - 1;
    const sdM = (exact?.M as number) * Math.sqrt(2 / df);
    expect(Math.abs((exact?.M as number) - ref('M_expected_under_random'))).toBeLessThan(4 * sdM / Math.sqrt(200));
    // ... and the same per cell of a multigroup table: expected values fall below the observed ones.
    const t = countTable(loadData('hm_multi_basic'), ['grpA', 'grpB', 'grpC']);
    const e3 = expectedUnderRandom(t, 3);
    expect(e3?.D).toBeGreaterThan(0);
    expect(e3?.H).toBeGreaterThan(0);
  });
});

describe('expectedAndBootstrap', () => {
  const big = expectedAndBootstrap(pairs, 2, { draws: 2000, seed: 42 });

  it('is reproducible with a seed and changes with it', () => {
    const a = expectedAndBootstrap(pairs, 2, { draws: 50, seed: 5 });
    const b = expectedAndBootstrap(pairs, 2, { draws: 50, seed: 5 });
    const c = expectedAndBootstrap(pairs, 2, { draws: 50, seed: 6 });
    expect(a).toEqual(b);
    expect(a.D?.ciLow).not.toBe(c.D?.ciLow);
    expect(a.D?.expected).toBe(c.D?.expected);
  });

  it('reports the point estimates of D, H and M exactly', () => {
    const two = twoGroupIndices(x, y);
    expect(big.status).toBe('ok');
    expect(Math.abs((big.D?.estimate as number) - (two.values.D as number))).toBeLessThan(1e-15);
    expect(Math.abs((big.H?.estimate as number) - (two.values.H_two_group as number))).toBeLessThan(1e-14);
    expect(big.bootstrapDrawsUsed).toBe(2000);
    expect(big.drawFailure).toBeNull();
  });

  it('agrees with rseg\'s debiased bootstrap M', () => {
    const recs = loadExpected('hm_two_unequal').records;
    const ref = (id: string): number => recs.find((r) => r.index === id && r.library === 'rseg')?.value as number;
    const tol = 4 * (big.M?.bootstrapSe as number) * Math.sqrt(1 / 200 + 1 / 2000);
    expect(Math.abs((big.M?.debiased as number) - ref('M_bootstrap_debiased'))).toBeLessThan(tol);
  });

  it('the conditional-binomial bootstrap matches drawing people one at a time', () => {
    const rng = new Random('naive bootstrap');
    const m = momentsOf(() => naiveBootstrapD(rng), 2000);
    const se = Math.sqrt(m.variance / 2000 + (big.D?.bootstrapSe as number) ** 2 / 2000);
    expect(Math.abs(m.mean - (big.D?.bootstrapMean as number))).toBeLessThan(4 * se);
    expect(Math.abs(Math.sqrt(m.variance) / (big.D?.bootstrapSe as number) - 1)).toBeLessThan(0.1);
  });

  it('summarises as bias-corrected estimate ± z·√(se² + bias²): holds both estimates, expected well below', () => {
    for (const s of [big.D, big.H, big.M]) {
      expect(s).not.toBeNull();
      const v = s as NonNullable<typeof s>;
      const bias = (v.bootstrapMean as number) - v.estimate;
      expect(Math.abs((v.bias as number) - bias)).toBeLessThan(1e-15);
      expect(Math.abs((v.debiased as number) - (2 * v.estimate - (v.bootstrapMean as number)))).toBeLessThan(1e-15);
      const half = 1.959963984540054 * Math.sqrt((v.bootstrapSe as number) ** 2 + bias * bias);
      expect(Math.abs((v.ciLow as number) - Math.max(0, (v.debiased as number) - half))).toBeLessThan(1e-9);
      expect(Math.abs((v.ciHigh as number) - ((v.debiased as number) + half))).toBeLessThan(1e-9);
      expect(v.ciLow as number).toBeLessThanOrEqual(Math.min(v.estimate, v.biasCorrected as number));
      expect(v.ciHigh as number).toBeGreaterThanOrEqual(Math.max(v.estimate, v.biasCorrected as number));
      expect(v.expected as number).toBeGreaterThan(0);
      expect(v.expected as number).toBeLessThan(v.estimate / 3);
    }
  });

  it('clamps to the index range: a table with no segregation gets a lower bound of 0, never below', () => {
    // Ten equal units of 30 + 270: D = 0, all of the bootstrap's D is bias, so debiased < 0.
    const even = Float64Array.from(Array.from({ length: 20 }, (_, c) => (c % 2 === 0 ? 30 : 270)));
    const r = expectedAndBootstrap(even, 2, { draws: 200, seed: 1 });
    for (const s of [r.D, r.H, r.M]) {
      expect(s?.debiased as number).toBeLessThan(0);
      expect(s?.biasCorrected).toBe(0);
      expect(s?.ciLow).toBe(0);
      expect(s?.ciHigh as number).toBeGreaterThan(0);
      expect(s?.estimate as number).toBeLessThanOrEqual(s?.ciHigh as number);
    }
  });

  it('works for K > 2 (multigroup D and H) and skips either method on request', () => {
    const d = loadData('hm_multi_basic');
    const t = countTable(d, ['grpA', 'grpB', 'grpC']);
    const r = expectedAndBootstrap(t, 3, { draws: 100, seed: 3, bootstrap: false });
    expect(r.status).toBe('ok');
    expect(r.nUnits).toBe(4);
    expect(r.D?.expected).toBeGreaterThan(0);
    expect(r.D?.bootstrapMean).toBeNull();
    expect(r.D?.ciLow).toBeNull();
    const b = expectedAndBootstrap(t, 3, { draws: 100, seed: 3, expected: false });
    expect(b.D?.expected).toBeNull();
    expect(b.D?.ciLow).not.toBeNull();
  });

  it('drops bootstrap tables that lose a group, and says why', () => {
    // One person of the focal group: about e^-1 of resamples have nobody of that group.
    const r = expectedAndBootstrap(Float64Array.from([1, 50, 0, 60, 0, 40]), 2, { draws: 300, seed: 9 });
    expect(r.status).toBe('ok');
    expect(r.bootstrapDrawsUsed).toBeLessThan(300);
    expect(r.bootstrapDrawsUsed).toBeGreaterThan(100);
    expect(r.drawFailure).toBe('single_group');
  });

  it('returns nulls for undefined sets and validates its options', () => {
    expect(expectedAndBootstrap([30, 70], 2, { draws: 10, seed: 1 }).status).toBe('single_unit');
    expect(expectedAndBootstrap([30, 70], 2, { draws: 10, seed: 1 }).D).toBeNull();
    expect(() => expectedAndBootstrap(pairs, 2, { draws: -1, seed: 1 })).toThrow(RangeError);
    expect(() => expectedAndBootstrap(pairs, 2, { draws: 10, seed: 1, confidence: 1 })).toThrow(RangeError);
  });
});

describe('inferScopes', () => {
  it('a kommun scope of the shared draws is the multinomial bootstrap of its own table', () => {
    // Two strata; scope 0 = stratum 0 alone, scope 1 = both. Stratum 0's replicates are exactly those of a
    // bootstrap of its table alone only in distribution, so compare moments.
    const a = Float64Array.from(pairs);
    const b = Float64Array.from(pairs).reverse();
    const both = new Float64Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    const m = a.length / 2;
    const r = inferScopes(both, 2, Uint32Array.from([0, m, 2 * m]), [{ strataFrom: 0, strataTo: 1 }, { strataFrom: 0, strataTo: 2 }], { draws: 2000, seed: 7 });
    const alone = expectedAndBootstrap(a, 2, { draws: 2000, seed: 8 });
    const s0 = r[0]?.D as NonNullable<ScopeInference['D']>;
    expect(Math.abs((s0.estimate as number) - (alone.D?.estimate as number))).toBeLessThan(1e-14);
    expect(s0.expected).toBeCloseTo(alone.D?.expected as number, 14);
    expect(Math.abs((s0.bootstrapSe as number) / (alone.D?.bootstrapSe as number) - 1)).toBeLessThan(0.1);
    const se = (alone.D?.bootstrapSe as number) * Math.sqrt(2 / 2000);
    expect(Math.abs((s0.bootstrapMean as number) - (alone.D?.bootstrapMean as number))).toBeLessThan(4 * se);
    expect(r[1]?.status).toBe('ok');
    expect(r[1]?.D?.ciLow as number).toBeLessThanOrEqual(r[1]?.D?.estimate as number);
  });
});

describe('methodText', () => {
  it('names the draws and the level and says what the interval holds, in Swedish', () => {
    const t = methodText(200);
    expect(t).toContain('200 bootstrapdragningar');
    expect(t).toContain('95-procentigt');
    expect(t).toContain('innehåller alltid både det observerade och det korrigerade värdet');
    expect(t).toContain('aldrig ensam ett belägg');
    expect(methodText(500, 0.9)).toContain('500 bootstrapdragningar');
    expect(methodText(500, 0.9)).toContain('90-procentigt');
  });

  it('in English from the same wording key, with the same numbers', () => {
    const t = methodText(500, 0.9, 'en');
    expect(t).toContain('a 90 per cent uncertainty interval from 500 bootstrap draws');
    expect(t).toContain('always contains both the observed and the corrected value');
    expect(t).not.toMatch(/bootstrapdragningar|procentigt/);
  });
});
