import { UsageError } from '../errors.ts';

/** What `readCountSets` reads: count columns, the sub-area id, and optional set and region keys. */
export interface CountSpec {
  readonly unit: string;
  readonly groups: readonly string[];
  readonly by: readonly string[];
  readonly within: string | null;
}

/** One --by combination's sub-areas, in file order. */
export interface CountSet {
  readonly by: readonly string[];
  /** Row-major sub-areas × groups. */
  readonly counts: Float64Array;
  /** Region (--within) of each sub-area, 0-based within the set in the order of the region names; null without --within. */
  readonly region: Uint32Array | null;
  readonly nRegions: number;
}

/** Rows are numbered from 1 at the first data row below the header; blank CSV lines are not rows. */
export function rowLabel(row: number): string {
  return `row ${row + 1}`;
}

/**
 * The count sets of a small, plain CSV file, read in JavaScript: for a table of a few MB this is several times
 * cheaper than starting DuckDB (about 100 ms of a `segfollow indices` run that should take a third of a second).
 *
 * Only a plain file is read here: no quote character anywhere, valid UTF-8, no bare CR, no blank line inside, every
 * line with the header's number of fields. For anything else this returns null and the caller reads the file with
 * DuckDB, whose messages name the malformed line; so both readers see the same cells, and what they check
 * (`checkCountSets`) is one function.
 */
export function countSetsFromPlainCsv(
  file: string,
  bytes: Buffer,
  names: readonly string[],
  delim: string,
  spec: CountSpec,
  parseCount: (raw: string | null, row: number, column: string) => number,
): CountSet[] | null {
  if (bytes.includes(0x22)) return null; // a quote: DuckDB's dialect decides
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
  const nFields = names.length;
  const colIndex = (name: string): number => names.indexOf(name);
  const keys = [...spec.by, ...(spec.within === null ? [] : [spec.within]), spec.unit];
  const keyIdx = keys.map(colIndex);
  const groupIdx = spec.groups.map(colIndex);
  const keyCols: string[][] = keys.map(() => []);
  // Count cells as positions in the text: a plain integer is read from its digits, without a string per cell.
  const groupStart: number[][] = spec.groups.map(() => []);
  const groupEnd: number[][] = spec.groups.map(() => []);
  // A CR only as part of CRLF.
  for (let at = bytes.indexOf(0x0d); at >= 0; at = bytes.indexOf(0x0d, at + 1)) if (bytes[at + 1] !== 0x0a) return null;

  let pos = text.indexOf('\n');
  if (pos < 0) return null; // a header alone: DuckDB says so
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  pos++;
  const fieldStart = new Int32Array(nFields);
  const fieldEnd = new Int32Array(nFields);
  const delimCode = delim.charCodeAt(0);
  while (pos <= end) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const lineEnd = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (lineEnd === pos) return null; // a blank line
    let f = 0;
    let start = pos;
    for (let i = pos; i <= lineEnd; i++) {
      if (i === lineEnd || text.charCodeAt(i) === delimCode) {
        if (f === nFields) return null;
        fieldStart[f] = start;
        fieldEnd[f] = i;
        f++;
        start = i + 1;
      }
    }
    if (f !== nFields) return null;
    for (let k = 0; k < keyIdx.length; k++) {
      const c = keyIdx[k] as number;
      (keyCols[k] as string[]).push(trimSpaces(text.slice(fieldStart[c] as number, fieldEnd[c] as number)));
    }
    for (let g = 0; g < groupIdx.length; g++) {
      const c = groupIdx[g] as number;
      (groupStart[g] as number[]).push(fieldStart[c] as number);
      (groupEnd[g] as number[]).push(fieldEnd[c] as number);
    }
    pos = eol + 1;
  }
  const nRows = (keyCols[0] as string[]).length;
  if (nRows === 0) return null;
  // Column by column, as the DuckDB reader judges them. DuckDB reads an empty field as NULL; parseCount gives both
  // the same message.
  const counts = spec.groups.map((name, g) => {
    const out = new Float64Array(nRows);
    const starts = groupStart[g] as number[];
    const ends = groupEnd[g] as number[];
    for (let r = 0; r < nRows; r++) {
      const a = starts[r] as number;
      const b = ends[r] as number;
      let v = b - a >= 1 && b - a <= 15 ? 0 : -1;
      for (let i = a; v >= 0 && i < b; i++) {
        const d = text.charCodeAt(i) - 48;
        v = d >= 0 && d <= 9 ? v * 10 + d : -1;
      }
      out[r] = v >= 0 ? v : parseCount(a === b ? null : text.slice(a, b), r, name);
    }
    return out;
  });
  return checkCountSets(file, spec, keyCols, counts);
}

/** Spaces off both ends, as DuckDB's trim() (which the DuckDB reader uses), not every kind of whitespace. */
function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * The checks after the counts (each count column was judged in turn by parseCount): a missing unit, --by or
 * --within value, then a sub-area twice in one set (and region), as the line-by-line reading would meet it; then
 * the sets in output order (sortedSetOrder), each in file order. `keyCols` are the trimmed --by, --within and unit columns in that order.
 */
function checkCountSets(file: string, spec: CountSpec, keyCols: readonly string[][], counts: readonly Float64Array[]): CountSet[] {
  const nBy = spec.by.length;
  const unitCol = keyCols[keyCols.length - 1] as string[];
  const withinCol = spec.within === null ? null : (keyCols[nBy] as string[]);
  const nRows = unitCol.length;
  const keyOrder: Array<[string, string[]]> = [
    [spec.unit, unitCol],
    ...spec.by.map((name, i): [string, string[]] => [name, keyCols[i] as string[]]),
    ...(withinCol === null ? [] : [[spec.within as string, withinCol] as [string, string[]]]),
  ];
  for (const [name, col] of keyOrder) {
    const r = col.indexOf('');
    if (r >= 0) throw new UsageError(`${file}: ${rowLabel(r)}, column "${name}": missing value`);
  }

  // Set of each row, numbered in order of first appearance. Rows of a set usually follow each other: the key is
  // built only when a row's --by values differ from the row before.
  const setOf = new Int32Array(nRows);
  const setIds = new Map<string, number>();
  const setBy: string[][] = [];
  const byCols = keyCols.slice(0, nBy);
  let g = -1;
  for (let r = 0; r < nRows; r++) {
    let same = g >= 0;
    for (let i = 0; same && i < nBy; i++) same = (byCols[i] as string[])[r] === (setBy[g] as string[])[i];
    if (!same) {
      const values = byCols.map((col) => col[r] as string);
      const key = values.join('\u0000');
      let id = setIds.get(key);
      if (id === undefined) {
        id = setBy.length;
        setIds.set(key, id);
        setBy.push(values);
      }
      g = id;
    }
    setOf[r] = g;
  }
  const order = sortedSetOrder(setBy);
  const rank = new Int32Array(setBy.length);
  order.forEach((g, i) => (rank[g] = i));

  // The first duplicate in output-set order, then file order.
  const firstAt = setBy.map(() => new Map<string, number>());
  let dup: { again: number; first: number } | null = null;
  for (let r = 0; r < nRows; r++) {
    const key = withinCol === null ? (unitCol[r] as string) : `${withinCol[r]}\u0000${unitCol[r]}`;
    const seen = firstAt[setOf[r] as number] as Map<string, number>;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, r);
    else if (dup === null || (rank[setOf[r] as number] as number) < (rank[setOf[dup.again] as number] as number)) dup = { again: r, first };
  }
  if (dup !== null) {
    const by = setBy[setOf[dup.again] as number] as string[];
    const where = withinCol === null ? '' : ` in ${spec.within} "${withinCol[dup.again]}"`;
    const inBy = nBy === 0 ? '' : ` for ${spec.by.map((c, i) => `${c} = "${by[i]}"`).join(', ')}`;
    throw new UsageError(
      `${file}: ${rowLabel(dup.again)}, column "${spec.unit}": sub-area "${unitCol[dup.again]}" appears again${where}${inBy} (first at ${rowLabel(dup.first)})`,
    );
  }

  const K = counts.length;
  const sizes = new Int32Array(setBy.length);
  for (let r = 0; r < nRows; r++) {
    const g = setOf[r] as number;
    sizes[g] = (sizes[g] as number) + 1;
  }
  const tables = setBy.map((_, g) => new Float64Array((sizes[g] as number) * K));
  const rowsOf: number[][] = setBy.map(() => []);
  const fill = new Int32Array(setBy.length);
  for (let r = 0; r < nRows; r++) {
    const g = setOf[r] as number;
    const j = fill[g] as number;
    fill[g] = j + 1;
    const t = tables[g] as Float64Array;
    for (let k = 0; k < K; k++) t[j * K + k] = (counts[k] as Float64Array)[r] as number;
    if (withinCol !== null) (rowsOf[g] as number[]).push(r);
  }
  return order.map((g) => {
    const by = setBy[g] as string[];
    if (withinCol === null) return { by, counts: tables[g] as Float64Array, region: null, nRegions: 0 };
    const rows = rowsOf[g] as number[];
    // Regions numbered in the order of their names, byte by byte as DuckDB's ORDER BY sorts them.
    const namesSorted = [...new Set(rows.map((r) => withinCol[r] as string))].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const id = new Map(namesSorted.map((n, i) => [n, i]));
    return { by, counts: tables[g] as Float64Array, region: Uint32Array.from(rows, (r) => id.get(withinCol[r] as string) as number), nRegions: namesSorted.length };
  });
}

/** Set indices in output order: element-wise, numerically where both sides are integers (years, codes). */
export function sortedSetOrder(keys: readonly (readonly string[])[]): number[] {
  // Each key's numeric reading once, not once per comparison.
  const nums = keys.map((k) => k.map((x) => (INTEGER.test(x) ? Number(x) : Number.NaN)));
  return keys.map((_, i) => i).sort((a, b) => compareParsed(keys[a] as readonly string[], keys[b] as readonly string[], nums[a] as number[], nums[b] as number[]));
}

function compareParsed(a: readonly string[], b: readonly string[], na: readonly number[], nb: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const d = (na[i] as number) - (nb[i] as number);
    // NaN unless both are integers.
    if (d !== 0 && !Number.isNaN(d)) return d;
    return x < y ? -1 : 1;
  }
  return 0;
}
const INTEGER = /^-?\d{1,15}$/;
