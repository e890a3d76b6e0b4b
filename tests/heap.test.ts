import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { collectBetweenJobs, collectGarbage } from '../pipelines/heap.ts';

describe('collectGarbage', () => {
  it('collects an unreachable object now, without node being started with --expose-gc', async () => {
    let big: number[] | null = Array.from({ length: 1_000_000 }, (_, i) => i);
    const ref = new WeakRef(big);
    big = null;
    // A WeakRef's target is kept until the end of the job that made or read it: collect in a later one.
    await new Promise((r) => setTimeout(r, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    // Called again it reuses the function it found, and gc stays hidden from the program's global scope.
    collectGarbage();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

describe('collectBetweenJobs', () => {
  it('collects once the heap has grown the given bytes past what the last collection left, and not before', async () => {
    const state = { live: 0 };
    let big: number[] | null = Array.from({ length: 1_000_000 }, (_, i) => i);
    const ref = new WeakRef(big);
    big = null;
    await new Promise((r) => setTimeout(r, 0));
    // Far over 0 bytes of growth: collects, and remembers what is live now.
    expect(collectBetweenJobs(state, 1)).toBe(true);
    expect(ref.deref()).toBeUndefined();
    expect(state.live).toBeGreaterThan(1e6);
    expect(state.live).toBeLessThanOrEqual(getHeapStatistics().used_heap_size);
    // The heap has not grown a gigabyte since: nothing to do.
    const live = state.live;
    expect(collectBetweenJobs(state, 1e9)).toBe(false);
    expect(state.live).toBe(live);
  });
});
