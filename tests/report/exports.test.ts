import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec, execFile, query, withConnection } from '../../pipelines/db.ts';
import { EXPORTS, segregationDecimals, swedishNumber, toSwedishCsv, writeExports } from '../../pipelines/report/exports.ts';

const indicatorSpec = EXPORTS.find((e) => e.name === 'indikatorer');
if (!indicatorSpec) throw new Error('no indikatorer export');
const segregationSpec = EXPORTS.find((e) => e.name === 'segregation');
if (!segregationSpec) throw new Error('no segregation export');

describe('swedishNumber', () => {
  it('rounds to the published decimals with a decimal comma and no grouping', () => {
    expect(swedishNumber(92655.32800000001, 1)).toBe('92655,3');
    expect(swedishNumber(92655.32800000001, 0)).toBe('92655');
    expect(swedishNumber(0.47149999, 3)).toBe('0,471');
    expect(swedishNumber(-3.25, 1)).toBe('-3,3');
    expect(swedishNumber(1234567, 0)).toBe('1234567');
  });
  it('a value that rounds to zero has no minus sign', () => {
    expect(swedishNumber(-0.04, 1)).toBe('0,0');
    expect(swedishNumber(-0.4, 0)).toBe('0');
  });
  it('refuses a non-finite number (a bug upstream, never a cell)', () => {
    expect(() => swedishNumber(Number.NaN, 1)).toThrow(RangeError);
  });
});

describe('toSwedishCsv', () => {
  const rows = [
    { indicator_id: 'reported_crime_per_1000', title_sv: 'Anmälda brott per 1 000 invånare', level: 'kommun', area_code: '0180', area_name: 'Stockholm', area_version: 'kommun', year: 2024, value: 205.34999999, numerator: 92655.32800000001, denominator: 451223.0000001, status: 'ok', source_table: 'Kolada N07540', unit: 'per 1 000 invånare' },
    { indicator_id: 'median_economic_standard', title_sv: 'Medianvärde för ekonomisk standard; "fasta priser"', level: 'riket', area_code: '00', area_name: 'Riket', area_version: 'riket', year: 2023, value: 312345.6, numerator: null, denominator: null, status: 'ok', source_table: 'SCB TAB6684', unit: 'kronor' },
    { indicator_id: 'employment_rate_20_64', title_sv: 'Sysselsättningsgrad 20–64 år', level: 'kommun', area_code: '2584', area_name: 'Kiruna', area_version: 'kommun', year: 2024, value: null, numerator: null, denominator: null, status: 'suppressed', source_table: 'Kolada N02267', unit: 'procent' },
  ];
  const csv = toSwedishCsv(rows, indicatorSpec.columns);
  const lines = csv.split('\r\n');

  it('starts with a BOM and a Swedish header row separated by semicolons, records ended by CRLF', () => {
    expect(csv.startsWith('\uFEFFIndikator-id;Indikator;Nivå;Områdeskod;Område;Områdesindelning;År;Värde;Täljare;Nämnare;Status;Källtabell;Enhet\r\n')).toBe(true);
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines[lines.length - 1]).toBe('');
  });

  it('rounds each value to its unit’s published decimals and counts to whole numbers', () => {
    expect(lines[1]).toBe('reported_crime_per_1000;Anmälda brott per 1 000 invånare;kommun;0180;Stockholm;kommun;2024;205,3;92655;451223;ok;Kolada N07540;per 1 000 invånare');
    expect(lines[2]?.split(';').slice(-6, -3)).toEqual(['312346', '', '']);
  });

  it('quotes a text with a semicolon or quote, and leaves a missing value empty with its status', () => {
    expect(lines[2]).toContain('"Medianvärde för ekonomisk standard; ""fasta priser"""');
    expect(lines[3]).toBe('employment_rate_20_64;Sysselsättningsgrad 20–64 år;kommun;2584;Kiruna;kommun;2024;;;;suppressed;Kolada N02267;procent');
  });

  it('writes only the header for no rows', () => {
    expect(toSwedishCsv([], indicatorSpec.columns)).toBe('\uFEFFIndikator-id;Indikator;Nivå;Områdeskod;Område;Områdesindelning;År;Värde;Täljare;Nämnare;Status;Källtabell;Enhet\r\n');
  });

  it('multigroup segregation measures keep four decimals, two-group ones three', () => {
    expect(segregationDecimals({ measure: 'M_total' })).toBe(4);
    expect(segregationDecimals({ measure: 'multi_H_information_theory' })).toBe(4);
    expect(segregationDecimals({ measure: 'D' })).toBe(3);
  });
});

describe('the segregation export over a warehouse', () => {
  it('publishes the bias-corrected estimate and the standard error beside the interval, at the index decimals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-exports-'));
    try {
      const { csv, parquet } = await withConnection(join(dir, 'w.duckdb'), async (conn) => {
        await execFile(conn, 'staging/schema');
        await exec(
          conn,
          `INSERT INTO segregation_index (measure, groups, focal, scope_level, scope_code, unit_level, unit_version, year, value, expected,
             ci_low, ci_high, n_units, total, status, source_table, bias_corrected, bias, se, draws)
           VALUES ('D', 'utlandsk_bakgrund/svensk_bakgrund', NULL, 'riket', '00', 'deso', 'DeSO2025', 2024, 0.41249, 0.0213, 0.39712, 0.41893,
             6160, 10551494, 'ok', 'SCB TAB6574', 0.40851, 0.00398, 0.00547, 200),
                  ('M_total', 'inkomstkvartil', NULL, 'riket', '00', 'deso', 'DeSO2025', 2024, 0.05121, NULL, NULL, NULL,
             6160, 8000000, 'ok', 'SCB TAB6672', NULL, NULL, NULL, NULL)`,
        );
        const out = join(dir, 'out');
        mkdirSync(out);
        await writeExports(conn, out, 2025);
        const p = await query(conn, `SELECT measure, bias_corrected, se FROM read_parquet('${join(out, 'segregation.parquet')}') ORDER BY measure`);
        return { csv: readFileSync(join(out, 'segregation.csv'), 'utf8'), parquet: p };
      });
      const [header, d, m] = csv.replace(/^\uFEFF/, '').split('\r\n').map((l) => l.split(';'));
      expect(header).toEqual(segregationSpec.columns.map((c) => c.header));
      const col = (row: string[] | undefined, h: string): string | undefined => row?.[header?.indexOf(h) ?? -1];
      expect(header?.slice(header.indexOf('Intervall, nedre'), header.indexOf('Antal delområden'))).toEqual(['Intervall, nedre', 'Intervall, övre', 'Biaskorrigerat värde', 'Standardfel']);
      expect([col(d, 'Värde'), col(d, 'Intervall, nedre'), col(d, 'Intervall, övre'), col(d, 'Biaskorrigerat värde'), col(d, 'Standardfel')]).toEqual(['0,412', '0,397', '0,419', '0,409', '0,005']);
      // A multigroup index at four decimals; without a bootstrap the cells are empty, never 0.
      expect([col(m, 'Värde'), col(m, 'Biaskorrigerat värde'), col(m, 'Standardfel')]).toEqual(['0,0512', '', '']);
      // The Parquet carries the same columns at full precision.
      expect(parquet).toEqual([
        { measure: 'D', bias_corrected: 0.40851, se: 0.00547 },
        { measure: 'M_total', bias_corrected: null, se: null },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
