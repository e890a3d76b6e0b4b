import { getDocument, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Layout checks on a rendered report, read back with Mozilla's pdf.js (text boxes from getTextContent, painted paths
 * from getOperatorList). It lives beside the tests rather than in pipelines/ because nothing at run time needs it and
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
 * a heading followed by a single line of its block, and widows inside paragraphs. Blind spot: pdf.js joins text drawn
 * on the same baseline in the same font when the second piece starts less than 0.2 em before the first ends (tight
 * tracking), so two labels side by side that overlap by less than that (about 1.6 pt at 8 pt) are read as one.
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
}

/** Painted paths and images of a page in top-down page coordinates, clipped to the current clip's bounding box. */
function graphicsOf(fnArray: number[], argsArray: unknown[][], height: number): Pick<Page, 'strokes' | 'marks' | 'graphics'> {
  const strokes: Stroke[] = [];
  const marks: Mark[] = [];
  const graphics: Box[] = [];
  // PDF user space has y up; flipping here gives top-down coordinates for everything below.
  let gs: GState = { ctm: [1, 0, 0, -1, 0, height], clip: null, stroke: '#000000', fill: '#000000', strokeAlpha: 1, fillAlpha: 1 };
  const stack: GState[] = [];
  let clipNext = false;
  const clipped = (b: Box): Box | null => (gs.clip ? intersect(b, gs.clip) : b);
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] ?? [];
    if (fn === OPS.save || fn === OPS.paintFormXObjectBegin) {
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
  return { strokes, marks, graphics };
}

async function readPage(doc: Awaited<ReturnType<typeof getDocument>['promise']>, p: number): Promise<Page> {
  const page = await doc.getPage(p);
  const [, y0 = 0, , y1 = 0] = page.view;
  const height = y1 - y0;
  // The operator list first: it loads the fonts whose names tell bold from regular.
  const ops = await page.getOperatorList();
  const content = await page.getTextContent();
  const runs: TextRun[] = [];
  const fontNames = new Map<string, string>();
  for (const item of content.items) {
    if (!('str' in item) || item.str.trim() === '') continue;
    let name = fontNames.get(item.fontName);
    if (name === undefined) {
      const font = page.commonObjs.has(item.fontName) ? (page.commonObjs.get(item.fontName) as { name?: string } | null) : null;
      name = font?.name ?? '';
      fontNames.set(item.fontName, name);
    }
    const [a, b, c, d, e, f] = item.transform as Matrix;
    const size = Math.hypot(a, b);
    if (size === 0) continue;
    const ux = a / size;
    const uy = b / size;
    const up = Math.hypot(c, d) || size;
    const vx = (c / up) * size;
    const vy = (d / up) * size;
    const corner = (s: number, t: number): [number, number] => [e + ux * s + vx * t, height - (f + uy * s + vy * t)];
    const box = boxOf([
      corner(0, -TEXT_BOX.below),
      corner(item.width, -TEXT_BOX.below),
      corner(0, TEXT_BOX.above),
      corner(item.width, TEXT_BOX.above),
    ]);
    runs.push({
      str: item.str,
      size,
      bold: /bold|medium|semibold|black|heavy/i.test(name),
      baseline: b === 0 && c === 0 ? height - f : undefined,
      box,
    });
  }
  return { height, runs, ...graphicsOf(ops.fnArray, ops.argsArray as unknown[][], height) };
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

const textOf = (line: Line): string => line.runs.map((r) => r.str).join(' ').replace(/\s+/g, ' ').trim();

/**
 * Reads a report PDF and returns its layout findings (see the rules above). Fails only on a PDF pdf.js cannot read.
 */
export async function checkLayout(pdf: Uint8Array, options: LayoutOptions): Promise<LayoutCheck> {
  const [, top, , bottom] = options.margins ?? REPORT_MARGINS;
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
            box: round({ x: 0, y: top, w: 0, h: Math.max(0, lowest - top) }),
            detail: `page ${p} is ${Math.round(fill * 100)} % full (content ends ${Math.round(lowest)} pt from the top, usable ${Math.round(top)}–${Math.round(page.height - bottom)} pt); the next page, not a chapter start, begins "${next.lines[0] ? textOf(next.lines[0]) : ''}"`,
          });
        }
      }

      // Text over text.
      const byX = [...content].sort((a, b) => a.box.x - b.box.x);
      for (let a = 0; a < byX.length; a++) {
        const ra = byX[a] as TextRun;
        for (let b = a + 1; b < byX.length; b++) {
          const rb = byX[b] as TextRun;
          if (rb.box.x >= ra.box.x + ra.box.w) break;
          const o = intersect(ra.box, rb.box);
          if (o && o.w >= OVERLAP_PT && o.h >= OVERLAP_PT) {
            findings.push({
              file,
              page: p,
              rule: 'label-over-label',
              text: ra.str,
              box: round(ra.box),
              other: { text: rb.str, box: round(rb.box) },
              detail: `"${ra.str}" and "${rb.str}" overlap by ${o.w.toFixed(1)} × ${o.h.toFixed(1)} pt`,
            });
          }
        }
      }

      // Text over a line or a mark: one finding per label.
      for (const r of content) {
        const hit = page.strokes.find((s) => lengthInside(s, r.box) >= OVERLAP_PT);
        if (hit) {
          findings.push({
            file,
            page: p,
            rule: 'label-over-line',
            text: r.str,
            box: round(r.box),
            other: { box: round(boxOf([hit.a, hit.b])) },
            detail: `a line from (${hit.a.map((v) => v.toFixed(1)).join(', ')}) to (${hit.b.map((v) => v.toFixed(1)).join(', ')}) crosses "${r.str}"`,
          });
          continue;
        }
        const mark = page.marks.find((m) => {
          const o = intersect(m.box, r.box);
          return o !== null && o.w >= OVERLAP_PT && o.h >= OVERLAP_PT;
        });
        if (mark) {
          findings.push({
            file,
            page: p,
            rule: 'label-over-line',
            text: r.str,
            box: round(r.box),
            other: { box: round(mark.box) },
            detail: `a mark at (${mark.box.x.toFixed(1)}, ${mark.box.y.toFixed(1)}) lies under "${r.str}"`,
          });
        }
      }
    });
    return { file, pages: doc.numPages, findings };
  } finally {
    await doc.destroy();
  }
}
