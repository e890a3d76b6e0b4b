/**
 * The repository stands alone: a fresh clone has nothing beside it, so no code, test or bench may read the
 * project's shared folder outside the repository (the data the tests need are copied into tests/fixtures, each
 * folder with a README naming where its files come from). And the real pipeline does not depend on the demo:
 * only the CLI, which starts the demo for `--demo`, imports from pipelines/demo/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Repository-relative paths (with `/`) of every file under `dir`, node_modules left out. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(ROOT, p).split(sep).join('/'));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

/** Module specifiers of import/export-from statements, side-effect imports and dynamic import() calls. */
function importedSpecifiers(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...source.matchAll(re)].map((m) => m[1] as string));
}

const DEMO_PATH = /(?:^|\/)demo\//;
/** The folder beside the repository, matched as a path segment; written as a pattern so this file names no path. */
const SHARED_PATH = new RegExp(`\\.\\./${'shared'}\\b|/${'shared'}/`);

describe('the repository stands alone', () => {
  it('no file under pipelines/, tests/, bench/ or bin/ refers to the shared folder beside the repository', () => {
    const files = ['pipelines', 'tests', 'bench', 'bin'].flatMap(filesUnder);
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.filter((f) => {
      const text = readFileSync(join(ROOT, f), 'latin1');
      return SHARED_PATH.test(text);
    });
    expect(offenders).toEqual([]);
  });

  it('the import scan sees static, multi-line, type-only, re-export, side-effect and dynamic imports', () => {
    const src = [
      "import { a } from '../demo/a.ts';",
      'import {\n  b,\n  type C,\n} from "./demo/b.ts";',
      "import type { D } from '../demo/d.ts';",
      "export { e } from './demo/e.ts';",
      "export * from '../demo/f.ts';",
      "import '../demo/g.ts';",
      "const { h } = await import('./demo/h.ts');",
      "import { x } from './demographics.ts';",
      "const s = 'not an import from ./demo/z.ts';",
    ].join('\n');
    expect(importedSpecifiers(src).filter((s) => DEMO_PATH.test(s)).sort()).toEqual([
      '../demo/a.ts',
      '../demo/d.ts',
      '../demo/f.ts',
      '../demo/g.ts',
      './demo/b.ts',
      './demo/e.ts',
      './demo/h.ts',
    ]);
  });

  it('only pipelines/cli.ts, outside pipelines/demo/, imports from a demo/ path', () => {
    const files = filesUnder('pipelines').filter((f) => /\.[cm]?[jt]s$/.test(f) && !f.startsWith('pipelines/demo/'));
    expect(files).toContain('pipelines/cli.ts');
    const importers = files.filter((f) => importedSpecifiers(readFileSync(join(ROOT, f), 'utf8')).some((s) => DEMO_PATH.test(s)));
    expect(importers.filter((f) => f !== 'pipelines/cli.ts')).toEqual([]);
  });
});
