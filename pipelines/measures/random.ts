/**
 * Seeded random numbers for the simulation methods of METHODS.md §8: xoshiro128** (Blackman & Vigna) with
 * 53-bit uniforms, and exact binomial and hypergeometric samplers that cost O(sd) rather than O(n), which is what
 * makes 200 draws × 2,610 kommun-years of ~20,000 people each feasible.
 *
 * Math.random cannot be seeded, and results must be reproducible run to run, so this is hand-rolled.
 */
export class Random {
  // Four int32 words. Plain fields measured 2× faster than an Int32Array here; V8 keeps them as unboxed doubles.
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** `seed` may be any number (its 32-bit pattern is used) or a string (hashed), or a list of both. */
  constructor(seed: number | string | readonly (number | string)[]) {
    let h = 0x811c9dc5;
    for (const part of Array.isArray(seed) ? seed : [seed]) h = mix(h, part as number | string);
    this.s0 = h = splitmix32(h);
    this.s1 = h = splitmix32(h);
    this.s2 = h = splitmix32(h);
    this.s3 = h = splitmix32(h);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** xoshiro128**. */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = this.s2 ^ s0;
    const n3 = this.s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Binomial(n, p) for integer n >= 0. */
  binomial(n: number, p: number): number {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (p > 0.5) return n - this.binomial(n, 1 - p);
    if (n * p < 10) return this.binomialChopDown(n, p);
    return this.binomialBtrs(n, p);
  }

  /**
   * Exact inversion over the support enumerated outward from the mode, alternating sides; expected length
   * proportional to the standard deviation, so only used while that is small.
   */
  private binomialChopDown(n: number, p: number): number {
    let mode = Math.floor((n + 1) * p);
    if (mode > n) mode = n;
    const odds = p / (1 - p);
    const pm = Math.exp(logFactorial(n) - logFactorial(mode) - logFactorial(n - mode) + mode * Math.log(p) + (n - mode) * Math.log1p(-p));
    let u = this.uniform() - pm;
    if (u <= 0) return mode;
    let lo = mode;
    let hi = mode;
    let pLo = pm;
    let pHi = pm;
    for (;;) {
      if (hi < n) {
        pHi *= ((n - hi) / (hi + 1)) * odds;
        hi++;
        u -= pHi;
        if (u <= 0) return hi;
      } else pHi = 0;
      if (lo > 0) {
        pLo *= lo / (n - lo + 1) / odds;
        lo--;
        u -= pLo;
        if (u <= 0) return lo;
      } else pLo = 0;
      // What is left of u is rounding error; the unvisited mass is negligible.
      if (pHi < 1e-20 && pLo < 1e-20) return mode;
    }
  }

  /**
   * BTRS, transformed rejection with squeeze (Hörmann 1993, "The generation of binomial random variates"), for
   * p <= 0.5 and n·p >= 10. About 1.15 pairs of uniforms per variate; the exact test compares
   * log(f(k)/f(mode)) via log-factorials.
   */
  private binomialBtrs(n: number, p: number): number {
    const q = 1 - p;
    const spq = Math.sqrt(n * p * q);
    const b = 1.15 + 2.53 * spq;
    const a = -0.0873 + 0.0248 * b + 0.01 * p;
    const c = n * p + 0.5;
    const vr = 0.92 - 4.2 / b;
    // The exact test's constants are needed only when the squeeze rejects (about 1 draw in 7), so they are made
    // then: the setup was most of a variate's cost (the draws consumed, and so the results, are unchanged).
    let alpha = 0;
    let lpq = 0;
    let m = -1;
    let h = 0;
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + c);
      if (k < 0 || k > n) continue;
      if (us >= 0.07 && v <= vr) return k;
      if (m < 0) {
        alpha = (2.83 + 5.1 / b) * spq;
        lpq = Math.log(p / q);
        m = Math.floor((n + 1) * p);
        h = logFactorial(m) + logFactorial(n - m);
      }
      const lv = Math.log((v * alpha) / (a / (us * us) + b));
      if (lv <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
    }
  }

  /**
   * Hypergeometric: successes when drawing `draws` without replacement from a population of `population` of which
   * `successes` are successes. All arguments are non-negative integers with successes, draws <= population.
   */
  hypergeometric(population: number, successes: number, draws: number): number {
    const N = population;
    const K = successes;
    const n = draws;
    if (n === 0 || K === 0) return 0;
    if (K === N) return n;
    if (n === N) return K;
    const variance = (((n * K) / N) * (N - K) * (N - n)) / (N * (N - 1));
    return variance < 9 ? this.hypergeometricChopDown(N, K, n) : this.hypergeometricHrua(N, K, n);
  }

  private hypergeometricChopDown(N: number, K: number, n: number): number {
    const lo0 = Math.max(0, n - (N - K));
    const hi0 = Math.min(n, K);
    if (lo0 === hi0) return lo0;
    let mode = Math.floor(((n + 1) * (K + 1)) / (N + 2));
    if (mode < lo0) mode = lo0;
    if (mode > hi0) mode = hi0;
    const F = N - K;
    const pm = Math.exp(
      logFactorial(K) - logFactorial(mode) - logFactorial(K - mode) +
        logFactorial(F) - logFactorial(n - mode) - logFactorial(F - n + mode) -
        (logFactorial(N) - logFactorial(n) - logFactorial(N - n)),
    );
    let u = this.uniform() - pm;
    if (u <= 0) return mode;
    let lo = mode;
    let hi = mode;
    let pLo = pm;
    let pHi = pm;
    for (;;) {
      if (hi < hi0) {
        pHi *= ((K - hi) * (n - hi)) / ((hi + 1) * (F - n + hi + 1));
        hi++;
        u -= pHi;
        if (u <= 0) return hi;
      } else pHi = 0;
      if (lo > lo0) {
        pLo *= (lo * (F - n + lo)) / ((K - lo + 1) * (n - lo + 1));
        lo--;
        u -= pLo;
        if (u <= 0) return lo;
      } else pLo = 0;
      if (pHi < 1e-20 && pLo < 1e-20) return mode;
    }
  }

  /**
   * HRUA, ratio of uniforms under a "table mountain" hat (Stadlober 1989), as numpy uses it. The symmetries
   * reduce to draws <= N/2 and successes <= failures.
   */
  private hypergeometricHrua(N: number, good: number, sample: number): number {
    const bad = N - good;
    const n = Math.min(sample, N - sample);
    const M = Math.min(good, bad);
    const maxGoodBad = Math.max(good, bad);
    const p = M / N;
    const q = maxGoodBad / N;
    const a = n * p + 0.5;
    const c = Math.sqrt(((N - n) * n * p * q) / (N - 1) + 0.5);
    const h = HRUA_D1 * c + HRUA_D2;
    const m = Math.floor(((n + 1) * (M + 1)) / (N + 2));
    const g = logFactorial(m) + logFactorial(M - m) + logFactorial(n - m) + logFactorial(maxGoodBad - n + m);
    const bound = Math.min(Math.min(n, M) + 1, Math.floor(a + 16 * c));
    let k: number;
    for (;;) {
      const u = this.uniform();
      const v = this.uniform();
      const x = a + (h * (v - 0.5)) / u;
      if (x < 0 || x >= bound) continue;
      k = Math.floor(x);
      const t = g - (logFactorial(k) + logFactorial(M - k) + logFactorial(n - k) + logFactorial(maxGoodBad - n + k));
      if (u * (4 - u) - 3 <= t) break;
      if (u * (u - t) >= 1) continue;
      if (2 * Math.log(u) <= t) break;
    }
    if (good > bad) k = n - k;
    if (n < sample) k = good - k;
    return k;
  }
}

// 2·sqrt(2/e) and 3 − 2·sqrt(3/e).
const HRUA_D1 = 1.7155277699214135;
const HRUA_D2 = 0.8989161620588988;

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const STIRLING_FROM = 1024;
// 512 KB, filled on first use: kommun-sized populations then cost a lookup instead of a log (the samplers call
// this 4–10 times per variate).
const LOG_FACTORIAL_TABLE_SIZE = 1 << 16;
let logFactorialTable: Float64Array | null = null;

function stirling(k: number): number {
  const r = 1 / k;
  const r2 = r * r;
  return (k + 0.5) * Math.log(k) - k + HALF_LOG_2PI + r * (1 / 12 - r2 * (1 / 360 - r2 / 1260));
}

function buildLogFactorialTable(): Float64Array {
  const table = new Float64Array(LOG_FACTORIAL_TABLE_SIZE);
  for (let k = 2; k < STIRLING_FROM; k++) table[k] = (table[k - 1] as number) + Math.log(k);
  // Above 1024 each entry straight from Stirling's series (error < 1e-17), so no error accumulates.
  for (let k = STIRLING_FROM; k < LOG_FACTORIAL_TABLE_SIZE; k++) table[k] = stirling(k);
  return table;
}

/** ln k! for integer k >= 0: a table below 65,536, Stirling's series above. */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE_SIZE) return (logFactorialTable ??= buildLogFactorialTable())[k] as number;
  return stirling(k);
}

function splitmix32(a: number): number {
  a = (a + 0x9e3779b9) | 0;
  let t = a ^ (a >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  return t ^ (t >>> 15);
}

/** FNV-1a over a number's 32-bit pattern (plus its high part) or a string's UTF-16 units. */
function mix(h: number, part: number | string): number {
  if (typeof part === 'number') {
    const lo = part | 0;
    const hi = Math.floor(part / 4294967296) | 0;
    for (const w of [lo, hi, 0x6e756d]) {
      for (let b = 0; b < 4; b++) h = Math.imul(h ^ ((w >>> (8 * b)) & 0xff), 0x01000193);
    }
    return h;
  }
  for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0x73747200, 0x01000193);
}
