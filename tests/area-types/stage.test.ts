/**
 * The area-types stage over the tiny demo world (areas, ingest and build first, as tests/run.test.ts drives them):
 * types agree with the command on the same V1–V3, residents add up to the RegSO totals, values by type are
 * Σ numerators / Σ denominators of the RegSO of the type, gaps start in the right base year, suppression follows the
 * threshold, and a rerun leaves every table identical.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../pipelines/config.ts';
import { startTinyPipeline, type TinyPipeline } from '../helpers/tiny-pipeline.ts';
import { runStages } from '../../pipelines/run.ts';
import { query, withConnection, type Row } from '../../pipelines/db.ts';
import type { Context } from '../../pipelines/context.ts';
import { buildAreaTypes, type AreaTypesResult } from '../../pipelines/stages/area-types.ts';
import { runAreaTypesCommand } from '../../pipelines/area-types-command.ts';
import { loadAreaTypeCatalogue } from '../../pipelines/measures/classify-area-types.ts';
import { loadIndicators } from '../../pipelines/catalogue.ts';

/** SCB's socio-economic index per RegSO (TAB6586) and its components V1–V3, as data/area-types.json names them. */
const AREA_TYPES = loadAreaTypeCatalogue(new URL('../../data', import.meta.url).pathname);
const SOCIO = AREA_TYPES.index.source_table;
const { V1, V2, V3 } = AREA_TYPES.index.components;

const TABLES = ['area_type', 'area_type_detail', 'area_type_cut', 'area_type_population', 'indicator_by_area_type', 'area_type_gap'];
let dir = '';
let tiny: TinyPipeline;
let config: Config;
let first: AreaTypesResult;


const ctxFor = (c: Config): Context => tiny.ctx(c);
const sql = (text: string, params?: Record<string, string | number>): Promise<Row[]> => withConnection(config.warehouse, (conn) => query(conn, text, params));
const snapshot = async (): Promise<Record<string, Row[]>> =>
  Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await sql(`SELECT * FROM ${t} ORDER BY ALL`)] as const)));
const stage = (c: Config = config): Promise<AreaTypesResult> => withConnection(c.warehouse, (conn) => buildAreaTypes(ctxFor(c), conn));

beforeAll(async () => {
  tiny = await startTinyPipeline('area-types-stage');
  ({ dir, config } = tiny);
  const s = await runStages(ctxFor(config), 'build', ['areas', 'ingest', 'build'], ['--demo']);
  expect(s.outcome).toBe('ok');
  first = await stage();
}, 120_000);
afterAll(async () => {
  await tiny.emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the area-types stage over the tiny world', () => {
  it('types every RegSO-year of TAB6586 (6 RegSO × 2016–2024), each year on its own', async () => {
    expect([SOCIO, V1.measure, V2.measure, V3.measure]).toEqual(['TAB6586', '000008IW', '000008IV', '000008IX']);
    const [n] = await sql('SELECT count(DISTINCT (area_code, area_version, year))::INTEGER AS n FROM observation WHERE table_id = $t', { t: SOCIO });
    expect(first.area_types).toBe(54);
    expect(n?.n).toBe(54);
    expect(first.classified + first.unclassified).toBe(54);
    expect(Object.keys(first.types_by_year)).toEqual(['2016', '2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024']);
    for (const counts of Object.values(first.types_by_year)) expect(counts.reduce((a, b) => a + b, 0)).toBe(6 - 0);
    // SCB's own types in the same table (the emulator applies SCB's note to the same published shares) agree.
    expect(first.scb_agreement.n_both).toBeGreaterThan(0);
    expect(first.scb_agreement.n_agree).toBe(first.scb_agreement.n_both);
    const versions = await sql('SELECT DISTINCT year, area_version FROM area_type ORDER BY 1');
    expect(versions.map((r) => `${r.year} ${r.area_version}`)).toEqual([
      '2016 RegSO2020', '2017 RegSO2020', '2018 RegSO2020', '2019 RegSO2020', '2020 RegSO2020', '2021 RegSO2020', '2022 RegSO2020', '2023 RegSO2020', '2024 RegSO2025',
    ]);
  });

  it('gives the same types as `segfollow area-types` on the same V1–V3 (one rule for both paths)', async () => {
    const comps = await sql(
      `SELECT year, area_code,
              max(value) FILTER (WHERE measure = $v1) AS v1, max(value) FILTER (WHERE measure = $v2) AS v2,
              max(value) FILTER (WHERE measure = $v3) AS v3
       FROM observation WHERE table_id = $t GROUP BY ALL ORDER BY year, area_code`,
      { t: SOCIO, v1: V1.measure, v2: V2.measure, v3: V3.measure },
    );
    const csv = join(dir, 'socio.csv');
    writeFileSync(csv, 'year,regso,v1,v2,v3\n' + comps.map((r) => [r.year, r.area_code, r.v1 ?? '', r.v2 ?? '', r.v3 ?? ''].join(',')).join('\n') + '\n');
    let out = '';
    const code = await runAreaTypesCommand(['--input', csv, '--unit', 'regso', '--v1', 'v1', '--v2', 'v2', '--v3', 'v3', '--by', 'year'], {
      stdout: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
      stderr: { write: () => true } as unknown as NodeJS.WritableStream,
    });
    expect(code).toBe(0);
    const fromCommand = out.trim().split('\n').slice(1).map((l) => l.split(','));
    const fromStage = await sql('SELECT year, area_code, index_value, area_type FROM area_type ORDER BY year, area_code');
    expect(fromCommand).toEqual(fromStage.map((r) => [String(r.year), String(r.area_code), r.index_value === null ? '' : String(r.index_value), r.area_type === null ? '' : String(r.area_type)]));
  });

  it('adds RegSO residents up to the RegSO total of each scope and year, across the types and the unclassified', async () => {
    const rows = await sql(
      `SELECT p.scope_level, p.scope_code, p.year, sum(p.population) AS by_type, any_value(t.total) AS total
       FROM area_type_population p
       JOIN (SELECT CASE WHEN grouping(k) = 1 AND grouping(l) = 1 THEN 'riket' WHEN grouping(k) = 1 THEN 'lan' ELSE 'kommun' END AS scope_level,
                    coalesce(k, l, '00') AS scope_code, year, sum(value) AS total
             FROM (SELECT substr(area_code, 1, 4) AS k, substr(area_code, 1, 2) AS l, year, value FROM observation
                   WHERE table_id = 'TAB6571' AND breakdown = 'Kon=1+2;UtlBakgrund=SA' AND starts_with(area_version, 'RegSO') AND year <= 2024)
             GROUP BY GROUPING SETS ((k, year), (l, year), (year))) t USING (scope_level, scope_code, year)
       GROUP BY ALL ORDER BY ALL`,
    );
    expect(rows.length).toBe(9 * (1 + 2 + 3)); // 2016–2024 × riket, 2 län, 3 kommuner
    for (const r of rows) expect(r.by_type).toBe(r.total);
    const shares = await sql('SELECT scope_level, scope_code, year, sum(share) AS s FROM area_type_population GROUP BY ALL');
    for (const r of shares) expect(Math.abs(Number(r.s) - 100)).toBeLessThan(1e-9);
  });

  it('computes every indicator by type from RegSO numerators and denominators, and lists those without them', async () => {
    const check = await sql(
      `SELECT b.indicator_id, b.year, b.area_type, b.numerator, b.denominator, b.value, x.num, x.den
       FROM indicator_by_area_type b
       JOIN (SELECT v.indicator_id, v.year, t.area_type, sum(v.numerator) AS num, sum(v.denominator) AS den
             FROM indicator_value v JOIN area_type t USING (area_code, area_version, year)
             WHERE v.numerator IS NOT NULL AND t.area_type IS NOT NULL GROUP BY ALL) x USING (indicator_id, year, area_type)
       WHERE b.scope_level = 'riket' AND b.status IN ('ok', 'noise')`,
    );
    expect(check.length).toBeGreaterThan(50);
    for (const r of check) {
      // The stage sums with compensation in RegSO order; a plain sum may differ in the last bits.
      expect(Math.abs(Number(r.numerator) - Number(r.num))).toBeLessThanOrEqual(1e-9 * Math.abs(Number(r.num)));
      expect(r.denominator).toBe(r.den);
      expect(r.value).toBe((100 * Number(r.numerator)) / Number(r.denominator));
    }
    const ids = new Set((await sql('SELECT DISTINCT indicator_id FROM indicator_by_area_type')).map((r) => r.indicator_id));
    for (const id of ['employment_rate_20_64', 'foreign_background_share', 'low_economic_standard', 'rental_share', 'income_quartile_lowest']) expect(ids.has(id), id).toBe(true);
    const skipped = Object.fromEntries(first.skipped_indicators.map((s) => [s.indicator_id, s.reason]));
    // Kolada and kommun-only sources have no RegSO values; turnout per RegSO and the median are published as they
    // are (SCB gives no count of voters per RegSO), so they cannot be summed by type.
    expect(skipped).toEqual({
      eligible_upper_secondary: 'no values at RegSO level',
      overcrowding_norm2: 'no values at RegSO level',
      reported_crime_per_1000: 'no values at RegSO level',
      turnout_municipal: 'no numerator and denominator at RegSO level',
      median_economic_standard: 'no numerator and denominator at RegSO level',
      population: 'no numerator and denominator at RegSO level',
    });
    for (const s of first.skipped_indicators) expect(ids.has(s.indicator_id)).toBe(false);
    const [counts] = await sql("SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE status = 'suppressed')::INTEGER AS s FROM indicator_by_area_type");
    expect(first.indicator_rows).toBe(counts?.n);
    expect(first.suppressed).toBe(counts?.s);
  });

  it('gives every scope a comparison: six RegSO rarely reach mean + 2 SD, so riket compares its lowest type with the rest', async () => {
    for (const counts of Object.values(first.types_by_year)) expect(counts[0]).toBe(0);
    // The comparison follows the types of the latest year, one per scope for all years and indicators.
    const latest = await sql('SELECT area_code, area_type FROM area_type WHERE year = 2024 AND area_type IS NOT NULL ORDER BY 1');
    const lowest = Math.min(...latest.map((r) => Number(r.area_type)));
    const perScope = await sql('SELECT scope_level, scope_code, count(DISTINCT (comparison, focus_upto, reference_from))::INTEGER AS n, any_value(comparison) AS comparison, any_value(focus_upto) AS k FROM area_type_gap GROUP BY ALL ORDER BY ALL');
    expect(perScope.every((r) => r.n === 1)).toBe(true);
    expect(perScope.find((r) => r.scope_level === 'riket')).toMatchObject({ comparison: 'lowest_vs_rest', k: lowest });
    // Each kommun: one type → single_type, several → lowest vs rest (no kommun has both 1 and 5).
    const kommuner = [...new Set(latest.map((r) => String(r.area_code).slice(0, 4)))];
    for (const k of kommuner) {
      const types = new Set(latest.filter((r) => String(r.area_code).startsWith(k)).map((r) => Number(r.area_type)));
      expect(perScope.find((r) => r.scope_code === k)?.comparison, k).toBe(types.size === 1 ? 'single_type' : 'lowest_vs_rest');
    }
    expect(first.comparisons.kommun).toEqual(
      Object.fromEntries(
        Object.entries(
          kommuner.reduce<Record<string, number>>((acc, k) => {
            const c = String(perScope.find((r) => r.scope_code === k)?.comparison);
            acc[c] = (acc[c] ?? 0) + 1;
            return acc;
          }, {}),
        ).sort(),
      ),
    );
    // Every kommun has an answer: a gap in the latest year for some indicator, or the single-type sentence.
    const unanswered = await sql(
      `SELECT scope_code FROM area_type_gap WHERE scope_level = 'kommun' GROUP BY 1
       HAVING NOT bool_or(gap IS NOT NULL AND year = 2024) AND any_value(comparison) <> 'single_type'`,
    );
    expect(unanswered).toEqual([]);
    expect(first.scopes_with_gap.kommun).toBe(kommuner.length - (first.comparisons.kommun?.single_type ?? 0));
    // The riket values in 2024: summed numerators over summed denominators of the RegSO of each group.
    const [g] = await sql("SELECT * FROM area_type_gap WHERE indicator_id = 'foreign_background_share' AND scope_level = 'riket' AND year = 2024");
    const group = async (cond: string): Promise<number> => {
      const [r] = await sql(
        `SELECT 100 * sum(v.numerator) / sum(v.denominator) AS x FROM indicator_value v JOIN area_type t USING (area_code, area_version, year)
         WHERE v.indicator_id = 'foreign_background_share' AND v.year = 2024 AND ${cond} AND v.numerator IS NOT NULL`,
      );
      return Number(r?.x);
    };
    expect(g?.value_focus).toBeCloseTo(await group(`t.area_type <= ${lowest}`), 10);
    expect(g?.value_reference).toBeCloseTo(await group(`t.area_type > ${lowest}`), 10);
    expect(g?.status).toBe('ok');
    const bases = await sql('SELECT indicator_id, min(base_year) AS b, max(base_year) AS b2 FROM area_type_gap GROUP BY 1 ORDER BY 1');
    for (const r of bases) expect(r.b).toBe(r.b2);
    // The base year is 2017, or the indicator's first year by type after it: employment per RegSO starts with BAS in 2020.
    expect(bases.find((r) => r.indicator_id === 'foreign_background_share')?.b).toBe(2017);
    expect(bases.find((r) => r.indicator_id === 'employment_rate_20_64')?.b).toBe(2020);
    expect(bases.find((r) => r.indicator_id === 'long_term_unemployment_20_64')?.b).toBe(2024);
    // Each indicator's own threshold for a clear change (data/indicators.json), as the rest of the report uses.
    const own = new Map(loadIndicators(new URL('../../data', import.meta.url).pathname).indicators.map((d) => [d.id, d.materiality]));
    for (const r of await sql('SELECT DISTINCT indicator_id, materiality FROM area_type_gap ORDER BY 1')) {
      const m = own.get(String(r.indicator_id));
      expect(r.materiality, String(r.indicator_id)).toBe(m && !m.relative ? m.value : AREA_TYPES.gap.change.materiality_pp);
    }
    expect((await sql("SELECT DISTINCT materiality FROM area_type_gap WHERE indicator_id = 'unemployment_rate_20_64'"))[0]?.materiality).toBe(0.5);
    // A verdict only where two gaps exist; three outcomes and the reversal, nothing else.
    const verdicts = await sql('SELECT DISTINCT change_verdict AS v FROM area_type_gap WHERE change_verdict IS NOT NULL ORDER BY 1');
    for (const r of verdicts) expect(['narrowed', 'no_change', 'reversed', 'widened']).toContain(r.v);
    const [bad] = await sql("SELECT count(*)::INTEGER AS n FROM area_type_gap WHERE (change_verdict IS NULL) <> (change_status <> 'ok' OR year <= base_year)");
    expect(bad?.n).toBe(0);
    expect(first.gap_rows).toBe(Number((await sql('SELECT count(*)::INTEGER AS n FROM area_type_gap'))[0]?.n));
  });

  it('suppresses values by type whose denominator is under the threshold, and a rerun with the default restores them identically', async () => {
    const before = await snapshot();
    const strict = await stage({ ...config, disclosureThreshold: 1_000_000 });
    expect(strict.suppressed).toBeGreaterThan(0);
    const leaked = await sql("SELECT count(*)::INTEGER AS n FROM indicator_by_area_type WHERE value IS NOT NULL OR numerator IS NOT NULL OR denominator IS NOT NULL");
    expect(leaked[0]?.n).toBe(0);
    const again = await stage();
    expect(again).toEqual(first);
    expect(await snapshot()).toEqual(before);
  });

  it('with the index set so that one RegSO is type 1 and another type 5 in 2020, 2022 and 2024, the riket compares type 1 with type 5', async () => {
    // Six index values at z ≈ 2.08, −1.07, −0.51, −0.51, 0, 0 (20 + 10·{2.05, −1.05, −0.5, −0.5, 0, 0}): types
    // 1, 5, 4, 4, 3, 3. Six RegSO rarely spread like this by chance. Employment values are untouched, so the gap
    // compares the world's real values by type.
    const index: Record<string, number> = { '0114R001': 40.5, '2584R001': 9.5, '0114R002': 15, '0180R001': 15, '0180R002': 20, '0180R003': 20 };
    await withConnection(config.warehouse, async (conn) => {
      for (const [code, x] of Object.entries(index)) {
        await query(conn, 'UPDATE observation SET value = $x WHERE table_id = $t AND measure IN ($v1, $v2, $v3) AND area_code = $c AND year IN (2020, 2022, 2024) RETURNING 1', {
          x, c: code, t: SOCIO, v1: V1.measure, v2: V2.measure, v3: V3.measure,
        });
      }
    });
    const res = await stage();
    expect(res.types_by_year['2020']).toEqual([1, 0, 2, 2, 1]);
    expect(res.types_by_year['2022']).toEqual([1, 0, 2, 2, 1]);
    expect(res.types_by_year['2024']).toEqual([1, 0, 2, 2, 1]);
    expect(res.comparisons.riket).toEqual({ type1_vs_type5: 1 });
    const types = await sql('SELECT area_code, area_type FROM area_type WHERE year = 2022 ORDER BY area_code');
    expect(types.map((r) => [r.area_code, r.area_type])).toEqual([['0114R001', 1], ['0114R002', 4], ['0180R001', 4], ['0180R002', 3], ['0180R003', 3], ['2584R001', 5]]);
    const v = async (type: number, year: number): Promise<number> => {
      const [r] = await sql(
        `SELECT 100 * sum(v.numerator) / sum(v.denominator) AS x FROM indicator_value v JOIN area_type t USING (area_code, area_version, year)
         WHERE v.indicator_id = 'employment_rate_20_64' AND v.year = $y AND t.area_type = $t AND v.numerator IS NOT NULL`,
        { y: year, t: type },
      );
      return Number(r?.x);
    };
    const [g] = await sql("SELECT * FROM area_type_gap WHERE indicator_id = 'employment_rate_20_64' AND scope_level = 'riket' AND year = 2022");
    const gap22 = (await v(1, 2022)) - (await v(5, 2022));
    // Employment per RegSO starts in 2020 (TAB6680, BAS): its base year.
    const gap20 = (await v(1, 2020)) - (await v(5, 2020));
    expect(Number.isFinite(gap20) && Number.isFinite(gap22)).toBe(true);
    expect(g).toMatchObject({ comparison: 'type1_vs_type5', focus_upto: 1, reference_from: 5, status: 'ok', change_status: 'ok', base_year: 2020 });
    expect(g?.gap).toBeCloseTo(gap22, 10);
    expect(g?.gap_base).toBeCloseTo(gap20, 10);
    expect(g?.gap_change).toBeCloseTo(gap22 - gap20, 10);
    expect(g?.narrowed).toBe(-gap22 < -gap20);
    const [b] = await sql("SELECT status, change_status FROM area_type_gap WHERE indicator_id = 'employment_rate_20_64' AND scope_level = 'riket' AND year = 2020");
    expect(b).toEqual({ status: 'ok', change_status: 'base_year' });
    // 0180 has types 3 and 4 (its own lowest against the rest); 2021 kept its own types, none of them 1.
    const [k] = await sql("SELECT comparison, focus_upto, status FROM area_type_gap WHERE indicator_id = 'employment_rate_20_64' AND scope_level = 'kommun' AND scope_code = '0180' AND year = 2022");
    expect(k).toEqual({ comparison: 'lowest_vs_rest', focus_upto: 3, status: 'ok' });
    const [y] = await sql("SELECT status FROM area_type_gap WHERE indicator_id = 'employment_rate_20_64' AND scope_level = 'riket' AND year = 2021");
    expect(y?.status).toBe('no_focus');
  });

  it('gives no type to a RegSO-year with a missing component, names it, and warns', async () => {
    await withConnection(config.warehouse, (conn) =>
      query(conn, "UPDATE observation SET value = NULL, status = '..' WHERE table_id = $t AND measure = $v2 AND area_code = '0180R002' AND year = 2019 RETURNING 1", { t: SOCIO, v2: V2.measure }),
    );
    tiny.logs.length = 0;
    const res = await stage();
    expect(res.unclassified).toBe(1);
    expect(res.types_by_year['2019']?.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await sql("SELECT area_type, status, missing FROM area_type_detail WHERE area_code = '0180R002' AND year = 2019")).toEqual([
      { area_type: null, status: 'missing_component', missing: 'V2 (..)' },
    ]);
    expect(await sql("SELECT n_areas, n_unclassified FROM area_type_cut WHERE year = 2019")).toEqual([{ n_areas: 5, n_unclassified: 1 }]);
    expect(tiny.logs.some((l) => l.includes('W215_AREA_TYPE_UNCLASSIFIED'))).toBe(true);
    const [p] = await sql("SELECT n_areas, population FROM area_type_population WHERE scope_level = 'kommun' AND scope_code = '0180' AND year = 2019 AND area_type IS NULL");
    expect(p?.n_areas).toBe(1);
    expect(Number(p?.population)).toBeGreaterThan(0);
  });
});
