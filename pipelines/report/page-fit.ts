/**
 * Page fitting for pdfmake (0.3, pinned): pdfmake lays a document out in one pass and never looks back, so a long
 * table's caption can end a page with its rows on the next, and a tall unbreakable block (a figure with its caption,
 * a heading kept with its chart) pushed to the next page leaves the page it would have started on half empty. This
 * layer wraps `LayoutBuilder.layoutDocument` and lays the document out again after each correction:
 *
 * - `keepWithNext: true` on a node outside any unbreakable block (a breakable table's caption): when nothing follows
 *   it on its page, it gets a page break before it, so it starts the next page with its block.
 * - `fit: minScale` on an unbreakable block holding charts: when the block was pushed to the next page and the page it
 *   would have started on is under MIN_FILL full, its charts are drawn smaller (each keeps its proportions, never
 *   under `minScale` of its own size) so that the block fits where it would have started.
 * - `breakable: [nodes]` on an unbreakable stack (a table with its caption): when it was pushed to the next page from
 *   a page under MIN_FILL full, it is laid out as these nodes instead, breaking across pages (its caption, marked
 *   keepWithNext, stays with its first rows).
 * - `breakableLater: true` instead, on a block whose alternative is costly to make and seldom taken (a figure drawn
 *   again in two parts: 9 kommun reports of 290): where the alternative would be taken, the layout stops with an
 *   AlternativeNeeded, and the caller makes the document again with the alternative in and lays it out anew (the
 *   same passes lead to the same point, where the alternative is now there; build-pdf.ts buildReportPdf).
 *
 * One correction a pass in each section (a part starting on a new page by the tree's own page break: a correction
 * moves everything after it up to the next such break, and nothing beyond it but page numbers), the first in document
 * order, at most MAX_PASSES passes; a document without marked nodes is laid out once, as before. pdfmake's own
 * `pageBreakBefore` re-run is not used: it can only add page breaks, where a pushed block needs to become smaller.
 * The marks are recorded by wrapping `processNode` (the layout position on entry and exit); the wrapped methods are
 * the ones tagging/layer.ts wraps too, and tests/report/tagging/hooks.test.ts fails on a pdfmake version change.
 *
 * Each pass measures the whole document again (pdfmake's tryLayoutDocument), and measuring the text (breaking it
 * into words and resolving each word's style, DocMeasure.measureLeaf) was two thirds of a pass. A correction changes
 * no text and no style, so a text node measured by an earlier pass of the same document, under the same style stack,
 * gets that pass's measurement back instead of being measured again: the same words in a new list (laying out takes
 * the words off the node's list and sets each word's `x`, which the next pass sets again before anything reads it),
 * unless the layout changed a word in a way the next pass would see (a word split at a line's end, a justified or
 * page-referencing word), when it is measured anew (leafCache below; tests/report/page-fit.test.ts checks the hook
 * points and that the bytes are the same as measured anew).
 */
import { createRequire } from 'node:module';

/** A page must be filled to this share of its usable height before a block may leave it (tests/helpers/pdf-layout.ts). */
export const MIN_FILL = 0.6;
/**
 * The writer's position counts the margins and line spacing under the last text, which the layout check
 * (tests/helpers/pdf-layout.ts) does not: a page the writer finds this full may still be under MIN_FILL by the check.
 */
const FILL_TARGET = MIN_FILL + 0.04;
/** Layout passes at most (the first and the corrected ones). */
const MAX_PASSES = 12;
/** Points of slack on a shrunk block: rounding in pdfmake's measuring must not push it again. */
const SLACK = 2;
/** What an unbreakable block holds under its chart: the figure's bottom margin (build-pdf.ts figure()) and some slack. */
const BLOCK_TAIL = 14;

const INSTALLED = Symbol.for('segfollow.pageFit.installed');

/** The slice of a pdfmake document node this layer reads. */
interface PmNode {
  keepWithNext?: boolean;
  fit?: number;
  breakable?: PmNode[];
  breakableLater?: boolean;
  unbreakable?: boolean;
  pageBreak?: string;
  stack?: PmNode[];
  columns?: PmNode[];
  /** A chart node (charts/draw-chart.ts): its scene's size and the width it is drawn at. */
  chart?: { width: number; height: number };
  width?: number;
  maxHeight?: number;
  /** The margins pdfmake resolved (left, top, right, bottom). */
  _margin?: [number, number, number, number];
}

interface PmItem {
  type: string;
  item: { y?: number; y1?: number; y2?: number };
}

interface PmPage {
  items: PmItem[];
  pageSize: { height: number };
}

interface PmContext {
  page: number;
  y: number;
  pages: PmPage[];
  pageMargins: { top: number; bottom: number };
}

interface PmWriter {
  transactionLevel: number;
  context(): PmContext;
}

interface Builder {
  writer?: PmWriter;
  [STATE]?: Pass;
}

/** What one layout pass recorded. */
interface Pass {
  marks: Mark[];
  /** Charts inside unbreakable blocks: their bottom in the block's own context (from the block's top). */
  bottoms: Map<PmNode, number>;
  /**
   * The page breaks this layer made (keepWithNext), the document's across its passes: not section starts, since a
   * later pass may take them back.
   */
  forced: Set<PmNode>;
  /** Sections begun so far (see Mark.section). */
  section: number;
  /**
   * Per node being laid out, from the document's root (true): whether its children are in the document's top-level
   * flow (stacks all the way up).
   */
  flow: boolean[];
}

const STATE = Symbol.for('segfollow.pageFit.marks');

/**
 * Thrown out of the layout where a block marked `breakableLater` would be laid out as its alternative, which its
 * document does not have yet: the caller makes the document again with it (nothing of the stopped layout is kept).
 */
export class AlternativeNeeded extends Error {
  constructor() {
    super('page fit: a block needs its breakable alternative, which this document was made without (build it with the alternative and lay it out again)');
    this.name = 'AlternativeNeeded';
  }
}

/**
 * Where a marked node was laid out: the writer's page and y on entry and on exit, and its section: the part of the
 * document after the last page break of the tree's own in its top-level flow (a chapter or appendix starting on a new
 * page, `pageBreak: 'before'`, reached through stacks only, outside any unbreakable block). A section is laid out from
 * the top of a new page whatever came before it, so a correction in one section moves nothing in another but page
 * numbers, and each section's first correction can be made in the same pass.
 */
interface Mark {
  node: PmNode;
  start: { page: number; y: number };
  end: { page: number; y: number };
  section: number;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Proto = Record<string | symbol, unknown>;

function wrap(proto: Proto, name: string, make: (original: Method) => Method): void {
  const original = proto[name];
  if (typeof original !== 'function') throw new Error(`page fit: pdfmake has no ${name} to hook (pdfmake upgraded? see tests/report/tagging/hooks.test.ts)`);
  proto[name] = make(original as Method);
}

/** The charts inside a node (an unbreakable block's figure or figures). */
function chartsIn(node: PmNode): PmNode[] {
  if (node.chart) return [node];
  return [...(node.stack ?? []), ...(node.columns ?? [])].flatMap(chartsIn);
}

/** A chart's height at its own size (its scene's proportions at the width it was given). */
function naturalHeight(chart: PmNode): number {
  const c = chart.chart as { width: number; height: number };
  return ((chart.width ?? c.width) * c.height) / c.width;
}

/**
 * Whether text or a picture stands on a page between y and the bottom margin (the footer below it does not count, nor
 * do lines and rules: a table that moved on leaves its top rule behind).
 */
function hasItemBelow(page: PmPage, y: number, bottom: number): boolean {
  return page.items.some(({ type, item }) => type !== 'vector' && item.y !== undefined && item.y >= y - 0.5 && item.y < bottom);
}

/**
 * The corrections the last layout needs, applied to the document tree; false when the layout is final. One a section,
 * its first in document order (it moves everything after it in its section, and nothing in another): the same
 * corrections, in the same order within each section, as one a pass over the whole document would make, in fewer
 * passes. `oneAPass` (layoutPasses.sections false) makes only the document's first.
 */
function correct(pass: Pass, ctx: PmContext, tried: Set<PmNode>, oneAPass: boolean): boolean {
  let corrected = false;
  let done = -1;
  for (let i = 0; i < pass.marks.length; i++) {
    const section = (pass.marks[i] as Mark).section;
    if (section === done) continue;
    const made = correctAt(pass, i, ctx, tried);
    if (made === 'none') continue;
    corrected = true;
    done = section;
    // A correction that took back a break in another section has moved that section: the next pass sees it anew.
    if (oneAPass || made === 'beyond') return true;
  }
  return corrected;
}

/**
 * The correction the mark at `i` needs, made: 'none', 'made', or 'beyond' when it also took back a page break of
 * this layer's in another section. `tried` holds the blocks shrunk once to stay on the page before (one try each:
 * the next pass must not guess again).
 */
function correctAt({ marks, bottoms, forced }: Pass, i: number, ctx: PmContext, tried: Set<PmNode>): 'none' | 'made' | 'beyond' {
  const mark = marks[i] as Mark;
  const { node, end } = mark;
  const page = ctx.pages[end.page];
  if (!page) return 'none';
  const top = ctx.pageMargins.top;
  const bottom = page.pageSize.height - ctx.pageMargins.bottom;
  if (node.keepWithNext) {
    // Something of its block below it on the same page, or already at a page's start: nothing to do.
    if (node.pageBreak === 'before' || end.page === ctx.pages.length - 1 || hasItemBelow(page, end.y, bottom)) return 'none';
    node.pageBreak = 'before';
    forced.add(node);
    // A heading kept with a caption that an earlier pass already moved on: the caption's break was made for the page
    // the heading has now left, and kept it would part the two (the heading alone at the top of a page).
    const following = marks[i + 1];
    if (following && following.node.keepWithNext && forced.has(following.node)) {
      delete following.node.pageBreak;
      forced.delete(following.node);
      if (following.section !== mark.section) return 'beyond';
    }
    return 'made';
  }
  // A block with a page break before it starts at the top of the next page, not where the writer stood.
  const start = node.pageBreak === 'before' ? { page: mark.start.page + 1, y: top } : mark.start;
  const pushed = end.page === start.page + 1 && (start.y - top) / (bottom - top) < FILL_TARGET;
  // A block that may be laid out as its breakable alternative: that, when it was pushed and its charts (if any)
  // cannot shrink enough to stay.
  const alternative = (): boolean => {
    if (!node.unbreakable || !pushed) return false;
    if (!node.breakable) {
      if (node.breakableLater) throw new AlternativeNeeded();
      return false;
    }
    node.stack = node.breakable;
    node.unbreakable = false;
    return true;
  };
  // A block laid out as its breakable alternative: its parts are fitted each on their own.
  if (!node.unbreakable) return 'none';
  const charts = chartsIn(node);
  // The block's height as laid out in its own context (pdfmake gives an unbreakable block one page of unlimited
  // height): the lowest chart's bottom, and under it the figure's margin. A chart-less block is not fitted.
  const bottomsIn = charts.map((c) => bottoms.get(c)).filter((b): b is number => b !== undefined);
  if (bottomsIn.length === 0) {
    return alternative() ? 'made' : 'none';
  }
  const height = Math.max(...bottomsIn) + BLOCK_TAIL;
  const heights = charts.map((c) => c.maxHeight ?? naturalHeight(c));
  const total = heights.reduce((sum, h) => sum + h, 0);
  const shrink = (deficit: number): number[] => heights.map((h) => (h * (total - deficit)) / total);
  if (height > bottom - top + SLACK) {
    // Taller than a page: pdfmake would drop the block. Its charts are made to fit a page whatever the scale (a
    // smaller chart beats a missing one).
    const next = shrink(height - (bottom - top) + SLACK);
    if (next.some((h) => h <= 0)) return 'none';
    charts.forEach((c, i) => (c.maxHeight = next[i]));
    return 'made';
  }
  if (!pushed || tried.has(node)) {
    return alternative() ? 'made' : 'none';
  }
  // Pushed to the next page from a page under MIN_FILL: its charts drawn smaller so that it fits in what that page
  // has left under start.y (the block's top margin included), if they need not shrink below node.fit.
  const deficit = height + (node._margin?.[1] ?? 0) - (bottom - start.y) + SLACK;
  tried.add(node);
  const next = shrink(deficit);
  if (deficit <= 0 || deficit >= total || charts.some((c, i) => (next[i] ?? 0) < (node.fit ?? 1) * naturalHeight(c))) {
    return alternative() ? 'made' : 'none';
  }
  charts.forEach((c, i) => (c.maxHeight = next[i]));
  return 'made';
}

/** A text node as DocMeasure.measureLeaf reads and writes it. */
interface PmLeaf {
  text?: unknown;
  _textRef?: unknown;
  _inlines?: object[];
  _minWidth?: number;
  _maxWidth?: number;
}

/**
 * What measureLeaf made of a text node: its words (the objects, laid out since) with their texts as measured, and the
 * style stack it was under.
 */
interface Measured {
  text: unknown;
  stack: readonly unknown[];
  words: Word[];
  texts: unknown[];
  minWidth: number | undefined;
  maxWidth: number | undefined;
}

/** The text measurements of the document being laid out, kept across its passes (one document at a time: pdfmake is synchronous). */
let leafCache: WeakMap<object, Measured> | null = null;

/**
 * Counts since the thread started, for tests and benchmarks: layout passes, text nodes measured and text nodes whose
 * measurement an earlier pass gave back. `reuse: false` measures every pass anew, as pdfmake does, and `sections:
 * false` makes one correction a pass over the whole document (the comparison builds of tests/report/page-fit.test.ts).
 */
export const layoutPasses = { passes: 0, measured: 0, reused: 0, reuse: true, sections: true };

/** Whether a text refers to another node's text (pdfmake's textReference): its measurement may not be reused. */
function hasTextRef(text: unknown): boolean {
  if (Array.isArray(text)) return text.some(hasTextRef);
  if (text === null || typeof text !== 'object') return false;
  const t = text as PmLeaf;
  return t._textRef !== undefined || hasTextRef(t.text);
}

function sameStack(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A word as TextBreaker makes it and layout changes it. */
interface Word {
  text: unknown;
  [key: string]: unknown;
}

/**
 * Whether the words of a measurement are as measureLeaf left them, but for their `x` (Line.addInline sets it on every
 * word it places, before anything reads it). What else layout writes on a word (pdfmake 0.3.11, checked by
 * tests/report/page-fit.test.ts): a word too long for its line is cut (buildNextLine: its text and width, the rest a
 * new word), a justified line's words get `justifyShift` (ElementWriter.alignLine), a page reference's `_pageNodeRef`
 * (LayoutBuilder.processLeaf). A new text is a new string, so comparing the text finds a cut.
 */
function intact(m: Measured): boolean {
  const { words, texts } = m;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Word;
    if (w.text !== texts[i] || Object.hasOwn(w, 'justifyShift') || Object.hasOwn(w, '_pageNodeRef')) return false;
  }
  return true;
}

/** pdfmake's LayoutBuilder and DocMeasure (the paths are pdfmake 0.3's `js/` build). */
function pdfmakeClass(name: 'LayoutBuilder' | 'DocMeasure'): { prototype: object } {
  const require = createRequire(import.meta.url);
  return (require(`pdfmake/js/${name}.js`) as { default: { prototype: object } }).default;
}

/** The pdfmake methods this layer wraps; tests/report/page-fit.test.ts checks them and what the leaf cache assumes. */
export const PAGE_FIT_HOOKS = { LayoutBuilder: ['layoutDocument', 'processNode'], DocMeasure: ['measureLeaf'] } as const;

/** Installs the layer once per process (per worker thread); idempotent. */
export function installPageFit(LayoutBuilder: { prototype: object } = pdfmakeClass('LayoutBuilder'), DocMeasure: { prototype: object } = pdfmakeClass('DocMeasure')): void {
  const L = LayoutBuilder.prototype as Proto;
  if (L[INSTALLED]) return;
  wrap(DocMeasure.prototype as Proto, 'measureLeaf', (original) =>
    function measureLeaf(this: unknown, ...args: unknown[]): unknown {
      const node = args[0] as PmLeaf;
      const cache = leafCache;
      layoutPasses.measured++;
      if (!cache || node._textRef !== undefined || hasTextRef(node.text)) return original.apply(this, args);
      const stack = (this as { styleStack: { styleOverrides: unknown[] } }).styleStack.styleOverrides;
      const known = cache.get(node);
      if (known && known.text === node.text && sameStack(known.stack, stack) && intact(known)) {
        node._inlines = known.words.slice();
        node._minWidth = known.minWidth;
        node._maxWidth = known.maxWidth;
        layoutPasses.reused++;
        return node;
      }
      const result = original.apply(this, args);
      const words = (node._inlines ?? []) as Word[];
      cache.set(node, { text: node.text, stack: stack.slice(), words: words.slice(), texts: words.map((w) => w.text), minWidth: node._minWidth, maxWidth: node._maxWidth });
      return result;
    },
  );
  wrap(L, 'processNode', (original) =>
    function processNode(this: unknown, ...args: unknown[]): unknown {
      const node = args[0] as PmNode;
      const self = this as Builder;
      const pass = self[STATE];
      const w = self.writer;
      if (!pass || !w) return original.apply(this, args);
      const inFlow = pass.flow[pass.flow.length - 1] === true;
      if (inFlow && node.pageBreak === 'before' && !pass.forced.has(node)) pass.section++;
      pass.flow.push(inFlow && node.stack !== undefined && !node.unbreakable);
      try {
        if (node.chart && w.transactionLevel > 0) {
          // Inside an unbreakable block the writer has a context of its own, starting at 0 at the block's top.
          const result = original.apply(this, args);
          pass.bottoms.set(node, w.context().y);
          return result;
        }
        if ((!node.keepWithNext && node.fit === undefined && !node.breakable && !node.breakableLater) || w.transactionLevel > 0) return original.apply(this, args);
        const section = pass.section;
        const before = w.context();
        const start = { page: before.page, y: before.y };
        const result = original.apply(this, args);
        const after = w.context();
        pass.marks.push({ node, start, end: { page: after.page, y: after.y }, section });
        return result;
      } finally {
        pass.flow.pop();
      }
    },
  );
  wrap(L, 'layoutDocument', (original) =>
    function layoutDocument(this: unknown, ...args: unknown[]): unknown {
      const self = this as Builder;
      const tried = new Set<PmNode>();
      const forced = new Set<PmNode>();
      const outer = leafCache;
      leafCache = layoutPasses.reuse ? new WeakMap() : null;
      // pdfmake wraps a content array in a new `{ stack }` on every pass (DocPreprocessor.preprocessNode), and that
      // wrapper heads every style stack: made once here, as pdfmake makes it, the stacks of two passes are the same.
      // Its symbol-keyed options (the tagging layer's) go with it.
      const content = args[0];
      if (Array.isArray(content)) {
        const root: Record<string | symbol, unknown> = { stack: content };
        for (const key of Object.getOwnPropertySymbols(content)) root[key] = (content as unknown as Record<symbol, unknown>)[key];
        args[0] = root;
      }
      try {
        for (let pass = 1; ; pass++) {
          const record: Pass = { marks: [], bottoms: new Map(), forced, section: 0, flow: [true] };
          self[STATE] = record;
          const pages = original.apply(this, args);
          self[STATE] = undefined;
          layoutPasses.passes++;
          const ctx = self.writer?.context();
          if (pass >= MAX_PASSES || !ctx || !correct(record, ctx, tried, !layoutPasses.sections)) return pages;
          // pdfmake's own re-run (pageBreakBefore) resets the nodes' positions the same way.
          for (const n of (this as { linearNodeList?: { resetXY?: () => void }[] }).linearNodeList ?? []) n.resetXY?.();
        }
      } finally {
        leafCache = outer;
      }
    },
  );
  L[INSTALLED] = true;
}
