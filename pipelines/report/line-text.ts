/**
 * A line of text as one text object, for pdfmake (0.3, pinned) over pdfkit (0.19, pinned). pdfmake draws every word
 * of a line (an "inline") with a pdfkit text() call of its own, and pdfkit wraps each in its own graphics and text
 * state: opacity, colour space, colour and a path-less `f`, then `q`, the page's flipped matrix, `BT`, position,
 * font, the glyphs, `ET`, `Q` — some 200 bytes of page content a word, and a pass through pdfkit's option handling,
 * matrix bookkeeping and string building for each. pdfmake itself notes that a line whose words share a style should
 * be one stream (its renderLine's TODO). This layer does that for such lines: the line's opacity and colour set once
 * as pdfmake sets them, one `q`/flip/`BT` … `ET`/`Q`, and for each word its position (`Tm`), its font where it
 * changes (`Tf`) and its glyphs (`TJ`) exactly as pdfkit's _fragment writes them. The page looks the same — each word
 * is placed by an absolute text matrix, as before — and carries the same text in the same order, in about a third of
 * the bytes.
 *
 * Any line with something else (a link, a page reference, an outline entry, a destination, a text background or
 * decoration, sup/sub, letter spacing, font features, words in different colours or opacities) is drawn by
 * pdfmake's own renderLine. tests/report/line-text.test.ts pins the pdfmake and pdfkit functions this follows
 * (their source is compared with the text validated here) and compares rendered pages of both ways pixel by pixel.
 */
const INSTALLED = Symbol.for('segfollow.lineText.installed');

interface Position {
  xAdvance: number;
  advanceWidth: number;
  xOffset: number;
  yOffset: number;
}

interface PdfFont {
  id: string;
  ascender: number;
  ref(): unknown;
  encode(text: string, features?: unknown): [string[], Position[]];
}

interface Inline {
  text: unknown;
  x: number;
  font: PdfFont;
  fontSize: number;
  color?: unknown;
  opacity?: unknown;
  [key: string]: unknown;
}

interface Line {
  inlines: Inline[];
  getHeight(): number;
  getAscenderHeight(): number;
  [key: string]: unknown;
}

interface Doc {
  page: { height: number; fonts: Record<string, unknown> };
  x: number;
  y: number;
  _font: PdfFont;
  _fontSize: number;
  opacity(o: number): Doc;
  fill(color: unknown): Doc;
  fontSize(size: number): Doc;
  save(): Doc;
  restore(): Doc;
  transform(a: number, b: number, c: number, d: number, e: number, f: number): Doc;
  addContent(s: string): Doc;
  widthOfString(s: string): number;
  resolveColor(color: unknown, fallback: string): unknown;
}

type RenderLine = (this: { pdfDocument: Doc }, line: Line, x?: number, y?: number) => unknown;

/** pdfkit's number formatting for content streams (PDFObject.number): six decimals at most. */
function num(n: number): number {
  if (n > -1e21 && n < 1e21) return Math.round(n * 1e6) / 1e6;
  throw new Error(`unsupported number: ${n}`);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/**
 * Whether the line is one this layer draws: plain words, one colour and opacity, nothing but text. (Each property
 * read by name: a loop over a list of names read them through V8's generic lookup, 0.6 % of a report's time.)
 */
export function isPlainLine(line: Line): boolean {
  const inlines = line.inlines;
  if (inlines.length === 0 || line._outline || line._pageNodeRef || line.id) return false;
  const first = inlines[0] as Inline;
  const color = first.color;
  const opacity = isNumber(first.opacity) ? first.opacity : 1;
  if (color !== undefined && typeof color !== 'string') return false;
  for (let i = 0; i < inlines.length; i++) {
    const w = inlines[i] as Inline;
    if (w._pageNodeRef || w.link || w.linkToPage || w.linkToDestination || w.fontFeatures || w.characterSpacing || w.sup || w.sub || w.background || w.decoration) return false;
    const text = w.text;
    if (typeof text !== 'string' || text.includes('\n')) return false;
    // pdfmake takes a Number object for a number too; such a line is left to it.
    if (w.opacity !== undefined && typeof w.opacity !== 'number') return false;
    if (w.color !== color || (isNumber(w.opacity) ? w.opacity : 1) !== opacity) return false;
  }
  return true;
}

/**
 * What each word of a document's font is written as, where its glyphs need no text matrix of their own: the TJ
 * operator ('' for none). A word's operator depends on the document's font subset only (the glyph ids it gave out),
 * so it is kept per font object, which is the document's; a report writes most of its words many times (numbers,
 * units, headers). The first time still goes through the font's encode, which adds the glyphs to the subset in the
 * order pdfkit would.
 */
const WRITTEN = new WeakMap<PdfFont, Map<string, string>>();

/** One word's glyphs as pdfkit's _fragment writes them (no word spacing, letter spacing or features). */
function writeGlyphs(doc: Doc, font: PdfFont, size: number, text: string, x: number, y: number): void {
  let written = WRITTEN.get(font);
  if (!written) WRITTEN.set(font, (written = new Map()));
  const known = written.get(text);
  if (known !== undefined) {
    if (known) doc.addContent(known);
    return;
  }
  const [encoded, positions] = font.encode(text, undefined);
  const scale = size / 1000;
  const out: string[] = [];
  const commands: string[] = [];
  let last = 0;
  let hadOffset = false;
  let anyOffset = false;
  const addSegment = (cur: number): void => {
    if (last < cur) {
      const hex = encoded.slice(last, cur).join('');
      const p = positions[cur - 1] as Position;
      commands.push(`<${hex}> ${num(-(p.xAdvance - p.advanceWidth))}`);
    }
    last = cur;
  };
  const flush = (i: number): void => {
    addSegment(i);
    if (commands.length > 0) {
      out.push(`[${commands.join(' ')}] TJ`);
      commands.length = 0;
    }
  };
  let i: number;
  for (i = 0; i < positions.length; i++) {
    const pos = positions[i] as Position;
    if (pos.xOffset || pos.yOffset) {
      flush(i);
      out.push(`1 0 0 1 ${num(x + pos.xOffset * scale)} ${num(y + pos.yOffset * scale)} Tm`);
      flush(i + 1);
      hadOffset = true;
      anyOffset = true;
    } else {
      if (hadOffset) {
        out.push(`1 0 0 1 ${num(x)} ${num(y)} Tm`);
        hadOffset = false;
      }
      if (pos.xAdvance - pos.advanceWidth !== 0) addSegment(i + 1);
    }
    x += pos.xAdvance * scale;
  }
  flush(i);
  for (const line of out) doc.addContent(line);
  // Without offsets a word is at most one TJ, the same wherever it stands.
  if (!anyOffset) written.set(text, out.length === 1 ? (out[0] as string) : '');
}

/** A plain line (isPlainLine) in one text object; the document's state afterwards as pdfmake's renderLine leaves it. */
function drawPlainLine(doc: Doc, line: Line, x: number, y: number): void {
  const lineHeight = line.getHeight();
  const descent = lineHeight - line.getAscenderHeight();
  const inlines = line.inlines;
  const first = inlines[0] as Inline;
  // What pdfmake sets before each word, set once: the words share it (isPlainLine).
  doc.opacity(isNumber(first.opacity) ? first.opacity : 1);
  doc.fill(doc.resolveColor(first.color, 'black'));
  const height = doc.page.height;
  doc.save();
  doc.transform(1, 0, 0, -1, 0, height);
  doc.addContent('BT');
  let font: PdfFont | null = null;
  let size = Number.NaN;
  let lastX = x;
  let lastY = y;
  let lastText = '';
  for (let i = 0; i < inlines.length; i++) {
    const inline = inlines[i] as Inline;
    doc._font = inline.font;
    doc.fontSize(inline.fontSize);
    const text = inline.text as string;
    const top = y + (lineHeight - (inline.font.ascender / 1000) * inline.fontSize - descent);
    lastX = x + inline.x;
    lastY = top;
    lastText = text;
    // pdfkit writes nothing for an empty string.
    if (text.length === 0) continue;
    const f = doc._font;
    const s = doc._fontSize;
    if (doc.page.fonts[f.id] == null) doc.page.fonts[f.id] = f.ref();
    const baseline = height - top - (f.ascender / 1000) * s;
    doc.addContent(`1 0 0 1 ${num(lastX)} ${num(baseline)} Tm`);
    if (f !== font || s !== size) {
      doc.addContent(`/${f.id} ${num(s)} Tf`);
      font = f;
      size = s;
    }
    writeGlyphs(doc, f, s, text, lastX, baseline);
  }
  doc.addContent('ET');
  doc.restore();
  // Where pdfkit's text() leaves its cursor after the last word.
  doc.x = lastX + doc.widthOfString(lastText);
  doc.y = lastY;
}

/**
 * Installs the layer on pdfmake's Renderer class (tagging/layer.ts pdfmakeClasses) once per process (per worker
 * thread); idempotent. Before the tagging layer, which wraps it (and checks).
 */
export function installLineText(R: { prototype: object }): void {
  const proto = R.prototype as Record<string | symbol, unknown>;
  if (proto[INSTALLED]) return;
  const original = proto.renderLine;
  if (typeof original !== 'function') throw new Error('line text: pdfmake has no Renderer.renderLine to replace (pdfmake upgraded? see tests/report/line-text.test.ts)');
  proto.renderLine = function renderLine(this: { pdfDocument: Doc }, line: Line, x?: number, y?: number): unknown {
    if (!lineText.enabled || !isPlainLine(line)) return (original as RenderLine).call(this, line, x, y);
    drawPlainLine(this.pdfDocument, line, x || 0, y || 0);
    return undefined;
  };
  proto[INSTALLED] = true;
}

/** `enabled: false` draws every line with pdfmake's renderLine (the comparison in tests/report/line-text.test.ts). */
export const lineText = { enabled: true };
