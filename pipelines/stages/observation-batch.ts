import { endianness } from 'node:os';
import duckdb from '@duckdb/node-bindings';
import { DOUBLE, INTEGER, VARCHAR, DuckDBDataChunk, type DuckDBAppender } from '@duckdb/node-api';

/**
 * One response's observation rows as columns: every text column is an index into a short list of its distinct texts
 * (a response of 150,000 cells has a few thousand areas and a handful of measures, breakdowns and statuses), the
 * value a float64 with NaN for NULL (the parsers let no NaN through as a value: JSON-stat and Kolada numbers are
 * finite).
 */
export interface ObservationBatch {
  fetchId: string;
  source: string;
  tableId: string;
  rows: number;
  /** Row → index into `measures` (0-based). */
  measure: Int32Array;
  measures: string[];
  /** Row → index into `areaCodes` and `areaVersions` (0-based). */
  area: Int32Array;
  areaCodes: string[];
  areaVersions: string[];
  year: Int32Array;
  /** Row → index into `breakdowns` (0-based). */
  breakdown: Int32Array;
  breakdowns: string[];
  /** NaN: NULL. */
  value: Float64Array;
  /** Row → 1-based index into `statuses`; 0: NULL. */
  status: Int32Array;
  statuses: string[];
}

/** Rows per chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;
/** DuckDB's string_t: 16 bytes, a string of up to 12 bytes held inside it, a longer one pointed to. */
const STRING_T = 16;
const INLINE = 12;
/** observation's columns, in table order (sql/staging/schema.sql). */
const TYPES = [VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, INTEGER, VARCHAR, DOUBLE, VARCHAR, VARCHAR];
const encoder = new TextEncoder();

/** A text column of one batch: its texts, and the row → text index (or one text for every row). */
interface TextColumn {
  texts: readonly string[];
  /** Row → index into `texts`; null: every row is texts[0]. `offset` is taken from every index (1 for statuses). */
  index: Int32Array | null;
  offset: number;
}

/**
 * Appends observation batches through a DuckDB appender a data chunk (2,048 rows) at a time, writing each vector's
 * memory whole from typed arrays instead of one native call per cell: the row appender took six strings a row one
 * call each, and those calls were the largest part of a demo ingest's CPU time (3 million rows). A string of up to 12
 * bytes is written into its string_t directly; a longer one (fetch ids, breakdowns) is handed to DuckDB once per
 * chunk and its string_t, pointing into the chunk's own string heap, copied to the other rows with that text. The
 * values and their order are what the row appender wrote.
 */
export function observationChunks(): { append(app: DuckDBAppender, b: ObservationBatch): void } {
  // string_t lengths and the validity mask are written as little-endian words, as DuckDB lays them out here.
  if (endianness() !== 'LE') throw new Error('observation chunks are written for a little-endian machine');
  const chunk = DuckDBDataChunk.create(TYPES);
  const strings = new Uint32Array(CHUNK_ROWS * 4);
  const ints = new Int32Array(CHUNK_ROWS);
  const doubles = new Float64Array(CHUNK_ROWS);
  const valid = new Uint8Array(CHUNK_ROWS / 8);
  return {
    append(app, b) {
      const cols: TextColumn[] = [
        { texts: [b.fetchId], index: null, offset: 0 },
        { texts: [b.source], index: null, offset: 0 },
        { texts: [b.tableId], index: null, offset: 0 },
        { texts: b.measures, index: b.measure, offset: 0 },
        { texts: b.areaCodes, index: b.area, offset: 0 },
        { texts: b.areaVersions, index: b.area, offset: 0 },
      ];
      const encoded = cols.map((c) => encode(c.texts));
      const breakdown: TextColumn = { texts: b.breakdowns, index: b.breakdown, offset: 0 };
      const breakdownEncoded = encode(b.breakdowns);
      const status: TextColumn = { texts: b.statuses, index: b.status, offset: 1 };
      const statusEncoded = encode(b.statuses);
      for (let start = 0; start < b.rows; start += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, b.rows - start);
        duckdb.data_chunk_reset(chunk.chunk);
        duckdb.data_chunk_set_size(chunk.chunk, n);
        const vector = (c: number): duckdb.Vector => duckdb.data_chunk_get_vector(chunk.chunk, c);
        cols.forEach((c, k) => {
          const e = encoded[k];
          if (e) writeText(vector(k), c, e, start, n, strings, null);
        });
        ints.set(b.year.subarray(start, start + n));
        duckdb.copy_data_to_vector(vector(6), 0, ints.buffer, 0, n * 4);
        writeText(vector(7), breakdown, breakdownEncoded, start, n, strings, null);
        valid.fill(0);
        for (let r = 0; r < n; r++) {
          const v = b.value[start + r] ?? Number.NaN;
          doubles[r] = Number.isNaN(v) ? 0 : v;
          if (!Number.isNaN(v)) valid[r >> 3] = (valid[r >> 3] ?? 0) | (1 << (r & 7));
        }
        duckdb.copy_data_to_vector(vector(8), 0, doubles.buffer, 0, n * 8);
        writeValidity(vector(8), valid, n);
        valid.fill(0);
        writeText(vector(9), status, statusEncoded, start, n, strings, valid);
        writeValidity(vector(9), valid, n);
        // derived_from: NULL in every row (what is fetched is as published).
        valid.fill(0);
        writeValidity(vector(10), valid, n);
        app.appendDataChunk(chunk);
      }
    },
  };
}

/**
 * A column's texts as string_t words (4 uint32 per text): the whole string_t of a text of up to 12 bytes; for a
 * longer one only a flag, since its string_t points into the chunk's heap and is made per chunk.
 */
interface Encoded {
  words: Uint32Array;
  long: Uint8Array;
  bytes: Uint8Array[];
  /** Per text: the first row of the current chunk holding it (long texts only), -1 none yet. */
  first: Int32Array;
}

function encode(texts: readonly string[]): Encoded {
  const words = new Uint32Array(texts.length * 4);
  const bytes8 = new Uint8Array(words.buffer);
  const long = new Uint8Array(texts.length);
  const bytes = texts.map((text, k) => {
    const b = encoder.encode(text);
    if (b.length > INLINE) long[k] = 1;
    else {
      words[k * 4] = b.length;
      bytes8.set(b, k * STRING_T + 4);
    }
    return b;
  });
  return { words, long, bytes, first: new Int32Array(texts.length).fill(-1) };
}

/**
 * Writes rows start … start+n of a text column into a VARCHAR vector. `valid` (when given) gets a bit per row with a
 * text; a row whose index is below `offset` (a NULL status) stays zero and invalid.
 */
function writeText(vec: duckdb.Vector, col: TextColumn, e: Encoded, start: number, n: number, out: Uint32Array<ArrayBuffer>, valid: Uint8Array | null): void {
  const { words, long, first } = e;
  const index = col.index;
  let longRows = false;
  for (let r = 0; r < n; r++) {
    const k = (index === null ? 0 : (index[start + r] ?? 0)) - col.offset;
    const o = r * 4;
    if (k < 0) {
      out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
      continue;
    }
    if (valid) valid[r >> 3] = (valid[r >> 3] ?? 0) | (1 << (r & 7));
    if (long[k]) {
      if ((first[k] ?? -1) < 0) first[k] = r;
      longRows = true;
      continue;
    }
    const w = k * 4;
    out[o] = words[w] ?? 0;
    out[o + 1] = words[w + 1] ?? 0;
    out[o + 2] = words[w + 2] ?? 0;
    out[o + 3] = words[w + 3] ?? 0;
  }
  if (longRows) {
    // Each long text is handed to DuckDB at its first row; the other rows with it copy that row's string_t.
    const handed: number[] = [];
    first.forEach((r, k) => {
      if (r < 0) return;
      duckdb.vector_assign_string_element_len(vec, r, e.bytes[k] ?? new Uint8Array());
      handed.push(k);
    });
    const raw = duckdb.vector_get_data(vec, n * STRING_T);
    const written = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (const k of handed) {
      const o = (first[k] ?? 0) * STRING_T;
      for (let j = 0; j < 4; j++) words[k * 4 + j] = written.getUint32(o + j * 4, true);
      first[k] = -1;
    }
    for (let r = 0; r < n; r++) {
      const k = (index === null ? 0 : (index[start + r] ?? 0)) - col.offset;
      if (k < 0 || !long[k]) continue;
      const o = r * 4;
      const w = k * 4;
      out[o] = words[w] ?? 0;
      out[o + 1] = words[w + 1] ?? 0;
      out[o + 2] = words[w + 2] ?? 0;
      out[o + 3] = words[w + 3] ?? 0;
    }
  }
  duckdb.copy_data_to_vector(vec, 0, out.buffer, 0, n * STRING_T);
}

/** Sets a vector's validity mask from `valid` (a bit per row, least significant first). */
function writeValidity(vec: duckdb.Vector, valid: Uint8Array<ArrayBuffer>, n: number): void {
  duckdb.vector_ensure_validity_writable(vec);
  duckdb.copy_data_to_vector_validity(vec, 0, valid.buffer, 0, Math.ceil(n / 64) * 8);
}
