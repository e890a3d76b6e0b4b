/**
 * Access to the reference sets in tests/fixtures/reference (inputs and the values pysal, rseg and OasisR computed on
 * them; origin in its README).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REFERENCE_DIR = fileURLToPath(new URL('../fixtures/reference/', import.meta.url));
export const DATA_DIR = `${REFERENCE_DIR}data/`;
export const EXPECTED_DIR = `${REFERENCE_DIR}expected/`;

export interface ReferenceRecord {
  index: string;
  library: string;
  function: string;
  params: Record<string, unknown>;
  group: Record<string, string> | null;
  value: number | (number | null)[] | null;
  status: string;
  message?: string;
  note?: string;
}

export interface ReferenceSet {
  dataset: string;
  input: string;
  description: string;
  records: ReferenceRecord[];
}

export const ESTABLISHED_LIBRARIES = new Set(['pysal', 'rseg', 'oasisr']);

export function expectedDatasets(): string[] {
  return readdirSync(EXPECTED_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadExpected(dataset: string): ReferenceSet {
  return JSON.parse(readFileSync(`${EXPECTED_DIR}${dataset}.json`, 'utf8')) as ReferenceSet;
}

export interface CsvTable {
  header: string[];
  rows: string[][];
}

/** RFC 4180 enough for the reference files (the spatial grid quotes WKT with commas). */
export function parseCsv(text: string): CsvTable {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.length > 1 || record[0] !== '') records.push(record);
      record = [];
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const [header = [], ...rows] = records;
  return { header, rows };
}

export function loadData(dataset: string): CsvTable {
  return parseCsv(readFileSync(`${DATA_DIR}${dataset}.csv`, 'utf8'));
}

/** Column values of a CSV table. */
export function column(t: CsvTable, name: string): string[] {
  const j = t.header.indexOf(name);
  if (j < 0) throw new Error(`no column ${name}`);
  return t.rows.map((r) => r[j] as string);
}

/** Row-major units × groups counts for the given columns (and rows, default all). */
export function countTable(t: CsvTable, groups: readonly string[], rows?: readonly number[]): Float64Array {
  const idx = groups.map((g) => {
    const j = t.header.indexOf(g);
    if (j < 0) throw new Error(`no column ${g}`);
    return j;
  });
  const rs = rows ?? t.rows.map((_, i) => i);
  const out = new Float64Array(rs.length * groups.length);
  rs.forEach((r, i) => idx.forEach((j, k) => (out[i * groups.length + k] = Number((t.rows[r] as string[])[j]))));
  return out;
}

const NON_GROUP_COLUMNS = new Set(['area_id', 'kommun', 'lan', 'year', 'total', 'area_m2', 'perimeter_m', 'centroid_x', 'centroid_y', 'wkt']);

/** The group columns of a reference data file. */
export function groupColumns(t: CsvTable): string[] {
  return t.header.filter((h) => !NON_GROUP_COLUMNS.has(h));
}
