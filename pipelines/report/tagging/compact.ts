/**
 * Rewrites a pdfkit PDF with object streams and a cross-reference stream (PDF 1.5; PDF/A-2 allows both). A tagged
 * report has thousands of small structure-element objects that pdfkit writes uncompressed; packed into Flate
 * object streams they cost a fraction. Objects keep their numbers and their text verbatim (non-stream objects are
 * copied into object streams, stream objects copied as they are), so every reference, stream and drawn operator is
 * unchanged: this is a container change, not a re-encoding. Works on what pdfkit writes (one definition per object
 * number, direct /Length, a classic trailer), which tests/report/tagging/ checks through the structural checker.
 */
import { constants, deflateSync, type ZlibOptions } from 'node:zlib';

const OBJ = /(\d+) (\d+) obj\s/g;
const LENGTH = /\/Length (\d+)(?!\s+\d+\s+R)/;
/**
 * Objects per object stream: one stream holds them all in a report (a few thousand small dictionaries), which
 * compresses best; readers find an object through the xref stream's index, so the size costs them nothing.
 */
const PER = 100_000;
/**
 * zlib settings of the object stream (after the PNG predictor, objectStream). Measured on the demo's län 14 and kommun
 * 1480, 5 December 2026 (packWrites on the same input, 36 alternating runs): level 6 with the default strategy takes
 * 1.5–2.5 ms less a report than level 7 for 0.3 % more file (1.2–2.3 kB); the default strategy packs the predicted
 * rows tighter than the filtered one (which suited the dictionaries' digits before they were predicted); level 9
 * gains 4–5 % of the stream at three to four times the time.
 */
const OBJECT_STREAM_DEFLATE: ZlibOptions = { level: 6, strategy: constants.Z_DEFAULT_STRATEGY };

/**
 * The cross-reference stream's entries by object number: type (0 free, 1 at a byte offset, 2 in an object stream) and
 * the two fields (offset and 0, or object stream and index). Typed arrays: a report has ten thousand objects.
 */
interface Xref {
  readonly type: Uint8Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/**
 * The cross-reference stream's rows, each field as narrow as its largest value allows, with the PNG Up predictor
 * (each byte less the one above it): consecutive rows differ in a few low bytes, so a report's tens of thousands of
 * rows deflate to a few bytes each instead of seven.
 */
function xrefData(xref: Xref, size: number): { widths: number[]; columns: number; bytes: Buffer } {
  let maxA = 0;
  let maxB = 0xffff;
  for (let n = 0; n < size; n++) {
    maxA = Math.max(maxA, xref.a[n] as number);
    maxB = Math.max(maxB, xref.b[n] as number);
  }
  const width = (v: number): number => (v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4);
  const widths = [1, width(maxA), width(maxB)];
  const columns = widths.reduce((x, y) => x + y, 0);
  const rows = Buffer.alloc(size * (columns + 1));
  // The row's bytes, big-endian, and the row before (byte by byte: Buffer's writeUIntBE, generic over widths, was
  // most of this function's time on a report's ten thousand rows).
  const row = new Uint8Array(columns);
  const prev = new Uint8Array(columns);
  const wa = widths[1] as number;
  for (let n = 0; n < size; n++) {
    const t = xref.type[n] as number;
    const a = xref.a[n] as number;
    // An object number not in use: a free entry (type 0), object 0 the head of the free list with generation 65535.
    const b = t === 0 && n === 0 ? 0xffff : (xref.b[n] as number);
    row[0] = t;
    // Offsets and numbers are below 2^32 (the widths are at most 4 bytes): shifts rather than divisions.
    for (let i = wa, v = a; i >= 1; i--, v >>>= 8) row[i] = v & 0xff;
    for (let i = columns - 1, v = b; i > wa; i--, v >>>= 8) row[i] = v & 0xff;
    let at = n * (columns + 1);
    rows[at++] = 2;
    for (let i = 0; i < columns; i++) {
      const x = row[i] as number;
      rows[at + i] = (x - (prev[i] as number)) & 0xff;
      prev[i] = x;
    }
  }
  return { widths, columns, bytes: deflateSync(rows) };
}

/**
 * An object to pack: its number and its text, or (`refs`) an array of references to objects of those numbers, which
 * the packing lays out itself, so many a row that like arrays lie one under the other (the ParentTree's arrays of a
 * page's marked-content owners; `text` is then unused).
 */
export interface Packable {
  readonly num: number;
  readonly text: string;
  readonly refs?: readonly number[];
}

/** Bounds of the object stream's row width (its PNG predictor's /Columns). */
const MIN_COLUMNS = 16;
const MAX_COLUMNS = 96;
/**
 * Room in a row beyond the most common object length: a table cell whose MCID or parent's number has a digit more
 * than the most common cell's would otherwise take two rows and break the column of cells one under the other.
 * Measured on the demo's län 14 and kommun 1480: 4 more bytes give 0.7–1.1 % smaller files than none (1 to 20 tried:
 * 2 to 6 are alike).
 */
const COLUMNS_HEADROOM = 4;

/**
 * An object stream's decoded data laid out in rows for the PNG predictors, and deflated. Most of a tagged report's
 * objects are structure elements of a few shapes (a table cell: /Pg, /S, /P, /K), numbered by the layer so that like
 * elements follow one another (layer.ts, renumber): one cell's line lies under the previous cell's with only a few
 * digits different. The row width is the most common object length and a little room: such an element is one row, and
 * the row filter Up (each byte less the one above) leaves zeros but for the digits that changed, which deflate packs
 * to a byte or two a row; rows unlike the one above stay unfiltered (filter None, chosen row by row). The index (object
 * number, offset pairs) is one pair a row, right-aligned, filtered Up: the numbers count up by one and the offsets by
 * the objects' lengths, which deflate cannot predict from the decimal digits but packs well as differences (in the
 * demo's län 14 the index took 43.8 kB of a 124 kB stream as plain text). Every object starts a row and is padded with
 * spaces to whole rows (white space between objects is allowed; the offsets point at their starts), so that like
 * objects stay aligned. What a reader gets after the predictor is an ordinary object stream.
 */
function objectStream(group: readonly Packable[]): { data: Buffer; first: number; columns: number } {
  const counts = new Map<number, number>();
  let maxNum = 0;
  for (const o of group) {
    maxNum = Math.max(maxNum, o.num);
    if (o.refs) {
      for (const r of o.refs) maxNum = Math.max(maxNum, r);
      continue;
    }
    const n = o.text.length + 1;
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  let mode = 0;
  let best = 0;
  for (const [n, c] of counts) {
    if (c > best || (c === best && n < mode)) {
      mode = n;
      best = c;
    }
  }
  const numWidth = String(maxNum).length;
  let columns = Math.min(MAX_COLUMNS, Math.max(MIN_COLUMNS, mode + COLUMNS_HEADROOM));
  let rows = 0;
  let offWidth = 0;
  // An array of references: `[` or a space, then so many references a row, each right-aligned, ` 0 R `.
  const refWidth = numWidth + 5;
  let texts: string[] = [];
  for (;;) {
    const perRow = Math.max(1, Math.floor((columns - 1) / refWidth));
    texts = group.map((o) => (o.refs ? refRows(o.refs, perRow, numWidth, columns) : o.text));
    rows = 0;
    for (const t of texts) rows += Math.ceil((t.length + 1) / columns);
    offWidth = String(rows * columns).length;
    if (numWidth + 1 + offWidth + 1 <= columns) break;
    columns = numWidth + 1 + offWidth + 1;
  }
  // Index rows then the objects, each padded to whole rows, into a Buffer of spaces: the index's digits written one
  // by one, each object's text in one latin1 write.
  const indexRows = group.length;
  const raw = Buffer.alloc((indexRows + rows) * columns, 0x20);
  const first = indexRows * columns;
  let at = first;
  for (let k = 0; k < group.length; k++) {
    const text = texts[k] as string;
    for (let v = (group[k] as Packable).num, i = k * columns + numWidth - 1; ; i--, v = Math.floor(v / 10)) {
      raw[i] = 0x30 + (v % 10);
      if (v < 10) break;
    }
    for (let v = at - first, i = k * columns + numWidth + offWidth; ; i--, v = Math.floor(v / 10)) {
      raw[i] = 0x30 + (v % 10);
      if (v < 10) break;
    }
    raw.write(text, at, 'latin1');
    at += Math.ceil((text.length + 1) / columns) * columns;
    raw[at - 1] = 0x0a;
  }
  return { data: deflateSync(predictRows(raw, columns, indexRows, numWidth + 1 + offWidth), OBJECT_STREAM_DEFLATE), first, columns };
}

/** An array of references, `perRow` of them to a row of `columns` characters (the last row left unpadded). */
function refRows(refs: readonly number[], perRow: number, numWidth: number, columns: number): string {
  let text = '';
  for (let i = 0; i < refs.length; i += perRow) {
    let row = i === 0 ? '[' : ' ';
    for (let k = i; k < Math.min(i + perRow, refs.length); k++) row += `${String(refs[k]).padStart(numWidth, ' ')} 0 R `;
    text += i + perRow < refs.length ? row.padEnd(columns, ' ') : row;
  }
  return refs.length === 0 ? '[]' : `${text.slice(0, -1)}]`;
}

/**
 * The PNG-predicted form of `raw` in rows of `columns` bytes: each row after a filter-type byte, Up (2: less the byte
 * above) for the first `upRows` rows but the first (their bytes after the first `upWidth` are spaces), and after them wherever fewer than a third of the row's bytes
 * differ from the row above, else None (0).
 */
function predictRows(raw: Buffer, columns: number, upRows: number, upWidth: number): Buffer {
  const rows = raw.length / columns;
  const out = Buffer.allocUnsafe(rows * (columns + 1));
  for (let r = 0; r < rows; r++) {
    const from = r * columns;
    const to = r * (columns + 1);
    if (r === 0 || r === upRows) {
      out[to] = 0;
      raw.copy(out, to + 1, from, from + columns);
      continue;
    }
    // Up, written as it is worked out; given up for None once a third of the row differs from the row above.
    out[to] = 2;
    let differ = 0;
    const limit = r < upRows ? columns : columns / 3;
    // An index row's bytes after its pair are spaces, as in the row above: their differences are zero.
    const width = r < upRows ? upWidth : columns;
    if (width < columns) out.fill(0, to + 1 + width, to + 1 + columns);
    for (let i = 0; i < width; i++) {
      const d = ((raw[from + i] as number) - (raw[from - columns + i] as number)) & 0xff;
      out[to + 1 + i] = d;
      if (d !== 0 && ++differ >= limit) break;
    }
    if (differ >= limit) {
      out[to] = 0;
      raw.copy(out, to + 1, from, from + columns);
    }
  }
  return out;
}

export function compactPdf(input: Buffer): Buffer {
  // The tagging layer packs a tagged document as it is written (packWrites below): nothing left to do.
  if (isPacked(input)) return input;
  const s = input.toString('latin1');
  const trailerAt = s.lastIndexOf('\ntrailer');
  if (trailerAt < 0) throw new Error('compactPdf: no classic trailer (not a pdfkit file, or already compact)');
  const trailer = s.slice(trailerAt + 8, s.lastIndexOf('startxref'));
  const keep = (key: string): string => {
    const m = new RegExp(`/${key}\\s+(\\d+ \\d+ R|\\[[^\\]]*\\])`).exec(trailer);
    return m ? ` /${key} ${m[1]}` : '';
  };
  /** Stream objects, copied as they are: where they lie in the input. */
  const streams: { num: number; start: number; end: number }[] = [];
  const plain: Packable[] = [];
  let pos = 0;
  let max = 0;
  for (;;) {
    OBJ.lastIndex = pos;
    const m = OBJ.exec(s);
    if (!m || m.index >= trailerAt) break;
    const num = Number(m[1]);
    if (m[2] !== '0') throw new Error(`compactPdf: object ${num} has generation ${m[2]}`);
    max = Math.max(max, num);
    const bodyStart = m.index + m[0].length;
    // The first `endobj` after the header ends a plain object; a stream's data may hold those bytes by chance, but
    // its `stream` keyword comes before them, so the slice up to there shows it is a stream.
    const endobj = s.indexOf('endobj', bodyStart);
    const streamRel = s.slice(bodyStart, endobj).indexOf('stream');
    const streamAt = streamRel < 0 ? -1 : bodyStart + streamRel;
    if (streamAt >= 0) {
      const dict = s.slice(bodyStart, streamAt);
      const len = LENGTH.exec(dict);
      if (!len) throw new Error(`compactPdf: stream object ${num} without a direct /Length`);
      let dataAt = streamAt + 6;
      if (s[dataAt] === '\r') dataAt++;
      if (s[dataAt] === '\n') dataAt++;
      const end = s.indexOf('endobj', dataAt + Number(len[1]));
      streams.push({ num, start: m.index, end: end + 6 });
      pos = end + 6;
    } else {
      plain.push({ num, text: s.slice(bodyStart, endobj).trim() });
      pos = endobj + 6;
    }
  }
  // pdfkit writes 1.3–1.7; object streams need 1.5.
  const version = /^%PDF-(\d\.\d)/.exec(s)?.[1] ?? '1.7';
  return pack(input, streams, plain, max, `${keep('Root')}${keep('Info')}${keep('ID')}`, `%PDF-${Number(version) >= 1.5 ? version : '1.5'}\n%\xff\xff\xff\xff\n`, 0);
}

/** Ends with a cross-reference stream and no classic trailer: written by `pack`. */
function isPacked(input: Buffer): boolean {
  const tail = input.subarray(Math.max(0, input.length - 65536)).toString('latin1');
  return !tail.includes('\ntrailer') && tail.includes('/Type /XRef');
}

/**
 * Writes the objects: stream objects copied (byte ranges of `input`), the others into object streams, then the
 * cross-reference stream with `trailer` (its /Root, /Info, /ID entries). The output starts with `head` and is to
 * stand at byte `base` of the file (after what was already written).
 */
function pack(input: Buffer, streams: readonly { num: number; start: number; end: number }[], plain: Packable[], max: number, trailer: string, head: string, base: number): Buffer {
  const chunks: Buffer[] = [];
  let offset = base;
  const put = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    offset += buf.length;
  };
  if (head) put(head);
  // Objects 0…max, then one number per object stream and the cross-reference stream's own.
  const size = max + 2 + Math.ceil(plain.length / PER);
  const xref: Xref = { type: new Uint8Array(size), a: new Float64Array(size), b: new Float64Array(size) };
  const set = (num: number, type: number, a: number, b: number): void => {
    xref.type[num] = type;
    xref.a[num] = a;
    xref.b[num] = b;
  };
  for (const o of streams) {
    set(o.num, 1, offset, 0);
    put(input.subarray(o.start, o.end));
    put('\n');
  }
  let next = max + 1;
  // In number order: the object stream's index (number, offset pairs) then counts up by one, which deflates best.
  // Each number is one object's, at most `max`: placed by number rather than sorted.
  const byNum: (Packable | undefined)[] = new Array<Packable | undefined>(max + 1);
  for (const o of plain) byNum[o.num] = o;
  const ordered: Packable[] = [];
  for (const o of byNum) if (o) ordered.push(o);
  if (ordered.length !== plain.length) throw new Error('compactPdf: an object number used twice');
  for (let i = 0; i < ordered.length; i += PER) {
    const group = ordered.slice(i, i + PER);
    const stm = next++;
    const o = objectStream(group);
    group.forEach((x, k) => set(x.num, 2, stm, k));
    set(stm, 1, offset, 0);
    put(`${stm} 0 obj\n<< /Type /ObjStm /N ${group.length} /First ${o.first} /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns ${o.columns} >> /Length ${o.data.length} >>\nstream\n`);
    put(o.data);
    put('\nendstream\nendobj\n');
  }
  const xrefNum = next++;
  if (next !== size) throw new Error(`compactPdf: ${next} object numbers, ${size} expected`);
  set(xrefNum, 1, offset, 0);
  const data = xrefData(xref, next);
  const start = offset;
  put(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${next} /W [${data.widths.join(' ')}]${trailer} /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns ${data.columns} >> /Length ${data.bytes.length} >>\nstream\n`);
  put(data.bytes);
  put(`\nendstream\nendobj\nstartxref\n${start}\n%%EOF\n`);
  return Buffer.concat(chunks);
}

/**
 * The same packing from what a pdfkit document wrote after its header (`body`, from byte `base` of the file on): the
 * objects lie one after another, each starting where pdfkit recorded it (`starts`: object number and offset), as
 * `n 0 obj` … `endobj`. Used by the tagging layer, which keeps a tagged document's writes instead of streaming them
 * and so spares pdfkit's classic cross-reference table (a line and a stream write per object) and a scan of the file.
 * `own`: objects that were never written into the body (the layer's structure elements and ParentTree arrays), packed
 * beside the others.
 */
export function packWrites(body: Buffer, base: number, starts: readonly (readonly [number, number])[], trailer: string, own: readonly Packable[] = []): Buffer {
  // Only the objects' heads and ends are read as text: the body is mostly page and font streams, copied as bytes.
  const text = (from: number, to: number): string => body.toString('latin1', from, to);
  const order = [...starts].sort((a, b) => a[1] - b[1]);
  const streams: { num: number; start: number; end: number }[] = [];
  const plain: Packable[] = [...own];
  let max = 0;
  for (const o of own) max = Math.max(max, o.num);
  const TAIL = '\nendstream\nendobj\n';
  for (let i = 0; i < order.length; i++) {
    const [num, at] = order[i] as readonly [number, number];
    const start = at - base;
    const end = i + 1 < order.length ? (order[i + 1] as readonly [number, number])[1] - base : body.length;
    max = Math.max(max, num);
    const head = `${num} 0 obj`;
    if (text(start, start + head.length) !== head) throw new Error(`packWrites: object ${num} not at its recorded offset ${at}`);
    if (end - start > TAIL.length && text(end - TAIL.length, end) === TAIL) streams.push({ num, start, end: end - 1 });
    else {
      const obj = text(start, end);
      const close = obj.lastIndexOf('endobj');
      if (close < 0) throw new Error(`packWrites: object ${num} has no endobj`);
      plain.push({ num, text: obj.slice(obj.indexOf('\n') + 1, close).trim() });
    }
  }
  return pack(body, streams, plain, max, trailer, '', base);
}
