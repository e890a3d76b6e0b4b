import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../pipelines/config.ts';
import { configureWarehouse, memoryLimit, query, withConnection } from '../pipelines/db.ts';
import { EnvironmentError, MemoryLimitError, memoryLimitError, StageError } from '../pipelines/errors.ts';
import { HELP } from '../pipelines/help.ts';
import { DEFAULT_MEMORY_LIMIT } from '../pipelines/memory-limit.ts';

const dir = mkdtempSync(join(tmpdir(), 'segfollow-memory-'));
afterAll(() => {
  configureWarehouse({ memoryLimit: null });
  rmSync(dir, { recursive: true, force: true });
});

describe('memoryLimit (SEGFOLLOW_MEMORY_LIMIT): DuckDB memory_limit of the warehouse', () => {
  it('comes from the environment or the config file, and is null (memory-limit.ts DEFAULT_MEMORY_LIMIT) otherwise', () => {
    expect(loadConfig({}, { root: dir, env: {} }).memoryLimit).toBeNull();
    expect(loadConfig({}, { root: dir, env: { SEGFOLLOW_MEMORY_LIMIT: '500MB' } }).memoryLimit).toBe('500MB');
  });

  it('the help text and the out-of-memory message name the default (memory-limit.ts)', () => {
    const naming = Object.entries(HELP).filter(([, text]) => text.includes('SEGFOLLOW_MEMORY_LIMIT'));
    expect(naming.map(([cmd]) => cmd)).toContain('run');
    for (const [cmd, text] of naming) expect(text, cmd).toContain(`default ${DEFAULT_MEMORY_LIMIT};`);
    expect(memoryLimitError(new Error('Out of Memory Error: failed to allocate'), '1MB', 'x')?.message).toContain(`default ${DEFAULT_MEMORY_LIMIT})`);
  });

  it('refuses a size without a unit or with a unit DuckDB does not know, naming the variable', () => {
    expect(() => loadConfig({}, { root: dir, env: { SEGFOLLOW_MEMORY_LIMIT: '500' } })).toThrow(/SEGFOLLOW_MEMORY_LIMIT: memoryLimit: expected a size such as 500MB/);
    expect(() => loadConfig({}, { root: dir, env: { SEGFOLLOW_MEMORY_LIMIT: '1 parsec' } })).toThrow(/expected a size/);
  });

  it('every warehouse the process opens gets it', async () => {
    configureWarehouse({ memoryLimit: '500MB' });
    const [row] = await withConnection(join(dir, 'w.duckdb'), (conn) => query(conn, "SELECT current_setting('memory_limit') AS v"));
    // DuckDB reports it in its own units (500MB = 476.8 MiB).
    expect(String(row?.v)).toMatch(/^476\.\d MiB$/);
    // Without one, 300MB (memory-limit.ts DEFAULT_MEMORY_LIMIT) rather than DuckDB's 80 % of the machine's memory.
    configureWarehouse({ memoryLimit: null });
    expect(DEFAULT_MEMORY_LIMIT).toBe('300MB');
    const [dflt] = await withConnection(join(dir, 'w.duckdb'), (conn) => query(conn, "SELECT current_setting('memory_limit') AS v"));
    expect(String(dflt?.v)).toMatch(/^286\.\d MiB$/);
  });

  it('DuckDB running out of memory under the limit becomes a MemoryLimitError naming the limit and the variable', async () => {
    configureWarehouse({ memoryLimit: '8MB' });
    expect(memoryLimit()).toBe('8MB');
    // A string aggregate cannot spill: 3 million numbers joined need more than 8 MB.
    const raw = await withConnection(join(dir, 'oom.duckdb'), (conn) => query(conn, "SELECT string_agg(i::VARCHAR, ',') AS s FROM range(3000000) t(i)")).catch((e: unknown) => e);
    configureWarehouse({ memoryLimit: null });
    expect((raw as Error).message).toMatch(/^SQL failed: Out of Memory Error: failed to allocate/);
    // As stages wrap it (e.g. segregation's "sql/… failed: …"): the cause chain is searched, the first line kept.
    const wrapped = new StageError(`sql/measures/segregation_change.sql failed: ${(raw as Error).message.replace(/^SQL failed: /, '')}`, { cause: raw });
    const err = memoryLimitError(wrapped, '8MB', 'stage build');
    expect(err).toBeInstanceOf(MemoryLimitError);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toMatch(/^stage build: DuckDB needed more memory than its memory_limit of 8MB allows \(SEGFOLLOW_MEMORY_LIMIT, or memoryLimit in segfollow.config.json; default 300MB\): sql\/measures\/segregation_change.sql failed: Out of Memory Error: failed to allocate/);
    // DuckDB's own advice ("SET memory_limit") is not what a segfollow user types.
    expect(err?.message).not.toContain('SET memory_limit');
    expect(memoryLimitError(raw, '8MB', 'stage ingest')?.message).toMatch(/^stage ingest: .* of 8MB allows .*: SQL failed: Out of Memory Error: failed to allocate/);
    expect(memoryLimitError(new StageError('sql/x.sql failed: Binder Error: no such column'), '8MB', 'stage build')).toBeNull();
  });
});
