import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceCatalogue } from '../../pipelines/catalogue.ts';
import { startEmulator, type RunningEmulator } from '../../pipelines/demo/emulator.ts';
import { storedMetadataText } from '../../pipelines/sources/metadata-file.ts';
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { runCli } from '../helpers/run-cli.ts';

/**
 * `segfollow sources --check [--live [--update]] [--json]` as a user runs it. Broken catalogues are checked in a
 * copy of data/ in a temporary folder, used as the working folder (the config root, so its `data/` is read).
 */

const DATA = new URL('../../data/', import.meta.url).pathname;

/** A working folder with a copy of the catalogues and stored metadata; `change` edits the copied sources.json. */
function workdir(change?: (cat: SourceCatalogue) => void, config: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-sources-'));
  mkdirSync(join(dir, 'data'));
  for (const f of ['sources.json', 'indicators.json', 'metadata']) cpSync(join(DATA, f), join(dir, 'data', f), { recursive: true });
  if (change) {
    const file = join(dir, 'data', 'sources.json');
    const cat = JSON.parse(readFileSync(file, 'utf8')) as SourceCatalogue;
    change(cat);
    writeFileSync(file, JSON.stringify(cat, null, 2));
  }
  if (Object.keys(config).length) writeFileSync(join(dir, 'segfollow.config.json'), JSON.stringify(config));
  return dir;
}

const lines = (s: string): string[] => s.trim().split('\n');
const SUMMARY = /^(\d+) errors?, (\d+) warnings?: (\d+) SCB tables checked against /;

describe('sources --check (offline, against data/metadata/scb)', () => {
  it('exits 0 on the shipped catalogue: warnings only, then the summary', async () => {
    const r = await runCli(['sources', '--check']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out.at(-1)).toMatch(SUMMARY);
    expect(out.at(-1)).toMatch(/^0 errors, \d+ warnings?: \d+ SCB tables checked against the stored metadata \(data\/metadata\/scb\), \d+ Kolada KPIs, \d+ indicators$/);
    for (const l of out.slice(0, -1)) expect(l).toMatch(/^WARNING \S+/);
    for (const l of out.slice(0, -1)) expect(l).toMatch(/ \[(data\/metadata\/(scb|kolada)\/\S+\.json|data\/sources\.json|data\/indicators\.json)\]$/);
  });

  it('exits 1 on a broken catalogue, one line per problem with the file it comes from', async () => {
    const dir = workdir((cat) => {
      const t6680 = cat.pxweb.find((t) => t.id === 'TAB6680');
      const t5956 = cat.pxweb.find((t) => t.id === 'TAB5956');
      const t6586 = cat.pxweb.find((t) => t.id === 'TAB6586');
      if (!t6680 || !t5956 || !t6586) throw new Error('catalogue changed');
      t6680.years = [2017, 2024];
      t5956.variables.Kon = { '1+2': 'totalt' };
      // The v1 name beside the v2 table (renaming it would also orphan the indicators that read it).
      cat.pxweb.push({ ...structuredClone(t6586), id: 'IntGr5Socio' });
    });
    const r = await runCli(['sources', '--check'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    const out = lines(r.stdout);
    expect(out).toContain('ERROR TAB6680 Tid: 2017, 2018, 2019 not published (2020–2024) [data/metadata/scb/TAB6680.json]');
    expect(out).toContain(
      'ERROR TAB5956 Kon: not a variable of TAB5956 (SCB answers 400 Non-existent variable); its variables are Region, UtbildningsNiva, ContentsCode, Tid [data/metadata/scb/TAB5956.json]',
    );
    expect(out).toContain('ERROR IntGr5Socio: no SCB metadata for IntGr5Socio: not a PxWebApi 2.0 table id (SCB answers 404 Non-existent table) [data/sources.json]');
    const [, errors] = SUMMARY.exec(out.at(-1) ?? '') ?? [];
    expect(Number(errors)).toBe(out.filter((l) => l.startsWith('ERROR ')).length);
    expect(Number(errors)).toBeGreaterThanOrEqual(3);
  });

  it('--json prints one object with the same problems', async () => {
    const dir = workdir((cat) => {
      const t = cat.pxweb.find((x) => x.id === 'TAB6680');
      if (t) t.years = [2017, 2024];
    });
    const r = await runCli(['sources', '--check', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { mode: string; problems: unknown[]; errors: number; warnings: number; changes: unknown[] };
    expect(doc.mode).toBe('stored');
    expect(doc.problems).toContainEqual({ table: 'TAB6680', variable: 'Tid', severity: 'error', message: '2017, 2018, 2019 not published (2020–2024)', origin: 'data/metadata/scb/TAB6680.json' });
    expect(doc.errors).toBeGreaterThanOrEqual(1);
    expect(doc.changes).toEqual([]);
  });

  it('an unreadable stored copy is an error naming the file (exit 1)', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'data', 'metadata', 'scb', 'TAB6684.json'), '{"version": "2.0", ');
    const r = await runCli(['sources', '--check'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(lines(r.stdout).filter((l) => l.startsWith('ERROR TAB6684'))).toEqual([
      expect.stringMatching(/^ERROR TAB6684: .*data\/metadata\/scb\/TAB6684\.json: cannot read SCB metadata for TAB6684 \(/),
    ]);
  });

  it('flags out of place exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['sources', '--live'], /--live goes with --check/],
      [['sources', '--check', '--update'], /--update needs --live/],
      [['ingest', '--check'], /--check belongs to "segfollow sources --check", not to ingest/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe('');
    }
  });
});

// --live and --update against the emulator, which serves SCB's tables from data/metadata/scb (the stored
// metadata with the tiny world's regions). Written against the emulator of the lead's commit "Emulator serves
// SCB's tables from their metadata"; run with the working copy of that change before it landed.
describe('sources --check --live against the emulator', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    // Every CLI run reads all tables; SCB's 30 calls per 10 s would make the test wait, not check more.
    emu = await startEmulator(tinyWorld(), { limits: { maxCallsPerTimeWindow: 10_000 } });
  });
  afterAll(async () => {
    await emu?.close();
  });
  const live = (args: string[], dir: string): ReturnType<typeof runCli> => runCli(['sources', '--check', '--live', ...args], { cwd: dir, env: { SEGFOLLOW_SCB_URL: emu.scbBaseUrl } });
  const storedFiles = (dir: string): Record<string, string> => {
    const scb = join(dir, 'data', 'metadata', 'scb');
    return Object.fromEntries(readdirSync(scb).map((f) => [f, readFileSync(join(scb, f), 'utf8')]));
  };

  it('checks the catalogue against the live metadata and prints what changed, writing nothing', async () => {
    const dir = workdir((cat) => {
      const t = cat.pxweb.find((x) => x.id === 'TAB6685');
      if (t) t.cellKeyFrom = 2025;
    });
    const before = storedFiles(dir);
    const r = await live([], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out.at(-1)).toMatch(new RegExp(`^0 errors, \\d+ warnings?: \\d+ SCB tables checked against SCB's live metadata \\(${emu.scbBaseUrl.replace(/[.]/g, '\\.')}\\), .*; \\d+ changes since the stored copies$`));
    // The emulator's Sweden is tiny: every table's Region shrinks, nothing else changes.
    expect(out).toContainEqual(expect.stringMatching(/^CHANGED TAB6680 Region: 18870 → \d+ codes$/));
    // A reconstructed copy states no `updated`; SCB's answer (and the emulator's) always does.
    for (const l of out.filter((x) => x.startsWith('CHANGED '))) {
      expect(l).toMatch(/ Region: \d+ → \d+ codes$|: the stored copy is reconstructed; this is the first copy received from SCB$|: updated unknown → \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    // Problems name the URL they were found at.
    expect(out).toContain(`WARNING TAB6685: cellKeyFrom 2025, but SCB's notes on the table say nothing about the cell-key method (controlled random uncertainty) [${emu.scbBaseUrl}/tables/TAB6685/metadata?lang=en]`);
    expect(storedFiles(dir)).toEqual(before);
  });

  it('--update rewrites the stored copies with the live answer, cut like them, and a second run finds no change', async () => {
    const dir = workdir();
    const cat = JSON.parse(readFileSync(join(dir, 'data', 'sources.json'), 'utf8')) as SourceCatalogue;
    const r = await live(['--update'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = lines(r.stdout);
    const updated = out.filter((l) => l.startsWith('UPDATED ')).map((l) => l.slice('UPDATED '.length));
    expect(updated.sort()).toEqual(cat.pxweb.map((t) => `data/metadata/scb/${t.id}.json`).sort());
    for (const t of cat.pxweb) {
      const res = await fetch(`${emu.scbBaseUrl}/tables/${t.id}/metadata?lang=en`);
      const text = readFileSync(join(dir, 'data', 'metadata', 'scb', `${t.id}.json`), 'utf8');
      expect(text, t.id).toBe(storedMetadataText(await res.text(), t.id));
      const region = (JSON.parse(text) as { dimension: { Region?: Record<string, unknown> } }).dimension.Region ?? {};
      const codes = Object.keys((region.category as { index: Record<string, number> }).index);
      // Cut where the emulator's Region has more than 24 codes, with _cut as its last key.
      if ('_cut' in region) {
        expect(Object.keys(region).at(-1)).toBe('_cut');
        expect(codes).toHaveLength(24);
      } else {
        expect(codes.length).toBeLessThanOrEqual(24);
      }
    }
    // SCB's answer replaces a reconstruction.
    for (const l of out.filter((x) => x.startsWith('REMOVED '))) expect(l).toMatch(/^REMOVED data\/metadata\/scb\/(\S+)\.reconstructed\.json \(replaced by SCB's answer\)$/);
    expect(readdirSync(join(dir, 'data', 'metadata', 'scb')).filter((f) => f.endsWith('.reconstructed.json') && cat.pxweb.some((t) => f.startsWith(`${t.id}.`)))).toEqual([]);
    expect(readdirSync(join(dir, 'data', 'metadata', 'scb')).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const again = await live(['--update'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/^(CHANGED|UPDATED|REMOVED) /m);
    expect(lines(again.stdout).at(-1)).toMatch(/; 0 changes since the stored copies, 0 files updated$/);
  });

  it('a table SCB does not know, or that fails, is an error naming the URL (exit 1); the others are still checked', async () => {
    const dir = workdir((cat) => {
      const t = cat.pxweb.find((x) => x.id === 'TAB6586');
      if (t) cat.pxweb.push({ ...structuredClone(t), id: 'IntGr5Socio' });
    });
    emu.setFaults([{ path: /TAB6684\/metadata/, kind: 'status', status: 403 }]);
    try {
      const r = await live(['--json'], dir);
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as { mode: string; problems: { table: string; severity: string; message: string }[]; errors: number };
      expect(doc.mode).toBe('live');
      const errors = doc.problems.filter((p) => p.severity === 'error');
      expect(errors.sort((a, b) => a.table.localeCompare(b.table))).toEqual([
        { table: 'IntGr5Socio', severity: 'error', message: `SCB PxWeb: GET ${emu.scbBaseUrl}/tables/IntGr5Socio/metadata?lang=en (table IntGr5Socio) answered 404 "Non-existent table"` },
        { table: 'TAB6684', severity: 'error', message: `SCB PxWeb: GET ${emu.scbBaseUrl}/tables/TAB6684/metadata?lang=en (table TAB6684) answered 403 "Error"` },
      ]);
      expect(doc.errors).toBe(2);
    } finally {
      emu.setFaults([]);
    }
  });

  it('an unreachable server fails the command with exit 1, naming the URL', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const { port } = srv.address() as { port: number };
    await new Promise((r) => srv.close(r));
    const dir = workdir(undefined, { httpRetries: 0 });
    const url = `http://127.0.0.1:${port}/api/v2`;
    const r = await runCli(['sources', '--check', '--live'], { cwd: dir, env: { SEGFOLLOW_SCB_URL: url } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`cannot reach ${url}/config`);
    expect(existsSync(join(dir, 'data', 'metadata', 'scb', 'TAB6680.json'))).toBe(true);
  });
});
