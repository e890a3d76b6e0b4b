/**
 * Number, date and unit formatting for reports and charts: the one place where a number becomes text. Every function
 * takes the report language last and writes Swedish by default.
 * Swedish (sv): decimal comma, no-break space (U+00A0) between thousands, U+2212 for minus, `12,3 %`.
 * English (en): decimal point, comma between thousands (`1,234.5`, as ONS and Eurostat print English tables), U+2212
 * for minus, `12.3%`. The words (units, missing-value reasons, "och"/"and") come from templates/wording/<lang>.json.
 *
 * Why U+00A0 and not the narrower U+202F: Intl's sv-SE data produces U+00A0, and Roboto (the font the PDF
 * embeds and Vega measures with) has no glyph for U+202F, so the narrow space would print as tofu.
 */

import { wording, type Lang } from './wording.ts';

export type { Lang } from './wording.ts';

export const NBSP = '\u00a0';
export const MINUS = '\u2212';
export const EN_DASH = '\u2013';

/** Shown in tables where a value is missing and no status says why (SCB's "uppgift saknas"). */
export const MISSING = '..';

const numberFormats = new Map<string, Intl.NumberFormat>();
/** The Intl locale of each report language (wording.ts prints `{count}` with the same ones). */
const LOCALE: Record<Lang, string> = { sv: 'sv-SE', en: 'en-GB' };

function numberFormat(decimals: number, signed: boolean, lang: Lang): Intl.NumberFormat {
  const key = `${lang}:${decimals}:${signed}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], {
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
export function formatNumber(value: number, decimals = 1, lang: Lang = 'sv'): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format non-finite number ${value}`);
  return normalise(numberFormat(decimals, false, lang).format(value));
}

/** With an explicit sign for changes: `+2,1`, `−0,4`; a change that rounds to zero is `0,0` without sign. */
export function formatSigned(value: number, decimals = 1, lang: Lang = 'sv'): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format non-finite number ${value}`);
  return normalise(numberFormat(decimals, true, lang).format(value));
}

/** A value already in percent (12.3, not 0.123) → `12,3 %` (en: `12.3%`). */
export function formatPercent(value: number, decimals = 1, lang: Lang = 'sv'): string {
  return wording(lang).t('format.percent', { value: formatNumber(value, decimals, lang) });
}

/** Years are never grouped: `2017`, not `2 017`. */
export function formatYear(year: number): string {
  return String(Math.trunc(year));
}

export function formatYearRange(from: number, to: number): string {
  return from === to ? formatYear(from) : `${formatYear(from)}${EN_DASH}${formatYear(to)}`;
}

/** Collapses sorted years into ranges: [2017, 2019, 2020, 2021, 2023] → `2017, 2019–2021 och 2023`. */
export function formatYearList(years: readonly number[], lang: Lang = 'sv'): string {
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
  return joinList(parts, lang);
}

/** `a`, `a och b`, `a, b och c`. */
export function joinSwedish(items: readonly string[]): string {
  return joinList(items, 'sv');
}

/** `a`, `a och b`, `a, b och c` (en: `a, b and c`): the last two joined by the language's `format.and`. */
export function joinList(items: readonly string[], lang: Lang = 'sv'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')}${wording(lang).t('format.and')}${items[items.length - 1]}`;
}

const STOCKHOLM = 'Europe/Stockholm';
const dateFormats: Record<Lang, Intl.DateTimeFormat> = {
  sv: new Intl.DateTimeFormat('sv-SE', { dateStyle: 'long', timeZone: STOCKHOLM }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: STOCKHOLM }),
};
const dateTimeFormats: Record<Lang, Intl.DateTimeFormat> = {
  sv: new Intl.DateTimeFormat('sv-SE', { dateStyle: 'long', timeStyle: 'short', timeZone: STOCKHOLM }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: STOCKHOLM }),
};

/** ISO timestamp → `12 februari 2025` (Swedish time; en: `12 February 2025`). An unparsable input is returned as given, not hidden. */
export function formatDate(iso: string, lang: Lang = 'sv'): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormats[lang].format(d);
}

/** ISO timestamp → `12 februari 2025 kl. 08:15` (Swedish time; en: `12 February 2025 at 08:15`). */
export function formatDateTime(iso: string, lang: Lang = 'sv'): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeFormats[lang].format(d);
}

/** What a unit is, for code that must not compare translated labels. */
export type UnitKind = 'percent' | 'money' | 'count' | 'share' | 'index' | 'other';

export interface UnitStyle {
  kind: UnitKind;
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

/**
 * `per 1 000 invånare` → `per_1_000_invanare`: the wording key of a Swedish name (a catalogue unit under
 * `format.unitNames`, a segregation split under `segregation.groupNames`).
 */
export function wordKey(unit: string): string {
  return unit
    .trim()
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * How a value of a catalogue unit is written. Unknown units get one decimal and, in Swedish, the unit as given; in
 * another language the unit's name must be in the wording file (`format.unitNames`), or the report stops.
 */
export function unitStyle(unit: string, lang: Lang = 'sv'): UnitStyle {
  // Asked for every value a report prints (tables, chart labels, the workbook): worked out once per unit and language.
  const key = `${lang}\u0000${unit}`;
  let style = unitStyles.get(key);
  if (!style) unitStyles.set(key, (style = unitStyleOf(unit, lang)));
  return { ...style };
}

const unitStyles = new Map<string, UnitStyle>();

function unitStyleOf(unit: string, lang: Lang): UnitStyle {
  const w = wording(lang);
  const u = unit.trim().toLowerCase();
  const words = (k: string) => ({ suffix: w.t(`format.units.${k}.suffix`), changeSuffix: w.t(`format.units.${k}.changeSuffix`), label: w.t(`format.units.${k}.label`) });
  if (u === 'procent' || u === '%' || u === 'percent') return { kind: 'percent', decimals: 1, ...words('percent'), relative: false };
  if (u === 'kronor' || u === 'kr' || u === 'sek') return { kind: 'money', decimals: 0, ...words('money'), relative: true };
  if (u === 'antal' || u === 'count') return { kind: 'count', decimals: 0, ...words('count'), relative: true };
  if (u === 'andel') return { kind: 'share', decimals: 2, ...words('share'), relative: false };
  if (u === 'index') return { kind: 'index', decimals: 3, ...words('index'), relative: false };
  const glued = glueDigits(lang === 'sv' ? unit.trim() : w.t(`format.unitNames.${wordKey(unit)}`));
  const decimals = /100\s?000/.test(u) ? 0 : 1;
  const label = glued.charAt(0).toUpperCase() + glued.slice(1);
  return { kind: 'other', decimals, suffix: ` ${glued}`, changeSuffix: ` ${glued}`, label, relative: false };
}

/** A value with its unit for running text: `78,4 %`, `245 300 kronor`, `12,3 per 1 000 invånare`. */
export function formatValue(value: number, unit: string, lang: Lang = 'sv'): string {
  const s = unitStyle(unit, lang);
  return `${formatNumber(value, s.decimals, lang)}${s.suffix}`;
}

/** The size of a change for running text, without sign (the verb carries it): `2,1 procentenheter`. */
export function formatChangeMagnitude(diff: number, unit: string, lang: Lang = 'sv'): string {
  const s = unitStyle(unit, lang);
  return `${formatNumber(Math.abs(diff), s.decimals, lang)}${s.changeSuffix}`;
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

/**
 * The wording key of each status's reason (templates/wording, `format.status`). "Skyddad" means one thing only:
 * withheld. A cell-key value is published (with a small random deviation).
 */
const STATUS_KEY: Record<string, string> = {
  '..': 'missing',
  '.': 'impossible',
  ':': 'confidential',
  confidential: 'confidential',
  suppressed: 'suppressed',
  noise: 'noise',
};

/** A table cell: the number at the unit's precision, or the status symbol when the value is missing. */
export function formatCell(value: number | null, unit: string, status: string | null = null, decimals?: number, lang: Lang = 'sv'): string {
  if (value === null) return (status !== null && STATUS_SYMBOL[status]) || MISSING;
  return formatNumber(value, decimals ?? unitStyle(unit, lang).decimals, lang);
}

/** Why a value is missing or marked, in words; empty when there is nothing to say. */
export function statusText(status: string | null, lang: Lang = 'sv'): string {
  if (status === null) return '';
  const key = STATUS_KEY[status];
  return key ? wording(lang).t(`format.status.${key}`) : '';
}

/** The legend for the symbols `formatCell` writes, in the report's language. */
export function statusLegend(lang: Lang = 'sv'): { symbol: string; text: string }[] {
  const w = wording(lang);
  return [
    { symbol: '..', text: w.t('format.legend.missing') },
    { symbol: '.', text: w.t('format.legend.impossible') },
    { symbol: ':', text: w.t('format.legend.protected') },
  ];
}

/** The Swedish legend (build-pdf.ts and the workbook read it as a constant). */
export const STATUS_LEGEND: readonly { symbol: string; text: string }[] = statusLegend('sv');

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

/** d3-format locale for Vega in English reports (decimal point, comma thousands, U+2212), shaped like the Swedish one. */
export const D3_NUMBER_LOCALE_EN: typeof D3_NUMBER_LOCALE_SV = {
  decimal: '.',
  thousands: ',',
  grouping: [3],
  currency: ['SEK\u00a0', ''],
  minus: MINUS,
  percent: '%',
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
