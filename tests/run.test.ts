import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startEmulator } from '../pipelines/demo/emulator.ts';
import type { Config } from '../pipelines/config.ts';
import { runStages, ALL_STAGES } from '../pipelines/run.ts';
import { withConnection, query } from '../pipelines/db.ts';
import { LockError, SourceError, UsageError } from '../pipelines/errors.ts';
import type { Context } from '../pipelines/context.ts';
import type { DemoWorld } from '../pipelines/demo/world.ts';
import { readPdfText } from './helpers/pdf-text.ts';
import { startTinyPipeline, type TinyPipeline } from './helpers/tiny-pipeline.ts';

const ROOT = new URL('..', import.meta.url).pathname;
let tiny: TinyPipeline;
let world: DemoWorld;
let config: Config;
const ctxFor = (c: Config): Context => tiny.ctx(c);

const snapshot = (c: Config) =>
  withConnection(c.warehouse, (conn) => query(conn, 'SELECT indicator_id, area_code, area_version, year, value, numerator, denominator, status FROM indicator_value ORDER BY ALL'));
const hashDir = (d: string) =>
  Object.fromEntries(readdirSync(d).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]));

beforeAll(async () => {
  tiny = await startTinyPipeline('run');
  ({ world, config } = tiny);
});
afterAll(async () => {
  await tiny.emulator.close();
});

describe('a run over the emulator (tiny world)', () => {
  it('runs every stage, publishes output/<year>/ with a manifest that traces every input', async () => {
    const s = await runStages(ctxFor(config), 'run', ALL_STAGES, ['--demo']);
    expect(s.outcome).toBe('ok');
    expect(s.stages.map((r) => [r.stage, r.outcome])).toEqual([['areas', 'ok'], ['ingest', 'ok'], ['build', 'ok'], ['report', 'ok']]);
    const out = join(config.outDir, '2025');
    expect(readdirSync(out).sort()).toEqual([
      'indikatorer.csv',
      'indikatorer.parquet',
      'manifest.json',
      'segfollow-riket-00-2025.html',
      'segfollow-riket-00-2025.pdf',
      'segfollow-riket-00-2025.xlsx',
      'segregation.csv',
      'segregation.parquet',
    ]);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      arguments: string[]; packages: Record<string, string>; stages: { stage: string; seconds: number; rows: Record<string, unknown> }[];
      inputs: { table_id: string; sha256: string }[]; outputs: { name: string; sha256: string }[];
    };
    expect(m.arguments).toEqual(['--demo']);
    expect(m.packages['@duckdb/node-api']).toBe('1.5.6-r.1');
    expect(m.stages.find((x) => x.stage === 'ingest')?.rows.observations).toBeGreaterThan(1000);
    // Every input named in the manifest is in the raw cache under its hash.
    expect(m.inputs.length).toBeGreaterThanOrEqual(18);
    for (const i of m.inputs) expect(existsSync(join(config.rawDir, `${i.sha256}.raw`))).toBe(true);
    const pdf = m.outputs.find((o) => o.name.endsWith('.pdf'));
    expect(pdf?.sha256).toBe(createHash('sha256').update(readFileSync(join(out, pdf?.name ?? ''))).digest('hex'));
  });

  it('writes a Swedish PDF whose text parses back: demo mark on every page, sources with fetch times, numbers in Swedish format', async () => {
    const pdf = await readPdfText(join(config.outDir, '2025', 'segfollow-riket-00-2025.pdf'));
    expect(pdf.pages.length).toBeGreaterThanOrEqual(6);
    pdf.pages.forEach((p, i) => expect(p, `page ${i + 1}`).toContain('Demodata – syntetiska uppgifter'));
    const all = pdf.pages.join('\n');
    // All five policy areas: reported crime, published per kommun only (Kolada N07540), is weighted up to riket.
    for (const heading of ['Sammanfattning', 'Boende', 'Utbildning', 'Arbete', 'Demokrati och civilsamhälle', 'Brottslighet', 'Ekonomi', 'Befolkning', 'Källor']) expect(all).toContain(heading);
    expect(all).toContain('Anmälda brott per 1 000 invånare');
    expect(all).toMatch(/\d,\d %/);
    expect(all).not.toMatch(/\d\.\d %/);
    const cat = JSON.parse(readFileSync(join(ROOT, 'data', 'sources.json'), 'utf8')) as { pxweb: { id: string }[]; kolada: { id: string }[] };
    for (const id of [...cat.pxweb, ...cat.kolada].map((t) => t.id)) expect(all, id).toContain(id);
    expect(pdf.info.Title).toMatch(/segregation/);
  });

  it('keeps reports of other areas when a later run renders only one kommun, each file with the run that made it', async () => {
    const out = join(config.outDir, '2025');
    const before = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { run_id: string };
    const riketHash = hashDir(out)['segfollow-riket-00-2025.pdf'];
    const s = await runStages(ctxFor({ ...config, reports: ['kommun'], areas: ['2584'] }), 'report', ['report'], ['--reports', 'kommun', '--areas', '2584']);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { outputs: { name: string; run_id: string }[] };
    expect(Object.fromEntries(m.outputs.map((o) => [o.name, o.run_id]))).toEqual({
      'indikatorer.csv': s.run_id,
      'indikatorer.parquet': s.run_id,
      'segfollow-kommun-2584-2025.html': s.run_id,
      'segfollow-kommun-2584-2025.pdf': s.run_id,
      'segfollow-kommun-2584-2025.xlsx': s.run_id,
      'segfollow-riket-00-2025.html': before.run_id,
      'segfollow-riket-00-2025.pdf': before.run_id,
      'segfollow-riket-00-2025.xlsx': before.run_id,
      'segregation.csv': s.run_id,
      'segregation.parquet': s.run_id,
    });
    expect(hashDir(out)['segfollow-riket-00-2025.pdf']).toBe(riketHash);
    const pdf = await readPdfText(join(out, 'segfollow-kommun-2584-2025.pdf'));
    const text = pdf.pages.join('\n');
    expect(text).toContain('Kiruna');
    for (const heading of ['Boende', 'Arbete', 'Demokrati och civilsamhälle', 'Brottslighet']) expect(text).toContain(heading);
  });

  it('exits 2 on an --areas code that names no kommun, writing nothing', async () => {
    const out = join(config.outDir, '2025');
    const files = hashDir(out);
    const err = await runStages(ctxFor({ ...config, reports: ['kommun'], areas: ['9999'] }), 'report', ['report'], []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('--areas 9999: no kommun with that code in the area register');
    expect(hashDir(out)).toEqual(files);
  });

  it('computes indicators equal to the true counts of the world (foreign background, riket 2017)', async () => {
    let fb = 0;
    let pop = 0;
    for (const c of world.deso.get(2017)?.values() ?? []) {
      fb += c.bg_foreign;
      pop += c.pop;
    }
    const rows = await withConnection(config.warehouse, (conn) =>
      query(conn, "SELECT value, numerator, denominator, status FROM indicator_value WHERE indicator_id = 'foreign_background_share' AND area_code = '00' AND year = 2017"));
    expect(rows).toEqual([{ value: (100 * fb) / pop, numerator: fb, denominator: pop, status: 'ok' }]);
  });

  it('keeps values of tiny DeSO suppressed, as rows, never as 0', async () => {
    // Counts under the threshold: our disclosure rule withholds value and counts. Percent cells: SCB's own '..'.
    const rows = await withConnection(config.warehouse, (conn) =>
      query(conn, "SELECT indicator_id, string_agg(DISTINCT status, ',') AS s, count(value)::INTEGER AS v, count(numerator)::INTEGER AS n FROM indicator_value WHERE area_code = '2584A0010' AND indicator_id IN ('employment_rate_20_64', 'low_economic_standard') GROUP BY 1 ORDER BY 1"));
    expect(rows).toEqual([
      { indicator_id: 'employment_rate_20_64', s: 'suppressed', v: 0, n: 0 },
      { indicator_id: 'low_economic_standard', s: '..', v: 0, n: 0 },
    ]);
    const zero = await withConnection(config.warehouse, (conn) =>
      query(conn, "SELECT count(*)::INTEGER AS n FROM indicator_value WHERE status NOT IN ('ok', 'noise') AND value IS NOT NULL"));
    expect(zero).toEqual([{ n: 0 }]);
  });

  it('gives the same indicator values on a second run', async () => {
    const before = await snapshot(config);
    await runStages(ctxFor(config), 'run', ALL_STAGES, ['--demo']);
    expect(await snapshot(config)).toEqual(before);
  });

  it('rebuilds the same values --offline from the raw cache, with the sources unreachable', async () => {
    const before = await snapshot(config);
    const offline = { ...config, offline: true, scbBaseUrl: 'http://127.0.0.1:1/api/v2', koladaBaseUrl: 'http://127.0.0.1:1/v3', areaKeysUrl: 'http://127.0.0.1:1/keys' };
    await runStages(ctxFor(offline), 'run', ['areas', 'ingest', 'build'], ['--offline']);
    expect(await snapshot(config)).toEqual(before);
  });

  it('fails with a SourceError naming the URL when a source is unreachable, leaving output and values whole', async () => {
    const out = join(config.outDir, '2025');
    const files = hashDir(out);
    const before = await snapshot(config);
    const closed = await startEmulator(world);
    const deadUrl = closed.scbBaseUrl;
    await closed.close();
    const bad = { ...config, scbBaseUrl: deadUrl, httpRetries: 1 };
    const err = await runStages(ctxFor(bad), 'run', ALL_STAGES, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as Error).message).toContain(deadUrl);
    expect(hashDir(out)).toEqual(files);
    expect(await snapshot(config)).toEqual(before);
    const runs = await withConnection(config.warehouse, (conn) => query(conn, 'SELECT outcome FROM run ORDER BY run_id DESC LIMIT 1'));
    expect(runs).toEqual([{ outcome: 'failed' }]);
  });

  it('refuses to start while another live process holds the lock (exit code 3)', async () => {
    writeFileSync(`${config.warehouse}.lock`, String(process.ppid));
    const err = await runStages(ctxFor(config), 'build', ['build'], []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockError);
    expect((err as LockError).exitCode).toBe(3);
    writeFileSync(`${config.warehouse}.lock`, '999999999');
    // A stale lock (its process gone) is taken over.
    await expect(runStages(ctxFor(config), 'build', ['build'], [])).resolves.toMatchObject({ outcome: 'ok' });
  });

  it('leaves the previous output and warehouse whole when a run is killed midway, and a rerun picks up', async () => {
    const out = join(config.outDir, '2025');
    const files = hashDir(out);
    const before = await snapshot(config);
    // tiny-run answers TAB6680's data slowly: killed once the table before it is in, the run is inside TAB6680.
    const order = (JSON.parse(readFileSync(join(ROOT, 'data', 'sources.json'), 'utf8')) as { pxweb: { id: string }[] }).pxweb.map((t) => t.id);
    const before6680 = order[order.indexOf('TAB6680') - 1];
    expect(before6680).toBeDefined();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/tiny-run.ts', config.warehouse, config.outDir, config.rawDir, '30000'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes(`ingested SCB ${String(before6680)}`)) resolve();
      });
      child.on('exit', () => reject(new Error(`child ended before it could be killed:\n${err}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(hashDir(out)).toEqual(files);
    expect(await snapshot(config)).toEqual(before);
    const s = await runStages(ctxFor(config), 'run', ALL_STAGES, ['--demo']);
    expect(s.outcome).toBe('ok');
    expect(await snapshot(config)).toEqual(before);
    expect(readdirSync(config.outDir).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
