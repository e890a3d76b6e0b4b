import { closeSync, fstatSync, linkSync, openSync, readFileSync, readSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LockError } from './errors.ts';

/** Who holds a lock or owns a staging folder: enough to tell, on this host, whether that process still runs. */
export interface Owner {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22); null where unknown. */
  start: string | null;
  host: string;
}

interface LockBody extends Owner {
  token: string;
  acquired_at: string;
}

/** The host name with anything but letters, digits, _ and - replaced, so that it can stand in a file name. */
export function thisHost(): string {
  return hostname().replace(/[^A-Za-z0-9_-]/g, '_') || 'localhost';
}

/** Field 22 of /proc/<pid>/stat (starttime), read after the last ')' since the command name may hold spaces. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = rest[19];
    return start !== undefined && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

export function selfOwner(): Owner {
  return { pid: process.pid, start: processStartTime(process.pid), host: thisHost() };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when the owner's process surely no longer runs: on this host, and its pid is gone or now belongs to a process
 * started at another time (pid reuse). An owner on another host, or one we cannot check, is taken as alive.
 */
export function ownerGone(o: Owner): boolean {
  if (o.host !== thisHost()) return false;
  if (!Number.isInteger(o.pid) || o.pid <= 0) return true;
  if (!pidAlive(o.pid)) return true;
  if (o.start === null) return false;
  const now = processStartTime(o.pid);
  return now !== null && now !== o.start;
}

/** Tokens of the locks this process holds now: a lock with our own pid and start but another token is a leftover. */
const held = new Set<string>();

function parseLock(text: string): LockBody | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { pid: Number(t), start: null, host: thisHost(), token: '', acquired_at: '' }; // older versions: the pid alone
  try {
    const b = JSON.parse(t) as Partial<LockBody>;
    if (typeof b.pid !== 'number' || typeof b.host !== 'string') return null;
    return { pid: b.pid, start: typeof b.start === 'string' ? b.start : null, host: b.host, token: typeof b.token === 'string' ? b.token : '', acquired_at: String(b.acquired_at ?? '') };
  } catch {
    return null;
  }
}

/** Reads the lock through one descriptor, so that its content and inode belong together; null if it is gone. */
function readLock(file: string): { body: LockBody | null; ino: number } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const ino = fstatSync(fd).ino;
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return { body: parseLock(buf.subarray(0, n).toString('utf8')), ino };
  } finally {
    closeSync(fd);
  }
}

function holderAlive(b: LockBody | null): boolean {
  // An empty or unreadable lock is a writer caught between creating and filling it, or garbage: with link() below a
  // lock is whole from its first moment, so this is garbage left by something else; it is taken as stale.
  if (b === null) return false;
  const self = selfOwner();
  if (b.pid === process.pid && b.host === self.host && (b.start === null || b.start === self.start)) return held.has(b.token);
  return !ownerGone(b);
}

export interface LockHooks {
  /** Called after a lock was judged stale and before it is moved aside (tests use it to interleave contenders). */
  beforeTakeover?: () => void;
}

/**
 * Takes the lock `file` or throws LockError. The lock holds pid, process start time, host and a random token, and
 * comes into being whole: it is written to a private temporary name and hard-linked to `file`, which fails if `file`
 * exists. A lock whose holder is gone (or whose pid now names another process) is stale. Only one contender at a
 * time may remove a stale lock: the one that creates `<file>.breaker` (again by link, so exclusively). Holding it,
 * it reads the lock again and removes it only if it is still the very file judged stale; then every contender races
 * for `file` by link() and exactly one wins. Nobody ever moves or removes a lock that is not the stale one, so two
 * contenders cannot both hold the lock. A breaker left by a process that died in the microseconds it holds one is
 * itself removed once its owner is gone.
 * Returns a release function that removes the lock only while it is still ours.
 */
export function acquireLock(file: string, hooks: LockHooks = {}): () => void {
  const body: LockBody = { ...selfOwner(), token: randomBytes(8).toString('hex'), acquired_at: new Date().toISOString() };
  const tmp = `${file}.${process.pid}.${body.token}.tmp`;
  const breaker = `${file}.breaker`;
  writeFileSync(tmp, JSON.stringify(body) + '\n');
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        linkSync(tmp, file);
        held.add(body.token);
        return () => releaseLock(file, body.token);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = readLock(file);
      if (seen === null) continue;
      if (holderAlive(seen.body)) {
        const b = seen.body;
        const who = b ? `pid ${b.pid}${b.host !== thisHost() ? ` on host ${b.host}` : ''}` : 'another process';
        throw new LockError(`another run (${who}) holds the lock ${file}; wait for it or remove the file if that process is gone`);
      }
      hooks.beforeTakeover?.();
      try {
        linkSync(tmp, breaker);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        // Another contender is removing the stale lock; a breaker whose owner died is cleared, then look again.
        const other = readLock(breaker);
        if (other !== null && !holderAlive(other.body)) {
          try {
            unlinkSync(breaker);
          } catch {
            /* its owner or another contender cleared it */
          }
        }
        spinFor(2);
        continue;
      }
      try {
        const again = readLock(file);
        if (again !== null && again.ino === seen.ino && !holderAlive(again.body)) unlinkSync(file);
      } finally {
        unlinkSync(breaker);
      }
    }
    throw new LockError(`could not take the lock ${file}: it kept changing hands`);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

/** Waits without yielding (the lock is taken synchronously); only while another contender clears a stale lock. */
function spinFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy wait: a few milliseconds at most, and only in a race for a stale lock
  }
}

function releaseLock(file: string, token: string): void {
  held.delete(token);
  try {
    const seen = readLock(file);
    if (seen?.body?.token === token) unlinkSync(file);
  } catch {
    /* already gone */
  }
}

/** Like acquireLock, but waits up to `waitMs` for a live holder to let go (for short critical sections). */
export async function acquireLockWaiting(file: string, waitMs: number): Promise<() => void> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return acquireLock(file);
    } catch (e) {
      if (!(e instanceof LockError) || Date.now() >= until) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
