/**
 * The report's maps: kommun and län outlines from data/geo (origin and licence in data/geo/README.md), the map
 * blocks of riket and län reports (kommuner coloured by a key indicator and by D) and of kommun reports (RegSO
 * coloured by area type and by the key indicator, outlines from the warehouse's `area_geometry`), and the colour
 * classes a map and its legend table share.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { feature } from 'topojson-client';
import { StageError } from '../errors.ts';
import { formatNumber, unitStyle } from './format.ts';
import { catalogueText } from './catalogue-text.ts';
import { wording, type Lang, type Wording } from './wording.ts';
import type { GeoGeometry, IndicatorBlock, MapArea, MapBlock, ReportModel, SegregationBlock } from './model.ts';

/** The indicator the maps show beside D and the area types: employment 20–64, the programme's core labour-market measure. */
export const MAP_INDICATOR = 'employment_rate_20_64';
export const BOUNDARY_FILE = 'geo/sverige-kommuner-lan.topojson';
/** How the outlines are cited in captions and the workbook (data/geo/README.md says more). */
export const BOUNDARY_SOURCE = wording('sv').t('maps.source.kommuner');

export interface Boundaries {
  kommuner: Map<string, { name: string; lan: string; geometry: GeoGeometry }>;
  lan: Map<string, GeoGeometry>;
}

const cache = new Map<string, Boundaries>();

/** Kommun and län outlines of data/geo, read once per process (and thread). */
export function loadBoundaries(dataDir: string): Boundaries {
  const file = join(dataDir, BOUNDARY_FILE);
  const hit = cache.get(file);
  if (hit) return hit;
  let topo: { type?: unknown; objects?: Record<string, unknown> };
  try {
    topo = JSON.parse(readFileSync(file, 'utf8')) as typeof topo;
  } catch (e) {
    throw new StageError(`${file}: cannot read the kommun and län outlines (${(e as Error).message}); see data/geo/README.md`);
  }
  if (topo.type !== 'Topology' || !topo.objects?.kommuner || !topo.objects.lan) throw new StageError(`${file}: expected a TopoJSON topology with objects "kommuner" and "lan"`);
  const out: Boundaries = { kommuner: new Map(), lan: new Map() };
  for (const [i, f] of feature(topo, topo.objects.kommuner).features.entries()) {
    const p = f.properties ?? {};
    const code = String(p.code ?? '');
    if (!/^\d{4}$/.test(code)) throw new StageError(`${file}: kommuner feature ${i}: property "code" ${JSON.stringify(p.code)} is not a kommun code`);
    out.kommuner.set(code, { name: String(p.name ?? code), lan: code.slice(0, 2), geometry: asGeometry(f.geometry, `${file}: kommun ${code}`) });
  }
  for (const [i, f] of feature(topo, topo.objects.lan).features.entries()) {
    const code = String(f.properties?.lan ?? '');
    if (!/^\d{2}$/.test(code)) throw new StageError(`${file}: lan feature ${i}: property "lan" ${JSON.stringify(f.properties?.lan)} is not a län code`);
    out.lan.set(code, asGeometry(f.geometry, `${file}: län ${code}`));
  }
  cache.set(file, out);
  return out;
}

/** A GeoJSON Polygon or MultiPolygon with finite coordinates, or a StageError naming `where`. */
export function asGeometry(g: unknown, where: string): GeoGeometry {
  const geom = g as { type?: unknown; coordinates?: unknown } | null;
  const ring = (r: unknown): boolean => Array.isArray(r) && r.length >= 4 && r.every((p) => Array.isArray(p) && p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  const polygon = (p: unknown): boolean => Array.isArray(p) && p.length >= 1 && p.every(ring);
  if (geom?.type === 'Polygon' && polygon(geom.coordinates)) return { type: 'Polygon', coordinates: geom.coordinates as number[][][] };
  if (geom?.type === 'MultiPolygon' && Array.isArray(geom.coordinates) && geom.coordinates.length > 0 && geom.coordinates.every(polygon)) {
    return { type: 'MultiPolygon', coordinates: geom.coordinates as number[][][][] };
  }
  throw new StageError(`${where}: expected a GeoJSON Polygon or MultiPolygon with rings of at least four [longitude, latitude] points, got ${geom?.type === undefined ? String(g) : `type ${JSON.stringify(geom.type)}`}`);
}

// ---- Colour classes. ----

/** A class of a map's values: the range of the values in it (as printed), how many areas, and its colour. */
export interface MapClass {
  label: string;
  from: number;
  to: number;
  n: number;
  color: string;
}

/**
 * Sequential colours from light to dark (ColorBrewer YlGnBu, colour-blind safe): lightness falls with each class, so
 * the order reads in grey too; every area is outlined, so the lightest class stays visible on white paper.
 */
export const CLASS_COLORS: Readonly<Record<number, readonly string[]>> = {
  2: ['#a1dab4', '#225ea8'],
  3: ['#c7e9b4', '#41b6c4', '#225ea8'],
  4: ['#c7e9b4', '#7fcdbb', '#1d91c0', '#253494'],
  5: ['#c7e9b4', '#7fcdbb', '#41b6c4', '#1d91c0', '#253494'],
};
export const MISSING_LABEL = wording('sv').t('maps.missingValue');

/**
 * Up to five classes of (about) equal counts over the values rounded to their printed precision: equal values
 * always share a class, and each class is labelled by the lowest and highest printed value in it, so the legend
 * never claims a range no area has. Fewer areas get fewer classes (under 8: three, under 4: one per value).
 */
export function mapClasses(values: readonly number[], decimals: number, lang: Lang = 'sv'): MapClass[] {
  const printed = [...new Set(values.map((v) => Number(v.toFixed(decimals))))].sort((a, b) => a - b);
  if (printed.length === 0) return [];
  const counts = new Map<number, number>();
  for (const v of values) {
    const p = Number(v.toFixed(decimals));
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const want = Math.min(printed.length, values.length < 4 ? values.length : values.length < 8 ? 3 : 5);
  const k = Math.max(1, Math.min(5, want));
  // Walk the distinct printed values and close a class once it holds its share of the areas.
  const groups: number[][] = [];
  let current: number[] = [];
  let taken = 0;
  for (const [i, p] of printed.entries()) {
    current.push(p);
    taken += counts.get(p) ?? 0;
    const classesLeft = k - groups.length - 1;
    // The last class takes the rest; a class closes at its share of the areas, or when just enough distinct
    // values are left for the classes still to come.
    if (classesLeft === 0) continue;
    if (taken >= (values.length * (groups.length + 1)) / k || printed.length - i - 1 === classesLeft) {
      groups.push(current);
      current = [];
    }
  }
  if (current.length) groups.push(current);
  const colors = groups.length === 1 ? ['#41b6c4'] : (CLASS_COLORS[groups.length] ?? CLASS_COLORS[5] ?? []);
  return groups.map((g, i) => {
    const from = g[0] ?? 0;
    const to = g[g.length - 1] ?? from;
    return {
      label: from === to ? formatNumber(from, decimals, lang) : `${formatNumber(from, decimals, lang)}–${formatNumber(to, decimals, lang)}`,
      from,
      to,
      n: g.reduce((a, p) => a + (counts.get(p) ?? 0), 0),
      color: colors[i] ?? '#253494',
    };
  });
}

/** The class of a value (by its printed value), or undefined for a missing value. */
export function classOf(classes: readonly MapClass[], value: number | null, decimals: number): MapClass | undefined {
  if (value === null) return undefined;
  const p = Number(value.toFixed(decimals));
  return classes.find((c) => c.from <= p && p <= c.to);
}

// ---- Map blocks for the report model. ----

/**
 * Riket and län reports: the report's kommuner coloured by the map indicator's latest value and by D (foreign /
 * Swedish background over DeSO) in its latest year, with the län borders over a riket map. Kommuner without an
 * outline in data/geo are named in `missing_geometry`.
 */
export function kommunMaps(scope: ReportModel['scope'], chapters: ReportModel['chapters'], segregation: readonly SegregationBlock[], boundaries: Boundaries): MapBlock[] {
  if (scope.level === 'kommun') return [];
  const out: MapBlock[] = [];
  const ind: IndicatorBlock | undefined = chapters.flatMap((c) => c.indicators).find((b) => b.id === MAP_INDICATOR);
  const areasOf = (rows: readonly { code: string; name: string; value: number | null; status: string | null }[]): { areas: MapArea[]; missing: string[] } => {
    const areas: MapArea[] = [];
    const missing: string[] = [];
    for (const r of rows) {
      const b = boundaries.kommuner.get(r.code);
      if (b) areas.push({ code: r.code, name: r.name, value: r.value, status: r.status, geometry: b.geometry });
      else missing.push(r.name);
    }
    return { areas, missing };
  };
  const outlines = scope.level === 'riket' ? [...boundaries.lan.values()] : undefined;
  if (ind && ind.latest_year !== null && ind.by_kommun.some((k) => k.value !== null)) {
    const { areas, missing } = areasOf(ind.by_kommun);
    out.push({
      id: `map-kommun-${ind.id}`,
      variable: 'indicator',
      title_sv: ind.title_sv,
      unit: ind.unit,
      decimals: 1,
      year: ind.latest_year,
      unit_level: 'kommun',
      area_version: 'kommun2003',
      areas,
      ...(outlines ? { outlines } : {}),
      source: ind.source,
      geometry_source: BOUNDARY_SOURCE,
      missing_geometry: missing,
    });
  }
  const d = segregation.find((b) => b.measure === 'D' && b.groups.includes('utländsk'));
  const dYear = d ? [...d.series].reverse().find((p) => p.value !== null)?.year : undefined;
  if (d && dYear !== undefined && d.by_kommun.some((k) => k.value !== null)) {
    const { areas, missing } = areasOf(d.by_kommun.map((k) => ({ code: k.code, name: k.name, value: k.value, status: k.value === null ? k.status : null })));
    out.push({
      id: 'map-kommun-D',
      variable: 'segregation',
      title_sv: wording('sv').t('maps.title.D'),
      unit: 'index',
      decimals: 3,
      year: dYear,
      unit_level: 'kommun',
      area_version: 'kommun2003',
      areas,
      ...(outlines ? { outlines } : {}),
      source: wording('sv').t('maps.source.D'),
      geometry_source: BOUNDARY_SOURCE,
      missing_geometry: missing,
    });
  }
  return out;
}

/** One RegSO of a kommun with its outline, area type and map indicator value (sql/report/map_regso.sql). */
export interface RegsoMapRow {
  code: string;
  name: string;
  area_version: string;
  area_type: number | null;
  type_year: number | null;
  value: number | null;
  status: string | null;
  value_year: number | null;
  geometry: string | null;
  geometry_source: string | null;
}

/**
 * Kommun reports: the kommun's RegSO coloured by area type and by the map indicator. No maps when fewer than two
 * RegSO have an outline (a kommun of one RegSO has nothing to map); RegSO without an outline are named.
 */
export function regsoMaps(rows: readonly RegsoMapRow[], indicator: { title_sv: string; unit: string; source: string } | undefined, demo: boolean): MapBlock[] {
  const drawn = rows.filter((r) => r.geometry !== null);
  if (drawn.length < 2) return [];
  const missing = rows.filter((r) => r.geometry === null).map((r) => r.name);
  const areas = (value: (r: RegsoMapRow) => Pick<MapArea, 'value' | 'status' | 'area_type'>): MapArea[] =>
    drawn.map((r) => ({ code: r.code, name: r.name, ...value(r), geometry: asGeometry(JSON.parse(r.geometry ?? 'null'), `area_geometry ${r.code}`) }));
  const version = drawn[0]?.area_version ?? '';
  // The demo's emulator serves synthetic outlines: say so, whatever layer name it answered under.
  const geometrySource = regsoGeometrySource(demo, drawn, wording('sv'));
  const out: MapBlock[] = [];
  const typeYear = drawn.find((r) => r.type_year !== null)?.type_year;
  if (typeYear !== undefined && typeYear !== null) {
    out.push({
      id: 'map-regso-area-type',
      variable: 'area_type',
      title_sv: wording('sv').t('maps.title.areaType'),
      unit: 'områdestyp',
      decimals: 0,
      year: typeYear,
      unit_level: 'regso',
      area_version: version,
      areas: areas((r) => ({ value: r.area_type, status: r.area_type === null ? '..' : null, area_type: areaType(r.area_type) })),
      source: wording('sv').t('maps.source.areaType'),
      geometry_source: geometrySource,
      missing_geometry: missing,
    });
  }
  const valueYear = drawn.find((r) => r.value_year !== null)?.value_year;
  if (indicator && valueYear !== undefined && valueYear !== null && drawn.some((r) => r.value !== null)) {
    out.push({
      id: `map-regso-${MAP_INDICATOR}`,
      variable: 'indicator',
      title_sv: indicator.title_sv,
      unit: indicator.unit,
      decimals: 1,
      year: valueYear,
      unit_level: 'regso',
      area_version: version,
      areas: areas((r) => ({ value: r.value, status: r.status })),
      source: indicator.source,
      geometry_source: geometrySource,
      missing_geometry: missing,
    });
  }
  return out;
}

/** Where a kommun's RegSO outlines come from: SCB's WFS layers (CC0), or the demo's synthetic outlines. */
function regsoGeometrySource(demo: boolean, drawn: readonly Pick<RegsoMapRow, 'geometry_source'>[], w: Wording): string {
  if (demo) return w.t('maps.source.synthetic');
  return w.t('maps.source.regso', { layers: [...new Set(drawn.map((r) => r.geometry_source ?? ''))].filter(Boolean).join('; ') });
}

function areaType(n: number | null): MapArea['area_type'] {
  return n === 1 || n === 2 || n === 3 || n === 4 || n === 5 ? n : null;
}

// ---- Text around a map figure (laid out by build-pdf.ts). ----

export interface MapTexts {
  caption: string;
  alt: string;
  /** The classes of each map: map title, class (legend label), number of areas, range. */
  classRows: { map: string; cls: string; n: number }[];
  note: string;
}

/** The map's title in the report's language (the model keeps the Swedish one). */
export function mapTitle(m: MapBlock, w: Wording): string {
  if (w.lang === 'sv') return m.title_sv;
  if (m.variable === 'segregation') return w.t('maps.title.D');
  if (m.variable === 'area_type') return w.t('maps.title.areaType');
  return catalogueText(w.lang).title({ id: MAP_INDICATOR, title_sv: m.title_sv });
}

/** The outlines' origin in the report's language: the model keeps the Swedish text, made by this file. */
export function geometrySource(m: MapBlock, w: Wording): string {
  if (w.lang === 'sv') return m.geometry_source;
  const sv = wording('sv');
  if (m.geometry_source === BOUNDARY_SOURCE) return w.t('maps.source.kommuner');
  if (m.geometry_source === sv.t('maps.source.synthetic')) return w.t('maps.source.synthetic');
  const suffix = sv.t('maps.source.regso', { layers: '' });
  if (m.geometry_source.endsWith(suffix)) return w.t('maps.source.regso', { layers: m.geometry_source.slice(0, -suffix.length) });
  return m.geometry_source;
}

function lowerFirst(s: string): string {
  return `${s.charAt(0).toLowerCase()}${s.slice(1)}`;
}

/**
 * Caption, text alternative and class table of a map figure: what is coloured by what, in which year, where the
 * outlines come from, and where the numbers are (the workbook's map sheet; the class table beside the figure).
 */
export function mapTexts(maps: readonly MapBlock[], scopeName: string, typeName: (t: 1 | 2 | 3 | 4 | 5) => string, lang: Lang = 'sv'): MapTexts {
  const w = wording(lang);
  const level = w.t(`maps.levelPlural.${maps[0]?.unit_level ?? 'kommun'}`);
  const what = maps.map((m) => `${lowerFirst(mapTitle(m, w))} ${m.year}`).join(w.t('format.and'));
  const missing = [...new Set(maps.flatMap((m) => m.missing_geometry))];
  const sources = [...new Set(maps.map((m) => geometrySource(m, w)))].join('; ');
  const caption =
    w.t('maps.caption', { level: capital(level), scope: scopeName, what, sources }) +
    (missing.length ? ` ${w.t('maps.captionMissing', { names: missing.join(', ') })}` : '') +
    ` ${w.t('maps.captionWorkbook')}`;
  const classRows: MapTexts['classRows'] = [];
  const altParts: string[] = [];
  for (const m of maps) {
    const title = mapTitle(m, w);
    if (m.variable === 'area_type') {
      const counts = ([1, 2, 3, 4, 5] as const).map((t) => ({ t, n: m.areas.filter((a) => a.area_type === t).length })).filter((c) => c.n > 0);
      for (const c of counts) classRows.push({ map: title, cls: `${c.t} ${typeName(c.t)}`, n: c.n });
      const untyped = m.areas.filter((a) => (a.area_type ?? null) === null).length;
      if (untyped) classRows.push({ map: title, cls: w.t('maps.noType'), n: untyped });
      const list = counts.map((c) => w.t('maps.alt.ofType', { n: c.n, type: c.t })).join(', ');
      altParts.push(`${title}: ${list}${untyped ? `, ${w.t('maps.alt.untyped', { n: untyped })}` : ''}.`);
    } else {
      const values = m.areas.flatMap((a) => (a.value === null ? [] : [a.value]));
      const classes = mapClasses(values, m.decimals, lang);
      for (const c of classes) classRows.push({ map: title, cls: c.label, n: c.n });
      const none = m.areas.length - values.length;
      if (none) classRows.push({ map: title, cls: w.t('maps.missingValue'), n: none });
      const lo = classes[0];
      const hi = classes[classes.length - 1];
      altParts.push(w.t('maps.alt.classes', { title, year: m.year, lo: lo?.label ?? '..', hi: hi?.label ?? '..', n: classes.length }));
    }
  }
  const alt = w.t('maps.alt.text', { level, scope: scopeName, parts: altParts.join(' ') });
  return { caption, alt, classRows, note: w.t('maps.note') };
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The sentence before the maps: what they show and how to read them. */
export function mapIntro(maps: readonly MapBlock[], scopeName: string, lang: Lang = 'sv'): string {
  const w = wording(lang);
  const level = maps[0]?.unit_level === 'regso' ? w.t('maps.intro.regso') : w.t('maps.intro.kommuner', { scope: scopeName });
  const parts = maps.map((m) =>
    m.variable === 'area_type'
      ? w.t('maps.intro.areaType')
      : m.variable === 'segregation'
        ? w.t('maps.intro.D')
        : `${lowerFirst(mapTitle(m, w))} (${lang === 'sv' ? m.unit : unitName(m.unit, lang)})`,
  );
  return w.t('maps.intro.text', { level, parts: parts.join(w.t('format.and')) });
}

/** The unit of an indicator map in words, outside Swedish (`percent`, `SEK`, `per 1,000 inhabitants`). */
function unitName(unit: string, lang: Lang): string {
  const s = unitStyle(unit, lang);
  return s.kind === 'money' ? s.label : lowerFirst(s.label);
}
