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
 * DuckDB, whose messages name the malformed line; so both readers see the same cells and judge them alike (the
 * same checks in the same order, tests/measures/count-sets.test.ts).
 *
 * Cells are kept as positions in the text (typed arrays), not as a string each: a string is made for a --by value
 * only where it differs from the row before, and for a sub-area only while its set is checked for duplicates, so
 * the garbage collector has little to copy.
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
  // A CR only as part of CRLF.
  for (let at = bytes.indexOf(0x0d); at >= 0; at = bytes.indexOf(0x0d, at + 1)) if (bytes[at + 1] !== 0x0a) return null;
  let pos = text.indexOf('\n');
  if (pos < 0) return null; // a header alone: DuckDB says so
  let cap = 0;
  for (let at = pos; at >= 0; at = text.indexOf('\n', at + 1)) cap++;

  const nFields = names.length;
  const nBy = spec.by.length;
  const keys = [...spec.by, ...(spec.within === null ? [] : [spec.within]), spec.unit];
  const nKeys = keys.length;
  const keyIdx = keys.map((name) => names.indexOf(name));
  const groupIdx = spec.groups.map((name) => names.indexOf(name));
  const K = groupIdx.length;
  // Per row: each key's trimmed [start, end) and each count's [start, end); counts that are plain digits, NaN otherwise.
  const keyPos = new Int32Array(cap * nKeys * 2);
  const countPos = new Int32Array(cap * K * 2);
  const counts = spec.groups.map(() => new Float64Array(cap));
  const setOf = new Int32Array(cap);
  const setIds = new Map<string, number>();
  const setBy: string[][] = [];

  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  pos++;
  const fieldStart = new Int32Array(nFields);
  const fieldEnd = new Int32Array(nFields);
  const delimCode = delim.charCodeAt(0);
  let nRows = 0;
  let g = -1;
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
    const r = nRows++;
    for (let k = 0; k < nKeys; k++) {
      const c = keyIdx[k] as number;
      // Spaces off both ends, as DuckDB's trim() (which the DuckDB reader uses), not every kind of whitespace.
      let a = fieldStart[c] as number;
      let b = fieldEnd[c] as number;
      while (a < b && text.charCodeAt(a) === 32) a++;
      while (b > a && text.charCodeAt(b - 1) === 32) b--;
      keyPos[(r * nKeys + k) * 2] = a;
      keyPos[(r * nKeys + k) * 2 + 1] = b;
    }
    for (let k = 0; k < K; k++) {
      const c = groupIdx[k] as number;
      const a = fieldStart[c] as number;
      const b = fieldEnd[c] as number;
      countPos[(r * K + k) * 2] = a;
      countPos[(r * K + k) * 2 + 1] = b;
      let v = b - a >= 1 && b - a <= 15 ? 0 : -1;
      for (let i = a; v >= 0 && i < b; i++) {
        const d = text.charCodeAt(i) - 48;
        v = d >= 0 && d <= 9 ? v * 10 + d : -1;
      }
      (counts[k] as Float64Array)[r] = v >= 0 ? v : Number.NaN;
    }
    // The row's set, numbered in order of first appearance. Rows of a set usually follow each other: the --by
    // values are compared in place with the row before's, and made into strings only when they differ.
    let same = r > 0;
    for (let k = 0; same && k < nBy; k++) same = sameText(text, keyPos, ((r - 1) * nKeys + k) * 2, (r * nKeys + k) * 2);
    if (!same) {
      const values: string[] = [];
      for (let k = 0; k < nBy; k++) values.push(text.slice(keyPos[(r * nKeys + k) * 2], keyPos[(r * nKeys + k) * 2 + 1]));
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
    pos = eol + 1;
  }
  if (nRows === 0) return null;

  // Column by column, as the DuckDB reader judges them. DuckDB reads an empty field as NULL; parseCount gives both
  // the same message.
  spec.groups.forEach((name, k) => {
    const col = counts[k] as Float64Array;
    for (let r = 0; r < nRows; r++) {
      if (!Number.isNaN(col[r] as number)) continue;
      const a = countPos[(r * K + k) * 2] as number;
      const b = countPos[(r * K + k) * 2 + 1] as number;
      col[r] = parseCount(a === b ? null : text.slice(a, b), r, name);
    }
  });
  // Then a missing unit, --by or --within value.
  const keyOrder: Array<[string, number]> = [[spec.unit, nKeys - 1], ...spec.by.map((name, k): [string, number] => [name, k]), ...(spec.within === null ? [] : [[spec.within, nBy] as [string, number]])];
  for (const [name, k] of keyOrder) {
    for (let r = 0; r < nRows; r++) {
      if (keyPos[(r * nKeys + k) * 2] === keyPos[(r * nKeys + k) * 2 + 1]) throw new UsageError(`${file}: ${rowLabel(r)}, column "${name}": missing value`);
    }
  }

  // Rows by set, each set's in file order.
  const nSets = setBy.length;
  const first = new Int32Array(nSets + 1);
  for (let r = 0; r < nRows; r++) {
    const s = (setOf[r] as number) + 1;
    first[s] = (first[s] as number) + 1;
  }
  for (let s = 0; s < nSets; s++) first[s + 1] = (first[s + 1] as number) + (first[s] as number);
  const rowsOfSet = new Int32Array(nRows);
  const fill = first.slice(0, nSets);
  for (let r = 0; r < nRows; r++) {
    const s = setOf[r] as number;
    rowsOfSet[fill[s] as number] = r;
    fill[s] = (fill[s] as number) + 1;
  }
  const key = (r: number, k: number): string => text.slice(keyPos[(r * nKeys + k) * 2], keyPos[(r * nKeys + k) * 2 + 1]);
  const withinK = spec.within === null ? -1 : nBy;
  const unitK = nKeys - 1;

  // Then a sub-area twice in one set (and region): the first in output-set order, then file order.
  const order = sortedSetOrder(setBy);
  const seen = new Map<string, number>();
  for (const s of order) {
    seen.clear();
    for (let j = first[s] as number; j < (first[s + 1] as number); j++) {
      const r = rowsOfSet[j] as number;
      const id = withinK < 0 ? key(r, unitK) : `${key(r, withinK)}\u0000${key(r, unitK)}`;
      const at = seen.get(id);
      if (at === undefined) {
        seen.set(id, r);
        continue;
      }
      const by = setBy[s] as string[];
      const where = withinK < 0 ? '' : ` in ${spec.within} "${key(r, withinK)}"`;
      const inBy = nBy === 0 ? '' : ` for ${spec.by.map((c, i) => `${c} = "${by[i]}"`).join(', ')}`;
      throw new UsageError(`${file}: ${rowLabel(r)}, column "${spec.unit}": sub-area "${key(r, unitK)}" appears again${where}${inBy} (first at ${rowLabel(at)})`);
    }
  }

  return order.map((s) => {
    const a = first[s] as number;
    const m = (first[s + 1] as number) - a;
    const table = new Float64Array(m * K);
    for (let k = 0; k < K; k++) {
      const col = counts[k] as Float64Array;
      for (let j = 0; j < m; j++) table[j * K + k] = col[rowsOfSet[a + j] as number] as number;
    }
    const by = setBy[s] as string[];
    if (withinK < 0) return { by, counts: table, region: null, nRegions: 0 };
    const within = Array.from(rowsOfSet.subarray(a, a + m), (r) => key(r, withinK));
    // Regions numbered in the order of their names, byte by byte as DuckDB's ORDER BY sorts them.
    const namesSorted = [...new Set(within)].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    const id = new Map(namesSorted.map((n, i) => [n, i]));
    return { by, counts: table, region: Uint32Array.from(within, (w) => id.get(w) as number), nRegions: namesSorted.length };
  });
}

/** Whether the text at positions[a], positions[a + 1] equals the text at positions[b], positions[b + 1]. */
function sameText(text: string, positions: Int32Array, a: number, b: number): boolean {
  const a0 = positions[a] as number;
  const b0 = positions[b] as number;
  const n = (positions[a + 1] as number) - a0;
  if ((positions[b + 1] as number) - b0 !== n) return false;
  for (let i = 0; i < n; i++) if (text.charCodeAt(a0 + i) !== text.charCodeAt(b0 + i)) return false;
  return true;
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
