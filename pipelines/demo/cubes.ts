/**
 * From a DemoWorld to the cells of each PxWeb table in data/sources.json, as SCB would publish them.
 *
 * What follows SCB (SOURCES.md §1.2, §2) and what is our assumption:
 * - SCB: a table's Region variable holds riket `00`, län, kommuner, RegSO and DeSO codes together. In tables that
 *   span the 2025 area revision, DeSO 2025 / RegSO 2025 codes are separate values with the suffixes `_DeSO2025` /
 *   `_RegSO2025`; old codes carry data up to 2023 and `..` after, new codes `..` before 2024.
 *   Assumption: a table whose years all lie on one side of the revision holds only that side's codes (still with
 *   the suffix for the 2025 version, so a code always means the same area whichever table it comes from).
 *   Assumption: values are ordered riket, län, kommuner, RegSO (old, new), DeSO (old, new), each by code.
 * - SCB: values at every level are tabulated from the same microdata, so we aggregate the true DeSO counts upward
 *   (DeSO → RegSO → kommun → län → riket) and only then protect each cell on its own.
 * - SCB: percent contents are computed from unrounded counts and published with one decimal.
 * - SCB (income and integration tables): a share resting on fewer than 50 persons is not published (`..`).
 *   Assumption: the same for a median (TAB6684), which SCB computes from microdata at each level; we compute it
 *   from the world's persons by class of economic standard summed to the level (grouped median, world.ts esMedian),
 *   published in tkr with one decimal. Medians are never summed, so elimination must never sum over them.
 *   Assumption: we apply this to DeSO and RegSO cells only; larger areas never fall under it in practice.
 * - Assumption: about 0.3 % of DeSO dwelling-by-tenure cells are `..` (SCB's housing register leaves some small
 *   cells unpublished); chosen by a hash so the same cells are missing on every run.
 * - SCB: from reference year 2025 population tables carry Cell Key Method noise, so parts no longer sum to totals.
 *   Assumption: noise in −3…+3 on every published count (all levels, riket included), keyed by a hash of
 *   (table, region, year, other codes); zero cells stay zero and no count goes negative. Shares are not perturbed.
 * - Assumption: elimination. `Alder`, `ContentsCode` and `Tid` are mandatory (as in SCB's TAB6471). A variable with
 *   a total value (`SA`, `1+2`, `TOT`, `tot20-64`) is eliminated to that value (SCB's `eliminationValueCode`); Region
 *   to riket `00` where the table has it; other variables (quintiles, education levels, tenures) by summing.
 */
import { fileURLToPath } from 'node:url';
import { loadSources, yearsOf, type KoladaSource, type PxSource, type SourceCatalogue } from '../catalogue.ts';
import type { AreaRecord, DemoWorld, DesoCounts, KommunCounts, Level } from './world.ts';
import { desoVersionFor, esMedian } from './world.ts';

// The emulator serves exactly the catalogue the pipeline fetches: one definition of its shape (catalogue.ts).
export type CatalogueTable = PxSource;
export type CatalogueKpi = KoladaSource;
export type Catalogue = SourceCatalogue;
export { yearsOf };

export function loadCatalogue(dataDir: string = fileURLToPath(new URL('../../data', import.meta.url))): Catalogue {
  return loadSources(dataDir);
}

/** Status codes stored per cell; 0 = published value. */
export const STATUS_TEXT = ['', '..', '.', ':'] as const;
const MISSING = 1;

export interface Dim {
  code: string;
  label: string;
  values: string[];
  labels: string[];
  elimination: boolean;
  /** Eliminating selects this value; without it eliminating sums over all values. */
  eliminationValueCode?: string;
  isTime: boolean;
  isContents: boolean;
}

export interface Unit {
  base: 'antal' | 'procent' | 'tkr';
  decimals: number;
}

export interface Cube {
  table: CatalogueTable;
  dims: Dim[];
  size: number[];
  /** Row-major (last dimension fastest), NaN where status ≠ 0. */
  values: Float64Array;
  status: Uint8Array;
  units: Record<string, Unit>;
}

// ---------------------------------------------------------------------------------------------------------------
// What each table's cells mean in the world.

/**
 * A count (`n`), a share of two counts (`num`/`den`, published as a percent) or a statistic that is neither (`v`,
 * e.g. a median in tkr) resting on `persons`; shares and statistics fall under the 50-person rule at DeSO/RegSO.
 */
type Cell = { n: number } | { num: number; den: number } | { v: number; persons: number } | null;
type Codes = Record<string, string>;
type TableMap =
  | { from: 'deso'; percent?: string[]; tkr?: string[]; cell(c: DesoCounts, k: Codes): Cell }
  | { from: 'kommun'; percent?: string[]; tkr?: string[]; cell(c: KommunCounts, k: Codes): Cell };

const n = (v: number): Cell => ({ n: v });
const pct = (num: number, den: number): Cell => ({ num, den });
const stat = (v: number | null, persons: number): Cell => (v === null ? null : { v, persons });

const EDU: Record<string, keyof DesoCounts> = { '21': 'edu_pre', '3+4': 'edu_upper', '5': 'edu_post_short', '6': 'edu_post_long', US: 'edu_missing' };
const TENURE: Record<string, keyof DesoCounts> = { '1': 'dw_rental', '2': 'dw_condo', '3': 'dw_owner', 'ÖVRIGT': 'dw_unknown' };
const QUINTILE: Record<string, keyof DesoCounts> = { K1: 'q1', K2: 'q2', K3: 'q3', K4: 'q4', K5: 'q5' };

function field(map: Record<string, keyof DesoCounts>, code: string | undefined, c: DesoCounts): Cell {
  const f = code === undefined ? undefined : map[code];
  return f === undefined ? null : n(c[f]);
}

const TABLES: Record<string, TableMap> = {
  TAB6571: {
    from: 'deso',
    cell: (c, k) => n(k.UtlBakgrund === '1' ? c.bg_foreign : k.UtlBakgrund === '2' ? c.bg_swedish : c.pop),
  },
  TAB6685: {
    from: 'deso',
    percent: ['000008AC'],
    cell: (c, k) => (k.ContentsCode === '000008AC' ? pct(c.low_es, c.pop) : n(c.pop)),
  },
  TAB6679: { from: 'deso', cell: (c, k) => field(QUINTILE, k.Inkomstkvintil, c) },
  // SCB computes the median from microdata at each level; the world's class counts, summed to the level, stand in.
  TAB6684: { from: 'deso', tkr: ['000008AB'], cell: (c) => stat(esMedian(c), c.pop) },
  TAB5956: { from: 'deso', cell: (c, k) => field(EDU, k.UtbildningsNiva, c) },
  TAB6534: { from: 'deso', cell: (c, k) => field(EDU, k.UtbildningsNiva, c) },
  TAB6680: {
    from: 'deso',
    cell: (c, k) => {
      switch (k.ContentsCode) {
        case '0000089X': return n(c.emp_20_64);
        case '0000089W': return n(c.unemp_20_64);
        case '0000089V': return n(c.emp_20_64 + c.unemp_20_64);
        case '0000089Z': return n(c.pop_20_64 - c.emp_20_64 - c.unemp_20_64);
        default: return n(c.pop_20_64);
      }
    },
  },
  TAB6258: { from: 'deso', cell: (c, k) => field(TENURE, k.Upplatelseform, c) },
  TAB6638: { from: 'deso', cell: (c, k) => field(TENURE, k.Upplatelseform, c) },
  IntGr5RegSOKon: { from: 'deso', percent: ['000004X5'], cell: (c) => pct(c.ea_20_64, c.pop_20_64) },
  IntGr1RegSOBASN: {
    from: 'deso',
    percent: ['000008AW', '000008B1', '000008B4'],
    // Assumption: SCB's shares here are of the whole population 20–64, so the three statuses are comparable.
    cell: (c, k) =>
      k.ContentsCode === '000008AW' ? pct(c.emp_20_64, c.pop_20_64)
        : k.ContentsCode === '000008B1' ? pct(c.unemp_20_64, c.pop_20_64)
          : pct(c.ltu_20_64, c.pop_20_64),
  },
  IntGr5Socio: {
    from: 'deso',
    percent: ['000005QU', '000005QV', '000005QW'],
    cell: (c, k) =>
      k.ContentsCode === '000005QU' ? pct(c.low_es, c.pop)
        : k.ContentsCode === '000005QV' ? pct(c.pre_20_64, c.pop_20_64)
          : pct(c.ea_or_ltu_20_64, c.pop_20_64),
  },
  IntGr11RegSO1: { from: 'deso', cell: (c, k) => n(k.ContentsCode === '000005U1' ? c.voters_eligible : c.voters_voted) },
  LE0105Boende02: {
    from: 'kommun',
    cell: (c, k) => {
      switch (k.Trangboddhet) {
        case 'TRANG2': return n(c.crowd_norm2);
        case 'EJTRANG2': return n(c.crowd_pop - c.crowd_norm2 - c.crowd_unknown);
        case 'US': return n(c.crowd_unknown);
        default: return n(c.crowd_pop);
      }
    },
  },
};

const VAR_LABELS: Record<string, string> = {
  Region: 'region',
  UtlBakgrund: 'utländsk/svensk bakgrund',
  Kon: 'kön',
  Alder: 'ålder',
  Inkomstkvintil: 'inkomstkvintil',
  UtbildningsNiva: 'utbildningsnivå',
  Upplatelseform: 'upplåtelseform',
  Bakgrund: 'bakgrund',
  Trangboddhet: 'trångboddhet',
  ContentsCode: 'tabellinnehåll',
  Tid: 'år',
};
const TOTAL_CODES = new Set(['SA', '1+2', 'TOT', 'tot20-64']);
const MANDATORY = new Set(['Alder', 'ContentsCode', 'Tid']);

/** Suppression threshold for shares at DeSO/RegSO (SCB's rule of 50 persons in its income tables). */
export const SHARE_MIN_PERSONS = 50;

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
// The world, aggregated once per year and level and shared by all tables.

export interface ServedRegion {
  /** The code as served, with `_DeSO2025` / `_RegSO2025` where it belongs to the 2025 version. */
  served: string;
  level: Level;
  name: string;
  /** Years in which the area version is valid (others are `..`); null for riket, län and kommun. */
  validFrom: number | null;
  validTo: number | null;
}

// Written out field by field: a loop over field names with dynamic keys is several times slower, and the
// aggregation runs over every DeSO and year of a Sweden-sized world.
function zeroDeso(): DesoCounts {
  return {
    pop: 0, bg_foreign: 0, bg_swedish: 0, q1: 0, q2: 0, q3: 0, q4: 0, q5: 0, low_es: 0, pop_20_64: 0, emp_20_64: 0,
    unemp_20_64: 0, ltu_20_64: 0, ea_20_64: 0, ea_or_ltu_20_64: 0, pre_20_64: 0, edu_pop: 0, edu_pre: 0, edu_upper: 0,
    edu_post_short: 0, edu_post_long: 0, edu_missing: 0, dw_rental: 0, dw_condo: 0, dw_owner: 0, dw_unknown: 0,
    voters_eligible: 0, voters_voted: 0, es_lt100: 0, es_100_149: 0, es_150_199: 0, es_200_249: 0, es_250_299: 0,
    es_300_349: 0, es_350_399: 0, es_400_499: 0, es_500_599: 0, es_600_799: 0, es_800plus: 0,
  };
}

function addDeso(t: DesoCounts, c: DesoCounts): void {
  t.pop += c.pop; t.bg_foreign += c.bg_foreign; t.bg_swedish += c.bg_swedish;
  t.q1 += c.q1; t.q2 += c.q2; t.q3 += c.q3; t.q4 += c.q4; t.q5 += c.q5; t.low_es += c.low_es;
  t.pop_20_64 += c.pop_20_64; t.emp_20_64 += c.emp_20_64; t.unemp_20_64 += c.unemp_20_64; t.ltu_20_64 += c.ltu_20_64;
  t.ea_20_64 += c.ea_20_64; t.ea_or_ltu_20_64 += c.ea_or_ltu_20_64; t.pre_20_64 += c.pre_20_64;
  t.edu_pop += c.edu_pop; t.edu_pre += c.edu_pre; t.edu_upper += c.edu_upper; t.edu_post_short += c.edu_post_short;
  t.edu_post_long += c.edu_post_long; t.edu_missing += c.edu_missing;
  t.dw_rental += c.dw_rental; t.dw_condo += c.dw_condo; t.dw_owner += c.dw_owner; t.dw_unknown += c.dw_unknown;
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

function regionsFor(index: WorldIndex, t: CatalogueTable, years: number[]): ServedRegion[] {
  const out: ServedRegion[] = [];
  const hasOld = years.some((y) => y < 2024);
  const hasNew = years.some((y) => y >= 2024);
  const levels = new Set(t.levels);
  if (levels.has('riket')) out.push({ served: '00', level: 'riket', name: 'Riket', validFrom: null, validTo: null });
  if (levels.has('lan')) for (const a of index.lan) out.push({ served: a.code, level: 'lan', name: a.name, validFrom: null, validTo: null });
  if (levels.has('kommun')) for (const a of index.kommuner) out.push({ served: a.code, level: 'kommun', name: a.name, validFrom: null, validTo: null });
  for (const level of ['regso', 'deso'] as const) {
    if (!levels.has(level)) continue;
    const [oldV, newV] = level === 'regso' ? ['RegSO2020', 'RegSO2025'] : ['DeSO2018', 'DeSO2025'];
    if (hasOld) for (const a of index.areasOf(oldV)) out.push({ served: a.code, level, name: a.name, validFrom: null, validTo: 2023 });
    if (hasNew) for (const a of index.areasOf(newV)) out.push({ served: servedCode(a.code, level, 2024), level, name: a.name, validFrom: 2024, validTo: null });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Cubes.

export function dimsFor(index: WorldIndex, t: CatalogueTable): { dims: Dim[]; regions: ServedRegion[] } {
  const years = yearsOf(t);
  const regions = regionsFor(index, t, years);
  const hasRiket = t.levels.includes('riket');
  const dims: Dim[] = [
    {
      code: 'Region', label: VAR_LABELS.Region ?? 'region', values: regions.map((r) => r.served), labels: regions.map((r) => r.name),
      elimination: hasRiket, eliminationValueCode: hasRiket ? '00' : undefined, isTime: false, isContents: false,
    },
  ];
  for (const [code, values] of Object.entries(t.variables)) {
    const codes = Object.keys(values);
    const total = codes.find((c) => TOTAL_CODES.has(c));
    const mandatory = MANDATORY.has(code);
    dims.push({
      code, label: VAR_LABELS[code] ?? code.toLowerCase(), values: codes, labels: codes.map((c) => values[c] ?? c),
      elimination: !mandatory, eliminationValueCode: mandatory ? undefined : total, isTime: false, isContents: code === 'ContentsCode',
    });
  }
  dims.push({ code: 'Tid', label: 'år', values: years.map(String), labels: years.map(String), elimination: false, isTime: true, isContents: false });
  return { dims, regions };
}

export function unitsFor(t: CatalogueTable): Record<string, Unit> {
  const map = TABLES[t.id];
  const out: Record<string, Unit> = {};
  for (const c of Object.keys(t.variables.ContentsCode ?? {})) {
    out[c] = map?.percent?.includes(c) ? { base: 'procent', decimals: 1 } : map?.tkr?.includes(c) ? { base: 'tkr', decimals: 1 } : { base: 'antal', decimals: 0 };
  }
  return out;
}

export function isServedTable(id: string): boolean {
  return id in TABLES;
}

export function buildCube(index: WorldIndex, t: CatalogueTable): Cube {
  const map = TABLES[t.id];
  if (!map) throw new Error(`emulator: no mapping from the demo world to table ${t.id}`);
  const { dims, regions } = dimsFor(index, t);
  const size = dims.map((d) => d.values.length);
  const middle = dims.slice(1, -1);
  // Every combination of the variables between Region and Tid, as code records, built once per table.
  const combos: Codes[] = [{}];
  for (const d of middle) {
    const next: Codes[] = [];
    for (const c of combos) for (const v of d.values) next.push({ ...c, [d.code]: v });
    combos.splice(0, combos.length, ...next);
  }
  const comboKeys = combos.map((c) => middle.map((d) => c[d.code]).join('|'));
  const years = dims[dims.length - 1]?.values.map(Number) ?? [];
  const total = size.reduce((a, b) => a * b, 1);
  const values = new Float64Array(total).fill(Number.NaN);
  const status = new Uint8Array(total).fill(MISSING);
  const units = unitsFor(t);
  const T = years.length;
  const M = combos.length;
  const tenure = t.id === 'TAB6258' || t.id === 'TAB6638';
  for (let ti = 0; ti < T; ti++) {
    const year = years[ti] ?? 0;
    const noisy = t.cellKeyFrom !== undefined && year >= t.cellKeyFrom;
    for (let r = 0; r < regions.length; r++) {
      const region = regions[r];
      if (!region) continue;
      if ((region.validFrom !== null && year < region.validFrom) || (region.validTo !== null && year > region.validTo)) continue;
      const c = map.from === 'deso' ? index.desoAggregates(year)?.get(region.served) : index.kommunAggregates(year)?.get(region.served);
      if (!c) continue;
      const cellOf = (k: Codes): Cell => (map.from === 'deso' ? map.cell(c as DesoCounts, k) : map.cell(c as KommunCounts, k));
      const small = region.level === 'deso' || region.level === 'regso';
      for (let m = 0; m < M; m++) {
        const cell = cellOf(combos[m] ?? {});
        if (cell === null) continue;
        const idx = (r * M + m) * T + ti;
        if ('n' in cell) {
          let v = cell.n;
          if (tenure && region.level === 'deso' && fnv1a(`${t.id}|${region.served}|${year}|${comboKeys[m]}|supp`) % 1000 < 3) continue;
          if (noisy && v > 0) v = Math.max(0, v + cellKeyNoise(`${t.id}|${region.served}|${year}|${comboKeys[m]}`));
          values[idx] = v;
          status[idx] = 0;
        } else if ('v' in cell) {
          if (cell.persons <= 0 || (small && cell.persons < SHARE_MIN_PERSONS)) continue;
          values[idx] = Math.round(cell.v * 10) / 10;
          status[idx] = 0;
        } else {
          if (cell.den <= 0 || (small && cell.den < SHARE_MIN_PERSONS)) continue;
          values[idx] = Math.round((cell.num / cell.den) * 1000) / 10;
          status[idx] = 0;
        }
      }
    }
  }
  return { table: t, dims, size, values, status, units };
}
