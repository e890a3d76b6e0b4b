/**
 * `segfollow indices` end to end. The reference comparisons run the command as a child process (through
 * bin/segfollow.js) and check its printed values against the
 * pysal/rseg/OasisR records; error handling is checked in-process, which is faster and sees the same code.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../pipelines/cli.ts';
import { runCli, type CliResult } from '../helpers/run-cli.ts';
import {
  DATA_DIR,
  ESTABLISHED_LIBRARIES,
  groupColumns,
  loadData,
  loadExpected,
  parseCsv,
  type CsvTable,
} from './reference-data.ts';

let tmp = '';

type Result = CliResult;
const cli = (args: string[]): Promise<Result> => runCli(['indices', ...args]);

async function inProcess(args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  // Through the CLI's main, which catches errors once and maps them to exit codes, as in a real run.
  const code = await main(['indices', ...args], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'segfollow-indices-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Row {
  [column: string]: string;
}

function rowsOf(csv: string): Row[] {
  const t: CsvTable = parseCsv(csv);
  return t.rows.map((r) => Object.fromEntries(t.header.map((h, i) => [h, r[i] ?? ''])));
}

function find(rows: Row[], index: string, focal: string, by: Record<string, string> = {}): Row | undefined {
  return rows.find((r) => r.index === index && r.focal === focal && Object.entries(by).every(([k, v]) => r[k] === v));
}

const TWO_GROUP_IDS = new Set(['D', 'Gini', 'H_two_group', 'isolation_xPx', 'interaction_xPy', 'correlation_ratio_V', 'atkinson_b0.5']);
const ASYMMETRIC = new Set(['isolation_xPx', 'interaction_xPy']);

/** Compares the printed rows with every matching ok record; returns how many values were compared. */
function compareWithReference(dataset: string, rows: Row[], groups: string[], focal: string): number {
  let n = 0;
  const check = (row: Row | undefined, want: number, label: string): void => {
    expect(row, label).toBeDefined();
    const r = row as Row;
    expect(r.status, label).toBe('ok');
    expect(Math.abs(Number(r.value) - want), `${label}: printed ${r.value}, reference ${want}`).toBeLessThanOrEqual(1e-12);
    n++;
  };
  for (const rec of loadExpected(dataset).records) {
    if (rec.status !== 'ok' || !ESTABLISHED_LIBRARIES.has(rec.library) || rec.group !== null) continue;
    const recGroups = (rec.params.groups as string[] | undefined) ?? (rec.params.columns as string[] | undefined);
    if (recGroups && recGroups.join() !== groups.join()) continue;
    const label = `${dataset} ${rec.index} ${rec.library} ${JSON.stringify(rec.params)}`;
    const id = rec.index;
    if (TWO_GROUP_IDS.has(id) && groups.length === 2 && typeof rec.value === 'number') {
      const recFocal = (rec.params.focal as string | undefined) ?? groups[0];
      if (ASYMMETRIC.has(id)) {
        if (recFocal === focal) check(find(rows, id, focal), rec.value, label);
      } else check(find(rows, id, ''), rec.value, label);
    } else if (id.startsWith('multi_') && typeof rec.value === 'number') {
      check(find(rows, id, ''), rec.value, label);
    } else if ((id === 'M' || id === 'H') && typeof rec.value === 'number' && rec.params.base === undefined) {
      check(find(rows, id === 'M' ? 'multi_M_divergence' : 'multi_H_information_theory', ''), rec.value, label);
    } else if ((id === 'D_each_group_vs_rest' || id === 'H_each_group_vs_rest') && groups.length > 2 && Array.isArray(rec.value)) {
      const present = groups.filter((g) => rows.some((r) => r.index === 'D' && r.focal === g && r.status === 'ok'));
      rec.value.forEach((v, i) => check(find(rows, id[0] === 'D' ? 'D' : 'H_two_group', present[i] as string), v as number, `${label}[${i}]`));
    }
  }
  return n;
}

describe('segfollow indices reproduces the reference values (child process)', () => {
  const twoGroupSets = ['hm_two_basic', 'hm_two_unequal', 'hm_two_zero_area', 'hm_two_even', 'hm_two_complete', 'hm_spatial_grid'];
  const multiSets = ['hm_multi_basic', 'hm_multi_elbersb', 'hm_multi_group_absent', 'hm_income_quintiles', 'hm_income_deciles', 'hm_nested'];
  let total = 0;

  it('two-group sets, one run per focal group with --by dataset', async () => {
    // All two-group sets share the columns g1, g2, so one combined file (in the temp folder) exercises --by too.
    const combined = join(tmp, 'two-group-sets.csv');
    const lines = ['dataset,area_id,g1,g2'];
    for (const ds of twoGroupSets) {
      const d = loadData(ds);
      const [a, g1, g2] = ['area_id', 'g1', 'g2'].map((c) => d.header.indexOf(c));
      for (const r of d.rows) lines.push([ds, r[a as number], r[g1 as number], r[g2 as number]].join(','));
    }
    writeFileSync(combined, lines.join('\n') + '\n');
    for (const focal of ['g1', 'g2']) {
      const res = await cli(['--input', combined, '--unit', 'area_id', '--groups', 'g1,g2', '--by', 'dataset', '--focal', focal]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const rows = rowsOf(res.stdout);
      for (const ds of twoGroupSets) {
        const n = compareWithReference(ds, rows.filter((r) => r.dataset === ds), ['g1', 'g2'], focal);
        expect(n, ds).toBeGreaterThan(5);
        total += n;
      }
    }
  });

  for (const dataset of multiSets) {
    it(dataset, async () => {
      const groups = groupColumns(loadData(dataset));
      const res = await cli(['--input', `${DATA_DIR}${dataset}.csv`, '--unit', 'area_id', '--groups', groups.join(',')]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const n = compareWithReference(dataset, rowsOf(res.stdout), groups, groups[0] as string);
      expect(n).toBeGreaterThan(5);
      total += n;
    });
  }
  afterAll(() => console.log(`segfollow indices: ${total} printed values compared with the references`));

  it('prints the documented columns and index order for two groups', async () => {
    const res = await cli(['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'area_id', '--groups', 'g1,g2']);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('index,focal,value,status,n_units,total');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
      'D', 'Gini', 'H_two_group', 'isolation_xPx', 'interaction_xPy', 'correlation_ratio_V', 'atkinson_b0.5',
      'multi_D', 'multi_Gini', 'multi_H_information_theory', 'multi_M_divergence', 'multi_normalized_exposure',
      'multi_relative_diversity', 'multi_squared_coef_variation',
    ]);
    expect(lines[1]).toBe('D,,0.6,ok,4,400');
    expect(lines[4]).toBe('isolation_xPx,g1,0.76,ok,4,400');
  });

  it('--by computes each combination separately and --within decomposes M and H (hm_nested)', async () => {
    const file = `${DATA_DIR}hm_nested.csv`;
    const groups = 'grpA,grpB,grpC';
    const recs = loadExpected('hm_nested').records;
    const byRes = await cli(['--input', file, '--unit', 'area_id', '--groups', groups, '--by', 'kommun']);
    expect(byRes.code).toBe(0);
    const byRows = rowsOf(byRes.stdout);
    expect(Object.keys(byRows[0] as Row)).toEqual(['kommun', 'index', 'focal', 'value', 'status', 'n_units', 'total']);
    let n = 0;
    for (const rec of recs) {
      if (rec.library !== 'pysal' || rec.group === null || typeof rec.value !== 'number' || !rec.index.startsWith('multi_')) continue;
      const row = find(byRows, rec.index, '', { kommun: rec.group.kommun as string });
      expect(Math.abs(Number(row?.value) - rec.value), `${rec.index} ${rec.group.kommun}`).toBeLessThanOrEqual(1e-12);
      n++;
    }
    expect(n).toBe(14);

    const wRes = await cli(['--input', file, '--unit', 'area_id', '--groups', groups, '--within', 'kommun', '--format', 'json']);
    expect(wRes.code).toBe(0);
    const wRows = JSON.parse(wRes.stdout) as Array<Record<string, string | number | null>>;
    const value = (id: string): number => wRows.find((r) => r.index === id)?.value as number;
    const rseg = (id: string): number => recs.find((r) => r.index === id && r.library === 'rseg')?.value as number;
    for (const [ours, theirs] of [
      ['M_total', 'M_total_area'], ['M_between', 'M_between_kommun'], ['M_within', 'M_within_kommun'],
      ['H_total', 'H_total_area'], ['H_between', 'H_between_kommun'], ['H_within', 'H_within_kommun'],
    ] as const) {
      expect(Math.abs(value(ours) - rseg(theirs)), ours).toBeLessThanOrEqual(1e-12);
    }
    expect(Math.abs(value('M_between') + value('M_within') - value('M_total'))).toBeLessThanOrEqual(1e-15);
  });
});

describe('segfollow indices input and output forms', () => {
  it('reads Parquet with the same result as CSV, and JSON carries the same numbers', async () => {
    const parquet = join(tmp, 'nested.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // Typed columns on purpose: integers and a DOUBLE count (written as "10.0" when read as text).
    await conn.run(
      `COPY (SELECT area_id, kommun, grpA::INTEGER AS grpA, grpB::DOUBLE AS grpB, grpC::BIGINT AS grpC FROM read_csv('${DATA_DIR}hm_nested.csv', types = {'kommun': 'VARCHAR'})) TO '${parquet}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    const args = ['--unit', 'area_id', '--groups', 'grpA,grpB,grpC', '--by', 'kommun', '--within', 'area_id'];
    const fromCsv = await inProcess(['--input', `${DATA_DIR}hm_nested.csv`, ...args.slice(0, 6)]);
    const fromParquet = await inProcess(['--input', parquet, ...args.slice(0, 6)]);
    expect(fromParquet.stderr).toBe('');
    expect(fromParquet.stdout).toBe(fromCsv.stdout);
    const json = await inProcess(['--input', parquet, ...args.slice(0, 6), '--format', 'json']);
    const parsed = JSON.parse(json.stdout) as Array<Record<string, string | number | null>>;
    const csvRows = rowsOf(fromCsv.stdout);
    expect(parsed.length).toBe(csvRows.length);
    parsed.forEach((r, i) => {
      const c = csvRows[i] as Row;
      expect(r.kommun).toBe(c.kommun);
      expect(r.index).toBe(c.index);
      expect(r.focal ?? '').toBe(c.focal);
      expect(r.value === null ? '' : String(r.value)).toBe(c.value);
      expect(r.n_units).toBe(Number(c.n_units));
    });
  });

  it('accepts ; delimited CSV, quoted fields and codes with leading zeros', async () => {
    const f = join(tmp, 'semi.csv');
    writeFileSync(f, 'kommun;deso;"utrikes född";"inrikes född"\n0114;0114A0010;10;90\n0114;"0114A0020";40;60\n0180;0180C1010;5;95\n0180;0180C1020;5;95\n');
    const res = await inProcess(['--input', f, '--unit', 'deso', '--groups', 'utrikes född,inrikes född', '--by', 'kommun']);
    expect(res.stderr).toBe('');
    const rows = rowsOf(res.stdout);
    expect(find(rows, 'D', '', { kommun: '0114' })?.value).toBe('0.4');
    expect(find(rows, 'D', '', { kommun: '0180' })?.value).toBe('0');
    expect(find(rows, 'isolation_xPx', 'utrikes född', { kommun: '0114' })).toBeDefined();
  });

  it('reports edge cases with their status and an empty value', async () => {
    const single = rowsOf((await inProcess(['--input', `${DATA_DIR}hm_two_single_area.csv`, '--unit', 'area_id', '--groups', 'g1,g2'])).stdout);
    expect(single.every((r) => r.status === 'single_unit' && r.value === '' && r.n_units === '1' && r.total === '100')).toBe(true);
    const absent = rowsOf((await inProcess(['--input', `${DATA_DIR}hm_two_group_absent.csv`, '--unit', 'area_id', '--groups', 'g1,g2'])).stdout);
    expect(absent.every((r) => r.status === 'single_group' && r.value === '')).toBe(true);
    const zero = join(tmp, 'zero.csv');
    writeFileSync(zero, 'a,x,y\n1,0,0\n2,0,0\n');
    const none = rowsOf((await inProcess(['--input', zero, '--unit', 'a', '--groups', 'x,y'])).stdout);
    expect(none.every((r) => r.status === 'no_population' && r.n_units === '0' && r.total === '0')).toBe(true);
    const multi = rowsOf((await inProcess(['--input', `${DATA_DIR}hm_multi_group_absent.csv`, '--unit', 'area_id', '--groups', 'grpA,grpB,grpC,grpD'])).stdout);
    expect(find(multi, 'D', 'grpD')?.status).toBe('single_group');
    expect(find(multi, 'multi_squared_coef_variation', '')?.value).toBe('0.18125');
  });

  it('with more than two groups prints D and H of each group against the rest, and all two-group indices for --focal', async () => {
    const base = ['--input', `${DATA_DIR}hm_multi_basic.csv`, '--unit', 'area_id', '--groups', 'grpA,grpB,grpC'];
    const plain = rowsOf((await inProcess(base)).stdout);
    expect(plain.filter((r) => r.focal !== '').map((r) => `${r.index}:${r.focal}`)).toEqual([
      'D:grpA', 'H_two_group:grpA', 'D:grpB', 'H_two_group:grpB', 'D:grpC', 'H_two_group:grpC',
    ]);
    const focal = rowsOf((await inProcess([...base, '--focal', 'grpB'])).stdout);
    expect(focal.filter((r) => r.focal === 'grpB').map((r) => r.index)).toEqual([...TWO_GROUP_IDS]);
  });

  it('--draws adds expected values and bootstrap intervals, reproducibly for a seed', async () => {
    const args = ['--input', `${DATA_DIR}hm_nested.csv`, '--unit', 'area_id', '--groups', 'grpA,grpB', '--by', 'kommun', '--draws', '200'];
    const a = await cli(args);
    const b = await cli(args);
    const c = await cli([...args, '--seed', '2']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).not.toBe(a.stdout);
    const rows = rowsOf(a.stdout);
    for (const k of ['0101', '0202']) {
      for (const id of ['D', 'H_two_group', 'multi_D', 'multi_H_information_theory']) {
        const est = Number(find(rows, id, '', { kommun: k })?.value);
        const exp = Number(find(rows, `${id}_expected_under_random`, '', { kommun: k })?.value);
        const lo = Number(find(rows, `${id}_bootstrap_ci_low`, '', { kommun: k })?.value);
        const hi = Number(find(rows, `${id}_bootstrap_ci_high`, '', { kommun: k })?.value);
        expect(exp, `${id} ${k}`).toBeGreaterThan(0);
        expect(exp).toBeLessThan(est);
        expect(lo).toBeLessThan(hi);
        expect(hi - lo).toBeLessThan(1);
      }
    }
    // --focal changes which group the asymmetric rows describe, not the simulation.
    const swapped = rowsOf((await inProcess([...args, '--focal', 'grpB'])).stdout);
    const simRows = (rs: Row[]): Row[] => rs.filter((r) => /_expected_under_random|_bootstrap_/.test(r.index ?? ''));
    expect(simRows(swapped)).toEqual(simRows(rows));
    // Without --draws none of these rows appear.
    const plain = rowsOf((await inProcess(args.slice(0, -2))).stdout);
    expect(plain.some((r) => (r.index ?? '').includes('_bootstrap_'))).toBe(false);
  });

  it('--out writes the file and nothing to stdout', async () => {
    const out = join(tmp, 'out.csv');
    const res = await inProcess(['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'area_id', '--groups', 'g1,g2', '--out', out]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(readFileSync(out, 'utf8').startsWith('index,focal,value,status,n_units,total\nD,,0.6,ok,4,400\n')).toBe(true);
  });
});

describe('segfollow indices reads --input as a literal path and writes --out safely', () => {
  const dirOf = (name: string): string => {
    const d = join(tmp, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const dOf = (csv: string): string | undefined => rowsOf(csv).find((r) => r.index === 'D')?.value;
  const parquet = async (file: string, values: string): Promise<void> => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // The path is a literal to COPY TO (no globbing on write).
    await conn.run(`COPY (SELECT * FROM (VALUES ${values}) t(u, a, b)) TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
  };

  it('counts[2024].csv is that file, not the glob match counts2.csv (CSV and Parquet)', async () => {
    const d = dirOf('glob-brackets');
    // D = 1 for the literal file (complete separation), 5/12 for counts2.csv, which "[2024]" matches as a glob.
    writeFileSync(join(d, 'counts[2024].csv'), 'u,a,b\nx,5,0\ny,0,5\n');
    writeFileSync(join(d, 'counts2.csv'), 'u,a,b\nx,1,2\ny,3,1\n');
    const lit = await inProcess(['--input', join(d, 'counts[2024].csv'), '--unit', 'u', '--groups', 'a,b']);
    expect(lit.code).toBe(0);
    expect(dOf(lit.stdout)).toBe('1');
    expect(dOf((await inProcess(['--input', join(d, 'counts2.csv'), '--unit', 'u', '--groups', 'a,b'])).stdout)).toBe('0.4166666666666667');

    await parquet(join(d, 'counts[2024].parquet'), "('x', 5, 0), ('y', 0, 5)");
    await parquet(join(d, 'counts2.parquet'), "('x', 1, 2), ('y', 3, 1)");
    const pq = await inProcess(['--input', join(d, 'counts[2024].parquet'), '--unit', 'u', '--groups', 'a,b']);
    expect(pq.code).toBe(0);
    expect(dOf(pq.stdout)).toBe('1');
  });

  it('* and ? in a file name match only themselves, also as a relative path (child process)', async () => {
    const d = dirOf('glob-star');
    writeFileSync(join(d, 'a*.csv'), 'u,a,b\nx,5,0\ny,0,5\n');
    writeFileSync(join(d, 'ab.csv'), 'u,a,b\nz,1,2\nw,3,1\n');
    writeFileSync(join(d, 'q?.csv'), 'u,a,b\nx,5,0\ny,0,5\n');
    writeFileSync(join(d, 'qq.csv'), 'u,a,b\nz,1,2\nw,3,1\n');
    for (const f of [join(d, 'a*.csv'), join(d, 'q?.csv')]) {
      const r = await inProcess(['--input', f, '--unit', 'u', '--groups', 'a,b']);
      expect(r.code, f).toBe(0);
      // The glob would read both files: four sub-areas instead of two.
      expect(rowsOf(r.stdout).find((x) => x.index === 'D'), f).toMatchObject({ value: '1', n_units: '2' });
    }
    const rel = await runCli(['indices', '--input', 'a*.csv', '--unit', 'u', '--groups', 'a,b'], { cwd: d });
    expect(rel.code).toBe(0);
    expect(rowsOf(rel.stdout).find((x) => x.index === 'D')).toMatchObject({ value: '1', n_units: '2' });
  });

  it('refuses --out equal to --input (same path, another spelling, a hard link) with exit 2 and leaves the input alone', async () => {
    const d = dirOf('out-is-input');
    const input = join(d, 'in.csv');
    const text = 'u,a,b\nx,5,0\ny,0,5\n';
    writeFileSync(input, text);
    linkSync(input, join(d, 'hard.csv'));
    for (const out of [input, join(d, '..', 'out-is-input', 'in.csv'), join(d, 'hard.csv')]) {
      const r = await inProcess(['--input', input, '--unit', 'u', '--groups', 'a,b', '--out', out]);
      expect(r.code, out).toBe(2);
      expect(r.stderr).toMatch(/--out .* is the --input file/);
      expect(readFileSync(input, 'utf8')).toBe(text);
    }
  });

  it('writes --out through a temporary file renamed into place: a new file, no leftovers, a symlink kept', async () => {
    const d = dirOf('atomic-out');
    const out = join(d, 'result.csv');
    writeFileSync(out, 'old contents\n');
    const before = statSync(out).ino;
    const args = ['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'area_id', '--groups', 'g1,g2'];
    const r = await inProcess([...args, '--out', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8').startsWith('index,focal,value,status,n_units,total\nD,,0.6,ok,4,400\n')).toBe(true);
    // Renamed over, not rewritten in place: another inode, and nothing else in the folder.
    expect(statSync(out).ino).not.toBe(before);
    expect(readdirSync(d)).toEqual(['result.csv']);

    symlinkSync('result.csv', join(d, 'link.csv'));
    expect((await inProcess([...args, '--format', 'json', '--out', join(d, 'link.csv')])).code).toBe(0);
    expect(lstatSync(join(d, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(out, 'utf8').startsWith('[\n')).toBe(true);
    expect(readdirSync(d).sort()).toEqual(['link.csv', 'result.csv']);

    // A failed write (no such folder) names the file and leaves nothing behind.
    const bad = await inProcess([...args, '--out', join(d, 'missing', 'x.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/missing\/x\.csv: cannot write the output \(ENOENT\)/);
    expect(readdirSync(d).sort()).toEqual(['link.csv', 'result.csv']);
  });

  it('refuses a FIFO as --input with exit 2 naming it, instead of waiting for a writer', async () => {
    const d = dirOf('fifo');
    const fifo = join(d, 'counts.csv');
    execFileSync('mkfifo', [fifo]);
    const r = await inProcess(['--input', fifo, '--unit', 'u', '--groups', 'a,b']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${fifo}: is not a regular file (a FIFO, device or socket)`);
    const child = await cli(['--input', fifo, '--unit', 'u', '--groups', 'a,b']);
    expect(child.code).toBe(2);
    expect(child.stderr).toContain(`${fifo}: is not a regular file`);
  }, 20_000);
});

describe('segfollow indices rejects bad input with exit 2, naming file, row and column', () => {
  const write = (name: string, text: string): string => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };
  const args = (f: string, extra: string[] = []): string[] => ['--input', f, '--unit', 'area', '--groups', 'x,y', ...extra];

  const cases: Array<[string, () => string[], RegExp[]]> = [
    ['a missing column', () => args(write('nocol.csv', 'area,x,z\na1,1,2\n')), [/nocol\.csv/, /no column "y"/]],
    ['a negative count', () => args(write('neg.csv', 'area,x,y\na1,1,2\na2,-3,4\n')), [/neg\.csv/, /row 2/, /column "x"/, /negative/]],
    ['a fractional count', () => args(write('frac.csv', 'area,x,y\na1,1,2.5\n')), [/frac\.csv/, /row 1/, /column "y"/, /fractional/]],
    ['a non-numeric count', () => args(write('text.csv', 'area,x,y\na1,1,2\na2,3,4\na3,many,5\n')), [/text\.csv/, /row 3/, /column "x"/, /"many" is not a number/]],
    ['an empty count', () => args(write('blank.csv', 'area,x,y\na1,,2\n')), [/blank\.csv/, /row 1/, /column "x"/, /missing value/]],
    ['a missing unit id', () => args(write('nounit.csv', 'area,x,y\na1,1,2\n,3,4\n')), [/nounit\.csv/, /row 2/, /column "area"/, /missing value/]],
    ['a duplicate sub-area', () => args(write('dup.csv', 'area,x,y\na1,1,2\na2,3,4\na1,5,6\n')), [/dup\.csv/, /row 3/, /column "area"/, /"a1" appears again/, /row 1/]],
    ['an empty file', () => args(write('empty.csv', '')), [/empty\.csv/, /empty/]],
    ['a header without rows', () => args(write('header.csv', 'area,x,y\n')), [/header\.csv/, /no data rows/]],
    ['a ragged line', () => args(write('ragged.csv', 'area,x,y\na1,1,2\na2,3\n')), [/ragged\.csv/, /line 3/, /Expected Number of Columns/]],
    ['a file that does not exist', () => args(join(tmp, 'nope.csv')), [/nope\.csv/, /cannot read/, /ENOENT/]],
    ['a directory', () => args(tmp), [/is a directory/]],
    ['a broken Parquet file', () => args(write('bad.parquet', 'PAR1garbage')), [/bad\.parquet/, /Parquet/]],
    ['no --groups', () => ['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'area_id'], [/--groups/]],
    ['one group', () => ['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'area_id', '--groups', 'g1'], [/at least two/]],
    ['an unknown flag', () => ['--input', 'x.csv', '--unit', 'a', '--groups', 'a,b', '--bogus'], [/bogus/]],
    ['a focal group outside --groups', () => ['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'area_id', '--groups', 'g1,g2', '--focal', 'total'], [/--focal "total"/]],
    ['a column used twice', () => ['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'g1', '--groups', 'g1,g2'], [/"g1" is given both/]],
    ['a bad --format', () => ['--input', `${DATA_DIR}hm_two_basic.csv`, '--unit', 'area_id', '--groups', 'g1,g2', '--format', 'xml'], [/--format/]],
  ];
  for (const [what, argv, patterns] of cases) {
    it(what, async () => {
      const res = await inProcess(argv());
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      for (const p of patterns) expect(res.stderr).toMatch(p);
    });
  }

  it('a large negative Parquet count names its row', async () => {
    const f = join(tmp, 'neg.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (SELECT 'a' || i AS area, i AS x, CASE WHEN i = 5000 THEN -1 ELSE 3 END AS y FROM range(1, 10001) t(i)) TO '${f}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    const res = await inProcess(args(f));
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/neg\.parquet: row 5000, column "y": value "-1" is negative/);
  });

  it('exits 2 from the child process too', async () => {
    const dir = join(tmp, 'child');
    mkdirSync(dir, { recursive: true });
    const f = join(dir, 'neg.csv');
    writeFileSync(f, 'area,x,y\na1,1,2\na2,-3,4\n');
    const res = await cli(args(f));
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/neg\.csv: row 2, column "x"/);
  });
});
