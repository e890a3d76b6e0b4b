import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runStages, ALL_STAGES } from '../pipelines/run.ts';
import { withConnection, query } from '../pipelines/db.ts';
import { LockError } from '../pipelines/errors.ts';
import { acquireLock, processStartTime, thisHost } from '../pipelines/lock.ts';
import { publish, stagingDir } from '../pipelines/publish.ts';
import { main } from '../pipelines/cli.ts';
import { startTinyPipeline, type TinyPipeline } from './helpers/tiny-pipeline.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const hashDir = (d: string) =>
  Object.fromEntries(readdirSync(d).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(d, f))).digest('hex')]));
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `segfollow-${p}-`));
/** A pid no process has (above any pid_max). */
const DEAD = { pid: 999_999_999, start: '1', host: thisHost() };

describe('the warehouse lock', () => {
  it('stores pid, process start time and host, and release leaves a lock that is no longer ours alone', () => {
    const file = join(tmp('lock'), 'w.duckdb.lock');
    const release = acquireLock(file);
    const body = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; start: string | null; host: string };
    expect(body).toMatchObject({ pid: process.pid, start: processStartTime(process.pid), host: thisHost() });
    // Held by this process: a second attempt from here is refused too.
    expect(() => acquireLock(file)).toThrow(LockError);
    writeFileSync(file, JSON.stringify({ pid: process.ppid, start: processStartTime(process.ppid), host: thisHost(), token: 'other' }));
    release();
    expect(existsSync(file)).toBe(true);
  });

  it('takes over a lock whose pid is alive but belongs to a process started at another time (pid reuse)', () => {
    const file = join(tmp('lock'), 'w.duckdb.lock');
    const start = processStartTime(process.ppid);
    expect(start).not.toBeNull(); // Linux /proc
    writeFileSync(file, JSON.stringify({ pid: process.ppid, start, host: thisHost(), token: 't' }));
    expect(() => acquireLock(file)).toThrow(LockError);
    writeFileSync(file, JSON.stringify({ pid: process.ppid, start: String(Number(start) + 1), host: thisHost(), token: 't' }));
    const release = acquireLock(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    release();
    expect(existsSync(file)).toBe(false);
  });

  it('lets exactly one of two contenders win a stale lock when the other takes over between its check and its move', () => {
    const file = join(tmp('lock'), 'w.duckdb.lock');
    writeFileSync(file, JSON.stringify({ ...DEAD, token: 'dead' }));
    let releaseB: (() => void) | undefined;
    // A judges the lock stale; before A moves it aside, B takes it over completely.
    const a = () => acquireLock(file, { beforeTakeover: () => { releaseB ??= acquireLock(file); } });
    expect(a).toThrow(LockError);
    expect(releaseB).toBeDefined();
    const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
    expect(holder.pid).toBe(process.pid);
    expect(readdirSync(join(file, '..'))).toEqual(['w.duckdb.lock']);
    releaseB?.();
    expect(existsSync(file)).toBe(false);
  });

  it('lets exactly one of several processes racing for a stale lock win', async () => {
    const dir = tmp('lock-race');
    for (let round = 0; round < 2; round++) {
      const file = join(dir, `w${round}.duckdb.lock`);
      writeFileSync(file, String(DEAD.pid));
      const at = Date.now() + 2500;
      const outs = await Promise.all(
        Array.from({ length: 4 }, () =>
          new Promise<string>((resolve, reject) => {
            const c = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/lock-contender.ts', file, String(at), '1500'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            c.stdout.on('data', (d: Buffer) => (out += d.toString()));
            c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`contender exited ${code}`))));
          }),
        ),
      );
      expect(outs.sort()).toEqual(['lost', 'lost', 'lost', 'won']);
      expect(existsSync(file)).toBe(false);
    }
  });
});

describe('publishing output/<year>', () => {
  it('puts the previous folder back when the final rename fails', async () => {
    const out = tmp('publish');
    const year = join(out, '2025');
    mkdirSync(year);
    writeFileSync(join(year, 'manifest.json'), '{"run_id":"old"}');
    const staging = stagingDir(out, 2025, 'r1');
    mkdirSync(staging);
    writeFileSync(join(staging, 'manifest.json'), '{"run_id":"new"}');
    let calls = 0;
    const failing = (from: string, to: string) => {
      if (++calls === 2) throw Object.assign(new Error('EXDEV: simulated'), { code: 'EXDEV' });
      renameSync(from, to);
    };
    await expect(publish(staging, year, failing)).rejects.toThrow('simulated');
    expect(readFileSync(join(year, 'manifest.json'), 'utf8')).toBe('{"run_id":"old"}');
    expect(existsSync(`${year}.old`)).toBe(false);
    expect(existsSync(join(out, '.publish.lock'))).toBe(false);
    await publish(staging, year);
    expect(readFileSync(join(year, 'manifest.json'), 'utf8')).toBe('{"run_id":"new"}');
    expect(readdirSync(out)).toEqual(['2025']);
  });
});

describe('runs sharing a warehouse or --out, interrupted and killed (tiny world)', () => {
  let tiny: TinyPipeline;
  const snapshot = () =>
    withConnection(tiny.config.warehouse, (conn) => query(conn, 'SELECT indicator_id, area_code, area_version, year, value, status FROM indicator_value ORDER BY ALL'));

  beforeAll(async () => {
    tiny = await startTinyPipeline('safety');
    const s = await runStages(tiny.ctx(), 'run', ALL_STAGES, ['--demo']);
    expect(s.outcome).toBe('ok');
  });
  afterAll(async () => {
    await tiny.emulator.close();
  });

  let interruptedLine = '';

  it('ends a run on SIGTERM mid-ingest: exit 143, one line naming stage and run, no lock, no staging, output and values whole', async () => {
    const { config } = tiny;
    const out = join(config.outDir, '2025');
    const files = hashDir(out);
    const before = await snapshot();
    const order = (JSON.parse(readFileSync(join(ROOT, 'data', 'sources.json'), 'utf8')) as { pxweb: { id: string }[] }).pxweb.map((t) => t.id);
    const before6680 = order[order.indexOf('TAB6680') - 1];
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/tiny-run.ts', config.warehouse, config.outDir, config.rawDir, '30000'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes(`ingested SCB ${String(before6680)}`)) resolve();
      });
      void exited.then(() => reject(new Error(`child ended before the signal:\n${err}`)));
    });
    // The staging folder of the running child exists and is left alone by others.
    expect(readdirSync(config.outDir).filter((f) => f.includes('.staging-'))).toHaveLength(1);
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const lines = err.split('\n').filter((l) => /interrupted/.test(l));
    expect(lines).toHaveLength(1);
    // An aborted request is not retried: the stop goes straight up through the ingest.
    expect(err).not.toMatch(/W101_RETRY[^\n]*run stopping/);
    interruptedLine = lines[0] ?? '';
    expect(interruptedLine).toMatch(/SIGTERM during stage ingest of run \d{8}T\d{6}Z-[0-9a-f]{6}/);
    expect(existsSync(`${config.warehouse}.lock`)).toBe(false);
    expect(readdirSync(config.outDir)).toEqual(['2025']);
    expect(hashDir(out)).toEqual(files);
    expect(await snapshot()).toEqual(before);
  });

  it('restores output/<year> after a death between the publish renames: status shows the previous run; a run started meanwhile elsewhere keeps its staging folder', async () => {
    const { config } = tiny;
    const out = join(config.outDir, '2025');
    const files = hashDir(out);
    const previous = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { run_id: string };
    // The state a run killed between "2025 → 2025.old" and "staging → 2025" leaves, made by hand.
    renameSync(out, `${out}.old`);
    const deadStaging = stagingDir(config.outDir, 2025, '20260101T000000Z-dead00', DEAD);
    mkdirSync(deadStaging);
    writeFileSync(join(deadStaging, 'manifest.json'), '{}');
    // A live run of another warehouse writing 2024 into the same --out (its owner: our parent process).
    const liveStaging = stagingDir(config.outDir, 2024, '20260101T000000Z-live00', { pid: process.ppid, start: processStartTime(process.ppid), host: thisHost() });
    mkdirSync(liveStaging);
    const stdout: string[] = [];
    const code = await main(['status', '--out', config.outDir, '--year', '2025'], { stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: () => true } });
    expect(code).toBe(0);
    expect(stdout.join('')).toContain(`run ${previous.run_id}`);
    expect(hashDir(out)).toEqual(files);
    expect(existsSync(`${out}.old`)).toBe(false);

    // Again, and this time the next run repairs it.
    renameSync(out, `${out}.old`);
    const before = await snapshot();
    const s = await runStages(tiny.ctx(), 'run', ALL_STAGES, ['--demo']);
    expect(s.outcome).toBe('ok');
    expect(await snapshot()).toEqual(before);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ run_id: s.run_id });
    expect(readdirSync(config.outDir).sort()).toEqual([liveStaging.slice(config.outDir.length + 1), '2025'].sort());
    // The run ended by SIGTERM is recorded as interrupted, never left 'running'.
    const runId = /of run (\S+?);/.exec(interruptedLine)?.[1] ?? '';
    const rows = await withConnection(config.warehouse, (conn) => query(conn, "SELECT run_id, outcome FROM run WHERE run_id = $id OR outcome = 'running'", { id: runId }));
    expect(rows).toEqual([{ run_id: runId, outcome: 'interrupted' }]);
  });
});
