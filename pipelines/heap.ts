/**
 * A full garbage collection on demand, between stages. V8 collects its old generation only when allocation pushes it
 * to, so the garbage one stage leaves (an ingest parses some 3 million cells; a build holds its segregation rows)
 * would otherwise still fill the heap while the next stage's DuckDB and worker threads take their memory: in a demo
 * run the build started with ~250 MB of dead heap (issue 10 goal 5, a demo run under 1 GB).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** Collects garbage now (a few hundred milliseconds at most on a demo heap). */
export function collectGarbage(): void {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') gc = exposed;
    else {
      // V8's gc() without starting node with --expose-gc: exposed to a fresh context only, then hidden again.
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
      setFlagsFromString('--no-expose-gc');
    }
  }
  gc();
}

