/**
 * The few typed errors the pipeline throws. The CLI catches them once (cli.ts) and maps them to exit codes,
 * so cron and CI read nothing but the code: 0 done, 1 a stage failed, 2 usage or bad input, 3 locked.
 */
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
