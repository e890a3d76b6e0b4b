/**
 * Report threads (pipelines/stages/report-pool.ts): a job that fails on a thread fails the stage with the error it
 * would have thrown in the main thread — the same typed error and exit code, an operating-system error still named
 * by its path — and the thread writes the files the in-process renderer writes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { EnvironmentError, environmentError, exitCodeOf, MemoryLimitError, StageError, UsageError } from '../../pipelines/errors.ts';
import { DEFAULT_THREAD_HEAP_MB, errorOf, startRenderPool, threadHeapMb } from '../../pipelines/stages/report-pool.ts';
import { renderJob } from '../../pipelines/stages/report-worker.ts';
import { reportModelFixture } from '../fixtures/report-model.ts';

const DATA = new URL('../../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const model = reportModelFixture({ scope: { level: 'kommun', code: '0180', name: 'Stockholm' } });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'segfollow-pool-'));
  // A file where the job expects a folder: every write under it fails with ENOTDIR.
  writeFileSync(join(dir, 'not-a-folder'), '');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** How the run and the CLI would report an error: its exit code and message after environmentError's mapping. */
function asReported(e: unknown): { exit: number; name: string; message: string } {
  const err = (environmentError(e, 'writing the reports') ?? e) as Error;
  // The temporary file's name carries a random part (write-output.ts); the rest must match.
  return { exit: exitCodeOf(err), name: err.name, message: err.message.replace(/\.\d+\.[0-9a-f]+\.tmp\b/g, '.<tmp>') };
}

describe('errorOf', () => {
  it('rebuilds the typed error a thread threw, with its exit code', () => {
    const usage = errorOf({ id: 1, ok: false, name: 'UsageError', message: '--areas 9999: no kommun', exitCode: 2 });
    expect(usage).toBeInstanceOf(UsageError);
    expect(exitCodeOf(usage)).toBe(2);
    expect(usage.message).toBe('--areas 9999: no kommun');
    expect(errorOf({ id: 1, ok: false, name: 'EnvironmentError', message: 'x: read-only file system' })).toBeInstanceOf(EnvironmentError);
    // Anything else fails the stage.
    const other = errorOf({ id: 1, ok: false, name: 'TypeError', message: 'x is undefined' });
    expect(other).toBeInstanceOf(StageError);
    expect(exitCodeOf(other)).toBe(1);
  });

  it('keeps an operating-system error mappable: code and path survive the thread boundary', () => {
    const e = errorOf({ id: 1, ok: false, name: 'Error', message: 'ENOSPC: no space left on device, write', errno: { code: 'ENOSPC', path: '/out/a.pdf', syscall: 'write' } });
    expect(asReported(e)).toEqual({ exit: 2, name: 'EnvironmentError', message: '/out/a.pdf: no space left on the device (ENOSPC in write)' });
  });
});

describe('startRenderPool', () => {
  it('fails a job that cannot write its files as the in-process renderer does', async () => {
    const bad = join(dir, 'not-a-folder');
    const job = { model, catalogue: cat.indicators, pdfFile: join(bad, 'a.pdf'), xlsxFile: join(bad, 'a.xlsx'), htmlFile: join(bad, 'a.html') };
    const inProcess = await renderJob({ ...job, id: 0 }).then(
      () => null,
      (e: unknown) => asReported(e),
    );
    expect(inProcess?.exit).toBe(2);
    const pool = startRenderPool(1);
    try {
      const threaded = await pool.render(job).then(
        () => null,
        (e: unknown) => asReported(e),
      );
      expect(threaded).toEqual(inProcess);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('writes on a thread the same PDF and HTML the in-process renderer writes', async () => {
    const files = (tag: string): { pdfFile: string; xlsxFile: string; htmlFile: string } => ({ pdfFile: join(dir, `${tag}.pdf`), xlsxFile: join(dir, `${tag}.xlsx`), htmlFile: join(dir, `${tag}.html`) });
    await renderJob({ id: 0, model, catalogue: cat.indicators, ...files('here') });
    const pool = startRenderPool(1);
    try {
      const r = await pool.render({ model, catalogue: cat.indicators, ...files('thread') });
      expect(r.pages).toBeGreaterThan(3);
    } finally {
      await pool.close();
    }
    for (const ext of ['pdf', 'html']) expect(readFileSync(join(dir, `thread.${ext}`)).equals(readFileSync(join(dir, `here.${ext}`))), ext).toBe(true);
  }, 120_000);
});

describe('the render threads\' heap cap (SEGFOLLOW_REPORT_HEAP_MB)', () => {
  const withEnv = async <T>(value: string | undefined, fn: () => T | Promise<T>): Promise<T> => {
    const before = process.env.SEGFOLLOW_REPORT_HEAP_MB;
    if (value === undefined) delete process.env.SEGFOLLOW_REPORT_HEAP_MB;
    else process.env.SEGFOLLOW_REPORT_HEAP_MB = value;
    try {
      return await fn();
    } finally {
      if (before === undefined) delete process.env.SEGFOLLOW_REPORT_HEAP_MB;
      else process.env.SEGFOLLOW_REPORT_HEAP_MB = before;
    }
  };

  it('is 1 GB unless set, none at 0; a whole number of MB, at least 16; anything else is a usage error', async () => {
    expect(await withEnv(undefined, threadHeapMb)).toBe(DEFAULT_THREAD_HEAP_MB);
    expect(DEFAULT_THREAD_HEAP_MB).toBe(1024);
    expect(await withEnv('', threadHeapMb)).toBe(1024);
    expect(await withEnv('0', threadHeapMb)).toBeUndefined();
    expect(await withEnv('400', threadHeapMb)).toBe(400);
    expect(await withEnv('3', threadHeapMb)).toBe(16);
    await expect(withEnv('400MB', threadHeapMb)).rejects.toThrow(UsageError);
  });

  it('a thread that outgrows it fails the job as a MemoryLimitError (exit 2) naming the setting, not a crash', async () => {
    const err = await withEnv('16', async () => {
      const pool = startRenderPool(1);
      try {
        return await pool.render({ model, catalogue: cat.indicators, pdfFile: join(dir, 'oom.pdf'), xlsxFile: join(dir, 'oom.xlsx'), htmlFile: join(dir, 'oom.html') }).then(
          () => null,
          (e: unknown) => e,
        );
      } finally {
        await pool.close();
      }
    });
    expect(err).toBeInstanceOf(MemoryLimitError);
    expect(exitCodeOf(err)).toBe(2);
    expect((err as Error).message).toContain('16 MB heap (SEGFOLLOW_REPORT_HEAP_MB)');
  }, 60_000);
});
