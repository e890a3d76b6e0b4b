import { listValue, type DuckDBConnection, type DuckDBListValue } from '@duckdb/node-api';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../context.ts';
import { execFile, inTransaction, queryFile, query, SQL_DIR, type Params } from '../db.ts';
import { loadIndicators, methodSourceLabel, loadSources, methodsOf, type IndicatorDef, type IndicatorMethod } from '../catalogue.ts';
import type { Level } from '../areas/levels.ts';
import { StageError } from '../errors.ts';
import { buildSegregationChange, computeSegregation, writeSegregation, type ComputedSegregation, type SegregationResult } from './segregation.ts';
import { buildAreaTypes, type AreaTypesResult } from './area-types.ts';
import { collectGarbage } from '../heap.ts';

export interface BuildResult {
  indicators: Record<string, number>;
  suppressed: number;
  segregation_rows: number;
  segregation: SegregationResult | null;
  area_types: AreaTypesResult | null;
}

/** The two-group splits whose dissimilarity index the backbone computes. */
export const SEGREGATION_SPLITS = [
  {
    groups: 'utländsk bakgrund / svensk bakgrund',
    focal: 'utländsk bakgrund',
    table: 'TAB6571',
    measure: '000007Y4',
    focal_breakdown: 'Kon=1+2;UtlBakgrund=1',
    other_breakdown: 'Kon=1+2;UtlBakgrund=2',
  },
] as const;

/**
 * Observations → indicator values (catalogue-driven SQL), disclosure control, segregation measures, then the
 * data-quality checks. All in one transaction: a failed build leaves the previous values whole.
 */
export async function build(ctx: Context, conn: DuckDBConnection): Promise<BuildResult> {
  // What the stages before left is garbage by now (in a demo run the closed emulator's world, ~130 MB, was still
  // reachable when the run collected after the ingest, through its sockets' last events): gone before DuckDB's peak.
  collectGarbage();
  const cat = loadIndicators(ctx.config.dataDir);
  const noiseFrom = noiseYears(ctx);
  const [obs] = await query(conn, 'SELECT count(*)::INTEGER AS n FROM observation');
  if (Number(obs?.n ?? 0) === 0) throw new StageError(`the warehouse ${ctx.config.warehouse} holds no observations: run "segfollow ingest" (or "segfollow run") first`);
  const result: BuildResult = { indicators: {}, suppressed: 0, segregation_rows: 0, segregation: null, area_types: null };
  // The engine reads and computes before the transaction writes anything (segregation.ts computeSegregation): its
  // peak then no longer meets DuckDB's uncommitted indicator values.
  let segregation: ComputedSegregation | null = await computeSegregation(ctx, conn, { draws: ctx.config.bootstrapDraws });
  // The unit sets and the threads' answers are garbage now; only the packed rows and the bridge are kept.
  collectGarbage();
  await inTransaction(conn, async () => {
    for (const ind of cat.indicators) {
      await execFile(conn, 'staging/upsert_indicator', {
        id: ind.id,
        policy_area: ind.policy_area,
        title_sv: ind.title_sv,
        title_en: ind.title_en,
        unit: ind.unit,
        higher_is_better: ind.higher_is_better,
        population: ind.population,
        source: ind.source,
        lag_years: ind.lag_years,
        definition: ind.definition,
        caveats: ind.caveats.join(','),
      });
      await execFile(conn, 'indicators/delete_indicator', { indicator_id: ind.id });
      for (const m of methodsOf(ind)) await execFile(conn, m.sql, indicatorParams(ind, m, noiseFrom));
      const [row] = await query(conn, 'SELECT count(*)::INTEGER AS n FROM indicator_value WHERE indicator_id = $id', { id: ind.id });
      result.indicators[ind.id] = Number(row?.n ?? 0);
    }
    const [before] = await query(conn, "SELECT count(*)::INTEGER AS n FROM indicator_value WHERE status = 'suppressed'");
    await execFile(conn, 'measures/apply_disclosure', { threshold: ctx.config.disclosureThreshold });
    const [after] = await query(conn, "SELECT count(*)::INTEGER AS n FROM indicator_value WHERE status = 'suppressed'");
    result.suppressed = Number(after?.n ?? 0) - Number(before?.n ?? 0);

    for (const split of SEGREGATION_SPLITS) {
      await execFile(conn, 'measures/delete_measure', { measure: 'D', groups: split.groups });
      await execFile(conn, 'measures/dissimilarity', { ...split });
      await execFile(conn, 'measures/keep_sql_d', { groups: split.groups });
    }
    // The engine rewrites every split's rows, D included, adding the other indices, RegSO units, the M/H
    // decomposition, expected values and intervals; its D must equal the SQL D set aside above.
    // Without its changes: they are computed once, below, after disclosure control.
    result.segregation = await writeSegregation(ctx, conn, segregation as ComputedSegregation, { changes: false });
    segregation = null;
    // The packed segregation rows and the bridge rows are written and garbage now, but V8 would leave them in the
    // heap through the area types and checks, where DuckDB's memory peaks (issue 10 goal 5).
    collectGarbage();
    for (const split of SEGREGATION_SPLITS) {
      const disagree = await queryFile(conn, 'measures/compare_d', { groups: split.groups });
      if (disagree.length > 0) {
        throw new StageError(`the engine's D and sql/measures/dissimilarity.sql disagree for ${split.groups}: ${disagree.length} row(s), first ${JSON.stringify(disagree[0])}`);
      }
    }
    await execFile(conn, 'measures/apply_disclosure_segregation', { threshold: ctx.config.disclosureThreshold });
    // The changes, now that withheld values are gone: a change never rests on a value the report may not show.
    await buildSegregationChange(conn);
    // Area types rest on the indicator values above; inside the same transaction, so the build commits whole.
    result.area_types = await buildAreaTypes(ctx, conn);
    const [seg] = await query(conn, 'SELECT count(*)::INTEGER AS n FROM segregation_index');
    result.segregation_rows = Number(seg?.n ?? 0);

    await runChecks(conn);
  });
  ctx.log.info('built indicators and measures', { indicators: Object.keys(result.indicators).length, suppressed: result.suppressed, segregation_rows: result.segregation_rows });
  return result;
}

function indicatorParams(ind: IndicatorDef, m: IndicatorMethod & { levels: Level[] }, noiseFrom: Map<string, number>): Params {
  const list = (v: string | string[]): DuckDBListValue => listValue(Array.isArray(v) ? v : [v]);
  const levels = listValue(m.levels);
  if (m.sql === 'indicators/kolada_value') {
    return { indicator_id: ind.id, source_label: methodSourceLabel(m), kpi: m.kpi, scale: m.scale, levels };
  }
  if (m.sql === 'indicators/kolada_weighted') {
    return { indicator_id: ind.id, source_label: methodSourceLabel(m), kpi: m.kpi, weight_kpi: m.weight_kpi, scale: m.scale, levels };
  }
  const label = methodSourceLabel(m);
  const noise = Math.min(...m.tables.map((t) => noiseFrom.get(t) ?? 9999));
  if (m.sql === 'indicators/share_from_counts') {
    return {
      indicator_id: ind.id,
      source_label: label,
      levels,
      tables: listValue(m.tables),
      num_measures: list(m.numerator.measure),
      num_breakdowns: list(m.numerator.breakdowns),
      den_measures: list(m.denominator.measure),
      den_breakdowns: list(m.denominator.breakdowns),
      noise_from: noise,
    };
  }
  if (m.sql === 'indicators/count_from_counts' || m.sql === 'indicators/value_as_published') {
    const part = m.sql === 'indicators/count_from_counts' ? m.count : m.value;
    return {
      indicator_id: ind.id,
      source_label: label,
      levels,
      tables: listValue(m.tables),
      measures: list(part.measure),
      breakdowns: list(part.breakdowns),
      ...(m.sql === 'indicators/value_as_published' ? { scale: m.scale } : {}),
      noise_from: noise,
    };
  }
  return {
    indicator_id: ind.id,
    source_label: label,
    levels,
    tables: listValue(m.tables),
    pct_measure: list(m.percent.measure),
    pct_breakdowns: list(m.percent.breakdowns),
    den_measure: list(m.denominator.measure),
    den_breakdowns: list(m.denominator.breakdowns),
    noise_from: noise,
  };
}

function noiseYears(ctx: Context): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of loadSources(ctx.config.dataDir).pxweb) if (t.cellKeyFrom) m.set(t.id, t.cellKeyFrom);
  return m;
}

/** Every file in sql/checks returns offending rows; any row fails the stage with the check's name. */
async function runChecks(conn: DuckDBConnection): Promise<void> {
  for (const f of readdirSync(join(SQL_DIR, 'checks')).filter((n) => n.endsWith('.sql')).sort()) {
    const name = `checks/${f.replace(/\.sql$/, '')}`;
    const rows = await queryFile(conn, name);
    if (rows.length > 0) {
      throw new StageError(`data-quality check sql/${name}.sql failed: ${rows.length} offending row(s), first: ${JSON.stringify(rows[0])}`);
    }
  }
}
