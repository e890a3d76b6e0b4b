import type { DuckDBConnection } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context.ts';
import { queryFile, type Row } from '../db.ts';
import { loadIndicators, loadSources } from '../catalogue.ts';
import { MESSAGES, message, type MessageId } from '../messages.ts';
import { FIRST_YEAR } from '../config.ts';
import { buildReportPdf } from '../report/build-pdf.ts';
import type { IndicatorBlock, PolicyArea, ReportModel, SegregationBlock, SourceRow } from '../report/model.ts';
import { SEGREGATION_SPLITS_ENGINE } from './segregation.ts';

export interface ReportResult {
  files: { name: string; kind: string; pages?: number; bytes: number }[];
  reports: number;
}

const CHAPTERS: { area: PolicyArea; title: string }[] = [
  { area: 'boende', title: 'Boende' },
  { area: 'utbildning', title: 'Utbildning' },
  { area: 'arbete', title: 'Arbete' },
  { area: 'demokrati', title: 'Demokrati och civilsamhälle' },
  { area: 'brottslighet', title: 'Brottslighet' },
  { area: 'ekonomi', title: 'Ekonomi' },
  { area: 'befolkning', title: 'Befolkning' },
];

/**
 * Reads the warehouse into one ReportModel per requested report, renders each PDF and writes the data exports,
 * all into `stagingDir` (the run moves the folder into place whole once everything has succeeded).
 */
export async function report(ctx: Context, conn: DuckDBConnection, stagingDir: string): Promise<ReportResult> {
  const result: ReportResult = { files: [], reports: 0 };
  const scopes = await reportScopes(ctx, conn);
  const [last] = await queryFile(conn, 'report/last_ingest');
  // A synthetic warehouse must never yield an unmarked report, even when `report` runs without --demo.
  const demo = ctx.config.demo || String(last?.args ?? '').includes('--demo');
  for (const [i, scope] of scopes.entries()) {
    const model = await reportModel(ctx, conn, scope, demo);
    const name = `segfollow-${scope.level}-${scope.code}-${ctx.config.year}.pdf`;
    const pdf = await buildReportPdf(model, join(stagingDir, name));
    result.files.push({ name, kind: 'report', pages: pdf.pages, bytes: pdf.bytes });
    result.reports++;
    ctx.log.progress('reports', i + 1, scopes.length);
  }
  for (const [name, sql] of [
    ['indikatorer.csv', 'report/export_indicator_values'],
    ['segregation.csv', 'report/export_segregation'],
  ] as const) {
    const rows = await queryFile(conn, sql, { year: ctx.config.year });
    const text = toCsv(rows);
    writeFileSync(join(stagingDir, name), text);
    result.files.push({ name, kind: 'export', bytes: Buffer.byteLength(text) });
  }
  ctx.log.info('reports written', { reports: result.reports, files: result.files.length });
  return result;
}

type Scope = ReportModel['scope'];

async function reportScopes(ctx: Context, conn: DuckDBConnection): Promise<Scope[]> {
  const scopes: Scope[] = [];
  const wanted = new Set(ctx.config.areas);
  for (const level of ctx.config.reports) {
    if (level === 'riket') {
      scopes.push({ level: 'riket', code: '00', name: 'Riket' });
      continue;
    }
    const rows = await queryFile(conn, 'report/areas_of_level', { level });
    for (const r of rows) {
      const code = String(r.code);
      if (wanted.size === 0 || wanted.has(code) || wanted.has(code.slice(0, 2))) scopes.push({ level: level as 'lan' | 'kommun', code, name: String(r.name) });
    }
  }
  return scopes;
}

async function reportModel(ctx: Context, conn: DuckDBConnection, scope: Scope, demo: boolean): Promise<ReportModel> {
  const year = ctx.config.year;
  const cat = loadIndicators(ctx.config.dataDir);
  const caveatIds = new Set<MessageId>(['W201_MISSING_VALUES', 'W204_SUPPRESSED', 'W203_AREA_VERSION_BREAK', 'W208_SUM_OF_PARTS']);
  if (year >= 2025) caveatIds.add('W202_CELL_KEY_NOISE');
  if (demo) caveatIds.add('W301_DEMO_DATA');

  const chapters: ReportModel['chapters'] = [];
  for (const ch of CHAPTERS) {
    const indicators: IndicatorBlock[] = [];
    // An indicator that does not exist at the report's level (e.g. RegSO-only index components) is left out.
    for (const ind of cat.indicators.filter((d) => d.policy_area === ch.area && d.levels.includes(scope.level))) {
      const [latestRow] = await queryFile(conn, 'report/latest_year', { indicator_id: ind.id, area_code: scope.code, year });
      const latest = latestRow?.latest === null || latestRow?.latest === undefined ? null : Number(latestRow.latest);
      if (latest !== null && latest < year) caveatIds.add('W205_LAGGED_YEAR');
      const series = await queryFile(conn, 'report/indicator_series', { indicator_id: ind.id, area_code: scope.code, year });
      const inScope = (r: Row): boolean => scope.level === 'riket' || String(r.code).startsWith(scope.code);
      const byKommun = latest === null ? [] : (await queryFile(conn, 'report/indicator_by_area', { indicator_id: ind.id, level: 'kommun', year: latest })).filter(inScope);
      // The first year with a value for the scope: the kommun spread then, to say whether it widened or narrowed.
      const firstYear = series.find((r) => r.value !== null)?.year;
      const firstByKommun = new Map<string, number | null>();
      if (firstYear !== undefined && latest !== null && Number(firstYear) < latest) {
        for (const r of await queryFile(conn, 'report/indicator_by_area', { indicator_id: ind.id, level: 'kommun', year: Number(firstYear) })) firstByKommun.set(String(r.code), num(r.value));
      }
      const byLan = latest === null || scope.level !== 'riket' ? [] : await queryFile(conn, 'report/indicator_by_area', { indicator_id: ind.id, level: 'lan', year: latest });
      const caveats = ind.caveats.filter((c): c is MessageId => c in MESSAGES);
      caveats.forEach((c) => caveatIds.add(c));
      indicators.push({
        id: ind.id,
        title_sv: ind.title_sv,
        unit: ind.unit,
        higher_is_better: ind.higher_is_better,
        source: ind.source,
        caveats: caveats.map((c) => message(c)),
        series: series.map((r) => ({ year: Number(r.year), value: num(r.value), status: str(r.status), area_version: String(r.area_version) })),
        latest_year: latest,
        by_kommun: byKommun.map((r) => ({
          code: String(r.code),
          name: String(r.name),
          lan_code: String(r.lan_code),
          value: num(r.value),
          status: str(r.status),
          first_value: firstByKommun.size > 0 ? (firstByKommun.get(String(r.code)) ?? null) : null,
        })),
        first_year: firstByKommun.size > 0 ? Number(firstYear) : null,
        by_lan: byLan.map((r) => ({ code: String(r.code), name: String(r.name), value: num(r.value), status: str(r.status) })),
      });
    }
    if (indicators.length > 0) chapters.push({ policy_area: ch.area, title_sv: ch.title, indicators });
  }

  const segregation: SegregationBlock[] = [];
  for (const split of SEGREGATION_SPLITS_ENGINE) {
    // Two-group splits by D (the measure readers know); income quintiles by Theil's H, the multigroup evenness
    // index whose decomposition the warehouse also holds.
    const measure = split.kind === 'two_group' ? 'D' : 'multi_H_information_theory';
    const params = { measure, groups: split.groups, unit_level: 'deso' };
    const series = await queryFile(conn, 'report/segregation_series', { ...params, scope_level: scope.level, scope_code: scope.code, year });
    if (series.length === 0) continue;
    const byKommun = (await queryFile(conn, 'report/segregation_by_kommun', { ...params, first_year: FIRST_YEAR, year }))
      .filter((r) => scope.level === 'riket' || String(r.code).startsWith(scope.code));
    segregation.push({
      measure,
      groups: split.groups,
      unit_level: 'deso',
      series: series.map((r) => ({
        year: Number(r.year),
        value: num(r.value),
        n_units: Number(r.n_units),
        status: String(r.status),
        expected: num(r.expected),
        area_version: String(r.unit_version),
      })),
      by_kommun: byKommun.map((r) => ({ code: String(r.code), name: String(r.name), value: num(r.value), first_value: num(r.first_value), n_units: Number(r.n_units), status: String(r.status) })),
    });
  }
  if (segregation.length > 0) {
    caveatIds.add('W206_SMALL_UNIT_BIAS');
    caveatIds.add('W302_BACKGROUND_NOT_BIRTH');
  }

  const titles = new Map<string, string>();
  const cat2 = loadSources(ctx.config.dataDir);
  for (const t of cat2.pxweb) titles.set(t.id, t.title_sv);
  for (const k of cat2.kolada) titles.set(k.id, k.title);
  titles.set('deso-regso.csv', 'Nyckel DeSO–RegSO (SCB:s kopplingstabell)');
  titles.set('deso-crosswalk.csv', 'DeSO 2018 → DeSO 2025, historiska förändringar (SCB)');
  const sources: SourceRow[] = (await queryFile(conn, 'report/sources_used')).map((r) => ({
    source: r.source === 'Kolada' ? 'Kolada' : 'SCB',
    table_id: String(r.table_id),
    title: titles.get(String(r.table_id)) ?? String(r.table_id),
    url: String(r.url),
    fetched_at: String(r.fetched_at),
    sha256: String(r.sha256),
  }));

  return {
    demo,
    year,
    lang: ctx.config.lang,
    scope,
    generated_at: ctx.now().toISOString(),
    chapters,
    segregation,
    sources,
    caveats: [...caveatIds].sort().map((id) => ({ id, text: message(id) })),
    disclosure_threshold: ctx.config.disclosureThreshold,
  };
}

function num(v: Row[string] | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
function str(v: Row[string] | undefined): string | null {
  return v === null || v === undefined ? null : String(v);
}

/** RFC 4180 CSV, UTF-8; numbers in full precision with a decimal point (machine-readable, not Swedish format). */
export function toCsv(rows: Row[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v: Row[string] | undefined): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
