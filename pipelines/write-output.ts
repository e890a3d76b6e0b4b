import { writeFileSync } from 'node:fs';
import { UsageError } from './errors.ts';
import type { TextSink } from './log.ts';

/** What `indices` and `area-types` print: to stdout, or to `--out FILE` with an error that names the file. */
export function writeOutput(text: string, out: string | null, stdout: TextSink): void {
  if (out === null) {
    stdout.write(text);
    return;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new UsageError(`${out}: cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
