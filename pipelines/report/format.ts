/**
 * Swedish number, date and unit formatting for reports and charts: the one place where a number becomes text.
 * Decimal comma, no-break space (U+00A0) between thousands, U+2212 for minus, `12,3 %`.
 *
 * Why U+00A0 and not the narrower U+202F: Intl's sv-SE data produces U+00A0, and Roboto (the font the PDF
 * embeds and Vega measures with) has no glyph for U+202F, so the narrow space would print as tofu.
 */

export const NBSP = '\u00a0';
export const MINUS = '\u2212';
export const EN_DASH = '\u2013';

/** Shown in tables where a value is missing and no status says why (SCB's "uppgift saknas"). */
export const MISSING = '..';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(decimals: number, signed: boolean): Intl.NumberFormat {
  const key = `${decimals}:${signed}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat('sv-SE', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    numberFormats.set(key, f);
  }
  return f;
}

/** Normalise whatever ICU emits to the characters we promise (it already does today; a later ICU might not). */
function normalise(s: string): string {
  return s.replace(/[\u202f\u2009 ](?=\d)/g, NBSP).replace(/-/g, MINUS);
}

/** `1234567.891, 1` → `1 234 567,9`; `-3.2` → `−3,2`. Non-finite numbers are a bug upstream, never text. */
export function formatNumber(value: number, decimals = 1): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format non-finite number ${value}`);
  return normalise(numberFormat(decimals, false).format(value));
}

/** With an explicit sign for changes: `+2,1`, `−0,4`; a change that rounds to zero is `0,0` without sign. */
export function formatSigned(value: number, decimals = 1): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format non-finite number ${value}`);
  return normalise(numberFormat(decimals, true).format(value));
}

/** A value already in percent (12.3, not 0.123) → `12,3 %`. */
export function formatPercent(value: number, decimals = 1): string {
  return `${formatNumber(value, decimals)}${NBSP}%`;
}

/** Years are never grouped: `2017`, not `2 017`. */
export function formatYear(year: number): string {
  return String(Math.trunc(year));
}

export function formatYearRange(from: number, to: number): string {
  return from === to ? formatYear(from) : `${formatYear(from)}${EN_DASH}${formatYear(to)}`;
}

/** Collapses sorted years into ranges: [2017, 2019, 2020, 2021, 2023] → `2017, 2019–2021 och 2023`. */
export function formatYearList(years: readonly number[]): string {
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start: number | undefined;
  let prev: number | undefined;
  for (const y of [...sorted, Number.NaN]) {
    if (start !== undefined && prev !== undefined && y === prev + 1) {
      prev = y;
      continue;
    }
    if (start !== undefined && prev !== undefined) parts.push(formatYearRange(start, prev));
    start = y;
    prev = y;
  }
  return joinSwedish(parts);
}

/** `a`, `a och b`, `a, b och c`. */
export function joinSwedish(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} och ${items[items.length - 1]}`;
}

const STOCKHOLM = 'Europe/Stockholm';
const dateFormat = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'long', timeZone: STOCKHOLM });
const dateTimeFormat = new Intl.DateTimeFormat('sv-SE', { dateStyle: 'long', timeStyle: 'short', timeZone: STOCKHOLM });

/** ISO timestamp → `12 februari 2025` (Swedish time). An unparsable input is returned as given, not hidden. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}

/** ISO timestamp → `12 februari 2025 kl. 08:15` (Swedish time). */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormat.format(d);
}

export interface UnitStyle {
  decimals: number;
  /** Appended to a value in running text, e.g. ` %` or ` per 1 000 invånare`; empty for plain numbers. */
  suffix: string;
  /** Appended to a difference in running text: percent differences are percentage points. */
  changeSuffix: string;
  /** Short label for an axis or a table column. */
  label: string;
  /** Show the relative change as well (money and counts, where a difference alone says little). */
  relative: boolean;
}

/** Keeps `1 000` in a unit from breaking across lines or reading as two numbers. */
function glueDigits(s: string): string {
  return s.replace(/(\d) (?=\d{3}\b)/g, `$1${NBSP}`);
}

/** How a value of a catalogue unit is written. Unknown units get one decimal and the unit as given. */
export function unitStyle(unit: string): UnitStyle {
  const u = unit.trim().toLowerCase();
  if (u === 'procent' || u === '%' || u === 'percent') {
    return { decimals: 1, suffix: `${NBSP}%`, changeSuffix: ' procentenheter', label: 'Procent', relative: false };
  }
  if (u === 'kronor' || u === 'kr' || u === 'sek') {
    return { decimals: 0, suffix: ' kronor', changeSuffix: ' kronor', label: 'Kronor', relative: true };
  }
  if (u === 'antal' || u === 'count') {
    return { decimals: 0, suffix: '', changeSuffix: '', label: 'Antal', relative: true };
  }
  if (u === 'andel') return { decimals: 2, suffix: '', changeSuffix: '', label: 'Andel', relative: false };
  if (u === 'index') return { decimals: 3, suffix: '', changeSuffix: '', label: 'Index', relative: false };
  const glued = glueDigits(unit.trim());
  const decimals = /100\s?000/.test(u) ? 0 : 1;
  const label = glued.charAt(0).toUpperCase() + glued.slice(1);
  return { decimals, suffix: ` ${glued}`, changeSuffix: ` ${glued}`, label, relative: false };
}

/** A value with its unit for running text: `78,4 %`, `245 300 kronor`, `12,3 per 1 000 invånare`. */
export function formatValue(value: number, unit: string): string {
  const s = unitStyle(unit);
  return `${formatNumber(value, s.decimals)}${s.suffix}`;
}

/** The size of a change for running text, without sign (the verb carries it): `2,1 procentenheter`. */
export function formatChangeMagnitude(diff: number, unit: string): string {
  const s = unitStyle(unit);
  return `${formatNumber(Math.abs(diff), s.decimals)}${s.changeSuffix}`;
}

/**
 * A value in whole steps of the printed precision (12.35 at one decimal → 124), rounded exactly as `formatNumber`
 * prints it: `toFixed` and Intl both round the exact binary value half away from zero.
 */
function printedUnits(value: number, decimals: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`cannot round non-finite number ${value}`);
  return Number(value.toFixed(decimals).replace('.', ''));
}

/** The value as printed at `decimals` (so sums and differences of printed values can be formed exactly). */
export function printedValue(value: number, decimals: number): number {
  return printedUnits(value, decimals) / 10 ** decimals;
}

/**
 * `to − from` as the reader computes it from the printed values (SCB's practice): both rounded first, then
 * subtracted in whole steps, so 71,9 → 64,3 is always −7,6 and never −7,7.
 */
export function printedDiff(from: number, to: number, decimals: number): number {
  return (printedUnits(to, decimals) - printedUnits(from, decimals)) / 10 ** decimals;
}

/** True when a difference would print as zero at the unit's precision: the text must then not claim a change. */
export function roundsToZero(diff: number, decimals: number): boolean {
  return Math.abs(diff) < 0.5 * 10 ** -decimals;
}

/** Symbols in table cells, as in SCB's tables (teckenförklaring). */
const STATUS_SYMBOL: Record<string, string> = {
  '..': '..',
  '.': '.',
  ':': ':',
  suppressed: ':',
  confidential: ':',
};

const STATUS_TEXT: Record<string, string> = {
  '..': 'uppgift saknas',
  '.': 'uppgift kan inte förekomma',
  ':': 'sekretess i källan',
  confidential: 'sekretess i källan',
  // "Skyddad" means one thing only: withheld. A cell-key value is published (with a small random deviation).
  suppressed: 'skyddad: vilar på färre personer än röjandegränsen',
  noise: 'publicerad med cellnyckelbrus',
};

/** A table cell: the number at the unit's precision, or the status symbol when the value is missing. */
export function formatCell(value: number | null, unit: string, status: string | null = null, decimals?: number): string {
  if (value === null) return (status !== null && STATUS_SYMBOL[status]) || MISSING;
  return formatNumber(value, decimals ?? unitStyle(unit).decimals);
}

/** Why a value is missing or marked, in words; empty when there is nothing to say. */
export function statusText(status: string | null): string {
  if (status === null) return '';
  return STATUS_TEXT[status] ?? '';
}

/** The legend for the symbols `formatCell` writes. */
export const STATUS_LEGEND: readonly { symbol: string; text: string }[] = [
  { symbol: '..', text: 'Uppgift saknas eller är inte tillgänglig' },
  { symbol: '.', text: 'Uppgift kan inte förekomma' },
  { symbol: ':', text: 'Uppgiften är skyddad (sekretess i källan eller under röjandegränsen)' },
];

/** `DeSO2025` → `DeSO 2025`; `riket` stays. */
export function formatAreaVersion(version: string): string {
  return version.replace(/^([A-Za-zÅÄÖåäö]+)(\d{4})$/, '$1 $2');
}

type Tuple7 = [string, string, string, string, string, string, string];
type Tuple12 = [string, string, string, string, string, string, string, string, string, string, string, string];

/**
 * d3-format locale for Vega (decimal comma, no-break space thousands, U+2212), so axis labels read like the text.
 * Shaped like Vega's `NumberLocale` without importing Vega here.
 */
export const D3_NUMBER_LOCALE_SV: {
  decimal: string;
  thousands: string;
  grouping: number[];
  currency: [string, string];
  minus: string;
  percent: string;
  nan: string;
} = {
  decimal: ',',
  thousands: NBSP,
  grouping: [3],
  currency: ['', `${NBSP}kr`],
  minus: MINUS,
  percent: `${NBSP}%`,
  nan: MISSING,
};

/** d3-time-format locale for Vega (Swedish month and day names), shaped like Vega's `TimeLocale`. */
export const D3_TIME_LOCALE_SV: {
  dateTime: string;
  date: string;
  time: string;
  periods: [string, string];
  days: Tuple7;
  shortDays: Tuple7;
  months: Tuple12;
  shortMonths: Tuple12;
} = {
  dateTime: '%A %e %B %Y %X',
  date: '%Y-%m-%d',
  time: '%H:%M:%S',
  periods: ['fm', 'em'],
  days: ['söndag', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag'],
  shortDays: ['sön', 'mån', 'tis', 'ons', 'tor', 'fre', 'lör'],
  months: ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'],
  shortMonths: ['jan', 'feb', 'mars', 'apr', 'maj', 'juni', 'juli', 'aug', 'sep', 'okt', 'nov', 'dec'],
};

/** Swedish alphabetical order (å ä ö after z), for names of kommuner, län and sources. */
export const swedishCollator = new Intl.Collator('sv', { sensitivity: 'base', numeric: true });
