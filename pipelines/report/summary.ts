/**
 * Swedish sentences from the numbers of a ReportModel. Every sentence is chosen by what the data say (a rise, a
 * fall, no change, a missing value), never a template written for one outcome. Missing values are named as
 * missing and never counted as zero. A change that rounds to zero at the printed precision is "oförändrat", so
 * the text never claims a change the reader cannot see in the table.
 */
import type { AreaTypeBlock, AreaTypeIndicator, AreaTypeNumber, DecompositionComponent, IndicatorBlock, ReportModel, SegregationBlock } from './model.ts';
import {
  formatAreaVersion,
  formatChangeMagnitude,
  formatNumber,
  formatSigned,
  formatValue,
  formatYearList,
  formatYearRange,
  EN_DASH,
  formatPercent,
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
  /** Residents by area type and the type 1 − type 5 gaps; empty when the model has no area types. */
  area_types: string[];
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
  const compared = (block.comparisons ?? []).filter((c) => c.year === latest.year && c.value !== null);
  if (compared.length > 0) {
    out.push(`Som jämförelse: ${compared.map((c) => `${c.name} ${formatValue(c.value as number, block.unit)}`).join(', ')} samma år.`);
  }
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
/** Below this many units the text warns that the index rests on too few areas to say much. */
const FEW_UNITS = 5;

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
  // With a handful of units an index is mostly chance (one household moving shifts it); say so where it is read.
  if (latestRow && latestRow.n_units < FEW_UNITS) {
    out.push(`Indexet bygger på bara ${plural(latestRow.n_units, 'område', 'områden')} och ska därför tolkas med stor försiktighet.`);
  }
  const expected = latestRow?.expected;
  if (expected !== undefined && expected !== null) {
    out.push(`Vid slumpmässig fördelning över samma områden vore det förväntade värdet ${formatNumber(expected, SEG_DECIMALS)}.`);
  }
  const interval = latestRow ? intervalText(latestRow) : null;
  if (interval) out.push(`Bootstrapintervallet (95${NBSP}%) är ${interval}.`);
  const other = otherLevelSentence(block, latest);
  if (other) out.push(other);
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
  // One kommun (a kommun's own report) is not a distribution: its own change is the sentence above.
  if (pairs.length >= 2 && trend) {
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
  if (missingK > 0 && block.by_kommun.length >= 2) out.push(`${plural(missingK, 'kommun', 'kommuner')} saknar värde.`);
  if (block.decomposition) out.push(...describeDecomposition(block));
  return out;
}

/** `0,374–0,375` from a point's bootstrap interval, or null when there is none. */
export function intervalText(p: { ci_low?: number | null; ci_high?: number | null }): string | null {
  if (p.ci_low === undefined || p.ci_low === null || p.ci_high === undefined || p.ci_high === null) return null;
  // A narrow interval (riket, thousands of units) would print as 0,041–0,041: add decimals until its ends differ.
  let d = SEG_DECIMALS;
  while (d < 6 && formatNumber(p.ci_low, d) === formatNumber(p.ci_high, d)) d++;
  // An en dash between signed numbers (−0,043–0,016) reads as a minus: then the ends are joined with "till".
  const sep = p.ci_low < 0 || p.ci_high < 0 ? ' till ' : EN_DASH;
  return `${formatNumber(p.ci_low, d)}${sep}${formatNumber(p.ci_high, d)}`;
}

/**
 * The same index over the other unit level in the same year: larger units (RegSO) average away part of the
 * unevenness that smaller ones (DeSO) show, so the comparison tells the reader how much the unit size matters.
 */
function otherLevelSentence(block: SegregationBlock, latest: ValuePoint): string | null {
  const other = block.other_unit_level;
  if (!other) return null;
  const same = other.series.find((p) => p.year === latest.year && p.value !== null);
  const otherName = unitLevelName(other.unit_level);
  const ownName = unitLevelName(block.unit_level);
  if (!same || same.value === null) return `Över ${otherName} saknas värde för ${latest.year}.`;
  const diff = same.value - latest.value;
  const own = block.series.find((p) => p.year === latest.year);
  // Only fewer units are larger units: a small kommun may have as many RegSO as DeSO, and then the comparison
  // says nothing about unit size.
  const larger = own !== undefined && same.n_units < own.n_units;
  const smaller = own !== undefined && same.n_units > own.n_units;
  const where = larger ? `de större ${otherName}-områdena` : smaller ? `de mindre ${otherName}-områdena` : `${otherName}, som här är lika många som ${ownName}-områdena,`;
  const exp = same.expected !== undefined && same.expected !== null ? ` (förväntat vid slumpmässig fördelning ${formatNumber(same.expected, SEG_DECIMALS)})` : '';
  const m = movementOf(diff, SEG_DECIMALS);
  const lead =
    m === 'flat'
      ? `Över ${where} var indexet i stort sett detsamma, ${formatNumber(same.value, SEG_DECIMALS)}${exp}, år ${latest.year}`
      : `Över ${where} var indexet ${m === 'down' ? 'lägre' : 'högre'}, ${formatNumber(same.value, SEG_DECIMALS)}${exp} mot ${formatNumber(latest.value, SEG_DECIMALS)} över ${ownName} år ${latest.year}`;
  if (!larger && !smaller) return `${lead}.`;
  return m === 'flat' ? `${lead}; områdenas storlek påverkar knappt måttet här.` : `${lead}; områdenas storlek påverkar alltså måttet.`;
}

const COMPONENT_PHRASE: Record<DecompositionComponent, string> = {
  between_lan: 'mellan län',
  between_kommun_within_lan: 'mellan kommuner i samma län',
  within_kommun: 'inom kommunerna',
  total: 'totalt',
};

/** The Swedish name of a decomposition component, for table rows. */
export function componentLabel(c: DecompositionComponent): string {
  const label = COMPONENT_PHRASE[c];
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** Share of the total M per component in one year (percent); null where a term or the total is missing. */
export function decompositionShares(year: { terms: { component: DecompositionComponent; M: number | null }[] }): Map<DecompositionComponent, number | null> {
  const total = year.terms.find((t) => t.component === 'total')?.M ?? null;
  return new Map(year.terms.map((t) => [t.component, total === null || total === 0 || t.M === null ? null : (100 * t.M) / total]));
}

/**
 * The decomposition of M in the latest year, parts in order of size (the data decide which comes first), and how
 * the largest part's share moved since the first year.
 */
export function describeDecomposition(block: SegregationBlock): string[] {
  const dec = block.decomposition;
  const years = [...(dec?.years ?? [])].sort((a, b) => a.year - b.year);
  const last = years[years.length - 1];
  const first = years.length > 1 ? years[0] : undefined;
  if (!dec || !last) return [];
  const total = last.terms.find((t) => t.component === 'total')?.M ?? null;
  const shares = decompositionShares(last);
  const parts = last.terms
    .filter((t) => t.component !== 'total')
    .flatMap((t) => {
      const share = shares.get(t.component);
      return share === null || share === undefined ? [] : [{ component: t.component, share }];
    })
    .sort((a, b) => b.share - a.share);
  const top = parts[0];
  if (total === null || !top) return [`Uppdelningen av segregationen på län och kommuner saknas för ${last.year}.`];
  const out: string[] = [
    `Av den totala segregationen mellan ${block.groups} i riket (M${NBSP}=${NBSP}${formatNumber(total, 4)} år ${last.year}, över ${unitLevelName(dec.unit_level)}) ` +
      `låg ${joinSwedish(parts.map((p) => `${formatPercent(p.share, 1)} ${COMPONENT_PHRASE[p.component]}`))}.`,
  ];
  const before = first ? decompositionShares(first).get(top.component) : null;
  if (first && before !== null && before !== undefined) {
    const m = movementOf(top.share - before, 1);
    out.push(
      m === 'flat'
        ? `Andelen ${COMPONENT_PHRASE[top.component]} är i stort sett oförändrad sedan ${first.year} (${formatPercent(before, 1)}).`
        : `Andelen ${COMPONENT_PHRASE[top.component]} har ${m === 'up' ? 'ökat' : 'minskat'} från ${formatPercent(before, 1)} år ${first.year}.`,
    );
  }
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
    segregation: model.segregation.flatMap((b) => [summarizeSegregation(b), ...describeDecomposition(b).slice(0, 1)]),
    area_types: model.area_types ? summarizeAreaTypes(model.area_types, scopePhrase(model.scope)) : [],
  };
}

// ---- Area types (områdestyper). ----

const TYPE_SHORT: Record<AreaTypeNumber, string> = {
  1: 'stora utmaningar',
  2: 'utmaningar',
  3: 'blandade',
  4: 'goda förutsättningar',
  5: 'mycket goda förutsättningar',
};

/** `Typ 1: stora utmaningar` — short enough for a legend or a table header; the official name is in the text. */
export function areaTypeShortName(t: AreaTypeNumber): string {
  return `Typ ${t}: ${TYPE_SHORT[t]}`;
}

/** `Typ 1|stora utmaningar`: the short name as two legend lines (the charts split labels at '|'). */
export function areaTypeLegendName(t: AreaTypeNumber): string {
  return `Typ ${t}|${TYPE_SHORT[t]}`;
}

/** Gaps and changes of percentages are read at one decimal, as the table prints them. */
const GAP_DECIMALS = 1;

export type GapVerdict = 'narrowed' | 'widened' | 'flat' | 'reversed';

/**
 * Whether the type 1 − type 5 gap narrowed since the base year, as the warehouse defines it (area_types/gap.sql):
 * type 1's disadvantage for indicators with a direction, the absolute gap for those without. A change that rounds
 * to zero at the printed precision is 'flat'; a gap that changed sign (type 1 now ahead, or behind where it was
 * ahead) is 'reversed', since "narrowed" would hide that. null when there is nothing to compare.
 */
export function gapVerdict(ind: AreaTypeIndicator): GapVerdict | null {
  if (ind.gap === null || ind.gap_base === null || ind.base_year === null || ind.year <= ind.base_year) return null;
  const oriented = (g: number): number => (ind.higher_is_better === null ? Math.abs(g) : ind.higher_is_better ? -g : g);
  const now = oriented(ind.gap);
  const then = oriented(ind.gap_base);
  if (ind.higher_is_better !== null && !roundsToZero(now, GAP_DECIMALS) && !roundsToZero(then, GAP_DECIMALS) && now > 0 !== then > 0) return 'reversed';
  if (roundsToZero(now - then, GAP_DECIMALS)) return 'flat';
  // The warehouse's judgement where it has one (same definition); our own comparison otherwise.
  const narrowed = ind.narrowed ?? now < then;
  return narrowed ? 'narrowed' : 'widened';
}

/** `minskat`, `ökat`, `oförändrad`, `bytt tecken` for the table column "Skillnaden har …". */
export function gapVerdictWord(v: GapVerdict | null): string {
  if (v === null) return '..';
  return { narrowed: 'minskat', widened: 'ökat', flat: 'oförändrad', reversed: 'bytt tecken' }[v];
}

function lowerFirst(s: string): string {
  return /^[A-ZÅÄÖ][a-zåäö]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

const GAP_REASON: Record<string, string> = {
  no_type1: 'det saknas områden av typ 1',
  no_type5: 'det saknas områden av typ 5',
  suppressed: 'värdet för typ 1 eller typ 5 vilar på för få personer och redovisas inte',
  missing: 'värden saknas för typ 1 eller typ 5',
};

/**
 * One or two sentences on an indicator's gap: the two values and the gap in the latest year, then whether the gap
 * narrowed, widened or stayed since the base year. Each outcome has its own sentence.
 */
export function describeAreaTypeGap(ind: AreaTypeIndicator): string {
  const title = lowerFirst(ind.title_sv);
  if (ind.gap === null || ind.value_type1 === null || ind.value_type5 === null) {
    return `För ${title} kan skillnaden mellan typ 1 och typ 5 inte anges för ${ind.year}: ${GAP_REASON[ind.status] ?? 'värden saknas'}.`;
  }
  const dir = roundsToZero(ind.gap, GAP_DECIMALS) ? 'lika högt som' : `${formatChangeMagnitude(ind.gap, ind.unit)} ${ind.gap < 0 ? 'lägre' : 'högre'} än`;
  const level =
    `I områden av typ 1 var ${title} ${formatValue(ind.value_type1, ind.unit)} år ${ind.year}, ` +
    `${dir} i typ 5 (${formatValue(ind.value_type5, ind.unit)}).`;
  const v = gapVerdict(ind);
  const base = ind.base_year;
  if (v === null || base === null || ind.gap_base === null) {
    if (base !== null && ind.year > base) return `${level} Jämförelse med ${base} saknas.`;
    return level;
  }
  const then = formatChangeMagnitude(ind.gap_base, ind.unit);
  const change = formatChangeMagnitude(Math.abs(ind.gap) - Math.abs(ind.gap_base), ind.unit);
  switch (v) {
    case 'flat':
      return `${level} Skillnaden är i stort sett oförändrad sedan ${base} (${then}).`;
    case 'narrowed':
      return `${level} Skillnaden har minskat med ${change} sedan ${base}, från ${then}.`;
    case 'widened':
      return `${level} Skillnaden har ökat med ${change} sedan ${base}, från ${then}.`;
    case 'reversed':
      return `${level} År ${base} låg typ 1 ${ind.gap_base < 0 ? 'lägre' : 'högre'} än typ 5, med ${then}; skillnaden har alltså bytt tecken.`;
  }
}

function typePhrase(block: AreaTypeBlock, t: AreaTypeNumber): string {
  const name = block.types.find((x) => x.area_type === t)?.name_sv ?? areaTypeShortName(t);
  return `${lowerFirst(name)} (typ ${t})`;
}

/** Latest and first year with population rows for the scope. */
function populationYears(block: AreaTypeBlock): { first: number; latest: number } | null {
  const years = [...new Set(block.population.filter((p) => p.share !== null).map((p) => p.year))].sort((a, b) => a - b);
  const first = years[0];
  const latest = years[years.length - 1];
  return first === undefined || latest === undefined ? null : { first, latest };
}

/**
 * Who lives in which type: the shares in types 1 and 5 now and in the first year (with their change), or, where
 * the scope has neither, the type most residents live in.
 */
export function describeAreaTypePopulation(block: AreaTypeBlock, scope: string): string[] {
  const ys = populationYears(block);
  if (!ys) return [`Uppgift om invånare per områdestyp saknas ${scope}.`];
  const row = (y: number, t: AreaTypeNumber | null) => block.population.find((p) => p.year === y && p.area_type === t);
  const out: string[] = [];
  const present = (t: AreaTypeNumber): boolean => [ys.first, ys.latest].some((y) => (row(y, t)?.n_areas ?? 0) > 0);
  const shown = ([1, 5] as const).filter(present);
  shown.forEach((t, k) => {
    const now = row(ys.latest, t);
    const then = row(ys.first, t);
    const people = now?.population !== null && now?.population !== undefined ? ` (${formatNumber(now.population, 0)} personer)` : '';
    const share = now?.share !== null && now?.share !== undefined ? formatPercent(now.share, 1) : 'en okänd andel';
    let change = '';
    if (ys.first < ys.latest && then?.share !== null && then?.share !== undefined && now?.share !== null && now?.share !== undefined) {
      const m = movementOf(now.share - then.share, 1);
      change = m === 'flat' ? `, i stort sett lika många som ${ys.first}` : `, mot ${formatPercent(then.share, 1)} år ${ys.first}`;
    }
    out.push(
      k === 0
        ? `År ${ys.latest} bodde ${share} av invånarna ${scope}${people} i ${typePhrase(block, t)}${change}.`
        : `I ${typePhrase(block, t)} bodde ${share}${people}${change}.`,
    );
  });
  if (shown.length === 1) {
    out.push(`Områden av typ ${shown[0] === 1 ? 5 : 1} fanns inte ${scope} något av åren.`);
  } else if (shown.length === 0) {
    out.push(`${scope.charAt(0).toUpperCase()}${scope.slice(1)} fanns varken ${ys.first} eller ${ys.latest} några områden av typ 1 eller typ 5.`);
  }
  const latestRows = block.population.filter((p) => p.year === ys.latest && p.area_type !== null && p.share !== null);
  const top = [...latestRows].sort((a, b) => (b.share ?? 0) - (a.share ?? 0))[0];
  if (top && top.area_type !== null && top.share !== null && top.area_type !== 1 && top.area_type !== 5) {
    out.push(
      roundsToZero(100 - top.share, 1)
        ? `Alla invånare bodde i ${typePhrase(block, top.area_type)}.`
        : `Flest invånare, ${formatPercent(top.share, 1)}, bodde i ${typePhrase(block, top.area_type)}.`,
    );
  }
  return out;
}

/** Indicators whose gap the summary and chart speak of: the index components define the types and are left out. */
export function gapIndicators(block: AreaTypeBlock): AreaTypeIndicator[] {
  return block.indicators.filter((i) => !i.index_component);
}

/** How many gaps narrowed, widened or stayed since the base year, with the indicators named. */
export function describeAreaTypeGaps(block: AreaTypeBlock, scope: string): string[] {
  const inds = gapIndicators(block);
  if (inds.length === 0) return [];
  const withGap = inds.filter((i) => i.gap !== null);
  if (withGap.length === 0) {
    // gap.sql names the first missing type only; where the scope lacks both, say both.
    const bothMissing = (i: AreaTypeIndicator): boolean =>
      (i.status === 'no_type1' || i.status === 'no_type5') && i.by_type.filter((t) => t.area_type === 1 || t.area_type === 5).every((t) => t.status === 'no_areas');
    const reasons = [...new Set(inds.map((i) => (bothMissing(i) ? 'det saknas områden av både typ 1 och typ 5' : (GAP_REASON[i.status] ?? 'värden saknas'))))];
    return [`Skillnaden mellan områdestyp 1 och 5 kan inte beräknas ${scope}, eftersom ${joinSwedish(reasons)}.`];
  }
  const judged = withGap.map((i) => ({ i, v: gapVerdict(i) })).filter((x): x is { i: AreaTypeIndicator; v: GapVerdict } => x.v !== null);
  if (judged.length === 0) return [`Skillnaden mellan områdestyp 1 och 5 kan beräknas ${scope} men inte jämföras med ett tidigare år.`];
  // The base year most indicators share names the sentence; one with another base year (turnout: the first
  // election year) says so after its name.
  const baseCount = new Map<number, number>();
  for (const x of judged) if (x.i.base_year !== null) baseCount.set(x.i.base_year, (baseCount.get(x.i.base_year) ?? 0) + 1);
  const base = [...baseCount.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  const name = (i: AreaTypeIndicator): string => `${lowerFirst(i.title_sv)}${i.base_year !== base && i.base_year !== null ? ` (sedan ${i.base_year})` : ''}`;
  const groups: string[] = [];
  for (const [v, word] of [
    ['narrowed', 'minskat'],
    ['widened', 'ökat'],
    ['flat', 'varit i stort sett oförändrad'],
    ['reversed', 'bytt tecken'],
  ] as const) {
    const n = judged.filter((x) => x.v === v).map((x) => name(x.i));
    // Up to five are named; a longer list is in the table right below, and would drown the sentence.
    if (n.length > 0) groups.push(`${word} för ${formatNumber(n.length, 0)}${n.length <= 5 ? ` (${joinSwedish(n)})` : ''}`);
  }
  const out = [
    `Av ${plural(judged.length, 'indikator', 'indikatorer')} där skillnaden mellan områdestyp 1 och 5 ${scope} kan följas har den ` +
      `sedan ${base ?? 'basåret'} ${joinSwedish(groups)}.`,
  ];
  // An indicator with its own base year in a group too long to name would otherwise seem to count from `base`.
  const unnamed = judged.filter((x) => x.i.base_year !== base && x.i.base_year !== null && judged.filter((y) => y.v === x.v).length > 5);
  for (const x of unnamed) out.push(`För ${lowerFirst(x.i.title_sv)} jämförs med ${x.i.base_year}.`);
  // The largest move each way, in full, so the reader gets the numbers behind the count.
  const moved = (v: GapVerdict) =>
    judged
      .filter((x) => x.v === v)
      .sort((a, b) => Math.abs(Math.abs(b.i.gap ?? 0) - Math.abs(b.i.gap_base ?? 0)) - Math.abs(Math.abs(a.i.gap ?? 0) - Math.abs(a.i.gap_base ?? 0)))[0];
  for (const v of ['widened', 'narrowed'] as const) {
    const x = moved(v);
    if (x) out.push(describeAreaTypeGap(x.i));
  }
  return out;
}

/** The summary's lines on area types: where people live, then how the gaps moved. */
export function summarizeAreaTypes(block: AreaTypeBlock, scope: string): string[] {
  return [...describeAreaTypePopulation(block, scope), ...describeAreaTypeGaps(block, scope)];
}

function sdPoint(x: number): string {
  if (x === 0) return 'medelvärdet';
  const n = Math.abs(x);
  return `${formatNumber(n, Number.isInteger(n) ? 0 : 1)} ${n === 1 ? 'standardavvikelse' : 'standardavvikelser'} ${x > 0 ? 'över' : 'under'} medelvärdet`;
}

/**
 * How the types are made, from the catalogue's cut multiples (so the text follows data/area-types.json) and the
 * latest national cut.
 */
export function describeAreaTypeMethod(block: AreaTypeBlock): string[] {
  const comps = block.components.map((c, i) => `V${i + 1} ${lowerFirst(c)}`);
  const types = [...block.types].sort((a, b) => a.area_type - b.area_type);
  const bands = types.map((t, i) => {
    const upper = i > 0 ? types[i - 1]?.min_sd : undefined;
    if (t.min_sd === null) return `typ ${t.area_type} lägre än ${upper === undefined || upper === null ? 'de andra' : sdPoint(upper)}`;
    if (upper === undefined || upper === null) return `typ ${t.area_type} från ${sdPoint(t.min_sd)} och uppåt`;
    return `typ ${t.area_type} från ${sdPoint(t.min_sd)} upp till ${sdPoint(upper)}`;
  });
  const out = [
    `Varje RegSO får ett socioekonomiskt index, medelvärdet av tre andelar i procent: ${joinSwedish(comps)}. Högre index betyder sämre socioekonomiska förutsättningar. ` +
      `Varje år delas alla RegSO i landet in i fem områdestyper efter hur många standardavvikelser indexet ligger från årets medelvärde: ${joinSwedish(bands)}.`,
  ];
  const cut = [...block.cuts].sort((a, b) => a.year - b.year).pop();
  if (cut && cut.mean !== null && cut.sd !== null) {
    const counts = cut.n_by_type.map((n, i) => `${formatNumber(n, 0)} av typ ${i + 1}`);
    out.push(
      `År ${cut.year} var medelvärdet ${formatNumber(cut.mean, 1)} och standardavvikelsen ${formatNumber(cut.sd, 1)}; av ${formatNumber(cut.n_areas, 0)} RegSO blev ${joinSwedish(counts)}` +
        (cut.n_unclassified > 0 ? `, och ${formatNumber(cut.n_unclassified, 0)} fick ingen typ.` : '.'),
    );
  }
  out.push('Typerna bestäms för hela landet: ett område jämförs alltid med alla RegSO i Sverige, också i läns- och kommunrapporter.');
  return out;
}
