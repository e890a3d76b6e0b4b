/**
 * The project's XLSX writer: the XML it writes for each kind of cell and style, and what read-excel-file reads back.
 * (The report's workbook itself is tested in workbook.test.ts; until 5 Dec 2026 it was also compared part for part
 * with write-excel-file's, which wrote the same XML.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xlsxFile, type XlsxCell, type XlsxSheet } from '../../pipelines/report/xlsx-file.ts';
import { zipEntries } from '../helpers/zip-entries.ts';

const dir = mkdtempSync(join(tmpdir(), 'segfollow-xlsx-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bold = { bold: true };
const one = { format: '#,##0.0' };
// The same fields as `one` in another object: the same style.
const oneAgain = { format: '#,##0.0' };
const wide: XlsxCell[] = Array.from({ length: 28 }, (_, i) => i);

const sheets: XlsxSheet[] = [
  {
    name: 'Om filen',
    widths: [30, 0, undefined, 12],
    frozenRows: 2,
    rows: [
      [{ value: 'Rubrik', style: bold }],
      [{ value: 'Kolumn', style: { bold: true, wrap: true } }, { value: '', style: bold }, { value: null, style: bold }],
      ['Rinkeby & Kista <nord>', { value: 80.6, style: one }, { value: 1234.5, style: oneAgain }, 2025],
      [' indent', 'tab\there\u0001bell', '', null, -0.25],
      [],
      wide,
    ],
  },
  { name: `Källor "A&B's"`, widths: [], frozenRows: 0, rows: [['Ett'], ['Rinkeby & Kista <nord>']] },
];

describe('xlsxFile', () => {
  let file: string;
  let xml: Map<string, string>;
  beforeAll(() => {
    file = join(dir, 'a.xlsx');
    writeFileSync(file, xlsxFile(sheets, new Date('2025-03-15T09:30:00Z')));
    xml = zipEntries(file);
  });

  it('writes the parts Excel needs, one worksheet per sheet, no part for what no sheet has', () => {
    expect([...xml.keys()]).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/styles.xml', 'xl/sharedStrings.xml']);
    expect(xml.get('xl/workbook.xml')).toContain('<sheets><sheet r:id="rId1" sheetId="1" name="Om filen"/><sheet r:id="rId2" sheetId="2" name="Källor &quot;A&amp;B&apos;s&quot;"/></sheets>');
    expect(xml.get('xl/_rels/workbook.xml.rels')).toContain('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>');
  });

  it('freezes the top rows of a sheet that asks, the first sheet selected; widths only where given', () => {
    const s1 = xml.get('xl/worksheets/sheet1.xml') ?? '';
    expect(s1).toContain('<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="2" xSplit="0" topLeftCell="A3" activePane="bottomRight" state="frozen"/></sheetView></sheetViews>');
    expect(s1).toContain('<cols><col min="1" max="1" width="30" customWidth="1"/><col min="4" max="4" width="12" customWidth="1"/></cols>');
    const s2 = xml.get('xl/worksheets/sheet2.xml') ?? '';
    expect(s2).not.toContain('<sheetViews>');
    expect(s2).not.toContain('<cols>');
  });

  it('writes text as shared strings, numbers as numbers, styles numbered by first use and shared by their fields', () => {
    const s1 = xml.get('xl/worksheets/sheet1.xml') ?? '';
    // Title bold (1), header bold and wrapped (2); an empty cell only to carry its style; '' and null without one: no cell.
    expect(s1).toContain('<row r="1"><c r="A1" s="1" t="s"><v>0</v></c></row>');
    expect(s1).toContain('<row r="2"><c r="A2" s="2" t="s"><v>1</v></c><c r="B2" s="1"/><c r="C2" s="1"/></row>');
    expect(s1).toContain('<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" s="3"><v>80.6</v></c><c r="C3" s="3"><v>1234.5</v></c><c r="D3"><v>2025</v></c></row>');
    expect(s1).toContain('<row r="4"><c r="A4" t="s"><v>3</v></c><c r="B4" t="s"><v>4</v></c><c r="E4"><v>-0.25</v></c></row><row r="5"/>');
    expect(s1).toContain('<c r="Z6"><v>25</v></c><c r="AA6"><v>26</v></c><c r="AB6"><v>27</v></c></row></sheetData></worksheet>');
    // The same text on another sheet is the same shared string.
    expect(xml.get('xl/worksheets/sheet2.xml')).toContain('<row r="2"><c r="A2" t="s"><v>2</v></c></row>');
    const styles = xml.get('xl/styles.xml') ?? '';
    expect(styles).toContain('<numFmts count="1"><numFmt numFmtId="100" formatCode="#,##0.0"/></numFmts>');
    expect(styles).toContain('<fonts count="2"><font><family val="2"/><scheme val="minor"/><color theme="1"/></font><font><family val="2"/><scheme val="minor"/><b/><color theme="1"/></font></fonts>');
    expect(styles).toContain(
      '<cellXfs count="4"><xf ></xf><xf fontId="1" applyFont="1"></xf><xf fontId="1" applyFont="1" applyAlignment="1"><alignment wrapText="1"/></xf><xf numFmtId="100" applyNumberFormat="1"></xf></cellXfs>',
    );
  });

  it('escapes text, keeps its edge spaces, drops characters XML cannot hold', () => {
    const sst = xml.get('xl/sharedStrings.xml') ?? '';
    expect(sst).toContain('<si><t>Rinkeby &amp; Kista &lt;nord&gt;</t></si>');
    expect(sst).toContain('<si><t xml:space="preserve"> indent</t></si>');
    expect(sst).toContain('<si><t>tab\there\u0001bell</t></si>'.replace('\u0001', ''));
    expect(sst.match(/<si>/g)).toHaveLength(6);
  });

  it('reads back in read-excel-file with the same values and types', async () => {
    const read = (await readXlsxFile(file)) as { sheet: string; data: unknown[][] }[];
    expect(read.map((s) => s.sheet)).toEqual(['Om filen', `Källor "A&B's"`]);
    const [first, second] = read;
    // read-excel-file pads every row to the widest (28 columns here) and trims text (the XML keeps the space).
    expect(first?.data[0]?.[0]).toBe('Rubrik');
    expect(first?.data[2]?.slice(0, 5)).toEqual(['Rinkeby & Kista <nord>', 80.6, 1234.5, 2025, null]);
    expect(first?.data[3]?.slice(0, 5)).toEqual(['indent', 'tab\therebell', null, null, -0.25]);
    expect(first?.data[5]?.slice(24)).toEqual([24, 25, 26, 27]);
    expect(second?.data).toEqual([['Ett'], ['Rinkeby & Kista <nord>']]);
  });

  it('refuses a number a workbook cannot hold, naming sheet and cell', () => {
    expect(() => xlsxFile([{ name: 'Data', widths: [], frozenRows: 0, rows: [['a', 1], [null, { value: Number.NaN, style: one }]] }], new Date())).toThrow(/sheet "Data" cell B2: NaN/);
  });
});
