import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import type { Config } from '../pipelines/config.ts';
import { startTinyPipeline, type TinyPipeline } from './helpers/tiny-pipeline.ts';
import { runStages } from '../pipelines/run.ts';
import { withConnection, query, type Row } from '../pipelines/db.ts';
import { loadIndicators, loadSources, sourcesByLevel, yearsOf, type IndicatorDef, type LevelSource } from '../pipelines/catalogue.ts';
import { desoVersionFor, esMedian, regsoVersionFor, toConstantPrices, type DemoWorld, type DesoCounts } from '../pipelines/demo/world.ts';
import type { Level } from '../pipelines/areas/levels.ts';

/**
 * The whole catalogue through areas → ingest → build over the tiny world: every indicator has values at every
 * level it claims and nowhere else, at each level in the years its sources for that level hold (within the world's
 * 2017–2025) and nowhere else, labelled with that source, with numerator and denominator where the level's method
 * has them, and a few values equal the world's true counts computed here.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const cat = loadIndicators(join(ROOT, 'data'));
const src = loadSources(join(ROOT, 'data'));
let tiny: TinyPipeline;
let world: DemoWorld;
let config: Config;
let rows: Row[];

beforeAll(async () => {
  tiny = await startTinyPipeline('catalogue');
  ({ world, config } = tiny);
  const s = await runStages(tiny.ctx(config, 'warn'), 'run', ['areas', 'ingest', 'build'], ['--demo']);
  expect(s.outcome).toBe('ok');
  rows = await withConnection(config.warehouse, (conn) =>
    query(conn, `SELECT v.indicator_id, a.level, v.area_code, v.area_version, v.year, v.value, v.numerator, v.denominator, v.status, v.source_table
                 FROM indicator_value v LEFT JOIN area a ON a.code = v.area_code AND a.version = v.area_version
                 ORDER BY ALL`));
}, 120_000);
afterAll(async () => {
  await tiny.emulator.close();
});

const valueOf = (id: string, code: string, year: number): Row | undefined =>
  rows.find((r) => r.indicator_id === id && r.area_code === code && r.year === year);

/** The tiny world's true counts summed over the DeSO of an area (riket '00', a kommun, or a RegSO) in a year. */
function truth(year: number, code: string): DesoCounts {
  const version = desoVersionFor(year);
  const areas = new Map(world.areas.filter((a) => a.version === version).map((a) => [a.code, a]));
  const out: Record<string, number> = {};
  for (const [deso, c] of world.deso.get(year) ?? []) {
    const a = areas.get(deso);
    if (code !== '00' && a?.kommun_code !== code && a?.regso_code !== code) continue;
    for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  }
  return out as unknown as DesoCounts;
}
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The source serving an indicator at a level in a year (data/sources.json and data/indicators.json). */
function sourceAt(ind: IndicatorDef, level: Level, year: number): LevelSource | undefined {
  return sourcesByLevel(ind, src).find((s) => s.levels.includes(level) && s.years.includes(year));
}

describe('the full catalogue over the tiny world', () => {
  it('puts every value row on an area of the warehouse', () => {
    expect(rows.filter((r) => r.level === null).slice(0, 3)).toEqual([]);
  });

  for (const ind of cat.indicators) {
    it(`${ind.id}: values at exactly its levels, in the years its source for each level holds, labelled with that source`, () => {
      const mine = rows.filter((r) => r.indicator_id === ind.id);
      const withValue = mine.filter((r) => r.value !== null);
      expect(new Set(mine.map((r) => r.level))).toEqual(new Set(ind.levels));
      for (const level of ind.levels) {
        const years = [...new Set(withValue.filter((r) => r.level === level).map((r) => Number(r.year)))].sort();
        const held = sourcesByLevel(ind, src).filter((s) => s.levels.includes(level)).flatMap((s) => s.years);
        const expected = yearsOf(ind).filter((y) => held.includes(y) && world.years.includes(y));
        expect(expected.length, `${ind.id} at ${level}`).toBeGreaterThan(0);
        expect(years, `${ind.id} at ${level}`).toEqual(expected);
      }
      for (const r of mine) {
        expect(r.source_table, `${ind.id} ${String(r.area_code)} ${String(r.year)}`).toBe(sourceAt(ind, r.level as Level, Number(r.year))?.source);
      }
      for (const r of withValue) expect(['ok', 'noise'], `${ind.id} ${String(r.area_code)} ${String(r.year)}`).toContain(r.status);
    });

    it(`${ind.id}: numerator and denominator as the method of each level defines them`, () => {
      const withValue = rows.filter((r) => r.indicator_id === ind.id && r.value !== null);
      expect(withValue.length).toBeGreaterThan(0);
      for (const r of withValue) {
        const at = `${String(r.area_code)} ${String(r.year)}`;
        switch (sourceAt(ind, r.level as Level, Number(r.year))?.sql) {
          case 'indicators/share_from_counts':
          case 'indicators/share_from_percent':
            expect(r.numerator, at).not.toBeNull();
            expect(Number(r.denominator), at).toBeGreaterThan(0);
            break;
          case 'indicators/count_from_counts':
            expect([r.numerator, r.denominator], at).toEqual([r.value, null]);
            break;
          case 'indicators/kolada_value':
          case 'indicators/kolada_weighted':
          case 'indicators/value_as_published':
            expect([r.numerator, r.denominator], at).toEqual([null, null]);
            break;
          default:
            throw new Error(`${ind.id} ${at}: no method serves ${String(r.level)} in ${String(r.year)}`);
        }
      }
    });
  }

  it('population equals the true counts, as published at each level (riket 2017, Stockholm 2024, a DeSO under 50)', () => {
    expect(valueOf('population', '00', 2017)).toMatchObject({ value: truth(2017, '00').pop, numerator: truth(2017, '00').pop, status: 'ok' });
    expect(valueOf('population', '0180', 2024)).toMatchObject({ value: truth(2024, '0180').pop, status: 'ok' });
    // A count rests on no denominator, so the disclosure rule leaves even a tiny DeSO's population published.
    const tiny = world.deso.get(2020)?.get('2584A0010')?.pop ?? 0;
    expect(tiny).toBeLessThan(50);
    expect(valueOf('population', '2584A0010', 2020)).toMatchObject({ value: tiny, status: 'ok' });
    // 2025 carries cell-key noise: near the truth, marked.
    const r25 = valueOf('population', '00', 2025);
    expect(r25?.status).toBe('noise');
    expect(Math.abs(Number(r25?.value) - truth(2025, '00').pop)).toBeLessThanOrEqual(3);
  });

  it('shares equal the true shares (tenant-owned summed from DeSO, persons in rented dwellings, lowest income quartile, pre-upper-secondary)', () => {
    // Dwellings: SCB publishes DeSO and RegSO only; a kommun is the sum of its DeSO, and its label says so.
    const t = truth(2023, '0114');
    const known = t.dw_rental + t.dw_condo + t.dw_owner;
    expect(valueOf('tenant_owned_share', '0114', 2023)).toMatchObject({
      value: (100 * t.dw_condo) / known, numerator: t.dw_condo, denominator: known, status: 'ok', source_table: 'SCB TAB6258, TAB6638 (summerat från DeSO)',
    });
    const d = truth(2024, '00');
    const dKnown = d.dw_rental + d.dw_condo + d.dw_owner;
    expect(valueOf('rental_share', '00', 2024)).toMatchObject({ value: (100 * d.dw_rental) / dKnown, denominator: dKnown, source_table: 'SCB TAB6258, TAB6638 (summerat från DeSO)' });
    expect(valueOf('owner_occupied_share', '0180R002', 2021)).toMatchObject({ numerator: truth(2021, '0180R002').dw_owner, source_table: 'SCB TAB6258, TAB6638' });
    // Persons by tenure: SCB publishes every level itself (TAB6253); 'övrigt' is outside the denominator.
    const p = truth(2021, '0180');
    const housed = p.pt_owner + p.pt_condo + p.pt_rental;
    expect(valueOf('rental_share_persons', '0180', 2021)).toMatchObject({ value: (100 * p.pt_rental) / housed, numerator: p.pt_rental, denominator: housed, status: 'ok', source_table: 'SCB TAB6253' });
    // TAB6684 publishes the quartile shares in whole percents: value as published, numerator = percent × persons.
    const r = truth(2024, '00');
    const q1 = Math.round((100 * r.qt1) / r.pop);
    expect(valueOf('income_quartile_lowest', '00', 2024)).toMatchObject({ value: q1, denominator: r.pop, status: 'ok', source_table: 'SCB TAB6684' });
    expect(Number(valueOf('income_quartile_lowest', '00', 2024)?.numerator)).toBeCloseTo((q1 * r.pop) / 100, 6);
    const k = truth(2020, '2584');
    expect(valueOf('income_quartile_highest', '2584', 2020)).toMatchObject({ value: Math.round((100 * k.qt4) / k.pop), denominator: k.pop });
    const e = truth(2019, '2584');
    expect(valueOf('pre_upper_secondary_25_64', '2584', 2019)).toMatchObject({ value: (100 * e.edu_pre) / e.edu_pop, denominator: e.edu_pop });
  });

  it('percents over another table\'s count: SCB\'s one-decimal percent, the true denominator, numerator = percent × count', () => {
    // Long-term unemployment: SCB's integration table per RegSO 2025, 2024 only, over TAB6685's persons 20–64.
    const regso = '0180R001';
    const t = truth(2024, regso);
    const ltu = rows.find((r) => r.indicator_id === 'long_term_unemployment_20_64' && r.area_code === regso && r.area_version === regsoVersionFor(2024) && r.year === 2024);
    expect(ltu).toMatchObject({ value: round1((100 * t.ltu_20_64) / t.pop_20_64), denominator: t.pop_20_64, status: 'ok', source_table: 'SCB IntGr1RegSOBASN, TAB6685' });
    expect(Number(ltu?.numerator)).toBeCloseTo((Number(ltu?.value) * t.pop_20_64) / 100, 6);
    // The recovered count is within the rounding of the percent (±0.05 pp) of the true count.
    expect(Math.abs(Number(ltu?.numerator) - t.ltu_20_64)).toBeLessThanOrEqual(0.0005 * t.pop_20_64 + 1e-9);
    const g = truth(2019, regso);
    expect(valueOf('area_index_v2_pre_upper_secondary', regso, 2019)).toMatchObject({ value: round1((100 * g.pre_20_64) / g.pop_20_64), denominator: g.pop_20_64 });
    const g24 = truth(2024, regso);
    const v1 = rows.find((r) => r.indicator_id === 'area_index_v1_low_economic_standard' && r.area_code === regso && r.area_version === regsoVersionFor(2024) && r.year === 2024);
    expect(v1).toMatchObject({ value: round1((100 * g24.low_es) / g24.pop), denominator: g24.pop });
  });

  it('the median is published per level from the whole distribution in constant prices of the table\'s last year, never averaged', () => {
    const base = src.pxweb.find((t) => t.id === 'TAB6684')?.years[1] ?? 0;
    expect(base).toBe(2024);
    const constant = (c: DesoCounts, year: number): number => round1(toConstantPrices(esMedian(c) ?? 0, year, base)) * 1000;
    const r = truth(2019, '00');
    expect(valueOf('median_economic_standard', '00', 2019)).toMatchObject({ value: constant(r, 2019), numerator: null, denominator: null, status: 'ok' });
    // Deflated: 2019 kronor are worth more in 2024 prices.
    expect(constant(r, 2019)).toBeGreaterThan(round1(esMedian(r) ?? 0) * 1000);
    const k = truth(2019, '2584');
    expect(valueOf('median_economic_standard', '2584', 2019)?.value).toBe(constant(k, 2019));
    expect(valueOf('median_economic_standard', '0180', 2024)?.value).toBe(round1(esMedian(truth(2024, '0180')) ?? 0) * 1000);
    // The tiny DeSO's median is SCB's '..' (fewer than 50 persons), not 0.
    expect(valueOf('median_economic_standard', '2584A0010', 2019)).toMatchObject({ value: null, status: '..' });
  });

  it('turnout: per kommun, län and riket from Kolada N05401, per RegSO from SCB IntGr11RegSO1, only in election years', () => {
    const t = truth(2022, '0180');
    expect(valueOf('turnout_municipal', '0180', 2022)).toMatchObject({ value: round1((100 * t.voters_voted) / t.voters_eligible), numerator: null, status: 'ok', source_table: 'Kolada N05401' });
    const r = truth(2018, '00');
    expect(valueOf('turnout_municipal', '00', 2018)).toMatchObject({ value: round1((100 * r.voters_voted) / r.voters_eligible), source_table: 'Kolada N05401' });
    const g = truth(2018, '0114R001');
    expect(valueOf('turnout_municipal', '0114R001', 2018)).toMatchObject({ value: round1((100 * g.voters_voted) / g.voters_eligible), numerator: null, denominator: null, source_table: 'SCB IntGr11RegSO1' });
    expect(rows.filter((r) => r.indicator_id === 'turnout_municipal' && ![2018, 2022].includes(Number(r.year)))).toEqual([]);
    expect(rows.filter((r) => r.indicator_id === 'turnout_municipal' && r.level === 'deso')).toEqual([]);
  });

  it('employment: Kolada per kommun, län and riket (N00914 to 2019, N02267 from 2020), SCB TAB6680 counts per DeSO and RegSO from 2020', () => {
    const rate = (c: DesoCounts): number => round1((100 * c.emp_20_64) / c.pop_20_64);
    expect(valueOf('employment_rate_20_64', '2584', 2018)).toMatchObject({ value: rate(truth(2018, '2584')), numerator: null, denominator: null, source_table: 'Kolada N00914' });
    expect(valueOf('employment_rate_20_64', '00', 2022)).toMatchObject({ value: rate(truth(2022, '00')), source_table: 'Kolada N02267' });
    // The follow-up goes on: Kolada's 2025 is there though SCB's DeSO table ends with 2024.
    expect(valueOf('employment_rate_20_64', '0114', 2025)).toMatchObject({ value: rate(truth(2025, '0114')), source_table: 'Kolada N02267' });
    const g = truth(2022, '0180R002');
    expect(valueOf('employment_rate_20_64', '0180R002', 2022)).toMatchObject({ value: (100 * g.emp_20_64) / g.pop_20_64, numerator: g.emp_20_64, denominator: g.pop_20_64, source_table: 'SCB TAB6680' });
    expect(rows.filter((r) => r.indicator_id === 'employment_rate_20_64' && r.level === 'deso' && r.value !== null && Number(r.year) < 2020)).toEqual([]);
    const u = truth(2021, '0114');
    expect(valueOf('unemployment_rate_20_64', '0114', 2021)).toMatchObject({ value: round1((100 * u.unemp_20_64) / (u.emp_20_64 + u.unemp_20_64)), source_table: 'Kolada N02280' });
  });

  it('higher levels rest on counts that add up over kommuner before cell-key noise: published (SCB) or summed from DeSO', () => {
    for (const id of ['rental_share', 'rental_share_persons', 'foreign_background_share', 'post_secondary_25_64']) {
      const kommuner = rows.filter((r) => r.indicator_id === id && r.level === 'kommun' && r.year === 2022);
      expect(kommuner.length, id).toBe(3);
      const riket = valueOf(id, '00', 2022);
      expect(kommuner.reduce((s, r) => s + Number(r.denominator), 0), id).toBe(riket?.denominator);
      expect(kommuner.reduce((s, r) => s + Number(r.numerator), 0), id).toBe(riket?.numerator);
    }
    // Whole-percent quartile shares: the persons add up, the recovered counts need not.
    const kq = rows.filter((r) => r.indicator_id === 'income_quartile_highest' && r.level === 'kommun' && r.year === 2022);
    expect(kq.reduce((s, r) => s + Number(r.denominator), 0)).toBe(valueOf('income_quartile_highest', '00', 2022)?.denominator);
    // Summed dwellings equal the world's dwellings of the whole country.
    const t = truth(2022, '00');
    expect(valueOf('rental_share', '00', 2022)).toMatchObject({ numerator: t.dw_rental, denominator: t.dw_rental + t.dw_condo + t.dw_owner });
  });
});
