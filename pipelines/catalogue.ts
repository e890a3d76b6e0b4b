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

/** Variables with columns of their own in `observation` (area, year, measure): never part of a breakdown. */
export const OWN_COLUMNS: ReadonlySet<string> = new Set(['Region', 'Tid', 'ContentsCode']);

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
  /** A kommun KPI's rate for län and riket, weighted by the kommuner's inhabitants (`weight_kpi`). */
  | { sql: 'indicators/kolada_weighted'; kpi: string; weight_kpi: string; scale: number }
  /** A count (e.g. population): value = numerator = the published count, no denominator. */
  | { sql: 'indicators/count_from_counts'; tables: string[]; count: Part }
  /** A statistic that cannot be aggregated (a median, a published percent): value × scale as published at each level. */
  | { sql: 'indicators/value_as_published'; tables: string[]; value: Part; scale: number }
);

/** Every method of an indicator, each with the levels it serves. */
export function methodsOf(ind: IndicatorDef): (IndicatorMethod & { levels: Level[] })[] {
  return [ind.method, ...(ind.also ?? [])].map((m) => ({ ...m, levels: m.levels ?? (ind.levels as Level[]) }));
}

/** The cells a PxWeb method reads, each with the role it plays (none for a Kolada method). */
export function partsOfMethod(m: IndicatorMethod): [role: string, part: Part][] {
  switch (m.sql) {
    case 'indicators/share_from_counts':
      return [['numerator', m.numerator], ['denominator', m.denominator]];
    case 'indicators/share_from_percent':
      return [['percent', m.percent], ['denominator', m.denominator]];
    case 'indicators/count_from_counts':
      return [['count', m.count]];
    case 'indicators/value_as_published':
      return [['value', m.value]];
    case 'indicators/kolada_value':
    case 'indicators/kolada_weighted':
      return [];
  }
}

/**
 * The source label the build writes into indicator_value.source_table for a method's values (share_from_counts adds
 * DERIVED_LABEL where it summed DeSO): one definition for the build and the sources listing.
 */
export function methodSourceLabel(m: IndicatorMethod): string {
  if (m.sql === 'indicators/kolada_value') return `Kolada ${m.kpi}`;
  if (m.sql === 'indicators/kolada_weighted') return `Kolada ${m.kpi} (vägt ur kommunerna med ${m.weight_kpi})`;
  return `SCB ${m.tables.join(', ')}`;
}

/** The suffix of a source label whose level the pipeline summed from DeSO (sql/indicators/share_from_counts.sql). */
export const DERIVED_LABEL = ' (summerat från DeSO)';

/** One source of an indicator at some of its levels: the label the build writes and the years the source holds. */
export interface LevelSource {
  levels: Level[];
  /** As in indicator_value.source_table: 'SCB TAB…, TAB…' (+ DERIVED_LABEL where summed from DeSO) or 'Kolada N…'. */
  source: string;
  /** Years the catalogue's sources hold for this method (every part present), ascending. */
  years: number[];
  derived: boolean;
  /** The method's SQL (sql/indicators/*.sql). */
  sql: IndicatorMethod['sql'];
}

/**
 * Which source serves which levels of an indicator, in which years: one entry per method, split where the
 * pipeline sums some of the method's levels from DeSO (data/sources.json `derive`). A part spread over table
 * vintages (TAB5956 to 2023, TAB6534 from 2024) holds the union of their years; a method holds the years every
 * part has. Levels in catalogue order (riket, län, kommun, RegSO, DeSO as the indicator lists them).
 */
export function sourcesByLevel(ind: IndicatorDef, src: SourceCatalogue): LevelSource[] {
  const pxById = new Map(src.pxweb.map((t) => [t.id, t]));
  const out: LevelSource[] = [];
  const ordered = (ls: Level[]): Level[] => ind.levels.filter((l) => ls.includes(l));
  for (const m of methodsOf(ind)) {
    if (m.sql === 'indicators/kolada_value') {
      const k = src.kolada.find((x) => x.id === m.kpi);
      out.push({ levels: ordered(m.levels), source: methodSourceLabel(m), years: k ? yearsOf(k) : [], derived: false, sql: m.sql });
      continue;
    }
    if (m.sql === 'indicators/kolada_weighted') {
      const k = src.kolada.find((x) => x.id === m.kpi);
      const w = src.kolada.find((x) => x.id === m.weight_kpi);
      const years = k && w ? yearsOf(k).filter((y) => yearsOf(w).includes(y)) : [];
      out.push({ levels: ordered(m.levels), source: methodSourceLabel(m), years, derived: false, sql: m.sql });
      continue;
    }
    const tables = m.tables.map((t) => pxById.get(t)).filter((t): t is PxSource => t !== undefined);
    let years: number[] | null = null;
    for (const [, part] of partsOfMethod(m)) {
      const codes = Array.isArray(part.measure) ? part.measure : [part.measure];
      const carriers = tables.filter((t) => codes.some((c) => c in (t.variables.ContentsCode ?? {})));
      const held = new Set(carriers.flatMap((t) => yearsOf(t)));
      years = (years ?? [...held]).filter((y) => held.has(y));
    }
    const label = methodSourceLabel(m);
    const isDerived = (l: Level): boolean => tables.some((t) => !t.levels.includes(l) && (t.derive ?? []).includes(l));
    const sorted = [...(years ?? [])].sort((a, b) => a - b);
    const published = ordered(m.levels.filter((l) => !isDerived(l)));
    const derived = ordered(m.levels.filter(isDerived));
    if (published.length) out.push({ levels: published, source: label, years: sorted, derived: false, sql: m.sql });
    if (derived.length) out.push({ levels: derived, source: label + DERIVED_LABEL, years: sorted, derived: true, sql: m.sql });
  }
  return out;
}

/** Years as a reader wants them: runs of consecutive years as first–last, the rest listed ("2017–2019, 2022"). */
export function formatYears(years: number[]): string {
  const ys = [...new Set(years)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < ys.length; ) {
    let j = i;
    while (j + 1 < ys.length && ys[j + 1] === (ys[j] as number) + 1) j++;
    runs.push(j > i ? `${ys[i]}–${ys[j]}` : String(ys[i]));
    i = j + 1;
  }
  return runs.join(', ');
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
  /** The smallest change the report calls a change (see Materiality); loadIndicators refuses an indicator without it. */
  materiality?: Materiality;
  /** Definition breaks: from `year` on the series is not fully comparable with earlier years. */
  breaks?: DefinitionBreak[];
  /** Amounts in kronor: the price basis, so the report can say what a change over time means. */
  prices?: PriceBasis;
}

/**
 * A change smaller than `value` (in the indicator's unit, or percent of the first value when `relative`) is no
 * established change, whatever its sampling uncertainty; `reason` says why this size (shown in the method chapter).
 */
export interface Materiality {
  value: number;
  relative?: boolean;
  reason: string;
  /** The reason in English, for `--lang en` (report/catalogue-text.ts). */
  reason_en?: string;
}

/** A break in an indicator's definition: the first year on the new basis, what changed and what it does to the series. */
export interface DefinitionBreak {
  year: number;
  levels?: Level[];
  /** The caveat (messages.ts) the report shows for the break. */
  caveat: string;
  /** Lower-case clauses for running text: "åldersgruppen ändrades …", "nivån kan flytta sig …". */
  what: string;
  effect: string;
  /** Short label drawn at the break on charts. */
  label: string;
  /** The title from `year` on, where the title names the changed definition (an age band). */
  title_sv?: string;
}

/** A change of area version (DeSO 2018 → DeSO 2025): from `year` on, values are over the new areas. */
export interface AreaVersionBreak {
  year: number;
  levels: Level[];
  what: string;
  effect: string;
}

/** `constant`: SCB's own fixed prices of the latest published year (`base_year: 'latest'`); `current`: löpande priser. */
export interface PriceBasis {
  basis: 'constant' | 'current';
  base_year: 'latest' | number;
  note: string;
}

export interface IndicatorCatalogue {
  disclosure: { threshold_default: number; rule: string };
  area_version_breaks?: AreaVersionBreak[];
  indicators: IndicatorDef[];
}

/** The title that matches the definition in `year` (the latest break at or before it with a title of its own). */
export function titleInYear(ind: Pick<IndicatorDef, 'title_sv' | 'breaks'>, year: number | null): string {
  if (year === null) return ind.title_sv;
  const b = [...(ind.breaks ?? [])].filter((x) => x.title_sv !== undefined && x.year <= year).sort((a, c) => c.year - a.year)[0];
  return b?.title_sv ?? ind.title_sv;
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
    checkReportFields(ind);
  }
  for (const [k, b] of (cat.area_version_breaks ?? []).entries()) {
    const where = `data/indicators.json: area_version_breaks[${k}]`;
    if (!Number.isInteger(b.year)) throw new UsageError(`${where}.year: expected a whole year, got ${JSON.stringify(b.year)}`);
    for (const f of ['what', 'effect'] as const) if (typeof b[f] !== 'string' || b[f].trim() === '') throw new UsageError(`${where}.${f}: expected a sentence, got ${JSON.stringify(b[f])}`);
  }
  return cat;
}

/** The fields the report's verdicts rest on: a wrong one would silently turn noise into a finding, so refuse it. */
function checkReportFields(ind: IndicatorDef): void {
  const where = `data/indicators.json: indicator "${ind.id}"`;
  const m = ind.materiality as Materiality | undefined;
  if (!m || typeof m.value !== 'number' || !Number.isFinite(m.value) || m.value <= 0) {
    throw new UsageError(`${where}: materiality.value: expected a positive number in the indicator's unit, got ${JSON.stringify(m?.value)}`);
  }
  if (m.relative !== undefined && typeof m.relative !== 'boolean') throw new UsageError(`${where}: materiality.relative: expected true or false, got ${JSON.stringify(m.relative)}`);
  if (typeof m.reason !== 'string' || m.reason.trim().length < 10) throw new UsageError(`${where}: materiality.reason: expected the reason for the threshold, got ${JSON.stringify(m.reason)}`);
  if (m.reason_en !== undefined && (typeof m.reason_en !== 'string' || m.reason_en.trim().length < 10)) throw new UsageError(`${where}: materiality.reason_en: expected the reason in English, got ${JSON.stringify(m.reason_en)}`);
  for (const [k, b] of (ind.breaks ?? []).entries()) {
    const at = `${where}: breaks[${k}]`;
    if (!Number.isInteger(b.year) || b.year <= ind.years[0] || b.year > ind.years[1]) {
      throw new UsageError(`${at}.year: expected the first year on the new basis, inside ${ind.years[0] + 1}–${ind.years[1]}, got ${JSON.stringify(b.year)}`);
    }
    for (const f of ['caveat', 'what', 'effect', 'label'] as const) {
      if (typeof b[f] !== 'string' || b[f].trim() === '') throw new UsageError(`${at}.${f}: expected text, got ${JSON.stringify(b[f])}`);
    }
    if (b.title_sv !== undefined && (typeof b.title_sv !== 'string' || b.title_sv.trim() === '')) throw new UsageError(`${at}.title_sv: expected a title, got ${JSON.stringify(b.title_sv)}`);
  }
  if (ind.unit === 'kronor') {
    const p = ind.prices;
    if (!p || (p.basis !== 'constant' && p.basis !== 'current')) {
      throw new UsageError(`${where}: prices.basis: an amount in kronor needs its price basis ('constant' or 'current'), got ${JSON.stringify(p?.basis)}`);
    }
    if (p.base_year !== 'latest' && !Number.isInteger(p.base_year)) throw new UsageError(`${where}: prices.base_year: expected 'latest' or a year, got ${JSON.stringify(p.base_year)}`);
  }
}

/** The catalogue fields the report's verdicts need: materiality, definition breaks (with the title before each), price basis. */
export function indicatorReportFields(
  ind: IndicatorDef,
  latest: number | null,
): {
  materiality?: Materiality;
  breaks?: { year: number; what: string; effect: string; label: string; title_before?: string }[];
  prices?: { basis: PriceBasis['basis']; base_year: number | null };
} {
  return {
    ...(ind.materiality ? { materiality: ind.materiality } : {}),
    ...(ind.breaks && ind.breaks.length > 0
      ? {
          breaks: ind.breaks.map((b) => ({
            year: b.year,
            what: b.what,
            effect: b.effect,
            label: b.label,
            ...(b.title_sv !== undefined ? { title_before: titleInYear(ind, b.year - 1) } : {}),
          })),
        }
      : {}),
    // SCB's constant prices are those of the latest year it has published, the series' own latest year.
    ...(ind.prices ? { prices: { basis: ind.prices.basis, base_year: ind.prices.base_year === 'latest' ? latest : ind.prices.base_year } } : {}),
  };
}
