/**
 * A child process for the lock race test: waits until <at> (ms since the epoch) so that every contender starts
 * together, tries to take <lockfile>, prints "won" (holding it <hold-ms>) or "lost".
 * Usage: node --import tsx tests/helpers/lock-contender.ts <lockfile> <at> <hold-ms>
 */
import { acquireLock } from '../../pipelines/lock.ts';
import { LockError } from '../../pipelines/errors.ts';

const [file = '', at = '0', hold = '0'] = process.argv.slice(2);
while (Date.now() < Number(at)) {
  // spin: a timer would add its own jitter
}
try {
  const release = acquireLock(file);
  process.stdout.write('won\n');
  await new Promise((r) => setTimeout(r, Number(hold)));
  release();
} catch (e) {
  if (!(e instanceof LockError)) throw e;
  process.stdout.write('lost\n');
}
