import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Working folder (the config root: `data/`, `segfollow.config.json`); the repository root by default. */
  cwd?: string;
  /** Added to the environment. */
  env?: Record<string, string>;
}

/** `node bin/segfollow.js <args>` as a user runs it: exit code, stdout and stderr. */
export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [`${ROOT}bin/segfollow.js`, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
