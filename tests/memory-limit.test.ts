import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../pipelines/config.ts';
import { configureWarehouse, query, withConnection } from '../pipelines/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'segfollow-memory-'));
afterAll(() => {
  configureWarehouse({ memoryLimit: null });
  rmSync(dir, { recursive: true, force: true });
});

describe('memoryLimit (SEGFOLLOW_MEMORY_LIMIT): DuckDB memory_limit of the warehouse', () => {
  it('comes from the environment or the config file, and is null (db.ts DEFAULT_MEMORY_LIMIT) otherwise', () => {
    expect(loadConfig({}, { root: dir, env: {} }).memoryLimit).toBeNull();
    expect(loadConfig({}, { root: dir, env: { SEGFOLLOW_MEMORY_LIMIT: '500MB' } }).memoryLimit).toBe('500MB');
  });

  it('refuses a size without a unit or with a unit DuckDB does not know, naming the variable', () => {
    expect(() => loadConfig({}, { root: dir, env: { SEGFOLLOW_MEMORY_LIMIT: '500' } })).toThrow(/SEGFOLLOW_MEMORY_LIMIT: memoryLimit: expected a size such as 500MB/);
    expect(() => loadConfig({}, { root: dir, env: { SEGFOLLOW_MEMORY_LIMIT: '1 parsec' } })).toThrow(/expected a size/);
  });

  it('every warehouse the process opens gets it', async () => {
    configureWarehouse({ memoryLimit: '300MB' });
    const [row] = await withConnection(join(dir, 'w.duckdb'), (conn) => query(conn, "SELECT current_setting('memory_limit') AS v"));
    // DuckDB reports it in its own units (300MB = 286.1 MiB).
    expect(String(row?.v)).toMatch(/^286\.\d MiB$/);
    // Without one, 500MB (db.ts DEFAULT_MEMORY_LIMIT) rather than DuckDB's 80 % of the machine's memory.
    configureWarehouse({ memoryLimit: null });
    const [dflt] = await withConnection(join(dir, 'w.duckdb'), (conn) => query(conn, "SELECT current_setting('memory_limit') AS v"));
    expect(String(dflt?.v)).toMatch(/^476\.\d MiB$/);
  });
});
