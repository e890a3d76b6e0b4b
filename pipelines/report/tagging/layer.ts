/**
 * The tagging layer: makes pdfmake (0.3, pinned) write a tagged PDF (PDF/UA-1) with a complete structure tree,
 * without changing a single drawn operator. pdfmake has no public hook for this, so the layer wraps a few internal
 * methods (guarded by tests/report/tagging/hooks.test.ts, which fails on any pdfmake or pdfkit version change):
 *
 * Phase 1, layout (LayoutBuilder, ElementWriter): `processNode` is pdfmake's one recursive entry for every node.
 * Around it the layer keeps a stack of frames and builds a shadow structure tree in document order (headings from
 * styles or `role`, P, L/LI/Lbl/LBody, Table/THead/TBody/TR/TH/TD, Figure with /Alt, TOC/TOCI/Reference). The
 * writer's add* methods stamp each page item (line, vector, svg, image) with its tag: a shadow node or an artifact.
 * pdfmake copies items with own-property copies (Line.clone, pack), so the stamp survives unbreakable blocks.
 * Repeated table header rows, page headers, footers and backgrounds are stamped as artifacts.
 *
 * Phase 2, rendering (Renderer): a pre-pass keeps the shadow nodes that own a rendered item and gives each an object
 * number in document order; then every item is drawn inside `BDC … EMC` of its element (its MCID entered in pdfkit's
 * ParentTree) or inside an /Artifact sequence. Inline links get their own Link element with one annotation per link
 * as its OBJR. At the end the elements are written in one piece into pdfkit's body (not through pdfkit's own
 * structure elements, which cost a generic serialisation and four stream writes each). No marked-content sequence straddles q/Q (clips, vertical alignment).
 * The document's output is kept and packed into object streams when pdfkit ends it (packOutput, compact.ts).
 *
 * The wrappers are inert for documents that did not ask for tagging (no symbol on the content): those come out
 * byte-identical to plain pdfmake output.
 */
import { createRequire } from 'node:module';
import { constants, deflateSync } from 'node:zlib';
import { type Packable, packWrites } from './compact.ts';
import type { TaggingIssue } from './errors.ts';

/** On the document definition's content array: the tagging options of this document. */
export const TAGGING = Symbol.for('segfollow.tagging.options');
const STATE = Symbol.for('segfollow.tagging.state');
const INSTALLED = Symbol.for('segfollow.tagging.installed');
const PACKED = Symbol.for('segfollow.tagging.packed');
/** The chart hook (charts/draw-chart.ts) marks pdfmake's Renderer with this; tagging must wrap around it. */
const CHART_HOOK = Symbol.for('segfollow.chartDrawing');
/** The line-text layer (report/line-text.ts) marks pdfmake's Renderer with this; tagging must wrap around it too. */
const LINE_TEXT = Symbol.for('segfollow.lineText.installed');

export type HeadingRole = 'H1' | 'H2' | 'H3' | 'H4' | 'H5' | 'H6';

export interface LayerOptions {
  /** Style name → heading level. */
  headingStyles: Readonly<Record<string, HeadingRole>>;
  /** Appended to the XMP packet before pdfkit closes it (PDF/UA identification beside PDF/A, dates). */
  xmp: readonly string[];
  /** Called with what was found, once layout and rendering are done (or throws, in strict mode). */
  onIssues: (issues: readonly TaggingIssue[]) => void;
}

/** Standard structure types the layer accepts as an explicit `role` on a node. */
const ROLES = new Set([
  'Document', 'Part', 'Art', 'Sect', 'Div', 'BlockQuote', 'Caption', 'TOC', 'TOCI', 'Index', 'NonStruct', 'Private',
  'P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'L', 'LI', 'Lbl', 'LBody', 'Table', 'TR', 'TH', 'TD', 'THead', 'TBody',
  'TFoot', 'Span', 'Quote', 'Note', 'Reference', 'BibEntry', 'Code', 'Link', 'Annot', 'Ruby', 'Warichu', 'Figure',
  'Formula', 'Form', 'Artifact',
]);

// ---- The slice of pdfmake and pdfkit the layer touches. ----

/** A pdfmake document node after preprocessing (only the fields read here). */
interface PmNode {
  text?: unknown;
  style?: string | string[];
  role?: string;
  alt?: string;
  decorative?: boolean;
  lang?: string;
  stack?: unknown[];
  columns?: unknown[];
  ul?: PmNode[];
  ol?: PmNode[];
  table?: { body: PmNode[][]; headerRows?: number };
  /** How many leading columns of the body rows are row headers (TH /Scope /Row). */
  rowHeaderColumns?: number;
  toc?: { _table?: PmNode };
  svg?: unknown;
  image?: unknown;
  canvas?: unknown;
  qr?: unknown;
  colSpan?: number;
  rowSpan?: number;
  listMarker?: { _inlines?: unknown[] };
  _span?: boolean;
}

interface PmInline {
  text: string;
  link?: string | null;
  linkToDestination?: string | null;
  linkToPage?: number | null;
}

interface PmLine {
  inlines: PmInline[];
  _tag?: Tag;
}

interface PmItem {
  _tag?: Tag;
  x?: number;
  y?: number;
  _width?: number;
  _height?: number;
}

interface PmPage {
  items: { type: string; item: PmItem & PmLine }[];
  pageSize: { height: number };
}

/** A pdfkit indirect object (PDFReference): its number, and the dictionary pdfkit writes for it. */
interface PdfRef {
  readonly id: number;
  data: Record<string, unknown>;
  offset?: number;
}

/** A pdfkit stream object (a page's content): the Buffers written to it, deflated by its finalize unless told not to. */
interface PdfStreamRef extends PdfRef {
  buffer: Uint8Array[];
  compress: boolean;
  uncompressedLength: number;
  write(chunk: Uint8Array): void;
  finalize(): void;
}

/** A pdfkit page (PDFPage): the marked-content sequences open on it, and its ParentTree key. */
interface PdfPage {
  dictionary: PdfRef;
  content: PdfStreamRef;
  markings: { tag: string; options?: Record<string, unknown> }[];
  readonly structParentTreeKey: number;
}

/**
 * pdfkit's PDFDocument (0.19): the public marked-content calls, and the internals the layer writes the structure tree
 * with (ref, _write, _offset, _refEnd, the structure tree root and its ParentTree; guarded by hooks.test.ts).
 */
interface PdfDoc {
  page: PdfPage | null;
  markContent(tag: string, options?: Record<string, unknown> | null): unknown;
  endMarkedContent(): unknown;
  addContent(data: string): unknown;
  appendXML(xml: string): void;
  ref(data?: Record<string, unknown>): PdfRef;
  getStructTreeRoot(): PdfRef;
  getStructParentTree(): { get(key: number): unknown[]; add(key: number, value: unknown): unknown };
  createStructParentTreeNextKey(): number;
  _write(data: string | Buffer): void;
  _offset: number;
  _refEnd(ref: { readonly id: number; offset?: number }): void;
  _offsets: (number | null)[];
  _waiting: number;
  _finalize(): void;
  _root: PdfRef;
  _info: PdfRef;
  _id: Buffer;
  _security?: unknown;
  /** The document's output stream (pdfkit's PDFDocument is a Readable). */
  push(chunk: Buffer | null): boolean;
  addPage: (...args: unknown[]) => PdfDoc;
  text: (...args: unknown[]) => unknown;
  annotate: (x: number, y: number, w: number, h: number, options: Record<string, unknown>) => unknown;
  link: (x: number, y: number, w: number, h: number, url: unknown, options?: Record<string, unknown>) => unknown;
  goTo: (x: number, y: number, w: number, h: number, name: unknown, options?: Record<string, unknown>) => unknown;
  [STATE]?: Tagger;
  /** Set by packOutput: takes the layer's own objects (their dictionaries) straight into the object stream. */
  [PACKED]?: (objects: readonly PackedObject[]) => void;
}

// ---- Tags. ----

/**
 * A structure element of the shadow tree. A class with every field set from the start, so that the thousands of a
 * report share one object shape (fields added later made the element code's property reads slow: a profile of seven
 * demo reports had the tree's pre-pass and writing among the layer's costliest functions).
 */
class StructNode {
  /**
   * Child elements in document order; NO_CHILDREN until the first (most elements are leaves, and an array's first
   * push reserves room for 17). Handed over as the element's /K by the pre-pass (Tagger.create).
   */
  children: StructNode[] = NO_CHILDREN;
  alt: string | undefined = undefined;
  lang: string | undefined = undefined;
  scope: 'Column' | 'Row' | undefined = undefined;
  colSpan: number | undefined = undefined;
  rowSpan: number | undefined = undefined;
  listNumbering: string | undefined = undefined;
  bbox: [number, number, number, number] | undefined = undefined;
  /** A TOC entry's title: the /Contents of its page-number link. */
  title: string | undefined = undefined;
  used = false;
  /** The element's object, once it is to be written (pre-pass). */
  ref: ElementRef | undefined = undefined;
  /**
   * /K in order: child elements, marked content (a number: Kid, Tagger.bdc), annotations (OBJR). Undefined while empty
   * (most elements get one MCID: an array literal of one holds exactly one).
   */
  kids: Kid[] | undefined = undefined;

  constructor(
    public role: string,
    readonly parent: StructNode | null,
  ) {}
}

/** The children of a leaf: shared, never written to (Tagger.node replaces it on the first child). */
const NO_CHILDREN: StructNode[] = [];
Object.freeze(NO_CHILDREN);

/**
 * A structure element's object: its number (its offset only for pdfkit's _refEnd, which records it in a table the
 * packed file does not use). pdfkit's own references (PDFReference) carry
 * a dictionary, a list of Buffers and more, and cost several times as much to make (8,000 in a län report); this
 * one is only what pdfkit's _refEnd reads and what its serialiser writes for a reference (toString, recognised by
 * PDFAbstractReference in its prototype chain: linkElementRefs).
 */
class ElementRef {
  offset = 0;
  /** Renumbered once, before anything is written that names it (Tagger.renumber). */
  constructor(public id: number) {}
  toString(): string {
    return `${this.id} 0 R`;
  }
}

/** Puts pdfkit's PDFAbstractReference (the prototype of its PDFReference's) under ElementRef, once per pdfkit. */
function linkElementRefs(doc: PdfDoc): void {
  const abstract = Object.getPrototypeOf(Object.getPrototypeOf(doc._root)) as object;
  if (Object.getPrototypeOf(ElementRef.prototype) !== abstract) Object.setPrototypeOf(ElementRef.prototype, abstract);
}

/** A new object number of `doc`, as pdfkit's ref() gives one out (the object is then written and reported by the layer). */
function elementRef(doc: PdfDoc): ElementRef {
  const ref = new ElementRef(doc._offsets.length + 1);
  doc._offsets.push(null);
  doc._waiting++;
  return ref;
}

/** An object the layer writes itself: its reference and its dictionary's text. */
interface PackedObject extends Packable {
  readonly ref: ElementRef;
}

/**
 * A /K entry. Marked content is a number, the page's index in Tagger.mcPages times MC_SPAN plus the MCID: a report
 * has a sequence for every table cell, and an object for each was most of the tree's retained bytes after the
 * elements themselves.
 */
type Kid = StructNode | number | { objr: PdfRef; pg: PdfRef };
/** MCIDs of a page below this (a page has hundreds); kept small so that the numbers of most pages stay small integers. */
const MC_SPAN = 0x10000;
const NO_KIDS: readonly Kid[] = [];
/** Bound of the names (roles, scopes, list numberings) that tell kinds of element apart in Tagger.renumber. */
const KIND_NAMES = 64;

/** Tagger.renumber's groups of elements by kind, the names' numbers, and the elements' numbers in document order. */
interface RenumberState {
  readonly groups: Map<number, StructNode[]>;
  readonly names: Map<string, number>;
  readonly ids: number[];
}

/** A role's or attribute's number among `names` (by first appearance; 0 for none). */
function nameId(names: Map<string, number>, name: string | undefined): number {
  if (name === undefined) return 0;
  let id = names.get(name);
  if (id === undefined) names.set(name, (id = names.size + 1));
  if (id >= KIND_NAMES) throw new Error(`tagging: more than ${KIND_NAMES - 1} role and attribute names`);
  return id;
}

interface ArtifactTag {
  readonly artifact: 'Pagination' | 'Layout' | 'Page' | 'Background';
  readonly attached?: 'Top' | 'Bottom';
}

type Tag = StructNode | ArtifactTag;

const LAYOUT: ArtifactTag = { artifact: 'Layout' };
const REPEATED: ArtifactTag = { artifact: 'Pagination' };
const HEADER: ArtifactTag = { artifact: 'Pagination', attached: 'Top' };
const FOOTER: ArtifactTag = { artifact: 'Pagination', attached: 'Bottom' };
const BACKGROUND: ArtifactTag = { artifact: 'Background' };
const WATERMARK: ArtifactTag = { artifact: 'Pagination' };

function isArtifact(t: Tag): t is ArtifactTag {
  // An element is a StructNode; an `in` test walked the class's prototype chain for every drawn line.
  return !(t instanceof StructNode);
}

/**
 * The operator opening an artifact's sequence. Layout artifacts (rules, fills, bullets) are the most numerous: the
 * short form `/Artifact BMC` (a /Type is optional; without one a reader treats it as layout) keeps the pages small.
 */
function artifactOperator(t: ArtifactTag): string {
  if (t === LAYOUT) return '/Artifact BMC';
  return `/Artifact <</Type /${t.artifact}${t.attached ? ` /Attached [/${t.attached}]` : ''}>> BDC`;
}

/**
 * The text written to open a sequence (after the open one's EMC where `afterEnd`), made once per thread and shared:
 * pdfmake keeps every page's content until the document ends, so the pieces of a text made for each sequence (a
 * template's joins and its number) stayed alive with it; shared, a sequence adds only the content stream's own joins.
 * MCIDs start again on every page: the demo's riket, län 14 and kommun 0180/0114 use MCIDs up to 396 and 9 roles,
 * 676–869 role and MCID pairs a report, so the cache holds a few thousand short strings; larger MCIDs are made each time.
 */
const OPENERS = new Map<string | ArtifactTag, string[]>();
const CACHED_MCIDS = 1024;

function opener(role: string, mcid: number, afterEnd: boolean): string {
  if (mcid >= CACHED_MCIDS) return `${afterEnd ? 'EMC\n' : ''}/${role} <</MCID ${mcid}>> BDC`;
  let texts = OPENERS.get(role);
  if (!texts) OPENERS.set(role, (texts = []));
  const at = mcid * 2 + (afterEnd ? 1 : 0);
  return (texts[at] ??= flat(`${afterEnd ? 'EMC\n' : ''}/${role} <</MCID ${mcid}>> BDC`));
}

/** A string built in steps (a chain of joins in V8) as one sequential string: kept for good, it should be small. */
function flat(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

function artifactOpener(t: ArtifactTag, afterEnd: boolean): string {
  let texts = OPENERS.get(t);
  if (!texts) OPENERS.set(t, (texts = [flat(artifactOperator(t)), flat(`EMC\n${artifactOperator(t)}`)]));
  return texts[afterEnd ? 1 : 0] as string;
}

/** What the layer keeps in a pdfkit page's open markings: pdfkit reads only their count (one EMC each). */
const STRUCT_MARKING = { tag: 'Struct' } as const;
const ARTIFACT_MARKING = { tag: 'Artifact' } as const;

interface TableInfo {
  /** Each body cell's place: row times CELL_SPAN plus column (a number, not an object per cell). */
  readonly cells: Map<PmNode, number>;
  readonly body: PmNode[][];
  readonly headerRows: number;
  readonly rowHeaderColumns: number;
  readonly toc: boolean;
  readonly table: StructNode;
  head?: StructNode;
  tbody?: StructNode;
  readonly rows: Map<number, StructNode>;
}

interface ListInfo {
  readonly items: Set<PmNode>;
  readonly list: StructNode;
  /** The ordered-list marker waiting for its line, and the Lbl it belongs to. */
  marker?: { inline: unknown; lbl: StructNode };
}

/** Columns of a table below this (CELL_SPAN). */
const CELL_SPAN = 0x10000;

/**
 * A node being laid out (one for every processNode). A class with every field, so that the layer's reads of the
 * stack's frames see one shape (object literals of seven shapes made those reads polymorphic).
 */
class Frame {
  /** Vectors, SVGs and images of this node go here. */
  figure: StructNode | undefined = undefined;
  table: TableInfo | undefined = undefined;
  list: ListInfo | undefined = undefined;
  tocTable: PmNode | undefined = undefined;

  constructor(
    /** New elements of this node's children attach here. */
    readonly container: StructNode | null,
    readonly artifact: ArtifactTag | undefined = undefined,
    /** Text lines of this node go here. */
    readonly owner: StructNode | undefined = undefined,
  ) {}

  /** The frame of a node inside an artifact: one per kind, shared (such a frame is never changed). */
  static artifact(tag: ArtifactTag): Frame {
    let f = ARTIFACT_FRAMES.get(tag);
    if (!f) ARTIFACT_FRAMES.set(tag, (f = new Frame(null, tag)));
    return f;
  }
}

const ARTIFACT_FRAMES = new Map<ArtifactTag, Frame>();

function textOf(node: PmNode | undefined): string {
  const t = node?.text;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.map((x) => (typeof x === 'string' ? x : textOf(x as PmNode))).join('');
  return '';
}

const NON_SPACE = /\S/;

/** Whether a node's text (a string, or an array of strings and text nodes) has a character other than white space. */
function hasText(t: unknown): boolean {
  if (typeof t === 'string') return NON_SPACE.test(t);
  if (!Array.isArray(t)) return false;
  for (const x of t) if (typeof x === 'string' ? NON_SPACE.test(x) : hasText((x as PmNode | null)?.text)) return true;
  return false;
}

const ESCAPE: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\\': '\\\\', '(': '\\(', ')': '\\)' };

/**
 * The characters of Swedish text beyond latin1 that PDFDocEncoding has a byte for, and their bytes (the encoding's
 * punctuation that every reader maps alike; PDF_DOC_HIGH in pdf-objects.ts has the whole table for reading).
 */
const PDF_DOC_BYTES: ReadonlyMap<string, string> = new Map([
  ['\u2022', '\x80'], ['\u2026', '\x83'], ['\u2014', '\x84'], ['\u2013', '\x85'], ['\u201e', '\x8c'], ['\u201c', '\x8d'],
  ['\u201d', '\x8e'], ['\u2018', '\x8f'], ['\u2019', '\x90'], ['\u201a', '\x91'],
]);

/**
 * A PDF text string: in PDFDocEncoding (a byte per character) where every character has a byte there, as Swedish text
 * mostly does (latin1's å ä ö é, dashes, ellipsis, quotes); else UTF-16BE with a byte order mark, as pdfkit writes
 * all non-ASCII strings (twice the bytes). The no-break space has no byte in PDFDocEncoding (0xa0 is the euro sign).
 */
export function pdfString(s: string): string {
  let bytes = s;
  if (/[^\t\n\r\x20-\x7e]/.test(s)) {
    let doc = '';
    for (const c of s) {
      const code = c.charCodeAt(0);
      if (code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xff && code !== 0xad)) doc += c;
      else {
        const b = PDF_DOC_BYTES.get(c);
        if (b === undefined) {
          doc = '';
          break;
        }
        doc += b;
      }
    }
    if (doc) bytes = doc;
    else {
      const b = Buffer.from(`\ufeff${s}`, 'utf16le');
      b.swap16();
      bytes = b.toString('latin1');
    }
  }
  return `(${bytes.replace(/[\n\r\t\b\f()\\]/g, (c) => ESCAPE[c] ?? c)})`;
}

/** A node as a person finds it in the report: its role and text, or where it stands (after which text). */
function describe(role: string, node: PmNode | undefined, after: string): string {
  const cut = (t: string): string => (t.length > 60 ? `${t.slice(0, 59)}…` : t);
  const own = textOf(node).trim();
  if (own) return `${role} "${cut(own)}"`;
  return after ? `${role} after "${cut(after)}"` : `${role} at the start of the document`;
}

/** pdfkit's text and annotation methods as a linked line's drawing calls them (PdfDoc's signatures). */
interface LinkMethods {
  text: PdfDoc['text'];
  annotate: PdfDoc['annotate'];
  link: PdfDoc['link'];
  goTo: PdfDoc['goTo'];
}

/** A linked line's stand-ins for pdfkit's methods (renderLinkedLine); `text` takes the call's arguments as an array. */
interface LinkHandlers {
  text?: (args: unknown[]) => unknown;
  annotate?: PdfDoc['annotate'];
  link?: PdfDoc['link'];
  goTo?: PdfDoc['goTo'];
}

const LINK_ORIGINALS = Symbol.for('segfollow.tagging.linkOriginals');

/**
 * pdfkit's own text and annotation methods of `doc`, with the document's link hooks installed in their place, once per
 * document: each hook calls the drawing linked line's stand-in (Tagger.linking) or else pdfkit's method. Installed for
 * good rather than set and deleted per linked line: deleting a property turns the document into a dictionary-mode
 * object in V8, and every pdfkit property read on it for the rest of the rendering (thousands per page) was slower.
 */
function linkOriginals(doc: PdfDoc): LinkMethods {
  const own = (doc as PdfDoc & { [LINK_ORIGINALS]?: LinkMethods })[LINK_ORIGINALS];
  if (own) return own;
  const originals: LinkMethods = { text: doc.text, annotate: doc.annotate, link: doc.link, goTo: doc.goTo };
  const linking = (): LinkHandlers | null => doc[STATE]?.linking ?? null;
  doc.text = (...args: unknown[]): unknown => {
    const h = linking()?.text;
    return h ? h(args) : originals.text.apply(doc, args);
  };
  doc.annotate = (x, y, w, h, options): unknown => {
    const f = linking()?.annotate;
    return f ? f(x, y, w, h, options) : originals.annotate.call(doc, x, y, w, h, options);
  };
  doc.link = (x, y, w, h, url, options): unknown => {
    const f = linking()?.link;
    return f ? f(x, y, w, h, url, options) : originals.link.call(doc, x, y, w, h, url, options);
  };
  doc.goTo = (x, y, w, h, name, options): unknown => {
    const f = linking()?.goTo;
    return f ? f(x, y, w, h, name, options) : originals.goTo.call(doc, x, y, w, h, name, options);
  };
  (doc as PdfDoc & { [LINK_ORIGINALS]?: LinkMethods })[LINK_ORIGINALS] = originals;
  return originals;
}

/** The per-document state: shadow tree during layout, marked-content state during rendering. */
class Tagger {
  root: StructNode = Tagger.node('Document', null);
  stack: Frame[] = [];
  issues: TaggingIssue[] = [];
  /** The last text node with text: names a figure or table in a message ("after …"); its text is built then. */
  lastTextNode: PmNode | undefined = undefined;
  private open: Tag | null = null;
  private page: object | null = null;
  /** The page whose ParentTree array `mcids` is (the MCIDs given out on it so far). */
  private mcPage: PdfPage | null = null;
  private mcids: unknown[] = [];
  /** The pages marked content was given out on (their dictionaries, the /Pg of an MCID), and this page's base in Kid numbers. */
  private readonly mcPages: PdfRef[] = [];
  private mcBase = 0;
  private treeRoot: PdfRef | null = null;
  /** While a linked line is drawn (renderLinkedLine): what the document's link hooks do instead of pdfkit's own. */
  linking: LinkHandlers | null = null;

  constructor(readonly options: LayerOptions) {
    this.reset();
  }

  static node(role: string, parent: StructNode | null): StructNode {
    const n = new StructNode(role, parent);
    if (parent) {
      if (parent.children === NO_CHILDREN) parent.children = [n];
      else parent.children.push(n);
    }
    return n;
  }

  /** A new element of `node` in `container`, with the node's language. */
  static child(container: StructNode | null, node: PmNode, role: string): StructNode {
    const n = Tagger.node(role, container);
    if (node.lang) n.lang = node.lang;
    return n;
  }

  reset(): void {
    this.root = Tagger.node('Document', null);
    this.stack = [new Frame(this.root)];
    this.issues = this.issues.filter((i) => i.kind === 'no-title' || i.kind === 'no-language');
    this.lastTextNode = undefined;
  }

  top(): Frame {
    const f = this.stack[this.stack.length - 1];
    if (!f) throw new Error('tagging: frame stack empty (pdfmake internals changed?)');
    return f;
  }

  // ---- Phase 1: layout. ----

  enter(node: PmNode): Frame {
    const parent = this.top();
    if (parent.artifact) return Frame.artifact(parent.artifact);
    let container = parent.container;
    let slot: StructNode | undefined;
    const pos = parent.table?.cells.get(node);
    if (pos !== undefined) slot = this.cell(parent.table as TableInfo, node, Math.floor(pos / CELL_SPAN), pos % CELL_SPAN);
    else if (parent.list?.items.has(node)) slot = this.item(parent.list, node);
    if (slot) container = slot;
    const role = node.role && ROLES.has(node.role) && !(slot && (node.role === 'TH' || node.role === 'TD')) ? node.role : undefined;
    if (role === 'Artifact') return Frame.artifact(LAYOUT);

    if (parent.tocTable === node && node.table) {
      const f = new Frame(null);
      f.table = this.tableInfo(node, Tagger.child(container, node, 'TOC'), true);
      return f;
    }
    if (node.toc) {
      const f = new Frame(container);
      f.tocTable = node.toc._table;
      return f;
    }
    if (node.table) {
      // A table used for layout (a framed box): its cells are plain containers.
      if (role && role !== 'Table') return new Frame(Tagger.child(container, node, role));
      if (!((node.table.headerRows ?? 0) > 0)) this.issues.push({ kind: 'table-without-header', node: describe('Table', undefined, textOf(this.lastTextNode).trim()) });
      const f = new Frame(null);
      f.table = this.tableInfo(node, Tagger.child(container, node, 'Table'), false);
      return f;
    }
    if (node.ul || node.ol) {
      const list = Tagger.child(container, node, role ?? 'L');
      list.listNumbering = node.ol ? 'Decimal' : 'Disc';
      const f = new Frame(list);
      f.list = { items: new Set(node.ul ?? node.ol), list };
      return f;
    }
    if (node.text !== undefined) {
      if (hasText(node.text)) this.lastTextNode = node;
      const owner = slot && !role ? slot : Tagger.child(container, node, role ?? this.heading(node) ?? 'P');
      return new Frame(owner, undefined, owner);
    }
    if (node.svg !== undefined || node.image !== undefined || node.canvas !== undefined || node.qr !== undefined) {
      if (typeof node.alt === 'string' && node.alt.trim()) {
        const figure = Tagger.child(container, node, role ?? 'Figure');
        figure.alt = node.alt.trim();
        const f = new Frame(figure);
        f.figure = figure;
        return f;
      }
      if (!node.decorative) this.issues.push({ kind: 'figure-without-alt', node: describe('Figure', undefined, textOf(this.lastTextNode).trim()) });
      return Frame.artifact(LAYOUT);
    }
    // stack, columns, section: transparent unless given a role.
    return new Frame(role ? Tagger.child(container, node, role) : container);
  }

  private heading(node: PmNode): string | undefined {
    const style = node.style;
    if (!style) return undefined;
    if (typeof style === 'string') return this.options.headingStyles[style];
    let found: string | undefined;
    for (const s of style) found = this.options.headingStyles[s] ?? found;
    return found;
  }

  private tableInfo(node: PmNode, table: StructNode, toc: boolean): TableInfo {
    const body = node.table?.body ?? [];
    const cells = new Map<PmNode, number>();
    for (let row = 0; row < body.length; row++) {
      const r = body[row] as PmNode[];
      if (r.length > CELL_SPAN) throw new Error(`tagging: a table of more than ${CELL_SPAN} columns`);
      for (let col = 0; col < r.length; col++) cells.set(r[col] as PmNode, row * CELL_SPAN + col);
    }
    return { cells, body, headerRows: toc ? 0 : (node.table?.headerRows ?? 0), rowHeaderColumns: toc ? 0 : Math.max(0, node.rowHeaderColumns ?? 0), toc, table, rows: new Map() };
  }

  private cell(info: TableInfo, node: PmNode, row: number, col: number): StructNode {
    let tr = info.rows.get(row);
    if (info.toc) {
      if (!tr) {
        tr = Tagger.node('TOCI', info.table);
        const ref = Tagger.node('Reference', tr);
        ref.title = textOf(info.body[row]?.[0]).trim();
        info.rows.set(row, tr);
      }
      const ref = tr.children[0];
      if (!ref) throw new Error('tagging: TOC entry without reference');
      return ref;
    }
    const header = row < info.headerRows;
    if (!tr) {
      const group = header ? (info.head ??= Tagger.node('THead', info.table)) : (info.tbody ??= Tagger.node('TBody', info.table));
      tr = Tagger.node('TR', group);
      info.rows.set(row, tr);
    }
    // A body cell is a row header by its column (the table's rowHeaderColumns) or by its own role.
    const th = header || col < info.rowHeaderColumns || node.role === 'TH';
    const c = Tagger.node(th ? 'TH' : 'TD', tr);
    if (th) c.scope = header ? 'Column' : 'Row';
    if ((node.colSpan ?? 1) > 1) c.colSpan = node.colSpan;
    if ((node.rowSpan ?? 1) > 1) c.rowSpan = node.rowSpan;
    return c;
  }

  private item(info: ListInfo, node: PmNode): StructNode {
    const li = Tagger.node('LI', info.list);
    const marker = node.listMarker?._inlines?.[0];
    if (marker !== undefined) info.marker = { inline: marker, lbl: Tagger.node('Lbl', li) };
    return Tagger.node('LBody', li);
  }

  lineTag(line: PmLine): Tag | undefined {
    const top = this.top();
    if (top.artifact) return top.artifact;
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const list = this.stack[i]?.list;
      if (!list) continue;
      if (list.marker && line.inlines[0] === list.marker.inline) {
        const { lbl } = list.marker;
        list.marker = undefined;
        return lbl;
      }
      break;
    }
    return top.owner;
  }

  /**
   * Whether a stamp is of this layout: a re-run (page-fit.ts, pageBreakBefore) lays the same nodes out again, and an
   * SVG or image item is the node itself, still stamped with an element of the tree the re-run threw away.
   */
  current(tag: Tag | undefined): boolean {
    if (!tag) return false;
    if (isArtifact(tag)) return true;
    let n: StructNode = tag;
    while (n.parent) n = n.parent;
    return n === this.root;
  }

  graphicTag(): Tag {
    const top = this.top();
    return top.artifact ?? top.figure ?? LAYOUT;
  }

  // ---- Phase 2: rendering. ----

  prepare(doc: PdfDoc, pages: PmPage[]): void {
    let untagged = 0;
    for (const page of pages) {
      for (const { type, item } of page.items) {
        if (type !== 'line' && type !== 'vector' && type !== 'svg' && type !== 'image') continue;
        const tag = item._tag;
        if (!tag) {
          untagged++;
          continue;
        }
        if (isArtifact(tag)) continue;
        for (let n: StructNode | null = tag; n && !n.used; n = n.parent) n.used = true;
        if ((type === 'svg' || type === 'image') && tag.role === 'Figure' && !tag.bbox) {
          const x = item.x ?? 0;
          const y = item.y ?? 0;
          const h = page.pageSize.height;
          tag.bbox = [x, h - y - (item._height ?? 0), x + (item._width ?? 0), h - y];
        }
      }
    }
    if (untagged > 0) this.issues.push({ kind: 'untagged-item', node: `${untagged} page item(s)` });
    this.root.used = true;
    this.levelHeadings(this.root, { last: 0 });
    linkElementRefs(doc);
    this.create(doc, this.root);
    const treeRoot = doc.getStructTreeRoot();
    treeRoot.data.K = [this.root.ref];
    this.treeRoot = treeRoot;
  }

  /**
   * Numbered headings never skip a level going down (PDF/UA-1, Matterhorn 14-003): a heading deeper than one below
   * the previous one is lifted (an h3-styled heading straight after an H1 is an H2 in the tree).
   */
  private levelHeadings(n: StructNode, state: { last: number }): void {
    const m = /^H([1-6])$/.exec(n.role);
    if (m && n.used) {
      const level = Math.min(Number(m[1]), state.last + 1);
      n.role = `H${level}`;
      state.last = level;
    }
    for (const c of n.children) this.levelHeadings(c, state);
  }

  /** Gives every element to be written its object (in document order) and its place in its parent's /K. */
  private create(doc: PdfDoc, n: StructNode): void {
    // A table row keeps all its cells, so that the table stays regular even where a cell is empty.
    const row = n.role === 'TR' && n.used;
    n.ref = elementRef(doc);
    const children = n.children;
    if (children.length === 0) return;
    let all = true;
    for (let i = 0; i < children.length; i++) {
      const c = children[i] as StructNode;
      if (!c.used && !row) {
        all = false;
        continue;
      }
      c.used = true;
      this.create(doc, c);
    }
    // The children array itself becomes /K where every child is written (nothing reads the children after this
    // pass); else a new one of the written children.
    n.kids = all ? children : children.filter((c) => c.used);
    n.children = NO_CHILDREN;
  }

  /**
   * A new marked-content sequence of element `n` on the current page: its MCID, mapped in the ParentTree, and the
   * sequence in the page's open markings (pdfkit ends those, EMC, when it flushes the page). The caller writes its
   * operator (opener).
   */
  private bdc(doc: PdfDoc, n: StructNode): number {
    const page = doc.page as PdfPage;
    if (page !== this.mcPage) {
      this.mcPage = page;
      this.mcids = doc.getStructParentTree().get(page.structParentTreeKey);
      this.mcBase = this.mcPages.length * MC_SPAN;
      this.mcPages.push(page.dictionary);
    }
    const mcid = this.mcids.length;
    if (mcid >= MC_SPAN) throw new Error(`tagging: more than ${MC_SPAN} marked-content sequences on a page`);
    this.mcids.push(n.ref);
    page.markings.push(STRUCT_MARKING);
    Tagger.addKid(n, this.mcBase + mcid);
    return mcid;
  }

  private static addKid(n: StructNode, kid: Kid): void {
    if (n.kids) n.kids.push(kid);
    else n.kids = [kid];
  }

  /** Opens a marked-content sequence of element `n` on the current page. */
  private mark(doc: PdfDoc, n: StructNode): void {
    doc.addContent(opener(n.role, this.bdc(doc, n), false));
  }

  /** Makes annotation `annot` (being written by pdfkit) an OBJR of element `n`, with its /StructParent. */
  private objr(doc: PdfDoc, n: StructNode, annot: PdfRef): void {
    const key = doc.createStructParentTreeNextKey();
    annot.data.StructParent = key;
    doc.getStructParentTree().add(key, n.ref);
    Tagger.addKid(n, { objr: annot, pg: (doc.page as PdfPage).dictionary });
  }

  /**
   * Hands every structure element to the packing in one go (packOutput: straight into the object stream, never
   * written into pdfkit's body and read back). pdfkit's own elements cost a generic serialisation and four stream
   * writes each, and a report has thousands. Same dictionaries as pdfkit's: /S, /P, /K (elements, MCIDs on the
   * element's /Pg, MCR dictionaries for other pages, OBJR), /Pg, /Alt, /Lang, /A.
   */
  private write(doc: PdfDoc): void {
    const pack = doc[PACKED];
    if (!pack) throw new Error('tagging: the document is not being packed (layoutDocument was not wrapped?)');
    const objects: PackedObject[] = [];
    this.renumber();
    this.writeElement(this.root, (this.treeRoot as PdfRef).id, objects);
    // Each page's array of marked-content owners (the ParentTree's value for the page) as an object of its own, which
    // the packing lays out in rows like the elements (compact.ts): written inline in the tree, the arrays' ascending
    // object numbers were the tree's whole size (16 kB deflated in the demo's län 14). Annotations' entries (one
    // element each) stay as they are.
    const tree = doc.getStructParentTree();
    const keys = (this.treeRoot as PdfRef).data.ParentTreeNextKey;
    for (let key = 0; key < (typeof keys === 'number' ? keys : 0); key++) {
      const owners = tree.get(key);
      if (!Array.isArray(owners) || owners.length === 0) continue;
      const ref = elementRef(doc);
      objects.push({ ref, num: ref.id, text: '', refs: owners.map((o) => (o as ElementRef).id) });
      tree.add(key, ref);
    }
    pack(objects);
  }

  /**
   * Element `n`'s dictionary into `objects`, then its child elements' (document order). A method rather than a closure
   * made in write(): a closure made anew for every document started each report in unoptimised code (a third of its
   * time in a demo profile).
   */
  private writeElement(n: StructNode, parentId: number, objects: PackedObject[]): void {
    const ref = n.ref as ElementRef;
    const kids = n.kids ?? NO_KIDS;
    let pg: PdfRef | undefined;
    let k = '';
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i] as Kid;
      if (i > 0) k += ' ';
      if (typeof c === 'number') {
        const page = this.mcPages[Math.floor(c / MC_SPAN)] as PdfRef;
        const mcid = c % MC_SPAN;
        pg ??= page;
        k += page === pg ? mcid : `<</Type/MCR/Pg ${page.id} 0 R/MCID ${mcid}>>`;
      } else if (c instanceof StructNode) k += `${(c.ref as ElementRef).id} 0 R`;
      else k += `<</Type/OBJR/Obj ${c.objr.id} 0 R/Pg ${c.pg.id} 0 R>>`;
    }
    // Keys in the order that packs best (measured on the demo's län 14: 2 % less object stream than /S /P … /K /Pg):
    // what repeats from element to element first (/Pg, /S, /A), the two numbers that change (/P, /K) last, side by
    // side, so that deflate breaks its match to the previous element once, not twice.
    let text = '<<';
    if (pg) text += `/Pg ${pg.id} 0 R`;
    text += `/S/${n.role}`;
    if (n.lang) text += `/Lang${pdfString(n.lang)}`;
    if (n.alt) text += `/Alt${pdfString(n.alt)}`;
    if (n.scope || n.colSpan || n.rowSpan) {
      text += '/A<</O/Table';
      if (n.scope) text += `/Scope/${n.scope}`;
      if (n.colSpan) text += `/ColSpan ${n.colSpan}`;
      if (n.rowSpan) text += `/RowSpan ${n.rowSpan}`;
      text += '>>';
    } else if (n.bbox) {
      text += `/A<</O/Layout/Placement/Block/BBox[${n.bbox.map((v) => Math.round(v * 100) / 100).join(' ')}]>>`;
    } else if (n.listNumbering) {
      text += `/A<</O/List/ListNumbering/${n.listNumbering}>>`;
    }
    text += `/P ${parentId} 0 R`;
    // A lone MCID without brackets (most elements: a cell with its one marked-content sequence).
    const lone = kids.length === 1 && pg !== undefined;
    text += lone ? `/K ${k}>>` : `/K[${k}]>>`;
    objects.push({ ref, num: ref.id, text, refs: undefined });
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i] as Kid;
      if (c instanceof StructNode) this.writeElement(c, ref.id, objects);
    }
  }

  /**
   * Gives the elements their object numbers anew, like elements (by role, attributes and the form of their /K) one
   * after another in document order, rather than all in document order: the packing lays the object stream out in rows
   * whose bytes are predicted from the row above (compact.ts), and a table cell's dictionary then lies under the
   * previous cell's with only its parent's number and its MCID a little larger, instead of under a row or a header
   * cell. In the demo's län 14 the object stream deflates to 72 kB instead of 81 kB. The numbers are the ones handed
   * out already (the same set, so no gap and no clash with pdfkit's objects); nothing has been written yet that names
   * an element (the ParentTree and the tree root hold the ElementRefs, written at the end).
   */
  private renumber(): void {
    const state: RenumberState = { groups: new Map(), names: new Map(), ids: [] };
    this.groupByKind(this.root, state);
    // Int32Array: its elements read back as small integers; a Float64Array's came back as heap numbers, a box in every
    // element's object.
    const sorted = Int32Array.from(state.ids).sort();
    let i = 0;
    for (const group of state.groups.values()) for (const n of group) (n.ref as ElementRef).id = sorted[i++] as number;
  }

  /**
   * Element `n` and its child elements (document order) into their groups by kind (renumber), their numbers into
   * `state.ids`. A method rather than a closure made in renumber(), for the reason writeElement gives.
   */
  private groupByKind(n: StructNode, state: RenumberState): void {
    // An element's kind as a number rather than a text built for each element: its role, scope and list numbering by
    // their order of first appearance, its other attributes a bit each, and the form of its /K (a lone MCID, or how
    // many entries). Groups are made in the order their first element comes, as before.
    const kids = n.kids ?? NO_KIDS;
    const first = kids[0];
    const form = kids.length === 1 && typeof first === 'number' ? 0 : kids.length + 1;
    let bits = 0;
    if (n.colSpan) bits |= 1;
    if (n.rowSpan) bits |= 2;
    if (n.bbox) bits |= 4;
    if (n.lang) bits |= 8;
    if (n.alt) bits |= 16;
    const key = (((form * 32 + bits) * KIND_NAMES + nameId(state.names, n.listNumbering)) * KIND_NAMES + nameId(state.names, n.scope)) * KIND_NAMES + nameId(state.names, n.role);
    let group = state.groups.get(key);
    if (!group) state.groups.set(key, (group = []));
    group.push(n);
    state.ids.push((n.ref as ElementRef).id);
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i] as Kid;
      if (c instanceof StructNode) this.groupByKind(c, state);
    }
  }

  /**
   * Puts what is drawn next into the sequence of `tag` (continuing the open one where it is the same). The end of the
   * open sequence and the start of the next go into the content stream as one write (pdfkit makes a Buffer per
   * write; a table page switches sequences at every cell). The layer's sequences never nest, so the page's open
   * markings are at most one, kept in step for pdfkit's EMC at the page's end.
   */
  ensure(doc: PdfDoc, tag: Tag): void {
    const page = doc.page as PdfPage;
    if (page !== this.page) {
      // pdfkit ends a page's open sequences itself (endPageMarkings) when it flushes the page.
      this.page = page;
      this.open = null;
    }
    if (this.open === tag) return;
    const afterEnd = this.open !== null;
    if (afterEnd) page.markings.pop();
    if (isArtifact(tag)) {
      page.markings.push(ARTIFACT_MARKING);
      doc.addContent(artifactOpener(tag, afterEnd));
    } else {
      if (!tag.ref) throw new Error(`tagging: ${tag.role} has no structure element (pre-pass missed it)`);
      doc.addContent(opener(tag.role, this.bdc(doc, tag), afterEnd));
    }
    this.open = tag;
  }

  close(doc: PdfDoc): void {
    const page = doc.page as PdfPage;
    if (page !== this.page) {
      this.page = page;
      this.open = null;
    }
    if (!this.open) return;
    page.markings.pop();
    doc.addContent('EMC');
    this.open = null;
  }

  /**
   * Draws a line whose inlines carry links: each run of inlines with the same target becomes a Link element in the
   * line's element, holding its marked text and one link annotation for the run. pdfmake asks pdfkit for one
   * annotation per inline (a word, often): those calls are collected and made once with the union of their
   * rectangles, so that a link is one annotation (one tab stop, one OBJR) as it is one link to a reader, and the file
   * carries a fraction of the annotation and action objects. What is drawn is unchanged.
   */
  renderLinkedLine(doc: PdfDoc, line: PmLine, owner: StructNode, draw: () => void): void {
    const key = (i: PmInline): string | null =>
      // pdfmake sets absent targets to null.
      i.link != null ? `u:${i.link}` : i.linkToDestination != null ? `d:${i.linkToDestination}` : i.linkToPage != null ? `p:${i.linkToPage}` : null;
    const runOf: number[] = [];
    let run = -1;
    line.inlines.forEach((inl, i) => {
      const k = key(inl);
      const prev = i > 0 ? key(line.inlines[i - 1] as PmInline) : null;
      if (k !== null && k !== prev) run++;
      runOf.push(k === null ? -1 : run);
    });
    let index = 0;
    /** The run being drawn: a link run's number, -1 for text outside links, -2 before the first inline. */
    let current = -2;
    let link: StructNode | null = null;
    /** The run's annotation: how pdfkit was asked for it first, and the union of all its rectangles. */
    let pending: { make: (x: number, y: number, w: number, h: number) => unknown; x0: number; y0: number; x1: number; y1: number } | null = null;
    let flushing = false;
    const contents = (r: number): string => {
      const text = line.inlines
        .filter((_, i) => runOf[i] === r)
        .map((i) => i.text)
        .join('')
        .trim();
      return /^\d+$/.test(text) && owner.title ? `${owner.title} (sida ${text})` : text;
    };
    const { text, annotate, link: linkTo, goTo } = linkOriginals(doc);
    const endRun = (): void => {
      if (!link) return;
      this.close(doc);
      if (pending) {
        const p = pending;
        pending = null;
        flushing = true;
        try {
          p.make(p.x0, p.y0, p.x1 - p.x0, p.y1 - p.y0);
        } finally {
          flushing = false;
        }
      }
      link = null;
      current = -1;
    };
    /** Inside a link run: widens the run's annotation by this rectangle instead of making one (true). */
    const collect = (x: number, y: number, w: number, h: number, make: (x: number, y: number, w: number, h: number) => unknown): boolean => {
      if (flushing || !link || current < 0) return false;
      if (!pending) pending = { make, x0: x, y0: y, x1: x + w, y1: y + h };
      else {
        pending.x0 = Math.min(pending.x0, x);
        pending.y0 = Math.min(pending.y0, y);
        pending.x1 = Math.max(pending.x1, x + w);
        pending.y1 = Math.max(pending.y1, y + h);
      }
      return true;
    };
    const handlers: LinkHandlers = {};
    handlers.text = (args: unknown[]): unknown => {
      const r = runOf[index++] ?? -1;
      if (r !== current) {
        endRun();
        if (r >= 0) {
          this.close(doc);
          link = Tagger.node('Link', owner);
          link.used = true;
          link.ref = elementRef(doc);
          Tagger.addKid(owner, link);
          this.mark(doc, link);
          this.open = link;
          current = r;
        } else {
          this.ensure(doc, owner);
        }
      }
      return text.apply(doc, args);
    };
    handlers.link = (x, y, w, h, url, options): unknown =>
      collect(x, y, w, h, (a, b, c, d) => linkTo.call(doc, a, b, c, d, url, {})) ? doc : linkTo.call(doc, x, y, w, h, url, options);
    handlers.goTo = (x, y, w, h, name, options): unknown =>
      collect(x, y, w, h, (a, b, c, d) => goTo.call(doc, a, b, c, d, name, {})) ? doc : goTo.call(doc, x, y, w, h, name, options);
    handlers.annotate = (x, y, w, h, options): unknown => {
      if (!flushing && collect(x, y, w, h, (a, b, c, d) => doc.annotate(a, b, c, d, options))) return doc;
      if (link && current >= 0) {
        const el = link;
        // pdfkit calls structParent.add with the annotation before writing it.
        options.structParent = { add: (a: { annotationRef: PdfRef }): void => this.objr(doc, el, a.annotationRef) };
        if (options.Contents === undefined) options.Contents = new String(contents(current));
      }
      return annotate.call(doc, x, y, w, h, options);
    };
    this.linking = handlers;
    try {
      draw();
      endRun();
    } finally {
      this.linking = null;
    }
  }

  finish(doc: PdfDoc): void {
    this.close(doc);
    this.write(doc);
    for (const xml of this.options.xmp) doc.appendXML(xml);
    this.options.onIssues(this.issues);
  }
}

/** Whether a line carries a link (pdfmake sets absent targets to null). */
function hasLink(inlines: readonly PmInline[]): boolean {
  for (let i = 0; i < inlines.length; i++) {
    const x = inlines[i] as PmInline;
    if (x.link != null || x.linkToDestination != null || x.linkToPage != null) return true;
  }
  return false;
}

/**
 * Keeps what a tagged document writes after its header in memory instead of streaming it, and at the end writes it
 * packed into object streams with a cross-reference stream (compact.ts, packWrites): pdfkit's classic
 * cross-reference table (one line and one stream write per object; a tagged report has thousands of structure
 * elements) is never written, and the file is not scanned again to find its objects, since pdfkit reports where
 * each one starts (_refEnd). Its page content streams are deflated with PAGE_DEFLATE (the pages it adds from here on,
 * which are all of them: pdfmake adds its first page when rendering).
 */
function packOutput(doc: PdfDoc): void {
  // Once per document: page-fit.ts lays a document out again (layoutDocument per pass) into the same pdfkit document.
  if (doc[PACKED]) return;
  if (doc._security) throw new Error('tagging: encrypted documents are not supported');
  const base = doc._offset;
  const chunks: Buffer[] = [];
  const starts: [number, number][] = [];
  const refEnd = doc._refEnd;
  doc._write = (data: string | Buffer): void => {
    const b = typeof data === 'string' ? Buffer.from(`${data}\n`, 'latin1') : data;
    chunks.push(b);
    doc._offset += b.length;
  };
  doc._refEnd = (ref: { readonly id: number; offset?: number }): void => {
    starts.push([ref.id, ref.offset as number]);
    refEnd.call(doc, ref);
  };
  const own: Packable[] = [];
  doc[PACKED] = (objects: readonly PackedObject[]): void => {
    for (const o of objects) {
      // Packed as they are: their numbers are final (Tagger.renumber ran before they were made).
      own.push(o);
      // pdfkit's count of objects not yet written (it finishes the file when that reaches 0 after end()).
      refEnd.call(doc, o.ref);
    }
  };
  const addPage = doc.addPage;
  doc.addPage = (...args: unknown[]): PdfDoc => {
    const result = addPage.apply(doc, args);
    (doc.page as PdfPage).content.finalize = finalizePageContent;
    return result;
  };
  doc._finalize = (): void => {
    const id = `<${doc._id.toString('hex')}>`;
    doc.push(packWrites(Buffer.concat(chunks), base, starts, ` /Root ${doc._root.id} 0 R /Info ${doc._info.id} 0 R /ID [${id} ${id}]`, own));
    doc.push(null);
  };
}

/**
 * zlib settings for a tagged document's page content streams. pdfkit deflates them with zlib's defaults; the filtered
 * strategy (fewer short matches, more literals) suits pdfmake's operators, long runs repeated from cell to cell with
 * short numbers between them (coordinates, glyph ids, the MCIDs the layer adds). Measured on the demo's riket, län 01,
 * län 14 and kommun 0180 (bench notes in the README): page streams 2.0–2.4 % smaller at the same CPU (level 6 both,
 * median of 15: 30.0 against 30.6 ms for kommun 0180, 110.6 against 112.3 ms for riket). The decoded content, so
 * every drawn operator, is the same.
 */
export const PAGE_DEFLATE = { level: 6, strategy: constants.Z_FILTERED } as const;
const NO_BYTES = Buffer.alloc(0);

/**
 * A page content stream's finalize (set on the stream object by packOutput): deflates what was written with
 * PAGE_DEFLATE, then lets pdfkit write it as it is (its writes have set /Filter /FlateDecode).
 */
function finalizePageContent(this: PdfStreamRef): void {
  if (this.compress && this.uncompressedLength > 0) {
    // pdfkit-content.ts keeps written text pending until a Buffer is written: an empty one moves it into the list.
    this.write(NO_BYTES);
    this.buffer = [deflateSync(Buffer.concat(this.buffer), PAGE_DEFLATE)];
    this.compress = false;
  }
  (Object.getPrototypeOf(this) as PdfStreamRef).finalize.call(this);
}

// ---- Installation. ----

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Proto = Record<string | symbol, unknown>;

function wrap(proto: Proto, name: string, make: (original: Method) => Method): void {
  const original = proto[name];
  if (typeof original !== 'function') throw new Error(`tagging: pdfmake has no ${name} to hook (pdfmake upgraded? see tests/report/tagging/hooks.test.ts)`);
  proto[name] = make(original as Method);
}

/** The tagger of the layout now running (pdfmake lays a document out synchronously, so one at a time). */
let active: Tagger | null = null;

interface PdfmakeClasses {
  LayoutBuilder: { prototype: object };
  ElementWriter: { prototype: object };
  Renderer: { prototype: object };
}

const require = createRequire(import.meta.url);

/** pdfmake's internal classes the layer hooks (the paths are pdfmake 0.3's `js/` build). */
export function pdfmakeClasses(): PdfmakeClasses {
  const load = (p: string): { prototype: object } => (require(p) as { default: { prototype: object } }).default;
  return {
    LayoutBuilder: load('pdfmake/js/LayoutBuilder.js'),
    ElementWriter: load('pdfmake/js/ElementWriter.js'),
    Renderer: load('pdfmake/js/Renderer.js'),
  };
}

/** The internal methods the layer wraps; a guard test asserts each exists with the expected arity. */
export const HOOKS = {
  LayoutBuilder: ['layoutDocument', 'tryLayoutDocument', 'processNode', 'addBackground', 'addDynamicRepeatable'],
  ElementWriter: ['addLine', 'addVector', 'addSVG', 'addImage', 'addFragment'],
  Renderer: ['renderPages', 'renderLine', 'renderVector', 'renderSVG', 'renderImage', 'renderAttachment', 'renderWatermark', 'beginClip', 'endClip', 'beginVerticalAlignment', 'endVerticalAlignment'],
} as const;

/**
 * Installs the wrappers once per process (per worker thread). Must run after the chart hook, so that a chart's
 * drawing happens inside its Figure's marked content.
 */
export function installTagging(classes: PdfmakeClasses = pdfmakeClasses()): void {
  const L = classes.LayoutBuilder.prototype as Proto;
  const W = classes.ElementWriter.prototype as Proto;
  const R = classes.Renderer.prototype as Proto;
  if (L[INSTALLED]) return;
  if (!R[CHART_HOOK]) throw new Error('tagging: install the chart drawing hook first, so that charts are drawn inside their Figure');
  if (!R[LINE_TEXT]) throw new Error('tagging: install the line-text layer first (line-text.ts), so that its lines are drawn inside their marked content');

  wrap(L, 'layoutDocument', (original) =>
    function layoutDocument(this: unknown, ...args: unknown[]): unknown {
      const content = args[0] as unknown as Record<symbol, LayerOptions | undefined>;
      const pdfDocument = args[1] as unknown as PdfDoc;
      const options = content?.[TAGGING];
      if (!options) return original.apply(this, args);
      const tagger = new Tagger(options);
      (this as Proto)[STATE] = tagger;
      pdfDocument[STATE] = tagger;
      packOutput(pdfDocument);
      const previous = active;
      active = tagger;
      try {
        return original.apply(this, args);
      } finally {
        active = previous;
      }
    },
  );
  wrap(L, 'tryLayoutDocument', (original) =>
    function tryLayoutDocument(this: unknown, ...args: unknown[]): unknown {
      // A re-run (pageBreakBefore) lays everything out again: start the tree again.
      ((this as Proto)[STATE] as Tagger | undefined)?.reset();
      return original.apply(this, args);
    },
  );
  wrap(L, 'processNode', (original) =>
    function processNode(this: unknown, ...args: unknown[]): unknown {
      const t = (this as Proto)[STATE] as Tagger | undefined;
      if (!t) return original.apply(this, args);
      t.stack.push(t.enter(args[0] as unknown as PmNode));
      try {
        return original.apply(this, args);
      } finally {
        t.stack.pop();
      }
    },
  );
  const inArtifact = (name: string, tag: (args: unknown[]) => ArtifactTag): void =>
    wrap(L, name, (original) =>
      function artifactBlock(this: unknown, ...args: unknown[]): unknown {
        const t = (this as Proto)[STATE] as Tagger | undefined;
        if (!t) return original.apply(this, args);
        t.stack.push(Frame.artifact(tag(args)));
        try {
          return original.apply(this, args);
        } finally {
          t.stack.pop();
        }
      },
    );
  inArtifact('addBackground', () => BACKGROUND);
  inArtifact('addDynamicRepeatable', (args) => ((args[2] as unknown as string) === 'footer' ? FOOTER : HEADER));

  wrap(W, 'addLine', (original) =>
    function addLine(this: unknown, ...args: unknown[]): unknown {
      const line = args[0] as unknown as PmLine;
      if (active && !active.current(line._tag)) {
        const tag = active.lineTag(line);
        if (tag) line._tag = tag;
      }
      return original.apply(this, args);
    },
  );
  for (const name of ['addVector', 'addSVG', 'addImage']) {
    wrap(W, name, (original) =>
      function addGraphic(this: unknown, ...args: unknown[]): unknown {
        const item = args[0] as unknown as PmItem;
        if (active && !active.current(item._tag)) item._tag = active.graphicTag();
        return original.apply(this, args);
      },
    );
  }
  wrap(W, 'addFragment', (original) =>
    function addFragment(this: unknown, ...args: unknown[]): unknown {
      const block = args[0] as unknown as { insertedOnPages?: unknown; items: { item: PmItem }[] };
      if (!active || block.insertedOnPages === undefined) return original.apply(this, args);
      // A repeatable (a broken table's header rows): its copies on later pages are artifacts, so that the table's
      // header is in the tree once. pdfmake copies the block's items onto the page with their own properties
      // (Line.clone, pack): stamped for the copy, their own stamps back afterwards.
      const items = block.items;
      const own = items.map((i) => i.item._tag);
      for (const i of items) i.item._tag = REPEATED;
      try {
        return original.apply(this, args);
      } finally {
        for (let k = 0; k < items.length; k++) (items[k] as { item: PmItem }).item._tag = own[k];
      }
    },
  );

  const docOf = (r: unknown): PdfDoc => (r as { pdfDocument: PdfDoc }).pdfDocument;
  wrap(R, 'renderPages', (original) =>
    function renderPages(this: unknown, ...args: unknown[]): unknown {
      const doc = docOf(this);
      const t = doc[STATE];
      if (!t) return original.apply(this, args);
      t.prepare(doc, args[0] as unknown as PmPage[]);
      const result = original.apply(this, args);
      t.finish(doc);
      return result;
    },
  );
  wrap(R, 'renderLine', (original) =>
    function renderLine(this: unknown, ...args: unknown[]): unknown {
      const doc = docOf(this);
      const t = doc[STATE];
      if (!t) return original.apply(this, args);
      const line = args[0] as unknown as PmLine;
      const tag = line._tag ?? LAYOUT;
      const linked = !isArtifact(tag) && hasLink(line.inlines);
      // A linked line's text goes into Link and owner sequences opened per inline; what pdfmake paints before the
      // first inline (its colour-setting `f` without a path, a text background) is layout.
      t.ensure(doc, linked ? LAYOUT : tag);
      if (!linked) return original.apply(this, args);
      let result: unknown;
      t.renderLinkedLine(doc, line, tag, () => {
        result = original.apply(this, args);
      });
      return result;
    },
  );
  for (const name of ['renderVector', 'renderSVG', 'renderImage']) {
    wrap(R, name, (original) =>
      function renderGraphic(this: unknown, ...args: unknown[]): unknown {
        const doc = docOf(this);
        const t = doc[STATE];
        if (t) t.ensure(doc, (args[0] as unknown as PmItem)._tag ?? LAYOUT);
        return original.apply(this, args);
      },
    );
  }
  wrap(R, 'renderAttachment', (original) =>
    function renderAttachment(this: unknown, ...args: unknown[]): unknown {
      const doc = docOf(this);
      doc[STATE]?.ensure(doc, LAYOUT);
      return original.apply(this, args);
    },
  );
  wrap(R, 'renderWatermark', (original) =>
    function renderWatermark(this: unknown, ...args: unknown[]): unknown {
      const doc = docOf(this);
      const t = doc[STATE];
      t?.ensure(doc, WATERMARK);
      const result = original.apply(this, args);
      t?.close(doc);
      return result;
    },
  );
  // q/Q pairs: no marked-content sequence may begin inside one and end outside it.
  for (const name of ['beginClip', 'endClip', 'beginVerticalAlignment', 'endVerticalAlignment']) {
    wrap(R, name, (original) =>
      function boundary(this: unknown, ...args: unknown[]): unknown {
        const doc = docOf(this);
        doc[STATE]?.close(doc);
        return original.apply(this, args);
      },
    );
  }
  L[INSTALLED] = true;
}
