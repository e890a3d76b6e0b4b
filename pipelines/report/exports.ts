/**
 * The national data exports beside the reports: CSV for people (Excel in Swedish opens it as it is) and Parquet for
 * machines, each written into the run's staging folder (moved into place whole with the reports).
 *
 * CSV: UTF-8 with a byte-order mark (without it Excel reads å ä ö as Latin-1), semicolon as separator and decimal
 * comma — what Excel expects under Swedish regional settings, where the comma is the decimal sign and so cannot
 * separate fields; no thousands separator, so every number stays a number; minus as ASCII '-'. Values are rounded
 * to their published precision (the decimals the report prints), so a kommun's 92655.32800000001 reads 92655,3 in
 * its unit's precision. A missing or protected value is an empty cell with the reason in the status column.
 * Parquet: the warehouse's own columns and full float64 precision, for analysis in code.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { exec, sqlFile, streamFile, type Row } from '../db.ts';
import { unitStyle } from './format.ts';

/** One exported column: the warehouse column, its Swedish header and how many decimals it is published with. */
export interface ExportColumn {
  column: string;
  header: string;
  /** Decimals for numbers; a function when they depend on the row (an indicator's unit). Absent: text. */
  decimals?: number | ((row: Row) => number);
}

export interface ExportSpec {
  name: string;
  sql: string;
  columns: ExportColumn[];
}

const unitDecimals = (row: Row): number => unitStyle(String(row.unit ?? '')).decimals;

/** Multigroup indices (M, H over income quartiles) are printed with four decimals, the two-group ones with three. */
export const segregationDecimals = (row: Row): number => (/^(M|H|multi)_/.test(String(row.measure ?? '')) ? 4 : 3);

export const EXPORTS: readonly ExportSpec[] = [
  {
    name: 'indikatorer',
    sql: 'report/export_indicator_values',
    columns: [
      { column: 'indicator_id', header: 'Indikator-id' },
      { column: 'title_sv', header: 'Indikator' },
      { column: 'level', header: 'Nivå' },
      { column: 'area_code', header: 'Områdeskod' },
      { column: 'area_name', header: 'Område' },
      { column: 'area_version', header: 'Områdesindelning' },
      { column: 'year', header: 'År', decimals: 0 },
      { column: 'value', header: 'Värde', decimals: unitDecimals },
      // Counts, or weighted sums (Kolada's rates times population) whose decimals carry no information.
      { column: 'numerator', header: 'Täljare', decimals: 0 },
      { column: 'denominator', header: 'Nämnare', decimals: 0 },
      { column: 'status', header: 'Status' },
      { column: 'source_table', header: 'Källtabell' },
      { column: 'unit', header: 'Enhet' },
    ],
  },
  {
    name: 'segregation',
    sql: 'report/export_segregation',
    columns: [
      { column: 'measure', header: 'Mått' },
      { column: 'groups', header: 'Grupper' },
      { column: 'focal', header: 'Fokusgrupp' },
      { column: 'scope_level', header: 'Nivå' },
      { column: 'scope_code', header: 'Områdeskod' },
      { column: 'unit_level', header: 'Delområden' },
      { column: 'unit_version', header: 'Områdesindelning' },
      { column: 'year', header: 'År', decimals: 0 },
      { column: 'value', header: 'Värde', decimals: segregationDecimals },
      { column: 'expected', header: 'Förväntat vid slump', decimals: segregationDecimals },
      { column: 'ci_low', header: 'Intervall, nedre', decimals: segregationDecimals },
      { column: 'ci_high', header: 'Intervall, övre', decimals: segregationDecimals },
      // The bootstrap's small-number bias correction (2·value − mean of the draws) and standard error; empty where
      // the index has no bootstrap.
      { column: 'bias_corrected', header: 'Biaskorrigerat värde', decimals: segregationDecimals },
      { column: 'se', header: 'Standardfel', decimals: segregationDecimals },
      { column: 'n_units', header: 'Antal delområden', decimals: 0 },
      { column: 'total', header: 'Antal personer', decimals: 0 },
      { column: 'status', header: 'Status' },
      { column: 'source_table', header: 'Källtabell' },
    ],
  },
];

/** A number at `decimals`, with a decimal comma and no grouping: `92655.32800000001, 1` → `92655,3`. */
export function swedishNumber(v: number, decimals: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`cannot export non-finite number ${v}`);
  const s = v.toFixed(decimals);
  // -0.0 after rounding is 0: a change that rounds away has no sign.
  return (/^-0(\.0+)?$/.test(s) ? s.slice(1) : s).replace('.', ',');
}

const cellOf = (s: string): string => (/[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** The CSV's first record: BOM and the Swedish headers. */
function csvHeader(columns: readonly ExportColumn[]): string {
  return '\uFEFF' + columns.map((c) => cellOf(c.header)).join(';') + '\r\n';
}

/** One record: text quoted where needed, numbers rounded with a decimal comma, a missing value empty; CRLF ended. */
function csvRecord(row: Row, columns: readonly ExportColumn[]): string {
  let line = '';
  columns.forEach((c, i) => {
    const v = row[c.column];
    const dec = c.decimals;
    const cell = v === null || v === undefined ? '' : dec === undefined ? cellOf(String(v)) : swedishNumber(Number(v), typeof dec === 'function' ? dec(row) : dec);
    line += i === 0 ? cell : ';' + cell;
  });
  return line + '\r\n';
}

/** The rows as Swedish CSV text: BOM, `;` between fields, CRLF between records, numbers rounded and with a decimal comma. */
export function toSwedishCsv(rows: readonly Row[], columns: readonly ExportColumn[]): string {
  let csv = csvHeader(columns);
  for (const r of rows) csv += csvRecord(r, columns);
  return csv;
}

/** DuckDB takes COPY's target as a literal; a quote in the staging path is doubled. */
function sqlLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Writes `<name>.csv` and `<name>.parquet` for every export into `dir`; returns what it wrote. */
export async function writeExports(conn: DuckDBConnection, dir: string, year: number): Promise<{ name: string; kind: string; bytes: number }[]> {
  const files: { name: string; kind: string; bytes: number }[] = [];
  for (const spec of EXPORTS) {
    // Written a DuckDB chunk at a time: the segregation export is 166,592 rows, which as row objects and one string
    // took some 150 MB of heap at the end of the report stage.
    const csvFile = join(dir, `${spec.name}.csv`);
    const fd = openSync(csvFile, 'w');
    try {
      writeSync(fd, csvHeader(spec.columns));
      for await (const rows of streamFile(conn, spec.sql, { year })) {
        let text = '';
        for (const r of rows) text += csvRecord(r, spec.columns);
        writeSync(fd, text);
      }
    } finally {
      closeSync(fd);
    }
    files.push({ name: `${spec.name}.csv`, kind: 'export', bytes: statSync(csvFile).size });
    const parquet = join(dir, `${spec.name}.parquet`);
    // The query text minus its trailing semicolon, inside COPY; the year stays a bound parameter.
    const select = sqlFile(spec.sql).trim().replace(/;\s*$/, '');
    await exec(conn, `COPY (${select}) TO ${sqlLiteral(parquet)} (FORMAT parquet, COMPRESSION zstd)`, { year });
    files.push({ name: `${spec.name}.parquet`, kind: 'export', bytes: statSync(parquet).size });
  }
  return files;
}
