/**
 * Whether a change is a finding. Three outcomes: a clear increase, a clear decrease, or no established change.
 * A change is clear only when, at the printed precision, it is larger than the indicator's materiality threshold
 * (data/indicators.json) and than its sampling uncertainty where the counts behind a share are known; for a
 * segregation index, larger than the uncertainty its bootstrap intervals give. A change across a definition or
 * area-version break is never judged on its own: only the comparable part of the series can give a verdict.
 * Every difference here is the difference of the values as printed, so the text and the tables agree.
 */
import type { IndicatorBlock, Point, SegregationBlock, SeriesBreak } from './model.ts';
import { printedDiff, roundsToZero, unitStyle } from './format.ts';

export type Verdict = 'increase' | 'decrease' | 'none';
export type Movement = 'up' | 'down' | 'flat';

/** z for a two-sided 95 % test, the level the intervals in the report are given at. */
export const Z95 = 1.959963984540054;

export interface ValuePoint {
  year: number;
  value: number;
  numerator?: number | null;
  denominator?: number | null;
}

export interface Change {
  from: ValuePoint;
  to: ValuePoint;
  /** to − from as printed (each value rounded to the unit's precision first). */
  diff: number;
  /** The printed direction: 'flat' when the printed values are equal. */
  movement: Movement;
  verdict: Verdict;
  /** The materiality threshold in the unit (relative thresholds resolved against `from`). */
  threshold: number;
  /** 1.96 standard errors of the difference, from the counts; null where the counts are not known. */
  margin: number | null;
  /** Why there is no verdict: the printed values are equal, the change is below the threshold, or inside the uncertainty. */
  reason: 'clear' | 'flat' | 'below_threshold' | 'uncertain';
}

export interface Trend {
  /** First to latest value, whatever lies between: what the reader sees in the table. */
  whole: Change;
  /** The first break inside the series, if any: then `whole` has no verdict of its own. */
  crossed: SeriesBreak | null;
  /** The longest part of the series on one basis, when `whole` crosses a break (null when no part has two values). */
  comparable: Change | null;
  /** The verdict the report states: `whole`'s without a break, `comparable`'s (or none) across one. */
  verdict: Verdict;
}

export function validPoints(series: readonly Pick<Point, 'year' | 'value' | 'numerator' | 'denominator'>[]): ValuePoint[] {
  return series
    .filter((p): p is typeof p & { value: number } => p.value !== null && Number.isFinite(p.value))
    .map((p) => ({ year: p.year, value: p.value, numerator: p.numerator ?? null, denominator: p.denominator ?? null }))
    .sort((a, b) => a.year - b.year);
}

function movementOf(diff: number, decimals: number): Movement {
  if (roundsToZero(diff, decimals)) return 'flat';
  return diff > 0 ? 'up' : 'down';
}

/** The binomial standard error of a share in percent, from the persons it rests on; null without them. */
function shareSe(p: ValuePoint): number | null {
  const n = p.denominator;
  if (n === null || n === undefined || !(n > 0)) return null;
  const share = Math.min(Math.max(p.value / 100, 0), 1);
  return 100 * Math.sqrt((share * (1 - share)) / n);
}

/** 1.96 SE of the difference of two shares (independent years), or null when a count is unknown. */
export function shareChangeMargin(unit: string, from: ValuePoint, to: ValuePoint): number | null {
  if (unitStyle(unit).kind !== 'percent') return null;
  const a = shareSe(from);
  const b = shareSe(to);
  return a === null || b === null ? null : Z95 * Math.hypot(a, b);
}

export function thresholdOf(materiality: IndicatorBlock['materiality'], from: number): number {
  if (!materiality) return 0;
  return materiality.relative ? (Math.abs(from) * materiality.value) / 100 : materiality.value;
}

/** One change of an indicator between two of its points, judged. */
export function indicatorChange(block: Pick<IndicatorBlock, 'unit' | 'materiality'>, from: ValuePoint, to: ValuePoint): Change {
  const decimals = unitStyle(block.unit).decimals;
  const diff = printedDiff(from.value, to.value, decimals);
  const movement = movementOf(diff, decimals);
  const threshold = thresholdOf(block.materiality, from.value);
  const margin = shareChangeMargin(block.unit, from, to);
  let reason: Change['reason'] = 'clear';
  if (movement === 'flat') reason = 'flat';
  else if (Math.abs(diff) <= threshold) reason = 'below_threshold';
  else if (margin !== null && Math.abs(diff) <= margin) reason = 'uncertain';
  const verdict: Verdict = reason !== 'clear' ? 'none' : diff > 0 ? 'increase' : 'decrease';
  return { from, to, diff, movement, verdict, threshold, margin, reason };
}

/** The break a change from `from` to `to` crosses (the first one), or null. */
export function crossedBreak(breaks: readonly SeriesBreak[] | undefined, from: number, to: number): SeriesBreak | null {
  return [...(breaks ?? [])].sort((a, b) => a.year - b.year).find((b) => from < b.year && b.year <= to) ?? null;
}

/** First to latest value of an indicator, judged; across a break the verdict comes from the longest comparable part. */
export function indicatorTrend(block: Pick<IndicatorBlock, 'unit' | 'materiality' | 'breaks' | 'series'>): Trend | null {
  const points = validPoints(block.series);
  const first = points[0];
  const latest = points[points.length - 1];
  if (!first || !latest || first.year === latest.year) return null;
  const whole = indicatorChange(block, first, latest);
  const crossed = crossedBreak(block.breaks, first.year, latest.year);
  if (!crossed) return { whole, crossed: null, comparable: null, verdict: whole.verdict };
  // Parts on one basis: split at every break; the longest span with two values gives the comparable change.
  const cuts = [...new Set((block.breaks ?? []).map((b) => b.year))].sort((a, b) => a - b);
  const parts: ValuePoint[][] = [];
  for (const p of points) {
    const k = cuts.filter((c) => c <= p.year).length;
    (parts[k] ??= []).push(p);
  }
  let comparable: Change | null = null;
  for (const part of parts) {
    const a = part?.[0];
    const b = part?.[part.length - 1];
    if (!a || !b || a.year === b.year) continue;
    if (!comparable || b.year - a.year > comparable.to.year - comparable.from.year || (b.year - a.year === comparable.to.year - comparable.from.year && a.year > comparable.from.year)) {
      comparable = indicatorChange(block, a, b);
    }
  }
  return { whole, crossed, comparable, verdict: comparable?.verdict ?? 'none' };
}

/** 'better' or 'worse' for a clear change of an indicator with a direction; null otherwise (never for 'none'). */
export function judgementOf(verdict: Verdict, higherIsBetter: boolean | null): 'better' | 'worse' | null {
  if (verdict === 'none' || higherIsBetter === null) return null;
  return (verdict === 'increase') === higherIsBetter ? 'better' : 'worse';
}

/** A value with its bootstrap interval (segregation indices). */
export interface IntervalPoint {
  value: number;
  ci_low?: number | null;
  ci_high?: number | null;
}

/** The standard error a 95 % interval implies (its width over 2 × 1.96): valid however the interval is centred. */
function intervalSe(p: IntervalPoint): number | null {
  if (p.ci_low === undefined || p.ci_low === null || p.ci_high === undefined || p.ci_high === null) return null;
  if (!Number.isFinite(p.ci_low) || !Number.isFinite(p.ci_high) || p.ci_high < p.ci_low) return null;
  return (p.ci_high - p.ci_low) / (2 * Z95);
}

/**
 * Whether two index values (two years, or two unit levels in one year) differ clearly: the printed difference is
 * non-zero and larger than 1.96 standard errors of the difference implied by the two intervals. No interval, no verdict.
 */
export function intervalChange(a: IntervalPoint, b: IntervalPoint, decimals: number): { diff: number; movement: Movement; verdict: Verdict } {
  const diff = printedDiff(a.value, b.value, decimals);
  const movement = movementOf(diff, decimals);
  const sa = intervalSe(a);
  const sb = intervalSe(b);
  if (movement === 'flat' || sa === null || sb === null) return { diff, movement, verdict: 'none' };
  const clear = Math.abs(b.value - a.value) > Z95 * Math.hypot(sa, sb);
  return { diff, movement, verdict: clear ? (diff > 0 ? 'increase' : 'decrease') : 'none' };
}

/** A kommun's index change: across an area-version break only when its part on the first version agrees. */
export function kommunIndexVerdict(
  k: Pick<
    SegregationBlock['by_kommun'][number],
    'ci_low' | 'ci_high' | 'first_ci_low' | 'first_ci_high' | 'unit_version' | 'first_unit_version' | 'pre_value' | 'pre_ci_low' | 'pre_ci_high'
  > & { value: number; first_value: number },
  decimals: number,
): { diff: number; movement: Movement; verdict: Verdict; crosses_break: boolean } {
  const first = { value: k.first_value, ci_low: k.first_ci_low, ci_high: k.first_ci_high };
  const whole = intervalChange(first, { value: k.value, ci_low: k.ci_low, ci_high: k.ci_high }, decimals);
  const crosses = k.unit_version !== undefined && k.first_unit_version !== undefined && k.unit_version !== null && k.first_unit_version !== null && k.unit_version !== k.first_unit_version;
  if (!crosses || whole.verdict === 'none') return { ...whole, crosses_break: crosses };
  if (k.pre_value === undefined || k.pre_value === null) return { ...whole, verdict: 'none', crosses_break: true };
  const part = intervalChange(first, { value: k.pre_value, ci_low: k.pre_ci_low, ci_high: k.pre_ci_high }, decimals);
  return { ...whole, verdict: part.verdict === whole.verdict ? whole.verdict : 'none', crosses_break: true };
}

/** A change as the measures stage tests it (SegregationChange), in the shape this file needs. */
interface TestedChange {
  verdict: Verdict;
  crosses_break: boolean;
}

/**
 * A kommun's index change from its first to its latest year. Where the measures stage tested it
 * (`change_since_first`, `change_before_break`), its test of the difference decides: a span on one area version
 * gives its verdict; a span across the break counts only when the years before the break show the same clear
 * change. Without those, the intervals decide (kommunIndexVerdict). A change that prints as zero is never clear.
 */
export function kommunChangeVerdict(
  k: Parameters<typeof kommunIndexVerdict>[0] & { change_since_first?: TestedChange | null; change_before_break?: TestedChange | null },
  decimals: number,
): { verdict: Verdict; crosses_break: boolean; tested: boolean } {
  const sf = k.change_since_first;
  if (sf) {
    const flat = roundsToZero(printedDiff(k.first_value, k.value, decimals), decimals);
    if (!sf.crosses_break) return { verdict: flat ? 'none' : sf.verdict, crosses_break: false, tested: true };
    const bb = k.change_before_break;
    const agrees = bb !== null && bb !== undefined && !bb.crosses_break && bb.verdict !== 'none' && bb.verdict === sf.verdict;
    return { verdict: agrees && !flat ? sf.verdict : 'none', crosses_break: true, tested: true };
  }
  const has = (lo?: number | null, hi?: number | null): boolean => lo !== undefined && lo !== null && hi !== undefined && hi !== null;
  if (!has(k.ci_low, k.ci_high) || !has(k.first_ci_low, k.first_ci_high)) return { verdict: 'none', crosses_break: false, tested: false };
  const v = kommunIndexVerdict(k, decimals);
  return { verdict: v.verdict, crosses_break: v.crosses_break, tested: true };
}
