import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../pipelines/config.ts';
import { startTinyPipeline, type TinyPipeline } from '../helpers/tiny-pipeline.ts';
import { runStages } from '../../pipelines/run.ts';
import { withConnection, query, execFile, inTransaction, type Row } from '../../pipelines/db.ts';
import type { Context } from '../../pipelines/context.ts';
import { SEGREGATION_SPLITS } from '../../pipelines/stages/build.ts';
import {
  buildSegregation,
  readUnitSets,
  DECOMPOSITION_MEASURES,
  SEGREGATION_SPLITS_ENGINE,
  type SegregationResult,
  type UnitSet,
} from '../../pipelines/stages/segregation.ts';
import { multigroupIndices } from '../../pipelines/measures/multigroup.ts';
import { MULTIGROUP_INDEX_IDS, TWO_GROUP_INDEX_IDS } from '../../pipelines/measures/index-ids.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const DRAWS = 50;
const FB = SEGREGATION_SPLITS_ENGINE.find((s) => s.key === 'foreign_background')!;
const QUARTILES = SEGREGATION_SPLITS_ENGINE.find((s) => s.key === 'income_quartiles')!;
const LOW_ES = SEGREGATION_SPLITS_ENGINE.find((s) => s.key === 'low_economic_standard')!;

let tiny: TinyPipeline;
let config: Config;

let sqlD: Row[];
let first: SegregationResult;
let rows: Row[];

const ctx = (): Context => tiny.ctx(config);
const ALL = 'SELECT * FROM segregation_index ORDER BY ALL';
const key = (r: Row) => [r.measure, r.groups, r.scope_level, r.scope_code, r.unit_level, r.unit_version, r.year].join('|');
const close = (a: unknown, b: unknown, tol = 1e-12) => Math.abs(Number(a) - Number(b)) <= tol * Math.max(1, Math.abs(Number(b)));

beforeAll(async () => {
  tiny = await startTinyPipeline('seg');
  config = tiny.config;
  const s = await runStages(ctx(), 'run', ['areas', 'ingest', 'build'], ['--demo']);
  expect(s.outcome).toBe('ok');
  // The build stage now runs the engine too; recompute the SQL D alone so the two can be compared.
  sqlD = await withConnection(config.warehouse, async (conn) => {
    await execFile(conn, 'measures/delete_measure', { measure: 'D', groups: SEGREGATION_SPLITS[0].groups });
    await execFile(conn, 'measures/dissimilarity', { ...SEGREGATION_SPLITS[0] });
    return query(conn, "SELECT * FROM segregation_index WHERE measure = 'D' AND groups = $g ORDER BY ALL", { g: SEGREGATION_SPLITS[0].groups });
  });
  first = await withConnection(config.warehouse, (conn) => buildSegregation(ctx(), conn, { draws: DRAWS }));
  rows = await withConnection(config.warehouse, (conn) => query(conn, ALL));
}, 120_000);
afterAll(async () => {
  await tiny.emulator.close();
});

/** Per (unit level, version, year): the unit set of a split as the stage reads it. */
async function unitSets(split: (typeof SEGREGATION_SPLITS_ENGINE)[number]): Promise<UnitSet[]> {
  return withConnection(config.warehouse, (conn) => readUnitSets(conn, split));
}

/** Units [from, to) of each scope of a set, as the stage forms them. */
function scopeRanges(set: UnitSet): { level: string; code: string; from: number; to: number }[] {
  const s = set.kommunStart;
  const out = set.kommuner.map((k, i) => ({ level: 'kommun', code: k, from: s[i] as number, to: s[i + 1] as number }));
  for (const lan of [...new Set(set.kommuner.map((k) => k.slice(0, 2)))]) {
    const idx = set.kommuner.map((k, i) => (k.startsWith(lan) ? i : -1)).filter((i) => i >= 0);
    out.push({ level: 'lan', code: lan, from: s[idx[0] as number] as number, to: s[(idx.at(-1) as number) + 1] as number });
  }
  out.push({ level: 'riket', code: '00', from: 0, to: s[set.kommuner.length] as number });
  return out;
}

function find(measure: string, groups: string, level: string, code: string, unitLevel: string, year: number): Row {
  const r = rows.find((x) => x.measure === measure && x.groups === groups && x.scope_level === level && x.scope_code === code && x.unit_level === unitLevel && x.year === year);
  if (!r) throw new Error(`no row ${measure} ${groups} ${level} ${code} ${unitLevel} ${year}`);
  return r;
}

describe('segregation stage over the tiny world', () => {
  it('writes every split, scope, unit level and year, one row per key', () => {
    expect(first.rows).toBe(rows.length);
    expect(new Set(rows.map(key)).size).toBe(rows.length);
    const combos = new Set(rows.map((r) => `${r.groups}|${r.unit_level}|${r.unit_version}|${r.year}`));
    // foreign background 2016–2025, low economic standard and income quartiles 2016–2024, education 2016–2025; DeSO and RegSO.
    expect(combos.size).toBe(2 * (10 + 9 + 10 + 9));
    const versions = new Set(rows.map((r) => `${r.unit_level}|${Number(r.year) < 2024 ? 'old' : 'new'}|${r.unit_version}`));
    expect([...versions].sort()).toEqual(['deso|new|DeSO2025', 'deso|old|DeSO2018', 'regso|new|RegSO2025', 'regso|old|RegSO2020']);
    // 3 kommuner + 2 län + riket per set; two-group and multigroup sets have 7 indices each, plus 8 decomposition rows.
    expect(rows.length).toBe(2 * (10 + 9 + 10 + 9) * (6 * 7 + 8));
    expect(FB.groups).toBe(SEGREGATION_SPLITS[0].groups);
    expect(FB.focal).toBe(SEGREGATION_SPLITS[0].focal);
  });

  it('engine D over DeSO equals the SQL D of the build stage to 1e-12, with the same n_units and total, and replaces it', () => {
    const fb = sqlD.filter((r) => r.groups === FB.groups);
    expect(fb.length).toBe(10 * 6);
    for (const s of fb) {
      const e = find('D', FB.groups, String(s.scope_level), String(s.scope_code), 'deso', Number(s.year));
      expect(e.unit_version).toBe(s.unit_version);
      expect(e.n_units).toBe(s.n_units);
      expect(e.total).toBe(s.total);
      expect(e.status).toBe(s.status);
      if (s.value === null) expect(e.value).toBeNull();
      else expect(Math.abs(Number(e.value) - Number(s.value))).toBeLessThan(1e-12);
    }
    // No second D row per key: the SQL rows were replaced, not duplicated.
    expect(rows.filter((r) => r.measure === 'D' && r.groups === FB.groups && r.unit_level === 'deso').length).toBe(fb.length);
  });

  it('reads the income quartiles as persons × SCB\'s whole-percent share of each national quartile (TAB6684)', async () => {
    const sets = await unitSets(QUARTILES);
    expect(QUARTILES.groups).toBe('nationella inkomstkvartiler Q1–Q4');
    expect(sets.map((x) => x.K)).toEqual(sets.map(() => 4));
    expect(new Set(sets.map((x) => x.sourceTable))).toEqual(new Set(['TAB6684']));
    // Stockholm's first DeSO in 2021 and a 2025-version DeSO in 2024, from the world's true counts.
    for (const [year, unit] of [[2021, '0180C1010'], [2024, '0180C1070']] as const) {
      const set = sets.find((x) => x.unitLevel === 'deso' && x.year === year);
      const c = tiny.world.deso.get(year)?.get(unit);
      if (!set || !c) throw new Error(`no DeSO set or counts for ${unit} ${year}`);
      // Units of a kommun are in code order; 0180's DeSO come after 0114's three.
      const k = set.kommuner.indexOf('0180');
      const units = [...(tiny.world.deso.get(year)?.keys() ?? [])].filter((d) => d.startsWith('0180')).sort();
      const i = (set.kommunStart[k] as number) + units.indexOf(unit);
      const expected = [c.qt1, c.qt2, c.qt3, c.qt4].map((q) => Math.round((Math.round((100 * q) / c.pop) * c.pop) / 100));
      expect([...set.counts.subarray(4 * i, 4 * i + 4)], `${unit} ${year}`).toEqual(expected);
    }
  });

  it('H·E = M for the income quartiles in every scope (E the entropy of the scope’s quartile totals)', async () => {
    let checked = 0;
    for (const set of await unitSets(QUARTILES)) {
      for (const sc of scopeRanges(set)) {
        const N = new Float64Array(4);
        for (let i = sc.from; i < sc.to; i++) for (let k = 0; k < 4; k++) N[k] = (N[k] as number) + (set.counts[i * 4 + k] as number);
        const T = N.reduce((a, b) => a + b, 0);
        let E = 0;
        for (const n of N) if (n > 0) E -= (n / T) * Math.log(n / T);
        const H = find('multi_H_information_theory', QUARTILES.groups, sc.level, sc.code, set.unitLevel, set.year);
        const M = find('multi_M_divergence', QUARTILES.groups, sc.level, sc.code, set.unitLevel, set.year);
        if (H.status !== 'ok') continue;
        expect(close(Number(H.value) * E, M.value)).toBe(true);
        expect(H.total).toBe(T);
        checked++;
      }
    }
    // 16 sets × 6 scopes, less Kiruna and län 25 over RegSO (single_unit) in each of the 8 RegSO sets.
    expect(checked).toBe(18 * 6 - 2 * 9);
  });

  it('decomposes riket M and H: total = between län + between kommuner within län + within kommuner, total = the riket index', () => {
    const dec = rows.filter((r) => r.measure === 'M_total');
    expect(dec.length).toBe(2 * (10 + 9 + 10 + 9));
    for (const t of dec) {
      const get = (m: string) => find(m, String(t.groups), 'riket', '00', String(t.unit_level), Number(t.year));
      for (const p of ['M', 'H']) {
        const total = Number(get(`${p}_total`).value);
        const parts = ['between_lan', 'between_kommun_within_lan', 'within_kommun'].map((s) => Number(get(`${p}_${s}`).value));
        for (const x of parts) expect(x).toBeGreaterThanOrEqual(0);
        expect(close(parts[0]! + parts[1]! + parts[2]!, total)).toBe(true);
      }
      const multi = t.groups === QUARTILES.groups;
      expect(close(get('H_total').value, get(multi ? 'multi_H_information_theory' : 'H_two_group').value)).toBe(true);
      if (multi) expect(close(get('M_total').value, get('multi_M_divergence').value)).toBe(true);
      expect(get('M_total').n_units).toBe(get(multi ? 'multi_D' : 'D').n_units);
    }
    expect(DECOMPOSITION_MEASURES.every((m) => rows.some((r) => r.measure === m))).toBe(true);
  });

  it('with K = 2 the multigroup indices equal D, Gini, H and V (normalized exposure and relative diversity)', async () => {
    let checked = 0;
    for (const set of await unitSets(FB)) {
      for (const sc of scopeRanges(set)) {
        const mg = multigroupIndices(set.counts.subarray(2 * sc.from, 2 * sc.to), 2);
        const get = (m: string) => find(m, FB.groups, sc.level, sc.code, set.unitLevel, set.year);
        expect(get('D').status).toBe(mg.status);
        if (mg.status !== 'ok') continue;
        expect(close(mg.values.multi_D, get('D').value)).toBe(true);
        expect(close(mg.values.multi_Gini, get('Gini').value)).toBe(true);
        expect(close(mg.values.multi_H_information_theory, get('H_two_group').value)).toBe(true);
        expect(close(mg.values.multi_normalized_exposure, get('correlation_ratio_V').value)).toBe(true);
        expect(close(mg.values.multi_relative_diversity, get('correlation_ratio_V').value)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(20 * 6 - 2 * 10);
  });

  it('fills expected, bias-corrected value and interval for D and H (and M): every interval holds both estimates, no bound outside the range', () => {
    const withInference = new Set(['D', 'H_two_group', 'multi_D', 'multi_H_information_theory', 'multi_M_divergence']);
    let n = 0;
    for (const r of rows) {
      if (!withInference.has(String(r.measure)) || r.status !== 'ok') {
        expect([r.expected, r.ci_low, r.ci_high, r.bias_corrected, r.se, r.draws]).toEqual([null, null, null, null, null, null]);
        continue;
      }
      n++;
      const [v, bc, lo, hi] = [r.value, r.bias_corrected, r.ci_low, r.ci_high].map(Number) as [number, number, number, number];
      expect(r.expected).not.toBeNull();
      expect(r.draws).toBe(DRAWS);
      expect(lo, `${key(r)}`).toBeGreaterThanOrEqual(0);
      if (r.measure !== 'multi_M_divergence') expect(hi).toBeLessThanOrEqual(1);
      expect(lo <= v && v <= hi, `value ${v} outside [${lo}, ${hi}] in ${key(r)}`).toBe(true);
      expect(lo <= bc && bc <= hi, `bias-corrected ${bc} outside [${lo}, ${hi}] in ${key(r)}`).toBe(true);
      // The bias is the bootstrap's: bias_corrected = value − bias unless clamped at 0.
      expect(Math.abs(bc - Math.max(0, v - Number(r.bias)))).toBeLessThan(1e-12);
      expect(Number(r.expected)).toBeGreaterThanOrEqual(0);
    }
    expect(n).toBeGreaterThan(500);
  });

  it('writes a change per index, scope and unit level: comparable span within one area version, since 2017 across the break', async () => {
    const change = await withConnection(config.warehouse, (conn) => query(conn, 'SELECT * FROM segregation_index_change ORDER BY ALL'));
    const idx = new Map(rows.map((r) => [key(r), r]));
    const get = (c: Row, year: number): Row => idx.get([c.measure, c.groups, c.scope_level, c.scope_code, c.unit_level, year === c.from_year ? c.from_version : c.to_version, year].join('|')) as Row;
    expect(change.length).toBeGreaterThan(100);
    for (const c of change) {
      const f = get(c, Number(c.from_year));
      const t = get(c, Number(c.to_year));
      expect(Number(c.from_value)).toBe(Number(f.bias_corrected));
      expect(Number(c.to_value)).toBe(Number(t.bias_corrected));
      expect(Math.abs(Number(c.diff) - (Number(t.bias_corrected) - Number(f.bias_corrected)))).toBeLessThan(1e-15);
      const half = 1.959963984540054 * Math.hypot(Number(f.se), Number(t.se), Number(t.bias) - Number(f.bias));
      expect(Math.abs(Number(c.ci_low) - (Number(c.diff) - half))).toBeLessThan(1e-9);
      // 'none' exactly when the difference's interval holds 0.
      const holdsZero = Number(c.ci_low) <= 0 && 0 <= Number(c.ci_high);
      expect(c.verdict).toBe(holdsZero ? 'none' : Number(c.ci_low) > 0 ? 'increase' : 'decrease');
      expect(c.crosses_break).toBe(f.unit_version !== t.unit_version || f.source_table !== t.source_table);
    }
    const fb = (span: string, level = 'deso') => change.find((c) => c.measure === 'D' && c.groups === FB.groups && c.scope_level === 'riket' && c.unit_level === level && c.span === span && c.to_year === 2025) as Row;
    // Foreign background over DeSO: 2024–2025 on DeSO2025 is comparable; 2017–2025 crosses the 2018 → 2025 break.
    expect(fb('comparable')).toMatchObject({ from_year: 2024, to_year: 2025, from_version: 'DeSO2025', to_version: 'DeSO2025', crosses_break: false });
    expect(fb('since_first')).toMatchObject({ from_year: 2017, to_year: 2025, from_version: 'DeSO2018', to_version: 'DeSO2025', crosses_break: true });
    expect(fb('since_first', 'regso')).toMatchObject({ from_year: 2017, from_version: 'RegSO2020', to_version: 'RegSO2025', crosses_break: true });
    // Income quartiles have one DeSO2025 year (2024): no comparable pair, so the comparable span falls back to 2017.
    const q = change.find((c) => c.measure === 'multi_H_information_theory' && c.groups === QUARTILES.groups && c.scope_level === 'riket' && c.unit_level === 'deso' && c.span === 'comparable' && c.to_year === 2024);
    expect(q).toMatchObject({ from_year: 2017, to_year: 2024, crosses_break: true });
    expect(new Set(change.map((c) => c.verdict))).toContain('none');
  });

  it('measures the DeSO break in the years next to it on both area versions (segregation_bridge)', async () => {
    const bridge = await withConnection(config.warehouse, (conn) => query(conn, "SELECT * FROM segregation_bridge WHERE measure = 'D' AND groups = $g ORDER BY ALL", { g: FB.groups }));
    expect(new Set(bridge.map((b) => b.year))).toEqual(new Set([2023, 2024]));
    for (const b of bridge.filter((x) => x.status === 'ok')) {
      // The native side equals the index of that year and version.
      const native = b.year === 2023 ? find('D', FB.groups, String(b.scope_level), String(b.scope_code), 'deso', 2023).value : find('D', FB.groups, String(b.scope_level), String(b.scope_code), 'deso', 2024).value;
      expect(Math.abs(Number(b.year === 2023 ? b.value_from : b.value_to) - Number(native))).toBeLessThan(1e-12);
      expect(b).toMatchObject({ from_version: 'DeSO2018', to_version: 'DeSO2025' });
    }
    expect(bridge.filter((x) => x.status === 'ok').length).toBeGreaterThan(0);
  });

  it('marks a kommun with a single RegSO single_unit over RegSO (value NULL, n_units 1) but ok over DeSO', () => {
    const indices = new Set<string>([...TWO_GROUP_INDEX_IDS, ...MULTIGROUP_INDEX_IDS]);
    const kiruna = rows.filter((r) => r.scope_code === '2584' && indices.has(String(r.measure)));
    const regso = kiruna.filter((r) => r.unit_level === 'regso');
    expect(regso.length).toBe((10 + 9 + 10) * 7 + 9 * 7);
    for (const r of regso) expect([r.status, r.value, r.n_units, r.expected]).toEqual(['single_unit', null, 1, null]);
    // Län 25 has Kiruna only: one RegSO there too.
    expect(find('D', FB.groups, 'lan', '25', 'regso', 2020).status).toBe('single_unit');
    expect(find('D', FB.groups, 'kommun', '2584', 'deso', 2020)).toMatchObject({ status: 'ok', n_units: 3 });
  });

  it('leaves out units whose counts are protected at source (2584A0010 low economic standard) and logs how many', () => {
    expect(first.left_out_units).toBeGreaterThan(0);
    const r = find('D', LOW_ES.groups, 'kommun', '2584', 'deso', 2020);
    expect(r).toMatchObject({ status: 'ok', n_units: 2 });
    expect(tiny.logs.some((l) => l.includes('W201_MISSING_VALUES') && l.includes(LOW_ES.groups))).toBe(true);
  });

  it('is deterministic and idempotent: a rerun replaces its rows with identical ones, in worker threads or not', async () => {
    const again = await withConnection(config.warehouse, (conn) => buildSegregation(ctx(), conn, { draws: DRAWS, workers: 1 }));
    expect(again.rows).toBe(first.rows);
    expect(await withConnection(config.warehouse, (conn) => query(conn, ALL))).toEqual(rows);
    const threaded = await withConnection(config.warehouse, (conn) => buildSegregation(ctx(), conn, { draws: DRAWS, workers: 3 }));
    expect(threaded.by_groups).toEqual(first.by_groups);
    expect(await withConnection(config.warehouse, (conn) => query(conn, ALL))).toEqual(rows);
  });

  it('joins an open transaction instead of nesting one: rolled back with it, the previous rows stay', async () => {
    await withConnection(config.warehouse, async (conn) => {
      const outer = inTransaction(conn, async () => {
        await conn.run("DELETE FROM segregation_index WHERE measure = 'Gini'");
        await buildSegregation(ctx(), conn, { draws: 0 });
        const inside = await query(conn, "SELECT count(*)::INTEGER AS n FROM segregation_index WHERE expected IS NOT NULL");
        expect(inside).toEqual([{ n: 0 }]);
        throw new Error('the outer transaction fails after the stage');
      });
      await expect(outer).rejects.toThrow('the outer transaction fails after the stage');
      expect(await query(conn, ALL)).toEqual(rows);
    });
  });

  it('uses codes that the source catalogue lists', () => {
    const cat = readFileSync(join(ROOT, 'data', 'sources.json'), 'utf8');
    for (const split of SEGREGATION_SPLITS_ENGINE) {
      for (const v of Object.values(split.params())) {
        const codes = typeof v === 'string' ? [v] : ((v as { items: unknown[] }).items as string[]);
        for (const c of codes) for (const part of c.split(';')) expect(cat, `${split.key}: ${part}`).toContain(`"${part.split('=').at(-1)}"`);
      }
    }
  });
});
