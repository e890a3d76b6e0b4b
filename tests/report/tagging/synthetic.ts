/**
 * Small pdfmake documents for the tagging layer's edge cases and fault tests, rendered with the report's own pdfmake
 * setup (fonts, the chart hook and the line-text layer, then the tagging layer), so they run in a second or two instead of a whole report.
 */
import { createRequire } from 'node:module';
import { installChartDrawing } from '../../../pipelines/charts/draw-chart.ts';
import { useReportFonts } from '../../../pipelines/charts/fonts.ts';
import { accessibleDefinition, type AccessibilityOptions, type TaggableDefinition } from '../../../pipelines/report/tagging/document.ts';
import { installLineText } from '../../../pipelines/report/line-text.ts';
import { installTagging, pdfmakeClasses } from '../../../pipelines/report/tagging/layer.ts';

const require = createRequire(import.meta.url);

interface PdfMake {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  createPdf(dd: unknown): { getBuffer(): Promise<Buffer> };
}

export function pdfmake(withTagging = true): PdfMake {
  const pm = require('pdfmake') as PdfMake;
  const { paths, family } = useReportFonts();
  const classes = pdfmakeClasses();
  installChartDrawing(classes.Renderer, family);
  installLineText(classes.Renderer);
  if (withTagging) installTagging(classes);
  pm.setFonts({ [family]: paths });
  const allowed = new Set(Object.values(paths));
  pm.setUrlAccessPolicy(() => false);
  pm.setLocalAccessPolicy((path) => allowed.has(path));
  return pm;
}

const FIXED = new Date(Date.UTC(2025, 2, 15, 9, 30));

/** A definition with everything a document needs around the given content. */
export function definition(content: unknown[], extra: Record<string, unknown> = {}): TaggableDefinition {
  const dd: TaggableDefinition & Record<string, unknown> = {
    pageSize: 'A4',
    language: 'sv-SE',
    info: { title: 'Provdokument', modDate: FIXED, ...{ creationDate: FIXED } },
    defaultStyle: { font: useReportFonts().family, fontSize: 10 },
    styles: { h1: { fontSize: 16, bold: true }, h2: { fontSize: 13, bold: true }, th: { bold: true } },
    content,
    ...extra,
  };
  return dd;
}

export async function tagged(dd: TaggableDefinition, options: Partial<AccessibilityOptions> = {}): Promise<Buffer> {
  const pm = pdfmake();
  return pm.createPdf(accessibleDefinition(dd, { report: 'prov.pdf', strict: true, archive: true, ...options })).getBuffer();
}

export async function untagged(dd: TaggableDefinition): Promise<Buffer> {
  return pdfmake().createPdf(dd).getBuffer();
}

/** A document with the constructs the reports use and a few they may: long table, ordered list, links, spans. */
export function edgeContent(): unknown[] {
  const rows = Array.from({ length: 70 }, (_, i) => [{ text: `Rad ${i + 1}`, role: 'TH' }, { text: String(i * 3), alignment: 'right' }, { text: i % 7 === 0 ? '..' : String(i) }]);
  return [
    { text: 'Rubrik ett', style: 'h1', tocItem: true },
    { toc: { title: { text: 'Innehåll', style: 'h2' } } },
    { text: ['En mening med ', { text: 'en länk', link: 'https://www.scb.se/' }, ' och mer text efter länken.'] },
    { ol: ['Första punkten', 'Andra punkten', { text: 'Tredje, längre punkten som gärna får radbrytas över flera rader i listan.' }] },
    { ul: ['Punkt', { stack: ['Punkt med två stycken', 'Andra stycket'] }] },
    {
      columns: [
        { text: 'Vänster spalt', width: '*' },
        { text: 'Höger spalt', width: '*' },
      ],
    },
    { text: 'Rubrik två', style: 'h2', tocItem: true, pageBreak: 'before' },
    {
      table: {
        headerRows: 1,
        widths: ['*', 'auto', 'auto'],
        body: [[{ text: 'Område', style: 'th' }, { text: 'Antal', style: 'th' }, { text: 'Status', style: 'th' }], ...rows, [{ text: 'Summa', colSpan: 2 }, {}, { text: 'x' }]],
      },
    },
    { text: 'Efter tabellen.' },
  ];
}
