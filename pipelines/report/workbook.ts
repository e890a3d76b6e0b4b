/**
 * The Excel workbook beside each report PDF: every table of the report and the numbers behind every chart, one
 * sheet per kind of table, from the same ReportModel the PDF is drawn from; plus a sheet of definitions and sources.
 * Swedish headers; numbers are numbers, rounded to the decimals the report prints and shown with a number format of
 * those decimals (Excel in Swedish shows them with decimal comma and space between thousands). A value missing or
 * protected is SCB's symbol as text (`..`, `.`, `:`), as in SCB's own Excel files.
 *
 * Written with write-excel-file (MIT; writes .xlsx only, one small dependency, fflate). Tables are reshaped with
 * arquero: the years of each indicator pivoted into columns.
 */
import * as aq from 'arquero';
import { replaceFile } from '../write-output.ts';
import writeXlsxFile, { type Cell, type Sheet } from 'write-excel-file/node';
import type { IndicatorDef } from '../catalogue.ts';
import { formatAreaVersion, printedDiff, unitStyle } from './format.ts';
import type { AreaTypeIndicator, ReportModel } from './model.ts';
import { comparisonPhrase, gapVerdict, gapVerdictWord, printedGap, type AreaTypeScopeLevel } from './summary.ts';
import { reformIndicatorRows } from './reforms.ts';
import { kommunChangeVerdict } from './verdict.ts';
import { catalogueText } from './catalogue-text.ts';
import { wording } from './wording.ts';

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

const LEVEL: Record<string, string> = { riket: 'Riket', lan: 'Län', kommun: 'Kommun', regso: 'RegSO', deso: 'DeSO' };
const STATUS: Record<string, string> = {
  ok: '',
  suppressed: 'skyddad enligt röjandegränsen',
  confidential: 'sekretess i källan',
  ':': 'sekretess i källan',
  '..': 'uppgift saknas',
  '.': 'uppgift kan inte förekomma',
  noise: 'skyddad med cellnyckelmetoden',
  missing: 'uppgift saknas',
  no_areas: 'inga områden av typen',
};
const statusWord = (s: string | null | undefined): string => (s === null || s === undefined ? '' : (STATUS[s] ?? s));

/** The column of each indicator's unit (its decimals) in a sheet whose rows mix units. */
const byUnitColumn = (unitIndex: number) => (row: readonly Value[]) => dec(String(row[unitIndex] ?? ''));

/**
 * Every sheet of one report's workbook. `catalogue` gives definitions and populations, which the model does not
 * carry; everything else is the model's.
 */
export function workbookSheets(model: ReportModel, catalogue: readonly IndicatorDef[]): SheetSpec[] {
  const scope = model.scope.level === 'riket' ? 'Riket' : model.scope.name;
  const sheets: SheetSpec[] = [];
  const indicators = model.chapters.flatMap((c) => c.indicators.map((b) => ({ chapter: c.title_sv, b })));

  // Long form: one row per indicator and year, as the line charts draw them.
  const long: Value[][] = indicators.flatMap(({ chapter, b }) =>
    [...b.series]
      .sort((x, y) => x.year - y.year)
      .map((p) => [chapter, b.id, b.title_sv, b.unit, p.year, val(p.value, dec(b.unit), p.status), statusWord(p.status), formatAreaVersion(p.area_version), b.source]),
  );
  sheets.push({
    name: 'Indikatorer',
    title: `Indikatorerna för ${scope} per år (diagrammen i kapitlen om politikområdena)`,
    columns: [
      { header: 'Kapitel', kind: 'text', width: 22 },
      { header: 'Indikator-id', kind: 'text', width: 24 },
      { header: 'Indikator', kind: 'text', width: 48 },
      { header: 'Enhet', kind: 'text', width: 14 },
      { header: 'År', kind: 'year' },
      { header: 'Värde', kind: byUnitColumn(3) },
      { header: 'Status', kind: 'text', width: 26 },
      { header: 'Områdesindelning', kind: 'text', width: 16 },
      { header: 'Källa', kind: 'text', width: 40 },
    ],
    rows: long,
  });

  // Wide form: years as columns (arquero pivot), one row per indicator.
  const points = indicators.flatMap(({ b }) =>
    b.series.map((p) => ({ id: b.id, title: b.title_sv, unit: b.unit, year: String(p.year), cell: val(p.value, dec(b.unit), p.status) })),
  );
  if (points.length > 0) {
    const wide = aq.from(points).groupby('id', 'title', 'unit').pivot('year', { cell: (d: { cell: Value }) => aq.op.any(d.cell) });
    const years = wide.columnNames().filter((c) => /^\d{4}$/.test(c)).sort();
    const order = new Map(indicators.map(({ b }, i) => [b.id, i]));
    const rows = (wide.objects() as Record<string, Value>[])
      .sort((a, b) => (order.get(String(a.id)) ?? 0) - (order.get(String(b.id)) ?? 0))
      .map((r) => [r.title ?? '', r.unit ?? '', ...years.map((y) => r[y] ?? null)]);
    sheets.push({
      name: 'Indikatorer per år',
      title: `Indikatorerna för ${scope}, ett år per kolumn`,
      columns: [{ header: 'Indikator', kind: 'text', width: 48 }, { header: 'Enhet', kind: 'text', width: 14 }, ...years.map((y) => ({ header: y, kind: byUnitColumn(1) }))],
      rows,
    });
  }

  const comparisons = indicators.flatMap(({ b }) => {
    const own = b.series.find((p) => p.year === b.comparisons?.[0]?.year);
    return (b.comparisons ?? []).length === 0
      ? []
      : [
          [b.title_sv, b.unit, scope, own?.year ?? b.latest_year, val(own?.value, dec(b.unit), own?.status)],
          ...(b.comparisons ?? []).map((c) => [b.title_sv, b.unit, c.name, c.year, val(c.value, dec(b.unit))]),
        ];
  });
  if (comparisons.length > 0) {
    sheets.push({
      name: 'Jämförelser',
      title: `${scope} jämfört med län och riket, senaste år`,
      columns: [
        { header: 'Indikator', kind: 'text', width: 48 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'Område', kind: 'text', width: 24 },
        { header: 'År', kind: 'year' },
        { header: 'Värde', kind: byUnitColumn(1) },
      ],
      rows: comparisons,
    });
  }

  const kommuner = indicators.flatMap(({ b }) =>
    b.by_kommun.map((k) => {
      const d = dec(b.unit);
      const change = k.value !== null && k.first_value !== null && k.first_value !== undefined ? printedDiff(k.first_value, k.value, d) : null;
      return [b.title_sv, b.unit, k.code, k.name, k.lan_code, b.first_year ?? null, val(k.first_value, d), b.latest_year, val(k.value, d, k.status), change ?? '..', statusWord(k.status)];
    }),
  );
  if (kommuner.length > 0) {
    sheets.push({
      name: 'Kommuner',
      title: model.scope.level === 'riket' ? 'Alla kommuners värden, första och senaste år' : `Kommunernas värden i ${scope}, första och senaste år`,
      columns: [
        { header: 'Indikator', kind: 'text', width: 48 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'Kommunkod', kind: 'text' },
        { header: 'Kommun', kind: 'text', width: 20 },
        { header: 'Länskod', kind: 'text' },
        { header: 'Första år', kind: 'year' },
        { header: 'Värde första år', kind: byUnitColumn(1) },
        { header: 'Senaste år', kind: 'year' },
        { header: 'Värde senaste år', kind: byUnitColumn(1) },
        { header: 'Förändring', kind: byUnitColumn(1) },
        { header: 'Status', kind: 'text', width: 26 },
      ],
      rows: kommuner,
    });
  }

  const lan = indicators.flatMap(({ b }) => b.by_lan.map((l) => [b.title_sv, b.unit, l.code, l.name, b.latest_year, val(l.value, dec(b.unit), l.status), statusWord(l.status)]));
  if (lan.length > 0) {
    sheets.push({
      name: 'Län',
      title: 'Länens värden, senaste år',
      columns: [
        { header: 'Indikator', kind: 'text', width: 48 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'Länskod', kind: 'text' },
        { header: 'Län', kind: 'text', width: 22 },
        { header: 'År', kind: 'year' },
        { header: 'Värde', kind: byUnitColumn(1) },
        { header: 'Status', kind: 'text', width: 26 },
      ],
      rows: lan,
    });
  }

  const segRows: Value[][] = [];
  for (const s of model.segregation) {
    for (const [unit, series] of [[s.unit_level, s.series], ...(s.other_unit_level ? [[s.other_unit_level.unit_level, s.other_unit_level.series] as const] : [])] as const) {
      for (const p of [...series].sort((a, b) => a.year - b.year)) {
        segRows.push([
          s.measure,
          s.groups,
          LEVEL[unit] ?? unit,
          p.year,
          val(p.value, INDEX, p.status),
          val(p.expected, INDEX),
          val(p.ci_low, INDEX),
          val(p.ci_high, INDEX),
          p.n_units,
          statusWord(p.status),
          p.area_version ? formatAreaVersion(p.area_version) : '',
        ]);
      }
    }
  }
  if (segRows.length > 0) {
    sheets.push({
      name: 'Segregation',
      title: `Segregationsindex för ${scope} per år (kapitlet Segregation)`,
      columns: [
        { header: 'Mått', kind: 'text', width: 28 },
        { header: 'Grupper', kind: 'text', width: 44 },
        { header: 'Delområden', kind: 'text' },
        { header: 'År', kind: 'year' },
        { header: 'Index', kind: { decimals: INDEX } },
        { header: 'Förväntat vid slump', kind: { decimals: INDEX } },
        { header: '95 % intervall, nedre', kind: { decimals: INDEX } },
        { header: '95 % intervall, övre', kind: { decimals: INDEX } },
        { header: 'Antal delområden', kind: 'integer' },
        { header: 'Status', kind: 'text', width: 26 },
        { header: 'Områdesindelning', kind: 'text', width: 16 },
      ],
      rows: segRows,
    });
  }
  const SEG_VERDICT = { increase: 'säkerställd ökning', decrease: 'säkerställd minskning', none: 'ingen säkerställd förändring' } as const;
  const segKommun = model.segregation.flatMap((s) =>
    s.by_kommun.map((k) => [
      s.measure,
      s.groups,
      k.code,
      k.name,
      val(k.first_value, INDEX),
      val(k.value, INDEX, k.status),
      k.value !== null && k.first_value !== null ? printedDiff(k.first_value, k.value, INDEX) : '..',
      // The verdict the PDF's kommun table printed before the table moved here (riket report, 290 rows).
      k.value !== null && k.first_value !== null ? SEG_VERDICT[kommunChangeVerdict({ ...k, value: k.value, first_value: k.first_value }, INDEX).verdict] : '..',
      k.n_units,
    ]),
  );
  if (segKommun.length > 0) {
    sheets.push({
      name: 'Segregation per kommun',
      title: 'Kommunernas segregationsindex, första och senaste år',
      columns: [
        { header: 'Mått', kind: 'text', width: 28 },
        { header: 'Grupper', kind: 'text', width: 44 },
        { header: 'Kommunkod', kind: 'text' },
        { header: 'Kommun', kind: 'text', width: 20 },
        { header: 'Första år', kind: { decimals: INDEX } },
        { header: 'Senaste år', kind: { decimals: INDEX } },
        { header: 'Förändring', kind: { decimals: INDEX } },
        { header: 'Bedömning', kind: 'text', width: 30 },
        { header: 'Antal delområden', kind: 'integer' },
      ],
      rows: segKommun,
    });
  }
  const decomposition = model.segregation.flatMap((s) =>
    (s.decomposition?.years ?? []).flatMap((y) => y.terms.map((t) => [s.groups, y.year, formatAreaVersion(y.unit_version), t.component, val(t.M, MULTI), val(t.H, MULTI)])),
  );
  if (decomposition.length > 0) {
    sheets.push({
      name: 'Dekomposition',
      title: 'Segregationen i riket uppdelad på län, kommuner och områden inom kommunerna (M i nat, H = M / entropin)',
      columns: [
        { header: 'Grupper', kind: 'text', width: 44 },
        { header: 'År', kind: 'year' },
        { header: 'Områdesindelning', kind: 'text', width: 16 },
        { header: 'Del', kind: 'text', width: 28 },
        { header: 'M', kind: { decimals: MULTI } },
        { header: 'H', kind: { decimals: MULTI } },
      ],
      rows: decomposition,
    });
  }

  const at = model.area_types;
  if (at) {
    sheets.push({
      name: 'Områdestyper invånare',
      title: `Invånare per områdestyp i ${scope} (andel i procent)`,
      columns: [
        { header: 'År', kind: 'year' },
        { header: 'Områdestyp', kind: 'text', width: 44 },
        { header: 'Antal RegSO', kind: 'integer' },
        { header: 'Invånare', kind: 'integer' },
        { header: 'Andel', kind: { decimals: 1 } },
        { header: 'Status', kind: 'text', width: 26 },
      ],
      rows: [...at.population]
        .sort((a, b) => a.year - b.year || (a.area_type ?? 9) - (b.area_type ?? 9))
        .map((p) => [p.year, p.area_type === null ? 'Utan områdestyp' : `${p.area_type} ${at.types.find((t) => t.area_type === p.area_type)?.name_sv ?? ''}`, p.n_areas, val(p.population, 0), val(p.share, 1), statusWord(p.status)]),
    });
    sheets.push({
      name: 'Områdestyper värden',
      title: `Indikatorerna per områdestyp i ${scope}`,
      columns: [
        { header: 'Indikator', kind: 'text', width: 48 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'År', kind: 'year' },
        { header: 'Områdestyp', kind: 'integer' },
        { header: 'Värde', kind: byUnitColumn(1) },
        { header: 'Antal RegSO', kind: 'integer' },
        { header: 'Status', kind: 'text', width: 26 },
      ],
      rows: at.indicators.flatMap((i) => i.by_type.map((t) => [i.title_sv, i.unit, i.year, t.area_type, val(t.value, dec(i.unit), t.status), t.n_areas, statusWord(t.status)])),
    });
    // The by-type trend charts (area-types chapter), where the model carries them.
    type Trend = { trend?: { year: number; area_type: number; value: number | null; status: string }[] };
    const trend = at.indicators.flatMap((i) =>
      [...((i as Trend).trend ?? [])].sort((x, y) => x.year - y.year || x.area_type - y.area_type).map((t) => [i.title_sv, i.unit, t.year, t.area_type, val(t.value, dec(i.unit), t.status), statusWord(t.status)]),
    );
    if (trend.length > 0) {
      sheets.push({
        name: 'Områdestyper per år',
        title: `Indikatorerna per områdestyp och år i ${scope} (diagrammen över utvecklingen per områdestyp)`,
        columns: [
          { header: 'Indikator', kind: 'text', width: 48 },
          { header: 'Enhet', kind: 'text', width: 14 },
          { header: 'År', kind: 'year' },
          { header: 'Områdestyp', kind: 'integer' },
          { header: 'Värde', kind: byUnitColumn(1) },
          { header: 'Status', kind: 'text', width: 26 },
        ],
        rows: trend,
      });
    }
    // As the report's table prints them: the comparison the scope gets, gaps as differences of the printed values,
    // the change as the difference of the printed gaps, and the warehouse's verdict on it (summary.ts).
    const level: AreaTypeScopeLevel = model.scope.level === 'riket' || model.scope.level === 'lan' ? model.scope.level : 'kommun';
    const comparisonText = (i: AreaTypeIndicator): string =>
      i.comparison === 'single_type' ? 'ingen: en enda områdestyp' : i.comparison === 'no_types' ? 'ingen: inga områdestyper' : comparisonPhrase(i, level);
    sheets.push({
      name: 'Områdestyper skillnader',
      title: 'Skillnaden mellan områdestyperna i jämförelsen, basår och senaste år, räknad på de avrundade värdena, och bedömningen av förändringen',
      columns: [
        { header: 'Indikator', kind: 'text', width: 48 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'Jämförelse', kind: 'text', width: 36 },
        { header: 'Basår', kind: 'year' },
        { header: 'Skillnad basår', kind: { decimals: 1 } },
        { header: 'År', kind: 'year' },
        { header: 'Skillnad', kind: { decimals: 1 } },
        { header: 'Förändring', kind: { decimals: 1 } },
        { header: 'Bedömning', kind: 'text', width: 28 },
        { header: 'Status', kind: 'text', width: 26 },
      ],
      rows: at.indicators.map((i) => {
        const now = printedGap(i, 'latest');
        const then = printedGap(i, 'base');
        const change = now === null || then === null || i.year === i.base_year ? null : printedDiff(then, now, 1);
        return [i.title_sv, i.unit, comparisonText(i), i.base_year, val(then, 1), i.year, val(now, 1, i.status), val(change, 1), gapVerdictWord(gapVerdict(i)), statusWord(i.status)];
      }),
    });
    sheets.push({
      name: 'Indexgränser',
      title: 'Det socioekonomiska indexet över alla RegSO per år: medelvärde, standardavvikelse och RegSO per typ',
      columns: [
        { header: 'År', kind: 'year' },
        { header: 'Områdesindelning', kind: 'text', width: 16 },
        { header: 'Antal RegSO', kind: 'integer' },
        { header: 'Utan typ', kind: 'integer' },
        { header: 'Medelvärde', kind: { decimals: 2 } },
        { header: 'Standardavvikelse', kind: { decimals: 2 } },
        ...[1, 2, 3, 4, 5].map((t) => ({ header: `Typ ${t}`, kind: 'integer' as const })),
      ],
      rows: at.cuts.map((c) => [c.year, formatAreaVersion(c.area_version), c.n_areas, c.n_unclassified, val(c.mean, 2), val(c.sd, 2), ...c.n_by_type]),
    });
    type Spread = { index_spread?: { year: number; n_regso: number; n_indexed: number; min: number | null; median: number | null; max: number | null; national_mean: number | null; national_sd: number | null }[] };
    const spread = (at as Spread).index_spread ?? [];
    if (spread.length > 0) {
      sheets.push({
        name: 'Indexspridning',
        title: `Det socioekonomiska indexet över RegSO i ${scope}, med rikets medelvärde och standardavvikelse samma år`,
        columns: [
          { header: 'År', kind: 'year' },
          { header: 'Antal RegSO', kind: 'integer' },
          { header: 'Med index', kind: 'integer' },
          { header: 'Lägsta', kind: { decimals: 2 } },
          { header: 'Median', kind: { decimals: 2 } },
          { header: 'Högsta', kind: { decimals: 2 } },
          { header: 'Riket, medelvärde', kind: { decimals: 2 } },
          { header: 'Riket, standardavvikelse', kind: { decimals: 2 } },
        ],
        rows: spread.map((x) => [x.year, x.n_regso, x.n_indexed, val(x.min, 2), val(x.median, 2), val(x.max, 2), val(x.national_mean, 2), val(x.national_sd, 2)]),
      });
    }
    if (at.regso && at.regso.length > 0) {
      sheets.push({
        name: 'RegSO',
        title: `RegSO i ${scope} och deras områdestyp första och senaste år (${at.regso_years?.first ?? '..'} och ${at.regso_years?.latest ?? '..'})`,
        columns: [
          { header: 'RegSO-kod', kind: 'text' },
          { header: 'RegSO', kind: 'text', width: 36 },
          { header: 'Typ första år', kind: 'integer' },
          { header: 'Typ senaste år', kind: 'integer' },
          { header: 'Index senaste år', kind: { decimals: 2 } },
        ],
        rows: at.regso.map((r) => [r.code, r.name, r.first_type ?? '..', r.latest_type ?? '..', val(r.latest_index, 2)]),
      });
    }
  }

  // Trends beside the län, riket and similar kommuner, ranks, and the maps' numbers (comparisons.ts, maps.ts).
  sheets.push(...comparisonAndMapSheets(model, scope));

  if (model.reforms) {
    const rows = reformIndicatorRows(model, model.reforms);
    const title = new Map(model.reforms.reforms.map((r) => [r.n, r.title_sv]));
    sheets.push({
      name: 'Reformprogrammet',
      title: `Reformprogrammets reformer och indikatorerna som följer dem i ${scope}`,
      columns: [
        { header: 'Nr', kind: 'integer' },
        { header: 'Reform', kind: 'text', width: 50 },
        { header: 'Indikator', kind: 'text', width: 44 },
        { header: 'Samband', kind: 'text' },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'Första år', kind: 'year' },
        { header: 'Värde första år', kind: byUnitColumn(4) },
        { header: 'Senaste år', kind: 'year' },
        { header: 'Värde senaste år', kind: byUnitColumn(4) },
        { header: 'Förändring', kind: byUnitColumn(4) },
        { header: 'Anmärkning', kind: 'text', width: 60 },
      ],
      rows: [...model.reforms.reforms]
        .sort((a, b) => a.n - b.n)
        .flatMap((r) => {
          const own = rows.filter((x) => x.reform_n === r.n);
          if (own.length === 0) return [[r.n, r.title_sv, 'Inget öppet mått', '', '', null, null, null, null, null, r.no_indicator_sv ?? '']];
          return own.map((x) => [
            r.n,
            title.get(r.n) ?? '',
            x.title_sv,
            x.relation === 'direct' ? 'direkt' : 'närliggande',
            x.unit,
            x.first_year,
            val(x.first_value, dec(x.unit)),
            x.latest_year,
            val(x.latest_value, dec(x.unit)),
            x.change ?? '..',
            x.note_sv,
          ]);
        }),
    });
  }

  const inReport = new Map(indicators.map(({ b }) => [b.id, b]));
  for (const i of model.area_types?.indicators ?? []) if (!inReport.has(i.id)) inReport.set(i.id, { id: i.id, title_sv: i.title_sv, unit: i.unit, series: [], source: '' } as never);
  // The definitions in the report's language (templates/wording `workbook.definitions`, the catalogue's _en fields).
  const lang = model.lang ?? 'sv';
  const w = wording(lang);
  const text = catalogueText(lang);
  const col = (k: string): string => w.t(`workbook.definitions.columns.${k}`);
  sheets.push({
    name: 'Definitioner',
    title: w.t('workbook.definitions.title'),
    columns: [
      { header: col('id'), kind: 'text', width: 24 },
      { header: col('indicator'), kind: 'text', width: 44 },
      { header: col('definition'), kind: 'text', width: 80 },
      { header: col('population'), kind: 'text', width: 30 },
      { header: col('unit'), kind: 'text', width: 14 },
      { header: col('decimals'), kind: 'integer' },
      { header: col('higherIsBetter'), kind: 'text' },
      { header: col('source'), kind: 'text', width: 44 },
      { header: col('years'), kind: 'text', width: 14 },
      { header: col('areaVersion'), kind: 'text', width: 24 },
      { header: col('lag'), kind: 'integer' },
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
  sheets.push({
    name: 'Källor',
    title: 'Tabeller och KPI:er som rapportens siffror hämtats från',
    columns: [
      { header: 'Källa', kind: 'text' },
      { header: 'Tabell/KPI', kind: 'text', width: 18 },
      { header: 'Titel', kind: 'text', width: 60 },
      { header: 'Adress', kind: 'text', width: 60 },
      { header: 'Hämtad', kind: 'text', width: 22 },
      { header: 'SHA-256', kind: 'text', width: 66 },
    ],
    rows: model.sources.map((s) => [s.source, s.table_id, s.title, s.url, s.fetched_at, s.sha256]),
  });
  sheets.push({
    name: 'Förbehåll',
    title: 'Förbehåll som gäller rapportens siffror',
    columns: [
      { header: 'Id', kind: 'text', width: 28 },
      { header: 'Förbehåll', kind: 'text', width: 120 },
    ],
    rows: model.caveats.map((c) => [c.id, c.text]),
  });

  const about: Value[][] = [
    ['Rapport', 'Uppföljning av reformprogrammet för minskad segregation 2017–2025'],
    ['Område', `${scope}${model.scope.level === 'riket' ? '' : ` (${model.scope.code})`}`],
    ['Nivå', LEVEL[model.scope.level] ?? model.scope.level],
    ['Rapportår', model.year],
    ['Skapad', model.generated_at],
    ['Demodata', model.demo ? 'Ja – syntetiska uppgifter, beskriver inte verkliga förhållanden' : 'Nej'],
    ['Röjandegräns, personer', model.disclosure_threshold],
    ['Bootstrapdragningar', model.bootstrap_draws ?? '..'],
    ['Teckenförklaring', '.. uppgift saknas; . uppgift kan inte förekomma; : skyddad (sekretess i källan eller under röjandegränsen)'],
    ['Avrundning', 'Talen är avrundade till det antal decimaler som rapporten visar (kolumnen Decimaler på bladet Definitioner).'],
    ...sheets.map((s) => [`Blad: ${s.name}`, s.title]),
  ];
  return [
    {
      name: 'Om filen',
      title: `${scope} ${model.year}`,
      columns: [
        { header: 'Uppgift', kind: 'text', width: 30 },
        { header: 'Värde', kind: 'text', width: 100 },
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

function cellOf(v: Value, kind: ColumnKind, row: readonly Value[]): Cell {
  if (v === null) return null;
  if (typeof v === 'string') return { type: String, value: v };
  if (kind === 'year') return { type: Number, value: v, format: '0' };
  if (kind === 'integer') return { type: Number, value: v, format: '#,##0' };
  if (kind === 'text') return { type: Number, value: v };
  const d = typeof kind === 'function' ? kind(row) : kind.decimals;
  return { type: Number, value: v, format: numberFormat(d) };
}

/** The sheets as write-excel-file sheets: a title line, a bold header row kept in view, then the rows. */
export function toXlsxSheets(specs: readonly SheetSpec[]): Sheet<Buffer>[] {
  return specs.map((s) => ({
    sheet: s.name,
    stickyRowsCount: 2,
    columns: s.columns.map((c) => ({ width: c.width ?? Math.max(10, c.header.length + 2) })),
    data: [
      [{ type: String, value: s.title, fontWeight: 'bold' }],
      s.columns.map((c) => ({ type: String, value: c.header, fontWeight: 'bold' as const, wrap: true })),
      ...s.rows.map((r) => s.columns.map((c, i) => cellOf(r[i] ?? null, c.kind, r))),
    ],
  }));
}

/**
 * Sets the modification time of every entry of a ZIP archive (an .xlsx) to `at`, in place, so the same workbook
 * gives the same bytes. write-excel-file (through fflate) stamps each entry with the clock and has no option for it;
 * the time is only in the entries' local and central headers (MS-DOS date and time, 2-second steps, no time zone:
 * written in UTC), outside the CRC, so nothing else changes. `at` before 1980 (DOS dates start there) is 1980-01-01.
 */
export function fixZipTimes(zip: Buffer, at: Date): Buffer {
  const t = Number.isFinite(at.getTime()) && at.getUTCFullYear() >= 1980 ? at : new Date(Date.UTC(1980, 0, 1));
  const time = (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1);
  const date = ((t.getUTCFullYear() - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate();
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('the workbook writer gave no ZIP archive (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`the workbook's ZIP entry ${i}: no central directory header`);
    const local = zip.readUInt32LE(p + 42);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`the workbook's ZIP entry ${i}: no local header`);
    zip.writeUInt16LE(time, p + 12);
    zip.writeUInt16LE(date, p + 14);
    zip.writeUInt16LE(time, local + 10);
    zip.writeUInt16LE(date, local + 12);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return zip;
}

/** The workbook's bytes: the same model gives the same bytes (its entries dated when the model was made). */
export async function workbookBytes(model: ReportModel, catalogue: readonly IndicatorDef[]): Promise<{ buffer: Buffer; sheets: string[] }> {
  const specs = workbookSheets(model, catalogue);
  const buffer = fixZipTimes(await writeXlsxFile(toXlsxSheets(specs)).toBuffer(), new Date(model.generated_at));
  return { buffer, sheets: specs.map((s) => s.name) };
}

/** Writes the workbook atomically (temporary file, then rename) and returns its size and sheet names. */
export async function writeWorkbook(model: ReportModel, catalogue: readonly IndicatorDef[], outFile: string): Promise<{ bytes: number; sheets: string[] }> {
  const { buffer, sheets } = await workbookBytes(model, catalogue);
  await replaceFile(outFile, buffer);
  return { bytes: buffer.length, sheets };
}

/** The sheets behind the comparison lines and bands of the trend charts, the kommun's ranks and the maps. */
function comparisonAndMapSheets(model: ReportModel, scope: string): SheetSpec[] {
  const out: SheetSpec[] = [];
  const blocks = model.chapters.flatMap((c) => c.indicators);
  const trend: Value[][] = [];
  for (const b of blocks) {
    const d = dec(b.unit);
    const years = new Set(b.series.map((p) => p.year));
    const lines = [{ name: scope, series: b.series }, ...(b.comparison_series ?? []).map((c) => ({ name: c.level === 'riket' ? 'Riket' : c.name, series: c.series }))];
    if (lines.length < 2 && !b.similar) continue;
    for (const l of lines) for (const p of [...l.series].sort((x, y) => x.year - y.year)) if (years.has(p.year)) trend.push([b.title_sv, b.unit, l.name, p.year, val(p.value, d, p.status), null]);
    for (const x of b.similar?.band ?? []) {
      if (!years.has(x.year)) continue;
      trend.push([b.title_sv, b.unit, 'Liknande kommuner, lägsta', x.year, val(x.min, d), x.n]);
      trend.push([b.title_sv, b.unit, 'Liknande kommuner, median', x.year, val(x.median, d), x.n]);
      trend.push([b.title_sv, b.unit, 'Liknande kommuner, högsta', x.year, val(x.max, d), x.n]);
    }
  }
  if (trend.length > 0) {
    const group = blocks.find((b) => b.similar)?.similar;
    out.push({
      name: 'Jämförelser per år',
      title:
        `${scope} per år bredvid länet och riket` +
        (group ? `, och liknande kommuner enligt Kolada (${group.group_title}: ${group.members.map((m) => m.name).join(', ')})` : ''),
      columns: [
        { header: 'Indikator', kind: 'text', width: 48 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'Område', kind: 'text', width: 30 },
        { header: 'År', kind: 'year' },
        { header: 'Värde', kind: byUnitColumn(1) },
        { header: 'Antal kommuner med värde', kind: 'integer' },
      ],
      rows: trend,
    });
  }
  const ranks = blocks.flatMap((b) =>
    b.rank ? [[b.title_sv, b.unit, b.rank.year, b.rank.rank_riket ?? '..', b.rank.n_riket, b.rank.ties_riket, b.rank.rank_lan ?? '..', b.rank.n_lan, b.rank.ties_lan]] : [],
  );
  if (ranks.length > 0) {
    out.push({
      name: 'Placering',
      title: `Platsen för ${scope} bland kommunerna i riket och i länet (1 = högst värde; lika avrundade värden delar plats)`,
      columns: [
        { header: 'Indikator', kind: 'text', width: 48 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'År', kind: 'year' },
        { header: 'Plats i riket', kind: 'integer' },
        { header: 'Kommuner med värde i riket', kind: 'integer' },
        { header: 'Delar plats med (riket)', kind: 'integer' },
        { header: 'Plats i länet', kind: 'integer' },
        { header: 'Kommuner med värde i länet', kind: 'integer' },
        { header: 'Delar plats med (länet)', kind: 'integer' },
      ],
      rows: ranks,
    });
  }
  const maps = model.maps ?? [];
  if (maps.length > 0) {
    out.push({
      name: 'Kartor',
      title: `Värdena i kartorna över ${scope} (gränser: ${[...new Set(maps.map((m) => m.geometry_source))].join('; ')})`,
      columns: [
        { header: 'Karta', kind: 'text', width: 44 },
        { header: 'Enhet', kind: 'text', width: 14 },
        { header: 'År', kind: 'year' },
        { header: 'Kod', kind: 'text', width: 12 },
        { header: 'Område', kind: 'text', width: 30 },
        { header: 'Värde', kind: (row) => (row[1] === 'index' ? INDEX : row[1] === 'områdestyp' ? 0 : 1) },
        { header: 'Områdesindelning', kind: 'text', width: 16 },
      ],
      rows: maps.flatMap((m) =>
        m.areas.map((a) => [m.title_sv, m.unit, m.year, a.code, a.name, m.variable === 'area_type' ? (a.area_type ?? '..') : val(a.value, m.decimals, a.status), formatAreaVersion(m.area_version)]),
      ),
    });
  }
  return out;
}
