#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`, which `npm ci` runs through `prepare`): plain JavaScript
// starts several times faster than TypeScript through a loader. When dist/ is missing or older than any source file
// (a checkout being edited), it falls back to the TypeScript sources through tsx in this process, so what runs is
// always what the sources say.
import module from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, URL } from 'node:url';

// Node 22.1+ keeps V8's compiled code of every module between runs (in the OS temp folder); Node 20 has no such
// cache and skips this.
module.enableCompileCache?.();

const root = new URL('../', import.meta.url);
const built = new URL('dist/cli.js', root);

/**
 * Newest modification time of a .ts file under the folder path `dir` (ending in /). A walk by hand over plain paths:
 * readdirSync's recursive mode, or URLs, cost several times more.
 */
function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) newest = Math.max(newest, newestSource(`${dir}${e.name}/`));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(dir + e.name).mtimeMs);
  }
  return newest;
}

function distIsFresh() {
  if (!existsSync(built)) return false;
  // About 100 files: a millisecond, far less than a stale build would cost in confusion.
  return newestSource(fileURLToPath(new URL('pipelines/', root))) <= statSync(built).mtimeMs;
}

const fromDist = process.env.SEGFOLLOW_FROM_SOURCE !== '1' && distIsFresh();
if (fromDist) {
  const argv = process.argv.slice(2);
  // `segfollow`, `segfollow --help`: the help text alone, without loading the CLI and its commands.
  if (argv.length === 0 || (argv.length === 1 && ['-h', '--help', 'help'].includes(argv[0]))) {
    const { HELP } = await import('../dist/help.js');
    process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));
    process.stdout.write(HELP.main + '\n');
    process.exitCode = argv.length === 0 ? 2 : 0;
  } else {
    const { main } = await import('../dist/cli.js');
    process.exitCode = await main(argv);
  }
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../pipelines/cli.ts');
  process.exitCode = await main(process.argv.slice(2));
}
