/**
 * Seeded random numbers for the simulation methods of METHODS.md §8: xoshiro128** (Blackman & Vigna) with
 * 53-bit uniforms, and exact binomial and hypergeometric samplers that cost O(sd) rather than O(n), which is what
 * makes 200 draws × 2,610 kommun-years of ~20,000 people each feasible.
 *
 * Math.random cannot be seeded, and results must be reproducible run to run, so this is hand-rolled.
 */
export class Random {
  // Int32Array keeps the state as raw 32-bit words; plain number fields would box values above 2^30 on the heap.
  private readonly s = new Int32Array(4);

  /** `seed` may be any number (its 32-bit pattern is used) or a string (hashed), or a list of both. */
  constructor(seed: number | string | readonly (number | string)[]) {
    let h = 0x811c9dc5;
    for (const part of Array.isArray(seed) ? seed : [seed]) h = mix(h, part as number | string);
    for (let i = 0; i < 4; i++) {
      h = splitmix32(h);
      this.s[i] = h;
    }
    if (this.s.every((w) => w === 0)) this.s[0] = 1;
  }

  nextUint32(): number {
    const s = this.s;
    const s0 = s[0] as number;
    const s1 = s[1] as number;
    const s2 = s[2] as number;
    const s3 = s[3] as number;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
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
    const q = 1 - p;
    let mode = Math.floor((n + 1) * p);
    if (mode > n) mode = n;
    const logPmf = logFactorial(n) - logFactorial(mode) - logFactorial(n - mode) + mode * Math.log(p) + (n - mode) * Math.log1p(-p);
    const odds = p / q;
    // Chop-down search from the mode outward, alternating sides: an exact inversion over a fixed enumeration of
    // the support whose expected length is proportional to the standard deviation.
    let u = this.uniform();
    const pm = Math.exp(logPmf);
    u -= pm;
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
        pLo *= (lo / (n - lo + 1)) / odds;
        lo--;
        u -= pLo;
        if (u <= 0) return lo;
      } else pLo = 0;
      // What is left of u is rounding error; the unvisited mass is below ~1e-20 per step.
      if (pHi < 1e-20 && pLo < 1e-20) return mode;
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
    const lo0 = Math.max(0, n - (N - K));
    const hi0 = Math.min(n, K);
    if (lo0 === hi0) return lo0;
    let mode = Math.floor(((n + 1) * (K + 1)) / (N + 2));
    if (mode < lo0) mode = lo0;
    if (mode > hi0) mode = hi0;
    const F = N - K;
    const logPmf =
      logFactorial(K) - logFactorial(mode) - logFactorial(K - mode) +
      logFactorial(F) - logFactorial(n - mode) - logFactorial(F - n + mode) -
      (logFactorial(N) - logFactorial(n) - logFactorial(N - n));
    let u = this.uniform();
    const pm = Math.exp(logPmf);
    u -= pm;
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
}

const LOG_FACTORIAL_TABLE_SIZE = 1024;
const LOG_FACTORIAL = (() => {
  const table = new Float64Array(LOG_FACTORIAL_TABLE_SIZE);
  for (let k = 2; k < LOG_FACTORIAL_TABLE_SIZE; k++) table[k] = (table[k - 1] as number) + Math.log(k);
  return table;
})();
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln k! for integer k >= 0: a table below 1024, Stirling's series (error < 1e-17 there) above. */
export function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE_SIZE) return LOG_FACTORIAL[k] as number;
  const r = 1 / k;
  const r2 = r * r;
  return (k + 0.5) * Math.log(k) - k + HALF_LOG_2PI + r * (1 / 12 - r2 * (1 / 360 - r2 / 1260));
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
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
