/**
 * Reusable work arrays for the index functions, which run thousands of times on small unit sets (every kommun-year
 * of a panel, every bootstrap draw). A typed array of more than a few elements is a separate allocation that the
 * garbage collector tracks; fresh ones per call cost more than the arithmetic. Each caller owns its slot numbers,
 * and the functions using them are synchronous and return only numbers, so a slot is never seen by two callers
 * at once.
 */
const f64: Float64Array[] = [];
const u32: Uint32Array[] = [];

/** Slots: 0–2 two-group.ts, 3–4 multigroup.ts, 5–6 indices-command.ts, 7–8 sorted-pair-sum.ts. */
export function scratchF64(slot: number, n: number): Float64Array {
  let a = f64[slot];
  if (a === undefined || a.length < n) {
    a = new Float64Array(Math.max(n, 64, (a?.length ?? 0) * 2));
    f64[slot] = a;
  }
  return a;
}

/** Slots: 0 and 2–6 sorted-pair-sum.ts, 1 multigroup.ts. */
export function scratchU32(slot: number, n: number): Uint32Array {
  let a = u32[slot];
  if (a === undefined || a.length < n) {
    a = new Uint32Array(Math.max(n, 64, (a?.length ?? 0) * 2));
    u32[slot] = a;
  }
  return a;
}
