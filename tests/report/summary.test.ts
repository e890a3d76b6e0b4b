import { describe, expect, it } from 'vitest';
import type { AreaTypeIndicator, IndicatorBlock, SegregationBlock } from '../../pipelines/report/model.ts';
import {
  buildSummary,
  describeAreaTypeGap,
  describeAreaTypeGaps,
  describeAreaTypeMethod,
  describeAreaTypePopulation,
  describeDecomposition,
  describeIndicator,
  describeSegregation,
  gapVerdict,
  gapVerdictWord,
  intervalText,
  summarizeIndicator,
  summarizeSegregation,
} from '../../pipelines/report/summary.ts';
import { expectGolden } from '../fixtures/expect-golden.ts';
import { areaTypeBlockFixture, areaTypeBlockWithoutTypes, reportModelFixture, segregationExtrasFixture } from '../fixtures/report-model.ts';

const NBSP = '\u00a0';
const ctx = { scopePhrase: 'i riket', reportYear: 2025 };

/** 2017–2025 with the given values (null = missing with status '..'). */
function indicator(values: (number | null)[], over: Partial<IndicatorBlock> = {}): IndicatorBlock {
  return {
    id: 'test',
    title_sv: 'Sysselsättningsgrad 20–64 år',
    unit: 'procent',
    higher_is_better: true,
    source: 'SCB TAB6680',
    caveats: [],
    series: values.map((value, i) => ({ year: 2017 + i, value, status: value === null ? '..' : null, area_version: 'riket' })),
    latest_year: null,
    by_kommun: [],
    by_lan: [],
    ...over,
  };
}

const rising = [78.0, 78.4, 78.9, 79.2, 79.6, 79.9, 80.0, 80.0, 80.0];
const falling = [80.0, 79.6, 79.2, 78.9, 78.4, 78.1, 78.0, 78.0, 78.0];

describe('describeIndicator: a rise and a fall read differently and correctly', () => {
  it('a rise of a higher-is-better indicator is an improvement', () => {
    const text = describeIndicator(indicator(rising), ctx).join(' ');
    expect(text).toContain(`År 2025 var värdet 80,0${NBSP}% i riket.`);
    expect(text).toContain(`Sedan 2017 har värdet ökat med 2,0 procentenheter, från 78,0${NBSP}%, vilket är en förbättring.`);
    expect(text).not.toMatch(/minskat|försämring/);
  });

  it('a fall of a higher-is-better indicator is a deterioration', () => {
    const text = describeIndicator(indicator(falling), ctx).join(' ');
    expect(text).toContain(`Sedan 2017 har värdet minskat med 2,0 procentenheter, från 80,0${NBSP}%, vilket är en försämring.`);
    expect(text).not.toMatch(/ökat|förbättring/);
  });

  it('a kommun report sets its latest value beside its län and riket, only for the same year and known values', () => {
    const k = { scopePhrase: 'i Bjurholm', reportYear: 2025 };
    const comparisons = [
      { name: 'Västerbottens län', year: 2025, value: 81.25 },
      { name: 'riket', year: 2025, value: 80.5 },
      { name: 'gammalt', year: 2024, value: 1 },
    ];
    expect(describeIndicator(indicator(rising, { comparisons }), k).join(' ')).toContain(
      `År 2025 var värdet 80,0${NBSP}% i Bjurholm. Som jämförelse: Västerbottens län 81,3${NBSP}%, riket 80,5${NBSP}% samma år.`,
    );
    const none = describeIndicator(indicator(rising, { comparisons: [{ name: 'riket', year: 2025, value: null }] }), k).join(' ');
    expect(none).not.toContain('Som jämförelse');
  });

  it('the same rise of a lower-is-better indicator is a deterioration', () => {
    const text = describeIndicator(indicator(rising, { title_sv: 'Arbetslöshet 20–64 år', higher_is_better: false }), ctx).join(' ');
    expect(text).toContain('har värdet ökat med 2,0 procentenheter');
    expect(text).toContain('vilket är en försämring');
  });

  it('an indicator without a direction gets no judgement', () => {
    const text = describeIndicator(indicator(falling, { higher_is_better: null }), ctx).join(' ');
    expect(text).toContain(`Sedan 2017 har värdet minskat med 2,0 procentenheter, från 80,0${NBSP}%.`);
    expect(text).not.toMatch(/förbättring|försämring/);
  });

  it('a change that rounds to zero is called unchanged, not a rise', () => {
    const text = describeIndicator(indicator([80.0, 80.1, 80.02]), ctx).join(' ');
    expect(text).toContain(`Värdet är i stort sett oförändrat sedan 2017 (80,0${NBSP}%).`);
    expect(text).not.toMatch(/ökat|minskat/);
  });
});

describe('summarizeIndicator', () => {
  it('gives one line with level, change and judgement', () => {
    expect(summarizeIndicator(indicator(rising), ctx)).toBe(
      `Sysselsättningsgrad 20–64 år: 80,0${NBSP}% i riket år 2025, en ökning med 2,0 procentenheter sedan 2017 – en förbättring.`,
    );
    expect(summarizeIndicator(indicator(falling), ctx)).toBe(
      `Sysselsättningsgrad 20–64 år: 78,0${NBSP}% i riket år 2025, en minskning med 2,0 procentenheter sedan 2017 – en försämring.`,
    );
  });
});

describe('missing values are named, never treated as zero', () => {
  it('names the years and why they are missing', () => {
    const block = indicator([78.0, 78.4, null, 79.2, 79.6, 79.9, 80.1, null, null]);
    const s = block.series[2];
    if (s) s.status = 'suppressed';
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain(`År 2023 var värdet 80,1${NBSP}% i riket.`);
    expect(text).toContain('Värde saknas för 2019 (skyddad enligt röjandegränsen) och 2024–2025 (uppgift saknas).');
    expect(text).toContain('ökat med 2,1 procentenheter');
    expect(text).not.toMatch(/\b0,0\b/);
  });

  it('says so when every year is missing', () => {
    const text = describeIndicator(indicator([null, null, null, null, null, null, null, null, null]), ctx);
    expect(text[0]).toBe('Uppgifter saknas för alla år 2017–2025.');
    expect(summarizeIndicator(indicator([null, null]), ctx)).toBe('Sysselsättningsgrad 20–64 år: uppgifter saknas.');
  });

  it('with a single year says no change can be given', () => {
    const text = describeIndicator(indicator([null, null, null, null, null, null, null, null, 81.2]), ctx).join(' ');
    expect(text).toContain('Värden för tidigare år saknas, så ingen förändring kan anges.');
  });
});

describe('spread between kommuner', () => {
  const kommuner = (pairs: [number | null, number | null][]): IndicatorBlock['by_kommun'] =>
    pairs.map(([value, first_value], i) => ({ code: `0${100 + i}`, name: `Kommun ${i}`, lan_code: '01', value, status: null, first_value }));

  it('widened', () => {
    const block = indicator(rising, { by_kommun: kommuner([[70, 72], [90, 86], [80, 80]]) });
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain('Skillnaden mellan kommunerna har ökat sedan 2017');
    expect(text).toContain('avståndet mellan högsta och lägsta kommun var 20,0 procentenheter år 2025 mot 14,0 procentenheter år 2017');
    expect(summarizeIndicator(block, ctx)).toMatch(/Skillnaden mellan kommunerna har ökat\.$/);
  });

  it('narrowed, compared on the kommuner that have both years', () => {
    const block = indicator(rising, { by_kommun: kommuner([[74, 70], [86, 90], [null, 60]]) });
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain('Skillnaden mellan kommunerna har minskat sedan 2017');
    expect(text).toContain('(2 kommuner med värden båda åren)');
    expect(text).toContain('1 kommun av 3 saknar värde.');
  });
});

describe('segregation', () => {
  const seg = (measure: string, values: (number | null)[]): SegregationBlock => ({
    measure,
    groups: 'utländsk bakgrund / svensk bakgrund',
    unit_level: 'deso',
    series: values.map((value, i) => ({ year: 2017 + i, value, n_units: 5984, status: 'ok' })),
    by_kommun: [],
  });

  it('a rising dissimilarity index means more segregation', () => {
    const text = describeSegregation(seg('D', [0.45, 0.46, 0.47])).join(' ');
    expect(text).toContain('Sedan 2017 har indexet stigit med 0,020, från 0,450; enligt måttet är boendet mer segregerat.');
    expect(summarizeSegregation(seg('D', [0.45, 0.46, 0.47]))).toContain('en ökning med 0,020 sedan 2017 – mer segregation enligt måttet');
  });

  it('a falling dissimilarity index means less segregation', () => {
    expect(describeSegregation(seg('D', [0.47, 0.45])).join(' ')).toContain('har indexet sjunkit med 0,020, från 0,470; enligt måttet är boendet mindre segregerat.');
  });

  it('a rising exposure index means less segregation', () => {
    expect(describeSegregation(seg('interaction_xPy', [0.6, 0.62])).join(' ')).toContain('enligt måttet är boendet mindre segregerat');
  });
});

describe('buildSummary on the fixture', () => {
  it('matches the reviewed text', () => {
    const s = buildSummary(reportModelFixture());
    const text = [
      ...s.overview,
      ...s.areas.flatMap((a) => [`## ${a.title}`, ...a.sentences.map((x) => `- ${x}`)]),
      '## Boendesegregation',
      ...s.segregation.map((x) => `- ${x}`),
      '',
    ].join('\n');
    expect(s.overview[0]).toBe(
      'Av 8 indikatorer med bestämd riktning och värden för minst två år har 5 utvecklats i önskad riktning och 3 i motsatt riktning sedan första året med data.',
    );
    expectGolden('report/summary.txt', text);
  });

  it('describes every indicator of the fixture as the chapters do (golden)', () => {
    const m = reportModelFixture();
    const text = [
      ...m.chapters.flatMap((ch) => ch.indicators.flatMap((b) => [`## ${b.title_sv}`, describeIndicator(b, ctx).join(' ')])),
      ...m.segregation.flatMap((b) => [`## ${b.measure} ${b.groups}`, describeSegregation(b).join(' ')]),
      '',
    ].join('\n');
    expectGolden('report/chapters.txt', text);
  });
});

describe('area types: the gap between type 1 and type 5', () => {
  const base = (): AreaTypeIndicator => {
    const ind = areaTypeBlockFixture().indicators.find((i) => i.id === 'economic_assistance_20_64');
    if (!ind) throw new Error('fixture changed');
    return ind;
  };
  /** The same indicator with the type 1 value (and so the gap) moved, the warehouse's verdict recomputed as gap.sql does. */
  const withType1 = (t1: number, over: Partial<AreaTypeIndicator> = {}): AreaTypeIndicator => {
    const i = { ...base(), ...over };
    const gap = t1 - (i.value_type5 ?? 0);
    const oriented = (g: number): number => (i.higher_is_better === null ? Math.abs(g) : i.higher_is_better ? -g : g);
    return { ...i, value_type1: t1, gap, gap_change: gap - (i.gap_base ?? 0), narrowed: oriented(gap) < oriented(i.gap_base ?? 0) };
  };

  it('a narrowed gap says so, with both values, the gap and the change', () => {
    const s = describeAreaTypeGap(base());
    expect(s).toBe(
      `I områden av typ 1 var långvarigt ekonomiskt bistånd 20–64 år 7,0${NBSP}% år 2024, 6,9 procentenheter högre än i typ 5 (0,1${NBSP}%). ` +
        'Skillnaden har minskat med 1,7 procentenheter sedan 2017, från 8,6 procentenheter.',
    );
    expect(gapVerdict(base())).toBe('narrowed');
    expect(gapVerdictWord(gapVerdict(base()))).toBe('minskat');
  });

  it('a widened gap gives a different, equally exact sentence', () => {
    const widened = withType1(10.1);
    expect(gapVerdict(widened)).toBe('widened');
    const s = describeAreaTypeGap(widened);
    expect(s).toContain('10,0 procentenheter högre än i typ 5');
    expect(s).toContain('Skillnaden har ökat med 1,4 procentenheter sedan 2017, från 8,6 procentenheter.');
    expect(s).not.toMatch(/minskat/);
  });

  it('for a higher-is-better indicator, a lower type 1 value further below type 5 is a widening', () => {
    const emp = areaTypeBlockFixture().indicators.find((i) => i.id === 'employment_rate_20_64');
    if (!emp) throw new Error('fixture changed');
    expect(gapVerdict(emp)).toBe('widened');
    expect(describeAreaTypeGap(emp)).toBe(
      `I områden av typ 1 var sysselsättningsgrad 20–64 år 61,0${NBSP}% år 2024, 30,0 procentenheter lägre än i typ 5 (91,0${NBSP}%). ` +
        'Skillnaden har ökat med 1,3 procentenheter sedan 2017, från 28,7 procentenheter.',
    );
  });

  it('a change that rounds to zero is "oförändrad", whatever the warehouse flag says', () => {
    const owner = areaTypeBlockFixture().indicators.find((i) => i.id === 'owner_occupied_share');
    if (!owner) throw new Error('fixture changed');
    expect(owner.narrowed).toBe(true); // |−29,40| < |−29,42|
    expect(gapVerdict(owner)).toBe('flat');
    expect(describeAreaTypeGap(owner)).toContain('Skillnaden är i stort sett oförändrad sedan 2017 (29,4 procentenheter).');
  });

  it('a gap that changed sign is called so, not "narrowed"', () => {
    const flipped = withType1(-0.5, { value_type5: 0.1, gap_base: 0.5 });
    expect(gapVerdict(flipped)).toBe('reversed');
    expect(describeAreaTypeGap(flipped)).toContain('skillnaden har alltså bytt tecken');
  });

  it('names why a gap is missing', () => {
    const rental = areaTypeBlockFixture().indicators.find((i) => i.id === 'rental_share');
    if (!rental) throw new Error('fixture changed');
    expect(gapVerdict(rental)).toBeNull();
    expect(describeAreaTypeGap(rental)).toBe(
      'För andel hyresrätter av lägenheterna kan skillnaden mellan typ 1 och typ 5 inte anges för 2024: värdet för typ 1 eller typ 5 vilar på för få personer och redovisas inte.',
    );
  });

  it('counts the gaps that narrowed, widened and stayed, leaving out the index components, with the odd base year said', () => {
    const text = describeAreaTypeGaps(areaTypeBlockFixture(), 'i riket');
    expect(text[0]).toBe(
      'Av 5 indikatorer där skillnaden mellan områdestyp 1 och 5 i riket kan följas har den sedan 2017 minskat för 1 ' +
        '(långvarigt ekonomiskt bistånd 20–64 år), ökat för 3 (sysselsättningsgrad 20–64 år, arbetslöshet 20–64 år och ' +
        'valdeltagande i val till kommunfullmäktige (sedan 2018)) och varit i stort sett oförändrad för 1 (andel äganderätter av lägenheterna).',
    );
    // The largest widening (turnout, 11,1) and the only narrowing, in full.
    expect(text[1]).toContain('Skillnaden har ökat med 11,1 procentenheter sedan 2018, från 28,6 procentenheter.');
    expect(text[2]).toContain('Skillnaden har minskat med 1,7 procentenheter sedan 2017');
    expect(text.join(' ')).not.toContain('index V3');
  });

  it('a kommun without type 1 and type 5 areas gets one sentence saying both are missing', () => {
    const block = areaTypeBlockWithoutTypes([1, 5]);
    expect(describeAreaTypeGaps(block, 'i Bjurholm')).toEqual([
      'Skillnaden mellan områdestyp 1 och 5 kan inte beräknas i Bjurholm, eftersom det saknas områden av både typ 1 och typ 5.',
    ]);
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

  it('says so when the scope has neither type 1 nor type 5 and everyone lives in one type', () => {
    const block = areaTypeBlockFixture();
    block.population = block.population.map((p) =>
      p.area_type === 4 ? { ...p, n_areas: 2, population: 2400, share: 100 } : { ...p, n_areas: 0, population: 0, share: 0 },
    );
    expect(describeAreaTypePopulation(block, 'i Bjurholm')).toEqual([
      'I Bjurholm fanns varken 2017 eller 2024 några områden av typ 1 eller typ 5.',
      'Alla invånare bodde i områden med goda socioekonomiska förutsättningar (typ 4).',
    ]);
  });

  it('explains the cut from the catalogue multiples and the latest national cut', () => {
    const text = describeAreaTypeMethod(areaTypeBlockFixture()).join(' ');
    expect(text).toContain('typ 1 från 2 standardavvikelser över medelvärdet och uppåt');
    expect(text).toContain('typ 3 från medelvärdet upp till 1 standardavvikelse över medelvärdet');
    expect(text).toContain('typ 5 lägre än 1 standardavvikelse under medelvärdet');
    expect(text).toContain(`År 2024 var medelvärdet 8,7 och standardavvikelsen 5,8; av 3${NBSP}363 RegSO blev 140 av typ 1`);
  });

  it('the summary carries area-type lines only when the model has the block', () => {
    expect(buildSummary(reportModelFixture()).area_types).toEqual([]);
    const s = buildSummary(reportModelFixture({ area_types: areaTypeBlockFixture() }));
    expect(s.area_types[0]).toMatch(/^År 2024 bodde 4,5/);
    expect(s.area_types).toHaveLength(6);
  });
});

describe('segregation: decomposition, RegSO beside DeSO, intervals', () => {
  const [d, , , quintiles] = segregationExtrasFixture();
  if (!d || !quintiles) throw new Error('fixture changed');

  it('splits M into its parts, largest first, and says how the largest share moved', () => {
    expect(describeDecomposition(quintiles)).toEqual([
      `Av den totala segregationen mellan nationella inkomstkvintiler K1–K5 i riket (M${NBSP}=${NBSP}0,0675 år 2024, över DeSO) låg ` +
        `76,3${NBSP}% inom kommunerna, 19,4${NBSP}% mellan kommuner i samma län och 4,3${NBSP}% mellan län.`,
      `Andelen inom kommunerna har ökat från 75,0${NBSP}% år 2017.`,
    ]);
  });

  it('a falling within-kommun share reads as a decrease', () => {
    const q = structuredClone(quintiles);
    const last = q.decomposition?.years[1];
    if (!last) throw new Error('fixture changed');
    last.terms = [
      { component: 'between_lan', M: 0.004, H: 0.0025 },
      { component: 'between_kommun_within_lan', M: 0.02, H: 0.012 },
      { component: 'within_kommun', M: 0.0435, H: 0.027 },
      { component: 'total', M: 0.0675, H: 0.0419 },
    ];
    expect(describeDecomposition(q)[1]).toBe(`Andelen inom kommunerna har minskat från 75,0${NBSP}% år 2017.`);
  });

  it('compares DeSO with the larger RegSO, and gives the interval', () => {
    const text = describeSegregation(d).join(' ');
    expect(text).toContain('Över de större RegSO-områdena var indexet lägre, 0,457 (förväntat vid slumpmässig fördelning 0,045) mot 0,471 över DeSO år 2025; områdenas storlek påverkar alltså måttet.');
    expect(text).toContain(`Bootstrapintervallet (95${NBSP}%) är 0,470–0,471.`);
  });

  it('prints an interval that would collapse at three decimals with more, and a signed one with "till"', () => {
    expect(intervalText({ ci_low: 0.04107, ci_high: 0.04134 })).toBe('0,0411–0,0413');
    expect(intervalText({ ci_low: -0.043, ci_high: 0.016 })).toBe('\u22120,043 till 0,016');
    expect(intervalText({ ci_low: null, ci_high: 0.1 })).toBeNull();
  });

  it('warns when an index rests on a handful of units, and does not count one kommun as a distribution', () => {
    const small: SegregationBlock = {
      ...d,
      other_unit_level: undefined,
      series: d.series.map((p) => ({ ...p, n_units: 2 })),
      by_kommun: [{ code: '2403', name: 'Bjurholm', value: 0.23, first_value: 0.2, n_units: 2, status: 'ok' }],
    };
    delete small.other_unit_level;
    const text = describeSegregation(small).join(' ');
    expect(text).toContain('Indexet bygger på bara 2 områden och ska därför tolkas med stor försiktighet.');
    expect(text).not.toContain('Av 1 kommun');
  });
});
