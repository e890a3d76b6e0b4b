import { describe, expect, it } from 'vitest';
import { crossedBreak, indicatorChange, indicatorTrend, intervalChange, judgementOf, kommunIndexVerdict, Z95 } from '../../pipelines/report/verdict.ts';
import type { IndicatorBlock } from '../../pipelines/report/model.ts';

const pct = (materiality: number): Pick<IndicatorBlock, 'unit' | 'materiality'> => ({ unit: 'procent', materiality: { value: materiality, reason: 'test' } });

describe('indicator verdicts: three outcomes', () => {
  it('never a clear change inside the materiality threshold or the sampling uncertainty (random cases)', () => {
    let seed = 11;
    const rnd = (): number => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 3000; i++) {
      const n1 = Math.round(20 + rnd() * 20000);
      const n2 = Math.round(20 + rnd() * 20000);
      const p1 = rnd() * 100;
      const p2 = Math.min(100, Math.max(0, p1 + (rnd() - 0.5) * 10));
      const m = [0.5, 1, 2][i % 3] ?? 1;
      const c = indicatorChange(pct(m), { year: 2017, value: p1, denominator: n1 }, { year: 2025, value: p2, denominator: n2 });
      const se = Math.hypot(100 * Math.sqrt(((p1 / 100) * (1 - p1 / 100)) / n1), 100 * Math.sqrt(((p2 / 100) * (1 - p2 / 100)) / n2));
      if (Math.abs(c.diff) <= m || Math.abs(c.diff) <= Z95 * se) expect(c.verdict, `${p1}/${n1} → ${p2}/${n2}`).toBe('none');
      else expect(c.verdict).toBe(c.diff > 0 ? 'increase' : 'decrease');
    }
  });

  it('uses the printed difference: 5,24 → 5,16 prints 5,2 → 5,2 and is flat, whatever the threshold', () => {
    const c = indicatorChange(pct(0.01), { year: 2020, value: 5.24 }, { year: 2024, value: 5.16 });
    expect(c).toMatchObject({ diff: 0, movement: 'flat', verdict: 'none', reason: 'flat' });
    expect(judgementOf(c.verdict, false)).toBeNull();
  });

  it('a relative threshold is a percent of the first value', () => {
    const kr = { unit: 'kronor', materiality: { value: 2, relative: true, reason: 'test' } };
    expect(indicatorChange(kr, { year: 2016, value: 300000 }, { year: 2024, value: 305000 }).verdict).toBe('none');
    expect(indicatorChange(kr, { year: 2016, value: 300000 }, { year: 2024, value: 306100 }).verdict).toBe('increase');
  });
});

describe('a break crossed is never a verdict on its own', () => {
  const brk = { year: 2024, what: 'ny åldersgrupp', effect: 'nivån flyttar', label: 'Ny definition' };
  const series = (values: number[]) => values.map((value, i) => ({ year: 2016 + i, value, status: null, area_version: 'riket' }));

  it('a jump at the break alone gives no verdict', () => {
    const t = indicatorTrend({ ...pct(1), breaks: [brk], series: series([40, 40.1, 40, 40.2, 40.1, 40, 40.2, 40.1, 45, 45.2]) });
    expect(t?.whole.verdict).toBe('increase');
    expect(t?.crossed?.year).toBe(2024);
    expect(t?.comparable).toMatchObject({ from: { year: 2016 }, to: { year: 2023 }, verdict: 'none' });
    expect(t?.verdict).toBe('none');
  });

  it('the longest part on one basis gives the verdict', () => {
    const t = indicatorTrend({ ...pct(1), breaks: [brk], series: series([40, 41, 42, 43, 44, 45, 46, 47, 44, 44.1]) });
    expect(t?.comparable).toMatchObject({ from: { year: 2016 }, to: { year: 2023 }, verdict: 'increase' });
    expect(t?.verdict).toBe('increase');
  });

  it('a series that ends before the break crosses none', () => {
    expect(crossedBreak([brk], 2016, 2023)).toBeNull();
    expect(crossedBreak([brk], 2016, 2024)).toBe(brk);
  });
});

describe('segregation index verdicts from intervals', () => {
  it('Härjedalen: 0,117 → 0,124 with intervals some 0,05 wide is no established change', () => {
    expect(intervalChange({ value: 0.117, ci_low: 0.09, ci_high: 0.14 }, { value: 0.124, ci_low: 0.092, ci_high: 0.144 }, 3).verdict).toBe('none');
  });

  it('uses the interval width, not its centre: an interval beside its estimate still measures the uncertainty', () => {
    const a = { value: 0.3, ci_low: 0.2985, ci_high: 0.2995 };
    const b = { value: 0.31, ci_low: 0.3085, ci_high: 0.3095 };
    expect(intervalChange(a, b, 3).verdict).toBe('increase');
    expect(intervalChange(a, { value: 0.31 }, 3).verdict).toBe('none');
  });

  it('across an area-version break a kommun change counts only if the old division shows it too', () => {
    const base = { first_value: 0.2, first_ci_low: 0.195, first_ci_high: 0.205, value: 0.26, ci_low: 0.255, ci_high: 0.265, unit_version: 'DeSO2025', first_unit_version: 'DeSO2018' };
    expect(kommunIndexVerdict({ ...base, pre_value: 0.25, pre_ci_low: 0.245, pre_ci_high: 0.255 }, 3)).toMatchObject({ verdict: 'increase', crosses_break: true });
    expect(kommunIndexVerdict({ ...base, pre_value: 0.2, pre_ci_low: 0.195, pre_ci_high: 0.205 }, 3)).toMatchObject({ verdict: 'none', crosses_break: true });
    expect(kommunIndexVerdict({ ...base, pre_value: null }, 3).verdict).toBe('none');
    expect(kommunIndexVerdict({ ...base, unit_version: 'DeSO2018' }, 3)).toMatchObject({ verdict: 'increase', crosses_break: false });
  });
});
