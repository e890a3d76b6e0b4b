/**
 * A small PDF object reader and writer, enough for the PDFs this project writes (pdfkit's classic files and their
 * object-stream form from compact.ts): every indirect object, streams decoded (Flate), object streams unpacked.
 * The structural checker (check.ts) reads reports with it, so that tests need no system tools, and compact.ts
 * rewrites them with it. Not a general PDF parser: no encryption, no incremental updates beyond the last object of
 * a number winning, no filters but FlateDecode (with the PNG predictors).
 */
import { inflateSync } from 'node:zlib';

export interface PdfName {
  readonly name: string;
}
export interface PdfRef {
  readonly num: number;
  readonly gen: number;
}
/** A string as its bytes (latin1 in a JS string: one char per byte). */
export interface PdfString {
  readonly bytes: string;
  readonly hex: boolean;
}
export type PdfValue = number | boolean | null | PdfName | PdfRef | PdfString | PdfValue[] | PdfDict;
export interface PdfDict {
  readonly dict: Map<string, PdfValue>;
}
export interface PdfStream {
  readonly dict: Map<string, PdfValue>;
  /** The stream's bytes as stored (latin1 text: one char per byte). */
  raw: string;
  /** Decoded data (as latin1 text), decoded on first use. */
  readonly data: string;
}

/** A stream whose data is decoded when first read (a report's fonts and pages need not be inflated to compact it). */
export function makeStream(dict: Map<string, PdfValue>, raw: string): PdfStream {
  let decoded: string | undefined;
  return {
    dict,
    raw,
    get data(): string {
      decoded ??= decode(dict, this.raw);
      return decoded;
    },
  };
}

/** A stream with new decoded data (for tests that alter a file): stored uncompressed. */
export function replaceStreamData(s: PdfStream, data: string): PdfStream {
  const dict = new Map(s.dict);
  dict.delete('Filter');
  dict.delete('DecodeParms');
  return makeStream(dict, data);
}
export interface PdfObject {
  value: PdfValue | PdfStream;
}

export interface PdfFile {
  readonly header: string;
  readonly objects: Map<number, PdfObject>;
  readonly trailer: Map<string, PdfValue>;
}

export const isName = (v: unknown, name?: string): v is PdfName =>
  typeof v === 'object' && v !== null && 'name' in v && (name === undefined || (v as PdfName).name === name);
export const isRef = (v: unknown): v is PdfRef => typeof v === 'object' && v !== null && 'num' in v && 'gen' in v;
export const isDict = (v: unknown): v is PdfDict => typeof v === 'object' && v !== null && 'dict' in v && !('raw' in v);
export const isStream = (v: unknown): v is PdfStream => typeof v === 'object' && v !== null && 'dict' in v && 'raw' in v;
export const isString = (v: unknown): v is PdfString => typeof v === 'object' && v !== null && 'bytes' in v;

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set(['(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);

/** A token of PDF syntax (used for files and for content streams). */
export type Token =
  | { t: 'num'; v: number }
  | { t: 'name'; v: string }
  | { t: 'str'; v: string; hex: boolean }
  | { t: 'kw'; v: string }
  | { t: 'open'; v: '[' | '<<' }
  | { t: 'close'; v: ']' | '>>' };

export class Lexer {
  pos: number;
  constructor(
    readonly s: string,
    pos = 0,
  ) {
    this.pos = pos;
  }

  private skipSpace(): void {
    const s = this.s;
    for (;;) {
      while (this.pos < s.length && WS.has(s.charCodeAt(this.pos))) this.pos++;
      if (s[this.pos] === '%') {
        while (this.pos < s.length && s[this.pos] !== '\n' && s[this.pos] !== '\r') this.pos++;
        continue;
      }
      return;
    }
  }

  next(): Token | null {
    this.skipSpace();
    const s = this.s;
    if (this.pos >= s.length) return null;
    const c = s[this.pos] as string;
    if (c === '[' || c === ']') {
      this.pos++;
      return c === '[' ? { t: 'open', v: '[' } : { t: 'close', v: ']' };
    }
    if (c === '<' && s[this.pos + 1] === '<') {
      this.pos += 2;
      return { t: 'open', v: '<<' };
    }
    if (c === '>' && s[this.pos + 1] === '>') {
      this.pos += 2;
      return { t: 'close', v: '>>' };
    }
    if (c === '<') {
      const end = s.indexOf('>', this.pos);
      const hex = s.slice(this.pos + 1, end).replace(/\s+/g, '');
      this.pos = end + 1;
      let bytes = '';
      for (let i = 0; i < hex.length; i += 2) bytes += String.fromCharCode(parseInt((hex.slice(i, i + 2) + '0').slice(0, 2), 16));
      return { t: 'str', v: bytes, hex: true };
    }
    if (c === '(') return { t: 'str', v: this.literal(), hex: false };
    if (c === '/') {
      let e = this.pos + 1;
      while (e < s.length && !WS.has(s.charCodeAt(e)) && !DELIM.has(s[e] as string)) e++;
      const raw = s.slice(this.pos + 1, e);
      this.pos = e;
      return { t: 'name', v: raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) };
    }
    let e = this.pos;
    while (e < s.length && !WS.has(s.charCodeAt(e)) && !DELIM.has(s[e] as string)) e++;
    if (e === this.pos) {
      // A stray delimiter (")", "}", "{"): take it as a keyword so that callers see it.
      this.pos++;
      return { t: 'kw', v: c };
    }
    const word = s.slice(this.pos, e);
    this.pos = e;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) return { t: 'num', v: Number(word) };
    return { t: 'kw', v: word };
  }

  private literal(): string {
    const s = this.s;
    let depth = 0;
    let out = '';
    this.pos++;
    while (this.pos < s.length) {
      const c = s[this.pos++] as string;
      if (c === '\\') {
        const n = s[this.pos++] as string;
        const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
        if (n in esc) out += esc[n];
        else if (/[0-7]/.test(n)) {
          let oct = n;
          while (oct.length < 3 && /[0-7]/.test(s[this.pos] ?? '')) oct += s[this.pos++];
          out += String.fromCharCode(parseInt(oct, 8) & 0xff);
        } else if (n === '\r') {
          if (s[this.pos] === '\n') this.pos++;
        } else if (n !== '\n') out += n;
      } else if (c === '(') {
        depth++;
        out += c;
      } else if (c === ')') {
        if (depth === 0) return out;
        depth--;
        out += c;
      } else out += c;
    }
    return out;
  }
}

/** Parses one value from tokens (refs `n g R` recognised); `first` is a token already read. */
export function parseValue(lx: Lexer, first?: Token | null): PdfValue {
  const tok = first ?? lx.next();
  if (!tok) throw new Error('PDF: unexpected end of data');
  switch (tok.t) {
    case 'num': {
      // Look ahead for "gen R".
      const save = lx.pos;
      const t2 = lx.next();
      if (t2?.t === 'num') {
        const t3 = lx.next();
        if (t3?.t === 'kw' && t3.v === 'R') return { num: tok.v, gen: t2.v };
      }
      lx.pos = save;
      return tok.v;
    }
    case 'name':
      return { name: tok.v };
    case 'str':
      return { bytes: tok.v, hex: tok.hex };
    case 'open': {
      if (tok.v === '[') {
        const arr: PdfValue[] = [];
        for (;;) {
          const t = lx.next();
          if (!t) throw new Error('PDF: unterminated array');
          if (t.t === 'close') return arr;
          arr.push(parseValue(lx, t));
        }
      }
      const dict = new Map<string, PdfValue>();
      for (;;) {
        const k = lx.next();
        if (!k) throw new Error('PDF: unterminated dictionary');
        if (k.t === 'close') return { dict };
        if (k.t !== 'name') throw new Error(`PDF: dictionary key expected at ${lx.pos}`);
        dict.set(k.v, parseValue(lx));
      }
    }
    case 'kw':
      if (tok.v === 'true') return true;
      if (tok.v === 'false') return false;
      if (tok.v === 'null') return null;
      throw new Error(`PDF: unexpected keyword ${tok.v} at ${lx.pos}`);
    case 'close':
      throw new Error(`PDF: unexpected ${tok.v} at ${lx.pos}`);
  }
}

function decode(dict: Map<string, PdfValue>, raw: string): string {
  const f = dict.get('Filter');
  const filters = Array.isArray(f) ? f : f === undefined ? [] : [f];
  const p = dict.get('DecodeParms');
  const params = Array.isArray(p) ? p : [p];
  let data = raw;
  filters.forEach((x, i) => {
    if (!isName(x, 'FlateDecode')) throw new Error(`PDF: filter ${isName(x) ? x.name : '?'} not supported`);
    const inflated = inflateSync(Buffer.from(data, 'latin1'));
    const parms = params[i];
    data = (isDict(parms) ? unpredict(inflated, parms.dict) : inflated).toString('latin1');
  });
  return data;
}

/**
 * Undoes a Flate stream's predictor (ISO 32000-1, 7.4.4.4): the PNG predictors (10–15: a filter-type byte before each
 * row, the type chosen row by row), for one byte per pixel (Colors 1, BitsPerComponent 8), as the packed files' object
 * and cross-reference streams use them. Other predictors are refused rather than misread.
 */
export function unpredict(data: Buffer, parms: Map<string, PdfValue>): Buffer {
  const predictor = parms.get('Predictor') ?? 1;
  if (predictor === 1) return data;
  const colors = parms.get('Colors') ?? 1;
  const bits = parms.get('BitsPerComponent') ?? 8;
  if (typeof predictor !== 'number' || predictor < 10 || colors !== 1 || bits !== 8) throw new Error(`PDF: predictor ${String(predictor)} (Colors ${String(colors)}, BitsPerComponent ${String(bits)}) not supported`);
  const columns = parms.get('Columns') ?? 1;
  if (typeof columns !== 'number' || columns < 1) throw new Error(`PDF: predictor with /Columns ${String(columns)}`);
  const rows = Math.floor(data.length / (columns + 1));
  const out = Buffer.alloc(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (columns + 1)];
    const from = r * (columns + 1) + 1;
    const at = r * columns;
    for (let i = 0; i < columns; i++) {
      const x = data[from + i] as number;
      const left = i > 0 ? (out[at + i - 1] as number) : 0;
      const up = r > 0 ? (out[at - columns + i] as number) : 0;
      const upLeft = r > 0 && i > 0 ? (out[at - columns + i - 1] as number) : 0;
      let pred: number;
      if (type === 0) pred = 0;
      else if (type === 1) pred = left;
      else if (type === 2) pred = up;
      else if (type === 3) pred = Math.floor((left + up) / 2);
      else if (type === 4) {
        const q = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(q - left), Math.abs(q - up), Math.abs(q - upLeft)];
        pred = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      } else throw new Error(`PDF: PNG predictor row ${r} of type ${String(type)}`);
      out[at + i] = (x + pred) & 0xff;
    }
  }
  return out;
}

const OBJ = /(\d+)\s+(\d+)\s+obj\b/g;

/** Reads every indirect object of a file (the last definition of a number wins, as with an update). */
export function readPdf(buf: Buffer): PdfFile {
  const s = buf.toString('latin1');
  const header = s.slice(0, s.indexOf('\n'));
  const objects = new Map<number, PdfObject>();
  const pending: { num: number; raw: string; dict: Map<string, PdfValue> }[] = [];
  let trailer = new Map<string, PdfValue>();
  let pos = 0;
  for (;;) {
    OBJ.lastIndex = pos;
    const m = OBJ.exec(s);
    if (!m) break;
    const num = Number(m[1]);
    const lx = new Lexer(s, m.index + m[0].length);
    const value = parseValue(lx);
    const after = new Lexer(s, lx.pos);
    const kw = after.next();
    if (kw?.t === 'kw' && kw.v === 'stream' && isDict(value)) {
      let start = after.pos;
      if (s[start] === '\r') start++;
      if (s[start] === '\n') start++;
      const len = value.dict.get('Length');
      const n = typeof len === 'number' ? len : isRef(len) ? Number((objects.get(len.num)?.value as number) ?? NaN) : NaN;
      let end = Number.isFinite(n) ? start + n : -1;
      // A wrong /Length (or none): fall back to the keyword.
      if (end < 0 || !s.slice(end, end + 12).trimStart().startsWith('endstream')) end = s.indexOf('endstream', start);
      const raw = s.slice(start, end);
      pos = s.indexOf('endobj', end) + 6;
      if (isName(value.dict.get('Type'), 'XRef')) {
        trailer = value.dict;
        continue;
      }
      if (isName(value.dict.get('Type'), 'ObjStm')) {
        pending.push({ num, raw, dict: value.dict });
        continue;
      }
      objects.set(num, { value: makeStream(value.dict, raw) });
    } else {
      objects.set(num, { value });
      pos = s.indexOf('endobj', lx.pos) + 6;
    }
  }
  for (const p of pending) {
    const data = decode(p.dict, p.raw);
    const n = Number(p.dict.get('N'));
    const first = Number(p.dict.get('First'));
    const head = new Lexer(data);
    const entries: [number, number][] = [];
    for (let i = 0; i < n; i++) entries.push([Number(parseValue(head)), Number(parseValue(head))]);
    for (const [objNum, off] of entries) objects.set(objNum, { value: parseValue(new Lexer(data, first + off)) });
  }
  const t = s.lastIndexOf('trailer');
  if (t >= 0 && t > s.lastIndexOf('startxref') - 4096) {
    const lx = new Lexer(s, t + 7);
    const v = parseValue(lx);
    if (isDict(v)) trailer = v.dict;
  }
  return { header, objects, trailer };
}

/** The object a reference points at (or the value itself). */
export function resolve(pdf: PdfFile, v: PdfValue | PdfStream | undefined): PdfValue | PdfStream | undefined {
  let cur = v;
  for (let i = 0; i < 32 && isRef(cur); i++) cur = pdf.objects.get(cur.num)?.value;
  return cur;
}

export function dictOf(pdf: PdfFile, v: PdfValue | PdfStream | undefined): Map<string, PdfValue> | undefined {
  const r = resolve(pdf, v);
  return isDict(r) || isStream(r) ? r.dict : undefined;
}

/**
 * PDFDocEncoding where it is not latin1 (ISO 32000-2 Annex D, table D.2, with the PDF Association's errata: 0x8a is
 * U+2212). Bytes 0xa1–0xff are latin1 (0xad undefined); 0x20–0x7e ASCII.
 */
export const PDF_DOC_HIGH: Readonly<Record<number, string>> = {
  0x80: '\u2022', 0x81: '\u2020', 0x82: '\u2021', 0x83: '\u2026', 0x84: '\u2014', 0x85: '\u2013', 0x86: '\u0192', 0x87: '\u2044',
  0x88: '\u2039', 0x89: '\u203a', 0x8a: '\u2212', 0x8b: '\u2030', 0x8c: '\u201e', 0x8d: '\u201c', 0x8e: '\u201d', 0x8f: '\u2018',
  0x90: '\u2019', 0x91: '\u201a', 0x92: '\u2122', 0x93: '\ufb01', 0x94: '\ufb02', 0x95: '\u0141', 0x96: '\u0152', 0x97: '\u0160',
  0x98: '\u0178', 0x99: '\u017d', 0x9a: '\u0131', 0x9b: '\u0142', 0x9c: '\u0153', 0x9d: '\u0161', 0x9e: '\u017e', 0xa0: '\u20ac',
};

/** A text string: UTF-16BE with its byte-order mark, else PDFDocEncoding. */
export function textString(v: PdfValue | PdfStream | undefined): string | undefined {
  if (!isString(v)) return undefined;
  const b = v.bytes;
  if (b.charCodeAt(0) === 0xfe && b.charCodeAt(1) === 0xff) return Buffer.from(b.slice(2), 'latin1').swap16().toString('utf16le');
  return /[\x80-\xa0]/.test(b) ? b.replace(/[\x80-\xa0]/g, (c) => PDF_DOC_HIGH[c.charCodeAt(0)] ?? c) : b;
}

// ---- Writing. ----

function escapeString(bytes: string): string {
  return `(${bytes.replace(/[\\()]/g, (c) => `\\${c}`).replace(/\r/g, '\\r')})`;
}

function nameText(n: string): string {
  return `/${n.replace(/[^!-~]|[#()<>[\]{}/%]/g, (c) => `#${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1e6) / 1e6);
}

export function serialize(v: PdfValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(serialize).join(' ')}]`;
  if (isName(v)) return nameText(v.name);
  if (isRef(v)) return `${v.num} ${v.gen} R`;
  if (isString(v)) return v.hex ? `<${Buffer.from(v.bytes, 'latin1').toString('hex')}>` : escapeString(v.bytes);
  return `<<${[...v.dict].map(([k, x]) => `${nameText(k)} ${serialize(x)}`).join(' ')}>>`;
}
