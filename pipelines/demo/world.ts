/**
 * The contract between the demo generator (generate-world.ts) and the emulator (emulator.ts).
 * The generator builds a synthetic Sweden as true counts per DeSO and year (plus a few kommun-only sources);
 * the emulator aggregates them to RegSO, kommun, län and riket, applies suppression and cell-key noise, and
 * serves them as the cubes of data/sources.json.
 */
import type { AreaVersion, Level } from '../areas/levels.ts';

export type { AreaVersion, Level };
export { desoVersionFor, regsoVersionFor } from '../areas/levels.ts';

export interface AreaRecord {
  /** Plain code without any `_DeSO2025` suffix; the suffix is a serving detail of mixed SCB tables. */
  code: string;
  level: Level;
  version: AreaVersion;
  name: string;
  kommun_code: string | null;
  lan_code: string | null;
  regso_code: string | null;
}

export interface CrosswalkRecord {
  from_code: string;
  from_version: AreaVersion;
  to_code: string;
  to_version: AreaVersion;
  /** Share of the from-area's population that lies in the to-area; weights of one from-area sum to 1. */
  weight: number;
}

/** True (unprotected) counts for one DeSO and year. All are persons unless named dw_ (dwellings). */
export interface DesoCounts {
  pop: number;
  bg_foreign: number;
  bg_swedish: number;
  /** Persons by national income quintile (economic standard); sums to pop. */
  q1: number; q2: number; q3: number; q4: number; q5: number;
  /** Persons (all ages) with low economic standard (< 60 % of national median). */
  low_es: number;
  pop_20_64: number;
  emp_20_64: number;
  unemp_20_64: number;
  /** Unemployed more than 6 months. */
  ltu_20_64: number;
  /** Economic assistance at least 10 months. */
  ea_20_64: number;
  /** Economic assistance ≥10 months and/or unemployed >6 months (index V3 numerator). */
  ea_or_ltu_20_64: number;
  /** Pre-upper-secondary education, 20–64 (index V2 numerator). */
  pre_20_64: number;
  /** Education population: 25–64 up to 2023, 25–65 from 2024 (the source table changed its band). */
  edu_pop: number;
  edu_pre: number; edu_upper: number; edu_post_short: number; edu_post_long: number; edu_missing: number;
  dw_rental: number; dw_condo: number; dw_owner: number; dw_unknown: number;
  /** Kommunval voters; only in election years (2018, 2022), otherwise 0. */
  voters_eligible: number;
  voters_voted: number;
  /**
   * Persons (all ages) by class of economic standard (disposable income per consumption unit, tkr per year, in the
   * year's prices); the classes are ES_CLASSES and sum to pop. They carry the income distribution so that a median
   * can be computed at any level from summed counts, as SCB computes it from microdata (see esMedian).
   */
  es_lt100: number; es_100_149: number; es_150_199: number; es_200_249: number; es_250_299: number;
  es_300_349: number; es_350_399: number; es_400_499: number; es_500_599: number; es_600_799: number; es_800plus: number;
}

/** The classes of economic standard behind DesoCounts.es_* (tkr): [field, lower bound, upper bound]. The last is open. */
export const ES_CLASSES: readonly (readonly [keyof DesoCounts, number, number])[] = [
  ['es_lt100', 0, 100], ['es_100_149', 100, 150], ['es_150_199', 150, 200], ['es_200_249', 200, 250],
  ['es_250_299', 250, 300], ['es_300_349', 300, 350], ['es_350_399', 350, 400], ['es_400_499', 400, 500],
  ['es_500_599', 500, 600], ['es_600_799', 600, 800], ['es_800plus', 800, Number.POSITIVE_INFINITY],
];

/**
 * Median economic standard (tkr) of the persons counted in `c`, interpolated linearly inside the class that holds
 * the middle person (the grouped median). A median falling in the open top class is that class's lower bound.
 * Null when there is nobody. This is what the emulator publishes, at every level, from the summed class counts.
 */
export function esMedian(c: DesoCounts): number | null {
  let total = 0;
  for (const [f] of ES_CLASSES) total += c[f];
  if (total <= 0) return null;
  const half = total / 2;
  let below = 0;
  for (const [f, lo, hi] of ES_CLASSES) {
    const n = c[f];
    if (n > 0 && below + n >= half) return Number.isFinite(hi) ? lo + ((half - below) / n) * (hi - lo) : lo;
    below += n;
  }
  return null;
}

/** Sources that exist only per kommun (overcrowding, crime, school results). */
export interface KommunCounts {
  /** Population covered by the overcrowding statistics and those overcrowded by norm 2. */
  crowd_pop: number;
  crowd_norm2: number;
  crowd_unknown: number;
  crimes_reported: number;
  pupils_9: number;
  pupils_9_eligible: number;
}

export interface DemoWorld {
  seed: number;
  years: number[];
  areas: AreaRecord[];
  crosswalk: CrosswalkRecord[];
  /** year → DeSO code (in the version valid that year) → counts. */
  deso: Map<number, Map<string, DesoCounts>>;
  /** year → kommun code → counts. */
  kommun: Map<number, Map<string, KommunCounts>>;
}
