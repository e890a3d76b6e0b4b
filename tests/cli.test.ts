import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { execFile, withConnection } from '../pipelines/db.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

const ROOT = new URL('..', import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/segfollow.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('segfollow command line', () => {
  it('exits 2 on a year outside the programme, saying which years are valid', () => {
    const r = cli(['run', '--year', '1999']);
    expect(r.code).toBe(2);
    // The programme runs 2017–2025; its follow-up goes on, so later report years are accepted (config LAST_YEAR).
    expect(r.stderr).toMatch(/--year 1999: valid report years are 2017–2030 \(the reform programme 2017–2025 and its follow-up\)/);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on an unknown command or flag', () => {
    expect(cli(['frobnicate']).code).toBe(2);
    const r = cli(['run', '--colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--colour/);
  });

  it('prints help on stdout for every command', () => {
    for (const c of ['run', 'ingest', 'build', 'report', 'status', 'sources']) {
      const r = cli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(new RegExp(`^segfollow ${c} — `));
    }
    expect(cli(['--help']).stdout).toMatch(/Commands:\n {2}run /);
  });

  it('exits 1 naming the URL when a source cannot be reached, logging JSON when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-cli-'));
    const url = `http://127.0.0.1:${await closedPort()}/keys`;
    const r = cli(['ingest', '--warehouse', join(dir, 'w.duckdb'), '--log-format', 'json'], { SEGFOLLOW_AREA_KEYS_URL: url, SEGFOLLOW_RAW: join(dir, 'raw') });
    expect(r.code).toBe(1);
    const last = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}') as { level: string; msg: string; exit: number };
    expect(last).toMatchObject({ level: 'error', exit: 1 });
    expect(last.msg).toContain(`${url}/deso-regso.csv`);
  });

  it('lists the catalogue with `sources` on stdout, tab-separated: one row per indicator and source, with its levels and years', () => {
    const r = cli(['sources']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows[0]).toEqual(['indicator', 'policy_area', 'unit', 'levels', 'source', 'years', 'title_sv']);
    for (const x of rows) expect(x.length, x.join('|')).toBe(7);
    const of = (id: string): string[][] => rows.filter((x) => x[0] === id).map((x) => x.slice(3, 6));
    // Employment: SCB's BAS register per RegSO and DeSO from 2020, Kolada per kommun, län and riket (RAMS to 2019, then BAS).
    expect(rows.find((x) => x[0] === 'employment_rate_20_64')?.slice(0, 3)).toEqual(['employment_rate_20_64', 'arbete', 'procent']);
    expect(rows.find((x) => x[0] === 'employment_rate_20_64')?.[6]).toBe('Sysselsättningsgrad 20–64 år');
    expect(of('employment_rate_20_64')).toEqual([
      ['regso,deso', 'SCB TAB6680', '2020–2024'],
      ['riket,lan,kommun', 'Kolada N00914', '2016–2019'],
      ['riket,lan,kommun', 'Kolada N02267', '2020–2025'],
    ]);
    // Dwellings: published per RegSO and DeSO (two table vintages), summed from DeSO above, as the values' label says.
    expect(of('rental_share')).toEqual([
      ['regso,deso', 'SCB TAB6258, TAB6638', '2016–2025'],
      ['riket,lan,kommun', 'SCB TAB6258, TAB6638 (summerat från DeSO)', '2016–2025'],
    ]);
    // Election years only, up to the 2026 election: Kolada above RegSO, SCB's integration table per RegSO.
    expect(of('turnout_municipal')).toEqual([
      ['riket,lan,kommun', 'Kolada N05401', '2018, 2022, 2026'],
      ['regso', 'SCB IntGr11RegSO1', '2018, 2022'],
    ]);
    // Kolada publishes crime per kommun only; län and riket weight the kommuner by their inhabitants.
    expect(of('reported_crime_per_1000')).toEqual([
      ['kommun', 'Kolada N07540', '2016–2025'],
      ['riket,lan', 'Kolada N07540 (vägt ur kommunerna med N01951)', '2016–2025'],
    ]);
    expect(of('long_term_unemployment_20_64')).toEqual([['regso', 'SCB IntGr1RegSOBASN, TAB6685', '2024']]);
  });

  it('runs `indices` and `area-types` through the same entry point', () => {
    const ind = cli(['indices', '--input', 'tests/fixtures/reference/data/hm_two_basic.csv', '--unit', 'area_id', '--groups', 'g1,g2', '--format', 'csv']);
    expect(ind.code).toBe(0);
    const d = ind.stdout.split('\n').find((l) => l.startsWith('D,'));
    expect(d?.split(',').slice(0, 3)).toEqual(['D', '', '0.6']);
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-cli-'));
    const file = join(dir, 'idx.csv');
    writeFileSync(file, 'regso,idx\nA,10\nB,20\nC,30\nD,40\nE,100\n');
    const at = cli(['area-types', '--input', file, '--unit', 'regso', '--index', 'idx']);
    expect(at.code).toBe(0);
    const rows = at.stdout.trim().split('\n');
    expect(rows[0]).toBe('unit,index,area_type');
    // mean 40, population SD 31.62…: E (100) ≥ mean+1 SD → type 2; D (40) = mean → type 3; A (10) ≥ mean−SD (8.38) → 4.
    expect(rows.slice(1).map((r) => r.split(',')[2])).toEqual(['4', '4', '4', '3', '2']);
    expect(cli(['area-types', '--input', join(dir, 'missing.csv'), '--unit', 'regso', '--index', 'idx']).code).toBe(2);
  });

  it('refuses to build or report from an empty warehouse (exit 1, saying what to run first); a missing one is exit 2 and not created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-cli-'));
    const args = ['--warehouse', join(dir, 'w.duckdb'), '--out', join(dir, 'out')];
    const missing = cli(['build', ...args]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--warehouse ${join(dir, 'w.duckdb')}: no warehouse there`);
    expect(existsSync(join(dir, 'w.duckdb'))).toBe(false);
    await withConnection(join(dir, 'w.duckdb'), (conn) => execFile(conn, 'staging/schema'));
    const b = cli(['build', ...args]);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/holds no observations: run "segfollow ingest"/);
    const r = cli(['report', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/holds no indicator values up to 2025: run "segfollow build"/);
  });

  describe('a reader that closes the pipe early (segfollow … | head -1) ends the command quietly with status 0', () => {
    /** Runs `node bin/segfollow.js ARGS | READER` in bash; exits with segfollow's own status (PIPESTATUS[0]). */
    function piped(args: string[], reader = 'head -1 >/dev/null') {
      const script = `node bin/segfollow.js "$@" | ${reader}; exit "\${PIPESTATUS[0]}"`;
      const r = spawnSync('bash', ['-c', script, 'segfollow', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      return { code: r.status, stderr: r.stderr };
    }
    // Far more than a pipe buffer (64 KiB), so the writer is still writing when head has gone.
    const big = (name: string, header: string, row: (i: number) => string, n: number): string => {
      const dir = mkdtempSync(join(tmpdir(), 'segfollow-pipe-'));
      const f = join(dir, name);
      writeFileSync(f, [header, ...Array.from({ length: n }, (_, i) => row(i))].join('\n') + '\n');
      return f;
    };

    it('sources', () => {
      expect(piped(['sources'])).toEqual({ code: 0, stderr: '' });
      // Its output is small enough that head may read it all before closing; a reader that closes before the
      // first line arrives (true reads nothing) breaks the pipe every time.
      expect(piped(['sources'], 'true')).toEqual({ code: 0, stderr: '' });
    });

    it('--help, sources --check, sources --due --offline: every command shares the same handler', () => {
      for (const args of [['--help'], ['indices', '--help'], ['sources', '--check'], ['sources', '--due', '--offline']]) {
        expect(piped(args, 'true')).toEqual({ code: 0, stderr: '' });
      }
    });

    it('indices', () => {
      const f = big('counts.csv', 'k,u,x,y', (i) => `k${Math.floor(i / 2)},u${i % 2},${i % 7},${(i * 3) % 11}`, 20_000);
      expect(piped(['indices', '--input', f, '--unit', 'u', '--groups', 'x,y', '--by', 'k'])).toEqual({ code: 0, stderr: '' });
    });

    it('area-types', () => {
      const f = big('index.csv', 'regso,socio', (i) => `R${String(i).padStart(6, '0')},${(i * 37) % 101}`, 20_000);
      const r = piped(['area-types', '--input', f, '--unit', 'regso', '--index', 'socio']);
      expect(r.code).toBe(0);
      // Its per-group summary goes to stderr as in every run, and nothing else: no EPIPE, no stack.
      expect(r.stderr).toMatch(/^segfollow area-types: 20000 rows, 20000 with an index; [^\n]*\n$/);
    });
  });

  it('status exits 2 with a clear message when nothing has run for that year', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-cli-'));
    const r = cli(['status', '--out', dir, '--year', '2019']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no manifest at .*2019\/manifest.json; nothing has run yet/);
  });
});
