import type { DecompositionId, IndexStatus } from './index-ids.ts';
import { margins, statusOf } from './margins.ts';

export type DecompositionValues = Record<DecompositionId, number | null>;

/** One region r of the partition (rseg `mutual_within` columns). */
export interface RegionTerm {
  /** The §2.2 status of the region on its own. */
  readonly status: IndexStatus;
  readonly nUnits: number;
  /** T_r. */
  readonly total: number;
  /** M_r against the region's own group shares; null unless status is ok (its contribution to M_within is then 0). */
  readonly M: number | null;
  /** H_r = M_r / E_r; null unless ok (rseg reports 0 where E_r = 0). */
  readonly H: number | null;
  /** W_r = T_r / T. */
  readonly p: number;
  /** E_r / E; null when the whole set has E = 0. */
  readonly entropyRatio: number | null;
}

export interface DecompositionResult {
  /** Status of the whole unit set; the six values are null unless 'ok'. */
  readonly status: IndexStatus;
  readonly nUnits: number;
  readonly total: number;
  /** E of the whole set, in nats. */
  readonly entropy: number | null;
  readonly values: DecompositionValues;
  /** Indexed by region number. */
  readonly regions: readonly RegionTerm[];
}

/**
 * M_total = M_between + M_within and the same for H (METHODS.md §5.3), for units nested in regions.
 *
 * `counts` is row-major units × groups; `region[i]` is the region number (0 … nRegions − 1) of unit i. The same
 * formula decomposes over a partition of groups if the table is passed transposed (groups as units), which is how
 * rseg's supergroup example reads.
 *
 *   M_total   = Σ_ik (n_ik/T) ln(n_ik T / (t_i N_k))
 *   M_between = Σ_rk (N_rk/T) ln(N_rk T / (T_r N_k))          (M of the region × group table)
 *   M_within  = Σ_ik (n_ik/T) ln(n_ik T_r / (t_i N_rk)) = Σ_r W_r M_r
 *   H_x       = M_x / E
 * Each term is computed from the data rather than as a difference, so total = between + within is a check and
 * not a tautology. A region with one unit or one group has M_r = 0, which is what the identity needs.
 */
export function decomposeMH(
  counts: ArrayLike<number>,
  nGroups: number,
  region: ArrayLike<number>,
  nRegions?: number,
): DecompositionResult {
  const mg = margins(counts, nGroups);
  const K = nGroups;
  const n = mg.unitTotals.length;
  if (region.length !== n) throw new RangeError(`region has ${region.length} entries for ${n} units`);
  let R = nRegions ?? 0;
  if (nRegions === undefined) for (let i = 0; i < n; i++) R = Math.max(R, (region[i] as number) + 1);
  for (let i = 0; i < n; i++) {
    const r = region[i] as number;
    if (!Number.isInteger(r) || r < 0 || r >= R) throw new RangeError(`unit ${i}: region ${r} is not in 0..${R - 1}`);
  }

  const T = mg.total;
  const N = mg.groupTotals;
  const t = mg.unitTotals;
  const regionCounts = new Float64Array(R * K);
  const regionTotals = new Float64Array(R);
  const regionUnits = new Uint32Array(R);
  for (let i = 0; i < n; i++) {
    const r = region[i] as number;
    const ti = t[i] as number;
    if (ti === 0) continue;
    regionTotals[r] = (regionTotals[r] as number) + ti;
    regionUnits[r] = (regionUnits[r] as number) + 1;
    for (let k = 0; k < K; k++) regionCounts[r * K + k] = (regionCounts[r * K + k] as number) + (counts[i * K + k] as number);
  }

  let E = 0;
  for (let k = 0; k < K; k++) {
    const Nk = N[k] as number;
    if (Nk > 0) E -= (Nk / T) * Math.log(Nk / T);
  }

  // Per-unit pass: the total term and the within term, the latter also split by region for M_r.
  let mTotal = 0;
  let mWithin = 0;
  const regionM = new Float64Array(R);
  for (let i = 0; i < n; i++) {
    const ti = t[i] as number;
    if (ti === 0) continue;
    const r = region[i] as number;
    const Tr = regionTotals[r] as number;
    let unitWithin = 0;
    for (let k = 0; k < K; k++) {
      const nik = counts[i * K + k] as number;
      if (nik === 0) continue;
      mTotal += nik * Math.log((nik * T) / (ti * (N[k] as number)));
      unitWithin += nik * Math.log((nik * Tr) / (ti * (regionCounts[r * K + k] as number)));
    }
    mWithin += unitWithin;
    regionM[r] = (regionM[r] as number) + unitWithin;
  }
  let mBetween = 0;
  for (let r = 0; r < R; r++) {
    const Tr = regionTotals[r] as number;
    for (let k = 0; k < K; k++) {
      const c = regionCounts[r * K + k] as number;
      if (c > 0) mBetween += c * Math.log((c * T) / (Tr * (N[k] as number)));
    }
  }

  const regions: RegionTerm[] = [];
  for (let r = 0; r < R; r++) {
    const Tr = regionTotals[r] as number;
    let Er = 0;
    let kEff = 0;
    for (let k = 0; k < K; k++) {
      const c = regionCounts[r * K + k] as number;
      if (c > 0) {
        kEff++;
        Er -= (c / Tr) * Math.log(c / Tr);
      }
    }
    const st = statusOf(Tr, regionUnits[r] as number, kEff);
    const Mr = st === 'ok' ? (regionM[r] as number) / Tr : null;
    regions.push({
      status: st,
      nUnits: regionUnits[r] as number,
      total: Tr,
      M: Mr,
      H: Mr === null ? null : Mr / Er,
      p: T > 0 ? Tr / T : 0,
      entropyRatio: E > 0 && Tr > 0 ? Er / E : null,
    });
  }

  const ok = mg.status === 'ok';
  const values: DecompositionValues = {
    M_total: ok ? mTotal / T : null,
    M_between: ok ? mBetween / T : null,
    M_within: ok ? mWithin / T : null,
    H_total: ok ? mTotal / T / E : null,
    H_between: ok ? mBetween / T / E : null,
    H_within: ok ? mWithin / T / E : null,
  };
  return { status: mg.status, nUnits: mg.nUnits, total: T, entropy: ok ? E : null, values, regions };
}
