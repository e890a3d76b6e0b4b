/**
 * The demo world aggregated as SCB tabulates it: true DeSO counts summed to RegSO, kommun, län and riket once per
 * year (WorldIndex), and the hashes behind the emulator's deterministic protection (cell-key noise). Which table
 * holds which cells is in scb-tables.ts, driven by SCB's real table metadata.
 */
import type { AreaRecord, DemoWorld, DesoCounts, KommunCounts } from './world.ts';
import { desoVersionFor } from './world.ts';

// ---------------------------------------------------------------------------------------------------------------
// Hashing: FNV-1a, fast and stable across runs and platforms.

export function fnv1a(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Cell-key noise in −3…+3, about 30 % of cells unchanged. */
export function cellKeyNoise(key: string): number {
  const r = fnv1a(key) % 100;
  if (r < 30) return 0;
  const mag = 1 + (r % 3);
  return r % 2 === 0 ? mag : -mag;
}

// ---------------------------------------------------------------------------------------------------------------
// ---------------------------------------------------------------------------------------------------------------
// The world, aggregated once per year and level and shared by all tables.

// Written out field by field: a loop over field names with dynamic keys is several times slower, and the
// aggregation runs over every DeSO and year of a Sweden-sized world.
function zeroDeso(): DesoCounts {
  return {
    pop: 0, bg_foreign: 0, bg_swedish: 0, men: 0, bg_foreign_men: 0, bg_swedish_men: 0, qt1: 0, qt2: 0, qt3: 0, qt4: 0,
    low_es: 0, pop_20_64: 0, emp_20_64: 0,
    unemp_20_64: 0, ltu_20_64: 0, ea_20_64: 0, ea_or_ltu_20_64: 0, pre_20_64: 0, edu_pop: 0, edu_pre: 0, edu_upper: 0,
    edu_post_short: 0, edu_post_long: 0, edu_missing: 0, dw_rental: 0, dw_condo: 0, dw_owner: 0, dw_unknown: 0,
    pt_owner: 0, pt_condo: 0, pt_rental: 0, pt_other: 0, voters_eligible: 0, voters_voted: 0, es_lt100: 0, es_100_149: 0, es_150_199: 0, es_200_249: 0, es_250_299: 0,
    es_300_349: 0, es_350_399: 0, es_400_499: 0, es_500_599: 0, es_600_799: 0, es_800plus: 0,
  };
}

function addDeso(t: DesoCounts, c: DesoCounts): void {
  t.pop += c.pop; t.bg_foreign += c.bg_foreign; t.bg_swedish += c.bg_swedish;
  t.men += c.men; t.bg_foreign_men += c.bg_foreign_men; t.bg_swedish_men += c.bg_swedish_men;
  t.qt1 += c.qt1; t.qt2 += c.qt2; t.qt3 += c.qt3; t.qt4 += c.qt4; t.low_es += c.low_es;
  t.pop_20_64 += c.pop_20_64; t.emp_20_64 += c.emp_20_64; t.unemp_20_64 += c.unemp_20_64; t.ltu_20_64 += c.ltu_20_64;
  t.ea_20_64 += c.ea_20_64; t.ea_or_ltu_20_64 += c.ea_or_ltu_20_64; t.pre_20_64 += c.pre_20_64;
  t.edu_pop += c.edu_pop; t.edu_pre += c.edu_pre; t.edu_upper += c.edu_upper; t.edu_post_short += c.edu_post_short;
  t.edu_post_long += c.edu_post_long; t.edu_missing += c.edu_missing;
  t.dw_rental += c.dw_rental; t.dw_condo += c.dw_condo; t.dw_owner += c.dw_owner; t.dw_unknown += c.dw_unknown;
  t.pt_owner += c.pt_owner; t.pt_condo += c.pt_condo; t.pt_rental += c.pt_rental; t.pt_other += c.pt_other;
  t.voters_eligible += c.voters_eligible; t.voters_voted += c.voters_voted;
  t.es_lt100 += c.es_lt100; t.es_100_149 += c.es_100_149; t.es_150_199 += c.es_150_199; t.es_200_249 += c.es_200_249;
  t.es_250_299 += c.es_250_299; t.es_300_349 += c.es_300_349; t.es_350_399 += c.es_350_399; t.es_400_499 += c.es_400_499;
  t.es_500_599 += c.es_500_599; t.es_600_799 += c.es_600_799; t.es_800plus += c.es_800plus;
}

function addKommun(t: KommunCounts, c: KommunCounts): void {
  t.crowd_pop += c.crowd_pop; t.crowd_norm2 += c.crowd_norm2; t.crowd_unknown += c.crowd_unknown;
  t.crimes_reported += c.crimes_reported; t.pupils_9 += c.pupils_9; t.pupils_9_eligible += c.pupils_9_eligible;
}

export class WorldIndex {
  readonly lan: AreaRecord[];
  readonly kommuner: AreaRecord[];
  private readonly byVersion = new Map<string, AreaRecord>();
  private readonly perYear = new Map<number, Map<string, DesoCounts>>();
  private readonly perYearKommun = new Map<number, Map<string, KommunCounts>>();

  constructor(readonly world: DemoWorld) {
    for (const a of world.areas) this.byVersion.set(`${a.version}:${a.code}`, a);
    const byCode = (a: AreaRecord, b: AreaRecord): number => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
    this.lan = world.areas.filter((a) => a.level === 'lan').sort(byCode);
    this.kommuner = world.areas.filter((a) => a.level === 'kommun').sort(byCode);
  }

  areasOf(version: string): AreaRecord[] {
    return this.world.areas.filter((a) => a.version === version).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }

  /** DeSO-based counts for one year keyed by served code (all levels); undefined when the world lacks the year. */
  desoAggregates(year: number): Map<string, DesoCounts> | undefined {
    const cached = this.perYear.get(year);
    if (cached) return cached;
    const src = this.world.deso.get(year);
    if (!src) return undefined;
    const dv = desoVersionFor(year);
    const out = new Map<string, DesoCounts>();
    const add = (key: string, c: DesoCounts): void => {
      let t = out.get(key);
      if (!t) out.set(key, (t = zeroDeso()));
      addDeso(t, c);
    };
    for (const [code, c] of src) {
      const a = this.byVersion.get(`${dv}:${code}`);
      if (!a) throw new Error(`DemoWorld: DeSO ${code} (${dv}) has counts for ${year} but no area record`);
      add(servedCode(code, 'deso', year), c);
      if (a.regso_code) add(servedCode(a.regso_code, 'regso', year), c);
      if (a.kommun_code) add(a.kommun_code, c);
      if (a.lan_code) add(a.lan_code, c);
      add('00', c);
    }
    this.perYear.set(year, out);
    return out;
  }

  /** Kommun-only sources for one year at kommun, län and riket, keyed by code. */
  kommunAggregates(year: number): Map<string, KommunCounts> | undefined {
    const cached = this.perYearKommun.get(year);
    if (cached) return cached;
    const src = this.world.kommun.get(year);
    if (!src) return undefined;
    const out = new Map<string, KommunCounts>();
    const add = (key: string, c: KommunCounts): void => {
      let t = out.get(key);
      if (!t) out.set(key, (t = { crowd_pop: 0, crowd_norm2: 0, crowd_unknown: 0, crimes_reported: 0, pupils_9: 0, pupils_9_eligible: 0 }));
      addKommun(t, c);
    };
    for (const [code, c] of src) {
      const a = this.byVersion.get(`kommun2003:${code}`);
      add(code, c);
      if (a?.lan_code) add(a.lan_code, c);
      add('00', c);
    }
    this.perYearKommun.set(year, out);
    return out;
  }

  /** Both kinds of counts for a served region and year; either part is undefined where the world lacks it. */
  counts(served: string, year: number): { deso: DesoCounts | undefined; kommun: KommunCounts | undefined } {
    return { deso: this.desoAggregates(year)?.get(served), kommun: this.kommunAggregates(year)?.get(served) };
  }
}

function servedCode(code: string, level: 'deso' | 'regso', year: number): string {
  if (year < 2024) return code;
  return level === 'deso' ? `${code}_DeSO2025` : `${code}_RegSO2025`;
}

