import type { DuckDBConnection } from '@duckdb/node-api';
import type { Context } from '../context.ts';
import { exec, execFile, inTransaction, query, queryFile } from '../db.ts';
import { cutParams, gapParams, loadAreaTypeCatalogue } from '../measures/classify-area-types.ts';
import { loadIndicators } from '../catalogue.ts';

export interface AreaTypesResult {
  /** RegSO-years in area_type, with and without a type. */
  area_types: number;
  classified: number;
  /** RegSO-years without a type (a missing index component, or a year that could not be cut). */
  unclassified: number;
  /** Areas of types 1–5 per year, e.g. { "2022": [160, 289, 855, 1770, 289] }. */
  types_by_year: Record<string, number[]>;
  population_rows: number;
  indicator_rows: number;
  /** Values by type withheld because their summed denominator is below the disclosure threshold. */
  suppressed: number;
  gap_rows: number;
  /**
   * Scopes per level by the comparison they get (sql/area_types/gap.sql), e.g. kommun: { type1_vs_type5: 21,
   * lowest_vs_rest: 240, single_type: 29 }, and per level how many have a gap for some indicator in the latest year.
   */
  comparisons: Record<string, Record<string, number>>;
  scopes_with_gap: Record<string, number>;
  /** Indicators that have no values by type, and why (Kolada and kommun-only sources have no RegSO values). */
  skipped_indicators: { indicator_id: string; reason: string }[];
  /** RegSO-years typed both by the pipeline and by SCB (TAB6586 000008IU), and how many of them agree. */
  scb_agreement: { n_both: number; n_agree: number; by_year: Record<string, [number, number]> };
}

/** Below this share of agreeing RegSO-years the build warns that its types differ from SCB's. */
const SCB_AGREEMENT_MIN = 0.95;

/**
 * Area types per RegSO and year, then residents and every indicator by type per kommun, län and riket, and the
 * type 1 − type 5 gaps. Runs after the build stage (it reads indicator and indicator_value). Everything is
 * recomputed whole in one transaction, so a rerun gives the same tables and a failure leaves the previous ones.
 */
export async function buildAreaTypes(ctx: Context, conn: DuckDBConnection): Promise<AreaTypesResult> {
  const cat = loadAreaTypeCatalogue(ctx.config.dataDir);
  const c = cat.index.components;
  // Each indicator's own threshold for a clear change, as the rest of the report judges its changes.
  const materiality = new Map(
    loadIndicators(ctx.config.dataDir).indicators.flatMap((d) => (d.materiality && !d.materiality.relative ? [[d.id, d.materiality.value] as const] : [])),
  );
  const result = await inTransaction(conn, async () => {
    await execFile(conn, 'area_types/index_input', {
      table_id: cat.index.source_table,
      breakdown: cat.index.breakdown,
      v1: c.V1.measure,
      v2: c.V2.measure,
      v3: c.V3.measure,
    });
    await execFile(conn, 'area_types/group_stats', cutParams(cat));
    await execFile(conn, 'area_types/cut');
    await execFile(conn, 'area_types/classify');
    await exec(conn, 'DROP TABLE area_type_result; DROP TABLE area_type_group; DROP TABLE area_type_input');
    await execFile(conn, 'area_types/delete_aggregates');
    await execFile(conn, 'area_types/population', { table_id: cat.population.table, measure: cat.population.measure, breakdown: cat.population.breakdown });
    await execFile(conn, 'area_types/indicator_by_type', { threshold: ctx.config.disclosureThreshold });
    await execFile(conn, 'area_types/gap', gapParams(cat, materiality));
    return counts(conn, cat.index.source_table, cat.index.published_type?.measure);
  });
  const agree = result.scb_agreement;
  if (agree.n_both > 0) {
    const share = agree.n_agree / agree.n_both;
    const fields = { agree: agree.n_agree, both: agree.n_both, share: Math.round(share * 1000) / 10, by_year: agree.by_year };
    if (share < SCB_AGREEMENT_MIN) ctx.log.warn('W224_AREA_TYPES_DIFFER_FROM_SCB', `area types agree with SCB's published types for ${agree.n_agree} of ${agree.n_both} RegSO-years`, fields);
    else ctx.log.info(`area types agree with SCB's published types for ${agree.n_agree} of ${agree.n_both} RegSO-years`, fields);
  }
  if (result.area_types === 0) {
    ctx.log.warn('W201_MISSING_VALUES', `no ${cat.index.source_table} values at RegSO level: no area types`, { table: cat.index.source_table });
  } else if (result.unclassified > 0) {
    ctx.log.warn('W215_AREA_TYPE_UNCLASSIFIED', 'RegSO without a complete socio-economic index get no area type', { unclassified: result.unclassified });
  }
  ctx.log.info('built area types', {
    classified: result.classified,
    unclassified: result.unclassified,
    indicator_rows: result.indicator_rows,
    gap_rows: result.gap_rows,
    comparisons: result.comparisons,
    skipped: result.skipped_indicators.map((s) => s.indicator_id),
  });
  return result;
}

async function counts(conn: DuckDBConnection, table: string, typeMeasure: string | undefined): Promise<AreaTypesResult> {
  const n = async (sql: string): Promise<number> => Number((await query(conn, sql))[0]?.n ?? 0);
  const byYear = await query(
    conn,
    'SELECT year, sum(n_type1)::INTEGER AS t1, sum(n_type2)::INTEGER AS t2, sum(n_type3)::INTEGER AS t3, sum(n_type4)::INTEGER AS t4, sum(n_type5)::INTEGER AS t5 FROM area_type_cut GROUP BY year ORDER BY year',
  );
  const skipped = await queryFile(conn, 'area_types/skipped_indicators');
  const compared = typeMeasure ? await queryFile(conn, 'area_types/compare_scb', { table_id: table, type_measure: typeMeasure }) : [];
  return {
    area_types: await n('SELECT count(*)::INTEGER AS n FROM area_type'),
    classified: await n('SELECT count(*)::INTEGER AS n FROM area_type WHERE area_type IS NOT NULL'),
    unclassified: await n('SELECT count(*)::INTEGER AS n FROM area_type WHERE area_type IS NULL'),
    types_by_year: Object.fromEntries(byYear.map((r) => [String(r.year), [r.t1, r.t2, r.t3, r.t4, r.t5].map(Number)])),
    population_rows: await n('SELECT count(*)::INTEGER AS n FROM area_type_population'),
    indicator_rows: await n('SELECT count(*)::INTEGER AS n FROM indicator_by_area_type'),
    suppressed: await n("SELECT count(*)::INTEGER AS n FROM indicator_by_area_type WHERE status = 'suppressed'"),
    gap_rows: await n('SELECT count(*)::INTEGER AS n FROM area_type_gap'),
    comparisons: nested(await query(conn, 'SELECT scope_level, comparison, count(DISTINCT scope_code)::INTEGER AS n FROM area_type_gap GROUP BY ALL ORDER BY ALL')),
    scopes_with_gap: Object.fromEntries(
      (
        await query(
          conn,
          `SELECT scope_level, count(DISTINCT scope_code)::INTEGER AS n FROM area_type_gap
           WHERE gap IS NOT NULL AND year = (SELECT max(year) FROM area_type WHERE area_type IS NOT NULL) GROUP BY ALL ORDER BY ALL`,
        )
      ).map((r) => [String(r.scope_level), Number(r.n)]),
    ),
    skipped_indicators: skipped.map((r) => ({ indicator_id: String(r.indicator_id), reason: String(r.reason) })),
    scb_agreement: {
      n_both: compared.reduce((a, r) => a + Number(r.n_both), 0),
      n_agree: compared.reduce((a, r) => a + Number(r.n_agree), 0),
      by_year: Object.fromEntries(compared.map((r) => [String(r.year), [Number(r.n_agree), Number(r.n_both)] as [number, number]])),
    },
  };
}

function nested(rows: readonly Record<string, unknown>[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) (out[String(r.scope_level)] ??= {})[String(r.comparison)] = Number(r.n);
  return out;
}
