/**
 * The few typed errors the pipeline throws. The CLI catches them once (cli.ts) and maps them to exit codes,
 * so cron and CI read nothing but the code: 0 done, 1 a stage failed, 2 usage or bad input, 3 locked.
 */
import { DEFAULT_MEMORY_LIMIT } from './memory-limit.ts';

export class SegfollowError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong flags, unknown command, invalid year, unreadable or malformed input file. Exit 2. */
export class UsageError extends SegfollowError {
  override readonly exitCode = 2;
}

/**
 * The machine, not the input or a source: a path that is a file where a folder is needed (or the reverse), a
 * read-only or full disk, no permission, a corrupt warehouse or manifest. Names the path. Exit 2.
 */
export class EnvironmentError extends SegfollowError {
  override readonly exitCode = 2;
}

const ENV_CODES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'a part of the path is a file, expected a folder',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};
const DUCKDB_ENV = /IO Error|No space left on device|Read-only file system|Permission denied|not a valid DuckDB database|Disk full/i;

/**
 * The EnvironmentError an operating-system or DuckDB I/O error stands for (naming the path and what is wrong), or
 * null when it is something else. Used where an error would otherwise reach the user as "unexpected error" with a
 * stack.
 */
export function environmentError(e: unknown, what?: string): EnvironmentError | null {
  if (e instanceof SegfollowError) return null;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && err.code in ENV_CODES) {
    const path = err.path ?? what ?? '(unknown path)';
    const dest = (err as NodeJS.ErrnoException & { dest?: string }).dest;
    return new EnvironmentError(`${path}${dest ? ` → ${dest}` : ''}: ${ENV_CODES[err.code]} (${err.code}${err.syscall ? ` in ${err.syscall}` : ''})`, { cause: e });
  }
  if (err instanceof Error && DUCKDB_ENV.test(err.message)) return new EnvironmentError(`${what ? `${what}: ` : ''}${err.message.split('\n')[0]}`, { cause: e });
  return null;
}

/**
 * DuckDB could not stay within the warehouse's memory_limit (SEGFOLLOW_MEMORY_LIMIT): it spills what it can to
 * <warehouse>.tmp, but some work (a hash table, a sort run) must fit. Names the limit and how to raise it. Exit 2.
 */
export class MemoryLimitError extends EnvironmentError {}

const DUCKDB_OOM = /Out of Memory Error: ?([^\n]*)/;

/**
 * The MemoryLimitError a DuckDB out-of-memory error stands for, or null. `limit` is the memory_limit in force, `what`
 * what was running; the first line of the error (the SQL file and DuckDB's allocation figures) is kept, DuckDB's own
 * advice (SET memory_limit, which a segfollow user does not type) is not.
 */
export function memoryLimitError(e: unknown, limit: string, what: string): MemoryLimitError | null {
  for (let cur: unknown = e; cur instanceof Error; cur = cur.cause) {
    const m = DUCKDB_OOM.exec(cur.message);
    if (!m) continue;
    const head = (e as Error).message.split('\n')[0] ?? m[0];
    return new MemoryLimitError(
      `${what}: DuckDB needed more memory than its memory_limit of ${limit} allows (SEGFOLLOW_MEMORY_LIMIT, or memoryLimit in segfollow.config.json; default ${DEFAULT_MEMORY_LIMIT}): ${head}. ` +
        'Raise the limit, e.g. SEGFOLLOW_MEMORY_LIMIT=1GB; the warehouse keeps its last committed state',
      { cause: e },
    );
  }
  return null;
}

/** A source could not be reached or answered something we cannot use. Names the URL or table. Exit 1. */
export class SourceError extends SegfollowError {
  override readonly exitCode = 1;
}

/** A stage failed: a data-quality check returned rows, SQL failed, a report could not be built. Exit 1. */
export class StageError extends SegfollowError {
  override readonly exitCode = 1;
}

/** Another run holds the lock on the warehouse. Exit 3. */
export class LockError extends SegfollowError {
  override readonly exitCode = 3;
}

/** SIGTERM or SIGINT ended a run: exit 128 + the signal number (143, 130), as a shell reports a killed command. */
export class InterruptedError extends SegfollowError {
  override readonly exitCode: number;
  constructor(message: string, readonly signal: 'SIGTERM' | 'SIGINT') {
    super(message);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

export function exitCodeOf(err: unknown): number {
  return err instanceof SegfollowError ? err.exitCode : 1;
}
