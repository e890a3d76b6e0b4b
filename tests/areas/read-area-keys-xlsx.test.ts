import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readAreaKeysXlsx } from '../../pipelines/areas/read-area-keys-xlsx.ts';
import type { AreaKeys, CrosswalkRecord } from '../../pipelines/areas/area-keys.ts';
import { SourceError } from '../../pipelines/errors.ts';
import { fixtureRows, scbKeyFiles, workbook, type KeySheets } from './scb-key-workbooks.ts';

async function read(edit?: (s: KeySheets) => void): Promise<AreaKeys> {
  return readAreaKeysXlsx(await scbKeyFiles(edit));
}

async function failure(edit: (s: KeySheets) => void): Promise<string> {
  const err = await read(edit).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceError);
  return (err as Error).message;
}

const weightsFrom = (cw: CrosswalkRecord[], from: string): Record<string, number> =>
  Object.fromEntries(cw.filter((r) => r.from_code === from).map((r) => [r.to_code, r.weight]));

describe('readAreaKeysXlsx on workbooks laid out like SCB’s', () => {
  it('reads both DeSO→RegSO keys into the internal records, every row of the fixtures', async () => {
    const keys = await read();
    const d18 = keys.regso.filter((r) => r.deso_version === 'DeSO2018');
    const d25 = keys.regso.filter((r) => r.deso_version === 'DeSO2025');
    expect(d18).toHaveLength(fixtureRows('koppling-deso2018-regso2020.0114-0139.csv').length - 1);
    expect(d25).toHaveLength(fixtureRows('koppling-deso2025-regso2025.0114-0139.csv').length - 1);
    expect(d18.find((r) => r.deso_code === '0114C1060')).toEqual({
      deso_code: '0114C1060',
      deso_version: 'DeSO2018',
      regso_code: '0114R006',
      regso_version: 'RegSO2020',
      regso_name: 'Runby södra-Ed',
      kommun_code: '0114',
    });
    expect(d25.find((r) => r.deso_code === '0139B2070')).toEqual({
      deso_code: '0139B2070',
      deso_version: 'DeSO2025',
      regso_code: '0139R010',
      regso_version: 'RegSO2025',
      regso_name: 'Upplands-Bro södra omland',
      kommun_code: '0139',
    });
    expect(new Set(keys.regso.map((r) => r.regso_version))).toEqual(new Set(['RegSO2020', 'RegSO2025']));
  });

  it('derives the crosswalk from the change log: unchanged codes weight 1, divided codes in equal parts', async () => {
    const { crosswalk: cw } = await read();
    expect(cw.every((r) => r.from_version === 'DeSO2018' && r.to_version === 'DeSO2025')).toBe(true);
    // No row in the log and still a 2025 code: unchanged.
    expect(weightsFrom(cw, '0114A0010')).toEqual({ '0114A0010': 1 });
    // Only grew ("Utvidgas"): all of it is still in itself.
    expect(weightsFrom(cw, '0139C1020')).toEqual({ '0139C1020': 1 });
    // Split into two new codes ("Upphör; till nybildad").
    expect(weightsFrom(cw, '0114C1060')).toEqual({ '0114C1061': 0.5, '0114C1062': 0.5 });
    // Survives but gives a part to a new code: itself and the new code.
    expect(weightsFrom(cw, '0139A0010')).toEqual({ '0139A0010': 0.5, '0139B2070': 0.5 });
    // Ends into two existing and two new codes.
    expect(weightsFrom(cw, '0139C1010')).toEqual({ '0139A0010': 0.25, '0139C1011': 0.25, '0139C1012': 0.25, '0139C1020': 0.25 });
    expect(Object.keys(weightsFrom(cw, '0139C1040')).sort()).toEqual(['0139A0010', '0139C1040', '0139C1052']);

    const sums = new Map<string, number>();
    for (const r of cw) sums.set(r.from_code, (sums.get(r.from_code) ?? 0) + r.weight);
    expect([...sums.values()].every((s) => s === 1)).toBe(true);
    expect(sums.size).toBe(fixtureRows('koppling-deso2018-regso2020.0114-0139.csv').length - 1);
    // Every DeSO 2025 code is reached; Karlskoga's rows of 2018-02-21 (older than DeSO 2018) are skipped.
    const d25 = fixtureRows('koppling-deso2025-regso2025.0114-0139.csv').slice(1).map((r) => r[2]);
    expect(new Set(cw.map((r) => r.to_code))).toEqual(new Set(d25));
    expect(cw.some((r) => r.from_code.startsWith('1883'))).toBe(false);
  });

  it('finds the header wherever it is, in whichever sheet, and reads a Kommun typed as a number', async () => {
    const keys = await read((s) => {
      s.regso2025.above = [['Titel']];
      s.regso2025.before = [{ sheet: 'Information', data: [['Om filen'], ['Kommunkoder är fyrsiffriga']] }];
      s.regso2025.sheet = 'DeSO2025';
      s.regso2018.rows = s.regso2018.rows.map(([k, ...rest]) => [Number(k), ...rest]);
    });
    expect(keys.regso.filter((r) => r.deso_version === 'DeSO2025')).toHaveLength(44);
    expect(keys.regso.find((r) => r.deso_code === '0114A0010' && r.deso_version === 'DeSO2018')?.kommun_code).toBe('0114');
  });

  it('reads the same keys from workbooks written by another program (openpyxl: inline strings, absent blank rows)', async () => {
    const dir = resolve(import.meta.dirname, '../fixtures/area-keys/openpyxl-written');
    const file = (name: string) => ({ name, body: readFileSync(resolve(dir, name)) });
    const keys = await readAreaKeysXlsx({
      regso2018: file('koppling-deso2018-regso2020_2026-03-25.xlsx'),
      regso2025: file('koppling-deso2025-regso2025_2026-03-25.xlsx'),
      changes: file('deso-historiska-forandringar-2025-09-19.xlsx'),
    });
    expect(keys).toEqual(await read());
  });

  it('accepts the 2021 edition’s headers (DeSO, RegSO, RegSOkod) for DeSO 2018', async () => {
    const keys = await read((s) => {
      s.regso2018.header = ['Kommun', 'Kommunnamn', 'DeSO', 'RegSO', 'RegSOkod'];
    });
    expect(keys.regso.filter((r) => r.deso_version === 'DeSO2018')).toHaveLength(38);
  });
});

describe('readAreaKeysXlsx errors name the file, sheet, row and column', () => {
  it('a bad DeSO code', async () => {
    const msg = await failure((s) => {
      const row = s.regso2018.rows[2];
      if (row) row[2] = '0114X1050';
    });
    // Header on row 4, so the third data row is row 7; DeSO_2018 is column C.
    expect(msg).toBe('koppling-deso2018-regso2020.xlsx, sheet "Blad1", row 7, column C (DeSO_2018): expected a DeSO code like 0114C1010, got "0114X1050"');
  });

  it('a bad RegSO code, an empty RegSO name and a bad kommun code', async () => {
    expect(
      await failure((s) => {
        const row = s.regso2025.rows[0];
        if (row) row[4] = '114R010';
      }),
    ).toBe('koppling-deso2025-regso2025.xlsx, sheet "Blad1", row 5, column E (RegSOkod_2025): expected a RegSO code like 0114R001, got "114R010"');
    expect(
      await failure((s) => {
        const row = s.regso2025.rows[1];
        if (row) row[3] = null;
      }),
    ).toBe('koppling-deso2025-regso2025.xlsx, sheet "Blad1", row 6, column D (RegSO_2025): expected the RegSO name, got an empty cell');
    expect(
      await failure((s) => {
        const row = s.regso2018.rows[0];
        if (row) row[0] = 'Upplands Väsby';
      }),
    ).toBe('koppling-deso2018-regso2020.xlsx, sheet "Blad1", row 5, column A (Kommun): expected a 4-digit kommun code like 0114, got "Upplands Väsby"');
  });

  it('a code outside its kommun, and a DeSO listed twice', async () => {
    expect(
      await failure((s) => {
        const row = s.regso2018.rows[0];
        if (row) row[0] = '0139';
      }),
    ).toMatch(/^koppling-deso2018-regso2020\.xlsx, sheet "Blad1", row 5, column C \(DeSO_2018\): DeSO 0114C1010 does not lie in kommun 0139/);
    expect(
      await failure((s) => {
        const first = s.regso2025.rows[0];
        if (first) s.regso2025.rows.push([...first]);
      }),
    ).toBe('koppling-deso2025-regso2025.xlsx, sheet "Blad1", row 49, column C (DeSO_2025): DeSO 0114A0010 is listed twice (also on row 5)');
  });

  it('a missing column names the header row and what was found', async () => {
    const msg = await failure((s) => {
      s.regso2025.header = ['Kommun', 'Kommunnamn', 'DeSO_2025', 'RegSO_2025', 'RegSO-kod'];
    });
    expect(msg).toBe(
      'koppling-deso2025-regso2025.xlsx, sheet "Blad1", header row 4: missing column "RegSOkod_2025" or "RegSOkod" (found "Kommun", "Kommunnamn", "DeSO_2025", "RegSO_2025", "RegSO-kod")',
    );
  });

  it('a workbook with no sheet holding the header (a wrong file), and a file that is not XLSX at all', async () => {
    const msg = await failure((s) => {
      s.changes.header = ['Län', 'Tidigare DeSO', 'DeSO'];
      s.changes.sheet = 'Förändringar';
    });
    expect(msg).toBe(
      'deso-historiska-forandringar.xlsx: no sheet has SCB\'s header row (a row with "Kommun" and "Tidigare DeSO", "DeSO") in its first 20 rows; sheets: "Förändringar"',
    );
    const files = await scbKeyFiles();
    const notXlsx = { name: 'koppling-deso2018-regso2020.xlsx', body: Buffer.from('<html>Sidan finns inte</html>') };
    await expect(readAreaKeysXlsx({ ...files, regso2018: notXlsx })).rejects.toThrow(/^koppling-deso2018-regso2020\.xlsx: not a readable XLSX workbook/);
  });

  it('files of different editions: a log row to an unknown 2025 code, a vanished code, a new code from nowhere', async () => {
    expect(
      await failure((s) => {
        const row = s.changes.rows[0];
        if (row) row[3] = '0114C1069';
      }),
    ).toBe('deso-historiska-forandringar.xlsx, sheet "Blad1", row 4, column D (DeSO): 0114C1069 is not a DeSO in koppling-deso2025-regso2025.xlsx; are the files of different editions?');
    expect(
      await failure((s) => {
        s.changes.rows = s.changes.rows.filter((r) => r[2] !== '0139C1050');
      }),
    ).toBe('koppling-deso2018-regso2020.xlsx: DeSO 0139C1050 is not in koppling-deso2025-regso2025.xlsx and deso-historiska-forandringar.xlsx has no row for it; are the files of different editions?');
    expect(
      await failure((s) => {
        s.changes.rows = s.changes.rows.filter((r) => r[3] !== '0139B2070');
      }),
    ).toBe('koppling-deso2025-regso2025.xlsx: DeSO 0139B2070 is new in 2025 but deso-historiska-forandringar.xlsx names no DeSO 2018 it came from; are the files of different editions?');
  });

  it('a bad code in the change log', async () => {
    const msg = await failure((s) => {
      const row = s.changes.rows[5];
      if (row) row[2] = '';
    });
    expect(msg).toBe('deso-historiska-forandringar.xlsx, sheet "Blad1", row 9, column C (Tidigare DeSO): expected a DeSO code like 0114C1010, got an empty cell');
  });

  it('the workbook helper writes real XLSX (a zip), so the reader is tested on bytes, not objects', async () => {
    const s = (await import('./scb-key-workbooks.ts')).scbKeySheets();
    const bytes = await workbook(s.regso2018);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });
});
