import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, renameSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SourceError } from '../errors.ts';

export function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Stores a response body under its content hash before anything parses it, so every number can be traced back
 * to the bytes that brought it and `--offline` can rebuild from the cache. Written to a temporary name and
 * renamed, so a killed run never leaves half a file under a valid hash.
 */
export function storeRaw(rawDir: string, body: Buffer): string {
  const hash = sha256(body);
  const file = join(rawDir, `${hash}.raw`);
  if (!existsSync(file)) {
    mkdirSync(rawDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, body);
    renameSync(tmp, file);
  }
  return hash;
}

export function readRaw(rawDir: string, hash: string): Buffer {
  const file = join(rawDir, `${hash}.raw`);
  if (!existsSync(file)) throw new SourceError(`offline: cached response ${hash} is missing from ${rawDir}; run once online first`);
  const body = readFileSync(file);
  if (sha256(body) !== hash) throw new SourceError(`offline: cached response ${file} is corrupt (hash mismatch)`);
  return body;
}

/**
 * Removes `<hash>.raw.<pid>.tmp` files that a killed run left in data/raw (storeRaw writes to one, then renames
 * it). Only files of processes that are gone: a raw folder can be shared by runs on other warehouses, whose temp
 * files are still being written. Returns the names removed.
 */
export function removeStrayTemp(rawDir: string): string[] {
  if (!existsSync(rawDir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(rawDir)) {
    const m = /^[0-9a-f]{64}\.raw\.(\d+)\.tmp$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || alive(pid)) continue;
    rmSync(join(rawDir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but is another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
