import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStages, ALL_STAGES, type RunSummary } from '../pipelines/run.ts';
import type { History } from '../pipelines/status-history.ts';
import { startTinyPipeline, type TinyPipeline } from './helpers/tiny-pipeline.ts';
import { runCli } from './helpers/run-cli.ts';

const ROOT = new URL('..', import.meta.url).pathname;
let tiny: TinyPipeline;
let summary: RunSummary;

beforeAll(async () => {
  tiny = await startTinyPipeline('history');
  summary = await runStages(tiny.ctx(), 'run', ALL_STAGES, ['--demo']);
}, 120_000);
afterAll(async () => {
  await tiny.emulator.close();
});

describe('segfollow status --history', () => {
  it('shows a tiny run with its arguments, stages, outcome, fetches and reports, as text', async () => {
    const r = await runCli(['status', '--history', '--warehouse', tiny.config.warehouse]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`run ${summary.run_id}: run --demo (report year 2025) — ok`);
    expect(lines[1]).toMatch(/^ {2}started \d{4}-\d\d-\d\dT[\d:.]+Z, finished \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+\.\d\d s\)$/);
    for (const [i, stage] of ALL_STAGES.entries()) expect(lines[2 + i]).toMatch(new RegExp(`^ {2}${stage} +ok +\\d+\\.\\d\\d s$`));
    expect(lines[6]).toMatch(/^ {2}fetched: Kolada \d+, SCB \d+$/);
    // In the order the report stage wrote them.
    expect(lines[7]).toBe('  reports: segfollow-riket-00-2025.pdf, segfollow-riket-00-2025.xlsx, segfollow-riket-00-2025.html, indikatorer.csv, indikatorer.parquet, segregation.csv, segregation.parquet');
  });

  it('gives the same facts as JSON with --json, and opens the warehouse read-only (a run can follow)', async () => {
    const r = await runCli(['status', '--history', '--json', '--warehouse', tiny.config.warehouse]);
    expect(r.code).toBe(0);
    const h = JSON.parse(r.stdout) as History;
    expect(h.warehouse).toBe(tiny.config.warehouse);
    expect(h.runs).toHaveLength(1);
    const run = h.runs[0];
    expect(run).toMatchObject({ run_id: summary.run_id, command: 'run', arguments: ['--demo'], report_year: 2025, outcome: 'ok' });
    expect(run?.stages.map((s) => [s.stage, s.outcome])).toEqual(ALL_STAGES.map((s) => [s, 'ok']));
    for (const s of run?.stages ?? []) expect(s.seconds).toBeGreaterThanOrEqual(0);
    expect(Object.keys(run?.fetches ?? {}).sort()).toEqual(['Kolada', 'SCB']);
    expect(run?.fetches.SCB).toBeGreaterThan(0);
    expect(run?.reports.sort()).toEqual(summary.stages.flatMap((s) => (s.stage === 'report' ? ((s.rows as { files: { name: string }[] }).files.map((f) => f.name)) : [])).sort());
    // A later run (writing) still works, and --limit 1 shows only it, newest first.
    const later = await runStages(tiny.ctx({ ...tiny.config, reports: ['riket'] }), 'report', ['report'], ['--reports', 'riket']);
    const two = JSON.parse((await runCli(['status', '--history', '--json', '--warehouse', tiny.config.warehouse])).stdout) as History;
    expect(two.runs.map((x) => x.run_id)).toEqual([later.run_id, summary.run_id]);
    expect(two.runs[0]?.fetches).toEqual({});
    const one = JSON.parse((await runCli(['status', '--history', '--json', '--limit', '1', '--warehouse', tiny.config.warehouse])).stdout) as History;
    expect(one.runs.map((x) => x.run_id)).toEqual([later.run_id]);
  });

  it('says "no runs yet" and exits 0 when the warehouse does not exist, creating nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-history-'));
    const file = join(dir, 'w.duckdb');
    const r = await runCli(['status', '--history', '--warehouse', file]);
    expect(r).toMatchObject({ code: 0, stdout: `no runs yet (warehouse ${file} does not exist)\n` });
    expect(JSON.parse((await runCli(['status', '--history', '--json', '--warehouse', file])).stdout)).toEqual({ warehouse: file, runs: [] });
    const { existsSync } = await import('node:fs');
    expect(existsSync(file)).toBe(false);
  });

  it('exits 2 on a warehouse path that is clearly wrong, and on a bad --limit or a misplaced flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-history-'));
    const noFolder = await runCli(['status', '--history', '--warehouse', join(dir, 'nope', 'w.duckdb')]);
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toMatch(/the folder .*nope does not exist/);
    mkdirSync(join(dir, 'folder.duckdb'));
    expect((await runCli(['status', '--history', '--warehouse', join(dir, 'folder.duckdb')])).code).toBe(2);
    writeFileSync(join(dir, 'text.duckdb'), 'not a database\n'.repeat(500));
    const notDb = await runCli(['status', '--history', '--warehouse', join(dir, 'text.duckdb')]);
    expect(notDb.code).toBe(2);
    expect(notDb.stderr).toMatch(/cannot open it read-only as a DuckDB warehouse/);
    for (const bad of ['0', '-1', 'x', '2.5']) expect((await runCli(['status', '--history', '--limit', bad, '--warehouse', tiny.config.warehouse])).code, bad).toBe(2);
    expect((await runCli(['status', '--limit', '3'])).code).toBe(2);
    expect((await runCli(['run', '--history'])).code).toBe(2);
  });

  it('exits 3 at once, without waiting, while a run holds the warehouse; a killed run then shows as not finished', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-history-'));
    const warehouse = join(dir, 'w.duckdb');
    // tiny-run answers TAB6680's data slowly, so the run sits inside ingest with the warehouse open.
    const order = (JSON.parse(readFileSync(join(ROOT, 'data', 'sources.json'), 'utf8')) as { pxweb: { id: string }[] }).pxweb.map((t) => t.id);
    const before6680 = order[order.indexOf('TAB6680') - 1];
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/tiny-run.ts', warehouse, join(dir, 'out'), join(dir, 'raw'), '30000'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes(`ingested SCB ${String(before6680)}`)) resolve();
        });
        child.on('exit', () => reject(new Error(`child ended early:\n${err}`)));
      });
      const t0 = performance.now();
      const r = await runCli(['status', '--history', '--warehouse', warehouse]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/is open in a running segfollow/);
      expect(performance.now() - t0).toBeLessThan(15_000);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
    const h = JSON.parse((await runCli(['status', '--history', '--json', '--warehouse', warehouse])).stdout) as History;
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]).toMatchObject({ outcome: 'running', finished_at: null, reports: [] });
    expect(h.runs[0]?.stages.map((s) => [s.stage, s.outcome])).toEqual([['areas', 'ok']]);
    const text = await runCli(['status', '--history', '--warehouse', warehouse]);
    expect(text.stdout).toMatch(/ — running \(or interrupted\)\n {2}started [^\n]*, not finished\n/);
  }, 120_000);
});
