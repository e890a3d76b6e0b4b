/**
 * Vega-Lite specs for the report charts, built from ReportModel blocks together with the data they draw. What is the
 * same in every report (marks, encodings, scales, axes, legends, colours, sizes) is in the chart templates,
 * templates/charts/<kind>.vl.json and style.json (read by templates.ts); this file fills in only what depends on the
 * data and the language: data values and their order, domains, heights by row count, and every word (from
 * templates/wording). Specs name their data (`values`, `breaks`, …) and never embed it, so one spec shape serves
 * every report and the golden files show the shape and the data separately. Every label a reader sees is formatted
 * by format.ts before it reaches Vega, so chart text and body text agree to the character.
 *
 * Sizes are in points: the PDF places the SVG at its own width, so 8.5 in a template is 8.5 pt on paper.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { AreaTypeBlock, AreaTypeIndicator, AreaTypeNumber, IndicatorBlock, MapArea, MapBlock, SegregationBlock } from '../report/model.ts';
import { classOf, mapClasses, MISSING_LABEL } from '../report/maps.ts';
import { formatAreaVersion, formatNumber, formatValue, swedishCollator, unitStyle } from '../report/format.ts';
import { wording, type Lang } from '../report/wording.ts';
import { useReportFonts } from './fonts.ts';
import { chartStyle, chartTemplate, chartTemplates, type TemplateParams } from './templates.ts';
import type { ChartData, ChartGeoRow, ChartRow } from './render-chart.ts';

/**
 * A4 with 57 pt side margins leaves 481 pt of text width; charts fill it. Heights are the plot's own
 * (`fit-x`), so axes and titles add to them rather than squeezing the plot. The page decides this width, not the
 * chart templates.
 */
export const CHART_WIDTH = 481;

/** The palette and base config of templates/charts/style.json, read once when the charts are first imported. */
const STYLE = chartStyle();
/** The one accent colour (style.json `accent`; the PDF's headings and the HTML twin use it too). */
export const ACCENT = STYLE.color('accent');
export const MUTED = STYLE.color('muted');
export const GRID = STYLE.color('grid');
/** A second colour for a second series on a line chart (style.json `second`). */
export const SECOND = STYLE.color('second');
export const CHART_CONFIG = STYLE.config as Config;

/** The chart kinds of this file, one template each in templates/charts (`<kind>.vl.json`). */
export const CHART_KINDS = ['line', 'indicator-panels', 'segregation-panels', 'kommun-spread', 'kommun-rank', 'area-type-population', 'area-type-gaps', 'area-type-trends', 'map'] as const;

/**
 * Reads and checks every chart template (each is read once per process anyway): the report stage calls it before its
 * first report, so a broken template stops the run at once with the file and field named (exit 2), not mid-run.
 */
export function checkChartTemplates(): void {
  chartTemplates(CHART_KINDS);
}

export interface ChartDef {
  /** Stable id, used for golden files and figure numbering. */
  id: string;
  spec: TopLevelSpec;
  data: ChartData;
}

interface LinePoint {
  year: number;
  value: number | null;
  status: string | null;
  area_version?: string | undefined;
}

/** Rows for a line over years: missing values break the line, except years where a value cannot exist. */
function lineRows(points: readonly LinePoint[], label: (v: number) => string): ChartRow[] {
  const sorted = [...points].sort((a, b) => a.year - b.year);
  const lastValid = [...sorted].reverse().find((p) => p.value !== null);
  return sorted
    // Status '.' means "cannot occur" (e.g. turnout between elections): connecting across it hides nothing.
    .filter((p) => !(p.value === null && p.status === '.'))
    .map((p) => ({
      year: p.year,
      value: p.value,
      label: p.value === null ? '' : label(p.value),
      last: p === lastValid,
    }));
}

function validValues(points: readonly { value: number | null }[]): number[] {
  return points.flatMap((p) => (p.value === null ? [] : [p.value]));
}

/** Room the chart's title (the unit, top left) takes above the plot. */
const TITLE_ROOM_PT = 60;
/** The plot is narrower than the chart by the y axis and its labels (up to `10,0`-wide numbers). */
const Y_AXIS_PT = 45;

/**
 * Where the series crosses a break, a rule halfway between the last year before it and the first year after it
 * that have values: area-version changes between consecutive years, and the definition breaks of the catalogue
 * (`breaks`, with their own label). A series that stops before a break crosses none, so none is drawn. Each label
 * sits above the plot, on the side of the rule with room (`side`), and a second label that would run into the
 * first moves up a line (`row`), so no label covers the title, another label or the plot.
 */
export function breakRows(points: readonly LinePoint[], definitionBreaks: readonly { year: number; label: string }[] = [], lang: Lang = 'sv'): ChartRow[] {
  const sorted = [...points].filter((p) => p.value !== null).sort((a, b) => a.year - b.year);
  const found: { x: number; label: string }[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (!prev || !cur) continue;
    if (prev.area_version !== undefined && cur.area_version !== undefined && prev.area_version !== cur.area_version) {
      found.push({ x: (prev.year + cur.year) / 2, label: wording(lang).t('charts.newDivision', { version: formatAreaVersion(cur.area_version) }) });
    }
    for (const b of definitionBreaks) if (prev.year < b.year && b.year <= cur.year) found.push({ x: (prev.year + cur.year) / 2, label: b.label });
  }
  const years = points.map((p) => p.year);
  const lo = Math.min(...years) - 0.25;
  const hi = Math.max(...years) + 0.25;
  const plot = CHART_WIDTH - Y_AXIS_PT;
  const { measure } = useReportFonts();
  const placed: { from: number; to: number; row: number }[] = [];
  return found
    .sort((a, b) => a.x - b.x)
    .map((f) => {
      const at = ((f.x - lo) / (hi - lo || 1)) * plot;
      const width = measure(f.label, chartTemplate('line').setting('breakLabelSize')) + 6;
      // Right of the rule where it fits; left of it near the right edge; never under the title at the top left.
      const side = at + width <= plot || at - width < TITLE_ROOM_PT ? 'right' : 'left';
      const from = side === 'right' ? at : at - width;
      const to = side === 'right' ? at + width : at;
      let row = 0;
      while (placed.some((p) => p.row === row && p.from < to && from < p.to)) row++;
      placed.push({ from, to, row });
      return { x: f.x, label: f.label, side, row };
    });
}

/**
 * A y domain at least 20 % of the values' magnitude wide: a 0.3-point wobble on 15 % must not fill the whole
 * height and look like a collapse, yet a real change must stay visible (a zero baseline would flatten it).
 */
export function valueDomain(values: readonly number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const minSpan = 0.2 * Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  if (hi - lo < minSpan) {
    const pad = (minSpan - (hi - lo)) / 2;
    const nonNegative = lo >= 0;
    lo -= pad;
    hi += pad;
    if (nonNegative && lo < 0) {
      hi -= lo;
      lo = 0;
    }
  }
  return [lo, hi];
}

function lineSpec(opts: {
  years: number[];
  values: number[];
  unitLabel: string;
  height: number;
  description: string;
  /** Draw the `expected` field (random allocation) as a dashed grey line, named `expectedLabel`. */
  expected?: { label: string };
  /**
   * A second series in the same rows (fields `other`, `other_expected`, `other_last`), e.g. the index over RegSO
   * beside DeSO, in its own colour; `label`/`otherLabel` name the two lines, `otherAbove` puts the second line's
   * labels above its points (the higher line's labels go above, the lower's below, so they never collide).
   */
  other?: { label: string; otherLabel: string; otherAbove: boolean; expected: boolean };
  /** The län's and riket's lines and the similar kommuner's band (datasets `comparisons`, `band`). */
  comparisons?: ComparisonRows;
}): TopLevelSpec {
  const t = chartTemplate('line');
  const first = Math.min(...opts.years);
  const last = Math.max(...opts.years);
  const { other, comparisons } = opts;
  const offset = t.setting('secondLabelOffset');
  const lastOffset = t.setting('lastLabelOffset');
  const dy = other?.otherAbove ? -offset : offset;
  const names = comparisons?.names ?? [];
  const params: TemplateParams = {
    description: opts.description,
    width: CHART_WIDTH,
    height: opts.height,
    unitLabel: opts.unitLabel,
    // A quarter year of room at each end keeps the first and last points clear of the axis labels.
    xDomain: [first - 0.25, last + 0.25],
    years: opts.years,
    yDomain: valueDomain(opts.values),
    expectedLabel: opts.expected?.label ?? '',
    ownLabel: other?.label ?? '',
    otherLabel: other?.otherLabel ?? '',
    lastLabelDy: other ? (other.otherAbove ? lastOffset : -lastOffset) : undefined,
    ownFirstDy: other?.otherAbove ? offset : -offset,
    otherDy: dy,
    otherLastDy: dy * 0.9,
    comparisonNames: names.map((n) => n.name),
    comparisonColors: names.map((n) => comparisonStyle(n.level).color),
    comparisonDashes: names.map((n) => comparisonStyle(n.level).dash),
    expected: opts.expected !== undefined,
    other: other !== undefined,
    otherExpected: other?.expected ?? false,
    band: (comparisons?.band.length ?? 0) > 0,
    comparisons: names.length > 0,
  };
  return t.fill(params);
}

/**
 * An indicator's own series (riket in the national report) over the years, with area-version breaks; in kommun and
 * län reports with the län's and riket's series as thinner lines (a legend under the plot names them) and, for a
 * kommun, its similar kommuner as a grey band from their lowest to their highest value.
 */
export function indicatorLineChart(block: IndicatorBlock, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  const style = unitStyle(block.unit, lang);
  const years = block.series.map((p) => p.year);
  const cmp = comparisonRows(block, years, lang);
  const spec = lineSpec({
    years,
    values: [...validValues(block.series), ...cmp.values],
    unitLabel: fitText(style.label),
    height: chartTemplate('line').setting('indicatorHeight'),
    description: fitText(wording(lang).t('charts.perYear', { title: block.title_sv })),
    comparisons: cmp,
  });
  return {
    id: `line-${block.id}`,
    spec,
    data: {
      values: lineRows(block.series, (v) => formatValue(v, block.unit, lang)),
      breaks: breakRows(block.series, block.breaks ?? [], lang),
      ...(cmp.names.length ? { comparisons: cmp.rows } : {}),
      ...(cmp.band.length ? { band: cmp.band } : {}),
    },
  };
}

/** Colour and dash of a comparison line: the län in the second colour, riket dark grey and dashed (style.json). */
function comparisonStyle(level: 'lan' | 'riket'): { color: string; dash: number[] } {
  return level === 'lan' ? { color: SECOND, dash: STYLE.dash('lan') } : { color: STYLE.color('riket'), dash: STYLE.dash('riket') };
}

interface ComparisonRows {
  names: { name: string; level: 'lan' | 'riket' }[];
  rows: ChartRow[];
  band: ChartRow[];
  values: number[];
}

/** The comparison series and the similar-kommun band inside the years of the area's own series. */
function comparisonRows(block: IndicatorBlock, years: readonly number[], lang: Lang = 'sv'): ComparisonRows {
  const { fitText } = useReportFonts();
  const inYears = (y: number): boolean => years.includes(y);
  const out: ComparisonRows = { names: [], rows: [], band: [], values: [] };
  for (const c of block.comparison_series ?? []) {
    const pts = c.series.filter((p) => inYears(p.year) && !(p.value === null && p.status === '.'));
    if (!pts.some((p) => p.value !== null)) continue;
    const name = fitText(c.level === 'riket' ? wording(lang).t('charts.riket') : c.name);
    out.names.push({ name, level: c.level });
    for (const p of pts) out.rows.push({ year: p.year, series: name, value: p.value });
    out.values.push(...validValues(pts));
  }
  for (const b of block.similar?.band ?? []) {
    if (!inYears(b.year) || b.min === null || b.max === null) continue;
    out.band.push({ year: b.year, lo: b.min, hi: b.max });
    out.values.push(b.min, b.max);
  }
  return out;
}

/**
 * A segregation index over the years (three decimals), with the DeSO/RegSO version break; with the block's other
 * unit level (RegSO beside DeSO) as a second line in its own colour, each line named at its first point.
 */
export function segregationLineChart(block: SegregationBlock, label: string, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  const other = block.other_unit_level;
  const years = [...new Set([...block.series.map((p) => p.year), ...(other?.series.map((p) => p.year) ?? [])])].sort((a, b) => a - b);
  const expectedOf = (ps: readonly { expected?: number | null }[]): number[] =>
    ps.flatMap((p) => (p.expected === undefined || p.expected === null ? [] : [p.expected]));
  const expected = expectedOf(block.series);
  const firstExpected = [...block.series].sort((a, b) => a.year - b.year).find((p) => p.expected !== undefined && p.expected !== null);
  const rows = lineRows(block.series, (v) => formatNumber(v, 3, lang));
  const firstValid = rows.find((r) => r.value !== null);
  const otherRows = other ? lineRows(other.series, (v) => formatNumber(v, 3, lang)) : [];
  const otherFirst = otherRows.find((r) => r.value !== null);
  const byYear = new Map(rows.map((r) => [r.year, r]));
  const otherByYear = new Map(otherRows.map((r) => [r.year, r]));
  // With a second line every year of either series is a row, so both lines share one dataset.
  const rowYears = other ? years : rows.map((r) => Number(r.year));
  const values: ChartRow[] = rowYears.map((year) => {
    const r = byYear.get(year) ?? { year, value: null, label: '', last: false };
    const p = block.series.find((q) => q.year === year);
    let row: Record<string, string | number | boolean | null> = { ...r };
    if (expected.length) row = { ...row, expected: p?.expected ?? null, expected_first: p !== undefined && p === firstExpected };
    if (other) {
      const o = otherByYear.get(year);
      const op = other.series.find((q) => q.year === year);
      row = {
        ...row,
        first: r === firstValid,
        other: o?.value ?? null,
        other_label: o?.label ?? '',
        other_last: o?.last ?? false,
        other_first: o !== undefined && o === otherFirst,
        other_expected: op?.expected ?? null,
      };
    }
    return row;
  });
  const otherExpected = other ? expectedOf(other.series) : [];
  const otherValues = other ? validValues(other.series) : [];
  // The line that ends higher takes its labels above its points, the other below.
  const ownLast = validValues(block.series).pop();
  const otherLast = otherValues[otherValues.length - 1];
  return {
    id: `seg-${block.measure}-${block.unit_level}-${block.groups}${other ? `-${other.unit_level}` : ''}`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9_-]+/g, '_'),
    spec: lineSpec({
      years,
      values: [...validValues(block.series), ...expected, ...otherValues, ...otherExpected],
      unitLabel: wording(lang).t('charts.indexValue'),
      height: chartTemplate('line').setting('segregationHeight'),
      description: fitText(label),
      ...(expected.length > 0 ? { expected: { label: wording(lang).t('charts.expectedAtRandom') } } : {}),
      ...(other
        ? {
            other: {
              label: unitLevelLabel(block.unit_level),
              otherLabel: unitLevelLabel(other.unit_level),
              otherAbove: otherLast !== undefined && ownLast !== undefined && otherLast > ownLast,
              expected: otherExpected.length > 0,
            },
          }
        : {}),
    }),
    data: { values, breaks: breakRows(block.series, [], lang) },
  };
}

function unitLevelLabel(level: 'deso' | 'regso'): string {
  return level === 'deso' ? 'DeSO' : 'RegSO';
}

/**
 * Kommun values of the latest year as dots, one row per län (ordered by the län value, highest first), the län
 * value as a dark tick and the report area's own value as a dashed rule. Empty län rows stay, so a missing
 * län is visible rather than silently dropped.
 */
export function kommunSpreadChart(block: IndicatorBlock, reference: { name: string; value: number | null }, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  const style = unitStyle(block.unit, lang);
  const lans = [...block.by_lan].sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === null ? (b.value === null ? 0 : 1) : -1;
    return b.value - a.value || swedishCollator.compare(a.name, b.name);
  });
  const lanName = new Map(block.by_lan.map((l) => [l.code, fitText(l.name)]));
  const order = lans.map((l) => fitText(l.name));
  const kommuner: ChartRow[] = block.by_kommun
    .filter((k) => k.value !== null && lanName.has(k.lan_code))
    .map((k) => ({ lan: lanName.get(k.lan_code) ?? '', kommun: fitText(k.name), value: k.value }));
  const lanRows: ChartRow[] = block.by_lan
    .filter((l) => l.value !== null)
    .map((l) => ({ lan: fitText(l.name), value: l.value }));
  const refRows: ChartRow[] =
    reference.value === null
      ? []
      : [{ value: reference.value, label: fitText(`${reference.name} ${formatValue(reference.value, block.unit, lang)}`) }];
  const t = chartTemplate('kommun-spread');
  const spec = t.fill({
    description: fitText(wording(lang).t('charts.kommunerAndLan', { title: block.title_sv })),
    width: CHART_WIDTH,
    height: Math.max(3, order.length) * t.setting('rowHeight'),
    unitLabel: fitText(style.label),
    rows: order,
  });
  return withReference(`spread-${block.id}`, spec, { values: kommuner, lans: lanRows }, refRows);
}

/**
 * For a län (or any report without län rows): one row per kommun, ordered by value (highest first, missing
 * last), with the report area's own value as a dashed rule. `rowStep`: points per kommun, the template's
 * rowHeight unless given (the report draws a ranking that would fill half a page or a little more taller).
 */
export function kommunRankChart(block: IndicatorBlock, reference: { name: string; value: number | null }, lang: Lang = 'sv', rowStep?: number): ChartDef {
  const { fitText } = useReportFonts();
  const style = unitStyle(block.unit, lang);
  const kommuner = [...block.by_kommun].sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === null ? (b.value === null ? swedishCollator.compare(a.name, b.name) : 1) : -1;
    return b.value - a.value || swedishCollator.compare(a.name, b.name);
  });
  const order = kommuner.map((k) => fitText(k.name));
  const rows: ChartRow[] = kommuner
    .filter((k) => k.value !== null)
    .map((k) => ({ kommun: fitText(k.name), value: k.value }));
  const refRows: ChartRow[] =
    reference.value === null
      ? []
      : [{ value: reference.value, label: fitText(`${reference.name} ${formatValue(reference.value, block.unit, lang)}`) }];
  const t = chartTemplate('kommun-rank');
  const spec = t.fill({
    description: fitText(wording(lang).t('charts.kommuner', { title: block.title_sv })),
    width: CHART_WIDTH,
    height: Math.max(3, order.length) * (rowStep ?? t.setting('rowHeight')),
    unitLabel: fitText(style.label),
    rows: order,
  });
  return withReference(`rank-${block.id}`, spec, { values: rows }, refRows);
}

/**
 * A chart with the report area's own value as its `reference` dataset; without that value (missing or protected)
 * the layers drawing it go too: an empty layer makes Vega warn of an infinite extent, which stops the report.
 */
function withReference(id: string, spec: TopLevelSpec, data: Record<string, readonly ChartRow[]>, refRows: readonly ChartRow[]): ChartDef {
  if (refRows.length > 0) return { id, spec, data: { ...data, reference: refRows } };
  if (!('layer' in spec)) return { id, spec, data };
  const layer = spec.layer.filter((l) => !(l.data && 'name' in l.data && l.data.name === 'reference'));
  return { id, spec: { ...spec, layer } as TopLevelSpec, data };
}

/**
 * One colour per area type (style.json `areaTypes`), diverging from orange (type 1, major challenges) through grey
 * (3, mixed) to the accent blue (5, very good conditions): ordered, and told apart without red–green. Each at least
 * 3:1 on white (WCAG 1.4.11) and the dark label text on types 2–4 at least 4.5:1 (tests/charts/contrast.test.ts).
 */
export const AREA_TYPE_COLORS: readonly string[] = STYLE.colorList('areaTypes');

/**
 * Residents by area type as one 100 % bar per year (types 1–5 left to right, RegSO without a type last), each
 * segment labelled with its share where it is wide enough. Segment ends are computed here rather than by Vega's
 * stack, so the label sits in the middle of exactly the segment it names.
 */
export function areaTypePopulationChart(block: AreaTypeBlock, typeLabel: (t: AreaTypeNumber) => string, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  const t = chartTemplate('area-type-population');
  const untypedLabel = wording(lang).t('charts.untyped');
  const years = [...new Set(block.population.map((p) => p.year))].sort((a, b) => a - b);
  const legend = [1, 2, 3, 4, 5].map((t) => fitText(typeLabel(t as AreaTypeNumber)));
  const hasUntyped = block.population.some((p) => p.area_type === null && (p.share ?? 0) > 0);
  const domain = hasUntyped ? [...legend, untypedLabel] : legend;
  const range = hasUntyped ? [...AREA_TYPE_COLORS, STYLE.color('untyped')] : [...AREA_TYPE_COLORS];
  const rows: ChartRow[] = [];
  for (const year of years) {
    let x0 = 0;
    const ordered = block.population
      .filter((p) => p.year === year && p.share !== null && p.share > 0)
      .sort((a, b) => (a.area_type ?? 9) - (b.area_type ?? 9));
    for (const p of ordered) {
      const share = p.share ?? 0;
      rows.push({
        year: String(year),
        type: p.area_type === null ? untypedLabel : (legend[p.area_type - 1] ?? ''),
        x0,
        x1: x0 + share,
        mid: x0 + share / 2,
        // A narrower segment has no room for its label; the numbers are in the table and the appendix.
        label: share >= t.setting('labelMinShare') ? formatNumber(share, 0, lang) : '',
        // White on the dark ends of the scale, dark on the light middle.
        dark: p.area_type === 1 || p.area_type === 5,
      });
      x0 += share;
    }
  }
  return {
    id: 'area-type-population',
    spec: t.fill({
      description: fitText(wording(lang).t('charts.populationDescription')),
      width: CHART_WIDTH,
      height: Math.max(2, years.length) * t.setting('rowHeight'),
      title: wording(lang).t('charts.populationPercent'),
      years: years.map(String),
      types: domain,
      typeColors: range,
    }),
    data: { values: rows },
  };
}

/**
 * Each indicator's value in every area type present in the scope, one row per indicator: a grey rule from type 1
 * to type 5 (the gap the chapter follows) and a dot per type. Rows whose year differs from the most common one
 * carry their year. Indicators with fewer than two type values are left out (nothing to compare); the caller
 * must not ask for a chart when none is left.
 */
export function areaTypeGapChart(indicators: readonly AreaTypeIndicator[], typeLabel: (t: AreaTypeNumber) => string, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  const usable = indicators.filter((i) => i.by_type.filter((t) => t.value !== null).length >= 2);
  const yearCount = new Map<number, number>();
  for (const i of usable) yearCount.set(i.year, (yearCount.get(i.year) ?? 0) + 1);
  const commonYear = [...yearCount.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
  // One line per label: Vega does not centre a multi-line axis label on its row, and the titles fit beside a
  // 0–100 axis at this width.
  const rowLabel = (i: AreaTypeIndicator): string => fitText(i.year === commonYear ? i.title_sv : `${i.title_sv} (${i.year})`);
  const order = usable.map(rowLabel);
  const legend = [1, 2, 3, 4, 5].map((t) => fitText(typeLabel(t as AreaTypeNumber)));
  const dots: ChartRow[] = usable.flatMap((i) =>
    i.by_type.filter((t) => t.value !== null).map((t) => ({ row: rowLabel(i), type: legend[t.area_type - 1] ?? '', value: t.value })),
  );
  // The rule runs from the focus group to the reference group: type 1 to type 5, or (where the scope lacks one of
  // them) the lowest type to the rest of the scope, whose value is no type's dot and gets a black tick.
  const rules: ChartRow[] = usable
    .filter((i) => i.value_focus !== null && i.value_reference !== null)
    .map((i) => ({ row: rowLabel(i), v1: i.value_focus, v5: i.value_reference }));
  const restTicks = usable.some((i) => i.comparison === 'lowest_vs_rest');
  const t = chartTemplate('area-type-gaps');
  return {
    id: 'area-type-gaps',
    spec: t.fill({
      description: fitText(wording(lang).t('charts.gapDescription')),
      width: CHART_WIDTH,
      height: Math.max(2, order.length) * t.setting('rowHeight'),
      title: wording(lang).t('charts.percent'),
      rows: order,
      types: legend,
      restTicks,
    }),
    data: { values: dots, gaps: rules },
  };
}

/** Greedy word wrap into lines of at most `width` characters, joined by '|' for a label split in Vega. */
function wrapLabel(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('|');
}

/** The indicators a trend chart by area type can draw: at least two types with values in at least two years each. */
export function areaTypeTrendIndicators(indicators: readonly AreaTypeIndicator[]): AreaTypeIndicator[] {
  return indicators.filter((i) => {
    const years = new Map<number, number>();
    for (const p of i.trend ?? []) if (p.value !== null) years.set(p.area_type, (years.get(p.area_type) ?? 0) + 1);
    return [...years.values()].filter((n) => n >= 2).length >= 2;
  });
}

/**
 * Indicator trends by area type: one small panel per indicator (three across), one line per area type present in
 * the scope, each panel with its own y scale (a share of 1 % and one of 80 % cannot share an axis). A missing or
 * withheld value breaks its line. Indicators that `areaTypeTrendIndicators` leaves out are not drawn; the caller
 * must not ask for a chart when none is left.
 */
export function areaTypeTrendChart(
  indicators: readonly AreaTypeIndicator[],
  typeLabel: (t: AreaTypeNumber) => string,
  versionBreaks: readonly number[] = [],
  lang: Lang = 'sv',
): ChartDef {
  const { fitText } = useReportFonts();
  const usable = areaTypeTrendIndicators(indicators);
  const legend = [1, 2, 3, 4, 5].map((t) => fitText(typeLabel(t as AreaTypeNumber)));
  const present = ([1, 2, 3, 4, 5] as const).filter((t) => usable.some((i) => (i.trend ?? []).some((p) => p.area_type === t && p.value !== null)));
  // Four across from seven panels on (panelGrid): fifteen indicators take four rows instead of five, so the figure
  // fits under the chapter's gap table instead of leaving most of a page empty.
  const t = chartTemplate('area-type-trends');
  const grid = panelGrid(usable.length, t);
  const order = usable.map((i) => wrapLabel(fitText(i.title_sv), grid.columns === 4 ? 22 : 30));
  const rows: ChartRow[] = usable.flatMap((i, k) =>
    [...(i.trend ?? [])]
      .filter((p) => present.includes(p.area_type) && p.status !== 'no_areas')
      .sort((a, b) => a.area_type - b.area_type || a.year - b.year)
      .map((p) => ({ panel: order[k] ?? '', year: p.year, type: legend[p.area_type - 1] ?? '', value: p.value })),
  );
  const years = [...new Set(rows.map((r) => Number(r.year)))].sort((a, b) => a - b);
  const first = years[0] ?? 0;
  const last = years[years.length - 1] ?? 0;
  // A new RegSO division is drawn in every panel the series crosses it (a dashed rule halfway between the years):
  // the lines join types cut on different areas there. Rule rows share the facet data, so they carry only panel and x.
  const crossed = versionBreaks.filter((b) => b > first && b <= last);
  for (const p of order) for (const b of crossed) rows.push({ panel: p, break_x: b - 0.5 });
  // First, last and a middle year label the x axis: a panel 130 pt wide has no room for eight years.
  const ticks = [...new Set([first, Math.round((first + last) / 2), last])];
  return {
    id: 'area-type-trends',
    spec: t.fill({
      description: fitText(wording(lang).t('charts.trendDescription')),
      title: wording(lang).t('charts.percent'),
      columns: grid.columns,
      panelWidth: grid.width,
      panelHeight: grid.height,
      panels: order,
      xDomain: [first - 0.3, last + 0.3],
      ticks,
      types: present.map((p) => legend[p - 1] ?? ''),
      typeColors: present.map((p) => AREA_TYPE_COLORS[p - 1] ?? MUTED),
    }),
    data: { values: rows },
  };
}

// ---- Maps (report/maps.ts builds the blocks). ----


/** Width over height of the areas' outlines as drawn (transverse Mercator about 15° E: near equirectangular scaled by cos φ). */
export function mapAspect(geometries: readonly MapArea['geometry'][]): number {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  const visit = (ring: readonly number[][]): void => {
    for (const [x, y] of ring) {
      if (x === undefined || y === undefined) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  };
  for (const g of geometries) {
    if (g.type === 'Polygon') g.coordinates.forEach(visit);
    else g.coordinates.forEach((p) => p.forEach(visit));
  }
  if (!Number.isFinite(minX) || maxY <= minY) return 1;
  const width = (maxX - minX) * Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  return width / (maxY - minY);
}

/** A map's legend entries: the colour classes (or area types) with their counts, and the missing entry if any area lacks a value. */
export function mapLegend(block: MapBlock, typeLabel: (t: AreaTypeNumber) => string, lang: Lang = 'sv'): { rows: ChartGeoRow[]; domain: string[]; range: string[] } {
  const { fitText } = useReportFonts();
  const missing = block.areas.filter((a) => (block.variable === 'area_type' ? (a.area_type ?? null) === null : a.value === null)).length;
  const rows: ChartGeoRow[] = [];
  const domain: string[] = [];
  const range: string[] = [];
  if (block.variable === 'area_type') {
    for (const t of [1, 2, 3, 4, 5] as const) {
      const n = block.areas.filter((a) => a.area_type === t).length;
      if (n === 0) continue;
      const label = fitText(`${typeLabel(t).replace('|', ': ')} (${n})`);
      domain.push(label);
      range.push(AREA_TYPE_COLORS[t - 1] ?? MUTED);
      for (const a of block.areas.filter((x) => x.area_type === t)) rows.push({ type: 'Feature', code: a.code, name: fitText(a.name), cls: label, geometry: a.geometry });
    }
  } else {
    const classes = mapClasses(block.areas.flatMap((a) => (a.value === null ? [] : [a.value])), block.decimals, lang);
    const labels = new Map(classes.map((c) => [c, fitText(`${c.label} (${c.n})`)]));
    for (const c of classes) {
      domain.push(labels.get(c) ?? c.label);
      range.push(c.color);
    }
    for (const a of block.areas) {
      const c = classOf(classes, a.value, block.decimals);
      if (c) rows.push({ type: 'Feature', code: a.code, name: fitText(a.name), cls: labels.get(c) ?? c.label, geometry: a.geometry });
    }
  }
  if (missing > 0) {
    const label = fitText(`${lang === 'sv' ? MISSING_LABEL : wording(lang).t('maps.missingValue')} (${missing})`);
    domain.push(label);
    range.push(STYLE.color('missingFill'));
    for (const a of block.areas.filter((x) => (block.variable === 'area_type' ? (x.area_type ?? null) === null : x.value === null))) {
      rows.push({ type: 'Feature', code: a.code, name: fitText(a.name), cls: label, geometry: a.geometry });
    }
  }
  return { rows, domain, range };
}

/** The legend title of a map: the unit, and the year the colours are from. */
function mapLegendTitle(block: MapBlock, lang: Lang): string {
  if (block.variable === 'area_type') return wording(lang).t('charts.mapAreaType', { year: block.year });
  if (block.unit === 'index') return `Index (0–1) ${block.year}`;
  return `${unitStyle(block.unit, lang).label} ${block.year}`;
}

/**
 * One to two maps side by side (Vega-Lite geoshape, transverse Mercator about 15° E as SWEREF 99 TM): each area
 * filled by its class (or area type), missing values white, every outline mid-grey, län borders dark over a riket
 * map; a legend under each map names the unit and year and counts the areas per class. Each row is a GeoJSON
 * Feature (Vega fits the projection to Features, not to a geometry field) with the class beside it; the outlines are
 * data (`areas0`, `outline0`, …), so the golden spec shows the shape and not the coordinates.
 */
export function mapChart(blocks: readonly MapBlock[], typeLabel: (t: AreaTypeNumber) => string, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  if (blocks.length === 0 || blocks.length > 2) throw new RangeError(`mapChart draws one or two maps, got ${blocks.length}`);
  const t = chartTemplate('map');
  const spacing = t.setting('spacing');
  const width = blocks.length === 2 ? Math.floor((CHART_WIDTH - spacing) / 2) : Math.round(CHART_WIDTH * t.setting('singleWidthShare'));
  const aspect = Math.min(...blocks.map((b) => mapAspect(b.areas.map((a) => a.geometry))));
  // Tall shapes (Sweden, a long kommun) are capped so the figure with its legend fits a page.
  const height = Math.round(Math.min(t.setting('maxHeight'), Math.max(t.setting('minHeight'), width / aspect)));
  const data: Record<string, ChartGeoRow[]> = {};
  const panels = blocks.map((b, i) => {
    const legend = mapLegend(b, typeLabel, lang);
    data[`areas${i}`] = legend.rows;
    if (b.outlines?.length) data[`outline${i}`] = b.outlines.map((g) => ({ type: 'Feature', geometry: g }));
    return t.part('panel', {
      mapWidth: width,
      mapHeight: height,
      title: fitText(b.title_sv),
      areas: `areas${i}`,
      outline: `outline${i}`,
      classes: legend.domain,
      classColors: legend.range,
      legendTitle: fitText(mapLegendTitle(b, lang)),
      areaStrokeWidth: t.setting(b.unit_level === 'kommun' ? 'kommunStrokeWidth' : 'regsoStrokeWidth'),
      outlines: (b.outlines?.length ?? 0) > 0,
    });
  });
  return {
    id: `map-${blocks.map((b) => b.id.replace(/^map-/, '')).join('+')}`,
    spec: t.fill({
      description: fitText(wording(lang).t('charts.mapDescription', { titles: blocks.map((b) => b.title_sv).join(wording(lang).t('format.and')) })),
      panels,
    }),
    data,
  };
}

// ---- Small multiples: one panel per indicator or index, for a chapter's figure. ----

type PanelTemplate = ReturnType<typeof chartTemplate>;

/**
 * Three panels across, or four when that saves a row (four panels, or seven and more): a row of panels is a fifth of
 * a page, and a policy area's figure should leave room for its table on the same page. The sizes are the template's.
 */
function panelGrid(n: number, t: PanelTemplate): { columns: number; width: number; height: number } {
  return n === 4 || n >= 7
    ? { columns: 4, width: t.setting('fourAcrossWidth'), height: t.setting('fourAcrossHeight') }
    : { columns: 3, width: t.setting('threeAcrossWidth'), height: t.setting('threeAcrossHeight') };
}

type PanelSeries = { name: string; color: string; dash: number[] };

/** The small multiples' placeholders: panel grid and order, the years (first, middle and last on the axis), the series. */
function panelParams(description: string, grid: { columns: number; width: number; height: number }, order: readonly string[], first: number, last: number, names: readonly PanelSeries[]): TemplateParams {
  return {
    description,
    columns: grid.columns,
    panelWidth: grid.width,
    panelHeight: grid.height,
    panels: [...order],
    xDomain: [first - 0.3, last + 0.3],
    // A 128 pt panel has no room for ten years.
    ticks: [...new Set([first, Math.round((first + last) / 2), last])],
    seriesNames: names.map((n) => n.name),
    seriesColors: names.map((n) => n.color),
    seriesDashes: names.map((n) => n.dash),
  };
}

/**
 * A policy area's indicators as small multiples: one panel per indicator (three across), each with its own y scale
 * and its unit under its name; in each the area's own series (accent blue), its län (orange) and riket (grey,
 * dashed) where the model carries them, and the similar kommuner's lowest-to-highest band in light grey. A dashed
 * rule marks a break in the series (new area division or definition) in the panel it crosses. Each panel's y range
 * is at least 20 % of its values' magnitude (valueDomain), drawn as invisible points, so a wobble never fills a panel.
 * `own` names the area's own line in the legend.
 */
export function indicatorPanelsChart(blocks: readonly IndicatorBlock[], own: string, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  const drawn = blocks.filter((b) => b.series.some((p) => p.value !== null));
  const t = chartTemplate('indicator-panels');
  const grid = panelGrid(drawn.length, t);
  const panel = (b: IndicatorBlock): string => `${wrapLabel(fitText(b.title_sv), grid.columns === 4 ? 22 : 30)}|${fitText(unitStyle(b.unit, lang).label)}`;
  const order = drawn.map(panel);
  const ownName = fitText(own);
  const names: { name: string; color: string; dash: number[] }[] = [{ name: ownName, color: ACCENT, dash: [] }];
  const rows: ChartRow[] = [];
  const allYears = drawn.flatMap((b) => b.series.filter((p) => p.value !== null).map((p) => p.year));
  const first = Math.min(...allYears);
  const last = Math.max(...allYears);
  const banded = new Set<string>();
  const bandless: { panel: string; lo: number }[] = [];
  for (const b of drawn) {
    const p = panel(b);
    const years = b.series.map((q) => q.year);
    const values = validValues(b.series);
    for (const r of lineRows(b.series, (v) => formatValue(v, b.unit, lang))) rows.push({ panel: p, series: ownName, year: r.year ?? null, value: r.value ?? null });
    const cmp = comparisonRows(b, years, lang);
    for (const r of cmp.rows) rows.push({ panel: p, ...r });
    for (const n of cmp.names) {
      if (!names.some((x) => x.name === n.name)) names.push({ name: n.name, ...comparisonStyle(n.level) });
    }
    for (const r of cmp.band) rows.push({ panel: p, ...r });
    for (const br of breakRows(b.series, b.breaks ?? [])) rows.push({ panel: p, break_x: br.x ?? null });
    const [lo, hi] = valueDomain([...values, ...cmp.values]);
    rows.push({ panel: p, year: first, pad: lo }, { panel: p, year: first, pad: hi });
    if (cmp.band.length) banded.add(p);
    else bandless.push({ panel: p, lo });
  }
  // A panel without a band still gets one invisible band point (zero height, at its lowest value): Vega fails on a
  // panel whose band fields have no values at all.
  if (banded.size) for (const b of bandless) rows.push({ panel: b.panel, year: first, lo: b.lo, hi: b.lo });
  return {
    id: `panels-${drawn.map((b) => b.id).join('-')}`.slice(0, 120),
    spec: t.fill({
      ...panelParams(fitText(wording(lang).t('charts.perYear', { title: drawn.map((b) => b.title_sv).join(', ') })), grid, order, first, last, names),
      ownName: ownName.replace(/'/g, "\\'"),
      band: banded.size > 0,
    }),
    data: { values: rows },
  };
}

/**
 * The segregation indices as small multiples: one panel per index (measure and groups), the index over the main
 * area division (blue) and, where the model has it, over the other (orange), the value expected under random
 * allocation dashed grey, and the change of area division as a dashed rule. Each panel has its own y scale.
 */
export function segregationPanelsChart(blocks: readonly SegregationBlock[], labelOf: (b: SegregationBlock) => string, lang: Lang = 'sv'): ChartDef {
  const { fitText } = useReportFonts();
  const drawn = blocks.filter((b) => b.series.some((p) => p.value !== null));
  const t = chartTemplate('segregation-panels');
  const grid = panelGrid(drawn.length, t);
  const order = drawn.map((b) => wrapLabel(fitText(labelOf(b)), grid.columns === 4 ? 24 : 34));
  const lineName = (level: 'deso' | 'regso'): string => unitLevelLabel(level);
  const expectedName = wording(lang).t('charts.expected');
  const rows: ChartRow[] = [];
  const allYears = drawn.flatMap((b) => [...b.series, ...(b.other_unit_level?.series ?? [])].filter((p) => p.value !== null).map((p) => p.year));
  const first = Math.min(...allYears);
  const last = Math.max(...allYears);
  const levels = new Set<'deso' | 'regso'>();
  let anyExpected = false;
  drawn.forEach((b, i) => {
    const p = order[i] ?? '';
    const all: number[] = [];
    for (const [level, series] of [[b.unit_level, b.series], ...(b.other_unit_level ? [[b.other_unit_level.unit_level, b.other_unit_level.series] as const] : [])] as const) {
      levels.add(level);
      for (const q of [...series].sort((a1, a2) => a1.year - a2.year)) {
        rows.push({ panel: p, series: lineName(level), year: q.year, value: q.value });
        if (q.value !== null) all.push(q.value);
      }
    }
    for (const q of [...b.series].sort((a1, a2) => a1.year - a2.year)) {
      if (q.expected === undefined || q.expected === null) continue;
      anyExpected = true;
      rows.push({ panel: p, series: expectedName, year: q.year, value: q.expected });
      all.push(q.expected);
    }
    for (const br of breakRows(b.series)) rows.push({ panel: p, break_x: br.x ?? null });
    if (all.length) {
      const [lo, hi] = valueDomain(all);
      rows.push({ panel: p, year: first, pad: lo }, { panel: p, year: first, pad: hi });
    }
  });
  const names = [...(['deso', 'regso'] as const).filter((l) => levels.has(l)).map((l) => ({ name: lineName(l), color: l === 'deso' ? ACCENT : SECOND, dash: [] as number[] }))];
  if (anyExpected) names.push({ name: expectedName, color: MUTED, dash: STYLE.dash('expected') });
  return {
    id: 'seg-panels',
    spec: t.fill({ ...panelParams(fitText(wording(lang).t('charts.segregationDescription')), grid, order, first, last, names), expectedName }),
    data: { values: rows },
  };
}
