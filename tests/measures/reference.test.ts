/**
 * Every index the engine implements against every `status = "ok"` record of pysal, rseg or OasisR in
 * tests/fixtures/reference/expected, to an absolute 1e-12 (METHODS.md §2.2 step 6).
 *
 * The edge-case sets (a single unit, an absent focal group) are where the libraries disagree with each other and
 * with our policy; edge-cases.test.ts holds those to METHODS.md §2.2 instead.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decomposeMH } from '../../pipelines/measures/decomposition.ts';
import { multigroupIndices } from '../../pipelines/measures/multigroup.ts';
import { twoGroupIndices } from '../../pipelines/measures/two-group.ts';
import {
  column,
  countTable,
  ESTABLISHED_LIBRARIES,
  expectedDatasets,
  groupColumns,
  loadData,
  loadExpected,
  type CsvTable,
  type ReferenceRecord,
} from './reference-data.ts';

const TOLERANCE = 1e-12;
const POLICY_ONLY = new Set(['hm_two_single_area', 'hm_two_group_absent']);
/** Index ids in the reference sets that this engine deliberately does not implement (out of the measures issue). */
const NOT_IMPLEMENTED = new Set([
  'minmax',
  'conprof',
  'density_corrected_D',
  'gorard_D',
  'isolation_xPx_exact',
  'exposure_matrix',
  'simpsons_concentration',
  'diversity_entropy_normalized',
  'ordinal_H_at_thresholds',
  'ordinal_information_theory',
  'rank_order_H_poly3',
  'rank_order_H_poly4',
]);
const STOCHASTIC = new Set([
  'D_expected_under_random',
  'M_expected_under_random',
  'M_bootstrap_debiased',
  'modified_D_seed12345',
  'modified_Gini_seed12345',
  'bias_corrected_D_seed2024',
]);

type Value = number | (number | null)[];

interface Tally {
  count: number;
  maxDiff: number;
}
const tally = new Map<string, Tally>();
let total = 0;
let worst = 0;

/** Our value for a reference record, or undefined when the record is outside what the engine computes. */
function ours(dataset: string, data: CsvTable, rec: ReferenceRecord): Value | undefined {
  const id = rec.index;
  const p = rec.params;
  const allGroups = groupColumns(data);
  const groups = (p.groups as string[] | undefined) ?? (p.columns as string[] | undefined) ?? allGroups;
  let rows: number[] | undefined;
  if (rec.group && 'kommun' in rec.group) {
    const k = column(data, 'kommun');
    rows = k.flatMap((v, i) => (v === rec.group?.kommun ? [i] : []));
  }

  if (dataset === 'rseg_testsuite_dissimilarity') {
    const mat = p.matrix as number[];
    const n = mat.length / 2;
    return twoGroupIndices(mat.slice(0, n), mat.slice(n)).values.D ?? undefined;
  }
  if (id.endsWith('_supergroup') || id.endsWith('_u_by_g')) return supergroup(data, id);
  if (dataset === 'hm_nested' && /^(M|H)_(total|between|within|nested)_/.test(id)) return nested(data, id);
  if (id.startsWith('within_')) return withinTerm(data, rec);

  const twoGroupIds = ['D', 'Gini', 'H_two_group', 'isolation_xPx', 'interaction_xPy', 'correlation_ratio_V'];
  if (twoGroupIds.includes(id) || id.startsWith('atkinson_b')) {
    const b = id.startsWith('atkinson_b') ? Number(id.slice('atkinson_b'.length)) : 0.5;
    const focal = p.focal as string | undefined;
    if (focal === undefined && Array.isArray(rec.value)) {
      // rseg isolation over K groups: one value per group, each against the rest.
      return groups.map((g) => vsRest(data, groups, g, rows, b)[id] ?? null);
    }
    return vsRest(data, groups, focal ?? (groups[0] as string), rows, b)[id] ?? undefined;
  }
  if (id === 'D_each_group_vs_rest' || id === 'H_each_group_vs_rest') {
    // OasisR drops absent groups before looping over columns; so do we (they are single_group here).
    const present = groups.filter((g) => countTable(data, [g], rows).some((v) => v > 0));
    const key = id.startsWith('D') ? 'D' : 'H_two_group';
    return present.map((g) => vsRest(data, groups, g, rows, 0.5)[key] ?? null);
  }
  const multi = multigroupIndices(countTable(data, groups, rows), groups.length);
  if (id.startsWith('multi_')) return multi.values[id as keyof typeof multi.values] ?? undefined;
  if (id === 'M') return multi.values.multi_M_divergence ?? undefined;
  if (id === 'M_base2') return (multi.values.multi_M_divergence as number) / Math.LN2;
  if (id === 'H') return multi.values.multi_H_information_theory ?? undefined;
  if (id === 'diversity_entropy' || id === 'entropy_groups') return multi.entropy ?? undefined;
  if (id === 'simpsons_interaction') return multi.simpsonInteraction ?? undefined;
  return undefined;
}

function vsRest(data: CsvTable, groups: readonly string[], focal: string, rows: number[] | undefined, b: number): Record<string, number | null> {
  const counts = countTable(data, groups, rows);
  const K = groups.length;
  const k = groups.indexOf(focal);
  if (k < 0) throw new Error(`focal ${focal} not in ${groups.join(',')}`);
  const n = counts.length / K;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < K; j++) {
      if (j === k) x[i] = counts[i * K + j] as number;
      else y[i] = (y[i] as number) + (counts[i * K + j] as number);
    }
  }
  return twoGroupIndices(x, y, { atkinson: [0.5, b] }).values;
}

function partition(values: string[]): { region: Uint32Array; names: string[] } {
  const names: string[] = [];
  const region = Uint32Array.from(values, (v) => {
    let r = names.indexOf(v);
    if (r < 0) r = names.push(v) - 1;
    return r;
  });
  return { region, names };
}

function nested(data: CsvTable, id: string): number | undefined {
  const groups = groupColumns(data);
  const counts = countTable(data, groups);
  const kommun = column(data, 'kommun');
  const lan = column(data, 'lan');
  const stat = id[0] as 'M' | 'H';
  const dec = (region: string[]) => {
    const { region: r } = partition(region);
    return decomposeMH(counts, groups.length, r);
  };
  if (id === `${stat}_total_area`) return dec(kommun).values[`${stat}_total`] ?? undefined;
  if (id === `${stat}_between_kommun`) return dec(kommun).values[`${stat}_between`] ?? undefined;
  if (id === `${stat}_within_kommun`) return dec(kommun).values[`${stat}_within`] ?? undefined;
  if (id === `${stat}_between_lan` || id === `${stat}_nested_lan`) return dec(lan).values[`${stat}_between`] ?? undefined;
  if (id === `${stat}_nested_area_id_within_lan+kommun`) {
    return dec(kommun.map((k, i) => `${lan[i]}/${k}`)).values[`${stat}_within`] ?? undefined;
  }
  if (id === `${stat}_nested_kommun_within_lan`) {
    // The kommun level: kommun × group table, decomposed within län.
    const { region: kr, names } = partition(kommun);
    const K = groups.length;
    const agg = new Float64Array(names.length * K);
    kr.forEach((r, i) => {
      for (let k = 0; k < K; k++) agg[r * K + k] = (agg[r * K + k] as number) + (counts[i * K + k] as number);
    });
    const lanOfKommun = names.map((nm) => lan[kommun.indexOf(nm)] as string);
    const { region } = partition(lanOfKommun);
    const d = decomposeMH(agg, K, region);
    return d.values[`${stat}_within`] ?? undefined;
  }
  return undefined;
}

function withinTerm(data: CsvTable, rec: ReferenceRecord): number | undefined {
  const groups = groupColumns(data);
  const { region, names } = partition(column(data, 'kommun'));
  const d = decomposeMH(countTable(data, groups), groups.length, region);
  const term = d.regions[names.indexOf(rec.group?.kommun as string)];
  if (!term) return undefined;
  if (rec.index === 'within_M') return term.M ?? undefined;
  if (rec.index === 'within_H') return term.H ?? undefined;
  if (rec.index === 'within_p') return term.p;
  if (rec.index === 'within_ent_ratio') return term.entropyRatio ?? undefined;
  return undefined;
}

/**
 * elbersb's test data with the roles swapped: the four grp columns are the units, the areas a and b the groups,
 * and the supergroups {grp1, grp2} and {grp3, grp4} the partition.
 */
function supergroup(data: CsvTable, id: string): number | undefined {
  const groups = groupColumns(data);
  const counts = countTable(data, groups);
  const nAreas = data.rows.length;
  const transposed = new Float64Array(groups.length * nAreas);
  for (let a = 0; a < nAreas; a++) for (let g = 0; g < groups.length; g++) transposed[g * nAreas + a] = counts[a * groups.length + g] as number;
  const d = decomposeMH(transposed, nAreas, Uint32Array.from([0, 0, 1, 1]));
  const stat = id[0] as 'M' | 'H';
  if (id.endsWith('_u_by_g')) return d.values[`${stat}_total`] ?? undefined;
  if (id.startsWith(`${stat}_between`)) return d.values[`${stat}_between`] ?? undefined;
  if (id.startsWith(`${stat}_within`)) return d.values[`${stat}_within`] ?? undefined;
  return undefined;
}

function record(key: string, diff: number): void {
  const t = tally.get(key) ?? { count: 0, maxDiff: 0 };
  t.count++;
  t.maxDiff = Math.max(t.maxDiff, diff);
  tally.set(key, t);
  total++;
  worst = Math.max(worst, diff);
}

describe('engine against pysal, rseg and OasisR reference values', () => {
  for (const dataset of expectedDatasets()) {
    if (POLICY_ONLY.has(dataset)) continue;
    it(dataset, () => {
      const set = loadExpected(dataset);
      const data = dataset === 'rseg_testsuite_dissimilarity' ? { header: [], rows: [] } : loadData(dataset);
      let compared = 0;
      const unexplained: string[] = [];
      for (const rec of set.records) {
        if (rec.status !== 'ok' || !ESTABLISHED_LIBRARIES.has(rec.library)) continue;
        if (rec.index.startsWith('local_') || NOT_IMPLEMENTED.has(rec.index) || STOCHASTIC.has(rec.index)) continue;
        if (dataset === 'hm_spatial_grid' && rec.params.crs !== undefined) continue;
        if (['delta', 'absolute_', 'relative_', 'spatial_', 'boundary_', 'perimeter_', 'distance_decay', 'D_spatial'].some((s) => rec.index.startsWith(s))) continue;
        const got = ours(dataset, data, rec);
        if (got === undefined) {
          unexplained.push(`${rec.index} (${rec.library} ${JSON.stringify(rec.params)})`);
          continue;
        }
        const want = rec.value;
        const label = `${dataset} ${rec.index} ${rec.library} ${JSON.stringify(rec.params)} ${JSON.stringify(rec.group)}`;
        if (Array.isArray(want)) {
          expect(Array.isArray(got), label).toBe(true);
          const g = got as (number | null)[];
          expect(g.length, label).toBe(want.length);
          want.forEach((w, i) => {
            const gi = g[i] ?? null;
            expect(gi, `${label}[${i}]`).not.toBeNull();
            const diff = Math.abs((gi as number) - (w as number));
            expect(diff, `${label}[${i}]: ours ${gi}, reference ${w}`).toBeLessThanOrEqual(TOLERANCE);
            record(`${rec.index} (${rec.library})`, diff);
          });
        } else {
          expect(typeof got, label).toBe('number');
          const diff = Math.abs((got as number) - (want as number));
          expect(diff, `${label}: ours ${String(got)}, reference ${want}`).toBeLessThanOrEqual(TOLERANCE);
          record(`${rec.index} (${rec.library})`, diff);
        }
        compared++;
      }
      // Every ok record of an index we implement must have been matched: nothing silently skipped.
      expect(unexplained, `records without a computed counterpart in ${dataset}`).toEqual([]);
      expect(compared).toBeGreaterThan(0);
    });
  }

  afterAll(() => {
    const lines = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, t]) => `  ${k}: ${t.count} values, max |diff| ${t.maxDiff.toExponential(2)}`);
    console.log(`reference comparisons: ${total} values, max |diff| ${worst.toExponential(2)}\n${lines.join('\n')}`);
  });

  it('covers the required index ids', () => {
    const required = [
      'D', 'Gini', 'H_two_group', 'isolation_xPx', 'interaction_xPy', 'correlation_ratio_V', 'atkinson_b0.5',
      'multi_D', 'multi_Gini', 'multi_H_information_theory', 'multi_M_divergence', 'multi_normalized_exposure',
      'multi_relative_diversity', 'multi_squared_coef_variation',
    ];
    const seen = new Set([...tally.keys()].map((k) => k.split(' ')[0]));
    // This runs after the per-dataset cases in file order.
    for (const id of required) expect(seen.has(id), id).toBe(true);
    expect(total).toBeGreaterThan(500);
  });
});
