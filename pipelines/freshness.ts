/**
 * Release watch and stale data: per indicator and source, the latest year the warehouse holds, the latest year the
 * source publishes now (asked live, optional) and the year the catalogue expects from the indicator's publication
 * lag (`lag_years` in data/indicators.json: the report for year Y expects data for Y − lag_years; an election-year
 * indicator expects the latest election year up to that).
 *
 * "Required": an indicator whose main method rests only on confirmed sources. Unconfirmed sources (sources.json
 * `confirmed: false`) may be skipped by design (W105), so their indicators are listed but never stop a run.
 * A required indicator older than expected is stale and stops the run (exit 1) unless the delay is known: named
 * with --accept-stale, or recorded in data/known-delays.json (a source that stopped publishing, down to the year the
 * warehouse must still hold). The report then states each accepted delay (W225_STALE_ACCEPTED).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from './context.ts';
import { queryFile } from './db.ts';
import { StageError, UsageError } from './errors.ts';
import { loadIndicators, loadSources, methodsOf, methodSourceLabel, partsOfMethod, sourcesByLevel, type IndicatorDef, type IndicatorMethod, type SourceCatalogue } from './catalogue.ts';
import type { Release, ReleaseRefused } from './sources/release.ts';
import { message } from './messages.ts';

export interface KnownDelay {
  indicator: string;
  /** The warehouse must hold at least this year; older is stale after all. */
  until_year: number;
  source: string;
  reason_sv: string;
}

export interface IndicatorFreshness {
  indicator: string;
  /** Source label as in indicator_value.source_table, e.g. "SCB TAB6685" or "Kolada N07540". */
  source: string;
  /** Tables and KPIs the source label rests on. */
  tables: string[];
  required: boolean;
  lag_years: number;
  warehouse_year: number | null;
  /** What the source publishes now (null: not asked, or it did not say). */
  source_year: number | null;
  expected_year: number;
  /** ok; stale (stops the run); accepted (--accept-stale); known (data/known-delays.json); optional (not required). */
  status: 'ok' | 'stale' | 'accepted' | 'known' | 'optional';
  reason?: string;
}

export function loadKnownDelays(dataDir: string): KnownDelay[] {
  const file = join(dataDir, 'known-delays.json');
  if (!existsSync(file)) return [];
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { delays: KnownDelay[] }).delays;
  } catch (e) {
    throw new UsageError(`${file}: cannot read the known delays (${(e as Error).message})`);
  }
}

/** The year a report for `reportYear` expects an indicator's latest data from. */
export function expectedYear(ind: Pick<IndicatorDef, 'lag_years' | 'onlyYears'>, reportYear: number): number {
  const y = reportYear - ind.lag_years;
  if (!ind.onlyYears?.length) return y;
  const held = ind.onlyYears.filter((x) => x <= y);
  return held.length ? Math.max(...held) : y;
}

/** Tables or KPIs of a method, each part's vintages together: the method's latest year is the smallest part's latest. */
function partsTables(m: IndicatorMethod, src: SourceCatalogue): string[][] {
  if (m.sql === 'indicators/kolada_value') return [[m.kpi]];
  if (m.sql === 'indicators/kolada_weighted') return [[m.kpi], [m.weight_kpi]];
  const tables = m.tables.map((t) => src.pxweb.find((x) => x.id === t)).filter((t) => t !== undefined);
  return partsOfMethod(m).map(([, part]) => {
    const codes = Array.isArray(part.measure) ? part.measure : [part.measure];
    return tables.filter((t) => codes.some((c) => c in (t.variables.ContentsCode ?? {}))).map((t) => t.id);
  });
}

function confirmed(m: IndicatorMethod, src: SourceCatalogue): boolean {
  if (m.sql === 'indicators/kolada_value' || m.sql === 'indicators/kolada_weighted') return true;
  return m.tables.every((t) => src.pxweb.find((x) => x.id === t)?.confirmed === true);
}

/**
 * One row per indicator and source label. `live` (optional) holds each table's or KPI's release as the source
 * states it now. Statuses follow the rules above; `accept` are the --accept-stale ids.
 */
export async function indicatorFreshness(ctx: Context, conn: DuckDBConnection, live?: Map<string, Release | ReleaseRefused>): Promise<IndicatorFreshness[]> {
  const ind = loadIndicators(ctx.config.dataDir);
  const src = loadSources(ctx.config.dataDir);
  const known = loadKnownDelays(ctx.config.dataDir);
  const accept = new Set(ctx.config.acceptStale);
  for (const a of accept) if (!ind.indicators.some((i) => i.id === a)) throw new UsageError(`--accept-stale ${a}: no such indicator in data/indicators.json`);
  const latest = new Map((await queryFile(conn, 'report/indicator_latest_years')).map((r) => [`${String(r.indicator_id)}|${String(r.source_table)}`, Number(r.latest_year)]));
  const out: IndicatorFreshness[] = [];
  for (const i of ind.indicators) {
    const methods = methodsOf(i);
    const required = methods[0] !== undefined && confirmed(methods[0], src);
    const expected = expectedYear(i, ctx.config.year);
    const bySource = sourcesByLevel(i, src);
    const labels = [...new Set(bySource.map((s) => s.source))];
    // The indicator's latest year: the newest any of its sources brought (a level may have fewer years).
    const years = labels.map((l) => latest.get(`${i.id}|${l}`)).filter((y): y is number => y !== undefined);
    const indicatorYear = years.length ? Math.max(...years) : null;
    const stale = required && (indicatorYear === null || indicatorYear < expected);
    const delay = known.find((d) => d.indicator === i.id);
    let status: IndicatorFreshness['status'] = !required ? 'optional' : !stale ? 'ok' : 'stale';
    let reason: string | undefined;
    if (status === 'stale' && accept.has(i.id)) [status, reason] = ['accepted', 'the delay is known (--accept-stale)'];
    else if (status === 'stale' && delay && indicatorYear !== null && indicatorYear >= delay.until_year) [status, reason] = ['known', `känd försening, ${delay.source}: ${delay.reason_sv}`];
    for (const label of labels) {
      const m = methods.find((x) => label === methodSourceLabel(x)) ?? methods.find((x) => label.startsWith(methodSourceLabel(x)));
      const parts = m ? partsTables(m, src) : [];
      const partYears = parts.map((p) => {
        const ys = p
          .map((t) => {
            const r = live?.get(t);
            const y = r && 'latestPeriod' in r ? r.latestPeriod : null;
            // A KPI the catalogue replaces after its last year (N00914 → N02267) is wanted only up to that year.
            const k = src.kolada.find((x) => x.id === t);
            return y !== null && k?.replacedBy ? Math.min(y, k.years[1]) : y;
          })
          .filter((y): y is number => y !== null);
        return ys.length ? Math.max(...ys) : null;
      });
      out.push({
        indicator: i.id,
        source: label,
        tables: parts.flat(),
        required,
        lag_years: i.lag_years,
        warehouse_year: latest.get(`${i.id}|${label}`) ?? null,
        source_year: partYears.length && partYears.every((y) => y !== null) ? Math.min(...(partYears as number[])) : null,
        expected_year: expected,
        status,
        ...(reason ? { reason } : {}),
      });
    }
  }
  return out;
}

/** One line per stale indicator, as the run's error and the report caveat name them. */
export function describeStale(rows: IndicatorFreshness[]): string[] {
  const byIndicator = new Map<string, IndicatorFreshness[]>();
  for (const r of rows) byIndicator.set(r.indicator, [...(byIndicator.get(r.indicator) ?? []), r]);
  return [...byIndicator.values()].map((rs) => {
    const first = rs[0] as IndicatorFreshness;
    const held = rs.map((r) => r.warehouse_year).filter((y): y is number => y !== null);
    return `${first.indicator} (${rs.map((r) => r.source).join('; ')}): latest year ${held.length ? Math.max(...held) : 'none'}, expected ${first.expected_year} (report year minus lag ${first.lag_years})${first.reason ? ` — ${first.reason}` : ''}`;
  });
}

/**
 * Stops the line: throws a StageError (exit 1) naming every stale required indicator, its sources and years, unless
 * each is accepted or known. Returns the accepted and known ones (the report states them).
 */
export async function checkStale(ctx: Context, conn: DuckDBConnection): Promise<IndicatorFreshness[]> {
  const rows = await indicatorFreshness(ctx, conn);
  // Nothing built yet: the report stage says so ("run segfollow build first"), which is the better message.
  if (rows.every((r) => r.warehouse_year === null)) return [];
  const stale = rows.filter((r) => r.status === 'stale');
  if (stale.length > 0) {
    throw new StageError(
      `stale data for report year ${ctx.config.year}: ${new Set(stale.map((r) => r.indicator)).size} required indicator(s) older than their publication lag expects:\n` +
        describeStale(stale).map((l) => `  ${l}`).join('\n') +
        `\nIf the delay is known, run again with --accept-stale ${[...new Set(stale.map((r) => r.indicator))].join(',')} (the report will say so).`,
    );
  }
  const late = rows.filter((r) => r.status === 'accepted' || r.status === 'known');
  for (const l of describeStale(late)) ctx.log.warn('W225_STALE_ACCEPTED', `older data than the lag expects, accepted: ${l}`);
  return late;
}

/**
 * What the report needs from the build and the stale check: the disclosure threshold the build applied (not the one
 * in force when the report is written; the configured one for a warehouse built before builds were recorded) and
 * the caveat stating each accepted or known delay (null when there is none).
 */
export async function reportFacts(ctx: Context, conn: DuckDBConnection): Promise<{ threshold: number; staleCaveat: { id: 'W225_STALE_ACCEPTED'; text: string } | null }> {
  const [b] = await queryFile(conn, 'report/build_setting');
  const threshold = b?.disclosure_threshold === null || b?.disclosure_threshold === undefined ? ctx.config.disclosureThreshold : Number(b.disclosure_threshold);
  const late = (await indicatorFreshness(ctx, conn)).filter((r) => r.status === 'accepted' || r.status === 'known');
  if (late.length === 0) return { threshold, staleCaveat: null };
  const titles = new Map(loadIndicators(ctx.config.dataDir).indicators.map((i) => [i.id, i.title_sv]));
  const byIndicator = new Map<string, IndicatorFreshness[]>();
  for (const r of late) byIndicator.set(r.indicator, [...(byIndicator.get(r.indicator) ?? []), r]);
  const items = [...byIndicator.entries()].map(([id, rs]) => {
    const held = rs.map((r) => r.warehouse_year).filter((y): y is number => y !== null);
    const first = rs[0] as IndicatorFreshness;
    const why = first.status === 'accepted' ? 'förseningen är känd (--accept-stale)' : (first.reason ?? '');
    return `${titles.get(id) ?? id} (${rs.map((r) => r.source).join('; ')}): senaste år ${held.length ? Math.max(...held) : 'saknas'}, väntat ${first.expected_year}; ${why}`;
  });
  return { threshold, staleCaveat: { id: 'W225_STALE_ACCEPTED', text: `${message('W225_STALE_ACCEPTED')} ${items.join('. ')}.` } };
}
