import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.ts';

/**
 * data/area-types.json (the area-type method: index, cuts, gap rule) and the per-group summary row of
 * sql/area_types/group_cuts.sql, without DuckDB: the area-types command reads both and loads only the raw bindings.
 */

export type SdKind = 'population' | 'sample';

interface CutDef {
  type: number;
  min_sd: number | null;
  rule: string;
  name_sv: string;
  name_en: string;
}

/** data/area-types.json. */
export interface AreaTypeCatalogue {
  index: {
    formula: string;
    source_table: string;
    breakdown: string;
    components: Record<'V1' | 'V2' | 'V3', { measure: string; label_sv: string }>;
    /** SCB's own area type in the same table, compared with the pipeline's. */
    published_type?: { measure: string; note: string };
  };
  statistics: { mean: 'unweighted'; sd: SdKind; per: 'year'; choice: string; why: string[] };
  cuts: CutDef[];
  population: { table: string; measure: string; breakdown: string };
  gap: {
    base_year: number;
    definition: string;
    /** When a change of a gap is a finding: beyond materiality_pp percentage points and z standard errors. */
    change: { materiality_pp: number; z: number; rule: string };
  };
  reference: { file: string; year: number; counts: Record<string, number> };
}

/** The shipped catalogue: the command classifies by the method as released, whatever a local config points at. */
export const DEFAULT_DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');

/**
 * Reads and checks data/area-types.json. The checks guard the one thing SQL cannot: that the multiples bound into
 * cut.sql really describe five ordered bands, so a typo cannot silently merge or swap two types.
 */
export function loadAreaTypeCatalogue(dataDir: string = DEFAULT_DATA_DIR): AreaTypeCatalogue {
  const file = join(dataDir, 'area-types.json');
  let cat: AreaTypeCatalogue;
  try {
    cat = JSON.parse(readFileSync(file, 'utf8')) as AreaTypeCatalogue;
  } catch (e) {
    throw new UsageError(`${file}: cannot read the area-type catalogue (${(e as Error).message})`);
  }
  const bad = (why: string): never => {
    throw new UsageError(`${file}: ${why}`);
  };
  if (!Array.isArray(cat.cuts) || cat.cuts.length !== 5) bad('"cuts" must list the five area types');
  cat.cuts.forEach((c, i) => {
    if (c.type !== i + 1) bad(`cuts[${i}] must be type ${i + 1}, got ${String(c.type)}`);
    if (i < 4 && (typeof c.min_sd !== 'number' || !Number.isFinite(c.min_sd))) bad(`type ${i + 1} needs a numeric min_sd`);
    if (i === 4 && c.min_sd !== null) bad('type 5 is "everything below type 4": its min_sd must be null');
    if (i > 0 && i < 4 && !((c.min_sd as number) < (cat.cuts[i - 1]?.min_sd as number))) bad(`min_sd must fall from type 1 to type 4 (type ${i + 1})`);
    if (!c.name_sv) bad(`type ${i + 1} has no Swedish name`);
  });
  if (cat.statistics?.sd !== 'population' && cat.statistics?.sd !== 'sample') bad('"statistics.sd" must be population or sample');
  if (!Number.isInteger(cat.gap?.base_year)) bad('"gap.base_year" must be a year');
  const change = cat.gap.change;
  if (!(typeof change?.materiality_pp === 'number' && change.materiality_pp >= 0)) bad('"gap.change.materiality_pp" must be a number of percentage points ≥ 0');
  if (!(typeof change?.z === 'number' && change.z > 0)) bad('"gap.change.z" must be a positive number of standard errors');
  return cat;
}

export interface GroupCut {
  grp: string;
  nRows: number;
  nAreas: number;
  mean: number | null;
  sd: number | null;
  /** Lower bounds of types 1–4. */
  cuts: (number | null)[];
  /** Areas of types 1–5. */
  counts: number[];
}

/** A row of sql/area_types/group_cuts.sql as a GroupCut (the warehouse's reader and the command's give the same row). */
export function groupCutOf(s: Readonly<Record<string, unknown>>): GroupCut {
  return {
    grp: String(s.grp),
    nRows: Number(s.n_rows),
    nAreas: Number(s.n_areas),
    mean: num(s.mean),
    sd: num(s.sd),
    cuts: [num(s.c1), num(s.c2), num(s.c3), num(s.c4)],
    counts: [s.n1, s.n2, s.n3, s.n4, s.n5].map(Number),
  };
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
