import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { acquireLock, acquireLockWaiting, ownerGone, selfOwner, type Owner } from './lock.ts';
import { LockError } from './errors.ts';

/**
 * The output folder output/<year>/ is replaced whole: a run writes into its own staging folder
 * output/.<year>.staging-<run>.<pid>.<start>@<host> and swaps it in with two renames (year → <year>.old,
 * staging → year). Swaps and their repair happen under output/.publish.lock, so two runs sharing --out (other
 * warehouses, other years) never interleave them, and a staging folder is removed only by its own run or when its
 * owner process is provably gone.
 */

/** The name of a run's staging folder, carrying its owner so that other runs can tell whether it is abandoned. */
export function stagingDir(outDir: string, year: number, runId: string, owner: Owner = selfOwner()): string {
  return join(outDir, `.${year}.staging-${runId}.${owner.pid}.${owner.start ?? '0'}@${owner.host}`);
}

const STAGING = /^\.(\d{4})\.staging-([^.]+)\.(\d+)\.(\d+)@([A-Za-z0-9_-]+)$/;

/** The owner a staging folder's name records; null for names of older versions, whose owner cannot be known. */
export function stagingOwner(name: string): Owner | null {
  const m = STAGING.exec(name);
  if (!m) return null;
  return { pid: Number(m[3]), start: m[4] === '0' ? null : (m[4] ?? null), host: m[5] ?? '' };
}

/** Removes staging folders (any year) whose owner process is gone on this host; returns their names. */
export function removeAbandonedStaging(outDir: string): string[] {
  if (!existsSync(outDir)) return [];
  const removed: string[] = [];
  for (const f of readdirSync(outDir)) {
    const owner = f.includes('.staging-') ? stagingOwner(f) : null;
    if (owner && ownerGone(owner)) {
      rmSync(join(outDir, f), { recursive: true, force: true });
      removed.push(f);
    }
  }
  return removed;
}

export type Repair = 'restored' | 'cleaned' | null;

/**
 * Repairs a swap that died between or after its renames, under the publish lock held by the caller: output/<year>
 * missing but <year>.old present → the old folder goes back ('restored'); both present → the swap had finished
 * and only the old copy was left ('cleaned').
 */
function repairUnlocked(yearDir: string): Repair {
  const old = `${yearDir}.old`;
  if (!existsSync(old)) return null;
  if (!existsSync(yearDir)) {
    renameSync(old, yearDir);
    fsyncDir(dirname(yearDir));
    return 'restored';
  }
  rmSync(old, { recursive: true, force: true });
  return 'cleaned';
}

function publishLockFile(outDir: string): string {
  return join(outDir, '.publish.lock');
}

/**
 * Repair for readers (`status`): takes the publish lock without waiting; if a live run holds it, a swap is under
 * way and nothing is touched.
 */
export function repairInterruptedPublish(outDir: string, year: number): Repair {
  if (!existsSync(outDir)) return null;
  let release: () => void;
  try {
    release = acquireLock(publishLockFile(outDir));
  } catch (e) {
    if (e instanceof LockError) return null;
    throw e;
  }
  try {
    return repairUnlocked(join(outDir, String(year)));
  } finally {
    release();
  }
}

/** Repair at the start of a run: waits for another run's swap to finish, then repairs and removes abandoned staging. */
export async function prepareOutput(outDir: string, year: number): Promise<{ repair: Repair; removed: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const release = await acquireLockWaiting(publishLockFile(outDir), 30_000);
  try {
    return { repair: repairUnlocked(join(outDir, String(year))), removed: removeAbandonedStaging(outDir) };
  } finally {
    release();
  }
}

/**
 * Swaps `staging` in as `yearDir`. If the second rename fails, the previous folder is put back before the error is
 * passed on; if the process dies between the renames, the next run or `status` restores it (repairUnlocked).
 * `rename` is a parameter only so that tests can make the second rename fail.
 */
export async function publish(staging: string, yearDir: string, rename: (from: string, to: string) => void = renameSync): Promise<void> {
  const outDir = dirname(yearDir);
  const release = await acquireLockWaiting(publishLockFile(outDir), 30_000);
  try {
    repairUnlocked(yearDir);
    const old = `${yearDir}.old`;
    const hadYear = existsSync(yearDir);
    if (hadYear) rename(yearDir, old);
    try {
      rename(staging, yearDir);
    } catch (e) {
      if (hadYear && !existsSync(yearDir)) renameSync(old, yearDir);
      throw e;
    }
    fsyncDir(outDir);
    rmSync(old, { recursive: true, force: true });
  } finally {
    release();
  }
}

/** Makes the renames in a folder durable (a no-op where directories cannot be opened for fsync). */
function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported here */
  }
}
