/**
 * The Områdestyper chapter as printed (pipelines/report/build-pdf.ts), parsed back from the PDF: a kommun with one
 * type gets one sentence and its index spread instead of 100 % bars and a gap it cannot have; a Malmö-like kommun
 * gets type 1 against the rest of the kommun; every report with types gets the trends by type with their numbers in
 * the appendix; printed changes equal the difference of the printed gaps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportPdf } from '../../pipelines/report/build-pdf.ts';
import type { AreaTypeBlock } from '../../pipelines/report/model.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';
import { malmoLike, singleType } from '../fixtures/area-type-kommuner.ts';
import { readPdfText } from '../helpers/pdf-text.ts';

/** Page texts as one line: table cells and captions wrap, and a sentence may cross a line. */
function flat(pages: string[]): string {
  return pages.join(' ').replace(/\s+/gu, ' ');
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'segfollow-area-type-pdf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pagesOf: Record<string, string[]> = {};

async function kommunPdf(name: string, code: string, block: AreaTypeBlock): Promise<string> {
  const model = reportModelFixture({ scope: { level: 'kommun', code, name }, area_types: block, segregation: [] });
  const out = join(dir, `${code}.pdf`);
  await buildReportPdf(model, out);
  pagesOf[code] = (await readPdfText(out)).pages.map((p) => flat([p]));
  return flat(pagesOf[code] ?? []);
}

/** The text of the Områdestyper chapter (from its heading in the text, not the contents, to the next chapter). */
function chapter(text: string): string {
  const start = text.lastIndexOf('Områdestyper Varje RegSO');
  const end = text.indexOf('Metod och källor', start);
  return text.slice(start, end < 0 ? undefined : end);
}

describe('the Områdestyper chapter', () => {
  it('a kommun with one type: one sentence for the residents, the comparison sentence and the index spread, no bars and no gap', async () => {
    const block = singleType();
    block.regso = [
      { code: '2403R002', name: 'Bjurholm RegSO 002', first_type: 4, latest_type: 4, latest_index: 5.7 },
      { code: '2403R001', name: 'Bjurholm RegSO 001', first_type: 4, latest_type: 4, latest_index: 4.4 },
    ];
    block.regso_years = { first: 2017, latest: 2024 };
    const text = await kommunPdf('Bjurholm', '2403', block);
    const ch = chapter(text);
    expect(ch).toContain('Alla invånare i Bjurholm bodde 2017–2024 i områden med goda socioekonomiska förutsättningar (typ 4).');
    expect(ch).toContain('9.2 Jämförelse mellan områdestyper');
    expect(ch).toContain('Alla 2 RegSO i Bjurholm var år 2024 av typ 4 (områden med goda socioekonomiska förutsättningar), så områdestyperna kan inte jämföras inom kommunen.');
    expect(ch).toContain('Det socioekonomiska indexet för kommunens 2 RegSO låg år 2024 mellan 4,4 och 5,7 (median 5,1)');
    // The blocks that would say nothing are gone: the population table and its 100 % bars, the gap sentence and chart.
    expect(ch).not.toContain('Invånare per områdestyp, Bjurholm');
    expect(text).not.toContain('Andel av invånarna per områdestyp');
    expect(text).not.toContain('kan inte beräknas');
    expect(text).not.toContain('Indikatorer per områdestyp');
    // The RegSO list is reference matter: a line in the chapter, the table in bilaga C (and the workbook).
    expect(ch).toContain('Kommunens 2 RegSO med sin områdestyp finns i bilaga C och i Excelfilen (bladet RegSO).');
    expect(ch).not.toContain('Bjurholm RegSO 001');
    const appendix = text.slice(text.lastIndexOf('Bilaga C Diagrammens siffror'));
    expect(appendix).toContain('Regionala statistikområden (RegSO) i Bjurholm');
    expect(appendix.indexOf('Bjurholm RegSO 001')).toBeLessThan(appendix.indexOf('Bjurholm RegSO 002'));
  });

  it('a Malmö-like kommun: type 1 against the rest of the kommun, in the heading, the text, the table and the trends', async () => {
    const block = malmoLike();
    block.regso = [{ code: '1280R001', name: 'Rosengård', first_type: 1, latest_type: 1, latest_index: 55.0 }];
    block.regso_years = { first: 2017, latest: 2024 };
    const text = await kommunPdf('Malmö', '1280', block);
    const ch = chapter(text);
    expect(ch).toContain('9.2 Områdestyp 1 jämfört med resten av kommunen');
    expect(ch).toContain('I Malmö fanns inga områden av typ 5 år 2024, så områdena av typ 1');
    // A kommun report's gap table is in bilaga C (issue 7: a short reader's part), the chapter says where.
    expect(ch).toContain('Skillnaden för varje indikator, hur den har förändrats och bedömningen av förändringen står i en tabell i bilaga C.');
    expect(ch).not.toContain('Skillnaden mellan typ 1 och resten av kommunen, Malmö 2024, och dess förändring sedan 2017');
    const gaps = text.slice(text.lastIndexOf('Bilaga C Diagrammens siffror'));
    expect(gaps).toContain('Skillnaden mellan typ 1 och resten av kommunen, Malmö 2024, och dess förändring sedan 2017');
    // Header and employment row: 55,4 vs 78,6, gap −23,2 (base −26,9), change +3,7 as printed, narrowed.
    expect(gaps).toMatch(/Typ 1\s+Typ 2–4\s+Skillnad/u);
    expect(gaps).toMatch(/Sysselsättningsgrad 20–64 år\s+55,4\s+78,6\s+−23,2\s+−26,9\s+\+3,7\s+minskat/u);
    expect(gaps).toMatch(/Arbetslöshet 20–64 år\s+14,2\s+5,1\s+9,1\s+8,3\s+\+0,8\s+ingen säkerställd förändring/u);
    expect(ch).toContain('Det socioekonomiska indexet för kommunens 106 RegSO låg år 2024 mellan 2,3 och 55,0');
    expect(ch).toContain('9.3 Utveckling per områdestyp');
    expect(ch).toContain('Indikatorer per områdestyp och år, Malmö 2017–2024');
    expect(ch).toContain('Kommunens 1 RegSO med sin områdestyp finns i bilaga C');
    const appendix = text.slice(text.lastIndexOf('Bilaga C Diagrammens siffror'));
    expect(appendix).toContain('Rosengård');
    expect(appendix).toMatch(/Siffrorna i figur \d+: indikatorer per områdestyp och år, Malmö 2017–2024/u);
    // Type 1's employment series 50,1 → 55,4, the other types flat; type 5 (no RegSO) has no row.
    expect(appendix).toMatch(/Sysselsättningsgrad 20–64 år 1 50,1 50,9 51,6 52,4 53,1 53,9 54,6 55,4/u);
    expect(appendix).not.toMatch(/Sysselsättningsgrad 20–64 år[^A-Z]*\b5 \.\./u);
  });

  it('riket: trends by type for the indicators with series, and printed changes that equal the printed gaps\' difference', async () => {
    const out = join(dir, 'riket.pdf');
    await buildReportPdf(reportModelFixture({ area_types: areaTypeBlockFixture() }), out);
    const { pages } = await readPdfText(out);
    const text = flat(pages);
    const ch = chapter(text);
    // The heading, its text and the figure share a page.
    const trendPage = pages.find((p) => flat([p]).includes('Figuren visar hur 6 indikatorer'));
    expect(flat([trendPage ?? ''])).toContain('10.3 Utveckling per områdestyp');
    expect(flat([trendPage ?? ''])).toContain('Indikatorer per områdestyp och år, riket 2017–2024');
    // Rental share has no type 1 value (withheld) but types 2–5 have series: it is drawn too.
    expect(ch).toContain('10.3 Utveckling per områdestyp');
    expect(ch).toContain('Figuren visar hur 6 indikatorer har utvecklats i varje områdestyp i riket 2017–2024.');
    // Owner-occupied: −29,4 in both years as printed, so the printed change is 0,0 and the verdict no clear change.
    expect(ch).toMatch(/Andel äganderätter av lägenheterna\s+15,8\s+45,2\s+−29,4\s+−29,4\s+0,0\s+ingen säkerställd förändring/u);
    const block = areaTypeBlockFixture();
    expect(block.indicators.every((i) => i.comparison === 'type1_vs_type5')).toBe(true);
  });
});
