import type { IndexStatus, MultigroupIndexId } from './index-ids.ts';
import { margins } from './margins.ts';
import { scratchF64, scratchU32 } from './scratch.ts';
import { sortedPairSum } from './sorted-pair-sum.ts';

export type MultigroupValues = Record<MultigroupIndexId, number | null>;

export interface MultigroupResult {
  readonly status: IndexStatus;
  /** Units with t_i > 0. */
  readonly nUnits: number;
  /** T. */
  readonly total: number;
  /** N_k in input column order, including empty groups. */
  readonly groupTotals: Float64Array;
  /** K_eff: groups with N_k > 0. The squared coefficient of variation divides by K_eff − 1 (§2.2 step 2). */
  readonly nGroupsEffective: number;
  /** E = −Σ P_k ln P_k in nats (null unless ok). H·E = M. */
  readonly entropy: number | null;
  /** Simpson interaction I = Σ P_k (1 − P_k) (null unless ok). */
  readonly simpsonInteraction: number | null;
  readonly values: MultigroupValues;
}

/**
 * The multigroup indices of METHODS.md §4 for one unit set. `counts` is row-major units × groups:
 * counts[i * nGroups + k] = n_ik. Empty units and empty groups are dropped (§2.2 steps 1–2); M is in nats.
 *
 * As in the two-group code, each sum keeps integer numerators (n_ik T − t_i N_k) and divides once:
 *   D  = Σ_k Σ_i |n_ik T − t_i N_k| / (2 Σ_k N_k (T − N_k))
 *   G  = Σ_k S_k / Σ_k N_k (T − N_k),  S_k = ½ Σ_i Σ_j |n_ik t_j − n_jk t_i|
 *   with Q_k = Σ_i (n_ik T − t_i N_k)² / t_i = T² Σ_i t_i (p_ik − P_k)²:
 *   NE = Σ_k Q_k / (T² (T − N_k)),  RD = Σ_k Q_k / (T Σ_k N_k (T − N_k)),  C = Σ_k Q_k / (T² (K_eff − 1) N_k)
 */
export function multigroupIndices(counts: ArrayLike<number>, nGroups: number): MultigroupResult {
  const mg = margins(counts, nGroups);
  const values: MultigroupValues = {
    multi_D: null,
    multi_Gini: null,
    multi_H_information_theory: null,
    multi_M_divergence: null,
    multi_normalized_exposure: null,
    multi_relative_diversity: null,
    multi_squared_coef_variation: null,
  };
  const base = {
    status: mg.status,
    nUnits: mg.nUnits,
    total: mg.total,
    groupTotals: mg.groupTotals,
    nGroupsEffective: mg.nGroupsEffective,
  };
  if (mg.status !== 'ok') return { ...base, entropy: null, simpsonInteraction: null, values };

  const K = nGroups;
  const T = mg.total;
  const n = mg.unitTotals.length;
  const N = mg.groupTotals;
  const t = mg.unitTotals;

  // Populated units, compacted, for the per-group sorts of the Gini.
  const ts = scratchF64(3, mg.nUnits);
  const rows = scratchU32(1, mg.nUnits);
  for (let i = 0, m = 0; i < n; i++) {
    if ((t[i] as number) > 0) {
      ts[m] = t[i] as number;
      rows[m] = i;
      m++;
    }
  }
  const m = mg.nUnits;
  const col = scratchF64(4, m);

  let pairDen = 0; // Σ_k N_k (T − N_k) = T² I
  let entropy = 0;
  let dNum = 0;
  let giniNum = 0;
  let ne = 0;
  let cv = 0;
  let qSum = 0;
  let mSum = 0;
  for (let k = 0; k < K; k++) {
    const Nk = N[k] as number;
    if (Nk === 0) continue;
    pairDen += Nk * (T - Nk);
    const Pk = Nk / T;
    entropy -= Pk * Math.log(Pk);
    let dk = 0;
    let qk = 0;
    let mk = 0;
    for (let j = 0; j < m; j++) {
      const i = rows[j] as number;
      const nik = counts[i * K + k] as number;
      const ti = ts[j] as number;
      col[j] = nik;
      const dev = nik * T - ti * Nk;
      dk += Math.abs(dev);
      qk += (dev * dev) / ti;
      if (nik > 0) mk += nik * Math.log((nik * T) / (ti * Nk));
    }
    dNum += dk;
    qSum += qk;
    ne += qk / (T - Nk);
    cv += qk / Nk;
    mSum += mk;
    giniNum += sortedPairSum(col, ts, m);
  }
  const T2 = T * T;
  const M = mSum / T;
  values.multi_D = dNum / (2 * pairDen);
  values.multi_Gini = giniNum / pairDen;
  values.multi_M_divergence = M;
  values.multi_H_information_theory = M / entropy;
  values.multi_normalized_exposure = ne / T2;
  values.multi_relative_diversity = qSum / (T * pairDen);
  values.multi_squared_coef_variation = cv / (T2 * (mg.nGroupsEffective - 1));
  return { ...base, entropy, simpsonInteraction: pairDen / T2, values };
}
