/**
 * The DeSO break measured on both area versions (bridgeRows): a split area moved back onto the old version is the
 * sum of its parts, exactly, so the break's size in the first new year is what the split alone does to the index;
 * moving the last old year forward splits each area by the weights with its own composition, which leaves every
 * evenness index as it was.
 */
import { describe, expect, it } from 'vitest';
import { bridgeRows, type BridgeRow, type Crosswalk } from '../../pipelines/stages/segregation.ts';
import type { UnitSet } from '../../pipelines/stages/segregation-compute.ts';
import { twoGroupIndices } from '../../pipelines/measures/two-group.ts';

const SPLIT = { key: 'fb', kind: 'two_group' as const, groups: 'fb / sb', focal: 'fb' };

function set(version: string, year: number, units: [string, number, number][]): UnitSet {
  const kommuner = [...new Set(units.map(([c]) => c.slice(0, 4)))];
  const starts = kommuner.map((k) => units.findIndex(([c]) => c.startsWith(k)));
  return {
    unitLevel: 'deso',
    unitVersion: version,
    year,
    sourceTable: 'T',
    K: 2,
    counts: Float64Array.from(units.flatMap(([, x, y]) => [x, y])),
    units: units.map(([c]) => c),
    kommuner,
    kommunStart: Uint32Array.from([...starts, units.length]),
    leftOut: 0,
    integral: true,
  };
}

const D = (pairs: [number, number][]): number => twoGroupIndices(pairs.map((p) => p[0]), pairs.map((p) => p[1])).values.D as number;

describe('bridgeRows', () => {
  // Kommun 0001: area A is split in 2024 into A1 (mostly the focal group) and A2 (mostly the rest); B and C stay.
  const old2023 = set('DeSO2018', 2023, [['0001A0010', 100, 100], ['0001A0020', 10, 190], ['0001A0030', 150, 50]]);
  const new2024 = set('DeSO2025', 2024, [['0001A0011', 90, 12], ['0001A0012', 12, 90], ['0001A0020', 11, 189], ['0001A0030', 149, 52]]);
  const crosswalk: Crosswalk = new Map([
    ['0001A0010', [{ to: '0001A0011', weight: 0.5 }, { to: '0001A0012', weight: 0.5 }]],
    ['0001A0020', [{ to: '0001A0020', weight: 1 }]],
    ['0001A0030', [{ to: '0001A0030', weight: 1 }]],
  ]);
  const rows: BridgeRow[] = [];
  bridgeRows(SPLIT, [old2023, new2024], crosswalk, rows);
  const get = (year: number, level: string): BridgeRow => rows.find((r) => r.measure === 'D' && r.year === year && r.scopeLevel === level) as BridgeRow;

  it('first new year: the split parts summed back onto the old area exactly; the break is what the split does', () => {
    const r = get(2024, 'kommun');
    expect(r.status).toBe('ok');
    expect(r.valueTo).toBeCloseTo(D([[90, 12], [12, 90], [11, 189], [149, 52]]), 14);
    expect(r.valueFrom).toBeCloseTo(D([[102, 102], [11, 189], [149, 52]]), 14);
    expect((r.valueTo as number) - (r.valueFrom as number)).toBeGreaterThan(0.1);
    expect([r.nFrom, r.nTo]).toEqual([3, 4]);
    // Kommun, län and riket are all there (one kommun: the same numbers).
    expect(get(2024, 'riket').valueTo).toBeCloseTo(r.valueTo as number, 14);
  });

  it('last old year moved forward: splitting by weights keeps each area\'s composition, so D does not move', () => {
    const r = get(2023, 'kommun');
    expect(r.valueFrom).toBeCloseTo(D([[100, 100], [10, 190], [150, 50]]), 14);
    expect(Math.abs((r.valueTo as number) - (r.valueFrom as number))).toBeLessThan(1e-14);
    expect([r.nFrom, r.nTo]).toEqual([3, 4]);
  });

  it('writes nothing without a crosswalk or without both versions', () => {
    const none: BridgeRow[] = [];
    bridgeRows(SPLIT, [old2023, new2024], new Map(), none);
    bridgeRows(SPLIT, [old2023], crosswalk, none);
    expect(none).toEqual([]);
  });
});
