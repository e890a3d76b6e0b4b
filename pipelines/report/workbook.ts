/**
 * The Excel workbook beside each report PDF: every table of the report and the numbers behind every chart, one
 * sheet per kind of table, from the same ReportModel the PDF is drawn from; plus a sheet of definitions and sources.
 * Headers and words in the report's language (templates/wording `workbook`); numbers are numbers, rounded to the decimals the report prints and shown with a number format of
 * those decimals (Excel in Swedish shows them with decimal comma and space between thousands). A value missing or
 * protected is SCB's symbol as text (`..`, `.`, `:`), as in SCB's own Excel files.
 *
 * Written with the project's own writer (xlsx-file.ts: the XML write-excel-file wrote, zipped with node:zlib, about
 * five times less CPU). Tables are reshaped with arquero: the years of each indicator pivoted into columns.
 */
import * as aq from 'arquero';
import { replaceFile } from '../write-output.ts';
import { xlsxFile, type XlsxCell, type XlsxSheet, type XlsxStyle } from './xlsx-file.ts';
import type { IndicatorDef } from '../catalogue.ts';
import { formatAreaVersion, printedDiff, unitStyle } from './format.ts';
import type { AreaTypeIndicator, ReportModel } from './model.ts';
import { comparisonPhrase, gapVerdict, gapVerdictWord, groupsName, printedGap, type AreaTypeScopeLevel } from './summary.ts';
import { reformIndicatorRows } from './reforms.ts';
import { kommunChangeVerdict } from './verdict.ts';
import { catalogueText, caveatText } from './catalogue-text.ts';
import { UsageError } from '../errors.ts';
import { geometrySource as mapGeometrySource, mapTitle } from './maps.ts';
import { wording, type Lang, type WordingParams } from './wording.ts';

export type Value = string | number | null;
export type ColumnKind = 'text' | 'year' | 'integer' | { decimals: number } | ((row: readonly Value[]) => number);

export interface SheetSpec {
  name: string;
  /** One line above the table saying what it holds. */
  title: string;
  columns: { header: string; kind: ColumnKind; width?: number }[];
  rows: Value[][];
}

/** SCB's symbols for a missing value (teckenförklaring): protected, cannot occur, missing. */
function symbol(status: string | null | undefined): string {
  if (status === 'suppressed' || status === 'confidential' || status === ':' || status === 'noise') return ':';
  if (status === '.' || status === 'no_areas') return '.';
  return '..';
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/** A value at its published precision, or the status symbol when missing. */
function val(v: number | null | undefined, decimals: number, status?: string | null): Value {
  return v === null || v === undefined ? symbol(status) : round(v, decimals);
}

const dec = (unit: string): number => unitStyle(unit).decimals;
const INDEX = 3;
const MULTI = 4;

/** The segregation unit levels keep their codes' names in every language. */
const UNIT_LEVEL: Record<string, string> = { regso: 'RegSO', deso: 'DeSO' };
/** The wording key (templates/wording `workbook.status`) of each value status; an unknown status prints as it is. */
const STATUS_KEY: Record<string, string | null> = {
  ok: null,
  suppressed: 'suppressed',
  confidential: 'confidential',
  ':': 'confidential',
  '..': 'missing',
  '.': 'cannotOccur',
  noise: 'noise',
  missing: 'missing',
  no_areas: 'noAreas',
};
/** Excel refuses a sheet name over 31 characters or with any of : \ / ? * [ ]. */
const SHEET_NAME = /^[^:\\/?*[\]]{1,31}$/;

/**
 * The words of one workbook in the report's language (templates/wording `workbook`), and the decimals of each row
 * whose values follow its indicator's unit: the unit column shows the unit's name in the language, so the value
 * columns cannot read their decimals from it.
 */
function workbookWords(lang: Lang) {
  const w = wording(lang);
  const text = catalogueText(lang);
  const decimalsOf = new WeakMap<readonly Value[], number>();
  const sheet = (key: string): string => {
    const name = w.t(`workbook.sheets.${key}`);
    if (!SHEET_NAME.test(name)) throw new UsageError(`templates/wording/${lang}.json: "workbook.sheets.${key}": "${name}" is not a sheet name Excel accepts (at most 31 characters, none of : \\ / ? * [ ])`);
    return name;
  };
  return {
    w,
    lang,
    sheet,
    title: (key: string, params?: WordingParams): string => w.t(`workbook.titles.${key}`, params),
    col: (key: string): string => w.t(`workbook.columns.${key}`),
    status: (s: string | null | undefined): string => {
      if (s === null || s === undefined) return '';
      const key = STATUS_KEY[s];
      return key === undefined ? s : key === null ? '' : w.t(`workbook.status.${key}`);
    },
    level: (l: string): string => UNIT_LEVEL[l] ?? (['riket', 'lan', 'kommun'].includes(l) ? w.t(`workbook.level.${l}`) : l),
    indicator: (b: { id: string; title_sv: string }): string => text.title(b),
    unit: (u: string): string => (lang === 'sv' || u === '' ? u : unitStyle(u, lang).label),
    /** `row`, remembering the decimals of `unit` for its value columns (`perUnit`). */
    withUnit(row: Value[], unit: string): Value[] {
      decimalsOf.set(row, dec(unit));
      return row;
    },
    /** `row`, with `decimals` for its value columns (`perUnit`). */
    withDecimals(row: Value[], decimals: number): Value[] {
      decimalsOf.set(row, decimals);
      return row;
    },
    perUnit: (row: readonly Value[]): number => {
      const d = decimalsOf.get(row);
      if (d === undefined) throw new Error('workbook: a row with values per unit was built without its unit');
      return d;
    },
  };
}
type Words = ReturnType<typeof workbookWords>;

/** A text of data/reforms.json in the workbook's language: the `_sv` field, or the `_en` one, which English needs. */
function reformText(sv: string, en: string | undefined, where: string, lang: Lang): string {
  if (lang === 'sv') return sv;
  if (typeof en !== 'string') throw new UsageError(`data/reforms.json: ${where}: no English text (an English workbook needs it)`);
  return en;
}

/**
 * Every sheet of one report's workbook, in the report's language (templates/wording `workbook`; official names of
 * sources, tables and Kolada's groups as published). `catalogue` gives definitions and populations, which the model
 * does not carry; everything else is the model's.
 */
export function workbookSheets(model: ReportModel, catalogue: readonly IndicatorDef[]): SheetSpec[] {
  const lang = model.lang ?? 'sv';
  const x = workbookWords(lang);
  const { w, col, title } = x;
  const scope = model.scope.level === 'riket' ? w.t('workbook.riket') : model.scope.name;
  const sheets: SheetSpec[] = [];
  const indicators = model.chapters.flatMap((c) => c.indicators.map((b) => ({ chapter: lang === 'sv' ? c.title_sv : w.t(`policyAreas.${c.policy_area}`), b })));

  // Long form: one row per indicator and year, as the line charts draw them.
  const long: Value[][] = indicators.flatMap(({ chapter, b }) =>
    [...b.series]
      .sort((p, q) => p.year - q.year)
      .map((p) => x.withUnit([chapter, b.id, x.indicator(b), x.unit(b.unit), p.year, val(p.value, dec(b.unit), p.status), x.status(p.status), formatAreaVersion(p.area_version), b.source], b.unit)),
  );
  sheets.push({
    name: x.sheet('indicators'),
    title: title('indicators', { scope }),
    columns: [
      { header: col('chapter'), kind: 'text', width: 22 },
      { header: col('indicatorId'), kind: 'text', width: 24 },
      { header: col('indicator'), kind: 'text', width: 48 },
      { header: col('unit'), kind: 'text', width: 14 },
      { header: col('year'), kind: 'year' },
      { header: col('value'), kind: x.perUnit },
      { header: col('status'), kind: 'text', width: 26 },
      { header: col('areaVersion'), kind: 'text', width: 16 },
      { header: col('source'), kind: 'text', width: 40 },
    ],
    rows: long,
  });

  // Wide form: years as columns (arquero pivot), one row per indicator.
  const points = indicators.flatMap(({ b }) => b.series.map((p) => ({ id: b.id, year: String(p.year), cell: val(p.value, dec(b.unit), p.status) })));
  if (points.length > 0) {
    const wide = aq.from(points).groupby('id').pivot('year', { cell: (d: { cell: Value }) => aq.op.any(d.cell) });
    const years = wide.columnNames().filter((c) => /^\d{4}$/.test(c)).sort();
    const blocks = new Map(indicators.map(({ b }, i) => [b.id, { b, i }]));
    const rows = (wide.objects() as Record<string, Value>[])
      .map((r) => ({ r, at: blocks.get(String(r.id)) }))
      .sort((a, b) => (a.at?.i ?? 0) - (b.at?.i ?? 0))
      .flatMap(({ r, at }) => (at ? [x.withUnit([x.indicator(at.b), x.unit(at.b.unit), ...years.map((y) => r[y] ?? null)], at.b.unit)] : []));
    sheets.push({
      name: x.sheet('indicatorsWide'),
      title: title('indicatorsWide', { scope }),
      columns: [{ header: col('indicator'), kind: 'text', width: 48 }, { header: col('unit'), kind: 'text', width: 14 }, ...years.map((y) => ({ header: y, kind: x.perUnit }))],
      rows,
    });
  }

  const comparisons = indicators.flatMap(({ b }) => {
    const own = b.series.find((p) => p.year === b.comparisons?.[0]?.year);
    return (b.comparisons ?? []).length === 0
      ? []
      : [
          x.withUnit([x.indicator(b), x.unit(b.unit), scope, own?.year ?? b.latest_year, val(own?.value, dec(b.unit), own?.status)], b.unit),
          ...(b.comparisons ?? []).map((c) => x.withUnit([x.indicator(b), x.unit(b.unit), c.name, c.year, val(c.value, dec(b.unit))], b.unit)),
        ];
  });
  if (comparisons.length > 0) {
    sheets.push({
      name: x.sheet('comparisons'),
      title: title('comparisons', { scope }),
      columns: [
        { header: col('indicator'), kind: 'text', width: 48 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('area'), kind: 'text', width: 24 },
        { header: col('year'), kind: 'year' },
        { header: col('value'), kind: x.perUnit },
      ],
      rows: comparisons,
    });
  }

  const kommuner = indicators.flatMap(({ b }) =>
    b.by_kommun.map((k) => {
      const d = dec(b.unit);
      const change = k.value !== null && k.first_value !== null && k.first_value !== undefined ? printedDiff(k.first_value, k.value, d) : null;
      return x.withUnit([x.indicator(b), x.unit(b.unit), k.code, k.name, k.lan_code, b.first_year ?? null, val(k.first_value, d), b.latest_year, val(k.value, d, k.status), change ?? '..', x.status(k.status)], b.unit);
    }),
  );
  if (kommuner.length > 0) {
    sheets.push({
      name: x.sheet('kommuner'),
      title: model.scope.level === 'riket' ? title('kommunerRiket') : title('kommuner', { scope }),
      columns: [
        { header: col('indicator'), kind: 'text', width: 48 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('kommunCode'), kind: 'text' },
        { header: col('kommun'), kind: 'text', width: 20 },
        { header: col('lanCode'), kind: 'text' },
        { header: col('firstYear'), kind: 'year' },
        { header: col('firstValue'), kind: x.perUnit },
        { header: col('latestYear'), kind: 'year' },
        { header: col('latestValue'), kind: x.perUnit },
        { header: col('change'), kind: x.perUnit },
        { header: col('status'), kind: 'text', width: 26 },
      ],
      rows: kommuner,
    });
  }

  const lan = indicators.flatMap(({ b }) => b.by_lan.map((l) => x.withUnit([x.indicator(b), x.unit(b.unit), l.code, l.name, b.latest_year, val(l.value, dec(b.unit), l.status), x.status(l.status)], b.unit)));
  if (lan.length > 0) {
    sheets.push({
      name: x.sheet('lan'),
      title: title('lan'),
      columns: [
        { header: col('indicator'), kind: 'text', width: 48 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('lanCode'), kind: 'text' },
        { header: col('lan'), kind: 'text', width: 22 },
        { header: col('year'), kind: 'year' },
        { header: col('value'), kind: x.perUnit },
        { header: col('status'), kind: 'text', width: 26 },
      ],
      rows: lan,
    });
  }

  const groups = (g: string): string => (lang === 'sv' ? g : groupsName(g, lang));
  const segRows: Value[][] = [];
  for (const s of model.segregation) {
    for (const [unit, series] of [[s.unit_level, s.series], ...(s.other_unit_level ? [[s.other_unit_level.unit_level, s.other_unit_level.series] as const] : [])] as const) {
      for (const p of [...series].sort((a, b) => a.year - b.year)) {
        segRows.push([
          s.measure,
          groups(s.groups),
          x.level(unit),
          p.year,
          val(p.value, INDEX, p.status),
          val(p.expected, INDEX),
          val(p.ci_low, INDEX),
          val(p.ci_high, INDEX),
          p.n_units,
          x.status(p.status),
          p.area_version ? formatAreaVersion(p.area_version) : '',
        ]);
      }
    }
  }
  if (segRows.length > 0) {
    sheets.push({
      name: x.sheet('segregation'),
      title: title('segregation', { scope }),
      columns: [
        { header: col('measure'), kind: 'text', width: 28 },
        { header: col('groups'), kind: 'text', width: 44 },
        { header: col('unitLevel'), kind: 'text' },
        { header: col('year'), kind: 'year' },
        { header: col('index'), kind: { decimals: INDEX } },
        { header: col('expected'), kind: { decimals: INDEX } },
        { header: col('ciLow'), kind: { decimals: INDEX } },
        { header: col('ciHigh'), kind: { decimals: INDEX } },
        { header: col('nUnits'), kind: 'integer' },
        { header: col('status'), kind: 'text', width: 26 },
        { header: col('areaVersion'), kind: 'text', width: 16 },
      ],
      rows: segRows,
    });
  }
  const segKommun = model.segregation.flatMap((s) =>
    s.by_kommun.map((k) => [
      s.measure,
      groups(s.groups),
      k.code,
      k.name,
      val(k.first_value, INDEX),
      val(k.value, INDEX, k.status),
      k.value !== null && k.first_value !== null ? printedDiff(k.first_value, k.value, INDEX) : '..',
      // The verdict the PDF's kommun table printed before the table moved here (riket report, 290 rows).
      k.value !== null && k.first_value !== null ? w.t(`workbook.segVerdict.${kommunChangeVerdict({ ...k, value: k.value, first_value: k.first_value }, INDEX).verdict}`) : '..',
      k.n_units,
    ]),
  );
  if (segKommun.length > 0) {
    sheets.push({
      name: x.sheet('segregationKommun'),
      title: title('segregationKommun'),
      columns: [
        { header: col('measure'), kind: 'text', width: 28 },
        { header: col('groups'), kind: 'text', width: 44 },
        { header: col('kommunCode'), kind: 'text' },
        { header: col('kommun'), kind: 'text', width: 20 },
        { header: col('firstYear'), kind: { decimals: INDEX } },
        { header: col('latestYear'), kind: { decimals: INDEX } },
        { header: col('change'), kind: { decimals: INDEX } },
        { header: col('verdict'), kind: 'text', width: 30 },
        { header: col('nUnits'), kind: 'integer' },
      ],
      rows: segKommun,
    });
  }
  const decomposition = model.segregation.flatMap((s) =>
    (s.decomposition?.years ?? []).flatMap((y) => y.terms.map((t) => [groups(s.groups), y.year, formatAreaVersion(y.unit_version), t.component, val(t.M, MULTI), val(t.H, MULTI)])),
  );
  if (decomposition.length > 0) {
    sheets.push({
      name: x.sheet('decomposition'),
      title: title('decomposition'),
      columns: [
        { header: col('groups'), kind: 'text', width: 44 },
        { header: col('year'), kind: 'year' },
        { header: col('areaVersion'), kind: 'text', width: 16 },
        { header: col('component'), kind: 'text', width: 28 },
        { header: 'M', kind: { decimals: MULTI } },
        { header: 'H', kind: { decimals: MULTI } },
      ],
      rows: decomposition,
    });
  }

  const at = model.area_types;
  if (at) {
    const typeName = (t: number): string => (lang === 'sv' ? (at.types.find((y) => y.area_type === t)?.name_sv ?? '') : w.t(`areaTypes.names.${t}`));
    sheets.push({
      name: x.sheet('areaTypePopulation'),
      title: title('areaTypePopulation', { scope }),
      columns: [
        { header: col('year'), kind: 'year' },
        { header: col('areaType'), kind: 'text', width: 44 },
        { header: col('nRegso'), kind: 'integer' },
        { header: col('residents'), kind: 'integer' },
        { header: col('share'), kind: { decimals: 1 } },
        { header: col('status'), kind: 'text', width: 26 },
      ],
      rows: [...at.population]
        .sort((a, b) => a.year - b.year || (a.area_type ?? 9) - (b.area_type ?? 9))
        .map((p) => [p.year, p.area_type === null ? w.t('workbook.untyped') : `${p.area_type} ${typeName(p.area_type)}`, p.n_areas, val(p.population, 0), val(p.share, 1), x.status(p.status)]),
    });
    sheets.push({
      name: x.sheet('areaTypeValues'),
      title: title('areaTypeValues', { scope }),
      columns: [
        { header: col('indicator'), kind: 'text', width: 48 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('year'), kind: 'year' },
        { header: col('areaType'), kind: 'integer' },
        { header: col('value'), kind: x.perUnit },
        { header: col('nRegso'), kind: 'integer' },
        { header: col('status'), kind: 'text', width: 26 },
      ],
      rows: at.indicators.flatMap((i) => i.by_type.map((t) => x.withUnit([x.indicator(i), x.unit(i.unit), i.year, t.area_type, val(t.value, dec(i.unit), t.status), t.n_areas, x.status(t.status)], i.unit))),
    });
    // The by-type trend charts (area-types chapter), where the model carries them.
    type Trend = { trend?: { year: number; area_type: number; value: number | null; status: string }[] };
    const trend = at.indicators.flatMap((i) =>
      [...((i as Trend).trend ?? [])]
        .sort((p, q) => p.year - q.year || p.area_type - q.area_type)
        .map((t) => x.withUnit([x.indicator(i), x.unit(i.unit), t.year, t.area_type, val(t.value, dec(i.unit), t.status), x.status(t.status)], i.unit)),
    );
    if (trend.length > 0) {
      sheets.push({
        name: x.sheet('areaTypeTrend'),
        title: title('areaTypeTrend', { scope }),
        columns: [
          { header: col('indicator'), kind: 'text', width: 48 },
          { header: col('unit'), kind: 'text', width: 14 },
          { header: col('year'), kind: 'year' },
          { header: col('areaType'), kind: 'integer' },
          { header: col('value'), kind: x.perUnit },
          { header: col('status'), kind: 'text', width: 26 },
        ],
        rows: trend,
      });
    }
    // As the report's table prints them: the comparison the scope gets, gaps as differences of the printed values,
    // the change as the difference of the printed gaps, and the warehouse's verdict on it (summary.ts).
    const level: AreaTypeScopeLevel = model.scope.level === 'riket' || model.scope.level === 'lan' ? model.scope.level : 'kommun';
    const comparisonText = (i: AreaTypeIndicator): string =>
      i.comparison === 'single_type' ? w.t('workbook.comparisonNone.singleType') : i.comparison === 'no_types' ? w.t('workbook.comparisonNone.noTypes') : comparisonPhrase(i, level, lang);
    sheets.push({
      name: x.sheet('areaTypeGaps'),
      title: title('areaTypeGaps'),
      columns: [
        { header: col('indicator'), kind: 'text', width: 48 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('comparison'), kind: 'text', width: 36 },
        { header: col('baseYear'), kind: 'year' },
        { header: col('gapBase'), kind: { decimals: 1 } },
        { header: col('year'), kind: 'year' },
        { header: col('gap'), kind: { decimals: 1 } },
        { header: col('change'), kind: { decimals: 1 } },
        { header: col('verdict'), kind: 'text', width: 28 },
        { header: col('status'), kind: 'text', width: 26 },
      ],
      rows: at.indicators.map((i) => {
        const now = printedGap(i, 'latest');
        const then = printedGap(i, 'base');
        const change = now === null || then === null || i.year === i.base_year ? null : printedDiff(then, now, 1);
        return [x.indicator(i), x.unit(i.unit), comparisonText(i), i.base_year, val(then, 1), i.year, val(now, 1, i.status), val(change, 1), gapVerdictWord(gapVerdict(i), lang), x.status(i.status)];
      }),
    });
    sheets.push({
      name: x.sheet('indexCuts'),
      title: title('indexCuts'),
      columns: [
        { header: col('year'), kind: 'year' },
        { header: col('areaVersion'), kind: 'text', width: 16 },
        { header: col('nRegso'), kind: 'integer' },
        { header: col('unclassified'), kind: 'integer' },
        { header: col('mean'), kind: { decimals: 2 } },
        { header: col('sd'), kind: { decimals: 2 } },
        ...[1, 2, 3, 4, 5].map((t) => ({ header: w.t('workbook.columns.typeN', { type: t }), kind: 'integer' as const })),
      ],
      rows: at.cuts.map((c) => [c.year, formatAreaVersion(c.area_version), c.n_areas, c.n_unclassified, val(c.mean, 2), val(c.sd, 2), ...c.n_by_type]),
    });
    type Spread = { index_spread?: { year: number; n_regso: number; n_indexed: number; min: number | null; median: number | null; max: number | null; national_mean: number | null; national_sd: number | null }[] };
    const spread = (at as Spread).index_spread ?? [];
    if (spread.length > 0) {
      sheets.push({
        name: x.sheet('indexSpread'),
        title: title('indexSpread', { scope }),
        columns: [
          { header: col('year'), kind: 'year' },
          { header: col('nRegso'), kind: 'integer' },
          { header: col('withIndex'), kind: 'integer' },
          { header: col('min'), kind: { decimals: 2 } },
          { header: col('median'), kind: { decimals: 2 } },
          { header: col('max'), kind: { decimals: 2 } },
          { header: col('riketMean'), kind: { decimals: 2 } },
          { header: col('riketSd'), kind: { decimals: 2 } },
        ],
        rows: spread.map((s) => [s.year, s.n_regso, s.n_indexed, val(s.min, 2), val(s.median, 2), val(s.max, 2), val(s.national_mean, 2), val(s.national_sd, 2)]),
      });
    }
    if (at.regso && at.regso.length > 0) {
      sheets.push({
        name: x.sheet('regso'),
        title: title('regso', { scope, first: at.regso_years?.first ?? '..', latest: at.regso_years?.latest ?? '..' }),
        columns: [
          { header: col('regsoCode'), kind: 'text' },
          { header: col('regso'), kind: 'text', width: 36 },
          { header: col('typeFirst'), kind: 'integer' },
          { header: col('typeLatest'), kind: 'integer' },
          { header: col('indexLatest'), kind: { decimals: 2 } },
        ],
        rows: at.regso.map((r) => [r.code, r.name, r.first_type ?? '..', r.latest_type ?? '..', val(r.latest_index, 2)]),
      });
    }
  }

  // Trends beside the län, riket and similar kommuner, ranks, and the maps' numbers (comparisons.ts, maps.ts).
  sheets.push(...comparisonAndMapSheets(model, scope, x));

  if (model.reforms) {
    const rows = reformIndicatorRows(model, model.reforms);
    const reforms = new Map(model.reforms.reforms.map((r) => [r.n, r]));
    const reformTitle = (n: number): string => {
      const r = reforms.get(n);
      return r ? reformText(r.title_sv, r.title_en, `reform ${n}.title_en`, lang) : '';
    };
    const note = (n: number, id: string, sv: string): string =>
      reformText(sv, reforms.get(n)?.indicators.find((l) => l.id === id)?.note_en, `reform ${n}, indicator ${id}: note_en`, lang);
    sheets.push({
      name: x.sheet('reforms'),
      title: title('reforms', { scope }),
      columns: [
        { header: col('reformNumber'), kind: 'integer' },
        { header: col('reform'), kind: 'text', width: 50 },
        { header: col('indicator'), kind: 'text', width: 44 },
        { header: col('relation'), kind: 'text' },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('firstYear'), kind: 'year' },
        { header: col('firstValue'), kind: x.perUnit },
        { header: col('latestYear'), kind: 'year' },
        { header: col('latestValue'), kind: x.perUnit },
        { header: col('change'), kind: x.perUnit },
        { header: col('note'), kind: 'text', width: 60 },
      ],
      rows: [...model.reforms.reforms]
        .sort((a, b) => a.n - b.n)
        .flatMap((r) => {
          const own = rows.filter((y) => y.reform_n === r.n);
          if (own.length === 0) {
            const why = r.no_indicator_sv === undefined ? '' : reformText(r.no_indicator_sv, r.no_indicator_en, `reform ${r.n}.no_indicator_en`, lang);
            return [x.withUnit([r.n, reformTitle(r.n), w.t('workbook.reform.noIndicator'), '', '', null, null, null, null, null, why], '')];
          }
          return own.map((y) =>
            x.withUnit(
              [
                r.n,
                reformTitle(r.n),
                x.indicator({ id: y.indicator_id, title_sv: y.title_sv }),
                w.t(`workbook.reform.${y.relation === 'direct' ? 'direct' : 'proxy'}`),
                x.unit(y.unit),
                y.first_year,
                val(y.first_value, dec(y.unit)),
                y.latest_year,
                val(y.latest_value, dec(y.unit)),
                y.change ?? '..',
                note(r.n, y.indicator_id, y.note_sv),
              ],
              y.unit,
            ),
          );
        }),
    });
  }

  const inReport = new Map(indicators.map(({ b }) => [b.id, b]));
  for (const i of model.area_types?.indicators ?? []) if (!inReport.has(i.id)) inReport.set(i.id, { id: i.id, title_sv: i.title_sv, unit: i.unit, series: [], source: '' } as never);
  // The definitions in the report's language (templates/wording `workbook.definitions`, the catalogue's _en fields).
  const text = catalogueText(lang);
  const defCol = (k: string): string => w.t(`workbook.definitions.columns.${k}`);
  sheets.push({
    name: x.sheet('definitions'),
    title: w.t('workbook.definitions.title'),
    columns: [
      { header: defCol('id'), kind: 'text', width: 24 },
      { header: defCol('indicator'), kind: 'text', width: 44 },
      { header: defCol('definition'), kind: 'text', width: 80 },
      { header: defCol('population'), kind: 'text', width: 30 },
      { header: defCol('unit'), kind: 'text', width: 14 },
      { header: defCol('decimals'), kind: 'integer' },
      { header: defCol('higherIsBetter'), kind: 'text' },
      { header: defCol('source'), kind: 'text', width: 44 },
      { header: defCol('years'), kind: 'text', width: 14 },
      { header: defCol('areaVersion'), kind: 'text', width: 24 },
      { header: defCol('lag'), kind: 'integer' },
    ],
    rows: catalogue
      .filter((d) => inReport.has(d.id))
      .map((d) => {
        const b = inReport.get(d.id);
        const years = (b?.series ?? []).filter((p) => p.value !== null).map((p) => p.year);
        const versions = [...new Set((b?.series ?? []).map((p) => formatAreaVersion(p.area_version)))];
        return [
          d.id,
          text.title({ id: d.id, title_sv: d.title_sv }),
          text.definition({ id: d.id, definition: d.definition }) ?? '',
          text.population({ id: d.id, population: d.population }) ?? '',
          lang === 'sv' ? d.unit : unitStyle(d.unit, lang).label,
          dec(d.unit),
          w.t(`workbook.definitions.direction.${d.higher_is_better === null ? 'none' : d.higher_is_better ? 'yes' : 'no'}`),
          d.source,
          years.length > 0 ? `${Math.min(...years)}–${Math.max(...years)}` : '..',
          versions.join(', '),
          d.lag_years,
        ];
      }),
  });
  // The sources' titles as SCB and Kolada publish them, in every language.
  sheets.push({
    name: x.sheet('sources'),
    title: title('sources'),
    columns: [
      { header: col('source'), kind: 'text' },
      { header: col('table'), kind: 'text', width: 18 },
      { header: col('title'), kind: 'text', width: 60 },
      { header: col('url'), kind: 'text', width: 60 },
      { header: col('fetched'), kind: 'text', width: 22 },
      { header: 'SHA-256', kind: 'text', width: 66 },
    ],
    rows: model.sources.map((s) => [s.source, s.table_id, s.title, s.url, s.fetched_at, s.sha256]),
  });
  sheets.push({
    name: x.sheet('caveats'),
    title: title('caveats'),
    columns: [
      { header: col('id'), kind: 'text', width: 28 },
      { header: col('caveat'), kind: 'text', width: 120 },
    ],
    rows: model.caveats.map((c) => [c.id, caveatText(c, lang)]),
  });

  const a = (k: string): string => w.t(`workbook.about.${k}`);
  const about: Value[][] = [
    [a('report'), a('reportTitle')],
    [a('area'), `${scope}${model.scope.level === 'riket' ? '' : ` (${model.scope.code})`}`],
    [a('level'), x.level(model.scope.level)],
    [a('year'), model.year],
    [a('created'), model.generated_at],
    [a('demo'), model.demo ? a('demoYes') : a('demoNo')],
    [a('threshold'), model.disclosure_threshold],
    [a('draws'), model.bootstrap_draws ?? '..'],
    [a('symbols'), a('symbolsText')],
    [a('rounding'), w.t('workbook.about.roundingText', { column: defCol('decimals'), sheet: x.sheet('definitions') })],
    ...sheets.map((s) => [w.t('workbook.about.sheet', { name: s.name }), s.title]),
  ];
  return [
    {
      name: x.sheet('about'),
      title: `${scope} ${model.year}`,
      columns: [
        { header: a('item'), kind: 'text', width: 30 },
        { header: col('value'), kind: 'text', width: 100 },
      ],
      rows: about,
    },
    ...sheets,
  ];
}

/** Excel number format for `decimals` decimals: `#,##0` or `#,##0.0…` (shown with the reader's own separators). */
export function numberFormat(decimals: number): string {
  return decimals === 0 ? '#,##0' : `#,##0.${'0'.repeat(decimals)}`;
}

const TITLE: XlsxStyle = { bold: true };
const HEADER: XlsxStyle = { bold: true, wrap: true };
const YEAR: XlsxStyle = { format: '0' };
const INTEGER: XlsxStyle = { format: '#,##0' };
/** One style per number of decimals, so the writer finds each by identity. */
const DECIMALS: XlsxStyle[] = [];
const decimalsStyle = (d: number): XlsxStyle => (DECIMALS[d] ??= { format: numberFormat(d) });

/** The sheets as xlsx-file.ts sheets: a title line, a bold header row kept in view, then the rows. */
export function workbookXlsxSheets(specs: readonly SheetSpec[]): XlsxSheet[] {
  return specs.map((s) => {
    const kinds = s.columns.map((c) => c.kind);
    return {
      name: s.name,
      frozenRows: 2,
      widths: s.columns.map((c) => c.width ?? Math.max(10, c.header.length + 2)),
      rows: [
        [{ value: s.title, style: TITLE }],
        s.columns.map((c) => ({ value: c.header, style: HEADER })),
        ...s.rows.map((r) =>
          kinds.map((kind, i): XlsxCell => {
            const v = r[i] ?? null;
            // Text, and a number in a text column, carry no style; other numbers their column's format.
            if (v === null || typeof v === 'string' || kind === 'text') return v;
            if (kind === 'year') return { value: v, style: YEAR };
            if (kind === 'integer') return { value: v, style: INTEGER };
            return { value: v, style: decimalsStyle(typeof kind === 'function' ? kind(r) : kind.decimals) };
          }),
        ),
      ],
    };
  });
}

/** The workbook's bytes: the same model gives the same bytes (its entries dated when the model was made). */
export async function workbookBytes(model: ReportModel, catalogue: readonly IndicatorDef[]): Promise<{ buffer: Buffer; sheets: string[] }> {
  const specs = workbookSheets(model, catalogue);
  const buffer = xlsxFile(workbookXlsxSheets(specs), new Date(model.generated_at));
  return { buffer, sheets: specs.map((s) => s.name) };
}

/** Writes the workbook atomically (temporary file, then rename) and returns its size and sheet names. */
export async function writeWorkbook(model: ReportModel, catalogue: readonly IndicatorDef[], outFile: string): Promise<{ bytes: number; sheets: string[] }> {
  const { buffer, sheets } = await workbookBytes(model, catalogue);
  await replaceFile(outFile, buffer);
  return { bytes: buffer.length, sheets };
}

/** The sheets behind the comparison lines and bands of the trend charts, the kommun's ranks and the maps. */
function comparisonAndMapSheets(model: ReportModel, scope: string, x: Words): SheetSpec[] {
  const { w, col, title, lang } = x;
  const out: SheetSpec[] = [];
  const blocks = model.chapters.flatMap((c) => c.indicators);
  const trend: Value[][] = [];
  for (const b of blocks) {
    const d = dec(b.unit);
    const years = new Set(b.series.map((p) => p.year));
    const lines = [{ name: scope, series: b.series }, ...(b.comparison_series ?? []).map((c) => ({ name: c.level === 'riket' ? w.t('workbook.riket') : c.name, series: c.series }))];
    if (lines.length < 2 && !b.similar) continue;
    const row = (area: string, year: number, v: Value, n: number | null): Value[] => x.withUnit([x.indicator(b), x.unit(b.unit), area, year, v, n], b.unit);
    for (const l of lines) for (const p of [...l.series].sort((p1, p2) => p1.year - p2.year)) if (years.has(p.year)) trend.push(row(l.name, p.year, val(p.value, d, p.status), null));
    for (const s of b.similar?.band ?? []) {
      if (!years.has(s.year)) continue;
      trend.push(row(w.t('workbook.similar.min'), s.year, val(s.min, d), s.n));
      trend.push(row(w.t('workbook.similar.median'), s.year, val(s.median, d), s.n));
      trend.push(row(w.t('workbook.similar.max'), s.year, val(s.max, d), s.n));
    }
  }
  if (trend.length > 0) {
    // Kolada's group title and the kommun names as Kolada publishes them.
    const group = blocks.find((b) => b.similar)?.similar;
    out.push({
      name: x.sheet('comparisonsByYear'),
      title: title('comparisonsByYear', { scope }) + (group ? title('comparisonsByYearSimilar', { group: group.group_title, members: group.members.map((m) => m.name).join(', ') }) : ''),
      columns: [
        { header: col('indicator'), kind: 'text', width: 48 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('area'), kind: 'text', width: 30 },
        { header: col('year'), kind: 'year' },
        { header: col('value'), kind: x.perUnit },
        { header: col('nWithValue'), kind: 'integer' },
      ],
      rows: trend,
    });
  }
  const ranks = blocks.flatMap((b) =>
    b.rank ? [[x.indicator(b), x.unit(b.unit), b.rank.year, b.rank.rank_riket ?? '..', b.rank.n_riket, b.rank.ties_riket, b.rank.rank_lan ?? '..', b.rank.n_lan, b.rank.ties_lan]] : [],
  );
  if (ranks.length > 0) {
    out.push({
      name: x.sheet('rank'),
      title: title('rank', { scope }),
      columns: [
        { header: col('indicator'), kind: 'text', width: 48 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('year'), kind: 'year' },
        { header: col('rankRiket'), kind: 'integer' },
        { header: col('nRiket'), kind: 'integer' },
        { header: col('tiesRiket'), kind: 'integer' },
        { header: col('rankLan'), kind: 'integer' },
        { header: col('nLan'), kind: 'integer' },
        { header: col('tiesLan'), kind: 'integer' },
      ],
      rows: ranks,
    });
  }
  const maps = model.maps ?? [];
  if (maps.length > 0) {
    // A map's unit: the catalogue's (its name in the language), or the area type.
    const mapUnit = (u: string): string => (u === 'områdestyp' ? w.t('workbook.areaTypeUnit') : u === 'index' ? u : x.unit(u));
    out.push({
      name: x.sheet('maps'),
      title: title('maps', { scope, sources: [...new Set(maps.map((m) => mapGeometrySource(m, w)))].join('; ') }),
      columns: [
        { header: col('map'), kind: 'text', width: 44 },
        { header: col('unit'), kind: 'text', width: 14 },
        { header: col('year'), kind: 'year' },
        { header: col('code'), kind: 'text', width: 12 },
        { header: col('area'), kind: 'text', width: 30 },
        { header: col('value'), kind: x.perUnit },
        { header: col('areaVersion'), kind: 'text', width: 16 },
      ],
      rows: maps.flatMap((m) => {
        const decimals = m.unit === 'index' ? INDEX : m.unit === 'områdestyp' ? 0 : 1;
        return m.areas.map((ar) => {
          const r: Value[] = [lang === 'sv' ? m.title_sv : mapTitle(m, w), mapUnit(m.unit), m.year, ar.code, ar.name, m.variable === 'area_type' ? (ar.area_type ?? '..') : val(ar.value, m.decimals, ar.status), formatAreaVersion(m.area_version)];
          return x.withDecimals(r, decimals);
        });
      }),
    });
  }
  return out;
}
