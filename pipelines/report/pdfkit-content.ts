/**
 * Page content for pdfkit (0.19, pinned), the same bytes at less cost. pdfkit writes every drawing operator of a page
 * (each word of text is several) into its content stream as a Buffer of its own (`PDFReference.write`:
 * `Buffer.from(chunk + '\n', 'binary')`), and joins them when the stream is finished: a report's hundreds of thousands
 * of small Buffers were a sixteenth of its PDF time, and garbage. This layer keeps a stream's written text as one
 * string until a Buffer is written or the stream is finished, and turns it into bytes once, as pdfkit would have
 * (latin1, one byte per character). The stream's recorded length grows as before with every write.
 *
 * tests/report/pdfkit-content.test.ts fails when pdfkit's PDFReference changes (its source is compared with the text
 * validated here) and compares documents written through both implementations byte for byte.
 */
import { createRequire } from 'node:module';

const INSTALLED = Symbol.for('segfollow.pdfkitContent.installed');
/** pdfkit's own methods, kept on the prototype for the equivalence test. */
export const ORIGINALS = Symbol.for('segfollow.pdfkitContent.originals');
/** The text written since the last Buffer, not yet turned into bytes. */
const PENDING = Symbol('segfollow.pdfkitContent.pending');

interface Reference {
  data: { Length?: number; Filter?: string };
  compress: boolean;
  uncompressedLength: number;
  buffer: Uint8Array[];
  [PENDING]?: string;
}

type Method = (this: Reference, ...args: unknown[]) => unknown;

/** The pending text into the stream's list of Buffers (before a Buffer that comes after it, and at the end). */
function flush(ref: Reference): void {
  const text = ref[PENDING];
  if (text) {
    ref.buffer.push(Buffer.from(text, 'binary'));
    ref[PENDING] = '';
  }
}

/** PDFReference.prototype.write: a Buffer is kept as it is, anything else as text and a newline. */
function write(this: Reference, chunk: unknown): void {
  let length: number;
  if (chunk instanceof Uint8Array) {
    flush(this);
    this.buffer.push(chunk);
    length = chunk.length;
  } else {
    // One byte per UTF-16 unit, as Buffer.from(…, 'binary') makes it.
    const text = (chunk as string) + '\n';
    this[PENDING] = (this[PENDING] ?? '') + text;
    length = text.length;
  }
  this.uncompressedLength += length;
  if (this.data.Length == null) this.data.Length = 0;
  this.data.Length += length;
  if (this.compress) this.data.Filter = 'FlateDecode';
}

/** pdfkit's PDFReference prototype (not exported: taken from a reference of a document made for it). */
export function referencePrototype(): Record<string | symbol, unknown> {
  const require = createRequire(import.meta.url);
  const PDFDocument = require('pdfkit') as new (options: object) => { ref(data?: object): object };
  return Object.getPrototypeOf(new PDFDocument({ autoFirstPage: false }).ref()) as Record<string | symbol, unknown>;
}

/** The implementation this layer installs, for the equivalence test. */
export const CONTENT_METHODS = { write } as const;

/** Installs the layer once per process (per worker thread); idempotent. */
export function installContentWrites(proto: Record<string | symbol, unknown> = referencePrototype()): void {
  if (proto[INSTALLED]) return;
  const finalize = proto.finalize;
  if (typeof proto.write !== 'function' || typeof finalize !== 'function') {
    throw new Error('content writes: pdfkit has no PDFReference write/finalize to hook (pdfkit upgraded? see tests/report/pdfkit-content.test.ts)');
  }
  proto[ORIGINALS] = { write: proto.write, finalize };
  proto.write = write;
  proto.finalize = function (this: Reference, ...args: unknown[]): unknown {
    flush(this);
    return (finalize as Method).apply(this, args);
  };
  proto[INSTALLED] = true;
}
