import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PACKAGES = ['@duckdb/node-api', 'arquero', 'pdfmake', 'vega', 'vega-lite', 'fontkit', 'tsx'] as const;
let cached: Record<string, string> | undefined;

/** Versions of segfollow and the packages that shape its numbers and documents, for the run record and manifest. */
export function packageVersions(): Record<string, string> {
  if (cached) return cached;
  const out: Record<string, string> = {};
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  out.segfollow = own.version;
  for (const p of PACKAGES) {
    try {
      const pkg = JSON.parse(readFileSync(require.resolve(`${p}/package.json`), 'utf8')) as { version: string };
      out[p] = pkg.version;
    } catch {
      out[p] = 'unknown';
    }
  }
  out.node = process.version;
  cached = out;
  return out;
}
