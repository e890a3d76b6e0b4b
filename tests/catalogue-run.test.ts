import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import type { Config } from '../pipelines/config.ts';
import { startTinyPipeline, type TinyPipeline } from './helpers/tiny-pipeline.ts';
import { runStages } from '../pipelines/run.ts';
import { withConnection, query, type Row } from '../pipelines/db.ts';
import { loadIndicators, yearsOf } from '../pipelines/catalogue.ts';
import { desoVersionFor, esMedian, regsoVersionFor, type DemoWorld, type DesoCounts } from '../pipelines/demo/world.ts';

/**
 * The whole catalogue through areas → ingest → build over the tiny world: every indicator has values at every
 * level and in every year it claims (and nowhere else), carries numerator and denominator where its method has
 * them, and a few values equal the world's true counts computed here.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const cat = loadIndicators(join(ROOT, 'data'));
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
    query(conn, `SELECT v.indicator_id, a.level, v.area_code, v.area_version, v.year, v.value, v.numerator, v.denominator, v.status
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

describe('the full catalogue over the tiny world', () => {
  it('puts every value row on an area of the warehouse', () => {
    expect(rows.filter((r) => r.level === null).slice(0, 3)).toEqual([]);
  });

  for (const ind of cat.indicators) {
    it(`${ind.id}: values at exactly the levels and years it claims`, () => {
      const mine = rows.filter((r) => r.indicator_id === ind.id);
      const withValue = mine.filter((r) => r.value !== null);
      expect(new Set(mine.map((r) => r.level))).toEqual(new Set(ind.levels));
      for (const level of ind.levels) {
        const years = [...new Set(withValue.filter((r) => r.level === level).map((r) => Number(r.year)))].sort();
        expect(years, `${ind.id} at ${level}`).toEqual(yearsOf(ind));
      }
      for (const r of withValue) expect(['ok', 'noise'], `${ind.id} ${String(r.area_code)} ${String(r.year)}`).toContain(r.status);
    });

    it(`${ind.id}: numerator and denominator as its method defines them`, () => {
      const withValue = rows.filter((r) => r.indicator_id === ind.id && r.value !== null);
      switch (ind.method.sql) {
        case 'indicators/share_from_counts':
        case 'indicators/share_from_percent':
          for (const r of withValue) {
            expect(r.numerator, `${String(r.area_code)} ${String(r.year)}`).not.toBeNull();
            expect(Number(r.denominator)).toBeGreaterThan(0);
          }
          break;
        case 'indicators/count_from_counts':
          for (const r of withValue) expect([r.numerator, r.denominator]).toEqual([r.value, null]);
          break;
        default:
          for (const r of withValue) expect([r.numerator, r.denominator]).toEqual([null, null]);
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

  it('shares equal the true shares (tenant-owned, lowest income quartile, pre-upper-secondary)', () => {
    const t = truth(2023, '0114');
    const known = t.dw_rental + t.dw_condo + t.dw_owner;
    expect(valueOf('tenant_owned_share', '0114', 2023)).toMatchObject({ value: (100 * t.dw_condo) / known, numerator: t.dw_condo, denominator: known, status: 'ok' });
    const r = truth(2024, '00');
    // TAB6684 publishes the quartile shares in whole percents (riket is 25 by construction).
    expect(valueOf('income_quartile_lowest', '00', 2024)).toMatchObject({ value: Math.round((100 * r.qt1) / r.pop), denominator: r.pop });
    const e = truth(2019, '2584');
    expect(valueOf('pre_upper_secondary_25_64', '2584', 2019)).toMatchObject({ value: (100 * e.edu_pre) / e.edu_pop, denominator: e.edu_pop });
  });

  it('percents over another table\'s count: SCB\'s one-decimal percent, the true denominator, numerator = percent × count', () => {
    const t = truth(2020, '00');
    const ltu = valueOf('long_term_unemployment_20_64', '00', 2020);
    expect(ltu).toMatchObject({ value: round1((100 * t.ltu_20_64) / t.pop_20_64), denominator: t.pop_20_64, status: 'ok' });
    expect(Number(ltu?.numerator)).toBeCloseTo((Number(ltu?.value) * t.pop_20_64) / 100, 6);
    // The recovered count is within the rounding of the percent (±0.05 pp) of the true count.
    expect(Math.abs(Number(ltu?.numerator) - t.ltu_20_64)).toBeLessThanOrEqual(0.0005 * t.pop_20_64 + 1e-9);
    const regso = '0180R001';
    const g = truth(2019, regso);
    expect(valueOf('area_index_v2_pre_upper_secondary', regso, 2019)).toMatchObject({ value: round1((100 * g.pre_20_64) / g.pop_20_64), denominator: g.pop_20_64 });
    const g24 = truth(2024, regso);
    const v1 = rows.find((r) => r.indicator_id === 'area_index_v1_low_economic_standard' && r.area_code === regso && r.area_version === regsoVersionFor(2024) && r.year === 2024);
    expect(v1).toMatchObject({ value: round1((100 * g24.low_es) / g24.pop), denominator: g24.pop });
  });

  it('the median is published per level from the whole distribution, never averaged from lower levels', () => {
    const r = truth(2019, '00');
    expect(valueOf('median_economic_standard', '00', 2019)).toMatchObject({ value: round1(esMedian(r) ?? 0) * 1000, numerator: null, denominator: null, status: 'ok' });
    const k = truth(2019, '2584');
    expect(valueOf('median_economic_standard', '2584', 2019)?.value).toBe(round1(esMedian(k) ?? 0) * 1000);
    // The tiny DeSO's median is SCB's '..' (fewer than 50 persons), not 0.
    expect(valueOf('median_economic_standard', '2584A0010', 2019)).toMatchObject({ value: null, status: '..' });
  });

  it('Kolada turnout per kommun equals the true turnout, only in election years', () => {
    const t = truth(2022, '0180');
    expect(valueOf('turnout_municipal_kolada', '0180', 2022)).toMatchObject({ value: round1((100 * t.voters_voted) / t.voters_eligible), status: 'ok' });
    expect(rows.filter((r) => r.indicator_id === 'turnout_municipal_kolada' && ![2018, 2022].includes(Number(r.year)))).toEqual([]);
  });

  it('higher levels rest on their own published counts, which add up over kommuner before cell-key noise', () => {
    for (const id of ['rental_share', 'employment_rate_20_64', 'income_quintile_highest']) {
      const kommuner = rows.filter((r) => r.indicator_id === id && r.level === 'kommun' && r.year === 2022);
      const riket = valueOf(id, '00', 2022);
      expect(kommuner.reduce((s, r) => s + Number(r.denominator), 0), id).toBe(riket?.denominator);
      expect(kommuner.reduce((s, r) => s + Number(r.numerator), 0), id).toBe(riket?.numerator);
    }
  });
});
