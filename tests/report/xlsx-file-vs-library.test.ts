/**
 * The project's own XLSX writer (xlsx-file.ts) against write-excel-file, which it replaces: for the same report
 * workbooks every XML part is the same text and read-excel-file reads back the same cells. Kept only while both
 * writers are in workbook.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { loadReforms } from '../../pipelines/report/reforms.ts';
import { fixZipTimes, toXlsxSheets, workbookSheets, workbookXlsxSheets } from '../../pipelines/report/workbook.ts';
import { xlsxFile } from '../../pipelines/report/xlsx-file.ts';
import type { ReportModel } from '../../pipelines/report/model.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';
import { zipEntries } from '../helpers/zip-entries.ts';

const DATA = new URL('../../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const reforms = loadReforms(DATA, cat.indicators);
const dir = mkdtempSync(join(tmpdir(), 'segfollow-xlsx-vs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const models: [string, ReportModel][] = [
  ['riket', { ...reportModelFixture({ reforms }), area_types: areaTypeBlockFixture() }],
  [
    'kommun',
    {
      ...reportModelFixture({ scope: { level: 'kommun', code: '0180', name: 'Stockholm' } }),
      area_types: { ...areaTypeBlockFixture(), regso: [{ code: '0180R001', name: 'Rinkeby & Kista <nord>', first_type: 1, latest_type: 1, latest_index: 2.31 }], regso_years: { first: 2016, latest: 2024 } },
    },
  ],
];

describe.each(models)('the %s workbook from both writers', (name, model) => {
  it('has the same XML in every part and reads back the same cells', async () => {
    const specs = workbookSheets(model, cat.indicators);
    const at = new Date(model.generated_at);
    const libFile = join(dir, `${name}-lib.xlsx`);
    const ownFile = join(dir, `${name}-own.xlsx`);
    writeFileSync(libFile, fixZipTimes(await writeXlsxFile(toXlsxSheets(specs)).toBuffer(), at));
    writeFileSync(ownFile, xlsxFile(workbookXlsxSheets(specs), at));
    const lib = zipEntries(libFile);
    const own = zipEntries(ownFile);
    // The library writes an empty relationship part per sheet (for drawings); the own writer none.
    const libParts = [...lib.keys()].filter((k) => !/^xl\/worksheets\/_rels\/sheet\d+\.xml\.rels$/.test(k));
    expect(libParts.length).toBeLessThan(lib.size);
    expect([...own.keys()]).toEqual(libParts);
    for (const k of libParts) expect(own.get(k), k).toBe(lib.get(k));
    // Text that needs escaping, escaped the same way.
    if (name === 'kommun') expect(own.get('xl/sharedStrings.xml')).toContain('<t>Rinkeby &amp; Kista &lt;nord&gt;</t>');
    const read = async (f: string) => (await readXlsxFile(f)) as { sheet: string; data: unknown[][] }[];
    const a = await read(libFile);
    const b = await read(ownFile);
    expect(b.map((s) => s.sheet)).toEqual(specs.map((s) => s.name));
    expect(b).toEqual(a);
  });
});
