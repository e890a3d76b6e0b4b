import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { UsageError } from '../errors.ts';

/**
 * A CSV or Parquet file read as text: every requested column as strings (null where empty), in file order.
 * Reading everything as text first means a bad cell is reported by our own validation with its row and column,
 * instead of DuckDB's type sniffer guessing a type and failing (or silently coercing) somewhere else.
 */
export interface TextTable {
  readonly file: string;
  readonly format: 'csv' | 'parquet';
  /** Every column in the file, in order. */
  readonly columnNames: readonly string[];
  readonly nRows: number;
  /** The requested columns. */
  readonly columns: ReadonlyMap<string, readonly (string | null)[]>;
}

/** Rows are numbered from 1 at the first data row below the header; blank CSV lines are not rows. */
export function rowLabel(row: number): string {
  return `row ${row + 1}`;
}

const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
const HEADER_PEEK_BYTES = 1 << 20;

/**
 * Reads `wanted` columns of `file`. Throws UsageError (exit 2) naming the file for an unreadable or empty file,
 * a missing or duplicated column, a malformed CSV line, or a file without data rows.
 *
 * CSV: the header line is parsed here (delimiter , ; tab or |, double quotes) and DuckDB reads the body with
 * that fixed dialect and every column as VARCHAR. Letting DuckDB sniff instead would, on a ragged file, pick a
 * different delimiter and report a confusing "missing column" rather than the bad line.
 */
export async function readTable(file: string, wanted: readonly string[]): Promise<TextTable> {
  const head = peek(file);
  if (head.length === 0) throw new UsageError(`${file}: the file is empty`);
  const isParquet = head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1';

  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    try {
      return isParquet ? await readParquet(conn, file, wanted) : await readCsv(conn, file, head, wanted);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
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

async function readCsv(conn: DuckDBConnection, file: string, head: Buffer, wanted: readonly string[]): Promise<TextTable> {
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
  const select = wanted.map(sqlIdent).join(', ');
  const sql =
    `SELECT ${select} FROM read_csv($1, columns = ${columnsLiteral}, header = true, auto_detect = false, ` +
    `delim = ${sqlString(delim)}, quote = '"', escape = '"', strict_mode = true, null_padding = false)`;
  const columns = await run(conn, sql, file, 'CSV');
  return finish(file, 'csv', names, wanted, columns);
}

async function readParquet(conn: DuckDBConnection, file: string, wanted: readonly string[]): Promise<TextTable> {
  let names: string[];
  try {
    const r = await conn.runAndReadAll('SELECT * FROM read_parquet($1) LIMIT 0', [literalDuckdbPath(file)]);
    names = r.columnNames();
  } catch (e) {
    throw new UsageError(`${file}: cannot read as Parquet: ${firstMessageLine(e)}`, { cause: e });
  }
  checkColumns(file, names, wanted);
  const select = wanted.map((c) => `CAST(${sqlIdent(c)} AS VARCHAR) AS ${sqlIdent(c)}`).join(', ');
  const columns = await run(conn, `SELECT ${select} FROM read_parquet($1)`, file, 'Parquet');
  return finish(file, 'parquet', names, wanted, columns);
}

async function run(conn: DuckDBConnection, sql: string, file: string, kind: string): Promise<(string | null)[][]> {
  try {
    const reader = await conn.runAndReadAll(sql, [literalDuckdbPath(file)]);
    // Without ORDER BY DuckDB still returns a plain scan in file order (preserve_insertion_order is on by default).
    return reader.getColumnsJS().map((col) => col.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v))));
  } catch (e) {
    throw csvError(file, e, kind);
  }
}

function finish(
  file: string,
  format: 'csv' | 'parquet',
  names: readonly string[],
  wanted: readonly string[],
  cols: (string | null)[][],
): TextTable {
  const nRows = cols[0]?.length ?? 0;
  if (nRows === 0) throw new UsageError(`${file}: no data rows below the header`);
  const columns = new Map<string, readonly (string | null)[]>();
  wanted.forEach((name, i) => columns.set(name, cols[i] ?? []));
  return { file, format, columnNames: names, nRows, columns };
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
