import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface PdfText {
  pages: string[];
  info: Record<string, unknown>;
}

/**
 * Parses a PDF back into per-page text with Mozilla's pdf.js, so report tests need no system tools. Text items are
 * joined with spaces and lines with newlines, which is enough to find sentences and formatted numbers.
 */
export async function readPdfText(file: string): Promise<PdfText> {
  const data = new Uint8Array(readFileSync(file));
  const doc = await getDocument({ data, useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if ('str' in item) text += item.str + (item.hasEOL ? '\n' : ' ');
      }
      pages.push(text.replace(/[ \t]+\n/g, '\n'));
    }
    const meta = await doc.getMetadata();
    return { pages, info: (meta.info ?? {}) as Record<string, unknown> };
  } finally {
    await doc.destroy();
  }
}
