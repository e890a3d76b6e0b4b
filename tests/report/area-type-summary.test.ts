/**
 * The area-type sentences (pipelines/report/summary.ts): the gap between a scope's focus group and its reference
 * group, the verdict on its change taken from the warehouse (three outcomes, never from rounding), the comparison
 * each kind of kommun gets (type 1 vs 5, lowest type vs the rest, one type only with the index spread), residents
 * per type, and the method text.
 */
import { describe, expect, it } from 'vitest';
import type { AreaTypeIndicator } from '../../pipelines/report/model.ts';
import {
  buildSummary,
  describeAreaTypeComparison,
  describeAreaTypeGap,
  describeAreaTypeGaps,
  describeAreaTypeMethod,
  describeAreaTypePopulation,
  describeIndexSpread,
  gapVerdict,
  gapVerdictWord,
  printedGapChange,
  singleAreaType,
  summarizeAreaTypes,
} from '../../pipelines/report/summary.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';
import { malmoLike, singleType } from '../fixtures/area-type-kommuner.ts';

const NBSP = '\u00a0';

function fixtureIndicator(id: string): AreaTypeIndicator {
  const ind = areaTypeBlockFixture().indicators.find((i) => i.id === id);
  if (!ind) throw new Error(`fixture has no ${id}`);
  return ind;
}

describe('area types: the gap between type 1 and type 5', () => {
  it('a narrowed gap says so, with both values, the gap and the change', () => {
    const ind = fixtureIndicator('economic_assistance_20_64');
    expect(describeAreaTypeGap(ind, 'riket')).toBe(
      `I områden av typ 1 var långvarigt ekonomiskt bistånd 20–64 år 7,0${NBSP}% år 2024, 6,9 procentenheter högre än i typ 5 (0,1${NBSP}%). ` +
        'Skillnaden har minskat med 1,7 procentenheter sedan 2017, från 8,6 procentenheter.',
    );
    expect(gapVerdict(ind)).toBe('narrowed');
    expect(gapVerdictWord(gapVerdict(ind))).toBe('minskat');
  });

  it('for a higher-is-better indicator, a lower type 1 value further below type 5 is a widening', () => {
    const emp = fixtureIndicator('employment_rate_20_64');
    expect(gapVerdict(emp)).toBe('widened');
    expect(describeAreaTypeGap(emp, 'riket')).toBe(
      `I områden av typ 1 var sysselsättningsgrad 20–64 år 61,0${NBSP}% år 2024, 30,0 procentenheter lägre än i typ 5 (91,0${NBSP}%). ` +
        'Skillnaden har ökat med 1,3 procentenheter sedan 2017, från 28,7 procentenheter.',
    );
  });

  it('takes the verdict from the warehouse\'s uncertainty, not from rounding: a printed change of 5 points inside the uncertainty is no change', () => {
    const emp = fixtureIndicator('employment_rate_20_64');
    const wide = { ...emp, value_focus: 56.0, gap: 56.0 - 91.0, change_verdict: 'no_change' as const, se_change: 4.1 };
    expect(printedGapChange(wide)).toBe(6.3);
    expect(gapVerdict(wide)).toBe('flat');
    expect(gapVerdictWord('flat')).toBe('ingen säkerställd förändring');
    const s = describeAreaTypeGap(wide, 'riket');
    expect(s).toContain('Ingen säkerställd förändring av skillnaden sedan 2017 (då 28,7 procentenheter).');
    expect(s).not.toMatch(/ökat|minskat/);
    // And a change that rounds to zero is no finding either way, whatever the raw direction says.
    const owner = fixtureIndicator('owner_occupied_share');
    expect(owner.narrowed).toBe(true); // |−29,40| < |−29,42|
    expect(gapVerdict(owner)).toBe('flat');
  });

  it('prints gaps and changes as differences of the printed values, and a clear change that prints at or under the threshold is none', () => {
    const base = fixtureIndicator('economic_assistance_20_64');
    // 36,84 − 2,45 = 34,39 unrounded, but the page shows 36,8 and 2,5: the gap reads 34,3.
    const ind = { ...base, value_focus: 36.84, value_reference: 2.45, gap: 34.39, value_focus_base: 35.26, value_reference_base: 2.04, gap_base: 33.22, change_verdict: 'widened' as const, materiality: 1 };
    expect(describeAreaTypeGap(ind, 'riket')).toContain('var långvarigt ekonomiskt bistånd 20–64 år 36,8\u00a0% år 2024, 34,3 procentenheter högre än i typ 5 (2,5\u00a0%)');
    // Printed gaps 34,3 and 33,3 (35,3 − 2,0): a change of 1,0, not above the 1-point threshold although 1,17 unrounded.
    expect(printedGapChange(ind)).toBe(1);
    expect(gapVerdict(ind)).toBe('flat');
    expect(describeAreaTypeGap(ind, 'riket')).toContain('Ingen säkerställd förändring av skillnaden sedan 2017 (då 33,3 procentenheter).');
    expect(gapVerdict({ ...ind, value_focus: 36.94 })).toBe('widened');
  });

  it('a gap that changed sign beyond the uncertainty is called so, not "narrowed"', () => {
    const base = fixtureIndicator('economic_assistance_20_64');
    const flipped = { ...base, value_focus: 0.1, value_reference: 3.1, gap: -3.0, value_focus_base: 2.7, value_reference_base: 0.2, gap_base: 2.5, change_verdict: 'reversed' as const };
    expect(gapVerdict(flipped)).toBe('reversed');
    expect(describeAreaTypeGap(flipped, 'riket')).toContain('År 2017 låg typ 1 högre än typ 5, med 2,5 procentenheter; skillnaden har alltså bytt tecken.');
  });

  it('names why a gap is missing', () => {
    const rental = fixtureIndicator('rental_share');
    expect(gapVerdict(rental)).toBeNull();
    expect(describeAreaTypeGap(rental, 'riket')).toBe(
      'För andel hyresrätter av lägenheterna kan skillnaden mellan områdestyp 1 och 5 inte anges för 2024: ett av värdena vilar på för få personer och redovisas inte.',
    );
  });

  it('counts only clear changes as findings, leaves out the index components, and says the odd base year', () => {
    const text = describeAreaTypeGaps(areaTypeBlockFixture(), 'i riket', 'riket');
    expect(text[0]).toBe(
      'Av 5 indikatorer där skillnaden mellan områdestyp 1 och 5 i riket kan följas sedan 2017 har den tydligt minskat för 1 ' +
        '(långvarigt ekonomiskt bistånd 20–64 år) och ökat för 3 (sysselsättningsgrad 20–64 år, arbetslöshet 20–64 år och ' +
        'valdeltagande i val till kommunfullmäktige (sedan 2018)); för 1 (andel äganderätter av lägenheterna) finns ingen säkerställd förändring.',
    );
    // The largest clear widening (turnout, 11,1 = 39,7 − 28,6 as printed) and the only narrowing, in full.
    expect(text[1]).toContain('Skillnaden har ökat med 11,1 procentenheter sedan 2018, från 28,6 procentenheter.');
    expect(text[2]).toContain('Skillnaden har minskat med 1,7 procentenheter sedan 2017');
    expect(text.join(' ')).not.toContain('index V3');
  });

  it('with no clear change at all, says so instead of giving directions', () => {
    const block = areaTypeBlockFixture();
    block.indicators = block.indicators.map((i) => ({ ...i, change_verdict: i.change_verdict === null ? null : 'no_change' }));
    expect(describeAreaTypeGaps(block, 'i riket', 'riket')).toEqual([
      'Av 5 indikatorer där skillnaden mellan områdestyp 1 och 5 i riket kan följas sedan 2017 är förändringen inte säkerställd för någon.',
    ]);
  });
});

describe('area types: a comparison for every kommun', () => {
  it('a Malmö-like kommun (type 1, no type 5) compares type 1 with the rest of the kommun and says so', () => {
    const block = malmoLike();
    const comparison = describeAreaTypeComparison(block, 'i Malmö', 'kommun');
    expect(comparison[0]).toBe(
      'I Malmö fanns inga områden av typ 5 år 2024, så områdena av typ 1, de med störst socioekonomiska utmaningar där, jämförs med ' +
        'resten av kommunen (typ 2–4); invånarna i varje grupp räknas samman, värdena är inte medelvärden av områdenas andelar.',
    );
    expect(comparison[1]).toBe(
      'Det socioekonomiska indexet för kommunens 106 RegSO låg år 2024 mellan 2,3 och 55,0 (median 12,4); för alla RegSO i landet var ' +
        'medelvärdet 8,7 och standardavvikelsen 5,8. År 2017 låg det mellan 2,1 och 52,3.',
    );
    const gaps = describeAreaTypeGaps(block, 'i Malmö', 'kommun');
    expect(gaps[0]).toBe(
      'Av 2 indikatorer där skillnaden mellan typ 1 och resten av kommunen i Malmö kan följas sedan 2017 har den tydligt minskat för 1 ' +
        '(sysselsättningsgrad 20–64 år); för 1 (arbetslöshet 20–64 år) finns ingen säkerställd förändring.',
    );
    expect(gaps[1]).toBe(
      `I områden av typ 1 var sysselsättningsgrad 20–64 år 55,4${NBSP}% år 2024, 23,2 procentenheter lägre än i resten av kommunen (typ 2–4) (78,6${NBSP}%). ` +
        'Skillnaden har minskat med 3,7 procentenheter sedan 2017, från 26,9 procentenheter.',
    );
    expect(gaps.join(' ')).not.toContain('kan inte beräknas');
    // The summary names the comparison right after who lives where.
    const summary = summarizeAreaTypes(block, 'i Malmö', 'kommun');
    expect(summary.some((s) => s.startsWith('I Malmö fanns inga områden av typ 5 år 2024'))).toBe(true);
  });

  it('a report for an earlier year names the year whose types chose the comparison', () => {
    const block = malmoLike();
    block.population = block.population.filter((p) => p.year === 2017);
    expect(describeAreaTypeComparison(block, 'i Malmö', 'kommun')[0]).toContain('I Malmö fanns inga områden av typ 5 år 2024, så');
  });

  it('a län without type 5 compares with the rest of the län', () => {
    const block = malmoLike();
    expect(describeAreaTypeComparison(block, 'i Gotlands län', 'lan')[0]).toContain('jämförs med resten av länet (typ 2–4)');
    expect(describeAreaTypeGaps(block, 'i Gotlands län', 'lan')[0]).toContain('skillnaden mellan typ 1 och resten av länet i Gotlands län');
  });

  it('without type 1 the lowest type present is the focus, and earlier years with lower types join it', () => {
    const block = malmoLike();
    block.indicators = block.indicators.map((i) => ({ ...i, focus_upto: 2, reference_from: 3 }));
    // Type 1 only in 2017; types 2–4 in 2024.
    block.population = block.population.map((p) => (p.year === 2024 && p.area_type === 1 ? { ...p, n_areas: 0, population: 0, share: 0 } : p));
    const [first] = describeAreaTypeComparison(block, 'i Uppsala', 'kommun');
    expect(first).toContain('I Uppsala fanns inga områden av typ 1 år 2024, så områdena av typ 2');
    expect(first).toContain('jämförs med resten av kommunen (typ 3–4)');
    expect(first).toContain('Områden av lägre typ (2017) räknas till samma grupp som typ 2.');
    // Without lower types in any year, nothing is said about them.
    block.population = block.population.map((p) => (p.area_type === 1 ? { ...p, n_areas: 0, population: 0, share: 0 } : p));
    expect(describeAreaTypeComparison(block, 'i Uppsala', 'kommun')[0]).not.toContain('lägre typ');
  });

  it('a kommun with one type gets one sentence saying so and the spread of its RegSO index, and no gap sentences', () => {
    const block = singleType();
    expect(singleAreaType(block)).toBe(4);
    expect(describeAreaTypeComparison(block, 'i Bjurholm', 'kommun')).toEqual([
      'Alla 2 RegSO i Bjurholm var år 2024 av typ 4 (områden med goda socioekonomiska förutsättningar), så områdestyperna kan inte jämföras inom kommunen.',
      'Det socioekonomiska indexet för kommunens 2 RegSO låg år 2024 mellan 4,4 och 5,7 (median 5,1); för alla RegSO i landet var ' +
        'medelvärdet 8,7 och standardavvikelsen 5,8. År 2017 låg det mellan 4,0 och 5,6.',
    ]);
    expect(describeAreaTypeGaps(block, 'i Bjurholm', 'kommun')).toEqual([]);
    expect(describeAreaTypePopulation(block, 'i Bjurholm')).toEqual([
      'Alla invånare i Bjurholm bodde 2017–2024 i områden med goda socioekonomiska förutsättningar (typ 4).',
    ]);
    expect(summarizeAreaTypes(block, 'i Bjurholm', 'kommun')).toEqual([
      'Alla invånare i Bjurholm bodde 2017–2024 i områden med goda socioekonomiska förutsättningar (typ 4).',
      'Alla 2 RegSO i Bjurholm var år 2024 av typ 4 (områden med goda socioekonomiska förutsättningar), så områdestyperna kan inte jämföras inom kommunen.',
    ]);
  });

  it('one RegSO only: the index of that one area', () => {
    const block = singleType();
    block.population = block.population.map((p) => (p.area_type === 4 ? { ...p, n_areas: 1 } : p));
    block.index_spread = [{ year: 2024, n_regso: 1, n_indexed: 1, min: 5.0, median: 5.0, max: 5.0, national_mean: 8.74, national_sd: 5.77 }];
    expect(describeAreaTypeComparison(block, 'i Bjurholm', 'kommun')).toEqual([
      'I Bjurholm fanns ett enda RegSO år 2024, av typ 4 (områden med goda socioekonomiska förutsättningar), så områdestyperna kan inte jämföras inom kommunen.',
      'Det socioekonomiska indexet för kommunens enda RegSO med index var 5,0 år 2024; för alla RegSO i landet var medelvärdet 8,7 och standardavvikelsen 5,8.',
    ]);
  });

  it('gives no spread sentence without index values', () => {
    const block = singleType();
    block.index_spread = [{ year: 2024, n_regso: 2, n_indexed: 0, min: null, median: null, max: null, national_mean: 8.74, national_sd: 5.77 }];
    expect(describeIndexSpread(block, 'kommun')).toBeNull();
  });

  it('a scope with types 1 and 5 says nothing extra in the summary (the default reading)', () => {
    const block = areaTypeBlockFixture();
    expect(describeAreaTypeComparison(block, 'i riket', 'riket')).toEqual(['I riket fanns år 2024 områden av både typ 1 och typ 5, så de jämförs med varandra.']);
    expect(summarizeAreaTypes(block, 'i riket', 'riket').join(' ')).not.toContain('jämförs med varandra');
  });
});

describe('area types: residents and method', () => {
  it('gives the shares in type 1 and type 5 now and in 2017, and the largest type', () => {
    expect(describeAreaTypePopulation(areaTypeBlockFixture(), 'i riket')).toEqual([
      `År 2024 bodde 4,5${NBSP}% av invånarna i riket (476${NBSP}447 personer) i områden med stora socioekonomiska utmaningar (typ 1), mot 4,4${NBSP}% år 2017.`,
      `I områden med mycket goda socioekonomiska förutsättningar (typ 5) bodde 5,4${NBSP}% (571${NBSP}736 personer), mot 6,3${NBSP}% år 2017.`,
      `Flest invånare, 56,0${NBSP}%, bodde i områden med goda socioekonomiska förutsättningar (typ 4).`,
    ]);
  });

  it('a kommun whose types changed is not a single-type kommun, even if the latest year has one type', () => {
    const block = singleType();
    block.population = block.population.map((p) =>
      p.year === 2017 && p.area_type === 3 ? { ...p, n_areas: 1, population: 1200, share: 50 } : p.year === 2017 && p.area_type === 4 ? { ...p, n_areas: 1, population: 1200, share: 50 } : p,
    );
    expect(singleAreaType(block)).toBeNull();
    expect(describeAreaTypePopulation(block, 'i Bjurholm')).toContain('Alla invånare bodde år 2024 i områden med goda socioekonomiska förutsättningar (typ 4).');
  });

  it('explains the cut, the choice of comparison and when a change counts', () => {
    const text = describeAreaTypeMethod(areaTypeBlockFixture()).join(' ');
    expect(text).toContain('typ 1 från 2 standardavvikelser över medelvärdet och uppåt');
    expect(text).toContain('typ 3 från medelvärdet upp till 1 standardavvikelse över medelvärdet');
    expect(text).toContain('typ 5 lägre än 1 standardavvikelse under medelvärdet');
    expect(text).toContain(`År 2024 var medelvärdet 8,7 och standardavvikelsen 5,8; av 3${NBSP}363 RegSO blev 140 av typ 1`);
    expect(text).toContain('annars jämförs områdena av den lägsta typ som finns med resten av området');
    // Each indicator's own threshold: unemployment 0,5, the others 1 point.
    expect(text).toContain('En förändring av en skillnad räknas som tydlig när den är större än indikatorns gräns för en tydlig förändring (0,5–1 procentenhet) och större än 1,96 standardfel');
    expect(describeAreaTypeMethod(malmoLike()).join(' ')).toContain('större än 1 procentenhet och större än 1,96 standardfel');
  });

  it('the summary carries area-type lines only when the model has the block', () => {
    expect(buildSummary(reportModelFixture()).area_types).toEqual([]);
    const s = buildSummary(reportModelFixture({ area_types: areaTypeBlockFixture() }));
    expect(s.area_types[0]).toMatch(/^År 2024 bodde 4,5/);
    expect(s.area_types).toHaveLength(6);
  });
});
