/**
 * Index ids exactly as METHODS.md §10 spells them, so output rows, tests and the reference JSONs share one
 * vocabulary. Order matters: the command prints indices in this order.
 */

/** Why a value is (or is not) defined; METHODS.md §2.2 and §11. */
export const INDEX_STATUSES = ['ok', 'single_unit', 'single_group', 'no_population'] as const;
export type IndexStatus = (typeof INDEX_STATUSES)[number];

export type AtkinsonId = `atkinson_b${number}`;

/** Two-group (focal group x against the rest y) indices per unit set. */
export const TWO_GROUP_INDEX_IDS = [
  'D',
  'Gini',
  'H_two_group',
  'isolation_xPx',
  'interaction_xPy',
  'correlation_ratio_V',
  'atkinson_b0.5',
] as const;
export type TwoGroupIndexId = (typeof TWO_GROUP_INDEX_IDS)[number];

/**
 * Indices whose value depends on which group is focal. Atkinson is symmetric only at b = 0.5 (METHODS.md §3.6),
 * so every other b is asymmetric.
 */
export function isAsymmetric(id: string): boolean {
  if (id === 'isolation_xPx' || id === 'interaction_xPy') return true;
  return id.startsWith('atkinson_b') && id !== 'atkinson_b0.5';
}

/** `atkinson_b{b}` with b printed as the shortest round-trip decimal, matching the reference ids (0.1, 0.5, 0.9). */
export function atkinsonId(b: number): AtkinsonId {
  return `atkinson_b${b}` as AtkinsonId;
}

export const MULTIGROUP_INDEX_IDS = [
  'multi_D',
  'multi_Gini',
  'multi_H_information_theory',
  'multi_M_divergence',
  'multi_normalized_exposure',
  'multi_relative_diversity',
  'multi_squared_coef_variation',
] as const;
export type MultigroupIndexId = (typeof MULTIGROUP_INDEX_IDS)[number];

/** Between/within decomposition of M and H over a partition of the units (METHODS.md §5.3). */
export const DECOMPOSITION_IDS = ['M_total', 'M_between', 'M_within', 'H_total', 'H_between', 'H_within'] as const;
export type DecompositionId = (typeof DECOMPOSITION_IDS)[number];

/**
 * Suffixes for the small-number-bias rows of D and H (METHODS.md §8). `_expected_under_random` is the id the
 * reference JSONs use for rseg's `dissimilarity_expected` / `mutual_total_expected`.
 */
export const INFERENCE_SUFFIXES = ['_expected_under_random', '_bootstrap_ci_low', '_bootstrap_ci_high'] as const;
export type InferenceSuffix = (typeof INFERENCE_SUFFIXES)[number];
