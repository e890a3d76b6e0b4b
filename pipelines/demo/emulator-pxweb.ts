/**
 * The SCB PxWebApi 2.0 half of the emulator: /config, /tables, /tables/{id}, /tables/{id}/metadata and
 * /tables/{id}/data (GET and POST), modelled on the verbatim responses in examples/real-responses/scb-v2 and on
 * the reference implementation's behaviour (PxTools/PxWebApi: selection expressions, problem titles, the order
 * of checks). Where we had to guess, the comment says so.
 */
import type { Catalogue, CatalogueTable, Cube, Dim } from './cubes.ts';
import { buildCube, dimsFor, isServedTable, STATUS_TEXT, unitsFor, WorldIndex, yearsOf } from './cubes.ts';

export interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export function jsonReply(status: number, value: unknown, contentType = 'application/json; charset=utf-8'): Reply {
  return { status, contentType, body: serialize(value) };
}

/**
 * A JSON object whose keys keep their order. Plain objects put integer-like keys ("25", "2584") first, which
 * would scramble a category index that SCB writes in table order (JSON-stat readers must not rely on key order,
 * but we answer as SCB does).
 */
export class Ordered {
  constructor(readonly entries: [string, unknown][]) {}
}

/** JSON text already written, spliced in as is (the status map of a large response). */
class RawJson {
  constructor(readonly text: string) {}
}

function serialize(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (v instanceof Ordered) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${serialize(x)}`).join(',')}}`;
  if (Array.isArray(v)) {
    // The value array is the bulk of a data response; let the engine write it in one go.
    if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
    return `[${v.map(serialize).join(',')}]`;
  }
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}:${serialize(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** SCB answers errors as RFC 7807 problems with type "Parameter error" (PxWebApi ProblemUtility). */
export function problem(status: number, title: string, detail?: string): Reply {
  return jsonReply(status, { type: 'Parameter error', title, status, ...(detail ? { detail } : {}) }, 'application/problem+json; charset=utf-8');
}

export interface PxLimits {
  maxDataCells: number;
  maxCallsPerTimeWindow: number;
  timeWindow: number;
}

interface Selection {
  variableCode: string;
  valueCodes: string[];
  codelist?: string;
}

const SUBJECTS: Record<string, string> = {
  AA: 'Allmänt',
  AM: 'Arbetsmarknad',
  BE: 'Befolkning',
  BO: 'Boende, byggande och bebyggelse',
  HE: 'Hushållens ekonomi',
  LE: 'Levnadsförhållanden',
  UF: 'Utbildning och forskning',
};

/** SCB's own note on TAB6471 says this; we attach it to tables that carry cell-key noise. */
const CKM_NOTE =
  'Från och med referensåret 2025 och framåt är en liten kontrollerad slumpmässig osäkerhet införd i samtliga redovisade uppgifter. ' +
  'Osäkerheten har tillförts för att skydda enskilda personer så att ingen riskerar att röjas i statistiken. ' +
  'Till följd av detta så är inte alltid de redovisade totalerna lika med summan av deras redovisade delar.';
const DEMO_NOTE = 'Demodata – syntetiska uppgifter från segfollow-emulatorn, inte SCB:s statistik.';

const CONTACT = [
  { name: 'Statistikservice', organization: 'SCB', phone: '010-479 50 00', mail: 'information@scb.se', raw: ' Statistikservice, SCB# +46 010-479 50 00#information@scb.se' },
];

export class PxwebApi {
  private readonly cubes = new Map<string, Cube>();
  private readonly dimsCache = new Map<string, Dim[]>();
  private readonly tables: CatalogueTable[];

  constructor(
    private readonly index: WorldIndex,
    catalogue: Catalogue,
    private readonly limits: PxLimits,
  ) {
    for (const t of catalogue.pxweb) if (!isServedTable(t.id)) throw new Error(`emulator: data/sources.json lists ${t.id}, which the emulator cannot serve`);
    this.tables = catalogue.pxweb;
  }

  /** Cubes are built on first use and kept: the world does not change while the emulator runs. */
  cube(t: CatalogueTable): Cube {
    let c = this.cubes.get(t.id);
    if (!c) {
      c = buildCube(this.index, t);
      this.cubes.set(t.id, c);
    }
    return c;
  }

  private dims(t: CatalogueTable): Dim[] {
    let d = this.dimsCache.get(t.id);
    if (!d) {
      d = dimsFor(this.index, t).dims;
      this.dimsCache.set(t.id, d);
    }
    return d;
  }

  handle(method: string, path: string, query: URLSearchParams, body: string, origin: string): Reply {
    const base = `${origin}/api/v2`;
    // Assumption: labels are Swedish whatever `lang` says (we have no English texts); the response still names the
    // language asked for, and any other language falls back to SCB's default, sv.
    const lang = query.get('lang') === 'en' ? 'en' : 'sv';
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 1 && parts[0]?.toLowerCase() === 'config' && method === 'GET') return jsonReply(200, this.config());
    if (parts[0]?.toLowerCase() !== 'tables') return problem(404, 'Not found');
    if (parts.length === 1 && method === 'GET') return this.list(query, base, lang);
    const t = this.tables.find((x) => x.id.toLowerCase() === (parts[1] ?? '').toLowerCase());
    if (!t) return problem(404, 'Non-existent table');
    if (parts.length === 2 && method === 'GET') return jsonReply(200, { language: lang, ...this.tableInfo(t, base, lang, true) });
    if (parts.length === 3 && parts[2]?.toLowerCase() === 'metadata' && method === 'GET') return this.metadata(t, lang);
    if (parts.length === 3 && parts[2]?.toLowerCase() === 'data' && (method === 'GET' || method === 'POST')) {
      return this.data(t, method, query, body, lang);
    }
    return problem(404, 'Not found');
  }

  private config(): Record<string, unknown> {
    return {
      apiVersion: '2.2.0',
      appVersion: 'segfollow-emulator',
      languages: [
        { id: 'en', label: 'English' },
        { id: 'sv', label: 'Svenska' },
      ],
      defaultLanguage: 'sv',
      maxDataCells: this.limits.maxDataCells,
      maxCallsPerTimeWindow: this.limits.maxCallsPerTimeWindow,
      timeWindow: this.limits.timeWindow,
      license: 'https://creativecommons.org/share-your-work/public-domain/cc0/',
      sourceReferences: [
        { language: 'en', text: 'Source: Statistics Sweden' },
        { language: 'sv', text: 'Källa: SCB' },
      ],
      defaultDataFormat: 'json-stat2',
      // Only what we actually serve; SCB also lists csv, px, xlsx, html and json-px.
      dataFormats: ['json-stat2'],
      features: [{ id: 'CORS', params: [{ key: 'enabled', value: 'True' }] }],
    };
  }

  private list(query: URLSearchParams, base: string, lang: string): Reply {
    const q = (query.get('query') ?? '').trim().toLowerCase();
    const pageSize = positiveInt(query.get('pageSize') ?? query.get('pagesize'), 20);
    const pageNumber = positiveInt(query.get('pageNumber') ?? query.get('pagenumber'), 1);
    if (pageSize === null || pageNumber === null) return problem(400, 'Parameter error');
    const words = q.split(/\s+/).filter(Boolean);
    const hits = this.tables.filter((t) => words.every((w) => `${t.id} ${t.title_sv}`.toLowerCase().includes(w)));
    const totalPages = Math.max(1, Math.ceil(hits.length / pageSize));
    if (pageNumber > totalPages) return problem(404, 'Non-existent page', 'Non-existent page');
    // SCB's own paging links have a trailing slash and a lower-case `pagesize` (see tables_lang-sv_page1.json).
    const link = (p: number): string => `${base}/tables/?lang=${lang}${q ? `&query=${encodeURIComponent(q)}` : ''}&pagesize=${pageSize}&pageNumber=${p}`;
    const pageLinks = [];
    if (pageNumber < totalPages) pageLinks.push({ rel: 'next', hreflang: lang, href: link(pageNumber + 1) });
    if (pageNumber > 1) pageLinks.push({ rel: 'previous', hreflang: lang, href: link(pageNumber - 1) });
    if (pageNumber < totalPages) pageLinks.push({ rel: 'last', hreflang: lang, href: link(totalPages) });
    return jsonReply(200, {
      language: lang,
      tables: hits.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((t) => this.tableInfo(t, base, lang, false)),
      page: { pageNumber, pageSize, totalElements: hits.length, totalPages, links: pageLinks },
      links: [{ rel: 'self', hreflang: lang, href: link(pageNumber) }],
    });
  }

  private tableInfo(t: CatalogueTable, base: string, lang: string, withDiscontinued: boolean): Record<string, unknown> {
    const dims = this.dims(t);
    const years = yearsOf(t);
    const segs = t.v1.split('/');
    const pathIds = segs.slice(0, -1);
    return {
      id: t.id,
      label: t.title_sv,
      description: '',
      sortCode: String(this.tables.indexOf(t) + 1).padStart(2, '0'),
      updated: updatedOf(t),
      firstPeriod: String(years[0] ?? ''),
      lastPeriod: String(years.at(-1) ?? ''),
      category: 'public',
      variableNames: dims.map((d) => d.label),
      // The listing omits `discontinued`; /tables/{id} has it (TableResponse in PxAPI-2.yml).
      ...(withDiscontinued ? { discontinued: false } : {}),
      source: 'SCB',
      subjectCode: segs[0] ?? '',
      timeUnit: 'Annual',
      paths: [pathIds.map((id, i) => ({ id, label: i === 0 ? (SUBJECTS[id] ?? id) : id, sortCode: String(i + 1).padStart(3, '0') }))],
      links: [
        { rel: 'self', hreflang: lang, href: `${base}/tables/${t.id}?lang=${lang}` },
        { rel: 'alternate', hreflang: lang === 'sv' ? 'en' : 'sv', href: `${base}/tables/${t.id}?lang=${lang === 'sv' ? 'en' : 'sv'}` },
        { rel: 'metadata', hreflang: lang, href: `${base}/tables/${t.id}/metadata?lang=${lang}` },
        { rel: 'data', hreflang: lang, href: `${base}/tables/${t.id}/data?lang=${lang}&outputFormat=json-stat2` },
      ],
    };
  }

  private notes(t: CatalogueTable): string[] {
    return t.cellKeyFrom !== undefined ? [CKM_NOTE, DEMO_NOTE] : [DEMO_NOTE];
  }

  private px(t: CatalogueTable, dims: Dim[], lang: string): Record<string, unknown> {
    const units = unitsFor(t);
    return {
      infofile: t.v1.split('/')[1] ?? '',
      tableid: t.id,
      decimals: Math.max(0, ...Object.values(units).map((u) => u.decimals)),
      'official-statistics': true,
      aggregallowed: false,
      copyright: false,
      language: lang,
      contents: contentsOf(t),
      descriptiondefault: false,
      heading: ['ContentsCode', 'Tid'],
      stub: dims.map((d) => d.code).filter((c) => c !== 'ContentsCode' && c !== 'Tid'),
      matrix: t.id,
      'subject-code': t.v1.split('/')[0] ?? '',
      'subject-area': SUBJECTS[t.v1.split('/')[0] ?? ''] ?? '',
    };
  }

  private dimensionJson(t: CatalogueTable, d: Dim, values: number[], forMetadata: boolean): Record<string, unknown> {
    const index = new Ordered(values.map((vi, i) => [d.values[vi] ?? '', i]));
    const label = new Ordered(values.map((vi) => [d.values[vi] ?? '', d.labels[vi] ?? d.values[vi] ?? '']));
    const category: Record<string, unknown> = { index, label };
    const ext: Record<string, unknown> = { elimination: d.elimination };
    if (!forMetadata && d.eliminationValueCode !== undefined) ext.eliminationValueCode = d.eliminationValueCode;
    if (d.isContents) {
      const units = unitsFor(t);
      const per = (f: (code: string) => unknown): Ordered => new Ordered(values.map((vi) => [d.values[vi] ?? '', f(d.values[vi] ?? '')]));
      category.unit = per((c) => units[c] ?? { base: 'antal', decimals: 0 });
      ext.refperiod = per(() => '31 december');
      ext.show = 'value';
      if (forMetadata) ext.codelists = [];
      ext.measuringType = per(() => 'Stock');
      ext.priceType = per(() => 'NotApplicable');
      ext.adjustment = per(() => 'None');
      ext.alternativeText = per((c) => d.labels[d.values.indexOf(c)] ?? c);
    } else {
      ext.show = d.code === 'Region' ? 'code_value' : d.isTime ? 'code' : 'value';
      if (forMetadata) ext.codelists = [];
    }
    return { label: d.label, category, extension: ext };
  }

  private metadata(t: CatalogueTable, lang: string): Reply {
    const dims = this.dims(t);
    const dimension: Record<string, unknown> = {};
    for (const d of dims) dimension[d.code] = this.dimensionJson(t, d, d.values.map((_, i) => i), true);
    return jsonReply(200, {
      version: '2.0',
      class: 'dataset',
      label: t.title_sv,
      source: 'SCB',
      updated: updatedOf(t),
      note: this.notes(t),
      role: { time: ['Tid'], metric: ['ContentsCode'] },
      id: dims.map((d) => d.code),
      size: dims.map((d) => d.values.length),
      dimension,
      // The first note (cell-key method, or that the data are synthetic) must be shown with the table.
      extension: { noteMandatory: { '0': true }, px: this.px(t, dims, lang), contact: CONTACT },
      value: [],
    });
  }

  private data(t: CatalogueTable, method: string, query: URLSearchParams, body: string, lang: string): Reply {
    const format = query.get('outputFormat') ?? query.get('outputformat');
    if (format !== null && format.toLowerCase() !== 'json-stat2') return problem(400, 'Unsupported output format', 'Unsupported output format');
    let selection: Selection[];
    if (method === 'POST' && body.trim() !== '') {
      const parsed = parseBody(body);
      if (typeof parsed === 'string') return problem(400, 'Illegal selection expression', parsed);
      selection = parsed;
    } else {
      selection = queryToSelection(query);
    }
    const cube = this.cube(t);
    if (selection.length === 0) selection = defaultSelection(cube.dims);
    const resolved = resolveSelection(cube.dims, selection);
    if ('problem' in resolved) return resolved.problem;
    let cells = 1;
    for (const s of resolved.picked) if (s !== null) cells *= s.length;
    if (cells > this.limits.maxDataCells) return problem(400, 'Too many cells selected', 'Too many cells selected');
    return this.dataset(t, cube, resolved.picked, lang);
  }

  /** Writes the JSON-stat 2.0 dataset for the picked value indices; null marks an eliminated variable. */
  private dataset(t: CatalogueTable, cube: Cube, picked: (number[] | null)[], lang: string): Reply {
    const dims = cube.dims;
    const strides: number[] = new Array<number>(dims.length).fill(1);
    for (let i = dims.length - 2; i >= 0; i--) strides[i] = (strides[i + 1] ?? 1) * (cube.size[i + 1] ?? 1);
    let fixed = 0;
    const kept: { dim: Dim; sel: number[]; stride: number }[] = [];
    // Offsets of the cells summed into one output cell, over variables eliminated without a total value.
    let sumOffsets = [0];
    dims.forEach((d, i) => {
      const stride = strides[i] ?? 1;
      const sel = picked[i];
      if (sel) {
        kept.push({ dim: d, sel, stride });
      } else if (d.eliminationValueCode !== undefined) {
        fixed += d.values.indexOf(d.eliminationValueCode) * stride;
      } else {
        const next: number[] = [];
        for (const o of sumOffsets) for (let v = 0; v < d.values.length; v++) next.push(o + v * stride);
        sumOffsets = next;
      }
    });
    const total = kept.reduce((a, k) => a * k.sel.length, 1);
    const value: (number | null)[] = new Array<number | null>(total);
    // Written straight to JSON text: a mixed-version table has a status entry for about half its cells.
    const status: string[] = [];
    const counters = new Array<number>(kept.length).fill(0);
    let base = fixed;
    for (const k of kept) base += (k.sel[0] ?? 0) * k.stride;
    for (let out = 0; out < total; out++) {
      let v = 0;
      let st = 0;
      for (const o of sumOffsets) {
        const idx = base + o;
        const s = cube.status[idx] ?? 1;
        if (s !== 0) {
          st = s;
          break;
        }
        v += cube.values[idx] ?? 0;
      }
      if (st !== 0) {
        value[out] = null;
        status.push(`"${out}":"${STATUS_TEXT[st] ?? '..'}"`);
      } else {
        value[out] = v;
      }
      // Odometer over the kept dimensions, last fastest, keeping `base` in step.
      for (let j = kept.length - 1; j >= 0; j--) {
        const k = kept[j];
        if (!k) break;
        const c = counters[j] ?? 0;
        base -= (k.sel[c] ?? 0) * k.stride;
        if (c + 1 < k.sel.length) {
          counters[j] = c + 1;
          base += (k.sel[c + 1] ?? 0) * k.stride;
          break;
        }
        counters[j] = 0;
        base += (k.sel[0] ?? 0) * k.stride;
      }
    }
    const dimension: Record<string, unknown> = {};
    for (const k of kept) dimension[k.dim.code] = this.dimensionJson(t, k.dim, k.sel, false);
    const keptDims = kept.map((k) => k.dim);
    const out: Record<string, unknown> = {
      version: '2.0',
      class: 'dataset',
      label: `${contentsOf(t)} efter ${joinSv(keptDims.filter((d) => !d.isContents).map((d) => d.label))}`,
      source: 'SCB',
      updated: updatedOf(t),
      note: this.notes(t),
      role: { time: ['Tid'], metric: ['ContentsCode'] },
      id: keptDims.map((d) => d.code),
      size: kept.map((k) => k.sel.length),
      dimension,
      extension: {
        noteMandatory: { '0': true },
        px: this.px(t, keptDims, lang),
        discontinued: null,
        contact: CONTACT,
      },
      value,
    };
    if (status.length > 0) out.status = new RawJson(`{${status.join(',')}}`);
    return jsonReply(200, out);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Selections.

function positiveInt(s: string | null, dflt: number): number | null {
  if (s === null || s === '') return dflt;
  const v = Number(s);
  return Number.isInteger(v) && v >= 1 ? v : null;
}

function parseBody(body: string): Selection[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return `request body is not JSON (${(e as Error).message})`;
  }
  if (typeof parsed !== 'object' || parsed === null) return 'request body must be an object';
  const sel = (parsed as { selection?: unknown }).selection;
  if (sel === undefined) return [];
  if (!Array.isArray(sel)) return '"selection" must be an array';
  const out: Selection[] = [];
  for (const s of sel as unknown[]) {
    const o = s as { variableCode?: unknown; valueCodes?: unknown; codelist?: unknown };
    if (typeof o?.variableCode !== 'string' || !Array.isArray(o.valueCodes) || !o.valueCodes.every((v) => typeof v === 'string')) {
      return 'each selection needs variableCode and valueCodes (strings)';
    }
    out.push({ variableCode: o.variableCode, valueCodes: o.valueCodes as string[], ...(typeof o.codelist === 'string' ? { codelist: o.codelist } : {}) });
  }
  return out;
}

/**
 * `valueCodes[Var]=a,b,[RANGE(x,y)]`: values are comma-separated, and an item holding a comma must be wrapped in
 * `[...]` (SOURCES.md §1.2). Only brackets protect commas, as at SCB, so an unbracketed RANGE(x,y) is split and then
 * rejected as an illegal expression.
 */
function queryToSelection(query: URLSearchParams): Selection[] {
  const out: Selection[] = [];
  const codelists = new Map<string, string>();
  for (const [k, v] of query) {
    const cl = /^codelist\[(.+)\]$/i.exec(k);
    if (cl?.[1]) codelists.set(cl[1].toLowerCase(), v);
  }
  for (const [k, v] of query) {
    const m = /^valuecodes\[(.+)\]$/i.exec(k);
    if (!m?.[1]) continue;
    const cl = codelists.get(m[1].toLowerCase());
    out.push({ variableCode: m[1], valueCodes: splitValueList(v), ...(cl ? { codelist: cl } : {}) });
  }
  return out;
}

export function splitValueList(s: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      items.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  items.push(cur);
  return items
    .map((x) => x.trim())
    .filter((x) => x !== '')
    .map((x) => (x.startsWith('[') && x.endsWith(']') ? x.slice(1, -1) : x));
}

/** With no selection at all SCB applies a default selection; ours: first contents, latest year, eliminate the rest. */
function defaultSelection(dims: Dim[]): Selection[] {
  const out: Selection[] = [];
  for (const d of dims) {
    if (d.elimination) continue;
    out.push({ variableCode: d.code, valueCodes: d.isTime ? ['TOP(1)'] : [d.values[0] ?? ''] });
  }
  return out;
}

type Resolved = { picked: (number[] | null)[] } | { problem: Reply };

/** The reference implementation's order of checks: variables exist, mandatory ones present, values, cell count. */
function resolveSelection(dims: Dim[], selection: Selection[]): Resolved {
  const byDim = new Map<number, Selection>();
  for (const s of selection) {
    const code = s.variableCode.toLowerCase() === 'time' ? 'Tid' : s.variableCode;
    const i = dims.findIndex((d) => d.code.toLowerCase() === code.toLowerCase());
    if (i < 0) return { problem: problem(400, 'Non-existent variable') };
    if (s.codelist !== undefined && s.codelist !== '') return { problem: problem(400, 'Non-existent codelist') };
    byDim.set(i, s);
  }
  for (let i = 0; i < dims.length; i++) {
    if (!dims[i]?.elimination && !byDim.has(i)) return { problem: problem(400, 'Missing selection for mandantory variable') };
  }
  const picked: (number[] | null)[] = [];
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    const s = byDim.get(i);
    if (!d) continue;
    if (!s) {
      picked.push(null);
      continue;
    }
    const got = new Set<number>();
    for (const expr of s.valueCodes) {
      const r = expandExpression(d, expr);
      if (typeof r === 'string') return { problem: problem(400, r) };
      for (const x of r) got.add(x);
    }
    if (got.size === 0) {
      if (!d.elimination) return { problem: problem(400, 'Missing selection for mandantory variable') };
      picked.push(null);
      continue;
    }
    // Assumption: values come back in the table's order, whatever order they were asked in.
    picked.push([...got].sort((a, b) => a - b));
  }
  return { picked };
}

const RE_TOP = /^TOP\(([1-9]\d*)(?:,(\d+))?\)$/i;
const RE_BOTTOM = /^BOTTOM\(([1-9]\d*)(?:,(\d+))?\)$/i;
const RE_RANGE = /^RANGE\(([^,()]+),([^,()]+)\)$/i;
const RE_FROM = /^FROM\(([^,()]+)\)$/i;
const RE_TO = /^TO\(([^,()]+)\)$/i;

// Codes are matched case-insensitively; a per-dimension index keeps a selection of thousands of explicit codes
// (a DeSO table asked region by region) linear instead of quadratic.
const codeIndex = new WeakMap<Dim, Map<string, number>>();
function indexOfCode(d: Dim, code: string): number {
  let m = codeIndex.get(d);
  if (!m) {
    m = new Map();
    for (let i = d.values.length - 1; i >= 0; i--) m.set((d.values[i] ?? '').toLowerCase(), i);
    codeIndex.set(d, m);
  }
  return m.get(code.trim().toLowerCase()) ?? -1;
}

/** Value indices for one item of a selection, or the title of the problem it causes. */
export function expandExpression(d: Dim, expr: string): number[] | string {
  const find = (code: string): number => indexOfCode(d, code);
  const exact = find(expr);
  if (exact >= 0) return [exact];
  const all = d.values.map((_, i) => i);
  if (expr.includes('*')) {
    // At most two stars, only at the start and/or the end (PxWebApi WildcardExpression).
    if (expr === '*') return all;
    const stars = expr.split('*').length - 1;
    const lead = expr.startsWith('*');
    const trail = expr.endsWith('*');
    if (stars > 2 || (stars === 1 && !lead && !trail) || (stars === 2 && !(lead && trail))) return 'Illegal selection expression';
    const core = expr.replaceAll('*', '').toLowerCase();
    return all.filter((i) => {
      const v = (d.values[i] ?? '').toLowerCase();
      return lead && trail ? v.includes(core) : lead ? v.endsWith(core) : v.startsWith(core);
    });
  }
  if (expr.includes('?')) {
    const re = new RegExp(`^${expr.split('?').map(escapeRe).join('.')}$`, 'i');
    return all.filter((i) => re.test(d.values[i] ?? ''));
  }
  const upper = expr.toUpperCase();
  const topOrBottom = (m: RegExpExecArray | null, top: boolean): number[] | string => {
    if (!m) return 'Illegal selection expression';
    const count = Number(m[1]);
    const offset = Number(m[2] ?? 0);
    // For time the latest periods are the "top" ones, still returned in ascending order.
    const fromEnd = top === d.isTime;
    const ordered = fromEnd ? [...all].reverse() : all;
    return ordered.slice(offset, offset + count).sort((a, b) => a - b);
  };
  if (upper.startsWith('TOP(')) return topOrBottom(RE_TOP.exec(expr), true);
  if (upper.startsWith('BOTTOM(')) return topOrBottom(RE_BOTTOM.exec(expr), false);
  if (upper.startsWith('RANGE(')) {
    const m = RE_RANGE.exec(expr);
    if (!m) return 'Illegal selection expression';
    const a = find(m[1] ?? '');
    const b = find(m[2] ?? '');
    if (a < 0 || b < 0) return 'Non-existent value';
    return all.slice(Math.min(a, b), Math.max(a, b) + 1);
  }
  if (upper.startsWith('FROM(')) {
    const m = RE_FROM.exec(expr);
    if (!m) return 'Illegal selection expression';
    const a = find(m[1] ?? '');
    return a < 0 ? 'Non-existent value' : all.slice(a);
  }
  if (upper.startsWith('TO(')) {
    const m = RE_TO.exec(expr);
    if (!m) return 'Illegal selection expression';
    const a = find(m[1] ?? '');
    return a < 0 ? 'Non-existent value' : all.slice(0, a + 1);
  }
  if (/^[A-Z]+\(/.test(upper)) return 'Illegal selection expression';
  return 'Non-existent value';
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function contentsOf(t: CatalogueTable): string {
  return t.title_sv.split(/ efter |\. År/)[0] ?? t.title_sv;
}

function joinSv(labels: string[]): string {
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} och ${labels.at(-1)}`;
}

/** A fixed publication time per table so that responses are byte-identical across runs. */
function updatedOf(t: CatalogueTable): string {
  return `${t.years[1] + 1}-03-20T07:00:00Z`;
}
