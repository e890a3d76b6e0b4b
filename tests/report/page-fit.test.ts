/**
 * The page-fit layer's reuse of text measurements across layout passes (pipelines/report/page-fit.ts): a report laid
 * out more than once is the same file, byte for byte, as when every pass measures its text anew, and the pdfmake code
 * whose behaviour the reuse relies on is the version it was validated with.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReportPdf, chartsTakenFromEarlierTree, reportDefinition, treesMadeAgain } from '../../pipelines/report/build-pdf.ts';
import { installPageFit, layoutPasses, PAGE_FIT_HOOKS } from '../../pipelines/report/page-fit.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';
import { pdfmakeFileSha256 } from '../helpers/pdfmake-file.ts';
import { readPdfText } from '../helpers/pdf-text.ts';
import { definition, pdfmake } from './tagging/synthetic.ts';

const require = createRequire(import.meta.url);

/**
 * pdfmake 0.3.11's files the reuse depends on: DocMeasure.measureLeaf (what it reads and writes), TextInlines and
 * TextBreaker (a text's words depend only on the text and the style stack), DocPreprocessor (a content array gets a
 * new `{ stack }` per pass, which the layer makes once) and LayoutBuilder (layout moves and splits the words it is
 * given, which is why each pass gets copies). Re-validate (this suite, and the reports' bytes before and after) and
 * update on a pdfmake change.
 */
const VALIDATED: Record<string, string> = {
  'DocMeasure.js': 'fc718894ad324bd79344b6ecc9ea3a52eb92026ef736351d15f1d6e94631a622',
  'TextInlines.js': 'fe9110218ed3f2f63a2e7d03a5cbbb00a0523d6a06cc334b0072476d00e5013c',
  'TextBreaker.js': '1c3ff0ae980161ea8aa7e364d30b25dc46e6f09264f3fb0b9008807ed697e410',
  'DocPreprocessor.js': 'c59973f501365842a6e0dbf59e23b2ae0cc627bc5705a4e730f3ad33fbe13269',
  // Where layout writes on a word, which decides whether the next pass may have the same words back (page-fit.ts intact).
  'LayoutBuilder.js': '598afaa7ca4a48a54799714351cc0c909ec86d88798c4d1dedf9d2f73f7569b8',
  'Line.js': 'e190b006440107bca62a4803615547c981527491c58eb0da097784be4df59f61',
  'ElementWriter.js': '3a2e46a97588cfa4ca3ed32a2220e8d75dc73a3fb0177ee36a2b2492fa536fbe',
};

const dir = mkdtempSync(join(tmpdir(), 'segfollow-page-fit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('page fit: text measured once per document', () => {
  it.each(Object.entries(VALIDATED))('pdfmake %s is the validated version', (file, sha) => {
    expect(pdfmakeFileSha256(file)).toBe(sha);
  });

  it('hooks methods pdfmake has', () => {
    for (const [cls, methods] of Object.entries(PAGE_FIT_HOOKS)) {
      const proto = (require(`pdfmake/js/${cls}.js`) as { default: { prototype: Record<string, unknown> } }).default.prototype;
      for (const m of methods) expect(typeof proto[m]).toBe('function');
    }
    const L = (require('pdfmake/js/LayoutBuilder.js') as { default: { prototype: Record<string, unknown> } }).default.prototype;
    // The words a line takes are shifted off the node's list, and a word too long for its line is split in place.
    expect(String(L.buildNextLine)).toContain('let inline = textNode._inlines.shift();');
    expect(String(L.buildNextLine)).toContain('inline.text = inline.text.substr(0, maxChars);');
    // What else layout writes on a word: x (set before it is read), a justified word's shift, a page reference.
    const Line = (require('pdfmake/js/Line.js') as { default: { prototype: Record<string, unknown> } }).default.prototype;
    const W = (require('pdfmake/js/ElementWriter.js') as { default: { prototype: Record<string, unknown> } }).default.prototype;
    expect(String(Line.addInline)).toContain('inline.x = this.inlineWidths - this.leadingCut;');
    expect(String(W.alignLine)).toContain('line.inlines[i].justifyShift = additionalSpacing;');
    expect(String(L.processLeaf)).toContain('line.inlines[i]._pageNodeRef = line.inlines[i]._pageRef._nodeRef;');
  });

  it('a report laid out in several passes is the same file as with every pass measuring anew', async () => {
    // The fixture report (riket): laid out twice, a correction after the first pass.
    const model = (): ReturnType<typeof reportModelFixture> => reportModelFixture();
    const before = { ...layoutPasses };
    await buildReportPdf(model(), join(dir, 'reused.pdf'));
    const passes = layoutPasses.passes - before.passes;
    const reused = layoutPasses.reused - before.reused;
    expect(passes).toBeGreaterThan(1);
    expect(reused).toBeGreaterThan(0);
    layoutPasses.reuse = false;
    try {
      const fresh = { ...layoutPasses };
      await buildReportPdf(model(), join(dir, 'fresh.pdf'));
      expect(layoutPasses.reused).toBe(fresh.reused);
      expect(layoutPasses.passes - fresh.passes).toBe(passes);
    } finally {
      layoutPasses.reuse = true;
    }
    const a = readFileSync(join(dir, 'reused.pdf'));
    const b = readFileSync(join(dir, 'fresh.pdf'));
    expect(a.length).toBeGreaterThan(10_000);
    expect(a.equals(b)).toBe(true);
  });
});

describe('page fit: an alternative made only when the layout takes it', () => {
  it('a kommun report whose trend figure is printed in two parts is the same file whether the parts were drawn first or when asked for', async () => {
    // The fixture kommun's trends by area type leave the page before under-filled: printed in two parts.
    const model = (): ReturnType<typeof reportModelFixture> => reportModelFixture({ scope: { level: 'kommun', code: '0180', name: 'Stockholm' }, area_types: areaTypeBlockFixture(), segregation: [] });
    const made = treesMadeAgain();
    const taken = chartsTakenFromEarlierTree();
    await buildReportPdf(model(), join(dir, 'later.pdf'));
    expect(treesMadeAgain() - made).toBe(1);
    // The second tree draws only the two parts; every other chart is the first tree's scene (the bytes below show that
    // a scene given back draws the same as one drawn anew, which the 'now' route does for all of them).
    const given = chartsTakenFromEarlierTree() - taken;
    expect(given).toBeGreaterThan(2);
    const pages = { count: 0 };
    await buildReportPdf(model(), join(dir, 'now.pdf'), {}, { dd: await reportDefinition(model(), pages, { alternatives: 'now' }), pages });
    expect(treesMadeAgain() - made).toBe(1);
    expect(chartsTakenFromEarlierTree() - taken).toBe(given);
    const later = readFileSync(join(dir, 'later.pdf'));
    expect(later.equals(readFileSync(join(dir, 'now.pdf')))).toBe(true);
    const text = (await readPdfText(join(dir, 'later.pdf'))).pages.join('\n');
    expect(text).toMatch(/Figur \d+ \(forts\.\)/u);
  });

  it('a report that does not take it is laid out once, from the tree without it', async () => {
    const made = treesMadeAgain();
    await buildReportPdf(reportModelFixture(), join(dir, 'riket.pdf'));
    expect(treesMadeAgain()).toBe(made);
  });
});

describe('page fit: a correction a section in each pass', () => {
  // Two chapters, the second starting on a new page, each with a table's caption (keepWithNext) that 61 lines of text
  // leave alone at the foot of a page: each needs the same page break before its caption.
  const lines = (n: number): object => ({ text: Array.from({ length: n }, (_, i) => `Rad ${i + 1} med vanlig brödtext.`).join('\n') });
  const table = (): object => ({ table: { headerRows: 1, body: [['Område', 'Värde'], ...Array.from({ length: 30 }, (_, i) => [`Område ${i + 1}`, String(i)])] } });
  const chapter = (title: string, newPage: boolean): object[] => [
    { text: title, style: 'h1', ...(newPage ? { pageBreak: 'before' } : {}) },
    lines(61),
    { text: 'Tabell 1. Bildtext', keepWithNext: true },
    table(),
  ];
  const build = async (sections: boolean): Promise<{ passes: number; pdf: Buffer; pages: string[] }> => {
    const pm = pdfmake(false);
    installPageFit();
    layoutPasses.sections = sections;
    try {
      const before = layoutPasses.passes;
      const pdf = await pm.createPdf(definition([...chapter('Första kapitlet', false), ...chapter('Andra kapitlet', true)])).getBuffer();
      const file = join(dir, `sections-${sections}.pdf`);
      writeFileSync(file, pdf);
      return { passes: layoutPasses.passes - before, pdf, pages: (await readPdfText(file)).pages };
    } finally {
      layoutPasses.sections = true;
    }
  };

  it('corrects both chapters in one pass, and the file is the one a correction a pass makes', async () => {
    const one = await build(false);
    const both = await build(true);
    // The first layout, then one correction a pass: three; both chapters corrected together: two.
    expect(one.passes).toBe(3);
    expect(both.passes).toBe(2);
    expect(both.pdf.equals(one.pdf)).toBe(true);
    // The corrections were made: each caption starts a page, above its table's first row.
    expect(both.pages.filter((page) => page.trimStart().startsWith('Tabell 1. Bildtext'))).toHaveLength(2);
  });
});
