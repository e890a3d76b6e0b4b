import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Layout checks on a rendered report, read back with Mozilla's pdf.js (text boxes and painted paths from the page's
 * operator list). It lives beside the tests rather than in pipelines/ because nothing at run time needs it and
 * pdf.js is a development dependency; scripts/check-layout.ts runs it over a folder of PDFs in CI.
 *
 * Rules:
 * - `heading-at-page-end`: the lowest content line of a page is a heading (h1–h3) or a figure/table caption, with no
 *   figure below it, or a table caption is followed only by the table's header row (all bold at a table's size): the
 *   heading is separated from the block it introduces.
 * - `page-under-filled`: content ends above 60 % of the usable height on a page that is not the cover, not the last
 *   page and not followed by a chapter start (an h1 line; every h1 starts a page).
 * - `label-over-label`: two text boxes (trimmed to the glyphs' core, see TEXT_BOX) overlap by at least OVERLAP_PT in
 *   both directions.
 * - `label-over-line`: a text box is crossed by a stroked path that is not a light grid line (a segment of at least
 *   OVERLAP_PT inside the box), or covers a small filled mark (a point or symbol, both sides at most MARK_PT).
 *
 * Not checked: text over large filled shapes (bars, bands, map polygons, table shading — labels inside a bar are
 * deliberate), text over light grid lines, a repeated table header row alone at a page's end (no caption above it),
 * a heading followed by a single line of its block, and widows inside paragraphs.
 * Text is read from the operator list (each showText as drawn, placed with pdf.js's text state), not from
 * getTextContent: that joins pieces on one baseline that overlap by under 0.2 em, which hid small label collisions,
 * and parses every page a second time (the check took twice as long).
 * Coordinates are PDF points from the page's top-left corner (as in a `pdftoppm` image at 72 dpi).
 */

export type LayoutRule = 'heading-at-page-end' | 'page-under-filled' | 'label-over-label' | 'label-over-line';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LayoutFinding {
  file: string;
  page: number;
  rule: LayoutRule;
  /** The text involved (the heading, the page's last line, or the label). */
  text: string;
  box: Box;
  /** The other label, or the line or mark, for the overlap rules. */
  other?: { text?: string; box: Box };
  detail: string;
}

export interface LayoutCheck {
  file: string;
  pages: number;
  findings: LayoutFinding[];
}

/** Font sizes of the report's text styles (STYLES in pipelines/report/build-pdf.ts; a test keeps the two equal). */
export interface HeadingSizes {
  h1: number;
  h2: number;
  h3: number;
  caption: number;
}

export interface LayoutOptions {
  /** Name used in the findings. */
  file: string;
  /** Page margins [left, top, right, bottom] in points (PAGE_MARGINS in build-pdf.ts). */
  margins?: readonly [number, number, number, number];
  headings?: HeadingSizes;
  /** Font sizes of table text (styles table and tableSmall); a line all bold at one of them is a header row. */
  tableSizes?: readonly number[];
  /** Smallest share of the usable height a page (other than a chapter's last) must be filled to. */
  minFill?: number;
}

export const REPORT_MARGINS: readonly [number, number, number, number] = [57, 62, 57, 58];
export const REPORT_HEADINGS: HeadingSizes = { h1: 18, h2: 12.5, h3: 10.5, caption: 9 };
export const REPORT_TABLE_SIZES: readonly number[] = [8.5, 7.5];

/** Overlaps smaller than this (points) are kerning, rounding or touching glyphs, not a collision. */
const OVERLAP_PT = 1;
/** A filled shape this small (points, both sides) is a mark (point, symbol), not an area. */
const MARK_PT = 10;
/** Glyph core of a text box, as fractions of the font size below and above the baseline: descenders and accents
 * stick out of it, so lines set tight (line height 1.1) do not count as overlapping. */
const TEXT_BOX = { below: 0.15, above: 0.7 } as const;
/** Strokes lighter than this (relative luminance 0–1) are grid lines, drawn under labels on purpose. */
const GRID_LUMINANCE = 0.8;
/** Graphics reaching this far (points) below a heading's baseline are the block it introduces (a chart, a map). */
const BLOCK_BELOW_PT = 15;

type Matrix = [number, number, number, number, number, number];

interface TextRun {
  str: string;
  size: number;
  bold: boolean;
  /** Top-down baseline; undefined for rotated text. */
  baseline: number | undefined;
  box: Box;
}

interface Stroke {
  a: [number, number];
  b: [number, number];
}

interface Mark {
  box: Box;
}

interface Page {
  width: number;
  height: number;
  runs: TextRun[];
  strokes: Stroke[];
  marks: Mark[];
  /** Bounding boxes of everything painted (strokes, fills, images), top-down. */
  graphics: Box[];
}

interface Line {
  baseline: number;
  runs: TextRun[];
  /** A heading kind, `th` for a table's header row (all bold at a table's size), or null for other text. */
  kind: keyof HeadingSizes | 'th' | null;
  size: number;
}

const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

function boxOf(points: [number, number][]): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, w: Math.max(...xs) - x, h: Math.max(...ys) - y };
}

function intersect(a: Box, b: Box): Box | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const w = Math.min(a.x + a.w, b.x + b.w) - x;
  const h = Math.min(a.y + a.h, b.y + b.h) - y;
  return w > 0 && h > 0 ? { x, y, w, h } : null;
}

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return 0;
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => parseInt(c ?? '0', 16) / 255) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Length of the part of segment a–b inside box (Liang–Barsky clipping). */
function lengthInside(s: Stroke, box: Box): number {
  const [x0, y0] = s.a;
  const dx = s.b[0] - x0;
  const dy = s.b[1] - y0;
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, x0 - box.x],
    [dx, box.x + box.w - x0],
    [-dy, y0 - box.y],
    [dy, box.y + box.h - y0],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return 0;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
    }
  }
  return t1 > t0 ? (t1 - t0) * Math.hypot(dx, dy) : 0;
}

const round = (b: Box): Box => ({ x: +b.x.toFixed(1), y: +b.y.toFixed(1), w: +b.w.toFixed(1), h: +b.h.toFixed(1) });

/** Path data of pdf.js's constructPath (DrawOPS: 0 moveTo, 1 lineTo, 2 curveTo, 3 quadraticCurveTo, 4 closePath) as
 * polylines in user space; curves become chords through a few points on them. */
function polylines(data: ArrayLike<number>): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  let start: [number, number] = [0, 0];
  let at: [number, number] = [0, 0];
  const bezier = (pts: number[]): void => {
    const n = pts.length / 2;
    for (let k = 1; k <= 4; k++) {
      const t = k / 4;
      // De Casteljau on the control points.
      const xs = [at[0], ...pts.filter((_, i) => i % 2 === 0)];
      const ys = [at[1], ...pts.filter((_, i) => i % 2 === 1)];
      for (let r = n; r > 0; r--) {
        for (let i = 0; i < r; i++) {
          xs[i] = (1 - t) * (xs[i] ?? 0) + t * (xs[i + 1] ?? 0);
          ys[i] = (1 - t) * (ys[i] ?? 0) + t * (ys[i + 1] ?? 0);
        }
      }
      current.push([xs[0] ?? 0, ys[0] ?? 0]);
    }
  };
  for (let i = 0; i < data.length; ) {
    const op = data[i++];
    if (op === 0) {
      if (current.length > 1) out.push(current);
      at = start = [data[i] ?? 0, data[i + 1] ?? 0];
      current = [at];
      i += 2;
    } else if (op === 1) {
      at = [data[i] ?? 0, data[i + 1] ?? 0];
      current.push(at);
      i += 2;
    } else if (op === 2 || op === 3) {
      const k = op === 2 ? 6 : 4;
      bezier(Array.from({ length: k }, (_, j) => data[i + j] ?? 0));
      at = [data[i + k - 2] ?? 0, data[i + k - 1] ?? 0];
      i += k;
    } else if (op === 4) {
      current.push(start);
      at = start;
    } else {
      break;
    }
  }
  if (current.length > 1) out.push(current);
  return out;
}

const STROKE_OPS = new Set<number>([OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);
const FILL_OPS = new Set<number>([OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke]);

interface GState {
  ctm: Matrix;
  clip: Box | null;
  stroke: string;
  fill: string;
  strokeAlpha: number;
  fillAlpha: number;
  /** Text state (part of the graphics state in PDF): font, size, spacing in text space units, horizontal scale. */
  font: string;
  fontSize: number;
  charSpacing: number;
  wordSpacing: number;
  hScale: number;
  rise: number;
  leading: number;
}

interface Glyph {
  unicode: string;
  width: number;
  isSpace: boolean;
}

interface FontInfo {
  bold: boolean;
  /** Glyph widths are in glyph units; this turns them into text space units per unit of font size. */
  scale: number;
}

/** Painted paths and images of a page in top-down page coordinates, clipped to the current clip's bounding box. */
function drawingOf(fnArray: number[], argsArray: unknown[][], height: number, fontOf: (name: string) => FontInfo): Omit<Page, 'width' | 'height'> {
  const strokes: Stroke[] = [];
  const marks: Mark[] = [];
  const graphics: Box[] = [];
  const runs: TextRun[] = [];
  // PDF user space has y up; flipping here gives top-down coordinates for everything below.
  let gs: GState = {
    ctm: [1, 0, 0, -1, 0, height],
    clip: null,
    stroke: '#000000',
    fill: '#000000',
    strokeAlpha: 1,
    fillAlpha: 1,
    font: '',
    fontSize: 0,
    charSpacing: 0,
    wordSpacing: 0,
    hScale: 1,
    rise: 0,
    leading: 0,
  };
  const stack: GState[] = [];
  let clipNext = false;
  const clipped = (b: Box): Box | null => (gs.clip ? intersect(b, gs.clip) : b);
  // Text matrix and the pen's position in it, as pdf.js's canvas keeps them (x advances along the line).
  let tm: Matrix = [1, 0, 0, 1, 0, 0];
  let x = 0;
  let y = 0;
  let lineX = 0;
  let lineY = 0;
  const moveText = (dx: number, dy: number): void => {
    x = lineX += dx;
    y = lineY += dy;
  };
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] ?? [];
    if (fn === OPS.beginText) {
      tm = [1, 0, 0, 1, 0, 0];
      x = y = lineX = lineY = 0;
    } else if (fn === OPS.setTextMatrix) {
      // pdf.js hands the matrix over as one (typed) array argument.
      const m = (typeof args[0] === 'object' && args[0] !== null && 'length' in args[0] ? args[0] : args) as ArrayLike<number>;
      tm = [m[0] ?? 1, m[1] ?? 0, m[2] ?? 0, m[3] ?? 1, m[4] ?? 0, m[5] ?? 0];
      x = y = lineX = lineY = 0;
    } else if (fn === OPS.moveText) {
      moveText(args[0] as number, args[1] as number);
    } else if (fn === OPS.setLeadingMoveText) {
      gs.leading = -(args[1] as number);
      moveText(args[0] as number, args[1] as number);
    } else if (fn === OPS.nextLine) {
      moveText(0, gs.leading);
    } else if (fn === OPS.setLeading) {
      gs.leading = -(args[0] as number);
    } else if (fn === OPS.setFont) {
      gs.font = args[0] as string;
      gs.fontSize = args[1] as number;
    } else if (fn === OPS.setCharSpacing) {
      gs.charSpacing = args[0] as number;
    } else if (fn === OPS.setWordSpacing) {
      gs.wordSpacing = args[0] as number;
    } else if (fn === OPS.setHScale) {
      gs.hScale = (args[0] as number) / 100;
    } else if (fn === OPS.setTextRise) {
      gs.rise = args[0] as number;
    } else if (fn === OPS.showText) {
      // The run's extent along the line, from its first to its last visible glyph (spaces at its ends are not ink).
      const font = fontOf(gs.font);
      const size = Math.abs(gs.fontSize);
      let at = 0;
      let first: number | undefined;
      let end = 0;
      let str = '';
      for (const g of (args[0] ?? []) as (Glyph | number | null)[]) {
        if (typeof g === 'number') {
          at -= (g * size) / 1000;
          continue;
        }
        if (!g) continue;
        const advance = g.width * font.scale * size + gs.charSpacing + (g.isSpace ? gs.wordSpacing : 0);
        str += g.unicode;
        if (g.unicode.trim() !== '') {
          first ??= at;
          end = at + g.width * font.scale * size;
        }
        at += advance;
      }
      const x0 = x + (first ?? 0) * gs.hScale;
      const x1 = x + end * gs.hScale;
      x += at * gs.hScale;
      if (first === undefined || size === 0) continue;
      // Text space to top-down page space: the text matrix, then the current transformation.
      const m = multiply(tm, gs.ctm);
      const yb = y + gs.rise;
      const corners = [x0, x1].flatMap((px) => [apply(m, px, yb - TEXT_BOX.below * size), apply(m, px, yb + TEXT_BOX.above * size)]);
      const scale = Math.hypot(m[2], m[3]);
      const horizontal = Math.abs(m[1]) < 1e-6 && Math.abs(m[2]) < 1e-6 && m[0] > 0 && m[3] < 0;
      runs.push({ str: str.trim(), size: size * scale, bold: font.bold, baseline: horizontal ? apply(m, x0, yb)[1] : undefined, box: boxOf(corners) });
    } else if (fn === OPS.save || fn === OPS.paintFormXObjectBegin) {
      stack.push({ ...gs });
      if (fn === OPS.paintFormXObjectBegin && Array.isArray(args[0]) && args[0].length === 6) gs.ctm = multiply(args[0] as Matrix, gs.ctm);
    } else if (fn === OPS.restore || fn === OPS.paintFormXObjectEnd) {
      gs = stack.pop() ?? gs;
    } else if (fn === OPS.transform) {
      gs.ctm = multiply(args as unknown as Matrix, gs.ctm);
    } else if (fn === OPS.setStrokeRGBColor && typeof args[0] === 'string') {
      gs.stroke = args[0];
    } else if (fn === OPS.setFillRGBColor && typeof args[0] === 'string') {
      gs.fill = args[0];
    } else if (fn === OPS.setGState && Array.isArray(args[0])) {
      for (const entry of args[0] as [string, unknown][]) {
        if (entry[0] === 'CA' && typeof entry[1] === 'number') gs.strokeAlpha = entry[1];
        if (entry[0] === 'ca' && typeof entry[1] === 'number') gs.fillAlpha = entry[1];
      }
    } else if (fn === OPS.clip || fn === OPS.eoClip) {
      clipNext = true;
    } else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) {
      const b = clipped(boxOf([apply(gs.ctm, 0, 0), apply(gs.ctm, 1, 0), apply(gs.ctm, 0, 1), apply(gs.ctm, 1, 1)]));
      if (b) graphics.push(b);
    } else if (fn === OPS.constructPath) {
      const op = args[0] as number;
      const data = (args[1] as unknown[] | undefined)?.[0];
      if (!data || typeof data !== 'object' || !('length' in data)) continue;
      const lines = polylines(data as ArrayLike<number>).map((pl) => pl.map(([x, y]) => apply(gs.ctm, x, y)));
      const all = lines.flat();
      if (all.length === 0) continue;
      const bbox = boxOf(all);
      if (clipNext) {
        gs.clip = gs.clip ? (intersect(gs.clip, bbox) ?? { x: bbox.x, y: bbox.y, w: 0, h: 0 }) : bbox;
        clipNext = false;
      }
      const visible = clipped(bbox);
      if (!visible) continue;
      const stroked = STROKE_OPS.has(op) && gs.strokeAlpha > 0;
      const filled = FILL_OPS.has(op) && gs.fillAlpha > 0;
      if (!stroked && !filled) continue;
      graphics.push(visible);
      if (stroked && luminance(gs.stroke) < GRID_LUMINANCE) {
        for (const pl of lines) {
          for (let k = 1; k < pl.length; k++) {
            const a = pl[k - 1] as [number, number];
            const b = pl[k] as [number, number];
            // Only the part inside the clip is drawn; a segment wholly outside it is not there.
            const seg = { a, b };
            if (gs.clip && lengthInside(seg, gs.clip) === 0) continue;
            strokes.push(seg);
          }
        }
      }
      if (filled && !stroked && bbox.w <= MARK_PT && bbox.h <= MARK_PT && luminance(gs.fill) < 0.95) marks.push({ box: visible });
    }
  }
  return { strokes, marks, graphics, runs };
}

async function readPage(doc: Awaited<ReturnType<typeof getDocument>['promise']>, p: number): Promise<Page> {
  const page = await doc.getPage(p);
  const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = page.view;
  const height = y1 - y0;
  // Text is read from the operator list too: each showText is one piece as drawn (a chart label, a word run), where
  // getTextContent would join neighbouring pieces on a line, and it saves parsing the page a second time. The fonts
  // are loaded with the operator list; their names tell bold from regular.
  const ops = await page.getOperatorList();
  const fonts = new Map<string, FontInfo>();
  const fontOf = (id: string): FontInfo => {
    let f = fonts.get(id);
    if (!f) {
      const font = page.commonObjs.has(id) ? (page.commonObjs.get(id) as { name?: string; fontMatrix?: number[] } | null) : null;
      f = { bold: /bold|medium|semibold|black|heavy/i.test(font?.name ?? ''), scale: font?.fontMatrix?.[0] ?? 0.001 };
      fonts.set(id, f);
    }
    return f;
  };
  const drawn = drawingOf(ops.fnArray, ops.argsArray as unknown[][], height, fontOf);
  // The page keeps its operator list cached; a long report would hold every page's in memory.
  page.cleanup();
  return { width: x1 - x0, height, ...drawn };
}

/** Content lines (horizontal text between the running header and footer) grouped by baseline, top to bottom. */
function linesOf(runs: TextRun[], headings: HeadingSizes, tableSizes: readonly number[]): Line[] {
  const lines: Line[] = [];
  for (const r of [...runs].sort((x, y) => (x.baseline ?? 0) - (y.baseline ?? 0) || x.box.x - y.box.x)) {
    if (r.baseline === undefined) continue;
    const last = lines[lines.length - 1];
    if (last && Math.abs(last.baseline - r.baseline) <= 1) last.runs.push(r);
    else lines.push({ baseline: r.baseline, runs: [r], kind: null, size: r.size });
  }
  const is = (line: Line, size: number): boolean => line.runs.every((r) => r.bold && Math.abs(r.size - size) < 0.05);
  for (const line of lines) {
    line.size = Math.max(...line.runs.map((r) => r.size));
    for (const kind of ['h1', 'h2', 'h3', 'caption'] as const) if (is(line, headings[kind])) line.kind = kind;
    if (line.kind === null && tableSizes.some((size) => is(line, size))) line.kind = 'th';
  }
  return lines;
}

interface Phrase {
  text: string;
  box: Box;
}

/**
 * Runs joined into phrases for naming them in findings: neighbours on one baseline, in one size, that neither overlap
 * nor stand more than half an em apart (a word space is about a quarter). Rotated runs are phrases of their own.
 */
function phrasesOf(runs: TextRun[]): Map<TextRun, Phrase> {
  const out = new Map<TextRun, Phrase>();
  const flat = runs.filter((r) => r.baseline !== undefined).sort((a, b) => (a.baseline ?? 0) - (b.baseline ?? 0) || a.box.x - b.box.x);
  let group: TextRun[] = [];
  const close = (): void => {
    if (group.length === 0) return;
    const ph: Phrase = { text: joinRuns(group), box: boxOf(group.flatMap((r) => [[r.box.x, r.box.y] as [number, number], [r.box.x + r.box.w, r.box.y + r.box.h] as [number, number]])) };
    for (const r of group) out.set(r, ph);
    group = [];
  };
  for (const r of flat) {
    const prev = group[group.length - 1];
    const gap = prev ? r.box.x - (prev.box.x + prev.box.w) : 0;
    if (prev && (Math.abs((prev.baseline ?? 0) - (r.baseline ?? 0)) > 0.5 || Math.abs(prev.size - r.size) > 0.05 || gap < -0.5 || gap > 0.5 * r.size)) close();
    group.push(r);
  }
  close();
  return out;
}

/** Runs of one line as text: a space where the runs stand apart (a word space), none where pdfmake broke a word. */
function joinRuns(runs: TextRun[]): string {
  let out = '';
  runs.forEach((r, i) => {
    const prev = runs[i - 1];
    out += prev && r.box.x - (prev.box.x + prev.box.w) > 0.15 * r.size ? ` ${r.str}` : r.str;
  });
  return out.replace(/\s+/g, ' ').trim();
}

const textOf = (line: Line): string => joinRuns(line.runs);

/**
 * Reads a report PDF and returns its layout findings (see the rules above). Fails only on a PDF pdf.js cannot read.
 */
export async function checkLayout(pdf: Uint8Array, options: LayoutOptions): Promise<LayoutCheck> {
  const [left, top, right, bottom] = options.margins ?? REPORT_MARGINS;
  const headings = options.headings ?? REPORT_HEADINGS;
  const tableSizes = options.tableSizes ?? REPORT_TABLE_SIZES;
  const minFill = options.minFill ?? 0.6;
  const file = options.file;
  // pdf.js takes ownership of (detaches) the buffer it is given.
  const doc = await getDocument({ data: pdf.slice(), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  const findings: LayoutFinding[] = [];
  try {
    const pages: { page: Page; lines: Line[]; content: TextRun[] }[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await readPage(doc, p);
      // The running header and footer sit in the margins: they are not content.
      const isContent = (b: Box): boolean => b.y + b.h > top && b.y < page.height - bottom;
      const content = page.runs.filter((r) => (r.baseline === undefined ? isContent(r.box) : r.baseline > top && r.baseline < page.height - bottom));
      pages.push({ page, lines: linesOf(content, headings, tableSizes), content });
    }
    pages.forEach(({ page, lines, content }, i) => {
      const p = i + 1;
      const usable = page.height - top - bottom;
      const graphics = page.graphics
        .map((g) => intersect(g, { x: 0, y: top, w: Number.MAX_SAFE_INTEGER, h: usable }))
        .filter((g): g is Box => g !== null);
      const last = lines[lines.length - 1];
      const lowestGraphic = Math.max(top, ...graphics.map((g) => g.y + g.h));

      // A heading or caption as the last thing on the page, or a caption with only its table's header row under it.
      // The block that ends the page: lines each less than three of their sizes (at least 9 pt) below the one before.
      const close = (j: number): boolean => (lines[j + 1] as Line).baseline - (lines[j] as Line).baseline < 3 * Math.max(9, (lines[j] as Line).size);
      let k = lines.length - 1;
      while (k > 0 && lines[k]?.kind === 'th' && lines[k - 1]?.kind === 'th' && close(k - 1)) k--;
      const headerRows = lines[k]?.kind === 'th';
      if (headerRows) k = lines[k - 1]?.kind === 'caption' && close(k - 1) ? k - 1 : -1;
      const headed = k >= 0 && lines[k]?.kind !== null && lines[k]?.kind !== 'th';
      if (last && headed && lowestGraphic < last.baseline + BLOCK_BELOW_PT) {
        // A caption of several lines, or a section heading and the caption under it.
        while (k > 0 && lines[k - 1]?.kind && lines[k - 1]?.kind !== 'th' && close(k - 1)) k--;
        const block = lines.slice(k);
        const box = boxOf(block.flatMap((l) => l.runs.flatMap((r) => [[r.box.x, r.box.y] as [number, number], [r.box.x + r.box.w, r.box.y + r.box.h] as [number, number]])));
        findings.push({
          file,
          page: p,
          rule: 'heading-at-page-end',
          text: block.map(textOf).join(' '),
          box: round(box),
          detail: `${block.map((l) => (l.kind === 'th' ? 'table header' : l.kind)).filter((x, j, all) => all.indexOf(x) === j).join(' and ')} ${block.length > 1 ? 'lines end' : 'line ends'} page ${p}; what ${block.length > 1 ? 'they introduce' : 'it introduces'} starts on page ${p + 1}`,
        });
      }

      // A page under minFill that is not the cover, the last page, or a chapter's last page.
      const next = pages[i + 1];
      const chapterEnds = !next || next.lines[0]?.kind === 'h1';
      if (p > 1 && !chapterEnds) {
        const lowest = Math.max(lowestGraphic, ...lines.map((l) => l.baseline));
        const fill = (lowest - top) / usable;
        if (fill < minFill) {
          findings.push({
            file,
            page: p,
            rule: 'page-under-filled',
            text: last ? textOf(last) : '',
            // The empty part of the usable area, under the last content.
            box: round({ x: left, y: lowest, w: page.width - left - right, h: Math.max(0, page.height - bottom - lowest) }),
            detail: `page ${p} is ${Math.round(fill * 100)} % full (content ends ${Math.round(lowest)} pt from the top, usable ${Math.round(top)}–${Math.round(page.height - bottom)} pt); the next page, not a chapter start, begins "${next.lines[0] ? textOf(next.lines[0]) : ''}"`,
          });
        }
      }

      // Text over text. Runs are compared as drawn (a chart label, or a word of body text); a finding names the phrases
      // they belong to, once per pair of phrases.
      const phrase = phrasesOf(content);
      const phraseOf = (r: TextRun): Phrase => phrase.get(r) ?? { text: r.str, box: r.box };
      const seen = new Set<string>();
      const byX = [...content].sort((a, b) => a.box.x - b.box.x);
      for (let a = 0; a < byX.length; a++) {
        const ra = byX[a] as TextRun;
        for (let b = a + 1; b < byX.length; b++) {
          const rb = byX[b] as TextRun;
          if (rb.box.x >= ra.box.x + ra.box.w) break;
          const o = intersect(ra.box, rb.box);
          if (!o || o.w < OVERLAP_PT || o.h < OVERLAP_PT) continue;
          // The pair named in reading order (the phrase starting further left first), once whichever words meet.
          const [pa, pb] = [phraseOf(ra), phraseOf(rb)].sort((x, y) => x.box.x - y.box.x || x.box.y - y.box.y) as [Phrase, Phrase];
          const key = `${pa.text}\u0000${Math.round(pa.box.x)},${Math.round(pa.box.y)}\u0000${pb.text}\u0000${Math.round(pb.box.x)},${Math.round(pb.box.y)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push({
            file,
            page: p,
            rule: 'label-over-label',
            text: pa.text,
            box: round(pa.box),
            other: { text: pb.text, box: round(pb.box) },
            detail: `"${pa.text}" and "${pb.text}" overlap by ${o.w.toFixed(1)} × ${o.h.toFixed(1)} pt ("${ra.str}" and "${rb.str}" meet)`,
          });
        }
      }

      // Text over a line or a mark: one finding per phrase.
      const crossed = new Set<Phrase>();
      for (const r of content) {
        const ph = phraseOf(r);
        if (crossed.has(ph)) continue;
        const hit = page.strokes.find((s) => lengthInside(s, r.box) >= OVERLAP_PT);
        if (hit) {
          crossed.add(ph);
          findings.push({
            file,
            page: p,
            rule: 'label-over-line',
            text: ph.text,
            box: round(ph.box),
            other: { box: round(boxOf([hit.a, hit.b])) },
            detail: `a line from (${hit.a.map((v) => v.toFixed(1)).join(', ')}) to (${hit.b.map((v) => v.toFixed(1)).join(', ')}) crosses "${r.str}" of "${ph.text}"`,
          });
          continue;
        }
        const mark = page.marks.find((m) => {
          const o = intersect(m.box, r.box);
          return o !== null && o.w >= OVERLAP_PT && o.h >= OVERLAP_PT;
        });
        if (mark) {
          crossed.add(ph);
          findings.push({
            file,
            page: p,
            rule: 'label-over-line',
            text: ph.text,
            box: round(ph.box),
            other: { box: round(mark.box) },
            detail: `a mark at (${mark.box.x.toFixed(1)}, ${mark.box.y.toFixed(1)}) lies under "${r.str}" of "${ph.text}"`,
          });
        }
      }
    });
    return { file, pages: doc.numPages, findings };
  } finally {
    await doc.destroy();
  }
}
