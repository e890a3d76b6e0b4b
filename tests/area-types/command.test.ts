/**
 * `segfollow area-types` as a child process through bin/segfollow.js: output,
 * precision, groups, Parquet, --out, --sd, missing markers, and exit 2 with file, row and column on bad input.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.ts';
import { inlineParams } from '../../pipelines/area-types-command.ts';

let tmp = '';

const cli = (args: string[]): Promise<CliResult> => runCli(['area-types', ...args]);

function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'segfollow-area-types-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('segfollow area-types', () => {
  it('classifies an index column: mean 1, SD 2, so 5 is exactly mean + 2 SD (type 1), and prints CSV in input order', async () => {
    const f = file('index.csv', 'regso,socio\na,0\nb,0\nc,5\nd,0\ne,0\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'socio']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('unit,index,area_type\na,0,4\nb,0,4\nc,5,1\nd,0,4\ne,0,4\n');
    expect(r.stderr).toContain('mean 1, SD 2 (population)');
    expect(r.stderr).toContain('areas of types 1–5: 1/0/0/4/0');
  });

  it('computes (V1 + V2 + V3) / 3 from components (semicolon CSV) and prints the index at full float64 precision', async () => {
    const f = file('components.csv', 'id;low;pre;ea\nR1;10.1;20.2;30.4\nR2;1;2;3\nR3;"5";5;5\n');
    const r = await cli(['--input', f, '--unit', 'id', '--v1', 'low', '--v2', 'pre', '--v3', 'ea']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('unit,index,area_type');
    expect(lines[1]).toBe(`R1,${String((10.1 + 20.2 + 30.4) / 3)},2`);
    expect(lines[1]).toBe('R1,20.23333333333333,2');
    expect(lines.slice(2)).toEqual(['R2,2,4', 'R3,5,4']);
  });

  it('with --by classifies each group on its own and puts the group first', async () => {
    const f = file('by.csv', 'year,regso,idx\n2022,a,0\n2022,b,0\n2022,c,5\n2022,d,0\n2022,e,0\n2023,a,3\n2023,b,9\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'idx', '--by', 'year']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('year,unit,index,area_type\n2022,a,0,4\n2022,b,0,4\n2022,c,5,1\n2022,d,0,4\n2022,e,0,4\n2023,a,3,4\n2023,b,9,2\n');
    expect(r.stderr).toContain('year = 2023: 2 rows, 2 with an index; mean 6, SD 3');
  });

  it('with --by and the groups interleaved, each row keeps its own index and type in file order', async () => {
    const f = file('by-mixed.csv', 'year,regso,idx\n2023,a,3\n2022,a,0\n2022,b,0\n2023,b,9\n2022,c,5\n2022,d,0\n2022,e,0\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'idx', '--by', 'year']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('year,unit,index,area_type\n2023,a,3,4\n2022,a,0,4\n2022,b,0,4\n2023,b,9,2\n2022,c,5,1\n2022,d,0,4\n2022,e,0,4\n');
    // Groups in order of first appearance.
    expect(r.stderr.indexOf('year = 2023')).toBeLessThan(r.stderr.indexOf('year = 2022'));
  });

  it('with more --by groups than the cuts are looked up for row by row (64), the rows still come out in file order', async () => {
    // 70 groups interleaved: row k of every group, then row k + 1 of every group. Each group is { 0, 0, 5, 0, 0 }
    // shifted by its number g, so mean g + 1, SD 2, and its third row (g + 5) is exactly type 1.
    const groups = Array.from({ length: 70 }, (_, g) => g);
    const lines = [0, 0, 5, 0, 0].flatMap((x, k) => groups.map((g) => [`y${g}`, `u${k}`, g + x] as const));
    const f = file('by-many.csv', 'year,regso,idx\n' + lines.map((l) => l.join(',')).join('\n') + '\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'idx', '--by', 'year']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('year,unit,index,area_type\n' + lines.map(([y, u, v]) => `${y},${u},${v},${u === 'u2' ? 1 : 4}\n`).join(''));
    expect(r.stderr).toContain('year = y69: 5 rows, 5 with an index; mean 70, SD 2');
    expect(r.stderr.indexOf('year = y0:')).toBeLessThan(r.stderr.indexOf('year = y1:'));
  });

  it('--sd sample uses the divisor n − 1 (R sd(), pandas std()), which moves the edge area to type 2', async () => {
    const f = file('sample.csv', 'regso,socio\na,0\nb,0\nc,5\nd,0\ne,0\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'socio', '--sd', 'sample']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('unit,index,area_type\na,0,4\nb,0,4\nc,5,2\nd,0,4\ne,0,4\n');
    expect(r.stderr).toContain('(sample)');
  });

  it('reads Parquet (doubles keep their precision) and writes --out instead of stdout', async () => {
    const pq = join(tmp, 'index.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT * FROM (VALUES ('a', 0.1::DOUBLE), ('b', 0.2), ('c', 1.0 / 3), ('d', 7.25)) t(regso, socio)) TO '${pq}' (FORMAT parquet)`);
    conn.closeSync();
    instance.closeSync();
    const out = join(tmp, 'out.csv');
    const r = await cli(['--input', pq, '--unit', 'regso', '--index', 'socio', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(`unit,index,area_type\na,0.1,4\nb,0.2,4\nc,${String(1 / 3)},4\nd,7.25,2\n`);
  });

  it('leaves rows with an empty, ".." or "." value without index and type, out of the mean and SD', async () => {
    const f = file('missing.csv', 'regso,low,pre,ea\na,0,0,0\nb,..,1,1\nc,0,0,0\nd,15,0,0\ne,0,,0\nf,0,0,0\ng,0,0,0\nh,.,0,0\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--v1', 'low', '--v2', 'pre', '--v3', 'ea']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('unit,index,area_type\na,0,4\nb,,\nc,0,4\nd,5,1\ne,,\nf,0,4\ng,0,4\nh,,\n');
    expect(r.stderr).toContain('8 rows, 5 with an index; mean 1, SD 2');
    expect(r.stderr).toContain('3 without an index (no type)');
  });

  it('with --by, a group that cannot be cut keeps its indices without types beside one that can, whatever its name', async () => {
    const f = file('by-flat.csv', 'year,regso,idx\n"it\'s",a,0\nflat,a,2\n"it\'s",b,0\nflat,b,2\n"it\'s",c,5\n"it\'s",d,0\n"it\'s",e,0\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'idx', '--by', 'year']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("year,unit,index,area_type\nit's,a,0,4\nflat,a,2,\nit's,b,0,4\nflat,b,2,\nit's,c,5,1\nit's,d,0,4\nit's,e,0,4\n");
    expect(r.stderr).toContain('year = flat: 2 rows, 2 with an index: fewer than two distinct index values, so no types');
  });

  it('reads padded and signed decimals as numbers ("-0" as 0) and ".." as missing, as Number() in JavaScript would', async () => {
    // " 0 " and the no-break space are trimmed in SQL, the tab in JavaScript (SQL's trim leaves it): both are numbers.
    const f = file('padded.csv', 'regso,socio\na," 0 "\nb,"\t0"\nc,5\nd,-0\ne,+0e0\nf,..\ng,\u00a0.5e1\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'socio']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('unit,index,area_type\na,0,4\nb,0,4\nc,5,2\nd,0,4\ne,0,4\nf,,\ng,5,2\n');
    expect(r.stderr).toContain('7 rows, 6 with an index; mean 1.6666666666666667, SD 2.357022603955158');
  });

  it('says so when a group cannot be cut', async () => {
    const f = file('one.csv', 'regso,socio\na,12\n');
    const r = await cli(['--input', f, '--unit', 'regso', '--index', 'socio']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('unit,index,area_type\na,12,\n');
    expect(r.stderr).toContain('fewer than two distinct index values, so no types');
  });

  it('prints help with exit 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('segfollow area-types');
    expect(r.stdout).toContain('mean + 2 SD');
  });

  it('reads --input literally: regso[2024].csv is not the glob match regso2.csv', async () => {
    const d = join(tmp, 'glob');
    mkdirSync(d);
    writeFileSync(join(d, 'regso[2024].csv'), 'regso,socio\na,0\nb,0\nc,5\nd,0\ne,0\n');
    writeFileSync(join(d, 'regso2.csv'), 'regso,socio\nz,1\ny,2\n');
    const r = await cli(['--input', join(d, 'regso[2024].csv'), '--unit', 'regso', '--index', 'socio']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('unit,index,area_type\na,0,4\nb,0,4\nc,5,1\nd,0,4\ne,0,4\n');
  });

  it('refuses --out equal to --input and a FIFO as --input with exit 2', async () => {
    const text = 'regso,socio\na,0\nb,5\n';
    const input = file('self.csv', text);
    const same = await cli(['--input', input, '--unit', 'regso', '--index', 'socio', '--out', input]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain(`--out ${input} is the --input file`);
    expect(readFileSync(input, 'utf8')).toBe(text);
    const fifo = join(tmp, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const f = await cli(['--input', fifo, '--unit', 'regso', '--index', 'socio']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain(`${fifo}: is not a regular file`);
  }, 20_000);

  describe('bad input exits 2 and names the file, row and column', () => {
    const cases: [string, () => string[], RegExp[]][] = [
      ['a missing column', () => ['--input', file('nocol.csv', 'regso,socio\na,1\n'), '--unit', 'regso', '--index', 'index'], [/nocol\.csv/, /no column "index"/]],
      ['a non-numeric value', () => ['--input', file('text.csv', 'regso,socio\na,1\nb,2\nc,hög\n'), '--unit', 'regso', '--index', 'socio'], [/text\.csv: row 3, column "socio": value "hög" is not a number/]],
      ['a decimal comma', () => ['--input', file('comma.csv', 'regso;socio\na;1,5\nb;2\n'), '--unit', 'regso', '--index', 'socio'], [/comma\.csv: row 1, column "socio": value "1,5" is not a number \(write decimals with a point\)/]],
      ['an infinite value', () => ['--input', file('inf.csv', 'regso,socio\na,1e999\nb,2\n'), '--unit', 'regso', '--index', 'socio'], [/inf\.csv: row 1, column "socio": value "1e999" is not a finite number/]],
      ['a missing area id', () => ['--input', file('noid.csv', 'regso,socio\na,1\n,2\n'), '--unit', 'regso', '--index', 'socio'], [/noid\.csv: row 2, column "regso": missing value/]],
      ['a duplicate area', () => ['--input', file('dup.csv', 'regso,socio\na,1\nb,2\na,3\n'), '--unit', 'regso', '--index', 'socio'], [/dup\.csv: row 3, column "regso": area "a" appears again \(first at row 1\)/]],
      ['an empty file', () => ['--input', file('empty.csv', ''), '--unit', 'regso', '--index', 'socio'], [/empty\.csv: the file is empty/]],
      ['a header without rows', () => ['--input', file('header.csv', 'regso,socio\n'), '--unit', 'regso', '--index', 'socio'], [/header\.csv: no data rows/]],
      ['an unreadable file', () => ['--input', join(tmp, 'nowhere.csv'), '--unit', 'regso', '--index', 'socio'], [/nowhere\.csv: cannot read the file \(ENOENT\)/]],
      ['a ragged CSV line', () => ['--input', file('ragged.csv', 'regso,socio\na,1\nb,2,9\n'), '--unit', 'regso', '--index', 'socio'], [/ragged\.csv: line 3: malformed CSV/]],
      ['only two components', () => ['--input', file('two.csv', 'r,a,b\nx,1,2\n'), '--unit', 'r', '--v1', 'a', '--v2', 'b'], [/--v3 is missing/]],
      ['both --index and components', () => ['--input', file('both.csv', 'r,a\nx,1\n'), '--unit', 'r', '--index', 'a', '--v1', 'a'], [/either --index COL or --v1\/--v2\/--v3/]],
      ['no --input', () => ['--unit', 'r', '--index', 'a'], [/--input FILE is required/]],
      ['an unknown --sd', () => ['--input', file('sd.csv', 'r,a\nx,1\n'), '--unit', 'r', '--index', 'a', '--sd', 'weighted'], [/--sd must be population or sample/]],
      ['an unknown flag', () => ['--input', file('flag.csv', 'r,a\nx,1\n'), '--unit', 'r', '--index', 'a', '--weights', 'pop'], [/Unknown option '--weights'/]],
    ];
    for (const [what, args, patterns] of cases) {
      it(what, async () => {
        const r = await cli(args());
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        for (const p of patterns) expect(r.stderr).toMatch(p);
        expect(r.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
      });
    }
  });
});

describe('inlineParams (cut.sql as a view, whose parameters cannot be bound)', () => {
  it('quotes each $name outside literals, quoted identifiers and comments, and refuses an unknown one', () => {
    const sql = `-- uses $a\nSELECT $a AS "$a", 'got ' || $b, 'it''s $a' -- $b\nFROM t`;
    expect(inlineParams(sql, { a: "x'y", b: '[1, 2]' })).toBe(`-- uses $a\nSELECT 'x''y' AS "$a", 'got ' || '[1, 2]', 'it''s $a' -- $b\nFROM t`);
    expect(() => inlineParams('SELECT $c', { a: '1' })).toThrow(/\$c has no value/);
  });
});
