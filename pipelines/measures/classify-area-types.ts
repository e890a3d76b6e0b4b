import { DuckDBInstance, listValue, type DuckDBConnection } from '@duckdb/node-api';
import { exec, execFile, query, sqlFile, type Params } from '../db.ts';
import { groupCutOf, type AreaTypeCatalogue, type GroupCut, type SdKind } from './area-type-catalogue.ts';

// The catalogue and the summary row live apart so that the area-types command can read them without loading
// @duckdb/node-api and the warehouse module (this file's imports); re-exported for everyone else.
export { DEFAULT_DATA_DIR, groupCutOf, loadAreaTypeCatalogue, type AreaTypeCatalogue, type GroupCut, type SdKind } from './area-type-catalogue.ts';

export type AreaTypeStatus = 'ok' | 'missing_component' | 'no_spread';

/**
 * The bound parameters of sql/area_types/gap.sql. `materiality` gives an indicator's own threshold for a clear
 * change (data/indicators.json `materiality`, in the indicator's unit: percentage points for the shares by type);
 * indicators without one, or with a relative one, use the catalogue's gap.change.materiality_pp.
 */
export function gapParams(cat: AreaTypeCatalogue, materiality: ReadonlyMap<string, number> = new Map()): Params {
  const ids = [...materiality.keys()].sort();
  return {
    base_year: cat.gap.base_year,
    materiality: cat.gap.change.materiality_pp,
    z: cat.gap.change.z,
    // Comma-separated text: a bound list needs one element type and at least one element, and these may be empty.
    materiality_ids: ids.join(','),
    materiality_values: ids.map((id) => String(materiality.get(id))).join(','),
  };
}

/** The bound parameters of sql/area_types/group_stats.sql: the SD multiples of types 1–4 and the kind of SD. */
export function cutParams(cat: AreaTypeCatalogue, sdKind: SdKind = cat.statistics.sd): Params {
  return { cuts: listValue(cat.cuts.slice(0, 4).map((c) => c.min_sd as number)), sd_kind: sdKind };
}

/** One area to classify: either the index or all three components (percent), NULL where missing. */
export interface IndexInput {
  grp: string;
  unit: string;
  index: number | null;
  v1: number | null;
  v2: number | null;
  v3: number | null;
}

export interface ClassifiedArea {
  grp: string;
  unit: string;
  index: number | null;
  zScore: number | null;
  areaType: number | null;
  status: AreaTypeStatus;
}

export interface Classification {
  areas: ClassifiedArea[];
  groups: GroupCut[];
}

/**
 * Classifies `rows` (in their order) through sql/area_types/group_stats.sql and cut.sql in an in-memory DuckDB, so a
 * statistician's own table and the warehouse are cut by the very same SQL. Groups (`grp`) get their own mean and SD.
 */
export async function classifyAreaTypes(rows: readonly IndexInput[], opts: { catalogue: AreaTypeCatalogue; sdKind?: SdKind }): Promise<Classification> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const conn = await instance.connect();
    try {
      await load(conn, rows);
      await execFile(conn, 'area_types/group_stats', cutParams(opts.catalogue, opts.sdKind));
      await execFile(conn, 'area_types/cut');
      const out = await query(conn, 'SELECT grp, unit, idx, z_score, area_type, status FROM area_type_result ORDER BY ord');
      const stats = await query(conn, sqlFile('area_types/group_cuts'));
      return {
        areas: out.map((r) => ({
          grp: String(r.grp),
          unit: String(r.unit),
          index: num(r.idx),
          zScore: num(r.z_score),
          areaType: num(r.area_type),
          status: r.status as AreaTypeStatus,
        })),
        groups: stats.map(groupCutOf),
      };
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function load(conn: DuckDBConnection, rows: readonly IndexInput[]): Promise<void> {
  await exec(conn, 'CREATE TABLE area_type_input (ord INTEGER, grp VARCHAR, unit VARCHAR, v1 DOUBLE, v2 DOUBLE, v3 DOUBLE, index_value DOUBLE)');
  const app = await conn.createAppender('area_type_input');
  const dbl = (v: number | null): void => (v === null ? app.appendNull() : app.appendDouble(v));
  rows.forEach((r, i) => {
    app.appendInteger(i);
    app.appendVarchar(r.grp);
    app.appendVarchar(r.unit);
    dbl(r.v1);
    dbl(r.v2);
    dbl(r.v3);
    dbl(r.index);
    app.endRow();
  });
  app.closeSync();
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
