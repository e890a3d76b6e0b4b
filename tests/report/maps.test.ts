/**
 * The map data and its classes (pipelines/report/maps.ts): the shipped outlines cover exactly the official kommuner
 * and län and stay small; colour classes keep equal printed values together and label only ranges that occur;
 * the colours fall in lightness class by class and the outlines stand out from white paper.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { color } from 'd3-color';
import { describe, expect, it } from 'vitest';
import { BOUNDARY_FILE, CLASS_COLORS, classOf, kommunMaps, loadBoundaries, mapClasses, regsoMaps } from '../../pipelines/report/maps.ts';
import type { IndicatorBlock, SegregationBlock } from '../../pipelines/report/model.ts';

const DATA = join(new URL('../..', import.meta.url).pathname, 'data');

function luminance(hex: string): number {
  const c = color(hex)?.rgb();
  if (!c) throw new Error(hex);
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}
const contrast = (a: string, b: string): number => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};

describe('data/geo outlines', () => {
  const b = loadBoundaries(DATA);

  it('hold exactly the 290 kommuner of data/areas/kommuner.csv and the 21 län, each kommun in its own län', () => {
    const official = readFileSync(join(DATA, 'areas', 'kommuner.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect([...b.kommuner.keys()].sort()).toEqual([...official].sort());
    expect(b.kommuner.size).toBe(290);
    const lan = readFileSync(join(DATA, 'areas', 'lan.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect([...b.lan.keys()].sort()).toEqual([...lan].sort());
    for (const [code, k] of b.kommuner) expect(k.lan).toBe(code.slice(0, 2));
  });

  it('lie inside Sweden and the file stays small', () => {
    for (const k of b.kommuner.values()) {
      const pts = (k.geometry.type === 'Polygon' ? [k.geometry.coordinates] : k.geometry.coordinates).flat(2);
      for (const [x, y] of pts) {
        expect(x).toBeGreaterThan(10.5);
        expect(x).toBeLessThan(24.5);
        expect(y).toBeGreaterThan(55);
        expect(y).toBeLessThan(69.2);
      }
    }
    expect(statSync(join(DATA, BOUNDARY_FILE)).size).toBeLessThan(300_000);
  });
});

describe('mapClasses', () => {
  it('about equal counts, equal printed values in one class, labels from the lowest to the highest printed value', () => {
    const values = [70.04, 69.96, 70.0, 71, 72, 73, 74, 75, 76, 77];
    const classes = mapClasses(values, 1);
    // Cumulative targets 2, 4, 6, 8: the three values printing 70,0 overshoot the first and stay together.
    expect(classes.map((c) => c.label)).toEqual(['70,0', '71,0', '72,0–73,0', '74,0–75,0', '76,0–77,0']);
    expect(classes.map((c) => c.n)).toEqual([3, 1, 2, 2, 2]);
    expect(classes.reduce((a, c) => a + c.n, 0)).toBe(values.length);
    expect(classOf(classes, 69.96, 1)?.label).toBe('70,0');
    expect(classOf(classes, null, 1)).toBeUndefined();
  });

  it('fewer areas get fewer classes; one value one class', () => {
    expect(mapClasses([1, 2, 3, 4, 5, 6], 0)).toHaveLength(3);
    expect(mapClasses([0.5, 0.5, 0.5], 3).map((c) => [c.label, c.n])).toEqual([['0,500', 3]]);
    expect(mapClasses([], 1)).toEqual([]);
  });

  it('colours get darker class by class; every outline (#8c8c8c) has 3:1 against white', () => {
    for (const cs of Object.values(CLASS_COLORS)) {
      const l = cs.map(luminance);
      for (let i = 1; i < l.length; i++) {
        expect(l[i]).toBeLessThan(l[i - 1] ?? 0);
        expect(contrast(cs[i] ?? '', cs[i - 1] ?? '')).toBeGreaterThan(1.25);
      }
    }
    expect(contrast('#8c8c8c', '#ffffff')).toBeGreaterThanOrEqual(3);
  });
});

describe('map blocks', () => {
  const b = loadBoundaries(DATA);
  const ind = {
    id: 'employment_rate_20_64',
    title_sv: 'Sysselsättningsgrad 20–64 år',
    unit: 'procent',
    source: 'SCB',
    latest_year: 2024,
    by_kommun: [
      { code: '0114', name: 'Upplands Väsby', lan_code: '01', value: 80.1, status: null },
      { code: '0180', name: 'Stockholm', lan_code: '01', value: null, status: '..' },
      { code: '9999', name: 'Okänd', lan_code: '99', value: 70, status: null },
    ],
  } as unknown as IndicatorBlock;
  const seg = { measure: 'D', groups: 'utländsk bakgrund / svensk bakgrund', series: [{ year: 2025, value: 0.3, n_units: 2, status: 'ok' }], by_kommun: [{ code: '0114', name: 'Upplands Väsby', value: 0.25, status: 'ok' }] } as unknown as SegregationBlock;

  it('riket: the indicator and D, län borders over them, kommuner without an outline named', () => {
    const maps = kommunMaps({ level: 'riket', code: '00', name: 'Riket' }, [{ policy_area: 'arbete', title_sv: 'Arbete', indicators: [ind] }], [seg], b);
    expect(maps.map((m) => [m.id, m.year, m.areas.length, m.outlines?.length, m.missing_geometry])).toEqual([
      ['map-kommun-employment_rate_20_64', 2024, 2, 21, ['Okänd']],
      ['map-kommun-D', 2025, 1, 21, []],
    ]);
    expect(maps[0]?.areas.find((a) => a.code === '0180')?.value).toBeNull();
  });

  it('a kommun report gets no kommun maps; its RegSO maps need two outlines', () => {
    expect(kommunMaps({ level: 'kommun', code: '0114', name: 'Upplands Väsby' }, [], [seg], b)).toEqual([]);
    const row = { name: 'A', area_version: 'RegSO2025', area_type: 2, type_year: 2024, value: 70, status: null, value_year: 2024, geometry_source: 'SCB WFS stat:RegSO_2025' };
    const geometry = JSON.stringify({ type: 'Polygon', coordinates: [[[18, 59], [18.1, 59], [18.1, 59.1], [18, 59]]] });
    expect(regsoMaps([{ ...row, code: 'R1', geometry }], undefined, false)).toEqual([]);
    const maps = regsoMaps([{ ...row, code: 'R1', geometry }, { ...row, code: 'R2', geometry }, { ...row, code: 'R3', name: 'C', geometry: null }], { title_sv: 'S', unit: 'procent', source: 'SCB' }, false);
    expect(maps.map((m) => [m.variable, m.areas.length, m.missing_geometry, m.geometry_source])).toEqual([
      ['area_type', 2, ['C'], 'SCB WFS stat:RegSO_2025 (CC0), förenklade'],
      ['indicator', 2, ['C'], 'SCB WFS stat:RegSO_2025 (CC0), förenklade'],
    ]);
    expect(regsoMaps([{ ...row, code: 'R1', geometry }, { ...row, code: 'R2', geometry }], undefined, true)[0]?.geometry_source).toContain('demodata');
  });
});
