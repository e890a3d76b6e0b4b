/**
 * Parsed chart specs held per thread (pipelines/charts/render-chart.ts): a chart drawn from a held parse is the chart
 * a fresh compile and parse draws, whatever rows it is given, and a spec that differs is parsed anew.
 */
import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { forgetParsedCharts, parsedChartSpecs, renderChart } from '../../pipelines/charts/render-chart.ts';

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
