/**
 * What the report stage hands the renderer: every number already computed from the warehouse, every value with
 * its source, year and area version. The renderer formats and lays out; it computes nothing but text.
 */
import type { ReformProgramme } from './reforms.ts';

export type PolicyArea = 'boende' | 'utbildning' | 'arbete' | 'demokrati' | 'brottslighet' | 'ekonomi' | 'befolkning';

export interface Point {
  year: number;
  /** null where the source suppressed or lacks the value, or our disclosure rule suppressed it. */
  value: number | null;
  status: string | null;
  area_version: string;
  /** Optional: the counts behind a share (persons), so a change can be set against its sampling uncertainty. */
  numerator?: number | null;
  denominator?: number | null;
}

/** A definition break (data/indicators.json `breaks`): from `year` on, the series is on a new basis. */
export interface SeriesBreak {
  year: number;
  /** Lower-case clauses for running text. */
  what: string;
  effect: string;
  /** Short label at the break on charts. */
  label: string;
  /** The title before the break, where the title follows the definition. */
  title_before?: string;
}

export interface IndicatorBlock {
  id: string;
  title_sv: string;
  unit: string; // 'procent' | 'per 1 000 invånare' | 'kronor' | 'andel' …
  higher_is_better: boolean | null;
  source: string; // e.g. "SCB TAB6680" or "Kolada N07540"
  /** Optional: the catalogue's definition and population (data/indicators.json), printed under the indicator's heading. */
  definition?: string;
  population?: string;
  caveats: string[];
  /** The report area's own series 2017–Y (riket for the national report). */
  series: Point[];
  latest_year: number | null;
  /** Latest value per kommun (for spread charts); name and code are official. */
  by_kommun: {
    code: string;
    name: string;
    lan_code: string;
    value: number | null;
    status: string | null;
    /** Optional: the kommun's value in `first_year`, so the report can say whether the spread widened. */
    first_value?: number | null;
  }[];
  /** Optional: the year of `by_kommun[].first_value` (the first year of `series` when absent). */
  first_year?: number | null;
  /** Latest value per län. */
  by_lan: { code: string; name: string; value: number | null; status: string | null }[];
  /** Optional: the same indicator for the areas a län or kommun report compares itself with (its län, riket). */
  comparisons?: { name: string; year: number; value: number | null }[];
  /** Optional: the smallest change called a change (catalogue `materiality`; `relative`: percent of the first value). */
  materiality?: { value: number; relative?: boolean; reason: string };
  /** Optional: definition breaks inside the series. */
  breaks?: SeriesBreak[];
  /** Optional (kommun and län reports): the län's and riket's series over the same years, drawn beside the area's own. */
  comparison_series?: { name: string; level: 'lan' | 'riket'; series: Point[] }[];
  /** Optional (kommun reports): the kommun's similar kommuner as a band. */
  similar?: SimilarKommuner;
  /** Optional (kommun reports): the rank among all kommuner and within the län in the latest year. */
  rank?: IndicatorRank;
  /** Optional (kronor): the price basis; `base_year` is the year whose prices a constant-price series is in. */
  prices?: { basis: 'constant' | 'current'; base_year: number | null };
}

export interface SegregationPoint {
  year: number;
  value: number | null;
  n_units: number;
  status: string;
  /** Optional: the area version of the units (e.g. 'DeSO2018', 'DeSO2025'), so charts can mark the break. */
  area_version?: string;
  /** Optional: the index expected under random allocation (`segregation_index.expected`), shown beside the value. */
  expected?: number | null;
  /**
   * Optional: the bootstrap interval (`segregation_index.ci_low`/`ci_high`, nominal 95 %). It is bias-corrected
   * (2·estimate − replicate), so it may lie wholly below the estimate; null where not computed.
   */
  ci_low?: number | null;
  ci_high?: number | null;
}

/** One component of the riket decomposition of M (and H = M / national entropy), METHODS.md §5.3. */
export type DecompositionComponent = 'between_lan' | 'between_kommun_within_lan' | 'within_kommun' | 'total';

export interface DecompositionYear {
  year: number;
  unit_version: string;
  /** One row per component, total last; M in nats. */
  terms: { component: DecompositionComponent; M: number | null; H: number | null }[];
}

export interface SegregationBlock {
  measure: string; // METHODS.md §10 id, e.g. 'D'
  groups: string; // e.g. 'utländsk bakgrund / svensk bakgrund'
  unit_level: 'deso' | 'regso';
  /** Population-weighted or national value per year, as computed for the report scope. */
  series: SegregationPoint[];
  /**
   * Latest year per kommun with value and change since first year. Optional extras for verdicts and rankings: the
   * intervals of both years, the expected value under random allocation, the area versions of both years and the
   * last value on the first year's version (`pre_*`, the comparable part of a change across an area-version break).
   */
  by_kommun: {
    code: string;
    name: string;
    value: number | null;
    first_value: number | null;
    n_units: number;
    status: string;
    expected?: number | null;
    ci_low?: number | null;
    ci_high?: number | null;
    first_ci_low?: number | null;
    first_ci_high?: number | null;
    unit_version?: string | null;
    first_unit_version?: string | null;
    pre_year?: number | null;
    pre_value?: number | null;
    pre_ci_low?: number | null;
    pre_ci_high?: number | null;
    /** Optional: the kommun's own changes (segregation_index_change), as SegregationBlock.change and its siblings. */
    change?: SegregationChange | null;
    change_since_first?: SegregationChange | null;
    change_before_break?: SegregationChange | null;
  }[];
  /**
   * The established change of the block's own index from the first to the latest year (measures stage); null or
   * absent: no verdict computed, and the report then states no direction.
   */
  change?: SegregationChange | null;
  /**
   * Optional: the change since the first year (2017) to the same latest year, whatever lies between; with
   * crosses_break it includes the area-version break and is never a verdict by itself (read it with break_size).
   */
  change_since_first?: SegregationChange | null;
  /**
   * Optional, when change_since_first crosses a break: the comparable change from the first year to the last year
   * before the break (on the old area version), so the text can give both sides of the break and its size.
   */
  change_before_break?: SegregationChange | null;
  /**
   * Optional: the DeSO 2018 → 2025 break measured in the years next to it, each computed on both area versions
   * (segregation_bridge): value_to − value_from is what the new units alone do to the index that year.
   */
  break_size?: { year: number; from_version: string; to_version: string; value_from: number; value_to: number }[];
  /** Optional: what the area-version break of the units changed (catalogue `area_version_breaks`). */
  area_break?: { year: number; what: string; effect: string } | null;
  /**
   * Optional: the same measure over the other unit level (RegSO beside DeSO), so readers see how the size of the
   * units moves the index. Drawn as a second line and tabled separately.
   */
  other_unit_level?: { unit_level: 'deso' | 'regso'; series: SegregationPoint[] };
  /** Optional (riket, multigroup): the decomposition of M and H in the first and latest year with values. */
  decomposition?: { unit_level: 'deso' | 'regso'; years: DecompositionYear[] };
}

/** A change of a segregation index between two years with its interval and verdict (the measures stage's test). */
export interface SegregationChange {
  from_year: number;
  to_year: number;
  diff: number;
  ci_low: number | null;
  ci_high: number | null;
  verdict: 'increase' | 'decrease' | 'none';
  crosses_break: boolean;
  /** Optional: the bias-corrected values of both years and their area versions (segregation_index_change). */
  from_value?: number;
  to_value?: number;
  from_version?: string;
  to_version?: string;
}

export type AreaTypeNumber = 1 | 2 | 3 | 4 | 5;

/** Residents of one area type (null: RegSO without a type) in one year, for the report's scope. */
export interface AreaTypePopulationRow {
  year: number;
  area_type: AreaTypeNumber | null;
  n_areas: number;
  /** RegSO of the row whose population is missing (their residents are absent from `population`). */
  n_missing_population: number;
  population: number | null;
  /** Percent of the scope's residents. */
  share: number | null;
  status: string;
}

/**
 * Which comparison a scope gets (sql/area_types/gap.sql), chosen from the types of its RegSO in the latest year:
 * type 1 against type 5 where both exist; otherwise the lowest type present against the rest of the scope; with one
 * type only, none ('single_type'); 'no_types' when no RegSO of the scope has a type.
 */
export type AreaTypeComparison = 'type1_vs_type5' | 'lowest_vs_rest' | 'single_type' | 'no_types';

/**
 * The change of a gap since the base year, judged in the warehouse: a finding ('narrowed', 'widened', or 'reversed'
 * when the focus group went from behind to ahead or back) only beyond the materiality and 1.96 standard errors of
 * the counts; 'no_change' otherwise (no established change).
 */
export type GapChangeVerdict = 'narrowed' | 'widened' | 'no_change' | 'reversed';

/**
 * One indicator by area type: the gap between the scope's focus group (type 1, or types up to the lowest type
 * present) and its reference group (type 5, or the rest of the scope), and all five types' values.
 */
export interface AreaTypeIndicator {
  id: string;
  title_sv: string;
  unit: string;
  higher_is_better: boolean | null;
  /** True for the index components V1–V3: they define the types, so their gap is large by construction. */
  index_component: boolean;
  /** The latest year up to the report year with a gap (or the latest year at all when none has one). */
  year: number;
  comparison: AreaTypeComparison;
  /** The year whose types chose the comparison (the latest year with area types; later than `year` in an older report). */
  comparison_year: number | null;
  /** The focus group is types 1–focus_upto, the reference group types reference_from–5 (null: no comparison). */
  focus_upto: AreaTypeNumber | null;
  reference_from: AreaTypeNumber | null;
  value_focus: number | null;
  value_reference: number | null;
  /** Focus − reference (percentage points); null when the scope lacks a group or a value is suppressed. */
  gap: number | null;
  base_year: number | null;
  value_focus_base: number | null;
  value_reference_base: number | null;
  gap_base: number | null;
  gap_change: number | null;
  /** Standard error (points) of the change of the gap, from the groups' counts; null without two gaps. */
  se_change: number | null;
  /** The smallest change of the gap called a change (the indicator's threshold, percentage points); null if unknown. */
  materiality: number | null;
  /** From the warehouse: the focus group's disadvantage (or |gap| without a direction) is smaller than in the base year — the raw direction. */
  narrowed: boolean | null;
  /** From the warehouse: whether that change is established (GapChangeVerdict); null when there is nothing to compare. */
  change_verdict: GapChangeVerdict | null;
  /** 'ok' | 'noise' | 'no_focus' | 'no_reference' | 'suppressed' | 'missing' | 'single_type' | 'no_types'. */
  status: string;
  change_status: string;
  /** Values of types 1–5 in `year` (a type absent from the scope has status 'no_areas'). */
  by_type: { area_type: AreaTypeNumber; value: number | null; status: string; n_areas: number }[];
  /** Optional: values of types 1–5 every year up to the report year, for the trend chart and its table. */
  trend?: { year: number; area_type: AreaTypeNumber; value: number | null; status: string }[];
}

/** The socio-economic index over the scope's RegSO in one year, with the national mean and SD of that year. */
export interface AreaTypeIndexSpread {
  year: number;
  n_regso: number;
  n_indexed: number;
  min: number | null;
  median: number | null;
  max: number | null;
  national_mean: number | null;
  national_sd: number | null;
}

export interface AreaTypeBlock {
  /** Official names of types 1–5 (data/area-types.json) and their lower bound in SD from the mean (null for 5). */
  types: { area_type: AreaTypeNumber; name_sv: string; min_sd: number | null }[];
  /** Labels of the three index components V1–V3. */
  components: string[];
  /** The national cut per year: mean and SD of the index over all RegSO, and RegSO per type. */
  cuts: { year: number; area_version: string; n_areas: number; n_unclassified: number; mean: number | null; sd: number | null; n_by_type: number[] }[];
  /** Residents per type and year in the report's scope. */
  population: AreaTypePopulationRow[];
  indicators: AreaTypeIndicator[];
  /** Kommun reports: the kommun's RegSO and their types in the first and latest year. */
  regso?: { code: string; name: string; first_type: AreaTypeNumber | null; latest_type: AreaTypeNumber | null; latest_index: number | null }[];
  /** Years of `regso[].first_type` and `latest_type`. */
  regso_years?: { first: number | null; latest: number | null };
  /** Optional: the index over the scope's RegSO in the first and the latest year (kommun reports). */
  index_spread?: AreaTypeIndexSpread[];
  /** Optional: when a change of a gap is a finding (data/area-types.json gap.change), for the method text. */
  change_rule?: { materiality_pp: number; z: number };
}

/** A polygon or multipolygon in WGS84 (GeoJSON geometry), for the report's maps. */
export type GeoGeometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** One area of a map with the value it is coloured by (the map's `variable`) and its outline. */
export interface MapArea {
  code: string;
  name: string;
  value: number | null;
  status: string | null;
  /** Maps by area type: the area's type (null: no type). */
  area_type?: AreaTypeNumber | null;
  geometry: GeoGeometry;
}

/**
 * A map of the report's areas (report/maps.ts): kommuner for riket and län reports, RegSO for kommun reports,
 * coloured by an indicator, a segregation index or the area type. `missing_geometry` names areas with a value but no
 * outline (not drawn; said in the caption).
 */
export interface MapBlock {
  id: string;
  variable: 'indicator' | 'segregation' | 'area_type';
  title_sv: string;
  /** Unit of the colour ('procent', 'index', 'områdestyp'); the legend's title. */
  unit: string;
  decimals: number;
  year: number;
  unit_level: 'kommun' | 'regso';
  /** The area version of the areas (e.g. 'kommun2003', 'RegSO2025'). */
  area_version: string;
  areas: MapArea[];
  /** Borders drawn over the areas (the län in a riket map). */
  outlines?: GeoGeometry[];
  /** Where the values come from (indicator source, or the segregation measure). */
  source: string;
  /** Where the outlines come from (data/geo/README.md, SCB's WFS, or the demo's synthetic polygons). */
  geometry_source: string;
  missing_geometry: string[];
}

/** A kommun's rank among all kommuner and within its län for one indicator (1 = highest value). */
export interface IndicatorRank {
  year: number;
  /** Rank with ties sharing the best rank (competition ranking: 1, 2, 2, 4); null when the kommun has no value. */
  rank_riket: number | null;
  n_riket: number;
  ties_riket: number;
  rank_lan: number | null;
  n_lan: number;
  ties_lan: number;
}

/** The kommun's similar kommuner (Kolada's municipality group) and their values over the years. */
export interface SimilarKommuner {
  group_id: string;
  group_title: string;
  members: { code: string; name: string }[];
  /** Per year: the members' lowest, median and highest value and how many members had one. */
  band: { year: number; min: number | null; median: number | null; max: number | null; n: number }[];
}

export interface SourceRow {
  source: 'SCB' | 'Kolada';
  table_id: string;
  title: string;
  url: string;
  fetched_at: string;
  sha256: string;
}

export interface ReportModel {
  demo: boolean;
  year: number;
  lang: 'sv' | 'en';
  scope: { level: 'riket' | 'lan' | 'kommun'; code: string; name: string };
  generated_at: string;
  chapters: { policy_area: PolicyArea; title_sv: string; indicators: IndicatorBlock[] }[];
  segregation: SegregationBlock[];
  /** Optional: the Områdestyper chapter; absent when the warehouse has no area types. */
  area_types?: AreaTypeBlock;
  sources: SourceRow[];
  caveats: { id: string; text: string }[];
  disclosure_threshold: number;
  /** Draws behind expected values and intervals of segregation indices (few draws give rough intervals). */
  bootstrap_draws?: number;
  /** Optional: how the segregation estimates and intervals are made, for the method chapter (measures/inference.ts methodText). */
  segregation_method?: string;
  /** Optional: the reform programme (data/reforms.json) for its chapter; the report stage always sets it. */
  reforms?: ReformProgramme;
  /** Optional: maps of the report's kommuner or RegSO (report/maps.ts); absent when no outlines are at hand. */
  maps?: MapBlock[];
}
