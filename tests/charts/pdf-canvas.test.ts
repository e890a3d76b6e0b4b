/**
 * A PdfCanvasContext after finish() (pipelines/charts/pdf-canvas.ts): Vega's shape generators keep the last context
 * they drew with, so a finished context must not keep its document (a whole report's pages) alive.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PdfCanvasContext, type PdfKitDoc, type PdfKitFont } from '../../pipelines/charts/pdf-canvas.ts';
import { collectGarbage } from '../../pipelines/heap.ts';

const PDFDocument = createRequire(import.meta.url)('pdfkit') as new (o?: object) => PdfKitDoc & { end(): void };

/** A rectangle filled through a context on a fresh pdfkit document; returns the context and a weak hold on the document. */
function drawn(): { ctx: PdfCanvasContext; doc: WeakRef<object>; content: string } {
  const doc = new PDFDocument({ compress: false });
  const written: string[] = [];
  const addContent = doc.addContent.bind(doc);
  doc.addContent = (data: string) => {
    written.push(data);
    return addContent(data);
  };
  const ctx = new PdfCanvasContext(doc, (): PdfKitFont => {
    throw new Error('no text in this chart');
  });
  ctx.fillStyle = '#ff0000';
  ctx.beginPath();
  ctx.rect(10, 20, 30, 40);
  ctx.fill();
  ctx.finish();
  doc.end();
  return { ctx, doc: new WeakRef(doc), content: written.join('\n') };
}

describe('PdfCanvasContext.finish', () => {
  it('writes the chart and then lets the document go while the context lives on', async () => {
    const { ctx, doc, content } = drawn();
    expect(content).toContain('1 0 0 rg');
    expect(content).toContain('10 20 m\n40 20 l\n40 60 l\n10 60 l\nh');
    await new Promise((r) => setTimeout(r, 0));
    collectGarbage();
    expect(doc.deref()).toBeUndefined();
    // Drawing again with a finished context is a mistake, said so.
    expect(() => {
      ctx.beginPath();
      ctx.rect(0, 0, 1, 1);
      ctx.fill();
      ctx.finish();
    }).toThrow('PdfCanvasContext used after finish()');
  });
});
