/**
 * Fetch only what changed, over HTTP against the emulator (tiny world): the ingest asks each SCB table's `updated`
 * (GET /tables/{id}) and each Kolada KPI's publication (GET /kpi/{ids}) and fetches only sources whose release, or
 * whose request, changed since the warehouse recorded them, or whose responses are gone from data/raw. The areas
 * stage asks for SCB's key files with the ETag / Last-Modified their last fetch recorded and uses the cached copy
 * on 304 Not Modified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../pipelines/config.ts';
import { query, withConnection, type Row } from '../../pipelines/db.ts';
import { runStages } from '../../pipelines/run.ts';
import { loadSources } from '../../pipelines/catalogue.ts';
import { startEmulator } from '../../pipelines/demo/emulator.ts';
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { startTinyPipeline, type TinyPipeline } from '../helpers/tiny-pipeline.ts';

let tiny: TinyPipeline;
let config: Config;
const ROOT = new URL('../..', import.meta.url).pathname;
const cat = loadSources(join(ROOT, 'data'));
const ALL_IDS = [...cat.pxweb.map((t) => t.id), ...cat.kolada.map((k) => k.id)];

const sql = (text: string, params?: Record<string, string>): Promise<Row[]> => withConnection(config.warehouse, (conn) => query(conn, text, params));

/** Data requests (PxWeb POST …/data, Kolada GET /v3/data/…) among the emulator's requests since `from`. */
function dataRequests(from: number): string[] {
  return tiny.emulator.requestLog.slice(from).filter((r) => /\/api\/v2\/tables\/[^/]+\/data/.test(r) || r.includes(' /v3/data/'));
}
/** Responses that sent a body of data since `from` (responseLog index): data API answers and key files sent whole. */
function bodiesSent(from: number): string[] {
  return tiny.emulator.responseLog.slice(from).filter((r) => /^200 (POST|GET) \/api\/v2\/tables\/[^/]+\/data/.test(r) || /^200 GET \/v3\/data\//.test(r) || /^200 GET \/keys\//.test(r));
}
/** The emulator's answers to key-file requests since `from` (responseLog index), sorted. */
const keyResponses = (from: number): string[] => tiny.emulator.responseLog.slice(from).filter((r) => r.includes(' /keys/')).sort();

/** The table or KPI a data request is for. */
const tableOf = (r: string): string => /\/tables\/([^/]+)\/data/.exec(r)?.[1] ?? /\/v3\/data\/kpi\/([^/]+)\//.exec(r)?.[1] ?? '?';

interface Ingested {
  runId: string;
  data: string[];
  all: string[];
  /** Responses with a body of data (data API, key files sent whole). */
  bodies: string[];
  keys: string[];
  rows: Record<string, unknown>;
  areas: Record<string, unknown>;
}

async function ingest(c: Config = config): Promise<Ingested> {
  const from = tiny.emulator.requestLog.length;
  const responsesFrom = tiny.emulator.responseLog.length;
  const s = await runStages(tiny.ctx(c), 'ingest', ['areas', 'ingest'], []);
  expect(s.outcome).toBe('ok');
  const rows = s.stages.find((x) => x.stage === 'ingest')?.rows as Record<string, unknown>;
  const areas = s.stages.find((x) => x.stage === 'areas')?.rows as Record<string, unknown>;
  return { runId: s.run_id, data: dataRequests(from), all: tiny.emulator.requestLog.slice(from), bodies: bodiesSent(responsesFrom), keys: keyResponses(responsesFrom), rows, areas };
}

const KEYS = ['deso-crosswalk.csv', 'deso-regso.csv'];

beforeAll(async () => {
  tiny = await startTinyPipeline('ingest-changes', tinyWorld(), { limits: { maxCallsPerTimeWindow: 100_000 } });
  config = tiny.config;
}, 60_000);
afterAll(async () => {
  await tiny.emulator.close();
});

describe('ingest: fetch only what changed', () => {
  let first: Awaited<ReturnType<typeof ingest>>;

  it('a first run fetches every table and KPI and records each release', async () => {
    first = await ingest();
    const fetchedTables = new Set(first.data.map(tableOf));
    // Every KPI and every table the emulator serves (the tiny world serves them all).
    for (const k of cat.kolada) expect(fetchedTables.has(k.id)).toBe(true);
    expect(first.data.length).toBeGreaterThan(20);
    expect(first.keys).toEqual(KEYS.map((k) => `200 GET /keys/${k}`));
    expect(first.areas).toMatchObject({ fetched: [...KEYS].reverse(), unchanged: [] });
    // Each key's fetch keeps the validators the emulator sent, for the next run's conditional request.
    const validators = await sql("SELECT table_id, etag, last_modified FROM source_fetch WHERE table_id LIKE '%.csv' ORDER BY table_id");
    expect(validators.map((v) => v.table_id)).toEqual(KEYS);
    for (const v of validators) {
      expect(String(v.etag)).toMatch(/^"[0-9a-f]{32}"$/);
      expect(v.last_modified).toBe('Wed, 25 Mar 2026 07:00:00 GMT');
    }
    const rel = await sql("SELECT source, table_id, released, latest_period FROM source_release ORDER BY source, table_id");
    const tab6571 = rel.find((r) => r.table_id === 'TAB6571');
    expect(tab6571?.released).toBe('2026-03-24T07:00:00Z'); // SCB's `updated` as the stored metadata has it
    expect(tab6571?.latest_period).toBe(2025);
    const n07540 = rel.find((r) => r.table_id === 'N07540');
    expect(n07540?.released).toBe('2025 published 2026-03-31'); // data/metadata/kolada/N07540.json
    // Never fetched, so due whatever SCB says: no GET /tables/{id}; each table's release came from its metadata,
    // asked once per table, and a reconstructed copy without `updated` got the date /tables/{id} would give.
    const scbCalls = first.all.filter((r) => r.includes('/api/v2/tables'));
    expect(scbCalls.filter((r) => /^GET \/api\/v2\/tables\/[^/?]+\?/.test(r))).toEqual([]);
    const metadataCalls = scbCalls.filter((r) => r.includes('/metadata'));
    expect(metadataCalls).toHaveLength(new Set(metadataCalls).size);
    expect(new Set(metadataCalls.map((r) => /\/tables\/([^/]+)\//.exec(r)?.[1]))).toEqual(new Set(cat.pxweb.map((t) => t.id)));
    expect(rel.find((r) => r.table_id === 'IntGr11RegSO1')?.released).toBe('2023-02-01T07:00:00Z');
  }, 120_000);

  it('a second run on unchanged sources makes no data request, says so, and records it in the run history', async () => {
    const before = (await sql('SELECT count(*)::INTEGER AS n FROM observation'))[0]?.n;
    const cited = await sql("SELECT fetch_id FROM source_fetch WHERE table_id LIKE '%.csv' ORDER BY fetch_id");
    const logFrom = tiny.logs.length;
    const second = await ingest();
    expect(second.data).toEqual([]);
    // Nothing came with a body: not the statistics, not the area keys (both answered 304 Not Modified).
    expect(second.bodies).toEqual([]);
    expect(second.keys).toEqual(KEYS.map((k) => `304 GET /keys/${k}`));
    expect(second.areas).toMatchObject({ fetched: [], unchanged: [...KEYS].reverse() });
    // No new citation: the last good fetch of each key stays the one recorded, and the run recorded no fetch at all.
    expect(await sql("SELECT fetch_id FROM source_fetch WHERE table_id LIKE '%.csv' ORDER BY fetch_id")).toEqual(cited);
    expect(await sql(`SELECT count(*)::INTEGER AS n FROM source_fetch WHERE run_id = '${second.runId}'`)).toEqual([{ n: 0 }]);
    const keysSaid = tiny.logs.slice(logFrom).map((l) => JSON.parse(l) as { msg: string; id?: string }).find((l) => l.id === 'I110_AREA_KEYS_UNCHANGED');
    expect(keysSaid?.msg).toContain('unchanged since the last fetch (304 Not Modified)');
    expect(keysSaid?.msg).toContain('no key downloaded');
    // The register built from the cached keys is the same.
    expect(second.areas.areas).toBe(first.areas.areas);
    expect(second.areas.crosswalk).toBe(first.areas.crosswalk);
    // Only the small release questions went to the APIs: one GET /tables/{id} per table, one GET /kpi per ten KPIs.
    const api = second.all.filter((r) => r.includes('/api/v2/') || r.includes('/v3/'));
    expect(api.every((r) => /^GET \/api\/v2\/(config|tables\/[^/?]+\?lang=en)$/.test(r) || /^GET \/v3\/kpi\//.test(r))).toBe(true);
    expect(second.rows.fetched).toEqual([]);
    expect([...(second.rows.unchanged as string[])].sort()).toEqual([...ALL_IDS].sort());
    expect(second.rows.fetches).toBe(0);
    const said = tiny.logs.slice(logFrom).map((l) => JSON.parse(l) as { msg: string; id?: string }).find((l) => l.id === 'I109_NOTHING_CHANGED');
    expect(said?.msg).toContain('no data requests made');
    expect((await sql('SELECT count(*)::INTEGER AS n FROM observation'))[0]?.n).toBe(before);
    const history = await sql("SELECT row_counts FROM stage_run WHERE stage = 'ingest' ORDER BY started_at DESC LIMIT 1");
    expect(JSON.parse(String(history[0]?.row_counts))).toMatchObject({ fetches: 0, fetched: [] });
  }, 120_000);

  it('moving one SCB table\'s `updated` forward re-fetches exactly that table', async () => {
    tiny.emulator.setUpdated('TAB6685', '2027-01-20T07:00:00Z');
    const run = await ingest();
    expect(run.data.length).toBeGreaterThan(0);
    expect(new Set(run.data.map(tableOf))).toEqual(new Set(['TAB6685']));
    expect(run.rows.fetched).toEqual(['TAB6685']);
    expect((await sql("SELECT released FROM source_release WHERE table_id = 'TAB6685'"))[0]?.released).toBe('2027-01-20T07:00:00Z');
    // And the run after it fetches nothing again.
    expect((await ingest()).data).toEqual([]);
  }, 120_000);

  it('a Kolada KPI whose publication date passes is re-fetched, alone', async () => {
    const today = new Date().toISOString().slice(0, 10);
    tiny.emulator.setKpiRelease('N07907', { publication_date: today, publ_period: '2025' });
    const run = await ingest();
    expect(new Set(run.data.map(tableOf))).toEqual(new Set(['N07907']));
    // A publication still to come is not a release yet: the KPI's latest period is the one before.
    tiny.emulator.setKpiRelease('N15428', { publication_date: '2999-01-01', publ_period: '2998' });
    const planned = await ingest();
    expect(new Set(planned.data.map(tableOf))).toEqual(new Set(['N15428']));
    expect((await sql("SELECT released, latest_period FROM source_release WHERE table_id = 'N15428'"))[0]).toEqual({ released: '2997; 2998 due 2999-01-01', latest_period: 2997 });
  }, 120_000);

  it('a table whose responses are gone from data/raw is fetched again', async () => {
    const [f] = await sql("SELECT sha256 FROM source_fetch WHERE table_id = 'TAB6253' ORDER BY fetch_id DESC LIMIT 1");
    rmSync(join(config.rawDir, `${String(f?.sha256)}.raw`));
    const run = await ingest();
    expect(new Set(run.data.map(tableOf))).toEqual(new Set(['TAB6253']));
  }, 120_000);

  it('a demo run\'s emulator on another port still answers 304 (the demo is one origin); outside the demo a key at another URL is downloaded whole', async () => {
    const other = await startEmulator(tiny.world, { limits: { maxCallsPerTimeWindow: 100_000 } });
    try {
      const keysOf = async (c: Config, server = other): Promise<string[]> => {
        const from = server.responseLog.length;
        expect((await runStages(tiny.ctx(c), 'ingest', ['areas'], [])).outcome).toBe('ok');
        return server.responseLog.slice(from).filter((r) => r.includes(' /keys/')).sort();
      };
      const [ok304, ok200] = ['304', '200'].map((status) => KEYS.map((k) => `${status} GET /keys/${k}`));
      expect(await keysOf({ ...config, areaKeysUrl: `${other.url}/keys` })).toEqual(ok304);
      // Not the demo (a warehouse of its own that the demo never filled): validators from one URL are not sent to another.
      const own = join(tiny.dir, 'not-demo');
      const real: Config = { ...config, demo: false, warehouse: join(own, 'w.duckdb'), rawDir: join(own, 'raw') };
      expect(await keysOf({ ...real, areaKeysUrl: config.areaKeysUrl }, tiny.emulator)).toEqual(ok200);
      expect(await keysOf({ ...real, areaKeysUrl: `${other.url}/keys` })).toEqual(ok200);
      expect(await keysOf({ ...real, areaKeysUrl: `${other.url}/keys` })).toEqual(ok304);
    } finally {
      await other.close();
    }
  }, 120_000);

  it('a changed key file (new ETag and Last-Modified) is downloaded again, alone, and becomes the one cited', async () => {
    const keyUrl = `${config.areaKeysUrl}/deso-crosswalk.csv`;
    const body = await (await fetch(keyUrl)).text();
    // The same rows in another order: a new file on the server, the same register.
    const [head, ...rows] = body.trimEnd().split('\n');
    tiny.emulator.setKeyFile('deso-crosswalk.csv', [head, ...rows.reverse()].join('\n') + '\n');
    const run = await ingest();
    expect(run.keys).toEqual(['200 GET /keys/deso-crosswalk.csv', '304 GET /keys/deso-regso.csv']);
    expect(run.areas).toMatchObject({ fetched: ['deso-crosswalk.csv'], unchanged: ['deso-regso.csv'] });
    expect(run.data).toEqual([]);
    const [latest] = await sql("SELECT run_id, last_modified FROM source_fetch WHERE table_id = 'deso-crosswalk.csv' ORDER BY fetch_id DESC LIMIT 1");
    expect(latest?.run_id).toBe(run.runId);
    expect(Date.parse(String(latest?.last_modified))).toBeGreaterThan(Date.parse('Wed, 25 Mar 2026 07:00:00 GMT'));
    // And the next run asks with the new validators: 304 again.
    expect((await ingest()).keys).toEqual(KEYS.map((k) => `304 GET /keys/${k}`));
  }, 120_000);

  it('--refresh fetches everything, the area keys too, without conditional headers', async () => {
    const run = await ingest({ ...config, refresh: true });
    expect(new Set(run.data.map(tableOf)).size).toBe(new Set(first.data.map(tableOf)).size);
    expect(run.data.length).toBe(first.data.length);
    expect(run.keys).toEqual(KEYS.map((k) => `200 GET /keys/${k}`));
    expect(run.areas).toMatchObject({ unchanged: [] });
  }, 120_000);
});
