import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { loadReforms } from '../../pipelines/report/reforms.ts';
import { numberFormat, workbookSheets, writeWorkbook } from '../../pipelines/report/workbook.ts';
import type { ReportModel } from '../../pipelines/report/model.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';
import { zipEntries } from '../helpers/zip-entries.ts';

const DATA = new URL('../../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const reforms = loadReforms(DATA, cat.indicators);

type Sheets = Map<string, unknown[][]>;

async function readBack(file: string): Promise<Sheets> {
  const sheets = (await readXlsxFile(file)) as { sheet: string; data: unknown[][] }[];
  return new Map(sheets.map((s) => [s.sheet, s.data]));
}

/** Rows under the title line and the header row, as objects keyed by the Swedish headers. */
function table(sheets: Sheets, name: string): Record<string, unknown>[] {
  const data = sheets.get(name);
  if (!data) throw new Error(`no sheet ${name}; sheets: ${[...sheets.keys()].join(', ')}`);
  const header = (data[1] ?? []).map(String);
  return data.slice(2).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? null])));
}

describe('the workbook of a report, read back', () => {
  let dir: string;
  let file: string;
  let model: ReportModel;
  let sheets: Sheets;
  let written: { bytes: number; sheets: string[] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segfollow-xlsx-'));
    file = join(dir, 'segfollow-riket-00-2025.xlsx');
    model = { ...reportModelFixture({ reforms }), area_types: areaTypeBlockFixture() };
    written = await writeWorkbook(model, cat.indicators, file);
    sheets = await readBack(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is written whole under its name and lists its sheets, About first and definitions and sources last', () => {
    expect(readdirSync(dir)).toEqual(['segfollow-riket-00-2025.xlsx']);
    expect(statSync(file).size).toBe(written.bytes);
    expect([...sheets.keys()]).toEqual(written.sheets);
    expect(written.sheets).toEqual([
      'Om filen',
      'Indikatorer',
      'Indikatorer per år',
      'Kommuner',
      'Län',
      'Segregation',
      'Segregation per kommun',
      'Områdestyper invånare',
      'Områdestyper värden',
      // The by-type trend, where the area-types block carries one.
      ...(model.area_types?.indicators.some((i) => ((i as { trend?: unknown[] }).trend ?? []).length > 0) ? ['Områdestyper per år'] : []),
      'Områdestyper skillnader',
      'Indexgränser',
      'Reformprogrammet',
      'Definitioner',
      'Källor',
      'Förbehåll',
    ]);
  });

  it('holds every series point of the model as a number rounded to the published decimals, with Swedish headers', () => {
    const rows = table(sheets, 'Indikatorer');
    const points = model.chapters.flatMap((c) => c.indicators.flatMap((b) => b.series.map((p) => ({ b, p }))));
    expect(rows).toHaveLength(points.length);
    for (const { b, p } of points) {
      const row = rows.find((r) => r['Indikator-id'] === b.id && r['År'] === p.year);
      expect(row, `${b.id} ${p.year}`).toBeDefined();
      if (p.value === null) expect(typeof row?.['Värde']).toBe('string');
      else expect(row?.['Värde']).toBe(Math.round(p.value * 10) / 10);
    }
    // A protected kommun value is SCB's symbol, not 0 or empty.
    const kommun = table(sheets, 'Kommuner').find((r) => r['Indikator'] === 'Behöriga till yrkesprogram, elever i årskurs 9' && r['Kommun'] === 'Åre');
    expect(kommun?.['Värde senaste år']).toBe(':');
    expect(kommun?.['Status']).toBe('skyddad enligt röjandegränsen');
  });

  it('pivots the years into columns (arquero) with the same values', () => {
    const data = sheets.get('Indikatorer per år') ?? [];
    expect(data[1]).toEqual(['Indikator', 'Enhet', '2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024', '2025']);
    const emp = data.find((r) => r[0] === 'Sysselsättningsgrad 20–64 år');
    expect(emp).toEqual(['Sysselsättningsgrad 20–64 år', 'procent', 80, 80.6, 80.9, 79.4, 80.2, 81.1, 81, '..', '..']);
  });

  it('segregation indices at three decimals; area types; the reform rows from the same model', () => {
    const seg = table(sheets, 'Segregation');
    const d = model.segregation[0];
    const first = d?.series[0];
    const row = seg.find((r) => r['Mått'] === d?.measure && r['Grupper'] === d?.groups && r['År'] === first?.year);
    expect(row?.['Index']).toBe(Math.round((first?.value ?? NaN) * 1000) / 1000);
    const pop = table(sheets, 'Områdestyper invånare').find((r) => r['År'] === 2024 && String(r['Områdestyp']).startsWith('1 '));
    expect(pop?.['Andel']).toBe(4.5);
    const reform = table(sheets, 'Reformprogrammet');
    expect(reform.filter((r) => r['Indikator'] === 'Inget öppet mått').map((r) => r['Nr'])).toEqual([1, 4, 5, 8, 10]);
    expect(reform.find((r) => r['Indikator'] === 'Sysselsättningsgrad 20–64 år')).toMatchObject({ Nr: 3, Samband: 'närliggande', 'Värde första år': 80, 'Värde senaste år': 81, Förändring: 1 });
  });

  it('defines every indicator shown: definition, population, unit, decimals, source, years, area version', () => {
    const defs = table(sheets, 'Definitioner');
    const emp = defs.find((r) => r['Indikator-id'] === 'employment_rate_20_64');
    const catEmp = cat.indicators.find((d) => d.id === 'employment_rate_20_64');
    expect(emp).toMatchObject({ Definition: catEmp?.definition, Population: catEmp?.population, Enhet: 'procent', Decimaler: 1, 'År i rapporten': '2017–2023', Områdesindelning: 'DeSO 2018, DeSO 2025' });
    expect(table(sheets, 'Källor').map((r) => r['Tabell/KPI'])).toEqual(model.sources.map((s) => s.table_id));
    expect(table(sheets, 'Om filen').find((r) => r['Uppgift'] === 'Demodata')?.['Värde']).toMatch(/^Ja – syntetiska/);
  });

  it('gives numbers Excel number formats with the published decimals', () => {
    const xml = zipEntries(file);
    const styles = xml.get('xl/styles.xml') ?? '';
    for (const f of [numberFormat(1), numberFormat(3), numberFormat(0), '0']) expect(styles).toContain(`formatCode="${f}"`);
    // Values are stored as numbers (no t="s"/t="inlineStr" on a numeric cell): 80.6 is a number cell.
    const sheet2 = xml.get('xl/worksheets/sheet2.xml') ?? '';
    expect(sheet2).toMatch(/<c r="F\d+" s="\d+"><v>80\.6<\/v><\/c>/);
  });

  it('area-type gaps: the comparison used, the gaps and their change as printed (from rounded values), the verdict', () => {
    const gaps = table(sheets, 'Områdestyper skillnader');
    expect((sheets.get('Områdestyper skillnader') ?? [])[1]).toEqual(['Indikator', 'Enhet', 'Jämförelse', 'Basår', 'Skillnad basår', 'År', 'Skillnad', 'Förändring', 'Bedömning', 'Status']);
    // Employment: type 1 61,0 against type 5 91,0 in 2024 (−30,0), 60,0 against 88,7 in 2017 (−28,7); type 1 fell
    // 1,3 points further behind, beyond the 1-point threshold: widened.
    expect(gaps.find((r) => r['Indikator'] === 'Sysselsättningsgrad 20–64 år')).toMatchObject({
      Jämförelse: 'områdestyp 1 och 5',
      Basår: 2017,
      'Skillnad basår': -28.7,
      År: 2024,
      Skillnad: -30,
      Förändring: -1.3,
      Bedömning: 'ökat',
    });
    // Unemployment 20,8 − 2,1 = 18,7 against 18,9 − 2,2 = 16,7: |gap| up 2,0, beyond 1 point.
    expect(gaps.find((r) => r['Indikator'] === 'Arbetslöshet 20–64 år')).toMatchObject({ Skillnad: 18.7, 'Skillnad basår': 16.7, Förändring: 2, Bedömning: 'ökat' });
    // Type 1's value protected: the gap is SCB's symbol for it, and there is no change or verdict.
    expect(gaps.find((r) => r['Indikator'] === 'Andel hyresrätter av lägenheterna')).toMatchObject({ Skillnad: ':', Förändring: '..', Bedömning: '..' });
  });

  it('area-type gaps are differences of the printed values, not rounded unrounded gaps; a kommun names its comparison', () => {
    const block = areaTypeBlockFixture();
    const [first] = block.indicators;
    if (!first) throw new Error('fixture has no area-type indicator');
    // 34,44 and 36,86 print as 34,4 and 36,9: the gap printed beside them is −2,5 (the unrounded −2,42 would give −2,4);
    // 30,04 and 36,96 print as 30,0 and 37,0: −7,0 (not −6,9). Inside the counts' uncertainty: no established change.
    const ind = {
      ...first,
      comparison: 'lowest_vs_rest' as const,
      focus_upto: 1 as const,
      reference_from: 2 as const,
      value_focus: 34.44,
      value_reference: 36.86,
      gap: 34.44 - 36.86,
      value_focus_base: 30.04,
      value_reference_base: 36.96,
      gap_base: 30.04 - 36.96,
      gap_change: 34.44 - 36.86 - (30.04 - 36.96),
      change_verdict: 'no_change' as const,
    };
    const k = workbookSheets({ ...reportModelFixture({ scope: { level: 'kommun', code: '0180', name: 'Stockholm' } }), area_types: { ...block, indicators: [ind] } }, cat.indicators);
    const sheet = k.find((x) => x.name === 'Områdestyper skillnader');
    const header = sheet?.columns.map((c) => c.header) ?? [];
    const row = Object.fromEntries(header.map((h, i) => [h, sheet?.rows[0]?.[i]]));
    expect(row).toMatchObject({ Jämförelse: 'typ 1 och resten av kommunen', 'Skillnad basår': -7, Skillnad: -2.5, Förändring: 4.5, Bedömning: 'ingen säkerställd förändring' });
  });

  it('a kommun report adds the sheet of its RegSO and their types', () => {
    const k = workbookSheets(
      { ...reportModelFixture({ scope: { level: 'kommun', code: '0180', name: 'Stockholm' } }), area_types: { ...areaTypeBlockFixture(), regso: [{ code: '0180R001', name: 'Rinkeby', first_type: 1, latest_type: 1, latest_index: 2.31 }], regso_years: { first: 2016, latest: 2024 } } },
      cat.indicators,
    ).map((s) => s.name);
    expect(k).toContain('RegSO');
    expect(k).toContain('Definitioner');
  });
});
