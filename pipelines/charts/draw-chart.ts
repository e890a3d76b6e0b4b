/**
 * Draws a chart's Vega scenegraph straight onto a pdfmake page, through Vega's own CanvasRenderer and the canvas
 * adapter in pdf-canvas.ts (Vega added `externalContext` for this: render into someone else's vector context).
 *
 * In the document definition a chart is an ordinary pdfmake `svg` node whose SVG is an empty placeholder of the
 * chart's size, plus a `chart` payload: pdfmake measures, scales, aligns and breaks pages for it exactly as for any
 * SVG, and hands the node to `Renderer.renderSVG` at its final place. `installChartDrawing` wraps that one method
 * so that a node with a payload is drawn here and any other SVG goes the usual way.
 */
import * as vega from 'vega';
import { PdfCanvasContext, type FontResolver, type PdfKitDoc, type PdfKitFont } from './pdf-canvas.ts';
import type { ChartScene } from './render-chart.ts';

/** The pdfmake `svg` node of a chart (its layout fields are filled in by pdfmake). */
export interface ChartSvgNode {
  svg: string;
  width: number;
  alt?: string;
  chart: ChartScene;
}

interface LaidOutChartNode extends ChartSvgNode {
  x: number;
  y: number;
  _width: number;
}

/** pdfmake's PDFDocument: pdfkit plus its font registry. */
interface PdfMakeDoc extends PdfKitDoc {
  _font: unknown;
  provideFont(family: string, bold: boolean, italics: boolean): PdfKitFont;
}

interface RendererLike {
  pdfDocument: PdfMakeDoc;
  renderSVG(node: unknown): void;
}

interface CanvasRendererLike {
  initialize(el: null, width: number, height: number, origin: readonly [number, number], scale: number, options: { externalContext: unknown }): CanvasRendererLike;
  background(color: string | null): CanvasRendererLike;
  render(scene: unknown): CanvasRendererLike;
}

const HOOKED = Symbol.for('segfollow.chartDrawing');

/** A pdfmake svg node for the chart, `width` points wide (the height follows the chart's proportions). */
export function chartNode(scene: ChartScene, width: number, alt?: string): ChartSvgNode {
  const w = fmt(scene.width);
  const h = fmt(scene.height);
  return {
    svg: `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"></svg>`,
    width,
    ...(alt === undefined ? {} : { alt }),
    chart: scene,
  };
}

function fmt(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/**
 * Makes pdfmake draw chart nodes directly. Idempotent. `Renderer` is pdfmake's Renderer class
 * (`pdfmake/js/Renderer.js`); throws if its `renderSVG` is gone, so a pdfmake upgrade cannot drop charts silently.
 */
export function installChartDrawing(Renderer: { prototype: object }, defaultFamily: string): void {
  const proto = Renderer.prototype as RendererLike & { [HOOKED]?: true };
  if (proto[HOOKED]) return;
  const original = proto.renderSVG;
  if (typeof original !== 'function') throw new Error('pdfmake Renderer has no renderSVG: the chart drawing hook cannot be installed (pdfmake upgraded?)');
  proto.renderSVG = function renderSVG(this: RendererLike, node: unknown): void {
    const n = node as Partial<LaidOutChartNode>;
    if (n.chart === undefined) return original.call(this, node);
    const doc = this.pdfDocument;
    drawChartScene(doc, n.chart, fontResolver(doc, defaultFamily), n.x ?? 0, n.y ?? 0, (n._width ?? n.chart.width) / n.chart.width);
  };
  proto[HOOKED] = true;
}

/** The PDF's own fonts (shared with the body text, one subset per face); an unknown family falls back to the body's. */
function fontResolver(doc: PdfMakeDoc, defaultFamily: string): FontResolver {
  return (family, bold, italic) => {
    // provideFont makes the font pdfkit's current one; pdfmake sets its own before every line, but keep it tidy.
    const current = doc._font;
    try {
      try {
        return doc.provideFont(family, bold, italic);
      } catch {
        return doc.provideFont(defaultFamily, bold, italic);
      }
    } finally {
      doc._font = current;
    }
  };
}

const loader = vega.loader();

/** Draws the scene with its top-left corner at (x, y) on the current page, scaled by `scale`, clipped to its box. */
export function drawChartScene(doc: PdfKitDoc, scene: ChartScene, fonts: FontResolver, x: number, y: number, scale: number): void {
  doc.save();
  try {
    doc.transform(scale, 0, 0, scale, x, y);
    // Like the SVG root's viewport: nothing of the chart reaches outside its box.
    doc.addContent(`0 0 ${fmt(scene.width)} ${fmt(scene.height)} re W n`);
    const ctx = new PdfCanvasContext(doc, fonts);
    const Ctor = (vega as unknown as { CanvasRenderer: new (l: unknown) => CanvasRendererLike }).CanvasRenderer;
    new Ctor(loader).initialize(null, scene.width, scene.height, scene.origin, 1, { externalContext: ctx }).background(scene.background).render(scene.root);
    ctx.finish();
  } finally {
    doc.restore();
  }
}
