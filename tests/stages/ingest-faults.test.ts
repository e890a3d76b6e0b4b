/**
 * Two failures an operator met, over HTTP against the emulator (tiny world):
 * - a data response holding a region code that no area register has (a kommun, län or DeSO code that does not
 *   exist, or a code of no known shape) fails the table's ingest with a SourceError (exit 1) naming the code, the
 *   table and the URL, instead of publishing a phantom area or dropping the rows in silence;
 * - a response that does not parse (a cut-off JSON-stat, a cut-off area key) is never recorded as provenance: no
 *   source_fetch row cites it, and a following `--offline` run rebuilds from the previous good fetches.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../pipelines/config.ts';
import { query, withConnection, type Row } from '../../pipelines/db.ts';
import { exitCodeOf, SourceError } from '../../pipelines/errors.ts';
import { runStages } from '../../pipelines/run.ts';
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { startTinyPipeline, type TinyPipeline } from '../helpers/tiny-pipeline.ts';

const TABLE = 'TAB6571';
let tiny: TinyPipeline;
let config: Config;

const sql = (text: string, params?: Record<string, string>): Promise<Row[]> => withConnection(config.warehouse, (conn) => query(conn, text, params));
const observations = (table: string): Promise<Row[]> => sql('SELECT * FROM observation WHERE table_id = $t ORDER BY ALL', { t: table });
const lastRun = async (): Promise<string> => String((await sql('SELECT run_id FROM run ORDER BY started_at DESC LIMIT 1'))[0]?.run_id);
const fail = async (c: Config, stages: ('areas' | 'ingest')[]): Promise<Error> => {
  const err = await runStages(tiny.ctx(c), 'run', stages, []).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  expect(exitCodeOf(err)).toBe(1);
  return err as Error;
};

beforeAll(async () => {
  // Many runs in a short while: no call limit to wait on.
  tiny = await startTinyPipeline('ingest-faults', tinyWorld(), { limits: { maxCallsPerTimeWindow: 100_000 } });
  // One retry, so a fault that outlasts the retries ends the run quickly.
  // --refresh: each case fetches the table again to meet its fault (an unchanged table is otherwise not fetched).
  config = { ...tiny.config, httpRetries: 1, refresh: true };
  const s = await runStages(tiny.ctx(config), 'run', ['areas', 'ingest'], []);
  expect(s.outcome).toBe('ok');
}, 120_000);
afterEach(() => tiny.emulator.setFaults([]));
afterAll(async () => {
  await tiny.emulator.close();
});

describe('ingest: a region code in no area register fails the table (exit 1)', () => {
  it.each([
    ['7114', 'a kommun code no kommun has'],
    ['71', 'a län code no län has'],
    ['7114A0020', 'a DeSO code in no DeSO key'],
    ['7114A0020_DeSO2025', 'a DeSO 2025 code in no DeSO key'],
    ['FA0101', 'a code of no area level we follow (a labour-market region)'],
  ])('%s (%s): names code, table and URL; the table\'s previous observations stay', async (code) => {
    const before = await observations(TABLE);
    expect(before.length).toBeGreaterThan(0);
    tiny.emulator.setFaults([{ path: new RegExp(`${TABLE}/data`), kind: 'extraRegion', code }]);
    const err = await fail(config, ['ingest']);
    expect(err.message).toContain(`SCB ${TABLE}: 1 region code in no area register`);
    expect(err.message).toContain(`  ${code} (`);
    expect(err.message).toContain(`${tiny.emulator.scbBaseUrl}/tables/${TABLE}/data?`);
    expect(await observations(TABLE)).toEqual(before);
    // The phantom code reached no table of the warehouse.
    const plain = code.split('_')[0] ?? code;
    expect(await sql('SELECT count(*)::INTEGER AS n FROM observation WHERE area_code = $c', { c: plain })).toEqual([{ n: 0 }]);
  });

  it('the check itself passes every code of the tiny world (the baseline run loaded every table)', async () => {
    const rows = await sql("SELECT count(DISTINCT table_id)::INTEGER AS n FROM observation WHERE source = 'SCB'");
    expect(Number(rows[0]?.n)).toBeGreaterThan(5);
  });
});

describe('a response that does not parse is not provenance', () => {
  it('ingest: a cut-off JSON-stat that outlasts the retries fails the table with no source_fetch row; --offline rebuilds from the good fetches', async () => {
    const before = await observations(TABLE);
    const cited = await sql('SELECT DISTINCT fetch_id FROM observation WHERE table_id = $t ORDER BY 1', { t: TABLE });
    tiny.emulator.setFaults([{ path: new RegExp(`${TABLE}/data`), kind: 'malformed', times: config.httpRetries + 1 }]);
    const err = await fail(config, ['ingest']);
    expect(err.message).toContain(`${tiny.emulator.scbBaseUrl}/tables/${TABLE}/data?`);
    const failed = await lastRun();
    expect(await sql('SELECT outcome FROM run WHERE run_id = $r', { r: failed })).toEqual([{ outcome: 'failed' }]);
    expect(await sql('SELECT count(*)::INTEGER AS n FROM source_fetch WHERE run_id = $r', { r: failed })).toEqual([{ n: 0 }]);
    expect(await observations(TABLE)).toEqual(before);

    const offline = { ...config, offline: true, scbBaseUrl: 'http://127.0.0.1:1/api/v2', koladaBaseUrl: 'http://127.0.0.1:1/v3', areaKeysUrl: 'http://127.0.0.1:1/keys' };
    const s = await runStages(tiny.ctx(offline), 'run', ['areas', 'ingest'], ['--offline']);
    expect(s.outcome).toBe('ok');
    expect(await observations(TABLE)).toEqual(before);
    expect(await sql('SELECT DISTINCT fetch_id FROM observation WHERE table_id = $t ORDER BY 1', { t: TABLE })).toEqual(cited);
  }, 60_000);

  it('areas: a cut-off key file fails the stage with no source_fetch row for any key; --offline rebuilds the register from the good keys', async () => {
    const areas = await sql('SELECT * FROM area ORDER BY ALL');
    const keyFetches = await sql("SELECT fetch_id, sha256 FROM source_fetch WHERE url LIKE '%/keys/%' ORDER BY ALL");
    // Not JSON, so not retried: the cut-off CSV arrives as a 200 and fails in the reader.
    tiny.emulator.setFaults([{ path: /deso-crosswalk\.csv/, kind: 'malformed', times: config.httpRetries + 1 }]);
    const err = await fail(config, ['areas']);
    expect(err.message).toContain('deso-crosswalk.csv');
    const failed = await lastRun();
    expect(await sql('SELECT count(*)::INTEGER AS n FROM source_fetch WHERE run_id = $r', { r: failed })).toEqual([{ n: 0 }]);
    expect(await sql("SELECT fetch_id, sha256 FROM source_fetch WHERE url LIKE '%/keys/%' ORDER BY ALL")).toEqual(keyFetches);
    expect(await sql('SELECT * FROM area ORDER BY ALL')).toEqual(areas);

    const offline = { ...config, offline: true, areaKeysUrl: 'http://127.0.0.1:1/keys' };
    const s = await runStages(tiny.ctx(offline), 'run', ['areas'], ['--offline']);
    expect(s.outcome).toBe('ok');
    expect(await sql('SELECT * FROM area ORDER BY ALL')).toEqual(areas);
  }, 60_000);
});
