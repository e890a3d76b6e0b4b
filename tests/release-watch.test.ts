/**
 * Unattended yearly runs over HTTP against the emulator (tiny world): `run --when-new` builds and reports only when
 * a source has new data ("inget nytt" otherwise, no data request); stale data stops the line (exit 1 naming
 * indicator, source and years) unless --accept-stale says the delay is known, and the report then says so; the
 * report prints the disclosure threshold the build applied; a build on a demo warehouse uses the demo's options.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../pipelines/config.ts';
import { query, withConnection, type Row } from '../pipelines/db.ts';
import { exitCodeOf, StageError, UsageError } from '../pipelines/errors.ts';
import { runStages, ALL_STAGES } from '../pipelines/run.ts';
import { runSourcesDue } from '../pipelines/sources-due.ts';
import { createLogger } from '../pipelines/log.ts';
import { loadSources } from '../pipelines/catalogue.ts';
import { formatHistory, readHistory } from '../pipelines/status-history.ts';
import { tinyWorld } from './fixtures/tiny-world.ts';
import { startTinyPipeline, type TinyPipeline } from './helpers/tiny-pipeline.ts';
import { readPdfText } from './helpers/pdf-text.ts';

let tiny: TinyPipeline;
let config: Config;
const sql = (text: string): Promise<Row[]> => withConnection(config.warehouse, (conn) => query(conn, text));
const manifest = (c: Config = config): { run_id: string } => JSON.parse(readFileSync(join(c.outDir, String(c.year), 'manifest.json'), 'utf8')) as { run_id: string };
const dataRequests = (from: number): string[] => tiny.emulator.requestLog.slice(from).filter((r) => /\/api\/v2\/tables\/[^/]+\/data/.test(r) || r.includes(' /v3/data/'));
const pdfText = async (c: Config): Promise<string> => (await readPdfText(join(c.outDir, String(c.year), `segfollow-riket-00-${c.year}.pdf`))).pages.join('\n');

beforeAll(async () => {
  tiny = await startTinyPipeline('release-watch', tinyWorld(), { limits: { maxCallsPerTimeWindow: 100_000 } });
  config = { ...tiny.config, whenNew: true };
}, 60_000);
afterAll(async () => {
  await tiny.emulator.close();
});

describe('run --when-new', () => {
  it('a first run has new data: it builds and publishes', async () => {
    const s = await runStages(tiny.ctx(config), 'run', ALL_STAGES, ['--when-new']);
    expect(s.nothingNew).toBeUndefined();
    expect(s.stages.map((x) => x.stage)).toEqual(ALL_STAGES);
    expect(manifest().run_id).toBe(s.run_id);
  }, 300_000);

  it('a second run on unchanged sources makes no data request, builds nothing, keeps the output and says "inget nytt"', async () => {
    const before = manifest().run_id;
    const from = tiny.emulator.requestLog.length;
    const responsesFrom = tiny.emulator.responseLog.length;
    const logFrom = tiny.logs.length;
    const s = await runStages(tiny.ctx(config), 'run', ALL_STAGES, ['--when-new']);
    expect(s.nothingNew).toBe(true);
    expect(s.outDir).toBeNull();
    expect(s.stages.map((x) => x.stage)).toEqual(['areas', 'ingest']);
    expect(dataRequests(from)).toEqual([]);
    expect(manifest().run_id).toBe(before);
    expect(tiny.logs.slice(logFrom).some((l) => (JSON.parse(l) as { msg: string }).msg.startsWith('inget nytt'))).toBe(true);
    const [run] = await sql(`SELECT outcome FROM run WHERE run_id = '${s.run_id}'`);
    expect(run?.outcome).toBe('nothing-new');
    // The run history says what happened: nothing fetched, every table and KPI unchanged.
    const cat = loadSources(config.dataDir);
    const n = cat.pxweb.length + cat.kolada.length;
    const h = await readHistory(config.warehouse, 1);
    // SCB's two area-key files were asked for conditionally and answered 304 Not Modified: nothing downloaded, nothing
    // recorded (the last good fetch stays the one cited).
    const keys = tiny.emulator.responseLog.slice(responsesFrom).filter((r) => r.includes(' /keys/'));
    expect(keys.sort()).toEqual(['304 GET /keys/deso-crosswalk.csv', '304 GET /keys/deso-regso.csv']);
    expect(h.runs[0]).toMatchObject({ run_id: s.run_id, outcome: 'nothing-new', fetches: {}, unchanged: n, keys_unchanged: 2, reports: [] });
    expect(await sql(`SELECT table_id FROM source_fetch WHERE run_id = '${s.run_id}' ORDER BY table_id`)).toEqual([]);
    expect(formatHistory(h)).toContain(`  fetched: nothing; ${n} tables and KPIs unchanged, not fetched; 2 area key files unchanged (304), not downloaded\n`);
  }, 300_000);

  it('a new release of one table is fetched alone, then built and published', async () => {
    tiny.emulator.setUpdated('TAB6571', '2027-03-24T07:00:00Z');
    const from = tiny.emulator.requestLog.length;
    const s = await runStages(tiny.ctx(config), 'run', ALL_STAGES, ['--when-new']);
    expect(s.nothingNew).toBeUndefined();
    expect(new Set(dataRequests(from).map((r) => /\/tables\/([^/]+)\/data/.exec(r)?.[1] ?? r))).toEqual(new Set(['TAB6571']));
    expect(manifest().run_id).toBe(s.run_id);
  }, 300_000);
});

describe('stale data stops the line', () => {
  const year2026 = (): Config => ({ ...config, year: 2026, whenNew: false });

  it('a required indicator older than its lag expects fails the run with exit 1, naming indicator, source and years; nothing is published', async () => {
    const c = year2026();
    const err = await runStages(tiny.ctx(c), 'run', ALL_STAGES, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageError);
    expect(exitCodeOf(err)).toBe(1);
    const msg = (err as Error).message;
    expect(msg).toContain('stale data for report year 2026');
    // Population: lag 0, so the 2026 report expects 2026; SCB's TAB6571 has 2025.
    expect(msg).toContain('population (SCB TAB6571): latest year 2025, expected 2026 (report year minus lag 0)');
    expect(msg).toContain('--accept-stale ');
    expect(existsSync(join(c.outDir, '2026'))).toBe(false);
  }, 300_000);

  it('--accept-stale lets it pass and the report states each accepted delay', async () => {
    const c = year2026();
    const err = (await runStages(tiny.ctx(c), 'run', ['report'], []).catch((e: unknown) => e)) as Error;
    const ids = /--accept-stale (\S+)/.exec(err.message)?.[1]?.split(',') ?? [];
    expect(ids).toContain('population');
    expect(ids).not.toContain('long_term_unemployment_20_64'); // unconfirmed source: never required
    const accepted = { ...c, acceptStale: ids };
    const s = await runStages(tiny.ctx(accepted), 'run', ['report'], ['--accept-stale', ids.join(',')]);
    expect(s.outcome).toBe('ok');
    const text = (await pdfText(accepted)).replace(/\s+/g, ' ');
    expect(text).toContain('Några indikatorer har äldre uppgifter än publiceringsfördröjningen låter vänta');
    expect(text).toMatch(/Folkmängd[^.]*\(SCB TAB6571\): senaste år 2025, väntat 2026; förseningen är känd \(--accept-stale\)/);
  }, 300_000);

  it('a delay recorded in data/known-delays.json does not stop the run and is stated (economic assistance, TAB5750 frozen at 2023)', async () => {
    const text = (await pdfText(config)).replace(/\s+/g, ' ');
    expect(text).toMatch(/Långvarigt ekonomiskt bistånd 20–64 år \(SCB TAB5750, TAB6685\): senaste år 2023, väntat 2024; känd försening, SCB TAB5750/);
  }, 60_000);

  it('--accept-stale with an id that is no indicator is refused (exit 2)', async () => {
    const err = await runStages(tiny.ctx({ ...year2026(), acceptStale: ['populaton'] }), 'run', ['report'], []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('--accept-stale populaton: no such indicator');
  }, 60_000);
});

describe('segfollow sources --due', () => {
  it('lists per indicator and source the warehouse year, the source year now and the expected year', async () => {
    const out: string[] = [];
    const code = await runSourcesDue(config, createLogger({ format: 'json', level: 'error', stream: { write: () => undefined } }), { json: true }, { write: (s: string) => out.push(s) });
    expect(code).toBe(0);
    const rows = (JSON.parse(out.join('')) as { indicators: { indicator: string; source: string; warehouse_year: number | null; source_year: number | null; expected_year: number; status: string }[] }).indicators;
    expect(rows.find((r) => r.indicator === 'population')).toMatchObject({ source: 'SCB TAB6571', warehouse_year: 2025, source_year: 2025, expected_year: 2025, status: 'ok' });
    expect(rows.find((r) => r.indicator === 'low_economic_standard')).toMatchObject({ warehouse_year: 2024, source_year: 2024, expected_year: 2024, status: 'ok' });
    expect(rows.find((r) => r.indicator === 'economic_assistance_20_64')).toMatchObject({ warehouse_year: 2023, source_year: 2023, expected_year: 2024, status: 'known' });
    expect(rows.find((r) => r.indicator === 'long_term_unemployment_20_64')?.status).toBe('optional');
    // Turnout is an election-year indicator: the 2025 report expects the 2022 election.
    expect(rows.find((r) => r.source === 'Kolada N05401')).toMatchObject({ warehouse_year: 2022, expected_year: 2022, status: 'ok' });
  }, 60_000);
});

describe('what the build applied is what the report says', () => {
  it('prints the disclosure threshold the build applied, not the one in force at report time', async () => {
    const built = { ...config, whenNew: false, disclosureThreshold: 60 };
    await runStages(tiny.ctx(built), 'build', ['build'], []);
    await runStages(tiny.ctx({ ...built, disclosureThreshold: 7 }), 'report', ['report'], []);
    const text = (await pdfText(built)).replace(/\s+/g, ' ');
    expect(text).toContain('färre än 60 personer');
    expect(text).not.toContain('färre än 7 personer');
    const m = JSON.parse(readFileSync(join(built.outDir, String(built.year), 'manifest.json'), 'utf8')) as { config: { disclosureThreshold: number }; build: { disclosure_threshold: number } };
    expect(m.config.disclosureThreshold).toBe(60);
    expect(m.build.disclosure_threshold).toBe(60);
  }, 300_000);

  it('build alone on a demo warehouse knows it is a demo: it records demo and keeps the demo run\'s draws', async () => {
    const [demoBuild] = await sql("SELECT bootstrap_draws FROM build_setting WHERE demo ORDER BY built_at LIMIT 1");
    const plain = { ...config, whenNew: false, demo: false, bootstrapDraws: 200, bootstrapDrawsExplicit: false };
    await runStages(tiny.ctx(plain), 'build', ['build'], []);
    const [last] = await sql('SELECT demo, bootstrap_draws FROM build_setting ORDER BY built_at DESC LIMIT 1');
    expect(last).toEqual({ demo: true, bootstrap_draws: demoBuild?.bootstrap_draws });
  }, 300_000);
});
