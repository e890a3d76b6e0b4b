/**
 * Sentences from the numbers of a ReportModel, in the report's language (words from templates/wording/<lang>.json).
 * Every sentence is chosen by what the data say (a rise, a fall, no change, a missing value), never a template
 * written for one outcome. Missing values are named as missing and never counted as zero. A change that rounds to
 * zero at the printed precision is "oförändrat", so the text never claims a change the reader cannot see in the table.
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
  joinList,
  NBSP,
  printedDiff,
  printedValue,
  roundsToZero,
  statusText,
  unitStyle,
  wordKey,
} from './format.ts';
import { wording, type Lang, type Wording } from './wording.ts';
import { catalogueText } from './catalogue-text.ts';

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
  /** The report's language; Swedish when absent. */
  lang?: Lang;
}

type Movement = VMovement;

function movementOf(diff: number, decimals: number): Movement {
  if (roundsToZero(diff, decimals)) return 'flat';
  return diff > 0 ? 'up' : 'down';
}

export function scopePhrase(scope: ReportModel['scope'], lang: Lang = 'sv'): string {
  const w = wording(lang);
  return scope.level === 'riket' ? w.t('summary.scope.riket') : w.t('summary.scope.area', { name: scope.name });
}

/** `riket` as a comparison's name reads `Sweden` in English; other names are official names in every language. */
export function areaName(name: string, lang: Lang = 'sv'): string {
  return name === 'riket' ? wording(lang).t('summary.riketName') : name;
}

/** `utländsk bakgrund / svensk bakgrund` in the report's language (templates/wording `segregation.groupNames`). */
export function groupsName(groups: string, lang: Lang = 'sv'): string {
  return lang === 'sv' ? groups : wording(lang).t(`segregation.groupNames.${wordKey(groups)}`);
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Years with no value, grouped by the reason the status gives: `2019 (uppgift saknas) och 2024 (skyddad …)`. */
function missingYearsSentence(series: readonly { year: number; value: number | null; status: string | null }[], w: Wording): string | null {
  const byReason = new Map<string, number[]>();
  for (const p of series) {
    if (p.value !== null && Number.isFinite(p.value)) continue;
    const reason = statusText(p.status, w.lang);
    const years = byReason.get(reason) ?? [];
    years.push(p.year);
    byReason.set(reason, years);
  }
  if (byReason.size === 0) return null;
  const parts = [...byReason.entries()]
    .sort((a, b) => Math.min(...a[1]) - Math.min(...b[1]))
    .map(([reason, years]) => `${formatYearList(years, w.lang)}${reason ? ` (${reason})` : ''}`);
  return w.t('summary.missingYears', { years: joinList(parts, w.lang) });
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
  w: Wording,
  info?: { what: string; effect: string } | null,
  noun: 'index' | 'values' = 'index',
): string | null {
  const c = versionChange(series);
  if (!c) return null;
  const where = w.t('summary.areaBreak.where', {
    before: c.before.year,
    after: c.after.year,
    fromVersion: formatAreaVersion(c.before.version),
    toVersion: formatAreaVersion(c.after.version),
  });
  if (info) {
    const own = catalogueText(w.lang).areaBreak(info);
    return `${where}: ${own.what}. ${capital(own.effect)}.`;
  }
  return `${where}; ${w.t(noun === 'index' ? 'summary.areaBreak.notRecomputedIndex' : 'summary.areaBreak.notRecomputedValues')}`;
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

function spreadName(n: number, w: Wording): string {
  return n >= 10 ? w.t('summary.spread.namePercentiles') : w.t('summary.spread.nameRange');
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
function spreadChange(block: IndicatorBlock, firstYear: number | null, latestYear: number, w: Wording): SpreadChange | null {
  // Counts differ between kommuner because kommuner differ in size; their spread says nothing about inequality.
  if (block.unit === 'antal') return null;
  if (!block.by_kommun.some((k) => k.first_value !== undefined)) return null;
  const pairs = block.by_kommun.filter(
    (k): k is typeof k & { value: number; first_value: number } =>
      k.value !== null && k.first_value !== null && k.first_value !== undefined,
  );
  const fy = block.first_year ?? firstYear;
  if (pairs.length < 2 || fy === null || fy === latestYear) {
    return { movement: 'flat', sentence: w.t('summary.spread.notComparable') };
  }
  const style = unitStyle(block.unit);
  const before = spreadOf(pairs.map((k) => k.first_value));
  const after = spreadOf(pairs.map((k) => k.value));
  const diff = printedDiff(before, after, style.decimals);
  const threshold = thresholdOf(block.materiality, before);
  const crossed = crossedBreak(block.breaks, fy, latestYear);
  const movement: Movement = crossed || roundsToZero(diff, style.decimals) || Math.abs(diff) <= threshold ? 'flat' : diff > 0 ? 'up' : 'down';
  const numbers = w.t('summary.spread.numbers', {
    name: spreadName(pairs.length, w),
    after: formatChangeMagnitude(after, block.unit, w.lang),
    latestYear,
    before: formatChangeMagnitude(before, block.unit, w.lang),
    firstYear: fy,
  });
  let lead: string;
  if (movement !== 'flat') lead = w.t(movement === 'up' ? 'summary.spread.leadUp' : 'summary.spread.leadDown', { year: fy });
  else if (crossed) lead = w.t('summary.spread.leadBreak', { year: fy, breakYear: crossed.year });
  else if (roundsToZero(diff, style.decimals)) lead = w.t('summary.spread.leadFlat', { year: fy });
  else lead = w.t('summary.spread.leadOpen', { year: fy });
  const basis = pairs.length < block.by_kommun.length ? ` (${w.t('summary.spread.basis', { count: pairs.length })})` : '';
  return { movement, sentence: `${lead}: ${numbers}${basis}${pricePhrase(block, w)}.` };
}

/** `, i fasta priser (2024 års priser)` or `, i löpande priser` for kronor compared over time; empty otherwise. */
function pricePhrase(block: IndicatorBlock, w: Wording): string {
  if (unitStyle(block.unit).kind !== 'money' || !block.prices) return '';
  if (block.prices.basis === 'current') return `, ${w.t('summary.prices.current')}`;
  return block.prices.base_year !== null ? `, ${w.t('summary.prices.constantYear', { year: block.prices.base_year })}` : `, ${w.t('summary.prices.constant')}`;
}

/** The relative change, from the printed values as well, for money and counts. */
function relativeChange(change: Change, unit: string, w: Wording): string {
  const d = unitStyle(unit).decimals;
  const from = printedValue(change.from.value, d);
  if (!unitStyle(unit).relative || from === 0) return '';
  const pct = (change.diff / Math.abs(from)) * 100;
  return ` (${w.t('format.percent', { value: formatSigned(pct, 1, w.lang) })})`;
}

function latestYearOf(block: IndicatorBlock, points: readonly ValuePoint[]): number | null {
  return block.latest_year ?? points[points.length - 1]?.year ?? null;
}

/** `2,0 procentenheter` as the smallest change called a change, for the "why not" clause. */
function thresholdText(change: Change, unit: string, w: Wording): string {
  const d = unitStyle(unit).decimals;
  return formatChangeMagnitude(printedValue(change.threshold, d) || change.threshold, unit, w.lang);
}

/** Why a change is not established, in plain words. */
function whyNotClear(change: Change, unit: string, w: Wording): string {
  if (change.reason === 'below_threshold') return w.t('summary.change.whyBelowThreshold', { threshold: thresholdText(change, unit, w) });
  if (change.reason === 'uncertain' && change.margin !== null) {
    return w.t('summary.change.whyUncertain', { margin: formatChangeMagnitude(change.margin, unit, w.lang) });
  }
  return w.t('summary.change.whyTooSmall');
}

/** `, en förbättring` / `, en försämring` after a clear change of an indicator with a good direction. */
function judgementTail(verdict: Change['verdict'], higherIsBetter: boolean | null, sep: string, w: Wording): string {
  const j = judgementOf(verdict, higherIsBetter);
  return j === 'better' ? `${sep}${w.t('summary.change.better')}` : j === 'worse' ? `${sep}${w.t('summary.change.worse')}` : '';
}

/**
 * One change in a sentence, from the printed values: a clear rise or fall (with the judgement where the catalogue
 * names a good direction), "i stort sett oförändrat", or a change that is not established and why.
 */
function changeSentence(block: IndicatorBlock, change: Change, lead: string, w: Wording): string {
  const from = formatValue(change.from.value, block.unit, w.lang);
  const to = formatValue(change.to.value, block.unit, w.lang);
  const prices = pricePhrase(block, w);
  if (change.verdict !== 'none') {
    return w.t(change.verdict === 'increase' ? 'summary.change.clearUp' : 'summary.change.clearDown', {
      lead,
      size: formatChangeMagnitude(change.diff, block.unit, w.lang),
      relative: relativeChange(change, block.unit, w),
      from,
      to,
      prices,
      judgement: judgementTail(change.verdict, block.higher_is_better, ', ', w),
    });
  }
  if (change.movement === 'flat') return w.t('summary.change.flat', { lead, from, year: change.from.year });
  return w.t(change.movement === 'up' ? 'summary.change.openUp' : 'summary.change.openDown', { lead, from, to, prices, why: whyNotClear(change, block.unit, w) });
}

/** The break a change crosses, in words: the year, what changed and its effect. */
function definitionBreakSentence(id: string, b: SeriesBreak, w: Wording): string {
  const own = catalogueText(w.lang).seriesBreak(id, b);
  return w.t('summary.definitionBreak', { year: b.year, what: own.what, effect: own.effect });
}

/** The paragraph under an indicator's heading in its chapter. */
export function describeIndicator(block: IndicatorBlock, ctx: TextContext): string[] {
  const w = wording(ctx.lang ?? 'sv');
  const value = (v: number): string => formatValue(v, block.unit, w.lang);
  const points = validPoints(block.series);
  const years = block.series.map((p) => p.year);
  const out: string[] = [];
  const latest = points[points.length - 1];
  if (!latest) {
    out.push(years.length ? w.t('summary.indicator.noDataRange', { range: formatYearRange(Math.min(...years), Math.max(...years)) }) : w.t('summary.indicator.noData'));
    const missing = missingYearsSentence(block.series, w);
    if (missing && years.length) out.push(missing);
    return out;
  }
  out.push(w.t('summary.indicator.latest', { year: latest.year, value: value(latest.value), scope: ctx.scopePhrase }));
  const compared = (block.comparisons ?? []).filter((c) => c.year === latest.year && c.value !== null);
  if (compared.length > 0) {
    out.push(w.t('summary.indicator.compared', { list: compared.map((c) => `${areaName(c.name, w.lang)} ${value(c.value as number)}`).join(', ') }));
  }
  // When later years are in the series as missing, the missing-years sentence below already says so.
  const lastYearInSeries = Math.max(...years);
  if (latest.year < ctx.reportYear && lastYearInSeries <= latest.year) {
    out.push(w.t('summary.indicator.noLaterValues', { year: ctx.reportYear }));
  }

  const trend = indicatorTrend(block);
  if (!trend) {
    out.push(w.t('summary.noEarlierValues'));
  } else if (!trend.crossed) {
    out.push(changeSentence(block, trend.whole, w.t('summary.indicator.since', { year: trend.whole.from.year }), w));
  } else {
    // Across a definition break the whole change is shown, never judged; the comparable part carries the verdict.
    const wh = trend.whole;
    out.push(
      w.t('summary.indicator.acrossBreak', {
        from: wh.from.year,
        to: wh.to.year,
        fromValue: value(wh.from.value),
        toValue: value(wh.to.value),
        break: definitionBreakSentence(block.id, trend.crossed, w),
      }),
    );
    const c = trend.comparable;
    if (c) out.push(changeSentence(block, c, w.t('summary.indicator.sameDefinition', { range: formatYearRange(c.from.year, c.to.year) }), w));
  }
  const missing = missingYearsSentence(block.series, w);
  if (missing) out.push(missing);
  const area = areaBreakSentence(block.series, w, null, 'values');
  if (area) out.push(area);

  const kYear = latestYearOf(block, points) ?? latest.year;
  const withValue = block.by_kommun.filter((k): k is typeof k & { value: number } => k.value !== null);
  if (block.by_kommun.length > 0 && withValue.length === 0) {
    out.push(w.t('summary.indicator.noKommunValues', { year: kYear }));
  } else if (withValue.length >= 2) {
    const sorted = [...withValue].sort((a, b) => a.value - b.value);
    const lo = sorted[0];
    const hi = sorted[sorted.length - 1];
    if (lo && hi) {
      const own = points.find((p) => p.year === kYear);
      const ref = own ? w.t('summary.indicator.kommunRangeOwn', { scope: ctx.scopePhrase, value: value(own.value) }) : '';
      out.push(
        w.t('summary.indicator.kommunRange', {
          n: formatNumber(withValue.length, 0, w.lang),
          year: kYear,
          lo: value(lo.value),
          loName: lo.name,
          hi: value(hi.value),
          hiName: hi.name,
          own: ref,
        }),
      );
    }
    const missingK = block.by_kommun.length - withValue.length;
    if (missingK > 0) out.push(w.t('summary.indicator.kommunMissing', { count: missingK, total: formatNumber(block.by_kommun.length, 0, w.lang) }));
    const spread = spreadChange(block, points[0]?.year ?? null, kYear, w);
    if (spread) out.push(spread.sentence);
  }
  return out;
}

/** One line for the summary: level, change and its verdict, and the spread between kommuner where it moved clearly. */
export function summarizeIndicator(block: IndicatorBlock, ctx: TextContext): string {
  const w = wording(ctx.lang ?? 'sv');
  const value = (v: number): string => formatValue(v, block.unit, w.lang);
  const title = catalogueText(w.lang).title(block);
  const points = validPoints(block.series);
  const latest = points[points.length - 1];
  if (!latest) return w.t('summary.indicator.lineNoData', { title });
  const level = w.t('summary.indicator.lineLevel', { title, value: value(latest.value), scope: ctx.scopePhrase, year: latest.year });
  const trend = indicatorTrend(block);
  /** The verdict on a change, `since` its first year or (across a break) for the comparable years named before it. */
  const verdictPhrase = (c: Change, since: boolean): string => {
    const s = since ? 'Since' : '';
    if (c.verdict === 'none') {
      return c.movement === 'flat'
        ? w.t(`summary.indicator.flat${s}`, since ? { year: c.from.year } : {})
        : w.t(`summary.indicator.open${s}`, since ? { year: c.from.year, from: value(c.from.value) } : {});
    }
    return w.t(`summary.indicator.${c.verdict === 'increase' ? 'clearUp' : 'clearDown'}${s}`, {
      size: formatChangeMagnitude(c.diff, block.unit, w.lang),
      ...(since ? { year: c.from.year } : {}),
      prices: pricePhrase(block, w),
      judgement: judgementTail(c.verdict, block.higher_is_better, ' – ', w),
    });
  };
  let s: string;
  if (!trend) {
    s = w.t('summary.indicator.lineNoComparison', { level });
  } else if (!trend.crossed) {
    s = `${level}, ${verdictPhrase(trend.whole, true)}.`;
  } else {
    const c = trend.comparable;
    // The comparable years' own values, so "ingen säkerställd förändring" says between what.
    const values = c && c.verdict === 'none' && c.movement !== 'flat' ? ` (${w.t('summary.indicator.fromTo', { from: value(c.from.value), to: value(c.to.value) })})` : '';
    const part = c
      ? w.t('summary.indicator.sameDefinitionPart', { range: formatYearRange(c.from.year, c.to.year), verdict: verdictPhrase(c, false), values })
      : w.t('summary.indicator.noComparableYears');
    s = w.t('summary.indicator.lineBreak', { level, year: trend.crossed.year, what: catalogueText(w.lang).seriesBreak(block.id, trend.crossed).what, part });
  }
  const spread = spreadChange(block, points[0]?.year ?? null, latestYearOf(block, points) ?? latest.year, w);
  if (spread && spread.movement !== 'flat') {
    s += ` ${w.t(spread.movement === 'up' ? 'summary.spread.clearUp' : 'summary.spread.clearDown')}`;
  }
  return s;
}

/** METHODS.md §10 measure ids with a name in templates/wording (`segregation.measures`); others are shown as they are. */
const MEASURE_IDS: ReadonlySet<string> = new Set([
  'D',
  'Gini',
  'H',
  'H_two_group',
  'isolation_xPx',
  'interaction_xPy',
  'correlation_ratio_V',
  'M',
  'multi_M_divergence',
  'multi_H_information_theory',
  'multi_D',
  'multi_Gini',
]);

/** The name of a METHODS.md §10 measure id in the report's language; unknown ids are shown as they are. */
export function measureLabel(measure: string, lang: Lang = 'sv'): string {
  return MEASURE_IDS.has(measure) ? wording(lang).t(`segregation.measures.${measure}`) : measure;
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

/** `mer` / `mindre` (en: `more` / `less`) segregated, from the verdict and the index's direction. */
function segregationWord(verdict: 'increase' | 'decrease', measure: string, w: Wording): string {
  const more = (verdict === 'increase') === higherMeansMoreSegregation(measure);
  return w.t(more ? 'segregation.more' : 'segregation.less');
}

/** `{from}–{to}`, or `{from} till {to}` between signed numbers, where an en dash would read as a minus. */
function joinInterval(lo: number, hi: number, d: number, w: Wording): string {
  const a = formatNumber(lo, d, w.lang);
  const b = formatNumber(hi, d, w.lang);
  return lo < 0 || hi < 0 ? w.t('segregation.intervalSigned', { from: a, to: b }) : `${a}${EN_DASH}${b}`;
}

/**
 * `0,012–0,020` or `−0,004 till 0,016` for the interval of a change: decimals are added until neither end prints
 * as zero, so an interval that excludes zero never reads as `0,000–0,002`. Null without an interval.
 */
function changeIntervalText(c: { ci_low: number | null; ci_high: number | null }, w: Wording): string | null {
  if (c.ci_low === null || c.ci_high === null) return null;
  let d = SEG_DECIMALS;
  while (d < 6 && (roundsToZero(c.ci_low, d) || roundsToZero(c.ci_high, d) || formatNumber(c.ci_low, d) === formatNumber(c.ci_high, d))) d++;
  return joinInterval(c.ci_low, c.ci_high, d, w);
}

/** A change's verdict is usable only when it does not rest on a break: a change across one is never judged on its own. */
function judged(c: SegregationChange | null | undefined): SegregationChange | null {
  return c && !c.crosses_break ? c : null;
}

/** ` (95 % intervall för förändringen 0,001–0,004)`, or empty without an interval. */
function changeInterval(c: SegregationChange, w: Wording): string {
  const interval = changeIntervalText(c, w);
  return interval ? ` (${w.t('segregation.changeInterval', { interval })})` : '';
}

/** The version a series has in `year`, for "med samma områdesindelning (DeSO 2025)". */
function versionIn(block: SegregationBlock, year: number): string | null {
  const v = block.series.find((p) => p.year === year)?.area_version;
  return v ? formatAreaVersion(v) : null;
}

/** `stigit`/`sjunkit`-style sentence for an established change of the index (`now`: "is" segregated; else "became"). */
function establishedChange(span: string, c: SegregationChange, from: string, to: string, measure: string, tense: 'perfect' | 'past', w: Wording): string {
  const dir = c.verdict === 'increase' ? 'Up' : 'Down';
  return w.t(`segregation.change.${tense}${dir}`, { span, from, to, interval: changeInterval(c, w), word: segregationWord(c.verdict as 'increase' | 'decrease', measure, w) });
}

/**
 * The sentences on how the block's own index changed, from the measures stage's verdicts: the comparable span
 * (`change`, on one area version) gives a direction only when established; the span since the first year
 * (`change_since_first`) is stated with its numbers but, across the area-version break, never judged on its own;
 * the break's own size (`break_size`) follows where the warehouse measured it. Without a verdict, no direction.
 */
function segregationChangeSentences(block: SegregationBlock, points: readonly ValuePoint[], w: Wording): string[] {
  const first = points[0];
  const latest = points[points.length - 1];
  if (!first || !latest || first.year === latest.year) return [w.t('summary.noEarlierValues')];
  const at = (y: number): ValuePoint | undefined => points.find((p) => p.year === y);
  const text = (p: ValuePoint): string => formatNumber(p.value, SEG_DECIMALS, w.lang);
  const same = (): string => w.t('segregation.change.sameVersion');
  const out: string[] = [];
  const c = judged(block.change);
  const from = c ? at(c.from_year) : undefined;
  const to = c ? at(c.to_year) : undefined;
  if (c && from && to && from.year !== to.year) {
    const span =
      from.year === first.year
        ? w.t('summary.indicator.since', { year: from.year })
        : w.t('segregation.change.spanSameVersion', { version: versionIn(block, to.year) ?? same(), from: from.year, to: to.year });
    if (c.verdict === 'none') {
      out.push(
        text(from) === text(to)
          ? w.t('segregation.change.flat', { span, value: text(from) })
          : w.t('segregation.change.open', { span, from: text(from), to: text(to), interval: changeInterval(c, w) }),
      );
    } else {
      out.push(establishedChange(span, c, text(from), text(to), block.measure, 'perfect', w));
    }
  }
  // The years before the break, on the old area version: judged on their own (they cross nothing).
  const bb = judged(block.change_before_break);
  const bFrom = bb ? at(bb.from_year) : undefined;
  const bTo = bb ? at(bb.to_year) : undefined;
  if (bb && bFrom && bTo && bFrom.year !== bTo.year) {
    const span = w.t('segregation.change.spanEarlierVersion', { version: versionIn(block, bTo.year) ?? same(), from: bFrom.year, to: bTo.year });
    // First: the years before the break come first in time.
    out.unshift(
      bb.verdict === 'none'
        ? w.t('segregation.change.open', { span, from: text(bFrom), to: text(bTo), interval: changeInterval(bb, w) })
        : establishedChange(span, bb, text(bFrom), text(bTo), block.measure, 'past', w),
    );
  }
  // The whole period: stated, judged only when it is on one area version.
  const covered = c !== null && from?.year === first.year && to?.year === latest.year;
  if (!covered) {
    const whole = block.change_since_first ?? null;
    const wj = judged(whole);
    const crosses = versionChange(block.series) !== null || (whole?.crosses_break ?? false);
    if (wj && !crosses && wj.verdict !== 'none') {
      out.push(establishedChange(w.t('summary.indicator.since', { year: first.year }), wj, text(first), text(latest), block.measure, 'perfect', w));
    } else if (crosses) {
      out.push(w.t('segregation.change.acrossBreak', { from: first.year, to: latest.year, fromValue: text(first), toValue: text(latest) }));
    } else if (c === null) {
      out.push(w.t('segregation.change.untested', { fromValue: text(first), from: first.year, toValue: text(latest), to: latest.year }));
    }
  }
  return out;
}

/** What the new areas alone did to the index in the years next to the break (both divisions computed). */
function breakSizeSentence(block: SegregationBlock, w: Wording): string | null {
  const sizes = (block.break_size ?? []).filter((b) => Number.isFinite(b.value_from) && Number.isFinite(b.value_to));
  if (sizes.length === 0) return null;
  const parts = sizes.map((b) =>
    w.t('segregation.breakSize.part', {
      year: b.year,
      from: formatNumber(b.value_from, SEG_DECIMALS, w.lang),
      fromVersion: formatAreaVersion(b.from_version),
      to: formatNumber(b.value_to, SEG_DECIMALS, w.lang),
      toVersion: formatAreaVersion(b.to_version),
    }),
  );
  return w.t('segregation.breakSize.sentence', { parts: parts.join('; ') });
}

/** How the kommuner's indices moved: clear rises and falls counted, the rest not established. */
function kommunChangeSentences(block: SegregationBlock, firstYear: number, latestYear: number, w: Wording): string[] {
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
  const n = (x: number): string => formatNumber(x, 0, w.lang);
  // The years the tests compare (the measures' first year may be later than the series' first, 2017 after a 2016 baseline).
  const tested = pairs.map((k) => k.change_since_first).filter((c): c is SegregationChange => c !== null && c !== undefined);
  const mode = (xs: number[]): number | undefined => [...new Set(xs)].sort((a, b) => xs.filter((x) => x === b).length - xs.filter((x) => x === a).length)[0];
  const fromYear = mode(tested.map((c) => c.from_year)) ?? firstYear;
  const toYear = mode(tested.map((c) => c.to_year)) ?? latestYear;
  const lead = w.t('segregation.kommuner.lead', { count: pairs.length, from: fromYear, to: toYear });
  if (untested === pairs.length) return [w.t('segregation.kommuner.noneTested', { lead })];
  const parts: string[] = [];
  if (up > 0) parts.push(w.t('segregation.kommuner.rose', { n: n(up) }));
  if (down > 0) parts.push(w.t(up > 0 ? 'segregation.kommuner.fellAfterRose' : 'segregation.kommuner.fell', { n: n(down) }));
  const out: string[] = [];
  if (parts.length === 0) out.push(w.t('segregation.kommuner.noneClear', { lead }));
  else out.push(w.t('segregation.kommuner.clear', { lead, parts: joinList(parts, w.lang), open: open > 0 ? w.t('segregation.kommuner.openPart', { n: n(open) }) : '' }));
  if (untested > 0) out.push(w.t('segregation.kommuner.untested', { count: untested }));
  if (crossing > 0) {
    out.push(w.t('segregation.kommuner.crossing', { which: crossing === pairs.length ? w.t('segregation.kommuner.all') : n(crossing) }));
  }
  return out;
}

/** The highest index among kommuner with at least FEW_UNITS areas, with the number of kommuner and the expected value. */
function rankingSentences(block: SegregationBlock, year: number, w: Wording): string[] {
  const n = (x: number): string => formatNumber(x, 0, w.lang);
  const withValue = block.by_kommun.filter((k): k is typeof k & { value: number } => k.value !== null);
  if (withValue.length < 2) return [];
  const ranked = withValue.filter((k) => k.n_units >= FEW_UNITS);
  const few = withValue.length - ranked.length;
  const fewText = few > 0 ? ` ${w.t('segregation.ranking.few', { count: few, min: FEW_UNITS })}` : '';
  const top = [...ranked].sort((a, b) => b.value - a.value)[0];
  if (!top) return [w.t('segregation.ranking.none', { n: n(withValue.length), min: FEW_UNITS })];
  const exp = top.expected !== undefined && top.expected !== null ? w.t('segregation.ranking.expected', { value: formatNumber(top.expected, SEG_DECIMALS, w.lang) }) : '';
  const all = ranked.length === withValue.length;
  return [
    w.t(all ? 'segregation.ranking.topAll' : 'segregation.ranking.top', {
      n: n(ranked.length),
      min: FEW_UNITS,
      name: top.name,
      year,
      value: formatNumber(top.value, SEG_DECIMALS, w.lang),
      units: n(top.n_units),
      expected: exp,
    }) + fewText,
  ];
}

/** The paragraph under a segregation block in the Segregation chapter. */
export function describeSegregation(block: SegregationBlock, lang: Lang = 'sv'): string[] {
  const w = wording(lang);
  const label = measureLabel(block.measure, lang);
  const groups = groupsName(block.groups, lang);
  const unitName = unitLevelName(block.unit_level);
  const series = [...block.series].sort((a, b) => a.year - b.year);
  const points = validPoints(series);
  const latest = points[points.length - 1];
  const out: string[] = [];
  if (!latest) {
    out.push(w.t('segregation.describe.noData', { label, groups, unit: unitName }));
    return out;
  }
  const latestRow = series.find((p) => p.year === latest.year);
  const units = latestRow ? w.t('segregation.describe.units', { n: formatNumber(latestRow.n_units, 0, lang), unit: unitName }) : '';
  out.push(w.t('segregation.describe.latest', { label, groups, units, value: formatNumber(latest.value, SEG_DECIMALS, lang), year: latest.year }));
  if (latestRow && latestRow.n_units < FEW_UNITS) {
    out.push(w.t('segregation.describe.fewUnits', { units: w.t('summary.count.omrade', { count: latestRow.n_units }), min: FEW_UNITS }));
  }
  const expected = latestRow?.expected;
  if (expected !== undefined && expected !== null) {
    out.push(w.t('segregation.describe.expected', { value: formatNumber(expected, SEG_DECIMALS, lang) }));
  }
  const interval = latestRow ? intervalText(latestRow, lang) : null;
  if (interval) out.push(w.t('segregation.describe.interval', { interval }));
  const other = otherLevelSentence(block, latest, w);
  if (other) out.push(other);
  out.push(...segregationChangeSentences(block, points, w));
  // The break is named right after the change it bears on, with its size where the warehouse measured it.
  const area = areaBreakSentence(series, w, block.area_break);
  if (area) out.push(area);
  const size = area ? breakSizeSentence(block, w) : null;
  if (size) out.push(size);
  const missing = missingYearsSentence(
    series.map((p) => ({ ...p, status: p.value === null ? p.status : null })),
    w,
  );
  if (missing) out.push(missing);
  if (latestRow && latestRow.value !== null) {
    const st = statusText(latestRow.status, lang);
    if (st) out.push(w.t('segregation.describe.marked', { year: latestRow.year, status: st }));
  }
  const first = points[0];
  if (first && first.year !== latest.year) out.push(...kommunChangeSentences(block, first.year, latest.year, w));
  out.push(...rankingSentences(block, latest.year, w));
  const withValue = block.by_kommun.filter((k) => k.value !== null);
  const missingK = block.by_kommun.length - withValue.length;
  if (missingK > 0 && block.by_kommun.length >= 2) out.push(w.t('segregation.describe.kommunMissing', { count: missingK }));
  if (block.decomposition) out.push(...describeDecomposition(block, lang));
  return out;
}

/** `0,374–0,375` from a point's bootstrap interval, or null when there is none. */
export function intervalText(p: { ci_low?: number | null; ci_high?: number | null }, lang: Lang = 'sv'): string | null {
  if (p.ci_low === undefined || p.ci_low === null || p.ci_high === undefined || p.ci_high === null) return null;
  // A narrow interval (riket, thousands of units) would print as 0,041–0,041: add decimals until its ends differ.
  let d = SEG_DECIMALS;
  while (d < 6 && formatNumber(p.ci_low, d) === formatNumber(p.ci_high, d)) d++;
  // An en dash between signed numbers (−0,043–0,016) reads as a minus: then the ends are joined with "till".
  return joinInterval(p.ci_low, p.ci_high, d, wording(lang));
}

/**
 * The same index over the other unit level in the same year: larger units (RegSO) average away part of the
 * unevenness that smaller ones (DeSO) show. Only a difference beyond both intervals' uncertainty is read as the
 * effect of the units' size.
 */
function otherLevelSentence(block: SegregationBlock, latest: ValuePoint, w: Wording): string | null {
  const other = block.other_unit_level;
  if (!other) return null;
  const same = other.series.find((p) => p.year === latest.year && p.value !== null);
  const otherName = unitLevelName(other.unit_level);
  const ownName = unitLevelName(block.unit_level);
  if (!same || same.value === null) return w.t('segregation.otherLevel.missing', { unit: otherName, year: latest.year });
  const own = block.series.find((p) => p.year === latest.year);
  // Only fewer units are larger units: a small kommun may have as many RegSO as DeSO, and then the comparison
  // says nothing about unit size.
  const larger = own !== undefined && same.n_units < own.n_units;
  const smaller = own !== undefined && same.n_units > own.n_units;
  const where = larger
    ? w.t('segregation.otherLevel.larger', { unit: otherName })
    : smaller
      ? w.t('segregation.otherLevel.smaller', { unit: otherName })
      : w.t('segregation.otherLevel.asMany', { unit: otherName, own: ownName });
  const exp = same.expected !== undefined && same.expected !== null ? ` (${w.t('segregation.otherLevel.expected', { value: formatNumber(same.expected, SEG_DECIMALS, w.lang) })})` : '';
  const value = formatNumber(same.value, SEG_DECIMALS, w.lang);
  const c = intervalChange({ value: latest.value, ci_low: own?.ci_low, ci_high: own?.ci_high }, { value: same.value, ci_low: same.ci_low, ci_high: same.ci_high }, SEG_DECIMALS);
  if (c.movement === 'flat') {
    const lead = w.t('segregation.otherLevel.sameLead', { where, value, expected: exp, year: latest.year });
    return larger || smaller ? `${lead}; ${w.t('segregation.otherLevel.sizeBarely')}` : `${lead}.`;
  }
  const lead = w.t('segregation.otherLevel.lead', { where, value, expected: exp, own: formatNumber(latest.value, SEG_DECIMALS, w.lang), ownUnit: ownName, year: latest.year });
  const tested = [own?.ci_low, own?.ci_high, same.ci_low, same.ci_high].every((x) => x !== undefined && x !== null);
  if (!tested) return `${lead}; ${w.t('segregation.otherLevel.untested')}`;
  if (c.verdict === 'none') return `${lead}; ${w.t('segregation.otherLevel.open')}`;
  const dir = w.t(c.verdict === 'decrease' ? 'segregation.otherLevel.lower' : 'segregation.otherLevel.higher');
  if (!larger && !smaller) return `${lead}, ${w.t('segregation.otherLevel.clear', { dir })}.`;
  return `${lead}, ${w.t('segregation.otherLevel.clear', { dir })}; ${w.t('segregation.otherLevel.sizeMatters')}`;
}

/** The name of a decomposition component in running text (`mellan län`). */
function componentPhrase(c: DecompositionComponent, w: Wording): string {
  return w.t(`segregation.components.${c}`);
}

/** The name of a decomposition component, for table rows. */
export function componentLabel(c: DecompositionComponent, lang: Lang = 'sv'): string {
  return capital(componentPhrase(c, wording(lang)));
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
export function describeDecomposition(block: SegregationBlock, lang: Lang = 'sv'): string[] {
  const w = wording(lang);
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
  if (total === null || !top) return [w.t('segregation.decomposition.missing', { year: last.year })];
  const out: string[] = [
    w.t('segregation.decomposition.shares', {
      groups: groupsName(block.groups, lang),
      total: `M${NBSP}=${NBSP}${formatNumber(total, 4, lang)}`,
      year: last.year,
      unit: unitLevelName(dec.unit_level),
      parts: joinList(
        parts.map((p) => `${formatPercent(p.share, 1, lang)} ${componentPhrase(p.component, w)}`),
        lang,
      ),
    }),
  ];
  const before = first ? decompositionShares(first).get(top.component) : null;
  if (first && before !== null && before !== undefined) {
    // The parts have no intervals, so their change is reported without a direction of its own.
    out.push(w.t('segregation.decomposition.first', { year: first.year, component: componentPhrase(top.component, w), share: formatPercent(before, 1, lang) }));
  }
  return out;
}

/**
 * One line for the summary per segregation block: a direction only with an established change on one area
 * version; a comparison across the area-version break is named and left unjudged.
 */
export function summarizeSegregation(block: SegregationBlock, lang: Lang = 'sv'): string {
  const w = wording(lang);
  const num = (v: number): string => formatNumber(v, SEG_DECIMALS, lang);
  const head = `${measureLabel(block.measure, lang)} (${groupsName(block.groups, lang)}, ${unitLevelName(block.unit_level)})`;
  const points = validPoints(block.series);
  const latest = points[points.length - 1];
  if (!latest) return w.t('summary.indicator.lineNoData', { title: head });
  const level = w.t('segregation.summary.level', { head, value: num(latest.value), year: latest.year });
  const first = points[0];
  if (!first || first.year === latest.year) return w.t('summary.indicator.lineNoComparison', { level });
  const vc = versionChange(block.series);
  const c = judged(block.change);
  const from = c ? points.find((p) => p.year === c.from_year) : undefined;
  const firstText = w.t('segregation.summary.valueInYear', { value: num(first.value), year: first.year });
  const bb = judged(block.change_before_break);
  const before =
    bb && bb.verdict !== 'none'
      ? ` ${w.t(bb.verdict === 'increase' ? 'segregation.summary.beforeBreakUp' : 'segregation.summary.beforeBreakDown', { range: formatYearRange(bb.from_year, bb.to_year), word: segregationWord(bb.verdict, block.measure, w) })}`
      : '';
  const brk = vc ? `${before} ${w.t('segregation.summary.acrossBreak', { first: firstText, year: vc.after.year })}` : '';
  if (!c || !from || c.verdict === 'none') {
    if (!vc && num(first.value) === num(latest.value)) return `${level}, ${w.t('summary.indicator.flatSince', { year: first.year })}.`;
    if (!vc) return w.t('segregation.summary.open', { level, first: firstText });
    // With one year on the new division there is nothing to compare on it.
    const onNew = block.series.filter((p) => p.value !== null && p.area_version === vc.after.version).length;
    return onNew < 2 ? w.t('segregation.summary.firstOnNew', { level, break: brk }) : w.t('segregation.summary.openSameVersion', { level, break: brk });
  }
  const span = from.year === first.year ? w.t('segregation.summary.since', { year: from.year }) : w.t('segregation.summary.sameVersion', { range: formatYearRange(from.year, c.to_year) });
  const since = from.year === first.year ? '' : brk;
  return w.t(c.verdict === 'increase' ? 'segregation.summary.clearUp' : 'segregation.summary.clearDown', {
    level,
    span,
    from: num(from.value),
    word: segregationWord(c.verdict, block.measure, w),
    break: since,
  });
}

/**
 * The headline tally: only clear changes count as better or worse; changes inside the threshold or the
 * uncertainty are "ingen säkerställd förändring"; across a definition break only the comparable part is judged.
 */
function overview(model: ReportModel, w: Wording): string[] {
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
  const n = (x: number): string => formatNumber(x, 0, w.lang);
  const out: string[] = [];
  if (directed > 0) {
    out.push(w.t('summary.overview.tally', { count: directed, better: n(better), worse: n(worse), open: open > 0 ? w.t('summary.overview.openPart', { n: n(open) }) : '' }));
    out.push(w.t('summary.overview.rule') + (crossed > 0 ? ` ${w.t('summary.overview.breaks', { count: crossed })}` : ''));
  }
  if (noData > 0) out.push(w.t('summary.overview.noData', { count: noData }));
  return out;
}

/** The "Sammanfattning": an overview, one line per indicator grouped by policy area, one per segregation block. */
export function buildSummary(model: ReportModel): Summary {
  const lang = model.lang ?? 'sv';
  const w = wording(lang);
  const ctx: TextContext = { scopePhrase: scopePhrase(model.scope, lang), reportYear: model.year, lang };
  return {
    overview: overview(model, w),
    areas: model.chapters.map((ch) => ({
      policy_area: ch.policy_area,
      title: lang === 'sv' ? ch.title_sv : w.t(`policyAreas.${ch.policy_area}`),
      sentences: ch.indicators.map((b) => summarizeIndicator(b, ctx)),
    })),
    segregation: model.segregation.flatMap((b) => [summarizeSegregation(b, lang), ...describeDecomposition(b, lang).slice(0, 1)]),
    area_types: model.area_types ? summarizeAreaTypes(model.area_types, scopePhrase(model.scope, lang), model.scope.level, lang) : [],
  };
}

// ---- Area types (områdestyper). ----

/** `stora utmaningar` (en: `major challenges`): the type's short description, from templates/wording `areaTypes.short`. */
function typeShort(t: AreaTypeNumber, w: Wording): string {
  return w.t(`areaTypes.short.${t}`);
}

/** `Typ 1: stora utmaningar` — short enough for a legend or a table header; the official name is in the text. */
export function areaTypeShortName(t: AreaTypeNumber, lang: Lang = 'sv'): string {
  const w = wording(lang);
  return w.t('areaTypes.shortName', { type: t, short: typeShort(t, w) });
}

/** `Typ 1|stora utmaningar`: the short name as two legend lines (the charts split labels at '|'). */
export function areaTypeLegendName(t: AreaTypeNumber, lang: Lang = 'sv'): string {
  const w = wording(lang);
  return `${w.t('areaTypes.typeN', { type: t })}|${typeShort(t, w)}`;
}

/** The type's official name (data/area-types.json in Swedish; templates/wording `areaTypes.names` in other languages). */
function typeName(block: AreaTypeBlock, t: AreaTypeNumber, w: Wording): string {
  if (w.lang !== 'sv') return w.t(`areaTypes.names.${t}`);
  return block.types.find((x) => x.area_type === t)?.name_sv ?? areaTypeShortName(t, w.lang);
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
export function gapVerdictWord(v: GapVerdict | null, lang: Lang = 'sv'): string {
  if (v === null) return '..';
  return wording(lang).t(`areaTypes.verdict.${v}`);
}

function lowerFirst(s: string): string {
  return /^[A-ZÅÄÖ][a-zåäö]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

export type AreaTypeScopeLevel = 'riket' | 'lan' | 'kommun';

/** `riket`, `länet`, `kommunen` (en: `the country`, `the county`, `the municipality`). */
function scopeNoun(level: AreaTypeScopeLevel, w: Wording): string {
  return w.t(`areaTypes.scopeNoun.${level}`);
}

/** The indicator's title, lower-cased where it begins a common noun, for running text. */
function titleOf(ind: Pick<AreaTypeIndicator, 'id' | 'title_sv'>, w: Wording): string {
  return lowerFirst(catalogueText(w.lang).title(ind));
}

/** The scope's comparison, the same for every indicator (chosen per scope by gap.sql); null without indicators. */
export function areaTypeComparison(block: AreaTypeBlock): Pick<AreaTypeIndicator, 'comparison' | 'comparison_year' | 'focus_upto' | 'reference_from'> | null {
  const i = block.indicators[0];
  return i ? { comparison: i.comparison, comparison_year: i.comparison_year, focus_upto: i.focus_upto, reference_from: i.reference_from } : null;
}

/** `typ 1`, `typ 2` — the focus group as the text names it. */
function focusLabel(c: Pick<AreaTypeIndicator, 'focus_upto'>, w: Wording): string {
  return w.t('areaTypes.typeLower', { types: String(c.focus_upto ?? 1) });
}

/** `4`, `2–4` or `2, 3 och 5`: a set of types as the text names it. */
function typeList(types: readonly number[], w: Wording): string {
  const t = [...new Set(types)].sort((a, b) => a - b);
  const first = t[0];
  const last = t[t.length - 1];
  if (first === undefined || last === undefined) return '';
  if (t.length === 1) return String(first);
  if (last - first === t.length - 1) return `${first}${EN_DASH}${last}`;
  return joinList(t.map(String), w.lang);
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
function referenceLabel(c: Pick<AreaTypeIndicator, 'comparison' | 'reference_from'>, level: AreaTypeScopeLevel, types: readonly number[], w: Wording): string {
  if (c.comparison === 'type1_vs_type5') return w.t('areaTypes.typeLower', { types: '5' });
  return w.t('areaTypes.restOf', { scope: scopeNoun(level, w), types: typeList(referenceTypes(c, types), w) });
}

/** Column headers for the two groups: `Typ 1` / `Typ 5`, or `Typ 1` / `Typ 2–4` (the reference types present). */
export function areaTypeGroupHeaders(ind: AreaTypeIndicator, lang: Lang = 'sv'): [string, string] {
  const w = wording(lang);
  const head = (types: string): string => w.t('areaTypes.typeHeader', { types });
  if (ind.comparison === 'type1_vs_type5') return [head('1'), head('5')];
  return [head(String(ind.focus_upto ?? 1)), head(typeList(referenceTypes(ind, typesOf(ind)), w))];
}

/** `områdestyp 1 och 5`, `typ 1 och resten av kommunen`. */
export function comparisonPhrase(c: Pick<AreaTypeIndicator, 'comparison' | 'focus_upto' | 'reference_from'>, level: AreaTypeScopeLevel, lang: Lang = 'sv'): string {
  const w = wording(lang);
  return c.comparison === 'type1_vs_type5' ? w.t('areaTypes.pair1and5') : w.t('areaTypes.pairRest', { focus: focusLabel(c, w), scope: scopeNoun(level, w) });
}

function gapReason(ind: AreaTypeIndicator, level: AreaTypeScopeLevel, w: Wording): string {
  switch (ind.status) {
    case 'no_focus':
      return w.t('areaTypes.gapReason.noFocus', { focus: focusLabel(ind, w) });
    case 'no_reference':
      return ind.comparison === 'type1_vs_type5' ? w.t('areaTypes.gapReason.noType5') : w.t('areaTypes.gapReason.noOtherTypes', { scope: scopeNoun(level, w) });
    case 'suppressed':
      return w.t('areaTypes.gapReason.suppressed');
    case 'single_type':
      return w.t('areaTypes.gapReason.singleType', { scope: scopeNoun(level, w) });
    case 'no_types':
      return w.t('areaTypes.gapReason.noTypes');
    default:
      return w.t('areaTypes.gapReason.missing');
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
export function describeAreaTypeGap(ind: AreaTypeIndicator, level: AreaTypeScopeLevel = 'kommun', lang: Lang = 'sv'): string {
  const w = wording(lang);
  const title = titleOf(ind, w);
  if (ind.gap === null || ind.value_focus === null || ind.value_reference === null) {
    const pair = ind.comparison === 'single_type' || ind.comparison === 'no_types' ? w.t('areaTypes.theTypes') : comparisonPhrase(ind, level, lang);
    return w.t('areaTypes.gap.none', { title, pair, year: ind.year, reason: gapReason(ind, level, w) });
  }
  const gapNow = printedGap(ind, 'latest') ?? ind.gap;
  const dir = roundsToZero(gapNow, GAP_DECIMALS)
    ? w.t('areaTypes.gap.asHighAs')
    : w.t(gapNow < 0 ? 'areaTypes.gap.lowerThan' : 'areaTypes.gap.higherThan', { size: formatChangeMagnitude(gapNow, ind.unit, lang) });
  const level1 = w.t('areaTypes.gap.level', {
    focus: focusLabel(ind, w),
    title,
    value: formatValue(ind.value_focus, ind.unit, lang),
    year: ind.year,
    dir,
    reference: referenceLabel(ind, level, typesOf(ind), w),
    referenceValue: formatValue(ind.value_reference, ind.unit, lang),
  });
  const v = gapVerdict(ind);
  const base = ind.base_year;
  if (v === null || base === null || ind.gap_base === null) {
    if (base !== null && ind.year > base) return `${level1} ${w.t('areaTypes.gap.noBase', { base })}`;
    return level1;
  }
  const then = formatChangeMagnitude(printedGap(ind, 'base') ?? ind.gap_base, ind.unit, lang);
  const change = formatChangeMagnitude(printedGapChange(ind) ?? 0, ind.unit, lang);
  switch (v) {
    case 'flat':
      return `${level1} ${w.t('areaTypes.gap.flat', { base, then })}`;
    case 'narrowed':
      return `${level1} ${w.t('areaTypes.gap.narrowed', { change, base, then })}`;
    case 'widened':
      return `${level1} ${w.t('areaTypes.gap.widened', { change, base, then })}`;
    case 'reversed':
      return `${level1} ${w.t(ind.gap_base < 0 ? 'areaTypes.gap.reversedLower' : 'areaTypes.gap.reversedHigher', { base, focus: focusLabel(ind, w), reference: referenceLabel(ind, level, typesOf(ind), w), then })}`;
  }
}

function typePhrase(block: AreaTypeBlock, t: AreaTypeNumber, w: Wording): string {
  return w.t('areaTypes.typePhrase', { name: lowerFirst(typeName(block, t, w)), type: t });
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
export function describeAreaTypePopulation(block: AreaTypeBlock, scope: string, lang: Lang = 'sv'): string[] {
  const w = wording(lang);
  const ys = populationYears(block);
  if (!ys) return [w.t('areaTypes.population.none', { scope })];
  const only = singleAreaType(block);
  if (only !== null) {
    const years = ys.first === ys.latest ? w.t('areaTypes.population.inYear', { year: ys.latest }) : formatYearRange(ys.first, ys.latest);
    return [w.t('areaTypes.population.allIn', { scope, years, type: typePhrase(block, only, w) })];
  }
  const row = (y: number, t: AreaTypeNumber | null) => block.population.find((p) => p.year === y && p.area_type === t);
  const out: string[] = [];
  const present = (t: AreaTypeNumber): boolean => [ys.first, ys.latest].some((y) => (row(y, t)?.n_areas ?? 0) > 0);
  const shown = ([1, 5] as const).filter(present);
  shown.forEach((t, k) => {
    const now = row(ys.latest, t);
    const then = row(ys.first, t);
    const people = now?.population !== null && now?.population !== undefined ? ` (${w.t('areaTypes.population.persons', { n: formatNumber(now.population, 0, lang) })})` : '';
    const share = now?.share !== null && now?.share !== undefined ? formatPercent(now.share, 1, lang) : w.t('areaTypes.population.unknownShare');
    let change = '';
    if (ys.first < ys.latest && then?.share !== null && then?.share !== undefined && now?.share !== null && now?.share !== undefined) {
      const m = movementOf(now.share - then.share, 1);
      change = m === 'flat' ? w.t('areaTypes.population.asManyAs', { year: ys.first }) : w.t('areaTypes.population.against', { share: formatPercent(then.share, 1, lang), year: ys.first });
    }
    out.push(
      k === 0
        ? w.t('areaTypes.population.first', { year: ys.latest, share, scope, people, type: typePhrase(block, t, w), change })
        : w.t('areaTypes.population.second', { type: typePhrase(block, t, w), share, people, change }),
    );
  });
  if (shown.length === 1) {
    out.push(w.t('areaTypes.population.otherAbsent', { type: shown[0] === 1 ? 5 : 1, scope }));
  } else if (shown.length === 0) {
    out.push(capital(w.t('areaTypes.population.neither', { scope, first: ys.first, latest: ys.latest })));
  }
  const latestRows = block.population.filter((p) => p.year === ys.latest && p.area_type !== null && p.share !== null);
  const top = [...latestRows].sort((a, b) => (b.share ?? 0) - (a.share ?? 0))[0];
  if (top && top.area_type !== null && top.share !== null && top.area_type !== 1 && top.area_type !== 5) {
    out.push(
      roundsToZero(100 - top.share, 1)
        ? w.t('areaTypes.population.allLived', { year: ys.latest, type: typePhrase(block, top.area_type, w) })
        : w.t('areaTypes.population.most', { share: formatPercent(top.share, 1, lang), type: typePhrase(block, top.area_type, w) }),
    );
  }
  return out;
}

/**
 * The spread of the socio-economic index over the scope's RegSO in the latest year (and the first, when it
 * differs), beside the national mean and SD: how different the scope's areas are, where the types cannot show it.
 */
export function describeIndexSpread(block: AreaTypeBlock, level: AreaTypeScopeLevel = 'kommun', lang: Lang = 'sv'): string | null {
  const w = wording(lang);
  const spread = [...(block.index_spread ?? [])].sort((a, b) => a.year - b.year);
  const latest = spread[spread.length - 1];
  if (!latest || latest.n_indexed === 0 || latest.min === null || latest.max === null || latest.median === null) return null;
  const own = w.t(`areaTypes.spread.own.${level}`);
  const x = (v: number): string => formatNumber(v, 1, lang);
  const national =
    latest.national_mean !== null && latest.national_sd !== null ? w.t('areaTypes.spread.national', { mean: x(latest.national_mean), sd: x(latest.national_sd) }) : '';
  const missing = latest.n_regso > latest.n_indexed ? ` (${w.t('areaTypes.spread.missing', { n: formatNumber(latest.n_regso - latest.n_indexed, 0, lang) })})` : '';
  let text =
    latest.n_indexed === 1
      ? w.t('areaTypes.spread.one', { own, value: x(latest.median), year: latest.year, missing, national })
      : w.t('areaTypes.spread.many', { own, n: formatNumber(latest.n_indexed, 0, lang), year: latest.year, min: x(latest.min), max: x(latest.max), median: x(latest.median), missing, national });
  const first = spread[0];
  if (first && first.year < latest.year && first.min !== null && first.max !== null && first.n_indexed > 1) {
    text += ` ${w.t('areaTypes.spread.first', { year: first.year, min: x(first.min), max: x(first.max) })}`;
  }
  return text;
}

/**
 * Which comparison the chapter uses and why, in one or two sentences; for a scope with one type only, that sentence
 * and the spread of the index take the place of the gaps.
 */
export function describeAreaTypeComparison(block: AreaTypeBlock, scope: string, level: AreaTypeScopeLevel = 'kommun', lang: Lang = 'sv'): string[] {
  const w = wording(lang);
  const c = areaTypeComparison(block);
  const ys = populationYears(block);
  // The types of the year that chose the comparison: in a report for an earlier year, a later year than its own.
  const typeYear = c?.comparison_year ?? ys?.latest ?? null;
  const year = typeYear !== null ? ` ${w.t('areaTypes.population.inYear', { year: typeYear })}` : '';
  const Scope = capital(scope);
  const spread = describeIndexSpread(block, level, lang);
  if (!c || c.comparison === 'single_type' || c.comparison === 'no_types') {
    const only = singleAreaType(block) ?? latestOnlyType(block);
    if (c?.comparison === 'no_types' || only === null) {
      return c ? [w.t('areaTypes.comparison.noTypes', { scope: Scope, year })] : [];
    }
    const n = block.population.find((p) => p.year === typeYear && p.area_type === only)?.n_areas ?? 0;
    const name = lowerFirst(typeName(block, only, w));
    const all =
      n === 1
        ? w.t('areaTypes.comparison.oneRegso', { scope: Scope, year, type: only, name })
        : w.t('areaTypes.comparison.allRegso', { n: formatNumber(n, 0, lang), scope, year, type: only, name });
    return [w.t('areaTypes.comparison.single', { all, noun: scopeNoun(level, w) }), ...(spread ? [spread] : [])];
  }
  if (c.comparison === 'type1_vs_type5') {
    return [w.t('areaTypes.comparison.both', { scope: Scope, year })];
  }
  const missing = w.t('areaTypes.typeLower', { types: c.focus_upto === 1 ? '5' : '1' });
  const k = c.focus_upto ?? 1;
  const latestTypes = block.population.filter((p) => p.year === typeYear && p.area_type !== null && p.n_areas > 0).map((p) => p.area_type as number);
  // Only where it happened: a year with RegSO of a lower type than the focus type puts them in the focus group.
  const lowerYears = [...new Set(block.population.filter((p) => p.area_type !== null && p.area_type < k && p.n_areas > 0).map((p) => p.year))].sort((a, b) => a - b);
  const lower = lowerYears.length > 0 ? ` ${w.t('areaTypes.comparison.lower', { years: formatYearList(lowerYears, lang), type: k })}` : '';
  return [
    w.t('areaTypes.comparison.focus', { scope: Scope, missing, year, focus: focusLabel(c, w), reference: referenceLabel(c, level, latestTypes, w), lower }),
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
export function describeAreaTypeGaps(block: AreaTypeBlock, scope: string, level: AreaTypeScopeLevel = 'kommun', lang: Lang = 'sv'): string[] {
  const w = wording(lang);
  const inds = gapIndicators(block);
  if (inds.length === 0) return [];
  const c = areaTypeComparison(block);
  if (c && (c.comparison === 'single_type' || c.comparison === 'no_types')) return [];
  const pair = c ? comparisonPhrase(c, level, lang) : w.t('areaTypes.theTypes');
  const withGap = inds.filter((i) => i.gap !== null);
  if (withGap.length === 0) {
    const reasons = [...new Set(inds.map((i) => gapReason(i, level, w)))];
    return [w.t('areaTypes.gaps.noGap', { pair, scope, reasons: joinList(reasons, lang) })];
  }
  const judged = withGap.map((i) => ({ i, v: gapVerdict(i) })).filter((x): x is { i: AreaTypeIndicator; v: GapVerdict } => x.v !== null);
  if (judged.length === 0) return [w.t('areaTypes.gaps.noBase', { pair, scope })];
  // The base year most indicators share names the sentence; one with another base year (turnout: the first
  // election year) says so after its name.
  const baseCount = new Map<number, number>();
  for (const x of judged) if (x.i.base_year !== null) baseCount.set(x.i.base_year, (baseCount.get(x.i.base_year) ?? 0) + 1);
  const base = [...baseCount.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  const name = (i: AreaTypeIndicator): string => `${titleOf(i, w)}${i.base_year !== base && i.base_year !== null ? ` (${w.t('segregation.summary.since', { year: i.base_year })})` : ''}`;
  // Up to five are named; a longer list is in the table right below, and would drown the sentence.
  const group = (v: GapVerdict): { n: number; names: string } => {
    const n = judged.filter((x) => x.v === v).map((x) => name(x.i));
    return { n: n.length, names: n.length > 0 && n.length <= 5 ? ` (${joinList(n, lang)})` : '' };
  };
  const clear: string[] = [];
  for (const v of ['narrowed', 'widened', 'reversed'] as const) {
    const g = group(v);
    if (g.n > 0) clear.push(w.t(`areaTypes.gaps.clear.${v}`, { n: formatNumber(g.n, 0, lang), names: g.names }));
  }
  const flat = group('flat');
  const head = w.t('areaTypes.gaps.head', { count: judged.length, pair, scope, base: base !== undefined ? String(base) : w.t('areaTypes.gaps.baseYear') });
  const out = [
    clear.length === 0
      ? w.t('areaTypes.gaps.noneClear', { head })
      : w.t('areaTypes.gaps.someClear', { head, clear: joinList(clear, lang) }) +
        (flat.n > 0 ? w.t('areaTypes.gaps.flatPart', { n: formatNumber(flat.n, 0, lang), names: flat.names }) : '.'),
  ];
  // An indicator with its own base year in a group too long to name would otherwise seem to count from `base`.
  const unnamed = judged.filter((x) => x.i.base_year !== base && x.i.base_year !== null && judged.filter((y) => y.v === x.v).length > 5);
  for (const x of unnamed) out.push(w.t('areaTypes.gaps.ownBase', { title: titleOf(x.i, w), year: x.i.base_year ?? 0 }));
  // The largest clear move each way, in full, so the reader gets the numbers behind the count.
  const moved = (v: GapVerdict) =>
    judged.filter((x) => x.v === v).sort((a, b) => Math.abs(printedGapChange(b.i) ?? 0) - Math.abs(printedGapChange(a.i) ?? 0))[0];
  for (const v of ['widened', 'narrowed'] as const) {
    const x = moved(v);
    if (x) out.push(describeAreaTypeGap(x.i, level, lang));
  }
  return out;
}

/** The summary's lines on area types: where people live, which comparison, then how the gaps moved. */
export function summarizeAreaTypes(block: AreaTypeBlock, scope: string, level: AreaTypeScopeLevel = 'kommun', lang: Lang = 'sv'): string[] {
  const c = areaTypeComparison(block);
  // Type 1 against type 5 is the default reading; the other comparisons say what they compare.
  const comparison = c && c.comparison !== 'type1_vs_type5' ? describeAreaTypeComparison(block, scope, level, lang).slice(0, 1) : [];
  return [...describeAreaTypePopulation(block, scope, lang), ...comparison, ...describeAreaTypeGaps(block, scope, level, lang)];
}

/** `1 procentenhet`, `1,5 procentenheter`: a threshold in percentage points. */
function points(x: number, w: Wording): string {
  return w.t('areaTypes.points', { count: x, n: formatNumber(x, Number.isInteger(x) ? 0 : 1, w.lang) });
}

/**
 * The thresholds for a clear change of a gap: `1 procentenhet` where every indicator shown has the same, else the
 * range with "indikatorns gräns" (each indicator's own threshold from data/indicators.json).
 */
export function gapMaterialityPhrase(block: AreaTypeBlock, lang: Lang = 'sv'): string {
  const w = wording(lang);
  const values = [...new Set(block.indicators.map((i) => i.materiality ?? block.change_rule?.materiality_pp ?? null).filter((v): v is number => v !== null))].sort((a, b) => a - b);
  const lo = values[0];
  const hi = values[values.length - 1];
  if (lo === undefined || hi === undefined) return w.t('areaTypes.materiality.none');
  if (lo === hi) return points(lo, w);
  return w.t('areaTypes.materiality.range', { range: `${formatNumber(lo, Number.isInteger(lo) ? 0 : 1, lang)}${EN_DASH}${points(hi, w)}` });
}

function sdPoint(x: number, w: Wording): string {
  if (x === 0) return w.t('areaTypes.method.mean');
  const n = Math.abs(x);
  return w.t(x > 0 ? 'areaTypes.method.sdAbove' : 'areaTypes.method.sdBelow', { count: n, n: formatNumber(n, Number.isInteger(n) ? 0 : 1, w.lang) });
}

/**
 * How the types are made, from the catalogue's cut multiples (so the text follows data/area-types.json) and the
 * latest national cut; how a scope's comparison is chosen, and when a change of a gap counts.
 */
export function describeAreaTypeMethod(block: AreaTypeBlock, lang: Lang = 'sv'): string[] {
  const w = wording(lang);
  const comps = block.components.map((c, i) => `V${i + 1} ${lowerFirst(lang === 'sv' ? c : w.t(`areaTypes.components.V${i + 1}`))}`);
  const types = [...block.types].sort((a, b) => a.area_type - b.area_type);
  const bands = types.map((t, i) => {
    const upper = i > 0 ? types[i - 1]?.min_sd : undefined;
    if (t.min_sd === null) return w.t('areaTypes.method.bandBelow', { type: t.area_type, upper: upper === undefined || upper === null ? w.t('areaTypes.method.theOthers') : sdPoint(upper, w) });
    if (upper === undefined || upper === null) return w.t('areaTypes.method.bandFrom', { type: t.area_type, from: sdPoint(t.min_sd, w) });
    return w.t('areaTypes.method.band', { type: t.area_type, from: sdPoint(t.min_sd, w), upper: sdPoint(upper, w) });
  });
  const out = [w.t('areaTypes.method.index', { components: joinList(comps, lang), bands: joinList(bands, lang) })];
  const cut = [...block.cuts].sort((a, b) => a.year - b.year).pop();
  if (cut && cut.mean !== null && cut.sd !== null) {
    const counts = cut.n_by_type.map((n, i) => w.t('areaTypes.method.countOfType', { n: formatNumber(n, 0, lang), type: i + 1 }));
    out.push(
      w.t('areaTypes.method.cut', { year: cut.year, mean: formatNumber(cut.mean, 1, lang), sd: formatNumber(cut.sd, 1, lang), n: formatNumber(cut.n_areas, 0, lang), counts: joinList(counts, lang) }) +
        (cut.n_unclassified > 0 ? w.t('areaTypes.method.unclassified', { n: formatNumber(cut.n_unclassified, 0, lang) }) : '.'),
    );
  }
  out.push(w.t('areaTypes.method.national'));
  out.push(w.t('areaTypes.method.choice'));
  if (block.change_rule) {
    out.push(w.t('areaTypes.method.rule', { materiality: gapMaterialityPhrase(block, lang), z: formatNumber(block.change_rule.z, 2, lang) }));
  }
  return out;
}
