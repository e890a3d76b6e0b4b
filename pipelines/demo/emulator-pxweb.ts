/**
 * The SCB PxWebApi 2.0 half of the emulator: /config, /tables, /tables/{id}, /tables/{id}/metadata and
 * /tables/{id}/data (GET and POST). Its tables are SCB's real ones (scb-tables.ts over data/metadata/scb), its
 * answers modelled on the verbatim responses in tests/fixtures/real-responses/scb-v2 and on the reference
 * implementation (PxTools/PxWebApi: selection expressions, problem titles, the order of checks). Where we had to
 * guess, the comment says so.
 */
import type { TableMetadata } from '../sources/table-metadata.ts';
import type { WorldIndex } from './cubes.ts';
import { codelistVersion, isCountUnit, serveTable, STATUS_TEXT, type Dim, type ServedTable } from './scb-tables.ts';

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

type Json = Record<string, unknown>;

/** The host SCB's stored responses were fetched from; links in them are rewritten to the emulator's own. */
const STORED_HOSTS = /https:\/\/(?:api\.scb\.se\/OV0104\/v2beta|statistikdatabasen\.scb\.se)\/api\/v2/g;

const DEMO_NOTE = 'Demo data – synthetic figures from the segfollow emulator, not Statistics Sweden\'s statistics.';

export class PxwebApi {
  private readonly tables = new Map<string, ServedTable>();
  private readonly order: string[] = [];

  constructor(
    private readonly index: WorldIndex,
    metadata: TableMetadata[],
    private readonly limits: PxLimits,
  ) {
    for (const m of metadata) {
      this.tables.set(m.id.toLowerCase(), serveTable(index, m));
      this.order.push(m.id);
    }
  }

  /** The served table (tests read its regions and cells). */
  table(id: string): ServedTable | undefined {
    return this.tables.get(id.toLowerCase());
  }

  /** `updated` moved on by a test, as SCB moves it when it publishes new figures: table id (lower case) → ISO time. */
  private readonly updatedOverride = new Map<string, string>();

  /** Moves a table's `updated` (in /tables, /tables/{id}, its metadata and its data), as a new release of SCB's would. */
  setUpdated(id: string, updated: string): void {
    if (!this.tables.has(id.toLowerCase())) throw new Error(`emulator: no table ${id}`);
    this.updatedOverride.set(id.toLowerCase(), updated);
  }

  /**
   * SCB states `updated` for every table (required in TableResponse, and in every metadata response we hold). The
   * reconstructed copies we hold for tables no SCB response confirms have none; for them /tables/{id}, the metadata
   * and data answers assume a fixed date, 1 February after the table's last year, unless a test moves it.
   */
  private updatedOf(t: ServedTable): string {
    return this.updatedOverride.get(t.meta.id.toLowerCase()) ?? t.meta.updated ?? `${(t.meta.years.at(-1) ?? 2024) + 1}-02-01T07:00:00Z`;
  }

  handle(method: string, path: string, query: URLSearchParams, body: string, origin: string): Reply {
    const base = `${origin}/api/v2`;
    // Assumption: texts are the stored English ones whatever `lang` says (we hold no Swedish copy); the response
    // still names the language asked for, and any other language falls back to SCB's default, sv.
    const lang = query.get('lang') === 'en' ? 'en' : 'sv';
    const parts = path.split('/').filter(Boolean);
    if (parts.length === 1 && parts[0]?.toLowerCase() === 'config' && method === 'GET') return jsonReply(200, this.config());
    if (parts[0]?.toLowerCase() !== 'tables') return problem(404, 'Not found');
    if (parts.length === 1 && method === 'GET') return this.list(query, base, lang);
    const t = this.tables.get((parts[1] ?? '').toLowerCase());
    if (!t) return problem(404, 'Non-existent table');
    if (parts.length === 2 && method === 'GET') return jsonReply(200, { language: lang, ...this.tableInfo(t, base, lang, true) });
    if (parts.length === 3 && parts[2]?.toLowerCase() === 'metadata' && method === 'GET') return this.metadata(t, base);
    if (parts.length === 3 && parts[2]?.toLowerCase() === 'data' && (method === 'GET' || method === 'POST')) {
      return this.data(t, method, query, body, base);
    }
    return problem(404, 'Not found');
  }

  private config(): Json {
    return {
      apiVersion: '2.3.2',
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
    const hits = this.order
      .map((id) => this.tables.get(id.toLowerCase()))
      .filter((t): t is ServedTable => t !== undefined && words.every((w) => `${t.meta.id} ${t.meta.label}`.toLowerCase().includes(w)));
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

  private tableInfo(t: ServedTable, base: string, lang: string, withDiscontinued: boolean): Json {
    const px = pxOf(t.meta);
    const years = t.meta.years;
    const id = t.meta.id;
    return {
      id,
      label: t.meta.label,
      description: '',
      sortCode: String(this.order.indexOf(id) + 1).padStart(2, '0'),
      updated: this.updatedOf(t),
      firstPeriod: String(years[0] ?? ''),
      lastPeriod: String(years.at(-1) ?? ''),
      category: 'public',
      variableNames: t.dims.map((d) => d.label),
      // The listing omits `discontinued`; /tables/{id} has it (TableResponse in PxAPI-2.yml).
      ...(withDiscontinued ? { discontinued: false } : {}),
      source: 'Statistics Sweden',
      subjectCode: String(px['subject-code'] ?? ''),
      timeUnit: 'Annual',
      paths: [[{ id: String(px['subject-code'] ?? ''), label: String(px['subject-area'] ?? ''), sortCode: '001' }, { id: String(px.infofile ?? ''), label: String(px.infofile ?? ''), sortCode: '002' }]],
      links: [
        { rel: 'self', hreflang: lang, href: `${base}/tables/${id}?lang=${lang}` },
        { rel: 'alternate', hreflang: lang === 'sv' ? 'en' : 'sv', href: `${base}/tables/${id}?lang=${lang === 'sv' ? 'en' : 'sv'}` },
        { rel: 'metadata', hreflang: lang, href: `${base}/tables/${id}/metadata?lang=${lang}` },
        { rel: 'data', hreflang: lang, href: `${base}/tables/${id}/data?lang=${lang}&outputFormat=json-stat2` },
      ],
    };
  }

  /** SCB's metadata as stored, with the Region category whole (the world's regions) and links on our host. */
  private metadata(t: ServedTable, base: string): Reply {
    const stored = t.meta.json;
    const out: [string, unknown][] = [];
    for (const [k, v] of Object.entries(stored)) {
      if (k.startsWith('_')) continue;
      if (k === 'size') out.push([k, t.dims.map((d) => d.values.length)]);
      else if (k === 'note') out.push([k, notesOf(t)]);
      else if (k === 'dimension') {
        out.push([k, new Ordered(t.dims.map((d) => [d.code, dimensionJson(t, d, d.values.map((_, i) => i), true)]))]);
      } else if (k === 'updated') out.push([k, this.updatedOf(t)]);
      else out.push([k, v]);
      // SCB's metadata always states `updated`, as /tables/{id} does; a reconstructed copy that lacks it gets the
      // same date /tables/{id} answers, after `source` where SCB puts it.
      if (k === 'source' && !('updated' in stored)) out.push(['updated', this.updatedOf(t)]);
    }
    return relink(jsonReply(200, new Ordered(out)), base);
  }

  private data(t: ServedTable, method: string, query: URLSearchParams, body: string, base: string): Reply {
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
    if (selection.length === 0) selection = defaultSelection(t.dims);
    const resolved = resolveSelection(t, selection);
    if ('problem' in resolved) return resolved.problem;
    let cells = 1;
    for (const s of resolved.picked) if (s !== null) cells *= s.length;
    if (cells > this.limits.maxDataCells) return problem(400, 'Too many cells selected', 'Too many cells selected');
    return relink(this.dataset(t, resolved.picked), base);
  }

  /** Writes the JSON-stat 2.0 dataset for the picked value indices; null marks an eliminated variable. */
  private dataset(t: ServedTable, picked: (number[] | null)[]): Reply {
    const dims = t.dims;
    const regionSel = picked[0] ?? [];
    const timeSel = picked[dims.length - 1] ?? [];
    const years = timeSel.map((i) => Number(dims[dims.length - 1]?.values[i]));
    // The variables between Region and Tid: each output combination of the kept ones, with the code records whose
    // cells it sums (one, unless a variable without a total value was eliminated).
    let combos: { codes: Record<string, string>[]; contents: string }[] = [{ codes: [{}], contents: '' }];
    for (let i = 1; i < dims.length - 1; i++) {
      const d = dims[i] as Dim;
      const sel = picked[i];
      const options: string[][] = sel ? sel.map((v) => [d.values[v] ?? '']) : d.eliminationValueCode !== undefined ? [[d.eliminationValueCode]] : [d.values];
      const next: typeof combos = [];
      for (const c of combos) {
        for (const opt of options) {
          next.push({
            codes: c.codes.flatMap((codes) => opt.map((v) => ({ ...codes, [d.code]: v }))),
            contents: d.isContents ? (opt[0] ?? '') : c.contents,
          });
        }
      }
      combos = next;
    }
    const total = regionSel.length * combos.length * years.length;
    const value: (number | null)[] = new Array<number | null>(total);
    // Written straight to JSON text: a mixed-version table has a status entry for about half its cells.
    const status: string[] = [];
    let out = 0;
    for (const r of regionSel) {
      for (const combo of combos) {
        const summable = combo.codes.length === 1 || isCountUnit(t.units[combo.contents]);
        for (const year of years) {
          let v = 0;
          let st = summable ? 0 : 1;
          for (const codes of summable ? combo.codes : []) {
            const c = t.cell(r, codes, year);
            if ('status' in c) {
              st = c.status;
              break;
            }
            v += c.value;
          }
          if (st !== 0) {
            value[out] = null;
            status.push(`"${out}":"${STATUS_TEXT[st] ?? '..'}"`);
          } else {
            value[out] = v;
          }
          out++;
        }
      }
    }
    const kept = dims.map((d, i) => ({ d, sel: picked[i] })).filter((k): k is { d: Dim; sel: number[] } => k.sel !== null && k.sel !== undefined);
    const stored = t.meta.json;
    const px = { ...pxOf(t.meta), stub: kept.map((k) => k.d.code).filter((c) => c !== 'ContentsCode' && c !== 'Tid'), heading: ['ContentsCode', 'Tid'] };
    const ext = (stored.extension ?? {}) as Json;
    const result: Json = {
      version: '2.0',
      class: 'dataset',
      label: stored.label,
      source: stored.source,
      updated: this.updatedOf(t),
      note: notesOf(t),
      role: stored.role,
      id: kept.map((k) => k.d.code),
      size: kept.map((k) => k.sel.length),
      dimension: new Ordered(kept.map((k) => [k.d.code, dimensionJson(t, k.d, k.sel, false)])),
      extension: { ...(ext.noteMandatory !== undefined ? { noteMandatory: ext.noteMandatory } : {}), px, discontinued: null, contact: ext.contact },
      value,
    };
    if (status.length > 0) result.status = new RawJson(`{${status.join(',')}}`);
    return jsonReply(200, result);
  }
}

function pxOf(meta: TableMetadata): Json {
  return (((meta.json.extension ?? {}) as Json).px ?? {}) as Json;
}

/** SCB's notes, and ours: the numbers are synthetic. */
function notesOf(t: ServedTable): unknown[] {
  const notes = Array.isArray(t.meta.json.note) ? (t.meta.json.note as unknown[]) : [];
  return [...notes, DEMO_NOTE];
}

/** A dimension as SCB writes it, restricted to the picked values (units and per-value extensions too). */
function dimensionJson(t: ServedTable, d: Dim, values: number[], forMetadata: boolean): Json {
  const stored = ((t.meta.json.dimension ?? {}) as Record<string, Json>)[d.code] ?? {};
  const cat = (stored.category ?? {}) as Json;
  const codes = values.map((vi) => d.values[vi] ?? '');
  const category: [string, unknown][] = [
    ['index', new Ordered(codes.map((c, i) => [c, i]))],
    ['label', new Ordered(values.map((vi, i) => [codes[i] ?? '', d.labels[vi] ?? codes[i] ?? '']))],
  ];
  for (const [k, v] of Object.entries(cat)) {
    if (k === 'index' || k === 'label') continue;
    category.push([k, restrict(v, codes, d.values)]);
  }
  const extension: [string, unknown][] = [];
  for (const [k, v] of Object.entries((stored.extension ?? {}) as Json)) {
    if (k === 'codelists' && !forMetadata) continue;
    extension.push([k, restrict(v, codes, d.values)]);
    // SCB's data responses (not its metadata) name the value that eliminating the variable selects, right after
    // `elimination` (TAB6471: Kon {"elimination":true,"eliminationValueCode":"TotSa","show":"value"}).
    if (k === 'elimination' && !forMetadata && d.eliminationValueCode !== undefined) extension.push(['eliminationValueCode', d.eliminationValueCode]);
  }
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(stored)) {
    if (k.startsWith('_')) continue;
    if (k === 'category') out.push([k, new Ordered(category)]);
    else if (k === 'extension') out.push([k, new Ordered(extension)]);
    else out.push([k, v]);
  }
  return Object.fromEntries(out.map(([k, v]) => [k, v]));
}

/** A per-value map (units, refperiod, notes…) keeps only the picked codes; anything else is kept as is. */
function restrict(v: unknown, codes: string[], all: string[]): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const o = v as Json;
  const keys = Object.keys(o);
  if (keys.length === 0 || !keys.every((k) => all.includes(k))) return v;
  return new Ordered(codes.filter((c) => c in o).map((c) => [c, o[c]]));
}

function relink(r: Reply, base: string): Reply {
  return { ...r, body: r.body.replace(STORED_HOSTS, base) };
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

/**
 * The reference implementation's order of checks: variables exist, codelists exist, mandatory ones present,
 * values, cell count. A codelist of the Region variable (vs_DeSO2025, …) limits the values to its area version.
 */
function resolveSelection(t: ServedTable, selection: Selection[]): Resolved {
  const dims = t.dims;
  const byDim = new Map<number, Selection>();
  for (const s of selection) {
    const code = s.variableCode.toLowerCase() === 'time' ? 'Tid' : s.variableCode;
    const i = dims.findIndex((d) => d.code.toLowerCase() === code.toLowerCase());
    if (i < 0) return { problem: problem(400, 'Non-existent variable') };
    const d = dims[i] as Dim;
    if (s.codelist !== undefined && s.codelist !== '' && !d.codelists.some((c) => c.toLowerCase() === s.codelist?.toLowerCase())) {
      return { problem: problem(400, 'Non-existent codelist') };
    }
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
    const version = s.codelist && d.code === 'Region' ? codelistVersion(d.codelists.find((c) => c.toLowerCase() === s.codelist?.toLowerCase()) ?? '') : undefined;
    const inList = (v: number): boolean => version === undefined || t.regions[v]?.version === version;
    const got = new Set<number>();
    for (const expr of s.valueCodes) {
      const r = expandExpression(d, expr);
      if (typeof r === 'string') return { problem: problem(400, r) };
      // With a codelist the variable holds the codelist's values only: a code outside it does not exist there.
      const code = indexOfCode(d, expr);
      if (code >= 0 && !inList(code)) return { problem: problem(400, 'Non-existent value') };
      for (const x of r) if (inList(x)) got.add(x);
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

