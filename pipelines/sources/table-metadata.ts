/**
 * SCB table metadata (PxWebApi 2.0 `GET /tables/{id}/metadata`, JSON-stat 2.0) read into one typed shape: the
 * variables with their codes and elimination flags, the Tid range, the area levels and versions the Region
 * variable holds, and `aggregallowed`. The catalogue check, the ingest's preflight and the demo emulator all read
 * SCB's tables through this, so all three agree on what a table is.
 *
 * Stored copies live in data/metadata/scb/<TAB>.json (real responses, Region cut) and <ID>.reconstructed.json
 * (rebuilt from public client code, never received from SCB: unconfirmed).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyAreaCode } from '../areas/classify-code.ts';
import type { AreaVersion, Level } from '../areas/levels.ts';
import { SourceError } from '../errors.ts';
import { jsonStatDimensions } from './jsonstat.ts';

export interface MetaVariable {
  code: string;
  label: string;
  /** Codes in SCB's order. For a Region cut in a stored copy, only the kept codes. */
  values: string[];
  labels: string[];
  /** May be left out of a selection. */
  elimination: boolean;
  codelists: string[];
  isTime: boolean;
  isContents: boolean;
}

export interface RegionPart {
  level: Level;
  version: AreaVersion;
}

export interface TableMetadata {
  id: string;
  /** Where it was read from: a file path or a URL. */
  origin: string;
  /** Rebuilt from third-party evidence, not received from SCB. */
  reconstructed: boolean;
  label: string;
  updated: string | null;
  variables: MetaVariable[];
  /** Published years (Tid codes that are four-digit years), ascending. */
  years: number[];
  /** Area levels and versions the Region variable holds. */
  regions: RegionPart[];
  /** The number of Region codes in the real table (`size`), also when the stored copy is cut. */
  regionCount: number;
  /** The Region category of this copy is cut (stored copies keep the first and last codes only). */
  regionCut: boolean;
  /** `extension.px.aggregallowed`: whether SCB allows summing the table's cells. */
  aggregallowed: boolean;
  /** The JSON as received (for diffs and rewriting). */
  json: Record<string, unknown>;
}

/** SCB's Region value sets and what they hold (codelist ids as in the real metadata). */
const CODELIST_PARTS: Record<string, RegionPart> = {
  vs_ARegionRiket: { level: 'riket', version: 'riket' },
  'vs_BRegionLän07': { level: 'lan', version: 'lan1998' },
  vs_CRegionKommun07: { level: 'kommun', version: 'kommun2003' },
  vs_DeSO2018: { level: 'deso', version: 'DeSO2018' },
  vs_DeSoHE: { level: 'deso', version: 'DeSO2018' },
  vs_DeSO2025: { level: 'deso', version: 'DeSO2025' },
  vs_RegSO2020: { level: 'regso', version: 'RegSO2020' },
  vs_RegSo1: { level: 'regso', version: 'RegSO2020' },
  vs_RegSO2025: { level: 'regso', version: 'RegSO2025' },
};

const PART_ORDER: AreaVersion[] = ['riket', 'lan1998', 'kommun2003', 'RegSO2020', 'RegSO2025', 'DeSO2018', 'DeSO2025'];

interface DimJson {
  label?: string;
  category?: { label?: Record<string, string> };
  extension?: { elimination?: boolean; codelists?: { id?: string }[] };
  _cut?: unknown;
}

/** Parses a metadata response; `origin` (file or URL) names it in errors. */
export function parseTableMetadata(json: unknown, tableId: string, origin: string, reconstructed = false): TableMetadata {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SourceError(`SCB metadata for ${tableId} (${origin}): expected a JSON-stat object`);
  const ds = json as Record<string, unknown>;
  const dimension = (ds.dimension ?? {}) as Record<string, DimJson>;
  const dims = jsonStatDimensions(uncut(ds, dimension), { tableId, url: origin });
  const role = (ds.role ?? {}) as { time?: string[]; metric?: string[] };
  const size = ds.size as number[];
  const variables = dims.map((d): MetaVariable => {
    const j = dimension[d.id] ?? {};
    const labels = j.category?.label ?? {};
    return {
      code: d.id,
      label: j.label ?? d.id,
      values: d.codes.filter((c) => c !== undefined),
      labels: d.codes.filter((c) => c !== undefined).map((c) => labels[c] ?? c),
      elimination: j.extension?.elimination === true,
      codelists: (j.extension?.codelists ?? []).map((c) => String(c.id ?? '')).filter(Boolean),
      isTime: role.time?.includes(d.id) ?? d.id === 'Tid',
      isContents: role.metric?.includes(d.id) ?? d.id === 'ContentsCode',
    };
  });
  const regionIdx = variables.findIndex((v) => v.code === 'Region');
  const region = variables[regionIdx];
  const time = variables.find((v) => v.isTime);
  const years = (time?.values ?? []).filter((c) => /^\d{4}$/.test(c)).map(Number).sort((a, b) => a - b);
  const px = ((ds.extension as { px?: { aggregallowed?: unknown } } | undefined)?.px ?? {});
  return {
    id: tableId,
    origin,
    reconstructed,
    label: String(ds.label ?? tableId),
    updated: typeof ds.updated === 'string' ? ds.updated : null,
    variables,
    years,
    regions: region ? regionParts(region) : [],
    regionCount: regionIdx >= 0 ? (size[regionIdx] ?? 0) : 0,
    regionCut: region !== undefined && dimension.Region?._cut !== undefined,
    aggregallowed: px.aggregallowed === true,
    json: ds,
  };
}

/**
 * A stored copy whose Region category is cut keeps the original index positions and the real `size`; for parsing,
 * the kept codes are renumbered in order and the size shrunk to them (regionCount keeps the real size).
 */
function uncut(ds: Record<string, unknown>, dimension: Record<string, DimJson>): Record<string, unknown> {
  const ids = Array.isArray(ds.id) ? (ds.id as unknown[]) : [];
  if (!ids.some((id) => dimension[String(id)]?._cut !== undefined)) return ds;
  const size = [...((ds.size as number[] | undefined) ?? [])];
  const dims: Record<string, unknown> = { ...dimension };
  ids.forEach((id, i) => {
    const d = dimension[String(id)] as (DimJson & { category?: { index?: Record<string, number> } }) | undefined;
    if (d?._cut === undefined || typeof d.category?.index !== 'object' || d.category.index === null) return;
    const kept = Object.entries(d.category.index).sort((a, b) => a[1] - b[1]).map(([code]) => code);
    dims[String(id)] = { ...d, category: { ...d.category, index: Object.fromEntries(kept.map((c, k) => [c, k])) } };
    size[i] = kept.length;
  });
  return { ...ds, size, dimension: dims };
}

/**
 * The levels and versions of a Region variable: from its value sets where SCB lists them, otherwise (a table
 * whose Region has no codelists, e.g. TAB5750) from the code patterns of the codes present.
 */
function regionParts(region: MetaVariable): RegionPart[] {
  const found = new Map<AreaVersion, RegionPart>();
  for (const id of region.codelists) {
    const p = CODELIST_PARTS[id];
    if (p) found.set(p.version, p);
  }
  if (found.size === 0) {
    for (const code of region.values) {
      const a = classifyAreaCode(code, 'SCB');
      if (a) found.set(a.version, { level: a.level, version: a.version });
    }
  }
  return PART_ORDER.filter((v) => found.has(v)).map((v) => found.get(v) as RegionPart);
}

/** The stored file of a table: the real copy if there is one, else a reconstructed one; undefined if neither. */
export function storedMetadataFile(dataDir: string, tableId: string): { file: string; reconstructed: boolean } | undefined {
  const real = join(dataDir, 'metadata', 'scb', `${tableId}.json`);
  if (existsSync(real)) return { file: real, reconstructed: false };
  const rec = join(dataDir, 'metadata', 'scb', `${tableId}.reconstructed.json`);
  if (existsSync(rec)) return { file: rec, reconstructed: true };
  return undefined;
}

/** Reads the stored metadata of a table; undefined when the project keeps none for that id. */
export function loadStoredMetadata(dataDir: string, tableId: string): TableMetadata | undefined {
  const f = storedMetadataFile(dataDir, tableId);
  if (!f) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(f.file, 'utf8'));
  } catch (e) {
    throw new SourceError(`${f.file}: cannot read SCB metadata for ${tableId} (${(e as Error).message})`);
  }
  return parseTableMetadata(json, tableId, f.file, f.reconstructed);
}

/** Every stored table id (real and reconstructed), sorted. */
export function storedTableIds(dataDir: string): string[] {
  const dir = join(dataDir, 'metadata', 'scb');
  if (!existsSync(dir)) return [];
  const ids = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const m = /^(.+?)(\.reconstructed)?\.json$/.exec(name);
    if (m?.[1]) ids.add(m[1]);
  }
  return [...ids].sort();
}
