/**
 * Swedish sentences from the numbers of a ReportModel. Every sentence is chosen by what the data say (a rise, a
 * fall, no change, a missing value), never a template written for one outcome. Missing values are named as
 * missing and never counted as zero. A change that rounds to zero at the printed precision is "oförändrat", so
 * the text never claims a change the reader cannot see in the table.
 */
import type { AreaTypeBlock, AreaTypeIndicator, AreaTypeNumber, DecompositionComponent, IndicatorBlock, ReportModel, SegregationBlock, SegregationChange, SeriesBreak } from './model.ts';
import {
  crossedBreak,
  indicatorTrend,
  intervalChange,
  judgementOf,
  kommunChangeVerdict,
  thresholdOf,
  validPoints,
  type Change,
  type Movement as VMovement,
  type ValuePoint,
} from './verdict.ts';
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
  printedDiff,
  printedValue,
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

type Movement = VMovement;

function movementOf(diff: number, decimals: number): Movement {
  if (roundsToZero(diff, decimals)) return 'flat';
  return diff > 0 ? 'up' : 'down';
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

/** The first change of area version between consecutive years with values, or null. */
function versionChange(series: readonly { year: number; value: number | null; area_version?: string | undefined }[]): { before: { year: number; version: string }; after: { year: number; version: string } } | null {
  const withVersion = series.filter((p) => p.value !== null && p.area_version !== undefined).sort((a, b) => a.year - b.year);
  for (let i = 1; i < withVersion.length; i++) {
    const prev = withVersion[i - 1];
    const cur = withVersion[i];
    if (!prev || !cur || prev.area_version === cur.area_version) continue;
    return { before: { year: prev.year, version: prev.area_version ?? '' }, after: { year: cur.year, version: cur.area_version ?? '' } };
  }
  return null;
}

/**
 * The area-version break in words: where it lies, what changed and what it does to the index (catalogue
 * `area_version_breaks`, when the model carries it).
 */
function areaBreakSentence(
  series: readonly { year: number; value: number | null; area_version?: string | undefined }[],
  info?: { what: string; effect: string } | null,
  noun = 'indexet',
): string | null {
  const c = versionChange(series);
  if (!c) return null;
  const where =
    `Mellan ${c.before.year} och ${c.after.year} byts områdesindelningen (${formatAreaVersion(c.before.version)} till ` +
    `${formatAreaVersion(c.after.version)})`;
  if (info) return `${where}: ${info.what}. ${info.effect.charAt(0).toUpperCase()}${info.effect.slice(1)}.`;
  return `${where}; ${noun} räknas inte om till en gemensam indelning, så en förändring över bytet kan delvis bero på den nya indelningen.`;
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
  /** 'flat' unless the spread moved by more than the indicator's materiality threshold. */
  movement: Movement;
  sentence: string;
}

/**
 * Whether the gap between kommuner widened, compared on the kommuner that have both years. The spread is read at
 * the printed precision and called wider or narrower only beyond the indicator's materiality threshold; across a
 * definition break it is not judged.
 */
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
  const diff = printedDiff(before, after, style.decimals);
  const threshold = thresholdOf(block.materiality, before);
  const crossed = crossedBreak(block.breaks, fy, latestYear);
  const movement: Movement = crossed || roundsToZero(diff, style.decimals) || Math.abs(diff) <= threshold ? 'flat' : diff > 0 ? 'up' : 'down';
  const numbers = `${spreadName(pairs.length)} var ${formatChangeMagnitude(after, block.unit)} år ${latestYear} mot ${formatChangeMagnitude(before, block.unit)} år ${fy}`;
  let lead: string;
  if (movement !== 'flat') lead = `Skillnaden mellan kommunerna har ${movement === 'up' ? 'ökat' : 'minskat'} tydligt sedan ${fy}`;
  else if (crossed) lead = `Om skillnaden mellan kommunerna har ändrats sedan ${fy} bedöms inte, eftersom serien har ett brott ${crossed.year}`;
  else if (roundsToZero(diff, style.decimals)) lead = `Skillnaden mellan kommunerna är i stort sett oförändrad sedan ${fy}`;
  else lead = `Skillnaden mellan kommunerna har inte ändrats säkerställt sedan ${fy}`;
  const basis = pairs.length < block.by_kommun.length ? ` (${plural(pairs.length, 'kommun', 'kommuner')} med värden båda åren)` : '';
  return { movement, sentence: `${lead}: ${numbers}${basis}${pricePhrase(block)}.` };
}

/** `, i fasta priser (2024 års priser)` or `, i löpande priser` for kronor compared over time; empty otherwise. */
function pricePhrase(block: IndicatorBlock): string {
  if (unitStyle(block.unit).label !== 'Kronor' || !block.prices) return '';
  if (block.prices.basis === 'current') return ', i löpande priser';
  return block.prices.base_year !== null ? `, i fasta priser (${block.prices.base_year} års priser)` : ', i fasta priser';
}

/** The relative change, from the printed values as well, for money and counts. */
function relativeChange(change: Change, unit: string): string {
  const d = unitStyle(unit).decimals;
  const from = printedValue(change.from.value, d);
  if (!unitStyle(unit).relative || from === 0) return '';
  const pct = (change.diff / Math.abs(from)) * 100;
  return ` (${formatSigned(pct, 1)}${NBSP}%)`;
}

function latestYearOf(block: IndicatorBlock, points: readonly ValuePoint[]): number | null {
  return block.latest_year ?? points[points.length - 1]?.year ?? null;
}

/** `2,0 procentenheter` as the smallest change called a change, for the "why not" clause. */
function thresholdText(change: Change, unit: string): string {
  const d = unitStyle(unit).decimals;
  return formatChangeMagnitude(printedValue(change.threshold, d) || change.threshold, unit);
}

/** Why a change is not established, in plain words. */
function whyNotClear(change: Change, unit: string): string {
  if (change.reason === 'below_threshold') return `den är inte större än ${thresholdText(change, unit)}, den minsta förändring som räknas som tydlig för indikatorn`;
  if (change.reason === 'uncertain' && change.margin !== null) {
    return `den ryms inom den slumpmässiga osäkerheten för så här få personer (±${formatChangeMagnitude(change.margin, unit)})`;
  }
  return 'den är för liten';
}

/**
 * One change in a sentence, from the printed values: a clear rise or fall (with the judgement where the catalogue
 * names a good direction), "i stort sett oförändrat", or a change that is not established and why.
 */
function changeSentence(block: IndicatorBlock, change: Change, lead: string): string {
  const from = formatValue(change.from.value, block.unit);
  const to = formatValue(change.to.value, block.unit);
  const prices = pricePhrase(block);
  if (change.verdict !== 'none') {
    const verb = change.verdict === 'increase' ? 'ökat' : 'minskat';
    const j = judgementOf(change.verdict, block.higher_is_better);
    const tail = j === 'better' ? ', en förbättring' : j === 'worse' ? ', en försämring' : '';
    return (
      `${lead} har värdet ${verb} tydligt med ${formatChangeMagnitude(change.diff, block.unit)}${relativeChange(change, block.unit)}, ` +
      `från ${from} till ${to}${prices}${tail}.`
    );
  }
  if (change.movement === 'flat') return `${lead} är värdet i stort sett oförändrat (${from} år ${change.from.year}).`;
  const verb = change.movement === 'up' ? 'ökat' : 'minskat';
  return (
    `${lead} har värdet ${verb} från ${from} till ${to}${prices}, men det är ingen säkerställd förändring: ` +
    `${whyNotClear(change, block.unit)}.`
  );
}

/** The break a change crosses, in words: the year, what changed and its effect. */
function definitionBreakSentence(b: SeriesBreak): string {
  return `Serien har ett brott ${b.year}: ${b.what}; ${b.effect}.`;
}

/** The paragraph under an indicator's heading in its chapter. */
export function describeIndicator(block: IndicatorBlock, ctx: TextContext): string[] {
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

  const trend = indicatorTrend(block);
  if (!trend) {
    out.push('Värden för tidigare år saknas, så ingen förändring kan anges.');
  } else if (!trend.crossed) {
    out.push(changeSentence(block, trend.whole, `Sedan ${trend.whole.from.year}`));
  } else {
    // Across a definition break the whole change is shown, never judged; the comparable part carries the verdict.
    const w = trend.whole;
    out.push(
      `Från ${w.from.year} till ${w.to.year} gick värdet från ${formatValue(w.from.value, block.unit)} till ` +
        `${formatValue(w.to.value, block.unit)}. ${definitionBreakSentence(trend.crossed)} Förändringen över hela perioden bedöms därför inte.`,
    );
    const c = trend.comparable;
    if (c) out.push(changeSentence(block, c, `Med samma definition, ${formatYearRange(c.from.year, c.to.year)},`));
  }
  const missing = missingYearsSentence(block.series);
  if (missing) out.push(missing);
  const area = areaBreakSentence(block.series, null, 'värdena');
  if (area) out.push(area);

  const kYear = latestYearOf(block, points) ?? latest.year;
  const withValue = block.by_kommun.filter((k): k is typeof k & { value: number } => k.value !== null);
  if (block.by_kommun.length > 0 && withValue.length === 0) {
    out.push(`Kommunvärden saknas för ${kYear}.`);
  } else if (withValue.length >= 2) {
    const sorted = [...withValue].sort((a, b) => a.value - b.value);
    const lo = sorted[0];
    const hi = sorted[sorted.length - 1];
    if (lo && hi) {
      const own = points.find((p) => p.year === kYear);
      const ref = own ? `; värdet ${ctx.scopePhrase} var ${formatValue(own.value, block.unit)}` : '';
      out.push(
        `Bland de ${formatNumber(withValue.length, 0)} kommunerna med värde låg värdet ${kYear} mellan ${formatValue(lo.value, block.unit)} (${lo.name}) och ` +
          `${formatValue(hi.value, block.unit)} (${hi.name})${ref}.`,
      );
    }
    const missingK = block.by_kommun.length - withValue.length;
    if (missingK > 0) out.push(`${plural(missingK, 'kommun', 'kommuner')} av ${formatNumber(block.by_kommun.length, 0)} saknar värde.`);
    const spread = spreadChange(block, points[0]?.year ?? null, kYear);
    if (spread) out.push(spread.sentence);
  }
  return out;
}

/** One line for the summary: level, change and its verdict, and the spread between kommuner where it moved clearly. */
export function summarizeIndicator(block: IndicatorBlock, ctx: TextContext): string {
  const points = validPoints(block.series);
  const latest = points[points.length - 1];
  if (!latest) return `${block.title_sv}: uppgifter saknas.`;
  const level = `${block.title_sv}: ${formatValue(latest.value, block.unit)} ${ctx.scopePhrase} år ${latest.year}`;
  const trend = indicatorTrend(block);
  const verdictPhrase = (c: Change): string => {
    if (c.verdict === 'none') {
      return c.movement === 'flat'
        ? `i stort sett oförändrat sedan ${c.from.year}`
        : `ingen säkerställd förändring sedan ${c.from.year} (${formatValue(c.from.value, block.unit)})`;
    }
    const j = judgementOf(c.verdict, block.higher_is_better);
    const tail = j === 'better' ? ' – en förbättring' : j === 'worse' ? ' – en försämring' : '';
    return `en tydlig ${c.verdict === 'increase' ? 'ökning' : 'minskning'} med ${formatChangeMagnitude(c.diff, block.unit)} sedan ${c.from.year}${pricePhrase(block)}${tail}`;
  };
  let s: string;
  if (!trend) {
    s = `${level}; jämförelse med tidigare år saknas.`;
  } else if (!trend.crossed) {
    s = `${level}, ${verdictPhrase(trend.whole)}.`;
  } else {
    const c = trend.comparable;
    // The comparable years' own values, so "ingen säkerställd förändring" says between what.
    const values = c && c.verdict === 'none' && c.movement !== 'flat' ? ` (${formatValue(c.from.value, block.unit)} till ${formatValue(c.to.value, block.unit)})` : '';
    const part = c
      ? `med samma definition ${formatYearRange(c.from.year, c.to.year)} ${verdictPhrase(c).replace(/ sedan \d{4}/, '').replace(/ \([^)]*\)$/, '')}${values}`
      : 'jämförbara år saknas';
    s = `${level}; serien har ett brott ${trend.crossed.year} (${trend.crossed.what}), ${part}.`;
  }
  const spread = spreadChange(block, points[0]?.year ?? null, latestYearOf(block, points) ?? latest.year);
  if (spread && spread.movement !== 'flat') {
    s += ` Skillnaden mellan kommunerna har ${spread.movement === 'up' ? 'ökat' : 'minskat'} tydligt.`;
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
/** Below this many units an index is mostly chance (one household moving shifts it): the text warns, and rankings leave it out. */
export const FEW_UNITS = 10;

function segregationWord(verdict: 'increase' | 'decrease', measure: string): string {
  const more = (verdict === 'increase') === higherMeansMoreSegregation(measure);
  return more ? 'mer' : 'mindre';
}

/**
 * `0,012–0,020` or `−0,004 till 0,016` for the interval of a change: decimals are added until neither end prints
 * as zero, so an interval that excludes zero never reads as `0,000–0,002`. Null without an interval.
 */
function changeIntervalText(c: { ci_low: number | null; ci_high: number | null }): string | null {
  if (c.ci_low === null || c.ci_high === null) return null;
  let d = SEG_DECIMALS;
  while (d < 6 && (roundsToZero(c.ci_low, d) || roundsToZero(c.ci_high, d) || formatNumber(c.ci_low, d) === formatNumber(c.ci_high, d))) d++;
  const sep = c.ci_low < 0 || c.ci_high < 0 ? ' till ' : EN_DASH;
  return `${formatNumber(c.ci_low, d)}${sep}${formatNumber(c.ci_high, d)}`;
}

/** A change's verdict is usable only when it does not rest on a break: a change across one is never judged on its own. */
function judged(c: SegregationChange | null | undefined): SegregationChange | null {
  return c && !c.crosses_break ? c : null;
}

/** ` (95 % intervall för förändringen 0,001–0,004)`, or empty without an interval. */
function changeInterval(c: SegregationChange): string {
  const interval = changeIntervalText(c);
  return interval ? ` (95${NBSP}% intervall för förändringen ${interval})` : '';
}

/** The version a series has in `year`, for "med samma områdesindelning (DeSO 2025)". */
function versionIn(block: SegregationBlock, year: number): string | null {
  const v = block.series.find((p) => p.year === year)?.area_version;
  return v ? formatAreaVersion(v) : null;
}

/**
 * The sentences on how the block's own index changed, from the measures stage's verdicts: the comparable span
 * (`change`, on one area version) gives a direction only when established; the span since the first year
 * (`change_since_first`) is stated with its numbers but, across the area-version break, never judged on its own;
 * the break's own size (`break_size`) follows where the warehouse measured it. Without a verdict, no direction.
 */
function segregationChangeSentences(block: SegregationBlock, points: readonly ValuePoint[]): string[] {
  const first = points[0];
  const latest = points[points.length - 1];
  if (!first || !latest || first.year === latest.year) return ['Värden för tidigare år saknas, så ingen förändring kan anges.'];
  const at = (y: number): ValuePoint | undefined => points.find((p) => p.year === y);
  const text = (p: ValuePoint): string => formatNumber(p.value, SEG_DECIMALS);
  const out: string[] = [];
  const c = judged(block.change);
  const from = c ? at(c.from_year) : undefined;
  const to = c ? at(c.to_year) : undefined;
  if (c && from && to && from.year !== to.year) {
    const span = from.year === first.year ? `Sedan ${from.year}` : `Med samma områdesindelning (${versionIn(block, to.year) ?? 'samma'}), från ${from.year} till ${to.year},`;
    if (c.verdict === 'none') {
      out.push(
        text(from) === text(to)
          ? `${span} är indexet i stort sett oförändrat (${text(from)}).`
          : `${span} gick indexet från ${text(from)} till ${text(to)}; förändringen är inte säkerställd${changeInterval(c)}.`,
      );
    } else {
      out.push(
        `${span} har indexet ${c.verdict === 'increase' ? 'stigit' : 'sjunkit'} från ${text(from)} till ${text(to)}${changeInterval(c)}, ` +
          `en säkerställd ${c.verdict === 'increase' ? 'ökning' : 'minskning'}; enligt måttet är boendet ${segregationWord(c.verdict, block.measure)} segregerat.`,
      );
    }
  }
  // The years before the break, on the old area version: judged on their own (they cross nothing).
  const bb = judged(block.change_before_break);
  const bFrom = bb ? at(bb.from_year) : undefined;
  const bTo = bb ? at(bb.to_year) : undefined;
  if (bb && bFrom && bTo && bFrom.year !== bTo.year) {
    const span = `Med den tidigare områdesindelningen (${versionIn(block, bTo.year) ?? 'samma'}), från ${bFrom.year} till ${bTo.year},`;
    // First: the years before the break come first in time.
    out.unshift(
      bb.verdict === 'none'
        ? `${span} gick indexet från ${text(bFrom)} till ${text(bTo)}; förändringen är inte säkerställd${changeInterval(bb)}.`
        : `${span} ${bb.verdict === 'increase' ? 'steg' : 'sjönk'} indexet från ${text(bFrom)} till ${text(bTo)}${changeInterval(bb)}, ` +
            `en säkerställd ${bb.verdict === 'increase' ? 'ökning' : 'minskning'}; enligt måttet blev boendet ${segregationWord(bb.verdict, block.measure)} segregerat.`,
    );
  }
  // The whole period: stated, judged only when it is on one area version.
  const covered = c !== null && from?.year === first.year && to?.year === latest.year;
  if (!covered) {
    const whole = block.change_since_first ?? null;
    const wj = judged(whole);
    const crosses = versionChange(block.series) !== null || (whole?.crosses_break ?? false);
    if (wj && !crosses && wj.verdict !== 'none') {
      out.push(
        `Sedan ${first.year} har indexet ${wj.verdict === 'increase' ? 'stigit' : 'sjunkit'} från ${text(first)} till ${text(latest)}${changeInterval(wj)}, ` +
          `en säkerställd ${wj.verdict === 'increase' ? 'ökning' : 'minskning'}; enligt måttet är boendet ${segregationWord(wj.verdict, block.measure)} segregerat.`,
      );
    } else if (crosses) {
      out.push(`Från ${first.year} till ${latest.year} gick indexet från ${text(first)} till ${text(latest)}; jämförelsen spänner över bytet av områdesindelning och bedöms därför inte för sig.`);
    } else if (c === null) {
      out.push(`Indexet var ${text(first)} år ${first.year} och ${text(latest)} år ${latest.year}; ingen säkerställd förändring kan anges.`);
    }
  }
  return out;
}

/** What the new areas alone did to the index in the years next to the break (both divisions computed). */
function breakSizeSentence(block: SegregationBlock): string | null {
  const sizes = (block.break_size ?? []).filter((b) => Number.isFinite(b.value_from) && Number.isFinite(b.value_to));
  if (sizes.length === 0) return null;
  const parts = sizes.map(
    (b) =>
      `år ${b.year} var indexet ${formatNumber(b.value_from, SEG_DECIMALS)} över ${formatAreaVersion(b.from_version)} mot ${formatNumber(b.value_to, SEG_DECIMALS)} över ${formatAreaVersion(b.to_version)}`,
  );
  return `Brottets storlek syns när samma år beräknas över båda indelningarna: ${parts.join('; ')}.`;
}

/** How the kommuner's indices moved: clear rises and falls counted, the rest not established. */
function kommunChangeSentences(block: SegregationBlock, firstYear: number, latestYear: number): string[] {
  const pairs = block.by_kommun.filter((k): k is typeof k & { value: number; first_value: number } => k.value !== null && k.first_value !== null);
  // One kommun (a kommun's own report) is not a distribution: its own change is the sentence above.
  if (pairs.length < 2) return [];
  let up = 0;
  let down = 0;
  let open = 0;
  let crossing = 0;
  let untested = 0;
  for (const k of pairs) {
    const v = kommunChangeVerdict(k, SEG_DECIMALS);
    if (!v.tested) {
      untested++;
      continue;
    }
    if (v.crosses_break) crossing++;
    if (v.verdict === 'increase') up++;
    else if (v.verdict === 'decrease') down++;
    else open++;
  }
  // The years the tests compare (the measures' first year may be later than the series' first, 2017 after a 2016 baseline).
  const tested = pairs.map((k) => k.change_since_first).filter((c): c is SegregationChange => c !== null && c !== undefined);
  const mode = (xs: number[]): number | undefined => [...new Set(xs)].sort((a, b) => xs.filter((x) => x === b).length - xs.filter((x) => x === a).length)[0];
  const fromYear = mode(tested.map((c) => c.from_year)) ?? firstYear;
  const toYear = mode(tested.map((c) => c.to_year)) ?? latestYear;
  const lead = `Av ${plural(pairs.length, 'kommun', 'kommuner')} med värden både ${fromYear} och ${toYear}`;
  if (untested === pairs.length) return [`${lead} saknas intervall, så kommunernas förändringar kan inte prövas och ingen riktning anges.`];
  const parts: string[] = [];
  if (up > 0) parts.push(`steg indexet säkerställt i ${formatNumber(up, 0)}`);
  if (down > 0) parts.push(`${up > 0 ? '' : 'indexet '}sjönk säkerställt i ${formatNumber(down, 0)}`.trim());
  const out: string[] = [];
  if (parts.length === 0) out.push(`${lead} är förändringen inte säkerställd i någon.`);
  else out.push(`${lead} ${joinSwedish(parts)}${open > 0 ? `; i ${formatNumber(open, 0)} är förändringen inte säkerställd` : ''}.`);
  if (untested > 0) out.push(`För ${plural(untested, 'kommun', 'kommuner')} saknas intervall, så förändringen kan inte prövas.`);
  if (crossing > 0) {
    out.push(
      `För ${crossing === pairs.length ? 'alla' : formatNumber(crossing, 0)} spänner jämförelsen över bytet av områdesindelning; där räknas en förändring ` +
        'bara om den syns redan med den gamla indelningen.',
    );
  }
  return out;
}

/** The highest index among kommuner with at least FEW_UNITS areas, with the number of kommuner and the expected value. */
function rankingSentences(block: SegregationBlock, year: number): string[] {
  const withValue = block.by_kommun.filter((k): k is typeof k & { value: number } => k.value !== null);
  if (withValue.length < 2) return [];
  const ranked = withValue.filter((k) => k.n_units >= FEW_UNITS);
  const few = withValue.length - ranked.length;
  const fewText = few > 0 ? ` ${plural(few, 'kommun', 'kommuner')} har färre än ${FEW_UNITS} områden; deras index är mycket osäkra och ingår inte i jämförelsen.` : '';
  const top = [...ranked].sort((a, b) => b.value - a.value)[0];
  if (!top) return [`Ingen av de ${formatNumber(withValue.length, 0)} kommunerna med värde har minst ${FEW_UNITS} områden, så ingen rangordning görs.`];
  const exp = top.expected !== undefined && top.expected !== null ? `; förväntat vid slumpmässig fördelning ${formatNumber(top.expected, SEG_DECIMALS)}` : '';
  const all = ranked.length === withValue.length;
  return [
    `Bland ${all ? 'de ' : ''}${formatNumber(ranked.length, 0)} kommuner${all ? 'na' : ''} med minst ${FEW_UNITS} områden hade ${top.name} högst värde ${year}: ` +
      `${formatNumber(top.value, SEG_DECIMALS)} över ${formatNumber(top.n_units, 0)} områden${exp}.${fewText}`,
  ];
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
  if (latestRow && latestRow.n_units < FEW_UNITS) {
    out.push(`Indexet bygger på bara ${plural(latestRow.n_units, 'område', 'områden')}, färre än ${FEW_UNITS}, och är därför mycket osäkert.`);
  }
  const expected = latestRow?.expected;
  if (expected !== undefined && expected !== null) {
    out.push(`Vid slumpmässig fördelning över samma områden vore det förväntade värdet ${formatNumber(expected, SEG_DECIMALS)}.`);
  }
  const interval = latestRow ? intervalText(latestRow) : null;
  if (interval) out.push(`Bootstrapintervallet (95${NBSP}%) är ${interval}.`);
  const other = otherLevelSentence(block, latest);
  if (other) out.push(other);
  out.push(...segregationChangeSentences(block, points));
  // The break is named right after the change it bears on, with its size where the warehouse measured it.
  const area = areaBreakSentence(series, block.area_break);
  if (area) out.push(area);
  const size = area ? breakSizeSentence(block) : null;
  if (size) out.push(size);
  const missing = missingYearsSentence(series.map((p) => ({ ...p, status: p.value === null ? p.status : null })));
  if (missing) out.push(missing);
  if (latestRow && latestRow.value !== null) {
    const st = statusText(latestRow.status);
    if (st) out.push(`Värdet för ${latestRow.year} är markerat (${st}).`);
  }
  const first = points[0];
  if (first && first.year !== latest.year) out.push(...kommunChangeSentences(block, first.year, latest.year));
  out.push(...rankingSentences(block, latest.year));
  const withValue = block.by_kommun.filter((k) => k.value !== null);
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
 * unevenness that smaller ones (DeSO) show. Only a difference beyond both intervals' uncertainty is read as the
 * effect of the units' size.
 */
function otherLevelSentence(block: SegregationBlock, latest: ValuePoint): string | null {
  const other = block.other_unit_level;
  if (!other) return null;
  const same = other.series.find((p) => p.year === latest.year && p.value !== null);
  const otherName = unitLevelName(other.unit_level);
  const ownName = unitLevelName(block.unit_level);
  if (!same || same.value === null) return `Över ${otherName} saknas värde för ${latest.year}.`;
  const own = block.series.find((p) => p.year === latest.year);
  // Only fewer units are larger units: a small kommun may have as many RegSO as DeSO, and then the comparison
  // says nothing about unit size.
  const larger = own !== undefined && same.n_units < own.n_units;
  const smaller = own !== undefined && same.n_units > own.n_units;
  const where = larger ? `de större ${otherName}-områdena` : smaller ? `de mindre ${otherName}-områdena` : `${otherName}, som här är lika många som ${ownName}-områdena,`;
  const exp = same.expected !== undefined && same.expected !== null ? ` (förväntat vid slumpmässig fördelning ${formatNumber(same.expected, SEG_DECIMALS)})` : '';
  const c = intervalChange({ value: latest.value, ci_low: own?.ci_low, ci_high: own?.ci_high }, { value: same.value, ci_low: same.ci_low, ci_high: same.ci_high }, SEG_DECIMALS);
  if (c.movement === 'flat') {
    const lead = `Över ${where} var indexet i stort sett detsamma, ${formatNumber(same.value, SEG_DECIMALS)}${exp}, år ${latest.year}`;
    return larger || smaller ? `${lead}; områdenas storlek påverkar knappt måttet här.` : `${lead}.`;
  }
  const lead = `Över ${where} var indexet ${formatNumber(same.value, SEG_DECIMALS)}${exp} mot ${formatNumber(latest.value, SEG_DECIMALS)} över ${ownName} år ${latest.year}`;
  const tested = [own?.ci_low, own?.ci_high, same.ci_low, same.ci_high].every((x) => x !== undefined && x !== null);
  if (!tested) return `${lead}; om skillnaden beror på områdenas storlek kan inte prövas, eftersom intervall saknas.`;
  if (c.verdict === 'none') return `${lead}; skillnaden ryms inom osäkerheten och är inte säkerställd.`;
  const dir = c.verdict === 'decrease' ? 'lägre' : 'högre';
  if (!larger && !smaller) return `${lead}, säkerställt ${dir}.`;
  return `${lead}, säkerställt ${dir}; områdenas storlek påverkar alltså måttet.`;
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
    // The parts have no intervals, so their change is reported without a direction of its own.
    out.push(`År ${first.year} var andelen ${COMPONENT_PHRASE[top.component]} ${formatPercent(before, 1)}.`);
  }
  return out;
}

/**
 * One line for the summary per segregation block: a direction only with an established change on one area
 * version; a comparison across the area-version break is named and left unjudged.
 */
export function summarizeSegregation(block: SegregationBlock): string {
  const head = `${measureLabel(block.measure)} (${block.groups}, ${unitLevelName(block.unit_level)})`;
  const points = validPoints(block.series);
  const latest = points[points.length - 1];
  if (!latest) return `${head}: uppgifter saknas.`;
  const level = `${head}: ${formatNumber(latest.value, SEG_DECIMALS)} år ${latest.year}`;
  const first = points[0];
  if (!first || first.year === latest.year) return `${level}; jämförelse med tidigare år saknas.`;
  const vc = versionChange(block.series);
  const c = judged(block.change);
  const from = c ? points.find((p) => p.year === c.from_year) : undefined;
  const firstText = `${formatNumber(first.value, SEG_DECIMALS)} år ${first.year}`;
  const bb = judged(block.change_before_break);
  const before =
    bb && bb.verdict !== 'none'
      ? ` Med den tidigare indelningen, ${formatYearRange(bb.from_year, bb.to_year)}, en säkerställd ${bb.verdict === 'increase' ? 'ökning' : 'minskning'} – ${segregationWord(bb.verdict, block.measure)} segregation enligt måttet.`
      : '';
  const brk = vc
    ? `${before} Jämförelsen med ${firstText} spänner över bytet av områdesindelning ${vc.after.year} och bedöms inte för sig.`
    : '';
  if (!c || !from || c.verdict === 'none') {
    if (!vc && formatNumber(first.value, SEG_DECIMALS) === formatNumber(latest.value, SEG_DECIMALS)) return `${level}, i stort sett oförändrat sedan ${first.year}.`;
    if (!vc) return `${level} (${firstText}); ingen säkerställd förändring.`;
    // With one year on the new division there is nothing to compare on it.
    const onNew = block.series.filter((p) => p.value !== null && p.area_version === vc.after.version).length;
    return onNew < 2 ? `${level}, det första året med den nya områdesindelningen.${brk}` : `${level}; ingen säkerställd förändring med samma områdesindelning.${brk}`;
  }
  const span = from.year === first.year ? `sedan ${from.year}` : `med samma områdesindelning ${formatYearRange(from.year, c.to_year)}`;
  const since = from.year === first.year ? '' : brk;
  return (
    `${level}, ${span} en säkerställd ${c.verdict === 'increase' ? 'ökning' : 'minskning'} från ${formatNumber(from.value, SEG_DECIMALS)} – ` +
    `${segregationWord(c.verdict, block.measure)} segregation enligt måttet.${since}`
  );
}

/**
 * The headline tally: only clear changes count as better or worse; changes inside the threshold or the
 * uncertainty are "ingen säkerställd förändring"; across a definition break only the comparable part is judged.
 */
function overview(model: ReportModel): string[] {
  let better = 0;
  let worse = 0;
  let open = 0;
  let noData = 0;
  let directed = 0;
  let crossed = 0;
  for (const ch of model.chapters) {
    for (const block of ch.indicators) {
      const points = validPoints(block.series);
      if (points.length === 0) {
        noData++;
        continue;
      }
      if (block.higher_is_better === null) continue;
      const trend = indicatorTrend(block);
      if (!trend) continue;
      directed++;
      if (trend.crossed) crossed++;
      const j = judgementOf(trend.verdict, block.higher_is_better);
      if (j === 'better') better++;
      else if (j === 'worse') worse++;
      else open++;
    }
  }
  const out: string[] = [];
  if (directed > 0) {
    const openPart = open > 0 ? `; för ${formatNumber(open, 0)} finns ingen säkerställd förändring` : '';
    out.push(
      `Av ${plural(directed, 'indikator', 'indikatorer')} med bestämd riktning och värden för minst två år har ` +
        `${formatNumber(better, 0)} förbättrats tydligt och ${formatNumber(worse, 0)} försämrats tydligt ` +
        `sedan första året med data${openPart}.`,
    );
    out.push(
      'En förändring räknas som tydlig först när den är större än den minsta förändring som har betydelse för indikatorn ' +
        'och större än den slumpmässiga osäkerheten, där antalet personer bakom andelen är känt.' +
        (crossed > 0
          ? ` För ${plural(crossed, 'indikator', 'indikatorer')} med brott i serien bedöms bara förändringen med samma definition.`
          : ''),
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
    area_types: model.area_types ? summarizeAreaTypes(model.area_types, scopePhrase(model.scope), model.scope.level) : [],
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

/** 'flat' is "no established change": inside the materiality threshold or the counts' uncertainty. */
export type GapVerdict = 'narrowed' | 'widened' | 'flat' | 'reversed';

/**
 * The warehouse's verdict on the gap's change since the base year (sql/area_types/gap.sql): narrowed or widened only
 * beyond the materiality threshold and 1.96 standard errors from the groups' counts, reversed when that clear change
 * also took the focus group from behind to ahead (or back), otherwise 'flat' — no established change. Never from
 * rounding: a change the counts cannot carry is no change whatever its printed size. null: nothing to compare.
 */
export function gapVerdict(ind: AreaTypeIndicator): GapVerdict | null {
  if (ind.gap === null || ind.gap_base === null || ind.base_year === null || ind.year <= ind.base_year) return null;
  switch (ind.change_verdict) {
    case null:
      return null;
    case 'no_change':
      return 'flat';
    case 'narrowed':
    case 'widened': {
      // The reader checks the threshold against the printed change; rounding may bring a change just over the
      // threshold down to it, and then the page must not call it a change.
      const printedChange = printedGapChange(ind);
      return ind.materiality !== null && printedChange !== null && Math.abs(printedChange) <= ind.materiality ? 'flat' : ind.change_verdict;
    }
    default:
      return ind.change_verdict;
  }
}

/** `minskat`, `ökat`, `ingen säkerställd förändring`, `bytt tecken` for the table column "Bedömning". */
export function gapVerdictWord(v: GapVerdict | null): string {
  if (v === null) return '..';
  return { narrowed: 'minskat', widened: 'ökat', flat: 'ingen säkerställd förändring', reversed: 'bytt tecken' }[v];
}

function lowerFirst(s: string): string {
  return /^[A-ZÅÄÖ][a-zåäö]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

export type AreaTypeScopeLevel = 'riket' | 'lan' | 'kommun';

const SCOPE_NOUN: Record<AreaTypeScopeLevel, string> = { riket: 'riket', lan: 'länet', kommun: 'kommunen' };

/** The scope's comparison, the same for every indicator (chosen per scope by gap.sql); null without indicators. */
export function areaTypeComparison(block: AreaTypeBlock): Pick<AreaTypeIndicator, 'comparison' | 'comparison_year' | 'focus_upto' | 'reference_from'> | null {
  const i = block.indicators[0];
  return i ? { comparison: i.comparison, comparison_year: i.comparison_year, focus_upto: i.focus_upto, reference_from: i.reference_from } : null;
}

/** `typ 1`, `typ 2` — the focus group as the text names it. */
function focusLabel(c: Pick<AreaTypeIndicator, 'focus_upto'>): string {
  return `typ ${c.focus_upto ?? 1}`;
}

/** `4`, `2–4` or `2, 3 och 5`: a set of types as the text names it. */
function typeList(types: readonly number[]): string {
  const t = [...new Set(types)].sort((a, b) => a - b);
  const first = t[0];
  const last = t[t.length - 1];
  if (first === undefined || last === undefined) return '';
  if (t.length === 1) return String(first);
  if (last - first === t.length - 1) return `${first}${EN_DASH}${last}`;
  return joinSwedish(t.map(String));
}

/**
 * The reference group's types the scope has: those from reference_from up with RegSO in `types` (the indicator's
 * types in its year, or the block's latest year), so a kommun without type 5 reads "typ 4", not "typ 4–5".
 */
function referenceTypes(c: Pick<AreaTypeIndicator, 'reference_from'>, types: readonly number[]): number[] {
  const from = c.reference_from ?? 2;
  const own = types.filter((t) => t >= from);
  return own.length > 0 ? own : [from, 5];
}

/** The types of an indicator's rows that have RegSO in its year. */
function typesOf(ind: AreaTypeIndicator): number[] {
  return ind.by_type.filter((t) => t.status !== 'no_areas').map((t) => t.area_type);
}

/** `typ 5` or `resten av kommunen (typ 2–4)`. */
function referenceLabel(c: Pick<AreaTypeIndicator, 'comparison' | 'reference_from'>, level: AreaTypeScopeLevel, types: readonly number[]): string {
  if (c.comparison === 'type1_vs_type5') return 'typ 5';
  return `resten av ${SCOPE_NOUN[level]} (typ ${typeList(referenceTypes(c, types))})`;
}

/** Column headers for the two groups: `Typ 1` / `Typ 5`, or `Typ 1` / `Typ 2–4` (the reference types present). */
export function areaTypeGroupHeaders(ind: AreaTypeIndicator): [string, string] {
  if (ind.comparison === 'type1_vs_type5') return ['Typ 1', 'Typ 5'];
  return [`Typ ${ind.focus_upto ?? 1}`, `Typ ${typeList(referenceTypes(ind, typesOf(ind)))}`];
}

/** `områdestyp 1 och 5`, `typ 1 och resten av kommunen`. */
export function comparisonPhrase(c: Pick<AreaTypeIndicator, 'comparison' | 'focus_upto' | 'reference_from'>, level: AreaTypeScopeLevel): string {
  return c.comparison === 'type1_vs_type5' ? 'områdestyp 1 och 5' : `${focusLabel(c)} och resten av ${SCOPE_NOUN[level]}`;
}

function gapReason(ind: AreaTypeIndicator, level: AreaTypeScopeLevel): string {
  switch (ind.status) {
    case 'no_focus':
      return `det fanns inga områden av ${focusLabel(ind)} det året`;
    case 'no_reference':
      return ind.comparison === 'type1_vs_type5' ? 'det fanns inga områden av typ 5 det året' : `det fanns inga andra områdestyper i ${SCOPE_NOUN[level]} det året`;
    case 'suppressed':
      return 'ett av värdena vilar på för få personer och redovisas inte';
    case 'single_type':
      return `alla områden i ${SCOPE_NOUN[level]} är av samma typ`;
    case 'no_types':
      return 'inget område har någon områdestyp';
    default:
      return 'värden saknas';
  }
}

/** The change of |gap| since the base year from the gaps as printed (SCB's practice: differences of printed values). */
export function printedGapChange(ind: GapValues): number | null {
  const now = printedGap(ind, 'latest');
  const then = printedGap(ind, 'base');
  if (now === null || then === null) return null;
  return printedDiff(Math.abs(then), Math.abs(now), GAP_DECIMALS);
}

type GapValues = Pick<AreaTypeIndicator, 'gap' | 'gap_base' | 'value_focus' | 'value_reference' | 'value_focus_base' | 'value_reference_base'>;

/**
 * The gap as the page prints it: the difference of the two values as printed (34,4 beside 36,8 and 2,4, never the
 * 34,5 of the unrounded values), or the stored gap where a value is not at hand (a base year without its values).
 */
export function printedGap(ind: GapValues, which: 'latest' | 'base'): number | null {
  const [focus, reference, gap] = which === 'latest' ? [ind.value_focus, ind.value_reference, ind.gap] : [ind.value_focus_base, ind.value_reference_base, ind.gap_base];
  if (focus !== null && reference !== null) return printedDiff(reference, focus, GAP_DECIMALS);
  return gap === null ? null : printedValue(gap, GAP_DECIMALS);
}

/**
 * One or two sentences on an indicator's gap: the two groups' values and the gap in the latest year, then whether
 * the gap narrowed, widened, changed sign or showed no established change since the base year.
 */
export function describeAreaTypeGap(ind: AreaTypeIndicator, level: AreaTypeScopeLevel = 'kommun'): string {
  const title = lowerFirst(ind.title_sv);
  if (ind.gap === null || ind.value_focus === null || ind.value_reference === null) {
    const pair = ind.comparison === 'single_type' || ind.comparison === 'no_types' ? 'områdestyperna' : comparisonPhrase(ind, level);
    return `För ${title} kan skillnaden mellan ${pair} inte anges för ${ind.year}: ${gapReason(ind, level)}.`;
  }
  const gapNow = printedGap(ind, 'latest') ?? ind.gap;
  const dir = roundsToZero(gapNow, GAP_DECIMALS) ? 'lika högt som' : `${formatChangeMagnitude(gapNow, ind.unit)} ${gapNow < 0 ? 'lägre' : 'högre'} än`;
  const level1 =
    `I områden av ${focusLabel(ind)} var ${title} ${formatValue(ind.value_focus, ind.unit)} år ${ind.year}, ` +
    `${dir} i ${referenceLabel(ind, level, typesOf(ind))} (${formatValue(ind.value_reference, ind.unit)}).`;
  const v = gapVerdict(ind);
  const base = ind.base_year;
  if (v === null || base === null || ind.gap_base === null) {
    if (base !== null && ind.year > base) return `${level1} Jämförelse med ${base} saknas.`;
    return level1;
  }
  const then = formatChangeMagnitude(printedGap(ind, 'base') ?? ind.gap_base, ind.unit);
  const change = formatChangeMagnitude(printedGapChange(ind) ?? 0, ind.unit);
  switch (v) {
    case 'flat':
      return `${level1} Ingen säkerställd förändring av skillnaden sedan ${base} (då ${then}).`;
    case 'narrowed':
      return `${level1} Skillnaden har minskat med ${change} sedan ${base}, från ${then}.`;
    case 'widened':
      return `${level1} Skillnaden har ökat med ${change} sedan ${base}, från ${then}.`;
    case 'reversed':
      return `${level1} År ${base} låg ${focusLabel(ind)} ${ind.gap_base < 0 ? 'lägre' : 'högre'} än ${referenceLabel(ind, level, typesOf(ind))}, med ${then}; skillnaden har alltså bytt tecken.`;
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
 * The one type every resident of the scope lived in, every year with population figures, or null. A block like
 * that says one thing, so the chapter gives one sentence instead of a bar per year at 100 %.
 */
export function singleAreaType(block: AreaTypeBlock): AreaTypeNumber | null {
  const years = [...new Set(block.population.map((p) => p.year))];
  if (years.length === 0) return null;
  let only: AreaTypeNumber | null = null;
  for (const y of years) {
    const rows = block.population.filter((p) => p.year === y && ((p.share ?? 0) > 0 || p.n_areas > 0));
    const [row] = rows;
    if (rows.length !== 1 || !row || row.area_type === null || (only !== null && row.area_type !== only)) return null;
    only = row.area_type;
  }
  return only;
}

/**
 * Who lives in which type: with one type only, one sentence; otherwise the shares in types 1 and 5 now and in the
 * first year (with their change), and the type most residents live in.
 */
export function describeAreaTypePopulation(block: AreaTypeBlock, scope: string): string[] {
  const ys = populationYears(block);
  if (!ys) return [`Uppgift om invånare per områdestyp saknas ${scope}.`];
  const only = singleAreaType(block);
  if (only !== null) {
    const years = ys.first === ys.latest ? `år ${ys.latest}` : formatYearRange(ys.first, ys.latest);
    return [`Alla invånare ${scope} bodde ${years} i ${typePhrase(block, only)}.`];
  }
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
        ? `Alla invånare bodde år ${ys.latest} i ${typePhrase(block, top.area_type)}.`
        : `Flest invånare, ${formatPercent(top.share, 1)}, bodde i ${typePhrase(block, top.area_type)}.`,
    );
  }
  return out;
}

/**
 * The spread of the socio-economic index over the scope's RegSO in the latest year (and the first, when it
 * differs), beside the national mean and SD: how different the scope's areas are, where the types cannot show it.
 */
export function describeIndexSpread(block: AreaTypeBlock, level: AreaTypeScopeLevel = 'kommun'): string | null {
  const spread = [...(block.index_spread ?? [])].sort((a, b) => a.year - b.year);
  const latest = spread[spread.length - 1];
  if (!latest || latest.n_indexed === 0 || latest.min === null || latest.max === null || latest.median === null) return null;
  const own = { riket: 'landets', lan: 'länets', kommun: 'kommunens' }[level];
  const x = (v: number): string => formatNumber(v, 1);
  const national =
    latest.national_mean !== null && latest.national_sd !== null
      ? `; för alla RegSO i landet var medelvärdet ${x(latest.national_mean)} och standardavvikelsen ${x(latest.national_sd)}`
      : '';
  const missing = latest.n_regso > latest.n_indexed ? ` (${formatNumber(latest.n_regso - latest.n_indexed, 0)} RegSO saknar index)` : '';
  let text =
    latest.n_indexed === 1
      ? `Det socioekonomiska indexet för ${own} enda RegSO med index var ${x(latest.median)} år ${latest.year}${missing}${national}.`
      : `Det socioekonomiska indexet för ${own} ${formatNumber(latest.n_indexed, 0)} RegSO låg år ${latest.year} mellan ${x(latest.min)} och ${x(latest.max)} ` +
        `(median ${x(latest.median)})${missing}${national}.`;
  const first = spread[0];
  if (first && first.year < latest.year && first.min !== null && first.max !== null && first.n_indexed > 1) {
    text += ` År ${first.year} låg det mellan ${x(first.min)} och ${x(first.max)}.`;
  }
  return text;
}

/**
 * Which comparison the chapter uses and why, in one or two sentences; for a scope with one type only, that sentence
 * and the spread of the index take the place of the gaps.
 */
export function describeAreaTypeComparison(block: AreaTypeBlock, scope: string, level: AreaTypeScopeLevel = 'kommun'): string[] {
  const c = areaTypeComparison(block);
  const ys = populationYears(block);
  // The types of the year that chose the comparison: in a report for an earlier year, a later year than its own.
  const typeYear = c?.comparison_year ?? ys?.latest ?? null;
  const year = typeYear !== null ? ` år ${typeYear}` : '';
  const Scope = `${scope.charAt(0).toUpperCase()}${scope.slice(1)}`;
  const spread = describeIndexSpread(block, level);
  if (!c || c.comparison === 'single_type' || c.comparison === 'no_types') {
    const only = singleAreaType(block) ?? latestOnlyType(block);
    if (c?.comparison === 'no_types' || only === null) {
      return c ? [`${Scope} hade inget RegSO någon områdestyp${year}, så typerna kan inte jämföras.`] : [];
    }
    const n = block.population.find((p) => p.year === typeYear && p.area_type === only)?.n_areas ?? 0;
    const name = lowerFirst(block.types.find((x) => x.area_type === only)?.name_sv ?? areaTypeShortName(only));
    const all = n === 1 ? `${Scope} fanns ett enda RegSO${year}, av typ ${only} (${name})` : `Alla ${formatNumber(n, 0)} RegSO ${scope} var${year} av typ ${only} (${name})`;
    return [`${all}, så områdestyperna kan inte jämföras inom ${SCOPE_NOUN[level]}.`, ...(spread ? [spread] : [])];
  }
  if (c.comparison === 'type1_vs_type5') {
    return [`${Scope} fanns${year} områden av både typ 1 och typ 5, så de jämförs med varandra.`];
  }
  const missing = c.focus_upto === 1 ? 'typ 5' : 'typ 1';
  const k = c.focus_upto ?? 1;
  const latestTypes = block.population.filter((p) => p.year === typeYear && p.area_type !== null && p.n_areas > 0).map((p) => p.area_type as number);
  // Only where it happened: a year with RegSO of a lower type than the focus type puts them in the focus group.
  const lowerYears = [...new Set(block.population.filter((p) => p.area_type !== null && p.area_type < k && p.n_areas > 0).map((p) => p.year))].sort((a, b) => a - b);
  const lower = lowerYears.length > 0 ? ` Områden av lägre typ (${formatYearList(lowerYears)}) räknas till samma grupp som typ ${k}.` : '';
  return [
    `${Scope} fanns inga områden av ${missing}${year}, så områdena av ${focusLabel(c)}, de med störst socioekonomiska utmaningar där, ` +
      `jämförs med ${referenceLabel(c, level, latestTypes)}; invånarna i varje grupp räknas samman, värdena är inte medelvärden av områdenas andelar.${lower}`,
    ...(spread ? [spread] : []),
  ];
}

/** The only type of the scope's RegSO in the latest year (a scope whose earlier years had others), or null. */
function latestOnlyType(block: AreaTypeBlock): AreaTypeNumber | null {
  const ys = populationYears(block);
  if (!ys) return null;
  const rows = block.population.filter((p) => p.year === ys.latest && p.area_type !== null && p.n_areas > 0);
  return rows.length === 1 ? (rows[0]?.area_type ?? null) : null;
}

/** Indicators whose gap the summary and chart speak of: the index components define the types and are left out. */
export function gapIndicators(block: AreaTypeBlock): AreaTypeIndicator[] {
  return block.indicators.filter((i) => !i.index_component);
}

/** How many gaps clearly narrowed or widened since the base year, and for how many no change is established. */
export function describeAreaTypeGaps(block: AreaTypeBlock, scope: string, level: AreaTypeScopeLevel = 'kommun'): string[] {
  const inds = gapIndicators(block);
  if (inds.length === 0) return [];
  const c = areaTypeComparison(block);
  if (c && (c.comparison === 'single_type' || c.comparison === 'no_types')) return [];
  const pair = c ? comparisonPhrase(c, level) : 'områdestyperna';
  const withGap = inds.filter((i) => i.gap !== null);
  if (withGap.length === 0) {
    const reasons = [...new Set(inds.map((i) => gapReason(i, level)))];
    return [`Skillnaden mellan ${pair} kan inte beräknas ${scope}, eftersom ${joinSwedish(reasons)}.`];
  }
  const judged = withGap.map((i) => ({ i, v: gapVerdict(i) })).filter((x): x is { i: AreaTypeIndicator; v: GapVerdict } => x.v !== null);
  if (judged.length === 0) return [`Skillnaden mellan ${pair} kan beräknas ${scope} men inte jämföras med ett tidigare år.`];
  // The base year most indicators share names the sentence; one with another base year (turnout: the first
  // election year) says so after its name.
  const baseCount = new Map<number, number>();
  for (const x of judged) if (x.i.base_year !== null) baseCount.set(x.i.base_year, (baseCount.get(x.i.base_year) ?? 0) + 1);
  const base = [...baseCount.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  const name = (i: AreaTypeIndicator): string => `${lowerFirst(i.title_sv)}${i.base_year !== base && i.base_year !== null ? ` (sedan ${i.base_year})` : ''}`;
  // Up to five are named; a longer list is in the table right below, and would drown the sentence.
  const group = (v: GapVerdict): { n: number; names: string } => {
    const n = judged.filter((x) => x.v === v).map((x) => name(x.i));
    return { n: n.length, names: n.length > 0 && n.length <= 5 ? ` (${joinSwedish(n)})` : '' };
  };
  const clear: string[] = [];
  for (const [v, word] of [
    ['narrowed', 'minskat'],
    ['widened', 'ökat'],
    ['reversed', 'bytt tecken'],
  ] as const) {
    const g = group(v);
    if (g.n > 0) clear.push(`${word} för ${formatNumber(g.n, 0)}${g.names}`);
  }
  const flat = group('flat');
  const head = `Av ${plural(judged.length, 'indikator', 'indikatorer')} där skillnaden mellan ${pair} ${scope} kan följas sedan ${base ?? 'basåret'}`;
  const out = [
    clear.length === 0
      ? `${head} är förändringen inte säkerställd för någon.`
      : `${head} har den tydligt ${joinSwedish(clear)}` + (flat.n > 0 ? `; för ${formatNumber(flat.n, 0)}${flat.names} finns ingen säkerställd förändring.` : '.'),
  ];
  // An indicator with its own base year in a group too long to name would otherwise seem to count from `base`.
  const unnamed = judged.filter((x) => x.i.base_year !== base && x.i.base_year !== null && judged.filter((y) => y.v === x.v).length > 5);
  for (const x of unnamed) out.push(`För ${lowerFirst(x.i.title_sv)} jämförs med ${x.i.base_year}.`);
  // The largest clear move each way, in full, so the reader gets the numbers behind the count.
  const moved = (v: GapVerdict) =>
    judged.filter((x) => x.v === v).sort((a, b) => Math.abs(printedGapChange(b.i) ?? 0) - Math.abs(printedGapChange(a.i) ?? 0))[0];
  for (const v of ['widened', 'narrowed'] as const) {
    const x = moved(v);
    if (x) out.push(describeAreaTypeGap(x.i, level));
  }
  return out;
}

/** The summary's lines on area types: where people live, which comparison, then how the gaps moved. */
export function summarizeAreaTypes(block: AreaTypeBlock, scope: string, level: AreaTypeScopeLevel = 'kommun'): string[] {
  const c = areaTypeComparison(block);
  // Type 1 against type 5 is the default reading; the other comparisons say what they compare.
  const comparison = c && c.comparison !== 'type1_vs_type5' ? describeAreaTypeComparison(block, scope, level).slice(0, 1) : [];
  return [...describeAreaTypePopulation(block, scope), ...comparison, ...describeAreaTypeGaps(block, scope, level)];
}

function points(x: number): string {
  return `${formatNumber(x, Number.isInteger(x) ? 0 : 1)} ${x === 1 ? 'procentenhet' : 'procentenheter'}`;
}

/**
 * The thresholds for a clear change of a gap: `1 procentenhet` where every indicator shown has the same, else the
 * range with "indikatorns gräns" (each indicator's own threshold from data/indicators.json).
 */
export function gapMaterialityPhrase(block: AreaTypeBlock): string {
  const values = [...new Set(block.indicators.map((i) => i.materiality ?? block.change_rule?.materiality_pp ?? null).filter((v): v is number => v !== null))].sort((a, b) => a - b);
  const lo = values[0];
  const hi = values[values.length - 1];
  if (lo === undefined || hi === undefined) return 'den minsta förändring som räknas för indikatorn';
  if (lo === hi) return points(lo);
  return `indikatorns gräns för en tydlig förändring (${formatNumber(lo, Number.isInteger(lo) ? 0 : 1)}${EN_DASH}${points(hi)})`;
}

function sdPoint(x: number): string {
  if (x === 0) return 'medelvärdet';
  const n = Math.abs(x);
  return `${formatNumber(n, Number.isInteger(n) ? 0 : 1)} ${n === 1 ? 'standardavvikelse' : 'standardavvikelser'} ${x > 0 ? 'över' : 'under'} medelvärdet`;
}

/**
 * How the types are made, from the catalogue's cut multiples (so the text follows data/area-types.json) and the
 * latest national cut; how a scope's comparison is chosen, and when a change of a gap counts.
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
  out.push(
    'Där det finns områden av både typ 1 och typ 5 jämförs de två; annars jämförs områdena av den lägsta typ som finns med resten av området, ' +
      'och med en enda typ görs ingen jämförelse. Valet görs efter typerna det senaste året och gäller alla år.',
  );
  if (block.change_rule) {
    out.push(
      `En förändring av en skillnad räknas som tydlig när den är större än ${gapMaterialityPhrase(block)} och större än ` +
        `${formatNumber(block.change_rule.z, 2)} standardfel, beräknade från antalet personer i grupperna; annars är förändringen inte säkerställd.`,
    );
  }
  return out;
}
