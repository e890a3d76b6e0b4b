import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../pipelines/heap.ts';

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
