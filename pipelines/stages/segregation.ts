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
 *   expected / ci_low / ci_high (METHODS.md §8) are filled for D, H_two_group, multi_D, multi_H_information_theory
 *   and multi_M_divergence: the mean under random allocation with the observed margins, and rseg's bootstrap
 *   interval (quantiles of 2·estimate − replicate, so it may extend below 0). One simulation per (split, unit
 *   level and version, scope, year) serves D, H and M; its seed is derived from exactly those keys, so reruns and
 *   any processing order give identical numbers.
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
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { execFile, inTransaction, sqlFile, type Params } from '../db.ts';
import { StageError } from '../errors.ts';
import { decomposeMH } from '../measures/decomposition.ts';
import { MULTIGROUP_INDEX_IDS, TWO_GROUP_INDEX_IDS, type IndexStatus } from '../measures/index-ids.ts';
import { expectedAndBootstrap, type InferenceResult, type InferenceStat } from '../measures/inference.ts';
import { multigroupIndices } from '../measures/multigroup.ts';
import { twoGroupIndices } from '../measures/two-group.ts';

/**
 * Simulated tables per method (random allocation and bootstrap, each) behind every expected value and interval.
 * The cost is linear in draws; measured on the full demo world (290 kommuner, ~6,000 DeSO, 3,363 RegSO, 68 unit
 * sets, 149,056 rows) on one core: ≈ 2.2 s without draws (read 0.9, indices 0.6, write 0.6) plus ≈ 0.45 s per draw,
 * so 20 draws ≈ 11 s, 100 ≈ 46 s, 200 ≈ 98 s. 200 is for real runs, where fetching the sources takes far longer
 * and the interval should be near its nominal level; the demo uses 20, enough for the expected value (Monte Carlo
 * error ≈ 0.22 of its own SD; riket D expected 0.02252 at 20 draws against 0.02251 at 200) but only a rough
 * interval (type-7 quantiles of 20 replicates cover ≈ 86 % rather than 95 %). SegregationOptions.draws overrides.
 */
export const DEFAULT_DRAWS = 200;
export const DEMO_DRAWS = 20;

export interface SegregationOptions {
  /** Draws per method; 0 leaves expected and the interval NULL. Default DEFAULT_DRAWS, or DEMO_DRAWS in a demo run. */
  readonly draws?: number;
  /** Level of the bootstrap interval. Default 0.95. */
  readonly confidence?: number;
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

type Kind = 'two_group' | 'multigroup';

export interface Split {
  /** Stable key, part of every seed. */
  readonly key: string;
  readonly kind: Kind;
  readonly groups: string;
  readonly focal: string | null;
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

export const DECOMPOSITION_MEASURES = [
  'M_total',
  'M_between_lan',
  'M_between_kommun_within_lan',
  'M_within_kommun',
  'H_total',
  'H_between_lan',
  'H_between_kommun_within_lan',
  'H_within_kommun',
] as const;

const SEED = 'segfollow segregation v1';

/** One (unit level, version, year, source table) set of units of a split, sorted by kommun. */
export interface UnitSet {
  readonly unitLevel: string;
  readonly unitVersion: string;
  readonly year: number;
  readonly sourceTable: string;
  /** Groups per unit. */
  readonly K: number;
  /** Row-major units × groups, only units with every count published. */
  readonly counts: Float64Array;
  /** Kommun codes in order, and the start of each kommun's units in `counts` (length = kommuner + 1). */
  readonly kommuner: string[];
  readonly kommunStart: Uint32Array;
  /** Units left out (a count missing or protected at source). */
  readonly leftOut: number;
  /** Every count is a whole number (the simulations need whole people). */
  readonly integral: boolean;
}

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
  const need = ['unit_level', 'unit_version', 'year', 'source_table', 'kommun_code', ...split.columns];
  for (const c of need) if (!(c in cols)) throw new StageError(`sql/${split.sql}.sql: column ${c} missing from its output`);
  const level = cols.unit_level as string[];
  const version = cols.unit_version as string[];
  const year = cols.year as number[];
  const table = cols.source_table as string[];
  const kommun = cols.kommun_code as string[];
  const K = split.columns.length;
  const countCols = split.columns.map((c) => cols[c] as (number | null)[]);
  const n = level.length;

  const sets: UnitSet[] = [];
  let r = 0;
  while (r < n) {
    const end = blockEnd(r);
    const counts = new Float64Array((end - r) * K);
    const kommuner: string[] = [];
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

/** Output rows, column-wise (segregation_index column order). */
class Rows {
  measure: string[] = [];
  groups: string[] = [];
  focal: (string | null)[] = [];
  scopeLevel: string[] = [];
  scopeCode: string[] = [];
  unitLevel: string[] = [];
  unitVersion: string[] = [];
  year: number[] = [];
  value: (number | null)[] = [];
  expected: (number | null)[] = [];
  ciLow: (number | null)[] = [];
  ciHigh: (number | null)[] = [];
  nUnits: number[] = [];
  total: number[] = [];
  status: IndexStatus[] = [];
  sourceTable: string[] = [];

  get length(): number {
    return this.measure.length;
  }
}

interface Scope {
  readonly level: 'kommun' | 'lan' | 'riket';
  readonly code: string;
  /** Units [from, to) of the set. */
  readonly from: number;
  readonly to: number;
}

/** Kommuner, then län (first two digits of the kommun code; kommuner of a län are contiguous), then riket. */
function scopesOf(set: UnitSet): Scope[] {
  const out: Scope[] = [];
  const s = set.kommunStart;
  set.kommuner.forEach((k, i) => out.push({ level: 'kommun', code: k, from: s[i] as number, to: s[i + 1] as number }));
  let i = 0;
  while (i < set.kommuner.length) {
    const lan = (set.kommuner[i] as string).slice(0, 2);
    let j = i + 1;
    while (j < set.kommuner.length && (set.kommuner[j] as string).slice(0, 2) === lan) j++;
    out.push({ level: 'lan', code: lan, from: s[i] as number, to: s[j] as number });
    i = j;
  }
  out.push({ level: 'riket', code: '00', from: 0, to: s[set.kommuner.length] as number });
  return out;
}

/** Every row of one unit set of one split. */
function computeUnitSet(split: Split, set: UnitSet, rows: Rows, draws: number, confidence: number): void {
  const K = set.K;
  const add = (measure: string, scope: { level: string; code: string }, value: number | null, status: IndexStatus, nUnits: number, total: number, stat: InferenceStat | null = null): void => {
    rows.measure.push(measure);
    rows.groups.push(split.groups);
    rows.focal.push(split.focal);
    rows.scopeLevel.push(scope.level);
    rows.scopeCode.push(scope.code);
    rows.unitLevel.push(set.unitLevel);
    rows.unitVersion.push(set.unitVersion);
    rows.year.push(set.year);
    rows.value.push(status === 'ok' ? value : null);
    rows.expected.push(stat?.expected ?? null);
    rows.ciLow.push(stat?.ciLow ?? null);
    rows.ciHigh.push(stat?.ciHigh ?? null);
    rows.nUnits.push(nUnits);
    rows.total.push(total);
    rows.status.push(status);
    rows.sourceTable.push(set.sourceTable);
  };
  const infer = (cells: Float64Array, scope: Scope): InferenceResult | null =>
    draws > 0 && set.integral
      ? expectedAndBootstrap(cells, K, {
          draws,
          confidence,
          seed: [SEED, split.key, set.unitLevel, set.unitVersion, scope.level, scope.code, set.year],
        })
      : null;

  const c = set.counts;
  if (split.kind === 'two_group') {
    const m = c.length / 2;
    const x = new Float64Array(m);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      x[i] = c[2 * i] as number;
      y[i] = c[2 * i + 1] as number;
    }
    for (const scope of scopesOf(set)) {
      const res = twoGroupIndices(x.subarray(scope.from, scope.to), y.subarray(scope.from, scope.to));
      const inf = res.status === 'ok' ? infer(c.subarray(2 * scope.from, 2 * scope.to), scope) : null;
      for (const id of TWO_GROUP_INDEX_IDS) {
        const stat = id === 'D' ? (inf?.D ?? null) : id === 'H_two_group' ? (inf?.H ?? null) : null;
        add(id, scope, res.values[id], res.status, res.nUnits, res.total, stat);
      }
    }
  } else {
    for (const scope of scopesOf(set)) {
      const cells = c.subarray(K * scope.from, K * scope.to);
      const res = multigroupIndices(cells, K);
      const inf = res.status === 'ok' ? infer(cells, scope) : null;
      for (const id of MULTIGROUP_INDEX_IDS) {
        const stat =
          id === 'multi_D' ? (inf?.D ?? null) : id === 'multi_H_information_theory' ? (inf?.H ?? null) : id === 'multi_M_divergence' ? (inf?.M ?? null) : null;
        add(id, scope, res.values[id], res.status, res.nUnits, res.total, stat);
      }
    }
  }

  // Nested decomposition of the riket: units in kommuner in län.
  const nK = set.kommuner.length;
  const m = c.length / K;
  const kommunOfUnit = new Uint32Array(m);
  const kommunCounts = new Float64Array(nK * K);
  const lanOfKommun = new Uint32Array(nK);
  let lanIdx = -1;
  let lastLan = '';
  for (let k = 0; k < nK; k++) {
    const lan = (set.kommuner[k] as string).slice(0, 2);
    if (lan !== lastLan) {
      lanIdx++;
      lastLan = lan;
    }
    lanOfKommun[k] = lanIdx;
    for (let i = set.kommunStart[k] as number; i < (set.kommunStart[k + 1] as number); i++) {
      kommunOfUnit[i] = k;
      for (let g = 0; g < K; g++) kommunCounts[k * K + g] = (kommunCounts[k * K + g] as number) + (c[i * K + g] as number);
    }
  }
  const byKommun = decomposeMH(c, K, kommunOfUnit, nK);
  const byLan = decomposeMH(kommunCounts, K, lanOfKommun, lanIdx + 1);
  const riket = { level: 'riket', code: '00' };
  const v = byKommun.values;
  const w = byLan.values;
  const terms: Record<(typeof DECOMPOSITION_MEASURES)[number], number | null> = {
    M_total: v.M_total,
    M_between_lan: w.M_between,
    M_between_kommun_within_lan: w.M_within,
    M_within_kommun: v.M_within,
    H_total: v.H_total,
    H_between_lan: w.H_between,
    H_between_kommun_within_lan: w.H_within,
    H_within_kommun: v.H_within,
  };
  for (const id of DECOMPOSITION_MEASURES) add(id, riket, terms[id], byKommun.status, byKommun.nUnits, byKommun.total);
}

/**
 * Fills segregation_index for the splits above, replacing this stage's rows. Runs in its own transaction, or inside
 * the caller's when one is open (e.g. inside the build stage's), so either way a failure leaves the previous rows.
 */
export async function buildSegregation(ctx: Context, conn: DuckDBConnection, opts: SegregationOptions = {}): Promise<SegregationResult> {
  const draws = opts.draws ?? (ctx.config.demo ? DEMO_DRAWS : DEFAULT_DRAWS);
  const confidence = opts.confidence ?? 0.95;
  if (!Number.isInteger(draws) || draws < 0) throw new StageError(`segregation: draws must be a non-negative integer, got ${draws}`);
  const result: SegregationResult = { rows: 0, by_groups: {}, unit_sets: 0, left_out_units: 0, draws, seconds: { read: 0, compute: 0, write: 0 } };
  const rows = new Rows();

  for (const split of SEGREGATION_SPLITS_ENGINE) {
    let t0 = performance.now();
    const sets = await readUnitSets(conn, split);
    result.seconds.read += (performance.now() - t0) / 1000;
    t0 = performance.now();
    const before = rows.length;
    let leftOut = 0;
    for (const set of sets) {
      computeUnitSet(split, set, rows, draws, confidence);
      leftOut += set.leftOut;
      if (!set.integral && draws > 0) {
        ctx.log.info('segregation: counts are not whole numbers, expected and interval left empty', { groups: split.groups, unit_level: set.unitLevel, year: set.year });
      }
    }
    result.seconds.compute += (performance.now() - t0) / 1000;
    result.unit_sets += sets.length;
    result.left_out_units += leftOut;
    result.by_groups[split.groups] = rows.length - before;
    if (leftOut > 0) {
      ctx.log.warn('W201_MISSING_VALUES', 'segregation: units with counts missing or protected at source left out', { groups: split.groups, units: leftOut });
    }
  }

  const t0 = performance.now();
  await inTransaction(conn, async () => {
    await execFile(conn, 'measures/delete_segregation_groups', { groups: listValue(SEGREGATION_SPLITS_ENGINE.map((s) => s.groups)) });
    await appendRows(conn, rows);
  });
  result.seconds.write = (performance.now() - t0) / 1000;
  result.rows = rows.length;
  for (const k of Object.keys(result.seconds) as (keyof SegregationResult['seconds'])[]) result.seconds[k] = Math.round(result.seconds[k] * 1000) / 1000;
  ctx.log.info('built segregation indices', { rows: result.rows, unit_sets: result.unit_sets, left_out_units: result.left_out_units, draws, ...result.seconds });
  return result;
}

async function appendRows(conn: DuckDBConnection, rows: Rows): Promise<void> {
  const ap = await conn.createAppender('segregation_index');
  try {
    const dbl = (v: number | null): void => (v === null || !Number.isFinite(v) ? ap.appendNull() : ap.appendDouble(v));
    for (let i = 0; i < rows.length; i++) {
      ap.appendVarchar(rows.measure[i] as string);
      ap.appendVarchar(rows.groups[i] as string);
      const f = rows.focal[i] ?? null;
      if (f === null) ap.appendNull();
      else ap.appendVarchar(f);
      ap.appendVarchar(rows.scopeLevel[i] as string);
      ap.appendVarchar(rows.scopeCode[i] as string);
      ap.appendVarchar(rows.unitLevel[i] as string);
      ap.appendVarchar(rows.unitVersion[i] as string);
      ap.appendInteger(rows.year[i] as number);
      dbl(rows.value[i] ?? null);
      dbl(rows.expected[i] ?? null);
      dbl(rows.ciLow[i] ?? null);
      dbl(rows.ciHigh[i] ?? null);
      ap.appendInteger(rows.nUnits[i] as number);
      ap.appendDouble(rows.total[i] as number);
      ap.appendVarchar(rows.status[i] as string);
      ap.appendVarchar(rows.sourceTable[i] as string);
      ap.endRow();
    }
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
}
