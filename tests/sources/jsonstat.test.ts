import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../pipelines/errors.ts';
import { parseJsonStat } from '../../pipelines/sources/jsonstat.ts';

const REAL = new URL('../fixtures/real-responses/scb-v2/', import.meta.url);

function dataset(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '2.0',
    class: 'dataset',
    id: ['Region', 'ContentsCode', 'Tid'],
    size: [2, 1, 3],
    dimension: {
      // "25" before "00" on purpose: positions come from the index values, not the key order.
      Region: { label: 'region', category: { index: { '25': 1, '00': 0 }, label: { '00': 'Riket', '25': 'Norrbottens län' } } },
      ContentsCode: { label: 'tabellinnehåll', category: { index: { X: 0 }, label: { X: 'Antal' } } },
      Tid: { label: 'år', category: { index: ['2023', '2024', '2025'] } },
    },
    value: [10, 11, null, 20, 0, null],
    status: { '2': '..', '5': ':' },
    ...over,
  };
}

describe('parseJsonStat', () => {
  it('reads row-major cells, last dimension fastest, with codes from the category index', () => {
    const cells = parseJsonStat(JSON.stringify(dataset()), { tableId: 'T1' });
    expect(cells).toEqual([
      { codes: { Region: '00', ContentsCode: 'X', Tid: '2023' }, value: 10, status: null },
      { codes: { Region: '00', ContentsCode: 'X', Tid: '2024' }, value: 11, status: null },
      { codes: { Region: '00', ContentsCode: 'X', Tid: '2025' }, value: null, status: '..' },
      { codes: { Region: '25', ContentsCode: 'X', Tid: '2023' }, value: 20, status: null },
      { codes: { Region: '25', ContentsCode: 'X', Tid: '2024' }, value: 0, status: null },
      { codes: { Region: '25', ContentsCode: 'X', Tid: '2025' }, value: null, status: ':' },
    ]);
  });

  it('keeps `..`, `.`, `:` and bare null as NULL, never 0', () => {
    const cells = parseJsonStat(Buffer.from(JSON.stringify(dataset({ value: [null, '..', '.', 5, null, '7'], status: { '0': '..' } }))), { tableId: 'T1' });
    expect(cells.map((c) => [c.value, c.status])).toEqual([
      [null, '..'],
      [null, '..'],
      [null, '.'],
      [5, null],
      [null, null],
      [7, null],
    ]);
  });

  it('accepts status as one string or an array, and a sparse value object', () => {
    const all = parseJsonStat(JSON.stringify(dataset({ value: [null, null, null, null, null, null], status: '..' })), { tableId: 'T1' });
    expect(all.every((c) => c.value === null && c.status === '..')).toBe(true);
    const arr = parseJsonStat(JSON.stringify(dataset({ status: [null, null, '..', null, null, '.'] })), { tableId: 'T1' });
    expect(arr.map((c) => c.status)).toEqual([null, null, '..', null, null, '.']);
    const sparse = parseJsonStat(JSON.stringify(dataset({ value: { '1': 4 }, status: undefined })), { tableId: 'T1' });
    expect(sparse.map((c) => c.value)).toEqual([null, 4, null, null, null, null]);
  });

  it('parses the real SCB TAB6471 response: size product and known values', () => {
    const body = readFileSync(new URL('TAB6471_data_json-stat2.json', REAL));
    const cells = parseJsonStat(body, { tableId: 'TAB6471' });
    expect(cells).toHaveLength(21 * 11 * 3 * 1 * 4);
    expect(cells[0]).toEqual({ codes: { Region: '01', Alder: '0-9', Kon: 'TotSa', ContentsCode: '000007SF', Tid: '2026M01' }, value: 245284, status: null });
    const at = (codes: Record<string, string>): number | null | undefined => cells.find((c) => Object.entries(codes).every(([k, v]) => c.codes[k] === v))?.value;
    expect(at({ Region: '01', Alder: '0-9', Kon: '1', Tid: '2026M01' })).toBe(125373);
    expect(at({ Region: '01', Alder: '0-9', Kon: '2', Tid: '2026M04' })).toBe(122965);
    // SCB's cell-key noise, visible in the real data: men + women ≠ the published total.
    expect((at({ Region: '01', Alder: '0-9', Kon: '1', Tid: '2026M01' }) ?? 0) + (at({ Region: '01', Alder: '0-9', Kon: '2', Tid: '2026M01' }) ?? 0)).toBe(245284 - 5);
    expect(new Set(cells.map((c) => c.codes.Region)).size).toBe(21);
    expect(cells.every((c) => typeof c.value === 'number' && c.status === null)).toBe(true);
  });

  it('rejects malformed input with a SourceError naming the table and what was expected', () => {
    const bad = (over: Record<string, unknown>): string => {
      try {
        parseJsonStat(JSON.stringify(dataset(over)), { tableId: 'TAB6571', url: 'http://x/data' });
      } catch (e) {
        expect(e).toBeInstanceOf(SourceError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad({ value: [1, 2, 3, 4] })).toBe('JSON-stat from http://x/data (table TAB6571): value length 4 ≠ product of size 6');
    expect(bad({ size: [2, 1] })).toContain('"id" has 3 dimensions but "size" has 2');
    expect(bad({ id: ['Region', 'Nope', 'Tid'] })).toContain('dimension "Nope" is listed in "id" but missing from "dimension"');
    expect(bad({ size: [3, 1, 3], value: new Array(9).fill(1) })).toContain('dimension "Region" has 2 categories but size says 3');
    expect(bad({ value: [1, 2, {}, 4, 5, 6] })).toContain('value at 2 is {}');
    expect(bad({ class: 'collection' })).toContain('expected class "dataset"');
    expect(() => parseJsonStat('{"version":"2.0",', { tableId: 'TAB6571' })).toThrow(/table TAB6571\): not valid JSON/);
  });
});
