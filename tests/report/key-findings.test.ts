import { describe, expect, it } from 'vitest';
import { keyFindings, MAX_FINDINGS } from '../../pipelines/report/key-findings.ts';
import type { IndicatorBlock, ReportModel, SegregationChange } from '../../pipelines/report/model.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';

function indicator(m: ReportModel, id: string): IndicatorBlock {
  const b = m.chapters.flatMap((c) => c.indicators).find((x) => x.id === id);
  if (!b) throw new Error(`no ${id} in the fixture`);
  return b;
}

function change(verdict: SegregationChange['verdict'], crosses_break: boolean): SegregationChange {
  return { from_year: 2024, to_year: 2025, diff: 0.012, ci_low: 0.004, ci_high: 0.02, verdict, crosses_break, from_value: 0.459, to_value: 0.471, from_version: 'DeSO2025', to_version: 'DeSO2025' };
}

describe('keyFindings (riket fixture)', () => {
  const model = reportModelFixture({ area_types: areaTypeBlockFixture() });
  const k = keyFindings(model);
  const texts = k.findings.map((f) => f.text);

  it('gives 5–7 sentences, ranked by tier', () => {
    expect(texts.length).toBeGreaterThanOrEqual(5);
    expect(texts.length).toBeLessThanOrEqual(MAX_FINDINGS);
    const tiers = k.findings.map((f) => f.tier);
    expect(tiers).toEqual([...tiers].sort((a, b) => a - b));
  });

  it('names no direction for segregation when the verdict is none, and ranks it after clear changes', () => {
    const seg = k.findings.find((f) => f.kind === 'segregation');
    expect(seg?.tier).toBe(3);
    expect(seg?.text).toContain('Olikhetsindex D');
    expect(seg?.text).toContain('ingen säkerställd förändring');
    expect(seg?.text).not.toMatch(/säkerställd (ökning|minskning)|mer segregation|mindre segregation/);
  });

  it('puts a clear segregation change first, with its direction from the verdict', () => {
    const m = reportModelFixture();
    const [d, ...rest] = m.segregation;
    if (!d) throw new Error('fixture without D');
    const first = keyFindings({ ...m, segregation: [{ ...d, change: change('increase', false) }, ...rest] }).findings[0];
    expect(first?.kind).toBe('segregation');
    expect(first?.tier).toBe(1);
    expect(first?.text).toContain('en säkerställd ökning från 0,469');
    expect(first?.text).toContain('mer segregation enligt måttet');
  });

  it('gives no direction for a change that crosses the area-version break', () => {
    const m = reportModelFixture();
    const [d, ...rest] = m.segregation;
    if (!d) throw new Error('fixture without D');
    const seg = keyFindings({ ...m, segregation: [{ ...d, change: change('increase', true) }, ...rest] }).findings.find((f) => f.kind === 'segregation');
    expect(seg?.tier).toBe(3);
    expect(seg?.text).not.toMatch(/säkerställd ökning|mer segregation/);
    expect(seg?.text).toContain('bedöms inte för sig');
  });

  it('names old data last, with each lagging indicator and its latest year', () => {
    const last = k.findings[k.findings.length - 1];
    expect(last?.kind).toBe('old_data');
    // Employment and unemployment end 2023 in the fixture, turnout 2022 (an election year); eligibility reaches 2025.
    expect(last?.text).toContain('slutar före rapportåret 2025');
    expect(last?.text).toMatch(/2022: valdeltagande/);
    expect(last?.text).toMatch(/2023: [^;]*sysselsättningsgrad 20–64 år/);
    expect(last?.text).not.toContain('behöriga till yrkesprogram');
  });

  it('takes the area-type sentence from the gap verdict: a clear widening is a clear change', () => {
    const at = k.findings.find((f) => f.kind === 'area_types');
    expect(at?.tier).toBe(1);
    expect(at?.text).toMatch(/^I områden av typ 1 var /);
    expect(at?.text).toContain('Skillnaden har ökat med');
  });

  it('reads the numbers from the model, not from the text', () => {
    const m = reportModelFixture();
    const e = indicator(m, 'eligible_upper_secondary');
    e.series = e.series.map((p) => (p.year === 2025 ? { ...p, value: 91.3 } : p));
    const s = keyFindings(m).findings.find((f) => f.text.startsWith('Behöriga till yrkesprogram'));
    expect(s?.text).toContain('91,3\u00a0%');
    expect(s?.text).toContain('en tydlig ökning med 8,8 procentenheter sedan 2017');
  });

  it('says how it ranks', () => {
    expect(k.method).toContain('Först kommer tydliga förändringar');
    expect(k.method).toContain('sist indikatorer vars senaste år ligger före rapportåret');
    expect(k.method).not.toContain('Sedan kommer nivåer');
  });
});

describe('keyFindings (kommun)', () => {
  function kommunModel(): ReportModel {
    const m = reportModelFixture({ scope: { level: 'kommun', code: '0127', name: 'Botkyrka' } });
    // Botkyrka's own series: the fixture's national shapes, with levels set against riket and the län.
    const emp = indicator(m, 'employment_rate_20_64');
    emp.series = emp.series.map((p) => ({ ...p, value: p.value === null ? null : p.value - 9.8 }));
    emp.materiality = { value: 1, reason: 'test' };
    emp.comparisons = [
      { name: 'Stockholms län', year: 2023, value: 80.4 },
      { name: 'riket', year: 2023, value: 81.0 },
    ];
    const un = indicator(m, 'unemployment_rate_20_64');
    un.series = un.series.map((p) => ({ ...p, value: p.value === null ? null : p.value + 1.2 }));
    un.materiality = { value: 1, reason: 'test' };
    un.comparisons = [
      { name: 'Stockholms län', year: 2023, value: 6.9 },
      { name: 'riket', year: 2023, value: 7.3 },
    ];
    return m;
  }

  it('sets the kommun against riket and its län, larger differences (in thresholds) first', () => {
    const k = keyFindings(kommunModel());
    const levels = k.findings.filter((f) => f.kind === 'indicator_level');
    expect(levels.map((f) => f.text.split(':')[0])).toEqual(['Sysselsättningsgrad 20–64 år', 'Arbetslöshet 20–64 år']);
    expect(levels[0]?.text).toContain('71,2\u00a0% i Botkyrka år 2023');
    expect(levels[0]?.text).toContain('Det är 9,8 procentenheter lägre än i riket (81,0\u00a0% i riket och 80,4\u00a0% i Stockholms län år 2023).');
    expect(levels[1]?.text).toContain('1,2 procentenheter högre än i riket');
    expect(levels[0]?.score).toBeCloseTo(9.8, 6);
    expect(k.method).toContain('Sedan kommer nivåer som skiljer sig från riket');
    // Four clear changes compete: three keep their places, the differences from riket take the rest.
    expect(k.findings.filter((f) => f.kind === 'indicator_change')).toHaveLength(3);
    expect(k.findings).toHaveLength(MAX_FINDINGS);
  });

  it('sets no count against riket, and ranks a clear change without a good direction after those with one', () => {
    const m = kommunModel();
    const pop: IndicatorBlock = {
      ...indicator(m, 'foreign_background_share'),
      id: 'population',
      title_sv: 'Folkmängd',
      unit: 'antal',
      materiality: { value: 1, relative: true, reason: 'test' },
      series: indicator(m, 'foreign_background_share').series.map((p, i) => ({ ...p, value: 90_000 + 1_000 * i })),
      latest_year: 2025,
      comparisons: [{ name: 'riket', year: 2025, value: 10_610_003 }],
    };
    // Two indicators only, so both clear changes have a place and their order shows.
    const k = keyFindings({ ...m, chapters: [{ policy_area: 'befolkning', title_sv: 'Befolkning', indicators: [pop, indicator(m, 'eligible_upper_secondary')] }] });
    const all = k.findings.map((f) => f.text);
    const p = k.findings.find((f) => f.text.startsWith('Folkmängd'));
    // 90 000 → 98 000 is a clear rise (8,9 % against a 1 % threshold), but it is context: after the directed changes.
    expect(p?.kind).toBe('context_change');
    expect(p?.text).not.toContain('i riket');
    const kinds = k.findings.map((f) => f.kind);
    expect(kinds.indexOf('context_change')).toBeGreaterThan(kinds.lastIndexOf('indicator_change'));
    expect(all.length).toBeLessThanOrEqual(MAX_FINDINGS);
  });

  it('names the similar kommuner’s median the same year where the model has the band', () => {
    const m = kommunModel();
    indicator(m, 'employment_rate_20_64').similar = {
      group_id: 'G1',
      group_title: 'Liknande kommuner, övergripande',
      members: [],
      band: [
        { year: 2022, min: 70, median: 75.5, max: 80, n: 7 },
        { year: 2023, min: 70.1, median: 76.4, max: 81.2, n: 7 },
      ],
    };
    const s = keyFindings(m).findings.find((f) => f.text.startsWith('Sysselsättningsgrad'));
    expect(s?.text).toContain('(81,0\u00a0% i riket, 80,4\u00a0% i Stockholms län och median 76,4\u00a0% bland 7 liknande kommuner år 2023)');
  });

  it('leaves out a difference from riket that is within the threshold', () => {
    const m = kommunModel();
    const un = indicator(m, 'unemployment_rate_20_64');
    un.materiality = { value: 2, reason: 'test' };
    const k = keyFindings(m);
    expect(k.findings.some((f) => f.text.startsWith('Arbetslöshet'))).toBe(false);
  });
});
