/**
 * The SCB WFS half of the emulator (GeoServer at /geoserver/stat/wfs, SOURCES.md §6): GetFeature for the layers
 * stat:DeSO_2018, stat:DeSO_2025, stat:RegSO_2020 and stat:RegSO_2025 as GeoJSON in WGS84 (longitude, latitude),
 * paged with WFS 2.0's `count` and `startIndex`. The demo world has codes but no outlines, so the polygons are
 * synthetic: each kommun's real outline (data/geo) is cut into its RegSO by a Voronoi partition of seed points drawn
 * inside it (denser around one centre, as towns are), and each RegSO into its DeSO the same way. Every polygon lies
 * inside its kommun, the RegSO of a kommun tile it, and the same world always gives the same polygons.
 */
import { Delaunay } from 'd3-delaunay';
import type { AreaRecord } from './world.ts';
import type { WorldIndex } from './cubes.ts';
import { createRng, type Rng } from './rng.ts';
import { jsonReply, type Reply } from './emulator-pxweb.ts';
import { loadBoundaries } from '../report/maps.ts';
import type { GeoGeometry } from '../report/model.ts';

/** Layer → the area version it serves, the level and the version of the RegSO a DeSO layer nests in. */
const LAYERS: Record<string, { version: string; level: 'deso' | 'regso'; regsoVersion: string }> = {
  'stat:DeSO_2018': { version: 'DeSO2018', level: 'deso', regsoVersion: 'RegSO2020' },
  'stat:DeSO_2025': { version: 'DeSO2025', level: 'deso', regsoVersion: 'RegSO2025' },
  'stat:RegSO_2020': { version: 'RegSO2020', level: 'regso', regsoVersion: 'RegSO2020' },
  'stat:RegSO_2025': { version: 'RegSO2025', level: 'regso', regsoVersion: 'RegSO2025' },
};

type Pt = [number, number];
type Poly = Pt[][];

export class WfsApi {
  private readonly cache = new Map<string, { area: AreaRecord; geometry: GeoGeometry }[]>();

  constructor(
    private readonly index: WorldIndex,
    private readonly dataDir: string,
  ) {}

  handle(method: string, query: URLSearchParams): Reply {
    if (method !== 'GET') return exception(405, 'OperationNotSupported', 'only GET is served');
    // WFS keys are case-insensitive.
    const q = new Map([...query.entries()].map(([k, v]) => [k.toLowerCase(), v]));
    if ((q.get('service') ?? '').toUpperCase() !== 'WFS') return exception(400, 'MissingParameterValue', 'service=WFS is required');
    if ((q.get('request') ?? '').toLowerCase() !== 'getfeature') return exception(400, 'OperationNotSupported', `request ${q.get('request') ?? ''} is not served (only GetFeature)`);
    const name = q.get('typenames') ?? q.get('typename') ?? '';
    const layer = LAYERS[name];
    if (!layer) return exception(400, 'InvalidParameterValue', `Feature type ${name} unknown`);
    const format = (q.get('outputformat') ?? '').toLowerCase();
    if (format !== 'application/json' && format !== 'json') return exception(400, 'InvalidParameterValue', `outputFormat ${q.get('outputformat') ?? ''}: only application/json is served`);
    const srs = q.get('srsname') ?? '';
    if (!/(^|[:#])4326$/.test(srs)) return exception(400, 'InvalidParameterValue', `srsName ${srs}: only EPSG:4326 is served (the native EPSG:3006 is not)`);
    const count = q.has('count') ? Number(q.get('count')) : q.has('maxfeatures') ? Number(q.get('maxfeatures')) : Infinity;
    const start = Number(q.get('startindex') ?? 0);
    if (!(count > 0) || !Number.isInteger(start) || start < 0) return exception(400, 'InvalidParameterValue', 'count and startIndex must be a positive and a non-negative integer');
    const all = this.layer(layer.version, layer.level, layer.regsoVersion);
    const page = all.slice(start, Number.isFinite(count) ? start + count : undefined);
    const short = name.replace(/^stat:/, '');
    return jsonReply(200, {
      type: 'FeatureCollection',
      features: page.map(({ area, geometry }, i) => ({
        type: 'Feature',
        id: `${short}.${start + i + 1}`,
        geometry,
        geometry_name: 'geom',
        properties:
          layer.level === 'regso'
            ? { regsokod: area.code, regso: area.name, kommunkod: area.kommun_code, lanskod: area.lan_code }
            : { desokod: area.code, regsokod: area.regso_code, kommunkod: area.kommun_code, lanskod: area.lan_code },
      })),
      totalFeatures: all.length,
      numberMatched: all.length,
      numberReturned: page.length,
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4326' } },
    });
  }

  /** Every area of one version with its synthetic outline, in code order. */
  layer(version: string, level: 'deso' | 'regso', regsoVersion: string): { area: AreaRecord; geometry: GeoGeometry }[] {
    const hit = this.cache.get(version);
    if (hit) return hit;
    const regso = level === 'regso' ? undefined : new Map(this.layer(regsoVersion, 'regso', regsoVersion).map((r) => [r.area.code, r.geometry]));
    const areas = this.index.areasOf(version);
    const out: { area: AreaRecord; geometry: GeoGeometry }[] = [];
    const boundaries = loadBoundaries(this.dataDir);
    // Parent → children: kommun → RegSO, or RegSO → DeSO.
    const parents = new Map<string, AreaRecord[]>();
    for (const a of areas) {
      const parent = level === 'regso' ? a.kommun_code : a.regso_code;
      if (!parent) continue;
      parents.set(parent, [...(parents.get(parent) ?? []), a]);
    }
    for (const [parent, children] of parents) {
      const outline = level === 'regso' ? boundaries.kommuner.get(parent)?.geometry : regso?.get(parent);
      if (!outline) continue;
      const parts = partition(outline, children.length, createRng(20251, `wfs:${version}:${parent}`));
      children.forEach((a, i) => {
        const g = parts[i];
        if (g) out.push({ area: a, geometry: g });
      });
    }
    out.sort((a, b) => (a.area.code < b.area.code ? -1 : a.area.code > b.area.code ? 1 : 0));
    this.cache.set(version, out);
    return out;
  }
}

function exception(status: number, code: string, text: string): Reply {
  // GeoServer answers errors as an OWS ExceptionReport (XML); its text is what a client shows.
  return {
    status,
    contentType: 'application/xml',
    body: (`<?xml version="1.0" encoding="UTF-8"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0"><ows:Exception exceptionCode="${code}"><ows:ExceptionText>${text}</ows:ExceptionText></ows:Exception></ows:ExceptionReport>`),
  };
}

// ---- Geometry: a Voronoi partition of a polygon. ----

/**
 * `n` polygons tiling `outline`: seeds drawn inside it (half near one centre, the rest anywhere), their Voronoi
 * cells (convex) intersected with the outline by Sutherland–Hodgman clipping. Works in a local plane (longitude
 * scaled by cos of the mean latitude) so cells are not stretched; coordinates are rounded to 5 decimals (≈1 m).
 */
export function partition(outline: GeoGeometry, n: number, rng: Rng): GeoGeometry[] {
  if (n <= 1) return n === 1 ? [outline] : [];
  const polys: Poly[] = (outline.type === 'Polygon' ? [outline.coordinates] : outline.coordinates).map((p) => p.map((r) => r.map((c) => [c[0] ?? 0, c[1] ?? 0] as Pt)));
  const all = polys.flatMap((p) => p[0] ?? []);
  const lat0 = (Math.min(...all.map((p) => p[1])) + Math.max(...all.map((p) => p[1]))) / 2;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const local: Poly[] = polys.map((p) => p.map((r) => r.map(([x, y]) => [x * k, y] as Pt)));
  const outer = local.flatMap((p) => p[0] ?? []);
  const minX = Math.min(...outer.map((p) => p[0]));
  const maxX = Math.max(...outer.map((p) => p[0]));
  const minY = Math.min(...outer.map((p) => p[1]));
  const maxY = Math.max(...outer.map((p) => p[1]));
  const inside = (pt: Pt): boolean => local.some((p) => inPolygon(pt, p));
  const randomInside = (): Pt => {
    for (let t = 0; t < 10_000; t++) {
      const pt: Pt = [rng.uniform(minX, maxX), rng.uniform(minY, maxY)];
      if (inside(pt)) return pt;
    }
    throw new Error('emulator WFS: no point found inside an outline');
  };
  const centre = randomInside();
  const radius = 0.22 * Math.hypot(maxX - minX, maxY - minY);
  const seeds: Pt[] = [];
  const seen = new Set<string>();
  while (seeds.length < n) {
    let pt: Pt | undefined;
    if (rng.next() < 0.5) {
      for (let t = 0; t < 200 && !pt; t++) {
        const r = radius * Math.sqrt(rng.next());
        const a = rng.uniform(0, 2 * Math.PI);
        const c: Pt = [centre[0] + r * Math.cos(a), centre[1] + r * Math.sin(a)];
        if (inside(c)) pt = c;
      }
    }
    pt ??= randomInside();
    const key = `${pt[0].toFixed(9)},${pt[1].toFixed(9)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    seeds.push(pt);
  }
  // Snake order (rows north to south, alternating direction): areas next in code order lie next to each other, as
  // the world's RegSO effects are smoothed along the code order, so the demo's area types cluster as real ones do.
  const rows = Math.max(1, Math.round(Math.sqrt(n)));
  const rowOf = (p: Pt): number => Math.min(rows - 1, Math.floor(((maxY - p[1]) / (maxY - minY || 1)) * rows));
  seeds.sort((a, b) => rowOf(a) - rowOf(b) || (rowOf(a) % 2 === 0 ? a[0] - b[0] : b[0] - a[0]));
  const pad = Math.max(maxX - minX, maxY - minY);
  const voronoi = Delaunay.from(seeds).voronoi([minX - pad, minY - pad, maxX + pad, maxY + pad]);
  return seeds.map((_, i) => {
    const cell = voronoi.cellPolygon(i) ?? [];
    const parts: Poly[] = [];
    for (const p of local) {
      const rings = p.map((r) => clipRing(r, cell));
      // A part whose outer ring the cell misses is not in this cell; holes cut away entirely are dropped.
      if ((rings[0]?.length ?? 0) < 3) continue;
      parts.push(rings.filter((r) => r.length >= 3).map((r) => closeRing(r.map(([x, y]) => [round5(x / k), round5(y)] as Pt))));
    }
    const coords = parts.map((p) => p.map((r) => r.map((c) => [c[0], c[1]])));
    return coords.length === 1 ? { type: 'Polygon' as const, coordinates: coords[0] ?? [] } : { type: 'MultiPolygon' as const, coordinates: coords };
  });
}

function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

function closeRing(r: Pt[]): Pt[] {
  const a = r[0];
  const b = r[r.length - 1];
  return a && b && (a[0] !== b[0] || a[1] !== b[1]) ? [...r, a] : r;
}

/** Even–odd rule over a polygon's rings (outer and holes). */
export function inPolygon(pt: Pt, rings: readonly (readonly Pt[])[]): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[i];
      const b = ring[j];
      if (!a || !b) continue;
      if (a[1] > pt[1] !== b[1] > pt[1] && pt[0] < ((b[0] - a[0]) * (pt[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
    }
  }
  return inside;
}

/** Sutherland–Hodgman: the part of `subject` (any simple ring) inside the convex `clip` ring. */
function clipRing(subject: readonly Pt[], clip: readonly Pt[]): Pt[] {
  let out: Pt[] = [...subject];
  if (out.length > 1) {
    const f = out[0];
    const l = out[out.length - 1];
    if (f && l && f[0] === l[0] && f[1] === l[1]) out.pop();
  }
  const c = [...clip];
  if (c.length > 1) {
    const f = c[0];
    const l = c[c.length - 1];
    if (f && l && f[0] === l[0] && f[1] === l[1]) c.pop();
  }
  // Orientation of the clip ring decides which side is inside.
  let area = 0;
  for (let i = 0; i < c.length; i++) {
    const a = c[i];
    const b = c[(i + 1) % c.length];
    if (a && b) area += a[0] * b[1] - b[0] * a[1];
  }
  const sign = area >= 0 ? 1 : -1;
  for (let i = 0; i < c.length && out.length > 0; i++) {
    const a = c[i];
    const b = c[(i + 1) % c.length];
    if (!a || !b) continue;
    const side = (p: Pt): number => sign * ((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const cur = input[j];
      const prev = input[(j + input.length - 1) % input.length];
      if (!cur || !prev) continue;
      const sc = side(cur);
      const sp = side(prev);
      if (sc >= 0) {
        if (sp < 0) out.push(intersect(prev, cur, sp, sc));
        out.push(cur);
      } else if (sp >= 0) out.push(intersect(prev, cur, sp, sc));
    }
  }
  return out;
}

function intersect(p: Pt, q: Pt, sp: number, sq: number): Pt {
  const t = sp / (sp - sq);
  return [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
}
