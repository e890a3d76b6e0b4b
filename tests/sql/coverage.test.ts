import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQL_DIR } from '../../pipelines/db.ts';

function sqlNames(dir = SQL_DIR, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sqlNames(join(dir, e.name), `${prefix}${e.name}/`) : e.name.endsWith('.sql') ? [`${prefix}${e.name.slice(0, -4)}`] : [],
  );
}

describe('every SQL file', () => {
  const tests = readdirSync(new URL('.', import.meta.url)).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts')
    .map((f) => readFileSync(new URL(f, import.meta.url), 'utf8')).join('\n');
  for (const name of sqlNames()) {
    it(`${name}.sql has a header and is executed by a test in tests/sql`, () => {
      const text = readFileSync(join(SQL_DIR, `${name}.sql`), 'utf8');
      expect(text).toMatch(/^-- Purpose: /);
      expect(text).toMatch(/\n-- Inputs: /);
      expect(text).toMatch(/\n-- Output: /);
      expect(tests.includes(`'${name}'`)).toBe(true);
    });
  }
});
