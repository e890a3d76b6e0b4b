import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { useReportFonts } from '../../pipelines/charts/fonts.ts';
import { renderChart, renderChartSvg } from '../../pipelines/charts/render-chart.ts';
import {
  areaTypeGapChart,
  areaTypePopulationChart,
  CHART_WIDTH,
  indicatorLineChart,
  kommunSpreadChart,
  segregationLineChart,
  valueDomain,
} from '../../pipelines/charts/specs.ts';
import type { IndicatorBlock } from '../../pipelines/report/model.ts';
import { areaTypeLegendName, measureLabel } from '../../pipelines/report/summary.ts';
import { expectGolden } from '../fixtures/expect-golden.ts';
import { areaTypeBlockFixture, reportModelFixture, segregationExtrasFixture } from '../fixtures/report-model.ts';

const NBSP = '\u00a0';

/** The items drawn inside the first mark group whose class starts with `cls` (symbols, rules: no nested groups). */
function markGroup(svg: string, cls: string): string {
  const start = svg.indexOf(`class="${cls}`);
  if (start < 0) return '';
  return svg.slice(start, svg.indexOf('</g>', start));
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
}

/** Nine years, 2019 suppressed, area version DeSO 2018 until 2023 and DeSO 2025 after. */
function knownBlock(): IndicatorBlock {
  const values = [78.0, 78.4, null, 79.2, 79.6, 79.9, 80.1, 80.4, 80.6];
  return {
    id: 'known',
    title_sv: 'Sysselsättningsgrad 20–64 år',
    unit: 'procent',
    higher_is_better: true,
    source: 'SCB TAB6680',
    caveats: [],
    series: values.map((value, i) => ({
      year: 2017 + i,
      value,
      status: value === null ? 'suppressed' : null,
      area_version: 2017 + i <= 2023 ? 'DeSO2018' : 'DeSO2025',
    })),
    latest_year: 2025,
    by_kommun: [
      { code: '0180', name: 'Stockholm', lan_code: '01', value: 80.1, status: null },
      { code: '0127', name: 'Botkyrka', lan_code: '01', value: 71.2, status: null },
      { code: '1480', name: 'Göteborg', lan_code: '14', value: 77.2, status: null },
      { code: '2321', name: 'Åre', lan_code: '23', value: null, status: 'suppressed' },
    ],
    by_lan: [
      { code: '01', name: 'Stockholms län', value: 80.2, status: null },
      { code: '14', name: 'Västra Götalands län', value: 78.0, status: null },
      { code: '23', name: 'Jämtlands län', value: 82.5, status: null },
      { code: '25', name: 'Norrbottens län', value: null, status: 'suppressed' },
    ],
  };
}

describe('renderChartSvg: a line over the years', () => {
  it('draws one point per value, the year labels, the latest value and the area-version break', async () => {
    const chart = indicatorLineChart(knownBlock());
    const svg = await renderChartSvg(chart.spec, chart.data);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/width="481"/);
    // 8 values (2019 is missing and gets no point).
    expect(markGroup(svg, 'mark-symbol role-mark').match(/<path /g)).toHaveLength(8);
    const t = texts(svg);
    for (let y = 2017; y <= 2025; y++) expect(t).toContain(String(y));
    expect(t).toContain(`80,6${NBSP}%`);
    expect(t).toContain('Ny indelning: DeSO 2025');
    expect(t).toContain('Procent');
    // One dashed rule at the break, halfway between 2023 and 2024.
    expect(markGroup(svg, 'mark-rule role-mark').match(/<line /g)).toHaveLength(1);
    // The line breaks at the missing year: two subpaths.
    const line = markGroup(svg, 'mark-line role-mark');
    expect(line.match(/d="([^"]*)"/)?.[1]?.match(/M/g)).toHaveLength(2);
  });

  it('uses Swedish number format on the axis (decimal comma, U+2212, no-break space thousands)', async () => {
    const spec: TopLevelSpec = {
      data: { name: 'values' },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      width: 300,
      height: 100,
    };
    const svg = await renderChartSvg(spec, { values: [{ a: -2.5, b: 1200 }, { a: 1.5, b: 5400 }] });
    const t = texts(svg);
    expect(t).toContain('\u22122,0');
    expect(t).toContain('0,5');
    expect(t).toContain(`4${NBSP}000`);
    expect(t.join(' ')).not.toMatch(/-\d|\d\.\d/);
  });
});

describe('renderChart: kommun spread', () => {
  it('keeps every län row, draws one dot per kommun with a value and one tick per län with a value', async () => {
    const chart = kommunSpreadChart(knownBlock(), { name: 'Riket', value: 80.6 });
    const r = await renderChart(chart.spec, chart.data);
    const t = texts(r.svg);
    for (const lan of ['Stockholms län', 'Västra Götalands län', 'Jämtlands län', 'Norrbottens län']) expect(t).toContain(lan);
    expect(markGroup(r.svg, 'mark-symbol role-mark').match(/<path /g)).toHaveLength(3);
    expect(markGroup(r.svg, 'mark-rect role-mark').match(/<path /g)).toHaveLength(3);
    expect(t).toContain(`Riket 80,6${NBSP}%`);
    // Ordered by the län value, highest first; the län without a value last.
    const order = ['Jämtlands län', 'Stockholms län', 'Västra Götalands län', 'Norrbottens län'].map((n) => t.indexOf(n));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('renderChart refuses charts that would come out wrong', () => {
  const spec: TopLevelSpec = {
    data: { name: 'values' },
    mark: 'point',
    encoding: { x: { field: 'year', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' } },
  };

  it('fails on an empty chart instead of printing an empty frame', async () => {
    await expect(renderChartSvg(spec, { values: [] })).rejects.toThrow(/no data marks/);
  });

  it('fails when a BigInt reaches the chart data', async () => {
    const rows = [{ year: 2017, value: 1 }] as unknown as { year: number; value: number }[];
    (rows[0] as unknown as Record<string, unknown>).value = 10n;
    await expect(renderChartSvg(spec, { values: rows })).rejects.toThrow(/BigInt/);
  });

  it('fails on NaN, which must be null when a value is missing', async () => {
    await expect(renderChartSvg(spec, { values: [{ year: 2017, value: Number.NaN }] })).rejects.toThrow(/use null/);
  });

  it('fails on a Vega-Lite warning', async () => {
    const bad = { ...spec, encoding: { ...spec.encoding, color: { field: 'x', type: 'quantitative', aggregate: 'nonsense' } } } as unknown as TopLevelSpec;
    await expect(renderChartSvg(bad, { values: [{ year: 2017, value: 1, x: 1 }] })).rejects.toThrow(/Vega-Lite rejected/);
  });

  it('fails when data and spec disagree on dataset names', async () => {
    await expect(renderChartSvg(spec, { other: [{ year: 2017, value: 1 }] })).rejects.toThrow(/does not use: other/);
  });
});

describe('fonts', () => {
  it('makes Vega measure text with Roboto, not the 0.8 × size estimate', () => {
    const fonts = useReportFonts();
    const tm = (vega as unknown as { textMetrics: { width(item: object, text: string): number } }).textMetrics;
    const w = tm.width({ fontSize: 10 }, 'Västra Götalands län');
    expect(w).toBeCloseTo(fonts.measure('Västra Götalands län', 10), 6);
    expect(w).not.toBe(Math.trunc(0.8 * 20 * 10));
    expect(tm.width({ fontSize: 10, fontWeight: 'bold' }, 'Åre')).toBeGreaterThan(tm.width({ fontSize: 10 }, 'Åre'));
  });

  it('replaces the arrow Roboto lacks and refuses other missing glyphs', () => {
    const { fitText } = useReportFonts();
    expect(fitText('DeSO 2018 → DeSO 2025')).toBe('DeSO 2018 till DeSO 2025');
    expect(fitText('Åre −2,0 %')).toBe('Åre −2,0 %');
    expect(() => fitText('Kommun ☃')).toThrow(/U\+2603/);
  });
});

describe('value axis', () => {
  it('is at least a fifth of the values wide, so a small wobble does not fill the chart', () => {
    // 20 % of 16.1 is 3.22, centred on the data: 15.5 − 1.31 and 16.1 + 1.31.
    const [lo, hi] = valueDomain([15.5, 16.1]);
    expect(lo).toBeCloseTo(14.19, 9);
    expect(hi).toBeCloseTo(17.41, 9);
    expect(valueDomain([10, 90])).toEqual([10, 90]);
    expect(valueDomain([0.1, 0.12])[0]).toBeGreaterThanOrEqual(0);
  });
});

describe('chart specs for the fixture (golden)', () => {
  it('match the reviewed specs and data', () => {
    const m = reportModelFixture();
    const employment = m.chapters.find((c) => c.policy_area === 'arbete')?.indicators[0];
    const seg = m.segregation[0];
    if (!employment || !seg) throw new Error('fixture changed');
    const charts = [
      indicatorLineChart(employment),
      kommunSpreadChart(employment, { name: 'Riket', value: 81.0 }),
      segregationLineChart(seg, measureLabel(seg.measure)),
    ];
    for (const c of charts) expectGolden(`charts/${c.id}.vl.json`, JSON.stringify({ spec: c.spec, data: c.data }, null, 2) + '\n');
  });

  it('every fixture chart renders with marks', async () => {
    const m = reportModelFixture();
    for (const block of m.chapters.flatMap((c) => c.indicators)) {
      const r = await renderChart(indicatorLineChart(block).spec, indicatorLineChart(block).data);
      expect(r.markItems).toBeGreaterThan(0);
    }
  });
});

describe('area-type charts', () => {
  it('population: one bar segment per type and year with residents, share labels only where they fit, the legend on two lines', async () => {
    const block = areaTypeBlockFixture();
    const chart = areaTypePopulationChart(block, areaTypeLegendName);
    const r = await renderChart(chart.spec, chart.data);
    // 8 years × 5 types, every share > 0.
    expect(markGroup(r.svg, 'mark-rect role-mark').match(/<path /g)).toHaveLength(40);
    const t = texts(r.svg);
    expect(t.filter((x) => x === '56')).toHaveLength(5); // type 4 from 2020 (55,5–56,0)
    expect(t).not.toContain('4'); // 4,4–4,5 % is too narrow for a label
    expect(r.svg).toContain('<tspan>Typ 1</tspan>');
    expect(r.svg).toContain('stora utmaningar');
    expect(t).toContain('Procent av invånarna');
  });

  it('gaps: a dot per type value and a rule per indicator with both ends; empty input fails instead of printing a frame', async () => {
    const inds = areaTypeBlockFixture().indicators.filter((i) => !i.index_component);
    const chart = areaTypeGapChart(inds, areaTypeLegendName);
    const r = await renderChart(chart.spec, chart.data);
    const dots = inds.reduce((n, i) => n + i.by_type.filter((b) => b.value !== null).length, 0);
    expect(markGroup(r.svg, 'mark-symbol role-mark').match(/<path /g)).toHaveLength(dots);
    // Rental share has no type 1 value: dots, but no rule.
    expect(markGroup(r.svg, 'mark-rule role-mark').match(/<line /g)).toHaveLength(inds.length - 1);
    const t = texts(r.svg);
    expect(t).toContain('Valdeltagande i val till kommunfullmäktige (2022)');
    expect(t).toContain('Sysselsättningsgrad 20–64 år');
    const single = inds.map((i) => ({ ...i, by_type: i.by_type.slice(0, 1) }));
    const empty = areaTypeGapChart(single, areaTypeLegendName);
    await expect(renderChart(empty.spec, empty.data)).rejects.toThrow(/no data marks/);
  });

  it('segregation with RegSO beside DeSO: two lines, each named, the higher labelled above', async () => {
    const [d] = segregationExtrasFixture();
    if (!d) throw new Error('fixture changed');
    const chart = segregationLineChart(d, 'D');
    const r = await renderChart(chart.spec, chart.data);
    const lines = r.svg.match(/class="mark-line role-mark/g) ?? [];
    expect(lines.length).toBe(4); // DeSO, RegSO, and their expected values
    const t = texts(r.svg);
    expect(t).toContain('DeSO');
    expect(t).toContain('RegSO');
    expect(t).toContain('0,471');
    expect(t).toContain('0,457');
    expect(chart.id).toBe('seg-D-deso-utlandsk_bakgrund_svensk_bakgrund-regso');
  });

  it('match the reviewed specs and data (golden)', () => {
    const block = areaTypeBlockFixture();
    const charts = [areaTypePopulationChart(block, areaTypeLegendName), areaTypeGapChart(block.indicators.filter((i) => !i.index_component), areaTypeLegendName)];
    for (const c of charts) expectGolden(`charts/${c.id}.vl.json`, JSON.stringify({ spec: c.spec, data: c.data }, null, 2) + '\n');
  });
});

describe('breaks are drawn on every chart they cross, clear of other labels (issue 6)', () => {
  /** Text items with their box in the report font (width measured, height the font size), from Vega's SVG. */
  function textBoxes(svg: string): { text: string; x0: number; x1: number; y0: number; y1: number }[] {
    const { measure } = useReportFonts();
    return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].flatMap((m) => {
      const attrs = m[1] ?? '';
      const t = m[2] ?? '';
      const tr = /translate\(([-\d.]+),([-\d.]+)\)/.exec(attrs);
      if (!tr || t === '') return [];
      const x = Number(tr[1]);
      const y = Number(tr[2]);
      const size = Number(/font-size="([\d.]+)px"/.exec(attrs)?.[1] ?? 8.5);
      const w = measure(t, size);
      const anchor = /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start';
      const x0 = anchor === 'end' ? x - w : anchor === 'middle' ? x - w / 2 : x;
      return [{ text: t, x0, x1: x0 + w, y0: y - size, y1: y + 0.25 * size }];
    });
  }
  const overlaps = (a: { x0: number; x1: number; y0: number; y1: number }, b: typeof a): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

  const education = (breakYear: number, label: string): IndicatorBlock => ({
    id: 'edu',
    title_sv: 'Andel med eftergymnasial utbildning 25–65 år',
    unit: 'procent',
    higher_is_better: true,
    source: 'SCB TAB5956, TAB6534',
    caveats: [],
    series: [42.4, 43.1, 43.8, 44.5, 45.2, 45.9, 46.7, 47.4, 48.0].map((value, i) => ({ year: 2017 + i, value, status: null, area_version: 'riket' })),
    latest_year: 2025,
    by_kommun: [],
    by_lan: [],
    breaks: [{ year: breakYear, what: 'ny åldersgrupp', effect: 'nivån kan flytta sig', label }],
  });

  it('a definition break gets a rule between the years and its label; a series that ends before it gets none', async () => {
    const chart = indicatorLineChart(education(2024, 'Ny definition: 25–65 år'));
    expect(chart.data.breaks).toMatchObject([{ x: 2023.5, label: 'Ny definition: 25–65 år', row: 0 }]);
    const r = await renderChart(chart.spec, chart.data);
    expect(texts(r.svg)).toContain('Ny definition: 25–65 år');
    expect(markGroup(r.svg, 'mark-rule role-mark').match(/<line /g)).toHaveLength(1);
    const early = education(2024, 'x');
    early.series = early.series.filter((p) => p.year <= 2023);
    expect(indicatorLineChart(early).data.breaks).toEqual([]);
  });

  it('labels never cover the title, another break label, or run off the chart, wherever the break falls', async () => {
    for (const year of [2018, 2020, 2022, 2024, 2025]) {
      const block = education(year, 'Ny definition: 25–65 år');
      block.series = block.series.map((p) => ({ ...p, area_version: p.year >= 2024 ? 'DeSO2025' : 'DeSO2018' }));
      const chart = indicatorLineChart(block);
      const r = await renderChart(chart.spec, chart.data);
      const boxes = textBoxes(r.svg);
      const labels = boxes.filter((b) => b.text.startsWith('Ny '));
      expect(labels.length, String(year)).toBe(2);
      const title = boxes.find((b) => b.text === 'Procent');
      if (!title) throw new Error('no title');
      for (const l of labels) {
        expect(overlaps(l, title), `${year}: ${l.text} over the title`).toBe(false);
        expect(l.x0, `${year}: ${l.text}`).toBeGreaterThanOrEqual(-2);
        expect(l.x1, `${year}: ${l.text}`).toBeLessThanOrEqual(CHART_WIDTH + 8);
      }
      if (labels[0] && labels[1]) expect(overlaps(labels[0], labels[1]), `${year}: the two labels`).toBe(false);
    }
  });
});
