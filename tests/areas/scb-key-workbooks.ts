/**
 * SCB's three area-key workbooks, built at test time with write-excel-file from the real rows in
 * tests/fixtures/area-keys/ and laid out as SCB lays them out (that folder's README says how sure each detail is).
 * Each sheet is a plain description that a test may edit before it is written, to make one thing wrong.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import writeXlsxFile, { type Row, type SheetData } from 'write-excel-file/node';
import type { KeyFile } from '../../pipelines/areas/area-keys.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/area-keys');

export type Cell = string | number | Date | null;

export interface KeySheet {
  /** File name the workbook is given (SCB's name for it). */
  file: string;
  sheet: string;
  /** Rows above the header (title, note, blank), each a list of cells. */
  above: Cell[][];
  header: string[];
  rows: Cell[][];
  /** Sheets written before this one (SCB's files have one sheet; a test may add e.g. an info sheet). */
  before?: { sheet: string; data: Cell[][] }[];
}

export interface KeySheets {
  regso2018: KeySheet;
  regso2025: KeySheet;
  changes: KeySheet;
}

/** The rows of a fixture CSV (BOM and CR dropped; the files have no quoted commas). */
export function fixtureRows(name: string): string[][] {
  return readFileSync(resolve(FIXTURES, name), 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

function fromCsv(name: string): { header: string[]; rows: string[][] } {
  const [header = [], ...rows] = fixtureRows(name);
  return { header, rows };
}

/** SCB's sheets for the two kommuner, as SCB lays them out: the koppling files with the header on row 4. */
export function scbKeySheets(): KeySheets {
  const k18 = fromCsv('koppling-deso2018-regso2020.0114-0139.csv');
  const k25 = fromCsv('koppling-deso2025-regso2025.0114-0139.csv');
  const log = fromCsv('deso-historiska-forandringar.0114-0139.csv');
  const note = ['Observera: placeholder for SCB\'s note row (its text is not known to the project)'];
  return {
    regso2018: {
      file: 'koppling-deso2018-regso2020.xlsx',
      sheet: 'Blad1',
      above: [['Koppling DeSO2018 - RegSO2020', null, null, new Date(Date.UTC(2026, 2, 25))], note, []],
      header: k18.header,
      rows: k18.rows,
    },
    regso2025: {
      file: 'koppling-deso2025-regso2025.xlsx',
      sheet: 'Blad1',
      above: [['Koppling DeSO2025 - RegSO2025', null, null, new Date(Date.UTC(2026, 2, 25))], note, []],
      header: k25.header,
      rows: k25.rows,
    },
    changes: {
      file: 'deso-historiska-forandringar.xlsx',
      sheet: 'Blad1',
      above: [['Historiska förändringar i DeSO', null, null, new Date(Date.UTC(2025, 8, 19))], []],
      header: log.header,
      // Kommun as a number and the date as a date cell, as SCB's file appears to store them.
      rows: log.rows.map(([kommun = '', ...rest]) => {
        const date = rest[4] ?? '';
        return [Number(kommun), ...rest.slice(0, 4), new Date(`${date}T00:00:00Z`)];
      }),
    },
  };
}

function cell(c: Cell): Row[number] {
  if (c instanceof Date) return { value: c, type: Date, format: 'yyyy-mm-dd' };
  return c;
}

export async function workbook(s: KeySheet): Promise<Buffer> {
  const data: SheetData = [...s.above, s.header, ...s.rows].map((r) => r.map(cell));
  const sheets = [...(s.before ?? []).map((b) => ({ sheet: b.sheet, data: b.data.map((r) => r.map(cell)) })), { sheet: s.sheet, data }];
  return writeXlsxFile(sheets).toBuffer();
}

/** The three workbooks as KeyFiles, after `edit` has had its way with the sheets. */
export async function scbKeyFiles(edit?: (s: KeySheets) => void): Promise<{ regso2018: KeyFile; regso2025: KeyFile; changes: KeyFile }> {
  const s = scbKeySheets();
  edit?.(s);
  return {
    regso2018: { name: s.regso2018.file, body: await workbook(s.regso2018) },
    regso2025: { name: s.regso2025.file, body: await workbook(s.regso2025) },
    changes: { name: s.changes.file, body: await workbook(s.changes) },
  };
}
