/**
 * Defects 10 and 13 of the unattended-runs issue: environment errors end with exit 2 and one line naming the path
 * (no "unexpected error", no stack); a mistyped --warehouse creates nothing; killed runs' temp files are cleaned up;
 * area-types refuses values whose square overflows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../pipelines/cli.ts';
import { execFile, withConnection } from '../pipelines/db.ts';
import { EnvironmentError, environmentError } from '../pipelines/errors.ts';
import { removeStrayTemp } from '../pipelines/stages/raw-cache.ts';
import { runAreaTypesCommand } from '../pipelines/area-types-command.ts';

const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `segfollow-env-${p}-`));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(''), err: err.join('') };
}

async function emptyWarehouse(dir: string): Promise<string> {
  const w = join(dir, 'w.duckdb');
  await withConnection(w, (conn) => execFile(conn, 'staging/schema'));
  return w;
}

/** One error line, exit 2, naming `path`, no stack trace. */
function expectEnvironmentRefusal(r: { code: number; err: string }, path: string): void {
  expect(r.code).toBe(2);
  expect(r.err).toContain(path);
  expect(r.err).not.toContain('unexpected error');
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('environment errors: exit 2 naming the path', () => {
  it('--out that is a file is refused before anything runs', async () => {
    const dir = tmp('out-file');
    const w = await emptyWarehouse(dir);
    const file = join(dir, 'out.txt');
    writeFileSync(file, 'not a folder');
    const r = await cli(['report', '--warehouse', w, '--out', file]);
    expectEnvironmentRefusal(r, file);
    expect(r.err).toContain('is a file, expected a folder');
    expect(existsSync(`${w}.lock`)).toBe(false);
  });

  it('--out under a file (a file in its path) is refused', async () => {
    const dir = tmp('out-under-file');
    const w = await emptyWarehouse(dir);
    writeFileSync(join(dir, 'f'), '');
    const r = await cli(['report', '--warehouse', w, '--out', join(dir, 'f', 'out')]);
    expectEnvironmentRefusal(r, join(dir, 'f'));
  });

  it('the lock path being a folder', async () => {
    const dir = tmp('lock-dir');
    const w = await emptyWarehouse(dir);
    mkdirSync(`${w}.lock`);
    const r = await cli(['build', '--warehouse', w]);
    expectEnvironmentRefusal(r, `${w}.lock`);
  });

  it('a corrupt warehouse', async () => {
    const dir = tmp('corrupt');
    const w = join(dir, 'w.duckdb');
    writeFileSync(w, 'this is not a DuckDB file\n'.repeat(200));
    const r = await cli(['build', '--warehouse', w]);
    expectEnvironmentRefusal(r, w);
    expect(r.err).toContain('cannot open it as a DuckDB warehouse');
  });

  it('a corrupt manifest (status)', async () => {
    const dir = tmp('manifest');
    mkdirSync(join(dir, '2025'));
    writeFileSync(join(dir, '2025', 'manifest.json'), '{ "run_id": "x", ');
    const r = await cli(['status', '--out', dir]);
    expectEnvironmentRefusal(r, join(dir, '2025', 'manifest.json'));
  });

  it('operating-system errors (a full or read-only disk, no permission) become one line naming the path', () => {
    const e = environmentError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: '/srv/out/2025.staging/x.pdf', syscall: 'write' }));
    expect(e).toBeInstanceOf(EnvironmentError);
    expect(e?.exitCode).toBe(2);
    expect(e?.message).toBe('/srv/out/2025.staging/x.pdf: no space left on the device (ENOSPC in write)');
    expect(environmentError(Object.assign(new Error('x'), { code: 'EROFS', path: '/ro/w.duckdb.lock', syscall: 'open' }))?.message).toBe('/ro/w.duckdb.lock: read-only file system (EROFS in open)');
    expect(environmentError(new Error('IO Error: Could not write file "/d/w.duckdb.wal": No space left on device'))?.message).toContain('No space left on device');
    expect(environmentError(new Error('some bug'))).toBeNull();
  });
});

describe('a mistyped --warehouse creates nothing', () => {
  it.each(['build', 'report'])('%s: exit 2, no database, no lock, no folder', async (command) => {
    const dir = tmp('typo');
    const typo = join(dir, 'sub', 'warehuose.duckdb');
    const r = await cli([command, '--warehouse', typo, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--warehouse ${typo}: no warehouse there`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('what killed runs leave is cleaned up', () => {
  it('removeStrayTemp removes half-written responses of dead processes and keeps live ones', () => {
    const raw = tmp('raw');
    const hash = 'a'.repeat(64);
    writeFileSync(join(raw, `${hash}.raw.999999999.tmp`), 'half');
    writeFileSync(join(raw, `${hash}.raw.${process.pid}.tmp`), 'being written');
    writeFileSync(join(raw, `${hash}.raw`), 'complete');
    expect(removeStrayTemp(raw)).toEqual([`${hash}.raw.999999999.tmp`]);
    expect(readdirSync(raw).sort()).toEqual([`${hash}.raw`, `${hash}.raw.${process.pid}.tmp`]);
  });
});

describe('area-types with values whose square overflows', () => {
  it('±1e308 is refused with a clear error instead of types under a "no types" summary', async () => {
    const dir = tmp('big');
    const file = join(dir, 'big.csv');
    writeFileSync(file, 'unit,index\nA,1e308\nB,-1e308\nC,0\n');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['area-types', '--input', file, '--unit', 'unit', '--index', 'index'], { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
    expect(code).toBe(2);
    expect(out.join('')).toBe('');
    expect(err.join('')).toContain(`${file}: row 1, column "index": value "1e308" is too large in magnitude`);
    // Large but safe values are classified, and the summary agrees with the types.
    writeFileSync(file, 'unit,index\nA,1e149\nB,-1e149\nC,0\n');
    const out2: string[] = [];
    const err2: string[] = [];
    expect(await runAreaTypesCommand(['--input', file, '--unit', 'unit', '--index', 'index'], { stdout: { write: (s: string) => out2.push(s) }, stderr: { write: (s: string) => err2.push(s) } })).toBe(0);
    expect(out2.join('')).toBe('unit,index,area_type\nA,1e+149,2\nB,-1e+149,5\nC,0,3\n');
    expect(err2.join('')).toContain('areas of types 1–5: 0/1/1/0/1');
  });
});

/**
 * A real small disk: a 256 KiB tmpfs, filled, then remounted read-only. Needs root (mount); this machine kind and its
 * CI run as root, elsewhere the cases are skipped (the errno mapping above is still tested).
 */
const disk = (() => {
  const dir = tmp('disk');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
})();
afterAll(() => {
  if (disk) execFileSync('umount', [disk], { stdio: 'ignore' });
});

describe.skipIf(disk === null)('on a full, then read-only disk (tmpfs)', () => {
  const d = disk ?? '';
  it('a full disk: exit 2 naming the file being written, no stack, nothing half-written left (a short write is not success)', async () => {
    const input = join(tmp('full-in'), 'in.csv');
    writeFileSync(input, 'unit,index\n' + Array.from({ length: 4000 }, (_, i) => `R${i},${(i % 97) / 7}`).join('\n') + '\n');
    writeFileSync(join(d, 'filler'), Buffer.alloc(250 * 1024));
    const out = join(d, 'types.csv');
    const r = await cli(['area-types', '--input', input, '--unit', 'unit', '--index', 'index', '--out', out]);
    expectEnvironmentRefusal(r, d);
    expect(r.err).toContain(`${out}: cannot write the output (ENOSPC)`);
    expect(readdirSync(d)).toEqual(['filler']);
  });

  it('a read-only disk: --out refused up front, a warehouse on it refused when opened (exit 2, naming the path)', async () => {
    const w = await emptyWarehouse(tmp('ro-w'));
    execFileSync('rm', ['-f', join(d, 'filler')]);
    // Any file: the run stops at its lock file, before DuckDB opens it.
    writeFileSync(join(d, 'w.duckdb'), 'a warehouse on a disk mounted read-only');
    execFileSync('mount', ['-o', 'remount,ro', d], { stdio: 'ignore' });
    const out = await cli(['report', '--warehouse', w, '--out', join(d, 'out')]);
    expectEnvironmentRefusal(out, join(d, 'out'));
    expect(out.err).toContain('read-only or no permission');
    const build = await cli(['build', '--warehouse', join(d, 'w.duckdb')]);
    expectEnvironmentRefusal(build, join(d, 'w.duckdb'));
    expect(build.err).toContain(`${join(d, 'w.duckdb')}.lock`);
    expect(build.err).toMatch(/read-only file system/i);
  });
});
