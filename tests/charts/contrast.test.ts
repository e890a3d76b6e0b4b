/**
 * WCAG 2.1 contrast of every colour the report's charts draw with (success criteria 1.4.3 and 1.4.11): text at
 * least 4.5:1 against what it is drawn on, graphical marks at least 3:1 against the chart background (a filled mark
 * also passes by an outline that reaches 3:1, WCAG's "boundary" of a graphical object). The colours are read from the
 * charts themselves: the scenegraphs of every chart in a riket, a län and a kommun report, plus a kommun trend chart
 * with its län and riket lines and the similar-kommun band (the report fixtures have no comparison series), as Vega
 * hands them to the PDF, with each item's opacity blended over the background. Every colour named in the chart
 * templates (templates/charts/*.json: the palette in style.json and any colour written in a template) must be among the colours drawn and checked, so a new colour cannot
 * escape the test. Exemptions are listed below with the reason.
 *
 * The similar-kommun band is a graphical object needed to understand the chart (it is the range the kommun's own
 * line is read against, and its values are printed nowhere in the chart), so it needs 3:1 (1.4.11). It keeps its
 * light fill, so the lines drawn over it keep their own contrast, and meets 3:1 by its outline.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { color as parseColor } from 'd3-color';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCENT, AREA_TYPE_COLORS, CHART_CONFIG, MUTED, SECOND, areaTypePopulationChart, indicatorLineChart } from '../../pipelines/charts/specs.ts';
import { renderChartScene, type ChartScene } from '../../pipelines/charts/render-chart.ts';
import { areaTypeBlockFixture, reportModelFixture, withComparisons } from '../fixtures/report-model.ts';
import { buildReportPdf } from '../../pipelines/report/build-pdf.ts';
import { KINDS, model } from '../report/tagging/reports.ts';
import { pdfmake } from '../report/tagging/synthetic.ts';

const require = createRequire(import.meta.url);

/** WCAG 2.1 relative luminance of an sRGB colour. */
function luminance(rgb: readonly [number, number, number]): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function rgbOf(css: string): [number, number, number] {
  const c = parseColor(css)?.rgb();
  if (!c) throw new Error(`not a colour: ${css}`);
  return [c.r, c.g, c.b];
}

/** The colour as seen: `css` at `alpha` over `under`. */
function blend(css: string, alpha: number, under: string): [number, number, number] {
  const a = Math.min(1, Math.max(0, alpha * ((parseColor(css) as { opacity?: number } | null)?.opacity ?? 1)));
  const [r, g, b] = rgbOf(css);
  const [R, G, B] = rgbOf(under);
  return [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
}

function contrast(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

interface SceneItem {
  fill?: string;
  stroke?: string;
  strokeWidth?: number;
  opacity?: number;
  fillOpacity?: number;
  strokeOpacity?: number;
  text?: unknown;
  datum?: Record<string, unknown>;
  items?: SceneMark[];
}
interface SceneMark {
  marktype: string;
  role?: string;
  name?: string;
  items: SceneItem[];
}

/**
 * Marks that may stay below 3:1, and why: grid lines are decoration (the axis labels carry the values). White
 * separators between stacked bar segments and white map areas without a value (bounded by their outline) draw
 * nothing to see and are skipped in check().
 */
const EXEMPT: { why: string; test: (m: SceneMark, i: SceneItem) => boolean }[] = [{ why: 'grid lines', test: (m) => m.role === 'axis-grid' }];

/**
 * Below the threshold and not exempt: known shortfalls, listed so that the test fails on any other and on one that
 * is fixed (then remove it here). The segment of residents in RegSO without an area type (#d9d9d9, 1.41:1 on white; its bar segment and legend symbol)
 * is data, so it needs 3:1; a grey that reaches 3:1 would be hard to tell from type 3's #8c8c8c, so the fix is a
 * design choice for the chart's owner (pipelines/charts/specs.ts). Its share is printed on it where it is 7 % or
 * more, and is in the table and the appendix. README "Accessible PDFs" names it.
 */
const KNOWN_BELOW = ['rect (mark) #d9d9d9 1.41:1', 'symbol (legend-symbol) #d9d9d9 1.41:1'];

interface Finding {
  chart: number;
  what: string;
  colour: string;
  ratio: number;
}

const scenes: ChartScene[] = [];
let dir: string;

beforeAll(async () => {
  // The report's pdfmake set-up (chart hook, tagging), then a recorder around the drawing of every chart node.
  pdfmake();
  const Renderer = (require('pdfmake/js/Renderer.js') as { default: { prototype: { renderSVG(n: unknown): void } } }).default;
  const draw = Renderer.prototype.renderSVG;
  Renderer.prototype.renderSVG = function record(this: unknown, node: unknown): void {
    const chart = (node as { chart?: ChartScene }).chart;
    if (chart) scenes.push(chart);
    draw.call(this, node);
  };
  dir = mkdtempSync(join(tmpdir(), 'segfollow-contrast-'));
  try {
    for (const kind of KINDS) await buildReportPdf(model(kind), join(dir, `${kind}.pdf`), { tagged: false });
  } finally {
    Renderer.prototype.renderSVG = draw;
  }
  // A kommun's trend chart with its län, riket and the similar-kommun band, which the report fixtures do not draw.
  const b = reportModelFixture().chapters.flatMap((c) => c.indicators).find((i) => i.series.filter((p) => p.value !== null).length > 3);
  if (!b) throw new Error('fixture changed: no indicator with a series');
  const block = withComparisons(b);
  const chart = indicatorLineChart(block);
  if (!chart.data.band?.length) throw new Error('the comparison chart has no band');
  scenes.push(await renderChartScene(chart.spec, chart.data));
  // The residents by area type with a share in RegSO without a type (its own colour), which the fixtures lack.
  const types = areaTypeBlockFixture();
  const untyped = types.population.filter((r) => r.area_type === 5).map((r) => ({ ...r, area_type: null, share: 9 }));
  const population = areaTypePopulationChart({ ...types, population: [...types.population, ...untyped] }, (t) => `Typ ${t}`);
  scenes.push(await renderChartScene(population.spec, population.data));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(scene: ChartScene, index: number, exempted: Set<string>): Finding[] {
  const bg = scene.background ?? 'white';
  const out: Finding[] = [];
  // Fill of each stacked-bar segment by its area type, for the labels drawn on it.
  const barFill = new Map<unknown, string>();
  const walk = (mark: SceneMark, visit: (m: SceneMark, i: SceneItem) => void): void => {
    for (const item of mark.items ?? []) {
      visit(mark, item);
      for (const child of item.items ?? []) walk(child, visit);
    }
  };
  const root = scene.root as SceneMark;
  walk(root, (m, i) => {
    if (m.marktype === 'rect' && i.fill && i.datum && 'type' in i.datum) barFill.set(i.datum.type, i.fill);
  });
  walk(root, (m, i) => {
    const alpha = i.opacity ?? 1;
    if (m.marktype === 'text') {
      if (!i.fill || i.text === undefined || String(i.text).trim() === '') return;
      const under = i.datum && 'type' in i.datum && rgbOf(i.fill).every((c) => c === 255) ? barFill.get(i.datum.type) : undefined;
      const ratio = contrast(blend(i.fill, alpha * (i.fillOpacity ?? 1), under ?? bg), rgbOf(under ?? bg));
      if (ratio < 4.5) out.push({ chart: index, what: `text "${String(i.text).slice(0, 30)}"${under ? ` on ${under}` : ''}`, colour: i.fill, ratio });
      return;
    }
    if (m.marktype === 'group') return;
    const exempt = EXEMPT.find((e) => e.test(m, i));
    const strokeRatio = i.stroke && (i.strokeWidth ?? 1) > 0 ? contrast(blend(i.stroke, alpha * (i.strokeOpacity ?? 1), bg), rgbOf(bg)) : 0;
    const fillRatio = i.fill && i.fill !== 'transparent' ? contrast(blend(i.fill, alpha * (i.fillOpacity ?? 1), bg), rgbOf(bg)) : 0;
    if (Math.max(strokeRatio, fillRatio) >= 3) return;
    // A white or missing fill with no visible outline draws nothing to see (separators, empty map areas).
    const colour = i.fill && fillRatio > 0 ? i.fill : (i.stroke ?? '');
    if (!colour || contrast(rgbOf(colour), rgbOf(bg)) === 1) return;
    if (exempt) {
      exempted.add(exempt.why);
      return;
    }
    out.push({ chart: index, what: `${m.marktype}${m.role ? ` (${m.role})` : ''}`, colour, ratio: Math.max(strokeRatio, fillRatio) });
  });
  return out;
}

const hex = (css: string): string => `#${rgbOf(css).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** Every fill and stroke colour a scene draws (text included), as #rrggbb. */
function drawnColours(scene: ChartScene): Set<string> {
  const out = new Set<string>();
  const walk = (mark: SceneMark): void => {
    for (const item of mark.items ?? []) {
      for (const c of [item.fill, item.stroke]) if (c && c !== 'transparent' && parseColor(c)) out.add(hex(c));
      for (const child of item.items ?? []) walk(child);
    }
  };
  walk(scene.root as SceneMark);
  if (scene.background) out.add(hex(scene.background));
  return out;
}

/** Colours the templates name that no test chart draws, and why that is right. */
const UNDRAWN: Readonly<Record<string, string>> = {};

describe('chart colours', () => {
  it('checks every colour the chart templates name: each is drawn in one of the charts above', () => {
    const dir = new URL('../../templates/charts/', import.meta.url);
    const source = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    const named = new Set([...source.matchAll(/"(#[0-9a-fA-F]{3,8}|white|black)"/g)].map((m) => hex(m[1] ?? '')));
    expect(named.size).toBeGreaterThan(10);
    const drawn = new Set(scenes.flatMap((s) => [...drawnColours(s)]));
    expect([...named].filter((c) => !drawn.has(c) && !UNDRAWN[c])).toEqual([]);
  });

  it('has the charts of all three report kinds', () => {
    expect(scenes.length).toBeGreaterThan(20);
  });

  it('meets 4.5:1 for text and 3:1 for marks in every chart drawn', () => {
    const exempted = new Set<string>();
    const findings = scenes.flatMap((s, i) => check(s, i, exempted));
    const summary = [...new Map(findings.map((f) => [`${f.what.replace(/"[^"]*"/, '"…"')} ${f.colour}`, f])).values()].map((f) => `${f.what} ${f.colour} ${f.ratio.toFixed(2)}:1`);
    expect(summary).toEqual(KNOWN_BELOW);
    // Every exemption is in use (a stale one would hide nothing, or the wrong thing).
    expect([...exempted].sort()).toEqual(EXEMPT.map((e) => e.why).sort());
  });

  it('keeps the palette constants above the thresholds', () => {
    const white = rgbOf('white');
    for (const c of [ACCENT, SECOND, MUTED, ...AREA_TYPE_COLORS]) expect(contrast(rgbOf(c), white), c).toBeGreaterThanOrEqual(3);
    for (const c of [CHART_CONFIG.axis?.labelColor, CHART_CONFIG.axis?.titleColor, CHART_CONFIG.title?.color, MUTED, ACCENT, SECOND]) expect(contrast(rgbOf(String(c)), white), String(c)).toBeGreaterThanOrEqual(4.5);
    // Vega's default orange, the reason for this test: 2.55:1.
    expect(contrast(rgbOf('#f58518'), white)).toBeCloseTo(2.55, 1);
  });
});
