/**
 * Parsed chart specs held per thread (pipelines/charts/render-chart.ts): a chart drawn from a held parse is the chart
 * a fresh compile and parse draws, whatever rows it is given, and a spec that differs is parsed anew. Template charts
 * that differ only in their texts share one parse of their shape, and draw what a parse of their own draws; charts
 * drawn with the expression functions shared between Views draw what Vega's own code generator draws (the first
 * chart after forgetParsedCharts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { chartCompiles, forgetParsedCharts, parsedChartSpecs, renderChart, renderChartScene } from '../../pipelines/charts/render-chart.ts';
import { indicatorPanelsChart, kommunRankChart } from '../../pipelines/charts/specs.ts';
import { chartShape } from '../../pipelines/charts/templates.ts';
import type { IndicatorBlock } from '../../pipelines/report/model.ts';
import { reportModelFixture, withComparisons } from '../fixtures/report-model.ts';

const spec = (title: string): TopLevelSpec => ({
  description: title,
  title,
  width: 300,
  height: 120,
  data: { name: 'values' },
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'year', type: 'ordinal', title: 'År' },
    y: { field: 'value', type: 'quantitative', title: 'Procent' },
    color: { field: 'series', type: 'nominal', title: null },
  },
});
const rows = (base: number) =>
  [2019, 2020, 2021, 2022].flatMap((year, i) => [
    { year, value: base + i * 1.5, series: 'Kommunen' },
    { year, value: base - 3 + i, series: 'Riket' },
  ]);

describe('parsed chart specs', () => {
  it('draws from a held parse exactly what a fresh parse draws, for other rows too', async () => {
    forgetParsedCharts();
    const first = await renderChart(spec('Andel i arbete'), { values: rows(60) });
    expect(parsedChartSpecs()).toBe(1);
    // The same spec with other rows: the held parse, no new one.
    const held = await renderChart(spec('Andel i arbete'), { values: rows(70) });
    expect(parsedChartSpecs()).toBe(1);
    forgetParsedCharts();
    const fresh = await renderChart(spec('Andel i arbete'), { values: rows(70) });
    expect(held.svg).toBe(fresh.svg);
    expect(held.svg).not.toBe(first.svg);
    // And the first rows again through the parse the second chart left.
    expect((await renderChart(spec('Andel i arbete'), { values: rows(60) })).svg).toBe(first.svg);
  });

  it('parses a spec that differs anew', async () => {
    forgetParsedCharts();
    await renderChart(spec('Andel i arbete'), { values: rows(60) });
    const other = await renderChart(spec('Andel arbetslösa'), { values: rows(60) });
    expect(parsedChartSpecs()).toBe(2);
    expect(other.svg).toContain('Andel arbetslösa');
    expect(other.svg).not.toContain('Andel i arbete');
  });
});

/** One policy area's panels for kommun `own` in län `lan`: the same shape for every kommun, other texts. */
function panels(own: string, lan: string): ReturnType<typeof indicatorPanelsChart> {
  const blocks = reportModelFixture().chapters.flatMap((c) => c.indicators).slice(0, 3);
  const withLan = (b: IndicatorBlock): IndicatorBlock => {
    const c = withComparisons(b);
    return { ...c, comparison_series: (c.comparison_series ?? []).map((s) => (s.level === 'lan' ? { ...s, name: lan } : s)) };
  };
  return indicatorPanelsChart(blocks.map(withLan), own);
}

describe('compiled chart shapes', () => {
  it('gives a template chart the shape of its spec with every text of the code as a token', () => {
    const chart = panels('Malmö', 'Skåne län');
    const shape = chartShape(chart.spec);
    expect(shape?.texts).toContain('Malmö');
    expect(shape?.texts).toContain('Skåne län');
    expect(JSON.stringify(shape?.spec)).not.toContain('Malmö');
    // The same shape for another kommun; a spec not made by a template has none.
    expect(JSON.stringify(chartShape(panels("Upplands Väsby", 'Stockholms län').spec)?.spec)).toBe(JSON.stringify(shape?.spec));
    expect(chartShape(spec('Andel i arbete'))).toBeUndefined();
  });

  it('draws from a compiled shape exactly what a compile of the chart itself draws', async () => {
    forgetParsedCharts();
    // The first two charts of a shape are compiled whole (the second also as the shape, checked against its own);
    // from the third on the shape's compile serves, with the chart's texts put in.
    const kommuner = [
      ['Malmö', 'Skåne län'],
      ['Göteborg', 'Västra Götalands län'],
      ['Upplands Väsby', 'Stockholms län'],
      ["Kommun med 'citat' och \"dubbla\"", 'Örebro län'],
    ] as const;
    const held = [];
    for (const [own, lan] of kommuner) {
      const c = panels(own, lan);
      held.push(await renderChart(c.spec, c.data));
    }
    expect(chartCompiles()).toEqual({ reused: 2, compiled: 2 });
    for (const [i, [own, lan]] of kommuner.entries()) {
      forgetParsedCharts();
      const c = panels(own, lan);
      const fresh = await renderChart(c.spec, c.data);
      expect(chartCompiles()).toEqual({ reused: 0, compiled: 1 });
      expect(held[i]?.svg).toBe(fresh.svg);
      expect(fresh.svg).toContain(own.replace(/'/g, '&#39;').replace(/"/g, '&quot;').split(' ')[0]);
    }
  });

  it('compiles a chart whose spec was changed after the template filled it whole', async () => {
    forgetParsedCharts();
    const block = reportModelFixture().chapters.flatMap((c) => c.indicators).find((b) => b.by_kommun.filter((k) => k.value !== null).length >= 3);
    if (!block) throw new Error('fixture has no indicator with kommun values');
    for (const name of ['Malmö', 'Göteborg', 'Lund']) {
      const c = kommunRankChart(block, { name, value: block.by_kommun.find((k) => k.value !== null)?.value ?? null });
      (c.spec as { description?: string }).description = `${name} ändrad`;
      const scene = await renderChartScene(c.spec, c.data);
      expect(scene.markItems).toBeGreaterThan(0);
    }
    expect(chartCompiles()).toEqual({ reused: 0, compiled: 3 });
  });
});
