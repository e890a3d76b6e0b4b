/**
 * The ingest's preflight through the real command line: a catalogue (data/sources.json) that SCB would refuse stops
 * `segfollow ingest` with exit 1 before any data request, naming the table, the variable and code, and the metadata
 * URL it was checked against. Each case copies data/ to a temporary project, breaks one confirmed entry, and runs the
 * CLI there against the emulator (tiny world), which serves SCB's tables from their stored metadata and never reads
 * the catalogue.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PxSource, SourceCatalogue } from '../../pipelines/catalogue.ts';
import { startEmulator, type RunningEmulator } from '../../pipelines/demo/emulator.ts';
import { query, withConnection } from '../../pipelines/db.ts';
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { runCli, type CliResult } from '../helpers/run-cli.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
let emu: RunningEmulator;

beforeAll(async () => {
  // Many runs from one address in a short while: no call limit to wait on.
  emu = await startEmulator(tinyWorld(), { limits: { maxCallsPerTimeWindow: 100_000 } });
});
afterAll(async () => {
  await emu?.close();
});

interface Run extends CliResult {
  dir: string;
  /** The calls this run made to the emulator. */
  calls: string[];
  /** The last log line (JSON). */
  last: { level: string; msg: string; exit?: number };
  /** source_fetch rows other than the area keys. */
  fetches: number;
}

/** Copies data/ to a fresh project folder, lets `mutate` break its catalogue, and runs `segfollow ingest` there. */
async function ingestWith(mutate: (cat: SourceCatalogue) => void): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-mutation-'));
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true, filter: (src) => !/\/data\/raw(\/|$)|\.duckdb(\.wal)?$/.test(src) });
  const file = join(dir, 'data', 'sources.json');
  const cat = JSON.parse(readFileSync(file, 'utf8')) as SourceCatalogue;
  mutate(cat);
  writeFileSync(file, `${JSON.stringify(cat, null, 2)}\n`);
  const from = emu.requestLog.length;
  const r = await runCli(['ingest', '--log-format', 'json'], {
    cwd: dir,
    env: {
      SEGFOLLOW_SCB_URL: emu.scbBaseUrl,
      SEGFOLLOW_KOLADA_URL: emu.koladaBaseUrl,
      SEGFOLLOW_GEO_URL: emu.geoBaseUrl,
      SEGFOLLOW_AREA_KEYS_URL: `${emu.url}/keys`,
      SEGFOLLOW_WAREHOUSE: join(dir, 'w.duckdb'),
      SEGFOLLOW_RAW: join(dir, 'raw'),
      SEGFOLLOW_LOG_LEVEL: 'info',
    },
  });
  const calls = emu.requestLog.slice(from);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('{'));
  const last = JSON.parse(lines.at(-1) ?? '{}') as Run['last'];
  const warehouse = join(dir, 'w.duckdb');
  const fetches = existsSync(warehouse)
    ? Number((await withConnection(warehouse, (c) => query(c, "SELECT count(*)::INTEGER AS n FROM source_fetch WHERE url NOT LIKE '%/keys/%'")))[0]?.n ?? -1)
    : 0;
  return { ...r, dir, calls, last, fetches };
}

const entry = (cat: SourceCatalogue, id: string): PxSource => {
  const t = cat.pxweb.find((x) => x.id === id);
  if (!t) throw new Error(`${id} is not in data/sources.json`);
  expect(t.confirmed, `${id} must be a confirmed entry for this test`).toBe(true);
  return t;
};

/** Exit 1, the preflight's message naming the emulator, the given lines, and not one data request. */
function expectStoppedBeforeData(r: Run, lines: string[]): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.last).toMatchObject({ level: 'error', exit: 1 });
  expect(r.last.msg).toContain(`data/sources.json does not match SCB's tables (checked against ${emu.scbBaseUrl} before any data request):`);
  for (const l of lines) expect(r.last.msg).toContain(l);
  // The preflight read every table's metadata, and nothing else was asked of SCB or Kolada.
  const cat = JSON.parse(readFileSync(join(r.dir, 'data', 'sources.json'), 'utf8')) as SourceCatalogue;
  for (const t of cat.pxweb) expect(r.calls, t.id).toContain(`GET /api/v2/tables/${t.id}/metadata?lang=en`);
  expect(r.calls.filter((c) => /^\w+ \/api\/v2\/tables\/[^/?]+\/data/.test(c))).toEqual([]);
  expect(r.calls.filter((c) => c.includes('/v3/'))).toEqual([]);
  expect(r.fetches).toBe(0);
  // The raw cache holds the area keys only.
  expect(readdirSync(join(r.dir, 'raw')).length).toBeLessThanOrEqual(r.calls.filter((c) => c.startsWith('GET /keys/')).length);
}

describe('segfollow ingest: a catalogue SCB would refuse stops before any data request (exit 1)', () => {
  it('a table id SCB lacks (the v1 name IntGr5Socio for TAB6586): 404 Non-existent table, with the URL', async () => {
    const r = await ingestWith((cat) => {
      entry(cat, 'TAB6586').id = 'IntGr5Socio';
    });
    expectStoppedBeforeData(r, [`ERROR IntGr5Socio: SCB PxWeb: GET ${emu.scbBaseUrl}/tables/IntGr5Socio/metadata?lang=en (table IntGr5Socio) answered 404 "Non-existent table"`]);
  });

  it('a variable the table lacks (Kon in TAB5956)', async () => {
    const r = await ingestWith((cat) => {
      const t = entry(cat, 'TAB5956');
      t.variables = { Kon: { '1+2': 'totalt' }, ...t.variables };
    });
    expectStoppedBeforeData(r, [
      `ERROR TAB5956 Kon: not a variable of TAB5956 (SCB answers 400 Non-existent variable); its variables are Region, UtbildningsNiva, ContentsCode, Tid [${emu.scbBaseUrl}/tables/TAB5956/metadata?lang=en]`,
    ]);
    expect(r.last.msg.match(/ERROR /g)).toHaveLength(1);
  });

  it('a code the variable lacks (UtlBakgrund 9 in TAB6571)', async () => {
    const r = await ingestWith((cat) => {
      const t = entry(cat, 'TAB6571');
      t.variables = { ...t.variables, UtlBakgrund: { ...t.variables.UtlBakgrund, 9: 'okänd' } };
    });
    expectStoppedBeforeData(r, [
      `ERROR TAB6571 UtlBakgrund=9: not a code of UtlBakgrund (SCB answers 400 Non-existent value); its codes are 2, 1, SA [${emu.scbBaseUrl}/tables/TAB6571/metadata?lang=en]`,
    ]);
  });

  it('a mandatory variable left out (Alder in TAB6680)', async () => {
    const r = await ingestWith((cat) => {
      const t = entry(cat, 'TAB6680');
      expect(t.variables.Alder).toBeDefined();
      delete t.variables.Alder;
    });
    expectStoppedBeforeData(r, [
      `ERROR TAB6680 Alder: mandatory (cannot be eliminated) but not selected (SCB answers 400 Missing selection for mandatory variable); its codes are 15-74, 16-64, 16-65, 16-66, 20-64, 20-65, 20-66 [${emu.scbBaseUrl}/tables/TAB6680/metadata?lang=en]`,
    ]);
  });

  it('years SCB does not publish (TAB6680 from 2017; it starts 2020)', async () => {
    const r = await ingestWith((cat) => {
      entry(cat, 'TAB6680').years = [2017, 2024];
    });
    expectStoppedBeforeData(r, [`ERROR TAB6680 Tid: 2017, 2018, 2019 not published (2020–2024) [${emu.scbBaseUrl}/tables/TAB6680/metadata?lang=en]`]);
  });
});

describe('segfollow ingest: an unconfirmed table SCB refuses is skipped', () => {
  it('warns W105 naming the table and SCB\'s answer, fetches everything else, and exits 0', async () => {
    const r = await ingestWith((cat) => {
      const t = cat.pxweb.find((x) => x.id === 'IntGr11RegSO1');
      expect(t?.confirmed).toBe(false);
      if (t) t.id = 'IntGr11RegSO9';
    });
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; id?: string; msg: string });
    const skipped = warnings.filter((w) => w.id === 'W105_UNCONFIRMED_SOURCE' && w.msg.includes('skipped'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.level).toBe('warn');
    expect(skipped[0]?.msg).toContain(`SCB IntGr11RegSO9: unconfirmed source skipped, its values stay missing: ERROR IntGr11RegSO9: SCB PxWeb: GET ${emu.scbBaseUrl}/tables/IntGr11RegSO9/metadata?lang=en (table IntGr11RegSO9) answered 404 "Non-existent table"`);
    // No data request for the skipped table; every other table's data was fetched.
    expect(r.calls.some((c) => c.includes('/tables/IntGr11RegSO9/data'))).toBe(false);
    const cat = JSON.parse(readFileSync(join(r.dir, 'data', 'sources.json'), 'utf8')) as SourceCatalogue;
    for (const t of cat.pxweb.filter((x) => x.id !== 'IntGr11RegSO9')) expect(r.calls.some((c) => c.startsWith(`POST /api/v2/tables/${t.id}/data`)), t.id).toBe(true);
    expect(r.fetches).toBeGreaterThan(cat.pxweb.length);
  });
});
