/**
 * Rewrites a pdfkit PDF with object streams and a cross-reference stream (PDF 1.5; PDF/A-2 allows both). A tagged
 * report has thousands of small structure-element objects that pdfkit writes uncompressed; packed into Flate
 * object streams they cost a fraction. Objects keep their numbers and their text verbatim (non-stream objects are
 * copied into object streams, stream objects copied as they are), so every reference, stream and drawn operator is
 * unchanged: this is a container change, not a re-encoding. Works on what pdfkit writes (one definition per object
 * number, direct /Length, a classic trailer), which tests/report/tagging/ checks through the structural checker.
 */
import { deflateSync } from 'node:zlib';

const OBJ = /(\d+) (\d+) obj\s/g;
const LENGTH = /\/Length (\d+)(?!\s+\d+\s+R)/;
/**
 * Objects per object stream: one stream holds them all in a report (a few thousand small dictionaries), which
 * compresses best; readers find an object through the xref stream's index, so the size costs them nothing.
 */
const PER = 100_000;
/**
 * zlib level of the object stream. The dictionaries repeat a few keys: level 7 packs them 3 % tighter than the
 * default 6 for ~2 ms a report; 8 and 9 gain another 3 % at three to six times the time (measured on the report
 * fixtures, bench/tagging.ts), which is most of what tagging would cost.
 */
const LEVEL = 7;

/**
 * The cross-reference stream's rows, each field as narrow as its largest value allows, with the PNG Up predictor
 * (each byte less the one above it): consecutive rows differ in a few low bytes, so a report's tens of thousands of
 * rows deflate to a few bytes each instead of seven.
 */
function xrefData(xref: Map<number, [number, number, number]>, size: number): { widths: number[]; columns: number; bytes: Buffer } {
  let maxA = 0;
  let maxB = 0xffff;
  for (const [, a, b] of xref.values()) {
    maxA = Math.max(maxA, a);
    maxB = Math.max(maxB, b);
  }
  const width = (v: number): number => (v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4);
  const widths = [1, width(maxA), width(maxB)];
  const columns = widths.reduce((x, y) => x + y, 0);
  const rows = Buffer.alloc(size * (columns + 1));
  const row = Buffer.alloc(columns);
  const prev = Buffer.alloc(columns);
  for (let n = 0; n < size; n++) {
    const [t, a, b] = xref.get(n) ?? [0, 0, n === 0 ? 0xffff : 0];
    row.writeUIntBE(t, 0, 1);
    row.writeUIntBE(a, 1, widths[1] as number);
    row.writeUIntBE(b, 1 + (widths[1] as number), widths[2] as number);
    const at = n * (columns + 1);
    rows[at] = 2;
    for (let i = 0; i < columns; i++) rows[at + 1 + i] = ((row[i] as number) - (prev[i] as number)) & 0xff;
    row.copy(prev);
  }
  return { widths, columns, bytes: deflateSync(rows) };
}

export function compactPdf(input: Buffer): Buffer {
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
  const plain: { num: number; text: string }[] = [];
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
  const chunks: Buffer[] = [];
  let offset = 0;
  const put = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    offset += buf.length;
  };
  // pdfkit writes 1.3–1.7; object streams need 1.5.
  const version = /^%PDF-(\d\.\d)/.exec(s)?.[1] ?? '1.7';
  put(`%PDF-${Number(version) >= 1.5 ? version : '1.5'}\n%\xff\xff\xff\xff\n`);
  const xref = new Map<number, [number, number, number]>();
  for (const o of streams) {
    xref.set(o.num, [1, offset, 0]);
    put(input.subarray(o.start, o.end));
    put('\n');
  }
  let next = max + 1;
  // In number order: the object stream's index (number, offset pairs) then counts up by one, which deflates best.
  plain.sort((a, b) => a.num - b.num);
  for (let i = 0; i < plain.length; i += PER) {
    const group = plain.slice(i, i + PER);
    const stm = next++;
    const index: string[] = [];
    let at = 0;
    group.forEach((o, k) => {
      index.push(`${o.num} ${at}`);
      at += Buffer.byteLength(o.text, 'latin1') + 1;
      xref.set(o.num, [2, stm, k]);
    });
    const head = `${index.join(' ')}\n`;
    const data = deflateSync(Buffer.from(head + group.map((o) => o.text).join('\n'), 'latin1'), { level: LEVEL });
    xref.set(stm, [1, offset, 0]);
    put(`${stm} 0 obj\n<< /Type /ObjStm /N ${group.length} /First ${head.length} /Filter /FlateDecode /Length ${data.length} >>\nstream\n`);
    put(data);
    put('\nendstream\nendobj\n');
  }
  const xrefNum = next++;
  xref.set(xrefNum, [1, offset, 0]);
  const data = xrefData(xref, next);
  const start = offset;
  put(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${next} /W [${data.widths.join(' ')}]${keep('Root')}${keep('Info')}${keep('ID')} /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns ${data.columns} >> /Length ${data.bytes.length} >>\nstream\n`);
  put(data.bytes);
  put(`\nendstream\nendobj\nstartxref\n${start}\n%%EOF\n`);
  return Buffer.concat(chunks);
}
