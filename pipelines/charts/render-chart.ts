/**
 * Vega-Lite spec + named datasets → a laid-out scenegraph (drawn onto the PDF page by draw-chart.ts) or an SVG
 * string, headless (`renderer: 'none'`), measured with the report font and
 * formatted with the Swedish locale. A chart that would come out wrong fails here instead of printing: any error
 * or warning from Vega-Lite or Vega, a BigInt or non-finite number in the data, or a chart with no data marks.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { StageError } from '../errors.ts';
import { D3_NUMBER_LOCALE_EN, D3_NUMBER_LOCALE_SV, D3_TIME_LOCALE_SV } from '../report/format.ts';
import type { Lang } from '../report/wording.ts';
import { useReportFonts } from './fonts.ts';
import { chartShape } from './templates.ts';

/** A map's outline (GeoJSON geometry, WGS84) for a geoshape mark; its coordinates are checked like numbers. */
export type ChartGeometry = { readonly type: 'Polygon'; readonly coordinates: readonly (readonly (readonly number[])[])[] } | { readonly type: 'MultiPolygon'; readonly coordinates: readonly (readonly (readonly (readonly number[])[])[])[] };
export type ChartValue = string | number | boolean | null;
export type ChartRow = Readonly<Record<string, ChartValue>>;
/** A row of a map's dataset: values and the area's outline. */
export type ChartGeoRow = Readonly<Record<string, ChartValue | ChartGeometry>>;
/** Rows per dataset name the spec refers to (`data: {name: 'values'}`). */
export type ChartData = Readonly<Record<string, readonly (ChartRow | ChartGeoRow)[]>>;

/**
 * Messages that do not change what is drawn. Keep this list short and specific: anything not on it fails the
 * chart. (Empty today; add a pattern with a comment saying why the warning is harmless.)
 */
const HARMLESS: readonly RegExp[] = [];

/** Collects instead of printing, so the caller can fail with every message at once. */
function collectingLogger(messages: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const text = (args: unknown[]): string =>
    args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  const logger: vega.LoggerInterface = {
    level(_?: number) {
      if (_ === undefined) return level;
      level = _;
      return logger;
    },
    error(...args: unknown[]) {
      messages.push(`error: ${text(args)}`);
      return logger;
    },
    warn(...args: unknown[]) {
      const m = text(args);
      if (!HARMLESS.some((re) => re.test(m))) messages.push(`warning: ${m}`);
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** BigInt (DuckDB BIGINT, COUNT(*)) must be converted where it leaves SQL; Vega would compare it wrongly or throw. */
function checkData(data: ChartData): void {
  for (const [name, rows] of Object.entries(data)) {
    rows.forEach((row, i) => {
      for (const [field, v] of Object.entries(row)) {
        const t = typeof v;
        if (t === 'bigint') throw new StageError(`chart data ${name}[${i}].${field} is a BigInt; convert it to number where it leaves SQL`);
        if (t === 'number' && !Number.isFinite(v)) throw new StageError(`chart data ${name}[${i}].${field} is ${String(v)}; use null for a missing value`);
        if (t === 'object' && v !== null && isGeometry(v)) continue;
        if (v !== null && t !== 'string' && t !== 'number' && t !== 'boolean') {
          throw new StageError(`chart data ${name}[${i}].${field} has unsupported type ${t}`);
        }
      }
    });
  }
}

/** A Polygon or MultiPolygon whose every coordinate is a finite number (a NaN would draw nothing, silently). */
function isGeometry(v: unknown): boolean {
  const g = v as { type?: unknown; coordinates?: unknown };
  const finite = (c: unknown, depth: number): boolean =>
    Array.isArray(c) && (depth === 0 ? c.length >= 2 && c.every((x) => typeof x === 'number' && Number.isFinite(x)) : c.every((x) => finite(x, depth - 1)));
  return (g.type === 'Polygon' && finite(g.coordinates, 2)) || (g.type === 'MultiPolygon' && finite(g.coordinates, 3));
}

interface SceneMark {
  marktype: string;
  role?: string;
  items: SceneItem[];
}
interface SceneItem {
  items?: SceneMark[];
}

/** Items drawn by data marks (not axes, legends, titles or frames). */
function countDataMarkItems(mark: SceneMark): number {
  if (mark.marktype === 'group') {
    let n = 0;
    for (const item of mark.items) for (const child of item.items ?? []) n += countDataMarkItems(child);
    return n;
  }
  return mark.role === 'mark' ? mark.items.length : 0;
}

function datasetNames(spec: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(spec)) {
    for (const s of spec) datasetNames(s, out);
  } else if (spec !== null && typeof spec === 'object') {
    for (const [k, v] of Object.entries(spec)) {
      if (k === 'data' && v !== null && typeof v === 'object' && 'name' in v && typeof v.name === 'string') out.add(v.name);
      else datasetNames(v, out);
    }
  }
  return out;
}

export interface RenderedChart {
  svg: string;
  /** Items drawn by data marks; > 0, or rendering would have failed. */
  markItems: number;
  width: number;
  height: number;
}

/**
 * A chart laid out by Vega, ready to be drawn straight onto a PDF page (draw-chart.ts): the scenegraph and the size
 * and origin Vega's own renderers would use (vega-view's render-size.js). The View is finalized; the scene is data.
 */
export interface ChartScene {
  readonly root: unknown;
  /** Whole chart including padding, in points. */
  readonly width: number;
  readonly height: number;
  readonly origin: readonly [number, number];
  readonly background: string | null;
  /** Items drawn by data marks; > 0, or rendering would have failed. */
  readonly markItems: number;
}

interface ViewInternals {
  padding(): { left: number; right: number; top: number; bottom: number };
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
}

/**
 * Parsed Vega dataflows by spec and language, most recently made last. Vega-Lite's compile and Vega's parse are about
 * a quarter of a chart's time and depend on the spec alone, not on the rows: a spec that recurs (the same chart kind
 * with the same titles and domains, as in every kommun's segregation chart) is compiled once per thread. A View
 * only reads the parsed spec, so one serves any number of views.
 */
const parsed = new Map<string, vega.Runtime>();
const PARSED_MAX = 256;

/** A shape met once so far. */
const ONCE = Symbol('once');
/**
 * Parsed Vega dataflows by language and template shape (templates.ts ChartShape: the filled spec with the code's
 * texts as tokens), ONCE for a shape met once, or null for a shape whose dataflow is not each chart's own with its
 * texts put in. Charts of one kind differ mostly in their texts (a kommun's name in every policy area's legend), not
 * in their shape: a shape is compiled and parsed once per thread, and each chart's dataflow is that parse with its
 * own texts (a parsed dataflow is data: expressions are still code text, compiled when a View is made).
 */
const parsedShapes = new Map<string, vega.Runtime | null | typeof ONCE>();
/** Charts whose dataflow came from a parsed shape, and charts compiled and parsed whole (for tests). */
const shapeStats = { reused: 0, compiled: 0 };

const TOKEN = /zq([WI])(\d+)qz/g;
const WHOLE_TOKEN = /^zqW(\d+)qz$/;

/**
 * A spec or dataflow with the tokens replaced by `texts`: a whole-value token by its text; a token inside a longer
 * text as Vega-Lite quotes a value in an expression (JSON) for a whole value, as the template placed it (as is) for an
 * inner one. Returns a new tree; `seen` collects the tokens met.
 */
function untokenize(node: unknown, texts: readonly string[], seen: Set<number>): unknown {
  if (typeof node === 'string') {
    if (!node.includes('zq')) return node;
    const whole = WHOLE_TOKEN.exec(node);
    if (whole) {
      seen.add(Number(whole[1]));
      return texts[Number(whole[1])];
    }
    return node.replace(TOKEN, (m, kind: string, n: string) => {
      const text = texts[Number(n)];
      if (text === undefined) return m;
      seen.add(Number(n));
      return kind === 'W' ? JSON.stringify(text).slice(1, -1) : text;
    });
  }
  if (Array.isArray(node)) return node.map((x) => untokenize(x, texts, seen));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k.includes('zq') ? (untokenize(k, texts, seen) as string) : k] = untokenize(v, texts, seen);
    return out;
  }
  return node;
}

/** A whole text only as a value of its own or quoted (in an expression): not made into a name or cut, which would change with the text where the token did not. */
function textsQuoted(json: string): boolean {
  return !/(?<!")zqW\d+qz|zqW\d+qz(?!")/.test(json.replace(/\\"/g, '"'));
}

/** Vega-Lite's compile and Vega's parse of `spec`; any compile message fails the chart. */
function parseChart(spec: TopLevelSpec, lang: Lang, logger: vega.LoggerInterface, messages: string[]): vega.Runtime {
  const vg = compile(spec, { logger }).spec;
  if (messages.length) throw new StageError(`Vega-Lite rejected the chart: ${messages.join('; ')}`);
  // Per chart, not vega.formatLocale(): a process-wide default would change every other Vega user's output.
  // English: the en number locale (decimal point, comma grouping); Vega's own time locale is English already.
  vg.config = { ...vg.config, locale: lang === 'sv' ? { number: D3_NUMBER_LOCALE_SV, time: D3_TIME_LOCALE_SV } : { number: D3_NUMBER_LOCALE_EN } };
  return vega.parse(vg);
}

/** The chart's parsed Vega dataflow; compile warnings fail the chart (and are never cached). */
function runtimeOf(spec: TopLevelSpec, lang: Lang, logger: vega.LoggerInterface, messages: string[]): vega.Runtime {
  const specJson = JSON.stringify(spec);
  const key = `${lang}\u0000${specJson}`;
  const hit = parsed.get(key);
  if (hit) return hit;
  const whole = (): vega.Runtime => {
    shapeStats.compiled++;
    const runtime = parseChart(spec, lang, logger, messages);
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, runtime);
    return runtime;
  };
  const shape = chartShape(spec);
  // The shape must be this very spec with its texts in (a spec changed after the template filled it is not).
  if (!shape || JSON.stringify(untokenize(shape.spec, shape.texts, new Set())) !== specJson) return whole();
  const { texts } = shape;
  const shapeKey = `${lang}\u0000${JSON.stringify(shape.spec)}`;
  const held = parsedShapes.get(shapeKey);
  if (held === null) return whole();
  if (held && held !== ONCE) {
    shapeStats.reused++;
    return untokenize(held, texts, new Set()) as vega.Runtime;
  }
  const remember = (v: vega.Runtime | null | typeof ONCE): void => {
    if (!parsedShapes.has(shapeKey) && parsedShapes.size >= PARSED_MAX) parsedShapes.delete(parsedShapes.keys().next().value as string);
    parsedShapes.set(shapeKey, v);
  };
  const own = whole();
  // A shape met once may be one chart's alone (a map's size follows its areas): parsed as a shape when it recurs.
  if (held === undefined) {
    remember(ONCE);
    return own;
  }
  // Its second chart: compile and parse the shape, and check that its dataflow with the texts put in is exactly this
  // chart's own (else this shape is always compiled whole).
  let shaped: vega.Runtime | null = null;
  try {
    const quiet: string[] = [];
    const runtime = parseChart(shape.spec, lang, collectingLogger(quiet), quiet);
    const json = JSON.stringify(runtime);
    const seen = new Set<number>();
    if (textsQuoted(json) && JSON.stringify(untokenize(runtime, texts, seen)) === JSON.stringify(own) && seen.size === texts.length) shaped = runtime;
  } catch {
    // A shape Vega-Lite cannot compile (a token where a field name or mark type belongs): compiled whole.
  }
  remember(shaped);
  return own;
}

/** Specs parsed and held (for tests). */
export function parsedChartSpecs(): number {
  return parsed.size;
}

/**
 * Drops every parsed spec and shape and the shared expression functions (tests compare a chart drawn from a fresh
 * parse, with Vega's own code generator, with one drawn from held ones).
 */
export function forgetParsedCharts(): void {
  parsed.clear();
  parsedShapes.clear();
  sharedCodegen = undefined;
  shapeStats.reused = 0;
  shapeStats.compiled = 0;
}

/** Charts whose dataflow came from a parsed shape, and charts compiled and parsed whole, since forgetParsedCharts. */
export function chartCompiles(): { reused: number; compiled: number } {
  return { ...shapeStats };
}

/** vega-runtime's expression code generator (the View option `expr`): one function per kind of code. */
interface Codegen {
  operator(ctx: CodegenContext, expr: { code: string }): unknown;
  parameter(ctx: CodegenContext, expr: { code: string }): unknown;
  event(ctx: CodegenContext, expr: { code: string }): unknown;
  handler(ctx: CodegenContext, expr: { code: string }): unknown;
  encode(ctx: CodegenContext, encode: { marktype: string; channels: Record<string, { code: string }> }): unknown;
  codegen: unknown;
}
interface CodegenContext {
  functions?: object;
}
type Compiled = (...args: unknown[]) => unknown;

/** Vega's code generator with each expression's function made once per thread; undefined until the first View. */
let sharedCodegen: Codegen | undefined;
const CODEGEN_MAX = 20_000;

/**
 * Vega compiles every expression of a chart (filters, encoders, signals) with `Function` for every View and every
 * facet panel of it, though the code recurs from chart to chart and panel to panel: a tenth of a chart's time. The
 * same code gives the same function, bound to each View's own expression functions as Vega binds it. Taken from the
 * first View's runtime (vega-runtime's default generator); where that is not there, Vega's own is kept.
 */
function shareCodegen(view: vega.View): Codegen | undefined {
  const base = (view as unknown as { _runtime?: { expr?: Codegen } })._runtime?.expr;
  if (!base || typeof base.parameter !== 'function' || typeof base.encode !== 'function') return undefined;
  const made = new Map<string, Compiled>();
  const share =
    <S extends object>(kind: 'operator' | 'parameter' | 'event' | 'handler' | 'encode', keyOf: (spec: S) => string) => {
      // By the expression's own object too: every facet panel's subflow, and every chart of a spec parsed once, hands
      // the same object, and an encoder's key (all its channels' code) is long to build.
      const byObject = new WeakMap<S, Compiled>();
      return (ctx: CodegenContext, spec: S): unknown => {
        const functions = ctx?.functions;
        const make = base[kind] as (c: CodegenContext, s: S) => unknown;
        if (!functions) return make(ctx, spec);
        let fn = byObject.get(spec);
        if (!fn) {
          const key = `${kind}\u0000${keyOf(spec)}`;
          fn = made.get(key);
          if (!fn) {
            // Without `functions` Vega returns the function unbound.
            fn = make({}, spec) as Compiled;
            if (made.size >= CODEGEN_MAX) made.clear();
            made.set(key, fn);
          }
          byObject.set(spec, fn);
        }
        return fn.bind(functions);
      };
    };
  const code = (e: { code: string }): string => e.code;
  return {
    operator: share('operator', code),
    parameter: share('parameter', code),
    event: share('event', code),
    handler: share('handler', code),
    // Vega writes an encoder from the mark type and each channel's name and code alone.
    encode: share('encode', (e: { marktype: string; channels: Record<string, { code: string }> }) => {
      let key = e.marktype;
      for (const name in e.channels) key += `\u0000${name}\u0000${String(e.channels[name]?.code)}`;
      return key;
    }),
    codegen: base.codegen,
  };
}

/**
 * Compiles and runs the chart, checking data and messages; calls `use` with the finished View, then finalizes it.
 * Every failure is a StageError naming what is wrong.
 */
async function withChartView<T>(spec: TopLevelSpec, data: ChartData, use: (view: vega.View, markItems: number) => Promise<T> | T, lang: Lang = 'sv'): Promise<T> {
  useReportFonts();
  checkData(data);
  const names = datasetNames(spec);
  const unknown = Object.keys(data).filter((n) => !names.has(n));
  if (unknown.length) throw new StageError(`chart data has datasets the spec does not use: ${unknown.join(', ')}`);
  const absent = [...names].filter((n) => !(n in data));
  if (absent.length) throw new StageError(`chart spec uses datasets with no data given: ${absent.join(', ')}`);

  const messages: string[] = [];
  const logger = collectingLogger(messages);
  const runtime = runtimeOf(spec, lang, logger, messages);
  const view = new vega.View(runtime, { renderer: 'none', logger, logLevel: vega.Warn, ...(sharedCodegen ? { expr: sharedCodegen } : {}) });
  sharedCodegen ??= shareCodegen(view);
  try {
    for (const [name, rows] of Object.entries(data)) {
      // Vega annotates the tuples it is given; hand it copies so the caller's rows stay untouched.
      view.insert(name, rows.map((r) => ({ ...r })));
    }
    await view.runAsync();
    const root = (view.scenegraph() as unknown as { root: SceneMark }).root;
    const markItems = countDataMarkItems(root);
    if (markItems === 0) {
      const name = String((spec as { description?: string }).description ?? '');
      throw new StageError(`chart "${name}" has no data marks (empty data?)${messages.length ? `; ${messages.join('; ')}` : ''}`);
    }
    if (messages.length) throw new StageError(`Vega could not draw the chart: ${messages.join('; ')}`);
    const result = await use(view, markItems);
    if (messages.length) throw new StageError(`Vega could not draw the chart: ${messages.join('; ')}`);
    return result;
  } finally {
    view.finalize();
  }
}

/** Like `renderChartSvg`, with the mark count and size the tests use. */
export async function renderChart(spec: TopLevelSpec, data: ChartData): Promise<RenderedChart> {
  return withChartView(spec, data, async (view, markItems) => ({ svg: await view.toSVG(), markItems, width: view.width(), height: view.height() }));
}

/** The chart's scenegraph for drawing onto a PDF page (draw-chart.ts); the same checks as `renderChart`. */
export async function renderChartScene(spec: TopLevelSpec, data: ChartData, lang: Lang = 'sv'): Promise<ChartScene> {
  return withChartView(spec, data, (view, markItems) => {
    const v = view as unknown as ViewInternals;
    const p = v.padding();
    const bg = view.background() as unknown;
    return {
      root: (view.scenegraph() as unknown as { root: unknown }).root,
      // vega-view's render-size.js: what toSVG and toCanvas size their output by.
      width: Math.max(0, v._viewWidth + p.left + p.right),
      height: Math.max(0, v._viewHeight + p.top + p.bottom),
      origin: [p.left + v._origin[0], p.top + v._origin[1]] as const,
      background: typeof bg === 'string' ? bg : null,
      markItems,
    };
  }, lang);
}

/** The SVG of a chart; throws instead of returning an empty or wrongly drawn one. */
export async function renderChartSvg(spec: TopLevelSpec, data: ChartData): Promise<string> {
  return (await renderChart(spec, data)).svg;
}
