/**
 * Text measurement shared between documents, for pdfmake (0.3, pinned). A report thread renders hundreds of reports
 * whose text nodes repeat (captions, table headers, the method chapter, units, most numbers): four in five text
 * nodes of six kommun reports had been measured before. pdfmake's DocMeasure.measureLeaf breaks a node's text into
 * words and gives every word some twenty style properties and its width; for a node whose text is a plain string,
 * every word's properties come from the style stack alone (a word has no style of its own), so the words are a
 * function of the text, the stack's values of the properties TextBreaker and TextInlines read (MEASURED), and the
 * font's glyph advances. This layer keeps the words of such nodes per thread, keyed by exactly that (the font by the
 * path of its file: the report's fonts are paths into pdfmake's virtual file system, which a thread never changes),
 * and gives a node seen before fresh copies of them with the current document's font object (pdfmake's provideFont
 * is still called, once, where the first word would have called it: fonts enter the file in the same order).
 *
 * Anything else (an array of styled pieces, a text reference, a font pdfkit does not embed) is measured as before.
 * tests/report/text-measure.test.ts pins the pdfmake files this relies on and compares reports' bytes with the
 * layer on and off.
 */
import { createRequire } from 'node:module';

const INSTALLED = Symbol.for('segfollow.textMeasure.installed');

/**
 * The properties pdfmake 0.3.11 reads from the style stack when it measures a string: TextBreaker.getBreaks
 * (wordBreak, noWrap), TextInlines.measure (the rest) and buildInlines (noWrap again).
 */
export const MEASURED = [
  'wordBreak', 'noWrap', 'leadingIndent', 'font', 'bold', 'italics', 'alignment', 'fontSize', 'fontFeatures',
  'characterSpacing', 'color', 'decoration', 'decorationColor', 'decorationStyle', 'decorationThickness', 'background',
  'link', 'linkToPage', 'linkToDestination', 'opacity', 'sup', 'sub', 'lineHeight', 'preserveLeadingSpaces',
  'preserveTrailingSpaces',
] as const;

/**
 * Distinct texts kept per thread (~4.3 KB each in a heap snapshot: ~17 MB at most). The first kommun report adds
 * ~1 500, each later one ~600 of its own (numbers); when full, what was never reused goes. At 8 000 the store was
 * 34 MB of a thread's 155 MB live heap after 60 kommun reports; at 4 000 a thread measures ~10 % more text nodes
 * (60 kommun reports: 20 800 against 17 300 of ~200 000), a few milliseconds a report.
 */
const MAX_ENTRIES = 4_000;

interface Leaf {
  text?: unknown;
  _textRef?: unknown;
  _inlines?: Word[];
  _minWidth?: number;
  _maxWidth?: number;
}

interface Word {
  text: string;
  font?: unknown;
  [key: string]: unknown;
}

interface StyleStack {
  clone(): StyleStack;
  push(item: unknown): void;
}

interface Measurer {
  styleStack: StyleStack;
  pdfDocument: {
    provideFont(family: unknown, bold: unknown, italics: unknown): unknown;
    getFontFile(family: unknown, bold: unknown, italics: unknown): unknown;
  };
}

export interface Entry {
  words: Word[];
  minWidth: number | undefined;
  maxWidth: number | undefined;
  /** Times given back since the store was last pruned. */
  hits: number;
}

/** A full store: the texts that came back since the last pruning stay (the common text of every report), the rest go. */
export function pruned(full: Map<string, Entry>): Map<string, Entry> {
  const kept = new Map<string, Entry>();
  for (const [key, entry] of full) {
    if (entry.hits === 0) continue;
    entry.hits = 0;
    kept.set(key, entry);
  }
  return kept.size > MAX_ENTRIES / 2 ? new Map() : kept;
}

type StaticLookup = (item: unknown, stack: unknown, property: string, defaultValue: unknown) => unknown;

/** The kept words by key (keyOf). */
let store = new Map<string, Entry>();

/** Objects among the values (a link or font features given as objects) by identity: a number each. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/**
 * One string for the font file, the values and the text, each part tagged with its type and strings with their
 * length, so that two different keys cannot spell the same string (0 and -0 apart too).
 */
function keyOf(file: string, values: readonly unknown[], text: string): string {
  let key = `${file.length}:${file}`;
  for (const v of values) {
    if (v === NO_VALUE) key += '|~';
    else if (typeof v === 'string') key += `|s${v.length}:${v}`;
    else if (typeof v === 'number') key += Object.is(v, -0) ? '|n-0' : `|n${v}`;
    else if (typeof v === 'boolean') key += v ? '|t' : '|f';
    else if ((typeof v === 'object' && v !== null) || typeof v === 'function') {
      let id = objectIds.get(v);
      if (id === undefined) objectIds.set(v, (id = nextObjectId++));
      key += `|o${id}`;
    } else key += `|${typeof v}${String(v)}`;
  }
  return `${key}|${text}`;
}

/** Counts since the thread started, for tests and benchmarks; `reuse: false` measures every node (the comparison build). */
export const textMeasure = { measured: 0, reused: 0, reuse: true };

const NO_VALUE = Symbol('no value');

function copyWord(w: Word, font: unknown): Word {
  // Property by property in their order (as page-fit.ts copies): the copies keep the shape of pdfmake's words.
  const copy: Word = { text: w.text };
  for (const key in w) copy[key] = w[key];
  copy.font = font;
  return copy;
}

/** pdfmake's DocMeasure and StyleContextStack (the paths are pdfmake 0.3's `js/` build). */
function classes(): { DocMeasure: { prototype: object }; StyleContextStack: { getStyleProperty: StaticLookup } } {
  const require = createRequire(import.meta.url);
  return {
    DocMeasure: (require('pdfmake/js/DocMeasure.js') as { default: { prototype: object } }).default,
    StyleContextStack: (require('pdfmake/js/StyleContextStack.js') as { default: { getStyleProperty: StaticLookup } }).default,
  };
}

/** Installs the layer once per process (per worker thread); idempotent. Before page-fit's, which wraps it. */
export function installTextMeasure(c = classes()): void {
  const proto = c.DocMeasure.prototype as Record<string | symbol, unknown>;
  if (proto[INSTALLED]) return;
  const original = proto.measureLeaf;
  if (typeof original !== 'function') throw new Error('text measure: pdfmake has no DocMeasure.measureLeaf to hook (pdfmake upgraded? see tests/report/text-measure.test.ts)');
  const S = c.StyleContextStack;
  proto.measureLeaf = function measureLeaf(this: Measurer, node: Leaf): unknown {
    if (!textMeasure.reuse || typeof node.text !== 'string' || node._textRef !== undefined) return (original as (n: Leaf) => unknown).call(this, node);
    // The stack measureLeaf measures with: the document's, and the node on top.
    const stack = this.styleStack.clone();
    stack.push(node);
    const values = MEASURED.map((p) => S.getStyleProperty({}, stack, p, NO_VALUE));
    const [, , , family, bold, italics] = values;
    // The font file as pdfmake's measure would ask for it (with its defaults): a path (the report's fonts) or not kept.
    const file = this.pdfDocument.getFontFile(family === NO_VALUE ? 'Roboto' : family, bold === NO_VALUE ? false : bold, italics === NO_VALUE ? false : italics);
    if (typeof file !== 'string') return (original as (n: Leaf) => unknown).call(this, node);
    const key = keyOf(file, values, node.text);
    const known = store.get(key);
    if (known) {
      // Where the first word's measuring would have asked for the font (a kept entry has at least one word).
      const font = this.pdfDocument.provideFont(family === NO_VALUE ? 'Roboto' : family, bold === NO_VALUE ? false : bold, italics === NO_VALUE ? false : italics);
      node._inlines = known.words.map((w) => copyWord(w, font));
      node._minWidth = known.minWidth;
      node._maxWidth = known.maxWidth;
      textMeasure.reused++;
      known.hits++;
      return node;
    }
    const result = (original as (n: Leaf) => unknown).call(this, node);
    textMeasure.measured++;
    const words = node._inlines ?? [];
    // At least one word, all in one font (the stack's): otherwise not kept.
    const font = words[0]?.font;
    if (font !== undefined && words.every((w) => w.font === font)) {
      if (store.size >= MAX_ENTRIES) store = pruned(store);
      store.set(key, { words: words.map((w) => copyWord(w, undefined)), minWidth: node._minWidth, maxWidth: node._maxWidth, hits: 0 });
    }
    return result;
  };
  proto[INSTALLED] = true;
}
