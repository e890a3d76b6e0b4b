import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Level } from './areas/levels.ts';
import { UsageError } from './errors.ts';

/** data/sources.json: the source tables and KPIs the pipeline fetches (the same for demo and real runs). */
export interface PxSource {
  /** SCB's PxWebApi 2.0 table id (TAB…). */
  id: string;
  /** False: no SCB response we hold confirms the id or its codes (data/metadata/scb/<id>.reconstructed.json). */
  confirmed: boolean;
  title_sv: string;
  /** Levels requested from the table; it must publish them. */
  levels: Level[];
  /** Levels the pipeline sums from DeSO (only where SCB allows aggregation and does not publish the level). */
  derive?: Level[];
  /** The years the catalogue expects [first, last]; the ingest also takes later years the table publishes. */
  years: [number, number];
  onlyYears?: number[];
  /** Variable → value code → our label. Region and Tid are not listed: every region code and year is requested. */
  variables: Record<string, Record<string, string>>;
  /** First reference year with SCB's cell-key noise. */
  cellKeyFrom?: number;
  /** Money in constant prices of the latest data year (re-based every year). */
  prices?: 'constant' | 'current';
}
export interface KoladaSource {
  id: string;
  verified: boolean;
  title: string;
  years: [number, number];
  onlyYears?: number[];
  unit: string;
  /** The KPI that continues the series after `years[1]` (a register change): later years are not wanted here. */
  replacedBy?: string;
}
export interface SourceCatalogue {
  pxweb: PxSource[];
  kolada: KoladaSource[];
}

/** Cells of one or more source tables: a ContentsCode (one per table vintage) and breakdowns as ingest writes them. */
export interface Part {
  measure: string | string[];
  breakdowns: string[];
}
export type IndicatorMethod = { levels?: Level[] } & (
  | { sql: 'indicators/share_from_counts'; tables: string[]; numerator: Part; denominator: Part }
  /** `denominator` may come from another of `tables` (a count of the same population beside a percent-only table). */
  | { sql: 'indicators/share_from_percent'; tables: string[]; percent: Part; denominator: Part }
  | { sql: 'indicators/kolada_value'; kpi: string; scale: number }
  /** A count (e.g. population): value = numerator = the published count, no denominator. */
  | { sql: 'indicators/count_from_counts'; tables: string[]; count: Part }
  /** A statistic that cannot be aggregated (a median, a published percent): value × scale as published at each level. */
  | { sql: 'indicators/value_as_published'; tables: string[]; value: Part; scale: number }
);

/** Every method of an indicator, each with the levels it serves. */
export function methodsOf(ind: IndicatorDef): (IndicatorMethod & { levels: Level[] })[] {
  return [ind.method, ...(ind.also ?? [])].map((m) => ({ ...m, levels: m.levels ?? (ind.levels as Level[]) }));
}

export interface IndicatorDef {
  id: string;
  policy_area: string;
  title_sv: string;
  title_en: string;
  definition: string;
  population: string;
  unit: string;
  higher_is_better: boolean | null;
  lag_years: number;
  levels: Level[];
  years: [number, number];
  /** Only these years inside `years` (election years), as in data/sources.json. */
  onlyYears?: number[];
  source: string;
  /** How the value is computed; `levels` in a method restricts it to those area levels (default: all of `levels`). */
  method: IndicatorMethod;
  /**
   * Further methods for other levels, where one source does not publish every level: e.g. employment per DeSO and
   * RegSO from SCB's register and per kommun, län and riket from Kolada. Each must name its `levels`.
   */
  also?: IndicatorMethod[];
  caveats: string[];
  /** Series breaks: from `year` on the series is not fully comparable with earlier years (a caveat id says why). */
  breaks?: { year: number; levels?: Level[]; caveat: string }[];
}
export interface IndicatorCatalogue {
  disclosure: { threshold_default: number; rule: string };
  indicators: IndicatorDef[];
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new UsageError(`${file}: cannot read the catalogue (${(e as Error).message})`);
  }
}

/** The years a source holds: its range, restricted to `onlyYears` where given (election years). */
export function yearsOf(s: { years: [number, number]; onlyYears?: number[] }): number[] {
  const out: number[] = [];
  for (let y = s.years[0]; y <= s.years[1]; y++) if (!s.onlyYears || s.onlyYears.includes(y)) out.push(y);
  return out;
}

export function loadSources(dataDir: string): SourceCatalogue {
  return readJson<SourceCatalogue>(join(dataDir, 'sources.json'));
}

export function loadIndicators(dataDir: string): IndicatorCatalogue {
  const cat = readJson<IndicatorCatalogue>(join(dataDir, 'indicators.json'));
  const seen = new Set<string>();
  for (const [i, ind] of cat.indicators.entries()) {
    if (!ind.id || seen.has(ind.id)) throw new UsageError(`data/indicators.json: indicator #${i + 1} has a missing or duplicate id "${ind.id}"`);
    seen.add(ind.id);
  }
  return cat;
}
