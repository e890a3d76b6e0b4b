import { describe, expect, it } from 'vitest';
import {
  formatCell,
  formatChangeMagnitude,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatSigned,
  formatValue,
  formatYear,
  formatYearList,
  formatYearRange,
  printedDiff,
  printedValue,
  roundsToZero,
  statusText,
  swedishCollator,
} from '../../pipelines/report/format.ts';

const NBSP = '\u00a0';
const MINUS = '\u2212';

describe('formatNumber', () => {
  it('groups thousands with a no-break space and uses a decimal comma', () => {
    expect(formatNumber(1234567.891, 1)).toBe(`1${NBSP}234${NBSP}567,9`);
    expect(formatNumber(1234, 0)).toBe(`1${NBSP}234`);
    expect(formatNumber(0.5, 2)).toBe('0,50');
  });

  it('writes negatives with U+2212, never a hyphen', () => {
    expect(formatNumber(-1234.56, 1)).toBe(`${MINUS}1${NBSP}234,6`);
    expect(formatNumber(-0.25, 2)).toBe(`${MINUS}0,25`);
    expect(formatNumber(-3.2)).not.toContain('-');
  });

  it('refuses non-finite numbers instead of printing NaN', () => {
    expect(() => formatNumber(Number.NaN)).toThrow(RangeError);
    expect(() => formatNumber(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('signed changes and percent', () => {
  it('shows the sign of a change, and none when it rounds to zero', () => {
    expect(formatSigned(2.06, 1)).toBe('+2,1');
    expect(formatSigned(-0.44, 1)).toBe(`${MINUS}0,4`);
    expect(formatSigned(-0.04, 1)).toBe('0,0');
    expect(formatSigned(12500, 0)).toBe(`+12${NBSP}500`);
  });

  it('formats a value already in percent as `12,3 %`', () => {
    expect(formatPercent(12.345)).toBe(`12,3${NBSP}%`);
    expect(formatPercent(-5)).toBe(`${MINUS}5,0${NBSP}%`);
  });

  it('knows when a difference would print as zero', () => {
    expect(roundsToZero(0.04, 1)).toBe(true);
    expect(roundsToZero(0.05, 1)).toBe(false);
    expect(roundsToZero(-0.0004, 3)).toBe(true);
  });
});

describe('units', () => {
  it('writes percent changes as procentenheter', () => {
    expect(formatValue(78.44, 'procent')).toBe(`78,4${NBSP}%`);
    expect(formatChangeMagnitude(-2.06, 'procent')).toBe('2,1 procentenheter');
  });

  it('writes kronor without decimals and keeps `1 000` in a unit together', () => {
    expect(formatValue(245300.4, 'kronor')).toBe(`245${NBSP}300 kronor`);
    expect(formatValue(12.34, 'per 1 000 invånare')).toBe(`12,3 per 1${NBSP}000 invånare`);
  });

  it('shows a missing value by its status symbol, never as 0', () => {
    expect(formatCell(null, 'procent', null)).toBe('..');
    expect(formatCell(null, 'procent', 'suppressed')).toBe(':');
    expect(formatCell(null, 'procent', '.')).toBe('.');
    expect(formatCell(0, 'procent', null)).toBe('0,0');
    expect(statusText('suppressed')).toBe('skyddad: vilar på färre personer än röjandegränsen');
  });

  it('"skyddad" means withheld only: a cell-key value is published, not protected away', () => {
    expect(statusText('noise')).not.toMatch(/skyddad/);
    expect(statusText('noise')).toBe('publicerad med cellnyckelbrus');
    for (const st of ['suppressed', ':', 'confidential']) expect(statusText(st)).toMatch(/skyddad|sekretess/);
  });
});

describe('differences of printed values', () => {
  /** Parses a Swedish printed number back (decimal comma, no-break space, U+2212). */
  const parse = (s: string): number => Number(s.replace(/\u00a0/g, '').replace('\u2212', '-').replace(',', '.'));

  it('rounds first, then subtracts: 71,94 → 64,26 is −7,6 (raw −7,68 would print −7,7)', () => {
    expect(formatSigned(printedDiff(71.94, 64.26, 1), 1)).toBe(`${MINUS}7,6`);
    expect(formatSigned(printedDiff(76.3, 69.24, 1), 1)).toBe(`${MINUS}7,1`);
    expect(printedDiff(5.24, 5.16, 1)).toBe(0);
    expect(printedValue(1234.5, 0)).toBe(1235);
  });

  it('equals the difference of the printed values for many values and precisions', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 5000; i++) {
      const d = [0, 1, 3][i % 3] ?? 1;
      const a = (rnd() - 0.3) * 10 ** (3 - d);
      const b = (rnd() - 0.3) * 10 ** (3 - d);
      const printed = parse(formatSigned(printedDiff(a, b, d), d));
      const fromText = parse(formatNumber(b, d)) - parse(formatNumber(a, d));
      expect(Math.abs(printed - fromText), `${a} → ${b} at ${d}`).toBeLessThan(10 ** -(d + 3));
    }
  });
});

describe('years and dates', () => {
  it('never groups years and joins ranges with an en dash', () => {
    expect(formatYear(2017)).toBe('2017');
    expect(formatYearRange(2017, 2025)).toBe('2017–2025');
    expect(formatYearRange(2024, 2024)).toBe('2024');
    expect(formatYearList([2023, 2017, 2019, 2020, 2021])).toBe('2017, 2019–2021 och 2023');
  });

  it('formats timestamps in Swedish, in Swedish time', () => {
    expect(formatDate('2025-03-14T07:42:10Z')).toBe('14 mars 2025');
    expect(formatDateTime('2025-03-14T07:42:10Z')).toBe('14 mars 2025 kl. 08:42');
    expect(formatDateTime('2025-07-01T07:00:00Z')).toBe('1 juli 2025 kl. 09:00');
    expect(formatDate('not a date')).toBe('not a date');
  });
});

describe('swedishCollator', () => {
  it('sorts å ä ö after z', () => {
    const names = ['Örebro', 'Åre', 'Älmhult', 'Umeå', 'Östersund', 'Ale', 'Zinkgruvan'];
    expect([...names].sort(swedishCollator.compare)).toEqual(['Ale', 'Umeå', 'Zinkgruvan', 'Åre', 'Älmhult', 'Örebro', 'Östersund']);
  });
});
