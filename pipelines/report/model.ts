/**
 * What the report stage hands the renderer: every number already computed from the warehouse, every value with
 * its source, year and area version. The renderer formats and lays out; it computes nothing but text.
 */
export type PolicyArea = 'boende' | 'utbildning' | 'arbete' | 'demokrati' | 'brottslighet' | 'ekonomi' | 'befolkning';

export interface Point {
  year: number;
  /** null where the source suppressed or lacks the value, or our disclosure rule suppressed it. */
  value: number | null;
  status: string | null;
  area_version: string;
}

export interface IndicatorBlock {
  id: string;
  title_sv: string;
  unit: string; // 'procent' | 'per 1 000 invånare' | 'kronor' | 'andel' …
  higher_is_better: boolean | null;
  source: string; // e.g. "SCB TAB6680" or "Kolada N07540"
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
}

export interface SegregationBlock {
  measure: string; // METHODS.md §10 id, e.g. 'D'
  groups: string; // e.g. 'utländsk bakgrund / svensk bakgrund'
  unit_level: 'deso' | 'regso';
  /** Population-weighted or national value per year, as computed for the report scope. */
  series: {
    year: number;
    value: number | null;
    n_units: number;
    status: string;
    /** Optional: the area version of the units (e.g. 'DeSO2018', 'DeSO2025'), so charts can mark the break. */
    area_version?: string;
    /** Optional: the index expected under random allocation (`segregation_index.expected`), shown beside the value. */
    expected?: number | null;
  }[];
  /** Latest year per kommun with value and change since first year. */
  by_kommun: { code: string; name: string; value: number | null; first_value: number | null; n_units: number; status: string }[];
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
  sources: SourceRow[];
  caveats: { id: string; text: string }[];
  disclosure_threshold: number;
}
