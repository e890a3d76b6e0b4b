/**
 * The slice of the canvas 2D API that Vega's CanvasRenderer uses, written as PDF operators onto a pdfkit page.
 * Vega draws its scenegraph through it (`externalContext`), so a chart reaches the PDF as vector paths and real
 * text in the report's embedded fonts without the SVG detour (Vega → SVG string → pdfmake's measure parse →
 * svg-to-pdfkit's parse and draw), which cost 4–6× as much per chart.
 *
 * Why it is built this way:
 * - Transforms live here, not in the PDF: translate/rotate/scale update a matrix and path points are mapped as they
 *   are added, which is canvas semantics (Vega translates, builds a symbol path and translates back before filling).
 *   The chart's placement on the page is one `cm` written through pdfkit, so pdfkit's own CTM (gradients) stays right.
 * - The path is buffered and written at fill/stroke/clip, because PDF allows no state operators inside a path.
 * - The PDF graphics state is diffed (colour, alpha, width, cap, join, miter, dash, blend): Vega sets every property
 *   before every item, and most of those writes change nothing.
 * - Text uses the pdfkit font's own `encode` (glyph ids, kerning, subset and ToUnicode), the same fontkit shaping
 *   that Vega measured with (fonts.ts), so aligned labels end exactly where Vega put their anchor.
 * - Output is one string per chart, handed to pdfkit once: every `addContent` call allocates a Buffer.
 *
 * Not supported, with a thrown error rather than a wrong picture: images, patterns (non-axis-aligned gradients on
 * non-square marks). Our chart specs use neither.
 */
import { color as parseColor } from 'd3-color';

/** A pdfkit font as pdfkit's own text code uses it. */
export interface PdfKitFont {
  readonly id: string;
  ref(): unknown;
  encode(text: string, features?: unknown): [string[], { xAdvance: number; advanceWidth: number; xOffset: number; yOffset: number }[]];
}

/** The pdfkit document internals the adapter writes through (pdfkit 0.19, pinned through pdfmake). */
export interface PdfKitDoc {
  addContent(data: string): unknown;
  page: { fonts: Record<string, unknown>; ext_gstates: Record<string, unknown> };
  ref(data: Record<string, unknown>): { end(): void };
  _opacityRegistry: Record<string, [unknown, string]>;
  _opacityCount: number;
  save(): unknown;
  restore(): unknown;
  transform(a: number, b: number, c: number, d: number, e: number, f: number): unknown;
  linearGradient(x1: number, y1: number, x2: number, y2: number): PdfKitGradient;
  radialGradient(x1: number, y1: number, r1: number, x2: number, y2: number, r2: number): PdfKitGradient;
  fillColor(color: PdfKitGradient): unknown;
  strokeColor(color: PdfKitGradient): unknown;
}

export interface PdfKitGradient {
  stop(offset: number, color: string, opacity?: number): unknown;
}

/** Finds the embedded font for a CSS font family and face; the fonts are the PDF's own (shared with body text). */
export type FontResolver = (family: string, bold: boolean, italic: boolean) => PdfKitFont;

type Matrix = [number, number, number, number, number, number];

interface CanvasState {
  matrix: Matrix;
  fillStyle: string | CanvasGradientLike;
  strokeStyle: string | CanvasGradientLike;
  globalAlpha: number;
  lineWidth: number;
  lineCap: string;
  lineJoin: string;
  miterLimit: number;
  dash: number[];
  lineDashOffset: number;
  font: string;
  textAlign: string;
  globalCompositeOperation: string;
}

/** What has been written to the PDF; undefined = unknown, write it on next use. */
interface PdfState {
  fill?: string;
  stroke?: string;
  fillAlpha?: number;
  strokeAlpha?: number;
  blend?: string;
  lineWidth?: number;
  lineCap?: number;
  lineJoin?: number;
  miterLimit?: number;
  dash?: string;
  /** Text rendering mode (0 fill, 1 stroke); it is text state, so it outlives BT…ET. */
  textMode?: number;
}

class CanvasGradientLike {
  readonly stops: { offset: number; color: string }[] = [];
  constructor(
    readonly kind: 'linear' | 'radial',
    /** Already mapped to the chart's base space. */
    readonly coords: number[],
  ) {}
  addColorStop(offset: number, color: string): void {
    this.stops.push({ offset, color });
  }
}

const CAPS: Record<string, number> = { butt: 0, round: 1, square: 2 };
const JOINS: Record<string, number> = { miter: 0, round: 1, bevel: 2 };
const BLENDS: Record<string, string> = {
  'source-over': 'Normal',
  multiply: 'Multiply',
  screen: 'Screen',
  overlay: 'Overlay',
  darken: 'Darken',
  lighten: 'Lighten',
  'color-dodge': 'ColorDodge',
  'color-burn': 'ColorBurn',
  'hard-light': 'HardLight',
  'soft-light': 'SoftLight',
  difference: 'Difference',
  exclusion: 'Exclusion',
  hue: 'Hue',
  saturation: 'Saturation',
  color: 'Color',
  luminosity: 'Luminosity',
};

/** Two decimals (1/100 pt = 0.0035 mm): finer than any printer, and the shortest text for the page stream. */
function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

interface ParsedColor {
  /** "r g b" in 0–1, ready for rg/RG; null for a fully transparent or unparsable colour. */
  rgb: string | null;
  alpha: number;
}

const colorCache = new Map<string, ParsedColor>();

function colorOf(css: string): ParsedColor {
  let c = colorCache.get(css);
  if (c === undefined) {
    const parsed = parseColor(css);
    if (parsed === null) throw new Error(`chart colour "${css}" is not a CSS colour`);
    const rgb = parsed.rgb();
    const alpha = Number.isFinite(rgb.opacity) ? rgb.opacity : 1;
    c =
      Number.isFinite(rgb.r) && alpha > 0
        ? { rgb: `${n3(rgb.r / 255)} ${n3(rgb.g / 255)} ${n3(rgb.b / 255)}`, alpha }
        : { rgb: null, alpha: 0 };
    colorCache.set(css, c);
  }
  return c;
}

/** Matrix entries (cosines of a rotation) need more than two decimals. */
function n4(x: number): string {
  return String(Math.round(x * 10000) / 10000);
}

function n3(x: number): string {
  return String(Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000);
}

const FONT_RE = /^\s*(.*?)\s*([\d.]+)px\s+(.+?)\s*$/;

function parseFont(css: string): { size: number; family: string; bold: boolean; italic: boolean } {
  const m = FONT_RE.exec(css);
  if (!m) throw new Error(`chart font "${css}" is not a CSS font`);
  const words = (m[1] ?? '').split(/\s+/);
  const bold = words.some((w) => w === 'bold' || w === 'bolder' || (/^\d+$/.test(w) && Number(w) >= 600));
  const italic = words.some((w) => w === 'italic' || w === 'oblique');
  const family = (m[3] ?? '').split(',')[0]?.trim().replace(/^["']|["']$/g, '') ?? '';
  return { size: Number(m[2]), family, bold, italic };
}

/**
 * A canvas 2D context drawing onto the current page of a pdfkit document. Create one per chart, let Vega draw,
 * then call `finish()` to write the chart's content.
 */
const finished = (): never => {
  throw new Error('PdfCanvasContext used after finish()');
};
/** What a finished context draws onto: nothing (any use throws). */
const FINISHED_DOC = new Proxy({}, { get: finished }) as unknown as PdfKitDoc;
const FINISHED_FONTS: FontResolver = finished;

export class PdfCanvasContext {
  /** Vega reads it for pixel-grid snapping of dirty regions; a PDF has no pixels. */
  readonly pixelRatio = 1;
  private s: CanvasState;
  private readonly stack: { canvas: CanvasState; pdf: PdfState | null }[] = [];
  private pdf: PdfState = {};
  private out: string[] = [];
  private path = '';
  /** Current point and subpath start in base space, for arcs, quadratic curves and closePath. */
  private cx = 0;
  private cy = 0;
  private sx = 0;
  private sy = 0;
  private hasPoint = false;
  private fontCache = new Map<string, { font: PdfKitFont; size: number }>();

  constructor(
    private doc: PdfKitDoc,
    private fonts: FontResolver,
  ) {
    this.s = {
      matrix: [1, 0, 0, 1, 0, 0],
      fillStyle: '#000000',
      strokeStyle: '#000000',
      globalAlpha: 1,
      lineWidth: 1,
      lineCap: 'butt',
      lineJoin: 'miter',
      miterLimit: 10,
      dash: [],
      lineDashOffset: 0,
      font: '10px sans-serif',
      textAlign: 'start',
      globalCompositeOperation: 'source-over',
    };
  }

  // ---- Plain properties. ----
  get fillStyle(): string | CanvasGradientLike {
    return this.s.fillStyle;
  }
  set fillStyle(v: string | CanvasGradientLike) {
    this.s.fillStyle = v;
  }
  get strokeStyle(): string | CanvasGradientLike {
    return this.s.strokeStyle;
  }
  set strokeStyle(v: string | CanvasGradientLike) {
    this.s.strokeStyle = v;
  }
  get globalAlpha(): number {
    return this.s.globalAlpha;
  }
  set globalAlpha(v: number) {
    if (Number.isFinite(v) && v >= 0 && v <= 1) this.s.globalAlpha = v;
  }
  get lineWidth(): number {
    return this.s.lineWidth;
  }
  set lineWidth(v: number) {
    if (Number.isFinite(v) && v > 0) this.s.lineWidth = v;
  }
  get lineCap(): string {
    return this.s.lineCap;
  }
  set lineCap(v: string) {
    if (v in CAPS) this.s.lineCap = v;
  }
  get lineJoin(): string {
    return this.s.lineJoin;
  }
  set lineJoin(v: string) {
    if (v in JOINS) this.s.lineJoin = v;
  }
  get miterLimit(): number {
    return this.s.miterLimit;
  }
  set miterLimit(v: number) {
    if (Number.isFinite(v) && v > 0) this.s.miterLimit = v;
  }
  get lineDashOffset(): number {
    return this.s.lineDashOffset;
  }
  set lineDashOffset(v: number) {
    if (Number.isFinite(v)) this.s.lineDashOffset = v;
  }
  get font(): string {
    return this.s.font;
  }
  set font(v: string) {
    this.s.font = v;
  }
  get textAlign(): string {
    return this.s.textAlign;
  }
  set textAlign(v: string) {
    this.s.textAlign = v;
  }
  get globalCompositeOperation(): string {
    return this.s.globalCompositeOperation;
  }
  set globalCompositeOperation(v: string) {
    if (v in BLENDS) this.s.globalCompositeOperation = v;
  }
  setLineDash(segments: readonly number[]): void {
    if (segments.some((x) => !Number.isFinite(x) || x < 0)) return;
    this.s.dash = segments.length % 2 === 1 ? [...segments, ...segments] : [...segments];
  }
  getLineDash(): number[] {
    return [...this.s.dash];
  }

  // ---- State. ----
  save(): void {
    this.stack.push({ canvas: { ...this.s, matrix: [...this.s.matrix] as Matrix, dash: [...this.s.dash] }, pdf: null });
  }
  restore(): void {
    const top = this.stack.pop();
    if (!top) return;
    this.s = top.canvas;
    // A clip inside this level opened a PDF `q`; close it and take back the PDF state it saved.
    if (top.pdf !== null) {
      this.out.push('Q');
      this.pdf = top.pdf;
    }
  }
  translate(x: number, y: number): void {
    const m = this.s.matrix;
    m[4] += m[0] * x + m[2] * y;
    m[5] += m[1] * x + m[3] * y;
  }
  rotate(angle: number): void {
    const m = this.s.matrix;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const [a, b, cc, d] = m;
    m[0] = a * c + cc * s;
    m[1] = b * c + d * s;
    m[2] = -a * s + cc * c;
    m[3] = -b * s + d * c;
  }
  scale(x: number, y: number): void {
    const m = this.s.matrix;
    m[0] *= x;
    m[1] *= x;
    m[2] *= y;
    m[3] *= y;
  }
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.s.matrix = [a, b, c, d, e, f];
  }

  // ---- Path. ----
  beginPath(): void {
    this.path = '';
    this.hasPoint = false;
  }
  moveTo(x: number, y: number): void {
    const [px, py] = this.map(x, y);
    this.path += `${n(px)} ${n(py)} m\n`;
    this.cx = this.sx = px;
    this.cy = this.sy = py;
    this.hasPoint = true;
  }
  lineTo(x: number, y: number): void {
    if (!this.hasPoint) return this.moveTo(x, y);
    const [px, py] = this.map(x, y);
    this.path += `${n(px)} ${n(py)} l\n`;
    this.cx = px;
    this.cy = py;
  }
  bezierCurveTo(x1: number, y1: number, x2: number, y2: number, x: number, y: number): void {
    if (!this.hasPoint) this.moveTo(x1, y1);
    const [ax, ay] = this.map(x1, y1);
    const [bx, by] = this.map(x2, y2);
    const [px, py] = this.map(x, y);
    this.path += `${n(ax)} ${n(ay)} ${n(bx)} ${n(by)} ${n(px)} ${n(py)} c\n`;
    this.cx = px;
    this.cy = py;
  }
  quadraticCurveTo(qx: number, qy: number, x: number, y: number): void {
    if (!this.hasPoint) this.moveTo(qx, qy);
    const [cx, cy] = this.map(qx, qy);
    const [px, py] = this.map(x, y);
    // The cubic with the same curve: control points two thirds of the way to the quadratic's.
    const ax = this.cx + (2 / 3) * (cx - this.cx);
    const ay = this.cy + (2 / 3) * (cy - this.cy);
    const bx = px + (2 / 3) * (cx - px);
    const by = py + (2 / 3) * (cy - py);
    this.path += `${n(ax)} ${n(ay)} ${n(bx)} ${n(by)} ${n(px)} ${n(py)} c\n`;
    this.cx = px;
    this.cy = py;
  }
  arc(x: number, y: number, r: number, a0: number, a1: number, ccw = false): void {
    const TAU = 2 * Math.PI;
    let sweep: number;
    if (!ccw) sweep = a1 - a0 >= TAU ? TAU : (((a1 - a0) % TAU) + TAU) % TAU;
    else sweep = a0 - a1 >= TAU ? -TAU : -((((a0 - a1) % TAU) + TAU) % TAU);
    const startX = x + r * Math.cos(a0);
    const startY = y + r * Math.sin(a0);
    if (this.hasPoint) this.lineTo(startX, startY);
    else this.moveTo(startX, startY);
    if (r <= 0 || sweep === 0) return;
    // Bézier segments of at most a quarter turn: k = 4/3·tan(θ/4) keeps the radial error below 0.03 %.
    const segments = Math.max(1, Math.ceil(Math.abs(sweep) / (Math.PI / 2) - 1e-9));
    const step = sweep / segments;
    const k = (4 / 3) * Math.tan(step / 4);
    let a = a0;
    for (let i = 0; i < segments; i++) {
      const b = a + step;
      const ca = Math.cos(a);
      const sa = Math.sin(a);
      const cb = Math.cos(b);
      const sb = Math.sin(b);
      this.bezierCurveTo(x + r * (ca - k * sa), y + r * (sa + k * ca), x + r * (cb + k * sb), y + r * (sb - k * cb), x + r * cb, y + r * sb);
      a = b;
    }
  }
  rect(x: number, y: number, w: number, h: number): void {
    this.moveTo(x, y);
    this.lineTo(x + w, y);
    this.lineTo(x + w, y + h);
    this.lineTo(x, y + h);
    this.closePath();
    this.moveTo(x, y);
  }
  closePath(): void {
    if (!this.hasPoint) return;
    this.path += 'h\n';
    this.cx = this.sx;
    this.cy = this.sy;
  }

  // ---- Painting. ----
  fill(): void {
    if (!this.path || !this.applyFill()) return;
    this.out.push(this.path + 'f');
  }
  stroke(): void {
    if (!this.path || !this.applyStroke()) return;
    this.out.push(this.path + 'S');
  }
  clip(): void {
    if (!this.path) return;
    const top = this.stack[this.stack.length - 1];
    if (top && top.pdf === null) {
      // Open the PDF `q` only now: most save/restore pairs of Vega's (one per group) never clip.
      top.pdf = { ...this.pdf };
      this.out.push('q');
    }
    this.out.push(this.path + 'W n');
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    const saved = this.path;
    const had = this.hasPoint;
    this.beginPath();
    this.rect(x, y, w, h);
    this.fill();
    this.path = saved;
    this.hasPoint = had;
  }
  strokeRect(x: number, y: number, w: number, h: number): void {
    const saved = this.path;
    const had = this.hasPoint;
    this.beginPath();
    this.rect(x, y, w, h);
    this.stroke();
    this.path = saved;
    this.hasPoint = had;
  }
  /** Nothing to clear on a PDF page; Vega skips it for external contexts anyway. */
  clearRect(): void {}

  fillText(text: string, x: number, y: number): void {
    if (this.applyFill()) this.text(text, x, y, 0);
  }
  strokeText(text: string, x: number, y: number): void {
    if (this.applyStroke()) this.text(text, x, y, 1);
  }
  measureText(text: string): { width: number } {
    const { font, size } = this.currentFont();
    const [, positions] = font.encode(text);
    let w = 0;
    for (const p of positions) w += p.xAdvance;
    return { width: (w * size) / 1000 };
  }

  createLinearGradient(x0: number, y0: number, x1: number, y1: number): CanvasGradientLike {
    return new CanvasGradientLike('linear', [...this.map(x0, y0), ...this.map(x1, y1)]);
  }
  createRadialGradient(x0: number, y0: number, r0: number, x1: number, y1: number, r1: number): CanvasGradientLike {
    const scale = Math.hypot(this.s.matrix[0], this.s.matrix[1]);
    return new CanvasGradientLike('radial', [...this.map(x0, y0), r0 * scale, ...this.map(x1, y1), r1 * scale]);
  }
  createPattern(): never {
    throw new Error('the PDF chart renderer draws no patterns (Vega uses one for a diagonal gradient on a non-square mark)');
  }
  drawImage(): never {
    throw new Error('the PDF chart renderer draws no image marks');
  }

  /** Writes everything drawn so far into the page. */
  finish(): void {
    this.flush();
    // Vega's shape generators are module state and keep the last context they drew with until the next chart: holding
    // the document through it kept a whole finished report (~20 MB of pages) alive into the next one on every thread.
    this.doc = FINISHED_DOC;
    this.fonts = FINISHED_FONTS;
    this.fontCache.clear();
    this.out = [];
  }

  // ---- Internals. ----
  private map(x: number, y: number): [number, number] {
    const m = this.s.matrix;
    return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
  }

  private flush(): void {
    if (this.out.length > 0) {
      this.doc.addContent(this.out.join('\n'));
      this.out = [];
    }
  }

  /** Sets the PDF fill from the canvas state; false when nothing would show. */
  private applyFill(): boolean {
    const style = this.s.fillStyle;
    if (style instanceof CanvasGradientLike) {
      this.gradient(style, false);
      this.alpha(this.s.globalAlpha, undefined);
      return this.s.globalAlpha > 0;
    }
    const c = colorOf(style);
    if (c.rgb === null) return false;
    const a = c.alpha * this.s.globalAlpha;
    if (a <= 0) return false;
    if (this.pdf.fill !== c.rgb) {
      this.out.push(`${c.rgb} rg`);
      this.pdf.fill = c.rgb;
    }
    this.alpha(a, undefined);
    this.blend();
    return true;
  }

  private applyStroke(): boolean {
    const style = this.s.strokeStyle;
    const s = this.s;
    if (style instanceof CanvasGradientLike) {
      this.gradient(style, true);
      this.alpha(undefined, s.globalAlpha);
    } else {
      const c = colorOf(style);
      if (c.rgb === null) return false;
      const a = c.alpha * s.globalAlpha;
      if (a <= 0) return false;
      if (this.pdf.stroke !== c.rgb) {
        this.out.push(`${c.rgb} RG`);
        this.pdf.stroke = c.rgb;
      }
      this.alpha(undefined, a);
    }
    this.blend();
    // Lengths are in base space: the matrix's scale (1 in every chart Vega draws) applies to them too.
    const scale = Math.hypot(s.matrix[0], s.matrix[1]);
    const width = s.lineWidth * scale;
    if (this.pdf.lineWidth !== width) {
      this.out.push(`${n(width)} w`);
      this.pdf.lineWidth = width;
    }
    const cap = CAPS[s.lineCap] ?? 0;
    if (this.pdf.lineCap !== cap) {
      this.out.push(`${cap} J`);
      this.pdf.lineCap = cap;
    }
    const join = JOINS[s.lineJoin] ?? 0;
    if (this.pdf.lineJoin !== join) {
      this.out.push(`${join} j`);
      this.pdf.lineJoin = join;
    }
    if (this.pdf.miterLimit !== s.miterLimit) {
      this.out.push(`${n(s.miterLimit)} M`);
      this.pdf.miterLimit = s.miterLimit;
    }
    const dash = `[${s.dash.map((d) => n(d * scale)).join(' ')}] ${n(s.lineDashOffset * scale)} d`;
    if (this.pdf.dash !== dash) {
      this.out.push(dash);
      this.pdf.dash = dash;
    }
    return true;
  }

  /** Fill and stroke alpha through ExtGStates shared with pdfkit's own opacity registry (and so with pdfmake's). */
  private alpha(fill: number | undefined, stroke: number | undefined): void {
    const f = fill === undefined || this.pdf.fillAlpha === fill ? undefined : fill;
    const s = stroke === undefined || this.pdf.strokeAlpha === stroke ? undefined : stroke;
    if (f === undefined && s === undefined) return;
    // Always set both: a state that sets one leaves the other as the page last had it, which we may not know.
    const ff = f ?? this.pdf.fillAlpha ?? 1;
    const ss = s ?? this.pdf.strokeAlpha ?? 1;
    const key = `${ff}_${ss}`;
    let entry = this.doc._opacityRegistry[key];
    if (!entry) {
      const dict = this.doc.ref({ Type: 'ExtGState', ca: ff, CA: ss });
      dict.end();
      entry = [dict, `Gs${++this.doc._opacityCount}`];
      this.doc._opacityRegistry[key] = entry;
    }
    this.doc.page.ext_gstates[entry[1]] = entry[0];
    this.out.push(`/${entry[1]} gs`);
    this.pdf.fillAlpha = ff;
    this.pdf.strokeAlpha = ss;
  }

  private blend(): void {
    const mode = BLENDS[this.s.globalCompositeOperation] ?? 'Normal';
    if (this.pdf.blend === mode || (this.pdf.blend === undefined && mode === 'Normal')) return;
    const key = `segfollow-blend-${mode}`;
    let entry = this.doc._opacityRegistry[key];
    if (!entry) {
      const dict = this.doc.ref({ Type: 'ExtGState', BM: mode });
      dict.end();
      entry = [dict, `Gs${++this.doc._opacityCount}`];
      this.doc._opacityRegistry[key] = entry;
    }
    this.doc.page.ext_gstates[entry[1]] = entry[0];
    this.out.push(`/${entry[1]} gs`);
    this.pdf.blend = mode;
  }

  /** Gradients go through pdfkit (shading, pattern and its matrix from pdfkit's CTM, which holds the chart's `cm`). */
  private gradient(g: CanvasGradientLike, stroke: boolean): void {
    this.flush();
    const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = g.coords;
    const grad = g.kind === 'linear' ? this.doc.linearGradient(a, b, c, d) : this.doc.radialGradient(a, b, c, d, e, f);
    for (const stop of g.stops) {
      const col = colorOf(stop.color);
      grad.stop(stop.offset, col.rgb === null ? '#000000' : rgbHex(col.rgb), col.alpha);
    }
    if (stroke) {
      this.doc.strokeColor(grad);
      this.pdf.stroke = undefined;
    } else {
      this.doc.fillColor(grad);
      this.pdf.fill = undefined;
    }
  }

  private currentFont(): { font: PdfKitFont; size: number } {
    let f = this.fontCache.get(this.s.font);
    if (!f) {
      const p = parseFont(this.s.font);
      f = { font: this.fonts(p.family, p.bold, p.italic), size: p.size };
      this.fontCache.set(this.s.font, f);
    }
    return f;
  }

  /** One text run: glyphs with pdfkit's kerning adjustments, aligned on the glyph advances, rotation in Tm. */
  private text(str: string, x: number, y: number, mode: 0 | 1): void {
    if (str === '') return;
    const { font, size } = this.currentFont();
    if (this.doc.page.fonts[font.id] === undefined) this.doc.page.fonts[font.id] = font.ref();
    const [encoded, positions] = font.encode(str);
    let width = 0;
    for (const p of positions) width += p.xAdvance;
    width = (width * size) / 1000;
    const align = this.s.textAlign;
    const dx = align === 'center' ? -width / 2 : align === 'right' || align === 'end' ? -width : 0;
    const m = this.s.matrix;
    const ox = x + dx;
    // Text space is y-up; the page (pdfkit's) is y-down: flip y in the text matrix.
    const e = m[0] * ox + m[2] * y + m[4];
    const f = m[1] * ox + m[3] * y + m[5];
    const commands: string[] = [];
    let last = 0;
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i] as { xAdvance: number; advanceWidth: number };
      const adjust = p.xAdvance - p.advanceWidth;
      if (adjust !== 0) {
        commands.push(`<${encoded.slice(last, i + 1).join('')}> ${n(-adjust)}`);
        last = i + 1;
      }
    }
    if (last < encoded.length) commands.push(`<${encoded.slice(last).join('')}>`);
    const tr = (this.pdf.textMode ?? 0) === mode ? '' : ` ${mode} Tr`;
    this.pdf.textMode = mode;
    this.out.push(`BT /${font.id} ${n(size)} Tf${tr} ${n4(m[0])} ${n4(m[1])} ${n4(-m[2])} ${n4(-m[3])} ${n(e)} ${n(f)} Tm [${commands.join(' ')}] TJ ET`);
  }
}

function rgbHex(rgb: string): string {
  return `#${rgb
    .split(' ')
    .map((v) => Math.round(Number(v) * 255).toString(16).padStart(2, '0'))
    .join('')}`;
}
