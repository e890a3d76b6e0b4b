import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../../pipelines/config.ts';
import type { Context } from '../../pipelines/context.ts';
import { createLogger } from '../../pipelines/log.ts';
import { runStages } from '../../pipelines/run.ts';
import { query, withConnection, type Row } from '../../pipelines/db.ts';
import { readAreaKeysXlsx } from '../../pipelines/areas/read-area-keys-xlsx.ts';
import { fixtureRows, scbKeyFiles } from '../areas/scb-key-workbooks.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'segfollow-areas-'));
const logs: string[] = [];

/** SCB's files as a newcomer downloads them from SCB's DeSO page: dated names. */
const DATED = {
  regso2018: 'koppling-deso2018-regso2020_2026-03-25.xlsx',
  regso2025: 'koppling-deso2025-regso2025_2026-03-25.xlsx',
  changes: 'deso-historiska-forandringar-2025-09-19.xlsx',
};

let files: Awaited<ReturnType<typeof scbKeyFiles>>;
let server: Server;
let httpBase = '';
/** Bodies the HTTP server serves under /keys/<name>; anything else is 404. */
const served = new Map<string, Buffer>();
/** Last-Modified dates the server sends (and judges If-Modified-Since by), as a server without ETags does. */
const modified = new Map<string, Date>();
/** `STATUS name [If-Modified-Since]` for every key request the server answered. */
const answered: string[] = [];

function configFor(name: string, areaKeysUrl: string, extra: Partial<Config> = {}): Config {
  const base = join(dir, name);
  return {
    ...loadConfig({ warehouse: join(base, 'w.duckdb'), rawDir: join(base, 'raw'), outDir: join(base, 'out') }, { root: ROOT, env: {} }),
    areaKeysUrl,
    httpRetries: 0,
    ...extra,
  };
}

function ctxFor(config: Config): Context {
  return {
    config,
    log: createLogger({ format: 'json', level: 'info', stream: { write: (s: string) => logs.push(s) } }),
    fetch: globalThis.fetch,
    now: () => new Date(),
  };
}

function folder(name: string, content: Record<string, Buffer | string>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [file, body] of Object.entries(content)) writeFileSync(join(d, file), body);
  return pathToFileURL(d).href;
}

async function register(config: Config): Promise<{ areas: Row[]; crosswalk: Row[]; fetches: Row[] }> {
  return withConnection(config.warehouse, async (conn) => ({
    areas: await query(conn, 'SELECT * FROM area ORDER BY ALL'),
    crosswalk: await query(conn, 'SELECT * FROM area_crosswalk ORDER BY ALL'),
    fetches: await query(conn, 'SELECT table_id, url, http_status FROM source_fetch ORDER BY table_id'),
  }));
}

async function failure(config: Config): Promise<string> {
  const err = await runStages(ctxFor(config), 'run', ['areas'], []).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return (err as Error).message;
}

/** The records as the project's CSV layout, to check that both routes build the same register. */
async function asCsv(): Promise<{ regso: string; crosswalk: string }> {
  const keys = await readAreaKeysXlsx(files);
  const q = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return {
    regso: ['deso_code,deso_version,regso_code,regso_version,regso_name,kommun_code', ...keys.regso.map((r) => [r.deso_code, r.deso_version, r.regso_code, r.regso_version, q(r.regso_name), r.kommun_code].join(','))].join('\n') + '\n',
    crosswalk: ['from_code,from_version,to_code,to_version,weight', ...keys.crosswalk.map((r) => [r.from_code, r.from_version, r.to_code, r.to_version, String(r.weight)].join(','))].join('\n') + '\n',
  };
}

beforeAll(async () => {
  files = await scbKeyFiles();
  server = createServer((req, res) => {
    const name = req.url?.startsWith('/keys/') ? decodeURIComponent(req.url.slice('/keys/'.length)) : '';
    const body = served.get(name);
    const ims = req.headers['if-modified-since'];
    if (body === undefined) {
      answered.push(`404 ${name}`);
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const lm = modified.get(name);
    if (lm && ims !== undefined && lm.getTime() <= Date.parse(ims)) {
      answered.push(`304 ${name} ${ims}`);
      res.writeHead(304, { 'Last-Modified': lm.toUTCString() }).end();
      return;
    }
    answered.push(`200 ${name}${ims === undefined ? '' : ` ${ims}`}`);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length), ...(lm ? { 'Last-Modified': lm.toUTCString() } : {}) }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  httpBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
});

afterAll(async () => {
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

describe('areas stage on SCB’s XLSX files', () => {
  let xlsxConfig: Config;
  let built: Awaited<ReturnType<typeof register>>;

  beforeAll(async () => {
    const url = folder('scb-dated', { [DATED.regso2018]: files.regso2018.body, [DATED.regso2025]: files.regso2025.body, [DATED.changes]: files.changes.body, 'LÄSMIG.txt': 'x' });
    xlsxConfig = configFor('xlsx', url);
    const s = await runStages(ctxFor(xlsxConfig), 'run', ['areas'], []);
    expect(s.outcome).toBe('ok');
    built = await register(xlsxConfig);
  }, 60_000);

  it('builds DeSO and RegSO of both versions from a folder of SCB’s dated file names', () => {
    const count = (level: string, version: string) => built.areas.filter((a) => a.level === level && a.version === version).length;
    const k18 = fixtureRows('koppling-deso2018-regso2020.0114-0139.csv').slice(1);
    const k25 = fixtureRows('koppling-deso2025-regso2025.0114-0139.csv').slice(1);
    expect(count('deso', 'DeSO2018')).toBe(k18.length);
    expect(count('deso', 'DeSO2025')).toBe(k25.length);
    expect(count('regso', 'RegSO2020')).toBe(new Set(k18.map((r) => r[4])).size);
    expect(count('regso', 'RegSO2025')).toBe(new Set(k25.map((r) => r[4])).size);
    expect(count('kommun', 'kommun2003')).toBe(290);
    expect(built.areas.find((a) => a.code === '0139R010' && a.version === 'RegSO2025')).toEqual({
      code: '0139R010', level: 'regso', version: 'RegSO2025', name: 'Upplands-Bro södra omland', kommun_code: '0139', lan_code: '01', regso_code: '0139R010',
    });
    expect(built.areas.find((a) => a.code === '0114C1061')).toMatchObject({ level: 'deso', version: 'DeSO2025', kommun_code: '0114', regso_code: '0114R006' });
  });

  it('stores the crosswalk with the stated weights and warns that they are not population shares', () => {
    const from = (code: string) => built.crosswalk.filter((r) => r.from_code === code).map((r) => [r.to_code, r.weight]);
    expect(from('0114C1060')).toEqual([['0114C1061', 0.5], ['0114C1062', 0.5]]);
    expect(from('0114A0010')).toEqual([['0114A0010', 1]]);
    const warn = logs.map((l) => JSON.parse(l) as { level: string; id?: string; msg: string }).find((l) => l.level === 'warn' && l.msg.includes('equal parts'));
    expect(warn?.msg).toMatch(/^DeSO 2018 → 2025 crosswalk from SCB's change log: 7 DeSO 2018 areas divided in equal parts/);
  });

  it('records each file under SCB’s name without the date, with the URL of the file read', () => {
    expect(built.fetches.map((f) => f.table_id)).toEqual(['deso-historiska-forandringar.xlsx', 'koppling-deso2018-regso2020.xlsx', 'koppling-deso2025-regso2025.xlsx']);
    expect(String(built.fetches[0]?.url)).toMatch(/\/deso-historiska-forandringar-2025-09-19\.xlsx$/);
  });

  it('rebuilds the same register --offline from the raw cache', async () => {
    const offline = { ...xlsxConfig, offline: true, areaKeysUrl: 'http://127.0.0.1:1/keys' };
    const s = await runStages(ctxFor(offline), 'run', ['areas'], ['--offline']);
    expect(s.outcome).toBe('ok');
    const again = await register(xlsxConfig);
    expect(again.areas).toEqual(built.areas);
    expect(again.crosswalk).toEqual(built.crosswalk);
  }, 60_000);

  it('reads the same files over HTTP under SCB’s undated names (a 404 for the CSV is not an error)', async () => {
    served.clear();
    served.set('koppling-deso2018-regso2020.xlsx', files.regso2018.body);
    served.set('koppling-deso2025-regso2025.xlsx', files.regso2025.body);
    served.set('deso-historiska-forandringar.xlsx', files.changes.body);
    const config = configFor('http', httpBase);
    expect((await runStages(ctxFor(config), 'run', ['areas'], [])).outcome).toBe('ok');
    const got = await register(config);
    expect(got.areas).toEqual(built.areas);
    expect(got.crosswalk).toEqual(built.crosswalk);
    expect(got.fetches.map((f) => f.url)).toEqual([`${httpBase}/deso-historiska-forandringar.xlsx`, `${httpBase}/koppling-deso2018-regso2020.xlsx`, `${httpBase}/koppling-deso2025-regso2025.xlsx`]);
  }, 60_000);

  it('asks a server that sends only Last-Modified with If-Modified-Since: 304 uses the cached copy, a newer file is downloaded', async () => {
    const march = new Date('2026-03-25T07:00:00Z');
    for (const name of served.keys()) modified.set(name, march);
    const config = configFor('http-last-modified', httpBase);
    const run = async (): Promise<{ answers: string[]; unchanged: unknown }> => {
      const from = answered.length;
      const s = await runStages(ctxFor(config), 'run', ['areas'], []);
      expect(s.outcome).toBe('ok');
      return { answers: answered.slice(from).sort(), unchanged: (s.stages[0]?.rows as { unchanged?: unknown }).unchanged };
    };
    const names = ['deso-historiska-forandringar.xlsx', 'koppling-deso2018-regso2020.xlsx', 'koppling-deso2025-regso2025.xlsx'];
    // First run: no validators yet, so no condition; the CSV probe is a 404 as before.
    expect((await run()).answers).toEqual(['200 deso-historiska-forandringar.xlsx', '200 koppling-deso2018-regso2020.xlsx', '200 koppling-deso2025-regso2025.xlsx', '404 deso-regso.csv']);
    const cited = (await register(config)).fetches;
    const second = await run();
    expect(second.answers).toEqual([...names.map((n) => `304 ${n} ${march.toUTCString()}`), '404 deso-regso.csv']);
    expect(second.unchanged).toEqual(['koppling-deso2018-regso2020.xlsx', 'koppling-deso2025-regso2025.xlsx', 'deso-historiska-forandringar.xlsx']);
    const after = await register(config);
    expect(after.fetches).toEqual(cited);
    expect(after.areas).toEqual(built.areas);
    expect(after.crosswalk).toEqual(built.crosswalk);
    // SCB saves a new change log: only it comes whole.
    modified.set('deso-historiska-forandringar.xlsx', new Date('2026-09-19T07:00:00Z'));
    expect((await run()).answers).toEqual([`200 deso-historiska-forandringar.xlsx ${march.toUTCString()}`, ...names.slice(1).map((n) => `304 ${n} ${march.toUTCString()}`), '404 deso-regso.csv']);
    modified.clear();
  }, 60_000);

  it('reads the committed openpyxl-written workbooks under SCB’s dated names to the same register', async () => {
    const url = pathToFileURL(join(ROOT, 'tests/fixtures/area-keys/openpyxl-written')).href;
    const config = configFor('openpyxl', url);
    expect((await runStages(ctxFor(config), 'run', ['areas'], [])).outcome).toBe('ok');
    const got = await register(config);
    expect(got.areas).toEqual(built.areas);
    expect(got.crosswalk).toEqual(built.crosswalk);
  }, 60_000);

  it('the CSV route still works, builds the same register, and wins when both layouts are present', async () => {
    const csv = await asCsv();
    const config = configFor('csv', folder('both', { 'deso-regso.csv': csv.regso, 'deso-crosswalk.csv': csv.crosswalk, [DATED.regso2018]: files.regso2018.body }));
    expect((await runStages(ctxFor(config), 'run', ['areas'], [])).outcome).toBe('ok');
    const got = await register(config);
    expect(got.areas).toEqual(built.areas);
    expect(got.crosswalk).toEqual(built.crosswalk);
    expect(got.fetches.map((f) => f.table_id)).toEqual(['deso-crosswalk.csv', 'deso-regso.csv']);
  }, 60_000);
});

describe('areas stage: missing or bad key files', () => {
  it('names both layouts when the folder has neither', async () => {
    const msg = await failure(configFor('empty', folder('empty', {})));
    expect(msg).toMatch(/^no area keys at file:.*\/empty: expected deso-regso\.csv and deso-crosswalk\.csv \(the project's CSV layout\) or SCB's koppling-deso2018-regso2020\.xlsx, koppling-deso2025-regso2025\.xlsx and deso-historiska-forandringar\.xlsx/);
  });

  it('names the XLSX files that are missing', async () => {
    const msg = await failure(configFor('partial', folder('partial', { [DATED.regso2025]: files.regso2025.body })));
    expect(msg).toMatch(/SCB's XLSX route needs all three files; missing koppling-deso2018-regso2020\.xlsx, deso-historiska-forandringar\.xlsx/);
  });

  it('names the CSV crosswalk when only deso-regso.csv is there', async () => {
    const msg = await failure(configFor('half-csv', folder('half-csv', { 'deso-regso.csv': (await asCsv()).regso })));
    expect(msg).toMatch(/deso-regso\.csv is there but .*deso-crosswalk\.csv is not/);
  });

  it('passes on the reader’s error, naming SCB’s dated file name, sheet, row and column', async () => {
    const bad = await scbKeyFiles((s) => {
      const row = s.regso2025.rows[3];
      if (row) row[2] = '0114C10';
    });
    const url = folder('bad', { [DATED.regso2018]: bad.regso2018.body, [DATED.regso2025]: bad.regso2025.body, [DATED.changes]: bad.changes.body });
    expect(await failure(configFor('bad', url))).toBe(
      'koppling-deso2025-regso2025_2026-03-25.xlsx, sheet "Blad1", row 8, column C (DeSO_2025): expected a DeSO code like 0114C1010, got "0114C10"',
    );
  });

  it('rejects a kommun the official list does not have', async () => {
    const bad = await scbKeyFiles((s) => {
      for (const sheet of [s.regso2018, s.regso2025]) {
        sheet.rows = sheet.rows.map((r) => r.map((c) => (typeof c === 'string' ? c.replace(/^0139/, '0199') : c)));
      }
      s.changes.rows = s.changes.rows.map((r) => r.map((c) => (typeof c === 'string' ? c.replace(/^0139/, '0199') : c)));
    });
    const url = folder('unknown-kommun', { [DATED.regso2018]: bad.regso2018.body, [DATED.regso2025]: bad.regso2025.body, [DATED.changes]: bad.changes.body });
    expect(await failure(configFor('unknown-kommun', url))).toBe(
      'koppling-deso2018-regso2020_2026-03-25.xlsx, sheet "Blad1", row 28, column A (Kommun): kommun code 0199 is not in the official list (data/areas/kommuner.csv)',
    );
  });
});
