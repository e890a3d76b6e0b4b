/**
 * The HTML twin of a report: the same content tree the PDF is written from (build-pdf.ts `reportDefinition`), walked
 * into one self-contained HTML file — inline CSS, no scripts, nothing fetched. Headings come from the node styles,
 * the table of contents becomes a <nav> of links to the headings, every table a <table> with caption and header
 * cells, every chart a <figure> holding the chart as inline SVG (drawn by Vega's SVG string renderer from the same
 * scenegraph the PDF draws) with its text alternative, linked to the tables that hold its numbers.
 *
 * Text is taken as the tree has it (numbers already formatted, characters already fitted) and only escaped. A node
 * kind this file does not know is written as its text, never dropped and never an error.
 */
import * as vega from 'vega';
import type { ChartScene } from '../charts/render-chart.ts';
import { ACCENT } from '../charts/specs.ts';
import { replaceFile } from '../write-output.ts';
import { reportDefinition, type Content, type DocDefinition, type Inline, type TableNode, type TextNode } from './build-pdf.ts';
import type { ReportModel } from './model.ts';
import { wording, type Lang } from './wording.ts';

const HEADING_TAG: Readonly<Record<string, 'h1' | 'h2' | 'h3'>> = { title: 'h1', h1: 'h1', h2: 'h2', h3: 'h3' };
/** Paragraph styles kept as classes, for the stylesheet. */
const PARA_CLASS = new Set(['kicker', 'subtitle', 'note', 'caption']);
/**
 * The words the HTML twin finds in the PDF's captions or adds itself, per report language (the PDF's from
 * templates/wording `pdf.figureCaption`, `pdf.tableCaption`, `pdf.figureNumbers`, `pdf.maps.classesCaption`).
 */
interface HtmlWords {
  figureCaption: RegExp;
  tableCaption: RegExp;
  /** A table that holds a figure's numbers names it ("Siffrorna i figur 3", "Färgklasserna i figur 12"). */
  namesFigure: RegExp;
  /** …or a figure names the tables that hold its numbers ("Siffrorna finns i tabell 11 och 12"). */
  namesTables: RegExp;
  captionLabel: RegExp;
  table: string;
  numbers: string;
  contents: string;
  and: string;
}

/** How the captions' running text names figures and tables, per language (inside sentences of templates/wording). */
const NAMES: Readonly<Record<Lang, Pick<HtmlWords, 'namesFigure' | 'namesTables' | 'numbers'>>> = {
  sv: { namesFigure: /\bi figur (\d+)\b/u, namesTables: /\btabell (\d+)(?: och (\d+))?/gu, numbers: 'Siffrorna i diagrammet' },
  en: { namesFigure: /\bof figure (\d+)\b/u, namesTables: /\btable (\d+)(?: and (\d+))?/gu, numbers: "The chart's figures" },
};

const escapeRegExp = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The words of one language: the caption labels ("Figur", "Tabell"), the contents title and "och" from the wording. */
function htmlWords(lang: Lang): HtmlWords {
  const t = wording(lang).t;
  // The word before the number of `pdf.figureCaption` / `pdf.tableCaption` ("Figur {n}. {caption}").
  const label = (key: string): string => t(key, { n: '\u0000', caption: '' }).split(' \u0000')[0] ?? '';
  const figure = label('pdf.figureCaption');
  const table = label('pdf.tableCaption');
  return {
    figureCaption: new RegExp(`^${escapeRegExp(figure)} (\\d+)\\.`, 'u'),
    tableCaption: new RegExp(`^${escapeRegExp(table)} (\\d+)\\.`, 'u'),
    captionLabel: new RegExp(`^((?:${escapeRegExp(figure)}|${escapeRegExp(table)}) \\d+\\.)(.*)$`, 'su'),
    table,
    contents: t('pdf.contents'),
    and: t('format.and'),
    ...NAMES[lang],
  };
}

/** Fields of a node that hold its children, in pdfmake's node kinds (`section` is pdfmake 0.3's page section). */
const CONTAINERS = ['stack', 'columns', 'ul', 'ol', 'section'] as const;
/** Fields of a node of unknown kind that hold layout, not text. */
const NOT_TEXT = new Set(['style', 'margin', 'widths', 'heights', 'layout', 'chart', 'toc', 'tocStyle', 'tocMargin', 'pageSize', 'pageMargins']);

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const htmlEntity = (c: string): string => HTML_ENTITY[c] ?? c;

function escapeHtml(s: string): string {
  return s.replace(HTML_SPECIAL, htmlEntity);
}

/** A node's styles as a list (pdfmake allows one name or several). */
function styles(node: Obj): string[] {
  const s = node.style;
  return typeof s === 'string' ? [s] : Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : [];
}

/** All the text under a node, in reading order (for ids, captions and nodes of unknown kind). */
export function plainText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(plainText).join('');
  if (!isObj(node)) return '';
  if ('text' in node) return plainText(node.text);
  const parts: string[] = [];
  for (const key of CONTAINERS) if (Array.isArray(node[key])) parts.push(...(node[key] as unknown[]).map(plainText));
  if (isObj(node.table) && Array.isArray(node.table.body)) for (const row of node.table.body as unknown[]) if (Array.isArray(row)) parts.push(...row.map(plainText));
  // A kind of node not known here: whatever text its other fields hold (layout values are numbers or style names).
  if (parts.length === 0 && !('svg' in node)) {
    for (const [key, v] of Object.entries(node)) if (!NOT_TEXT.has(key) && (Array.isArray(v) || isObj(v))) parts.push(plainText(v));
  }
  return parts.filter((p) => p.trim()).join(' ');
}

function slug(s: string): string {
  const base = s
    .toLowerCase()
    .replace(/[åä]/gu, 'a')
    .replace(/ö/gu, 'o')
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-+|-+$/gu, '');
  // An id that starts with a digit ("3-boende") is valid HTML but no CSS selector.
  return /^[a-z]/u.test(base) ? base : `avsnitt-${base}`;
}

interface Heading {
  id: string;
  text: string;
  level: 1 | 2;
}

/** What a first pass over the tree learns, so links can point forward (contents, figure → appendix table). */
interface Plan {
  words: HtmlWords;
  headingIds: Map<object, string>;
  toc: Heading[];
  /** Figure number → the tables whose caption names it: [table id, "Tabell N"]. */
  figureTables: Map<number, [string, string][]>;
}

function children(node: Obj): unknown[] {
  const out: unknown[] = [];
  for (const key of CONTAINERS) if (Array.isArray(node[key])) out.push(...(node[key] as unknown[]));
  if (isObj(node.table) && Array.isArray(node.table.body)) for (const row of node.table.body as unknown[]) if (Array.isArray(row)) out.push(...row);
  if (Array.isArray(node.text)) out.push(...(node.text as unknown[]));
  return out;
}

function plan(content: readonly Content[], words: HtmlWords): Plan {
  const p: Plan = { words, headingIds: new Map(), toc: [], figureTables: new Map() };
  // The contents' own heading has this id (Writer.toc).
  const used = new Set<string>(['innehall']);
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObj(node)) return;
    const st = styles(node);
    if (node.tocItem === true || st.includes('h1') || st.includes('h2')) {
      const text = plainText(node).trim();
      let id = slug(text);
      for (let i = 2; used.has(id); i++) id = `${slug(text)}-${i}`;
      used.add(id);
      p.headingIds.set(node, id);
      if (node.tocItem === true) p.toc.push({ id, text, level: st.includes('h1') ? 1 : 2 });
    }
    if (st.includes('caption')) {
      const text = plainText(node);
      const add = (fig: number, table: string): void => {
        const list = p.figureTables.get(fig) ?? [];
        if (!list.some(([id]) => id === `tabell-${table}`)) list.push([`tabell-${table}`, `${words.table} ${table}`]);
        p.figureTables.set(fig, list);
      };
      const t = words.tableCaption.exec(text);
      const f = t ? words.namesFigure.exec(text) : null;
      if (t && f) add(Number(f[1]), t[1] as string);
      // Or the figure names its tables ("Siffrorna finns i tabell 11 och 12").
      const fig = words.figureCaption.exec(text);
      if (fig) for (const m of text.matchAll(words.namesTables)) for (const n of m.slice(1)) if (n) add(Number(fig[1]), n);
    }
    children(node).forEach(visit);
  };
  visit(content);
  return p;
}

// ---- Inline text. ----

function inline(x: Inline | unknown): string {
  if (typeof x === 'string') return escapeHtml(x).replace(/\n/gu, '<br>');
  if (!isObj(x)) return '';
  let html = Array.isArray(x.text) ? (x.text as unknown[]).map(inline).join('') : inline(typeof x.text === 'number' ? String(x.text) : x.text ?? plainText(x));
  if (x.italics === true) html = `<em>${html}</em>`;
  if (x.bold === true && !styles(x).includes('th')) html = `<strong>${html}</strong>`;
  if (typeof x.link === 'string') html = link(x.link, html);
  return html;
}

/** A caption with its label ("Figur 3.", "Tabell 12.") in bold and the long rest in the body weight. */
function captionHtml(node: TextNode, words: HtmlWords): string {
  const m = typeof node.text === 'string' ? words.captionLabel.exec(node.text) : null;
  return m ? `<strong>${escapeHtml(m[1] as string)}</strong>${inline(m[2])}` : inline(node);
}

function link(href: string, html: string): string {
  // Only web links leave the file; anything else (a local path, javascript:) is shown as text.
  return /^https?:\/\//u.test(href) ? `<a href="${escapeHtml(href)}">${html}</a>` : html;
}

// ---- Blocks. ----

class Writer {
  private readonly out: string[] = [];
  constructor(private readonly p: Plan) {}

  html(): string {
    return this.out.join('');
  }

  push(s: string): void {
    this.out.push(s);
  }

  block(node: Content | unknown): void {
    if (typeof node === 'string') {
      if (node.trim()) this.push(`<p>${inline(node)}</p>\n`);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((n) => this.block(n));
      return;
    }
    if (!isObj(node)) return;
    if (node.role === 'Artifact') return;
    if ('toc' in node) return this.toc(node);
    if ('text' in node) return this.text(node as TextNode & Obj);
    if ('stack' in node && Array.isArray(node.stack)) return this.stack(node.stack as Content[]);
    if ('section' in node && Array.isArray(node.section)) return this.stack(node.section as Content[]);
    if ('columns' in node && Array.isArray(node.columns)) return this.columns(node.columns as Content[]);
    if ('ul' in node && Array.isArray(node.ul)) return this.list('ul', node.ul as Content[]);
    if ('ol' in node && Array.isArray(node.ol)) return this.list('ol', node.ol as Content[]);
    if ('table' in node && isObj(node.table)) return node.role === 'Div' ? this.box(node as unknown as TableNode) : this.table(node as unknown as TableNode, null, null, []);
    if ('svg' in node) return this.svg(node, null, 0);
    // A kind this file does not know (image, qr, canvas, a future node): its text, so nothing is lost.
    const text = plainText(node).trim();
    if (text) this.push(`<p class="unknown">${escapeHtml(text)}</p>\n`);
  }

  private text(node: TextNode & Obj): void {
    const st = styles(node);
    const tag = st.map((s) => HEADING_TAG[s]).find((t) => t !== undefined);
    if (tag) {
      const id = this.p.headingIds.get(node);
      const cls = st.includes('title') ? ' class="title"' : '';
      this.push(`<${tag}${id ? ` id="${id}"` : ''}${cls}>${inline(node)}</${tag}>\n`);
      return;
    }
    if (!plainText(node).trim()) return;
    const cls = st.filter((s) => PARA_CLASS.has(s));
    this.push(`<p${cls.length ? ` class="${cls.join(' ')}"` : ''}>${inline(node)}</p>\n`);
  }

  /** A stack is a figure (caption + chart), a captioned table (caption + table(s) + note) or just a sequence. */
  private stack(items: Content[]): void {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const next = items[i + 1];
      if (isObj(item) && styles(item).includes('caption') && isObj(next)) {
        const caption = plainText(item);
        if ('svg' in next && this.p.words.figureCaption.test(caption)) {
          this.svg(next, item as TextNode, Number(this.p.words.figureCaption.exec(caption)?.[1]));
          i++;
          continue;
        }
        const tables = tablesOf(next);
        if (tables) {
          const after = items[i + 2];
          const note = isObj(after) && styles(after).includes('note') ? (after as TextNode) : null;
          const num = this.p.words.tableCaption.exec(caption)?.[1];
          this.table(tables[0] as TableNode, item as TextNode, num ? `tabell-${num}` : null, tables.slice(1), note);
          i += note ? 2 : 1;
          continue;
        }
      }
      this.block(item);
    }
  }

  private columns(items: Content[]): void {
    const tables = tablesOf({ columns: items });
    if (tables) {
      this.table(tables[0] as TableNode, null, null, tables.slice(1));
      return;
    }
    this.push('<div class="columns">');
    for (const c of items) {
      this.push('<div>');
      this.block(c);
      this.push('</div>');
    }
    this.push('</div>\n');
  }

  private list(tag: 'ul' | 'ol', items: Content[]): void {
    this.push(`<${tag}>\n`);
    for (const it of items) this.push(`<li>${cellHtml(this.p, it)}</li>\n`);
    this.push(`</${tag}>\n`);
  }

  /** A framed box drawn as a one-cell table (the demo notice): a box of paragraphs, not a data table. */
  private box(node: TableNode): void {
    this.push('<div class="box">\n');
    for (const row of node.table.body) for (const cell of row) this.block(cell);
    this.push('</div>\n');
  }

  /**
   * A data table; `parts` are the side-by-side continuations pdfmake uses for long lists (balancedTables), joined
   * back into one table here, where the page is not the limit.
   */
  private table(node: TableNode, caption: TextNode | null, id: string | null, parts: readonly Content[], note: TextNode | null = null): void {
    const head = Math.max(0, node.table.headerRows ?? 0);
    const header = node.table.body.slice(0, head);
    const rows = [node.table.body.slice(head), ...parts.map((t) => (t as TableNode).table.body.slice(Math.max(0, (t as TableNode).table.headerRows ?? 0)))].flat();
    // The leading columns that label their row, as the tree says (`rowHeaderColumns`); a tree that does not say: the
    // first column, unless it holds right-aligned numbers.
    const given = (node as TableNode & { rowHeaderColumns?: unknown }).rowHeaderColumns;
    const rowHeaders = typeof given === 'number' ? given : rows.length > 0 && rows.every((r) => r[0] !== undefined && !isNumberCell(r[0])) ? 1 : 0;
    const capId = id ? `${id}-rubrik` : null;
    this.push(`<div class="table-box" role="region" tabindex="0"${capId ? ` aria-labelledby="${capId}"` : ` aria-label="${escapeHtml(this.p.words.table)}"`}>\n`);
    this.push(`<table${id ? ` id="${id}"` : ''}>\n`);
    if (caption) this.push(`<caption${capId ? ` id="${capId}"` : ''}>${captionHtml(caption, this.p.words)}</caption>\n`);
    if (header.length) {
      this.push('<thead>\n');
      for (const r of header) this.push(`<tr>${r.map((c) => `<th scope="col"${cellClass(c)}>${cellHtml(this.p, c)}</th>`).join('')}</tr>\n`);
      this.push('</thead>\n');
    }
    this.push('<tbody>\n');
    for (const r of rows) {
      const cells = r.map((c, i) => {
        const th = i < rowHeaders || (isObj(c) && (c.role === 'TH' || styles(c).includes('th')));
        return th ? `<th scope="row"${cellClass(c)}>${cellHtml(this.p, c)}</th>` : `<td${cellClass(c)}>${cellHtml(this.p, c)}</td>`;
      });
      this.push(`<tr>${cells.join('')}</tr>\n`);
    }
    this.push('</tbody>\n</table>\n</div>\n');
    if (note) this.push(`<p class="note">${inline(note)}</p>\n`);
  }

  /** A chart as a figure; any other SVG node as an image with its alt text. */
  private svg(node: Obj, caption: TextNode | null, num: number): void {
    const alt = typeof node.alt === 'string' ? node.alt : '';
    const id = num ? `figur-${num}` : `bild-${this.out.length}`;
    const svg = isObj(node.chart) ? sceneSvg(node.chart as unknown as ChartScene) : typeof node.svg === 'string' ? node.svg : '';
    this.push(`<figure id="${id}">\n`);
    if (caption) this.push(`<figcaption>${captionHtml(caption, this.p.words)}</figcaption>\n`);
    this.push(`${accessibleSvg(svg, id, alt, node.decorative === true)}\n`);
    const tables = num ? this.p.figureTables.get(num) ?? [] : [];
    if (tables.length) {
      const links = tables.map(([tid, label]) => `<a href="#${tid}">${escapeHtml(label)}</a>`);
      this.push(`<p class="numbers">${escapeHtml(this.p.words.numbers)}: ${joinWords(links, this.p.words.and)}.</p>\n`);
    }
    this.push('</figure>\n');
  }

  private toc(node: Obj): void {
    const toc = isObj(node.toc) ? node.toc : {};
    const title = plainText(toc.title).trim() || this.p.words.contents;
    this.push(`<nav aria-labelledby="innehall">\n<h2 id="innehall">${escapeHtml(title)}</h2>\n<ol>\n`);
    let open = false;
    for (const h of this.p.toc) {
      const a = `<a href="#${h.id}">${escapeHtml(h.text)}</a>`;
      if (h.level === 1) {
        if (open) this.push('</ol></li>\n');
        this.push(`<li>${a}`);
        const nextIsSub = this.p.toc[this.p.toc.indexOf(h) + 1]?.level === 2;
        if (nextIsSub) this.push('\n<ol>\n');
        else this.push('</li>\n');
        open = nextIsSub;
      } else {
        if (!open) {
          this.push('<li><ol>\n');
          open = true;
        }
        this.push(`<li>${a}</li>\n`);
      }
    }
    if (open) this.push('</ol></li>\n');
    this.push('</ol>\n</nav>\n');
  }
}

function joinWords(items: readonly string[], and: string): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')}${and}${items[items.length - 1]}`;
}

/** The table nodes of a table or of columns made only of tables (a long list split side by side), else null. */
function tablesOf(node: Obj): Content[] | null {
  if ('table' in node && isObj(node.table) && node.role !== 'Div') return [node as unknown as Content];
  if (Array.isArray(node.columns) && node.columns.length > 0 && node.columns.every((c) => isObj(c) && 'table' in c && c.role !== 'Div')) return node.columns as Content[];
  return null;
}

function isNumberCell(c: unknown): boolean {
  return isObj(c) && c.alignment === 'right';
}

function cellClass(c: unknown): string {
  return isNumberCell(c) ? ' class="num"' : '';
}

/** A cell's or list item's content: inline for text, blocks for anything else. */
function cellHtml(p: Plan, c: unknown): string {
  if (typeof c === 'string' || (isObj(c) && 'text' in c && !HEADING_TAG[styles(c)[0] ?? ''])) return inline(c);
  const w = new Writer(p);
  w.block(c);
  return w.html();
}

// ---- Charts. ----

interface SvgStringRendererLike {
  initialize(el: null, width: number, height: number, origin: readonly [number, number]): SvgStringRendererLike;
  background(color: string | null): SvgStringRendererLike;
  render(scene: unknown): SvgStringRendererLike;
  svg(): string;
}

const loader = vega.loader();

/** The scenegraph the PDF draws, as an SVG string (Vega's own headless SVG renderer). */
function sceneSvg(scene: ChartScene): string {
  const Ctor = (vega as unknown as { SVGStringRenderer: new (l: unknown) => SvgStringRendererLike }).SVGStringRenderer;
  return new Ctor(loader).initialize(null, scene.width, scene.height, scene.origin).background(scene.background).render(scene.root).svg();
}

/** An id, or a reference to one, of a chart's clip paths and gradients. */
const SVG_REF = /(\sid="|url\(#|href="#)([^")]+)/g;
/**
 * An ARIA attribute or role inside a tag: the next angle bracket after it closes a tag (in text it would open the
 * next one; Vega escapes '<' and '>' in text and attribute values).
 */
const SVG_ARIA = /\s(?:aria-[a-z]+|role)="[^"]*"(?=[^<>]*>)/g;

/**
 * The chart's root <svg> made an image with an accessible name (its alt text, as <title> and aria-labelledby), and
 * its ids (clip paths, gradients) made the figure's own, since every chart of the page shares one id space.
 */
function accessibleSvg(svg: string, id: string, alt: string, decorative: boolean): string {
  const open = /^\s*<svg\b[^>]*>/u.exec(svg);
  if (!open) return alt ? `<p class="unknown">${escapeHtml(alt)}</p>` : '';
  const attr = (name: string): string | null => new RegExp(`\\s${name}="([^"]*)"`, 'u').exec(open[0])?.[1] ?? null;
  const width = attr('width');
  const height = attr('height');
  const viewBox = attr('viewBox') ?? (width && height ? `0 0 ${width} ${height}` : null);
  // Vega numbers clip paths and gradients process-wide ("clip37"): renumbered per figure, so the same model gives
  // the same file.
  const local = new Map<string, string>();
  const renumbered = svg.slice(open[0].length).replace(SVG_REF, (_, ref: string, x: string) => {
    let v = local.get(x);
    if (v === undefined) local.set(x, (v = `${id}-${local.size + 1}`));
    return `${ref}${v}`;
  });
  // Vega's own roles and English labels per mark ("X-axis for a linear scale…", "value: 8,9"): inside an img they
  // are never read (its name is the alt text, its numbers are in the tables), and they are a quarter of the bytes.
  const body = renumbered.replace(SVG_ARIA, '');
  const size = `${width ? ` width="${width}"` : ''}${height ? ` height="${height}"` : ''}${viewBox ? ` viewBox="${viewBox}"` : ''}`;
  const a11y = decorative || !alt ? ' aria-hidden="true"' : ` role="img" aria-labelledby="${id}-alt"`;
  const title = decorative || !alt ? '' : `<title id="${id}-alt">${escapeHtml(alt)}</title>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart"${size}${a11y} focusable="false">${title}${body}`;
}

// ---- The page. ----

const CSS = `
:root{--accent:${ACCENT};--grey:#595959;--rule:#bfbfbf;color:#1a1a1a;font-family:Roboto,"Segoe UI",Arial,sans-serif;line-height:1.45}
*{box-sizing:border-box}
body{margin:0;overflow-wrap:break-word}
.banner,.page-footer{background:#f2f2f2;color:var(--grey);font-size:.85rem;padding:.5rem 1rem}
.banner strong,.page-footer strong{color:var(--accent)}
main{max-width:50rem;margin:0 auto;padding:1rem}
h1,h2,h3{line-height:1.2;color:#1a1a1a}
h1{color:var(--accent);font-size:1.6rem;margin:2.5rem 0 1rem;border-top:1px solid var(--rule);padding-top:1rem}
h1.title{font-size:2rem;border:0;margin-top:.5rem}
h2{font-size:1.25rem;margin:1.8rem 0 .5rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
p{margin:0 0 .6rem}
.kicker{color:var(--grey);letter-spacing:.03em;margin:1rem 0 0}
.subtitle{font-size:1.2rem}
.note{color:var(--grey);font-size:.9rem}
.box{border:2px solid var(--accent);padding:.75rem 1rem;margin:1rem 0}
.box p:first-child{color:var(--accent);font-weight:bold;font-size:1.2rem}
nav ol{list-style:none;padding-left:0}
nav ol ol{padding-left:1.25rem;font-size:.95rem}
.columns{display:flex;flex-wrap:wrap;gap:1rem}
.columns>div{flex:1 1 12rem;min-width:0}
a{color:var(--accent)}
figure{margin:1.5rem 0;max-width:100%}
figcaption{font-size:.95rem;margin-bottom:.4rem}
svg.chart{display:block;width:100%;max-width:40rem;height:auto;max-height:85vh}
svg.chart text{font-family:Roboto,"Segoe UI",Arial,sans-serif}
.numbers{font-size:.9rem}
.table-box{overflow-x:auto;max-width:100%;margin:1rem 0 .3rem}
.table-box:focus{outline:2px solid var(--accent)}
table{border-collapse:collapse;font-size:.9rem;min-width:50%}
caption{text-align:left;padding-bottom:.4rem;caption-side:top;position:sticky;left:0;max-width:calc(100vw - 2rem)}
th,td{padding:.25rem .5rem;text-align:left;vertical-align:top;border-bottom:1px solid var(--rule)}
thead th{border-bottom:2px solid #404040;vertical-align:bottom}
tbody th{font-weight:normal}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.unknown{white-space:pre-wrap}
`.trim();

/** The text parts of a page header or footer as inline HTML. */
function furnitureParts(node: Content | null): string[] {
  const parts: string[] = [];
  const visit = (n: unknown): void => {
    if (typeof n === 'string') {
      if (n.trim()) parts.push(inline(n));
    } else if (Array.isArray(n)) n.forEach(visit);
    else if (isObj(n)) {
      if ('text' in n) {
        if (plainText(n).trim()) parts.push(inline(n));
      } else children(n).forEach(visit);
    }
  };
  visit(node);
  return parts;
}

/**
 * What a page header or footer says on every page, once: the parts that are the same on pages 2 and 3 (the page
 * number, "Sida 2 av 9", is not). Page 1, the title page, has no header.
 */
function furniture(make: (page: number, count: number) => Content | null): string[] {
  const a = furnitureParts(make(2, 9));
  const b = furnitureParts(make(3, 9));
  return a.filter((x, i) => x === b[i]);
}

/** The whole HTML document for a report's document definition. */
export function reportHtml(dd: DocDefinition): string {
  // The report's language from the tree (build-pdf sets `language` from templates/wording `pdf.metadata.language`).
  const p = plan(dd.content, htmlWords(dd.language.startsWith('en') ? 'en' : 'sv'));
  const w = new Writer(p);
  w.block(dd.content);
  const header = furniture(dd.header);
  const footer = furniture(dd.footer);
  const lang = dd.language.split('-')[0] || 'sv';
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No icon to fetch: a browser would otherwise ask the server for /favicon.ico.
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(dd.info.title)}</title>`,
    `<meta name="description" content="${escapeHtml(dd.info.subject)}">`,
    `<meta name="author" content="${escapeHtml(dd.info.author)}">`,
    `<meta name="generator" content="${escapeHtml(dd.info.creator)}">`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    header.length ? `<header class="banner">${header.join(' · ')}</header>` : '',
    '<main>',
    w.html(),
    '</main>',
    footer.length ? `<footer class="page-footer">${footer.join(' · ')}</footer>` : '',
    '</body>',
    '</html>',
    '',
  ]
    .filter((s) => s !== '')
    .join('\n');
}

/** Writes the report's HTML twin whole or not at all (write-output.ts replaceFile), beside its PDF. */
export async function buildReportHtml(model: ReportModel, outFile: string): Promise<{ bytes: number }> {
  return writeReportHtml(await reportDefinition(model), outFile);
}

/**
 * The HTML twin of an already-built tree (the report worker builds one tree for both files). Call it before the PDF
 * is laid out from the same tree: pdfmake mutates the tree as it lays it out. The walk itself changes nothing.
 */
export async function writeReportHtml(dd: DocDefinition, outFile: string): Promise<{ bytes: number }> {
  const html = Buffer.from(reportHtml(dd), 'utf8');
  await replaceFile(outFile, html);
  return { bytes: html.length };
}
