/**
 * "Viktigaste resultat": the page after the table of contents, 5–7 sentences ranked from the report model. Every
 * sentence is built from the model by the functions that already judge it (summary.ts, verdict.ts): this file picks
 * and orders, it never decides whether something changed. The order, stated in the page's own method note:
 *
 *   1. clear changes — an established change of a segregation index (the measures stage's verdict on one area
 *      version), then a clearly narrowed, widened or reversed gap between area types (the warehouse's gap verdict),
 *      then indicators with a clear change, largest first counted in their materiality threshold (those without a
 *      good direction — population, background — after those with one);
 *   2. levels against riket (kommun and län reports; not for counts), where the printed difference is larger than
 *      the indicator's threshold, largest first counted in the same threshold;
 *   3. segregation and area types without an established change (one sentence each, always present when the
 *      model has them, so the page always says whether segregation changed);
 *   4. old data: indicators whose latest year is before the report year, always last.
 *
 * The programme's aim is reduced segregation, so within the clear changes the segregation index and the area-type
 * gaps come before the single indicators.
 */
import type { AreaTypeIndicator, IndicatorBlock, ReportModel, SegregationBlock, SegregationChange } from './model.ts';
import { formatChangeMagnitude, formatValue, formatYearRange, joinList, printedDiff, unitStyle } from './format.ts';
import { catalogueText } from './catalogue-text.ts';
import { wording, type Wording } from './wording.ts';
import { indicatorTrend, thresholdOf } from './verdict.ts';
import {
  areaTypeComparison,
  describeAreaTypeGap,
  describeAreaTypePopulation,
  gapIndicators,
  gapVerdict,
  printedGap,
  printedGapChange,
  areaName,
  scopePhrase,
  summarizeIndicator,
  summarizeSegregation,
} from './summary.ts';

/** The page's Swedish title (build-pdf.ts reads it; `keyFindings(model).title` is in the report's language). */
export const KEY_FINDINGS_TITLE = wording('sv').t('keyFindings.title');

/** At most this many sentences on the page; the issue asks for 5–7. */
export const MAX_FINDINGS = 7;

/** Indicator slots kept for clear changes when differences from riket compete for the rest. */
export const CHANGE_SLOTS = 3;

/** context_change: a clear change of an indicator without a good direction (population, background), after the others. */
export type FindingKind = 'segregation' | 'area_types' | 'indicator_change' | 'context_change' | 'indicator_level' | 'old_data';

export interface Finding {
  kind: FindingKind;
  /** 1 clear change, 2 level against riket, 3 no established change, 4 old data. */
  tier: 1 | 2 | 3 | 4;
  /** Within a tier, larger first: the change or difference in units of the indicator's threshold (0 where none). */
  score: number;
  text: string;
}

export interface KeyFindings {
  title: string;
  findings: Finding[];
  /** How the sentences were chosen and ordered, for the note under them. */
  method: string;
}

/** A verdict of the measures stage that may give a direction: on one area version and not 'none'. */
function clear(c: SegregationChange | null | undefined): boolean {
  return c !== null && c !== undefined && !c.crosses_break && c.verdict !== 'none';
}

function segregationFinding(blocks: readonly SegregationBlock[], w: Wording): Finding | null {
  const withValues = blocks.filter((b) => b.series.some((p) => p.value !== null));
  const changed = withValues.find((b) => clear(b.change) || clear(b.change_before_break));
  const block = changed ?? withValues[0];
  if (!block) return null;
  // summarizeSegregation states a direction only for an established change; the tier follows the same fields.
  return { kind: 'segregation', tier: changed ? 1 : 3, score: 0, text: summarizeSegregation(block, w.lang) };
}

function areaTypeFinding(model: ReportModel, w: Wording): Finding | null {
  const block = model.area_types;
  if (!block) return null;
  const level = model.scope.level;
  const scope = scopePhrase(model.scope, w.lang);
  const c = areaTypeComparison(block);
  if (!c || c.comparison === 'single_type' || c.comparison === 'no_types') {
    // No gap to speak of: where the residents live is the finding (e.g. everyone in one type).
    const first = describeAreaTypePopulation(block, scope, w.lang)[0];
    return first ? { kind: 'area_types', tier: 3, score: 0, text: first } : null;
  }
  const inds = gapIndicators(block).filter((i) => i.gap !== null && i.value_focus !== null && i.value_reference !== null);
  const size = (i: AreaTypeIndicator): number => Math.abs(printedGapChange(i) ?? 0);
  const changed = inds.filter((i) => {
    const v = gapVerdict(i);
    return v === 'narrowed' || v === 'widened' || v === 'reversed';
  });
  if (changed.length > 0) {
    const top = [...changed].sort((a, b) => size(b) - size(a))[0] as AreaTypeIndicator;
    return { kind: 'area_types', tier: 1, score: 0, text: describeAreaTypeGap(top, level, w.lang) };
  }
  // No clear change: the largest gap now, with the sentence saying that its change is not established.
  const widest = [...inds].sort((a, b) => Math.abs(printedGap(b, 'latest') ?? 0) - Math.abs(printedGap(a, 'latest') ?? 0))[0];
  return widest ? { kind: 'area_types', tier: 3, score: 0, text: describeAreaTypeGap(widest, level, w.lang) } : null;
}

/** The printed difference from riket in units of the indicator's threshold, with the sentence naming both. */
function levelAgainstRiket(block: IndicatorBlock, w: Wording): { score: number; clause: string } | null {
  const latest = [...block.series].filter((p) => p.value !== null && p.year === block.latest_year)[0];
  // A count (residents) sets a kommun against the whole country's total: no comparison of levels.
  if (unitStyle(block.unit).kind === 'count') return null;
  const riket = block.comparisons?.find((c) => c.name === 'riket');
  if (!latest || latest.value === null || !riket || riket.value === null || riket.year !== latest.year) return null;
  const decimals = unitStyle(block.unit).decimals;
  const diff = printedDiff(riket.value, latest.value, decimals);
  const threshold = thresholdOf(block.materiality, riket.value);
  const others = (block.comparisons ?? []).filter((c) => c.name !== 'riket' && c.value !== null && c.year === latest.year);
  // Kolada's similar kommuner (kommun reports): their median the same year, with how many had a value.
  const band = block.similar?.band.find((b) => b.year === latest.year && b.median !== null && b.n > 0);
  const value = (v: number): string => formatValue(v, block.unit, w.lang);
  const similar = band && band.median !== null ? [w.t('keyFindings.level.similar', { value: value(band.median), n: band.n })] : [];
  const parts = [
    w.t('keyFindings.level.inArea', { value: value(riket.value), name: areaName('riket', w.lang) }),
    ...others.map((o) => w.t('keyFindings.level.inArea', { value: value(o.value as number), name: areaName(o.name, w.lang) })),
    ...similar,
  ];
  const size = formatChangeMagnitude(diff, block.unit, w.lang).trim();
  const side = diff === 0 ? w.t('keyFindings.level.equal') : w.t(diff > 0 ? 'keyFindings.level.higher' : 'keyFindings.level.lower', { size });
  const clause = w.t('keyFindings.level.clause', { side, parts: joinList(parts, w.lang), year: latest.year });
  // Without a threshold there is no yardstick: the difference is stated only beside a clear change.
  return { score: threshold > 0 ? Math.abs(diff) / threshold : 0, clause };
}

function indicatorFindings(model: ReportModel, w: Wording): Finding[] {
  const ctx = { scopePhrase: scopePhrase(model.scope, w.lang), reportYear: model.year, lang: w.lang };
  const out: Finding[] = [];
  for (const block of model.chapters.flatMap((ch) => ch.indicators)) {
    const trend = indicatorTrend(block);
    const level = model.scope.level === 'riket' ? null : levelAgainstRiket(block, w);
    const summary = summarizeIndicator(block, ctx);
    const withLevel = level ? `${summary} ${level.clause}` : summary;
    if (trend && trend.verdict !== 'none') {
      const change = trend.crossed ? trend.comparable : trend.whole;
      const score = change && change.threshold > 0 ? Math.abs(change.diff) / change.threshold : 0;
      out.push({ kind: block.higher_is_better === null ? 'context_change' : 'indicator_change', tier: 1, score, text: withLevel });
    } else if (level && level.score > 1) {
      // Only a difference larger than the smallest change that matters for the indicator is a finding.
      out.push({ kind: 'indicator_level', tier: 2, score: level.score, text: withLevel });
    }
  }
  return out;
}

function oldDataFinding(model: ReportModel, w: Wording): Finding | null {
  const blocks = model.chapters.flatMap((ch) => ch.indicators);
  const byYear = new Map<number, string[]>();
  const none: string[] = [];
  for (const b of blocks) {
    const own = catalogueText(w.lang).title(b);
    const title = own.charAt(0).toLowerCase() + own.slice(1);
    if (b.latest_year === null) none.push(title);
    else if (b.latest_year < model.year) byYear.set(b.latest_year, [...(byYear.get(b.latest_year) ?? []), title]);
  }
  if (byYear.size === 0 && none.length === 0) return null;
  const lagged = [...byYear.entries()].sort((a, b) => a[0] - b[0]).map(([y, names]) => `${y}: ${joinList(names, w.lang)}`);
  const n = [...byYear.values()].reduce((a, x) => a + x.length, 0);
  const parts: string[] = [];
  if (n > 0) parts.push(w.t('keyFindings.oldData.lagged', { n, total: blocks.length, year: model.year, lagged: lagged.join('; ') }));
  if (none.length > 0) parts.push(w.t('keyFindings.oldData.none', { names: joinList(none, w.lang) }));
  return { kind: 'old_data', tier: 4, score: 0, text: parts.join(' ') };
}

const ORDER: Record<FindingKind, number> = { segregation: 0, area_types: 1, indicator_change: 2, context_change: 3, indicator_level: 4, old_data: 5 };

/** The ranked sentences of the key-findings page, chosen and ordered as the header of this file says. */
export function keyFindings(model: ReportModel): KeyFindings {
  const w = wording(model.lang ?? 'sv');
  const fixed = [segregationFinding(model.segregation, w), areaTypeFinding(model, w), oldDataFinding(model, w)].filter((f): f is Finding => f !== null);
  const rank = (a: Finding, b: Finding): number => a.tier - b.tier || ORDER[a.kind] - ORDER[b.kind] || b.score - a.score;
  // The indicator slots: clear changes take at most CHANGE_SLOTS of them while differences from riket wait, so a
  // kommun or län report always sets itself against riket; slots one kind leaves unused go to the other.
  const slots = Math.max(0, MAX_FINDINGS - fixed.length);
  const all = indicatorFindings(model, w).sort(rank);
  const changes = all.filter((f) => f.tier === 1);
  const levels = all.filter((f) => f.tier === 2);
  const nChanges = Math.min(changes.length, Math.max(CHANGE_SLOTS, slots - levels.length));
  const indicators = [...changes.slice(0, nChanges), ...levels.slice(0, slots - Math.min(nChanges, slots))].slice(0, slots);
  const findings = [...fixed, ...indicators].sort(rank);
  const years = model.chapters.flatMap((ch) => ch.indicators).flatMap((b) => b.series.filter((p) => p.value !== null).map((p) => p.year));
  const span = years.length ? ` (${formatYearRange(Math.min(...years), Math.max(...years))})` : '';
  const method = w.t('keyFindings.method', {
    span,
    againstRiket: model.scope.level === 'riket' ? '' : w.t('keyFindings.methodAgainstRiket', { slots: CHANGE_SLOTS }),
    max: MAX_FINDINGS,
  });
  return { title: w.t('keyFindings.title'), findings, method };
}
