import { describe, expect, it } from 'vitest';
import type { IndicatorBlock, SegregationBlock } from '../../pipelines/report/model.ts';
import {
  buildSummary,
  describeIndicator,
  describeSegregation,
  summarizeIndicator,
  summarizeSegregation,
} from '../../pipelines/report/summary.ts';
import { expectGolden } from '../fixtures/expect-golden.ts';
import { reportModelFixture } from '../fixtures/report-model.ts';

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
