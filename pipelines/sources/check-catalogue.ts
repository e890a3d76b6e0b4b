/**
 * The source catalogue (data/sources.json) checked against SCB's table metadata, before any data request: every
 * problem that would make SCB answer 404/400, leave a level empty or sum what SCB does not allow summed, one line
 * each. Pure: the caller says where metadata comes from (the stored copies in data/metadata/scb for
 * `segfollow sources --check` and the run's preflight, SCB's live answers for `--check --live`).
 *
 * Optionally also the Kolada KPIs against stored KPI metadata (data/metadata/kolada/<KPI>.json) and the
 * indicator catalogue (data/indicators.json) against the source catalogue.
 */
import { desoVersionFor, regsoVersionFor, type AreaVersion, type Level } from '../areas/levels.ts';
import { methodsOf, OWN_COLUMNS, partsOfMethod, yearsOf, type IndicatorCatalogue, type IndicatorMethod, type PxSource, type SourceCatalogue } from '../catalogue.ts';
import type { TableMetadata } from './table-metadata.ts';

export interface CatalogueProblem {
  /** The SCB table or Kolada KPI id the problem is about, as the catalogue names it. */
  table: string;
  variable?: string;
  code?: string;
  severity: 'error' | 'warning';
  message: string;
  /** Where the fact comes from: the metadata file or URL, or the catalogue file. */
  origin?: string;
}

/** A KPI object as Kolada v3 `/kpi` sends it (only the keys the check reads). */
export interface KpiMetadata {
  id: string;
  title?: string;
  /** K kommun, L region (län), A all. */
  municipality_type?: string;
  publ_period?: string;
}

/** The stored metadata file of a KPI: the KPI objects it holds. */
export interface StoredKpiMetadata {
  origin: string;
  kpis: KpiMetadata[];
}

export interface CheckInputs {
  /** Checks every indicator's tables, measures and breakdowns against the source catalogue. */
  indicators?: IndicatorCatalogue;
  /** Checks the Kolada KPIs; undefined for a KPI without stored metadata. Without it, Kolada is not checked. */
  kpiOf?: (id: string) => StoredKpiMetadata | undefined;
}

const SOURCES_FILE = 'data/sources.json';
const INDICATORS_FILE = 'data/indicators.json';
/** Variables the ingest requests on its own: every Region code and every year. */
const ALWAYS_REQUESTED = new Set(['Region', 'Tid']);
const CELL_KEY_NOTE = /controlled random uncertainty|cell[- ]key/i;
const CELL_KEY_YEAR = /from the reference year (\d{4})/i;
/** Levels a Kolada municipality_type holds. */
const KOLADA_LEVELS: Record<string, Level[]> = { K: ['kommun'], L: ['lan'], A: ['riket', 'lan', 'kommun'] };

export function checkCatalogue(cat: SourceCatalogue, metadataOf: (id: string) => TableMetadata | undefined, more: CheckInputs = {}): CatalogueProblem[] {
  const out: CatalogueProblem[] = [];
  for (const entry of cat.pxweb) checkTable(entry, metadataOf(entry.id), out);
  if (more.kpiOf) checkKolada(cat, more.kpiOf, more.indicators, out);
  if (more.indicators) checkIndicators(more.indicators, cat, out);
  return out;
}

function checkTable(entry: PxSource, meta: TableMetadata | undefined, out: CatalogueProblem[]): void {
  const id = entry.id;
  if (!meta) {
    out.push({
      table: id,
      severity: 'error',
      message: /^TAB\d+$/.test(id)
        ? `no SCB metadata for ${id} in data/metadata/scb: fetch it with "segfollow sources --check --live --update" (SCB answers 404 Non-existent table if the id is wrong)`
        : `no SCB metadata for ${id}: not a PxWebApi 2.0 table id (SCB answers 404 Non-existent table)`,
      origin: SOURCES_FILE,
    });
    return;
  }
  const origin = meta.origin;
  const add = (p: Omit<CatalogueProblem, 'table' | 'origin'>): void => {
    out.push({ table: id, ...p, origin });
  };

  if (meta.reconstructed) {
    const flag = entry.confirmed ? 'yet data/sources.json marks it confirmed' : 'data/sources.json marks it confirmed: false';
    add({ severity: 'warning', message: `unconfirmed: its metadata is reconstructed from third-party code, not received from SCB; ${flag}; check it with "segfollow sources --check --live"` });
  } else if (!entry.confirmed) {
    add({ severity: 'warning', message: 'unconfirmed: data/sources.json marks it confirmed: false, but this metadata is SCB\'s own answer; set confirmed: true once nothing else here is wrong' });
  }

  const byCode = new Map(meta.variables.map((v) => [v.code, v]));
  const names = meta.variables.map((v) => v.code).join(', ');
  for (const [variable, codes] of Object.entries(entry.variables)) {
    if (ALWAYS_REQUESTED.has(variable)) {
      add({ variable, severity: 'error', message: `must not be listed in variables: the ingest requests every ${variable === 'Tid' ? 'year (years)' : 'Region code (levels)'} itself` });
      continue;
    }
    const v = byCode.get(variable);
    if (!v) {
      add({ variable, severity: 'error', message: `not a variable of ${id} (SCB answers 400 Non-existent variable); its variables are ${names}` });
      continue;
    }
    for (const code of Object.keys(codes)) {
      if (!v.values.includes(code)) {
        add({ variable, code, severity: 'error', message: `not a code of ${variable} (SCB answers 400 Non-existent value); its codes are ${firstFew(v.values)}` });
      }
    }
  }
  for (const v of meta.variables) {
    if (v.elimination || ALWAYS_REQUESTED.has(v.code) || v.isTime || v.code in entry.variables) continue;
    add({ variable: v.code, severity: 'error', message: `mandatory (cannot be eliminated) but not selected (SCB answers 400 Missing selection for mandatory variable); its codes are ${firstFew(v.values)}` });
  }

  const published = meta.years;
  const span = published.length ? `${published[0]}–${published[published.length - 1]}` : 'no years';
  const wanted = yearsOf(entry);
  const missing = wanted.filter((y) => !published.includes(y));
  if (missing.length) add({ variable: 'Tid', severity: 'error', message: `${missing.join(', ')} not published (${span})` });
  const last = published[published.length - 1];
  if (last !== undefined && entry.years[1] < last) {
    add({ variable: 'Tid', severity: 'warning', message: `newer data published: ${published.filter((y) => y > entry.years[1]).join(', ')} (the catalogue's years end ${entry.years[1]})` });
  }

  const levels = new Set(meta.regions.map((r) => r.level));
  const held = meta.regions.length ? `${[...levels].join(', ')} (${meta.regions.map((r) => r.version).join(', ')})` : 'no level we know';
  for (const level of entry.levels) {
    if (!levels.has(level)) {
      add({ variable: 'Region', severity: 'error', message: `${level} not published: the table's Region holds ${held}` });
      continue;
    }
    // DeSO and RegSO change version in 2024: a year needs the version it is published on.
    const versionFor = level === 'deso' ? desoVersionFor : level === 'regso' ? regsoVersionFor : undefined;
    if (!versionFor) continue;
    const lacking = new Map<AreaVersion, number[]>();
    for (const y of wanted.filter((x) => published.includes(x))) {
      const version = versionFor(y);
      if (!meta.regions.some((r) => r.version === version)) lacking.set(version, [...(lacking.get(version) ?? []), y]);
    }
    for (const [version, ys] of lacking) {
      add({ variable: 'Region', severity: 'error', message: `${level} ${ys.join(', ')} needs ${version}, which the table's Region does not hold (it holds ${held})` });
    }
  }
  for (const level of entry.derive ?? []) {
    if (levels.has(level)) {
      add({ variable: 'Region', severity: 'warning', message: `derive ${level}: the table publishes ${level}; request the published level (levels) instead of summing DeSO` });
    }
    if (entry.levels.includes(level)) {
      add({ variable: 'Region', severity: 'error', message: `derive ${level}: ${level} is also in levels; a level is either requested or derived` });
    }
    if (!meta.aggregallowed) {
      add({ variable: 'Region', severity: 'error', message: `derive ${level}: SCB does not allow aggregating ${id} (aggregallowed false), so ${level} cannot be summed from DeSO` });
    }
    if (!levels.has('deso')) {
      add({ variable: 'Region', severity: 'error', message: `derive ${level}: needs DeSO, which the table's Region does not hold (it holds ${held})` });
    }
  }

  const notes = noteText(meta.json);
  const mentionsCellKey = CELL_KEY_NOTE.test(notes);
  if (entry.cellKeyFrom !== undefined && !mentionsCellKey) {
    add({ severity: 'warning', message: `cellKeyFrom ${entry.cellKeyFrom}, but SCB's notes on the table say nothing about the cell-key method (controlled random uncertainty)` });
  } else if (entry.cellKeyFrom === undefined && mentionsCellKey) {
    const year = CELL_KEY_YEAR.exec(notes)?.[1];
    add({ severity: 'warning', message: `SCB's notes describe the cell-key method (controlled random uncertainty${year ? ` from reference year ${year}` : ''}), but the catalogue sets no cellKeyFrom` });
  } else if (entry.cellKeyFrom !== undefined) {
    const year = Number(CELL_KEY_YEAR.exec(notes)?.[1]);
    if (Number.isInteger(year) && year !== entry.cellKeyFrom) {
      add({ severity: 'warning', message: `cellKeyFrom ${entry.cellKeyFrom}, but SCB's notes give the cell-key method from reference year ${year}` });
    }
  }
}

/** The table's notes (`note`, a string or a list of strings) as one text. */
function noteText(json: Record<string, unknown>): string {
  const n = json.note;
  if (typeof n === 'string') return n;
  return Array.isArray(n) ? n.filter((x): x is string => typeof x === 'string').join('\n') : '';
}

function firstFew(codes: string[], n = 8): string {
  return codes.length <= n ? codes.join(', ') : `${codes.slice(0, n).join(', ')}, … (${codes.length} in all)`;
}

function checkKolada(cat: SourceCatalogue, kpiOf: (id: string) => StoredKpiMetadata | undefined, indicators: IndicatorCatalogue | undefined, out: CatalogueProblem[]): void {
  for (const k of cat.kolada) {
    const stored = kpiOf(k.id);
    if (!stored) {
      out.push({ table: k.id, severity: 'warning', message: `no stored KPI metadata (data/metadata/kolada/${k.id}.json): the id, its levels and its last year are not checked`, origin: SOURCES_FILE });
      continue;
    }
    const add = (p: Omit<CatalogueProblem, 'table' | 'origin'>): void => {
      out.push({ table: k.id, ...p, origin: stored.origin });
    };
    const kpi = stored.kpis.find((x) => x.id === k.id);
    if (!kpi) {
      add({ severity: 'error', message: `not in its stored KPI metadata (the file holds ${stored.kpis.map((x) => x.id).join(', ') || 'no KPI'})` });
      continue;
    }
    const type = kpi.municipality_type;
    const holds = type !== undefined ? KOLADA_LEVELS[type] : undefined;
    if (holds && indicators) {
      const uses = indicators.indicators.flatMap((i) => methodsOf(i).filter((m) => m.sql === 'indicators/kolada_value' && m.kpi === k.id).map((m) => ({ id: i.id, levels: m.levels })));
      const expected = [...new Set(uses.flatMap((u) => u.levels))].filter((l) => ['riket', 'lan', 'kommun'].includes(l) && !holds.includes(l));
      const who = [...new Set(uses.filter((u) => u.levels.some((l) => expected.includes(l))).map((u) => u.id))];
      if (expected.length) {
        add({ severity: 'warning', message: `municipality_type ${type}: Kolada publishes it for ${holds.join(', ')}, but ${who.join(', ')} expect${who.length === 1 ? 's' : ''} ${expected.join(', ')} values` });
      }
    }
    const ended = kpi.title !== undefined ? /\(-(\d{4})\)\s*$/.exec(kpi.title) : null;
    if (ended && k.years[1] > Number(ended[1])) {
      add({ severity: 'warning', message: `ended in Kolada: its title is "${kpi.title}" (no data after ${ended[1]}); the catalogue expects ${k.years[0]}–${k.years[1]}` });
    } else if (!ended && kpi.title !== undefined && kpi.title !== k.title) {
      add({ severity: 'warning', message: `Kolada's title is "${kpi.title}", the catalogue's "${k.title}"` });
    }
    const publ = Number(kpi.publ_period);
    if (Number.isInteger(publ) && publ > k.years[1] && k.replacedBy === undefined) {
      add({ severity: 'warning', message: `newer data published: ${publ} (the catalogue's years end ${k.years[1]})` });
    }
  }
}

function checkIndicators(ind: IndicatorCatalogue, cat: SourceCatalogue, out: CatalogueProblem[]): void {
  const pxById = new Map(cat.pxweb.map((t) => [t.id, t]));
  const kpis = new Set(cat.kolada.map((k) => k.id));
  for (const i of ind.indicators) {
    const add = (p: Omit<CatalogueProblem, 'origin'>): void => {
      out.push({ ...p, message: `indicator ${i.id}: ${p.message}`, origin: INDICATORS_FILE });
    };
    // Every method, `also` included: a typo in the method for some levels empties those levels just the same.
    for (const m of methodsOf(i)) checkMethod(m, add);
  }

  function checkMethod(m: IndicatorMethod, add: (p: Omit<CatalogueProblem, 'origin'>) => void): void {
    if (m.sql === 'indicators/kolada_value' || m.sql === 'indicators/kolada_weighted') {
      for (const kpi of m.sql === 'indicators/kolada_value' ? [m.kpi] : [m.kpi, m.weight_kpi]) {
        if (!kpis.has(kpi)) add({ table: kpi, severity: 'error', message: `reads Kolada ${kpi}, which ${SOURCES_FILE} does not list` });
      }
      return;
    }
    const tables: PxSource[] = [];
    for (const t of m.tables) {
      const s = pxById.get(t);
      if (s) tables.push(s);
      else add({ table: t, severity: 'error', message: `reads ${t}, which ${SOURCES_FILE} does not list` });
    }
    // One problem per table and fault, naming the breakdowns that share it (a wrong variable is in all of them).
    const faults = new Map<string, { p: Omit<CatalogueProblem, 'origin'>; where: string[] }>();
    for (const [role, part] of partsOfMethod(m)) {
      for (const measure of Array.isArray(part.measure) ? part.measure : [part.measure]) {
        const carriers = tables.filter((t) => measure in (t.variables.ContentsCode ?? {}));
        if (carriers.length === 0) {
          // With a table missing from the catalogue, the measure is most likely its: that error says enough.
          if (tables.length === m.tables.length) {
            add({ table: m.tables.join(', '), variable: 'ContentsCode', code: measure, severity: 'error', message: `${role} measure ${measure} is not a ContentsCode ${SOURCES_FILE} lists for ${m.tables.join(', ')}` });
          }
          continue;
        }
        for (const t of carriers) {
          for (const b of part.breakdowns) {
            for (const f of breakdownFaults(t, b)) {
              const key = [t.id, f.variable ?? '', f.code ?? '', f.message].join('\u0000');
              const seen = faults.get(key) ?? { p: { table: t.id, ...f, severity: 'error' }, where: [] };
              const w = `${role} "${b}"`;
              if (!seen.where.includes(w)) seen.where.push(w);
              faults.set(key, seen);
            }
          }
        }
      }
    }
    for (const { p, where } of faults.values()) {
      const shown = where.length <= 2 ? where.join(', ') : `${where.slice(0, 2).join(', ')} and ${where.length - 2} more`;
      add({ ...p, message: `${p.message} (breakdown${where.length === 1 ? '' : 's'} ${shown})` });
    }
  }
}

/**
 * What is wrong with one breakdown of a table: it must name every other variable of the table, `Var=code` sorted by
 * variable, with codes the catalogue lists, as ingest writes it (else it matches no cell and the indicator is empty).
 */
function breakdownFaults(t: PxSource, b: string): { variable?: string; code?: string; message: string }[] {
  const vars = Object.keys(t.variables).filter((v) => !OWN_COLUMNS.has(v)).sort();
  const pairs = b === '' ? [] : b.split(';').map((p) => p.split('='));
  const out: { variable?: string; code?: string; message: string }[] = [];
  for (const [k = '', v = ''] of pairs) {
    if (OWN_COLUMNS.has(k)) out.push({ variable: k, message: `${k} is a column of its own, never part of a breakdown` });
    else if (!(k in t.variables)) out.push({ variable: k, message: `${k} is not a variable ${SOURCES_FILE} lists for ${t.id}` });
    else if (!(v in (t.variables[k] ?? {}))) out.push({ variable: k, code: v, message: `${k}=${v} is not a code ${SOURCES_FILE} lists for ${t.id} (it lists ${Object.keys(t.variables[k] ?? {}).join(', ')})` });
  }
  const named = pairs.map(([k = '']) => k);
  const left = vars.filter((v) => !named.includes(v));
  if (left.length) out.push({ message: `${left.join(', ')} left out: ingest writes every variable of ${t.id} into a breakdown, so it matches no cell` });
  else if (named.join(';') !== [...named].sort().join(';')) out.push({ message: `variables not sorted as ingest writes them, so it matches no cell` });
  return out;
}
