import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadIndicators, loadSources, methodsOf, partsOfMethod, sourcesByLevel, titleInYear, yearsOf, type IndicatorDef, type IndicatorMethod, type Part, type PxSource } from '../pipelines/catalogue.ts';
import type { Level } from '../pipelines/areas/levels.ts';
import { BASELINE_YEAR, LAST_YEAR } from '../pipelines/config.ts';
import { MESSAGES } from '../pipelines/messages.ts';
import { SQL_DIR } from '../pipelines/db.ts';
import { checkCatalogue } from '../pipelines/sources/check-catalogue.ts';

/**
 * data/indicators.json against itself, data/sources.json, pipelines/messages.ts and sql/: a typo in a contents code,
 * a breakdown or a caveat id would otherwise surface only as an indicator that is silently empty. An indicator may
 * rest on several methods (`method` and `also`), each serving some of its levels: its levels are the levels its
 * methods serve, each served by tables that publish it (or that the pipeline sums from DeSO) or by Kolada, and its
 * years are the years those sources hold, one source per level and year.
 */

const DATA = new URL('../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const src = loadSources(DATA);
const pxById = new Map(src.pxweb.map((t) => [t.id, t]));
const koladaById = new Map(src.kolada.map((k) => [k.id, k]));

const POLICY_AREAS = ['boende', 'utbildning', 'arbete', 'demokrati', 'brottslighet', 'ekonomi', 'befolkning'];
const LEVELS = ['riket', 'lan', 'kommun', 'regso', 'deso'];
/** Kolada publishes kommuner, regions (län) and riket. */
const KOLADA_LEVELS = ['riket', 'lan', 'kommun'];
/** Units the report formats on purpose (pipelines/report/format.ts unitStyle). */
const UNITS = ['procent', 'antal', 'kronor', 'per 1 000 invånare'];
/** checkCatalogue's findings about data/indicators.json against data/sources.json (the tables' metadata is its own test). */
const indicatorProblems = checkCatalogue(src, () => undefined, { indicators: cat }).filter((p) => p.origin === 'data/indicators.json');

const measures = (p: Part): string[] => (Array.isArray(p.measure) ? p.measure : [p.measure]);
const tablesOfMethod = (m: IndicatorMethod): PxSource[] => ('tables' in m ? m.tables.map((t) => pxById.get(t)).filter((t): t is PxSource => t !== undefined) : []);
/** Every table any method of the indicator reads. */
const tablesOf = (ind: IndicatorDef): PxSource[] => [...new Set(methodsOf(ind).flatMap(tablesOfMethod))];

/** Tables among the method's that publish `measure` as a contents code. */
const carriers = (m: IndicatorMethod, measure: string): PxSource[] => tablesOfMethod(m).filter((t) => measure in (t.variables.ContentsCode ?? {}));

/**
 * The years a method's sources hold, computed here from data/sources.json (not by sourcesByLevel, which is checked
 * against it): a Kolada KPI's years; for SCB every part must be there, each part in any of its table vintages.
 */
function methodYears(m: IndicatorMethod): number[] {
  if (m.sql === 'indicators/kolada_value') {
    const k = koladaById.get(m.kpi);
    return k ? yearsOf(k) : [];
  }
  if (m.sql === 'indicators/kolada_weighted') {
    const k = koladaById.get(m.kpi);
    const w = koladaById.get(m.weight_kpi);
    return k && w ? yearsOf(k).filter((y) => yearsOf(w).includes(y)) : [];
  }
  let years: number[] | null = null;
  for (const [, part] of partsOfMethod(m)) {
    const held = new Set(measures(part).flatMap((c) => carriers(m, c).flatMap((t) => yearsOf(t))));
    years = (years ?? [...held].sort((a, b) => a - b)).filter((y) => held.has(y));
  }
  return years ?? [];
}

/** Level → year → the methods (by index) serving it. */
function servedBy(ind: IndicatorDef): Map<Level, Map<number, number[]>> {
  const out = new Map<Level, Map<number, number[]>>();
  methodsOf(ind).forEach((m, i) => {
    for (const l of m.levels) {
      const byYear = out.get(l) ?? new Map<number, number[]>();
      for (const y of methodYears(m)) byYear.set(y, [...(byYear.get(y) ?? []), i]);
      out.set(l, byYear);
    }
  });
  return out;
}

/** A level the pipeline sums from DeSO: the table does not publish it but may be summed (data/sources.json derive). */
const derivedIn = (t: PxSource, l: Level): boolean => !t.levels.includes(l) && (t.derive ?? []).includes(l);

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
      // The programme runs 2017–2025, but the follow-up goes on (the 2026 election): years up to the last report year,
      // from the 2016 baseline where the sources have it, at the latest from 2017 unless no source reaches back.
      const [first, last] = ind.years;
      expect(first).toBeGreaterThanOrEqual(BASELINE_YEAR);
      if (methodsOf(ind).every((m) => methodYears(m).includes(BASELINE_YEAR))) expect(first, 'the 2016 baseline').toBe(BASELINE_YEAR);
      expect(last).toBeLessThanOrEqual(LAST_YEAR);
      expect(first).toBeLessThanOrEqual(last);
      for (const y of ind.onlyYears ?? []) expect(y >= first && y <= last).toBe(true);
      for (const b of ind.breaks ?? []) {
        expect(b.year > first && b.year <= last, `break ${b.year}`).toBe(true);
        expect(ind.caveats, `break ${b.year}`).toContain(b.caveat);
        for (const l of b.levels ?? []) expect(ind.levels).toContain(l);
      }
    });

    it(`${ind.id}: its levels are the levels its methods serve, each method naming its own where there are several`, () => {
      const methods = methodsOf(ind);
      for (const m of ind.also ?? []) expect(m.levels?.length, `${m.sql} in also`).toBeGreaterThan(0);
      for (const m of methods) {
        expect(m.levels.length).toBeGreaterThan(0);
        for (const l of m.levels) expect(ind.levels, m.sql).toContain(l);
      }
      expect(new Set(methods.flatMap((m) => m.levels))).toEqual(new Set(ind.levels));
    });

    it(`${ind.id}: caveats are message ids, method SQL exists`, () => {
      for (const c of ind.caveats) expect(Object.keys(MESSAGES), c).toContain(c);
      for (const m of methodsOf(ind)) expect(existsSync(join(SQL_DIR, `${m.sql}.sql`)), m.sql).toBe(true);
    });

    it(`${ind.id}: its tables, measures and breakdowns are as data/sources.json lists them (checkCatalogue)`, () => {
      expect(indicatorProblems.filter((p) => p.message.startsWith(`indicator ${ind.id}: `))).toEqual([]);
    });

    it(`${ind.id}: its sources publish (or the pipeline sums) the levels each method serves, and are named in its source label`, () => {
      for (const m of methodsOf(ind)) {
        if (m.sql === 'indicators/kolada_value') {
          expect(koladaById.get(m.kpi), m.kpi).toBeDefined();
          // Named after "Kolada" ("Kolada N00914 till 2019, N02267 från 2020").
          expect(ind.source).toMatch(/(^|; )Kolada N/);
          expect(ind.source.slice(ind.source.indexOf('Kolada'))).toContain(m.kpi);
          for (const l of m.levels) expect(KOLADA_LEVELS, `${m.kpi} at ${l}`).toContain(l);
          expect(m.scale).toBeGreaterThan(0);
          continue;
        }
        if (m.sql === 'indicators/kolada_weighted') {
          // A kommun KPI weighted up: only län and riket, the weights a count KPI, and the method said in a caveat.
          expect(koladaById.get(m.kpi), m.kpi).toBeDefined();
          expect(koladaById.get(m.weight_kpi)?.unit, m.weight_kpi).toBe('count');
          for (const l of m.levels) expect(['riket', 'lan'], `${m.kpi} weighted at ${l}`).toContain(l);
          expect(ind.source).toContain(m.kpi);
          expect(ind.caveats, ind.id).toContain('W223_WEIGHTED_FROM_KOMMUN');
          continue;
        }
        // That its tables exist and its measures and breakdowns are theirs: checkCatalogue, the test above.
        for (const t of m.tables) expect(ind.source).toContain(t);
        expect(ind.source).toMatch(/(^|; )SCB /);
        for (const [role, part] of partsOfMethod(m)) {
          expect(part.breakdowns.length, role).toBeGreaterThan(0);
          for (const code of measures(part)) {
            for (const t of carriers(m, code)) {
              // Every part is needed for a value, a percent's denominator too, so each table reaches every level.
              for (const l of m.levels) expect([...t.levels, ...(t.derive ?? [])], `${t.id} (${role}) at ${l}`).toContain(l);
              // Only counts are summed from DeSO, and only a method that marks the sum in its label.
              if (m.levels.some((l) => derivedIn(t, l))) expect(m.sql, `${t.id} summed from DeSO`).toBe('indicators/share_from_counts');
            }
          }
        }
      }
    });

    it(`${ind.id}: one source per level and year, and its years are exactly the years its sources hold`, () => {
      const served = servedBy(ind);
      for (const [level, byYear] of served) {
        for (const [y, ms] of byYear) expect(ms.length, `${level} ${y}: methods ${ms.join(', ')}`).toBe(1);
        // No hole inside a level's years (beyond election years): a source ending before its successor starts.
        const ys = [...byYear.keys()].filter((y) => !ind.onlyYears || ind.onlyYears.includes(y)).sort((a, b) => a - b);
        expect(ys.length, level).toBeGreaterThan(0);
        const span = yearsOf({ years: [ys[0] as number, ys.at(-1) as number], onlyYears: ind.onlyYears });
        expect(ys, `${ind.id} at ${level}`).toEqual(span);
      }
      const all = [...new Set([...served.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
      expect(all).toEqual(yearsOf(ind));
    });

    it(`${ind.id}: sourcesByLevel (the sources listing) agrees with the catalogue`, () => {
      const rows = sourcesByLevel(ind, src);
      expect(new Set(rows.flatMap((r) => r.levels))).toEqual(new Set(ind.levels));
      const served = servedBy(ind);
      for (const r of rows) {
        for (const l of r.levels) expect([...(served.get(l)?.keys() ?? [])].sort((a, b) => a - b), `${r.source} at ${l}`).toEqual(expect.arrayContaining(r.years));
        expect(r.source).toMatch(r.derived ? /^SCB .* \(summerat från DeSO\)$/ : /^(SCB TAB|SCB IntGr|Kolada N\d+$|Kolada N\d+ \(vägt ur kommunerna med N\d+\)$)/);
      }
    });
  }
});

describe('data/indicators.json: caveats follow the method', () => {
  it('a numerator recovered from another table\'s count says so (W209); a median says it cannot be added (W210)', () => {
    for (const ind of cat.indicators) {
      for (const m of methodsOf(ind)) {
        if (m.sql === 'indicators/share_from_percent') {
          const pctTables = new Set(measures(m.percent).flatMap((c) => carriers(m, c).map((t) => t.id)));
          const denTables = new Set(measures(m.denominator).flatMap((c) => carriers(m, c).map((t) => t.id)));
          if ([...denTables].some((t) => !pctTables.has(t))) expect(ind.caveats, ind.id).toContain('W209_NUMERATOR_FROM_PERCENT');
        }
        // A statistic taken as published that is not a percent is a median (a published percent, e.g. turnout per RegSO, is not).
        if (m.sql === 'indicators/value_as_published' && ind.unit !== 'procent') expect(ind.caveats, ind.id).toContain('W210_MEDIAN_NOT_ADDITIVE');
      }
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

  it('levels summed from DeSO say so (W217); SCB at some levels and Kolada at others say so (W218)', () => {
    let derived = 0;
    let mixed = 0;
    for (const ind of cat.indicators) {
      const methods = methodsOf(ind);
      if (methods.some((m) => tablesOfMethod(m).some((t) => m.levels.some((l) => derivedIn(t, l))))) {
        expect(ind.caveats, ind.id).toContain('W217_DERIVED_FROM_DESO');
        derived++;
      }
      const kinds = new Set(methods.map((m) => (m.sql === 'indicators/kolada_value' || m.sql === 'indicators/kolada_weighted' ? 'Kolada' : 'SCB')));
      if (kinds.size > 1) {
        expect(ind.caveats, ind.id).toContain('W218_SOURCE_BY_LEVEL');
        mixed++;
      }
    }
    // The dwellings by tenure (three indicators); employment, unemployment and turnout.
    expect([derived, mixed]).toEqual([3, 3]);
  });
});

describe('disclosure threshold', () => {
  it('the configuration default is the one the catalogue states', async () => {
    const { DEFAULTS } = await import('../pipelines/config.ts');
    const { loadIndicators } = await import('../pipelines/catalogue.ts');
    expect(DEFAULTS.disclosureThreshold).toBe(loadIndicators(new URL('../data', import.meta.url).pathname).disclosure.threshold_default);
  });
});

describe('data/indicators.json: what the report judges changes by (issue 6)', () => {
  it('every indicator has a materiality threshold with its reason; every kronor amount its price basis', () => {
    for (const ind of cat.indicators) {
      expect(ind.materiality?.value, ind.id).toBeGreaterThan(0);
      expect(ind.materiality?.reason.length, ind.id).toBeGreaterThan(20);
      if (ind.unit === 'kronor') expect(['constant', 'current'], ind.id).toContain(ind.prices?.basis);
    }
  });

  it('breaks carry the year, what changed, its effect and a chart label; the education titles follow the age band', () => {
    for (const ind of cat.indicators) for (const b of ind.breaks ?? []) for (const f of [b.what, b.effect, b.label]) expect(f.trim().length, ind.id).toBeGreaterThan(3);
    const edu = cat.indicators.find((d) => d.id === 'post_secondary_25_64');
    if (!edu) throw new Error('catalogue changed');
    expect(edu.breaks?.map((b) => b.year)).toEqual([2024]);
    expect(titleInYear(edu, 2023)).toBe('Andel med eftergymnasial utbildning 25–64 år');
    expect(titleInYear(edu, 2024)).toBe('Andel med eftergymnasial utbildning 25–65 år');
    expect(cat.area_version_breaks?.map((b) => b.year)).toEqual([2024]);
  });

  it('loadIndicators refuses an indicator without materiality, a break without its text, kronor without a price basis', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-cat-'));
    const write = (mutate: (c: { indicators: Record<string, unknown>[] }) => void): string => {
      const c = JSON.parse(readFileSync(join(DATA, 'indicators.json'), 'utf8')) as { indicators: Record<string, unknown>[] };
      mutate(c);
      writeFileSync(join(dir, 'indicators.json'), JSON.stringify(c));
      return dir;
    };
    const first = (c: { indicators: Record<string, unknown>[] }, id: string): Record<string, unknown> => c.indicators.find((i) => i.id === id) ?? {};
    expect(() => loadIndicators(write((c) => delete first(c, 'population').materiality))).toThrow(/indicator "population": materiality.value/);
    expect(() => loadIndicators(write((c) => ((first(c, 'population').materiality as { value: number }).value = 0)))).toThrow(/positive number/);
    expect(() => loadIndicators(write((c) => ((first(c, 'post_secondary_25_64').breaks as { what: string }[])[0]!.what = '')))).toThrow(/breaks\[0\]\.what/);
    expect(() => loadIndicators(write((c) => ((first(c, 'post_secondary_25_64').breaks as { year: number }[])[0]!.year = 2016)))).toThrow(/breaks\[0\]\.year/);
    expect(() => loadIndicators(write((c) => delete first(c, 'median_economic_standard').prices))).toThrow(/prices\.basis/);
    rmSync(dir, { recursive: true, force: true });
  });
});
