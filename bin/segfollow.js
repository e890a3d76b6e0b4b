#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs through `prepare`): plain JavaScript
// starts several times faster than TypeScript through a loader. When dist/ is missing or older than any source file
// (a checkout being edited), it falls back to the TypeScript sources through tsx in this process, so what runs is
// always what the sources say.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { URL } from 'node:url';

const root = new URL('../', import.meta.url);
const built = new URL('dist/cli.js', root);

function distIsFresh() {
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const src = new URL('pipelines/', root);
  // About 150 files: a millisecond or two, far less than a stale build would cost in confusion.
  for (const name of readdirSync(src, { recursive: true })) {
    if (name.endsWith('.ts') && statSync(new URL(name, src)).mtimeMs > builtAt) return false;
  }
  return true;
}

let main;
if (process.env.SEGFOLLOW_FROM_SOURCE !== '1' && distIsFresh()) {
  ({ main } = await import('../dist/cli.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../pipelines/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
