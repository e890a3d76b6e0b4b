/**
 * The emulator's SCB WFS and Kolada municipality groups over HTTP on 127.0.0.1, for the tiny world: every synthetic
 * RegSO lies inside its kommun's real outline and the RegSO of a kommun tile it (their areas add up to the
 * kommun's), every DeSO lies inside its RegSO, paging works, and errors come as WFS exceptions; each kommun has
 * its "Liknande kommuner, övergripande" group without itself.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../pipelines/demo/emulator.ts';
import { inPolygon } from '../../pipelines/demo/emulator-wfs.ts';
import { loadBoundaries } from '../../pipelines/report/maps.ts';
import type { GeoGeometry } from '../../pipelines/report/model.ts';
import { tinyWorld } from '../fixtures/tiny-world.ts';

const DATA = join(new URL('../..', import.meta.url).pathname, 'data');
let em: RunningEmulator;
beforeAll(async () => {
  em = await startEmulator(tinyWorld());
});
afterAll(async () => {
  await em.close();
});

interface Fc {
  type: string;
  features: { id: string; geometry: GeoGeometry; properties: Record<string, string> }[];
  numberMatched: number;
  numberReturned: number;
}

async function layer(name: string, extra = ''): Promise<Fc> {
  const r = await fetch(`${em.geoBaseUrl}?service=WFS&version=2.0.0&request=GetFeature&typeNames=${name}&outputFormat=application/json&srsName=EPSG:4326${extra}`);
  expect(r.status).toBe(200);
  return (await r.json()) as Fc;
}

const polys = (g: GeoGeometry): number[][][][] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** Planar area (degrees², longitude scaled by cos 60°… close enough for shares) of the outer rings minus holes. */
function area(g: GeoGeometry): number {
  let a = 0;
  for (const p of polys(g)) {
    p.forEach((ring, i) => {
      let s = 0;
      for (let j = 0; j + 1 < ring.length; j++) s += (ring[j]?.[0] ?? 0) * (ring[j + 1]?.[1] ?? 0) - (ring[j + 1]?.[0] ?? 0) * (ring[j]?.[1] ?? 0);
      a += (i === 0 ? 1 : -1) * Math.abs(s / 2);
    });
  }
  return a;
}

/** Inside the outline, or on its boundary within `tol` degrees (coordinates are rounded to 5 decimals). */
function insideOrOn(pt: number[], g: GeoGeometry, tol: number): boolean {
  const p: [number, number] = [pt[0] ?? 0, pt[1] ?? 0];
  if (polys(g).some((poly) => inPolygon(p, poly as [number, number][][]))) return true;
  for (const poly of polys(g)) {
    for (const ring of poly) {
      for (let j = 0; j + 1 < ring.length; j++) {
        const [ax, ay] = [ring[j]?.[0] ?? 0, ring[j]?.[1] ?? 0];
        const [bx, by] = [ring[j + 1]?.[0] ?? 0, ring[j + 1]?.[1] ?? 0];
        const dx = bx - ax;
        const dy = by - ay;
        const t = Math.max(0, Math.min(1, ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy || 1)));
        if (Math.hypot(p[0] - (ax + t * dx), p[1] - (ay + t * dy)) <= tol) return true;
      }
    }
  }
  return false;
}

describe('emulator WFS (synthetic DeSO/RegSO outlines)', () => {
  it('RegSO 2025: one feature per RegSO of the world, each inside its kommun, together covering the kommun', async () => {
    const fc = await layer('stat:RegSO_2025');
    const world = tinyWorld().areas.filter((a) => a.version === 'RegSO2025');
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.numberMatched).toBe(world.length);
    expect(fc.features.map((f) => f.properties.regsokod).sort()).toEqual(world.map((a) => a.code).sort());
    const kommuner = loadBoundaries(DATA).kommuner;
    for (const k of ['0114', '0180', '2584']) {
      const outline = kommuner.get(k)?.geometry;
      if (!outline) throw new Error(k);
      const mine = fc.features.filter((f) => f.properties.kommunkod === k);
      expect(mine.length).toBe(world.filter((a) => a.kommun_code === k).length);
      for (const f of mine) for (const p of polys(f.geometry)) for (const ring of p) for (const pt of ring) expect(insideOrOn(pt, outline, 2e-5)).toBe(true);
      // A partition: the parts' areas add up to the whole (within rounding of the coordinates).
      const sum = mine.reduce((a, f) => a + area(f.geometry), 0);
      expect(sum / area(outline)).toBeGreaterThan(0.995);
      expect(sum / area(outline)).toBeLessThan(1.005);
    }
  });

  it('DeSO 2025: each inside its RegSO', async () => {
    const regso = new Map((await layer('stat:RegSO_2025')).features.map((f) => [f.properties.regsokod, f.geometry]));
    const deso = await layer('stat:DeSO_2025');
    expect(deso.features.length).toBe(tinyWorld().areas.filter((a) => a.version === 'DeSO2025').length);
    for (const f of deso.features) {
      const r = regso.get(f.properties.regsokod ?? '');
      if (!r) throw new Error(`no RegSO for ${f.properties.desokod}`);
      for (const p of polys(f.geometry)) for (const ring of p) for (const pt of ring) expect(insideOrOn(pt, r, 2e-5)).toBe(true);
    }
  });

  it('pages with count and startIndex, the same polygons every time', async () => {
    const all = await layer('stat:RegSO_2020');
    const first = await layer('stat:RegSO_2020', '&count=2&startIndex=0');
    const rest = await layer('stat:RegSO_2020', `&count=100&startIndex=2`);
    expect(first.numberReturned).toBe(2);
    expect(first.numberMatched).toBe(all.numberMatched);
    expect([...first.features, ...rest.features]).toEqual(all.features);
    const again = await startEmulator(tinyWorld());
    try {
      const r = await fetch(`${again.geoBaseUrl}?service=WFS&request=GetFeature&typeNames=stat:RegSO_2020&outputFormat=application/json&srsName=EPSG:4326`);
      expect(((await r.json()) as Fc).features).toEqual(all.features);
    } finally {
      await again.close();
    }
  });

  it('an unknown layer, another CRS or another format is a WFS exception (XML), not GeoJSON', async () => {
    const bad = async (q: string): Promise<string> => {
      const r = await fetch(`${em.geoBaseUrl}?service=WFS&request=GetFeature&${q}`);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toContain('xml');
      return r.text();
    };
    expect(await bad('typeNames=stat:Tatorter_2099&outputFormat=application/json&srsName=EPSG:4326')).toContain('Feature type stat:Tatorter_2099 unknown');
    expect(await bad('typeNames=stat:RegSO_2025&outputFormat=application/json&srsName=EPSG:3006')).toContain('only EPSG:4326');
    expect(await bad('typeNames=stat:RegSO_2025&outputFormat=gml3&srsName=EPSG:4326')).toContain('only application/json');
  });
});

describe('emulator Kolada /municipality_groups', () => {
  it('every kommun has "Liknande kommuner, övergripande, <kommun>, <year>" for 2024 and 2025, without itself; other groups too', async () => {
    const r = await fetch(`${em.koladaBaseUrl}/municipality_groups`);
    const body = (await r.json()) as { values: { id: string; title: string; members: { member_id: string; member_title: string }[] }[] };
    const kommuner = tinyWorld().areas.filter((a) => a.level === 'kommun');
    for (const k of kommuner) {
      for (const y of [2024, 2025]) {
        const g = body.values.find((x) => x.title === `Liknande kommuner, övergripande, ${k.name}, ${y}`);
        expect(g?.id).toMatch(/^G\d+$/);
        expect(g?.members.length).toBe(kommuner.length - 1);
        expect(g?.members.map((m) => m.member_id)).not.toContain(k.code);
      }
    }
    expect(body.values.some((x) => x.title === 'Stor-Stockholm (ovägt medel)')).toBe(true);
    const filtered = (await (await fetch(`${em.koladaBaseUrl}/municipality_groups?title=Kiruna`)).json()) as { values: { title: string }[] };
    expect(filtered.values.map((x) => x.title)).toEqual(['Liknande kommuner, övergripande, Kiruna, 2024', 'Liknande kommuner, övergripande, Kiruna, 2025']);
  });
});
