/**
 * The emulator's SCB tables: each one is SCB's real table metadata (data/metadata/scb, read by
 * pipelines/sources/table-metadata.ts) — its variables, codes, elimination, codelists, Tid range, region levels,
 * units and notes — with the synthetic world's numbers inside. Nothing here reads the project's catalogue: a
 * catalogue entry that SCB would refuse is refused here too.
 *
 * What follows SCB and what is our assumption:
 * - SCB: the Region variable holds the levels its codelists name (riket, län, kommun, DeSO 2018/2025, RegSO
 *   2020/2025), the 2025 versions with `_DeSO2025` / `_RegSO2025` suffixes. SCB's order: riket, then per län the
 *   län code and per kommun the kommun code, its DeSO, its RegSO (real metadata); plain and suffixed twins next
 *   to each other. Labels as in the real English metadata ("00 Sweden", "01 Stockholm county", "0114 Upplands
 *   Väsby", DeSO labels the bare code, RegSO 2020 the name only, RegSO 2025 "code name"); a Swedish copy whose
 *   labels carry no codes (the reconstructed TAB5089) gets the bare Swedish names ("Riket", "Stockholms län").
 * - Assumption: old-version codes carry data up to 2023 and `..` after, new ones `..` before 2024 (SCB's TAB6586
 *   answers `..`; some other tables answer 0, which the ingest's vintage split never asks for).
 * - SCB: values at every level are tabulated from the same microdata, so the true DeSO counts are summed upward
 *   (DeSO → RegSO → kommun → län → riket) and each cell is then protected on its own.
 * - SCB: a share or statistic resting on fewer than 50 persons is not published (`..`) at DeSO/RegSO (income and
 *   integration tables). We apply it to every percent and statistic at DeSO/RegSO.
 * - SCB: numbers are published with the decimals of their unit in the metadata (e.g. TAB6684's quartile shares and
 *   TAB6685's at-risk-of-poverty rate are whole percents).
 * - SCB: tables whose notes announce the cell key method carry it from the reference year they name (2025): counts
 *   get noise (assumption: −3…+3, keyed by a hash of table, region, year and codes; zeros stay zero), shares do not.
 * - Assumption: cells the synthetic world does not model (ages other than the totals and 20–64, sex in the labour
 *   and income tables, the other background groups, house types…) are `..`. The world covers
 *   2016–2025; earlier years in a table's Tid are `..` too.
 * - Assumption: elimination. SCB's metadata says only whether a variable may be left out. Left out, a variable
 *   with a total among its values (1+2, SA, tot, TOT, TOTALT, TOT2, totalt; Fodelseregion 200) gives that total; one
 *   without is summed over its values, for counts only (a summed percent would be meaningless: `..`).
 */
import type { AreaVersion, Level } from '../areas/levels.ts';
import type { MetaVariable, TableMetadata } from '../sources/table-metadata.ts';
import { cellKeyNoise, type WorldIndex } from './cubes.ts';
import { ES_CLASSES, esMedian, toConstantPrices, type DesoCounts, type KommunCounts } from './world.ts';

/** Status codes stored per cell; 0 = published value. */
export const STATUS_TEXT = ['', '..', '.', ':'] as const;

/** Suppression threshold for shares at DeSO/RegSO (SCB's rule of 50 persons in its income tables). */
export const SHARE_MIN_PERSONS = 50;

export interface ServedRegion {
  served: string;
  level: Level;
  version: AreaVersion;
  label: string;
  /** Years in which the area version is valid (others are `..`); null for riket, län and kommun. */
  validFrom: number | null;
  validTo: number | null;
}

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
  codelists: string[];
}

export interface Unit {
  base: string;
  decimals: number;
}

/**
 * A count (`n`), a share of two counts (`num`/`den`, published as a percent) or a statistic that is neither (`v`,
 * e.g. a median in tkr) resting on `persons`.
 */
export type Cell = { n: number } | { num: number; den: number } | { v: number; persons: number } | null;
type Codes = Record<string, string>;

interface Where {
  table: string;
  level: Level;
  served: string;
  year: number;
  d: DesoCounts | undefined;
  k: KommunCounts | undefined;
  index: WorldIndex;
}

const n = (v: number | undefined): Cell => (v === undefined ? null : { n: v });
const pct = (num: number, den: number): Cell => ({ num, den });
const stat = (v: number | null, persons: number): Cell => (v === null ? null : { v, persons });

const EDU: Record<string, keyof DesoCounts> = { '21': 'edu_pre', '3+4': 'edu_upper', '5': 'edu_post_short', '6': 'edu_post_long', US: 'edu_missing' };
const DWELLINGS: Record<string, keyof DesoCounts> = { '1': 'dw_rental', '2': 'dw_condo', '3': 'dw_owner', 'ÖVRIGT': 'dw_unknown' };
const PERSONS_BY_TENURE: Record<string, keyof DesoCounts> = {
  'ÄG/ANDEL': 'pt_owner', 'BOSTADSRÄTT': 'pt_condo', 'HYRESRÄTT': 'pt_rental', 'ÖVRIGT': 'pt_other', TOTALT: 'pop',
};
const QUARTILES: Record<string, keyof DesoCounts> = { '000008A6': 'qt1', '000008A7': 'qt2', '000008A8': 'qt3', '000008A9': 'qt4' };

/** Sex: totals and men are modelled where the world has them (population tables); women are the rest. */
function bySex(k: Codes, total: number, men: number): Cell {
  const s = k.Kon ?? '1+2';
  return s === '1+2' ? n(total) : s === '1' ? n(men) : s === '2' ? n(total - men) : null;
}

/** Each served table's cells, keyed by SCB's TAB id (or the reconstructed id). A table without an entry is all `..`. */
const CELLS: Record<string, (k: Codes, w: Where) => Cell> = {
  TAB6571: (k, { d }) => {
    if (!d) return null;
    const b = k.UtlBakgrund ?? 'SA';
    if (b === '1') return bySex(k, d.bg_foreign, d.bg_foreign_men);
    if (b === '2') return bySex(k, d.bg_swedish, d.bg_swedish_men);
    return b === 'SA' ? bySex(k, d.pop, d.men) : null;
  },
  TAB6685: (k, { d }) => {
    if (!d) return null;
    const age = k.Alder ?? 'tot';
    if (k.ContentsCode === '000008AE') return age === 'tot' ? n(d.pop) : age === '20-64' ? n(d.pop_20_64) : null;
    if (k.ContentsCode === '000008AC' && age === 'tot') return pct(d.low_es, d.pop);
    return null;
  },
  TAB6684: (k, { d, year }) => {
    if (!d) return null;
    const c = k.ContentsCode ?? '';
    if (c === '000008A5') return n(d.pop);
    const q = QUARTILES[c];
    if (q) return pct(d[q], d.pop);
    // Constant prices of the table's latest year: the world's current-price incomes re-based with its price index.
    const value = c === '000008AB' ? esMedian(d) : c === '000008AA' ? esMean(d) : null;
    return value === null ? null : stat(toConstantPrices(value, year, LATEST_INCOME_YEAR), d.pop);
  },
  TAB5956: (k, { d }) => (d ? n(d[EDU[k.UtbildningsNiva ?? ''] ?? 'edu_pop']) : null),
  TAB6534: (k, { d }) => (d ? n(d[EDU[k.UtbildningsNiva ?? ''] ?? 'edu_pop']) : null),
  TAB6680: (k, { d }) => {
    if (!d || (k.Kon ?? '1+2') !== '1+2' || k.Alder !== '20-64') return null;
    switch (k.ContentsCode) {
      case '0000089X': return n(d.emp_20_64);
      case '0000089W': return n(d.unemp_20_64);
      case '0000089V': return n(d.emp_20_64 + d.unemp_20_64);
      case '0000089Z': return n(d.pop_20_64 - d.emp_20_64 - d.unemp_20_64);
      case '0000089Y': return n(d.pop_20_64);
      default: return null;
    }
  },
  TAB6253: (k, { d }) => {
    const f = PERSONS_BY_TENURE[k.Upplatelseform ?? ''];
    return d && f ? n(d[f]) : null;
  },
  TAB6258: (k, { d }) => {
    const f = DWELLINGS[k.Upplatelseform ?? ''];
    return d && f ? n(d[f]) : null;
  },
  TAB6638: (k, { d }) => {
    const f = DWELLINGS[k.Upplatelseform ?? ''];
    return d && f ? n(d[f]) : null;
  },
  TAB5750: (k, { d }) => {
    if (!d || k.Kon !== '1+2' || k.Bakgrund !== 'tot20-64' || k.ContentsCode !== '000004X5') return null;
    return pct(d.ea_20_64, d.pop_20_64);
  },
  TAB6586: (k, w) => {
    const d = w.d;
    if (!d) return null;
    switch (k.ContentsCode) {
      case '000008IW': return pct(d.low_es, d.pop);
      case '000008IV': return pct(d.pre_20_64, d.pop_20_64);
      case '000008IX': return pct(d.ea_or_ltu_20_64, d.pop_20_64);
      case '000008IT': {
        const t = scbAreaTypes(w.index, w.year).get(w.served);
        return t ? stat(t.index, d.pop) : null;
      }
      case '000008IU': {
        const t = scbAreaTypes(w.index, w.year).get(w.served);
        return t ? stat(t.type, d.pop) : null;
      }
      default: return null;
    }
  },
  // Reconstructed tables (data/metadata/scb/*.reconstructed.json): the world's kommun-level overcrowding counts.
  TAB5089: (k, { k: kc }) => {
    // 000004PS is everyone; the world has no overcrowding by age (000004SS 0–17, 000004ST 18+).
    if (!kc || k.ContentsCode !== '000004PS' || !isTotal('Fodelseregion', k.Fodelseregion) || !isTotal('Alder', k.Alder) || !isTotal('Kon', k.Kon)) return null;
    const t = k.Trangboddhet ?? 'TOT';
    return t === 'TOT' ? n(kc.crowd_pop) : t === 'TRÅNGB N2' ? n(kc.crowd_norm2) : t === 'US' ? n(kc.crowd_unknown) : null;
  },
  IntGr1RegSOBASN: (k, { d }) => {
    if (!d || k.Kon !== '1+2' || k.BakgrVar !== 'TOT') return null;
    // Assumption: shares of the whole population 20–64, so the three statuses are comparable.
    return k.ContentsCode === '000008AW' ? pct(d.emp_20_64, d.pop_20_64)
      : k.ContentsCode === '000008B1' ? pct(d.unemp_20_64, d.pop_20_64)
        : k.ContentsCode === '000008B4' ? pct(d.ltu_20_64, d.pop_20_64) : null;
  },
  IntGr11RegSO1: (k, { d }) => {
    if (!d || !isTotal('Kon', k.Kon) || !isTotal('Bakgrund', k.Bakgrund) || k.ContentsCode !== '000004WW') return null;
    return d.voters_eligible > 0 ? pct(d.voters_voted, d.voters_eligible) : null;
  },
};

/** Mean economic standard (tkr) from the class counts, each class at its midpoint (the open top class at 900). */
function esMean(c: DesoCounts): number | null {
  let total = 0;
  let sum = 0;
  for (const [f, lo, hi] of ES_CLASSES) {
    total += c[f];
    sum += c[f] * (Number.isFinite(hi) ? (lo + hi) / 2 : 900);
  }
  return total > 0 ? sum / total : null;
}

/** The latest year of SCB's income tables: their constant prices are this year's. */
const LATEST_INCOME_YEAR = 2024;

/** Codes SCB uses for a variable's total; eliminating such a variable selects it. */
const TOTAL_CODES = new Set(['1+2', 'SA', 'tot', 'TOT', 'TOTALT', 'TOT2', 'totalt']);
/** Totals whose code means something else in another variable: TAB5089's Fodelseregion 200 is its total, Kon 200 men. */
const TOTAL_OF: Record<string, string> = { Fodelseregion: '200' };
function isTotal(variable: string, code: string | undefined): boolean {
  return code === undefined || TOTAL_CODES.has(code) || TOTAL_OF[variable] === code;
}

/** SCB's notes announcing the cell-key method, and from which year (as pipelines/sources/check-catalogue.ts reads them). */
const CELL_KEY_NOTE = /controlled random uncertainty|cell[- ]key/i;
const CELL_KEY_YEAR = /from the reference year (\d{4})/i;

/** Cells of the tables' ContentsCode that come from kommun-only sources in the world. */
const FROM_KOMMUN = new Set(['TAB5089']);

// ---------------------------------------------------------------------------------------------------------------
// SCB's own area types (TAB6586 000008IT/IU): index (V1+V2+V3)/3 per RegSO, types by standard deviations from the
// year's unweighted mean (SCB's note on the table). Computed here as SCB would, from the world's published shares.

const typeCache = new WeakMap<WorldIndex, Map<number, Map<string, { index: number; type: number }>>>();

function scbAreaTypes(index: WorldIndex, year: number): Map<string, { index: number; type: number }> {
  let byYear = typeCache.get(index);
  if (!byYear) typeCache.set(index, (byYear = new Map()));
  const cached = byYear.get(year);
  if (cached) return cached;
  const out = new Map<string, { index: number; type: number }>();
  const agg = index.desoAggregates(year);
  const rows: [string, number][] = [];
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  for (const [served, c] of agg ?? []) {
    if (!/^\d{4}R\d{3}(_RegSO2025)?$/.test(served) || c.pop < SHARE_MIN_PERSONS || c.pop_20_64 < SHARE_MIN_PERSONS) continue;
    const v1 = round1((100 * c.low_es) / c.pop);
    const v2 = round1((100 * c.pre_20_64) / c.pop_20_64);
    const v3 = round1((100 * c.ea_or_ltu_20_64) / c.pop_20_64);
    rows.push([served, (v1 + v2 + v3) / 3]);
  }
  const mean = rows.reduce((a, [, v]) => a + v, 0) / Math.max(1, rows.length);
  const sd = Math.sqrt(rows.reduce((a, [, v]) => a + (v - mean) ** 2, 0) / Math.max(1, rows.length));
  for (const [served, v] of rows) {
    const z = sd > 0 ? (v - mean) / sd : 0;
    const type = z >= 2 ? 1 : z >= 1 ? 2 : z >= 0 ? 3 : z >= -1 ? 4 : 5;
    out.set(served, { index: v, type });
  }
  byYear.set(year, out);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Regions.

const CODELIST_VERSION: Record<string, AreaVersion> = {
  vs_ARegionRiket: 'riket', 'vs_BRegionLän07': 'lan1998', vs_CRegionKommun07: 'kommun2003',
  vs_DeSO2018: 'DeSO2018', vs_DeSoHE: 'DeSO2018', vs_DeSO2025: 'DeSO2025',
  vs_RegSO2020: 'RegSO2020', vs_RegSo1: 'RegSO2020', vs_RegSO2025: 'RegSO2025',
};

/** The Region codes a codelist of the table holds; undefined for a codelist we cannot resolve. */
export function codelistVersion(id: string): AreaVersion | undefined {
  return CODELIST_VERSION[id];
}

function englishLan(name: string): string {
  const base = name.replace(/ län$/, '');
  return `${base !== name && base.endsWith('s') ? base.slice(0, -1) : base} county`;
}

/**
 * Whether the stored copy labels riket, län and kommun with their codes, as SCB's English metadata does ("00 Sweden",
 * "0114 Upplands Väsby"), or with the bare Swedish names of a Swedish copy (TAB5089: "Riket", "Stockholms län",
 * "Upplands Väsby"). Read from the codes the cut copy keeps; coded when it keeps none.
 */
function codedLabels(meta: TableMetadata): boolean {
  const region = (meta.json.dimension as Record<string, { category?: { label?: Record<string, string> } }> | undefined)?.Region;
  const labels = region?.category?.label ?? {};
  const upper = Object.entries(labels).find(([code]) => /^\d{2}(\d{2})?$/.test(code));
  return upper === undefined || upper[1].startsWith(`${upper[0]} `);
}

/** Every region of the table's levels and versions, in SCB's order, from the world. */
export function regionsOf(index: WorldIndex, meta: TableMetadata): ServedRegion[] {
  const want = new Set(meta.regions.map((r) => r.version));
  const coded = codedLabels(meta);
  const out: ServedRegion[] = [];
  const sub = (version: AreaVersion): Map<string, { code: string; name: string }[]> => {
    const m = new Map<string, { code: string; name: string }[]>();
    if (!want.has(version)) return m;
    for (const a of index.areasOf(version)) {
      const k = a.kommun_code ?? a.code.slice(0, 4);
      let list = m.get(k);
      if (!list) m.set(k, (list = []));
      list.push({ code: a.code, name: a.name });
    }
    return m;
  };
  const deso18 = sub('DeSO2018');
  const deso25 = sub('DeSO2025');
  const regso20 = sub('RegSO2020');
  const regso25 = sub('RegSO2025');
  const old = (code: string, level: Level, version: AreaVersion, label: string): ServedRegion => ({ served: code, level, version, label, validFrom: null, validTo: 2023 });
  const neu = (code: string, level: Level, version: AreaVersion, suffix: string, label: string): ServedRegion => ({
    served: `${code}_${suffix}`, level, version, label, validFrom: 2024, validTo: null,
  });
  /** Old and new versions merged by plain code, the old twin first. */
  const twins = (a: { code: string; name: string }[] = [], b: { code: string; name: string }[] = [], mk: (x: { code: string; name: string }, isNew: boolean) => ServedRegion): ServedRegion[] => {
    const all = [...a.map((x) => ({ x, isNew: false })), ...b.map((x) => ({ x, isNew: true }))];
    all.sort((p, q) => (p.x.code < q.x.code ? -1 : p.x.code > q.x.code ? 1 : Number(p.isNew) - Number(q.isNew)));
    return all.map(({ x, isNew }) => mk(x, isNew));
  };
  if (want.has('riket')) out.push({ served: '00', level: 'riket', version: 'riket', label: coded ? '00 Sweden' : 'Riket', validFrom: null, validTo: null });
  for (const lan of index.lan) {
    if (want.has('lan1998')) out.push({ served: lan.code, level: 'lan', version: 'lan1998', label: coded ? `${lan.code} ${englishLan(lan.name)}` : lan.name, validFrom: null, validTo: null });
    for (const kom of index.kommuner.filter((k) => k.lan_code === lan.code)) {
      if (want.has('kommun2003')) out.push({ served: kom.code, level: 'kommun', version: 'kommun2003', label: coded ? `${kom.code} ${kom.name}` : kom.name, validFrom: null, validTo: null });
      out.push(...twins(deso18.get(kom.code), deso25.get(kom.code), (x, isNew) => (isNew ? neu(x.code, 'deso', 'DeSO2025', 'DeSO2025', x.code) : old(x.code, 'deso', 'DeSO2018', x.code))));
      out.push(...twins(regso20.get(kom.code), regso25.get(kom.code), (x, isNew) => (isNew ? neu(x.code, 'regso', 'RegSO2025', 'RegSO2025', `${x.code} ${x.name}`) : old(x.code, 'regso', 'RegSO2020', x.name))));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Tables.

export interface ServedTable {
  meta: TableMetadata;
  dims: Dim[];
  regions: ServedRegion[];
  units: Record<string, Unit>;
  /** Counts carry cell-key noise from this year (tables whose notes announce the method). */
  noiseFrom: number | null;
  /** The value of one cell: region index, codes of the other non-time variables, year. */
  cell(r: number, codes: Codes, year: number): { value: number } | { status: number };
}

function unitsOf(v: MetaVariable | undefined, meta: TableMetadata): Record<string, Unit> {
  const out: Record<string, Unit> = {};
  const dim = (meta.json.dimension as Record<string, { category?: { unit?: Record<string, { base?: string; decimals?: number }> } }> | undefined)?.[v?.code ?? ''];
  for (const c of v?.values ?? []) {
    const u = dim?.category?.unit?.[c];
    out[c] = { base: String(u?.base ?? 'number'), decimals: Number(u?.decimals ?? 0) };
  }
  return out;
}

/** Rounds to the unit's decimals. Module-level: a closure made per cell costs more than the cell (keepNames). */
function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** A unit of counted things (persons, dwellings): only those may be summed when a variable is eliminated. */
export function isCountUnit(u: Unit | undefined): boolean {
  return u === undefined || /^number/.test(u.base);
}

export function serveTable(index: WorldIndex, meta: TableMetadata): ServedTable {
  const regions = regionsOf(index, meta);
  const dims: Dim[] = meta.variables.map((v) => {
    const isRegion = v.code === 'Region';
    const total = v.values.find((c) => isTotal(v.code, c));
    return {
      code: v.code,
      label: v.label,
      values: isRegion ? regions.map((r) => r.served) : v.values,
      labels: isRegion ? regions.map((r) => r.label) : v.labels,
      elimination: v.elimination,
      eliminationValueCode: v.elimination && !isRegion ? total : undefined,
      isTime: v.isTime,
      isContents: v.isContents,
      codelists: v.codelists,
    };
  });
  const units = unitsOf(meta.variables.find((v) => v.isContents), meta);
  const notes = Array.isArray(meta.json.note) ? (meta.json.note as unknown[]).map(String).join(' ') : '';
  const noiseFrom = CELL_KEY_NOTE.test(notes) ? Number(CELL_KEY_YEAR.exec(notes)?.[1] ?? 2025) : null;
  const fn = CELLS[meta.id];
  const fromKommun = FROM_KOMMUN.has(meta.id);
  return {
    meta,
    dims,
    regions,
    units,
    noiseFrom,
    cell(r, codes, year) {
      const region = regions[r];
      if (!fn || !region) return { status: 1 };
      if ((region.validFrom !== null && year < region.validFrom) || (region.validTo !== null && year > region.validTo)) return { status: 1 };
      const { deso: d, kommun: k } = index.counts(region.served, year);
      if ((fromKommun && !k) || (!fromKommun && !d)) return { status: 1 };
      const c = fn(codes, { table: meta.id, level: region.level, served: region.served, year, d, k, index });
      if (c === null) return { status: 1 };
      const unit = units[codes.ContentsCode ?? ''];
      const decimals = unit?.decimals ?? 0;
      const small = region.level === 'deso' || region.level === 'regso';
      if ('n' in c) {
        let v = c.n;
        if (noiseFrom !== null && year >= noiseFrom && v > 0) {
          const key = `${meta.id}|${region.served}|${year}|${Object.values(codes).join('|')}`;
          v = Math.max(0, v + cellKeyNoise(key));
        }
        return { value: v };
      }
      if ('v' in c) {
        if (c.persons <= 0 || (small && c.persons < SHARE_MIN_PERSONS)) return { status: 1 };
        return { value: roundTo(c.v, decimals) };
      }
      if (c.den <= 0 || (small && c.den < SHARE_MIN_PERSONS)) return { status: 1 };
      return { value: roundTo((100 * c.num) / c.den, decimals) };
    },
  };
}

