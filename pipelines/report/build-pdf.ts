/**
 * ReportModel → the follow-up report as PDF (pdfmake 0.3, charts as Vega SVG). Layout only: every number comes
 * from the model, every sentence from summary.ts, every formatted value from format.ts.
 *
 * pdfmake is a module singleton; this file owns its fonts (Roboto from memory, via pdfmake's virtual file system)
 * and denies it all file and URL access, since a report needs nothing from outside the model.
 */
import { replaceFile } from '../write-output.ts';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { renderChartScene, type ChartScene } from '../charts/render-chart.ts';
import { chartNode, installChartDrawing } from '../charts/draw-chart.ts';
import { AccessibilityError } from './tagging/errors.ts';
import { compactPdf } from './tagging/compact.ts';
import { accessibleDefinition } from './tagging/document.ts';
import { installTagging, pdfmakeClasses } from './tagging/layer.ts';
import { AlternativeNeeded, installPageFit } from './page-fit.ts';
import { installStyleCache } from './pdfmake-styles.ts';
import { installContentWrites } from './pdfkit-content.ts';
import { installLineText } from './line-text.ts';
import { installTextMeasure } from './text-measure.ts';
import { useReportFonts } from '../charts/fonts.ts';
import { wording, type Lang, type Wording } from './wording.ts';
import {
  ACCENT,
  areaTypeGapChart,
  areaTypeTrendChart,
  areaTypeTrendIndicators,
  CHART_WIDTH,
  kommunRankChart,
  kommunSpreadChart,
  breakRows,
  indicatorPanelsChart,
  mapChart,
  segregationPanelsChart,
  type ChartDef,
} from '../charts/specs.ts';
import { StageError } from '../errors.ts';
import { MESSAGES, message } from '../messages.ts';
import {
  formatAreaVersion,
  formatCell,
  formatChangeMagnitude,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatSigned,
  formatYearRange,
  printedDiff,
  joinList,
  MINUS,
  statusLegend,
  statusText,
  swedishCollator,
  unitStyle,
} from './format.ts';
import type { AreaTypeBlock, AreaTypeIndicator, AreaTypeNumber, IndicatorBlock, MapBlock, ReportModel, SegregationBlock, SegregationPoint } from './model.ts';
import { reformChapter, reformChapterTitle, type ReformProgramme } from './reforms.ts';
import { catalogueText, caveatText as caveatInLang } from './catalogue-text.ts';
import { keyFindings } from './key-findings.ts';
import { definitionLine, howToRead, readingAids } from './reading-aids.ts';
import { mapIntro, mapTexts, mapTitle } from './maps.ts';
import { comparisonCaption } from './comparisons.ts';
import { indicatorTrend, kommunChangeVerdict, type Trend, type Verdict } from './verdict.ts';
import {
  areaTypeComparison,
  areaTypeGroupHeaders,
  areaTypeLegendName,
  areaTypeShortName,
  comparisonPhrase,
  describeAreaTypeComparison,
  gapMaterialityPhrase,
  printedGap,
  singleAreaType,
  type AreaTypeScopeLevel,
  buildSummary,
  componentLabel,
  decompositionShares,
  describeAreaTypeGaps,
  describeAreaTypeMethod,
  describeAreaTypePopulation,
  describeIndicator,
  describeSegregation,
  groupsName,
  summarizeSegregation,
  FEW_UNITS,
  gapIndicators,
  gapVerdict,
  gapVerdictWord,
  intervalText,
  measureLabel,
  scopePhrase,
  unitLevelName,
} from './summary.ts';

// ---- A minimal type for the part of pdfmake's document definition this file uses. ----

type Margins = [number, number, number, number];
type Alignment = 'left' | 'right' | 'center' | 'justify';

export interface Style {
  font?: string;
  fontSize?: number;
  bold?: boolean;
  italics?: boolean;
  color?: string;
  lineHeight?: number;
  margin?: Margins;
  alignment?: Alignment;
  fillColor?: string;
  characterSpacing?: number;
}

export interface NodeBase extends Style {
  style?: string | string[];
  pageBreak?: 'before' | 'after';
  unbreakable?: boolean;
  /** page-fit.ts: a node that must not end a page (a breakable table's caption); outside unbreakable blocks only. */
  keepWithNext?: boolean;
  /** page-fit.ts: an unbreakable block whose charts may be drawn down to this share of their size to fit a page. */
  fit?: number;
  /**
   * page-fit.ts: what an unbreakable stack (a table and its caption) is laid out as instead, breaking across pages,
   * rather than leave a page under 60 % full.
   */
  breakable?: Content[];
  /** page-fit.ts: a `breakable` alternative left out of this tree, made only when the layout asks for it. */
  breakableLater?: boolean;
  width?: number | string;
  /** A chart's text alternative: its Figure's /Alt in the tagged PDF (report/tagging/). */
  alt?: string;
  /** Structure type where the node's own would be wrong (report/tagging/layer.ts), e.g. 'Div' for a framed box. */
  role?: string;
}

export interface TextNode extends NodeBase {
  text: string | Inline[];
  link?: string;
  noWrap?: boolean;
  tocItem?: boolean;
  tocStyle?: string | Style;
  tocMargin?: Margins;
  headlineLevel?: number;
  outline?: boolean;
}
export type Inline = string | TextNode;

export interface StackNode extends NodeBase {
  stack: Content[];
}
export interface ColumnsNode extends NodeBase {
  columns: Content[];
  columnGap?: number;
}
export interface UlNode extends NodeBase {
  ul: Content[];
}
export interface SvgNode extends NodeBase {
  svg: string;
  width: number;
}
interface TableLayout {
  hLineWidth?: (i: number, node: { table: { body: unknown[][]; headerRows?: number } }) => number;
  vLineWidth?: (i: number) => number;
  hLineColor?: (i: number, node: { table: { body: unknown[][]; headerRows?: number } }) => string;
  paddingLeft?: (i: number) => number;
  paddingRight?: (i: number, node: { table: { widths: unknown[] } }) => number;
  paddingTop?: (i: number) => number;
  paddingBottom?: (i: number) => number;
  fillColor?: (row: number) => string | null;
}
export interface TableNode extends NodeBase {
  table: { headerRows?: number; widths: (number | string)[]; body: Content[][]; dontBreakRows?: boolean; keepWithHeaderRows?: number };
  layout?: TableLayout | 'noBorders';
  /** How many leading body columns label their row (indicator, year, area, type): TH /Scope /Row in the tagged PDF (report/tagging/layer.ts). */
  rowHeaderColumns?: number;
}
export interface TocNode extends NodeBase {
  toc: { title?: Content; outlines?: boolean; textStyle?: Style; numberStyle?: Style; textMargin?: Margins };
}
export type Content = string | TextNode | StackNode | ColumnsNode | UlNode | SvgNode | TableNode | TocNode;

export interface DocDefinition {
  pageSize: 'A4';
  pageMargins: Margins;
  language: string;
  info: { title: string; author: string; subject: string; keywords: string; creator: string; producer: string; creationDate: Date; modDate: Date };
  displayTitle: boolean;
  version: '1.7';
  content: Content[];
  header: (currentPage: number, pageCount: number) => Content | null;
  footer: (currentPage: number, pageCount: number) => Content;
  styles: Record<string, Style>;
  defaultStyle: Style;
  pageBreakBefore?: (node: { headlineLevel?: number; startPosition?: { verticalRatio?: number } }) => boolean;
}

interface PdfMake {
  setFonts(fonts: Record<string, { normal: string; bold: string; italics: string; bolditalics: string }>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  createPdf(dd: DocDefinition): { getBuffer(): Promise<Buffer> };
}

// ---- Constants of the page. ----

export const REPORT_TITLE = wording('sv').t('pdf.title');
const TEXT = '#1a1a1a';
const GREY = '#595959';
const RULE = '#bfbfbf';
const PAGE_MARGINS: Margins = [57, 62, 57, 58];
/** Tables up to this many rows (of one line each) are kept on one page with their caption. */
const SHORT_TABLE = 12;
/** A figure pushed to the next page may be drawn down to this share of its size to stay on the page before. */
const FIT_SCALE = 0.8;

const require = createRequire(import.meta.url);
let pdfmakeReady: PdfMake | undefined;

function pdfmake(): PdfMake {
  if (pdfmakeReady) return pdfmakeReady;
  const pm = require('pdfmake') as PdfMake;
  const { paths, family } = useReportFonts();
  // Charts are drawn into the page by their own hook, in the document's fonts: body text and chart text share
  // one embedded subset per face.
  const classes = pdfmakeClasses();
  installChartDrawing(classes.Renderer, family);
  // A line of same-styled words as one text object (same pages, a third less content).
  installLineText(classes.Renderer);
  // After both: the tagging layer wraps them, so a chart is drawn inside its Figure and a line inside its marked
  // content (PDF/UA).
  installTagging(classes);
  // Words of a text measured before (in this thread) given back; before page fit, whose per-pass reuse wraps it.
  installTextMeasure();
  // After the tagging layer: each corrected layout pass starts a new structure tree.
  installPageFit();
  // Style lookups without allocation, named styles remembered while a document is laid out (same answers).
  installStyleCache();
  // Page content kept as text until its stream is finished, not a Buffer per operator (same bytes).
  installContentWrites();
  pm.setFonts({ [family]: paths });
  const allowed = new Set(Object.values(paths));
  // Nothing else may be read or fetched: a report needs nothing outside the model.
  pm.setUrlAccessPolicy(() => false);
  pm.setLocalAccessPolicy((path) => allowed.has(path));
  pdfmakeReady = pm;
  return pm;
}

// ---- Small builders. ----

interface Ctx {
  model: ReportModel;
  lang: Lang;
  /** The report's wording (templates/wording/<lang>.json), read once per run. */
  t: Wording['t'];
  fit: (s: string) => string;
  figure: number;
  table: number;
  /**
   * Appendix tables, built when the appendix is laid out (after the chapters) so that table numbers follow the
   * order in which a reader meets them.
   */
  appendix: (() => Content)[];
  /** The number of the first policy-area chapter and of its table, which explains the columns the later ones share. */
  firstPolicyChapter?: number;
  firstPolicyTable?: number;
  /**
   * True while bilaga C's tables are laid out: they break as they always have (a split there made pdfmake push the
   * next kept table a page on after a long one); they are reference tables, read by their numbers.
   */
  numbersAppendix?: boolean;
  /** The first policy area's figure and its key (band and comparison lines), which the later figures refer to. */
  firstPolicyFigure?: { n: number; key: string };
  /** The area-type method's details (the year's cut, the comparison, the change rule), laid out in bilaga A. */
  areaTypeMethod?: string[];
  /** A län report's rankings of its kommuner, one per indicator, laid out in a chapter of their own (spreadChapter). */
  spread: (() => Promise<Content[]>)[];
  /** How the key findings are chosen and ordered (key-findings.ts), laid out in bilaga A. */
  keyFindingsMethod?: { title: string; text: string };
  /** How the segregation indices' intervals are made and changes tested, laid out in bilaga A (how changes are judged). */
  segregationMethod?: string;
  /** The reform chapter's sources, laid out in bilaga A. */
  reformSources?: ReturnType<typeof reformChapter>;
  /** Whether costly layout alternatives are drawn into the tree now, or left for page-fit to ask for (TreeOptions). */
  alternatives: 'now' | 'later';
  /** The charts drawn for this tree, in the order drawn (drawChart). */
  drawn: DrawnChart[];
  /** Charts drawn for an earlier tree of the same report and not yet given back (buildReportPdf's second tree). */
  earlier: DrawnChart[];
}

/** A chart drawn for a tree: what was drawn (spec, rows, language) and its scene. */
interface DrawnChart {
  readonly spec: unknown;
  readonly data: unknown;
  readonly lang: Lang;
  readonly scene: ChartScene;
}

/** The charts each tree made by reportDefinition drew, for a second tree of the same report (buildReportPdf). */
const drawnFor = new WeakMap<DocDefinition, readonly DrawnChart[]>();

/** Charts a second tree took from the first instead of drawing them again (for tests and benchmarks). */
let chartsGivenBack = 0;
export function chartsTakenFromEarlierTree(): number {
  return chartsGivenBack;
}

/**
 * Whether two JSON-like values (a chart's spec or rows) are the same: primitives by Object.is, arrays and plain objects
 * by their elements and by their keys in order (Vega-Lite may read keys in their order).
 */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (k !== kb[i] || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/**
 * The chart's scene: Vega's drawing of it, or the scene an earlier tree of the same report drew for the same spec,
 * rows and language. A scene is data (render-chart.ts: the View is finalized) and drawing it onto a page or into SVG
 * leaves it as it was, so the first tree's charts serve the second: a report whose layout asks for an alternative
 * (buildReportPdf) draws only the alternative's charts again, not all of them.
 */
async function drawChart(ctx: Ctx, chart: ChartDef): Promise<ChartScene> {
  const i = ctx.earlier.findIndex((d) => d.lang === ctx.lang && sameValue(d.spec, chart.spec) && sameValue(d.data, chart.data));
  let scene: ChartScene;
  if (i >= 0) {
    scene = (ctx.earlier[i] as DrawnChart).scene;
    ctx.earlier.splice(i, 1);
    chartsGivenBack++;
  } else {
    scene = await renderChartScene(chart.spec, chart.data, ctx.lang);
  }
  ctx.drawn.push({ spec: chart.spec, data: chart.data, lang: ctx.lang, scene });
  return scene;
}

function para(ctx: Ctx, s: string, extra: Partial<TextNode> = {}): TextNode {
  return { text: ctx.fit(s), style: 'body', ...extra };
}

const numberCell = (ctx: Ctx, s: string): TextNode => ({ text: ctx.fit(s), alignment: 'right', noWrap: true });

/** Header cells; `right` lists the numeric columns, whose headers sit over right-aligned numbers. */
function headerRow(ctx: Ctx, cells: string[], right: readonly number[] = []): TextNode[] {
  return cells.map((c, i) => ({ text: ctx.fit(c), style: 'th', alignment: right.includes(i) ? 'right' : 'left' }));
}

/** Official-statistics look: rules above and below the header and at the end, hairlines between rows. */
const TABLE_LAYOUT: TableLayout = {
  hLineWidth: (i, node) => (i === 0 || i === node.table.body.length ? 0.8 : i === (node.table.headerRows ?? 0) ? 0.6 : 0.25),
  vLineWidth: () => 0,
  hLineColor: (i, node) => (i === 0 || i === node.table.body.length || i === (node.table.headerRows ?? 0) ? '#404040' : RULE),
  paddingLeft: (i) => (i === 0 ? 0 : 6),
  paddingRight: (i, node) => (i === node.table.widths.length - 1 ? 0 : 6),
  paddingTop: () => 2.5,
  paddingBottom: () => 2.5,
};

function table(
  ctx: Ctx,
  caption: string,
  widths: (number | string)[],
  header: TextNode[],
  rows: Content[][],
  note?: string,
  keepTogether = rows.length <= SHORT_TABLE,
  /** Leading columns that label the row (the first, in every table of this report but the list of sources). */
  rowHeaders = 1,
): StackNode {
  ctx.table++;
  const stack: Content[] = [
    // A table that breaks keeps its caption with its first rows (page-fit.ts); a short one is kept whole.
    { text: ctx.fit(ctx.t('pdf.tableCaption', { n: ctx.table, caption })), style: 'caption', margin: [0, 8, 0, 4], keepWithNext: true },
    {
      table: { headerRows: 1, widths, body: [header, ...rows], dontBreakRows: true, keepWithHeaderRows: 1 },
      layout: TABLE_LAYOUT,
      style: 'table',
      ...(rowHeaders > 0 ? { rowHeaderColumns: rowHeaders } : {}),
    },
  ];
  if (note) stack.push({ text: ctx.fit(note), style: 'note', margin: [0, 3, 0, 0] });
  // A short table is kept whole with its caption; a long one may break, repeating its header row. (pdfmake drops
  // what does not fit when an unbreakable block is taller than a page, so only short tables qualify.)
  return { stack, margin: [0, 0, 0, 8], unbreakable: keepTogether, ...(keepTogether ? { breakable: stack } : {}) };
}

/**
 * A heading kept with the start of a table (table()): with the whole table when it is kept whole, else marked
 * keepWithNext like the table's caption (page-fit.ts), so that a heading never ends a page and a long table may still
 * break.
 */
function keepWithFirst(heading: TextNode, node: StackNode): Content[] {
  if (node.unbreakable) return [{ stack: [heading, node], unbreakable: true }];
  return [{ ...node, stack: [{ ...heading, keepWithNext: true }, ...node.stack] }];
}

/** Long lists (290 kommuner) side by side, so an appendix table takes pages, not dozens of them. */
function balancedTables(
  ctx: Ctx,
  caption: string,
  widths: (number | string)[],
  header: TextNode[],
  rows: Content[][],
  note?: string,
  /** Wider rows (more than two or three columns) fit only two parts across the page. */
  maxParts = 3,
): StackNode {
  // Parts of up to 17 rows (about a third of a page) where the width allows, so a part seldom leaves the page before
  // it half empty; 2 parts of 17–25 rows before.
  const parts = rows.length <= 16 ? 1 : Math.min(maxParts, Math.ceil(rows.length / 17));
  if (parts === 1) return table(ctx, caption, widths, header, rows, note);
  ctx.table++;
  const per = Math.ceil(rows.length / parts);
  const columns: Content[] = [];
  for (let p = 0; p < parts; p++) {
    columns.push({
      // pdfmake annotates the nodes it lays out, so each part needs its own copy of the header row.
      table: { headerRows: 1, widths, body: [structuredClone(header), ...rows.slice(p * per, (p + 1) * per)], dontBreakRows: true },
      layout: TABLE_LAYOUT,
      style: 'tableSmall',
      rowHeaderColumns: 1,
    });
  }
  const captionNode: TextNode = { text: ctx.fit(ctx.t('pdf.tableCaption', { n: ctx.table, caption })), style: 'caption', margin: [0, 8, 0, 4], keepWithNext: true };
  const noteNode: Content[] = note ? [{ text: ctx.fit(note), style: 'note', margin: [0, 3, 0, 0] }] : [];
  const stack: Content[] = [captionNode, { columns, columnGap: 14 }, ...noteNode];
  // Parts side by side cannot break across pages (each would continue on the next page beside the others): where the
  // block would leave a page under-filled it becomes one long table that breaks (page-fit.ts).
  const single: TableNode = {
    table: { headerRows: 1, widths, body: [structuredClone(header), ...structuredClone(rows)], dontBreakRows: true, keepWithHeaderRows: 1 },
    layout: TABLE_LAYOUT,
    style: 'tableSmall',
    rowHeaderColumns: 1,
  };
  // Rows of one short line (a name and a value or two): 30 of them take under half a page, so the caption stays with
  // its table; longer parts may break.
  return { stack, margin: [0, 0, 0, 8], unbreakable: per <= 30, ...(per <= 30 ? { breakable: [captionNode, single, ...noteNode] } : {}) };
}

/** For a chart's alt text (its Figure's /Alt): the lowest and highest kommun, from the chart's own numbers. */
function rangeAlt(ctx: Ctx, rows: readonly { name: string; value: number | null }[], unit: IndicatorBlock['unit']): string {
  const valid = rows.filter((r): r is { name: string; value: number } => r.value !== null).sort((a, b) => a.value - b.value);
  const lo = valid[0];
  const hi = valid[valid.length - 1];
  if (!lo || !hi || valid.length < 2) return '';
  return ctx.t('pdf.alt.range', { lo: lo.name, loValue: formatCell(lo.value, unit, null, undefined, ctx.lang), hi: hi.name, hiValue: formatCell(hi.value, unit, null, undefined, ctx.lang), n: formatNumber(valid.length, 0, ctx.lang) });
}

/** For a line chart's alt text: the first and the latest value with their years. */
function seriesAlt(ctx: Ctx, series: readonly { year: number; value: number | null }[], unit: IndicatorBlock['unit'], name?: string): string {
  const first = firstValid(series);
  const last = lastValid(series);
  if (!first || !last || first.year === last.year) return '';
  const p = { first: formatCell(first.value, unit, null, undefined, ctx.lang), firstYear: first.year, last: formatCell(last.value, unit, null, undefined, ctx.lang), lastYear: last.year };
  return name === undefined ? ctx.t('pdf.alt.series', p) : ctx.t('pdf.alt.seriesNamed', { ...p, name });
}

/** `drawn`: the chart's scene when it was drawn already (to be measured), the same chart. */
async function figure(ctx: Ctx, chart: ChartDef, caption: string, alt: string, drawn?: ChartScene): Promise<StackNode> {
  // Drawn straight onto the page when pdfmake renders it (charts/draw-chart.ts), not through an SVG string.
  const scene = drawn ?? (await drawChart(ctx, chart));
  ctx.figure++;
  // Small multiples of one or two panels are narrower than the text: drawn at their own size, not blown up.
  const node: SvgNode = chartNode(scene, Math.min(CHART_WIDTH, scene.width), ctx.fit(alt));
  return {
    unbreakable: true,
    fit: FIT_SCALE,
    margin: [0, 6, 0, 10],
    stack: [{ text: ctx.fit(ctx.t('pdf.figureCaption', { n: ctx.figure, caption })), style: 'caption', margin: [0, 0, 0, 4] }, node],
  };
}

function h1(ctx: Ctx, s: string, pageBreak = true): TextNode {
  return { text: ctx.fit(s), style: 'h1', tocItem: true, outline: true, ...(pageBreak ? { pageBreak: 'before' as const } : {}) };
}

/** A section heading: in the PDF outline, but not in the printed contents, which list chapters only (one page). */
function h2(ctx: Ctx, s: string): TextNode {
  return { text: ctx.fit(s), style: 'h2', outline: true, headlineLevel: 2 };
}

/** Caveats of a block may be ids or texts (the report stage passes texts); show each once, as text. */
function caveatText(ctx: Ctx, c: string): string {
  const fromModel = ctx.model.caveats.find((m) => m.id === c);
  if (fromModel) return caveatInLang(fromModel, ctx.lang);
  if (c in MESSAGES) return message(c as keyof typeof MESSAGES, ctx.lang);
  return caveatInLang(c, ctx.lang);
}

/** `DeSO 2018`, `kommun 2003`; in English the level words of Kolada's and the derived series (`riket`, `kommun`, `lan`) translated. */
function areaVersionText(ctx: Ctx, version: string): string {
  const s = formatAreaVersion(version);
  return ctx.lang === 'sv' ? s : s.replace(/^(riket|kommun|lan)(?![A-Za-z])/, (w) => ctx.t(`pdf.areaVersion.${w}`));
}

/** An indicator's title in the report's language (catalogue-text.ts). */
function titleOf(ctx: Ctx, b: { id: string; title_sv: string }): string {
  return catalogueText(ctx.lang).title(b);
}

/** A policy area's name in the report's language: the model's Swedish title, or templates/wording `policyAreas`. */
function chapterTitle(ctx: Ctx, ch: ReportModel['chapters'][number]): string {
  return ctx.lang === 'sv' ? ch.title_sv : ctx.t(`policyAreas.${ch.policy_area}`);
}

/** Blocks for the chart specs, which label with `title_sv`: the title in the report's language. */
function forCharts<T extends { id: string; title_sv: string }>(ctx: Ctx, blocks: readonly T[]): T[] {
  return ctx.lang === 'sv' ? [...blocks] : blocks.map((b) => ({ ...b, title_sv: titleOf(ctx, b) }));
}

function lastValid<T extends { year: number; value: number | null }>(series: readonly T[]): (T & { value: number }) | undefined {
  return [...series].sort((a, b) => a.year - b.year).filter((p): p is T & { value: number } => p.value !== null).pop();
}

function firstValid<T extends { year: number; value: number | null }>(series: readonly T[]): (T & { value: number }) | undefined {
  return [...series].sort((a, b) => a.year - b.year).find((p): p is T & { value: number } => p.value !== null);
}

// ---- Parts of the report. ----

function titlePage(ctx: Ctx): Content[] {
  const m = ctx.model;
  const t = ctx.t;
  const scope = m.scope.level === 'riket' ? t('pdf.riketTitle') : m.scope.name;
  const out: Content[] = [
    // A kommun report's contents share the first page (a report of about ten pages before its appendices, issue 7).
    { text: t(`pdf.kicker.${m.scope.level}`), style: 'kicker', margin: [0, compact(ctx) ? 0 : 90, 0, 8] },
    { text: ctx.fit(t('pdf.title')), style: 'title' },
    { text: ctx.fit(t('pdf.subtitle', { scope, year: m.year })), style: 'subtitle', margin: [0, compact(ctx) ? 10 : 14, 0, 0] },
    { text: ctx.fit(t('pdf.compiled', { date: formatDate(m.generated_at, ctx.lang) })), style: 'body', color: GREY, margin: [0, 6, 0, compact(ctx) ? 14 : 36] },
  ];
  if (m.demo) {
    out.push({
      // A framed box, not a data table: tagged as a Div of paragraphs.
      role: 'Div',
      table: {
        widths: ['*'],
        body: [
          [
            {
              stack: [
                { text: ctx.fit(message('W301_DEMO_DATA', ctx.lang)), fontSize: 16, bold: true, color: ACCENT },
                {
                  text: ctx.fit(t('pdf.demoText')),
                  style: 'body',
                  margin: [0, 4, 0, 0],
                },
              ],
            },
          ],
        ],
      },
      layout: {
        hLineWidth: () => 1.5,
        vLineWidth: () => 1.5,
        hLineColor: () => ACCENT,
        paddingLeft: () => 12,
        paddingRight: () => 12,
        paddingTop: () => 10,
        paddingBottom: () => 10,
      },
      margin: [0, 0, 0, compact(ctx) ? 12 : 30],
    });
  }
  out.push({
    text: ctx.fit(t('pdf.intro', { scope: scopePhrase(m.scope, ctx.lang) }) + (compact(ctx) ? ` ${t('pdf.introAppendices')}` : '')),
    style: 'body',
    color: GREY,
    ...(compact(ctx) ? { margin: [0, 0, 0, 12] as Margins } : { pageBreak: 'after' as const }),
  });
  return out;
}

/**
 * A kommun report read in minutes (issue 7: about 8–12 pages before the appendices): title and contents share the
 * first page, the summary has one table of every indicator (first and latest value, verdict, rank) and the policy
 * areas' chapters show their charts, with the reference tables in the appendices.
 */
function compact(ctx: Ctx): boolean {
  return ctx.model.scope.level === 'kommun';
}

function tocPage(ctx: Ctx): Content[] {
  const small = compact(ctx);
  return [
    {
      toc: {
        title: { text: ctx.t('pdf.contents'), style: small ? 'h2' : 'h1' },
        outlines: true,
        textStyle: { fontSize: small ? 10 : 10.5, bold: true, ...(small ? { lineHeight: 1.1 } : {}) },
        numberStyle: { fontSize: small ? 10 : 10.5, ...(small ? { lineHeight: 1.1 } : {}) },
        textMargin: small ? [0, 1.5, 0, 0] : [0, 5, 0, 1],
      },
    },
    // Under the contents on a page of its own. A shared first page has no room for it: its introduction says where the
    // numbers come from and what each appendix holds, and bilaga A opens with the disclosure rule.
    ...(small ? [] : aboutBlock(ctx)),
  ];
}

function aboutBlock(ctx: Ctx): Content[] {
  return [{ stack: [{ text: ctx.t('pdf.aboutHeading'), style: 'h3', margin: [0, 18, 0, 3] }, para(ctx, aboutData(ctx))], unbreakable: true }];
}

/**
 * What a reader needs before the numbers, in the main part; the method itself is bilaga A. (New wording, to move
 * into templates/ with the rest of the report's sentences.)
 */
function aboutData(ctx: Ctx): string {
  const m = ctx.model;
  return ctx.t('pdf.about', { scope: m.scope.level === 'riket' ? ctx.t('pdf.riketLabel') : m.scope.name, threshold: formatNumber(m.disclosure_threshold, 0, ctx.lang) });
}

function summaryChapter(ctx: Ctx, n: number): Content[] {
  const s = buildSummary(ctx.model);
  // Right under the key findings, on the same page when it fits.
  const out: Content[] = [{ ...h1(ctx, `${n} ${ctx.t('pdf.summary.heading')}`, false), margin: [0, 14, 0, 10] }];
  for (const line of s.overview) out.push(para(ctx, line));
  if (compact(ctx)) {
    // Every indicator at a glance, by policy area: the table each area's chapter would otherwise end with.
    const groups = ctx.model.chapters.filter((ch) => ch.indicators.length > 0).map((ch) => ({ title: chapterTitle(ctx, ch), blocks: ch.indicators }));
    if (groups.length) out.push(latestTable(ctx, '', [], true, groups));
  }
  // The policy areas', the segregation indices' and the area types' sentences open their own chapters, word for word
  // (summary.ts gives both the same lines), so the summary points to them instead of printing them twice.
  if (s.segregation.length || s.area_types.length) out.push(para(ctx, ctx.t('pdf.summary.inChapters'), { style: 'note' }));
  return out;
}

function yearsOf(series: readonly { year: number }[]): string {
  const ys = series.map((p) => p.year);
  return ys.length ? formatYearRange(Math.min(...ys), Math.max(...ys)) : '';
}

/**
 * `fullNote`: the first such table explains its columns; later ones refer back to it. `groups`: a kommun report's one
 * table of every policy area's indicators (in its summary), each area's rows under a row with the area's name.
 */
function latestTable(ctx: Ctx, title: string, blocks: readonly IndicatorBlock[], fullNote: boolean, groups?: readonly { title: string; blocks: readonly IndicatorBlock[] }[]): StackNode {
  const t = ctx.t;
  const lang = ctx.lang;
  const scope = ctx.model.scope.level === 'riket' ? t('pdf.riketLabel') : ctx.model.scope.name;
  const all = groups ? groups.flatMap((g) => g.blocks) : blocks;
  const ranked = all.some((b) => b.rank);
  const row = (b: IndicatorBlock): Content[] => {
    const style = unitStyle(b.unit, lang);
    const first = firstValid(b.series);
    const last = lastValid(b.series);
    // The difference of the printed values, so the row adds up for a reader with a pencil.
    const change = first && last && first.year !== last.year ? formatSigned(printedDiff(first.value, last.value, style.decimals), style.decimals, lang) : '..';
    const trend = indicatorTrend(b);
    const prices = b.prices
      ? b.prices.basis === 'constant'
        ? b.prices.base_year !== null
          ? t('pdf.firstLatest.pricesConstantYear', { year: b.prices.base_year })
          : t('pdf.firstLatest.pricesConstant')
        : t('pdf.firstLatest.pricesCurrent')
      : '';
    const r = b.rank;
    return [
      { text: ctx.fit(`${titleOf(ctx, b)} (${lang === 'sv' ? b.unit : style.label.toLowerCase()}${prices})`) },
      numberCell(ctx, first ? `${formatCell(first.value, b.unit, null, undefined, lang)} (${first.year})` : '..'),
      numberCell(ctx, last ? `${formatCell(last.value, b.unit, null, undefined, lang)} (${last.year})` : '..'),
      numberCell(ctx, change),
      { text: ctx.fit(trendWord(ctx, trend)) },
      ...(ranked
        ? [
            numberCell(ctx, r && r.rank_riket !== null ? t('pdf.firstLatest.rankOf', { rank: r.rank_riket, n: r.n_riket }) : '..'),
            numberCell(ctx, r && r.rank_lan !== null ? t('pdf.firstLatest.rankOf', { rank: r.rank_lan, n: r.n_lan }) : '..'),
          ]
        : []),
    ];
  };
  const columns = ranked ? 7 : 5;
  // A group's name in its own row, in the first cell (cells, not a span: every row of the tagged table has its cells).
  const rows = groups
    ? groups.flatMap((g) => [[{ text: ctx.fit(g.title), bold: true, margin: [0, 3, 0, 0] as Margins }, ...Array.from({ length: columns - 1 }, () => '')], ...g.blocks.map(row)])
    : blocks.map(row);
  const rankYear = all.find((b) => b.rank)?.rank?.year;
  if (fullNote) ctx.firstPolicyTable = ctx.table + 1;
  const node = table(
    ctx,
    groups ? t('pdf.firstLatest.allCaption', { scope }) : t('pdf.firstLatest.caption', { title, scope }),
    ranked ? ['*', 'auto', 'auto', 'auto', 62, 'auto', 'auto'] : ['*', 'auto', 'auto', 'auto', 70],
    headerRow(
      ctx,
      [
        t('pdf.firstLatest.indicator'),
        t('pdf.firstLatest.first'),
        t('pdf.firstLatest.latest'),
        t('pdf.firstLatest.change'),
        t('pdf.firstLatest.verdict'),
        ...(ranked ? [t('pdf.firstLatest.rankRiket'), t('pdf.firstLatest.rankLan')] : []),
      ],
      ranked ? [1, 2, 3, 5, 6] : [1, 2, 3],
    ),
    rows,
    !fullNote
      ? t('pdf.firstLatest.shortNote', { n: String(ctx.firstPolicyTable ?? '') })
      : t('pdf.firstLatest.note') + (ranked ? t('pdf.firstLatest.rankNote', { year: String(rankYear ?? '') }) : '') + t('pdf.firstLatest.definitionsNote'),
  );
  // A group's name row goes with the group's first indicator: the header never ends a page over a name row alone.
  if (groups) for (const c of node.stack) if (typeof c === 'object' && 'table' in c) c.table.keepWithHeaderRows = 2;
  return node;
}

/** The verdict column of the first-and-latest tables: the comparable part's verdict across a break. */
function trendWord(ctx: Ctx, trend: Trend | null): string {
  if (!trend) return '..';
  const v = ctx.t(`pdf.verdict.${trend.verdict}`);
  return trend.crossed ? `${v} (${formatYearRange(trend.comparable?.from.year ?? trend.whole.from.year, trend.comparable?.to.year ?? trend.whole.to.year)})` : v;
}

function lineNumbersTable(ctx: Ctx, caption: string, block: IndicatorBlock): StackNode {
  const rows = [...block.series]
    .sort((a, b) => a.year - b.year)
    .map((p) => [
      String(p.year),
      numberCell(ctx, formatCell(p.value, block.unit, p.status, undefined, ctx.lang)),
      { text: ctx.fit(areaVersionText(ctx, p.area_version)) },
      { text: ctx.fit(statusText(p.status, ctx.lang)) },
    ]);
  const t = ctx.t;
  return table(ctx, caption, [34, 50, 110, '*'], headerRow(ctx, [t('pdf.columns.year'), t('pdf.columns.value'), t('pdf.columns.areaVersion'), t('pdf.columns.remark')], [1]), rows);
}

/** `withKommuner` false (riket): the 290 kommun rows are in the workbook (sheet Kommuner), not in the PDF. */
function spreadNumbersTable(ctx: Ctx, caption: string, block: IndicatorBlock, withKommuner: boolean): StackNode {
  const out: Content[] = [];
  const lanRows = [...block.by_lan]
    .sort((a, b) => swedishCollator.compare(a.name, b.name))
    .map((l) => [{ text: ctx.fit(l.name) }, numberCell(ctx, formatCell(l.value, block.unit, l.status, undefined, ctx.lang))]);
  if (lanRows.length) {
    out.push(balancedTables(ctx, ctx.t('pdf.spread.lanSuffix', { caption }), ['*', 'auto'], headerRow(ctx, [ctx.t('pdf.columns.lan'), ctx.t('pdf.columns.value')], [1]), lanRows));
  }
  // Kommun names are unique, so an alphabetical list is the quickest lookup; the chart already groups by län.
  const kRows = [...block.by_kommun]
    .sort((a, b) => swedishCollator.compare(a.name, b.name))
    .map((k) => [{ text: ctx.fit(k.name) }, numberCell(ctx, formatCell(k.value, block.unit, k.status, undefined, ctx.lang))]);
  if (kRows.length && withKommuner) {
    out.push(balancedTables(ctx, ctx.t('pdf.spread.kommunSuffix', { caption }), ['*', 'auto'], headerRow(ctx, [ctx.t('pdf.columns.kommun'), ctx.t('pdf.columns.value')], [1]), kRows));
  }
  return { stack: out };
}

/**
 * What the main part no longer prints beside the chart, for bilaga B: the indicator's full description, its rank,
 * caveats, definition, population, unit and source.
 */
function indicatorDetails(ctx: Ctx, block: IndicatorBlock, shownCaveats: Set<string>): Content {
  const m = ctx.model;
  const scopeName = m.scope.level === 'riket' ? ctx.t('pdf.riketTitle') : m.scope.name;
  const text = describeIndicator(block, { scopePhrase: scopePhrase(m.scope, ctx.lang), reportYear: m.year, lang: ctx.lang });
  const lanName = block.comparison_series?.find((c) => c.level === 'lan')?.name;
  const rank = block.rank ? comparisonCaption({ rank: block.rank }, scopeName, lanName, ctx.lang).trim() : '';
  // A caveat shared by several indicators (the DeSO sums of every housing indicator) is printed at its first.
  const caveats = [...new Set(block.caveats.map((c) => caveatText(ctx, c)))].filter((c) => !shownCaveats.has(c));
  for (const c of caveats) shownCaveats.add(c);
  return {
    stack: [
      { text: ctx.fit(titleOf(ctx, block)), style: 'h3' },
      para(ctx, [...text, ...(rank ? [rank] : [])].join(' '), { margin: [0, 0, 0, 2] }),
      ...caveats.map((c) => para(ctx, ctx.t('pdf.note', { caveat: c }), { style: 'note', margin: [0, 2, 0, 0] })),
      { text: ctx.fit(definitionLine(block, ctx.lang)), style: 'note', margin: [0, 2, 0, 0] },
      { text: ctx.fit(ctx.t('pdf.source', { source: block.source })), style: 'note', margin: [0, 2, 0, 4] },
    ],
    unbreakable: true,
  };
}

/** Riket and län reports: where the kommuner (and län) lie in the latest year, one chart per indicator. */
async function spreadFigure(ctx: Ctx, block: IndicatorBlock): Promise<Content[]> {
  const m = ctx.model;
  const t = ctx.t;
  const lang = ctx.lang;
  const scopeName = m.scope.level === 'riket' ? t('pdf.riketTitle') : m.scope.name;
  const scopeLabel = m.scope.level === 'riket' ? t('pdf.riketLabel') : m.scope.name;
  const unit = unitStyle(block.unit, lang).label;
  const latest = lastValid(block.series);
  const kYear = block.latest_year ?? latest?.year;
  const ref = block.series.find((p) => p.year === kYear);
  // The riket report's 290 kommun rows are in the workbook; a län report's few stay in bilaga C.
  const kommunRows = m.scope.level !== 'riket';
  const where = kommunRows ? t('pdf.spread.whereLan') : t('pdf.spread.whereRiket');
  const year = String(kYear ?? '');
  const title = titleOf(ctx, block);
  const lower = title.toLowerCase();
  if (block.by_lan.filter((l) => l.value !== null).length >= 2) {
    const nK = block.by_kommun.filter((k) => k.value !== null).length;
    const noLan = block.by_lan.filter((l) => l.value === null).map((l) => l.name);
    const caption =
      t('pdf.spread.byLanCaption', { title, year, unit, n: formatNumber(nK, 0, lang), scope: scopeLabel }) +
      (noLan.length ? t('pdf.spread.missing', { list: joinList(noLan, lang) }) : '') +
      ` ${where}`;
    const alt = t('pdf.spread.byLanAlt', { title: lower, year, range: rangeAlt(ctx, block.by_kommun, block.unit), where });
    const fig = await figure(ctx, kommunSpreadChart(forCharts(ctx, [block])[0] ?? block, { name: scopeName, value: ref?.value ?? null }, lang), caption, alt);
    const n = ctx.figure;
    ctx.appendix.push(() => spreadNumbersTable(ctx, t('pdf.figureNumbers', { n, what: `${title} ${year}` }), block, kommunRows));
    return [fig];
  }
  if (block.by_kommun.filter((k) => k.value !== null).length >= 2) {
    // A län report has no län rows: rank its kommuner instead.
    const missing = block.by_kommun.filter((k) => k.value === null).map((k) => k.name);
    const caption = t('pdf.spread.byKommunCaption', { title, year, unit, scope: scopeName }) + (missing.length ? t('pdf.spread.missing', { list: joinList(missing, lang) }) : '');
    const alt = t('pdf.spread.byKommunAlt', { title: lower, year, range: rangeAlt(ctx, block.by_kommun, block.unit) });
    const charted = forCharts(ctx, [block])[0] ?? block;
    const { step, drawn } = await rankRowStep(ctx, charted, scopeName, ref?.value ?? null);
    const fig = await figure(ctx, kommunRankChart(charted, { name: scopeName, value: ref?.value ?? null }, lang, step), caption, alt, drawn);
    const n = ctx.figure;
    ctx.appendix.push(() => spreadNumbersTable(ctx, t('pdf.figureNumbers', { n, what: `${title} ${year}` }), block, true));
    return [fig];
  }
  return [];
}

/** Points per kommun in a ranking (kommunRankChart's default), and the share of a page a ranking must fill alone. */
const RANK_STEP = 11;
const RANK_PAGE_SHARE = 0.67;
/** A figure's caption (a line) and margins, around its chart. */
const FIGURE_FRAME = 28;

/**
 * Points per kommun in a ranking: a figure of a little over half a page cannot share a page with the next one, and
 * alone it leaves its page under 60 % full (the layout rule). Such a ranking is drawn taller, to fill RANK_PAGE_SHARE
 * of a page; shorter and taller ones keep the default step (`step` undefined). `drawn`: the ranking at the default
 * step, where it was drawn to be measured and keeps that step (the figure's chart, not drawn a second time).
 */
async function rankRowStep(ctx: Ctx, block: IndicatorBlock, scopeName: string, value: number | null): Promise<{ step?: number; drawn?: ChartScene }> {
  const rows = Math.max(3, block.by_kommun.length);
  const usable = 842 - PAGE_MARGINS[1] - PAGE_MARGINS[3];
  // Rankings of under 20 kommuner are well under half a page, over 40 well over; only those between are measured.
  if (rows < 20 || rows > 40) return {};
  const chart = kommunRankChart(block, { name: scopeName, value }, ctx.lang);
  const scene = await drawChart(ctx, chart);
  const scale = Math.min(CHART_WIDTH, scene.width) / scene.width;
  const height = scene.height * scale + FIGURE_FRAME;
  // From 40 % of a page: the caption (one or two lines, a list of kommuner without a value) and the figure's margins
  // add up to some 70 pt more than FIGURE_FRAME on the page, so a ranking measured at 45 % may print at 59 %.
  if (height < 0.4 * usable || height >= RANK_PAGE_SHARE * usable) return { drawn: scene };
  return { step: RANK_STEP + (RANK_PAGE_SHARE * usable - height) / (rows * scale) };
}

/** A län report's rankings of its kommuner, one figure per indicator; the heading and its text kept with the first. */
async function spreadChapter(ctx: Ctx, n: number): Promise<Content[]> {
  const figures: Content[] = [];
  for (const build of ctx.spread) figures.push(...(await build()));
  const [first, ...rest] = figures;
  if (!first) return [];
  const head = [h1(ctx, `${n} ${ctx.t('pdf.spread.chapter')}`, false), para(ctx, ctx.t('pdf.spread.chapterIntro', { scope: ctx.model.scope.name }))];
  return [{ stack: [...head, first], unbreakable: true, fit: FIT_SCALE }, ...rest];
}

/**
 * A policy area on about a page: one line per indicator (summary.ts), its indicators as small multiples with the län
 * and riket lines, and the first/latest/change/verdict table; in riket and län reports the kommun spread charts.
 */
async function policyChapter(ctx: Ctx, n: number, ch: ReportModel['chapters'][number], sentences: readonly string[]): Promise<Content[]> {
  const m = ctx.model;
  const t = ctx.t;
  const lang = ctx.lang;
  const scopeName = m.scope.level === 'riket' ? t('pdf.riketTitle') : m.scope.name;
  const scopeLabel = m.scope.level === 'riket' ? t('pdf.riketLabel') : m.scope.name;
  const chTitle = chapterTitle(ctx, ch);
  const head: Content[] = [h1(ctx, `${n} ${chTitle}`, false)];
  // The area's sentences (summary.ts) say in words what the table below says in numbers; a short report prints the
  // table only, unless the chapter has no indicator with values (then the sentences say so).
  if (sentences.length && !ch.indicators.some((b) => lastValid(b.series))) head.push({ ul: sentences.map((x) => para(ctx, x, { margin: [0, 0, 0, 2] })), style: 'body' });
  const drawn = ch.indicators.filter((b) => lastValid(b.series));
  const out: Content[] = [];
  if (drawn.length) {
    const years = drawn.flatMap((b) => b.series.filter((p) => p.value !== null).map((p) => p.year));
    const range = formatYearRange(Math.min(...years), Math.max(...years));
    // The legend under the panels names the lines; the caption says what the grey band is and where the comparison
    // series are. (New wording beside comparisons.ts's caption, to move into templates/.)
    const similar = drawn.find((b) => b.similar)?.similar;
    const compared = drawn.some((b) => (b.comparison_series?.length ?? 0) > 0);
    const key =
      (similar ? t('pdf.policy.similar', { n: formatNumber(similar.members.length, 0, lang), group: similar.group_title }) : '') +
      (compared || similar ? t('pdf.policy.compared') : '');
    const breaks = drawn.some((b) => breakRows(b.series, b.breaks ?? []).length > 0) ? t('pdf.policy.breaks') : '';
    const what = drawn.length === 1 ? t('pdf.policy.oneIndicator') : t('pdf.policy.indicators', { n: formatNumber(drawn.length, 0, lang) });
    // The panels, lines and band read the same in every policy area: the first figure says how, the later ones point to it.
    const first = ctx.firstPolicyFigure;
    const caption =
      (first && first.key === key
        ? t('pdf.policy.captionShort', { title: chTitle, what, scope: scopeLabel, range, n: first.n, breaks })
        : t('pdf.policy.caption', { title: chTitle, what, scope: scopeLabel, range, key, breaks })) +
      // The values, verdicts and ranks are in the summary's table (compact kommun report).
      (compact(ctx) && ctx.firstPolicyTable !== undefined ? t('pdf.policy.inSummaryTable', { n: ctx.firstPolicyTable }) : '');
    const alt = t('pdf.policy.alt', {
      titles: drawn.map((b) => titleOf(ctx, b).toLowerCase()).join('; '),
      scope: scopePhrase(m.scope, lang),
      range,
      series: drawn.map((b) => seriesAlt(ctx, b.series, b.unit, titleOf(ctx, b))).join(''),
    });
    const fig = await figure(ctx, indicatorPanelsChart(forCharts(ctx, drawn), scopeName, lang), caption, alt);
    const num = ctx.figure;
    ctx.firstPolicyFigure ??= { n: num, key };
    for (const b of drawn) ctx.appendix.push(() => lineNumbersTable(ctx, t('pdf.figureNumbers', { n: num, what: `${titleOf(ctx, b)}, ${scopeLabel} ${yearsOf(b.series)}` }), b));
    // Heading and figure on one page: a heading never ends a page.
    out.push({ stack: [...head, fig], unbreakable: true, fit: FIT_SCALE });
    for (const b of ch.indicators.filter((x) => !drawn.includes(x))) {
      const bt = titleOf(ctx, b);
      out.push(para(ctx, t('pdf.noChartFor', { title: `${bt.charAt(0).toLowerCase()}${bt.slice(1)}` }), { style: 'note' }));
    }
  } else {
    out.push({ stack: [...head, para(ctx, t('pdf.noChart'), { style: 'note' })], unbreakable: true });
  }
  if (!compact(ctx)) out.push(latestTable(ctx, chTitle, ch.indicators, n === ctx.firstPolicyChapter));
  // A län report's rankings (20–50 kommuner make most of a page each) go to a chapter of their own: after a chapter's
  // table they left that page half empty. Built there, so that figures are numbered in the order they are printed.
  if (m.scope.level === 'lan') ctx.spread.push(...ch.indicators.map((b) => () => spreadFigure(ctx, b)));
  else for (const block of ch.indicators) out.push(...(await spreadFigure(ctx, block)));
  return out;
}

function segregationYearTable(ctx: Ctx, series: readonly SegregationPoint[], unitLevel: SegregationBlock['unit_level'], caption: string): StackNode {
  const withExpected = series.some((p) => p.expected !== undefined && p.expected !== null);
  const withInterval = series.some((p) => intervalText(p) !== null);
  const rows = [...series]
    .sort((a, b) => a.year - b.year)
    .map((p) => [
      String(p.year),
      numberCell(ctx, formatCell(p.value, 'index', p.value === null ? p.status : null, undefined, ctx.lang)),
      ...(withExpected ? [numberCell(ctx, formatCell(p.expected ?? null, 'index', null, undefined, ctx.lang))] : []),
      ...(withInterval ? [numberCell(ctx, intervalText(p, ctx.lang) ?? '..')] : []),
      numberCell(ctx, formatNumber(p.n_units, 0, ctx.lang)),
      { text: ctx.fit(p.area_version ? areaVersionText(ctx, p.area_version) : unitLevelName(unitLevel)) },
      { text: ctx.fit(statusText(p.status, ctx.lang) || (p.status === 'ok' ? '' : p.status)) },
    ]);
  const c = (k: string): string => ctx.t(`pdf.columns.${k}`);
  const cells = [c('year'), c('index'), ...(withExpected ? [c('expected')] : []), ...(withInterval ? [c('interval')] : []), c('units'), c('division'), c('status')];
  const numeric = cells.map((_, i) => i).filter((i) => i > 0 && i < cells.length - 2);
  const widths = [30, 40, ...(withExpected ? [58] : []), ...(withInterval ? [72] : []), 52, 58, '*'];
  return table(ctx, caption, widths, headerRow(ctx, cells, numeric), rows);
}

/** The riket decomposition of M and H: parts and their shares of the total, first and latest year side by side. */
function decompositionTable(ctx: Ctx, block: SegregationBlock): StackNode | null {
  const dec = block.decomposition;
  if (!dec || dec.years.length === 0) return null;
  const years = [...dec.years].sort((a, b) => a.year - b.year);
  const shares = years.map((y) => decompositionShares(y));
  const components = years[0]?.terms.map((t) => t.component) ?? [];
  const rows = components.map((c) => [
    { text: ctx.fit(componentLabel(c, ctx.lang)), bold: c === 'total' },
    ...years.flatMap((y, i) => {
      const t = y.terms.find((x) => x.component === c);
      const share = shares[i]?.get(c) ?? null;
      return [
        numberCell(ctx, formatCell(t?.M ?? null, 'index', null, 4, ctx.lang)),
        numberCell(ctx, formatCell(t?.H ?? null, 'index', null, 4, ctx.lang)),
        numberCell(ctx, share === null ? '..' : formatPercent(share, 1, ctx.lang)),
      ];
    }),
  ]);
  const header = [ctx.t('pdf.columns.part'), ...years.flatMap((y) => [`M ${y.year}`, `H ${y.year}`, `${ctx.t('pdf.columns.share')} ${y.year}`])];
  return table(
    ctx,
    ctx.t('pdf.segregation.decompositionCaption', { measure: measureLabel(block.measure, ctx.lang), groups: groupsName(block.groups, ctx.lang), level: unitLevelName(dec.unit_level) }),
    ['*', ...years.flatMap(() => [44, 44, 50])],
    headerRow(ctx, header, header.map((_, i) => i).slice(1)),
    rows,
    ctx.t('pdf.segregation.decompositionNote', { level: unitLevelName(dec.unit_level) }),
  );
}

const KOMMUN_VERDICT: Record<Verdict, string> = { increase: '+', decrease: MINUS, none: '0' };

function segregationKommunTable(ctx: Ctx, block: SegregationBlock, caption: string): StackNode {
  const rows = [...block.by_kommun]
    .sort((a, b) => swedishCollator.compare(a.name, b.name))
    .map((k) => [
      { text: ctx.fit(k.name) },
      numberCell(ctx, formatCell(k.first_value, 'index', null, undefined, ctx.lang)),
      numberCell(ctx, formatCell(k.value, 'index', k.value === null ? k.status : null, undefined, ctx.lang)),
      numberCell(ctx, k.value !== null && k.first_value !== null ? formatSigned(printedDiff(k.first_value, k.value, 3), 3, ctx.lang) : '..'),
      { text: k.value !== null && k.first_value !== null ? KOMMUN_VERDICT[kommunChangeVerdict({ ...k, value: k.value, first_value: k.first_value }, 3).verdict] : '..' },
      numberCell(ctx, formatNumber(k.n_units, 0, ctx.lang)),
    ]);
  const c = (key: string): string => ctx.t(`pdf.columns.${key}`);
  return balancedTables(
    ctx,
    caption,
    ['*', 'auto', 'auto', 'auto', 'auto', 'auto'],
    headerRow(ctx, [c('kommun'), c('firstYear'), c('latestYear'), ctx.t('pdf.firstLatest.change'), ctx.t('pdf.firstLatest.verdict'), c('areas')], [1, 2, 3, 5]),
    rows,
    ctx.t('pdf.segregation.kommunNote', { few: FEW_UNITS }),
    2,
  );
}

/** One row per index and area division: first and latest value, what random allocation gives, the interval, the areas. */
function segregationOverviewTable(ctx: Ctx, blocks: readonly SegregationBlock[], scopeName: string): StackNode {
  const rows: Content[][] = [];
  let withExpected = false;
  let withInterval = false;
  for (const b of blocks) {
    for (const [level, series] of [[b.unit_level, b.series], ...(b.other_unit_level ? [[b.other_unit_level.unit_level, b.other_unit_level.series] as const] : [])] as const) {
      const first = firstValid(series);
      const last = lastValid(series);
      if (last?.expected !== undefined && last.expected !== null) withExpected = true;
      if (last && intervalText(last, ctx.lang) !== null) withInterval = true;
      const L = ctx.lang;
      rows.push([
        { text: ctx.fit(`${measureLabel(b.measure, L)}, ${groupsName(b.groups, L)}`) },
        { text: ctx.fit(unitLevelName(level)) },
        numberCell(ctx, first ? `${formatCell(first.value, 'index', null, undefined, L)} (${first.year})` : '..'),
        numberCell(ctx, last ? `${formatCell(last.value, 'index', null, undefined, L)} (${last.year})` : '..'),
        numberCell(ctx, last ? formatCell(last.expected ?? null, 'index', null, undefined, L) : '..'),
        numberCell(ctx, last ? (intervalText(last, L) ?? '..') : '..'),
        numberCell(ctx, last ? formatNumber(last.n_units, 0, L) : '..'),
      ]);
    }
  }
  // Columns nobody has values for say nothing: left out.
  const keep = [0, 1, 2, 3, ...(withExpected ? [4] : []), ...(withInterval ? [5] : []), 6];
  const c = (k: string): string => ctx.t(`pdf.columns.${k}`);
  const cells = [c('indexGroups'), c('areas'), ctx.t('pdf.firstLatest.first'), ctx.t('pdf.firstLatest.latest'), c('expected'), c('interval'), c('units')];
  const widths: (number | string)[] = ['*', 44, 'auto', 'auto', 50, 'auto', 44];
  return table(
    ctx,
    ctx.t('pdf.segregation.overviewCaption', { scope: scopeName }),
    keep.map((i) => widths[i] ?? 'auto'),
    headerRow(ctx, keep.map((i) => cells[i] ?? ''), keep.map((_, k) => k).filter((k) => k >= 2)),
    rows.map((r) => keep.map((i) => r[i] ?? '')),
    ctx.t('pdf.segregation.overviewNote'),
  );
}

async function segregationChapter(ctx: Ctx, n: number): Promise<Content[]> {
  const m = ctx.model;
  const t = ctx.t;
  const lang = ctx.lang;
  const scopeLabel = m.scope.level === 'riket' ? t('pdf.riketLabel') : m.scope.name;
  const head: Content[] = [h1(ctx, `${n} ${t('pdf.segregation.heading')}`, false)];
  head.push(para(ctx, t('pdf.segregation.intro')));
  const intervals = m.segregation.some((b) => [...b.series, ...(b.other_unit_level?.series ?? [])].some((p) => intervalText(p, lang) !== null));
  if (intervals) {
    // The measures stage's own account of its intervals (methodText, which names the draws), so the text says what the
    // code does; a paragraph of method, so it is printed in bilaga A (how changes are judged) and pointed to here.
    ctx.segregationMethod =
      m.segregation_method ??
      t('pdf.segregation.bootstrap') + (m.bootstrap_draws !== undefined ? t(m.bootstrap_draws < 100 ? 'pdf.segregation.drawsFew' : 'pdf.segregation.draws', { n: formatNumber(m.bootstrap_draws, 0, lang) }) : '');
  }
  const notes: Content[] = [para(ctx, caveatText(ctx, 'W206_SMALL_UNIT_BIAS') + (intervals ? ` ${t('pdf.segregation.methodInAppendix')}` : ''), { style: 'note' })];
  const label = (b: SegregationBlock): string => `${measureLabel(b.measure, lang)}, ${groupsName(b.groups, lang)}`;
  // One line per index here; the full account of each (changes with the same division, the break) is in bilaga B.
  const texts: Content = { ul: m.segregation.map((b) => para(ctx, summarizeSegregation(b, lang), { margin: [0, 0, 0, 3] })), style: 'body' };
  const out: Content[] = [{ stack: [...head, ...notes], unbreakable: true }, texts];
  const drawn = m.segregation.filter((b) => lastValid(b.series));
  if (drawn.length) {
    const years = drawn.flatMap((b) => [...b.series, ...(b.other_unit_level?.series ?? [])].filter((p) => p.value !== null).map((p) => p.year));
    const range = formatYearRange(Math.min(...years), Math.max(...years));
    const other = drawn.some((b) => b.other_unit_level);
    const expected = drawn.some((b) => b.series.some((p) => p.expected !== undefined && p.expected !== null));
    const crossed = drawn.some((b) => breakRows(b.series).length > 0);
    // "Så läses diagrammet" once per measure drawn (reading-aids.ts), the D scale with it.
    const measures = [...new Set(drawn.map((b) => b.measure))];
    const read = measures.map((mm) => howToRead(drawn.find((b) => b.measure === mm) as SegregationBlock, lang)).join('');
    const key =
      (other ? t('pdf.segregation.keyBoth') : t('pdf.segregation.keyOne', { level: unitLevelName(drawn[0]?.unit_level ?? 'deso') })) +
      (expected ? t('pdf.segregation.keyExpected') : '') +
      (crossed ? t('pdf.segregation.keyCrossed') : '');
    const fig = await figure(
      ctx,
      segregationPanelsChart(drawn, label, lang),
      t('pdf.segregation.caption', { scope: scopeLabel, range, key, read }),
      t('pdf.segregation.alt', {
        titles: drawn.map((b) => label(b).toLowerCase()).join('; '),
        scope: scopePhrase(m.scope, lang),
        range,
        series: drawn.map((b) => seriesAlt(ctx, b.series, 'index', label(b))).join(''),
      }),
    );
    const num = ctx.figure;
    out.push(fig);
    for (const b of drawn) {
      const own = `${label(b)}, ${unitLevelName(b.unit_level)}`;
      const yearNumbers = (what: string): string => t('pdf.figureNumbers', { n: num, what: t('pdf.segregation.yearNumbers', { what }) });
      ctx.appendix.push(() => segregationYearTable(ctx, b.series, b.unit_level, yearNumbers(own)));
      const o = b.other_unit_level;
      if (o) ctx.appendix.push(() => segregationYearTable(ctx, o.series, o.unit_level, yearNumbers(`${label(b)}, ${unitLevelName(o.unit_level)}`)));
    }
  }
  // The first and latest value, interval and areas of each index: in a compact kommun report the per-year tables of
  // bilaga C (every year's value, interval and areas) hold them, and the lines above say what changed.
  if (!compact(ctx) || !drawn.length) out.push(segregationOverviewTable(ctx, m.segregation, scopeLabel));
  for (const block of m.segregation) {
    const dec = decompositionTable(ctx, block);
    if (dec) out.push(dec);
    // One kommun's own value is already in the table above; a list needs at least two. The riket report's 290 rows
    // are in the workbook (sheet Segregation per kommun).
    if (block.by_kommun.length >= 2 && m.scope.level !== 'riket') {
      ctx.appendix.push(() => segregationKommunTable(ctx, block, t('pdf.segregation.kommunCaption', { what: `${label(block)}, ${unitLevelName(block.unit_level)}` })));
    }
  }
  if (m.scope.level === 'riket' && m.segregation.some((b) => b.by_kommun.length >= 2)) {
    out.push(para(ctx, t('pdf.segregation.riketKommuner'), { style: 'note' }));
  }
  return out;
}

// ---- Områdestyper. ----

/** Official name of a type from the model, the short label when the model lacks it. */
function typeName(block: AreaTypeBlock, t: AreaTypeNumber): string {
  return block.types.find((x) => x.area_type === t)?.name_sv ?? areaTypeShortName(t);
}

function populationYears(block: AreaTypeBlock): number[] {
  return [...new Set(block.population.map((p) => p.year))].sort((a, b) => a - b);
}

/** Residents per type in the first and latest year (RegSO, residents, share), with a total row. */
function areaTypePopulationTable(ctx: Ctx, block: AreaTypeBlock, scopeName: string): StackNode | null {
  const years = populationYears(block);
  const first = years[0];
  const latest = years[years.length - 1];
  if (first === undefined || latest === undefined) return null;
  const shown = first === latest ? [latest] : [first, latest];
  const keys: (AreaTypeNumber | null)[] = [1, 2, 3, 4, 5];
  if (block.population.some((p) => p.area_type === null && shown.includes(p.year))) keys.push(null);
  const cell = (y: number, t: AreaTypeNumber | null): Content[] => {
    const p = block.population.find((q) => q.year === y && q.area_type === t);
    if (!p) return [numberCell(ctx, '..'), numberCell(ctx, '..'), numberCell(ctx, '..')];
    return [
      numberCell(ctx, formatNumber(p.n_areas, 0, ctx.lang)),
      numberCell(ctx, formatCell(p.population, 'antal', p.population === null ? '..' : null, 0, ctx.lang)),
      numberCell(ctx, formatCell(p.share, 'procent', p.share === null ? '..' : null, undefined, ctx.lang)),
    ];
  };
  // The short names fit one line; the official names are in the text above the table.
  const rows: Content[][] = keys.map((t) => [{ text: ctx.fit(t === null ? ctx.t('pdf.areaTypes.noType') : areaTypeShortName(t, ctx.lang)) }, ...shown.flatMap((y) => cell(y, t))]);
  rows.push([
    { text: ctx.t('pdf.areaTypes.total'), bold: true },
    ...shown.flatMap((y) => {
      const ps = block.population.filter((p) => p.year === y);
      const pop = ps.reduce((a, p) => a + (p.population ?? 0), 0);
      return [
        numberCell(ctx, formatNumber(ps.reduce((a, p) => a + p.n_areas, 0), 0, ctx.lang)),
        numberCell(ctx, formatNumber(pop, 0, ctx.lang)),
        numberCell(ctx, formatNumber(100, 1, ctx.lang)),
      ];
    }),
  ]);
  const c = (k: string): string => ctx.t(`pdf.columns.${k}`);
  const header = [c('areaType'), ...shown.flatMap((y) => [`RegSO ${y}`, `${c('inhabitants')} ${y}`, `${c('share')} ${y}`])];
  const partial = block.population.some((p) => shown.includes(p.year) && p.n_missing_population > 0);
  return table(
    ctx,
    ctx.t('pdf.areaTypes.populationCaption', { scope: scopeName, years: shown.join(ctx.t('pdf.areaTypes.and')) }),
    ['*', ...shown.flatMap(() => [36, 54, 42])],
    headerRow(ctx, header, header.map((_, i) => i).slice(1)),
    rows,
    ctx.t('pdf.areaTypes.populationNote') + (partial ? ctx.t('pdf.areaTypes.populationPartial') : ''),
  );
}

function areaTypePopulationNumbers(ctx: Ctx, block: AreaTypeBlock, caption: string): StackNode {
  const years = populationYears(block);
  const untyped = block.population.some((p) => p.area_type === null);
  const keys: (AreaTypeNumber | null)[] = [1, 2, 3, 4, 5, ...(untyped ? [null] : [])];
  const rows = years.map((y) => [
    String(y),
    ...keys.map((t) => {
      const p = block.population.find((q) => q.year === y && q.area_type === t);
      return numberCell(ctx, p ? formatCell(p.share, 'procent', p.share === null ? '..' : null, undefined, ctx.lang) : '..');
    }),
  ]);
  const header = [ctx.t('pdf.columns.year'), ...keys.map((t) => (t === null ? ctx.t('pdf.areaTypes.noTypeShort') : `${ctx.t('pdf.columns.type')} ${t}`))];
  return table(ctx, caption, [34, ...keys.map(() => '*')], headerRow(ctx, header, header.map((_, i) => i).slice(1)), rows, ctx.t('pdf.areaTypes.populationNumbersNote'));
}

const BY_TYPE_SYMBOL: Record<string, string | null> = { no_areas: '.', missing: '..', suppressed: ':' };

/** An indicator's name with its year and base year where they differ from the table's own. */
function gapRowName(ctx: Ctx, ind: AreaTypeIndicator, year: number | undefined, base: number | null | undefined): string {
  const notes = [
    ...(ind.year !== year ? [String(ind.year)] : []),
    // base null: the table has no base-year column, so the base year is not a note.
    ...(base !== null && ind.base_year !== null && ind.base_year !== base ? [ctx.t('pdf.areaTypes.baseYear', { year: ind.base_year })] : []),
  ];
  const title = titleOf(ctx, ind);
  return notes.length ? `${title} (${notes.join(', ')})` : title;
}

function mostCommon(values: readonly (number | null)[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
}

/** Indicators in the order the chapter lists them: by name, the index components last. */
function orderedIndicators(block: AreaTypeBlock): AreaTypeIndicator[] {
  return [...block.indicators].sort((a, b) => Number(a.index_component) - Number(b.index_component) || swedishCollator.compare(a.title_sv, b.title_sv));
}

/** Focus group, reference group, the gap now and in the base year, its change and the verdict on it. */
function areaTypeGapTable(ctx: Ctx, block: AreaTypeBlock, scopeName: string, level: AreaTypeScopeLevel): StackNode | null {
  const inds = orderedIndicators(block).filter((i) => i.gap !== null);
  const first = inds[0];
  if (!first) return null;
  const year = mostCommon(inds.map((i) => i.year));
  const base = mostCommon(inds.map((i) => i.base_year));
  const t = ctx.t;
  const lang = ctx.lang;
  const [focus, reference] = areaTypeGroupHeaders(first, lang);
  const rows = inds.map((i) => {
    // Every difference from the values as printed: the gap is the difference of the two value columns, the change
    // the difference of the two gap columns.
    const gapNow = printedGap(i, 'latest');
    const gapThen = printedGap(i, 'base');
    const diff = gapNow === null || gapThen === null || i.year === i.base_year ? null : printedDiff(gapThen, gapNow, 1);
    return [
      { text: ctx.fit(gapRowName(ctx, i, year, base)) },
      numberCell(ctx, formatCell(i.value_focus, i.unit, null, undefined, lang)),
      numberCell(ctx, formatCell(i.value_reference, i.unit, null, undefined, lang)),
      numberCell(ctx, formatCell(gapNow, i.unit, null, undefined, lang)),
      numberCell(ctx, formatCell(gapThen, i.unit, null, undefined, lang)),
      numberCell(ctx, diff === null ? '..' : formatSigned(diff, 1, lang)),
      { text: ctx.fit(gapVerdictWord(gapVerdict(i), lang)) },
    ];
  });
  const header = [
    t('pdf.columns.indicator'),
    focus,
    reference,
    t('pdf.columns.gap'),
    `${t('pdf.columns.gap')} ${base ?? t('pdf.areaTypes.baseYearColumn')}`,
    t('pdf.firstLatest.change'),
    t('pdf.firstLatest.verdict'),
  ];
  const components = inds.some((i) => i.index_component);
  const rule = block.change_rule;
  return table(
    ctx,
    t('pdf.areaTypes.gapCaption', { comparison: comparisonPhrase(first, level, lang), scope: scopeName, year: String(year ?? ''), base: base === undefined || base === null ? t('pdf.areaTypes.baseYearText') : base }),
    // Wide enough for "ingen säkerställd förändring" on two lines rather than three.
    ['*', 32, 32, 38, 44, 44, 76],
    headerRow(ctx, header, [1, 2, 3, 4, 5]),
    rows,
    t('pdf.areaTypes.gapNote', { focus: focus.toLowerCase(), reference: reference.toLowerCase() }) +
      (first.comparison === 'type1_vs_type5' ? '' : t('pdf.areaTypes.gapNoteRest', { reference })) +
      t('pdf.areaTypes.gapNoteShrunk') +
      (rule ? t('pdf.areaTypes.gapNoteRule', { materiality: gapMaterialityPhrase(block, lang), z: formatNumber(rule.z, 2, lang) }) : '.') +
      (components ? t('pdf.areaTypes.gapNoteComponents') : ''),
  );
}

/** Every type's value per indicator (the gap chart's numbers), only the types the scope has. */
function areaTypeValuesTable(ctx: Ctx, block: AreaTypeBlock, caption: string, inds: readonly AreaTypeIndicator[]): StackNode {
  const types = ([1, 2, 3, 4, 5] as const).filter((t) => inds.some((i) => i.by_type.some((b) => b.area_type === t && b.status !== 'no_areas')));
  const year = mostCommon(inds.map((i) => i.year));
  const rows = inds.map((i) => [
    { text: ctx.fit(gapRowName(ctx, i, year, null)) },
    ...types.map((t) => {
      const b = i.by_type.find((x) => x.area_type === t);
      return numberCell(ctx, b ? formatCell(b.value, i.unit, b.value === null ? (BY_TYPE_SYMBOL[b.status] ?? b.status) : null, undefined, ctx.lang) : '..');
    }),
  ]);
  const header = [ctx.t('pdf.columns.indicator'), ...types.map((t) => `${ctx.t('pdf.columns.type')} ${t}`)];
  return table(
    ctx,
    caption,
    ['*', ...types.map(() => 40)],
    headerRow(ctx, header, header.map((_, k) => k).slice(1)),
    rows,
    ctx.t('pdf.areaTypes.valuesNote'),
  );
}

function regsoTable(ctx: Ctx, block: AreaTypeBlock, scopeName: string): StackNode | null {
  const regso = block.regso ?? [];
  if (regso.length === 0) return null;
  const first = block.regso_years?.first ?? null;
  const latest = block.regso_years?.latest ?? null;
  // By type (type 1 first) and then name: the reader looks for where the type 1 and 2 areas are.
  const sorted = [...regso].sort((a, b) => (a.latest_type ?? 9) - (b.latest_type ?? 9) || swedishCollator.compare(a.name, b.name));
  const rows = sorted.map((r) => [
    { text: ctx.fit(r.name) },
    { text: r.code },
    numberCell(ctx, r.first_type === null ? '..' : String(r.first_type)),
    numberCell(ctx, r.latest_type === null ? '..' : String(r.latest_type)),
    numberCell(ctx, formatCell(r.latest_index, 'procent', null, undefined, ctx.lang)),
  ]);
  const c = (k: string): string => ctx.t(`pdf.columns.${k}`);
  const header = ['RegSO', c('code'), `${c('type')} ${first ?? ''}`.trim(), `${c('type')} ${latest ?? ''}`.trim(), `${c('index')} ${latest ?? ''}`.trim()];
  return balancedTables(
    ctx,
    ctx.t('pdf.areaTypes.regsoCaption', { scope: scopeName, year: String(latest ?? '') }).trimEnd(),
    ['*', 'auto', 'auto', 'auto', 'auto'],
    headerRow(ctx, header, [2, 3, 4]),
    rows,
    ctx.t('pdf.areaTypes.regsoNote'),
    2,
  );
}

/** Every type's value per indicator and year (the trend chart's numbers), only the types the scope has. */
function areaTypeTrendNumbers(ctx: Ctx, caption: string, inds: readonly AreaTypeIndicator[]): StackNode {
  const years = [...new Set(inds.flatMap((i) => (i.trend ?? []).map((p) => p.year)))].sort((a, b) => a - b);
  const rows: Content[][] = [];
  for (const i of inds) {
    const types = ([1, 2, 3, 4, 5] as const).filter((t) => (i.trend ?? []).some((p) => p.area_type === t && p.value !== null));
    types.forEach((t, k) => {
      rows.push([
        { text: k === 0 ? ctx.fit(titleOf(ctx, i)) : '' },
        numberCell(ctx, String(t)),
        ...years.map((y) => {
          const p = (i.trend ?? []).find((q) => q.year === y && q.area_type === t);
          return numberCell(ctx, p ? formatCell(p.value, i.unit, p.value === null ? (BY_TYPE_SYMBOL[p.status] ?? p.status) : null, undefined, ctx.lang) : '..');
        }),
      ]);
    });
  }
  const header = [ctx.t('pdf.columns.indicator'), ctx.t('pdf.columns.type'), ...years.map(String)];
  return table(
    ctx,
    caption,
    ['*', 22, ...years.map(() => 30)],
    headerRow(ctx, header, header.map((_, k) => k).slice(1)),
    rows,
    ctx.t('pdf.areaTypes.trendNote'),
  );
}

async function areaTypesChapter(ctx: Ctx, n: number, block: AreaTypeBlock): Promise<Content[]> {
  const m = ctx.model;
  const t = ctx.t;
  const lang = ctx.lang;
  const scopeName = m.scope.level === 'riket' ? t('pdf.riketLabel') : m.scope.name;
  const sp = scopePhrase(m.scope, lang);
  const level = m.scope.level;
  const out: Content[] = [h1(ctx, `${n} ${t('pdf.areaTypes.heading')}`, false)];
  // What the types are stays here; the year's cut, the choice of comparison and the rule for a change go to bilaga A.
  const method = describeAreaTypeMethod(block, lang);
  const national = t('areaTypes.method.national');
  const here = method.filter((l, i) => i === 0 || l.startsWith(national));
  ctx.areaTypeMethod = method.filter((l) => !here.includes(l));
  for (const line of here) out.push(para(ctx, line));
  if (ctx.areaTypeMethod.length) out.push(para(ctx, t('pdf.areaTypes.methodInAppendix'), { style: 'note' }));
  // The heading and the method's first lines stay together.
  const opening = out.splice(0, 2);
  out.unshift({ stack: opening, unbreakable: true });
  // That the types are relative is read with every number of the chapter; how unclassified areas and the sums per type
  // are handled is method, printed with the rest of it in bilaga A when that section is there.
  for (const id of ['W214_AREA_TYPES_RELATIVE', 'W215_AREA_TYPE_UNCLASSIFIED', 'W216_BY_AREA_TYPE_SUMS'] as const) {
    if (!m.caveats.some((c) => c.id === id)) continue;
    if (id !== 'W214_AREA_TYPES_RELATIVE' && ctx.areaTypeMethod?.length) ctx.areaTypeMethod.push(caveatText(ctx, id));
    else out.push(para(ctx, caveatText(ctx, id), { style: 'note' }));
  }

  let sub = 1;
  out.push({ stack: [h2(ctx, `${n}.${sub++} ${t('pdf.areaTypes.population')}`), para(ctx, describeAreaTypePopulation(block, sp, lang).join(' '))], unbreakable: true });
  // Everyone in one type every year: the sentence says it all; a table of zeros and a bar per year at 100 % would not.
  if (singleAreaType(block) === null) {
    // A compact kommun report says the shares in the sentences above and prints the table of every type in bilaga C.
    if (compact(ctx)) {
      if (populationYears(block).length > 0) {
        out.push(para(ctx, t('pdf.areaTypes.populationInAppendix'), { style: 'note' }));
        ctx.appendix.push(() => areaTypePopulationTable(ctx, block, scopeName) ?? { stack: [] });
      }
    } else {
      const popTable = areaTypePopulationTable(ctx, block, scopeName);
      if (popTable) out.push(popTable);
    }
    // The shares of every year (the table has the first and the latest) are in bilaga C and the workbook; a stacked
    // bar per year would repeat the table on a third of a page.
    const years = populationYears(block);
    if (years.length > 2 && block.population.some((p) => (p.share ?? 0) > 0)) {
      const range = formatYearRange(years[0] ?? 0, years[years.length - 1] ?? 0);
      ctx.appendix.push(() => areaTypePopulationNumbers(ctx, block, t('pdf.areaTypes.populationNumbers', { scope: scopeName, range })));
    }
  }

  const comparison = areaTypeComparison(block);
  const heading =
    comparison === null || comparison.comparison === 'type1_vs_type5'
      ? t('pdf.areaTypes.type1vs5')
      : comparison.comparison === 'lowest_vs_rest'
        ? t(`pdf.areaTypes.lowestVsRest.${level}`, { type: String(comparison.focus_upto ?? '') })
        : t('pdf.areaTypes.comparison');
  const intro = comparison && comparison.comparison !== 'type1_vs_type5' ? describeAreaTypeComparison(block, sp, level, lang) : [];
  const gapText = [...intro, ...describeAreaTypeGaps(block, sp, level, lang)].join(' ') || t('pdf.areaTypes.noIndicators');
  out.push({ stack: [h2(ctx, `${n}.${sub++} ${heading}`), para(ctx, gapText)], unbreakable: true });
  // The chart first, then the table: the table may break across pages and so fills what the chart leaves. A kommun
  // report keeps the text and the chart here and prints the table, a row per indicator, in bilaga C.
  const gapInAppendix = level === 'kommun';
  const gapTable = gapInAppendix ? null : areaTypeGapTable(ctx, block, scopeName, level);
  // The chart compares types, so it needs indicators with at least two types; a kommun with one type has none.
  const charted = orderedIndicators({ ...block, indicators: gapIndicators(block) }).filter((i) => i.by_type.filter((t) => t.value !== null).length >= 2);
  // With two types only, the chart's two dots per indicator are the table's two value columns: it says nothing more.
  const typesCharted = new Set(charted.flatMap((i) => i.by_type.filter((t) => t.value !== null).map((t) => t.area_type)));
  if (charted.length > 0 && typesCharted.size >= 3) {
    const year = mostCommon(charted.map((i) => i.year));
    const rest = comparison?.comparison === 'lowest_vs_rest';
    out.push(
      await figure(
        ctx,
        areaTypeGapChart(forCharts(ctx, charted), (x) => areaTypeLegendName(x, lang), lang),
        t('pdf.areaTypes.gapChartCaption', {
          scope: scopeName,
          year: String(year ?? ''),
          between: rest && comparison ? t('pdf.areaTypes.gapChartRest', { type: String(comparison.focus_upto ?? '') }) : t('pdf.areaTypes.gapChart1vs5'),
        }),
        t('pdf.areaTypes.gapChartAlt', { n: formatNumber(charted.length, 0, lang), scope: sp }),
      ),
    );
    const fig = ctx.figure;
    ctx.appendix.push(() => areaTypeValuesTable(ctx, block, t('pdf.figureNumbers', { n: fig, what: t('pdf.areaTypes.gapNumbers', { scope: scopeName, year: String(year ?? '') }) }), charted));
  }
  if (gapTable) out.push(gapTable);
  if (gapInAppendix && orderedIndicators(block).some((i) => i.gap !== null)) {
    out.push(para(ctx, t('pdf.areaTypes.gapTableInAppendix'), { style: 'note' }));
    ctx.appendix.push(() => areaTypeGapTable(ctx, block, scopeName, level) ?? { stack: [] });
  }

  // Trends by type, where the scope has at least two types with a series (a kommun with one type has nothing to add).
  const trended = areaTypeTrendIndicators(orderedIndicators({ ...block, indicators: gapIndicators(block) }));
  if (trended.length > 0) {
    const years = [...new Set(trended.flatMap((i) => (i.trend ?? []).map((p) => p.year)))].sort((a, b) => a - b);
    const range = formatYearRange(years[0] ?? 0, years[years.length - 1] ?? 0);
    // Years whose national cut is on another RegSO division than the year before (block.cuts carries the version).
    const cuts = [...block.cuts].sort((a, b) => a.year - b.year);
    const versionBreaks = cuts.filter((c, i) => i > 0 && c.area_version !== cuts[i - 1]?.area_version && c.year > (years[0] ?? 0) && c.year <= (years[years.length - 1] ?? 0));
    const breakText = versionBreaks
      .map((c) => t('pdf.areaTypes.versionBreak', { year: c.year, version: c.area_version.replace(/^(RegSO|DeSO)(\d{4})$/, '$1 $2') }))
      .join('');
    // Heading, text and figure on one page: the heading must not end a page with its figure on the next.
    const head = [h2(ctx, `${n}.${sub++} ${t('pdf.areaTypes.trends')}`), para(ctx, t('pdf.areaTypes.trendText', { n: formatNumber(trended.length, 0, lang), scope: sp, range }) + breakText)];
    const chartOf = (inds: readonly AreaTypeIndicator[]): ChartDef => areaTypeTrendChart(forCharts(ctx, inds), (x) => areaTypeLegendName(x, lang), versionBreaks.map((c) => c.year), lang);
    const alt = t('pdf.areaTypes.trendAlt', { scope: sp, range });
    const whole = await figure(
      ctx,
      chartOf(trended),
      t('pdf.areaTypes.trendCaption', { scope: scopeName, range }) +
        (versionBreaks.length > 0 ? t('pdf.areaTypes.trendCaptionBreaks', { years: versionBreaks.map((c) => c.year).join(t('pdf.areaTypes.and')) }) : ''),
      alt,
    );
    const fig = ctx.figure;
    // Most of a page: where it would leave the page before under-filled, it is printed in two parts instead, the
    // first under the heading on that page, the second on the next (page-fit.ts). The first part is one row of panels
    // (four from nine panels on, panelGrid; else half of them): the alternative is taken on a page at least 40 % empty,
    // which holds the heading, its text and one row with its legend, but not always two rows (Nybro 0881).
    // The two parts are drawn only where they are taken (9 kommun reports of 290): a tree made with alternatives
    // 'later' marks the block, and the layout asks for them by stopping (page-fit.ts AlternativeNeeded).
    const half = trended.length >= 9 ? 4 : Math.ceil(trended.length / 2);
    const splits = trended.length >= 4;
    const parts = splits && ctx.alternatives === 'now' ? await Promise.all([trended.slice(0, half), trended.slice(half)].map(async (inds) => chartNode(await drawChart(ctx, chartOf(inds)), CHART_WIDTH, ctx.fit(alt)))) : [];
    const [first, second] = parts;
    const [caption] = whole.stack;
    out.push({
      stack: [...head, whole],
      unbreakable: true,
      fit: FIT_SCALE,
      ...(splits && ctx.alternatives === 'later' ? { breakableLater: true } : {}),
      ...(first && second && caption
        ? {
            breakable: [
              { stack: [...head, { stack: [caption, first], margin: [0, 6, 0, 10] }], unbreakable: true, fit: FIT_SCALE },
              { stack: [{ text: ctx.fit(t('pdf.figureContinued', { n: fig })), style: 'caption', margin: [0, 0, 0, 4] }, second], unbreakable: true, fit: FIT_SCALE, margin: [0, 6, 0, 10] },
            ],
          }
        : {}),
    });
    ctx.appendix.push(() => areaTypeTrendNumbers(ctx, t('pdf.figureNumbers', { n: fig, what: t('pdf.areaTypes.trendNumbers', { scope: scopeName, range }) }), trended));
  }

  // The list of the kommun's RegSO is reference matter (2–4 pages in a big city): bilaga C and the workbook.
  if ((block.regso ?? []).length > 0) {
    out.push(para(ctx, t('pdf.areaTypes.regsoPointer', { n: formatNumber(block.regso?.length ?? 0, 0, lang) }), { style: 'note' }));
    ctx.appendix.push(() => regsoTable(ctx, block, m.scope.name) ?? { stack: [] });
  }
  return out;
}

function methodChapter(ctx: Ctx, n: string): Content[] {
  const m = ctx.model;
  const t = ctx.t;
  const out: Content[] = [h1(ctx, t('pdf.appendix.method', { letter: n }))];
  out.push(para(ctx, t('pdf.method.disclosure', { threshold: formatNumber(m.disclosure_threshold, 0, ctx.lang) })));
  out.push(para(ctx, t('pdf.method.compiled', { date: formatDateTime(m.generated_at, ctx.lang) }) + (m.demo ? ` ${message('W301_DEMO_DATA', ctx.lang)}.` : '')));
  out.push(
    table(
      ctx,
      t('pdf.method.legend'),
      [40, '*'],
      headerRow(ctx, [t('pdf.method.symbol'), t('pdf.method.meaning')]),
      statusLegend(ctx.lang).map((l) => [{ text: l.symbol, bold: true }, { text: ctx.fit(l.text) }]),
    ),
  );
  const sources = [...m.sources].sort((a, b) => a.source.localeCompare(b.source, 'sv') || swedishCollator.compare(a.table_id, b.table_id));
  out.push(
    ...keepWithFirst(h2(ctx, `${n}.1 ${t('pdf.method.sources')}`), table(
      ctx,
      t('pdf.method.sourcesCaption'),
      [40, 70, '*', 96],
      headerRow(ctx, [t('pdf.method.sourceColumn'), t('pdf.method.tableColumn'), t('pdf.method.titleColumn'), t('pdf.method.fetchedColumn')]),
      sources.map((s) => [
        { text: s.source },
        { text: ctx.fit(s.table_id), bold: true },
        {
          stack: [
            { text: ctx.fit(s.title) },
            // A URL has no spaces to break at; long ones (Kolada lists 20 kommuner) are shortened on the page, linked
            // in full, and recorded in full in manifest.json and source_fetch. Checksums stay there, out of the text.
            { text: ctx.fit(s.url.length > 80 ? `${s.url.slice(0, 79)}…` : s.url), link: s.url, color: ACCENT, fontSize: 7 },
          ],
        },
        { text: ctx.fit(formatDateTime(s.fetched_at, ctx.lang)) },
      ]),
      t('pdf.method.trace'),
      false, // rows of four lines: may break between rows rather than jump a page
      0, // the source's name repeats down the column: it labels no row
    )),
  );
  // Ordered by their stable ids, which stay in the manifest and the exports; the reader sees the text only. The
  // heading kept with the first.
  const caveats = [...m.caveats].sort((a, b) => a.id.localeCompare(b.id)).map((c) => para(ctx, caveatInLang(c, ctx.lang), { margin: [0, 0, 0, 3] }));
  out.push({ stack: [h2(ctx, `${n}.2 ${t('pdf.method.caveats')}`), ...(caveats.length ? [{ ul: caveats.slice(0, 1), style: 'body', margin: [0, 0, 0, 0] as Margins }] : [])], unbreakable: true });
  if (caveats.length > 1) out.push({ ul: caveats.slice(1), style: 'body' });
  out.push(...assessmentSection(ctx, `${n}.3`));
  // Sections in the order of their numbers. Reading aids (reading-aids.ts): the data lags and the scale for D, laid out
  // as the reform chapter's blocks are (a heading kept with what follows it, a long table's caption with its first rows).
  out.push(...reformBlocks(ctx, readingAids(m, `${n}.4`)));
  let k = 5;
  if (ctx.areaTypeMethod?.length) {
    const [first, ...rest] = ctx.areaTypeMethod;
    out.push({ stack: [h2(ctx, `${n}.${k++} ${t('pdf.method.areaTypes')}`), para(ctx, first ?? '')], unbreakable: true }, ...rest.map((l) => para(ctx, l)));
  }
  if (ctx.reformSources?.length) {
    // One section: how the list of reforms was checked, the reforms without an open measure, then the chapter's sources.
    const blocks = ctx.reformSources.map((b) => (b.kind === 'h2' ? { kind: 'para' as const, text: `${b.text.replace(t('pdf.method.reformSourcesFrom'), t('pdf.method.reformSourcesTo'))}:` } : b));
    out.push(...reformBlocks(ctx, [{ kind: 'h2', text: `${n}.${k++} ${t('pdf.method.reformDetails')}` }, ...blocks]));
  }
  return out;
}

/** How changes are judged: each indicator's materiality threshold and why, and the breaks in the series. */
function assessmentSection(ctx: Ctx, num: string): Content[] {
  const m = ctx.model;
  const blocks = m.chapters.flatMap((ch) => ch.indicators);
  const out: Content[] = [h2(ctx, `${num} ${ctx.t('pdf.method.assessment')}`)];
  out.push(
    para(
      ctx,
      ctx.t('pdf.method.assessmentText'),
    ),
  );
  if (ctx.segregationMethod) out.push(para(ctx, ctx.segregationMethod));
  if (ctx.keyFindingsMethod) out.push({ stack: [{ text: ctx.fit(ctx.keyFindingsMethod.title), style: 'h3' }, para(ctx, ctx.keyFindingsMethod.text)], unbreakable: true });
  const judged = blocks.filter((b) => b.materiality);
  const reasonOf = catalogueText(ctx.lang).materialityReason;
  if (judged.length > 0) {
    out.push(
      table(
        ctx,
        ctx.t('pdf.method.materialityCaption'),
        // Each limit's reason in the report's language (data/indicators.json materiality.reason, reason_en).
        ['*', 86, '*'],
        headerRow(ctx, [ctx.t('pdf.columns.indicator'), ctx.t('pdf.method.limit'), ctx.t('pdf.method.reason')]),
        judged.map((b) => {
          const mt = b.materiality as NonNullable<IndicatorBlock['materiality']>;
          const limit = mt.relative ? ctx.t('pdf.method.relativeLimit', { value: formatNumber(mt.value, 1, ctx.lang) }) : formatChangeMagnitude(mt.value, b.unit, ctx.lang).trim();
          return [{ text: ctx.fit(titleOf(ctx, b)) }, { text: ctx.fit(limit) }, { text: ctx.fit(reasonOf(b) ?? mt.reason) }];
        }),
        undefined,
        false,
      ),
    );
  }
  const cat = catalogueText(ctx.lang);
  const breaks = blocks.flatMap((b) => (b.breaks ?? []).map((br) => ({ title: titleOf(ctx, b), ...cat.seriesBreak(b.id, br) })));
  const found = m.segregation.find((b) => b.area_break)?.area_break ?? null;
  const area = found ? { ...found, ...cat.areaBreak(found) } : null;
  if (breaks.length > 0 || area) {
    out.push(
      table(
        ctx,
        ctx.t('pdf.method.breaksCaption'),
        ['*', 34, '*', '*'],
        headerRow(ctx, [ctx.t('pdf.method.series'), ctx.t('pdf.method.fromYear'), ctx.t('pdf.method.what'), ctx.t('pdf.method.effect')], [1]),
        [
          ...breaks.map((b) => [
            { text: ctx.fit(b.title_before ? ctx.t('pdf.method.titleBefore', { title: b.title, year: b.year, before: b.title_before }) : b.title) },
            numberCell(ctx, String(b.year)),
            { text: ctx.fit(capitalise(b.what)) },
            { text: ctx.fit(capitalise(b.effect)) },
          ]),
          ...(area
            ? [[{ text: ctx.t('pdf.method.areaBreak') }, numberCell(ctx, String(area.year)), { text: ctx.fit(capitalise(area.what)) }, { text: ctx.fit(capitalise(area.effect)) }]]
            : []),
        ],
        ctx.t('pdf.method.breaksNote'),
        false,
      ),
    );
  }
  return out;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Bilaga B: each indicator's full description, rank, caveats, definition and source, by policy area. */
function indicatorAppendix(ctx: Ctx, letter: string): Content[] {
  const out: Content[] = [h1(ctx, ctx.t('pdf.appendix.indicators', { letter }))];
  out.push(para(ctx, ctx.t('pdf.appendix.indicatorsIntro')));
  const shown = new Set<string>();
  ctx.model.chapters.forEach((ch, i) => {
    const blocks = ch.indicators.map((b) => indicatorDetails(ctx, b, shown));
    const [first, ...rest] = blocks;
    // The area's heading stays with its first indicator.
    if (first) out.push({ stack: [h2(ctx, `${letter}.${i + 1} ${chapterTitle(ctx, ch)}`), first], unbreakable: true }, ...rest);
  });
  const seg = ctx.model.segregation;
  if (seg.length) {
    const [first, ...rest] = seg.map((b): Content => ({
      stack: [{ text: ctx.fit(`${measureLabel(b.measure, ctx.lang)}, ${groupsName(b.groups, ctx.lang)}`), style: 'h3' }, para(ctx, describeSegregation(b, ctx.lang).join(' '))],
      unbreakable: true,
    }));
    if (first) out.push({ stack: [h2(ctx, `${letter}.${ctx.model.chapters.length + 1} ${ctx.t('pdf.appendix.segregationIndices')}`), first], unbreakable: true }, ...rest);
  }
  return out;
}

function appendixChapter(ctx: Ctx, letter: string): Content[] {
  ctx.numbersAppendix = true;
  const out = [h1(ctx, ctx.t('pdf.appendix.numbers', { letter })), para(ctx, ctx.t('pdf.appendix.numbersIntro')), ...ctx.appendix.map((build) => build())];
  ctx.numbersAppendix = false;
  return out;
}

const STYLES: Record<string, Style> = {
    body: { fontSize: 10, lineHeight: 1.3, margin: [0, 0, 0, 6] },
    kicker: { fontSize: 11, color: GREY, characterSpacing: 0.5 },
    title: { fontSize: 26, bold: true, color: ACCENT, lineHeight: 1.12 },
    subtitle: { fontSize: 15, color: TEXT },
    h1: { fontSize: 18, bold: true, color: ACCENT, margin: [0, 0, 0, 12], lineHeight: 1.15 },
    h2: { fontSize: 12.5, bold: true, color: TEXT, margin: [0, 12, 0, 4], lineHeight: 1.15 },
    h3: { fontSize: 10.5, bold: true, color: TEXT, margin: [0, 8, 0, 3] },
    tocSub: { fontSize: 9.5 },
    caption: { fontSize: 9, bold: true, color: TEXT, lineHeight: 1.2 },
    note: { fontSize: 8.5, color: GREY, lineHeight: 1.25 },
    table: { fontSize: 8.5, lineHeight: 1.15 },
    tableSmall: { fontSize: 7.5, lineHeight: 1.1 },
    th: { bold: true },
    pageHeader: { fontSize: 7.5, color: GREY },
    pageFooter: { fontSize: 8, color: GREY },
};

/**
 * The node without its bottom margin, down through the last child of stacks and lists. pdfmake moves to a new page
 * when a block's bottom margin does not fit on the page it ends; when the next node is a chapter heading with
 * `pageBreak: 'before'`, that gives a blank page. A margin before a page break is never seen, so it is dropped.
 */
function withoutBottomMargin(node: Content): Content {
  if (typeof node === 'string') return node;
  const styleMargin = typeof node.style === 'string' ? STYLES[node.style]?.margin : undefined;
  const m = node.margin ?? styleMargin;
  const out = m ? { ...node, margin: [m[0], m[1], m[2], 0] as Margins } : { ...node };
  if ('stack' in out && out.stack.length > 0) {
    out.stack = [...out.stack.slice(0, -1), withoutBottomMargin(out.stack[out.stack.length - 1] as Content)];
  } else if ('ul' in out && out.ul.length > 0) {
    out.ul = [...out.ul.slice(0, -1), withoutBottomMargin(out.ul[out.ul.length - 1] as Content)];
  }
  return out;
}

/** A chapter's nodes with the last one's bottom margin dropped (the next chapter starts on a new page). */
function chapter(nodes: Content[]): Content[] {
  const last = nodes[nodes.length - 1];
  return last === undefined ? nodes : [...nodes.slice(0, -1), withoutBottomMargin(last)];
}

function docDefinition(ctx: Ctx, content: Content[], pages: { count: number }): DocDefinition {
  const m = ctx.model;
  const scope = m.scope.level === 'riket' ? ctx.t('pdf.riketTitle') : m.scope.name;
  const title = ctx.t('pdf.title');
  const demo = m.demo ? ctx.fit(message('W301_DEMO_DATA', ctx.lang)) : '';
  const created = new Date(m.generated_at);
  const when = Number.isNaN(created.getTime()) ? new Date(0) : created;
  return {
    pageSize: 'A4',
    pageMargins: PAGE_MARGINS,
    language: ctx.t('pdf.metadata.language'),
    displayTitle: true,
    version: '1.7',
    info: {
      title: ctx.fit(`${title} – ${scope} ${m.year}`),
      author: 'segfollow',
      subject: ctx.fit(ctx.t('pdf.metadata.subject', { scope: scopePhrase(m.scope, ctx.lang), year: m.year }) + (m.demo ? ` (${message('W301_DEMO_DATA', ctx.lang)})` : '')),
      keywords: ctx.t('pdf.metadata.keywords'),
      creator: 'segfollow',
      producer: 'segfollow (pdfmake)',
      // From the model, not the clock: the same model gives the same file.
      creationDate: when,
      modDate: when,
    },
    content,
    // No pageBreakBefore: with the heading inside an unbreakable stack it made pdfmake emit blank pages, and a
    // re-run to keep a breakable table's caption with its rows loses the tagging layer's figures ("pre-pass missed
    // it"). Headings and captions are kept with their blocks by unbreakable stacks instead.
    header: (page) =>
      page === 1
        ? null
        : {
            columns: [
              { text: ctx.fit(`${title} · ${scope} ${m.year}`), width: '*' },
              ...(demo ? [{ text: demo, width: 'auto', bold: true, color: ACCENT }] : []),
            ],
            style: 'pageHeader',
            margin: [PAGE_MARGINS[0], 26, PAGE_MARGINS[2], 0],
          },
    footer: (page, count) => {
      // The last layout pass (page-fit.ts may lay the document out more than once) has the final count.
      pages.count = count;
      return {
        columns: [
          demo ? { text: demo, bold: true, color: ACCENT, width: '*' } : { text: '', width: '*' },
          { text: ctx.t('pdf.page', { page, count }), width: 'auto', alignment: 'right' },
        ],
        style: 'pageFooter',
        margin: [PAGE_MARGINS[0], 22, PAGE_MARGINS[2], 0],
      };
    },
    defaultStyle: { font: useReportFonts().family, fontSize: 10, color: TEXT, lineHeight: 1.25 },
    styles: STYLES,
  };
}

/** The reform programme chapter (reforms.ts builds its content; this lays it out). */
function reformsChapter(ctx: Ctx, n: number, programme: ReformProgramme): Content[] {
  const t = ctx.t;
  const blocks = reformChapter(ctx.model, programme, compact(ctx) && ctx.firstPolicyTable !== undefined ? { judgedIn: t('pdf.method.judgedInTable', { n: ctx.firstPolicyTable }) } : {});
  // The chapter's list of sources is reference matter: it goes to bilaga A, the chapter keeps its content.
  const cut = blocks.findIndex((b) => b.kind === 'h2' && b.text.startsWith(ctx.t('pdf.method.sources')));
  const main = cut >= 0 ? blocks.slice(0, cut) : blocks;
  // So is the account of how the list of reforms was checked (the paragraph under its heading) and, per reform without
  // an open measure, why (the table says "no open measure"): both go to bilaga A with the sources, a line points there.
  const reformsAt = main.findIndex((b) => b.kind === 'h2' && b.text === t('reforms.reformsHeading'));
  const verification = main[reformsAt + 1]?.kind === 'para' ? main[reformsAt + 1] : undefined;
  const withoutAt = main.findIndex((b) => b.kind === 'para' && b.text === t('reforms.withoutIntro'));
  const without = withoutAt >= 0 && main[withoutAt + 1]?.kind === 'list' ? main.slice(withoutAt, withoutAt + 2) : [];
  // The budget: what was announced at the launch stays, in the programme file's own words; the table of amounts per
  // year (outcome, budget, proposals, with their notes on what could be checked) goes to bilaga A.
  const budgetAt = main.findIndex((b) => b.kind === 'h2' && b.text === t('reforms.budget.heading'));
  const budgetTable = main[budgetAt + 1]?.kind === 'table' ? main[budgetAt + 1] : undefined;
  const announced = programme.budget.filter((b) => b.kind === 'aviserat').map((b) => (ctx.lang === 'sv' ? b.text_sv : (b.text_en ?? b.text_sv)));
  const yearly = programme.budget.filter((b) => b.kind !== 'aviserat').flatMap((b) => b.years.filter((y): y is number => y !== null));
  const budgetMoved = budgetTable !== undefined && announced.length > 0 && yearly.length > 0;
  const moved = [...(verification ? [verification] : []), ...(budgetMoved ? [budgetTable] : []), ...without];
  const kept = main.filter((b) => !moved.includes(b));
  // A compact kommun report names the five policy areas and their aims in one paragraph rather than a headed list.
  const areasAt = kept.findIndex((b) => b.kind === 'h2' && b.text === t('reforms.areasHeading'));
  const areas = kept[areasAt + 1];
  if (compact(ctx) && areasAt >= 0 && areas?.kind === 'list') {
    const named = areas.items.map((x) => {
      const at = x.indexOf(': ');
      return at < 0 ? x : `${x.slice(0, at)} (${x.slice(at + 2)})`;
    });
    kept.splice(areasAt, 2, { kind: 'para', text: t('pdf.method.reformAreas', { n: formatNumber(named.length, 0, ctx.lang), list: joinList(named, ctx.lang) }) });
  }
  if (budgetMoved) {
    const range = formatYearRange(Math.min(...yearly), Math.max(...yearly));
    kept.splice(kept.indexOf(main[budgetAt] as (typeof main)[number]) + 1, 0, { kind: 'para', text: `${announced.join(' ')} ${t('pdf.method.budgetInAppendix', { range })}` });
  }
  if (cut >= 0 || moved.length > 0) {
    ctx.reformSources = [...moved, ...(cut >= 0 ? blocks.slice(cut) : [])];
    const nWithout = programme.reforms.filter((r) => r.indicators.length === 0).length;
    const tableAt = kept.findIndex((b) => b.kind === 'table');
    kept.splice(tableAt + 1, 0, { kind: 'para', text: t(nWithout > 0 ? 'pdf.method.reformDetailsPointer' : 'pdf.method.reformSourcesPointer', { n: formatNumber(nWithout, 0, ctx.lang) }) });
  }
  // The heading kept with the chapter's first paragraph: a heading never ends a page.
  const [first, ...rest] = reformBlocks(ctx, kept);
  return [{ stack: [h1(ctx, `${n} ${reformChapterTitle(ctx.lang)}`, false), ...(first ? [first] : [])], unbreakable: true }, ...rest];
}

/** Lays out reforms.ts blocks: a heading kept with what it introduces, tables numbered. */
function reformBlocks(ctx: Ctx, blocks: ReturnType<typeof reformChapter>): Content[] {
  const out: Content[] = [];
  let heading: TextNode | null = null;
  for (const b of blocks) {
    if (b.kind === 'h2') {
      heading = h2(ctx, b.text);
      continue;
    }
    let node: StackNode | TextNode | UlNode;
    let breakable = false;
    if (b.kind === 'para') node = para(ctx, b.text);
    else if (b.kind === 'list' && b.items.length > 4) {
      // A long list (the sources) may run on to the next page: its heading stays with the first two items only, so
      // the page before is not left half empty.
      const items = b.items.map((x) => para(ctx, x, { margin: [0, 0, 0, 3] }));
      out.push({ stack: [...(heading ? [heading] : []), { ul: items.slice(0, 2), style: 'body', margin: [0, 0, 0, 0] }], unbreakable: true }, { ul: items.slice(2), style: 'body' });
      heading = null;
      continue;
    } else if (b.kind === 'list') node = { ul: b.items.map((x) => para(ctx, x, { margin: [0, 0, 0, 3] })), style: 'body' };
    else {
      // Every column of long text shares the free width (the ten reforms and their indicators): an 'auto' column would
      // take its longest cell's width and squeeze the others to three lines a row.
      const long = (i: number): boolean => !b.numeric.includes(i) && b.rows.some((r) => (r[i]?.length ?? 0) > 45);
      const widths = b.header.map((_, i) => (i === b.wide || long(i) ? '*' : 'auto'));
      const rows = b.rows.map((r) => r.map((c, i) => (b.numeric.includes(i) ? numberCell(ctx, c) : { text: ctx.fit(c) })));
      // A table of more than four rows may break (header repeated) rather than leave half a page empty, as the ten
      // reforms did; its heading and caption stay with its first rows (keepWithFirst, page-fit.ts).
      breakable = b.rows.length > 4;
      const tnode = table(ctx, b.caption, widths, headerRow(ctx, b.header, b.numeric), rows, b.note || undefined, !breakable);
      if (heading) out.push(...keepWithFirst(heading, tnode));
      else out.push(tnode);
      heading = null;
      continue;
    }
    // A heading stays with what it introduces.
    if (heading && !breakable) out.push({ stack: [heading, node], unbreakable: true });
    else out.push(...(heading ? [heading] : []), node);
    heading = null;
  }
  if (heading) out.push(heading);
  return out;
}

/** The maps of report/maps.ts: one figure (two maps side by side) and the table of its colour classes. */
async function mapsChapter(ctx: Ctx, n: number, maps: readonly MapBlock[]): Promise<Content[]> {
  const m = ctx.model;
  const lang = ctx.lang;
  const scopeName = m.scope.level === 'riket' ? ctx.t('pdf.maps.sweden') : m.scope.name;
  const types = m.area_types;
  const t = mapTexts(maps, scopeName, (x) => (types && lang === 'sv' ? typeName(types, x) : areaTypeShortName(x, lang)), lang);
  // Heading, text and maps on one page, run on after the previous chapter: a heading never ends a page.
  const fig = await figure(ctx, mapChart(lang === 'sv' ? maps : maps.map((b) => ({ ...b, title_sv: mapTitle(b, wording(lang)) })), (x) => areaTypeLegendName(x, lang), lang), t.caption, t.alt);
  const out: Content[] = [{ stack: [h1(ctx, `${n} ${ctx.t('pdf.maps.heading')}`, false), para(ctx, mapIntro(maps, scopeName, lang)), fig], unbreakable: true, fit: FIT_SCALE }];
  // The legend counts the areas of each class; the table of the classes, with how they are cut, is in bilaga C.
  const num = ctx.figure;
  const rows = t.classRows.map((r) => [{ text: ctx.fit(r.map) }, { text: ctx.fit(r.cls) }, numberCell(ctx, formatNumber(r.n, 0, lang))]);
  ctx.appendix.push(() =>
    table(ctx, ctx.t('pdf.maps.classesCaption', { n: num }), ['*', 'auto', 'auto'], headerRow(ctx, [ctx.t('pdf.maps.map'), ctx.t('pdf.maps.class'), ctx.t('pdf.columns.units')], [2]), rows, t.note),
  );
  return out;
}

async function content(ctx: Ctx): Promise<Content[]> {
  const out: Content[] = [...titlePage(ctx), ...tocPage(ctx)];
  let n = 1;
  // How the findings are chosen and ordered is method: bilaga A, with a line here that says so.
  const kf = keyFindings(ctx.model);
  ctx.keyFindingsMethod = { title: kf.title, text: kf.method };
  const [firstFinding, ...findings] = kf.findings.map((f, i) => para(ctx, `${i + 1}. ${f.text}`));
  // The page break on the block, not on the heading inside it: pdfmake drops an unbreakable block whose child breaks.
  out.push({ stack: [h1(ctx, kf.title, false), ...(firstFinding ? [firstFinding] : [])], unbreakable: true, pageBreak: 'before' }, ...findings);
  out.push(para(ctx, ctx.t('pdf.keyFindingsMethodInAppendix'), { style: 'note' }));
  // The chapters run on: a chapter starts where the one before ends, its heading kept with what follows.
  out.push(...summaryChapter(ctx, n++));
  if (ctx.model.reforms) out.push(...reformsChapter(ctx, n++, ctx.model.reforms));
  const summary = buildSummary(ctx.model);
  ctx.firstPolicyChapter = n;
  for (const ch of ctx.model.chapters) {
    const sentences = summary.areas.find((a) => a.policy_area === ch.policy_area)?.sentences ?? [];
    out.push(...(await policyChapter(ctx, n++, ch, sentences)));
  }
  if (ctx.spread.length) {
    const spread = await spreadChapter(ctx, n);
    if (spread.length) {
      out.push(...spread);
      n++;
    }
  }
  if (ctx.model.segregation.length) out.push(...(await segregationChapter(ctx, n++)));
  if (ctx.model.area_types) out.push(...(await areaTypesChapter(ctx, n++, ctx.model.area_types)));
  if (ctx.model.maps?.length) out.push(...chapter(await mapsChapter(ctx, n++, ctx.model.maps)));
  // The appendices: method and sources, the indicators in detail, the numbers behind every chart.
  out.push(...chapter(methodChapter(ctx, 'A')));
  if (ctx.model.chapters.length) out.push(...chapter(indicatorAppendix(ctx, 'B')));
  if (ctx.appendix.length) out.push(...appendixChapter(ctx, 'C'));
  return out;
}

/**
 * How reportDefinition makes the tree. `alternatives: 'later'` leaves out the layout alternatives that cost a chart's
 * drawing and are seldom taken (an area-type trend figure in two parts), marking their blocks instead: such a tree
 * is for buildReportPdf (and for the HTML twin, which has no pages), which makes the tree again with them in, the
 * default 'now', when the layout asks for one. pdfmake given a 'later' tree directly fails where one is needed.
 */
export interface TreeOptions {
  alternatives?: 'now' | 'later';
}

/**
 * The report as a pdfmake document definition: the one content tree both the PDF and its HTML twin (build-html.ts)
 * are written from, so the two cannot say different things. `pages.count` is filled in when pdfmake lays it out.
 */
export async function reportDefinition(model: ReportModel, pages: { count: number } = { count: 0 }, options: TreeOptions = {}): Promise<DocDefinition> {
  return makeTree(model, pages, options, []);
}

/** reportDefinition, taking the scenes of `earlier` (charts an earlier tree of the same model drew) where it draws the same chart. */
async function makeTree(model: ReportModel, pages: { count: number }, options: TreeOptions, earlier: readonly DrawnChart[]): Promise<DocDefinition> {
  const fonts = useReportFonts();
  // The font has no → and fitText writes Swedish "till" for it: another language gets its own word first.
  const arrow = wording(model.lang).t('pdf.arrow');
  const fit = model.lang === 'sv' ? fonts.fitText : (s: string): string => fonts.fitText(s.replaceAll('\u2192', arrow));
  const alternatives = options.alternatives ?? 'now';
  const ctx: Ctx = { model, lang: model.lang, t: wording(model.lang).t, fit, figure: 0, table: 0, appendix: [], spread: [], alternatives, drawn: [], earlier: [...earlier] };
  const dd = docDefinition(ctx, await content(ctx), pages);
  drawnFor.set(dd, ctx.drawn);
  return dd;
}

/** Trees made again by buildReportPdf because the layout asked for an alternative left out (for tests and benchmarks). */
let alternativesMade = 0;
export function treesMadeAgain(): number {
  return alternativesMade;
}

/**
 * How the PDF is written. Tagged PDF/UA-1 always (`tagged: false` only for the comparison builds of tests and
 * benchmarks); PDF/A-2a as well unless `archive` is false; `strict` (default on) fails the report on a figure without
 * alt text, a table without header rows, or no title or language (report/tagging/).
 */
export interface PdfOptions {
  tagged?: boolean;
  archive?: boolean;
  strict?: boolean;
}

/**
 * Renders the report and writes it atomically (temporary file in the same folder, then rename), so a reader never
 * sees half a PDF and a failed run leaves no file behind.
 *
 * `built`: the model's tree from `reportDefinition(model, pages)`, when the caller has built it already (the report
 * worker writes the HTML twin from the same tree first: building it renders every chart). pdfmake mutates the tree
 * as it lays it out, so it serves one PDF, last.
 */
export async function buildReportPdf(
  model: ReportModel,
  outFile: string,
  options: PdfOptions = {},
  built?: { dd: DocDefinition; pages: { count: number } },
): Promise<{ pages: number; bytes: number }> {
  const pages = built?.pages ?? { count: 0 };
  const dd = built?.dd ?? (await reportDefinition(model, pages, { alternatives: 'later' }));
  let buffer: Buffer;
  try {
    const pm = pdfmake();
    const report = basename(outFile);
    const strict = options.strict ?? true;
    const archive = options.archive ?? true;
    const print = async (tree: DocDefinition): Promise<Buffer> =>
      options.tagged === false
        ? pm.createPdf(tree).getBuffer()
        : // Thousands of small structure elements: packed into object streams the tagged file is smaller than the untagged.
          compactPdf(await pm.createPdf(accessibleDefinition(tree, { report, strict, archive })).getBuffer());
    try {
      buffer = await print(dd);
    } catch (err) {
      if (!(err instanceof AlternativeNeeded)) throw err;
      // The layout needs an alternative the tree was made without: the whole tree again with every alternative in
      // (pdfmake changed the first as it laid it out), laid out from the start, where the same passes reach it.
      alternativesMade++;
      buffer = await print(await makeTree(model, pages, { alternatives: 'now' }, drawnFor.get(dd) ?? []));
    }
  } catch (err) {
    if (err instanceof AccessibilityError) throw err;
    throw new StageError(`pdf layout failed for ${basename(outFile)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await replaceFile(outFile, buffer);
  return { pages: pages.count, bytes: buffer.length };
}
