/**
 * The computing half of the segregation stage, free of DuckDB so that worker threads can load it
 * (segregation-worker.ts): the indices, expected values, intervals and decomposition of one unit set of one split,
 * as rows of segregation_index. pipelines/stages/segregation.ts reads the sets and writes the rows.
 */
import { decomposeMH } from '../measures/decomposition.ts';
import { MULTIGROUP_INDEX_IDS, TWO_GROUP_INDEX_IDS, type IndexStatus } from '../measures/index-ids.ts';
import { inferScopes, type InferenceStat, type ScopeInference } from '../measures/inference.ts';
import { multigroupIndices } from '../measures/multigroup.ts';
import { twoGroupIndices } from '../measures/two-group.ts';

export type Kind = 'two_group' | 'multigroup';

/** What the computation needs to know of a split (segregation.ts Split adds how to read its counts). */
export interface SplitInfo {
  /** Stable key, part of every seed. */
  readonly key: string;
  readonly kind: Kind;
  readonly groups: string;
  readonly focal: string | null;
}

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

export const SEED = 'segfollow segregation v1';

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
  /** The unit codes of those rows, in order. */
  readonly units: string[];
  /** Kommun codes in order, and the start of each kommun's units in `counts` (length = kommuner + 1). */
  readonly kommuner: string[];
  readonly kommunStart: Uint32Array;
  /** Units left out (a count missing or protected at source). */
  readonly leftOut: number;
  /** Every count is a whole number (the simulations need whole people). */
  readonly integral: boolean;
}

/** Output rows, column-wise (segregation_index column order). */
export class Rows {
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
  biasCorrected: (number | null)[] = [];
  bias: (number | null)[] = [];
  se: (number | null)[] = [];
  draws: (number | null)[] = [];

  get length(): number {
    return this.measure.length;
  }
}

export interface Scope {
  readonly level: 'kommun' | 'lan' | 'riket';
  readonly code: string;
  /** Units [from, to) of the set. */
  readonly from: number;
  readonly to: number;
  /** The same as kommuner [strataFrom, strataTo): the strata of the shared bootstrap. */
  readonly strataFrom: number;
  readonly strataTo: number;
}

/** Kommuner, then län (first two digits of the kommun code; kommuner of a län are contiguous), then riket. */
export function scopesOf(set: UnitSet): Scope[] {
  const out: Scope[] = [];
  const s = set.kommunStart;
  set.kommuner.forEach((k, i) => out.push({ level: 'kommun', code: k, from: s[i] as number, to: s[i + 1] as number, strataFrom: i, strataTo: i + 1 }));
  let i = 0;
  while (i < set.kommuner.length) {
    const lan = (set.kommuner[i] as string).slice(0, 2);
    let j = i + 1;
    while (j < set.kommuner.length && (set.kommuner[j] as string).slice(0, 2) === lan) j++;
    out.push({ level: 'lan', code: lan, from: s[i] as number, to: s[j] as number, strataFrom: i, strataTo: j });
    i = j;
  }
  out.push({ level: 'riket', code: '00', from: 0, to: s[set.kommuner.length] as number, strataFrom: 0, strataTo: set.kommuner.length });
  return out;
}

/** Every row of one unit set of one split. */
export function computeUnitSet(split: SplitInfo, set: UnitSet, rows: Rows, draws: number, confidence: number): void {
  const K = set.K;
  const add = (measure: string, scope: { level: string; code: string }, value: number | null, status: IndexStatus, nUnits: number, total: number, stat: InferenceStat | null = null, used: number | null = null): void => {
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
    rows.biasCorrected.push(stat?.biasCorrected ?? null);
    rows.bias.push(stat?.bias ?? null);
    rows.se.push(stat?.bootstrapSe ?? null);
    rows.draws.push(stat?.ciLow === null || stat === null ? null : used);
  };
  const scopes = scopesOf(set);
  // One set of draws for every scope of the set (inferScopes explains why that is valid); the seed is derived
  // from the set's keys only, so reruns and any processing order give identical numbers.
  const inference: (ScopeInference | null)[] =
    draws > 0 && set.integral && set.counts.length > 0
      ? inferScopes(set.counts, K, set.kommunStart, scopes, { draws, confidence, seed: [SEED, split.key, set.unitLevel, set.unitVersion, set.sourceTable, set.year] })
      : scopes.map(() => null);

  const c = set.counts;
  if (split.kind === 'two_group') {
    const m = c.length / 2;
    const x = new Float64Array(m);
    const y = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      x[i] = c[2 * i] as number;
      y[i] = c[2 * i + 1] as number;
    }
    scopes.forEach((scope, j) => {
      const res = twoGroupIndices(x.subarray(scope.from, scope.to), y.subarray(scope.from, scope.to));
      const inf = res.status === 'ok' ? (inference[j] ?? null) : null;
      for (const id of TWO_GROUP_INDEX_IDS) {
        const stat = id === 'D' ? (inf?.D ?? null) : id === 'H_two_group' ? (inf?.H ?? null) : null;
        add(id, scope, res.values[id], res.status, res.nUnits, res.total, stat, inf?.drawsUsed ?? null);
      }
    });
  } else {
    scopes.forEach((scope, j) => {
      const cells = c.subarray(K * scope.from, K * scope.to);
      const res = multigroupIndices(cells, K);
      const inf = res.status === 'ok' ? (inference[j] ?? null) : null;
      for (const id of MULTIGROUP_INDEX_IDS) {
        const stat =
          id === 'multi_D' ? (inf?.D ?? null) : id === 'multi_H_information_theory' ? (inf?.H ?? null) : id === 'multi_M_divergence' ? (inf?.M ?? null) : null;
        add(id, scope, res.values[id], res.status, res.nUnits, res.total, stat, inf?.drawsUsed ?? null);
      }
    });
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

