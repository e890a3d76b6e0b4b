/**
 * The content-writes layer (pipelines/report/pdfkit-content.ts) replaces pdfkit's PDFReference.write: a document
 * written through it must be the same bytes as through pdfkit's own, and a pdfkit change must be re-validated.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CONTENT_METHODS, installContentWrites, ORIGINALS, referencePrototype } from '../../pipelines/report/pdfkit-content.ts';

const require = createRequire(import.meta.url);

/** pdfkit 0.19.1's PDFReference.write and finalize, the behaviour the layer keeps (re-validate on a pdfkit change). */
const VALIDATED = {
  write: 'd908ca396fbfefdf83d98cb321ebaaa57ef5055f5ec56c16fd697278ced62c5f',
  finalize: '8af9e473a08414758afb20298825e28ce4199aa70792287284f9aac3238b35b4',
};

interface Doc {
  ref(data?: object): Record<string, unknown>;
  on(event: string, fn: (chunk?: Buffer) => void): void;
  addPage(options?: object): Doc;
  text(s: string, x: number, y: number, options?: object): Doc;
  rect(x: number, y: number, w: number, h: number): Doc;
  fill(color: string): Doc;
  fontSize(n: number): Doc;
  end(): void;
}

type Methods = { write: unknown; finalize: unknown };

function originals(): Methods {
  installContentWrites();
  return referencePrototype()[ORIGINALS] as Methods;
}

/** A small document (text, shapes, an image stream), every reference written through `methods` if given. */
async function pdf(methods?: Methods, compress = true): Promise<Buffer> {
  const PDFDocument = require('pdfkit') as new (options: object) => Doc;
  const doc = new PDFDocument({ autoFirstPage: false, compress, info: { CreationDate: new Date(Date.UTC(2025, 0, 1)) } });
  if (methods) {
    const ref = doc.ref.bind(doc);
    doc.ref = (data?: object) => Object.assign(ref(data), methods);
  }
  const chunks: Buffer[] = [];
  doc.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  for (let p = 0; p < 3; p++) {
    doc.addPage({ size: 'A4' });
    doc.fontSize(10 + p);
    for (let i = 0; i < 40; i++) doc.text(`Rad ${i} på sidan ${p}: åäö ÅÄÖ – 1 234,5`, 50, 60 + i * 15, { lineBreak: false });
    doc.rect(40, 40, 100, 20).fill('#336699');
  }
  // A page of some 80 KB of operators, as large as a report's fullest pages.
  doc.addPage({ size: 'A4' });
  doc.fontSize(5);
  for (let i = 0; i < 800; i++) doc.text(`Ord ${i}`, 40 + (i % 8) * 65, 40 + Math.floor(i / 8) * 7.5, { lineBreak: false });
  // A stream written as one Buffer between text writes.
  const mixed = doc.ref({});
  (mixed.write as (c: unknown) => void)('BT');
  (mixed.write as (c: unknown) => void)(Buffer.from([0, 1, 2, 255]));
  (mixed.write as (c: unknown) => void)(42);
  (mixed.end as () => void)();
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

const sha = (f: unknown): string => createHash('sha256').update(String(f)).digest('hex');

describe('pdfkit content writes layer', () => {
  it('is validated against this pdfkit PDFReference (re-validate and update the hashes on a pdfkit change)', () => {
    expect((require('pdfkit/package.json') as { version: string }).version).toBe('0.19.1');
    const o = originals();
    expect(sha(o.write)).toBe(VALIDATED.write);
    expect(sha(o.finalize)).toBe(VALIDATED.finalize);
    // What the layer relies on: a string written as latin1 bytes with a newline, the list of Buffers read only when the
    // stream is finished.
    expect(String(o.write)).toContain("chunk = Buffer.from(chunk + '\\n', 'binary');");
    expect(String(o.finalize)).toContain('this.buffer = Buffer.concat(this.buffer);');
  });

  it('installs once and keeps pdfkit\'s methods', () => {
    installContentWrites();
    installContentWrites();
    const proto = referencePrototype();
    expect(proto.write).toBe(CONTENT_METHODS.write);
    expect(originals().write).not.toBe(CONTENT_METHODS.write);
  });

  it.each([true, false])('writes the same bytes as pdfkit does (compress %s)', async (compress) => {
    const ours = await pdf(undefined, compress);
    const theirs = await pdf(originals(), compress);
    expect(ours.length).toBeGreaterThan(compress ? 2000 : 80_000);
    expect(ours.equals(theirs)).toBe(true);
  });
});
