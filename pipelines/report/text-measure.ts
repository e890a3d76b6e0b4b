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

/** Distinct texts kept per thread before the store starts again (a kommun report has ~1 500). */
const MAX_ENTRIES = 60_000;

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

interface Entry {
  words: Word[];
  minWidth: number | undefined;
  maxWidth: number | undefined;
}

type StaticLookup = (item: unknown, stack: unknown, property: string, defaultValue: unknown) => unknown;

/** A trie over the key's parts: Maps compare primitives by value and objects by identity, as the words would. */
type Trie = Map<unknown, Trie | Entry>;
let store: Trie = new Map();
let entries = 0;

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
    const key: unknown[] = [file, node.text, ...values];
    let level = store;
    for (let i = 0; i < key.length - 1; i++) {
      let next = level.get(key[i]) as Trie | undefined;
      if (!next) level.set(key[i], (next = new Map()));
      level = next;
    }
    const last = key[key.length - 1];
    const known = level.get(last) as Entry | undefined;
    if (known) {
      // Where the first word's measuring would have asked for the font (a kept entry has at least one word).
      const font = this.pdfDocument.provideFont(family === NO_VALUE ? 'Roboto' : family, bold === NO_VALUE ? false : bold, italics === NO_VALUE ? false : italics);
      node._inlines = known.words.map((w) => copyWord(w, font));
      node._minWidth = known.minWidth;
      node._maxWidth = known.maxWidth;
      textMeasure.reused++;
      return node;
    }
    const result = (original as (n: Leaf) => unknown).call(this, node);
    textMeasure.measured++;
    const words = node._inlines ?? [];
    // At least one word, all in one font (the stack's): otherwise not kept.
    const font = words[0]?.font;
    if (font !== undefined && words.every((w) => w.font === font)) {
      if (entries >= MAX_ENTRIES) {
        store = new Map();
        entries = 0;
      } else {
        level.set(last, { words: words.map((w) => copyWord(w, undefined)), minWidth: node._minWidth, maxWidth: node._maxWidth });
        entries++;
      }
    }
    return result;
  };
  proto[INSTALLED] = true;
}
