/**
 * Vega-Lite specs for the report charts, built from ReportModel blocks together with the data they draw.
 * Specs name their data (`values`, `breaks`, …) and never embed it, so one spec shape serves every report and the
 * golden files show the shape and the data separately. Every label a reader sees is formatted by format.ts before
 * it reaches Vega, so chart text and body text agree to the character.
 *
 * Sizes are in points: the PDF places the SVG at its own width, so 8.5 here is 8.5 pt on paper.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { AreaTypeBlock, AreaTypeIndicator, AreaTypeNumber, IndicatorBlock, MapArea, MapBlock, SegregationBlock } from '../report/model.ts';
import { classOf, mapClasses, MISSING_LABEL } from '../report/maps.ts';
import { formatAreaVersion, formatNumber, formatValue, swedishCollator, unitStyle } from '../report/format.ts';
import { wording, type Lang } from '../report/wording.ts';
import { FONT_FAMILY, useReportFonts } from './fonts.ts';
import type { ChartData, ChartGeoRow, ChartRow } from './render-chart.ts';

/**
 * A4 with 57 pt side margins leaves 481 pt of text width; charts fill it. Heights are the plot's own
 * (`fit-x`), so axes and titles add to them rather than squeezing the plot.
 */
export const CHART_WIDTH = 481;
/** The one accent colour (contrast 8.6:1 on white, so thin lines and small dots stay visible). */
export const ACCENT = '#1d4f91';
export const MUTED = '#6b6b6b';
export const GRID = '#e4e4e4';

export interface ChartDef {
  /** Stable id, used for golden files and figure numbering. */
  id: string;
  spec: TopLevelSpec;
  data: ChartData;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One layer of a layered spec, derived from the public TopLevelSpec (vega-lite exports no LayerSpec type). */
type LayerItem = Extract<TopLevelSpec, { layer: unknown[] }>['layer'][number];

export const CHART_CONFIG: Config = {
  font: FONT_FAMILY,
  background: 'white',
  padding: { left: 2, right: 8, top: 4, bottom: 2 },
  view: { stroke: null },
  axis: {
    labelFontSize: 8.5,
    titleFontSize: 8.5,
    titleFontWeight: 'normal',
    labelColor: '#333333',
    titleColor: '#333333',
    domainColor: '#8c8c8c',
    tickColor: '#8c8c8c',
    gridColor: GRID,
    labelPadding: 3,
  },
  axisX: { grid: false, tickSize: 4 },
  axisY: { grid: true, domain: false, ticks: false, tickCount: 5 },
  title: {
    fontSize: 8.5,
    fontWeight: 'normal',
    color: '#333333',
    anchor: 'start',
    frame: 'bounds',
    offset: 6,
  },
  text: { fontSize: 8.5, color: '#333333' },
};

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

/** Size of a break label; its width is measured in the report font, to keep labels off each other and the title. */
const BREAK_LABEL_PT = 8;
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
export function breakRows(points: readonly LinePoint[], definitionBreaks: readonly { year: number; label: string }[] = []): ChartRow[] {
  const sorted = [...points].filter((p) => p.value !== null).sort((a, b) => a.year - b.year);
  const found: { x: number; label: string }[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (!prev || !cur) continue;
    if (prev.area_version !== undefined && cur.area_version !== undefined && prev.area_version !== cur.area_version) {
      found.push({ x: (prev.year + cur.year) / 2, label: `Ny indelning: ${formatAreaVersion(cur.area_version)}` });
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
      const width = measure(f.label, BREAK_LABEL_PT) + 6;
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
  /** Draw the `expected` field (random allocation) as a dashed grey line. */
  expected?: boolean;
  /**
   * A second series in the same rows (fields `other`, `other_expected`, `other_last`), e.g. the index over RegSO
   * beside DeSO, in its own colour; `label`/`otherLabel` name the two lines, `otherAbove` puts the second line's
   * labels above its points (the higher line's labels go above, the lower's below, so they never collide).
   */
  other?: { label: string; otherLabel: string; otherAbove: boolean; expected: boolean };
}): TopLevelSpec {
  const first = Math.min(...opts.years);
  const last = Math.max(...opts.years);
  // A quarter year of room at each end keeps the first and last points clear of the axis labels.
  const x = {
    field: 'year',
    type: 'quantitative' as const,
    title: null,
    scale: { domain: [first - 0.25, last + 0.25], nice: false },
    axis: { values: opts.years, format: 'd', labelFlush: false },
  };
  const y = { field: 'value', type: 'quantitative' as const, title: null, scale: { domain: valueDomain(opts.values), nice: true } };
  return {
    $schema: SCHEMA,
    description: opts.description,
    width: CHART_WIDTH,
    height: opts.height,
    autosize: { type: 'fit-x', contains: 'padding' },
    config: CHART_CONFIG,
    title: { text: opts.unitLabel },
    data: { name: 'values' },
    layer: [
      {
        data: { name: 'breaks' },
        mark: { type: 'rule', strokeDash: [4, 3], color: MUTED, strokeWidth: 1, y: -10, y2: { expr: 'height' } },
        encoding: { x: { ...x, field: 'x' } },
      },
      // Above the plot, where no data point can sit under it: right of the rule, or left of it near the right edge;
      // a label that would run into another goes one line up (breakRows decides).
      ...[0, 1].flatMap((row) =>
        (['right', 'left'] as const).map((side) => ({
          data: { name: 'breaks' },
          transform: [{ filter: `datum.side === '${side}' && datum.row === ${row}` }],
          mark: {
            type: 'text' as const,
            align: side === 'right' ? ('left' as const) : ('right' as const),
            baseline: 'bottom' as const,
            dx: side === 'right' ? 3 : -3,
            y: -3 - 10 * row,
            fontSize: BREAK_LABEL_PT,
            color: MUTED,
          },
          encoding: { x: { ...x, field: 'x' }, text: { field: 'label' } },
        })),
      ),
      ...(opts.expected
        ? [
            {
              mark: { type: 'line' as const, color: MUTED, strokeWidth: 1.2, strokeDash: [5, 3], invalid: 'break-paths-show-domains' as const },
              encoding: { x, y: { ...y, field: 'expected' } },
            },
            {
              transform: [{ filter: 'datum.expected_first === true' }],
              mark: { type: 'text' as const, align: 'left' as const, dy: -7, fontSize: 8, color: MUTED },
              encoding: { x, y: { ...y, field: 'expected' }, text: { value: 'Förväntat vid slumpmässig fördelning' } },
            },
          ]
        : []),
      ...(opts.other ? otherLayers(x, y, opts.other) : []),
      {
        mark: { type: 'line', color: ACCENT, strokeWidth: 2, invalid: 'break-paths-show-domains' },
        encoding: { x, y },
      },
      {
        transform: [{ filter: 'isValid(datum.value)' }],
        mark: { type: 'point', filled: true, color: ACCENT, size: 28, opacity: 1 },
        encoding: { x, y },
      },
      {
        transform: [{ filter: 'datum.last === true' }],
        // Right of the last point: never on the line, the break label or the next year's point. With a second
        // line, on the side away from it.
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'middle',
          dx: 6,
          ...(opts.other ? { dy: opts.other.otherAbove ? 8 : -8 } : {}),
          fontSize: 8.5,
          fontWeight: 'bold',
          color: ACCENT,
        },
        encoding: { x, y, text: { field: 'label' } },
      },
      ...(opts.other
        ? [
            {
              transform: [{ filter: 'datum.first === true' }],
              mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dy: opts.other.otherAbove ? 9 : -9, fontSize: 8.5, color: ACCENT },
              encoding: { x, y, text: { value: opts.other.label } },
            },
          ]
        : []),
    ],
  };
}

/** A second colour for a second series on a line chart (contrast 5.3:1 on white; tells apart from the accent blue). */
export const SECOND = '#b5530a';

function otherLayers(
  x: Record<string, unknown>,
  y: Record<string, unknown>,
  other: { label: string; otherLabel: string; otherAbove: boolean; expected: boolean },
): LayerItem[] {
  const dy = other.otherAbove ? -9 : 9;
  return [
    ...(other.expected
      ? [
          {
            // 0.8: 3.4:1 on white as drawn (WCAG 1.4.11; tests/charts/contrast.test.ts).
            mark: { type: 'line' as const, color: SECOND, opacity: 0.8, strokeWidth: 1, strokeDash: [2, 2], invalid: 'break-paths-show-domains' as const },
            encoding: { x, y: { ...y, field: 'other_expected' } },
          },
        ]
      : []),
    {
      mark: { type: 'line' as const, color: SECOND, strokeWidth: 2, invalid: 'break-paths-show-domains' as const },
      encoding: { x, y: { ...y, field: 'other' } },
    },
    {
      transform: [{ filter: 'isValid(datum.other)' }],
      mark: { type: 'point' as const, filled: true, color: SECOND, size: 24, opacity: 1, shape: 'square' },
      encoding: { x, y: { ...y, field: 'other' } },
    },
    {
      transform: [{ filter: 'datum.other_last === true' }],
      mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 6, dy: dy * 0.9, fontSize: 8.5, fontWeight: 'bold' as const, color: SECOND },
      encoding: { x, y: { ...y, field: 'other' }, text: { field: 'other_label' } },
    },
    {
      transform: [{ filter: 'datum.other_first === true' }],
      mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dy, fontSize: 8.5, color: SECOND },
      encoding: { x, y: { ...y, field: 'other' }, text: { value: other.otherLabel } },
    },
  ] as LayerItem[];
}

/**
 * An indicator's own series (riket in the national report) over the years, with area-version breaks; in kommun and
 * län reports with the län's and riket's series as thinner lines (a legend under the plot names them) and, for a
 * kommun, its similar kommuner as a grey band from their lowest to their highest value.
 */
export function indicatorLineChart(block: IndicatorBlock): ChartDef {
  const { fitText } = useReportFonts();
  const style = unitStyle(block.unit);
  const years = block.series.map((p) => p.year);
  const cmp = comparisonRows(block, years);
  const spec = lineSpec({
    years,
    values: [...validValues(block.series), ...cmp.values],
    unitLabel: fitText(style.label),
    height: 110,
    description: fitText(`${block.title_sv}, per år`),
  });
  return {
    id: `line-${block.id}`,
    spec: cmp.names.length || cmp.band.length ? withComparisons(spec, cmp) : spec,
    data: {
      values: lineRows(block.series, (v) => formatValue(v, block.unit)),
      breaks: breakRows(block.series, block.breaks ?? []),
      ...(cmp.names.length ? { comparisons: cmp.rows } : {}),
      ...(cmp.band.length ? { band: cmp.band } : {}),
    },
  };
}

/** Colours of the comparison lines: the län orange (5.3:1 on white), riket dark grey and dashed. */
const COMPARISON_STYLE: Record<'lan' | 'riket', { color: string; dash: number[] }> = { lan: { color: SECOND, dash: [] }, riket: { color: '#4d4d4d', dash: [4, 2] } };
const BAND_FILL = '#d4d4d4';

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

/** The line spec with the band and comparison lines drawn under the area's own line, and their legend below. */
function withComparisons(spec: TopLevelSpec, cmp: ComparisonRows): TopLevelSpec {
  const layered = spec as Extract<TopLevelSpec, { layer: unknown[] }>;
  // The own line's encodings, so the comparisons share its scales.
  const first = (layered.layer as { mark?: { type?: string; color?: string }; encoding?: { x?: Record<string, unknown>; y?: Record<string, unknown> } }[]).find(
    (l) => l.mark?.type === 'line' && l.mark.color === ACCENT,
  );
  const x = first?.encoding?.x ?? {};
  const y = first?.encoding?.y ?? {};
  const extra: LayerItem[] = [];
  if (cmp.band.length) {
    extra.push({
      data: { name: 'band' },
      mark: { type: 'area', color: BAND_FILL, fillOpacity: 0.7, stroke: '#767676', strokeWidth: 0.75 },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
    } as LayerItem);
  }
  if (cmp.names.length) {
    const legend = { title: null, orient: 'bottom', direction: 'horizontal', labelFontSize: 8, symbolType: 'stroke', symbolStrokeWidth: 1.5, symbolSize: 140 };
    extra.push({
      data: { name: 'comparisons' },
      mark: { type: 'line', strokeWidth: 1.3, invalid: 'break-paths-show-domains' },
      encoding: {
        x,
        y,
        color: {
          field: 'series',
          type: 'nominal',
          scale: { domain: cmp.names.map((n) => n.name), range: cmp.names.map((n) => COMPARISON_STYLE[n.level].color) },
          legend,
        },
        // The same legend for colour and dash, so Vega-Lite merges them into one with dashed symbols.
        strokeDash: {
          field: 'series',
          type: 'nominal',
          scale: { domain: cmp.names.map((n) => n.name), range: cmp.names.map((n) => COMPARISON_STYLE[n.level].dash) },
          legend,
        },
      },
    } as LayerItem);
  }
  // After the break rules and labels (the first five layers), before the own line.
  const at = Math.min(5, layered.layer.length);
  return { ...layered, layer: [...layered.layer.slice(0, at), ...extra, ...layered.layer.slice(at)] } as TopLevelSpec;
}

/**
 * A segregation index over the years (three decimals), with the DeSO/RegSO version break; with the block's other
 * unit level (RegSO beside DeSO) as a second line in its own colour, each line named at its first point.
 */
export function segregationLineChart(block: SegregationBlock, label: string): ChartDef {
  const { fitText } = useReportFonts();
  const other = block.other_unit_level;
  const years = [...new Set([...block.series.map((p) => p.year), ...(other?.series.map((p) => p.year) ?? [])])].sort((a, b) => a - b);
  const expectedOf = (ps: readonly { expected?: number | null }[]): number[] =>
    ps.flatMap((p) => (p.expected === undefined || p.expected === null ? [] : [p.expected]));
  const expected = expectedOf(block.series);
  const firstExpected = [...block.series].sort((a, b) => a.year - b.year).find((p) => p.expected !== undefined && p.expected !== null);
  const rows = lineRows(block.series, (v) => formatNumber(v, 3));
  const firstValid = rows.find((r) => r.value !== null);
  const otherRows = other ? lineRows(other.series, (v) => formatNumber(v, 3)) : [];
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
      unitLabel: 'Indexvärde',
      height: 120,
      description: fitText(label),
      expected: expected.length > 0,
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
    data: { values, breaks: breakRows(block.series) },
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
  const y = { field: 'lan', type: 'nominal' as const, title: null, scale: { domain: order }, axis: { ticks: false, domain: false, labelPadding: 4 } };
  const x = { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false, nice: true } };
  const rowHeight = 9.5;
  return {
    id: `spread-${block.id}`,
    spec: {
      $schema: SCHEMA,
      description: fitText(wording(lang).t('charts.kommunerAndLan', { title: block.title_sv })),
      width: CHART_WIDTH,
      height: Math.max(3, order.length) * rowHeight,
      autosize: { type: 'fit-x', contains: 'padding' },
      config: { ...CHART_CONFIG, axisY: { grid: true, domain: false, ticks: false } },
      title: { text: fitText(style.label) },
      layer: [
        ...referenceLayers(),
        {
          data: { name: 'values' },
          // Translucent for overlapping kommuner, yet 3.5:1 on white as drawn (WCAG 1.4.11; tests/charts/contrast.test.ts).
          mark: { type: 'circle', color: ACCENT, opacity: 0.65, size: 26 },
          encoding: { x, y },
        },
        {
          data: { name: 'lans' },
          mark: { type: 'tick', color: '#1a1a1a', thickness: 2, size: 9 },
          encoding: { x, y },
        },
      ],
    },
    data: { values: kommuner, lans: lanRows, reference: refRows },
  };
}

/** The report area's own value as a dashed vertical rule with its label, drawn under the points. */
function referenceLayers() {
  return [
    {
      data: { name: 'reference' },
      mark: { type: 'rule' as const, strokeDash: [4, 3], color: MUTED, strokeWidth: 1 },
      encoding: { x: { field: 'value', type: 'quantitative' as const } },
    },
    {
      data: { name: 'reference' },
      mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, dx: 3, y: -1, fontSize: 8, color: MUTED },
      encoding: { x: { field: 'value', type: 'quantitative' as const }, text: { field: 'label' } },
    },
  ];
}

/**
 * For a län (or any report without län rows): one row per kommun, ordered by value (highest first, missing
 * last), with the report area's own value as a dashed rule.
 */
export function kommunRankChart(block: IndicatorBlock, reference: { name: string; value: number | null }, lang: Lang = 'sv'): ChartDef {
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
  const y = { field: 'kommun', type: 'nominal' as const, title: null, scale: { domain: order }, axis: { ticks: false, domain: false, labelPadding: 4 } };
  const x = { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false, nice: true } };
  return {
    id: `rank-${block.id}`,
    spec: {
      $schema: SCHEMA,
      description: fitText(wording(lang).t('charts.kommuner', { title: block.title_sv })),
      width: CHART_WIDTH,
      height: Math.max(3, order.length) * 11,
      autosize: { type: 'fit-x', contains: 'padding' },
      config: { ...CHART_CONFIG, axisY: { grid: true, domain: false, ticks: false } },
      title: { text: fitText(style.label) },
      layer: [
        ...referenceLayers(),
        {
          data: { name: 'values' },
          mark: { type: 'circle', color: ACCENT, opacity: 1, size: 30 },
          encoding: { x, y },
        },
      ],
    },
    data: { values: rows, reference: refRows },
  };
}

/**
 * One colour per area type, diverging from orange (type 1, major challenges) through grey (3, mixed) to the accent
 * blue (5, very good conditions): ordered, and told apart without red–green. Each at least 3:1 on white (WCAG
 * 1.4.11: 6.0, 3.4, 3.4, 3.1, 8.6) and the dark label text on types 2–4 at least 4.5:1 (tests/charts/contrast.test.ts).
 */
export const AREA_TYPE_COLORS: readonly string[] = ['#a84f05', '#d07412', '#8c8c8c', '#6f93c8', ACCENT];
const UNTYPED_COLOR = '#d9d9d9';
const UNTYPED_LABEL = 'Utan|områdestyp';

/**
 * Legend of the area types in three columns, each label on two lines ('Typ 1' over its short name; the '|' in the
 * label splits it), so the entries fit across the chart width (five columns would not).
 */
const TYPE_LEGEND = {
  title: null,
  orient: 'bottom' as const,
  direction: 'horizontal' as const,
  columns: 3,
  labelFontSize: 8,
  labelLimit: 0,
  columnPadding: 10,
  labelExpr: "split(datum.label, '|')",
  labelBaseline: 'top' as const,
  labelOffset: 4,
};

/**
 * Residents by area type as one 100 % bar per year (types 1–5 left to right, RegSO without a type last), each
 * segment labelled with its share where it is wide enough. Segment ends are computed here rather than by Vega's
 * stack, so the label sits in the middle of exactly the segment it names.
 */
export function areaTypePopulationChart(block: AreaTypeBlock, typeLabel: (t: AreaTypeNumber) => string): ChartDef {
  const { fitText } = useReportFonts();
  const years = [...new Set(block.population.map((p) => p.year))].sort((a, b) => a - b);
  const legend = [1, 2, 3, 4, 5].map((t) => fitText(typeLabel(t as AreaTypeNumber)));
  const hasUntyped = block.population.some((p) => p.area_type === null && (p.share ?? 0) > 0);
  const domain = hasUntyped ? [...legend, UNTYPED_LABEL] : legend;
  const range = hasUntyped ? [...AREA_TYPE_COLORS, UNTYPED_COLOR] : [...AREA_TYPE_COLORS];
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
        type: p.area_type === null ? UNTYPED_LABEL : (legend[p.area_type - 1] ?? ''),
        x0,
        x1: x0 + share,
        mid: x0 + share / 2,
        // Under 7 % a label would not fit inside its segment; the numbers are in the table and the appendix.
        label: share >= 7 ? formatNumber(share, 0) : '',
        // White on the dark ends of the scale, dark on the light middle.
        dark: p.area_type === 1 || p.area_type === 5,
      });
      x0 += share;
    }
  }
  const y = { field: 'year', type: 'ordinal' as const, title: null, sort: years.map(String), axis: { ticks: false, domain: false, labelPadding: 4 } };
  const x = { field: 'x0', type: 'quantitative' as const, title: null, scale: { domain: [0, 100], nice: false }, axis: { values: [0, 20, 40, 60, 80, 100], format: 'd' } };
  return {
    id: 'area-type-population',
    spec: {
      $schema: SCHEMA,
      description: fitText('Invånare per områdestyp och år'),
      width: CHART_WIDTH,
      height: Math.max(2, years.length) * 15,
      autosize: { type: 'fit-x', contains: 'padding' },
      config: { ...CHART_CONFIG, axisY: { grid: false, domain: false, ticks: false }, axisX: { grid: true, tickSize: 0, domain: false } },
      title: { text: 'Procent av invånarna' },
      data: { name: 'values' },
      layer: [
        {
          mark: { type: 'bar', stroke: 'white', strokeWidth: 0.75, height: { band: 0.78 } },
          encoding: {
            y,
            x,
            x2: { field: 'x1' },
            color: {
              field: 'type',
              type: 'nominal',
              scale: { domain, range },
              legend: { ...TYPE_LEGEND, symbolType: 'square', symbolSize: 70 },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 7.5, baseline: 'middle', align: 'center' },
          encoding: {
            y,
            x: { field: 'mid', type: 'quantitative', scale: { domain: [0, 100], nice: false } },
            text: { field: 'label' },
            color: { condition: { test: 'datum.dark', value: 'white' }, value: '#1a1a1a' },
          },
        },
      ],
    },
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
  const y = { field: 'row', type: 'nominal' as const, title: null, scale: { domain: order }, axis: { ticks: false, domain: false, labelPadding: 6, labelLimit: 0 } };
  const x = { field: 'value', type: 'quantitative' as const, title: null, scale: { domain: [0, 100], nice: false }, axis: { values: [0, 20, 40, 60, 80, 100], format: 'd' } };
  return {
    id: 'area-type-gaps',
    spec: {
      $schema: SCHEMA,
      description: fitText(wording(lang).t('charts.gapDescription')),
      width: CHART_WIDTH,
      height: Math.max(2, order.length) * 15,
      autosize: { type: 'fit-x', contains: 'padding' },
      config: { ...CHART_CONFIG, axisY: { grid: true, domain: false, ticks: false }, axisX: { grid: true, tickSize: 0, domain: false } },
      title: { text: wording(lang).t('charts.percent') },
      layer: [
        {
          data: { name: 'gaps' },
          mark: { type: 'rule', color: '#8c8c8c', strokeWidth: 2 },
          encoding: { y, x: { ...x, field: 'v1' }, x2: { field: 'v5' } },
        },
        ...(restTicks
          ? [
              {
                data: { name: 'gaps' },
                mark: { type: 'tick' as const, color: '#1a1a1a', thickness: 1.5, size: 10 },
                encoding: { y, x: { ...x, field: 'v5' } },
              },
            ]
          : []),
        {
          data: { name: 'values' },
          mark: { type: 'circle', size: 42, opacity: 1, stroke: 'white', strokeWidth: 0.6 },
          encoding: {
            y,
            x,
            color: {
              field: 'type',
              type: 'nominal',
              scale: { domain: legend, range: [...AREA_TYPE_COLORS] },
              legend: { ...TYPE_LEGEND, symbolSize: 60 },
            },
          },
        },
      ],
    },
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
  const grid = panelGrid(usable.length);
  const panel = (i: AreaTypeIndicator): string => wrapLabel(fitText(i.title_sv), grid.columns === 4 ? 22 : 30);
  const order = usable.map(panel);
  const rows: ChartRow[] = usable.flatMap((i) =>
    [...(i.trend ?? [])]
      .filter((p) => present.includes(p.area_type) && p.status !== 'no_areas')
      .sort((a, b) => a.area_type - b.area_type || a.year - b.year)
      .map((p) => ({ panel: panel(i), year: p.year, type: legend[p.area_type - 1] ?? '', value: p.value })),
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
  const x = { field: 'year', type: 'quantitative' as const, title: null, scale: { domain: [first - 0.3, last + 0.3], nice: false }, axis: { values: ticks, format: 'd', labelFlush: false, grid: false } };
  const y = { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false, nice: true }, axis: { tickCount: 3, labelFontSize: 7.5 } };
  const color = {
    field: 'type',
    type: 'nominal' as const,
    scale: { domain: present.map((t) => legend[t - 1] ?? ''), range: present.map((t) => AREA_TYPE_COLORS[t - 1] ?? MUTED) },
    legend: { ...TYPE_LEGEND, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 120 },
  };
  return {
    id: 'area-type-trends',
    spec: {
      $schema: SCHEMA,
      description: fitText(wording(lang).t('charts.trendDescription')),
      config: CHART_CONFIG,
      title: { text: wording(lang).t('charts.percent') },
      data: { name: 'values' },
      columns: grid.columns,
      spacing: { row: 10, column: 12 },
      facet: {
        field: 'panel',
        type: 'nominal',
        sort: order,
        header: { title: null, labelFontSize: 8, labelAnchor: 'start', labelAlign: 'left', labelLimit: 0, labelPadding: 3, labelExpr: "split(datum.label, '|')" },
      },
      spec: {
        width: grid.width,
        height: grid.columns === 4 ? 40 : 62,
        layer: [
          {
            transform: [{ filter: 'isValid(datum.break_x)' }],
            mark: { type: 'rule', color: MUTED, strokeWidth: 0.8, strokeDash: [4, 3] },
            encoding: { x: { ...x, field: 'break_x' } },
          },
          {
            transform: [{ filter: 'isValid(datum.type)' }],
            mark: { type: 'line', strokeWidth: 1.6, invalid: 'break-paths-show-domains' },
            encoding: { x, y, color },
          },
          { transform: [{ filter: 'isValid(datum.value)' }], mark: { type: 'point', filled: true, size: 12, opacity: 1 }, encoding: { x, y, color } },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    },
    data: { values: rows },
  };
}

// ---- Maps (report/maps.ts builds the blocks). ----

/** Outline of every area: mid-grey (3.4:1 on white), so the lightest class and missing areas stay bounded. */
const AREA_STROKE = '#8c8c8c';
const MISSING_FILL = '#ffffff';

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
    range.push(MISSING_FILL);
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
  const width = blocks.length === 2 ? Math.floor((CHART_WIDTH - 24) / 2) : Math.round(CHART_WIDTH * 0.6);
  const aspect = Math.min(...blocks.map((b) => mapAspect(b.areas.map((a) => a.geometry))));
  // Tall shapes (Sweden, a long kommun) are capped so the figure with its legend fits a page.
  const height = Math.round(Math.min(470, Math.max(140, width / aspect)));
  const data: Record<string, ChartGeoRow[]> = {};
  const panels = blocks.map((b, i) => {
    const legend = mapLegend(b, typeLabel, lang);
    data[`areas${i}`] = legend.rows;
    if (b.outlines?.length) data[`outline${i}`] = b.outlines.map((g) => ({ type: 'Feature', geometry: g }));
    return {
      width,
      height,
      title: { text: fitText(b.title_sv), fontSize: 8.5, limit: width },
      projection: { type: 'transverseMercator' as const, rotate: [-15, 0, 0] as [number, number, number] },
      layer: [
        {
          data: { name: `areas${i}` },
          mark: { type: 'geoshape' as const, stroke: AREA_STROKE, strokeWidth: b.unit_level === 'kommun' ? 0.2 : 0.4 },
          encoding: {
            color: {
              field: 'cls',
              type: 'nominal' as const,
              scale: { domain: legend.domain, range: legend.range },
              legend: {
                title: fitText(mapLegendTitle(b, lang)),
                orient: 'bottom' as const,
                direction: 'vertical' as const,
                symbolType: 'square',
                symbolSize: 70,
                symbolStrokeColor: AREA_STROKE,
                symbolStrokeWidth: 0.6,
                labelFontSize: 8,
                titleFontSize: 8,
                labelLimit: 0,
              },
            },
          },
        },
        ...(b.outlines?.length
          ? [
              {
                data: { name: `outline${i}` },
                mark: { type: 'geoshape' as const, filled: false, stroke: '#333333', strokeWidth: 0.6 },
              },
            ]
          : []),
      ],
    };
  });
  return {
    id: `map-${blocks.map((b) => b.id.replace(/^map-/, '')).join('+')}`,
    spec: {
      $schema: SCHEMA,
      description: fitText(wording(lang).t('charts.mapDescription', { titles: blocks.map((b) => b.title_sv).join(wording(lang).t('format.and')) })),
      config: { ...CHART_CONFIG, legend: { titleFontWeight: 'normal', titleColor: '#333333', labelColor: '#333333' } },
      spacing: 24,
      hconcat: panels,
      resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    } as TopLevelSpec,
    data,
  };
}

// ---- Small multiples: one panel per indicator or index, for a chapter's figure. ----

/** Panel size of the small multiples: three across the text width, each with its own y scale. */
const PANEL_WIDTH = 128;
const PANEL_HEIGHT = 48;

/**
 * Three panels across, or four when that saves a row (four panels, or seven and more): a row of panels is a fifth of
 * a page, and a policy area's figure should leave room for its table on the same page.
 */
function panelGrid(n: number): { columns: number; width: number; height: number } {
  return n === 4 || n >= 7 ? { columns: 4, width: 92, height: 46 } : { columns: 3, width: PANEL_WIDTH, height: PANEL_HEIGHT };
}

/** The x axis of a small panel: first, middle and last year (a 128 pt panel has no room for ten). */
function panelX(first: number, last: number): Record<string, unknown> {
  const ticks = [...new Set([first, Math.round((first + last) / 2), last])];
  return { field: 'year', type: 'quantitative', title: null, scale: { domain: [first - 0.3, last + 0.3], nice: false }, axis: { values: ticks, format: 'd', labelFlush: false, grid: false, labelFontSize: 7.5 } };
}

const PANEL_HEADER = { title: null, labelFontSize: 8, labelAnchor: 'start', labelAlign: 'left', labelLimit: 0, labelPadding: 3, labelExpr: "split(datum.label, '|')" } as const;

type PanelSeries = { name: string; color: string; dash: number[] };

/** The encodings of the small-multiple panels: years across, each panel's own value scale, one colour and dash per series. */
function panelEncodings(names: readonly PanelSeries[], first: number, last: number) {
  const legend = { title: null, orient: 'bottom', direction: 'horizontal', labelFontSize: 8, symbolType: 'stroke', symbolStrokeWidth: 1.8, symbolSize: 140 };
  return {
    x: panelX(first, last),
    y: { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false, nice: true }, axis: { tickCount: 3, labelFontSize: 7.5 } },
    color: { field: 'series', type: 'nominal' as const, scale: { domain: names.map((n) => n.name), range: names.map((n) => n.color) }, legend },
    dash: { field: 'series', type: 'nominal' as const, scale: { domain: names.map((n) => n.name), range: names.map((n) => n.dash) }, legend },
  };
}

/** The small-multiples frame: one panel per `panel` value in `order`, `grid.columns` across, y scales independent. */
function panelFrame(description: string, grid: { columns: number; width: number; height: number }, order: readonly string[], layer: readonly unknown[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    description,
    config: CHART_CONFIG,
    data: { name: 'values' },
    columns: grid.columns,
    spacing: { row: 10, column: 14 },
    facet: { field: 'panel', type: 'nominal', sort: order, header: PANEL_HEADER },
    spec: { width: grid.width, height: grid.height, layer },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
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
  const grid = panelGrid(drawn.length);
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
      if (!names.some((x) => x.name === n.name)) names.push({ name: n.name, color: COMPARISON_STYLE[n.level].color, dash: COMPARISON_STYLE[n.level].dash });
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
  const { x, y, color, dash } = panelEncodings(names, first, last);
  return {
    id: `panels-${drawn.map((b) => b.id).join('-')}`.slice(0, 120),
    spec: panelFrame(fitText(wording(lang).t('charts.perYear', { title: drawn.map((b) => b.title_sv).join(', ') })), grid, order, [
      { transform: [{ filter: 'isValid(datum.pad)' }], mark: { type: 'point', opacity: 0, size: 1, color: 'white' }, encoding: { x, y: { ...y, field: 'pad' } } },
      ...(banded.size ? [{ transform: [{ filter: 'isValid(datum.lo)' }], mark: { type: 'area', color: BAND_FILL, opacity: 0.7 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } }] : []),
      { transform: [{ filter: 'isValid(datum.break_x)' }], mark: { type: 'rule', color: MUTED, strokeWidth: 0.8, strokeDash: [4, 3] }, encoding: { x: { ...x, field: 'break_x' } } },
      {
        transform: [{ filter: 'isValid(datum.series)' }],
        mark: { type: 'line', strokeWidth: 1.4, invalid: 'break-paths-show-domains' },
        encoding: { x, y, color, strokeDash: dash, size: { condition: { test: `datum.series === '${ownName.replace(/'/g, "\\'")}'`, value: 2 }, value: 1.2 } },
      },
      {
        transform: [{ filter: `isValid(datum.value) && datum.series === '${ownName.replace(/'/g, "\\'")}'` }],
        mark: { type: 'point', filled: true, color: ACCENT, size: 10, opacity: 1 },
        encoding: { x, y },
      },
    ]),
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
  const grid = panelGrid(drawn.length);
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
  if (anyExpected) names.push({ name: expectedName, color: MUTED, dash: [4, 2] });
  const { x, y, color, dash } = panelEncodings(names, first, last);
  return {
    id: 'seg-panels',
    spec: panelFrame(fitText(wording(lang).t('charts.segregationDescription')), grid, order, [
      { transform: [{ filter: 'isValid(datum.pad)' }], mark: { type: 'point', opacity: 0, size: 1, color: 'white' }, encoding: { x, y: { ...y, field: 'pad' } } },
      { transform: [{ filter: 'isValid(datum.break_x)' }], mark: { type: 'rule', color: MUTED, strokeWidth: 0.8, strokeDash: [4, 3] }, encoding: { x: { ...x, field: 'break_x' } } },
      { transform: [{ filter: 'isValid(datum.series)' }], mark: { type: 'line', strokeWidth: 1.6, invalid: 'break-paths-show-domains' }, encoding: { x, y, color, strokeDash: dash } },
      {
        transform: [{ filter: `isValid(datum.value) && datum.series !== '${expectedName}'` }],
        mark: { type: 'point', filled: true, size: 10, opacity: 1 },
        encoding: { x, y, color },
      },
    ]),
    data: { values: rows },
  };
}
