/**
 * JSON-stat 2.0 datasets (SCB PxWeb v2's default format) to one record per cell. `value` is row-major: the last
 * dimension in `id` varies fastest. Missing cells are `null` in `value` with a symbol in `status` (`..` not
 * available, `.` not applicable, `:` confidential); they stay NULL with their status and never become 0.
 * Category order comes from `category.index` (object or array form), never from the order of keys in the JSON.
 */
import { SourceError } from '../errors.ts';

export interface JsonStatCell {
  codes: Record<string, string>;
  value: number | null;
  status: string | null;
}

export interface JsonStatWhere {
  tableId: string;
  url?: string;
}

export interface Dimension {
  id: string;
  codes: string[];
}

/** The dimensions of a dataset, in `id` order, with their codes in index order. */
export function jsonStatDimensions(ds: Record<string, unknown>, where: JsonStatWhere): Dimension[] {
  const fail = (what: string): never => {
    throw new SourceError(`JSON-stat from ${where.url ?? 'SCB'} (table ${where.tableId}): ${what}`);
  };
  const ids = ds.id;
  const size = ds.size;
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) fail('expected "id" to be an array of dimension names');
  if (!Array.isArray(size) || !size.every((x) => Number.isInteger(x) && x >= 0)) fail('expected "size" to be an array of counts');
  const idList = ids as string[];
  const sizeList = size as number[];
  if (idList.length !== sizeList.length) fail(`"id" has ${idList.length} dimensions but "size" has ${sizeList.length}`);
  const dims = ds.dimension;
  if (typeof dims !== 'object' || dims === null) fail('expected a "dimension" object');
  return idList.map((id, i) => {
    const d = (dims as Record<string, unknown>)[id] as { category?: { index?: unknown; label?: unknown } } | undefined;
    if (!d || typeof d !== 'object') return fail(`dimension "${id}" is listed in "id" but missing from "dimension"`);
    const n = sizeList[i] ?? 0;
    const cat = d.category ?? {};
    let codes: string[];
    if (Array.isArray(cat.index)) {
      codes = cat.index.map(String);
    } else if (typeof cat.index === 'object' && cat.index !== null) {
      codes = new Array<string>(n);
      for (const [code, pos] of Object.entries(cat.index as Record<string, unknown>)) {
        if (!Number.isInteger(pos) || (pos as number) < 0 || (pos as number) >= n) fail(`dimension "${id}": index of "${code}" is ${String(pos)}, outside 0–${n - 1}`);
        codes[pos as number] = code;
      }
    } else if (typeof cat.label === 'object' && cat.label !== null && Object.keys(cat.label).length === 1) {
      // JSON-stat allows a single-category dimension without an index.
      codes = Object.keys(cat.label);
    } else {
      return fail(`dimension "${id}" has no category index`);
    }
    // filter, not some: `some` skips the holes an incomplete index leaves.
    const present = codes.filter((c) => c !== undefined).length;
    if (codes.length !== n || present !== n) fail(`dimension "${id}" has ${present} categories but size says ${n}`);
    return { id, codes };
  });
}

/**
 * A parsed JSON-stat dataset read cell by cell by flat index, without a record per cell: the ingest streams a
 * response of 150,000 cells into DuckDB from this, where parseJsonStat's objects (one `codes` record each) were most
 * of what a demo ingest allocated. Every value was checked when the grid was made, so reading it never throws.
 */
export interface JsonStatGrid {
  dims: Dimension[];
  /** Number of cells: the product of the dimension sizes. */
  total: number;
  /** The cell's number, or null for a missing cell (a symbol in `value` or a null). */
  value(i: number): number | null;
  /** The cell's status symbol: from `status`, or the symbol a writer put in `value` itself. */
  status(i: number): string | null;
}

/** Parses and checks a JSON-stat 2.0 dataset (SourceError naming table, URL and what was expected). */
export function readJsonStat(body: string | Buffer, where: JsonStatWhere): JsonStatGrid {
  const fail = (what: string): never => {
    throw new SourceError(`JSON-stat from ${where.url ?? 'SCB'} (table ${where.tableId}): ${what}`);
  };
  let ds: unknown;
  try {
    ds = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message})`);
  }
  if (typeof ds !== 'object' || ds === null || Array.isArray(ds)) return fail('expected a JSON object');
  const o = ds as Record<string, unknown>;
  if (o.class !== undefined && o.class !== 'dataset') fail(`expected class "dataset", got "${String(o.class)}"`);
  if (o.version !== undefined && o.version !== '2.0') fail(`expected JSON-stat version "2.0", got "${String(o.version)}"`);
  const dims = jsonStatDimensions(o, where);
  const total = dims.reduce((a, d) => a * d.codes.length, 1);

  // `value` is an array, or (sparse form) an object from flat index to value.
  const raw = o.value;
  let get: (i: number) => unknown;
  if (Array.isArray(raw)) {
    if (raw.length !== total) fail(`value length ${raw.length} ≠ product of size ${total}`);
    get = (i) => raw[i];
  } else if (typeof raw === 'object' && raw !== null) {
    const m = raw as Record<string, unknown>;
    get = (i) => m[String(i)] ?? null;
  } else {
    return fail('expected "value" to be an array or an object');
  }

  // `status` is a string for every cell, an array, or an object from flat index to symbol.
  const st = o.status;
  let status: (i: number) => string | null;
  if (st === undefined || st === null) status = () => null;
  else if (typeof st === 'string') status = () => st;
  else if (Array.isArray(st)) {
    if (st.length !== total) fail(`status length ${st.length} ≠ product of size ${total}`);
    status = (i) => (typeof st[i] === 'string' ? (st[i] as string) : null);
  } else if (typeof st === 'object') {
    const m = st as Record<string, unknown>;
    status = (i) => {
      const s = m[String(i)];
      return typeof s === 'string' ? s : null;
    };
  } else {
    return fail('expected "status" to be a string, an array or an object');
  }

  // Checked whole before any cell is used: a response that does not parse is never stored or cited (ingest).
  for (let i = 0; i < total; i++) {
    const v = get(i);
    if (v === null || v === undefined || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) continue;
    fail(`value at ${i} is ${JSON.stringify(v)}, expected a number or null`);
  }
  return {
    dims,
    total,
    value(i) {
      const v = get(i);
      if (typeof v === 'number') return v;
      if (typeof v !== 'string') return null;
      // Some writers put the symbol itself in `value`; a numeric string is a number.
      const trimmed = v.trim();
      const num = trimmed === '' ? Number.NaN : Number(trimmed);
      return Number.isFinite(num) ? num : null;
    },
    status(i) {
      const s = status(i);
      const v = get(i);
      if (typeof v !== 'string') return s;
      const trimmed = v.trim();
      const num = trimmed === '' ? Number.NaN : Number(trimmed);
      return Number.isFinite(num) ? s : (s ?? trimmed);
    },
  };
}

/** Every cell of a JSON-stat 2.0 dataset as a record with its codes (tests and small tables; see readJsonStat). */
export function parseJsonStat(body: string | Buffer, where: JsonStatWhere): JsonStatCell[] {
  const grid = readJsonStat(body, where);
  const { dims, total } = grid;
  const cells: JsonStatCell[] = new Array<JsonStatCell>(total);
  const counters = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < total; i++) {
    const codes: Record<string, string> = {};
    for (let d = 0; d < dims.length; d++) {
      const dim = dims[d];
      if (dim) codes[dim.id] = dim.codes[counters[d] ?? 0] ?? '';
    }
    cells[i] = { codes, value: grid.value(i), status: grid.status(i) };
    advance(counters, dims);
  }
  return cells;
}

/** Moves `counters` (one position per dimension) to the next cell in row-major order. */
export function advance(counters: number[], dims: Dimension[]): void {
  for (let d = dims.length - 1; d >= 0; d--) {
    const c = (counters[d] ?? 0) + 1;
    if (c < (dims[d]?.codes.length ?? 0)) {
      counters[d] = c;
      return;
    }
    counters[d] = 0;
  }
}
