/**
 * The area-type charts a kommun without both type 1 and type 5 gets (pipelines/charts/specs.ts): the trends by type
 * (one panel per indicator, one line per type present) and the gap chart's tick at the rest of the kommun. Rendered
 * through Vega, which fails on any warning.
 */
import { describe, expect, it } from 'vitest';
import { areaTypeGapChart, areaTypeTrendChart, areaTypeTrendIndicators } from '../../pipelines/charts/specs.ts';
import { renderChart } from '../../pipelines/charts/render-chart.ts';
import { areaTypeLegendName } from '../../pipelines/report/summary.ts';
import { areaTypeBlockFixture } from '../fixtures/report-model.ts';
import { malmoLike } from '../fixtures/area-type-kommuner.ts';

function markGroups(svg: string, cls: string): string[] {
  const out: string[] = [];
  let at = svg.indexOf(`class="${cls}`);
  while (at >= 0) {
    out.push(svg.slice(at, svg.indexOf('</g>', at)));
    at = svg.indexOf(`class="${cls}`, at + 1);
  }
  return out;
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
}

describe('areaTypeTrendChart', () => {
  it('draws one panel per indicator with a series and one line per type present', async () => {
    const block = malmoLike();
    const chart = areaTypeTrendChart(block.indicators, areaTypeLegendName);
    expect(chart.id).toBe('area-type-trends');
    // Types 1–4 (Malmö-like has no type 5): 2 indicators × 4 types × 8 years.
    const rows = chart.data.values ?? [];
    expect(rows).toHaveLength(2 * 4 * 8);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['Typ 1|stora utmaningar', 'Typ 2|utmaningar', 'Typ 3|blandade', 'Typ 4|goda förutsättningar']));
    const r = await renderChart(chart.spec, chart.data);
    // One line path per type and panel.
    const lines = markGroups(r.svg, 'mark-line role-mark').reduce((n, g) => n + (g.match(/<path /g)?.length ?? 0), 0);
    expect(lines).toBe(2 * 4);
    const t = texts(r.svg);
    expect(t).toContain('Sysselsättningsgrad 20–64 år');
    expect(t).not.toContain('Typ 5');
    expect(t.join(' ')).not.toMatch(/mycket goda/);
  });

  it('draws a dashed rule in every panel where the series crosses a new RegSO division, and none where it does not', async () => {
    const block = malmoLike();
    const years = [...new Set(block.indicators.flatMap((i) => (i.trend ?? []).map((p) => p.year)))].sort((a, b) => a - b);
    const inside = years[years.length - 1] ?? 0;
    const chart = areaTypeTrendChart(block.indicators, areaTypeLegendName, [inside, (years[0] ?? 0) - 3]);
    const rules = (chart.data.values ?? []).filter((r) => r.break_x !== undefined);
    // One rule per panel (two indicators), halfway before the first year on the new division; the break before the
    // series is not drawn.
    expect(rules.map((r) => r.break_x)).toEqual([inside - 0.5, inside - 0.5]);
    expect(new Set(rules.map((r) => r.panel)).size).toBe(2);
    const r = await renderChart(chart.spec, chart.data);
    const ruleMarks = markGroups(r.svg, 'mark-rule role-mark').reduce((n, g) => n + (g.match(/<line /g)?.length ?? g.match(/<path /g)?.length ?? 0), 0);
    expect(ruleMarks).toBe(2);
    // The lines are still one per type and panel: rule rows never become a line of their own.
    const lines = markGroups(r.svg, 'mark-line role-mark').reduce((n, g) => n + (g.match(/<path /g)?.length ?? 0), 0);
    expect(lines).toBe(2 * 4);
    const none = areaTypeTrendChart(block.indicators, areaTypeLegendName);
    expect((none.data.values ?? []).some((row) => row.break_x !== undefined)).toBe(false);
  });

  it('leaves out indicators without two types of two years each, and a withheld value breaks its line instead of being drawn as 0', async () => {
    const block = areaTypeBlockFixture();
    const inds = block.indicators.filter((i) => !i.index_component);
    // Keep only type 1 for employment: one type is nothing to compare over time.
    const emp = inds.find((i) => i.id === 'employment_rate_20_64');
    if (!emp) throw new Error('fixture changed');
    const oneType = { ...emp, trend: (emp.trend ?? []).filter((p) => p.area_type === 1) };
    expect(areaTypeTrendIndicators([oneType])).toEqual([]);
    // A withheld year in the middle of type 5 unemployment.
    const une = inds.find((i) => i.id === 'unemployment_rate_20_64');
    if (!une) throw new Error('fixture changed');
    const gap = { ...une, trend: (une.trend ?? []).map((p) => (p.area_type === 5 && p.year === 2020 ? { ...p, value: null, status: 'suppressed' } : p)) };
    const chart = areaTypeTrendChart([gap], areaTypeLegendName);
    const withheld = (chart.data.values ?? []).find((r) => r.year === 2020 && r.type === 'Typ 5|mycket goda förutsättningar');
    expect(withheld?.value).toBeNull();
    const r = await renderChart(chart.spec, chart.data);
    // Five types, type 5's line in two pieces (a path with two M commands).
    const paths = markGroups(r.svg, 'mark-line role-mark').flatMap((g) => [...g.matchAll(/<path [^>]*d="([^"]*)"/g)].map((m) => m[1] ?? ''));
    expect(paths).toHaveLength(5);
    expect(paths.filter((d) => (d.match(/M/g) ?? []).length === 2)).toHaveLength(1);
  });
});

describe('areaTypeGapChart for the lowest type against the rest', () => {
  it('marks the rest of the kommun with a tick at the rule\'s end; type 1 vs type 5 has no tick', async () => {
    const rest = areaTypeGapChart(malmoLike().indicators, areaTypeLegendName);
    const r = await renderChart(rest.spec, rest.data);
    expect(markGroups(r.svg, 'mark-rect role-mark').reduce((n, g) => n + (g.match(/<path /g)?.length ?? 0), 0)).toBe(2);
    expect(rest.data.gaps?.map((g) => g.v5)).toEqual([78.6, 5.1]);
    const both = areaTypeGapChart(areaTypeBlockFixture().indicators.filter((i) => !i.index_component), areaTypeLegendName);
    expect(JSON.stringify(both.spec)).not.toContain('"tick"');
  });
});
