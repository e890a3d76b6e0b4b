/**
 * The tagging layer on the constructs the reports use and a few more (ordered and nested lists, a paragraph with a
 * link, columns, row headers, a column span, a 70-row table whose header row repeats on the next page, a figure),
 * checked structurally and against the untagged rendering; concurrent documents; and the layer inert for documents
 * that do not ask for tagging.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkTaggedPdf, structureText } from '../../../pipelines/report/tagging/check.ts';
import { readPdf } from '../../../pipelines/report/tagging/pdf-objects.ts';
import { hasPoppler } from './reports.ts';
import { definition, edgeContent, tagged, untagged } from './synthetic.ts';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"><rect x="0" y="0" width="100" height="50" fill="#1f4e79"/></svg>';
const content = (): unknown[] => [...edgeContent(), { svg: SVG, width: 100, alt: 'Ett blått fält.' }];

let dir: string;
let taggedPdf: Buffer;
let plainPdf: Buffer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segfollow-tagging-edge-'));
  taggedPdf = await tagged(definition(content()));
  plainPdf = await untagged(definition(content()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('makes page headers, footers, backgrounds and a watermark artifacts', async () => {
  const furniture = {
    header: (page: number) => (page === 1 ? null : { text: 'Sidhuvud för provet', margin: [40, 15, 40, 0] }),
    footer: (page: number, count: number) => ({ text: `Sida ${page} av ${count}`, alignment: 'right', margin: [40, 10, 40, 0] }),
    background: () => ({ canvas: [{ type: 'rect', x: 0, y: 0, w: 595, h: 20, color: '#eeeeee' }] }),
    watermark: { text: 'UTKAST', opacity: 0.1 },
  };
  const pdf = await tagged(definition(content(), furniture));
  const r = checkTaggedPdf(readPdf(pdf));
  expect(r.errors).toEqual([]);
  expect(r.stats.roles).toEqual(checkTaggedPdf(readPdf(taggedPdf)).stats.roles);
  const text = structureText(readPdf(pdf)).map((e) => e.text).join('\n');
  expect(text).toContain('Rubrik ett');
  expect(text).not.toMatch(/Sidhuvud|Sida \d|UTKAST/);
  if (hasPoppler) {
    writeFileSync(join(dir, 'furniture-t.pdf'), pdf);
    writeFileSync(join(dir, 'furniture-u.pdf'), await untagged(definition(content(), furniture)));
    // Printed on the pages all the same.
    expect(execFileSync('pdftotext', [join(dir, 'furniture-t.pdf'), '-'], { encoding: 'utf8' })).toContain('Sida 3 av 3');
    execFileSync('pdftoppm', ['-r', '40', join(dir, 'furniture-t.pdf'), join(dir, 'px-ft')]);
    execFileSync('pdftoppm', ['-r', '40', join(dir, 'furniture-u.pdf'), join(dir, 'px-fu')]);
    const pages = readdirSync(dir).filter((f) => f.startsWith('px-fu'));
    expect(pages).toHaveLength(3);
    for (const p of pages) expect(readFileSync(join(dir, p)).equals(readFileSync(join(dir, p.replace('px-fu', 'px-ft'))))).toBe(true);
  }
});

it('tags every construct, passing the structural checker', () => {
  const r = checkTaggedPdf(readPdf(taggedPdf));
  expect(r.errors).toEqual([]);
  const roles = r.stats.roles;
  expect(roles.L).toBe(2);
  expect(roles.LI).toBe(5);
  // The ordered list's numbers are labels; the bullets are artifacts.
  expect(roles.Lbl).toBe(3);
  // The second bullet holds two paragraphs in its LBody.
  expect(roles.LBody).toBe(5);
  expect(roles.Table).toBe(1);
  // 70 rows + the sum row in TBody, one header row in THead although it is printed on two pages.
  expect(roles.TR).toBe(72);
  expect(r.stats.headRows).toBe(1);
  // 3 column headers and 70 row headers.
  expect(roles.TH).toBe(73);
  expect(roles.Figure).toBe(1);
  expect(roles.TOCI).toBe(2);
  expect(r.stats.pages).toBe(3);
  expect(r.stats.scopes).toEqual({ Column: 3, Row: 70 });
  // One annotation per link, however many words pdfmake drew it in (the paragraph's two-word link, the TOC rows).
  expect(r.stats.links).toBe(roles.Link);
});

it('makes the leading body columns of a table with rowHeaderColumns row headers (TH /Scope /Row)', async () => {
  // A fresh body per table: pdfmake keeps its layout state on the cell objects.
  const body = (): unknown[][] => [
    [{ text: 'Län', style: 'th' }, { text: 'Kommun', style: 'th' }, { text: 'Andel', style: 'th' }],
    ['Skåne län', 'Malmö', '12,5 %'],
    ['Skåne län', 'Lund', '8,1 %'],
    ['Stockholms län', 'Botkyrka', '15,0 %'],
  ];
  const table = (rowHeaderColumns?: number): unknown => ({ table: { headerRows: 1, widths: ['*', '*', 'auto'], body: body() }, ...(rowHeaderColumns === undefined ? {} : { rowHeaderColumns }) });
  const pdf = readPdf(await tagged(definition([{ text: 'Andelar', style: 'h1' }, table(2), table()])));
  const r = checkTaggedPdf(pdf);
  expect(r.errors).toEqual([]);
  // First table: 3 column headers and 2 × 3 row headers; second (no rowHeaderColumns): 3 column headers, 9 data cells.
  expect(r.stats.scopes).toEqual({ Column: 6, Row: 6 });
  expect(r.stats.roles.TD).toBe(3 + 9);
  const cells = structureText(pdf)
    .filter((e) => e.role === 'TH' || e.role === 'TD')
    .map((e) => `${e.role}:${e.text}`);
  expect(cells.slice(0, 12)).toEqual(['TH:Län', 'TH:Kommun', 'TH:Andel', 'TH:Skåne län', 'TH:Malmö', 'TD:12,5 %', 'TH:Skåne län', 'TH:Lund', 'TD:8,1 %', 'TH:Stockholms län', 'TH:Botkyrka', 'TD:15,0 %']);
  expect(cells.slice(15, 18)).toEqual(['TD:Skåne län', 'TD:Malmö', 'TD:12,5 %']);
});

it.skipIf(!hasPoppler)('puts the column span, the row scopes and the paragraph link into the tree', () => {
  const file = join(dir, 'edge.pdf');
  writeFileSync(file, taggedPdf);
  const tree = execFileSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8' });
  expect(tree).toMatch(/TD:\s*\n\s*\/ColSpan 2\s*\n\s*"Summa"/);
  expect(tree).toMatch(/TH:\s*\n\s*\/Scope \/Row\s*\n\s*"Rad 1"/);
  expect(tree).toMatch(/TH:\s*\n\s*\/Scope \/Column\s*\n\s*"Område"/);
  expect(tree).toMatch(/P \(block\)\s*\n\s*"En mening med "\s*\n\s*Link \(inline\)\s*\n\s*"en länk"\s*\n(\s*Object \d+ 0\s*\n)+\s*" och mer text efter länken."/);
  expect(tree).toMatch(/Lbl \(block\)\s*\n\s*"1\. "/);
  // "Område" is printed on pages 2 and 3 (repeated header) but is in the tree once.
  expect(tree.split('"Område"').length - 1).toBe(1);
  expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).split('Område').length - 1).toBe(2);
});

it.skipIf(!hasPoppler)('renders pixel-identical to the untagged document', () => {
  writeFileSync(join(dir, 't.pdf'), taggedPdf);
  writeFileSync(join(dir, 'u.pdf'), plainPdf);
  execFileSync('pdftoppm', ['-r', '72', join(dir, 't.pdf'), join(dir, 'pt')]);
  execFileSync('pdftoppm', ['-r', '72', join(dir, 'u.pdf'), join(dir, 'pu')]);
  const pages = readdirSync(dir).filter((f) => f.startsWith('pu')).sort();
  expect(pages).toHaveLength(3);
  for (const p of pages) expect(readFileSync(join(dir, p)).equals(readFileSync(join(dir, p.replace('pu', 'pt'))))).toBe(true);
});

it('tags documents laid out concurrently independently', async () => {
  const [a, b] = await Promise.all([tagged(definition(content())), tagged(definition([{ text: 'Kort', style: 'h1' }, 'Ett stycke.']))]);
  const ra = checkTaggedPdf(readPdf(a));
  const rb = checkTaggedPdf(readPdf(b));
  expect(ra.errors).toEqual([]);
  expect(rb.errors).toEqual([]);
  expect(ra.stats.roles).toEqual(checkTaggedPdf(readPdf(taggedPdf)).stats.roles);
  expect(rb.stats.roles).toEqual({ Document: 1, H1: 1, P: 1 });
});

it('is inert for documents that do not ask for tagging: byte-identical to pdfmake without the layer', () => {
  // The same definition rendered in a process that never installs the layer.
  const script = `
    import { definition, edgeContent, pdfmake } from ${JSON.stringify(fileURLToPath(new URL('./synthetic.ts', import.meta.url)))};
    const svg = ${JSON.stringify(SVG)};
    const pdf = await pdfmake(false).createPdf(definition([...edgeContent(), { svg, width: 100, alt: 'Ett blått fält.' }])).getBuffer();
    process.stdout.write(pdf.toString('base64'));`;
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(out.stderr).toBe('');
  const elsewhere = Buffer.from(out.stdout, 'base64');
  expect(elsewhere.length).toBeGreaterThan(10_000);
  expect(plainPdf.equals(elsewhere)).toBe(true);
});
