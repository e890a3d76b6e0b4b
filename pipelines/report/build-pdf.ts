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
import { renderChartScene } from '../charts/render-chart.ts';
import { chartNode, installChartDrawing } from '../charts/draw-chart.ts';
import { AccessibilityError } from './tagging/errors.ts';
import { compactPdf } from './tagging/compact.ts';
import { accessibleDefinition } from './tagging/document.ts';
import { installTagging } from './tagging/layer.ts';
import { useReportFonts } from '../charts/fonts.ts';
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
  EN_DASH,
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
  joinSwedish,
  MINUS,
  STATUS_LEGEND,
  statusText,
  swedishCollator,
  unitStyle,
} from './format.ts';
import type { AreaTypeBlock, AreaTypeIndicator, AreaTypeNumber, IndicatorBlock, MapBlock, ReportModel, SegregationBlock, SegregationPoint } from './model.ts';
import { REFORM_CHAPTER_TITLE, reformChapter, type ReformProgramme } from './reforms.ts';
import { keyFindings } from './key-findings.ts';
import { definitionLine, howToRead, readingAids } from './reading-aids.ts';
import { mapIntro, mapTexts } from './maps.ts';
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

export const REPORT_TITLE = 'Uppföljning av reformprogrammet för minskad segregation 2017–2025';
const TEXT = '#1a1a1a';
const GREY = '#595959';
const RULE = '#bfbfbf';
const PAGE_MARGINS: Margins = [57, 62, 57, 58];
/** Tables up to this many rows (of one line each) are kept on one page with their caption. */
const SHORT_TABLE = 12;

const require = createRequire(import.meta.url);
let pdfmakeReady: PdfMake | undefined;

function pdfmake(): PdfMake {
  if (pdfmakeReady) return pdfmakeReady;
  const pm = require('pdfmake') as PdfMake;
  const { paths, family } = useReportFonts();
  // Charts are drawn into the page by their own hook, in the document's fonts: body text and chart text share
  // one embedded subset per face.
  installChartDrawing((require('pdfmake/js/Renderer.js') as { default: { prototype: object } }).default, family);
  // After the chart hook: the tagging layer wraps it, so a chart is drawn inside its Figure (PDF/UA).
  installTagging();
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
  /** The area-type method's details (the year's cut, the comparison, the change rule), laid out in bilaga A. */
  areaTypeMethod?: string[];
  /** The reform chapter's sources, laid out in bilaga A. */
  reformSources?: ReturnType<typeof reformChapter>;
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
    { text: ctx.fit(`Tabell ${ctx.table}. ${caption}`), style: 'caption', margin: [0, 8, 0, 4] },
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
  return { stack, margin: [0, 0, 0, 8], unbreakable: keepTogether };
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
  const parts = Math.min(maxParts, rows.length > 60 ? 3 : rows.length > 16 ? 2 : 1);
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
  const stack: Content[] = [
    { text: ctx.fit(`Tabell ${ctx.table}. ${caption}`), style: 'caption', margin: [0, 8, 0, 4] },
    { columns, columnGap: 14 },
  ];
  if (note) stack.push({ text: ctx.fit(note), style: 'note', margin: [0, 3, 0, 0] });
  // Rows of one short line (a name and a value or two): 30 of them take under half a page, so the caption stays with
  // its table; longer parts may break.
  return { stack, margin: [0, 0, 0, 8], unbreakable: per <= 30 };
}

/** For a chart's alt text (its Figure's /Alt): the lowest and highest kommun, from the chart's own numbers. */
function rangeAlt(rows: readonly { name: string; value: number | null }[], unit: IndicatorBlock['unit']): string {
  const valid = rows.filter((r): r is { name: string; value: number } => r.value !== null).sort((a, b) => a.value - b.value);
  const lo = valid[0];
  const hi = valid[valid.length - 1];
  if (!lo || !hi || valid.length < 2) return '';
  return ` Lägst ${lo.name} (${formatCell(lo.value, unit)}), högst ${hi.name} (${formatCell(hi.value, unit)}), ${formatNumber(valid.length, 0)} kommuner med värde.`;
}

/** For a line chart's alt text: the first and the latest value with their years. */
function seriesAlt(series: readonly { year: number; value: number | null }[], unit: IndicatorBlock['unit']): string {
  const first = firstValid(series);
  const last = lastValid(series);
  if (!first || !last || first.year === last.year) return '';
  return ` Värdet ${formatCell(first.value, unit)} år ${first.year} och ${formatCell(last.value, unit)} år ${last.year}.`;
}

async function figure(ctx: Ctx, chart: ChartDef, caption: string, alt: string): Promise<StackNode> {
  // Drawn straight onto the page when pdfmake renders it (charts/draw-chart.ts), not through an SVG string.
  const scene = await renderChartScene(chart.spec, chart.data);
  ctx.figure++;
  // Small multiples of one or two panels are narrower than the text: drawn at their own size, not blown up.
  const node: SvgNode = chartNode(scene, Math.min(CHART_WIDTH, scene.width), ctx.fit(alt));
  return {
    unbreakable: true,
    margin: [0, 6, 0, 10],
    stack: [{ text: ctx.fit(`Figur ${ctx.figure}. ${caption}`), style: 'caption', margin: [0, 0, 0, 4] }, node],
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
  if (fromModel) return fromModel.text;
  if (c in MESSAGES) return message(c as keyof typeof MESSAGES);
  return c;
}

function lastValid<T extends { year: number; value: number | null }>(series: readonly T[]): (T & { value: number }) | undefined {
  return [...series].sort((a, b) => a.year - b.year).filter((p): p is T & { value: number } => p.value !== null).pop();
}

function firstValid<T extends { year: number; value: number | null }>(series: readonly T[]): (T & { value: number }) | undefined {
  return [...series].sort((a, b) => a.year - b.year).find((p): p is T & { value: number } => p.value !== null);
}

// ---- Parts of the report. ----

const KICKER: Record<ReportModel['scope']['level'], string> = {
  riket: 'Nationell uppföljning',
  lan: 'Uppföljning för länet',
  kommun: 'Uppföljning för kommunen',
};

function titlePage(ctx: Ctx): Content[] {
  const m = ctx.model;
  const scope = m.scope.level === 'riket' ? 'Riket' : m.scope.name;
  const out: Content[] = [
    { text: KICKER[m.scope.level], style: 'kicker', margin: [0, 90, 0, 8] },
    { text: ctx.fit(REPORT_TITLE), style: 'title' },
    { text: ctx.fit(`${scope} ${EN_DASH} rapportår ${m.year}`), style: 'subtitle', margin: [0, 14, 0, 0] },
    { text: ctx.fit(`Sammanställd ${formatDate(m.generated_at)}`), style: 'body', color: GREY, margin: [0, 6, 0, 36] },
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
                { text: ctx.fit(message('W301_DEMO_DATA')), fontSize: 16, bold: true, color: ACCENT },
                {
                  text: ctx.fit(
                    'Alla siffror i den här rapporten är syntetiska. De är framtagna för att visa och pröva verktyget och ' +
                      'beskriver inte verkliga förhållanden i någon kommun, något län eller riket.',
                  ),
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
      margin: [0, 0, 0, 30],
    });
  }
  out.push({
    text: ctx.fit(
      `Rapporten följer upp utvecklingen ${scopePhrase(m.scope)} inom reformprogrammets fem områden ${EN_DASH} boende, ` +
        `utbildning, arbete, demokrati och civilsamhälle samt brottslighet ${EN_DASH} och redovisar hur boendesegregationen ` +
        `har förändrats. Siffrorna kommer från SCB och Kolada; metod, källor och förbehåll finns i bilaga A.`,
    ),
    style: 'body',
    color: GREY,
    pageBreak: 'after',
  });
  return out;
}

function tocPage(ctx: Ctx): Content[] {
  return [
    {
      toc: {
        title: { text: 'Innehåll', style: 'h1' },
        outlines: true,
        textStyle: { fontSize: 10.5, bold: true },
        numberStyle: { fontSize: 10.5 },
        textMargin: [0, 5, 0, 1],
      },
    },
    { text: 'Om uppgifterna', style: 'h3', margin: [0, 18, 0, 3] },
    para(ctx, aboutData(ctx)),
  ];
}

/**
 * What a reader needs before the numbers, in the main part; the method itself is bilaga A. (New wording, to move
 * into templates/ with the rest of the report's sentences.)
 */
function aboutData(ctx: Ctx): string {
  const m = ctx.model;
  return (
    `Siffrorna kommer från SCB och Kolada och gäller ${m.scope.level === 'riket' ? 'riket' : m.scope.name} ${EN_DASH} se bilaga A för källor, ` +
    `förbehåll och hur förändringar bedöms. Värden som vilar på färre än ${formatNumber(m.disclosure_threshold, 0)} personer redovisas inte, ` +
    'och saknade värden räknas aldrig som noll; tabellerna använder SCB:s teckenförklaring (bilaga A). Varje indikators definition, ' +
    'population, enhet och källa står i bilaga B, och siffrorna bakom varje diagram i bilaga C. Excelfilen som följer med rapporten har ' +
    'alla tabeller, också de som gäller alla kommuner.'
  );
}

function summaryChapter(ctx: Ctx, n: number): Content[] {
  const s = buildSummary(ctx.model);
  // Right under the key findings, on the same page when it fits.
  const out: Content[] = [{ ...h1(ctx, `${n} Sammanfattning`, false), margin: [0, 14, 0, 10] }];
  for (const line of s.overview) out.push(para(ctx, line));
  // Each policy area's sentences open its own chapter (one line per indicator there), so they are not repeated here.
  // Each heading kept with its first point, the rest free to run on to the next page.
  const list = (title: string, items: readonly string[]): Content[] => {
    const nodes = items.map((x) => para(ctx, x, { margin: [0, 0, 0, 3] }));
    return [{ stack: [{ text: title, style: 'h3' }, { ul: nodes.slice(0, 1), style: 'body', margin: [0, 0, 0, 0] }], unbreakable: true }, ...(nodes.length > 1 ? [{ ul: nodes.slice(1), style: 'body' }] : [])];
  };
  if (s.segregation.length) out.push(...list('Boendesegregation', s.segregation));
  if (s.area_types.length) out.push(...list('Områdestyper', s.area_types));
  return out;
}

function yearsOf(series: readonly { year: number }[]): string {
  const ys = series.map((p) => p.year);
  return ys.length ? formatYearRange(Math.min(...ys), Math.max(...ys)) : '';
}

/** `fullNote`: the first such table explains its columns; later ones refer back to it. */
function latestTable(ctx: Ctx, title: string, blocks: readonly IndicatorBlock[], fullNote: boolean): StackNode {
  const scope = ctx.model.scope.level === 'riket' ? 'riket' : ctx.model.scope.name;
  const ranked = blocks.some((b) => b.rank);
  const rows = blocks.map((b) => {
    const style = unitStyle(b.unit);
    const first = firstValid(b.series);
    const last = lastValid(b.series);
    // The difference of the printed values, so the row adds up for a reader with a pencil.
    const change = first && last && first.year !== last.year ? formatSigned(printedDiff(first.value, last.value, style.decimals), style.decimals) : '..';
    const trend = indicatorTrend(b);
    const prices = b.prices ? (b.prices.basis === 'constant' ? `, fasta priser${b.prices.base_year !== null ? ` ${b.prices.base_year}` : ''}` : ', löpande priser') : '';
    const r = b.rank;
    return [
      { text: ctx.fit(`${b.title_sv} (${b.unit}${prices})`) },
      numberCell(ctx, first ? `${formatCell(first.value, b.unit)} (${first.year})` : '..'),
      numberCell(ctx, last ? `${formatCell(last.value, b.unit)} (${last.year})` : '..'),
      numberCell(ctx, change),
      { text: ctx.fit(trendWord(trend)) },
      ...(ranked ? [numberCell(ctx, r && r.rank_riket !== null ? `${r.rank_riket} av ${r.n_riket}` : '..'), numberCell(ctx, r && r.rank_lan !== null ? `${r.rank_lan} av ${r.n_lan}` : '..')] : []),
    ];
  });
  const rankYear = blocks.find((b) => b.rank)?.rank?.year;
  if (fullNote) ctx.firstPolicyTable = ctx.table + 1;
  return table(
    ctx,
    `${title}: första och senaste år med värde, ${scope}`,
    ranked ? ['*', 'auto', 'auto', 'auto', 62, 'auto', 'auto'] : ['*', 'auto', 'auto', 'auto', 70],
    headerRow(ctx, ['Indikator (enhet)', 'Första värde (år)', 'Senaste värde (år)', 'Förändring', 'Bedömning', ...(ranked ? ['Plats i riket', 'Plats i länet'] : [])], ranked ? [1, 2, 3, 5, 6] : [1, 2, 3]),
    rows,
    !fullNote
      ? `Kolumnerna förklaras under tabell ${ctx.firstPolicyTable ?? ''}. Definition, population, källa och förbehåll: bilaga B.`
      : 'Förändringen är skillnaden mellan de avrundade värdena i tabellen, i indikatorns enhet; för andelar i procent är det ' +
      'procentenheter. Bedömning: en förändring är tydlig först när den är större än den minsta förändring som har betydelse ' +
      'för indikatorn och än den slumpmässiga osäkerheten (bilaga A). Vid brott i serien bedöms bara ' +
      'åren med samma definition.' +
      (ranked ? ` Plats ${rankYear ?? ''} bland kommunerna med värde, 1 = högst värde (om högt är bra beror på indikatorn); delade platser står i bilaga B.` : '') +
      ' Definition, population, källa och förbehåll för varje indikator: bilaga B.',
  );
}

/** The verdict column of the first-and-latest tables: the comparable part's verdict across a break. */
function trendWord(trend: Trend | null): string {
  if (!trend) return '..';
  const v = trend.verdict === 'increase' ? 'tydlig ökning' : trend.verdict === 'decrease' ? 'tydlig minskning' : 'ej säkerställd';
  return trend.crossed ? `${v} (${formatYearRange(trend.comparable?.from.year ?? trend.whole.from.year, trend.comparable?.to.year ?? trend.whole.to.year)})` : v;
}

function lineNumbersTable(ctx: Ctx, caption: string, block: IndicatorBlock): StackNode {
  const rows = [...block.series]
    .sort((a, b) => a.year - b.year)
    .map((p) => [
      String(p.year),
      numberCell(ctx, formatCell(p.value, block.unit, p.status)),
      { text: ctx.fit(formatAreaVersion(p.area_version)) },
      { text: ctx.fit(statusText(p.status)) },
    ]);
  return table(ctx, caption, [34, 50, 110, '*'], headerRow(ctx, ['År', 'Värde', 'Områdesindelning', 'Anmärkning'], [1]), rows);
}

/** `withKommuner` false (riket): the 290 kommun rows are in the workbook (sheet Kommuner), not in the PDF. */
function spreadNumbersTable(ctx: Ctx, caption: string, block: IndicatorBlock, withKommuner: boolean): StackNode {
  const out: Content[] = [];
  const lanRows = [...block.by_lan]
    .sort((a, b) => swedishCollator.compare(a.name, b.name))
    .map((l) => [{ text: ctx.fit(l.name) }, numberCell(ctx, formatCell(l.value, block.unit, l.status))]);
  if (lanRows.length) {
    out.push(balancedTables(ctx, `${caption}: län`, ['*', 'auto'], headerRow(ctx, ['Län', 'Värde'], [1]), lanRows));
  }
  // Kommun names are unique, so an alphabetical list is the quickest lookup; the chart already groups by län.
  const kRows = [...block.by_kommun]
    .sort((a, b) => swedishCollator.compare(a.name, b.name))
    .map((k) => [{ text: ctx.fit(k.name) }, numberCell(ctx, formatCell(k.value, block.unit, k.status))]);
  if (kRows.length && withKommuner) {
    out.push(balancedTables(ctx, `${caption}: kommuner`, ['*', 'auto'], headerRow(ctx, ['Kommun', 'Värde'], [1]), kRows));
  }
  return { stack: out };
}

/**
 * What the main part no longer prints beside the chart, for bilaga B: the indicator's full description, its rank,
 * caveats, definition, population, unit and source.
 */
function indicatorDetails(ctx: Ctx, block: IndicatorBlock, shownCaveats: Set<string>): Content {
  const m = ctx.model;
  const scopeName = m.scope.level === 'riket' ? 'Riket' : m.scope.name;
  const text = describeIndicator(block, { scopePhrase: scopePhrase(m.scope), reportYear: m.year });
  const lanName = block.comparison_series?.find((c) => c.level === 'lan')?.name;
  const rank = block.rank ? comparisonCaption({ rank: block.rank }, scopeName, lanName).trim() : '';
  // A caveat shared by several indicators (the DeSO sums of every housing indicator) is printed at its first.
  const caveats = [...new Set(block.caveats.map((c) => caveatText(ctx, c)))].filter((c) => !shownCaveats.has(c));
  for (const c of caveats) shownCaveats.add(c);
  return {
    stack: [
      { text: ctx.fit(block.title_sv), style: 'h3' },
      para(ctx, [...text, ...(rank ? [rank] : [])].join(' '), { margin: [0, 0, 0, 2] }),
      ...caveats.map((c) => para(ctx, `Observera: ${c}`, { style: 'note', margin: [0, 2, 0, 0] })),
      { text: ctx.fit(definitionLine(block)), style: 'note', margin: [0, 2, 0, 0] },
      { text: ctx.fit(`Källa: ${block.source}.`), style: 'note', margin: [0, 2, 0, 4] },
    ],
    unbreakable: true,
  };
}

/** Riket and län reports: where the kommuner (and län) lie in the latest year, one chart per indicator. */
async function spreadFigure(ctx: Ctx, block: IndicatorBlock): Promise<Content[]> {
  const m = ctx.model;
  const scopeName = m.scope.level === 'riket' ? 'Riket' : m.scope.name;
  const unit = unitStyle(block.unit).label;
  const latest = lastValid(block.series);
  const kYear = block.latest_year ?? latest?.year;
  const ref = block.series.find((p) => p.year === kYear);
  // The riket report's 290 kommun rows are in the workbook; a län report's few stay in bilaga C.
  const kommunRows = m.scope.level !== 'riket';
  const where = kommunRows ? 'Siffrorna finns i bilaga C.' : 'Siffrorna finns i bilaga C (länen) och i Excelfilen (bladet Kommuner, kommunerna).';
  if (block.by_lan.filter((l) => l.value !== null).length >= 2) {
    const nK = block.by_kommun.filter((k) => k.value !== null).length;
    const noLan = block.by_lan.filter((l) => l.value === null).map((l) => l.name);
    const caption =
      `${block.title_sv} per län och kommun ${kYear ?? ''}. ${unit}. Punkter: kommuner (${formatNumber(nK, 0)} med värde). ` +
      `Svart streck: länet. Streckad linje: ${scopeName.toLowerCase() === 'riket' ? 'riket' : scopeName}.` +
      (noLan.length ? ` Värde saknas för ${joinSwedish(noLan)}.` : '') +
      ` ${where}`;
    const alt = `Punktdiagram över ${block.title_sv.toLowerCase()} ${kYear ?? ''} i kommuner, ordnade efter län.${rangeAlt(block.by_kommun, block.unit)} ${where}`;
    const fig = await figure(ctx, kommunSpreadChart(block, { name: scopeName, value: ref?.value ?? null }), caption, alt);
    const n = ctx.figure;
    ctx.appendix.push(() => spreadNumbersTable(ctx, `Siffrorna i figur ${n}: ${block.title_sv} ${kYear ?? ''}`, block, kommunRows));
    return [fig];
  }
  if (block.by_kommun.filter((k) => k.value !== null).length >= 2) {
    // A län report has no län rows: rank its kommuner instead.
    const missing = block.by_kommun.filter((k) => k.value === null).map((k) => k.name);
    const caption = `${block.title_sv} per kommun ${kYear ?? ''}. ${unit}. Streckad linje: ${scopeName}.` + (missing.length ? ` Värde saknas för ${joinSwedish(missing)}.` : '');
    const alt = `Punktdiagram över ${block.title_sv.toLowerCase()} ${kYear ?? ''} per kommun, ordnade efter värde.${rangeAlt(block.by_kommun, block.unit)} Siffrorna finns i bilaga C.`;
    const fig = await figure(ctx, kommunRankChart(block, { name: scopeName, value: ref?.value ?? null }), caption, alt);
    const n = ctx.figure;
    ctx.appendix.push(() => spreadNumbersTable(ctx, `Siffrorna i figur ${n}: ${block.title_sv} ${kYear ?? ''}`, block, true));
    return [fig];
  }
  return [];
}

/**
 * A policy area on about a page: one line per indicator (summary.ts), its indicators as small multiples with the län
 * and riket lines, and the first/latest/change/verdict table; in riket and län reports the kommun spread charts.
 */
async function policyChapter(ctx: Ctx, n: number, ch: ReportModel['chapters'][number], sentences: readonly string[]): Promise<Content[]> {
  const m = ctx.model;
  const scopeName = m.scope.level === 'riket' ? 'Riket' : m.scope.name;
  const scopeLabel = m.scope.level === 'riket' ? 'riket' : m.scope.name;
  const head: Content[] = [h1(ctx, `${n} ${ch.title_sv}`, false)];
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
      (similar ? ` Grått fält: lägsta till högsta värde bland ${formatNumber(similar.members.length, 0)} liknande kommuner (Kolada, ${similar.group_title}).` : '') +
      (compared || similar ? ' Jämförelsernas värden finns i Excelfilen (bladet Jämförelser per år).' : '');
    const breaks = drawn.some((b) => breakRows(b.series, b.breaks ?? []).length > 0) ? ' Streckad lodrät linje: brott i serien (ny områdesindelning eller definition), se bilaga A.' : '';
    const caption =
      `${ch.title_sv}: ${drawn.length === 1 ? 'indikatorn' : `${formatNumber(drawn.length, 0)} indikatorer`} per år, ${scopeLabel} ${range}. ` +
      `Varje ruta har sin egen skala; enheten står under namnet.${key}${breaks} Siffrorna finns i bilaga C.`;
    const alt =
      `Linjediagram, en ruta per indikator (${drawn.map((b) => b.title_sv.toLowerCase()).join('; ')}) ${scopePhrase(m.scope)} ${range}.` +
      drawn.map((b) => seriesAlt(b.series, b.unit).replace(' Värdet', ` ${b.title_sv}:`)).join('') +
      ' Siffrorna finns i bilaga C.';
    const fig = await figure(ctx, indicatorPanelsChart(drawn, scopeName), caption, alt);
    const num = ctx.figure;
    for (const b of drawn) ctx.appendix.push(() => lineNumbersTable(ctx, `Siffrorna i figur ${num}: ${b.title_sv}, ${scopeLabel} ${yearsOf(b.series)}`, b));
    // Heading and figure on one page: a heading never ends a page.
    out.push({ stack: [...head, fig], unbreakable: true });
    for (const b of ch.indicators.filter((x) => !drawn.includes(x))) {
      out.push(para(ctx, `Diagram saknas för ${b.title_sv.charAt(0).toLowerCase()}${b.title_sv.slice(1)} eftersom inga värden finns för något år.`, { style: 'note' }));
    }
  } else {
    out.push({ stack: [...head, para(ctx, 'Diagram saknas eftersom inga värden finns för något år.', { style: 'note' })], unbreakable: true });
  }
  out.push(latestTable(ctx, ch.title_sv, ch.indicators, n === ctx.firstPolicyChapter));
  for (const block of ch.indicators) out.push(...(await spreadFigure(ctx, block)));
  return out;
}

function segregationYearTable(ctx: Ctx, series: readonly SegregationPoint[], unitLevel: SegregationBlock['unit_level'], caption: string): StackNode {
  const withExpected = series.some((p) => p.expected !== undefined && p.expected !== null);
  const withInterval = series.some((p) => intervalText(p) !== null);
  const rows = [...series]
    .sort((a, b) => a.year - b.year)
    .map((p) => [
      String(p.year),
      numberCell(ctx, formatCell(p.value, 'index', p.value === null ? p.status : null)),
      ...(withExpected ? [numberCell(ctx, formatCell(p.expected ?? null, 'index'))] : []),
      ...(withInterval ? [numberCell(ctx, intervalText(p) ?? '..')] : []),
      numberCell(ctx, formatNumber(p.n_units, 0)),
      { text: ctx.fit(p.area_version ? formatAreaVersion(p.area_version) : unitLevelName(unitLevel)) },
      { text: ctx.fit(statusText(p.status) || (p.status === 'ok' ? '' : p.status)) },
    ]);
  const cells = ['År', 'Index', ...(withExpected ? ['Förväntat vid slump'] : []), ...(withInterval ? ['95 % intervall'] : []), 'Antal områden', 'Indelning', 'Status'];
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
    { text: ctx.fit(componentLabel(c)), bold: c === 'total' },
    ...years.flatMap((y, i) => {
      const t = y.terms.find((x) => x.component === c);
      const share = shares[i]?.get(c) ?? null;
      return [
        numberCell(ctx, formatCell(t?.M ?? null, 'index', null, 4)),
        numberCell(ctx, formatCell(t?.H ?? null, 'index', null, 4)),
        numberCell(ctx, share === null ? '..' : formatPercent(share, 1)),
      ];
    }),
  ]);
  const header = ['Del', ...years.flatMap((y) => [`M ${y.year}`, `H ${y.year}`, `Andel ${y.year}`])];
  return table(
    ctx,
    `${measureLabel(block.measure)}, ${block.groups}: uppdelning av segregationen i riket på län, kommuner och områden inom kommunerna (${unitLevelName(dec.unit_level)})`,
    ['*', ...years.flatMap(() => [44, 44, 50])],
    headerRow(ctx, header, header.map((_, i) => i).slice(1)),
    rows,
    'M är ömsesidig information (i nat) och H = M delat med entropin för hela landet; delarna summerar till totalen, så ' +
      'andelarna är desamma för M och H. Mellan län: hur olika länen är; mellan kommuner i samma län: hur olika ' +
      `kommunerna inom länen är; inom kommunerna: hur ojämnt grupperna fördelas över ${unitLevelName(dec.unit_level)} i varje kommun.`,
  );
}

const KOMMUN_VERDICT: Record<Verdict, string> = { increase: '+', decrease: MINUS, none: '0' };

function segregationKommunTable(ctx: Ctx, block: SegregationBlock, caption: string): StackNode {
  const rows = [...block.by_kommun]
    .sort((a, b) => swedishCollator.compare(a.name, b.name))
    .map((k) => [
      { text: ctx.fit(k.name) },
      numberCell(ctx, formatCell(k.first_value, 'index')),
      numberCell(ctx, formatCell(k.value, 'index', k.value === null ? k.status : null)),
      numberCell(ctx, k.value !== null && k.first_value !== null ? formatSigned(printedDiff(k.first_value, k.value, 3), 3) : '..'),
      { text: k.value !== null && k.first_value !== null ? KOMMUN_VERDICT[kommunChangeVerdict({ ...k, value: k.value, first_value: k.first_value }, 3).verdict] : '..' },
      numberCell(ctx, formatNumber(k.n_units, 0)),
    ]);
  return balancedTables(
    ctx,
    caption,
    ['*', 'auto', 'auto', 'auto', 'auto', 'auto'],
    headerRow(ctx, ['Kommun', 'Första år', 'Senaste år', 'Förändring', 'Bedömning', 'Områden'], [1, 2, 3, 5]),
    rows,
    'Förändringen är skillnaden mellan de avrundade värdena. Bedömning: + säkerställd ökning, − säkerställd minskning, ' +
      '0 ingen säkerställd förändring (inom osäkerheten enligt bootstrapintervallen, eller bara efter bytet av områdesindelning). ' +
      `Kommuner med färre än ${FEW_UNITS} områden har mycket osäkra index.`,
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
      if (last && intervalText(last) !== null) withInterval = true;
      rows.push([
        { text: ctx.fit(`${measureLabel(b.measure)}, ${b.groups}`) },
        { text: ctx.fit(unitLevelName(level)) },
        numberCell(ctx, first ? `${formatCell(first.value, 'index')} (${first.year})` : '..'),
        numberCell(ctx, last ? `${formatCell(last.value, 'index')} (${last.year})` : '..'),
        numberCell(ctx, last ? formatCell(last.expected ?? null, 'index') : '..'),
        numberCell(ctx, last ? (intervalText(last) ?? '..') : '..'),
        numberCell(ctx, last ? formatNumber(last.n_units, 0) : '..'),
      ]);
    }
  }
  // Columns nobody has values for say nothing: left out.
  const keep = [0, 1, 2, 3, ...(withExpected ? [4] : []), ...(withInterval ? [5] : []), 6];
  const cells = ['Index och grupper', 'Områden', 'Första värde (år)', 'Senaste värde (år)', 'Förväntat vid slump', '95 % intervall', 'Antal områden'];
  const widths: (number | string)[] = ['*', 44, 'auto', 'auto', 50, 'auto', 44];
  return table(
    ctx,
    `Segregationsindex, ${scopeName}: första och senaste år med värde`,
    keep.map((i) => widths[i] ?? 'auto'),
    headerRow(ctx, keep.map((i) => cells[i] ?? ''), keep.map((_, k) => k).filter((k) => k >= 2)),
    rows.map((r) => keep.map((i) => r[i] ?? '')),
    'Förväntat vid slump, intervall och antal områden gäller det senaste året. Värdena per år, med status, finns i bilaga C. ' +
      'Jämför bara värden över samma områdesindelning.',
  );
}

async function segregationChapter(ctx: Ctx, n: number): Promise<Content[]> {
  const m = ctx.model;
  const scopeLabel = m.scope.level === 'riket' ? 'riket' : m.scope.name;
  const head: Content[] = [h1(ctx, `${n} Segregation`, false)];
  head.push(
    para(
      ctx,
      'Kapitlet redovisar hur jämnt grupper är fördelade över bostadsområden (DeSO eller RegSO). Olikhetsindex D anger ' +
        'hur stor andel av den ena gruppen som skulle behöva flytta för att fördelningen skulle bli densamma i alla områden; ' +
        'entropiindex H mäter samma ojämnhet med informationsteori. För båda betyder högre värde mer segregation. ' +
        'Exponeringsindex anger hur stor andel av grannarna som tillhör den andra gruppen; där betyder högre värde mindre segregation.',
    ),
  );
  const notes: Content[] = [para(ctx, caveatText(ctx, 'W206_SMALL_UNIT_BIAS'), { style: 'note' })];
  if (m.segregation.some((b) => [...b.series, ...(b.other_unit_level?.series ?? [])].some((p) => intervalText(p) !== null))) {
    notes.push(
      para(
        ctx,
        // The measures stage's own account of its intervals (methodText, which names the draws), so the text says
        // what the code does.
        m.segregation_method ??
          'Intervallen är bootstrapintervall (95 %).' +
            (m.bootstrap_draws !== undefined ? ` De bygger på ${formatNumber(m.bootstrap_draws, 0)} dragningar${m.bootstrap_draws < 100 ? ', så gränserna är ungefärliga' : ''}.` : ''),
        { style: 'note' },
      ),
    );
  }
  const label = (b: SegregationBlock): string => `${measureLabel(b.measure)}, ${b.groups}`;
  // One line per index here; the full account of each (changes with the same division, the break) is in bilaga B.
  const texts: Content = { ul: m.segregation.map((b) => para(ctx, summarizeSegregation(b), { margin: [0, 0, 0, 3] })), style: 'body' };
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
    const read = measures.map((mm) => howToRead(drawn.find((b) => b.measure === mm) as SegregationBlock)).join('');
    const key =
      (other ? ' Blå linje: DeSO; orange linje: RegSO.' : ` Blå linje: ${unitLevelName(drawn[0]?.unit_level ?? 'deso')}.`) +
      (expected ? ' Grå streckad linje: förväntat vid slumpmässig fördelning.' : '') +
      (crossed ? ' Streckad lodrät linje: ny områdesindelning.' : '');
    const fig = await figure(
      ctx,
      segregationPanelsChart(drawn, label),
      `Segregationsindex per år, ${scopeLabel} ${range}; en ruta per index, var och en med sin egen skala.${key} Siffrorna finns i bilaga C.${read}`,
      `Linjediagram, en ruta per segregationsindex (${drawn.map((b) => label(b).toLowerCase()).join('; ')}) ${scopePhrase(m.scope)} ${range}.` +
        drawn.map((b) => seriesAlt(b.series, 'index').replace(' Värdet', ` ${measureLabel(b.measure)}, ${b.groups}:`)).join('') +
        ' Siffrorna finns i bilaga C.',
    );
    const num = ctx.figure;
    out.push(fig);
    for (const b of drawn) {
      const own = `${label(b)}, ${unitLevelName(b.unit_level)}`;
      ctx.appendix.push(() => segregationYearTable(ctx, b.series, b.unit_level, `Siffrorna i figur ${num}: ${own}, värde, antal områden och status per år`));
      const o = b.other_unit_level;
      if (o) ctx.appendix.push(() => segregationYearTable(ctx, o.series, o.unit_level, `Siffrorna i figur ${num}: ${label(b)}, ${unitLevelName(o.unit_level)}, värde, antal områden och status per år`));
    }
  }
  out.push(segregationOverviewTable(ctx, m.segregation, scopeLabel));
  for (const block of m.segregation) {
    const dec = decompositionTable(ctx, block);
    if (dec) out.push(dec);
    // One kommun's own value is already in the table above; a list needs at least two. The riket report's 290 rows
    // are in the workbook (sheet Segregation per kommun).
    if (block.by_kommun.length >= 2 && m.scope.level !== 'riket') {
      ctx.appendix.push(() => segregationKommunTable(ctx, block, `${label(block)}, ${unitLevelName(block.unit_level)}: kommunernas värden`));
    }
  }
  if (m.scope.level === 'riket' && m.segregation.some((b) => b.by_kommun.length >= 2)) {
    out.push(para(ctx, 'Varje kommuns index, första och senaste år med förändring och bedömning, finns i Excelfilen (bladet Segregation per kommun).', { style: 'note' }));
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
      numberCell(ctx, formatNumber(p.n_areas, 0)),
      numberCell(ctx, formatCell(p.population, 'antal', p.population === null ? '..' : null, 0)),
      numberCell(ctx, formatCell(p.share, 'procent', p.share === null ? '..' : null)),
    ];
  };
  // The short names fit one line; the official names are in the text above the table.
  const rows: Content[][] = keys.map((t) => [{ text: ctx.fit(t === null ? 'Utan områdestyp' : areaTypeShortName(t)) }, ...shown.flatMap((y) => cell(y, t))]);
  rows.push([
    { text: 'Totalt', bold: true },
    ...shown.flatMap((y) => {
      const ps = block.population.filter((p) => p.year === y);
      const pop = ps.reduce((a, p) => a + (p.population ?? 0), 0);
      return [
        numberCell(ctx, formatNumber(ps.reduce((a, p) => a + p.n_areas, 0), 0)),
        numberCell(ctx, formatNumber(pop, 0)),
        numberCell(ctx, formatNumber(100, 1)),
      ];
    }),
  ]);
  const header = ['Områdestyp', ...shown.flatMap((y) => [`RegSO ${y}`, `Invånare ${y}`, `Andel ${y}`])];
  const partial = block.population.some((p) => shown.includes(p.year) && p.n_missing_population > 0);
  return table(
    ctx,
    `Invånare per områdestyp, ${scopeName} ${shown.join(' och ')}`,
    ['*', ...shown.flatMap(() => [36, 54, 42])],
    headerRow(ctx, header, header.map((_, i) => i).slice(1)),
    rows,
    'Andel i procent av invånarna i områdets RegSO.' + (partial ? ' Folkmängd saknas för några RegSO; deras invånare ingår inte.' : ''),
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
      return numberCell(ctx, p ? formatCell(p.share, 'procent', p.share === null ? '..' : null) : '..');
    }),
  ]);
  const header = ['År', ...keys.map((t) => (t === null ? 'Utan typ' : `Typ ${t}`))];
  return table(ctx, caption, [34, ...keys.map(() => '*')], headerRow(ctx, header, header.map((_, i) => i).slice(1)), rows, 'Procent av invånarna.');
}

const BY_TYPE_SYMBOL: Record<string, string | null> = { no_areas: '.', missing: '..', suppressed: ':' };

/** An indicator's name with its year and base year where they differ from the table's own. */
function gapRowName(ind: AreaTypeIndicator, year: number | undefined, base: number | null | undefined): string {
  const notes = [
    ...(ind.year !== year ? [String(ind.year)] : []),
    // base null: the table has no base-year column, so the base year is not a note.
    ...(base !== null && ind.base_year !== null && ind.base_year !== base ? [`basår ${ind.base_year}`] : []),
  ];
  return notes.length ? `${ind.title_sv} (${notes.join(', ')})` : ind.title_sv;
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
  const [focus, reference] = areaTypeGroupHeaders(first);
  const rows = inds.map((i) => {
    // Every difference from the values as printed: the gap is the difference of the two value columns, the change
    // the difference of the two gap columns.
    const gapNow = printedGap(i, 'latest');
    const gapThen = printedGap(i, 'base');
    const diff = gapNow === null || gapThen === null || i.year === i.base_year ? null : printedDiff(gapThen, gapNow, 1);
    return [
      { text: ctx.fit(gapRowName(i, year, base)) },
      numberCell(ctx, formatCell(i.value_focus, i.unit)),
      numberCell(ctx, formatCell(i.value_reference, i.unit)),
      numberCell(ctx, formatCell(gapNow, i.unit)),
      numberCell(ctx, formatCell(gapThen, i.unit)),
      numberCell(ctx, diff === null ? '..' : formatSigned(diff, 1)),
      { text: ctx.fit(gapVerdictWord(gapVerdict(i))) },
    ];
  });
  const header = ['Indikator', focus, reference, 'Skillnad', `Skillnad ${base ?? 'basår'}`, 'Förändring', 'Bedömning'];
  const components = inds.some((i) => i.index_component);
  const rule = block.change_rule;
  return table(
    ctx,
    `Skillnaden mellan ${comparisonPhrase(first, level)}, ${scopeName} ${year ?? ''}, och dess förändring sedan ${base ?? 'basåret'}`,
    // Wide enough for "ingen säkerställd förändring" on two lines rather than three.
    ['*', 32, 32, 38, 44, 44, 76],
    headerRow(ctx, header, [1, 2, 3, 4, 5]),
    rows,
    `Procent; skillnad = ${focus.toLowerCase()} − ${reference.toLowerCase()} i procentenheter; skillnader och förändringar är räknade på de avrundade värdena. ` +
      (first.comparison === 'type1_vs_type5' ? '' : `${reference} är resten av området: invånarna i typerna räknas samman. `) +
      '"Minskat" betyder att avståndet till jämförelsegruppen har krympt (för indikatorer utan bestämd riktning: att skillnadens storlek har krympt)' +
      (rule
        ? `, och sägs bara när förändringen är större än ${gapMaterialityPhrase(block)} och större än ${formatNumber(rule.z, 2)} standardfel beräknade från antalen; annars "ingen säkerställd förändring".`
        : '.') +
      (components ? ' Indikatorerna märkta "index V1–V3" är de andelar som typerna bestäms av; att de skiljer sig mellan typerna följer av definitionen.' : ''),
  );
}

/** Every type's value per indicator (the gap chart's numbers), only the types the scope has. */
function areaTypeValuesTable(ctx: Ctx, block: AreaTypeBlock, caption: string, inds: readonly AreaTypeIndicator[]): StackNode {
  const types = ([1, 2, 3, 4, 5] as const).filter((t) => inds.some((i) => i.by_type.some((b) => b.area_type === t && b.status !== 'no_areas')));
  const year = mostCommon(inds.map((i) => i.year));
  const rows = inds.map((i) => [
    { text: ctx.fit(gapRowName(i, year, null)) },
    ...types.map((t) => {
      const b = i.by_type.find((x) => x.area_type === t);
      return numberCell(ctx, b ? formatCell(b.value, i.unit, b.value === null ? (BY_TYPE_SYMBOL[b.status] ?? b.status) : null) : '..');
    }),
  ]);
  const header = ['Indikator', ...types.map((t) => `Typ ${t}`)];
  return table(
    ctx,
    caption,
    ['*', ...types.map(() => 40)],
    headerRow(ctx, header, header.map((_, k) => k).slice(1)),
    rows,
    'Procent. "." betyder att området saknar RegSO av typen, ":" att värdet vilar på för få personer.',
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
    numberCell(ctx, formatCell(r.latest_index, 'procent')),
  ]);
  const header = ['RegSO', 'Kod', `Typ ${first ?? ''}`.trim(), `Typ ${latest ?? ''}`.trim(), `Index ${latest ?? ''}`.trim()];
  return balancedTables(
    ctx,
    `Regionala statistikområden (RegSO) i ${scopeName} och deras områdestyp, efter typ ${latest ?? ''}`.trimEnd(),
    ['*', 'auto', 'auto', 'auto', 'auto'],
    headerRow(ctx, header, [2, 3, 4]),
    rows,
    'Index: det socioekonomiska indexet (medelvärdet av V1–V3, procent). ".." betyder att RegSO saknade typ eller inte fanns det året.',
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
        { text: k === 0 ? ctx.fit(i.title_sv) : '' },
        numberCell(ctx, String(t)),
        ...years.map((y) => {
          const p = (i.trend ?? []).find((q) => q.year === y && q.area_type === t);
          return numberCell(ctx, p ? formatCell(p.value, i.unit, p.value === null ? (BY_TYPE_SYMBOL[p.status] ?? p.status) : null) : '..');
        }),
      ]);
    });
  }
  const header = ['Indikator', 'Typ', ...years.map(String)];
  return table(
    ctx,
    caption,
    ['*', 22, ...years.map(() => 30)],
    headerRow(ctx, header, header.map((_, k) => k).slice(1)),
    rows,
    'Procent. "." betyder att området saknade RegSO av typen det året, ":" att värdet vilar på för få personer.',
  );
}

async function areaTypesChapter(ctx: Ctx, n: number, block: AreaTypeBlock): Promise<Content[]> {
  const m = ctx.model;
  const scopeName = m.scope.level === 'riket' ? 'riket' : m.scope.name;
  const sp = scopePhrase(m.scope);
  const level = m.scope.level;
  const out: Content[] = [h1(ctx, `${n} Områdestyper`, false)];
  // What the types are stays here; the year's cut, the choice of comparison and the rule for a change go to bilaga A.
  const method = describeAreaTypeMethod(block);
  const here = method.filter((l, i) => i === 0 || l.startsWith('Typerna bestäms'));
  ctx.areaTypeMethod = method.filter((l) => !here.includes(l));
  for (const line of here) out.push(para(ctx, line));
  if (ctx.areaTypeMethod.length) out.push(para(ctx, 'Hur jämförelsen väljs och när en förändring av en skillnad räknas som tydlig står i bilaga A.', { style: 'note' }));
  // The heading and the method's first lines stay together.
  const opening = out.splice(0, 2);
  out.unshift({ stack: opening, unbreakable: true });
  for (const id of ['W214_AREA_TYPES_RELATIVE', 'W215_AREA_TYPE_UNCLASSIFIED', 'W216_BY_AREA_TYPE_SUMS'] as const) {
    if (m.caveats.some((c) => c.id === id)) out.push(para(ctx, caveatText(ctx, id), { style: 'note' }));
  }

  let sub = 1;
  out.push({ stack: [h2(ctx, `${n}.${sub++} Invånare per områdestyp`), para(ctx, describeAreaTypePopulation(block, sp).join(' '))], unbreakable: true });
  // Everyone in one type every year: the sentence says it all; a table of zeros and a bar per year at 100 % would not.
  if (singleAreaType(block) === null) {
    const popTable = areaTypePopulationTable(ctx, block, scopeName);
    if (popTable) out.push(popTable);
    // The shares of every year (the table has the first and the latest) are in bilaga C and the workbook; a stacked
    // bar per year would repeat the table on a third of a page.
    const years = populationYears(block);
    if (years.length > 2 && block.population.some((p) => (p.share ?? 0) > 0)) {
      const range = formatYearRange(years[0] ?? 0, years[years.length - 1] ?? 0);
      ctx.appendix.push(() => areaTypePopulationNumbers(ctx, block, `Andel av invånarna per områdestyp och år, ${scopeName} ${range}`));
    }
  }

  const comparison = areaTypeComparison(block);
  const heading =
    comparison === null || comparison.comparison === 'type1_vs_type5'
      ? 'Skillnader mellan områdestyp 1 och 5'
      : comparison.comparison === 'lowest_vs_rest'
        ? `Områdestyp ${comparison.focus_upto ?? ''} jämfört med resten av ${level === 'kommun' ? 'kommunen' : level === 'lan' ? 'länet' : 'riket'}`
        : 'Jämförelse mellan områdestyper';
  const intro = comparison && comparison.comparison !== 'type1_vs_type5' ? describeAreaTypeComparison(block, sp, level) : [];
  const gapText = [...intro, ...describeAreaTypeGaps(block, sp, level)].join(' ') || 'Inga indikatorer har värden per områdestyp.';
  out.push({ stack: [h2(ctx, `${n}.${sub++} ${heading}`), para(ctx, gapText)], unbreakable: true });
  // The chart first, then the table: the table may break across pages and so fills what the chart leaves.
  const gapTable = areaTypeGapTable(ctx, block, scopeName, level);
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
        areaTypeGapChart(charted, areaTypeLegendName),
        `Indikatorer per områdestyp, ${scopeName} ${year ?? ''}. Procent. Grått streck: skillnaden mellan ` +
          (rest && comparison ? `typ ${comparison.focus_upto ?? ''} och resten av området (svart streck).` : 'typ 1 och typ 5.') +
          ' Indexdelarna V1–V3 visas inte.',
        `Punktdiagram över ${formatNumber(charted.length, 0)} indikatorer med ett värde per områdestyp ${sp}. Siffrorna finns i bilagan.`,
      ),
    );
    const fig = ctx.figure;
    ctx.appendix.push(() => areaTypeValuesTable(ctx, block, `Siffrorna i figur ${fig}: indikatorer per områdestyp, ${scopeName} ${year ?? ''}`, charted));
  }
  if (gapTable) out.push(gapTable);

  // Trends by type, where the scope has at least two types with a series (a kommun with one type has nothing to add).
  const trended = areaTypeTrendIndicators(orderedIndicators({ ...block, indicators: gapIndicators(block) }));
  if (trended.length > 0) {
    const years = [...new Set(trended.flatMap((i) => (i.trend ?? []).map((p) => p.year)))].sort((a, b) => a - b);
    const range = formatYearRange(years[0] ?? 0, years[years.length - 1] ?? 0);
    // Years whose national cut is on another RegSO division than the year before (block.cuts carries the version).
    const cuts = [...block.cuts].sort((a, b) => a.year - b.year);
    const versionBreaks = cuts.filter((c, i) => i > 0 && c.area_version !== cuts[i - 1]?.area_version && c.year > (years[0] ?? 0) && c.year <= (years[years.length - 1] ?? 0));
    const breakText = versionBreaks
      .map((c) => ` Från ${c.year} är typerna skurna på ${c.area_version.replace(/^(RegSO|DeSO)(\d{4})$/, '$1 $2')} (streckad linje), så en förändring över bytet kan delvis bero på den nya indelningen och bedöms inte för sig.`)
      .join('');
    // Heading, text and figure on one page: the heading must not end a page with its figure on the next.
    out.push({
      stack: [
        h2(ctx, `${n}.${sub++} Utveckling per områdestyp`),
        para(
          ctx,
          `Figuren visar hur ${formatNumber(trended.length, 0)} indikatorer har utvecklats i varje områdestyp ${sp} ${range}. ` +
            'Varje år jämförs områdena med hela landet det året, så ett område kan byta typ mellan åren; en linje följer typen, inte samma områden.' +
            breakText,
        ),
        await figure(
          ctx,
          areaTypeTrendChart(trended, areaTypeLegendName, versionBreaks.map((c) => c.year)),
          `Indikatorer per områdestyp och år, ${scopeName} ${range}. Procent; varje ruta har sin egen skala.` +
            (versionBreaks.length > 0 ? ` Streckad linje: ny RegSO-indelning från ${versionBreaks.map((c) => c.year).join(' och ')}.` : ''),
          `Linjediagram, en ruta per indikator och en linje per områdestyp ${sp} ${range}. Siffrorna finns i bilagan.`,
        ),
      ],
      unbreakable: true,
    });
    const fig = ctx.figure;
    ctx.appendix.push(() => areaTypeTrendNumbers(ctx, `Siffrorna i figur ${fig}: indikatorer per områdestyp och år, ${scopeName} ${range}`, trended));
  }

  // The list of the kommun's RegSO is reference matter (2–4 pages in a big city): bilaga C and the workbook.
  if ((block.regso ?? []).length > 0) {
    out.push(para(ctx, `Kommunens ${formatNumber(block.regso?.length ?? 0, 0)} RegSO med sin områdestyp finns i bilaga C och i Excelfilen (bladet RegSO).`, { style: 'note' }));
    ctx.appendix.push(() => regsoTable(ctx, block, m.scope.name) ?? { stack: [] });
  }
  return out;
}

function methodChapter(ctx: Ctx, n: string): Content[] {
  const m = ctx.model;
  const out: Content[] = [h1(ctx, `Bilaga ${n} Metod och källor`)];
  out.push(
    para(
      ctx,
      `Röjandekontroll: värden som vilar på färre än ${formatNumber(m.disclosure_threshold, 0)} personer redovisas inte ` +
        'och markeras som skyddade. Saknade värden visas som saknade och räknas aldrig som noll.',
    ),
  );
  out.push(
    para(ctx, `Rapporten sammanställdes ${formatDateTime(m.generated_at)} av segfollow.${m.demo ? ` ${message('W301_DEMO_DATA')}.` : ''}`),
  );
  out.push(
    table(
      ctx,
      'Teckenförklaring',
      [40, '*'],
      headerRow(ctx, ['Tecken', 'Betydelse']),
      STATUS_LEGEND.map((l) => [{ text: l.symbol, bold: true }, { text: ctx.fit(l.text) }]),
    ),
  );
  out.push(h2(ctx, `${n}.1 Källor`));
  const sources = [...m.sources].sort((a, b) => a.source.localeCompare(b.source, 'sv') || swedishCollator.compare(a.table_id, b.table_id));
  out.push(
    table(
      ctx,
      'Källtabeller och hämtningar',
      [40, 70, '*', 96],
      headerRow(ctx, ['Källa', 'Tabell/KPI', 'Titel och adress', 'Hämtad']),
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
        { text: ctx.fit(formatDateTime(s.fetched_at)) },
      ]),
      'Varje siffra i rapporten kan spåras till hämtningen ovan genom manifestet och dataexporterna som följer med rapporten.',
      false, // rows of four lines: may break between rows rather than jump a page
      0, // the source's name repeats down the column: it labels no row
    ),
  );
  out.push(h2(ctx, `${n}.2 Förbehåll`));
  // Ordered by their stable ids, which stay in the manifest and the exports; the reader sees the text only.
  const caveats = [...m.caveats].sort((a, b) => a.id.localeCompare(b.id));
  out.push({ ul: caveats.map((c) => para(ctx, c.text, { margin: [0, 0, 0, 3] })), style: 'body' });
  out.push(...assessmentSection(ctx, `${n}.3`));
  let k = 5;
  if (ctx.areaTypeMethod?.length) {
    const [first, ...rest] = ctx.areaTypeMethod;
    out.push({ stack: [h2(ctx, `${n}.${k++} Områdestyperna`), para(ctx, first ?? '')], unbreakable: true }, ...rest.map((l) => para(ctx, l)));
  }
  if (ctx.reformSources) out.push(...reformBlocks(ctx, ctx.reformSources.map((b, i) => (i === 0 && b.kind === 'h2' ? { ...b, text: `${n}.${k++} ${b.text.replace('kapitlet', 'kapitlet Reformprogrammet')}` } : b))));
  // Reading aids (reading-aids.ts): the data lags and the scale for D, laid out like the reform chapter's blocks.
  for (const b of readingAids(m, `${n}.4`)) out.push(b.kind === 'h2' ? h2(ctx, b.text) : b.kind === 'para' ? para(ctx, b.text) : b.kind === 'list' ? { ul: b.items.map((x) => para(ctx, x)), style: 'body' } : table(ctx, b.caption, b.header.map((_, i) => (i === b.wide ? '*' : 'auto')), headerRow(ctx, b.header, b.numeric), b.rows.map((r) => r.map((c, i) => (b.numeric.includes(i) ? numberCell(ctx, c) : { text: ctx.fit(c) }))), b.note, b.rows.length <= SHORT_TABLE));
  return out;
}

/** How changes are judged: each indicator's materiality threshold and why, and the breaks in the series. */
function assessmentSection(ctx: Ctx, num: string): Content[] {
  const m = ctx.model;
  const blocks = m.chapters.flatMap((ch) => ch.indicators);
  const out: Content[] = [h2(ctx, `${num} Bedömning av förändringar och brott i serierna`)];
  out.push(
    para(
      ctx,
      'Varje förändring bedöms med tre utfall: tydlig ökning, tydlig minskning eller ingen säkerställd förändring. En förändring ' +
        'är tydlig först när skillnaden mellan de avrundade värdena är större än den minsta förändring som har betydelse för ' +
        'indikatorn (tabellen nedan) och, för andelar där antalet personer är känt, större än 1,96 gånger förändringens ' +
        'standardfel enligt binomialfördelningen. Bara tydliga förändringar kallas förbättring eller försämring och räknas i ' +
        'sammanfattningen. Ett segregationsindex har ökat eller minskat bara när hela intervallet för skillnaden ligger på samma ' +
        'sida om noll. För kommunernas index prövas skillnaden mot den osäkerhet som de två årens intervall anger, och över bytet ' +
        'av områdesindelning räknas den bara om den syns redan med den gamla indelningen. En förändring över ett brott i serien ' +
        'bedöms aldrig för sig: då bedöms bara åren med samma definition eller indelning.',
    ),
  );
  const judged = blocks.filter((b) => b.materiality);
  if (judged.length > 0) {
    out.push(
      table(
        ctx,
        'Minsta förändring som räknas som tydlig, per indikator',
        ['*', 86, '*'],
        headerRow(ctx, ['Indikator', 'Gräns', 'Skäl']),
        judged.map((b) => {
          const mt = b.materiality as NonNullable<IndicatorBlock['materiality']>;
          const limit = mt.relative ? `${formatNumber(mt.value, 1)} % av värdet` : formatChangeMagnitude(mt.value, b.unit).trim();
          return [{ text: ctx.fit(b.title_sv) }, { text: ctx.fit(limit) }, { text: ctx.fit(mt.reason) }];
        }),
        undefined,
        false,
      ),
    );
  }
  const breaks = blocks.flatMap((b) => (b.breaks ?? []).map((br) => ({ title: b.title_sv, ...br })));
  const area = m.segregation.find((b) => b.area_break)?.area_break ?? null;
  if (breaks.length > 0 || area) {
    out.push(
      table(
        ctx,
        'Brott i serierna',
        ['*', 34, '*', '*'],
        headerRow(ctx, ['Serie', 'Från år', 'Vad ändrades', 'Följd'], [1]),
        [
          ...breaks.map((b) => [
            { text: ctx.fit(b.title_before ? `${b.title} (före ${b.year}: ${b.title_before})` : b.title) },
            numberCell(ctx, String(b.year)),
            { text: ctx.fit(capitalise(b.what)) },
            { text: ctx.fit(capitalise(b.effect)) },
          ]),
          ...(area
            ? [[{ text: 'Segregationsindex över DeSO och RegSO' }, numberCell(ctx, String(area.year)), { text: ctx.fit(capitalise(area.what)) }, { text: ctx.fit(capitalise(area.effect)) }]]
            : []),
        ],
        'Brotten är markerade med en streckad linje i diagrammen.',
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
  const out: Content[] = [h1(ctx, `Bilaga ${letter} Indikatorerna`)];
  out.push(
    para(
      ctx,
      'För varje indikator: utvecklingen i ord, plats bland kommunerna, förbehåll, definition, population, enhet och källa, i kapitlens ordning; sist segregationsindexens utveckling i ord.',
    ),
  );
  const shown = new Set<string>();
  ctx.model.chapters.forEach((ch, i) => {
    const blocks = ch.indicators.map((b) => indicatorDetails(ctx, b, shown));
    const [first, ...rest] = blocks;
    // The area's heading stays with its first indicator.
    if (first) out.push({ stack: [h2(ctx, `${letter}.${i + 1} ${ch.title_sv}`), first], unbreakable: true }, ...rest);
  });
  const seg = ctx.model.segregation;
  if (seg.length) {
    const [first, ...rest] = seg.map((b): Content => ({
      stack: [{ text: ctx.fit(`${measureLabel(b.measure)}, ${b.groups}`), style: 'h3' }, para(ctx, describeSegregation(b).join(' '))],
      unbreakable: true,
    }));
    if (first) out.push({ stack: [h2(ctx, `${letter}.${ctx.model.chapters.length + 1} Segregationsindexen`), first], unbreakable: true }, ...rest);
  }
  return out;
}

function appendixChapter(ctx: Ctx, letter: string): Content[] {
  return [
    h1(ctx, `Bilaga ${letter} Diagrammens siffror`),
    para(ctx, 'Siffrorna bakom varje diagram, som text. Tabellerna följer figurernas ordning.'),
    ...ctx.appendix.map((build) => build()),
  ];
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
  const scope = m.scope.level === 'riket' ? 'Riket' : m.scope.name;
  const demo = m.demo ? ctx.fit(message('W301_DEMO_DATA')) : '';
  const created = new Date(m.generated_at);
  const when = Number.isNaN(created.getTime()) ? new Date(0) : created;
  return {
    pageSize: 'A4',
    pageMargins: PAGE_MARGINS,
    language: 'sv-SE',
    displayTitle: true,
    version: '1.7',
    info: {
      title: ctx.fit(`${REPORT_TITLE} – ${scope} ${m.year}`),
      author: 'segfollow',
      subject: ctx.fit(`Uppföljning av segregationen ${scopePhrase(m.scope)}, rapportår ${m.year}${m.demo ? ` (${message('W301_DEMO_DATA')})` : ''}`),
      keywords: 'segregation, uppföljning, DeSO, RegSO, SCB, Kolada',
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
              { text: ctx.fit(`${REPORT_TITLE} · ${scope} ${m.year}`), width: '*' },
              ...(demo ? [{ text: demo, width: 'auto', bold: true, color: ACCENT }] : []),
            ],
            style: 'pageHeader',
            margin: [PAGE_MARGINS[0], 26, PAGE_MARGINS[2], 0],
          },
    footer: (page, count) => {
      pages.count = Math.max(pages.count, count);
      return {
        columns: [
          demo ? { text: demo, bold: true, color: ACCENT, width: '*' } : { text: '', width: '*' },
          { text: `Sida ${page} av ${count}`, width: 'auto', alignment: 'right' },
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
  const blocks = reformChapter(ctx.model, programme);
  // The chapter's list of sources is reference matter: it goes to bilaga A, the chapter keeps its content.
  const cut = blocks.findIndex((b) => b.kind === 'h2' && b.text.startsWith('Källor'));
  if (cut >= 0) ctx.reformSources = blocks.slice(cut);
  return [h1(ctx, `${n} ${REFORM_CHAPTER_TITLE}`), ...reformBlocks(ctx, cut >= 0 ? blocks.slice(0, cut) : blocks)];
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
    let node: Content;
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
      const widths = b.header.map((_, i) => (i === b.wide ? '*' : 'auto'));
      const rows = b.rows.map((r) => r.map((c, i) => (b.numeric.includes(i) ? numberCell(ctx, c) : { text: ctx.fit(c) })));
      // A table right under its heading stays whole with it (up to 14 rows of two lines fit a page, caption and all);
      // one after a paragraph may break (header repeated) rather than leave half a page empty, as the ten reforms do.
      breakable = b.rows.length > (heading ? 14 : 8);
      node = table(ctx, b.caption, widths, headerRow(ctx, b.header, b.numeric), rows, b.note || undefined, !breakable);
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
  const scopeName = m.scope.level === 'riket' ? 'Sverige' : m.scope.name;
  const types = m.area_types;
  const t = mapTexts(maps, scopeName, (x) => (types ? typeName(types, x) : areaTypeShortName(x)));
  const out: Content[] = [h1(ctx, `${n} Kartor`)];
  out.push(para(ctx, mapIntro(maps, scopeName)));
  out.push(await figure(ctx, mapChart(maps, areaTypeLegendName), t.caption, t.alt));
  const rows = t.classRows.map((r) => [{ text: ctx.fit(r.map) }, { text: ctx.fit(r.cls) }, numberCell(ctx, formatNumber(r.n, 0))]);
  out.push(table(ctx, `Färgklasserna i figur ${ctx.figure}`, ['*', 'auto', 'auto'], headerRow(ctx, ['Karta', 'Klass', 'Antal områden'], [2]), rows, t.note));
  return out;
}

async function content(ctx: Ctx): Promise<Content[]> {
  const out: Content[] = [...titlePage(ctx), ...tocPage(ctx)];
  let n = 1;
  const kf = keyFindings(ctx.model); out.push(...chapter([h1(ctx, kf.title), ...kf.findings.map((f, i) => para(ctx, `${i + 1}. ${f.text}`)), para(ctx, kf.method, { style: 'note' })]));
  out.push(...chapter(summaryChapter(ctx, n++)));
  if (ctx.model.reforms) out.push(...chapter(reformsChapter(ctx, n++, ctx.model.reforms)));
  const summary = buildSummary(ctx.model);
  ctx.firstPolicyChapter = n;
  for (const ch of ctx.model.chapters) {
    const sentences = summary.areas.find((a) => a.policy_area === ch.policy_area)?.sentences ?? [];
    out.push(...(await policyChapter(ctx, n++, ch, sentences)));
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
 * The report as a pdfmake document definition: the one content tree both the PDF and its HTML twin (build-html.ts)
 * are written from, so the two cannot say different things. `pages.count` is filled in when pdfmake lays it out.
 */
export async function reportDefinition(model: ReportModel, pages: { count: number } = { count: 0 }): Promise<DocDefinition> {
  const fonts = useReportFonts();
  const ctx: Ctx = { model, fit: fonts.fitText, figure: 0, table: 0, appendix: [] };
  return docDefinition(ctx, await content(ctx), pages);
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
  if (model.lang !== 'sv') throw new StageError(`the report renderer writes Swedish only (lang '${model.lang}' requested)`);
  const pages = built?.pages ?? { count: 0 };
  const dd = built?.dd ?? (await reportDefinition(model, pages));
  let buffer: Buffer;
  try {
    const pm = pdfmake();
    const report = basename(outFile);
    const strict = options.strict ?? true;
    const archive = options.archive ?? true;
    if (options.tagged === false) buffer = await pm.createPdf(dd).getBuffer();
    // Thousands of small structure elements: packed into object streams the tagged file is smaller than the untagged.
    else buffer = compactPdf(await pm.createPdf(accessibleDefinition(dd, { report, strict, archive })).getBuffer());
  } catch (err) {
    if (err instanceof AccessibilityError) throw err;
    throw new StageError(`pdf layout failed for ${basename(outFile)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  await replaceFile(outFile, buffer);
  return { pages: pages.count, bytes: buffer.length };
}
