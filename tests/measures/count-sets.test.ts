/**
 * The two readers behind `segfollow indices`: small plain CSV files are read in JavaScript (count-sets.ts), the rest
 * by DuckDB (read-table.ts). Both must give the same sets and the same first error for the same file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSetsFromPlainCsv, type CountSet, type CountSpec } from '../../pipelines/measures/count-sets.ts';
import { readCountSets } from '../../pipelines/measures/read-table.ts';
import { parseCount } from '../../pipelines/measures/validate-columns.ts';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'segfollow-count-sets-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

type Outcome = { sets: Array<{ by: string[]; counts: number[]; region: number[] | null; nRegions: number }> } | { error: string };

async function read(file: string, spec: CountSpec, plainCsvMaxBytes: number): Promise<Outcome> {
  try {
    const { sets } = await readCountSets(file, spec, (raw, row, col) => parseCount(file, raw, row, col), { plainCsvMaxBytes });
    return { sets: sets.map((s: CountSet) => ({ by: [...s.by], counts: [...s.counts], region: s.region && [...s.region], nRegions: s.nRegions })) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Both readers on one file: the JavaScript one when the file is plain (or DuckDB after it declines), and DuckDB alone. */
async function both(name: string, text: string, spec: CountSpec): Promise<{ js: Outcome; duck: Outcome; plain: boolean }> {
  const file = join(tmp, name);
  writeFileSync(file, text);
  const js = await read(file, spec, 1 << 20);
  const duck = await read(file, spec, 0);
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] as string;
  const delim = header.includes(';') ? ';' : ',';
  let plain: boolean;
  try {
    plain = countSetsFromPlainCsv(file, readFileSync(file), header.split(delim), delim, spec, (raw, row, col) => parseCount(file, raw, row, col)) !== null;
  } catch {
    plain = true; // it read the file and refused a cell
  }
  return { js, duck, plain };
}

const byWithin: CountSpec = { unit: 'area', groups: ['x', 'y'], by: ['kommun', 'year'], within: 'region' };
const plainSpec: CountSpec = { unit: 'area', groups: ['x', 'y'], by: [], within: null };

describe('the JavaScript and DuckDB readers agree', () => {
  const valid: Array<[string, string, CountSpec]> = [
    [
      'sets in numeric order, regions by name, odd but valid counts',
      'kommun,year,region,area,x,y\n0180,2024,b,a1,1,2\n0180,2024,a,a2,12.0,4\n0114,2024,b,a1, 7,1e3\n0180,2023,a,a1,0,5\n0180,2024,b,a3,6,0\n',
      byWithin,
    ],
    ['CRLF line ends, a byte-order mark, no final newline', '\uFEFFarea;x;y\r\na1;1;2\r\na2;3;4', { ...plainSpec }],
    ['a quoted field (JavaScript declines, DuckDB reads)', 'area,x,y\n"a,1",1,2\na2,3,4\n', plainSpec],
    // DuckDB's cast to an integer reads all of these too; they must reach parseCount and come out as it reads them.
    ['counts with a sign, leading zeros, a point or a zero fraction', 'area,x,y\na1,+7,007\na2,7.,0\na3,-0,000000000000012\na4,123456789012345,9.0e1\n', plainSpec],
  ];
  for (const [what, text, spec] of valid) {
    it(what, async () => {
      const r = await both(`${what.length}-${valid.findIndex((v) => v[0] === what)}.csv`, text, spec);
      expect(r.duck).toEqual(r.js);
      expect('sets' in r.js).toBe(true);
    });
  }

  it('reads the plain files in JavaScript and leaves quoted or ragged ones to DuckDB', async () => {
    expect((await both('p1.csv', 'area,x,y\na1,1,2\n', plainSpec)).plain).toBe(true);
    expect((await both('p2.csv', 'area,x,y\n"a1",1,2\n', plainSpec)).plain).toBe(false);
    expect((await both('p3.csv', 'area,x,y\na1,1,2\na2,3\n', plainSpec)).plain).toBe(false);
    expect((await both('p4.csv', 'area,x,y\na1,1,2\n\na2,3,4\n', plainSpec)).plain).toBe(false);
  });

  const invalid: Array<[string, string, CountSpec, RegExp]> = [
    // Column x is checked before column y, whatever the rows.
    ['the first bad count by column, then row', 'area,x,y\na1,1,-2\na2,3,4\na3,many,5\n', plainSpec, /row 3, column "x": value "many" is not a number/],
    ['an empty count', 'area,x,y\na1,,2\n', plainSpec, /row 1, column "x": missing value/],
    // DuckDB's cast to an integer reads "1_000" as 1000; the count must still be refused.
    ['digits with an underscore', 'area,x,y\na1,1,2\na2,1_000,3\n', plainSpec, /row 2, column "x": value "1_000" is not a number/],
    // The unit is checked before the --by columns.
    ['a missing unit before a missing --by value', 'kommun,year,region,area,x,y\n,2024,a,a1,1,2\n0180,2024,a,,1,2\n', byWithin, /row 2, column "area": missing value/],
    [
      'the first duplicate in output order of the sets',
      'kommun,year,region,area,x,y\n0180,2024,a,a1,1,2\n0180,2024,a,a1,1,2\n0114,2024,a,a9,1,2\n0114,2024,a,a9,1,2\n',
      byWithin,
      /row 4, column "area": sub-area "a9" appears again in region "a" for kommun = "0114", year = "2024" \(first at row 3\)/,
    ],
    ['a sub-area in two regions is no duplicate, twice in one is', 'kommun,year,region,area,x,y\n1,1,a,u,1,2\n1,1,b,u,1,2\n1,1,b,u,3,4\n', byWithin, /row 3, column "area": sub-area "u" appears again in region "b"/],
  ];
  for (const [what, text, spec, message] of invalid) {
    it(what, async () => {
      const r = await both(`bad-${invalid.findIndex((v) => v[0] === what)}.csv`, text, spec);
      expect(r.plain).toBe(true);
      expect(r.js).toEqual(r.duck);
      expect('error' in r.js && r.js.error).toMatch(message);
    });
  }
});
