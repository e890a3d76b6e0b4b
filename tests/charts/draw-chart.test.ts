/**
 * Charts drawn straight onto the PDF page (draw-chart.ts + pdf-canvas.ts) against the SVG route they replace
 * (Vega → SVG → pdfmake's svg-to-pdfkit): each chart is put on a page both ways, both pages are rasterised with
 * poppler's pdftoppm and compared pixel by pixel. The two routes anti-alias curves a little differently and place
 * glyphs within 0.2 pt of each other, so a few pixels at edges differ; a missing, moved, recoloured or resized
 * element changes thousands. Needs poppler-utils (Debian package) for pdftoppm and pdftotext.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartNode, installChartDrawing } from '../../pipelines/charts/draw-chart.ts';
import { useReportFonts } from '../../pipelines/charts/fonts.ts';
import { renderChart, renderChartScene, type ChartData } from '../../pipelines/charts/render-chart.ts';
import {
  CHART_WIDTH,
  areaTypeGapChart,
  areaTypePopulationChart,
  indicatorLineChart,
  kommunSpreadChart,
  segregationLineChart,
  type ChartDef,
} from '../../pipelines/charts/specs.ts';
import { areaTypeLegendName, measureLabel } from '../../pipelines/report/summary.ts';
import { areaTypeBlockFixture, reportModelFixture, segregationExtrasFixture } from '../fixtures/report-model.ts';

const require = createRequire(import.meta.url);

interface PdfMake {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  createPdf(dd: unknown): { getBuffer(): Promise<Buffer> };
}

const hasPoppler = spawnSync('pdftoppm', ['-v']).error === undefined;
const dir = mkdtempSync(join(tmpdir(), 'segfollow-draw-chart-'));
afterAll(() => { if (!process.env.SEGFOLLOW_DRAW_DEBUG) rmSync(dir, { recursive: true, force: true }); });

function pdfmake(): PdfMake {
  const pm = require('pdfmake') as PdfMake;
  const fonts = useReportFonts();
  installChartDrawing((require('pdfmake/js/Renderer.js') as { default: { prototype: object } }).default, fonts.family);
  pm.setFonts({ [fonts.family]: fonts.paths });
  pm.setUrlAccessPolicy(() => false);
  pm.setLocalAccessPolicy((path) => Object.values(fonts.paths).includes(path));
  return pm;
}

async function onePage(node: unknown, height: number): Promise<Buffer> {
  const dd = {
    pageSize: { width: CHART_WIDTH + 40, height: height + 40 },
    pageMargins: [20, 20, 20, 20],
    content: [node],
    defaultStyle: { font: useReportFonts().family },
  };
  return pdfmake().createPdf(dd).getBuffer();
}

/** 8-bit grey raster of page 1 (PGM from pdftoppm). */
function raster(pdf: Buffer, name: string, dpi = 150): { width: number; height: number; pixels: Uint8Array } {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-singlefile', file, join(dir, name)]);
  const pgm = readFileSync(join(dir, `${name}.pgm`));
  // "P5\n<w> <h>\n255\n" then the bytes.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.toString('latin1', 0, 64));
  if (!header) throw new Error('pdftoppm wrote no PGM');
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, pixels: new Uint8Array(pgm.subarray(header[0].length, header[0].length + width * height)) };
}

function compare(a: ReturnType<typeof raster>, b: ReturnType<typeof raster>): { differing: number; inkA: number; inkB: number; total: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let differing = 0;
  let inkA = 0;
  let inkB = 0;
  for (let i = 0; i < a.pixels.length; i++) {
    const x = a.pixels[i] as number;
    const y = b.pixels[i] as number;
    // More than a tenth of the grey range apart (ImageMagick's "fuzz 10 %").
    if (Math.abs(x - y) > 25) differing++;
    if (x < 200) inkA++;
    if (y < 200) inkB++;
  }
  return { differing, inkA, inkB, total: a.pixels.length };
}

function text(pdf: Buffer, name: string): string {
  const file = join(dir, `${name}.txt.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}

function charts(): ChartDef[] {
  const m = reportModelFixture();
  const employment = m.chapters.flatMap((c) => c.indicators).find((b) => b.by_kommun.length > 0);
  const seg = m.segregation[0];
  const [withRegso] = segregationExtrasFixture();
  if (!employment || !seg || !withRegso) throw new Error('fixture changed');
  const types = areaTypeBlockFixture();
  return [
    indicatorLineChart(employment),
    kommunSpreadChart(employment, { name: 'Riket', value: 81.0 }),
    segregationLineChart(seg, measureLabel(seg.measure)),
    segregationLineChart(withRegso, 'D'),
    areaTypePopulationChart(types, areaTypeLegendName),
    areaTypeGapChart(
      types.indicators.filter((i) => !i.index_component),
      areaTypeLegendName,
    ),
  ];
}

describe('charts drawn straight onto the PDF page', () => {
  it('poppler-utils (pdftoppm, pdftotext) is installed: apt-get install -y poppler-utils', () => {
    expect(hasPoppler).toBe(true);
  });

  describe.runIf(hasPoppler).each(charts().map((c) => [c.id, c] as const))('%s', (id, chart) => {
    it('looks like the SVG route: under 0.5 % of pixels differ, the same ink, the same text', async () => {
      const data: ChartData = chart.data;
      const svg = await renderChart(chart.spec, data);
      const scene = await renderChartScene(chart.spec, data);
      const size = /<svg[^>]* width="([\d.]+)" height="([\d.]+)"/.exec(svg.svg);
      expect([scene.width, scene.height]).toEqual([Number(size?.[1]), Number(size?.[2])]);
      expect(scene.markItems).toBe(svg.markItems);
      const height = (CHART_WIDTH * scene.height) / scene.width;
      const viaSvg = await onePage({ svg: svg.svg, width: CHART_WIDTH }, height);
      const direct = await onePage(chartNode(scene, CHART_WIDTH), height);
      const d = compare(raster(viaSvg, `${id}-svg`), raster(direct, `${id}-direct`));
      // A chart, not a blank page: a few thousand dark pixels at least.
      expect(d.inkA).toBeGreaterThan(2000);
      expect(Math.abs(d.inkB - d.inkA) / d.inkA).toBeLessThan(0.02);
      if (process.env.SEGFOLLOW_DRAW_DEBUG) console.log(id, d, dir);
      expect(d.differing / d.total).toBeLessThan(0.005);
      // Text stays text, with å ä ö and the minus sign extractable, in the same words.
      const words = (s: string): string[] => s.split(/\s+/).filter(Boolean).sort();
      expect(words(text(direct, `${id}-direct`))).toEqual(words(text(viaSvg, `${id}-svg`)));
    });
  });

  it('a chart moved by 2 pt is caught by the comparison (the check can fail)', async () => {
    const chart = charts()[0] as ChartDef;
    const scene = await renderChartScene(chart.spec, chart.data);
    const height = (CHART_WIDTH * scene.height) / scene.width;
    const a = await onePage(chartNode(scene, CHART_WIDTH), height);
    const b = await onePage({ ...chartNode(scene, CHART_WIDTH), margin: [2, 0, 0, 0] }, height);
    if (!hasPoppler) return;
    const d = compare(raster(a, 'shift-a'), raster(b, 'shift-b'));
    expect(d.differing / d.total).toBeGreaterThan(0.005);
  });
});
