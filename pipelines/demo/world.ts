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
  /** Men among pop, among bg_foreign and among bg_swedish; women are the rest. bg_foreign_men + bg_swedish_men = men. */
  men: number;
  bg_foreign_men: number;
  bg_swedish_men: number;
  /**
   * Persons (all ages) by national quartile of economic standard (the year's cut points over all of riket, so riket
   * has ≈25 % in each); sums to pop. Cut from the same distribution as es_* and low_es: low_es ≤ qt1, and qt1 + qt2
   * are the persons below the national median (the median esMedian gives for riket, up to the grouping of es_*).
   */
  qt1: number; qt2: number; qt3: number; qt4: number;
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
  /**
   * Persons (all ages) by the tenure of the dwelling they are registered in: äganderätt (incl. ägarlägenhet),
   * bostadsrätt, hyresrätt, and övrigt / uppgift saknas (special housing, no known dwelling, dw_unknown's
   * residents); sums to pop. A tenure with no dwellings (dw_*) has no persons. Persons per dwelling differ by tenure:
   * owner-occupied houses hold families (≈2.4–2.5 per dwelling in riket), flats fewer (≈1.5–1.6).
   */
  pt_owner: number; pt_condo: number; pt_rental: number; pt_other: number;
  /** Kommunval voters; only in election years (2018, 2022), otherwise 0 (2016 too: the election before was 2014). */
  voters_eligible: number;
  voters_voted: number;
  /**
   * Persons (all ages) by class of economic standard (disposable income per consumption unit, tkr per year, in the
   * year's prices); the classes are ES_CLASSES and sum to pop. They carry the income distribution so that a median
   * can be computed at any level from summed counts, as SCB computes it from microdata (see esMedian). For SCB's
   * constant-price series (TAB6684) deflate with ES_PRICE_INDEX (see toConstantPrices).
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

/**
 * Consumer price index (KPI, 1980 = 100, yearly averages) for the years of the world, to turn the economic standard
 * (es_* classes and their median, in each year's prices) into constant prices as SCB publishes TAB6684. 2016–2023 are
 * SCB's "KPI, fastställda tal" (scb.se …/konsumentprisindex-kpi/kpi-faststallda-tal-1980100/); 2024 is the mean of
 * January–November 2024 (the stored copy ends there); 2025 is assumed (+0.9 %). They agree with the targets: deflated
 * by this index the world's riket median falls 3.1 % in 2022 and 1.4 % in 2023 (SCB: −3.2 / −1.4 % [S34], [S35]) and
 * 2023 is back at the 2017 level [S35]. 2017 → 2024 is +28.8 %.
 */
export const ES_PRICE_INDEX: Readonly<Record<number, number>> = {
  2016: 316.43, 2017: 322.11, 2018: 328.4, 2019: 334.26, 2020: 335.92, 2021: 343.19, 2022: 371.91, 2023: 403.7, 2024: 415.0, 2025: 418.7,
};

/**
 * An amount of economic standard of `year` (in that year's prices) in the prices of `baseYear`:
 * amount × KPI(baseYear) / KPI(year). SCB's TAB6684 is in the prices of its latest year, so its 2017 median is
 * `toConstantPrices(esMedian(c2017), 2017, 2024)` for a 2024 release. A median and the class bounds deflate alike
 * (a common factor moves every person's value the same), so the deflated median is the median of deflated values.
 */
export function toConstantPrices(amount: number, year: number, baseYear: number): number {
  const from = ES_PRICE_INDEX[year];
  const to = ES_PRICE_INDEX[baseYear];
  if (from === undefined || to === undefined) throw new Error(`no price index for ${from === undefined ? year : baseYear}`);
  return (amount * to) / from;
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
