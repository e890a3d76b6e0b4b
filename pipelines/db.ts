import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { DuckDBInstance, DuckDBTypeId, JSDuckDBValueConverter, type DuckDBConnection, type DuckDBDataChunk, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import { EnvironmentError, environmentError, LockError, StageError, UsageError } from './errors.ts';
import { DEFAULT_MEMORY_LIMIT } from './memory-limit.ts';

export type Params = Record<string, DuckDBValue>;
export type Row = Record<string, string | number | boolean | null>;

export const SQL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'sql');
const sqlCache = new Map<string, string>();

/** The text of `sql/<name>.sql`. Names are paths without the extension, e.g. `indicators/employment_rate`. */
export function sqlFile(name: string): string {
  let text = sqlCache.get(name);
  if (text === undefined) {
    text = readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8');
    sqlCache.set(name, text);
  }
  return text;
}

/** Settings every warehouse instance of this process opens with (configureWarehouse). */
let warehouseOptions: Record<string, string> = { memory_limit: DEFAULT_MEMORY_LIMIT };

/**
 * DuckDB settings for every warehouse this process opens: `memoryLimit` (config key, SEGFOLLOW_MEMORY_LIMIT; null:
 * DEFAULT_MEMORY_LIMIT) caps DuckDB's buffer memory; above it DuckDB spills to its temporary folder
 * (<warehouse>.tmp) instead of growing.
 */
export function configureWarehouse(opts: { memoryLimit: string | null }): void {
  warehouseOptions = { memory_limit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT };
}

/** The memory_limit every warehouse of this process opens with, as configured (e.g. "500MB"). */
export function memoryLimit(): string {
  return warehouseOptions.memory_limit ?? DEFAULT_MEMORY_LIMIT;
}

/**
 * Opens the warehouse, hands a connection to `fn` and always closes both. One DuckDB file admits one process,
 * so stages hold a connection only while they run.
 */
export async function withConnection<T>(path: string, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, warehouseOptions);
  } catch (e) {
    // A corrupt file, a folder at the path, a read-only or full disk: the machine's problem, named with the path.
    throw new EnvironmentError(`--warehouse ${path}: cannot open it as a DuckDB warehouse (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  return withInstance(instance, fn);
}

/** Runs `fn` on a connection to an opened instance, closing both whatever happens. */
async function withInstance<T>(instance: DuckDBInstance, fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  try {
    const conn = await instance.connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * Opens an existing warehouse read-only (never creating one) for commands that only read it. `null` to `fn` when no
 * file is there but its folder exists (nothing has run yet). A missing folder, a folder at the path or a file that
 * is not a DuckDB database: UsageError (exit 2) naming the path; a run holding it open for writing: LockError (exit 3).
 */
export async function withReadOnlyConnection<T>(path: string, fn: (conn: DuckDBConnection | null) => Promise<T>): Promise<T> {
  if (!existsSync(path)) {
    const parent = dirname(path);
    if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UsageError(`--warehouse ${path}: the folder ${parent} does not exist`);
    return fn(null);
  }
  if (!statSync(path).isFile()) throw new UsageError(`--warehouse ${path}: not a file`);
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { ...warehouseOptions, access_mode: 'READ_ONLY' });
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) throw new LockError(`the warehouse ${path} is open in a running segfollow; try again when it ends (${msg})`, { cause: e });
    throw new UsageError(`--warehouse ${path}: cannot open it as a DuckDB warehouse (${msg})`, { cause: e });
  }
  return withInstance(instance, fn);
}

/** Connections inside a transaction that inTransaction opened. */
const openTransactions = new WeakSet<DuckDBConnection>();

/**
 * BEGIN … COMMIT that rolls back on any thrown error. DuckDB does not abort a transaction on a parser error and
 * silently rolls back at COMMIT after a runtime error; both would otherwise look like success. Called inside
 * another inTransaction on the same connection it joins that transaction (DuckDB cannot nest them, and a second
 * BEGIN would abort the first): the outermost call commits or rolls back everything.
 */
export async function inTransaction<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  if (openTransactions.has(conn)) return fn();
  await conn.run('BEGIN TRANSACTION');
  openTransactions.add(conn);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    openTransactions.delete(conn);
    await conn.run('ROLLBACK');
    throw e;
  }
  openTransactions.delete(conn);
  await conn.run('COMMIT');
  return result;
}

/** Runs a statement (or, without params, a script of statements) and returns nothing. */
export async function exec(conn: DuckDBConnection, sql: string, params?: Params): Promise<void> {
  try {
    await (params ? conn.run(sql, params) : conn.run(sql));
  } catch (e) {
    throw environmentError(e, 'the warehouse') ?? new StageError(`SQL failed: ${(e as Error).message}\n--- in ---\n${sql.slice(0, 400)}`, { cause: e });
  }
}

/** Runs `sql/<name>.sql` with bound parameters. */
export async function execFile(conn: DuckDBConnection, name: string, params?: Params): Promise<void> {
  try {
    await (params ? conn.run(sqlFile(name), params) : conn.run(sqlFile(name)));
  } catch (e) {
    throw fileError(name, e);
  }
}

/**
 * Rows as plain objects. BIGINT/HUGEINT become numbers (throwing if unsafe) because Vega and JSON silently
 * mishandle BigInt; dates and timestamps become ISO strings.
 */
export async function query(conn: DuckDBConnection, sql: string, params?: Params): Promise<Row[]> {
  let result;
  try {
    result = await (params ? conn.run(sql, params) : conn.run(sql));
  } catch (e) {
    throw environmentError(e, 'the warehouse') ?? new StageError(`SQL failed: ${(e as Error).message}\n--- in ---\n${sql.slice(0, 400)}`, { cause: e });
  }
  // The answer is already whole in DuckDB (materialized): its chunks are taken as they are, without an await each.
  const names = result.columnNames();
  const strings = new Map<string, string>();
  const rows: Row[] = [];
  const chunks = result.chunkCount;
  for (let i = 0; i < chunks; i++) appendRows(rows, names, result.getChunk(i), strings);
  return rows;
}

export async function queryFile(conn: DuckDBConnection, name: string, params?: Params): Promise<Row[]> {
  try {
    return await query(conn, sqlFile(name), params);
  } catch (e) {
    if (e instanceof EnvironmentError) throw e;
    throw new StageError(`sql/${name}.sql failed: ${(e as Error).message}`, { cause: e });
  }
}

/** Strings up to this length are shared within one answer (shared). */
const SHARED_STRING_MAX = 64;

/** Column types whose values the binding already gives as the plain value (number, string, boolean) its converter would. */
const PLAIN_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.VARCHAR,
]);

/** `v`, or the first copy of the same short string met in this answer (`strings`). */
function shared<V>(v: V, strings: Map<string, string>): V {
  if (typeof v !== 'string' || v.length > SHARED_STRING_MAX) return v;
  const seen = strings.get(v);
  if (seen === undefined) strings.set(v, v);
  return (seen ?? v) as V;
}

/**
 * A chunk's rows appended to `rows` as plain objects (toPlain on every value), as query and streamFile give them;
 * a column at a time, so each column's vector and type are looked up once, not once a cell (the binding's row
 * reader asks the native chunk for its column count on every row and converts each cell through a closure).
 * Every row gets its keys in column order, as a row reader's object would. The binding makes a new string for every
 * cell, and an answer repeats few (statuses, codes, names, area versions): the report stage's run-wide answers held
 * 920,000 strings of which 27 of 42 MB were copies. Short strings seen before in the same answer (`strings`) are
 * given as the first copy, so the others die young.
 */
function appendRows(rows: Row[], names: readonly string[], chunk: DuckDBDataChunk, strings: Map<string, string>, firstColumn = 0): void {
  const n = chunk.rowCount;
  const start = rows.length;
  for (let r = 0; r < n; r++) rows.push({});
  for (let c = firstColumn; c < names.length; c++) {
    const k = names[c] as string;
    const vector = chunk.getColumnVector(c);
    const type = vector.type;
    if (type.typeId === DuckDBTypeId.VARCHAR) {
      for (let r = 0; r < n; r++) {
        (rows[start + r] as Row)[k] = shared(vector.getItem(r) as string | null, strings);
      }
    } else if (PLAIN_TYPES.has(type.typeId)) {
      for (let r = 0; r < n; r++) (rows[start + r] as Row)[k] = vector.getItem(r) as number | boolean | null;
    } else {
      for (let r = 0; r < n; r++) {
        (rows[start + r] as Row)[k] = shared(toPlain(JSDuckDBValueConverter(vector.getItem(r), type, JSDuckDBValueConverter), k), strings);
      }
    }
  }
}

/**
 * Rows of `sql/<name>.sql` grouped by its first columns, named `keyNames`, which are left out of the rows: by the key
 * columns' values as text joined by U+0000, in the order the keys first come, each group's rows in the answer's
 * order; the rows as queryFile gives them otherwise. For answers of every scope at once that each report takes its
 * part of: no row object is made twice to drop its key columns, and a key is made once per run of equal keys (the
 * answers come ordered by them).
 */
export async function queryFileGroups(conn: DuckDBConnection, name: string, params: Params, keyNames: readonly string[]): Promise<Map<string, Row[]>> {
  let result;
  try {
    result = await conn.run(sqlFile(name), params);
  } catch (e) {
    throw fileError(name, e);
  }
  const names = result.columnNames();
  const keyColumns = keyNames.length;
  if (keyNames.some((k, i) => names[i] !== k)) throw new StageError(`sql/${name}.sql: its first columns are ${names.slice(0, keyColumns).join(', ')}, not the keys ${keyNames.join(', ')}`);
  const strings = new Map<string, string>();
  const groups = new Map<string, Row[]>();
  const previous: string[] = [];
  let group: Row[] = [];
  const chunks = result.chunkCount;
  for (let i = 0; i < chunks; i++) {
    const chunk = result.getChunk(i);
    const rows: Row[] = [];
    appendRows(rows, names, chunk, strings, keyColumns);
    const keys = Array.from({ length: keyColumns }, (_, c) => chunk.getColumnVector(c));
    for (let r = 0; r < rows.length; r++) {
      let same = previous.length === keyColumns;
      for (let c = 0; c < keyColumns; c++) {
        const vector = keys[c] as DuckDBVector;
        const v = String(toPlain(JSDuckDBValueConverter(vector.getItem(r), vector.type, JSDuckDBValueConverter), names[c] as string));
        if (previous[c] !== v) {
          same = false;
          previous[c] = v;
        }
      }
      if (!same) {
        const key = previous.join('\u0000');
        let list = groups.get(key);
        if (!list) groups.set(key, (list = []));
        group = list;
      }
      group.push(rows[r] as Row);
    }
  }
  return groups;
}

/** The error a failed `sql/<name>.sql` stands for: the warehouse's environment error, else a StageError naming the file. */
function fileError(name: string, e: unknown): Error {
  return environmentError(e, 'the warehouse') ?? new StageError(`sql/${name}.sql failed: ${(e as Error).message}`, { cause: e });
}

/**
 * Rows of `sql/<name>.sql` as plain objects (as queryFile gives them), a DuckDB chunk (2,048 rows) at a time: for
 * results that are written out as they come, never held whole (the report stage's exports).
 */
export async function* streamFile(conn: DuckDBConnection, name: string, params?: Params): AsyncGenerator<Row[]> {
  let result;
  try {
    result = await (params ? conn.stream(sqlFile(name), params) : conn.stream(sqlFile(name)));
  } catch (e) {
    throw fileError(name, e);
  }
  const names = result.columnNames();
  const strings = new Map<string, string>();
  for (;;) {
    let chunk;
    try {
      chunk = await result.fetchChunk();
    } catch (e) {
      throw fileError(name, e);
    }
    if (!chunk || chunk.rowCount === 0) return;
    // Shared within a chunk only: a streamed answer is never held whole.
    strings.clear();
    const rows: Row[] = [];
    appendRows(rows, names, chunk, strings);
    yield rows;
  }
}

function toPlain(v: unknown, column: string): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new StageError(`column ${column}: integer ${v} is too large for a JavaScript number`);
    }
    return Number(v);
  }
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}
