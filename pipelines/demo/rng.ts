/**
 * A small seeded PRNG for the demo world. Every part of the world draws from its own named stream
 * (`createRng(seed, 'deso-pop')`), so adding a draw in one part never shifts the numbers of another and a
 * change to, say, the tenure model leaves population and codes byte-identical.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  normal(mean?: number, sd?: number): number;
  /** Beta(a, b) via two gamma draws; used for shares that must stay inside (0, 1). */
  beta(a: number, b: number): number;
  /** Binomial(n, p): exact for small n, normal approximation (rounded, clamped) above. */
  binomial(n: number, p: number): number;
  /** Index drawn with probability proportional to weights (all ≥ 0, not all 0). */
  weighted(weights: readonly number[]): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
}

export function createRng(seed: number, stream = ''): Rng {
  // FNV-1a over the stream name, mixed with the seed through a splitmix32 finaliser, gives well separated
  // starting states even for seeds that differ in one bit.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ Math.floor(seed / 0x100000000), 0x01000193);
  let state = mix32(h >>> 0);
  let spare: number | null = null;

  // mulberry32: 32-bit state, passes the usual smoke tests and is far faster than anything crypto-grade.
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const normal = (mean = 0, sd = 1): number => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return mean + sd * v;
    }
    // Box–Muller; 1 - next() keeps the log argument away from 0.
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  };

  const gamma = (shape: number): number => {
    // Marsaglia–Tsang; shapes below 1 use the boost gamma(a) = gamma(a + 1) * U^(1/a).
    if (shape < 1) return gamma(shape + 1) * Math.pow(1 - next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  };

  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal,
    beta: (a, b) => {
      const x = gamma(a);
      return x / (x + gamma(b));
    },
    binomial: (n, p) => {
      if (n <= 0 || p <= 0) return 0;
      if (p >= 1) return n;
      if (n <= 40) {
        let k = 0;
        for (let i = 0; i < n; i++) if (next() < p) k++;
        return k;
      }
      const k = Math.round(normal(n * p, Math.sqrt(n * p * (1 - p))));
      return Math.min(n, Math.max(0, k));
    },
    weighted: (weights) => {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i] ?? 0;
        if (r < 0) return i;
      }
      // Rounding can leave r a hair above 0 after the loop; the last positive weight is the right answer.
      for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] ?? 0) > 0) return i;
      return 0;
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const a = items[i] as (typeof items)[number];
        items[i] = items[j] as (typeof items)[number];
        items[j] = a;
      }
      return items;
    },
  };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
