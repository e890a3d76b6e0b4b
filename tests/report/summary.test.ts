import { describe, expect, it } from 'vitest';
import type { IndicatorBlock, SegregationBlock, SegregationChange } from '../../pipelines/report/model.ts';
import {
  buildSummary,
  describeDecomposition,
  describeIndicator,
  describeSegregation,
  intervalText,
  summarizeIndicator,
  summarizeSegregation,
} from '../../pipelines/report/summary.ts';
import { expectGolden } from '../fixtures/expect-golden.ts';
import { reportModelFixture, segregationExtrasFixture } from '../fixtures/report-model.ts';
import { withCatalogue } from './with-catalogue.ts';

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
    materiality: { value: 1, reason: 'test' },
    ...over,
  };
}

const rising = [78.0, 78.4, 78.9, 79.2, 79.6, 79.9, 80.0, 80.0, 80.0];
const falling = [80.0, 79.6, 79.2, 78.9, 78.4, 78.1, 78.0, 78.0, 78.0];

/** A judgement word anywhere except in "ingen säkerställd förändring". */
const JUDGED = /förbättring|försämring/;

describe('describeIndicator: three outcomes, judgement only for a clear change', () => {
  it('a clear rise of a higher-is-better indicator is an improvement', () => {
    const text = describeIndicator(indicator(rising), ctx).join(' ');
    expect(text).toContain(`År 2025 var värdet 80,0${NBSP}% i riket.`);
    expect(text).toContain(`Sedan 2017 har värdet ökat tydligt med 2,0 procentenheter, från 78,0${NBSP}% till 80,0${NBSP}%, en förbättring.`);
    expect(text).not.toMatch(/minskat|försämring/);
  });

  it('a clear fall of a higher-is-better indicator is a deterioration; of a lower-is-better one an improvement', () => {
    expect(describeIndicator(indicator(falling), ctx).join(' ')).toContain('har värdet minskat tydligt med 2,0 procentenheter, från 80,0\u00a0% till 78,0\u00a0%, en försämring.');
    expect(describeIndicator(indicator(falling, { higher_is_better: false }), ctx).join(' ')).toContain('en förbättring.');
  });

  it('a change below the materiality threshold is no established change and gets no judgement', () => {
    const text = describeIndicator(indicator([5.2, 5.4, 5.5], { higher_is_better: false, materiality: { value: 0.5, reason: 'test' } }), ctx).join(' ');
    expect(text).toContain(`har värdet ökat från 5,2${NBSP}% till 5,5${NBSP}%, men det är ingen säkerställd förändring: den är inte större än 0,5 procentenheter`);
    expect(text).not.toMatch(JUDGED);
    expect(summarizeIndicator(indicator([5.2, 5.4, 5.5], { higher_is_better: false, materiality: { value: 0.5, reason: 'test' } }), ctx)).toBe(
      `Sysselsättningsgrad 20–64 år: 5,5${NBSP}% i riket år 2019, ingen säkerställd förändring sedan 2017 (5,2${NBSP}%).`,
    );
  });

  it('5,2 → 5,2 (values that print the same) is unchanged, never a worsening (the Uppvidinge case)', () => {
    const block = indicator([5.24, 5.16], { higher_is_better: false, materiality: { value: 0.5, reason: 'test' } });
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain(`Sedan 2017 är värdet i stort sett oförändrat (5,2${NBSP}% år 2017).`);
    expect(text).not.toMatch(JUDGED);
    expect(summarizeIndicator(block, ctx)).toContain('i stort sett oförändrat sedan 2017');
  });

  it('a change larger than the threshold but inside the sampling uncertainty of a small area is not established', () => {
    // 40 % of 200 persons → 46 % of 210: +6 points, beyond a 1-point threshold, but 1.96 SE of the difference is ~9.6.
    const series = [
      { year: 2017, value: 40, status: null, area_version: 'K', numerator: 80, denominator: 200 },
      { year: 2025, value: 46, status: null, area_version: 'K', numerator: 96.6, denominator: 210 },
    ];
    const small = describeIndicator(indicator([], { series }), ctx).join(' ');
    expect(small).toContain('men det är ingen säkerställd förändring: den ryms inom den slumpmässiga osäkerheten för så här få personer (±9,6 procentenheter)');
    expect(small).not.toMatch(JUDGED);
    // The same shares over 20 000 persons are a clear rise.
    const big = series.map((p) => ({ ...p, numerator: p.numerator * 100, denominator: p.denominator * 100 }));
    expect(describeIndicator(indicator([], { series: big }), ctx).join(' ')).toContain('har värdet ökat tydligt med 6,0 procentenheter');
  });

  it('an indicator without a direction gets no judgement, even for a clear change', () => {
    const text = describeIndicator(indicator(falling, { higher_is_better: null }), ctx).join(' ');
    expect(text).toContain(`Sedan 2017 har värdet minskat tydligt med 2,0 procentenheter, från 80,0${NBSP}% till 78,0${NBSP}%.`);
    expect(text).not.toMatch(JUDGED);
  });

  it('states the printed difference: 71,94 → 64,26 is −7,6 as the table shows, never −7,7', () => {
    const text = describeIndicator(indicator([71.94, 64.26]), ctx).join(' ');
    expect(text).toContain('minskat tydligt med 7,6 procentenheter, från 71,9\u00a0% till 64,3\u00a0%');
  });

  it('kronor compared over time carry their price basis', () => {
    const block = indicator([300000, 312000], { unit: 'kronor', higher_is_better: null, materiality: { value: 2, relative: true, reason: 'test' }, prices: { basis: 'constant', base_year: 2018 } });
    expect(describeIndicator(block, ctx).join(' ')).toContain(`från 300${NBSP}000 kronor till 312${NBSP}000 kronor, i fasta priser (2018 års priser).`);
    expect(summarizeIndicator(block, ctx)).toContain('sedan 2017, i fasta priser (2018 års priser)');
    const current = { ...block, prices: { basis: 'current' as const, base_year: null } };
    expect(describeIndicator(current, ctx).join(' ')).toContain('i löpande priser');
  });
});

describe('a change across a definition break is never a verdict on its own', () => {
  const brk = { year: 2024, what: 'åldersgruppen ändrades från 25–64 till 25–65 år', effect: 'nivån kan flytta sig', label: 'Ny definition: 25–65 år' };

  it('the whole change is shown without a verdict; the comparable years carry it', () => {
    // Flat 2017–2023, then a jump at the break: the jump must not read as an improvement.
    const block = indicator([42.0, 42.1, 42.0, 42.2, 42.1, 42.0, 42.2, 46.0, 46.3], { breaks: [brk] });
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain('Från 2017 till 2025 gick värdet från 42,0\u00a0% till 46,3\u00a0%. Serien har ett brott 2024: åldersgruppen ändrades från 25–64 till 25–65 år; nivån kan flytta sig. Förändringen över hela perioden bedöms därför inte.');
    expect(text).toContain('Med samma definition, 2017–2023, har värdet ökat från 42,0\u00a0% till 42,2\u00a0%, men det är ingen säkerställd förändring');
    expect(text).not.toMatch(JUDGED);
    expect(summarizeIndicator(block, ctx)).not.toMatch(JUDGED);
    expect(buildSummary(reportModelFixture({ chapters: [{ policy_area: 'utbildning', title_sv: 'Utbildning', indicators: [block] }], segregation: [] })).overview[0]).toContain(
      'har 0 förbättrats tydligt och 0 försämrats tydligt sedan första året med data; för 1 finns ingen säkerställd förändring',
    );
  });

  it('a clear change within the comparable years is judged, and said to be so', () => {
    const block = indicator([40, 41, 42, 43, 44, 45, 46, 49, 50], { breaks: [brk] });
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain('Med samma definition, 2017–2023, har värdet ökat tydligt med 6,0 procentenheter');
    expect(summarizeIndicator(block, ctx)).toContain('serien har ett brott 2024 (åldersgruppen ändrades från 25–64 till 25–65 år), med samma definition 2017–2023 en tydlig ökning med 6,0 procentenheter – en förbättring');
  });
});

describe('summarizeIndicator and the overview count only clear changes', () => {
  it('gives one line with level, verdict and judgement', () => {
    expect(summarizeIndicator(indicator(rising), ctx)).toBe(
      `Sysselsättningsgrad 20–64 år: 80,0${NBSP}% i riket år 2025, en tydlig ökning med 2,0 procentenheter sedan 2017 – en förbättring.`,
    );
  });

  it('the tally leaves changes inside the threshold out of better and worse', () => {
    const m = reportModelFixture({
      chapters: [
        { policy_area: 'arbete', title_sv: 'Arbete', indicators: [indicator(rising), indicator([5.2, 5.3], { id: 'u', higher_is_better: false }), indicator(falling, { id: 'f' })] },
      ],
      segregation: [],
    });
    expect(buildSummary(m).overview[0]).toBe(
      'Av 3 indikatorer med bestämd riktning och värden för minst två år har 1 förbättrats tydligt och 1 försämrats tydligt sedan första året med data; för 1 finns ingen säkerställd förändring.',
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
    expect(text).toContain('Värde saknas för 2019 (skyddad: vilar på färre personer än röjandegränsen) och 2024–2025 (uppgift saknas).');
    expect(text).toContain('ökat tydligt med 2,1 procentenheter');
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

  it('widened clearly, with the number of kommuner and the scope value beside highest and lowest', () => {
    const block = indicator(rising, { by_kommun: kommuner([[70, 72], [90, 86], [80, 80]]) });
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain(`Bland de 3 kommunerna med värde låg värdet 2025 mellan 70,0${NBSP}% (Kommun 0) och 90,0${NBSP}% (Kommun 1); värdet i riket var 80,0${NBSP}%.`);
    expect(text).toContain('Skillnaden mellan kommunerna har ökat tydligt sedan 2017');
    expect(text).toContain('avståndet mellan högsta och lägsta kommun var 20,0 procentenheter år 2025 mot 14,0 procentenheter år 2017');
    expect(summarizeIndicator(block, ctx)).toMatch(/Skillnaden mellan kommunerna har ökat tydligt\.$/);
  });

  it('a spread that moved less than the threshold has not changed established, and the summary is silent', () => {
    const block = indicator(rising, { by_kommun: kommuner([[70, 70], [80.5, 80]]) });
    expect(describeIndicator(block, ctx).join(' ')).toContain('Skillnaden mellan kommunerna har inte ändrats säkerställt sedan 2017');
    expect(summarizeIndicator(block, ctx)).not.toContain('Skillnaden');
  });

  it('narrowed, compared on the kommuner that have both years', () => {
    const block = indicator(rising, { by_kommun: kommuner([[74, 70], [86, 90], [null, 60]]) });
    const text = describeIndicator(block, ctx).join(' ');
    expect(text).toContain('Skillnaden mellan kommunerna har minskat tydligt sedan 2017');
    expect(text).toContain('(2 kommuner med värden båda åren)');
    expect(text).toContain('1 kommun av 3 saknar värde.');
  });
});

describe('segregation: a direction only with an established change', () => {
  const seg = (measure: string, values: (number | null)[], change: SegregationChange | null = null): SegregationBlock => ({
    measure,
    groups: 'utländsk bakgrund / svensk bakgrund',
    unit_level: 'deso',
    series: values.map((value, i) => ({ year: 2017 + i, value, n_units: 5984, status: 'ok' })),
    by_kommun: [],
    change,
  });
  const change = (verdict: SegregationChange['verdict'], diff: number, to_year = 2019): SegregationChange => ({ from_year: 2017, to_year, diff, ci_low: diff - 0.005, ci_high: diff + 0.005, verdict, crosses_break: false });

  it('a clear rise of D is more segregation', () => {
    const b = seg('D', [0.45, 0.46, 0.47], change('increase', 0.02));
    expect(describeSegregation(b).join(' ')).toContain(`Sedan 2017 har indexet stigit från 0,450 till 0,470 (95${NBSP}% intervall för förändringen 0,015–0,025), en säkerställd ökning; enligt måttet är boendet mer segregerat.`);
    expect(summarizeSegregation(b)).toBe('Olikhetsindex D (utländsk bakgrund / svensk bakgrund, DeSO): 0,470 år 2019, sedan 2017 en säkerställd ökning från 0,450 – mer segregation enligt måttet.');
  });

  it('a clear fall of D is less segregation; a clear rise of exposure is less segregation', () => {
    expect(describeSegregation(seg('D', [0.47, 0.45], change('decrease', -0.02, 2018))).join(' ')).toContain('enligt måttet är boendet mindre segregerat.');
    expect(describeSegregation(seg('interaction_xPy', [0.6, 0.62], change('increase', 0.02, 2018))).join(' ')).toContain('enligt måttet är boendet mindre segregerat');
  });

  it('no verdict (or none computed) gives no direction (the Härjedalen case: 0,117 → 0,124 inside the interval)', () => {
    for (const c of [change('none', 0.007, 2018), null]) {
      const b = seg('D', [0.117, 0.124], c);
      const text = describeSegregation(b).join(' ');
      expect(text).toMatch(/(Sedan 2017 gick indexet från 0,117 till 0,124; förändringen är inte säkerställd|Indexet var 0,117 år 2017 och 0,124 år 2018; ingen säkerställd förändring kan anges)/);
      expect(text).not.toMatch(/stigit|sjunkit|mer segreg|mindre segreg/);
      expect(summarizeSegregation(b)).toBe('Olikhetsindex D (utländsk bakgrund / svensk bakgrund, DeSO): 0,124 år 2018 (0,117 år 2017); ingen säkerställd förändring.');
    }
  });

  it('across the DeSO break: the comparable years carry the verdict, the whole period is named and not judged', () => {
    const b = seg('D', [0.4, 0.401, 0.402, 0.404, 0.405, 0.407, 0.409, 0.41, 0.412, 0.413]);
    b.series = b.series.map((p, i) => ({ ...p, year: 2016 + i, area_version: 2016 + i >= 2024 ? 'DeSO2025' : 'DeSO2018' }));
    b.change = { from_year: 2024, to_year: 2025, diff: 0.001, ci_low: 0.0004, ci_high: 0.0016, verdict: 'increase', crosses_break: false };
    b.change_since_first = { from_year: 2016, to_year: 2025, diff: 0.013, ci_low: 0.012, ci_high: 0.014, verdict: 'increase', crosses_break: true };
    b.break_size = [{ year: 2023, from_version: 'DeSO2018', to_version: 'DeSO2025', value_from: 0.41, value_to: 0.411 }];
    b.area_break = { year: 2024, what: 'SCB reviderade DeSO', effect: 'en förändring över bytet kan delvis bero på den nya indelningen' };
    const text = describeSegregation(b).join(' ');
    expect(text).toContain(`Med samma områdesindelning (DeSO 2025), från 2024 till 2025, har indexet stigit från 0,412 till 0,413 (95${NBSP}% intervall för förändringen 0,0004–0,0016), en säkerställd ökning`);
    expect(text).toContain('Från 2016 till 2025 gick indexet från 0,400 till 0,413; jämförelsen spänner över bytet av områdesindelning och bedöms därför inte för sig.');
    expect(text).toContain('Mellan 2023 och 2024 byts områdesindelningen (DeSO 2018 till DeSO 2025): SCB reviderade DeSO. En förändring över bytet kan delvis bero på den nya indelningen.');
    expect(text).toContain('Brottets storlek syns när samma år beräknas över båda indelningarna: år 2023 var indexet 0,410 över DeSO 2018 mot 0,411 över DeSO 2025.');
    expect(text).not.toMatch(/Sedan 2016 har indexet stigit/);
    expect(summarizeSegregation(b)).toBe(
      'Olikhetsindex D (utländsk bakgrund / svensk bakgrund, DeSO): 0,413 år 2025, med samma områdesindelning 2024–2025 en säkerställd ökning från 0,412 – mer segregation enligt måttet. ' +
        'Jämförelsen med 0,400 år 2016 spänner över bytet av områdesindelning 2024 och bedöms inte för sig.',
    );
    // The years before the break, tested on the old division, carry their own verdict, first in the text.
    const withBefore = { ...b, change_before_break: { from_year: 2016, to_year: 2023, diff: 0.01, ci_low: 0.008, ci_high: 0.012, verdict: 'increase' as const, crosses_break: false } };
    const tb = describeSegregation(withBefore).join(' ');
    expect(tb).toContain(`Med den tidigare områdesindelningen (DeSO 2018), från 2016 till 2023, steg indexet från 0,400 till 0,410 (95${NBSP}% intervall för förändringen 0,008–0,012), en säkerställd ökning`);
    expect(tb.indexOf('tidigare områdesindelningen')).toBeLessThan(tb.indexOf('Med samma områdesindelning'));
    expect(summarizeSegregation(withBefore)).toContain('Med den tidigare indelningen, 2016–2023, en säkerställd ökning – mer segregation enligt måttet. Jämförelsen med 0,400 år 2016');
    // A change_since_first across the break with a verdict is still never stated as a direction on its own.
    const only = { ...b, change: null };
    expect(describeSegregation(only).join(' ')).not.toMatch(/stigit|sjunkit|mer segreg|mindre segreg/);
    expect(summarizeSegregation(only)).toBe(
      'Olikhetsindex D (utländsk bakgrund / svensk bakgrund, DeSO): 0,413 år 2025; ingen säkerställd förändring med samma områdesindelning. Jämförelsen med 0,400 år 2016 spänner över bytet av områdesindelning 2024 och bedöms inte för sig.',
    );
  });

  it('counts kommuner only with a change beyond their intervals, and across the break only when the old division agrees', () => {
    const k = (code: string, first: number, pre: number, last: number, halfWidth: number) => ({
      code,
      name: `K${code}`,
      value: last,
      first_value: first,
      n_units: 40,
      status: 'ok',
      expected: 0.02,
      ci_low: last - halfWidth,
      ci_high: last + halfWidth,
      first_ci_low: first - halfWidth,
      first_ci_high: first + halfWidth,
      unit_version: 'DeSO2025',
      first_unit_version: 'DeSO2018',
      pre_year: 2023,
      pre_value: pre,
      pre_ci_low: pre - halfWidth,
      pre_ci_high: pre + halfWidth,
    });
    const b = seg('D', [0.3, 0.31], change('none', 0.01, 2018));
    b.by_kommun = [
      k('1', 0.2, 0.25, 0.26, 0.005), // clear rise, already on the old division
      k('2', 0.2, 0.2, 0.26, 0.005), // a rise only after the break: not counted
      k('3', 0.117, 0.12, 0.124, 0.026), // Härjedalen: inside the intervals
      k('4', 0.3, 0.25, 0.24, 0.005), // clear fall
    ];
    const text = describeSegregation(b).join(' ');
    expect(text).toContain('Av 4 kommuner med värden både 2017 och 2018 steg indexet säkerställt i 1 och sjönk säkerställt i 1; i 2 är förändringen inte säkerställd.');
    expect(text).toContain('För alla spänner jämförelsen över bytet av områdesindelning');
  });

  it('counts kommuner by the measures\u2019 test of the difference where it exists; across the break only with the years before it agreeing', () => {
    const tested = (verdict: SegregationChange['verdict'], crosses: boolean): SegregationChange => ({ from_year: 2017, to_year: 2025, diff: 0.05, ci_low: 0.01, ci_high: 0.09, verdict, crosses_break: crosses });
    const k = (code: string, since: SegregationChange, before: SegregationChange | null) => ({
      code, name: `K${code}`, value: 0.3, first_value: 0.25, n_units: 40, status: 'ok', change_since_first: since, change_before_break: before,
    });
    const b = seg('D', [0.3, 0.31], change('none', 0.01, 2018));
    b.by_kommun = [
      k('1', tested('increase', false), null), // one area version: its own verdict
      k('2', tested('increase', true), tested('increase', false)), // across the break, the old division agrees
      k('3', tested('increase', true), tested('none', false)), // across the break, not seen before it
      k('4', tested('increase', true), null), // across the break, nothing before it
    ];
    // The years named are those the tests compared (2017–2025), not the block's own.
    expect(describeSegregation(b).join(' ')).toContain('Av 4 kommuner med värden både 2017 och 2025 steg indexet säkerställt i 2; i 2 är förändringen inte säkerställd.');
  });

  it('ranks only kommuner with at least ten areas and gives their number and the expected value', () => {
    const b = seg('D', [0.3, 0.31]);
    b.by_kommun = [
      { code: '1', name: 'Stor', value: 0.4, first_value: 0.39, n_units: 30, status: 'ok', expected: 0.021 },
      { code: '2', name: 'Liten', value: 0.7, first_value: 0.6, n_units: 4, status: 'ok', expected: 0.15 },
      { code: '3', name: 'Mellan', value: 0.3, first_value: 0.3, n_units: 12, status: 'ok', expected: 0.03 },
    ];
    const text = describeSegregation(b).join(' ');
    expect(text).toContain('Bland 2 kommuner med minst 10 områden hade Stor högst värde 2018: 0,400 över 30 områden; förväntat vid slumpmässig fördelning 0,021. 1 kommun har färre än 10 områden; deras index är mycket osäkra och ingår inte i jämförelsen.');
    expect(text).not.toContain('Liten');
  });
});

describe('buildSummary on the fixture', () => {
  it('matches the reviewed text (golden, updated on purpose for issue 6: verdicts, printed differences, breaks)', () => {
    const s = buildSummary(withCatalogue(reportModelFixture()));
    const text = [
      ...s.overview,
      ...s.areas.flatMap((a) => [`## ${a.title}`, ...a.sentences.map((x) => `- ${x}`)]),
      '## Boendesegregation',
      ...s.segregation.map((x) => `- ${x}`),
      '',
    ].join('\n');
    expectGolden('report/summary.txt', text);
  });

  it('describes every indicator of the fixture as the chapters do (golden)', () => {
    const m = withCatalogue(reportModelFixture());
    const text = [
      ...m.chapters.flatMap((ch) => ch.indicators.flatMap((b) => [`## ${b.title_sv}`, describeIndicator(b, ctx).join(' ')])),
      ...m.segregation.flatMap((b) => [`## ${b.measure} ${b.groups}`, describeSegregation(b).join(' ')]),
      '',
    ].join('\n');
    expectGolden('report/chapters.txt', text);
  });
});

describe('segregation: decomposition, RegSO beside DeSO, intervals', () => {
  const [d, , , quintiles] = segregationExtrasFixture();
  if (!d || !quintiles) throw new Error('fixture changed');

  it('splits M into its parts, largest first, and gives the largest share in the first year without a direction', () => {
    expect(describeDecomposition(quintiles)).toEqual([
      `Av den totala segregationen mellan nationella inkomstkvintiler K1–K5 i riket (M${NBSP}=${NBSP}0,0675 år 2024, över DeSO) låg ` +
        `76,3${NBSP}% inom kommunerna, 19,4${NBSP}% mellan kommuner i samma län och 4,3${NBSP}% mellan län.`,
      `År 2017 var andelen inom kommunerna 75,0${NBSP}%.`,
    ]);
  });

  it('reads a DeSO–RegSO difference as the units\u2019 size only when it is beyond both intervals', () => {
    // The fixture's RegSO series has no interval: no claim about unit size.
    const text = describeSegregation(d).join(' ');
    expect(text).toContain('Över de större RegSO-områdena var indexet 0,457 (förväntat vid slumpmässig fördelning 0,045) mot 0,471 över DeSO år 2025; om skillnaden beror på områdenas storlek kan inte prövas, eftersom intervall saknas.');
    expect(text).not.toContain('påverkar alltså');
    expect(text).toContain(`Bootstrapintervallet (95${NBSP}%) är 0,470–0,471.`);
    // 0,155 vs 0,154 with intervals ±0,01: not clear. 0,40 vs 0,46 with ±0,001: clear.
    const close = structuredClone(d);
    const ownLast = close.series[close.series.length - 1];
    const otherLast = close.other_unit_level?.series[close.other_unit_level.series.length - 1];
    if (!ownLast || !otherLast) throw new Error('fixture changed');
    Object.assign(ownLast, { value: 0.154, ci_low: 0.144, ci_high: 0.164 });
    Object.assign(otherLast, { value: 0.155, ci_low: 0.145, ci_high: 0.165 });
    expect(describeSegregation(close).join(' ')).toContain('0,155 (förväntat vid slumpmässig fördelning 0,045) mot 0,154 över DeSO år 2025; skillnaden ryms inom osäkerheten och är inte säkerställd.');
    Object.assign(ownLast, { value: 0.46, ci_low: 0.459, ci_high: 0.461 });
    Object.assign(otherLast, { value: 0.4, ci_low: 0.399, ci_high: 0.401 });
    expect(describeSegregation(close).join(' ')).toContain('säkerställt lägre; områdenas storlek påverkar alltså måttet.');
  });

  it('prints an interval that would collapse at three decimals with more, and a signed one with "till"', () => {
    expect(intervalText({ ci_low: 0.04107, ci_high: 0.04134 })).toBe('0,0411–0,0413');
    expect(intervalText({ ci_low: -0.043, ci_high: 0.016 })).toBe('\u22120,043 till 0,016');
    expect(intervalText({ ci_low: null, ci_high: 0.1 })).toBeNull();
  });

  it('warns when an index rests on fewer than ten units, and does not count one kommun as a distribution', () => {
    const small: SegregationBlock = {
      ...d,
      other_unit_level: undefined,
      series: d.series.map((p) => ({ ...p, n_units: 8 })),
      by_kommun: [{ code: '2403', name: 'Bjurholm', value: 0.23, first_value: 0.2, n_units: 8, status: 'ok' }],
    };
    delete small.other_unit_level;
    const text = describeSegregation(small).join(' ');
    expect(text).toContain('Indexet bygger på bara 8 områden, färre än 10, och är därför mycket osäkert.');
    expect(text).not.toContain('Av 1 kommun');
  });
});
