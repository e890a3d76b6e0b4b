/**
 * A full garbage collection on demand, between stages. V8 collects its old generation only when allocation pushes it
 * to, so the garbage one stage leaves (an ingest parses some 3 million cells; a build holds its segregation rows)
 * would otherwise still fill the heap while the next stage's DuckDB and worker threads take their memory: in a demo
 * run the build started with ~250 MB of dead heap (issue 10 goal 5, a demo run under 1 GB).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
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

/**
 * Collects garbage between two jobs of a long-lived thread once the heap has grown `growthBytes` past what the last
 * such collection left (`state.live`); returns whether it collected. A report thread allocates some 60 MB a kommun
 * report that outlives the young generation (the content tree, pages, glyph runs) and is garbage once the files are
 * written. Left to itself, V8 lets the old generation grow to 2–4 times its live size before it collects, and collects
 * in the middle of a report, when that report is live too: each thread's heap reached 500–580 MB over the demo. Here it
 * collects where the live set is smallest, so the thread stays near live + growth for about the collector CPU V8
 * would have spent anyway (a capped heap instead collects near its limit over and over: ~120 s more over the demo).
 */
export function collectBetweenJobs(state: { live: number }, growthBytes: number): boolean {
  if (getHeapStatistics().used_heap_size < state.live + growthBytes) return false;
  collectGarbage();
  state.live = getHeapStatistics().used_heap_size;
  return true;
}
