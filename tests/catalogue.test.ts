import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadIndicators, loadSources, yearsOf, type IndicatorDef, type Part, type PxSource } from '../pipelines/catalogue.ts';
import { MESSAGES } from '../pipelines/messages.ts';
import { SQL_DIR } from '../pipelines/db.ts';
import { checkCatalogue } from '../pipelines/sources/check-catalogue.ts';

/**
 * data/indicators.json against itself, data/sources.json, pipelines/messages.ts and sql/: a typo in a contents code,
 * a breakdown or a caveat id would otherwise surface only as an indicator that is silently empty.
 */

const DATA = new URL('../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const src = loadSources(DATA);
const pxById = new Map(src.pxweb.map((t) => [t.id, t]));
const koladaById = new Map(src.kolada.map((k) => [k.id, k]));

const POLICY_AREAS = ['boende', 'utbildning', 'arbete', 'demokrati', 'brottslighet', 'ekonomi', 'befolkning'];
const LEVELS = ['riket', 'lan', 'kommun', 'regso', 'deso'];
/** Units the report formats on purpose (pipelines/report/format.ts unitStyle). */
const UNITS = ['procent', 'antal', 'kronor', 'per 1 000 invånare'];
/** checkCatalogue's findings about data/indicators.json against data/sources.json (the tables' metadata is its own test). */
const indicatorProblems = checkCatalogue(src, () => undefined, { indicators: cat }).filter((p) => p.origin === 'data/indicators.json');

const measures = (p: Part): string[] => (Array.isArray(p.measure) ? p.measure : [p.measure]);
const tablesOf = (ind: IndicatorDef): PxSource[] => ('tables' in ind.method ? ind.method.tables.map((t) => pxById.get(t)).filter((t): t is PxSource => t !== undefined) : []);
const indicatorYears = (ind: IndicatorDef): number[] => yearsOf(ind);

/** The parts of a PxWeb method, each with the role it plays. */
function partsOf(ind: IndicatorDef): [string, Part][] {
  const m = ind.method;
  switch (m.sql) {
    case 'indicators/share_from_counts': return [['numerator', m.numerator], ['denominator', m.denominator]];
    case 'indicators/share_from_percent': return [['percent', m.percent], ['denominator', m.denominator]];
    case 'indicators/count_from_counts': return [['count', m.count]];
    case 'indicators/value_as_published': return [['value', m.value]];
    case 'indicators/kolada_value': return [];
  }
}

/** Tables among the indicator's that publish `measure` as a contents code. */
const carriers = (ind: IndicatorDef, measure: string): PxSource[] => tablesOf(ind).filter((t) => measure in (t.variables.ContentsCode ?? {}));

describe('data/indicators.json: coverage', () => {
  it('has at least 20 indicators with unique snake_case ids', () => {
    expect(cat.indicators.length).toBeGreaterThanOrEqual(20);
    const ids = cat.indicators.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('covers all seven policy areas and uses no other', () => {
    expect(new Set(cat.indicators.map((i) => i.policy_area))).toEqual(new Set(POLICY_AREAS));
    // The programme's five areas each carry more than a token indicator where the sources allow it.
    const per = (a: string): number => cat.indicators.filter((i) => i.policy_area === a).length;
    for (const a of ['boende', 'utbildning', 'arbete', 'ekonomi']) expect(per(a), a).toBeGreaterThanOrEqual(3);
  });

  it('keeps the disclosure rule and its default threshold', () => {
    expect(cat.disclosure.threshold_default).toBe(50);
    expect(cat.disclosure.rule).toMatch(/suppressed/);
  });
});

describe('data/indicators.json: every indicator is complete', () => {
  for (const ind of cat.indicators) {
    it(`${ind.id}: texts, unit, direction, lag, levels, years`, () => {
      for (const k of ['title_sv', 'title_en', 'definition', 'population', 'source'] as const) expect(ind[k].trim().length, k).toBeGreaterThan(3);
      expect(UNITS).toContain(ind.unit);
      expect([true, false, null]).toContain(ind.higher_is_better);
      expect(Number.isInteger(ind.lag_years) && ind.lag_years >= 0 && ind.lag_years <= 3).toBe(true);
      expect(ind.levels.length).toBeGreaterThan(0);
      for (const l of ind.levels) expect(LEVELS).toContain(l);
      expect(new Set(ind.levels).size).toBe(ind.levels.length);
      const [first, last] = ind.years;
      expect(first).toBeGreaterThanOrEqual(2017);
      expect(last).toBeLessThanOrEqual(2025);
      expect(first).toBeLessThanOrEqual(last);
      for (const y of ind.onlyYears ?? []) expect(y >= first && y <= last).toBe(true);
    });

    it(`${ind.id}: caveats are message ids, method SQL exists`, () => {
      for (const c of ind.caveats) expect(Object.keys(MESSAGES), c).toContain(c);
      expect(existsSync(join(SQL_DIR, `${ind.method.sql}.sql`)), ind.method.sql).toBe(true);
    });

    it(`${ind.id}: its tables, measures and breakdowns are as data/sources.json lists them (checkCatalogue)`, () => {
      expect(indicatorProblems.filter((p) => p.message.startsWith(`indicator ${ind.id}: `))).toEqual([]);
    });

    it(`${ind.id}: its sources carry its levels and years, and are named in its source label`, () => {
      const m = ind.method;
      if (m.sql === 'indicators/kolada_value') {
        const kpi = koladaById.get(m.kpi);
        expect(kpi, m.kpi).toBeDefined();
        expect(ind.source).toBe(`Kolada ${m.kpi}`);
        for (const l of ind.levels) expect(['riket', 'lan', 'kommun']).toContain(l);
        for (const y of indicatorYears(ind)) expect(yearsOf(kpi!), `${m.kpi} ${y}`).toContain(y);
        expect(m.scale).toBeGreaterThan(0);
        return;
      }
      // That its tables exist and its measures and breakdowns are theirs: checkCatalogue, the test above.
      for (const t of m.tables) expect(ind.source).toContain(t);
      expect(ind.source).toMatch(/^SCB /);
      for (const [role, part] of partsOf(ind)) {
        expect(part.breakdowns.length, role).toBeGreaterThan(0);
        const years = new Set<number>();
        for (const code of measures(part)) {
          for (const t of carriers(ind, code)) {
            for (const y of yearsOf(t)) years.add(y);
            // The indicator's levels are levels the table publishes (for a percent: the percent table's).
            if (role !== 'denominator') for (const l of ind.levels) expect(t.levels, `${t.id} publishes ${l}`).toContain(l);
          }
        }
        for (const y of indicatorYears(ind)) expect([...years], `${role} of ${ind.id} has ${y}`).toContain(y);
      }
    });
  }
});

describe('data/indicators.json: caveats follow the method', () => {
  it('a numerator recovered from a percent says so (W209); a median says it cannot be added (W210)', () => {
    for (const ind of cat.indicators) {
      if (ind.method.sql === 'indicators/share_from_percent') {
        const pctTables = new Set(measures(ind.method.percent).flatMap((c) => carriers(ind, c).map((t) => t.id)));
        const denTables = new Set(measures(ind.method.denominator).flatMap((c) => carriers(ind, c).map((t) => t.id)));
        if ([...denTables].some((t) => !pctTables.has(t))) expect(ind.caveats, ind.id).toContain('W209_NUMERATOR_FROM_PERCENT');
      }
      if (ind.method.sql === 'indicators/value_as_published') expect(ind.caveats, ind.id).toContain('W210_MEDIAN_NOT_ADDITIVE');
    }
  });

  it('an indicator reaching a cell-key-noise year names the noise (W202) or the sum-of-parts caveat (W208)', () => {
    for (const ind of cat.indicators) {
      const noisy = tablesOf(ind).some((t) => t.cellKeyFrom !== undefined && t.cellKeyFrom <= ind.years[1]);
      if (noisy) expect(ind.caveats.some((c) => c === 'W202_CELL_KEY_NOISE' || c === 'W208_SUM_OF_PARTS'), ind.id).toBe(true);
    }
  });

  it('the education indicators name the 25–64 → 25–65 break (W207)', () => {
    for (const ind of cat.indicators.filter((i) => tablesOf(i).some((t) => t.id === 'TAB6534'))) expect(ind.caveats, ind.id).toContain('W207_EDUCATION_AGE_BAND');
  });
});

describe('disclosure threshold', () => {
  it('the configuration default is the one the catalogue states', async () => {
    const { DEFAULTS } = await import('../pipelines/config.ts');
    const { loadIndicators } = await import('../pipelines/catalogue.ts');
    expect(DEFAULTS.disclosureThreshold).toBe(loadIndicators(new URL('../data', import.meta.url).pathname).disclosure.threshold_default);
  });
});
