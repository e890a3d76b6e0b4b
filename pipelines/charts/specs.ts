/**
 * Vega-Lite specs for the report charts, built from ReportModel blocks together with the data they draw.
 * Specs name their data (`values`, `breaks`, …) and never embed it, so one spec shape serves every report and the
 * golden files show the shape and the data separately. Every label a reader sees is formatted by format.ts before
 * it reaches Vega, so chart text and body text agree to the character.
 *
 * Sizes are in points: the PDF places the SVG at its own width, so 8.5 here is 8.5 pt on paper.
 */
import type { Config, TopLevelSpec } from 'vega-lite';
import type { IndicatorBlock, SegregationBlock } from '../report/model.ts';
import { formatAreaVersion, formatNumber, formatValue, swedishCollator, unitStyle } from '../report/format.ts';
import { FONT_FAMILY, useReportFonts } from './fonts.ts';
import type { ChartData, ChartRow } from './render-chart.ts';

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

/**
 * Where the area version changes between two consecutive years with values, a rule halfway between them. A
 * series that stops before the new version starts crosses no break, so none is drawn.
 */
function breakRows(points: readonly LinePoint[]): ChartRow[] {
  const sorted = [...points].filter((p) => p.area_version !== undefined && p.value !== null).sort((a, b) => a.year - b.year);
  const out: ChartRow[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (!prev || !cur || prev.area_version === cur.area_version) continue;
    out.push({ x: (prev.year + cur.year) / 2, label: `Ny indelning: ${formatAreaVersion(cur.area_version ?? '')}` });
  }
  return out;
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
      {
        data: { name: 'breaks' },
        // Above the plot, where no data point can sit under it.
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, y: -3, fontSize: 8, color: MUTED },
        encoding: { x: { ...x, field: 'x' }, text: { field: 'label' } },
      },
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
        // Right of the last point: never on the line, the break label or the next year's point.
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 6, fontSize: 8.5, fontWeight: 'bold', color: ACCENT },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  };
}

/** An indicator's own series (riket in the national report) over the years, with area-version breaks. */
export function indicatorLineChart(block: IndicatorBlock): ChartDef {
  const { fitText } = useReportFonts();
  const style = unitStyle(block.unit);
  const years = block.series.map((p) => p.year);
  return {
    id: `line-${block.id}`,
    spec: lineSpec({
      years,
      values: validValues(block.series),
      unitLabel: fitText(style.label),
      height: 110,
      description: fitText(`${block.title_sv}, per år`),
    }),
    data: {
      values: lineRows(block.series, (v) => formatValue(v, block.unit)),
      breaks: breakRows(block.series),
    },
  };
}

/** A segregation index over the years (three decimals), with the DeSO/RegSO version break. */
export function segregationLineChart(block: SegregationBlock, label: string): ChartDef {
  const { fitText } = useReportFonts();
  const years = block.series.map((p) => p.year);
  const expected = block.series.flatMap((p) => (p.expected === undefined || p.expected === null ? [] : [p.expected]));
  const firstExpected = [...block.series].sort((a, b) => a.year - b.year).find((p) => p.expected !== undefined && p.expected !== null);
  const rows = lineRows(block.series, (v) => formatNumber(v, 3));
  const values = expected.length
    ? rows.map((r) => {
        const p = block.series.find((q) => q.year === r.year);
        return { ...r, expected: p?.expected ?? null, expected_first: p !== undefined && p === firstExpected };
      })
    : rows;
  return {
    id: `seg-${block.measure}-${block.unit_level}-${block.groups}`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9_-]+/g, '_'),
    spec: lineSpec({
      years,
      values: [...validValues(block.series), ...expected],
      unitLabel: 'Indexvärde',
      height: 120,
      description: fitText(label),
      expected: expected.length > 0,
    }),
    data: { values, breaks: breakRows(block.series) },
  };
}

/**
 * Kommun values of the latest year as dots, one row per län (ordered by the län value, highest first), the län
 * value as a dark tick and the report area's own value as a dashed rule. Empty län rows stay, so a missing
 * län is visible rather than silently dropped.
 */
export function kommunSpreadChart(block: IndicatorBlock, reference: { name: string; value: number | null }): ChartDef {
  const { fitText } = useReportFonts();
  const style = unitStyle(block.unit);
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
      : [{ value: reference.value, label: fitText(`${reference.name} ${formatValue(reference.value, block.unit)}`) }];
  const y = { field: 'lan', type: 'nominal' as const, title: null, scale: { domain: order }, axis: { ticks: false, domain: false, labelPadding: 4 } };
  const x = { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false, nice: true } };
  const rowHeight = 9.5;
  return {
    id: `spread-${block.id}`,
    spec: {
      $schema: SCHEMA,
      description: fitText(`${block.title_sv}: kommuner och län`),
      width: CHART_WIDTH,
      height: Math.max(3, order.length) * rowHeight,
      autosize: { type: 'fit-x', contains: 'padding' },
      config: { ...CHART_CONFIG, axisY: { grid: true, domain: false, ticks: false } },
      title: { text: fitText(style.label) },
      layer: [
        {
          data: { name: 'reference' },
          mark: { type: 'rule', strokeDash: [4, 3], color: MUTED, strokeWidth: 1 },
          encoding: { x: { field: 'value', type: 'quantitative' } },
        },
        {
          data: { name: 'reference' },
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, y: -1, fontSize: 8, color: MUTED },
          encoding: { x: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
        },
        {
          data: { name: 'values' },
          mark: { type: 'circle', color: ACCENT, opacity: 0.55, size: 26 },
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

/**
 * For a län (or any report without län rows): one row per kommun, ordered by value (highest first, missing
 * last), with the report area's own value as a dashed rule.
 */
export function kommunRankChart(block: IndicatorBlock, reference: { name: string; value: number | null }): ChartDef {
  const { fitText } = useReportFonts();
  const style = unitStyle(block.unit);
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
      : [{ value: reference.value, label: fitText(`${reference.name} ${formatValue(reference.value, block.unit)}`) }];
  const y = { field: 'kommun', type: 'nominal' as const, title: null, scale: { domain: order }, axis: { ticks: false, domain: false, labelPadding: 4 } };
  const x = { field: 'value', type: 'quantitative' as const, title: null, scale: { zero: false, nice: true } };
  return {
    id: `rank-${block.id}`,
    spec: {
      $schema: SCHEMA,
      description: fitText(`${block.title_sv}: kommuner`),
      width: CHART_WIDTH,
      height: Math.max(3, order.length) * 11,
      autosize: { type: 'fit-x', contains: 'padding' },
      config: { ...CHART_CONFIG, axisY: { grid: true, domain: false, ticks: false } },
      title: { text: fitText(style.label) },
      layer: [
        {
          data: { name: 'reference' },
          mark: { type: 'rule', strokeDash: [4, 3], color: MUTED, strokeWidth: 1 },
          encoding: { x: { field: 'value', type: 'quantitative' } },
        },
        {
          data: { name: 'reference' },
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, y: -1, fontSize: 8, color: MUTED },
          encoding: { x: { field: 'value', type: 'quantitative' }, text: { field: 'label' } },
        },
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
