import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { countSetsFromPlainCsv, rowLabel, sortedSetOrder, type CountSet, type CountSpec } from './count-sets.ts';
import { RawDuck } from './duck-raw.ts';

export { rowLabel, sortedSetOrder, type CountSet, type CountSpec };

const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
const HEADER_PEEK_BYTES = 1 << 20;

/**
 * A FROM item reading `file` ($1 = `params[0]`): a CSV's body with every column as text, or a Parquet file, after the
 * checks every reader makes (a regular, non-empty file with every `wanted` column once). `kind` names the format in
 * errors. A CSV's header line is parsed here (delimiter , ; tab or |, double quotes) and DuckDB reads the body with
 * that fixed dialect: letting DuckDB sniff instead would, on a ragged file, pick a different delimiter and report a
 * confusing "missing column" rather than the bad line.
 */
export async function tableSource(db: RawDuck, file: string, wanted: readonly string[]): Promise<{ from: string; params: string[]; kind: 'CSV' | 'Parquet' }> {
  const head = peek(file);
  if (head.length === 0) throw new UsageError(`${file}: the file is empty`);
  const isParquet = head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1';
  if (isParquet) {
    await parquetColumns(db, file, wanted);
    return { from: 'read_parquet($1)', params: [literalDuckdbPath(file)], kind: 'Parquet' };
  }
  return { from: csvSource(file, head, wanted).from, params: [literalDuckdbPath(file)], kind: 'CSV' };
}

/** A DuckDB error while reading `file`, as a UsageError naming the file (and the line of a malformed CSV). */
export function readError(file: string, e: unknown, kind: 'CSV' | 'Parquet'): UsageError {
  return csvError(file, e, kind);
}

/** Only a regular file: a FIFO or device would hang the read or never end; a folder is not a table. */
function checkRegularFile(file: string, st: { isFile(): boolean; isDirectory(): boolean }): void {
  if (st.isDirectory()) throw new UsageError(`${file}: is a directory, not a CSV or Parquet file`);
  if (!st.isFile()) throw new UsageError(`${file}: is not a regular file (a FIFO, device or socket); give a CSV or Parquet file`);
}

/**
 * The path as DuckDB must see it to read exactly this file. DuckDB's read_csv and read_parquet take their path as a
 * glob pattern ("counts[2024].csv" would read counts2.csv, "a*.csv" every match) and have no flag to turn that off;
 * backslash escapes are not recognised either (DuckDB 1.5). A one-character class is: [[] matches "[", [*] "*".
 * The path is made absolute first, so a relative name can never read as a URL (s3://, http://) or ~.
 */
export function literalDuckdbPath(file: string): string {
  return resolve(file).replace(/[[\]*?]/g, (c) => `[${c}]`);
}

function peek(file: string): Buffer {
  let fd: number;
  try {
    checkRegularFile(file, statSync(file));
    // O_NONBLOCK: a FIFO swapped in after the check must not block the open; the fstat below then refuses it.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  try {
    checkRegularFile(file, fstatSync(fd));
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  try {
    const buf = Buffer.alloc(HEADER_PEEK_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } catch (e) {
    throw new UsageError(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** The CSV's header names and a FROM item reading its body as text ($1 = the file), after checking `wanted`. */
function csvSource(file: string, head: Buffer, wanted: readonly string[]): { names: string[]; delim: string; from: string } {
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new UsageError(`${file}: the file is empty`);
  const headerLine = firstLine(text);
  if (headerLine === null) throw new UsageError(`${file}: the header line is longer than ${HEADER_PEEK_BYTES} bytes or has an unclosed quote`);
  const delim = detectDelimiter(headerLine);
  const names = splitCsvLine(headerLine, delim).map((s) => s.trim());
  checkColumns(file, names, wanted);

  // DuckDB needs unique names in `columns`; rename unrequested duplicates or blanks, which nobody can select anyway.
  const seen = new Set<string>();
  const declared = names.map((name, i) => {
    const unique = name === '' || seen.has(name) ? `__column_${i + 1}` : name;
    seen.add(unique);
    return unique;
  });
  const columnsLiteral = `{${declared.map((n) => `${sqlString(n)}: 'VARCHAR'`).join(', ')}}`;
  const from =
    `read_csv($1, columns = ${columnsLiteral}, header = true, auto_detect = false, ` +
    `delim = ${sqlString(delim)}, quote = '"', escape = '"', strict_mode = true, null_padding = false)`;
  return { names, delim, from };
}

/** The Parquet file's columns (name and DuckDB type), after checking `wanted`. */
async function parquetColumns(db: RawDuck, file: string, wanted: readonly string[]): Promise<{ name: string; type: string }[]> {
  let cols: { name: string; type: string }[];
  try {
    const r = await db.rows('SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($1))', [literalDuckdbPath(file)]);
    cols = r.map((x) => ({ name: String(x.column_name), type: String(x.column_type) }));
  } catch (e) {
    throw new UsageError(`${file}: cannot read as Parquet: ${firstMessageLine(e)}`, { cause: e });
  }
  checkColumns(file, cols.map((c) => c.name), wanted);
  return cols;
}

function checkColumns(file: string, names: readonly string[], wanted: readonly string[]): void {
  for (const w of wanted) {
    const hits = names.filter((n) => n === w).length;
    if (hits === 0) {
      const list = names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ');
      throw new UsageError(`${file}: header: no column "${w}" (the file has: ${list})`);
    }
    if (hits > 1) throw new UsageError(`${file}: header: column "${w}" appears ${hits} times`);
  }
}

function csvError(file: string, e: unknown, kind: string): UsageError {
  const msg = e instanceof Error ? e.message : String(e);
  const line = /CSV Error on Line: (\d+)/.exec(msg);
  if (line) {
    const original = /Original Line: ?(.*)/.exec(msg)?.[1];
    const detail = msg
      .split('\n')
      .map((s) => s.trim())
      .find((s) => /Expected Number of Columns|unterminated quote|Invalid unicode|not utf-8|maximum line size/i.test(s));
    const shown = original === undefined ? '' : ` (${JSON.stringify(original.length > 80 ? original.slice(0, 80) + '…' : original)})`;
    return new UsageError(`${file}: line ${line[1]}: malformed CSV: ${detail ?? firstMessageLine(e)}${shown}`, { cause: e });
  }
  return new UsageError(`${file}: cannot read as ${kind}: ${firstMessageLine(e)}`, { cause: e });
}

function firstMessageLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

/** The first line of `text` (without its line break), honouring quotes; null if no line break was found in time. */
function firstLine(text: string): string | null {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) return text.slice(0, i);
  }
  // A file that is only a header without a final newline.
  return inQuotes || text.length >= HEADER_PEEK_BYTES ? null : text;
}

function detectDelimiter(header: string): string {
  let best: string = ',';
  let bestCount = 0;
  for (const d of CSV_DELIMITERS) {
    const count = splitCsvLine(header, d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

function splitCsvLine(line: string, delim: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQuotes = false;
      } else cur += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === delim) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/**
 * trim(col) as DuckDB computes it (Unicode space separators off both ends), without its cost where it changes
 * nothing: an ASCII string (as many bytes as characters) whose ends are not a space is returned as it is. trim()
 * copies every string it is given, 0.3 s CPU for five million keys; the test costs a third of that.
 */
export const TRIM_SQL = (col: string): string =>
  `CASE WHEN strlen(${col}) = length(${col}) AND ascii(${col}) <> 32 AND NOT suffix(${col}, ' ') THEN ${col} ELSE trim(${col}) END`;

/**
 * Plain whole numbers (up to 15 digits: exact as a double, without leading zeros) are read in SQL; anything else
 * ("12.0", "1e3", " 7", "-1", "007", "many", empty) goes as text to `parseCount`, so the rules live in one place.
 * `num` is the cell `col` cast to UBIGINT (NULL where it is none): DuckDB's cast also reads "+7", " 7", "7.0" and "1_000",
 * but only a plain number's digits are written back the same, which costs less than a regular expression per cell.
 */
const PLAIN_COUNT_SQL = (col: string, num: string): string => `(length(${col}) <= 15 AND CAST(${num} AS VARCHAR) = ${col})`;

/**
 * Up to this size a plain CSV (count-sets.ts) is read in JavaScript: below it, starting DuckDB costs more than the
 * reading. 49,257 rows (1.4 MB) take about 25 ms in JavaScript against about 120 ms through DuckDB.
 */
export const PLAIN_CSV_MAX_BYTES = 8 << 20;

/**
 * The reader's DuckDB memory limit unless SEGFOLLOW_MEMORY_LIMIT says otherwise. Not the warehouse's default
 * (memory-limit.ts, 300MB since session 13): issue 10 goal 4 (5 million units in ≤ 5 s, < 1 GB) was measured at this
 * one (3.98 s, 818 MB). Beyond it DuckDB spills to a temporary folder, so a table of millions of rows stays well under
 * a gigabyte (DuckDB's own default is 80% of the RAM).
 */
export const READER_MEMORY_LIMIT = '500MB';

/** DuckDB settings of the in-memory database that reads a user's table. */
export function readerSettings(): Record<string, string> {
  // The same knob as the warehouse (SEGFOLLOW_MEMORY_LIMIT), so one setting bounds a whole machine's DuckDB use.
  return { memory_limit: process.env.SEGFOLLOW_MEMORY_LIMIT?.trim() || READER_MEMORY_LIMIT };
}

/**
 * The table as count sets in output order (sortedSetOrder). A plain CSV of up to `plainCsvMaxBytes` is read in
 * JavaScript (count-sets.ts); anything else is validated and grouped inside DuckDB, where only typed numbers cross
 * into JavaScript, never a cell as text (except counts that are not plain integers, judged by `parseCount`), so a
 * 5-million-row file costs seconds and a few hundred MB instead of minutes and gigabytes.
 * The checks and their messages (file, row, column, value) are those of count-sets.ts, in the same order: each count column in turn, then the unit, --by and --within columns, then duplicate sub-areas.
 */
export async function readCountSets(
  file: string,
  spec: CountSpec,
  parseCount: (raw: string | null, row: number, column: string) => number,
  opts: { plainCsvMaxBytes: number } = { plainCsvMaxBytes: PLAIN_CSV_MAX_BYTES },
): Promise<{ file: string; sets: CountSet[] }> {
  const head = peek(file);
  if (head.length === 0) throw new UsageError(`${file}: the file is empty`);
  const isParquet = head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1';
  const keys = [...spec.by, ...(spec.within === null ? [] : [spec.within]), spec.unit];
  const wanted = [...keys, ...spec.groups];
  if (!isParquet && statSync(file).size <= opts.plainCsvMaxBytes) {
    const { names, delim } = csvSource(file, head, wanted);
    const sets = countSetsFromPlainCsv(file, readFileSync(file), names, delim, spec, parseCount);
    if (sets !== null) return { file, sets };
  }
  const db = await RawDuck.open(readerSettings());
  try {
    let from: string;
    if (isParquet) {
      await parquetColumns(db, file, wanted);
      from = 'read_parquet($1)';
    } else {
      from = csvSource(file, head, wanted).from;
    }
    // One scan of the file into a table: k0… the trimmed keys, c0… the plain counts as DOUBLE (NULL otherwise) and
    // o0… the text of the other count cells only (NULL for the plain ones, so they cost no string). rowid is the
    // row's place in the file (a plain scan keeps insertion order).
    const inner = [
      ...keys.map((c, i) => `${TRIM_SQL(`CAST(${sqlIdent(c)} AS VARCHAR)`)} AS k${i}`),
      ...spec.groups.flatMap((c, i) => [`CAST(${sqlIdent(c)} AS VARCHAR) AS t${i}`, `TRY_CAST(CAST(${sqlIdent(c)} AS VARCHAR) AS UBIGINT) AS n${i}`]),
    ];
    const cols = [
      ...keys.map((_, i) => `k${i}`),
      ...spec.groups.flatMap((_, i) => [`CASE WHEN ${PLAIN_COUNT_SQL(`t${i}`, `n${i}`)} THEN CAST(n${i} AS DOUBLE) END AS c${i}`, `CASE WHEN ${PLAIN_COUNT_SQL(`t${i}`, `n${i}`)} THEN NULL ELSE t${i} END AS o${i}`]),
    ];
    try {
      await db.run(`CREATE TEMP TABLE t AS SELECT ${cols.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${from})`, [literalDuckdbPath(file)]);
    } catch (e) {
      throw csvError(file, e, isParquet ? 'Parquet' : 'CSV');
    }
    // One scan for the row count, the first missing value of each key column (checked below in the old order) and
    // whether any count is not a plain integer.
    const keyOrder = [spec.unit, ...spec.by, ...(spec.within === null ? [] : [spec.within])];
    const missing = keyOrder.map((name, j) => {
      const k = `k${keys.indexOf(name)}`;
      return `min(rowid) FILTER (WHERE ${k} IS NULL OR ${k} = '')::DOUBLE AS m${j}`;
    });
    const anyOdd = spec.groups.map((_, i) => `c${i} IS NULL`).join(' OR ');
    const [stats = {}] = await db.rows(`SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE ${anyOdd})::DOUBLE AS odd, ${missing.join(', ')} FROM t`);
    if (Number(stats.n ?? 0) === 0) throw new UsageError(`${file}: no data rows below the header`);

    // Counts that are not plain integers: few in any real file; each is judged (and a bad one refused) in JS,
    // column by column and row by row as before.
    const fixes: Map<number, number>[] = spec.groups.map(() => new Map<number, number>());
    if (Number(stats.odd) > 0) {
      const odd = await db.rows(
        spec.groups.map((_, i) => `SELECT ${i}::INTEGER AS col, rowid::DOUBLE AS r, o${i} AS v FROM t WHERE c${i} IS NULL`).join(' UNION ALL ') + ' ORDER BY col, r',
      );
      for (const o of odd) {
        const i = Number(o.col);
        (fixes[i] as Map<number, number>).set(Number(o.r), parseCount(o.v === null ? null : String(o.v), Number(o.r), spec.groups[i] as string));
      }
    }
    keyOrder.forEach((name, j) => {
      const r = stats[`m${j}`];
      if (r !== null && r !== undefined) throw new UsageError(`${file}: ${rowLabel(Number(r))}, column "${name}": missing value`);
    });

    const byCols = spec.by.map((_, i) => `k${i}`);
    const withinCol = spec.within === null ? null : `k${spec.by.length}`;
    const unitCol = `k${keys.length - 1}`;

    let setBy: string[][] = [[]];
    let join = 't';
    let gidCol = '0::INTEGER';
    if (byCols.length > 0) {
      await db.run(
        `CREATE TEMP TABLE s AS SELECT ${byCols.join(', ')}, (row_number() OVER (ORDER BY ${byCols.join(', ')}) - 1)::INTEGER AS gid ` +
          `FROM (SELECT DISTINCT ${byCols.join(', ')} FROM t)`,
      );
      const setRows = await db.read(`SELECT ${byCols.join(', ')} FROM s ORDER BY gid`);
      setBy = Array.from({ length: setRows.rowCount }, (_, g) => setRows.columns.map((col) => String(col[g])));
      join = `t JOIN s USING (${byCols.join(', ')})`;
      gidCol = 'gid';
    }

    // A sub-area twice in one set (and region): reported as the line-by-line reading would meet it. The cheap
    // test first (no lists kept per sub-area, and grouped by a 64-bit hash of the keys rather than the strings; a
    // collision, odds about 1e-6 in five million rows, only costs the exact query, which then finds nothing); the
    // details only for a file that has duplicates.
    const keyCols = [...byCols, ...(withinCol === null ? [] : [withinCol]), unitCol].join(', ');
    const [dupCount] = await db.rows(`SELECT count(*)::DOUBLE AS n FROM (SELECT 1 FROM t GROUP BY hash(${keyCols}) HAVING count(*) > 1)`);
    const dups =
      Number(dupCount?.n ?? 0) === 0
        ? []
        : await db.rows(
            `SELECT ${gidCol} AS gid, ${withinCol ?? "''"} AS w, ${unitCol} AS u, min(t.rowid)::DOUBLE AS first, list_sort(list(t.rowid))[2]::DOUBLE AS again ` +
              `FROM ${join} GROUP BY ALL HAVING count(*) > 1`,
        );
    if (dups.length > 0) {
      const order = sortedSetOrder(setBy);
      const rank = new Map(order.map((g, i) => [g, i]));
      dups.sort((a, b) => (rank.get(Number(a.gid)) ?? 0) - (rank.get(Number(b.gid)) ?? 0) || Number(a.again) - Number(b.again));
      const d = dups[0] as Record<string, unknown>;
      const by = setBy[Number(d.gid)] ?? [];
      const where = spec.within === null ? '' : ` in ${spec.within} "${String(d.w)}"`;
      const inBy = spec.by.length === 0 ? '' : ` for ${spec.by.map((c, i) => `${c} = "${by[i]}"`).join(', ')}`;
      throw new UsageError(
        `${file}: ${rowLabel(Number(d.again))}, column "${spec.unit}": sub-area "${String(d.u)}" appears again${where}${inBy} (first at ${rowLabel(Number(d.first))})`,
      );
    }

    // Every row's set (and region) and counts, streamed in whatever order DuckDB's threads give them and put back in
    // file order by rowid (0 … n − 1 in a table just created): no sort and no copy of the result inside DuckDB.
    const K = spec.groups.length;
    const n = Number(stats.n);
    const setOfRow = new Int32Array(n);
    const regionOfRow = withinCol === null ? null : new Int32Array(n);
    const countCols = spec.groups.map(() => new Float64Array(n));
    const select = [
      't.rowid::DOUBLE AS r',
      `${gidCol} AS gid`,
      ...(withinCol === null ? [] : [`(dense_rank() OVER (PARTITION BY ${gidCol} ORDER BY ${withinCol}) - 1)::INTEGER AS region`]),
      ...spec.groups.map((_, i) => `c${i}`),
    ];
    await db.scan(`SELECT ${select.join(', ')} FROM ${join}`, [], (cols, len) => {
      const rowId = cols[0] as Float64Array;
      const gid = cols[1] as Int32Array;
      const region = regionOfRow === null ? null : (cols[2] as Int32Array);
      const first = regionOfRow === null ? 2 : 3;
      for (let j = 0; j < len; j++) {
        const r = rowId[j] as number;
        setOfRow[r] = gid[j] as number;
        if (region !== null) (regionOfRow as Int32Array)[r] = region[j] as number;
      }
      for (let k = 0; k < K; k++) {
        const from = cols[first + k] as Float64Array;
        const to = countCols[k] as Float64Array;
        for (let j = 0; j < len; j++) to[rowId[j] as number] = from[j] as number;
      }
    });
    // Counts that were not plain integers, as parseCount judged them.
    fixes.forEach((fix, k) => {
      for (const [r, v] of fix) (countCols[k] as Float64Array)[r] = v;
    });
    const sizes = new Int32Array(setBy.length);
    for (let r = 0; r < n; r++) {
      const g = setOfRow[r] as number;
      sizes[g] = (sizes[g] as number) + 1;
    }
    const tables = setBy.map((_, g) => new Float64Array((sizes[g] as number) * K));
    const regions = setBy.map((_, g) => (regionOfRow === null ? null : new Uint32Array(sizes[g] as number)));
    const fill = new Int32Array(setBy.length);
    for (let r = 0; r < n; r++) {
      const g = setOfRow[r] as number;
      const j = fill[g] as number;
      fill[g] = j + 1;
      const table = tables[g] as Float64Array;
      for (let k = 0; k < K; k++) table[j * K + k] = (countCols[k] as Float64Array)[r] as number;
      if (regionOfRow !== null) (regions[g] as Uint32Array)[j] = regionOfRow[r] as number;
    }
    const sets: CountSet[] = setBy.map((by, g) => {
      const reg = regions[g] ?? null;
      let nRegions = 0;
      if (reg !== null) for (const x of reg) nRegions = Math.max(nRegions, x + 1);
      return { by, counts: tables[g] as Float64Array, region: reg, nRegions };
    });
    return { file, sets: sortedSetOrder(sets.map((x) => x.by)).map((i) => sets[i] as CountSet) };
  } finally {
    db.close();
  }
}
