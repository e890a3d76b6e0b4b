import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOfficialAreas } from '../../pipelines/areas/load-official-areas.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
// sjbrg/swedish-geodata's lists (CC0), copied into the repo; origin in tests/fixtures/examples/README.md.
const examples = resolve(repoRoot, 'tests/fixtures/examples');
const counties = resolve(examples, 'sjbrg_counties.csv');
const municipalities = resolve(examples, 'sjbrg_municipality_county.csv');

/** Whitespace is the only normalisation allowed: a different letter is a different name. */
const norm = (s: string): string => s.normalize('NFC').replace(/\s+/g, ' ').trim();

function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map(norm);
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, norm(cells[i] ?? '')]));
  });
}

describe('loadOfficialAreas', () => {
  const areas = loadOfficialAreas(resolve(repoRoot, 'data'));

  it('has the 21 län and 290 kommuner with unique text codes', () => {
    expect(areas.lan).toHaveLength(21);
    expect(areas.kommuner).toHaveLength(290);
    expect(new Set(areas.lan.map((l) => l.code)).size).toBe(21);
    expect(new Set(areas.kommuner.map((k) => k.code)).size).toBe(290);
    for (const k of areas.kommuner) expect(k.code).toMatch(/^\d{4}$/);
  });

  it('keeps the codes that are easy to confuse apart', () => {
    const byCode = new Map(areas.kommuner.map((k) => [k.code, k.name]));
    expect(byCode.get('2403')).toBe('Bjurholm');
    expect(byCode.get('2460')).toBe('Vännäs');
    expect(byCode.get('0180')).toBe('Stockholm');
    expect(byCode.get('0114')).toBe('Upplands Väsby');
  });

  it('län equal sjbrg_counties.csv (code and full name, e.g. "Stockholms län")', () => {
    const theirs = readCsv(counties).map((r) => ({ code: r['county_code'], name: r['county_name'] }));
    const ours = areas.lan.map((l) => ({ code: l.code, name: norm(l.name) }));
    expect(ours).toEqual(theirs);
  });

  it('kommuner equal sjbrg_municipality_county.csv', () => {
    const rows = readCsv(municipalities);
    // Our names are SCB's short form ("Upplands Väsby"), the one statistics tables use, so they compare with
    // municipality_name_short. Their long form is built mechanically ("Stockholms kommun", even "Överkalixs
    // kommun", "Gotlands kommun" where the official names are "Malmö stad", "Region Gotland"), so it is not a
    // reference for names; we only check that it is the short name plus an optional genitive s and " kommun".
    const theirs = rows.map((r) => ({ code: r['municipality_code'], name: r['municipality_name_short'], lan_code: r['county_code'] }));
    const ours = areas.kommuner.map((k) => ({ code: k.code, name: norm(k.name), lan_code: k.lan_code }));
    expect(ours).toEqual(theirs);
    for (const r of rows) {
      expect([`${r['municipality_name_short']} kommun`, `${r['municipality_name_short']}s kommun`]).toContain(r['municipality_name']);
    }
  });
});
