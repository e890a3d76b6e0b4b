import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportPdf } from '../../pipelines/report/build-pdf.ts';
import { areaTypeBlockFixture, CAVEATS, reportModelFixture, segregationExtrasFixture } from '../fixtures/report-model.ts';
import { readPdfText } from '../helpers/pdf-text.ts';
import { dictOf, isDict, isName, isRef, readPdf, resolve, textString, type PdfValue } from '../../pipelines/report/tagging/pdf-objects.ts';
import { message } from '../../pipelines/messages.ts';

const DEMO = 'Demodata – syntetiska uppgifter';

/** Page texts as one line: table cells and captions wrap, and a sentence may cross a line. */
function flat(pages: string[]): string {
  return pages.join(' ').replace(/\s+/gu, ' ');
}

/** The caveats the report stage adds with an area-types block. */
const AREA_TYPE_CAVEATS = (['W214_AREA_TYPES_RELATIVE', 'W216_BY_AREA_TYPE_SUMS'] as const).map((id) => ({ id, text: message(id) }));

// Parsed with pdf.js (tests/helpers/pdf-text.ts), so the tests need no system tools.
async function pdfinfo(file: string): Promise<Record<string, string>> {
  const { pages, info } = await readPdfText(file);
  return { ...Object.fromEntries(Object.entries(info).map(([k, v]) => [k, String(v)])), Pages: String(pages.length) };
}

async function pdftext(file: string): Promise<string[]> {
  return (await readPdfText(file)).pages;
}

/**
 * Font dictionaries as pdfkit writes them: every font a subset (ABCDEF+Name) with an embedded FontFile2. Read with the
 * project's PDF object reader: a tagged report keeps its dictionaries in object streams (report/tagging/compact.ts).
 */
function pdffonts(file: string): { names: string[]; embedded: number } {
  const pdf = readPdf(readFileSync(file));
  const dicts = [...pdf.objects.values()].flatMap((o) => (isDict(o.value) ? [o.value.dict] : []));
  const names = dicts.flatMap((d) => (isName(d.get('BaseFont')) ? [(d.get('BaseFont') as { name: string }).name] : []));
  const files = dicts.flatMap((d) => (isRef(d.get('FontFile2')) ? [(d.get('FontFile2') as { num: number }).num] : []));
  return { names: [...new Set(names)], embedded: new Set(files).size };
}

describe('buildReportPdf on the fixture', () => {
  let dir: string;
  let file: string;
  let result: { pages: number; bytes: number };
  let pages: string[];
  let ms: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segfollow-pdf-'));
    file = join(dir, 'riket-2025.pdf');
    const t0 = performance.now();
    result = await buildReportPdf(reportModelFixture(), file);
    ms = performance.now() - t0;
    pages = await pdftext(file);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the file atomically and reports its true size and page count', async () => {
    expect(readdirSync(dir)).toEqual(['riket-2025.pdf']);
    expect(result.bytes).toBe(statSync(file).size);
    const info = await pdfinfo(file);
    expect(Number(info.Pages)).toBe(result.pages);
    expect(result.pages).toBeGreaterThanOrEqual(6);
    expect(pages).toHaveLength(result.pages);
    console.info(`fixture PDF: ${ms.toFixed(0)} ms, ${result.pages} pages, ${result.bytes} bytes`);
  });

  it('carries document metadata', async () => {
    const info = await pdfinfo(file);
    expect(info.Title).toBe('Uppföljning av reformprogrammet för minskad segregation 2017–2025 – Riket 2025');
    expect(info.Author).toBe('segfollow');
    expect(info.Creator).toBe('segfollow');
    expect(info.Subject).toContain('rapportår 2025');
    const pdf = readPdf(readFileSync(file));
    expect(textString(resolve(pdf, dictOf(pdf, pdf.trailer.get('Root'))?.get('Lang')) as PdfValue)).toBe('sv-SE');
  });

  it('embeds its fonts (Roboto, subset) and nothing else', () => {
    const fonts = pdffonts(file);
    expect(fonts.names.length).toBeGreaterThan(0);
    for (const name of fonts.names) expect(name).toMatch(/^[A-Z]{6}\+Roboto-/);
    expect(fonts.embedded).toBe(fonts.names.length);
  });

  it('marks every page as demo data and numbers it "Sida X av Y"', () => {
    pages.forEach((text, i) => {
      expect(text, `page ${i + 1}`).toContain(DEMO);
      expect(text, `page ${i + 1}`).toContain(`Sida ${i + 1} av ${pages.length}`);
    });
  });

  it('has the title page, contents, summary, chapters, segregation, sources and appendix in Swedish', () => {
    const all = pages.join('\n');
    expect(pages[0]).toContain('Uppföljning av reformprogrammet för');
    expect(pages[0]).toContain('minskad segregation 2017–2025');
    expect(pages[0]).toContain('Riket – rapportår 2025');
    expect(pages[1]).toContain('Innehåll');
    for (const heading of [
      '1 Sammanfattning',
      '2 Boende',
      '3 Utbildning',
      '4 Arbete',
      '5 Demokrati och civilsamhälle',
      '6 Brottslighet',
      '7 Ekonomi',
      '8 Befolkning',
      '9 Segregation',
      'Bilaga A Metod och källor',
      'Bilaga B Indikatorerna',
      'Bilaga C Diagrammens siffror',
    ]) {
      expect(pages[1], heading).toContain(heading);
      expect(pages.slice(2).join('\n'), heading).toContain(heading);
    }
    // The contents list chapters only (one page); sections are in the text and the PDF outline.
    for (const section of ['A.1 Källor', 'A.2 Förbehåll', 'B.1 Boende']) {
      expect(pages[1], section).not.toContain(section);
      expect(pages.slice(2).join('\n'), section).toContain(section);
    }
    expect(pages[1]).toContain('Om uppgifterna');
    // Swedish letters and formatting survive into the text layer.
    expect(all).toContain('Trångboddhet enligt norm 2');
    expect(all).toContain('Östersund');
    expect(all).toContain('Älmhult');
    expect(all).toMatch(/15,5\s%/u);
    expect(all).toMatch(/1\s000 invånare/u);
    expect(all).toContain('\u22120,3'); // the overcrowding change in the chapter table
    expect(all).toContain('ökat tydligt med 0,6 procentenheter'); // unemployment: a clear rise (the fixture has no thresholds)
    expect(all).toContain('minskat tydligt med 3,6 procentenheter'); // turnout: a fall
  });

  it('lists every source with its id, URL and Swedish fetch date, and every caveat as text, without ids or checksums', () => {
    const all = pages.join('\n');
    const text = flat(pages);
    const model = reportModelFixture();
    for (const s of model.sources) expect(all).toContain(s.table_id);
    expect(all).toContain('14 mars 2025 kl. 08:42');
    expect(all).toContain('statistikdatabasen.scb.se/api/v2/tables/TAB6571');
    // The first words of each (the page may substitute a glyph the font lacks further on).
    for (const c of model.caveats) expect(text).toContain(c.text.replace(/\s+/gu, ' ').slice(0, 24));
    // Warning ids and hashes stay in the manifest and the exports, out of the reader's text.
    expect(all).not.toMatch(/\bW\d{3}_[A-Z_]+/);
    expect(all).not.toMatch(/SHA-256|\b[0-9a-f]{16,}\b/);
    expect(all).toContain('färre än 50 personer');
    expect(all).toContain('DeSO 2018 till DeSO 2025');
  });

  it('gives each chart a numbered figure and its numbers as a table', () => {
    const all = pages.join('\n');
    const figures = new Set([...all.matchAll(/Figur (\d+)\./g)].map((m) => Number(m[1])));
    // One small-multiples figure per policy area (7), a spread chart per indicator (10), one for the segregation indices.
    expect(figures.size).toBe(18);
    for (let n = 1; n <= 18; n++) expect(all).toContain(`Siffrorna i figur ${n}:`);
    const appendix = all.slice(all.lastIndexOf('Bilaga C Diagrammens siffror'));
    expect(appendix).toContain('Gotlands län');
    // Riket: the 290-kommun lists are in the workbook, not the PDF.
    expect(appendix).not.toMatch(/Siffrorna i figur \d+: [^\n]*: kommuner/u);
    expect(flat(pages)).toContain('och i Excelfilen (bladet Kommuner, kommunerna)');
  });

  it('is reproducible: the same model gives the same bytes', async () => {
    const again = join(dir, 'again.pdf');
    await buildReportPdf(reportModelFixture(), again);
    expect(readFileSync(again).equals(readFileSync(file))).toBe(true);
    rmSync(again);
  });
});

describe('buildReportPdf variants', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'segfollow-pdf-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a real-data report carries no demo mark', async () => {
    const file = join(dir, 'real.pdf');
    const model = reportModelFixture({ demo: false });
    model.caveats = model.caveats.filter((c) => c.id !== 'W301_DEMO_DATA');
    const r = await buildReportPdf(model, file);
    const text = (await pdftext(file)).join('\n');
    expect(text).not.toContain('Demodata');
    expect(text).not.toContain('syntetisk');
    expect(text).toContain(`Sida 1 av ${r.pages}`);
  });

  it('a failed build leaves no file behind', async () => {
    const file = join(dir, 'english.pdf');
    // An English report of the fixture's made-up group split, which has no English name, stops mid-build.
    await expect(buildReportPdf(reportModelFixture({ lang: 'en' }), file)).rejects.toThrow(/templates\/wording\/en\.json: no key "segregation\.groupNames\./);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('english'))).toEqual([]);
  });

  it('a län report ranks its kommuner instead of drawing län rows', async () => {
    const model = reportModelFixture({ scope: { level: 'lan', code: '23', name: 'Jämtlands län' } });
    for (const ch of model.chapters) {
      for (const b of ch.indicators) {
        b.by_lan = [];
        b.by_kommun = b.by_kommun.filter((k) => k.lan_code === '23');
      }
    }
    const file = join(dir, 'lan.pdf');
    await buildReportPdf(model, file);
    const text = (await pdftext(file)).join('\n');
    expect((await pdfinfo(file)).Title).toContain('Jämtlands län 2025');
    expect(text).toContain('Jämtlands län – rapportår 2025');
    expect(text).toMatch(/per kommun 2024\. Procent\. Streckad linje: Jämtlands län\./);
    expect(text).toContain('i Jämtlands län');
    expect(text).not.toContain('per län och kommun');
  });

  it('survives an indicator without any values and an empty segregation list', async () => {
    const model = reportModelFixture({ segregation: [] });
    const first = model.chapters[0]?.indicators[0];
    if (!first) throw new Error('fixture changed');
    first.series = first.series.map((p) => ({ ...p, value: null, status: '..' }));
    first.by_kommun = first.by_kommun.map((k) => ({ ...k, value: null, status: '..' }));
    first.by_lan = first.by_lan.map((l) => ({ ...l, value: null, status: '..' }));
    const file = join(dir, 'sparse.pdf');
    await buildReportPdf(model, file);
    const text = (await pdftext(file)).join('\n');
    expect(text).toContain('Uppgifter saknas för alla år 2017–2025.');
    expect(text.replace(/\s+/gu, ' ')).toContain(`Diagram saknas för ${first.title_sv.charAt(0).toLowerCase()}${first.title_sv.slice(1)} eftersom inga värden finns för något år.`);
    expect(text).not.toContain('9 Segregation');
  });
});

describe('buildReportPdf with area types, the decomposition and RegSO beside DeSO', () => {
  let dir: string;
  let file: string;
  let result: { pages: number; bytes: number };
  let pages: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segfollow-pdf-'));
    file = join(dir, 'riket-2025-area-types.pdf');
    const t0 = performance.now();
    result = await buildReportPdf(reportModelFixture({ area_types: areaTypeBlockFixture(), segregation: segregationExtrasFixture(), caveats: [...CAVEATS, ...AREA_TYPE_CAVEATS] }), file);
    console.info(`fixture PDF with area types: ${(performance.now() - t0).toFixed(0)} ms, ${result.pages} pages, ${result.bytes} bytes`);
    pages = await pdftext(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has every page numbered, marked as demo data and with content of its own (no blank pages)', () => {
    expect(pages).toHaveLength(result.pages);
    expect(result.pages).toBeGreaterThanOrEqual(25);
    pages.forEach((text, i) => {
      expect(text, `page ${i + 1}`).toContain(DEMO);
      expect(text, `page ${i + 1}`).toContain(`Sida ${i + 1} av ${pages.length}`);
      const body = text
        .replaceAll(DEMO, '')
        .replace(`Sida ${i + 1} av ${pages.length}`, '')
        .replace(/Uppföljning av reformprogrammet för minskad segregation 2017–2025 · Riket 2025/, '');
      expect(body.trim().length, `page ${i + 1} is blank`).toBeGreaterThan(40);
    });
  });

  it('puts the Områdestyper chapter after Segregation, in the contents and in the text', () => {
    for (const heading of ['9 Segregation', '10 Områdestyper', 'Bilaga A Metod och källor']) {
      expect(pages[1], heading).toContain(heading);
      expect(pages.slice(2).join('\n'), heading).toContain(heading);
    }
    const contents = pages[1] ?? '';
    expect(contents.indexOf('9 Segregation')).toBeLessThan(contents.indexOf('10 Områdestyper'));
    for (const section of ['10.1 Invånare per områdestyp', '10.2 Skillnader mellan områdestyp 1 och 5']) expect(pages.slice(2).join('\n'), section).toContain(section);
    expect(pages.join('\n')).not.toContain('Kommunens RegSO');
  });

  it('shows residents, gaps and verdicts with Swedish number formats', () => {
    const all = flat(pages);
    expect(all).toMatch(/10\s587\s710/u); // residents 2024, total row
    expect(all).toMatch(/Andel\s2024/u);
    expect(all).toContain('Skillnaden mellan områdestyp 1 och 5, riket 2024, och dess förändring sedan 2017');
    expect(all).toMatch(/−30,0\s+−28,7\s+−1,3\s+ökat/u); // employment: gap, base gap, change, verdict
    expect(all).toMatch(/6,9\s+8,6\s+−1,7\s+minskat/u); // economic assistance
    expect(all).toMatch(/−29,4\s+−29,4\s+0,0\s+ingen säkerställd förändring/u); // owner-occupied: inside the materiality
    expect(all).toContain('Valdeltagande i val till kommunfullmäktige (2022, basår 2018)');
    expect(all).toContain('Områdestyperna är relativa');
    expect(all).toContain('Skillnaden har minskat med 1,7 procentenheter sedan 2017');
  });

  it('has the decomposition table, the RegSO table and intervals in the segregation chapter', () => {
    const all = flat(pages);
    expect(all).toContain('uppdelning av segregationen i riket på län, kommuner och områden inom kommunerna');
    expect(all).toMatch(/Inom kommunerna\s+0,0463\s+0,0288\s+75,0\s%/u);
    expect(all).toMatch(/Siffrorna i figur \d+: Olikhetsindex D, utländsk bakgrund \/ svensk bakgrund, RegSO, värde, antal områden och status per år/u);
    expect(all).toContain('95 % intervall');
    expect(all).toContain('Blå linje: DeSO; orange linje: RegSO');
  });

  it('lists the new charts\' numbers in the appendix', () => {
    const appendix = pages.join('\n').slice(pages.join('\n').lastIndexOf('Bilaga C Diagrammens siffror'));
    // The population bars are gone from the chapter (its table has the first and latest year); every year is here.
    expect(appendix).toMatch(/Andel av invånarna per områdestyp och år, riket 2017–2024/);
    expect(appendix).toMatch(/Siffrorna i figur \d+: indikatorer per områdestyp, riket 2024/);
  });
});
