/**
 * The bytes of an .xlsx workbook (Office Open XML, SpreadsheetML) of plain tables: per sheet its column widths,
 * rows kept in view at the top (a frozen pane), and cells that are text (shared strings), numbers, or either with a
 * style (a number format, bold, wrapped text). The parts are those Excel needs and nothing more: [Content_Types].xml,
 * the package and workbook relationships, workbook.xml, one sheetN.xml per sheet, styles.xml, sharedStrings.xml;
 * zipped by zip-file.ts with every entry dated `at`, so the same sheets give the same bytes.
 *
 * It writes the XML write-excel-file 4.1.1 wrote for the same cells (the project's writer until December 2026), part
 * for part, so files read the same in Excel, LibreOffice and read-excel-file; the per-sheet relationship parts that
 * library added for drawings are left out, since no sheet has one. Its own: no per-cell style key (a style is found
 * by object identity, then by its fields), strings escaped only where they hold a character to escape, and
 * node:zlib's native deflate instead of fflate's JavaScript one.
 */
import { zipFile, type ZipEntry } from './zip-file.ts';

/** A cell's look: an Excel number format code (`#,##0.0`), bold font, wrapped text. */
export interface XlsxStyle {
  readonly format?: string;
  readonly bold?: boolean;
  readonly wrap?: boolean;
}

/** Text, a number, nothing, or any of these with a style. Empty text is no cell, as is null without a style. */
export type XlsxCell = string | number | null | { readonly value: string | number | null; readonly style: XlsxStyle };

export interface XlsxSheet {
  /** At most 31 characters, none of : \ / ? * [ ] (the caller checks: it knows where the name came from). */
  readonly name: string;
  /** Column widths in characters, from column A; 0 or undefined leaves a column to Excel's default. */
  readonly widths: readonly (number | undefined)[];
  /** Rows frozen at the top (kept in view while scrolling); 0 for none. */
  readonly frozenRows: number;
  readonly rows: readonly (readonly XlsxCell[])[];
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
const NAMESPACES =
  'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:mv="urn:schemas-microsoft-com:mac:vml" xmlns:mx="http://schemas.microsoft.com/office/mac/excel/2008/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"';
const WORKBOOK_NAMESPACES =
  'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mx="http://schemas.microsoft.com/office/mac/excel/2008/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:mv="urn:schemas-microsoft-com:mac:vml" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"';
/** The first number format id of a workbook's own formats; Excel's built-in ones are below. */
const FIRST_FORMAT_ID = 100;

/**
 * Characters XML 1.0 forbids (C0 controls but tab, newline and return; lone surrogates; U+FFFE, U+FFFF) or
 * discourages (C1 controls but NEL, U+FDD0–U+FDEF, the last two code points of every plane): dropped from text,
 * as a reader would refuse the file over them. (write-excel-file also dropped U+FFFD, which XML allows: kept here.)
 */
const NOT_XML = new RegExp(
  `[\\0-\\x08\\x0B\\f\\x0E-\\x1F\\x7F-\\x84\\x86-\\x9F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF${Array.from({ length: 16 }, (_, p) => `\\u{${(p + 1).toString(16)}FFFE}\\u{${(p + 1).toString(16)}FFFF}`).join('')}]|\\p{Cs}`,
  'gu',
);
const TEXT_SPECIAL = /[&<>]/g;
const ATTR_SPECIAL = /[&<>'"]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };
const entity = (c: string): string => ENTITY[c] ?? c;

function clean(s: string): string {
  NOT_XML.lastIndex = 0;
  return NOT_XML.test(s) ? s.replace(NOT_XML, '') : s;
}
function escapeText(s: string): string {
  const c = clean(s);
  return c.replace(TEXT_SPECIAL, entity);
}
function escapeAttr(s: string): string {
  return clean(s).replace(ATTR_SPECIAL, entity);
}

/** Column letters from a zero-based index: A … Z, AA … */
function columnLetters(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The styles used, numbered in order of first use after the default (0), with their number formats and fonts. */
class Styles {
  private readonly byObject = new Map<XlsxStyle, number>();
  private readonly byFields = new Map<string, number>();
  private readonly xfs: string[] = ['<xf ></xf>'];
  private readonly formats: string[] = [];
  private bold = false;

  id(style: XlsxStyle): number {
    const known = this.byObject.get(style);
    if (known !== undefined) return known;
    const key = `${style.format ?? ''}\u0000${style.bold === true ? 1 : 0}${style.wrap === true ? 1 : 0}`;
    let id = this.byFields.get(key);
    if (id === undefined) {
      id = this.xfs.length;
      this.byFields.set(key, id);
      this.xfs.push(this.xf(style));
    }
    this.byObject.set(style, id);
    return id;
  }

  private xf(style: XlsxStyle): string {
    const attrs: string[] = [];
    if (style.format !== undefined && style.format !== '') {
      let f = this.formats.indexOf(style.format);
      if (f < 0) f = this.formats.push(style.format) - 1;
      attrs.push(`numFmtId="${FIRST_FORMAT_ID + f}" applyNumberFormat="1"`);
    }
    if (style.bold === true) {
      this.bold = true;
      attrs.push('fontId="1" applyFont="1"');
    }
    if (style.wrap === true) attrs.push('applyAlignment="1"');
    return `<xf ${attrs.join(' ')}>${style.wrap === true ? '<alignment wrapText="1"/>' : ''}</xf>`;
  }

  xml(): string {
    const formats =
      this.formats.length === 0 ? '' : `<numFmts count="${this.formats.length}">${this.formats.map((f, i) => `<numFmt numFmtId="${FIRST_FORMAT_ID + i}" formatCode="${escapeAttr(f)}"/>`).join('')}</numFmts>`;
    const fonts = ['<font><family val="2"/><scheme val="minor"/><color theme="1"/></font>', ...(this.bold ? ['<font><family val="2"/><scheme val="minor"/><b/><color theme="1"/></font>'] : [])];
    return (
      `<?xml version="1.0" ?><styleSheet xmlns="${MAIN}">${formats}<fonts count="${fonts.length}">${fonts.join('')}</fonts>` +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      `<cellXfs count="${this.xfs.length}">${this.xfs.join('')}</cellXfs></styleSheet>`
    );
  }
}

/** Every distinct text once, numbered in order of first use. */
class SharedStrings {
  private readonly ids = new Map<string, number>();
  private readonly list: string[] = [];

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(s, id);
      this.list.push(s);
    }
    return id;
  }

  xml(): string {
    let xml = `<?xml version="1.0"?><sst xmlns="${MAIN}">`;
    // Leading or trailing spaces survive only with xml:space="preserve".
    for (const s of this.list) xml += `<si><t${s.trim().length === s.length ? '' : ' xml:space="preserve"'}>${escapeText(s)}</t></si>`;
    return `${xml}</sst>`;
  }
}

function sheetXml(sheet: XlsxSheet, index: number, styles: Styles, strings: SharedStrings, letters: string[]): string {
  let xml = `<?xml version="1.0" ?><worksheet xmlns="${MAIN}" ${NAMESPACES}>`;
  if (sheet.frozenRows > 0) {
    xml += `<sheetViews><sheetView tabSelected="${index === 0 ? 1 : 0}" workbookViewId="0"><pane ySplit="${sheet.frozenRows}" xSplit="0" topLeftCell="A${sheet.frozenRows + 1}" activePane="bottomRight" state="frozen"/></sheetView></sheetViews>`;
  }
  let cols = '';
  sheet.widths.forEach((w, i) => {
    if (w) cols += `<col min="${i + 1}" max="${i + 1}" width="${w}" customWidth="1"/>`;
  });
  if (cols !== '') xml += `<cols>${cols}</cols>`;
  let data = '';
  for (let r = 0; r < sheet.rows.length; r++) {
    const row = sheet.rows[r] ?? [];
    const n = String(r + 1);
    let cells = '';
    for (let c = 0; c < row.length; c++) {
      const cell = row[c] ?? null;
      let value: string | number | null;
      let s = '';
      if (cell !== null && typeof cell === 'object') {
        value = cell.value;
        s = ` s="${styles.id(cell.style)}"`;
      } else {
        value = cell;
      }
      if (value === null || value === '') {
        // An empty cell is written only to carry its style.
        if (s !== '') cells += `<c r="${letters[c] ?? (letters[c] = columnLetters(c))}${n}"${s}/>`;
        continue;
      }
      const ref = (letters[c] ?? (letters[c] = columnLetters(c))) + n;
      if (typeof value === 'string') {
        cells += `<c r="${ref}"${s} t="s"><v>${strings.id(value)}</v></c>`;
      } else {
        if (!Number.isFinite(value)) throw new Error(`xlsx: sheet "${sheet.name}" cell ${ref}: ${value} is not a number a workbook can hold`);
        cells += `<c r="${ref}"${s}><v>${value}</v></c>`;
      }
    }
    data += cells === '' ? `<row r="${n}"/>` : `<row r="${n}">${cells}</row>`;
  }
  xml += data === '' ? '<sheetData/>' : `<sheetData>${data}</sheetData>`;
  return `${xml}</worksheet>`;
}

/** The workbook of `sheets`, in their order, the first one selected; every ZIP entry dated `at`. */
export function xlsxFile(sheets: readonly XlsxSheet[], at: Date): Buffer {
  const styles = new Styles();
  const strings = new SharedStrings();
  const letters: string[] = [];
  // Styles and strings are numbered as the sheets use them, so the sheets are written first.
  const sheetParts: ZipEntry[] = sheets.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: Buffer.from(sheetXml(s, i, styles, strings, letters), 'utf8') }));
  const n = sheets.length;
  const xml = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
  const contentTypes =
    `${xml}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default ContentType="application/xml" Extension="xml"/><Default ContentType="application/vnd.openxmlformats-package.relationships+xml" Extension="rels"/>` +
    `<Override ContentType="${CT}.sheet.main+xml" PartName="/xl/workbook.xml"/><Override ContentType="${CT}.sharedStrings+xml" PartName="/xl/sharedStrings.xml"/><Override ContentType="${CT}.styles+xml" PartName="/xl/styles.xml"/>` +
    sheets.map((_, i) => `<Override ContentType="${CT}.worksheet+xml" PartName="/xl/worksheets/sheet${i + 1}.xml"/>`).join('') +
    '</Types>';
  const rels = `${xml}<Relationships xmlns="${PKG_REL}"><Relationship Id="rId-workbook-1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const workbookRels =
    `<?xml version="1.0" ?><Relationships xmlns="${PKG_REL}">` +
    sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
    `<Relationship Id="rId${n + 1}" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId${n + 2}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`;
  const workbook =
    `${xml}<workbook xmlns="${MAIN}" ${WORKBOOK_NAMESPACES}><workbookPr/><bookViews><workbookView/></bookViews><sheets>` +
    sheets.map((s, i) => `<sheet r:id="rId${i + 1}" sheetId="${i + 1}" name="${escapeAttr(s.name)}"/>`).join('') +
    '</sheets><definedNames/><calcPr/></workbook>';
  const utf8 = (name: string, text: string): ZipEntry => ({ name, data: Buffer.from(text, 'utf8') });
  return zipFile(
    [
      utf8('[Content_Types].xml', contentTypes),
      utf8('_rels/.rels', rels),
      utf8('xl/_rels/workbook.xml.rels', workbookRels),
      utf8('xl/workbook.xml', workbook),
      ...sheetParts,
      utf8('xl/styles.xml', styles.xml()),
      utf8('xl/sharedStrings.xml', strings.xml()),
    ],
    at,
  );
}
