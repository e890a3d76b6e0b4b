/**
 * The word layouts pdfkit's fonts share across documents (pipelines/charts/pdf-font-cache.ts): a document written
 * with the shared cache, cold or warm, is byte for byte the document pdfkit writes with its own per-document cache.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { useReportFonts } from '../../pipelines/charts/fonts.ts';
import { fontLayouts, prunedWords, shareFontLayouts, sharedFontLayoutWords, unshareFontLayouts } from '../../pipelines/charts/pdf-font-cache.ts';

interface Doc {
  font(src: string): Doc;
  fontSize(n: number): Doc;
  text(s: string, x?: number, y?: number, o?: object): Doc;
  widthOfString(s: string): number;
  addPage(): Doc;
  on(ev: 'data', f: (c: Buffer) => void): void;
  on(ev: 'end', f: () => void): void;
  end(): void;
}
const PDFDocument = createRequire(import.meta.url)('pdfkit') as new (o: object) => Doc;
const fonts = useReportFonts();

const TEXT = [
  'Andel invånare som bor i hyresrätt: 41,3 procent år 2024 (Länet 38,9; riket 36,2).',
  'Skillnaden mellan områdestyp 1 och 5 minskade med 2,1 procentenheter − inom felmarginalen.',
  'Sysselsättningsgrad 20–64 år, Arbetslöshet 20–64 år, per år',
];

/** A small PDF in the report's regular and bold faces, with its widths; fixed dates so two runs can be compared. */
async function pdf(): Promise<{ bytes: Buffer; widths: number[] }> {
  const doc = new PDFDocument({ compress: false, info: { CreationDate: new Date(0), ModDate: new Date(0) } });
  const chunks: Buffer[] = [];
  doc.on('data', (c) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', resolve));
  const widths: number[] = [];
  for (const face of [fonts.paths.normal, fonts.paths.bold]) {
    doc.font(face).fontSize(10);
    for (const t of TEXT) {
      widths.push(doc.widthOfString(t));
      doc.text(t, 50, undefined, { width: 300 });
    }
    doc.addPage();
  }
  doc.end();
  await done;
  return { bytes: Buffer.concat(chunks), widths };
}

afterAll(() => unshareFontLayouts());

describe('shareFontLayouts', () => {
  it('writes the same bytes and widths as pdfkit alone, with the cache cold and warm', async () => {
    unshareFontLayouts();
    const alone = await pdf();
    shareFontLayouts(fonts.paths.normal);
    const cold = await pdf();
    const words = sharedFontLayoutWords();
    // Every word of both faces went into the shared cache…
    expect(words).toBeGreaterThan(30);
    const warm = await pdf();
    // …and the second document found them all there.
    expect(sharedFontLayoutWords()).toBe(words);
    expect(alone.bytes.length).toBeGreaterThan(5000);
    expect(cold.widths).toEqual(alone.widths);
    expect(warm.widths).toEqual(alone.widths);
    expect(cold.bytes.equals(alone.bytes)).toBe(true);
    expect(warm.bytes.equals(alone.bytes)).toBe(true);
  });

  it('is installed once: a second call keeps the words already shaped', () => {
    shareFontLayouts(fonts.paths.normal);
    const n = sharedFontLayoutWords();
    shareFontLayouts(fonts.paths.normal);
    expect(sharedFontLayoutWords()).toBe(n);
  });
});

describe('prunedWords', () => {
  it('keeps the words asked for again since the last pruning, and none when they fill over half the cache', () => {
    const words = new Map(['a', 'b', 'c', 'd', 'e', 'f'].map((w, i) => [w, i] as const));
    expect([...prunedWords(words, new Set(['b', 'e']), 6)]).toEqual([['b', 1], ['e', 4]]);
    // A word hit and then gone from the map (not possible today) is not invented.
    expect([...prunedWords(words, new Set(['b', 'z']), 6)]).toEqual([['b', 1]]);
    expect(prunedWords(words, new Set(['a', 'b', 'c', 'd']), 6).size).toBe(0);
    expect(prunedWords(words, new Set(), 6).size).toBe(0);
  });

  it('counts every word the shared cache shapes, and not the ones it gives back', async () => {
    shareFontLayouts(fonts.paths.normal);
    await pdf();
    const shaped = fontLayouts.shaped;
    await pdf();
    expect(fontLayouts.shaped).toBe(shaped);
  });
});
