/**
 * Maps (specs.ts mapChart) and the comparison lines of kommun trend charts (indicatorLineChart with
 * comparison_series and similar): golden specs (the outlines are data, summarised here by their codes and classes,
 * not coordinates), the marks Vega draws, and the map drawn onto a PDF page through draw-chart.ts, rasterised with
 * pdftoppm: the areas must be painted in their class colours, not only the legend.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartNode, installChartDrawing } from '../../pipelines/charts/draw-chart.ts';
import { useReportFonts } from '../../pipelines/charts/fonts.ts';
import { renderChart, renderChartScene } from '../../pipelines/charts/render-chart.ts';
import { CHART_WIDTH, indicatorLineChart, mapChart, type ChartDef } from '../../pipelines/charts/specs.ts';
import { kommunMaps, loadBoundaries } from '../../pipelines/report/maps.ts';
import type { IndicatorBlock, MapBlock, SegregationBlock } from '../../pipelines/report/model.ts';
import { areaTypeLegendName } from '../../pipelines/report/summary.ts';
import { expectGolden } from '../fixtures/expect-golden.ts';
import { reportModelFixture, withComparisons } from '../fixtures/report-model.ts';

const require = createRequire(import.meta.url);
const DATA = join(new URL('../..', import.meta.url).pathname, 'data');
const dir = mkdtempSync(join(tmpdir(), 'segfollow-map-chart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Stockholms län: its 26 kommuner with made-up values, one missing; D for all. */
function lanMaps(): MapBlock[] {
  const b = loadBoundaries(DATA);
  const kommuner = [...b.kommuner.entries()].filter(([code]) => code.startsWith('01')).sort(([a], [c]) => (a < c ? -1 : 1));
  const by_kommun = kommuner.map(([code, k], i) => ({ code, name: k.name, lan_code: '01', value: code === '0180' ? null : 70 + i * 0.7, status: code === '0180' ? '..' : null }));
  const ind = { id: 'employment_rate_20_64', title_sv: 'Sysselsättningsgrad 20–64 år', unit: 'procent', source: 'SCB', latest_year: 2024, by_kommun } as unknown as IndicatorBlock;
  const seg = {
    measure: 'D',
    groups: 'utländsk bakgrund / svensk bakgrund',
    series: [{ year: 2025, value: 0.3, n_units: 2, status: 'ok' }],
    by_kommun: kommuner.map(([code, k], i) => ({ code, name: k.name, value: 0.1 + i * 0.01, status: 'ok' })),
  } as unknown as SegregationBlock;
  return kommunMaps({ level: 'lan', code: '01', name: 'Stockholms län' }, [{ policy_area: 'arbete', title_sv: 'Arbete', indicators: [ind] }], [seg], b);
}

/** The chart with each outline replaced by its number of points: the golden shows shape, classes and codes. */
function summarised(c: ChartDef): string {
  const data = Object.fromEntries(
    Object.entries(c.data).map(([name, rows]) => [
      name,
      rows.map((r) => {
        const g = r.geometry as { type: string; coordinates: unknown } | undefined;
        return g ? { ...r, geometry: `${g.type} (${JSON.stringify(g.coordinates).split('],[').length} points)` } : r;
      }),
    ]),
  );
  return JSON.stringify({ spec: c.spec, data }, null, 2) + '\n';
}

describe('mapChart', () => {
  it('two maps side by side: every kommun filled by its class, the missing one white, one legend per map (golden)', async () => {
    const maps = lanMaps();
    const chart = mapChart(maps, areaTypeLegendName);
    expectGolden('charts/map-kommun-employment_rate_20_64+kommun-D.vl.json', summarised(chart));
    const r = await renderChart(chart.spec, chart.data);
    // 26 + 26 areas (the legend symbols are not data marks).
    expect(r.markItems).toBe(52);
    expect(r.svg).not.toContain('NaN');
    const rows = chart.data.areas0 ?? [];
    expect(rows.find((x) => x.code === '0180')?.cls).toBe('Värde saknas (1)');
    expect(new Set(rows.map((x) => x.cls)).size).toBe(6);
    expect(r.svg).toContain('Procent 2024');
    expect(r.svg).toContain('Index (0–1) 2025');
  });

  it('drawn onto a PDF page through draw-chart.ts, the areas are painted (pdftoppm), not just the legend', async () => {
    const maps = lanMaps();
    const only = [{ ...maps[0], areas: (maps[0]?.areas ?? []).map((a) => ({ ...a, value: 90 })) } as MapBlock];
    const chart = mapChart(only, areaTypeLegendName);
    const scene = await renderChartScene(chart.spec, chart.data);
    const fonts = useReportFonts();
    const pm = require('pdfmake') as {
      setFonts(f: unknown): void;
      setUrlAccessPolicy(p: (u: string) => boolean): void;
      setLocalAccessPolicy(p: (path: string) => boolean): void;
      createPdf(dd: unknown): { getBuffer(): Promise<Buffer> };
    };
    installChartDrawing((require('pdfmake/js/Renderer.js') as { default: { prototype: object } }).default, fonts.family);
    pm.setFonts({ [fonts.family]: fonts.paths });
    pm.setUrlAccessPolicy(() => false);
    pm.setLocalAccessPolicy((path) => Object.values(fonts.paths).includes(path));
    const pdf = join(dir, 'map.pdf');
    const dd = { pageSize: { width: CHART_WIDTH + 40, height: scene.height + 40 }, pageMargins: [20, 20, 20, 20], content: [chartNode(scene, CHART_WIDTH)], defaultStyle: { font: fonts.family } };
    writeFileSync(pdf, await pm.createPdf(dd).getBuffer());
    execFileSync('pdftoppm', ['-r', '50', '-png', '-singlefile', pdf, join(dir, 'map')]);
    // A single class: every kommun in the one class colour (#41b6c4), so many pixels of it must be on the page.
    const png = readFileSync(join(dir, 'map.png'));
    const ppm = execFileSync('pdftoppm', ['-r', '50', '-singlefile', pdf]);
    const pixels = countColour(ppm, [0x41, 0xb6, 0xc4]);
    expect(png.length).toBeGreaterThan(0);
    expect(pixels).toBeGreaterThan(2000);
  });
});

/** Pixels of a P6 PPM within 12 of the colour per channel. */
function countColour(ppm: Buffer, rgb: [number, number, number]): number {
  const header = ppm.toString('latin1', 0, 64).match(/^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!header) throw new Error('not a PPM');
  let n = 0;
  for (let i = header[0].length; i + 2 < ppm.length; i += 3) {
    if (Math.abs((ppm[i] ?? 0) - rgb[0]) < 12 && Math.abs((ppm[i + 1] ?? 0) - rgb[1]) < 12 && Math.abs((ppm[i + 2] ?? 0) - rgb[2]) < 12) n++;
  }
  return n;
}

describe('a kommun trend chart with its län, riket and similar kommuner', () => {
  function kommunBlock(): IndicatorBlock {
    const m = reportModelFixture();
    const b = m.chapters.find((c) => c.policy_area === 'arbete')?.indicators[0];
    if (!b) throw new Error('fixture changed');
    return withComparisons(b, 'Liknande kommuner, övergripande, Stockholm, 2025');
  }

  it('draws the län and riket lines (legend under the plot) and the band under the own line (golden)', async () => {
    const chart = indicatorLineChart(kommunBlock());
    expectGolden('charts/line-employment_rate_20_64-comparisons.vl.json', JSON.stringify({ spec: chart.spec, data: chart.data }, null, 2) + '\n');
    const series = new Set((chart.data.comparisons ?? []).map((r) => r.series));
    expect([...series]).toEqual(['Stockholms län', 'Riket']);
    expect((chart.data.band ?? []).length).toBeGreaterThan(0);
    const r = await renderChart(chart.spec, chart.data);
    // The own line, and the län's and riket's (one line mark per series in the comparison layer).
    expect(r.svg.match(/class="mark-line role-mark/g)?.length).toBe(3);
    expect(r.svg).toContain('mark-area role-mark');
    expect(r.svg).toContain('Stockholms län');
    expect(r.svg).toContain('Riket');
  });

  it('without comparisons the chart is the plain one', () => {
    const b = kommunBlock();
    const plain = indicatorLineChart({ ...b, comparison_series: undefined, similar: undefined } as IndicatorBlock);
    expect(Object.keys(plain.data).sort()).toEqual(['breaks', 'values']);
  });
});
