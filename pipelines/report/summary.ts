/**
 * Swedish sentences from the numbers of a ReportModel. Every sentence is chosen by what the data say (a rise, a
 * fall, no change, a missing value), never a template written for one outcome. Missing values are named as
 * missing and never counted as zero. A change that rounds to zero at the printed precision is "oförändrat", so
 * the text never claims a change the reader cannot see in the table.
 */
import type { IndicatorBlock, ReportModel, SegregationBlock } from './model.ts';
import {
  formatAreaVersion,
  formatChangeMagnitude,
  formatNumber,
  formatSigned,
  formatValue,
  formatYearList,
  formatYearRange,
  joinSwedish,
  NBSP,
  roundsToZero,
  statusText,
  unitStyle,
} from './format.ts';

export interface SummaryArea {
  policy_area: string;
  title: string;
  sentences: string[];
}

export interface Summary {
  /** Counts over all indicators: how many improved, worsened, stayed flat. */
  overview: string[];
  areas: SummaryArea[];
  segregation: string[];
}

export interface TextContext {
  /** `i riket`, `i Stockholms län`: where the series belongs, as it reads after a value. */
  scopePhrase: string;
  reportYear: number;
}

type Movement = 'up' | 'down' | 'flat';

interface ValuePoint {
  year: number;
  value: number;
}

interface Trend {
  first: ValuePoint;
  latest: ValuePoint;
  diff: number;
  movement: Movement;
}

function movementOf(diff: number, decimals: number): Movement {
  if (roundsToZero(diff, decimals)) return 'flat';
  return diff > 0 ? 'up' : 'down';
}

function validPoints(series: readonly { year: number; value: number | null }[]): ValuePoint[] {
  return series
    .filter((p): p is { year: number; value: number } => p.value !== null && Number.isFinite(p.value))
    .map((p) => ({ year: p.year, value: p.value }))
    .sort((a, b) => a.year - b.year);
}

function trendOf(points: readonly ValuePoint[], decimals: number): Trend | null {
  const first = points[0];
  const latest = points[points.length - 1];
  if (!first || !latest || first.year === latest.year) return null;
  const diff = latest.value - first.value;
  return { first, latest, diff, movement: movementOf(diff, decimals) };
}

/** 'better' when the movement goes the way the catalogue calls good; null when it names no direction. */
function judgement(movement: Movement, higherIsBetter: boolean | null): 'better' | 'worse' | null {
  if (higherIsBetter === null || movement === 'flat') return null;
  return (movement === 'up') === higherIsBetter ? 'better' : 'worse';
}

export function scopePhrase(scope: ReportModel['scope']): string {
  return scope.level === 'riket' ? 'i riket' : `i ${scope.name}`;
}

function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n, 0)} ${n === 1 ? one : many}`;
}

/** Years with no value, grouped by the reason the status gives: `2019 (uppgift saknas) och 2024 (skyddad …)`. */
function missingYearsSentence(series: readonly { year: number; value: number | null; status: string | null }[]): string | null {
  const byReason = new Map<string, number[]>();
  for (const p of series) {
    if (p.value !== null && Number.isFinite(p.value)) continue;
    const reason = statusText(p.status);
    const years = byReason.get(reason) ?? [];
    years.push(p.year);
    byReason.set(reason, years);
  }
  if (byReason.size === 0) return null;
  const parts = [...byReason.entries()]
    .sort((a, b) => Math.min(...a[1]) - Math.min(...b[1]))
    .map(([reason, years]) => `${formatYearList(years)}${reason ? ` (${reason})` : ''}`);
  return `Värde saknas för ${joinSwedish(parts)}.`;
}

/** One sentence per change of area version between consecutive years that have values. */
function breakSentences(series: readonly { year: number; value: number | null; area_version?: string | undefined }[]): string[] {
  const withVersion = series
    .filter((p) => p.value !== null && p.area_version !== undefined)
    .sort((a, b) => a.year - b.year);
  const out: string[] = [];
  for (let i = 1; i < withVersion.length; i++) {
    const prev = withVersion[i - 1];
    const cur = withVersion[i];
    if (!prev || !cur || prev.area_version === cur.area_version) continue;
    out.push(
      `Områdesindelningen byts mellan ${prev.year} och ${cur.year} (${formatAreaVersion(prev.area_version ?? '')} till ` +
        `${formatAreaVersion(cur.area_version ?? '')}); jämförelser över brottet bör tolkas med försiktighet.`,
    );
  }
  return out;
}

/** Linear-interpolated quantile (type 7, as R and numpy default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

/**
 * The spread between kommuner on one set of kommuner: the 10–90 percentile distance when there are enough
 * kommuner for percentiles to mean something, otherwise highest minus lowest.
 */
function spreadOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length >= 10) return quantile(sorted, 0.9) - quantile(sorted, 0.1);
  return (sorted[sorted.length - 1] ?? 0) - (sorted[0] ?? 0);
}

function spreadName(n: number): string {
  return n >= 10
    ? 'avståndet mellan kommunen vid den 10:e och den 90:e percentilen'
    : 'avståndet mellan högsta och lägsta kommun';
}

interface SpreadChange {
  movement: Movement;
  sentence: string;
}

/** Whether the gap between kommuner widened, compared on the kommuner that have both years. */
function spreadChange(block: IndicatorBlock, firstYear: number | null, latestYear: number): SpreadChange | null {
  // Counts differ between kommuner because kommuner differ in size; their spread says nothing about inequality.
  if (block.unit === 'antal') return null;
  if (!block.by_kommun.some((k) => k.first_value !== undefined)) return null;
  const pairs = block.by_kommun.filter(
    (k): k is typeof k & { value: number; first_value: number } =>
      k.value !== null && k.first_value !== null && k.first_value !== undefined,
  );
  const fy = block.first_year ?? firstYear;
  if (pairs.length < 2 || fy === null || fy === latestYear) {
    return {
      movement: 'flat',
      sentence: 'Om skillnaden mellan kommunerna har ökat eller minskat går inte att bedöma, eftersom jämförbara kommunvärden saknas.',
    };
  }
  const style = unitStyle(block.unit);
  const before = spreadOf(pairs.map((k) => k.first_value));
  const after = spreadOf(pairs.map((k) => k.value));
  const movement = movementOf(after - before, style.decimals);
  const numbers = `${spreadName(pairs.length)} var ${formatChangeMagnitude(after, block.unit)} år ${latestYear} mot ${formatChangeMagnitude(before, block.unit)} år ${fy}`;
  const lead =
    movement === 'flat'
      ? `Skillnaden mellan kommunerna är i stort sett oförändrad sedan ${fy}`
      : `Skillnaden mellan kommunerna har ${movement === 'up' ? 'ökat' : 'minskat'} sedan ${fy}`;
  const basis = pairs.length < block.by_kommun.length ? ` (${plural(pairs.length, 'kommun', 'kommuner')} med värden båda åren)` : '';
  return { movement, sentence: `${lead}: ${numbers}${basis}.` };
}

function relativeChange(trend: Trend, unit: string): string {
  if (!unitStyle(unit).relative || trend.first.value === 0) return '';
  const pct = (trend.diff / Math.abs(trend.first.value)) * 100;
  return ` (${formatSigned(pct, 1)}${NBSP}%)`;
}

function latestYearOf(block: IndicatorBlock, points: readonly ValuePoint[]): number | null {
  return block.latest_year ?? points[points.length - 1]?.year ?? null;
}

/** The paragraph under an indicator's heading in its chapter. */
export function describeIndicator(block: IndicatorBlock, ctx: TextContext): string[] {
  const style = unitStyle(block.unit);
  const points = validPoints(block.series);
  const years = block.series.map((p) => p.year);
  const out: string[] = [];
  const latest = points[points.length - 1];
  if (!latest) {
    const range = years.length ? ` ${formatYearRange(Math.min(...years), Math.max(...years))}` : '';
    out.push(`Uppgifter saknas för alla år${range}.`);
    const missing = missingYearsSentence(block.series);
    if (missing && years.length) out.push(missing);
    return out;
  }
  out.push(`År ${latest.year} var värdet ${formatValue(latest.value, block.unit)} ${ctx.scopePhrase}.`);
  // When later years are in the series as missing, the missing-years sentence below already says so.
  const lastYearInSeries = Math.max(...years);
  if (latest.year < ctx.reportYear && lastYearInSeries <= latest.year) {
    out.push(`Senare värden finns inte i källan; rapportåret är ${ctx.reportYear}.`);
  }

  const trend = trendOf(points, style.decimals);
  if (!trend) {
    out.push('Värden för tidigare år saknas, så ingen förändring kan anges.');
  } else if (trend.movement === 'flat') {
    out.push(`Värdet är i stort sett oförändrat sedan ${trend.first.year} (${formatValue(trend.first.value, block.unit)}).`);
  } else {
    const verb = trend.movement === 'up' ? 'ökat' : 'minskat';
    const j = judgement(trend.movement, block.higher_is_better);
    const tail = j === 'better' ? ', vilket är en förbättring' : j === 'worse' ? ', vilket är en försämring' : '';
    out.push(
      `Sedan ${trend.first.year} har värdet ${verb} med ${formatChangeMagnitude(trend.diff, block.unit)}` +
        `${relativeChange(trend, block.unit)}, från ${formatValue(trend.first.value, block.unit)}${tail}.`,
    );
  }
  const missing = missingYearsSentence(block.series);
  if (missing) out.push(missing);
  out.push(...breakSentences(block.series));

  const kYear = latestYearOf(block, points) ?? latest.year;
  const withValue = block.by_kommun.filter((k): k is typeof k & { value: number } => k.value !== null);
  if (block.by_kommun.length > 0 && withValue.length === 0) {
    out.push(`Kommunvärden saknas för ${kYear}.`);
  } else if (withValue.length >= 2) {
    const sorted = [...withValue].sort((a, b) => a.value - b.value);
    const lo = sorted[0];
    const hi = sorted[sorted.length - 1];
    if (lo && hi) {
      out.push(
        `Bland kommunerna låg värdet ${kYear} mellan ${formatValue(lo.value, block.unit)} (${lo.name}) och ` +
          `${formatValue(hi.value, block.unit)} (${hi.name}).`,
      );
    }
    const missingK = block.by_kommun.length - withValue.length;
    if (missingK > 0) out.push(`${plural(missingK, 'kommun', 'kommuner')} av ${formatNumber(block.by_kommun.length, 0)} saknar värde.`);
    const spread = spreadChange(block, points[0]?.year ?? null, kYear);
    if (spread) out.push(spread.sentence);
  }
  return out;
}

/** One line for the summary: level, change and its direction, and the spread between kommuner. */
export function summarizeIndicator(block: IndicatorBlock, ctx: TextContext): string {
  const style = unitStyle(block.unit);
  const points = validPoints(block.series);
  const latest = points[points.length - 1];
  if (!latest) return `${block.title_sv}: uppgifter saknas.`;
  const level = `${block.title_sv}: ${formatValue(latest.value, block.unit)} ${ctx.scopePhrase} år ${latest.year}`;
  const trend = trendOf(points, style.decimals);
  let s: string;
  if (!trend) {
    s = `${level}; jämförelse med tidigare år saknas.`;
  } else if (trend.movement === 'flat') {
    s = `${level}, i stort sett oförändrat sedan ${trend.first.year}.`;
  } else {
    const noun = trend.movement === 'up' ? 'en ökning' : 'en minskning';
    const j = judgement(trend.movement, block.higher_is_better);
    const tail = j === 'better' ? ' – en förbättring' : j === 'worse' ? ' – en försämring' : '';
    s = `${level}, ${noun} med ${formatChangeMagnitude(trend.diff, block.unit)} sedan ${trend.first.year}${tail}.`;
  }
  const spread = spreadChange(block, points[0]?.year ?? null, latestYearOf(block, points) ?? latest.year);
  if (spread && spread.movement !== 'flat') {
    s += ` Skillnaden mellan kommunerna har ${spread.movement === 'up' ? 'ökat' : 'minskat'}.`;
  }
  return s;
}

const MEASURE_LABELS: Record<string, string> = {
  D: 'Olikhetsindex D',
  Gini: 'Gini-index',
  H: 'Theils entropiindex H',
  H_two_group: 'Theils entropiindex H',
  isolation_xPx: 'Isoleringsindex xPx',
  interaction_xPy: 'Exponeringsindex xPy',
  correlation_ratio_V: 'Korrelationskvot V',
  M: 'Ömsesidig information M',
  multi_M_divergence: 'Ömsesidig information M',
  multi_H_information_theory: 'Theils H för flera grupper',
  multi_D: 'Olikhetsindex för flera grupper',
  multi_Gini: 'Gini-index för flera grupper',
};

/** The Swedish name of a METHODS.md §10 measure id; unknown ids are shown as they are. */
export function measureLabel(measure: string): string {
  return MEASURE_LABELS[measure] ?? measure;
}

/** Exposure (interaction) rises when groups meet more, i.e. when segregation falls; the other indices rise with it. */
function higherMeansMoreSegregation(measure: string): boolean {
  return measure !== 'interaction_xPy';
}

export function unitLevelName(level: SegregationBlock['unit_level']): string {
  return level === 'deso' ? 'DeSO' : 'RegSO';
}

const SEG_DECIMALS = 3;

function segregationWord(movement: Movement, measure: string): string {
  const more = (movement === 'up') === higherMeansMoreSegregation(measure);
  return more ? 'mer' : 'mindre';
}

/** The paragraph under a segregation block in the Segregation chapter. */
export function describeSegregation(block: SegregationBlock): string[] {
  const label = measureLabel(block.measure);
  const unitName = unitLevelName(block.unit_level);
  const series = [...block.series].sort((a, b) => a.year - b.year);
  const points = validPoints(series);
  const latest = points[points.length - 1];
  const out: string[] = [];
  if (!latest) {
    out.push(`${label} för ${block.groups} över ${unitName} saknas för alla år.`);
    return out;
  }
  const latestRow = series.find((p) => p.year === latest.year);
  const units = latestRow ? `, beräknat över ${formatNumber(latestRow.n_units, 0)} ${unitName}-områden,` : '';
  out.push(`${label} för ${block.groups}${units} var ${formatNumber(latest.value, SEG_DECIMALS)} år ${latest.year}.`);
  const expected = latestRow?.expected;
  if (expected !== undefined && expected !== null) {
    out.push(`Vid slumpmässig fördelning över samma områden vore det förväntade värdet ${formatNumber(expected, SEG_DECIMALS)}.`);
  }
  const trend = trendOf(points, SEG_DECIMALS);
  if (!trend) {
    out.push('Värden för tidigare år saknas, så ingen förändring kan anges.');
  } else if (trend.movement === 'flat') {
    out.push(`Indexet är i stort sett oförändrat sedan ${trend.first.year} (${formatNumber(trend.first.value, SEG_DECIMALS)}).`);
  } else {
    out.push(
      `Sedan ${trend.first.year} har indexet ${trend.movement === 'up' ? 'stigit' : 'sjunkit'} med ` +
        `${formatNumber(Math.abs(trend.diff), SEG_DECIMALS)}, från ${formatNumber(trend.first.value, SEG_DECIMALS)}; ` +
        `enligt måttet är boendet ${segregationWord(trend.movement, block.measure)} segregerat.`,
    );
  }
  const missing = missingYearsSentence(series.map((p) => ({ ...p, status: p.value === null ? p.status : null })));
  if (missing) out.push(missing);
  out.push(...breakSentences(series));
  if (latestRow && latestRow.value !== null) {
    const st = statusText(latestRow.status);
    if (st) out.push(`Värdet för ${latestRow.year} är markerat (${st}).`);
  }

  const withValue = block.by_kommun.filter((k): k is typeof k & { value: number } => k.value !== null);
  const pairs = withValue.filter((k): k is typeof k & { first_value: number } => k.first_value !== null);
  if (pairs.length > 0 && trend) {
    let up = 0;
    let down = 0;
    let flat = 0;
    for (const k of pairs) {
      const m = movementOf(k.value - k.first_value, SEG_DECIMALS);
      if (m === 'up') up++;
      else if (m === 'down') down++;
      else flat++;
    }
    const lead = `Av ${plural(pairs.length, 'kommun', 'kommuner')} med värden både ${trend.first.year} och ${latest.year}`;
    const n = pairs.length;
    if (up === n) out.push(`${lead} steg indexet i samtliga.`);
    else if (down === n) out.push(`${lead} sjönk indexet i samtliga.`);
    else if (flat === n) out.push(`${lead} var indexet i stort sett oförändrat i samtliga.`);
    else {
      const flatPart = flat > 0 ? `; i ${formatNumber(flat, 0)} var det i stort sett oförändrat` : '';
      out.push(`${lead} steg indexet i ${formatNumber(up, 0)} och sjönk i ${formatNumber(down, 0)}${flatPart}.`);
    }
  }
  const top = [...withValue].sort((a, b) => b.value - a.value)[0];
  if (top && withValue.length >= 2) {
    out.push(`Högst värde ${latest.year} hade ${top.name} (${formatNumber(top.value, SEG_DECIMALS)}).`);
  }
  const missingK = block.by_kommun.length - withValue.length;
  if (missingK > 0) out.push(`${plural(missingK, 'kommun', 'kommuner')} saknar värde.`);
  return out;
}

/** One line for the summary per segregation block. */
export function summarizeSegregation(block: SegregationBlock): string {
  const head = `${measureLabel(block.measure)} (${block.groups}, ${unitLevelName(block.unit_level)})`;
  const points = validPoints(block.series);
  const latest = points[points.length - 1];
  if (!latest) return `${head}: uppgifter saknas.`;
  const level = `${head}: ${formatNumber(latest.value, SEG_DECIMALS)} år ${latest.year}`;
  const trend = trendOf(points, SEG_DECIMALS);
  if (!trend) return `${level}; jämförelse med tidigare år saknas.`;
  if (trend.movement === 'flat') return `${level}, i stort sett oförändrat sedan ${trend.first.year}.`;
  const verb = trend.movement === 'up' ? 'en ökning' : 'en minskning';
  return (
    `${level}, ${verb} med ${formatNumber(Math.abs(trend.diff), SEG_DECIMALS)} sedan ${trend.first.year} – ` +
    `${segregationWord(trend.movement, block.measure)} segregation enligt måttet.`
  );
}

function overview(model: ReportModel): string[] {
  let better = 0;
  let worse = 0;
  let flat = 0;
  let noData = 0;
  let directed = 0;
  for (const ch of model.chapters) {
    for (const block of ch.indicators) {
      const points = validPoints(block.series);
      if (points.length === 0) {
        noData++;
        continue;
      }
      if (block.higher_is_better === null) continue;
      const trend = trendOf(points, unitStyle(block.unit).decimals);
      if (!trend) continue;
      directed++;
      const j = judgement(trend.movement, block.higher_is_better);
      if (j === 'better') better++;
      else if (j === 'worse') worse++;
      else flat++;
    }
  }
  const out: string[] = [];
  if (directed > 0) {
    const flatPart = flat > 0 ? `; ${formatNumber(flat, 0)} visar ingen tydlig förändring` : '';
    out.push(
      `Av ${plural(directed, 'indikator', 'indikatorer')} med bestämd riktning och värden för minst två år har ` +
        `${formatNumber(better, 0)} utvecklats i önskad riktning och ${formatNumber(worse, 0)} i motsatt riktning ` +
        `sedan första året med data${flatPart}.`,
    );
  }
  if (noData > 0) out.push(`${plural(noData, 'indikator', 'indikatorer')} saknar värden helt.`);
  return out;
}

/** The "Sammanfattning": an overview, one line per indicator grouped by policy area, one per segregation block. */
export function buildSummary(model: ReportModel): Summary {
  const ctx: TextContext = { scopePhrase: scopePhrase(model.scope), reportYear: model.year };
  return {
    overview: overview(model),
    areas: model.chapters.map((ch) => ({
      policy_area: ch.policy_area,
      title: ch.title_sv,
      sentences: ch.indicators.map((b) => summarizeIndicator(b, ctx)),
    })),
    segregation: model.segregation.map(summarizeSegregation),
  };
}
