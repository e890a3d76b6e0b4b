import type { DuckDBConnection } from '@duckdb/node-api';
import { join } from 'node:path';
import type { Context } from '../context.ts';
import { query, queryFile, queryFileGroups, type Params, type Row } from '../db.ts';
import { collectGarbage } from '../heap.ts';
import { derivedOnce, groupBy } from '../collections.ts';
import { StageError } from '../errors.ts';
import { indicatorReportFields, loadIndicators, loadSources, titleInYear, type IndicatorCatalogue, type IndicatorDef } from '../catalogue.ts';
import { MESSAGES, message, type MessageId } from '../messages.ts';
import { BASELINE_YEAR, FIRST_YEAR } from '../config.ts';
import { poolSize, startRenderPool } from './report-pool.ts';
import { threadCpuSeconds, type RenderPhases } from './report-worker.ts';
import type {
  AreaTypeBlock,
  AreaTypeComparison,
  AreaTypeIndicator,
  AreaTypeNumber,
  GapChangeVerdict,
  DecompositionComponent,
  DecompositionYear,
  IndicatorBlock,
  PolicyArea,
  ReportModel,
  SegregationBlock,
  SegregationChange,
  SegregationPoint,
  SourceRow,
} from '../report/model.ts';
import { loadAreaTypeCatalogue } from '../measures/classify-area-types.ts';
import { SEGREGATION_SPLITS_ENGINE } from './segregation.ts';
import { methodText } from '../measures/inference.ts';
import { checkChartTemplates } from '../charts/specs.ts';
import { AREA_KEY_TITLES } from '../areas/area-keys.ts';
import { selectScopes } from '../report/scopes.ts';
import { reportFacts } from '../freshness.ts';
import { loadReforms, type ReformProgramme } from '../report/reforms.ts';
import { writeExports } from '../report/exports.ts';
import { kommunMaps, loadBoundaries, MAP_INDICATOR, regsoMaps, type Boundaries, type RegsoMapRow } from '../report/maps.ts';
import { indicatorRank, similarBand, similarGroup, type GroupRow } from '../report/comparisons.ts';
import { unitStyle } from '../report/format.ts';

export interface ReportResult {
  files: { name: string; kind: string; pages?: number; bytes: number }[];
  reports: number;
  /** As used: a synthetic warehouse marks its reports as demo even when `report` runs without --demo. */
  demo: boolean;
  /** Bootstrap draws behind the intervals in these reports (from the build that computed them), null if none. */
  bootstrap_draws: number | null;
}

const CHAPTERS: { area: PolicyArea; title: string }[] = [
  { area: 'boende', title: 'Boende' },
  { area: 'utbildning', title: 'Utbildning' },
  { area: 'arbete', title: 'Arbete' },
  { area: 'demokrati', title: 'Demokrati och civilsamhälle' },
  { area: 'brottslighet', title: 'Brottslighet' },
  { area: 'ekonomi', title: 'Ekonomi' },
  { area: 'befolkning', title: 'Befolkning' },
];

/**
 * Reads the warehouse into one ReportModel per requested report, renders each PDF and writes the data exports,
 * all into `stagingDir` (the run moves the folder into place whole once everything has succeeded).
 */
export async function report(ctx: Context, conn: DuckDBConnection, stagingDir: string): Promise<ReportResult> {
  // A broken chart template stops the stage before any report is made (the render workers read their own copies).
  checkChartTemplates();
  runQueries.set(conn, new Map());
  runSeries.set(conn, new Map());
  runScopes.set(conn, new Map());
  try {
    return await writeReports(ctx, conn, stagingDir);
  } finally {
    runQueries.delete(conn);
    runSeries.delete(conn);
    runScopes.delete(conn);
  }
}

/**
 * Answers of queries that do not depend on the report's own area (every kommun's values in a year, the run's
 * area-type cuts, a län's or riket's comparison series), asked once per report stage instead of once per report:
 * 312 reports ask the same few hundred questions thousands of times. Scoped to one stage call, so a later call
 * (after a rebuild) never sees old answers.
 */
const runQueries = new WeakMap<DuckDBConnection, Map<string, Promise<Row[]>>>();

function queryOnce(conn: DuckDBConnection, name: string, params: Params): Promise<Row[]> {
  const memo = runQueries.get(conn);
  if (!memo) return queryFile(conn, name, params);
  const key = `${name}\u0000${JSON.stringify(params)}`;
  let rows = memo.get(key);
  if (!rows) {
    rows = queryFile(conn, name, params);
    memo.set(key, rows);
  }
  return rows;
}

/**
 * One area's yearly series of one indicator up to `year` (as sql/report/indicator_series.sql gives it). Within a
 * report stage, taken from every riket, län and kommun series read at once (sql/report/indicator_series_all.sql).
 */
async function areaSeries(conn: DuckDBConnection, indicatorId: string, areaCode: string, year: number): Promise<Row[]> {
  const memo = runSeries.get(conn);
  if (!memo) return queryFile(conn, 'report/indicator_series', { indicator_id: indicatorId, area_code: areaCode, year });
  let all = memo.get(year);
  if (!all) {
    // Grouped as read, without the key columns: each series' rows as indicator_series.sql gives them.
    all = queryFileGroups(conn, 'report/indicator_series_all', { year }, ['indicator_id', 'area_code']);
    memo.set(year, all);
  }
  const series = await all;
  const key = `${indicatorId}\u0000${areaCode}`;
  const rows = series.get(key);
  // A kommun's series serves its own report only (the others set theirs beside their län's and riket's): handed
  // over, it leaves the run-wide map. Asked again, it is read on its own.
  if (areaCode.length === 4) {
    if (!rows) return series.has(key) ? queryFile(conn, 'report/indicator_series', { indicator_id: indicatorId, area_code: areaCode, year }) : [];
    series.set(key, undefined);
  }
  return rows ?? [];
}

/** The run's series by `indicator\u0000area`, per report year; scoped to one stage call like runQueries. */
const runSeries = new WeakMap<DuckDBConnection, Map<number, Promise<Map<string, Row[] | undefined>>>>();

/**
 * The rows the per-scope file `name` gives for one scope, taken from `${name}_all`: the same query for every scope
 * at once, read once per report stage and grouped by its leading scope_level and scope_code columns (dropped here),
 * in the per-scope file's order (tests/sql/report.test.ts holds each pair to that).
 */
async function scopeRows(conn: DuckDBConnection, name: string, params: Params, scope: Scope): Promise<Row[]> {
  const memo = runScopes.get(conn) ?? new Map<string, Promise<Map<string, Row[] | undefined>>>();
  const key = `${name}\u0000${JSON.stringify(params)}`;
  let all = memo.get(key);
  if (!all) {
    all = queryFileGroups(conn, `${name}_all`, params, ['scope_level', 'scope_code']);
    memo.set(key, all);
  }
  const groups = await all;
  const k = `${scope.level}\u0000${scope.code}`;
  const rows = groups.get(k);
  if (rows) {
    // Each scope's report reads its rows once: handed over, they leave the run-wide map (kept as a key without rows),
    // which so shrinks as the stage goes on instead of holding every scope's rows (some 300,000 row objects) until
    // the last model.
    groups.set(k, undefined);
    return rows;
  }
  if (!groups.has(k)) return [];
  // Asked a second time (not done today): read the whole answer again rather than answer with nothing.
  if (memo.get(key) === all) memo.delete(key);
  return scopeRows(conn, name, params, scope);
}

/**
 * scopeRows' answers grouped by scope (a scope already handed its rows keeps its key, without rows), per file and
 * parameters; scoped to one stage call like runQueries.
 */
const runScopes = new WeakMap<DuckDBConnection, Map<string, Promise<Map<string, Row[] | undefined>>>>();

// Shapes of run-wide answers (queryOnce's, the same array for every report) that each report would otherwise derive
// again from every kommun's rows: made once per answer (derivedOnce), dropped with it.
const byCodeMemo = new WeakMap<readonly Row[], Map<string, Row[]>>();
const valueMemo = new WeakMap<readonly Row[], Map<string, number | null>>();
const yearValueMemo = new WeakMap<readonly Row[], Map<string, { code: string; year: number; value: number | null }[]>>();
const rankMemo = new WeakMap<readonly Row[], { code: string; lan_code: string; value: number | null }[]>();
const prefixMemo = new WeakMap<readonly Row[], Map<number, Map<string, Row[]>>>();

/**
 * The rows whose `code` starts with the scope's code (every row for riket), in the answer's order: the rows of a
 * run-wide answer grouped once by their codes' first characters, not filtered again in every report.
 */
function inScope(rows: readonly Row[], scope: Scope): readonly Row[] {
  if (scope.level === 'riket') return rows;
  const len = scope.code.length;
  const byLength = derivedOnce(prefixMemo, rows, () => new Map<number, Map<string, Row[]>>());
  let groups = byLength.get(len);
  if (!groups) {
    groups = groupBy<string, Row>(rows, (r) => {
      const code = String(r.code);
      return code.length < len ? undefined : code.slice(0, len);
    });
    byLength.set(len, groups);
  }
  return groups.get(scope.code) ?? [];
}

/** No kommun's first values (the series has no earlier year). */
const NO_VALUES: ReadonlyMap<string, number | null> = new Map();

/** The rows by their `code`, in the answer's order. */
function rowsByCode(rows: readonly Row[]): Map<string, Row[]> {
  return derivedOnce(byCodeMemo, rows, () => groupBy(rows, (r) => String(r.code)));
}

/** Each row's `value` by its `code` (report/indicator_by_area: one row a kommun). */
function valueByCode(rows: readonly Row[]): ReadonlyMap<string, number | null> {
  return derivedOnce(valueMemo, rows, () => new Map(rows.map((r) => [String(r.code), num(r.value)])));
}

/** report/indicator_kommun_years' rows as similarBand takes them, by kommun code. */
function yearValuesByCode(rows: readonly Row[]): Map<string, { code: string; year: number; value: number | null }[]> {
  return derivedOnce(yearValueMemo, rows, () =>
    groupBy(
      rows.map((r) => ({ code: String(r.code), year: Number(r.year), value: num(r.value) })),
      (v) => v.code,
    ),
  );
}

/** report/indicator_by_area's kommun rows as indicatorRank takes them. */
function rankRows(rows: readonly Row[]): { code: string; lan_code: string; value: number | null }[] {
  return derivedOnce(rankMemo, rows, () => rows.map((r) => ({ code: String(r.code), lan_code: String(r.lan_code), value: num(r.value) })));
}

/** The latest year of a series with a value, null if none. */
function latestYear(series: readonly Row[]): number | null {
  let latest: number | null = null;
  for (const r of series) if (r.value !== null && r.value !== undefined && (latest === null || Number(r.year) > latest)) latest = Number(r.year);
  return latest;
}

async function writeReports(ctx: Context, conn: DuckDBConnection, stagingDir: string): Promise<ReportResult> {
  const result: ReportResult = { files: [], reports: 0, demo: false, bootstrap_draws: null };
  const [values] = await query(conn, 'SELECT count(*)::INTEGER AS n FROM indicator_value WHERE year <= $year', { year: ctx.config.year });
  // A report without numbers would look like a report; refuse instead.
  if (Number(values?.n ?? 0) === 0) throw new StageError(`the warehouse ${ctx.config.warehouse} holds no indicator values up to ${ctx.config.year}: run "segfollow build" (or "segfollow run") first`);
  const scopes = await reportScopes(ctx, conn);
  const [last] = await queryFile(conn, 'report/last_ingest');
  // A synthetic warehouse must never yield an unmarked report, even when `report` runs without --demo.
  const demo = ctx.config.demo || String(last?.args ?? '').includes('--demo');
  const shared = await runShared(ctx, conn, demo);
  result.demo = demo;
  result.bootstrap_draws = shared.draws ?? null;
  // Models are read here, one after another (DuckDB); PDFs and workbooks are written on worker threads, one per
  // core, while the next model is read (report-pool.ts).
  const pool = startRenderPool(poolSize(scopes.length));
  const files: ReportResult['files'][] = [];
  const pending: Promise<void>[] = [];
  const timing = new Map<Scope['level'], PhaseTotals>();
  let done = 0;
  let modelsRead = 0;
  try {
    // Largest first (riket, then län, then kommuner), whatever order --reports names them in, so that no long report
    // is left for one thread at the end while the other idles; the files stay listed in the order asked.
    const LARGEST_FIRST: Record<Scope['level'], number> = { riket: 0, lan: 1, kommun: 2 };
    const order = [...scopes.entries()].sort(([a, x], [b, y]) => LARGEST_FIRST[x.level] - LARGEST_FIRST[y.level] || a - b);
    for (const [i, scope] of order) {
      await pool.ready();
      const t0 = performance.now();
      const c0 = threadCpuSeconds();
      const model = await reportModel(ctx, conn, scope, shared);
      // The main thread allocates little once the run-wide answers are read, so V8 would keep their raw rows and every
      // handed-over scope's rows as garbage for the whole stage (heap ~230 MB, ~100 MB live): collected after the
      // first model, when the raw rows are garbage, then every GC_EVERY models (~0.1 s each).
      if (++modelsRead % GC_EVERY === 1) collectGarbage();
      const c1 = threadCpuSeconds();
      const modelSeconds = (performance.now() - t0) / 1000;
      // The main thread's CPU for the model (DuckDB's own threads not included).
      const modelCpu = c0 === null || c1 === null ? null : c1 - c0;
      const name = `segfollow-${scope.level}-${scope.code}-${ctx.config.year}.pdf`;
      // The workbook beside the PDF: every table and chart's numbers of the same model (report/workbook.ts).
      const xlsx = name.replace(/\.pdf$/, '.xlsx');
      // And its HTML twin, from the same content tree as the PDF (report/build-html.ts).
      const html = name.replace(/\.pdf$/, '.html');
      const job = pool.render({ model, catalogue: shared.cat.indicators, pdfFile: join(stagingDir, name), xlsxFile: join(stagingDir, xlsx), htmlFile: join(stagingDir, html), pdf: { archive: ctx.config.pdfArchive, tagged: ctx.config.pdfTagged } }).then((r) => {
        files[i] = [
          { name, kind: 'report', pages: r.pages, bytes: r.pdfBytes },
          { name: xlsx, kind: 'workbook', bytes: r.xlsxBytes },
          { name: html, kind: 'html', bytes: r.htmlBytes },
        ];
        addPhases(timing, scope.level, modelSeconds, modelCpu, r.phases);
        ctx.log.progress('reports', ++done, scopes.length);
      });
      // Handled here too, so a failure before the loop ends is not an unhandled rejection; Promise.all reports it.
      job.catch(() => undefined);
      pending.push(job);
    }
    // Every model is read: the run-wide answers (some 100 MB) can go before the last reports are rendered.
    for (const memo of [runQueries, runSeries, runScopes]) memo.get(conn)?.clear();
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  // Swedish CSV and Parquet (report/exports.ts), after the render threads are gone: written beside the last reports,
  // DuckDB's export memory came on top of the threads' heaps (5 kommun reports: peak 1.62 GB against 1.06 GB).
  const exported = await writeExports(conn, stagingDir, ctx.config.year);
  for (const f of files) result.files.push(...f);
  result.reports = files.length;
  // Where a report's time goes, by kind (seconds summed over the kind's reports; wall time of each step, so inflated
  // when the box is busy): what bench/goals.ts prints and what the next speed-up should go after.
  for (const [level, t] of timing) {
    ctx.log.info('report timing', { level, reports: t.reports, ...Object.fromEntries(Object.entries(t.seconds).map(([k, v]) => [`${k}_s`, Number(v.toFixed(2))])) });
  }
  result.files.push(...exported);
  ctx.log.info('reports written', { reports: result.reports, files: result.files.length });
  return result;
}

type Scope = ReportModel['scope'];

/** Models read between two full garbage collections of the main thread (writeReports). */
const GC_EVERY = 32;

interface PhaseTotals {
  reports: number;
  /** Wall seconds by step; `model_cpu` and `render_cpu` are the CPU seconds of the main thread and render thread. */
  seconds: { model: number; tree: number; html: number; pdf: number; xlsx: number; model_cpu: number; render_cpu: number };
}

function addPhases(timing: Map<Scope['level'], PhaseTotals>, level: Scope['level'], model: number, modelCpu: number | null, phases: RenderPhases): void {
  let t = timing.get(level);
  if (!t) timing.set(level, (t = { reports: 0, seconds: { model: 0, tree: 0, html: 0, pdf: 0, xlsx: 0, model_cpu: 0, render_cpu: 0 } }));
  t.reports++;
  t.seconds.model += model;
  t.seconds.model_cpu += modelCpu ?? 0;
  t.seconds.render_cpu += phases.cpu ?? 0;
  for (const k of ['tree', 'html', 'pdf', 'xlsx'] as const) t.seconds[k] += phases[k];
}

async function reportScopes(ctx: Context, conn: DuckDBConnection): Promise<Scope[]> {
  const areas = new Map<string, { code: string; name: string }[]>();
  for (const level of ['lan', 'kommun'] as const) {
    if (ctx.config.reports.includes(level)) areas.set(level, (await queryFile(conn, 'report/areas_of_level', { level })).map((r) => ({ code: String(r.code), name: String(r.name) })));
  }
  return selectScopes(ctx.config.reports, ctx.config.areas, (level) => areas.get(level) ?? []);
}

/** What every report of a run shares: read once, not once per report (312 reports in a full run). */
interface RunShared {
  demo: boolean;
  cat: IndicatorCatalogue;
  draws: number | undefined;
  lanNames: Map<string, string>;
  sources: SourceRow[];
  reforms: ReformProgramme;
  /** The threshold the build applied and the caveat for accepted stale data (pipelines/freshness.ts). */
  facts: Awaited<ReturnType<typeof reportFacts>>;
  /** Kommun and län outlines (data/geo) for the maps. */
  boundaries: Boundaries;
  /** Kolada's groups of similar kommuner, every kommun's (report/comparisons.ts picks one per kommun). */
  groups: GroupRow[];
}

async function runShared(ctx: Context, conn: DuckDBConnection, demo: boolean): Promise<RunShared> {
  const [build] = await queryFile(conn, 'report/last_build');
  const draws = (JSON.parse(String(build?.row_counts ?? '{}')) as { segregation?: { draws?: number } | null }).segregation?.draws;
  const lanNames = new Map((await queryFile(conn, 'report/areas_of_level', { level: 'lan' })).map((r) => [String(r.code), String(r.name)]));
  const titles = new Map<string, string>();
  const src = loadSources(ctx.config.dataDir);
  for (const t of src.pxweb) titles.set(t.id, t.title_sv);
  for (const k of src.kolada) titles.set(k.id, k.title);
  for (const [file, title] of Object.entries(AREA_KEY_TITLES)) titles.set(file, title);
  // The reference data (WFS outlines, municipality groups) are sources of the maps and bands (data/sources.json).
  for (const r of (src as { reference?: { id: string; title_sv: string }[] }).reference ?? []) titles.set(r.id, r.title_sv);
  const usedRows = [...(await queryFile(conn, 'report/sources_used')), ...(await queryFile(conn, 'report/reference_sources'))];
  const sources: SourceRow[] = usedRows.map((r) => ({
    source: r.source === 'Kolada' ? 'Kolada' : 'SCB',
    table_id: String(r.table_id),
    title: titles.get(String(r.table_id)) ?? String(r.table_id),
    url: String(r.url),
    fetched_at: String(r.fetched_at),
    sha256: String(r.sha256),
  }));
  const cat = loadIndicators(ctx.config.dataDir);
  // Titles of the report year's definitions (the education age band), as the chapters name them.
  const reforms = loadReforms(ctx.config.dataDir, cat.indicators.map((d) => ({ ...d, title_sv: titleInYear(d, ctx.config.year) })));
  const groups = (await queryFile(conn, 'report/similar_kommuner')).map((r) => ({ group_id: String(r.group_id), title: String(r.title), member_code: String(r.member_code), member_name: String(r.member_name) }));
  return { demo, cat, draws, lanNames, sources, reforms, facts: await reportFacts(ctx, conn), boundaries: loadBoundaries(ctx.config.dataDir), groups };
}

async function reportModel(ctx: Context, conn: DuckDBConnection, scope: Scope, shared: RunShared): Promise<ReportModel> {
  const year = ctx.config.year;
  const { demo, cat, draws, lanNames, sources } = shared;
  const caveatIds = new Set<MessageId>(['W201_MISSING_VALUES', 'W204_SUPPRESSED', 'W203_AREA_VERSION_BREAK', 'W208_SUM_OF_PARTS']);
  if (year >= 2025) caveatIds.add('W202_CELL_KEY_NOISE');
  if (demo) caveatIds.add('W301_DEMO_DATA');

  // The kommun's similar kommuner, the same for every indicator.
  const group = scope.level === 'kommun' ? similarGroup(shared.groups, scope, year) : undefined;
  const memberCodes = [...new Set(group?.members.map((m) => m.code))];
  const chapters: ReportModel['chapters'] = [];
  for (const ch of CHAPTERS) {
    const indicators: IndicatorBlock[] = [];
    // An indicator that does not exist at the report's level (e.g. RegSO-only index components) is left out.
    for (const ind of cat.indicators.filter((d) => d.policy_area === ch.area && d.levels.includes(scope.level))) {
      const series = await areaSeries(conn, ind.id, scope.code, year);
      const latest = latestYear(series);
      if (latest !== null && latest < year) caveatIds.add('W205_LAGGED_YEAR');
      const allKommuner = latest === null ? [] : await queryOnce(conn, 'report/indicator_by_area', { indicator_id: ind.id, level: 'kommun', year: latest });
      const byKommun = inScope(allKommuner, scope);
      // The first year with a value for the scope: the kommun spread then, to say whether it widened or narrowed.
      const firstYear = series.find((r) => r.value !== null)?.year;
      const firstByKommun =
        firstYear !== undefined && latest !== null && Number(firstYear) < latest
          ? valueByCode(await queryOnce(conn, 'report/indicator_by_area', { indicator_id: ind.id, level: 'kommun', year: Number(firstYear) }))
          : NO_VALUES;
      const byLan = latest === null || scope.level !== 'riket' ? [] : await queryOnce(conn, 'report/indicator_by_area', { indicator_id: ind.id, level: 'lan', year: latest });
      // A län or kommun report sets its values beside its län's and riket's in the same year.
      const comparisons: { name: string; year: number; value: number | null }[] = [];
      if (latest !== null && scope.level !== 'riket') {
        const others = scope.level === 'kommun' ? [{ code: scope.code.slice(0, 2), name: lanNames.get(scope.code.slice(0, 2)) ?? scope.code.slice(0, 2) }] : [];
        for (const o of [...others, { code: '00', name: 'riket' }]) {
          const row = (await areaSeries(conn, ind.id, o.code, year)).find((r) => Number(r.year) === latest);
          comparisons.push({ name: o.name, year: latest, value: num(row?.value) });
        }
      }
      const caveats = ind.caveats.filter((c): c is MessageId => c in MESSAGES);
      caveats.forEach((c) => caveatIds.add(c));
      // Kommun and län reports: the län's and riket's whole series beside the area's own; kommun reports also their
      // similar kommuner (a band) and their rank (report/comparisons.ts).
      const comparisonSeries: NonNullable<IndicatorBlock['comparison_series']> = [];
      if (scope.level !== 'riket') {
        const others = scope.level === 'kommun' ? [{ code: scope.code.slice(0, 2), name: lanNames.get(scope.code.slice(0, 2)) ?? scope.code.slice(0, 2), level: 'lan' as const }] : [];
        for (const o of [...others, { code: '00', name: 'riket', level: 'riket' as const }]) {
          const rows = await areaSeries(conn, ind.id, o.code, year);
          if (rows.some((r) => r.value !== null)) {
            comparisonSeries.push({ name: o.name, level: o.level, series: rows.map((r) => ({ year: Number(r.year), value: num(r.value), status: str(r.status), area_version: String(r.area_version) })) });
          }
        }
      }
      let similar: IndicatorBlock['similar'];
      let rank: IndicatorBlock['rank'];
      if (scope.level === 'kommun') {
        if (group) {
          // Only the members' values (each member once): similarBand would pass over every kommun's, some 3,000 rows.
          const byCode = yearValuesByCode(await queryOnce(conn, 'report/indicator_kommun_years', { indicator_id: ind.id, year }));
          const band = similarBand(group, memberCodes.flatMap((code) => byCode.get(code) ?? []));
          if (band.band.length > 0) similar = band;
        }
        if (latest !== null) rank = indicatorRank(rankRows(allKommuner), scope.code, latest, unitStyle(ind.unit).decimals);
      }
      indicators.push({
        id: ind.id,
        // The title follows the definition of the latest year (the age band of the education indicators).
        title_sv: titleInYear(ind, latest),
        unit: ind.unit,
        higher_is_better: ind.higher_is_better,
        source: ind.source,
        definition: ind.definition,
        population: ind.population,
        caveats: caveats.map((c) => message(c)),
        series: series.map((r) => ({
          year: Number(r.year),
          value: num(r.value),
          status: str(r.status),
          area_version: String(r.area_version),
          numerator: num(r.numerator),
          denominator: num(r.denominator),
        })),
        ...indicatorReportFields(ind, latest),
        latest_year: latest,
        by_kommun: byKommun.map((r) => ({
          code: String(r.code),
          name: String(r.name),
          lan_code: String(r.lan_code),
          value: num(r.value),
          status: str(r.status),
          first_value: firstByKommun.size > 0 ? (firstByKommun.get(String(r.code)) ?? null) : null,
        })),
        first_year: firstByKommun.size > 0 ? Number(firstYear) : null,
        ...(comparisons.length > 0 ? { comparisons } : {}),
        ...(comparisonSeries.length > 0 ? { comparison_series: comparisonSeries } : {}),
        ...(similar ? { similar } : {}),
        ...(rank ? { rank } : {}),
        by_lan: byLan.map((r) => ({ code: String(r.code), name: String(r.name), value: num(r.value), status: str(r.status) })),
      });
    }
    if (indicators.length > 0) chapters.push({ policy_area: ch.area, title_sv: ch.title, indicators });
  }

  const segregation: SegregationBlock[] = [];
  for (const split of SEGREGATION_SPLITS_ENGINE) {
    // Two-group splits by D (the measure readers know); income quartiles by Theil's H, the multigroup evenness
    // index whose decomposition the warehouse also holds.
    const measure = split.kind === 'two_group' ? 'D' : 'multi_H_information_theory';
    const seriesOf = async (unitLevel: 'deso' | 'regso'): Promise<SegregationPoint[]> =>
      (await scopeRows(conn, 'report/segregation_series', { measure, groups: split.groups, unit_level: unitLevel, year }, scope)).map(
        (r) => ({
          year: Number(r.year),
          value: num(r.value),
          n_units: Number(r.n_units),
          status: String(r.status),
          expected: num(r.expected),
          ci_low: num(r.ci_low),
          ci_high: num(r.ci_high),
          area_version: String(r.unit_version),
        }),
      );
    const series = await seriesOf('deso');
    if (series.length === 0) continue;
    // Kommun values in the split's own latest year (low economic standard ends a year before the report year),
    // not the report year, where every kommun would read as missing.
    const latestValid = [...series].reverse().find((p) => p.value !== null)?.year ?? year;
    // The kommuner's first values in the series' own first year (the 2016 baseline where the source has it).
    const firstValid = series.find((p) => p.value !== null)?.year ?? FIRST_YEAR;
    const byKommun = inScope(await queryOnce(conn, 'report/segregation_by_kommun', { measure, groups: split.groups, unit_level: 'deso', first_year: firstValid, year: latestValid }), scope);
    const block: SegregationBlock = {
      measure,
      groups: split.groups,
      unit_level: 'deso',
      series,
      by_kommun: byKommun.map((r) => ({
        code: String(r.code),
        name: String(r.name),
        value: num(r.value),
        first_value: num(r.first_value),
        n_units: Number(r.n_units),
        status: String(r.status),
        expected: num(r.expected),
        ci_low: num(r.ci_low),
        ci_high: num(r.ci_high),
        first_ci_low: num(r.first_ci_low),
        first_ci_high: num(r.first_ci_high),
        unit_version: str(r.unit_version),
        first_unit_version: str(r.first_unit_version),
        pre_year: num(r.pre_year),
        pre_value: num(r.pre_value),
        pre_ci_low: num(r.pre_ci_low),
        pre_ci_high: num(r.pre_ci_high),
      })),
      area_break: (cat.area_version_breaks ?? []).find((b) => b.levels.includes('deso')) ?? null,
    };
    // The measures stage's changes (sql/measures/segregation_change.sql) up to the report year, and the DeSO break's size.
    const keyOf = { measure, groups: split.groups, unit_level: 'deso' };
    const changes = await scopeRows(conn, 'report/segregation_change', { ...keyOf, year }, scope);
    const toChange = (c: Row | undefined): SegregationChange | null => {
      if (!c) return null;
      const verdict = String(c.verdict);
      return {
        from_year: Number(c.from_year),
        to_year: Number(c.to_year),
        diff: Number(c.diff),
        ci_low: num(c.ci_low),
        ci_high: num(c.ci_high),
        verdict: verdict === 'increase' || verdict === 'decrease' ? verdict : 'none',
        crosses_break: c.crosses_break === true,
        from_value: Number(c.from_value),
        to_value: Number(c.to_value),
        from_version: String(c.from_version),
        to_version: String(c.to_version),
      };
    };
    block.change = toChange(changes.find((r) => r.span === 'comparable'));
    block.change_since_first = toChange(changes.find((r) => r.span === 'since_first'));
    // The last year before the break: the year before the latest area version's first year.
    const before = block.change && block.change_since_first?.crosses_break ? (block.change.crosses_break ? block.change.to_year : block.change.from_year) - 1 : null;
    if (before !== null) {
      const pre = await scopeRows(conn, 'report/segregation_change', { ...keyOf, year: before }, scope);
      block.change_before_break = toChange(pre.find((r) => r.span === 'comparable' && r.crosses_break === false));
    }
    // Every kommun's changes from the same table: the kommun tallies and lists rest on the test of the difference.
    const kommunChanges = async (y: number): Promise<Map<string, Row[]>> => rowsByCode(await queryOnce(conn, 'report/segregation_change_by_kommun', { measure, groups: split.groups, unit_level: 'deso', year: y }));
    const kNow = await kommunChanges(year);
    const kBefore = before !== null ? await kommunChanges(before) : null;
    for (const k of block.by_kommun) {
      const rows = kNow.get(k.code) ?? [];
      k.change = toChange(rows.find((r) => r.span === 'comparable'));
      k.change_since_first = toChange(rows.find((r) => r.span === 'since_first'));
      if (kBefore && k.change_since_first?.crosses_break) k.change_before_break = toChange(kBefore.get(k.code)?.find((r) => r.span === 'comparable' && r.crosses_break === false));
    }
    const bridge = await scopeRows(conn, 'report/segregation_bridge', keyOf, scope);
    if (bridge.length > 0) {
      block.break_size = bridge.map((r) => ({ year: Number(r.year), from_version: String(r.from_version), to_version: String(r.to_version), value_from: Number(r.value_from), value_to: Number(r.value_to) }));
    }
    // D over RegSO beside DeSO for the foreign-background split: the same people over larger units, so the reader
    // sees how much of the index is unit size. Only when RegSO gives a value at all (a kommun of one RegSO does not).
    if (split.key === 'foreign_background') {
      const regso = await seriesOf('regso');
      if (regso.some((p) => p.value !== null)) block.other_unit_level = { unit_level: 'regso', series: regso };
    }
    // The between/within decomposition exists for riket only (it partitions the country into län and kommuner).
    if (split.kind === 'multigroup' && scope.level === 'riket') {
      const years = decompositionYears(await queryOnce(conn, 'report/segregation_decomposition', { groups: split.groups, unit_level: 'deso', year }));
      if (years.length > 0) block.decomposition = { unit_level: 'deso', years };
    }
    segregation.push(block);
  }
  if (segregation.length > 0) {
    caveatIds.add('W206_SMALL_UNIT_BIAS');
    caveatIds.add('W302_BACKGROUND_NOT_BIRTH');
  }

  const areaTypes = await areaTypeBlock(ctx, conn, scope, cat.indicators);
  // Maps (report/maps.ts): kommuner for riket and län, the kommun's RegSO for a kommun report.
  const mapInd = cat.indicators.find((d) => d.id === MAP_INDICATOR);
  const maps =
    scope.level === 'kommun'
      ? regsoMaps(
          (await scopeRows(conn, 'report/map_regso', { indicator_id: MAP_INDICATOR, year }, scope)).map(
            (r): RegsoMapRow => ({
              code: String(r.code),
              name: String(r.name),
              area_version: String(r.area_version),
              area_type: num(r.area_type),
              type_year: num(r.type_year),
              value: num(r.value),
              status: str(r.status),
              value_year: num(r.value_year),
              geometry: str(r.geometry),
              geometry_source: str(r.geometry_source),
            }),
          ),
          mapInd ? { title_sv: titleInYear(mapInd, year), unit: mapInd.unit, source: mapInd.source } : undefined,
          demo,
        )
      : kommunMaps(scope, chapters, segregation, shared.boundaries);
  if (areaTypes) {
    caveatIds.add('W214_AREA_TYPES_RELATIVE');
    caveatIds.add('W216_BY_AREA_TYPE_SUMS');
    if (areaTypes.cuts.some((c) => c.n_unclassified > 0) || areaTypes.population.some((p) => p.area_type === null)) caveatIds.add('W215_AREA_TYPE_UNCLASSIFIED');
    for (const ind of areaTypes.indicators) {
      for (const c of cat.indicators.find((d) => d.id === ind.id)?.caveats ?? []) if (c in MESSAGES) caveatIds.add(c as MessageId);
    }
  }

  return {
    demo,
    year,
    lang: ctx.config.lang,
    scope,
    generated_at: ctx.now().toISOString(),
    chapters,
    segregation,
    ...(areaTypes ? { area_types: areaTypes } : {}),
    sources,
    caveats: [...[...caveatIds].sort().map((id) => ({ id, text: message(id) })), ...(shared.facts.staleCaveat ? [shared.facts.staleCaveat] : [])],
    disclosure_threshold: shared.facts.threshold,
    ...(draws !== undefined ? { bootstrap_draws: draws, segregation_method: methodText(draws, 0.95, ctx.config.lang) } : {}),
    reforms: shared.reforms,
    ...(maps.length > 0 ? { maps } : {}),
  };
}

const DECOMPOSITION_ORDER: readonly DecompositionComponent[] = ['between_lan', 'between_kommun_within_lan', 'within_kommun', 'total'];

/** Rows of report/segregation_decomposition → the first and the latest year whose total M has a value. */
function decompositionYears(rows: Row[]): DecompositionYear[] {
  const byYear = new Map<number, Row[]>();
  for (const r of rows) byYear.set(Number(r.year), [...(byYear.get(Number(r.year)) ?? []), r]);
  const valued = [...byYear.entries()]
    .filter(([, rs]) => rs.some((r) => r.measure === 'M_total' && r.value !== null))
    .sort((a, b) => a[0] - b[0]);
  const picks = valued.length > 1 ? [valued[0], valued[valued.length - 1]] : valued.slice(0, 1);
  return picks.flatMap((p) => {
    if (!p) return [];
    const [y, rs] = p;
    const value = (m: string): number | null => num(rs.find((r) => r.measure === m)?.value);
    return [
      {
        year: y,
        unit_version: String(rs[0]?.unit_version ?? ''),
        terms: DECOMPOSITION_ORDER.map((component) => ({ component, M: value(`M_${component}`), H: value(`H_${component}`) })),
      },
    ];
  });
}

const COMPARISONS: readonly AreaTypeComparison[] = ['type1_vs_type5', 'lowest_vs_rest', 'single_type', 'no_types'];
function areaTypeComparison(v: Row[string] | undefined): AreaTypeComparison {
  const c = COMPARISONS.find((k) => k === v);
  if (!c) throw new StageError(`area_type_gap.comparison: expected one of ${COMPARISONS.join(', ')}, got ${String(v)} (rebuild the area types)`);
  return c;
}

const VERDICTS: readonly GapChangeVerdict[] = ['narrowed', 'widened', 'no_change', 'reversed'];
function gapChangeVerdict(v: Row[string] | undefined): GapChangeVerdict | null {
  return VERDICTS.find((k) => k === v) ?? null;
}

function areaTypeNumber(v: Row[string] | undefined): AreaTypeNumber | null {
  const n = v === null || v === undefined ? null : Number(v);
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5 ? n : null;
}

/**
 * The Områdestyper chapter for one scope, or undefined when the warehouse holds no area types (a warehouse built
 * before the area-types stage, or sources without RegSO values).
 */
async function areaTypeBlock(
  ctx: Context,
  conn: DuckDBConnection,
  scope: Scope,
  indicators: readonly { id: string; levels: readonly string[]; title_sv: string; breaks?: IndicatorDef['breaks'] }[],
): Promise<AreaTypeBlock | undefined> {
  const year = ctx.config.year;
  const cutRows = await queryOnce(conn, 'report/area_type_cuts', { year });
  if (cutRows.length === 0) return undefined;
  const cat = loadAreaTypeCatalogue(ctx.config.dataDir);
  const population = (await scopeRows(conn, 'report/area_type_population', { year }, scope)).map((r) => ({
    year: Number(r.year),
    area_type: areaTypeNumber(r.area_type),
    n_areas: Number(r.n_areas),
    n_missing_population: Number(r.n_missing_population),
    population: num(r.population),
    share: num(r.share),
    status: String(r.status),
  }));
  const byType = await scopeRows(conn, 'report/indicator_by_area_type', { year }, scope);
  const gaps = await scopeRows(conn, 'report/area_type_gaps', { year }, scope);
  const regsoOnly = new Set(indicators.filter((d) => d.levels.length === 1 && d.levels[0] === 'regso').map((d) => d.id));
  // The by-type rows of each indicator, in the answer's order: looked up per gap row instead of filtered from all.
  const byIndicator = groupBy(byType, (r) => (typeof r.indicator_id === 'string' ? r.indicator_id : undefined));
  const rows: AreaTypeIndicator[] = gaps.map((g) => {
    const id = String(g.indicator_id);
    const y = Number(g.year);
    const ofIndicator = byIndicator.get(id) ?? [];
    return {
      id,
      // The title of the year's definition (the education age band), as in the indicator chapters.
      title_sv: titleInYear(indicators.find((d) => d.id === id) ?? { title_sv: String(g.title_sv) }, y),
      unit: String(g.unit),
      higher_is_better: g.higher_is_better === null ? null : Boolean(g.higher_is_better),
      // The index components exist at RegSO level only (data/indicators.json): they are what the types are cut on.
      index_component: regsoOnly.has(id),
      year: y,
      comparison: areaTypeComparison(g.comparison),
      comparison_year: num(g.comparison_year),
      focus_upto: areaTypeNumber(g.focus_upto),
      reference_from: areaTypeNumber(g.reference_from),
      value_focus: num(g.value_focus),
      value_reference: num(g.value_reference),
      gap: num(g.gap),
      base_year: num(g.base_year),
      value_focus_base: num(g.value_focus_base),
      value_reference_base: num(g.value_reference_base),
      gap_base: num(g.gap_base),
      gap_change: num(g.gap_change),
      se_change: num(g.se_change),
      materiality: num(g.materiality),
      narrowed: g.narrowed === null ? null : Boolean(g.narrowed),
      change_verdict: gapChangeVerdict(g.change_verdict),
      status: String(g.status),
      change_status: String(g.change_status),
      by_type: ofIndicator
        .filter((r) => Number(r.year) === y)
        .flatMap((r) => {
          const t = areaTypeNumber(r.area_type);
          return t === null ? [] : [{ area_type: t, value: num(r.value), status: String(r.status), n_areas: Number(r.n_areas) }];
        }),
      trend: ofIndicator.flatMap((r) => {
        const t = areaTypeNumber(r.area_type);
        return t === null ? [] : [{ year: Number(r.year), area_type: t, value: num(r.value), status: String(r.status) }];
      }),
    };
  });
  const block: AreaTypeBlock = {
    types: cat.cuts.map((c) => ({ area_type: c.type as AreaTypeNumber, name_sv: c.name_sv, min_sd: c.min_sd })),
    components: (['V1', 'V2', 'V3'] as const).map((k) => cat.index.components[k].label_sv),
    cuts: cutRows.map((r) => ({
      year: Number(r.year),
      area_version: String(r.area_version),
      n_areas: Number(r.n_areas),
      n_unclassified: Number(r.n_unclassified),
      mean: num(r.mean),
      sd: num(r.sd),
      n_by_type: [r.n_type1, r.n_type2, r.n_type3, r.n_type4, r.n_type5].map(Number),
    })),
    population,
    indicators: rows,
    change_rule: { materiality_pp: cat.gap.change.materiality_pp, z: cat.gap.change.z },
  };
  if (scope.level === 'kommun') {
    const regso = await scopeRows(conn, 'report/area_type_regso', { first_year: BASELINE_YEAR, year }, scope);
    block.regso = regso.map((r) => ({
      code: String(r.code),
      name: String(r.name),
      first_type: areaTypeNumber(r.first_type),
      latest_type: areaTypeNumber(r.latest_type),
      latest_index: num(r.latest_index),
    }));
    block.regso_years = { first: num(regso[0]?.first_year), latest: num(regso[0]?.latest_year) };
    block.index_spread = (await scopeRows(conn, 'report/area_type_index_spread', { first_year: BASELINE_YEAR, year }, scope)).map((r) => ({
      year: Number(r.year),
      n_regso: Number(r.n_regso),
      n_indexed: Number(r.n_indexed),
      min: num(r.min_index),
      median: num(r.median_index),
      max: num(r.max_index),
      national_mean: num(r.national_mean),
      national_sd: num(r.national_sd),
    }));
  }
  return block;
}

function num(v: Row[string] | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
function str(v: Row[string] | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}
