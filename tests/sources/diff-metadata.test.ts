import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffMetadata } from '../../pipelines/sources/diff-metadata.ts';
import { loadStoredMetadata, parseTableMetadata, type TableMetadata } from '../../pipelines/sources/table-metadata.ts';

/** What changed between a stored copy and SCB's live answer, on the real TAB6680 with changes made by hand. */

const DATA = new URL('../../data', import.meta.url).pathname;
const stored = loadStoredMetadata(DATA, 'TAB6680') as TableMetadata;

interface Dim {
  label?: string;
  category: { index: Record<string, number>; label: Record<string, string> };
  extension: { elimination: boolean };
  _cut?: unknown;
}
interface Doc {
  id: string[];
  size: number[];
  updated: string;
  label: string;
  dimension: Record<string, Dim>;
  extension: { px: { aggregallowed: boolean } };
}

/** The stored copy as a live answer (JSON, not cut), to be changed. */
function liveDoc(): Doc {
  const doc = JSON.parse(readFileSync(`${DATA}/metadata/scb/TAB6680.json`, 'utf8')) as Doc;
  // The stored Region as if it were all: its kept codes renumbered and counted.
  const r = doc.dimension.Region as Dim;
  const codes = Object.entries(r.category.index).sort((a, b) => a[1] - b[1]).map(([c]) => c);
  r.category.index = Object.fromEntries(codes.map((c, i) => [c, i]));
  delete r._cut;
  doc.size[0] = codes.length;
  return doc;
}
const parse = (doc: Doc): TableMetadata => parseTableMetadata(doc, 'TAB6680', 'http://scb/api/v2/tables/TAB6680/metadata?lang=en');
const setCodes = (d: Dim, codes: string[]): void => {
  d.category.index = Object.fromEntries(codes.map((c, i) => [c, i]));
  d.category.label = Object.fromEntries(codes.map((c) => [c, c]));
};

describe('diffMetadata', () => {
  it('the stored copy against itself as a live answer: only the Region count (a stored copy keeps a cut)', () => {
    expect(diffMetadata(stored, parse(liveDoc()))).toEqual([{ table: 'TAB6680', variable: 'Region', message: '18870 → 24 codes' }]);
  });

  it('names every change the catalogue rests on', () => {
    const doc = liveDoc();
    doc.updated = '2026-11-27T07:00:00Z';
    doc.label = 'Labour market status … Year 2020-2025';
    const size = (id: string, n: number): void => {
      doc.size[doc.id.indexOf(id)] = n;
    };
    const tid = doc.dimension.Tid as Dim;
    setCodes(tid, ['2020', '2021', '2022', '2023', '2024', '2025']);
    size('Tid', 6);
    const kon = doc.dimension.Kon as Dim;
    setCodes(kon, ['1', '2', '1+2', '3']);
    kon.extension.elimination = false;
    size('Kon', 4);
    const alder = doc.dimension.Alder as Dim;
    setCodes(alder, ['15-74', '16-64', '16-65', '16-66', '20-65', '20-66']);
    size('Alder', 6);
    doc.id.splice(3, 0, 'Bakgrund');
    doc.size.splice(3, 0, 2);
    doc.dimension.Bakgrund = { label: 'background', category: { index: { TOT: 0, UTL: 1 }, label: { TOT: 'total', UTL: 'foreign' } }, extension: { elimination: true } };
    doc.extension.px.aggregallowed = true;
    expect(diffMetadata(stored, parse(doc)).map((c) => [c.variable, c.message])).toEqual([
      [undefined, 'updated 2025-11-28T07:00:00Z → 2026-11-27T07:00:00Z'],
      [undefined, 'title "Labour market status by region of residence, region (DeSO/RegSO), sex and age. Annual register. Year 2020-2024" → "Labour market status … Year 2020-2025"'],
      ['Bakgrund', 'variable added (may be eliminated; codes TOT, UTL)'],
      ['Kon', 'elimination true → false (now mandatory)'],
      ['Kon', 'codes added: 3'],
      ['Alder', 'codes removed: 20-64'],
      ['Tid', '2020–2024 → 2020–2025'],
      ['Region', '18870 → 24 codes'],
      [undefined, 'aggregallowed false → true'],
    ]);
  });

  it('a removed variable, changed region levels, and no stored copy at all', () => {
    const doc = liveDoc();
    const i = doc.id.indexOf('Kon');
    doc.id.splice(i, 1);
    doc.size.splice(i, 1);
    delete doc.dimension.Kon;
    const r = doc.dimension.Region as Dim & { extension: { codelists: { id: string }[] } };
    r.extension.codelists = r.extension.codelists.filter((c) => !c.id.endsWith('2025'));
    const changes = diffMetadata(stored, parse(doc)).map((c) => [c.variable, c.message]);
    expect(changes).toContainEqual(['Kon', 'variable removed']);
    expect(changes).toContainEqual(['Region', 'levels RegSO2020, RegSO2025, DeSO2018, DeSO2025 → RegSO2020, DeSO2018']);
    expect(diffMetadata(undefined, stored)).toEqual([
      {
        table: 'TAB6680',
        message: 'no stored copy; live: updated 2025-11-28T07:00:00Z; Tid 2020–2024; Region 18870 codes (RegSO2020, RegSO2025, DeSO2018, DeSO2025); Kon (3), Alder (7), ContentsCode (5); aggregallowed false',
      },
    ]);
  });
});
