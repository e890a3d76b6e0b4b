import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Bindings from '@duckdb/node-bindings';

/**
 * An in-memory DuckDB for the commands that read a user's table (`indices`, `area-types`), straight on DuckDB's C API
 * bindings instead of @duckdb/node-api. Why: loading node-api's 60 JavaScript modules costs about 50 ms, and its
 * result readers turn every cell into a JavaScript value. Here a DOUBLE or INTEGER column arrives as one typed array
 * copied from DuckDB's vectors, so five million rows cost milliseconds, and `segfollow indices` on a small table is
 * dominated by Node's own start-up. Only the three column types these commands select are read: DOUBLE, INTEGER and
 * VARCHAR (cast in SQL).
 */

type DuckBindings = typeof Bindings;

const TYPE_INTEGER = 4;
const TYPE_DOUBLE = 11;
const TYPE_VARCHAR = 17;

let loaded: DuckBindings | undefined;

/**
 * The native bindings. The platform package is required directly on glibc Linux x64 (what the bindings' own loader
 * picks there after asking detect-libc, which costs about 10 ms through Node's diagnostic report); anywhere else, or
 * if that package is absent or does not load (musl), the bindings' own loader decides.
 */
function bindings(): DuckBindings {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  if (process.platform === 'linux' && process.arch === 'x64') {
    try {
      loaded = require('@duckdb/node-bindings-linux-x64/duckdb.node') as DuckBindings;
      return loaded;
    } catch {
      // Fall through to the loader, which knows musl and every other platform.
    }
  }
  loaded = require('@duckdb/node-bindings') as DuckBindings;
  return loaded;
}

/** Bound parameters, all VARCHAR (cast in SQL where another type is meant): positional ($1, $2, …) or named. */
export type Params = readonly string[] | Readonly<Record<string, string>>;

/** A column of a result: numbers (NULL as NaN) or strings (NULL as null). */
export type RawColumn = Float64Array | Int32Array | (string | null)[];

export interface RawResult {
  readonly names: readonly string[];
  readonly columns: readonly RawColumn[];
  readonly rowCount: number;
}

export class RawDuck {
  private constructor(
    private readonly b: DuckBindings,
    private readonly db: Bindings.Database,
    private readonly conn: Bindings.Connection,
    private readonly spillDir: string | null,
    /** A second connection (connect()) closes only itself; the first closes the database. */
    private readonly ownsDatabase = true,
  ) {}

  /**
   * An in-memory database with these settings (DuckDB configuration options, e.g. threads, memory_limit). With a
   * memory_limit and no temp_directory, DuckDB's spill files go to a folder of its own in the OS temp folder, removed
   * on close (DuckDB's default would be ".tmp" in the user's working folder).
   */
  static async open(settings: Record<string, string> = {}): Promise<RawDuck> {
    const b = bindings();
    const config = b.create_config();
    b.set_config(config, 'duckdb_api', 'segfollow');
    const spillDir = settings.memory_limit !== undefined && settings.temp_directory === undefined ? mkdtempSync(join(tmpdir(), 'segfollow-duckdb-')) : null;
    const all = spillDir === null ? settings : { ...settings, temp_directory: spillDir };
    let db: Bindings.Database | undefined;
    try {
      for (const [k, v] of Object.entries(all)) b.set_config(config, k, v);
      db = await b.open(':memory:', config);
      return new RawDuck(b, db, await b.connect(db), spillDir);
    } catch (e) {
      if (db !== undefined) b.close_sync(db);
      if (spillDir !== null) rmSync(spillDir, { recursive: true, force: true });
      throw e;
    }
  }

  /**
   * Another connection to the same database, to run a query beside one on this connection (each statement is
   * executed off the main thread). It sees the database's tables and views, not this connection's TEMP objects.
   * Close it before this one.
   */
  async connect(): Promise<RawDuck> {
    return new RawDuck(this.b, this.db, await this.b.connect(this.db), null, false);
  }

  close(): void {
    this.b.disconnect_sync(this.conn);
    if (!this.ownsDatabase) return;
    this.b.close_sync(this.db);
    if (this.spillDir !== null) rmSync(this.spillDir, { recursive: true, force: true });
  }

  /** Runs one statement; `params` bind $1, $2, … (an array) or $name (an object) as VARCHAR. */
  async run(sql: string, params: Params = []): Promise<void> {
    await this.execute(sql, params);
  }

  /** Runs one query and reads its whole result, column by column. */
  async read(sql: string, params: Params = []): Promise<RawResult> {
    const b = this.b;
    const result = await this.execute(sql, params);
    const nCols = b.column_count(result);
    const names: string[] = [];
    const types: number[] = [];
    for (let c = 0; c < nCols; c++) {
      names.push(b.column_name(result, c));
      const t = b.column_type(result, c) as number;
      if (t !== TYPE_DOUBLE && t !== TYPE_INTEGER && t !== TYPE_VARCHAR) {
        throw new Error(`internal: column "${names[c]}" has DuckDB type ${t}; cast it to DOUBLE, INTEGER or VARCHAR`);
      }
      types.push(t);
    }
    const chunks: Bindings.DataChunk[] = [];
    let rowCount = 0;
    for (;;) {
      const chunk = await b.fetch_chunk(result);
      if (!chunk) break;
      const n = b.data_chunk_get_size(chunk);
      if (n === 0) break;
      chunks.push(chunk);
      rowCount += n;
    }
    const columns = types.map((t, c) => {
      if (t === TYPE_VARCHAR) return this.strings(chunks, c, rowCount);
      const out = t === TYPE_DOUBLE ? new Float64Array(rowCount) : new Int32Array(rowCount);
      let at = 0;
      for (const chunk of chunks) {
        const n = b.data_chunk_get_size(chunk);
        copyNumbers(b, b.data_chunk_get_vector(chunk, c), out, at, n, names[c] as string);
        at += n;
      }
      return out;
    });
    return { names, columns, rowCount };
  }

  /**
   * Runs one query whose columns are all DOUBLE or INTEGER and hands its result to `onChunk` a chunk (up to 2,048
   * rows) at a time, each column as a typed array of its own (NULL as NaN in a DOUBLE column): for millions of rows,
   * so that neither DuckDB's chunks nor a second copy of the whole result are held at once.
   */
  async scan(sql: string, params: Params, onChunk: (columns: readonly (Float64Array | Int32Array)[], n: number) => void): Promise<void> {
    const b = this.b;
    const result = await this.execute(sql, params);
    const nCols = b.column_count(result);
    const types: number[] = [];
    for (let c = 0; c < nCols; c++) {
      const t = b.column_type(result, c) as number;
      if (t !== TYPE_DOUBLE && t !== TYPE_INTEGER) throw new Error(`internal: column "${b.column_name(result, c)}" has DuckDB type ${t}; cast it to DOUBLE or INTEGER`);
      types.push(t);
    }
    for (;;) {
      const chunk = await b.fetch_chunk(result);
      if (!chunk) break;
      const n = b.data_chunk_get_size(chunk);
      if (n === 0) break;
      onChunk(
        types.map((t, c) => {
          const out = t === TYPE_DOUBLE ? new Float64Array(n) : new Int32Array(n);
          copyNumbers(b, b.data_chunk_get_vector(chunk, c), out, 0, n, b.column_name(result, c));
          return out;
        }),
        n,
      );
    }
  }

  /** Rows as objects of numbers and strings (NULL as null): for the few-row answers of validation queries. */
  async rows(sql: string, params: Params = []): Promise<Record<string, number | string | null>[]> {
    const r = await this.read(sql, params);
    const out: Record<string, number | string | null>[] = [];
    for (let i = 0; i < r.rowCount; i++) {
      const row: Record<string, number | string | null> = {};
      r.names.forEach((name, c) => {
        const col = r.columns[c] as RawColumn;
        const v = col[i] as number | string | null;
        row[name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
      });
      out.push(row);
    }
    return out;
  }

  private async execute(sql: string, params: Params): Promise<Bindings.Result> {
    const b = this.b;
    const named = !Array.isArray(params);
    if (!named && params.length === 0) return await b.query(this.conn, sql);
    const prepared = await b.prepare(this.conn, sql);
    try {
      if (Array.isArray(params)) params.forEach((p, i) => b.bind_varchar(prepared, i + 1, p));
      else for (const [name, p] of Object.entries(params)) b.bind_varchar(prepared, b.bind_parameter_index(prepared, name), p);
      return await b.execute_prepared(prepared);
    } finally {
      b.destroy_prepare_sync(prepared);
    }
  }

  private strings(chunks: readonly Bindings.DataChunk[], c: number, rowCount: number): (string | null)[] {
    const b = this.b;
    const out = new Array<string | null>(rowCount);
    const decoder = new TextDecoder();
    let at = 0;
    for (const chunk of chunks) {
      const n = b.data_chunk_get_size(chunk);
      const vec = b.data_chunk_get_vector(chunk, c);
      // duckdb_string_t: 4 bytes length, then up to 12 bytes inline or a 4-byte prefix and an 8-byte pointer.
      const data = b.vector_get_data(vec, n * 16);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const validity = b.vector_get_validity(vec, Math.ceil(n / 64) * 8);
      for (let i = 0; i < n; i++) {
        if (validity && !isValid(validity, i)) {
          out[at + i] = null;
          continue;
        }
        const len = view.getUint32(i * 16, true);
        const bytes =
          len <= 12
            ? new Uint8Array(data.buffer, data.byteOffset + i * 16 + 4, len)
            : b.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + i * 16 + 8, len);
        out[at + i] = decoder.decode(bytes);
      }
      at += n;
    }
    return out;
  }
}

/** `n` numbers of a DOUBLE or INTEGER vector into `out` from `at` (NULL as NaN; a NULL INTEGER is a bug). */
function copyNumbers(b: DuckBindings, vec: Bindings.Vector, out: Float64Array | Int32Array, at: number, n: number, name: string): void {
  const width = out.BYTES_PER_ELEMENT;
  const bytes = b.vector_get_data(vec, n * width);
  // The vector's memory need not be aligned for a typed view: copy bytes, then read them as numbers.
  new Uint8Array(out.buffer, out.byteOffset + at * width, n * width).set(bytes);
  const validity = b.vector_get_validity(vec, Math.ceil(n / 64) * 8);
  if (validity && out instanceof Float64Array) {
    for (let i = 0; i < n; i++) if (!isValid(validity, i)) out[at + i] = Number.NaN;
  } else if (validity) {
    for (let i = 0; i < n; i++) if (!isValid(validity, i)) throw new Error(`internal: NULL in INTEGER column "${name}"`);
  }
}

function isValid(validity: Uint8Array, i: number): boolean {
  return ((validity[i >> 3] as number) & (1 << (i & 7))) !== 0;
}
