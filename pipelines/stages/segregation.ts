/**
 * The segregation stage: every index of METHODS.md §3–§5 and §8 per kommun, län and riket, over DeSO and over RegSO,
 * for every year the sources hold, computed by the index engine in pipelines/measures and written to
 * `segregation_index`.
 *
 * Rows written (all with n_units, total and a §2.2 status; value NULL unless status is 'ok'):
 *
 *   groups label / focal label / source_table / kind
 *   'utländsk bakgrund / svensk bakgrund' / 'utländsk bakgrund' / TAB6571 / two-group (UtlBakgrund 1 vs 2)
 *   'låg ekonomisk standard / ej låg ekonomisk standard' / 'låg ekonomisk standard' / TAB6685 / two-group
 *       (x = round(percent × total / 100), y = total − x; see sql/measures/unit_counts_percent.sql)
 *   'eftergymnasial utbildning / ej eftergymnasial utbildning' / 'eftergymnasial utbildning' / TAB5956 (25–64 år,
 *       to 2023) and TAB6534 (25–65 år, from 2024) / two-group (levels 5+6 vs 21+3+4+US)
 *   'nationella inkomstkvartiler Q1–Q4' / NULL / TAB6684 / multigroup (Q1..Q4: persons × each quartile's
 *       published whole percent, see sql/measures/unit_counts_quartiles.sql)
 *   Rows of a two-group split carry its focal label, decomposition rows included.

 *   two-group measures: D, Gini, H_two_group, isolation_xPx, interaction_xPy, correlation_ratio_V, atkinson_b0.5
 *   multigroup measures: multi_D, multi_Gini, multi_H_information_theory, multi_M_divergence (nats),
 *                        multi_normalized_exposure, multi_relative_diversity, multi_squared_coef_variation
 *   scope_level 'kommun' | 'lan' | 'riket' (scope_code '00'); unit_level 'deso' | 'regso'; unit_version the
 *   vintage of the units as published (DeSO2018/RegSO2020 up to 2023, DeSO2025/RegSO2025 from 2024).
 *
 *   expected / bias_corrected / bias / se / ci_low / ci_high / draws (METHODS.md §8) are filled for D, H_two_group,
 *   multi_D, multi_H_information_theory and multi_M_divergence: the exact mean under random allocation with the
 *   observed margins, and the bootstrap's bias-corrected estimate with its bias-aware interval, clamped to the
 *   index's range (pipelines/measures/inference.ts `summarise` says which and why; the interval always holds both
 *   value and bias_corrected). One set of draws per (split, unit level and version, source table, year) serves
 *   every scope and D, H and M; its seed is derived from exactly those keys, so reruns and any processing order
 *   give identical numbers.
 *
 *   Decomposition of M and H (METHODS.md §5.3), scope riket only, per split, unit level and year:
 *     M_total                      M of units × groups over the whole country (= multi_M_divergence of riket)
 *     M_between_lan                M of the län × groups table
 *     M_between_kommun_within_lan  Σ_län W_län · M(kommun × groups inside the län)
 *     M_within_kommun              Σ_kommun W_kommun · M(units × groups inside the kommun)
 *     H_total, H_between_lan, H_between_kommun_within_lan, H_within_kommun: the same divided by the national entropy
 *   so M_total = M_between_lan + M_between_kommun_within_lan + M_within_kommun (and the same for H). Each term is
 *   computed from the data, not as a difference. M in nats.
 *
 * Unit counts come from sql/measures/unit_counts_*.sql: each level's own published counts (RegSO counts are not
 * rebuilt from DeSO), from 2025 each group's published count as is (cell-key noise: parts need not add up). A unit
 * with a count missing or protected at source is left out of every scope and counted in the log, never read as 0.
 * A kommun whose units are all left out still gets rows, with status 'no_population' and n_units 0.
 *
 * The build stage's SQL D (sql/measures/dissimilarity.sql, same groups label) is replaced: this stage deletes every
 * row of its four groups labels and writes D again from the engine, over DeSO and RegSO, with expected and interval.
 *
 * Also written: segregation_index_change, the change of every index with an interval since 2017 and within the
 * latest area version, with a verdict (buildSegregationChange), and segregation_bridge, the DeSO 2018 → 2025 break
 * measured in the years next to it on both versions (bridgeRows). The unit sets are computed in worker threads.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { execFile, inTransaction, queryFile, sqlFile, type Params } from '../db.ts';
import { FIRST_YEAR } from '../config.ts';
import { StageError } from '../errors.ts';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MULTIGROUP_INDEX_IDS, TWO_GROUP_INDEX_IDS, type IndexStatus } from '../measures/index-ids.ts';
import { normalQuantile } from '../measures/inference.ts';
import { multigroupIndices } from '../measures/multigroup.ts';
import { twoGroupIndices } from '../measures/two-group.ts';
import { computeUnitSet, Rows, scopesOf, type SplitInfo, type UnitSet } from './segregation-compute.ts';
import type { Job } from './segregation-worker.ts';

export { DECOMPOSITION_MEASURES, type UnitSet } from './segregation-compute.ts';

/**
 * Bootstrap draws behind every interval: one set of draws per unit set serves all its scopes (inferScopes), and the
 * expected values are exact, so the cost is one resample of the cells per draw. 200 draws give the interval's se to
 * ±5 % and its bias to ±0.07 se; the coverage simulation (tests/measures/coverage.test.ts) finds 93–96 % at 200.
 * Demo and real runs use the same default, so a demo's intervals are real ones. SegregationOptions.draws overrides.
 */
export const DEFAULT_DRAWS = 200;

export interface SegregationOptions {
  /**
   * Worker threads for the computation (default: one per core, at most the number of unit sets; 0 or 1 computes in
   * this thread). Results do not depend on it: every set has its own seed and rows are written in set order.
   */
  readonly workers?: number;
  /** Bootstrap draws; 0 leaves expected, bias-corrected value and interval NULL. Default DEFAULT_DRAWS. */
  readonly draws?: number;
  /** Level of the bootstrap interval. Default 0.95. */
  readonly confidence?: number;
  /**
   * Also fill segregation_index_change (buildSegregationChange). Default true; the build stage passes false, as it
   * computes the changes once, after disclosure control, and the ones made here would only be deleted again.
   */
  readonly changes?: boolean;
}

export interface SegregationResult {
  /** Rows written to segregation_index. */
  rows: number;
  /** Rows per groups label. */
  by_groups: Record<string, number>;
  /** (split, unit level, version, year) sets of units processed. */
  unit_sets: number;
  /** Unit-years left out because a count was missing or protected at source. */
  left_out_units: number;
  draws: number;
  seconds: { read: number; compute: number; write: number };
}

export interface Split extends SplitInfo {
  readonly sql: string;
  readonly params: () => Params;
  /** Count columns in the SQL output, in order. */
  readonly columns: readonly string[];
}

const list = (v: string[]): DuckDBValue => listValue(v);

/** The group splits. Codes as in data/sources.json (tests check that they are there). */
export const SEGREGATION_SPLITS_ENGINE: readonly Split[] = [
  {
    key: 'foreign_background',
    kind: 'two_group',
    // Same label as build.ts SEGREGATION_SPLITS, which the report reads.
    groups: 'utländsk bakgrund / svensk bakgrund',
    focal: 'utländsk bakgrund',
    sql: 'measures/unit_counts_two_group',
    params: () => ({
      tables: list(['TAB6571']),
      measures: list(['000007Y4']),
      focal_breakdowns: list(['Kon=1+2;UtlBakgrund=1']),
      other_breakdowns: list(['Kon=1+2;UtlBakgrund=2']),
    }),
    columns: ['x', 'y'],
  },
  {
    key: 'low_economic_standard',
    kind: 'two_group',
    groups: 'låg ekonomisk standard / ej låg ekonomisk standard',
    focal: 'låg ekonomisk standard',
    sql: 'measures/unit_counts_percent',
    params: () => ({ table: 'TAB6685', pct_measure: '000008AC', total_measure: '000008AE', breakdown: 'Alder=tot' }),
    columns: ['x', 'y'],
  },
  {
    key: 'post_secondary',
    kind: 'two_group',
    groups: 'eftergymnasial utbildning / ej eftergymnasial utbildning',
    focal: 'eftergymnasial utbildning',
    sql: 'measures/unit_counts_two_group',
    // 25–64 år in TAB5956 (to 2023), 25–65 år in TAB6534 (from 2024): a series break, see source_table and
    // W207_EDUCATION_AGE_BAND. "Not post-secondary" includes level unknown (US), as the indicator's denominator does.
    params: () => ({
      tables: list(['TAB5956', 'TAB6534']),
      measures: list(['000005MO', '000007Z6']),
      focal_breakdowns: list(['UtbildningsNiva=5', 'UtbildningsNiva=6']),
      other_breakdowns: list(['UtbildningsNiva=21', 'UtbildningsNiva=3+4', 'UtbildningsNiva=US']),
    }),
    columns: ['x', 'y'],
  },
  {
    // SCB publishes no income quintiles per DeSO; TAB6684 has the shares of persons in the national quartiles.
    key: 'income_quartiles',
    kind: 'multigroup',
    groups: 'nationella inkomstkvartiler Q1–Q4',
    focal: null,
    sql: 'measures/unit_counts_quartiles',
    params: () => ({
      table: 'TAB6684',
      persons_measure: '000008A5',
      share_measures: list(['000008A6', '000008A7', '000008A8', '000008A9']),
    }),
    columns: ['q1', 'q2', 'q3', 'q4'],
  },
];

/**
 * Runs a unit_counts SQL file and slices its rows into unit sets. The columns are read once as arrays; per-unit
 * work is on typed arrays only.
 */
export async function readUnitSets(conn: DuckDBConnection, split: Split): Promise<UnitSet[]> {
  let reader;
  try {
    reader = await conn.runAndReadAll(sqlFile(split.sql), split.params());
  } catch (e) {
    throw new StageError(`sql/${split.sql}.sql failed: ${(e as Error).message}`, { cause: e });
  }
  const cols = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  const need = ['unit_level', 'unit_version', 'year', 'source_table', 'kommun_code', 'unit_code', ...split.columns];
  for (const c of need) if (!(c in cols)) throw new StageError(`sql/${split.sql}.sql: column ${c} missing from its output`);
  const level = cols.unit_level as string[];
  const version = cols.unit_version as string[];
  const year = cols.year as number[];
  const table = cols.source_table as string[];
  const kommun = cols.kommun_code as string[];
  const unitCode = (cols.unit_code ?? []) as string[];
  const K = split.columns.length;
  const countCols = split.columns.map((c) => cols[c] as (number | null)[]);
  const n = level.length;

  const sets: UnitSet[] = [];
  let r = 0;
  while (r < n) {
    const end = blockEnd(r);
    const counts = new Float64Array((end - r) * K);
    const kommuner: string[] = [];
    const units: string[] = [];
    const starts: number[] = [];
    let m = 0;
    let leftOut = 0;
    let integral = true;
    for (let i = r; i < end; i++) {
      const k = kommun[i] as string;
      if (kommuner.length === 0 || kommuner[kommuner.length - 1] !== k) {
        kommuner.push(k);
        starts.push(m);
      }
      let complete = true;
      for (let g = 0; g < K; g++) if ((countCols[g] as (number | null)[])[i] === null) complete = false;
      if (!complete) {
        leftOut++;
        continue;
      }
      for (let g = 0; g < K; g++) {
        const v = (countCols[g] as number[])[i] as number;
        if (!(v >= 0) || !Number.isFinite(v)) {
          throw new StageError(`sql/${split.sql}.sql: count ${v} for ${kommun[i]} ${year[i]} is not a finite non-negative number`);
        }
        if (!Number.isInteger(v)) integral = false;
        counts[m * K + g] = v;
      }
      units.push(unitCode[i] as string);
      m++;
    }
    starts.push(m);
    sets.push({
      unitLevel: level[r] as string,
      unitVersion: version[r] as string,
      year: Number(year[r]),
      sourceTable: table[r] as string,
      K,
      counts: counts.subarray(0, m * K),
      units,
      kommuner,
      kommunStart: Uint32Array.from(starts),
      leftOut,
      integral,
    });
    r = end;
  }
  return sets;

  function blockEnd(start: number): number {
    let e = start + 1;
    while (e < n && level[e] === level[start] && version[e] === version[start] && year[e] === year[start] && table[e] === table[start]) e++;
    return e;
  }
}

/**
 * Fills segregation_index for the splits above, replacing this stage's rows. Runs in its own transaction, or inside
 * the caller's when one is open (e.g. inside the build stage's), so either way a failure leaves the previous rows.
 */
export async function buildSegregation(ctx: Context, conn: DuckDBConnection, opts: SegregationOptions = {}): Promise<SegregationResult> {
  return writeSegregation(ctx, conn, await computeSegregation(ctx, conn, opts), opts);
}

/** The rows of buildSegregation, computed and not yet written (computeSegregation, then writeSegregation). */
export interface ComputedSegregation {
  readonly parts: readonly PackedRows[];
  readonly bridge: readonly BridgeRow[];
  readonly confidence: number;
  readonly result: SegregationResult;
}

/**
 * buildSegregation's reading and computing, which write nothing: the unit counts come from `observation` and the
 * crosswalk from the area tables, which no build step changes. So the build stage computes before its transaction
 * writes the indicator values: the engine's heap, its threads and their unit sets (some 250 MB in a demo) are then
 * gone before DuckDB holds the transaction's ~270 MB of uncommitted rows (issue 10, a demo under 1 GB).
 */
export async function computeSegregation(ctx: Context, conn: DuckDBConnection, opts: SegregationOptions = {}): Promise<ComputedSegregation> {
  const draws = opts.draws ?? DEFAULT_DRAWS;
  const confidence = opts.confidence ?? 0.95;
  if (!Number.isInteger(draws) || draws < 0) throw new StageError(`segregation: draws must be a non-negative integer, got ${draws}`);
  const result: SegregationResult = { rows: 0, by_groups: {}, unit_sets: 0, left_out_units: 0, draws, seconds: { read: 0, compute: 0, write: 0 } };
  const crosswalk = await readCrosswalk(conn);
  const bridge: BridgeRow[] = [];

  const jobs: { split: Split; set: UnitSet }[] = [];
  for (const split of SEGREGATION_SPLITS_ENGINE) {
    let t0 = performance.now();
    const sets = await readUnitSets(conn, split);
    result.seconds.read += (performance.now() - t0) / 1000;
    t0 = performance.now();
    let leftOut = 0;
    for (const set of sets) {
      jobs.push({ split, set });
      leftOut += set.leftOut;
      if (!set.integral && draws > 0) {
        ctx.log.info('segregation: counts are not whole numbers, expected and interval left empty', { groups: split.groups, unit_level: set.unitLevel, year: set.year });
      }
    }
    bridgeRows(split, sets, crosswalk, bridge);
    result.seconds.compute += (performance.now() - t0) / 1000;
    result.unit_sets += sets.length;
    result.left_out_units += leftOut;
    if (leftOut > 0) {
      ctx.log.warn('W201_MISSING_VALUES', 'segregation: units with counts missing or protected at source left out', { groups: split.groups, units: leftOut });
    }
  }
  const tc = performance.now();
  const parts = await runUnitSets(jobs, draws, confidence, opts.workers ?? availableParallelism());
  parts.forEach((part, i) => {
    const groups = (jobs[i] as { split: Split }).split.groups;
    result.by_groups[groups] = (result.by_groups[groups] ?? 0) + part.length;
  });
  result.seconds.compute += (performance.now() - tc) / 1000;
  return { parts, bridge, confidence, result };
}

/** Writes computeSegregation's rows, replacing this stage's rows; in a transaction as buildSegregation says. */
export async function writeSegregation(ctx: Context, conn: DuckDBConnection, computed: ComputedSegregation, opts: SegregationOptions = {}): Promise<SegregationResult> {
  const { parts, bridge, confidence, result } = computed;
  const t0 = performance.now();
  await inTransaction(conn, async () => {
    await execFile(conn, 'measures/delete_segregation_groups', { groups: listValue(SEGREGATION_SPLITS_ENGINE.map((s) => s.groups)) });
    await appendParts(conn, parts);
    await execFile(conn, 'measures/delete_segregation_bridge');
    await appendBridge(conn, bridge);
    if (opts.changes !== false) await buildSegregationChange(conn, confidence);
  });
  result.seconds.write = (performance.now() - t0) / 1000;
  result.rows = parts.reduce((n, p) => n + p.length, 0);
  for (const k of Object.keys(result.seconds) as (keyof SegregationResult['seconds'])[]) result.seconds[k] = Math.round(result.seconds[k] * 1000) / 1000;
  ctx.log.info('built segregation indices', { rows: result.rows, unit_sets: result.unit_sets, left_out_units: result.left_out_units, draws: result.draws, ...result.seconds });
  return result;
}

async function appendParts(conn: DuckDBConnection, parts: readonly PackedRows[]): Promise<void> {
  const ap = await conn.createAppender('segregation_index');
  try {
    // NaN stands for NULL in the packed numbers; a non-finite index value is written as NULL as well.
    const dbl = (v: number): void => (Number.isFinite(v) ? ap.appendDouble(v) : ap.appendNull());
    for (const rows of parts) {
      const n = rows.num;
      for (let i = 0; i < rows.length; i++) {
        const at = i * NUM_COLUMNS.length;
        ap.appendVarchar(rows.measure[i] as string);
        ap.appendVarchar(rows.groups[i] as string);
        const f = rows.focal[i] ?? null;
        if (f === null) ap.appendNull();
        else ap.appendVarchar(f);
        ap.appendVarchar(rows.scopeLevel[i] as string);
        ap.appendVarchar(rows.scopeCode[i] as string);
        ap.appendVarchar(rows.unitLevel[i] as string);
        ap.appendVarchar(rows.unitVersion[i] as string);
        ap.appendInteger(n[at + NUM.year] as number);
        dbl(n[at + NUM.value] as number);
        dbl(n[at + NUM.expected] as number);
        dbl(n[at + NUM.ciLow] as number);
        dbl(n[at + NUM.ciHigh] as number);
        ap.appendInteger(n[at + NUM.nUnits] as number);
        ap.appendDouble(n[at + NUM.total] as number);
        ap.appendVarchar(rows.status[i] as string);
        ap.appendVarchar(rows.sourceTable[i] as string);
        dbl(n[at + NUM.biasCorrected] as number);
        dbl(n[at + NUM.bias] as number);
        dbl(n[at + NUM.se] as number);
        const d = n[at + NUM.draws] as number;
        if (Number.isNaN(d)) ap.appendNull();
        else ap.appendInteger(d);
        ap.endRow();
      }
    }
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
}

/** The numeric columns of Rows, packed side by side per row in PackedRows.num. */
const NUM_COLUMNS = ['year', 'value', 'expected', 'ciLow', 'ciHigh', 'nUnits', 'total', 'biasCorrected', 'bias', 'se', 'draws'] as const;
const NUM = Object.fromEntries(NUM_COLUMNS.map((c, i) => [c, i])) as Record<(typeof NUM_COLUMNS)[number], number>;

/**
 * One unit set's rows as the write needs them, compact: a thread's Rows arrive with a fresh copy of every string
 * (structured clone) and every number boxed, some 1.3 KB a row (the demo's 166,592 rows held ~290 MB of heap at the
 * build's peak). Here each distinct string is kept once and the numbers sit in one Float64Array, NaN for null.
 */
export interface PackedRows {
  readonly length: number;
  readonly measure: string[];
  readonly groups: string[];
  readonly focal: (string | null)[];
  readonly scopeLevel: string[];
  readonly scopeCode: string[];
  readonly unitLevel: string[];
  readonly unitVersion: string[];
  readonly status: string[];
  readonly sourceTable: string[];
  /** Row-major, NUM_COLUMNS per row. */
  readonly num: Float64Array;
}

/** `rows` packed (PackedRows); `seen` keeps the first copy of every string across parts. */
export function packRows(rows: Rows, seen: Map<string, string>): PackedRows {
  const one = (v: string): string => {
    const kept = seen.get(v);
    if (kept !== undefined) return kept;
    seen.set(v, v);
    return v;
  };
  const text = (col: readonly string[]): string[] => col.map(one);
  // Not rows.length: a thread's Rows arrive as a plain object, without the class's getter.
  const n = rows.measure.length;
  const num = new Float64Array(n * NUM_COLUMNS.length);
  NUM_COLUMNS.forEach((c, j) => {
    const col = rows[c] as readonly (number | null)[];
    for (let i = 0; i < n; i++) num[i * NUM_COLUMNS.length + j] = col[i] ?? NaN;
  });
  return {
    length: n,
    measure: text(rows.measure),
    groups: text(rows.groups),
    focal: rows.focal.map((f) => (f === null || f === undefined ? null : one(f))),
    scopeLevel: text(rows.scopeLevel),
    scopeCode: text(rows.scopeCode),
    unitLevel: text(rows.unitLevel),
    unitVersion: text(rows.unitVersion),
    status: text(rows.status),
    sourceTable: text(rows.sourceTable),
    num,
  };
}

/**
 * The change of every index with an interval between its first comparable year and its latest year, into
 * segregation_index_change (sql/measures/segregation_change.sql says how). The build stage runs it again after
 * disclosure control, so that a withheld value never enters a change.
 */
export async function buildSegregationChange(conn: DuckDBConnection, confidence = 0.95): Promise<void> {
  await execFile(conn, 'measures/delete_segregation_change');
  await execFile(conn, 'measures/segregation_change', { first_year: FIRST_YEAR, z: normalQuantile(1 - (1 - confidence) / 2) });
}

/** DeSO 2018 → DeSO 2025 population weights (area_crosswalk), per old code. */
export type Crosswalk = Map<string, { to: string; weight: number }[]>;

async function readCrosswalk(conn: DuckDBConnection): Promise<Crosswalk> {
  const rows = await queryFile(conn, 'measures/deso_crosswalk', { from_version: BRIDGE.from, to_version: BRIDGE.to });
  const out: Crosswalk = new Map();
  for (const r of rows) {
    const from = String(r.from_code);
    let list = out.get(from);
    if (!list) out.set(from, (list = []));
    list.push({ to: String(r.to_code), weight: Number(r.weight) });
  }
  return out;
}

/** The DeSO area-version break bridged: the years next to it, each computed on both versions. */
const BRIDGE = { unitLevel: 'deso', from: 'DeSO2018', to: 'DeSO2025' } as const;

export interface BridgeRow {
  measure: string;
  groups: string;
  focal: string | null;
  scopeLevel: string;
  scopeCode: string;
  year: number;
  valueFrom: number | null;
  valueTo: number | null;
  nFrom: number;
  nTo: number;
  status: string;
}

/**
 * The size of the DeSO 2018 → 2025 break (issue 6 item 4). SCB publishes no year on both versions, so the two years
 * next to the break are each moved onto the other version with the crosswalk's population weights and every index
 * is computed on both versions of the same people:
 * - the first DeSO 2025 year moved back onto DeSO 2018: each new area's counts go to the old areas it came from,
 *   in proportion to weight × the old area's population in the last DeSO 2018 year. Exact for the common case, a
 *   new area that lies inside one old area (a split: the parts are summed back), approximate where areas merged;
 * - the last DeSO 2018 year moved forward onto DeSO 2025: each old area's counts split over its new areas by the
 *   weights. Splitting an area into parts of the same composition leaves every evenness index unchanged, so this
 *   direction shows only what merges do; it is kept as the second view of the break.
 * value_to − value_from is then what the change of units alone does to the index in that year. Old or new areas
 * without a crosswalk row are left out of the moved set (n_units_* say how many units each side has).
 */
export function bridgeRows(split: SplitInfo, sets: readonly UnitSet[], crosswalk: Crosswalk, out: BridgeRow[]): void {
  if (crosswalk.size === 0) return;
  const level = sets.filter((x) => x.unitLevel === BRIDGE.unitLevel);
  const old = level.filter((x) => x.unitVersion === BRIDGE.from);
  const neu = level.filter((x) => x.unitVersion === BRIDGE.to);
  if (old.length === 0 || neu.length === 0) return;
  const lastOld = old.reduce((a, b) => (b.year > a.year ? b : a));
  const firstNew = neu.reduce((a, b) => (b.year < a.year ? b : a));
  const K = lastOld.K;
  // Back-weights: a new area's people over its old areas, by weight × the old area's population.
  const oldPop = new Map<string, number>();
  lastOld.units.forEach((code, i) => {
    let t = 0;
    for (let k = 0; k < K; k++) t += lastOld.counts[i * K + k] as number;
    oldPop.set(code, t);
  });
  const back: Crosswalk = new Map();
  for (const [from, targets] of crosswalk) {
    for (const { to, weight } of targets) {
      let list = back.get(to);
      if (!list) back.set(to, (list = []));
      list.push({ to: from, weight: weight * (oldPop.get(from) ?? 0) });
    }
  }
  for (const list of back.values()) {
    const sum = list.reduce((a, x) => a + x.weight, 0);
    for (const x of list) x.weight = sum > 0 ? x.weight / sum : 1 / list.length;
  }
  const pairs: [UnitSet, UnitSet][] = [
    [moveSet(firstNew, back, BRIDGE.from), firstNew],
    [lastOld, moveSet(lastOld, crosswalk, BRIDGE.to)],
  ];
  for (const [onOld, onNew] of pairs) {
    const valuesFrom = scopeValues(split, onOld);
    for (const [key, vTo] of scopeValues(split, onNew)) {
      const vFrom = valuesFrom.get(key);
      const [measure, scopeLevel, scopeCode] = key.split('|') as [string, string, string];
      out.push({
        measure,
        groups: split.groups,
        focal: split.focal,
        scopeLevel,
        scopeCode,
        year: onOld.year,
        valueFrom: vFrom?.value ?? null,
        valueTo: vTo.value,
        nFrom: vFrom?.nUnits ?? 0,
        nTo: vTo.nUnits,
        status: vFrom?.status === 'ok' ? vTo.status : (vFrom?.status ?? 'no_population'),
      });
    }
  }
}

/** The set's counts moved onto another area version by a code → [{to, weight}] mapping, in kommun and code order. */
function moveSet(set: UnitSet, mapping: Crosswalk, version: string): UnitSet {
  const K = set.K;
  const moved = new Map<string, Float64Array>();
  set.units.forEach((code, i) => {
    for (const { to, weight } of mapping.get(code) ?? []) {
      let acc = moved.get(to);
      if (!acc) moved.set(to, (acc = new Float64Array(K)));
      for (let k = 0; k < K; k++) acc[k] = (acc[k] as number) + weight * (set.counts[i * K + k] as number);
    }
  });
  const codes = [...moved.keys()].sort();
  const counts = new Float64Array(codes.length * K);
  const kommuner: string[] = [];
  const starts: number[] = [];
  codes.forEach((code, i) => {
    const k = code.slice(0, 4);
    if (kommuner.at(-1) !== k) {
      kommuner.push(k);
      starts.push(i);
    }
    counts.set(moved.get(code) as Float64Array, i * K);
  });
  starts.push(codes.length);
  return { ...set, unitVersion: version, counts, units: codes, kommuner, kommunStart: Uint32Array.from(starts), leftOut: 0, integral: false };
}

/** Every index of every scope of a set, keyed 'measure|scope level|scope code' (no inference). */
function scopeValues(split: SplitInfo, set: UnitSet): Map<string, { value: number | null; nUnits: number; status: IndexStatus }> {
  const out = new Map<string, { value: number | null; nUnits: number; status: IndexStatus }>();
  const K = set.K;
  for (const scope of scopesOf(set)) {
    const cells = set.counts.subarray(K * scope.from, K * scope.to);
    if (split.kind === 'two_group') {
      const n = scope.to - scope.from;
      const x = new Float64Array(n);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        x[i] = cells[2 * i] as number;
        y[i] = cells[2 * i + 1] as number;
      }
      const res = twoGroupIndices(x, y);
      for (const id of TWO_GROUP_INDEX_IDS) out.set(`${id}|${scope.level}|${scope.code}`, { value: res.values[id], nUnits: res.nUnits, status: res.status });
    } else {
      const res = multigroupIndices(cells, K);
      for (const id of MULTIGROUP_INDEX_IDS) out.set(`${id}|${scope.level}|${scope.code}`, { value: res.values[id], nUnits: res.nUnits, status: res.status });
    }
  }
  return out;
}

async function appendBridge(conn: DuckDBConnection, rows: readonly BridgeRow[]): Promise<void> {
  const ap = await conn.createAppender('segregation_bridge');
  try {
    const dbl = (v: number | null): void => (v === null || !Number.isFinite(v) ? ap.appendNull() : ap.appendDouble(v));
    for (const r of rows) {
      ap.appendVarchar(r.measure);
      ap.appendVarchar(r.groups);
      if (r.focal === null) ap.appendNull();
      else ap.appendVarchar(r.focal);
      ap.appendVarchar(r.scopeLevel);
      ap.appendVarchar(r.scopeCode);
      ap.appendVarchar(BRIDGE.unitLevel);
      ap.appendInteger(r.year);
      ap.appendVarchar(BRIDGE.from);
      ap.appendVarchar(BRIDGE.to);
      dbl(r.status === 'ok' ? r.valueFrom : null);
      dbl(r.status === 'ok' ? r.valueTo : null);
      ap.appendInteger(r.nFrom);
      ap.appendInteger(r.nTo);
      ap.appendVarchar(r.status);
      ap.endRow();
    }
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
}

/**
 * The rows of every (split, unit set), in job order. With more than one worker the sets go to worker threads,
 * largest first, so the cores share the draws; each set's seed is its own, so the rows are the same either way.
 */
async function runUnitSets(jobs: readonly { split: Split; set: UnitSet }[], draws: number, confidence: number, workers: number): Promise<PackedRows[]> {
  const info = (s: Split): SplitInfo => ({ key: s.key, kind: s.kind, groups: s.groups, focal: s.focal });
  const n = Math.min(Math.max(1, Math.floor(workers)), jobs.length);
  const strings = new Map<string, string>();
  if (n <= 1 || draws === 0) {
    return jobs.map(({ split, set }) => {
      const rows = new Rows();
      computeUnitSet(info(split), set, rows, draws, confidence);
      return packRows(rows, strings);
    });
  }
  const out: PackedRows[] = new Array<PackedRows>(jobs.length);
  const order = jobs.map((_, i) => i).sort((a, b) => (jobs[b] as { set: UnitSet }).set.counts.length - (jobs[a] as { set: UnitSet }).set.counts.length);
  const pool = Array.from({ length: n }, () => newWorker());
  try {
    let next = 0;
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const send = (): void => {
              if (next >= order.length) {
                resolve();
                return;
              }
              const id = order[next++] as number;
              const { split, set } = jobs[id] as { split: Split; set: UnitSet };
              const job: Job = { id, split: info(split), set, draws, confidence };
              w.postMessage(job);
            };
            w.on('message', (m: { id: number; rows?: Rows; error?: string }) => {
              if (m.error !== undefined || !m.rows) {
                reject(new StageError(`segregation: a worker failed on ${JSON.stringify(jobs[m.id]?.split.groups)}: ${m.error}`));
                return;
              }
              out[m.id] = packRows(m.rows, strings);
              send();
            });
            w.on('error', (e) => reject(new StageError(`segregation: a worker failed: ${e.message}`, { cause: e })));
            w.on('exit', (code) => {
              if (next < order.length || code !== 0) reject(new StageError(`segregation: a worker stopped (exit ${code}) before its sets were done`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return out;
}

/**
 * A worker on segregation-worker: the .js beside this file when running compiled; from source, a CommonJS
 * bootstrap that registers tsx's require hook in the thread (the ESM loader hooks that bin/segfollow.js and
 * `--import tsx` install do not reach worker threads on Node 20) and then loads the TypeScript worker.
 */
function newWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./segregation-worker.js', import.meta.url));
  const req = createRequire(import.meta.url);
  const tsx = req.resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL('./segregation-worker.ts', import.meta.url));
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, { eval: true });
}
