/**
 * The chart templates (templates/charts/*.vl.json, read by pipelines/charts/templates.ts): every chart kind of
 * pipelines/charts/specs.ts built from the fixtures in Swedish and English, each spec held against a golden file
 * written from the specs as the code built them before the templates existed (so moving the static parts into
 * JSON changed no chart), and a broken template stopping with a UsageError that names the file and the field.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CHART_KINDS,
  checkChartTemplates,
  areaTypeGapChart,
  areaTypePopulationChart,
  areaTypeTrendChart,
  indicatorLineChart,
  indicatorPanelsChart,
  kommunRankChart,
  kommunSpreadChart,
  mapChart,
  segregationLineChart,
  segregationPanelsChart,
  type ChartDef,
} from '../../pipelines/charts/specs.ts';
import { forgetParsedCharts, renderChart } from '../../pipelines/charts/render-chart.ts';
import { chartStyle, chartTemplate } from '../../pipelines/charts/templates.ts';
import { UsageError } from '../../pipelines/errors.ts';
import { loadBoundaries } from '../../pipelines/report/maps.ts';
import type { MapBlock } from '../../pipelines/report/model.ts';
import { areaTypeLegendName, measureLabel } from '../../pipelines/report/summary.ts';
import type { Lang } from '../../pipelines/report/wording.ts';
import { malmoLike } from '../fixtures/area-type-kommuner.ts';
import { expectGolden } from '../fixtures/expect-golden.ts';
import { areaTypeBlockFixture, reportModelFixture, segregationExtrasFixture, withComparisons } from '../fixtures/report-model.ts';

const DATA = join(new URL('../..', import.meta.url).pathname, 'data');

/** Stockholms län's kommuner coloured by a made-up value (one missing), and the same areas by area type (two without). */
function maps(): MapBlock[] {
  const b = loadBoundaries(DATA);
  const kommuner = [...b.kommuner.entries()].filter(([code]) => code.startsWith('01')).sort(([a], [c]) => (a < c ? -1 : 1));
  const base = { unit_level: 'kommun' as const, area_version: 'kommun2003', source: 'SCB', geometry_source: 'data/geo', missing_geometry: [] };
  const areas = kommuner.map(([code, k], i) => ({ code, name: k.name, value: code === '0180' ? null : 70 + i * 0.7, geometry: k.geometry }));
  return [
    { ...base, id: 'map-value', variable: 'indicator', title_sv: 'Sysselsättningsgrad 20–64 år', unit: 'procent', decimals: 1, year: 2024, areas },
    {
      ...base,
      id: 'map-type',
      variable: 'area_type',
      title_sv: 'Områdestyp',
      unit: 'områdestyp',
      decimals: 0,
      year: 2025,
      areas: areas.map((a, i) => ({ ...a, value: null, area_type: i < 2 ? null : ((1 + (i % 5)) as 1 | 2 | 3 | 4 | 5) })),
      outlines: [areas[0]?.geometry].filter((g) => g !== undefined),
    },
  ] as unknown as MapBlock[];
}

/** One or more charts of every kind the report draws, with the variants that change the spec's shape. */
function everyKind(lang: Lang): ChartDef[] {
  const m = reportModelFixture();
  const indicators = m.chapters.flatMap((c) => c.indicators);
  const employment = m.chapters.find((c) => c.policy_area === 'arbete')?.indicators[0];
  const seg = m.segregation[0];
  const [segWithOther] = segregationExtrasFixture();
  if (!employment || !seg || !segWithOther) throw new Error('fixture changed');
  const typeLabel = (t: 1 | 2 | 3 | 4 | 5): string => areaTypeLegendName(t, lang);
  const types = areaTypeBlockFixture();
  const untyped = types.population.filter((r) => r.area_type === 5).map((r) => ({ ...r, area_type: null, share: 9 }));
  const [valueMap, typeMap] = maps();
  if (!valueMap || !typeMap) throw new Error('no maps');
  return [
    indicatorLineChart(employment),
    indicatorLineChart(withComparisons(employment)),
    segregationLineChart(seg, measureLabel(seg.measure)),
    segregationLineChart(segWithOther, 'D'),
    kommunSpreadChart(employment, { name: 'Riket', value: 81.0 }, lang),
    kommunRankChart(employment, { name: 'Stockholms län', value: 80.2 }, lang),
    kommunRankChart(employment, { name: 'Stockholms län', value: null }, lang),
    indicatorPanelsChart(indicators.slice(0, 3), 'Stockholm', lang),
    indicatorPanelsChart(indicators.slice(0, 7).map((b, i) => (i % 2 ? withComparisons(b) : b)), 'Stockholm', lang),
    segregationPanelsChart([...m.segregation, ...segregationExtrasFixture()], (b) => `${measureLabel(b.measure)} ${b.groups}`, lang),
    areaTypePopulationChart(types, typeLabel),
    areaTypePopulationChart({ ...types, population: [...types.population, ...untyped] }, typeLabel),
    areaTypeGapChart(types.indicators.filter((i) => !i.index_component), typeLabel, lang),
    areaTypeGapChart(malmoLike().indicators, typeLabel, lang),
    areaTypeTrendChart(types.indicators, typeLabel, [2020], lang),
    areaTypeTrendChart(malmoLike().indicators, typeLabel, [], lang),
    mapChart([valueMap], typeLabel, lang),
    mapChart([valueMap, typeMap], typeLabel, lang),
  ];
}

describe('chart specs of every kind (golden, written before the templates)', () => {
  for (const lang of ['sv', 'en'] as const) {
    it(`${lang}: every spec as before`, () => {
      const charts = everyKind(lang);
      expect(charts).toHaveLength(18);
      const specs = charts.map((c) => ({ id: c.id, spec: c.spec }));
      expectGolden(`charts/specs-every-kind.${lang}.json`, JSON.stringify(specs, null, 1) + '\n');
    });
  }
});

describe('charts of every kind drawn one after another', () => {
  it('draw what each draws alone, with nothing held (expression functions shared between Views, render-chart.ts)', async () => {
    const charts = everyKind('sv');
    // The SVG, or the error: a variant that failed for its spec alone would have to fail alike.
    const draw = (c: ChartDef): Promise<string> => renderChart(c.spec, c.data).then((r) => r.svg, (e: unknown) => `error: ${(e as Error).message}`);
    const alone: string[] = [];
    for (const c of charts) {
      forgetParsedCharts();
      alone.push(await draw(c));
    }
    expect(alone.filter((s) => !s.startsWith('<svg'))).toEqual([]);
    forgetParsedCharts();
    for (const [i, c] of charts.entries()) expect(await draw(c), c.id).toBe(alone[i]);
  });
});

describe('a kommun ranking or spread without the area\'s own value', () => {
  it('draws the spread over the län without the dashed rule and its label (riket\'s own value missing)', async () => {
    const employment = reportModelFixture().chapters.flatMap((c) => c.indicators).find((i) => i.by_kommun.length > 0 && i.by_lan.length > 0);
    if (!employment) throw new Error('fixture has no kommun and län values');
    const c = kommunSpreadChart(employment, { name: 'Riket', value: null });
    expect(Object.keys(c.data).sort()).toEqual(['lans', 'values']);
    const r = await renderChart(c.spec, c.data);
    expect(r.svg).not.toContain('stroke-dasharray');
    expect((await renderChart(kommunSpreadChart(employment, { name: 'Riket', value: 81 }).spec, kommunSpreadChart(employment, { name: 'Riket', value: 81 }).data)).svg).toContain('stroke-dasharray');
  });

  it('draws the kommuner without the dashed rule and its label (a län whose own value is missing or protected)', async () => {
    const employment = reportModelFixture().chapters.flatMap((c) => c.indicators).find((i) => i.by_kommun.length > 0);
    if (!employment) throw new Error('fixture has no kommun values');
    const withRef = await renderChart(kommunRankChart(employment, { name: 'Stockholms län', value: 80.2 }).spec, kommunRankChart(employment, { name: 'Stockholms län', value: 80.2 }).data);
    const c = kommunRankChart(employment, { name: 'Stockholms län', value: null });
    expect(Object.keys(c.data)).toEqual(['values']);
    const r = await renderChart(c.spec, c.data);
    expect(r.svg).toContain('<svg');
    expect(r.svg).not.toContain('Stockholms län');
    expect(withRef.svg).toContain('Stockholms län');
    expect(r.svg).not.toContain('stroke-dasharray');
    expect(withRef.svg).toContain('stroke-dasharray');
  });
});

describe('the chart templates', () => {
  it('are one file per chart kind the code draws, and no other', () => {
    const files = readdirSync(new URL('../../templates/charts/', import.meta.url)).filter((f) => f.endsWith('.vl.json'));
    expect(files.map((f) => f.replace('.vl.json', '')).sort()).toEqual([...CHART_KINDS].sort());
    expect(() => checkChartTemplates()).not.toThrow();
  });
});

describe('a template a statistician edits', () => {
  const TEMPLATES = new URL('../../templates/charts/', import.meta.url).pathname;
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  /** A copy of templates/charts with `file` changed by `edit` (its JSON text). */
  function edited(file: string, edit: (text: string) => string): string {
    const root = mkdtempSync(join(tmpdir(), 'segfollow-templates-'));
    made.push(root);
    const dir = join(root, 'templates', 'charts');
    cpSync(TEMPLATES, dir, { recursive: true });
    writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
    return `${dir}/`;
  }
  const rankParams = { description: 'd', width: 481, height: 33, unitLabel: 'Procent', rows: ['A', 'B', 'C'] };
  function failure(f: () => unknown): UsageError {
    try {
      f();
    } catch (e) {
      if (e instanceof UsageError) return e;
      throw e;
    }
    throw new Error('no error');
  }

  it('changes the chart: a new accent colour and row height reach the spec', () => {
    const dir = edited('style.json', (t) => t.replace('"accent": "#1d4f91"', '"accent": "#0b3d7a"'));
    const dir2 = edited('kommun-rank.vl.json', (t) => t.replace('"rowHeight": 11', '"rowHeight": 12'));
    const spec = JSON.stringify(chartTemplate('kommun-rank', dir).fill(rankParams));
    expect(spec).toContain('"color":"#0b3d7a"');
    expect(spec).not.toContain('#1d4f91');
    expect(chartTemplate('kommun-rank', dir2).setting('rowHeight')).toBe(12);
  });

  it('fills a fresh spec on every call (a caller changing one cannot change the next)', () => {
    const t = chartTemplate('kommun-rank');
    const a = t.fill(rankParams) as unknown as { layer: { mark: { color?: string } }[] };
    const first = a.layer[2]?.mark;
    if (first) first.color = 'red';
    expect(JSON.stringify(t.fill(rankParams))).not.toContain('red');
  });

  it('stops with a UsageError naming the file and the field', () => {
    const cases: [string, (t: string) => string, RegExp][] = [
      ['line.vl.json', (t) => t.replace('"color": "{{accent}}", "strokeWidth": 2', '"color": "{{acent}}", "strokeWidth": 2'), /templates\/charts\/line\.vl\.json: "spec\.layer\[14\]\.mark\.color": unknown placeholder \{\{acent\}\}/],
      ['line.vl.json', (t) => t.replace('"indicatorHeight": 110', '"indicatorHeight": "110"'), /line\.vl\.json: "settings\.indicatorHeight": expected a number/],
      ['kommun-rank.vl.json', (t) => t.replace('{ "$use": "x" }', '{ "$use": "xx" }'), /kommun-rank\.vl\.json: "spec\.layer\[2\]\.encoding\.x\.\$use": no part "xx"/],
      ['kommun-rank.vl.json', (t) => t.replace('"layer": [', '"layer": [ { "$when": "nosuchflag", "mark": "rule" },'), /kommun-rank\.vl\.json: "spec\.layer\[0\]\.\$when": expected the name of a flag/],
      ['kommun-rank.vl.json', (t) => t.replace('"spec": {', '"spek": {'), /kommun-rank\.vl\.json: "spek": unknown section/],
      ['kommun-rank.vl.json', (t) => t.slice(0, -10), /kommun-rank\.vl\.json: cannot read the chart template/],
      ['kommun-rank.vl.json', (t) => t.replace('"{{description}}"', '"{{description}"'), /kommun-rank\.vl\.json: "spec\.description": a stray \{\{ or \}\}/],
      ['style.json', (t) => t.replace('"accent": "#1d4f91"', '"accent": "#1d4f9"'), /templates\/charts\/style\.json: "colors\.accent": expected a CSS colour/],
      ['style.json', (t) => t.replace('"font": "Roboto"', '"font": "Arial"'), /style\.json: "parts\.config\.font": the report embeds and measures Roboto only/],
      ['style.json', (t) => t.replace('"riket": [4, 2]', '"riket": "4 2"'), /style\.json: "dashes\.riket": expected a list of numbers/],
    ];
    for (const [file, edit, message] of cases) {
      const dir = edited(file, edit);
      const e = failure(() => {
        chartStyle(dir);
        chartTemplate(file.replace('.vl.json', '').replace('style.json', 'kommun-rank'), dir);
      });
      expect(e.message).toMatch(message);
      expect(e.exitCode).toBe(2);
    }
  });

  it('refuses a placeholder the code does not fill, when the chart is filled', () => {
    const dir = edited('kommun-rank.vl.json', (t) => t.replace('"rows": "the kommuner in order"', '"rows": "the kommuner in order", "subtitle": "new"').replace('"text": "{{unitLabel}}"', '"text": "{{unitLabel}}", "subtitle": "{{subtitle}}"'));
    expect(failure(() => chartTemplate('kommun-rank', dir).fill(rankParams)).message).toMatch(/kommun-rank\.vl\.json: "spec\.title\.subtitle": the code gave no value for \{\{subtitle\}\}/);
  });
});
