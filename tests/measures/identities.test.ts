/**
 * Identities that must hold on any table (METHODS.md §3–§5), checked on seeded random tables of varied shape,
 * including zeros, plus the O(n log n) Gini against its O(n²) definition.
 */
import { describe, expect, it } from 'vitest';
import { decomposeMH } from '../../pipelines/measures/decomposition.ts';
import { multigroupIndices } from '../../pipelines/measures/multigroup.ts';
import { Random } from '../../pipelines/measures/random.ts';
import { twoGroupIndices } from '../../pipelines/measures/two-group.ts';

const TOL = 1e-12;

/** A units × groups table with uneven sizes, some zero cells and the occasional empty unit. */
function randomTable(rng: Random, n: number, K: number): Float64Array {
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) {
    const empty = rng.uniform() < 0.05;
    const size = Math.floor(10 + rng.uniform() * 3000);
    for (let k = 0; k < K; k++) {
      if (empty || rng.uniform() < 0.1) continue;
      const share = Math.pow(rng.uniform(), 2);
      out[i * K + k] = Math.floor(size * share);
    }
  }
  return out;
}

function column(t: Float64Array, K: number, k: number): Float64Array {
  const n = t.length / K;
  return Float64Array.from({ length: n }, (_, i) => t[i * K + k] as number);
}

function rest(t: Float64Array, K: number, k: number): Float64Array {
  const n = t.length / K;
  return Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < K; j++) if (j !== k) s += t[i * K + j] as number;
    return s;
  });
}

const CASES = Array.from({ length: 40 }, (_, c) => ({ seed: c + 1, n: 2 + ((c * 7) % 60), K: 2 + (c % 5) }));

describe('identities on random tables', () => {
  it('H · E = M for the multigroup indices', () => {
    let checked = 0;
    for (const { seed, n, K } of CASES) {
      const m = multigroupIndices(randomTable(new Random(seed), n, K), K);
      if (m.status !== 'ok') continue;
      checked++;
      expect(Math.abs((m.values.multi_H_information_theory as number) * (m.entropy as number) - (m.values.multi_M_divergence as number))).toBeLessThan(TOL);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('with K = 2 the multigroup indices equal D, Gini, H and V', () => {
    let checked = 0;
    for (const { seed, n } of CASES) {
      const t = randomTable(new Random(seed), n, 2);
      const m = multigroupIndices(t, 2);
      const two = twoGroupIndices(column(t, 2, 0), column(t, 2, 1));
      expect(m.status).toBe(two.status);
      if (two.status !== 'ok') continue;
      checked++;
      const v = two.values;
      const pairs: Array<[number | null, number | null]> = [
        [m.values.multi_D, v.D],
        [m.values.multi_Gini, v.Gini],
        [m.values.multi_H_information_theory, v.H_two_group],
        [m.values.multi_normalized_exposure, v.correlation_ratio_V],
        [m.values.multi_relative_diversity, v.correlation_ratio_V],
        [m.values.multi_squared_coef_variation, v.correlation_ratio_V],
      ];
      for (const [a, b] of pairs) expect(Math.abs((a as number) - (b as number))).toBeLessThan(TOL);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('total = between + within for M and H, and the within terms add up per region', () => {
    let checked = 0;
    for (const { seed, n, K } of CASES) {
      const rng = new Random([seed, 'regions']);
      const t = randomTable(rng, n, K);
      const nRegions = 1 + (seed % 6);
      const region = Uint32Array.from({ length: n }, () => Math.floor(rng.uniform() * nRegions));
      const d = decomposeMH(t, K, region, nRegions);
      if (d.status !== 'ok') continue;
      checked++;
      const v = d.values as Record<string, number>;
      expect(Math.abs((v.M_between as number) + (v.M_within as number) - (v.M_total as number))).toBeLessThan(TOL);
      expect(Math.abs((v.H_between as number) + (v.H_within as number) - (v.H_total as number))).toBeLessThan(TOL);
      expect(Math.abs((v.M_total as number) - (multigroupIndices(t, K).values.multi_M_divergence as number))).toBeLessThan(TOL);
      let sumM = 0;
      let sumH = 0;
      for (const r of d.regions) {
        sumM += r.p * (r.M ?? 0);
        sumH += r.p * (r.entropyRatio ?? 0) * (r.H ?? 0);
      }
      expect(Math.abs(sumM - (v.M_within as number))).toBeLessThan(TOL);
      expect(Math.abs(sumH - (v.H_within as number))).toBeLessThan(TOL);
      // M_between is M of the region × group table.
      const agg = new Float64Array(nRegions * K);
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) agg[(region[i] as number) * K + k] = (agg[(region[i] as number) * K + k] as number) + (t[i * K + k] as number);
      const between = multigroupIndices(agg, K);
      if (between.status === 'ok') expect(Math.abs((between.values.multi_M_divergence as number) - (v.M_between as number))).toBeLessThan(TOL);
      else expect(Math.abs(v.M_between as number)).toBeLessThan(TOL);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('the sorted Gini equals the pairwise definition; D equals ½ Σ |x/X − y/Y|', () => {
    let checked = 0;
    for (const { seed, n, K } of CASES) {
      const t = randomTable(new Random(seed), n, K);
      const x = column(t, K, 0);
      const y = rest(t, K, 0);
      const r = twoGroupIndices(x, y);
      if (r.status !== 'ok') continue;
      checked++;
      let X = 0;
      let Y = 0;
      for (let i = 0; i < n; i++) {
        X += x[i] as number;
        Y += y[i] as number;
      }
      const T = X + Y;
      const P = X / T;
      let pair = 0;
      let d = 0;
      for (let i = 0; i < n; i++) {
        const ti = (x[i] as number) + (y[i] as number);
        d += Math.abs((x[i] as number) / X - (y[i] as number) / Y);
        if (ti === 0) continue;
        for (let j = 0; j < n; j++) {
          const tj = (x[j] as number) + (y[j] as number);
          if (tj === 0) continue;
          pair += ti * tj * Math.abs((x[i] as number) / ti - (x[j] as number) / tj);
        }
      }
      expect(Math.abs(pair / (2 * T * T * P * (1 - P)) - (r.values.Gini as number))).toBeLessThan(TOL);
      expect(Math.abs(d / 2 - (r.values.D as number))).toBeLessThan(TOL);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('symmetric indices do not depend on which group is focal; xPx + xPy = 1; V = (xPx − P)/(1 − P)', () => {
    let checked = 0;
    for (const { seed, n, K } of CASES) {
      const t = randomTable(new Random(seed), n, K);
      const x = column(t, K, 0);
      const y = rest(t, K, 0);
      const a = twoGroupIndices(x, y);
      const b = twoGroupIndices(y, x);
      if (a.status !== 'ok') continue;
      checked++;
      for (const id of ['D', 'Gini', 'H_two_group', 'correlation_ratio_V', 'atkinson_b0.5'] as const) {
        expect(Math.abs((a.values[id] as number) - (b.values[id] as number)), id).toBeLessThan(TOL);
      }
      expect(Math.abs((a.values.isolation_xPx as number) + (a.values.interaction_xPy as number) - 1)).toBeLessThan(TOL);
      const P = a.focalTotal / a.total;
      expect(Math.abs(((a.values.isolation_xPx as number) - P) / (1 - P) - (a.values.correlation_ratio_V as number))).toBeLessThan(1e-10);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('the Atkinson b = 0.5 fast path agrees with the general formula', () => {
    let checked = 0;
    for (const { seed, n } of CASES) {
      const t = randomTable(new Random(seed), n, 2);
      const x = column(t, 2, 0);
      const y = column(t, 2, 1);
      const near = twoGroupIndices(x, y, { atkinson: [0.5, 0.5000000001] });
      if (near.status !== 'ok') continue;
      checked++;
      expect(Math.abs((near.values['atkinson_b0.5'] as number) - (near.values['atkinson_b0.5000000001'] as number))).toBeLessThan(1e-8);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('indices do not depend on the order of units or of groups', () => {
    let checked = 0;
    for (const { seed, n, K } of CASES.slice(0, 15)) {
      const rng = new Random([seed, 'perm']);
      const t = randomTable(rng, n, K);
      const perm = Array.from({ length: n }, (_, i) => i).sort(() => rng.uniform() - 0.5);
      const gperm = Array.from({ length: K }, (_, k) => K - 1 - k);
      const shuffled = new Float64Array(n * K);
      perm.forEach((src, dst) => gperm.forEach((gs, gd) => (shuffled[dst * K + gd] = t[src * K + gs] as number)));
      const a = multigroupIndices(t, K);
      const b = multigroupIndices(shuffled, K);
      if (a.status !== 'ok') continue;
      checked++;
      for (const [id, v] of Object.entries(a.values)) expect(Math.abs((v as number) - (b.values[id as keyof typeof b.values] as number)), id).toBeLessThan(TOL);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('stays exact on large integer counts (a national table of 10 million people)', () => {
    const rng = new Random(99);
    const n = 6000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const size = 800 + Math.floor(rng.uniform() * 2000);
      x[i] = Math.floor(size * rng.uniform() * 0.6);
      y[i] = size - (x[i] as number);
    }
    const r = twoGroupIndices(x, y);
    const m = multigroupIndices(Float64Array.from({ length: 2 * n }, (_, c) => (c % 2 === 0 ? x[c / 2] : y[(c - 1) / 2]) as number), 2);
    expect(Math.abs((r.values.Gini as number) - (m.values.multi_Gini as number))).toBeLessThan(TOL);
    expect(Math.abs((r.values.D as number) - (m.values.multi_D as number))).toBeLessThan(TOL);
  });
});
