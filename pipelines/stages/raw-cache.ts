import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, renameSync, existsSync, readFileSync } from 'node:fs';
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
