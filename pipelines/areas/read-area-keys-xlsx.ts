import readXlsxFile from 'read-excel-file/node';
import { SourceError } from '../errors.ts';
import type { AreaKeys, CrosswalkRecord, DesoRegsoRecord, KeyFile } from './area-keys.ts';

/**
 * The area keys from SCB's own XLSX files, as linked from SCB's page "Demografiska statistikområden (DeSO)":
 *
 * - `koppling-deso2018-regso2020[_<date>].xlsx` and `koppling-deso2025-regso2025[_<date>].xlsx`: a title row, a
 *   note and a blank row, then on row 4 the header `Kommun | Kommunnamn | DeSO_2018 | RegSO_2020 | RegSOkod_2020`
 *   (`…_2025` in the 2025 file), one row per DeSO, sheet "Blad1". Kommun is the 4-digit code as text; RegSO_yyyy
 *   is the RegSO's name and RegSOkod_yyyy its code. The 2021 edition (kopplingstabell-deso_regso_20211004.xlsx)
 *   had the same layout with the headers DeSO, RegSO, RegSOkod, which are accepted too.
 * - `deso-historiska-forandringar[-<date>].xlsx`: title rows, then the header `Kommun | Kommunnamn | Tidigare DeSO
 *   | DeSO | Förändringstyp | Datum för förändring`, one row per (earlier DeSO, DeSO it went to) pair. Only codes
 *   that changed have rows; a code keeping its area has none.
 *
 * The header row is found rather than assumed: the first row, in the first 20 of a sheet, with a cell "Kommun",
 * in the first sheet that has one, must hold the columns we read (in any order, case ignored). A Kommun cell
 * typed as a number (114) is read as the code "0114". Every code is checked; an error names the file, sheet, row
 * and column. Kommunnamn, Förändringstyp and the date are not read: the kommun name comes from data/areas, and
 * the crosswalk is derived from which codes the log links, not from SCB's wording of the change.
 *
 * The crosswalk DeSO 2018 → DeSO 2025. SCB's log names the pairs but gives **no population shares**, so the
 * weights here are a stated rule, not measurements:
 * - a DeSO 2018 code with no row in the log that is also a DeSO 2025 code is unchanged: weight 1 to itself;
 * - a code with rows goes to every DeSO 2025 code its rows name (itself included when it survives), in equal
 *   parts 1/n. That is exact for n = 1 (an area that only grew, or a code that was only recoded) and an
 *   assumption for splits and areas that gave land away, whose real division of the population SCB does not
 *   publish here;
 * - rows whose earlier code is not a DeSO 2018 code (Karlskoga's two merges of 2018-02-21, older than the 2018
 *   version) are skipped.
 * A DeSO 2018 code that is not in the 2025 key and has no row, a row leading to a code the 2025 key lacks, or a
 * new 2025 code that no row leads to means that the three files are not of one edition: that is an error.
 */
export async function readAreaKeysXlsx(
  files: { regso2018: KeyFile; regso2025: KeyFile; changes: KeyFile },
  /** The official kommun codes (data/areas/kommuner.csv); a Kommun cell outside them is an error. */
  kommuner?: ReadonlySet<string>,
): Promise<AreaKeys> {
  const key2018 = await readKoppling(files.regso2018, '2018', '2020', kommuner);
  const key2025 = await readKoppling(files.regso2025, '2025', '2025', kommuner);
  const log = await readTable(files.changes, [
    { key: 'from', names: ['Tidigare DeSO'] },
    { key: 'to', names: ['DeSO'] },
  ]);

  const codes2018 = new Set(key2018.map((r) => r.deso_code));
  const codes2025 = new Set(key2025.map((r) => r.deso_code));
  const targets = new Map<string, Set<string>>();
  for (const row of log.rows) {
    const from = row.code('from', DESO, DESO_WHAT);
    const to = row.code('to', DESO, DESO_WHAT);
    if (!codes2018.has(from)) continue;
    if (!codes2025.has(to)) {
      throw row.error('to', `${to} is not a DeSO in ${files.regso2025.name}; are the files of different editions?`);
    }
    let set = targets.get(from);
    if (!set) targets.set(from, (set = new Set()));
    set.add(to);
  }

  const crosswalk: CrosswalkRecord[] = [];
  const reached = new Set<string>();
  for (const from of [...codes2018].sort()) {
    const to = targets.get(from) ?? new Set<string>();
    if (codes2025.has(from)) to.add(from);
    if (to.size === 0) {
      throw new SourceError(`${files.regso2018.name}: DeSO ${from} is not in ${files.regso2025.name} and ${files.changes.name} has no row for it; are the files of different editions?`);
    }
    const parts = [...to].sort();
    let rest = 1;
    parts.forEach((code, i) => {
      // Equal parts, the last taking the remainder so that every code's weights sum to exactly 1.
      const weight = i === parts.length - 1 ? rest : 1 / parts.length;
      rest -= weight;
      reached.add(code);
      crosswalk.push({ from_code: from, from_version: 'DeSO2018', to_code: code, to_version: 'DeSO2025', weight });
    });
  }
  const orphan = [...codes2025].sort().find((c) => !reached.has(c));
  if (orphan !== undefined) {
    throw new SourceError(`${files.regso2025.name}: DeSO ${orphan} is new in 2025 but ${files.changes.name} names no DeSO 2018 it came from; are the files of different editions?`);
  }
  return { regso: [...key2018, ...key2025], crosswalk };
}

const DESO = /^\d{4}[ABC]\d{4}$/;
const DESO_WHAT = 'a DeSO code like 0114C1010';
const REGSO = /^\d{4}R\d{3}$/;
const REGSO_WHAT = 'a RegSO code like 0114R001';
/** How far down a sheet the header row may be (SCB's files have it on row 3 or 4). */
const HEADER_SEARCH_ROWS = 20;

async function readKoppling(file: KeyFile, deso: '2018' | '2025', regso: '2020' | '2025', kommuner: ReadonlySet<string> | undefined): Promise<DesoRegsoRecord[]> {
  const table = await readTable(file, [
    { key: 'kommun', names: ['Kommun'] },
    { key: 'deso', names: [`DeSO_${deso}`, 'DeSO'] },
    { key: 'regsoName', names: [`RegSO_${regso}`, 'RegSO'] },
    { key: 'regso', names: [`RegSOkod_${regso}`, 'RegSOkod'] },
  ]);
  const out: DesoRegsoRecord[] = [];
  const rowOf = new Map<string, number>();
  const names = new Map<string, { name: string; row: number }>();
  for (const row of table.rows) {
    const kommun = row.kommun('kommun');
    if (kommuner && !kommuner.has(kommun)) throw row.error('kommun', `kommun code ${kommun} is not in the official list (data/areas/kommuner.csv)`);
    const desoCode = row.code('deso', DESO, DESO_WHAT);
    const regsoCode = row.code('regso', REGSO, REGSO_WHAT);
    const regsoName = row.text('regsoName');
    if (regsoName === '') throw row.error('regsoName', 'expected the RegSO name, got an empty cell');
    if (desoCode.slice(0, 4) !== kommun) throw row.error('deso', `DeSO ${desoCode} does not lie in kommun ${kommun} (its first four digits)`);
    if (regsoCode.slice(0, 4) !== kommun) throw row.error('regso', `RegSO ${regsoCode} does not lie in kommun ${kommun} (its first four digits)`);
    const earlier = rowOf.get(desoCode);
    if (earlier !== undefined) throw row.error('deso', `DeSO ${desoCode} is listed twice (also on row ${earlier})`);
    rowOf.set(desoCode, row.number);
    const named = names.get(regsoCode);
    if (named && named.name !== regsoName) throw row.error('regsoName', `RegSO ${regsoCode} is named "${regsoName}" here but "${named.name}" on row ${named.row}`);
    names.set(regsoCode, { name: regsoName, row: row.number });
    out.push({ deso_code: desoCode, deso_version: `DeSO${deso}`, regso_code: regsoCode, regso_version: `RegSO${regso}`, regso_name: regsoName, kommun_code: kommun });
  }
  if (out.length === 0) throw new SourceError(`${file.name}, sheet "${table.sheet}": no rows below the header on row ${table.headerRow}`);
  return out;
}

interface Column {
  key: string;
  /** Header texts accepted for the column, the first being the one SCB uses now. */
  names: string[];
}

interface Table {
  sheet: string;
  headerRow: number;
  rows: TableRow[];
}

/** One data row, with readers that name the file, sheet, row and column when a cell is not what we expect. */
interface TableRow {
  number: number;
  text(key: string): string;
  code(key: string, pattern: RegExp, what: string): string;
  kommun(key: string): string;
  error(key: string, message: string): SourceError;
}

async function readTable(file: KeyFile, columns: Column[]): Promise<Table> {
  let sheets: { sheet: string; data: unknown[][] }[];
  try {
    sheets = await readXlsxFile(file.body);
  } catch (e) {
    throw new SourceError(`${file.name}: not a readable XLSX workbook (${(e as Error).message})`, { cause: e });
  }
  for (const { sheet, data } of sheets) {
    for (let r = 0; r < Math.min(HEADER_SEARCH_ROWS, data.length); r++) {
      const header = (data[r] ?? []).map((c) => cellText(c).toLowerCase());
      if (!header.includes('kommun')) continue;
      const index = new Map<string, number>();
      const missing: string[] = [];
      for (const col of columns) {
        const i = header.findIndex((h) => col.names.some((n) => n.toLowerCase() === h));
        if (i < 0) missing.push(col.names.map((n) => `"${n}"`).join(' or '));
        else index.set(col.key, i);
      }
      if (missing.length > 0) {
        const found = (data[r] ?? []).map(cellText).filter((h) => h !== '');
        throw new SourceError(`${file.name}, sheet "${sheet}", header row ${r + 1}: missing column ${missing.join(', ')} (found ${found.map((h) => `"${h}"`).join(', ')})`);
      }
      const rows: TableRow[] = [];
      for (let i = r + 1; i < data.length; i++) {
        const cells = data[i] ?? [];
        if (columns.every((col) => cellText(cells[index.get(col.key) ?? -1]) === '')) continue;
        rows.push(tableRow(file.name, sheet, i + 1, cells, index, columns));
      }
      return { sheet, headerRow: r + 1, rows };
    }
  }
  const wanted = columns.map((c) => `"${c.names[0] ?? c.key}"`).join(', ');
  throw new SourceError(
    `${file.name}: no sheet has SCB's header row (a row with "Kommun" and ${wanted}) in its first ${HEADER_SEARCH_ROWS} rows; sheets: ${sheets.map((s) => `"${s.sheet}"`).join(', ')}`,
  );
}

function tableRow(file: string, sheet: string, number: number, cells: unknown[], index: Map<string, number>, columns: Column[]): TableRow {
  const at = (key: string): number => index.get(key) ?? -1;
  const error = (key: string, message: string): SourceError => {
    const col = columns.find((c) => c.key === key);
    return new SourceError(`${file}, sheet "${sheet}", row ${number}, column ${columnLetter(at(key))} (${col?.names[0] ?? key}): ${message}`);
  };
  const text = (key: string): string => cellText(cells[at(key)]);
  return {
    number,
    text,
    error,
    code(key, pattern, what) {
      const v = text(key);
      if (!pattern.test(v)) throw error(key, `expected ${what}, got ${v === '' ? 'an empty cell' : `"${v}"`}`);
      return v;
    },
    kommun(key) {
      const cell = cells[at(key)];
      // Excel (or a reader's re-save) may turn "0114" into the number 114: the code is the number padded to 4 digits.
      const v = typeof cell === 'number' && Number.isInteger(cell) && cell > 0 && cell < 10_000 ? String(cell).padStart(4, '0') : text(key);
      if (!/^\d{4}$/.test(v)) throw error(key, `expected a 4-digit kommun code like 0114, got ${v === '' ? 'an empty cell' : `"${v}"`}`);
      return v;
    },
  };
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell.trim();
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return '';
}

function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s || '?';
}
