/**
 * The reader's PNG predictors (pdf-objects.ts, unpredict): the packed files' object stream uses None and Up row by row
 * (compact.ts); the reader undoes all five row filters, each checked here against rows encoded as the PNG
 * specification defines them.
 */
import { describe, expect, it } from 'vitest';
import { unpredict } from '../../../pipelines/report/tagging/pdf-objects.ts';

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** `rows` of `columns` bytes, each row encoded with filter `types[r]` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth). */
function encode(raw: Buffer, columns: number, types: readonly number[]): Buffer {
  const rows = raw.length / columns;
  const out = Buffer.alloc(rows * (columns + 1));
  for (let r = 0; r < rows; r++) {
    const t = types[r % types.length] as number;
    out[r * (columns + 1)] = t;
    for (let i = 0; i < columns; i++) {
      const x = raw[r * columns + i] as number;
      const a = i > 0 ? (raw[r * columns + i - 1] as number) : 0;
      const b = r > 0 ? (raw[(r - 1) * columns + i] as number) : 0;
      const c = r > 0 && i > 0 ? (raw[(r - 1) * columns + i - 1] as number) : 0;
      const pred = [0, a, b, Math.floor((a + b) / 2), paeth(a, b, c)][t] as number;
      out[r * (columns + 1) + 1 + i] = (x - pred) & 0xff;
    }
  }
  return out;
}

describe('unpredict', () => {
  // Text like an object stream's rows, and bytes across the whole range (wrap-around of the differences).
  const text = Buffer.from('<</Pg 8760 0 R/S/TD/P 2570 0 R/K 39>>\n<</Pg 8760 0 R/S/TD/P 2571 0 R/K 40>>\n'.repeat(6), 'latin1');
  const bytes = Buffer.from(Array.from({ length: 13 * 20 }, (_, i) => (i * 97 + 31) % 256));

  it.each([0, 1, 2, 3, 4])('undoes filter %i on every row', (t) => {
    for (const [raw, columns] of [[text, 38], [bytes, 13]] as const) {
      expect(unpredict(encode(raw, columns, [t]), new Map([['Predictor', 12], ['Columns', columns]]))).toEqual(raw);
    }
  });

  it('undoes filters chosen row by row', () => {
    expect(unpredict(encode(bytes, 13, [0, 2, 4, 1, 3, 2]), new Map([['Predictor', 15], ['Columns', 13]]))).toEqual(bytes);
  });

  it('refuses what it cannot undo rather than misreading it', () => {
    expect(() => unpredict(bytes, new Map([['Predictor', 2]]))).toThrow(/predictor 2/);
    expect(() => unpredict(bytes, new Map([['Predictor', 12], ['Colors', 3], ['Columns', 13]]))).toThrow(/Colors 3/);
    expect(() => unpredict(Buffer.from([7, 1, 2]), new Map([['Predictor', 12], ['Columns', 2]]))).toThrow(/type 7/);
  });
});
