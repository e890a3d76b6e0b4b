import { UsageError } from '../errors.ts';
import { rowLabel } from './count-sets.ts';

/**
 * A count is a whole number >= 0 written in plain decimal notation ("12", "12.0", "1e3" and Parquet's "12.00" are
 * fine). Anything else — empty, non-numeric, negative, fractional, beyond 2^53 — is a UsageError naming the file,
 * row and column.
 *
 * One count cell (row `r`, 0-based, of `file`): its value, or a UsageError naming file, row, column and value.
 */
export function parseCount(file: string, raw: string | null, r: number, name: string): number {
  const v = raw !== null && PLAIN_INTEGER.test(raw) ? Number(raw) : parseSlow(file, r, name, raw);
  if (v > Number.MAX_SAFE_INTEGER) fail(file, r, name, raw, 'is too large to count exactly (above 2^53)');
  return v;
}

const PLAIN_INTEGER = /^\d{1,15}$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseSlow(file: string, r: number, name: string, raw: string | null): number {
  const s = raw?.trim() ?? '';
  if (s === '') throw new UsageError(`${file}: ${rowLabel(r)}, column "${name}": missing value (a count is required)`);
  if (!DECIMAL.test(s)) fail(file, r, name, raw, 'is not a number');
  const v = Number(s);
  if (!Number.isFinite(v)) fail(file, r, name, raw, 'is not a finite number');
  if (v < 0) fail(file, r, name, raw, 'is negative; counts must be >= 0');
  if (!Number.isInteger(v)) fail(file, r, name, raw, 'is fractional; counts must be whole numbers');
  // Number("-0") is -0; keep sums and output free of negative zero.
  return v === 0 ? 0 : v;
}

function fail(file: string, r: number, name: string, raw: string | null, problem: string): never {
  const shown = raw === null ? 'empty value' : `value ${JSON.stringify(raw.length > 40 ? raw.slice(0, 40) + '…' : raw)}`;
  throw new UsageError(`${file}: ${rowLabel(r)}, column "${name}": ${shown} ${problem}`);
}
