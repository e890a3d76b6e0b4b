/**
 * `--lang en` below the PDF: the summary layer, key findings, reading aids, reform chapter, maps' texts and the
 * catalogue's words in English, from the same model as the Swedish report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../pipelines/errors.ts';
import { catalogueText, caveatText } from '../../pipelines/report/catalogue-text.ts';
import { message } from '../../pipelines/messages.ts';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { workbookSheets } from '../../pipelines/report/workbook.ts';
import { formatNumber, formatPercent, formatValue, statusText, unitStyle } from '../../pipelines/report/format.ts';
import { keyFindings } from '../../pipelines/report/key-findings.ts';
import type { ReportModel } from '../../pipelines/report/model.ts';
import { definitionLine, howToRead, readingAids } from '../../pipelines/report/reading-aids.ts';
import { loadReforms, reformChapter } from '../../pipelines/report/reforms.ts';
import { mapIntro, mapTexts } from '../../pipelines/report/maps.ts';
import {
  areaTypeShortName,
  buildSummary,
  describeAreaTypeMethod,
  describeIndicator,
  describeSegregation,
  scopePhrase,
  summarizeAreaTypes,
} from '../../pipelines/report/summary.ts';
import { buildReportPdf } from '../../pipelines/report/build-pdf.ts';
import { dictOf, readPdf, resolve, textString, type PdfValue } from '../../pipelines/report/tagging/pdf-objects.ts';
import { readPdfText } from '../helpers/pdf-text.ts';
import { expectGolden } from '../fixtures/expect-golden.ts';
import { areaTypeBlockFixture, CAVEATS, reportModelFixture, segregationExtrasFixture } from '../fixtures/report-model.ts';
import { malmoLike } from '../fixtures/area-type-kommuner.ts';
import { withCatalogue } from './with-catalogue.ts';
import { fileURLToPath } from 'node:url';

const DATA = fileURLToPath(new URL('../../data', import.meta.url));
const NBSP = '\u00a0';

/** Words that only a Swedish sentence has; an English text with one of them has a Swedish fragment left in it. */
const SWEDISH = /\b(och|år|värdet?|saknas|kommunerna?|indikatorer|förändring|sedan|områden|typ|mellan|riket|länet|procentenheter|inte|säkerställd|från|till|eller|bland)\b/i;
/** A decimal comma (`78,4`, `0,412`): English prints a decimal point; `1,234` (thousands) is allowed. */
const DECIMAL_COMMA = /\d,\d{1,2}(?!\d)|\d,\d{4,}/;

/** The fixture's group splits under the names the pipeline gives them (stages/segregation.ts), which the wording knows. */
const REAL_GROUPS: Record<string, string> = {
  'låg ekonomisk standard / övriga': 'låg ekonomisk standard / ej låg ekonomisk standard',
  'nationella inkomstkvintiler K1–K5': 'nationella inkomstkvartiler Q1–Q4',
};

function realGroups<T extends { groups: string }>(b: T): T {
  return { ...b, groups: REAL_GROUPS[b.groups] ?? b.groups };
}

function english(model: ReportModel): ReportModel {
  return { ...model, lang: 'en', segregation: model.segregation.map(realGroups) };
}

function expectEnglish(texts: readonly string[]): void {
  for (const t of texts) {
    expect(t, t).not.toMatch(SWEDISH);
    expect(t, t).not.toMatch(DECIMAL_COMMA);
    expect(t.trim(), 'no empty sentence').not.toBe('');
  }
}

describe('English summary from the same model', () => {
  const model = english(withCatalogue(reportModelFixture()));

  it('matches the reviewed English text (golden)', () => {
    const s = buildSummary(model);
    const text = [
      ...s.overview,
      ...s.areas.flatMap((a) => [`## ${a.title}`, ...a.sentences.map((x) => `- ${x}`)]),
      '## Residential segregation',
      ...s.segregation.map((x) => `- ${x}`),
      '',
    ].join('\n');
    expectGolden('report/summary.en.txt', text);
  });

  it('describes every indicator and segregation block of the fixture in English as the chapters do (golden)', () => {
    const ctx = { scopePhrase: scopePhrase(model.scope, 'en'), reportYear: model.year, lang: 'en' as const };
    const text = [
      ...model.chapters.flatMap((ch) => ch.indicators.flatMap((b) => [`## ${b.id}`, describeIndicator(b, ctx).join(' ')])),
      ...model.segregation.flatMap((b) => [`## ${b.measure} ${b.groups}`, describeSegregation(b, 'en').join(' ')]),
      '',
    ].join('\n');
    expectGolden('report/chapters.en.txt', text);
  });

  it('writes every summary and chapter sentence in English, with a decimal point', () => {
    const s = buildSummary(model);
    const ctx = { scopePhrase: scopePhrase(model.scope, 'en'), reportYear: model.year, lang: 'en' as const };
    const chapters = model.chapters.flatMap((ch) => ch.indicators.flatMap((b) => describeIndicator(b, ctx)));
    const segregation = [...model.segregation, ...segregationExtrasFixture().map(realGroups)].flatMap((b) => describeSegregation(b, 'en'));
    expectEnglish([...s.overview, ...s.areas.map((a) => a.title), ...s.areas.flatMap((a) => a.sentences), ...s.segregation, ...chapters, ...segregation]);
    expect(s.areas.map((a) => a.title)).toContain('Housing');
  });

  it('says the same numbers as the Swedish text, formatted the English way', () => {
    const sv = buildSummary(withCatalogue(reportModelFixture())).areas.flatMap((a) => a.sentences);
    const en = buildSummary(model).areas.flatMap((a) => a.sentences);
    expect(en).toHaveLength(sv.length);
    // Every number of a Swedish line is in its English line, written with a decimal point and comma thousands.
    const found = (s: string): string[] => [...s.matchAll(/−?\d[\d\u00a0,.]*\d|\d/g)].map((m) => m[0]);
    const fromSv = (n: string): string => n.replace(/\u00a0/g, '').replace(',', '.');
    const fromEn = (n: string): string => n.replace(/,/g, '');
    sv.forEach((line, i) => {
      const en_ = en[i] ?? '';
      // A catalogue title may group `1 000` with a plain space.
      expect(found(en_).map(fromEn).sort(), `${line}\n${en_}`).toEqual(found(line.replace(/(\d) (?=\d{3}\b)/g, '$1')).map(fromSv).sort());
      expect(en_).not.toMatch(DECIMAL_COMMA);
    });
  });

  it('names the indicators by their English catalogue titles', () => {
    const s = buildSummary(model);
    const cat = JSON.parse(readFileSync(`${DATA}/indicators.json`, 'utf8')) as { indicators: { id: string; title_en: string }[] };
    const employment = cat.indicators.find((i) => i.id === 'employment_rate_20_64');
    expect(s.areas.flatMap((a) => a.sentences).some((x) => x.startsWith(`${employment?.title_en}: `))).toBe(true);
  });
});

describe('English area types, key findings, reading aids, reforms and maps', () => {
  const model = english(withCatalogue(reportModelFixture({ area_types: areaTypeBlockFixture() })));

  it('area types: population, comparison, gaps and method', () => {
    const block = areaTypeBlockFixture();
    const lines = [...summarizeAreaTypes(block, 'in Sweden', 'riket', 'en'), ...describeAreaTypeMethod(block, 'en')];
    expectEnglish(lines);
    expect(lines.join(' ')).toContain('Areas with major socio-economic challenges'.toLowerCase());
    expect(areaTypeShortName(1, 'en')).toBe('Type 1: major challenges');
  });

  it('key findings: title, sentences and method note', () => {
    const k = keyFindings(model);
    expect(k.title).toBe('Key findings');
    expectEnglish([k.method, ...k.findings.map((f) => f.text)]);
    expect(k.findings.length).toBeGreaterThan(2);
  });

  it('reading aids: the lag table, the D scale, the line under an indicator and under a D chart', () => {
    const blocks = readingAids(model, '9');
    const texts = blocks.flatMap((b) => (b.kind === 'table' ? [b.caption, ...b.header, b.note ?? 'x', ...b.rows.map((r) => r[0] ?? '')] : b.kind === 'list' ? b.items : [b.text]));
    expectEnglish(texts.filter((t) => !/^\d/.test(t)));
    const ind = model.chapters.flatMap((c) => c.indicators).find((b) => b.id === 'employment_rate_20_64');
    expect(ind).toBeDefined();
    const line = definitionLine({ ...(ind as NonNullable<typeof ind>), definition: 'x', population: 'y' }, 'en');
    expect(line).toMatch(/^Definition: Employed persons aged 20–64 .*Population: registered residents aged 20–64\. Unit: percent \(percentage points for changes\)\.$/);
    const d = model.segregation.find((b) => b.measure === 'D');
    if (d) expectEnglish([howToRead(d, 'en')]);
  });

  it('the reform chapter', () => {
    const programme = loadReforms(DATA, JSON.parse(readFileSync(`${DATA}/indicators.json`, 'utf8')).indicators);
    const blocks = reformChapter(model, programme);
    const texts = blocks.flatMap((b) => (b.kind === 'table' ? [b.caption, ...b.header, b.note ?? 'x'] : b.kind === 'list' ? [] : [b.text]));
    // Names of sources and programme documents stay Swedish (Ku2018/01462/D, Statskontoret): only the running text is checked.
    expectEnglish(texts.filter((t) => !t.includes('Statskontoret') && !t.includes('Ku2018')));
    expect(blocks[0]?.kind === 'para' && blocks[0].text.startsWith('Long-term reform programme for reduced segregation 2017–2025.')).toBe(true);
  });

  it('maps: intro, caption, classes and text alternative', () => {
    const map = {
      id: 'map-kommun-employment_rate_20_64',
      variable: 'indicator' as const,
      title_sv: 'Sysselsättningsgrad 20–64 år',
      unit: 'procent',
      decimals: 1,
      year: 2024,
      unit_level: 'kommun' as const,
      area_version: 'kommun2003',
      areas: [1234.5, 78.25, 80.5, null].map((value, i) => ({ code: `018${i}`, name: `K${i}`, value, status: value === null ? '..' : null, geometry: { type: 'Polygon' as const, coordinates: [] } })),
      source: 'Kolada N02267',
      geometry_source: 'Kommungränser: okfse/sweden-geojson (från Valmyndighetens data), förenklade',
      missing_geometry: [],
    };
    const t = mapTexts([map], 'Stockholms län', (x) => areaTypeShortName(x, 'en'), 'en');
    expectEnglish([mapIntro([map], 'Stockholms län', 'en'), t.caption, t.alt, t.note]);
    expect(t.caption).toContain('Municipalities in Stockholms län by employment rate, ages 20–64 2024.');
    expect(t.classRows.map((r) => r.cls)).toContain('1,234.5');
  });
});

describe('English formatting', () => {
  it('decimal point, comma thousands, U+2212 minus, 12.3%', () => {
    expect(formatNumber(1234567.891, 1, 'en')).toBe('1,234,567.9');
    expect(formatNumber(-0.45, 2, 'en')).toBe('\u22120.45');
    expect(formatPercent(12.34, 1, 'en')).toBe('12.3%');
    expect(formatPercent(12.34, 1, 'sv')).toBe(`12,3${NBSP}%`);
    expect(formatValue(245300, 'kronor', 'en')).toBe('245,300 SEK');
    expect(formatValue(12.34, 'per 1 000 invånare', 'en')).toBe('12.3 per 1,000 inhabitants');
    expect(formatValue(12.34, 'per 1 000 invånare', 'sv')).toBe(`12,3 per 1${NBSP}000 invånare`);
    expect(unitStyle('procent', 'en')).toMatchObject({ kind: 'percent', changeSuffix: ' percentage points', label: 'Percent' });
    expect(statusText('suppressed', 'en')).toBe('suppressed: based on fewer persons than the disclosure threshold');
  });

  it('an English report stops on a unit the wording has no English name for, naming file and key', () => {
    expect(() => formatValue(1, 'per kvadratmeter', 'en')).toThrow(UsageError);
    expect(() => formatValue(1, 'per kvadratmeter', 'en')).toThrow('templates/wording/en.json: no key "format.unitNames.per_kvadratmeter"');
    expect(formatValue(1, 'per kvadratmeter', 'sv')).toBe('1,0 per kvadratmeter');
  });
});

describe('catalogueText', () => {
  it('has English words for every indicator, materiality reason, definition break and the area-version break', () => {
    const cat = JSON.parse(readFileSync(`${DATA}/indicators.json`, 'utf8')) as {
      area_version_breaks: { what: string; effect: string }[];
      indicators: { id: string; title_sv: string; definition: string; population: string; materiality?: { value: number; reason: string }; breaks?: { year: number; what: string; effect: string; label: string; title_sv?: string }[] }[];
    };
    const en = catalogueText('en');
    for (const ind of cat.indicators) {
      expectEnglish([en.title(ind), en.definition(ind) ?? '', en.population(ind) ?? '', en.materialityReason(ind) ?? ''].filter((s) => s !== '').map((s) => s.replace(/\d,\d{3}/g, '')));
      for (const b of ind.breaks ?? []) {
        const t = en.seriesBreak(ind.id, b);
        expectEnglish([t.what, t.effect, t.label]);
        if (b.title_sv) expectEnglish([en.title({ id: ind.id, title_sv: b.title_sv })]);
      }
    }
    for (const b of cat.area_version_breaks) expectEnglish(Object.values(en.areaBreak(b)));
  });

  it('stops an English report on an indicator the catalogue does not have, naming the file and the id', () => {
    expect(() => catalogueText('en').title({ id: 'no_such_indicator', title_sv: 'x' })).toThrow('data/indicators.json: indicator "no_such_indicator" of the report is not in the catalogue');
    expect(catalogueText('sv').title({ id: 'no_such_indicator', title_sv: 'x' })).toBe('x');
  });
});

describe('caveatText', () => {
  it('gives the English text of a report caveat, by id or by its Swedish text', () => {
    expect(caveatText({ id: 'W204_SUPPRESSED', text: message('W204_SUPPRESSED') }, 'en')).toBe(message('W204_SUPPRESSED', 'en'));
    expect(caveatText(message('W202_CELL_KEY_NOISE'), 'en')).toBe(message('W202_CELL_KEY_NOISE', 'en'));
    expect(caveatText(message('W202_CELL_KEY_NOISE'), 'sv')).toBe(message('W202_CELL_KEY_NOISE'));
  });

  it('gives the English message for a caveat whose own list is Swedish only (W225), saying where the list is', () => {
    const stale = { id: 'W225_STALE_ACCEPTED', text: `${message('W225_STALE_ACCEPTED')} Valdeltagande (Kolada N05401): senaste år 2022, väntat 2026.` };
    const en = caveatText(stale, 'en');
    expect(en.startsWith(message('W225_STALE_ACCEPTED', 'en').replace(/:$/, '.'))).toBe(true);
    expect(en).toMatch(/written in Swedish only/);
    expect(en).not.toMatch(/Valdeltagande|senaste/);
    expect(caveatText(stale, 'sv')).toBe(stale.text);
  });
});

describe('the workbook in English', () => {
  it('writes the Definitioner sheet in English: title, headers, titles, definitions, populations, units', () => {
    const cat = loadIndicators(DATA).indicators;
    const sheet = (lang: 'sv' | 'en') => workbookSheets(lang === 'sv' ? withCatalogue(reportModelFixture()) : english(withCatalogue(reportModelFixture())), cat).find((x) => x.name === (lang === 'sv' ? 'Definitioner' : 'Definitions'));
    const en = sheet('en');
    const sv = sheet('sv');
    expect(en?.title).toBe("The indicators' definitions, population, unit and source");
    expect(en?.columns.map((c) => c.header)).toEqual(['Indicator id', 'Indicator', 'Definition', 'Population', 'Unit', 'Decimals', 'Higher is better', 'Source (table/KPI)', 'Years in the report', 'Area division', 'Lag, years']);
    expect(en?.rows).toHaveLength(sv?.rows.length ?? -1);
    const employment = en?.rows.find((r) => r[0] === 'employment_rate_20_64');
    expect(employment?.slice(1, 5)).toEqual(['Employment rate, ages 20–64', expect.stringMatching(/^Employed persons aged 20–64/), 'registered residents aged 20–64', 'Percent']);
    // Every text cell but the source ids, years and area versions (the same in both languages) is English.
    expectEnglish((en?.rows ?? []).flatMap((r) => [String(r[1]), String(r[2]), String(r[3]), String(r[6])]).map((t) => t.replace(/\d,\d{3}/g, '')));
    // The numbers are the same cells in both languages.
    expect(en?.rows.map((r) => [r[0], r[5], r[7], r[8], r[9], r[10]])).toEqual(sv?.rows.map((r) => [r[0], r[5], r[7], r[8], r[9], r[10]]));
  });
});

describe('every sheet of the workbook in English', () => {
  const cat = loadIndicators(DATA).indicators;
  const models: ReportModel[] = [
    { ...withCatalogue(reportModelFixture({ reforms: loadReforms(DATA, cat) })), area_types: areaTypeBlockFixture() },
    { ...withCatalogue(reportModelFixture()), scope: { level: 'kommun', code: '1280', name: 'Malmö' }, area_types: malmoLike() },
  ];

  it('names, titles, headers and words in English; the same sheets, rows and numbers as the Swedish workbook', () => {
    for (const m of models) {
      const sv = workbookSheets(m, cat);
      const en = workbookSheets(english(m), cat);
      expect(en.map((s) => s.rows.length)).toEqual(sv.map((s) => s.rows.length));
      expect(en.map((s) => s.name)).not.toContain('Om filen');
      expect(en[0]?.name).toBe('About');
      for (const [i, s] of en.entries()) {
        const twin = sv[i];
        if (!twin) throw new Error('no Swedish sheet');
        // Sheet names and titles: English, except RegSO and Segregation, the same word in both.
        if (!['RegSO', 'Segregation'].includes(s.name)) expect(s.name, s.name).not.toBe(twin.name);
        expectEnglish([s.name, s.title, ...s.columns.map((c) => c.header)]);
        // Every number is the same cell in both languages; texts differ only in words.
        expect(s.rows.map((r) => r.map((v) => (typeof v === 'number' ? v : typeof v)))).toEqual(twin.rows.map((r) => r.map((v) => (typeof v === 'number' ? v : typeof v))));
        // Words the workbook writes itself (statuses, verdicts, comparisons, units, the about sheet) are English;
        // official names (kommuner, län, SCB's table titles, Kolada's groups) and codes are not words of ours.
        const own = s.rows.flatMap((r) => r.filter((v, j): v is string => typeof v === 'string' && ['Status', 'Assessment', 'Comparison', 'Unit', 'Relation', 'Item', 'Indicator', 'Chapter', 'Area type'].includes(s.columns[j]?.header ?? '')));
        expectEnglish(own.filter((t) => t !== '' && t !== '..'));
      }
      const about = en[0]?.rows ?? [];
      expect(about.map((r) => r[0])).toContain('Rounding');
      expect(about.find((r) => r[0] === 'Rounding')?.[1]).toBe('The figures are rounded to the decimals the report shows (column Decimals on the sheet Definitions).');
    }
  });

  it('the status and verdict words of a riket workbook', () => {
    const en = workbookSheets(english(models[0] as ReportModel), cat);
    const kommuner = en.find((s) => s.name === 'Municipalities');
    expect(kommuner?.rows.map((r) => r[10])).toContain('protected below the disclosure threshold');
    const gaps = en.find((s) => s.name === 'Area types, gaps');
    expect(new Set(gaps?.rows.map((r) => r[8]))).toEqual(new Set(['narrowed', 'widened', 'no established change', '..'].filter((w) => gaps?.rows.some((r) => r[8] === w))));
    const reform = en.find((s) => s.name === 'Reform programme');
    expect(reform?.rows.some((r) => r[3] === 'direct')).toBe(true);
  });
});

describe('the English PDF', () => {
  /** Swedish words a page of English text must not have (official names such as "Stockholms län" are fine: none of these). */
  const SWEDISH_WORDS = /(?<![\p{L}])(och|år|Tabell|Figur|Sida|kommun|kommuner|kommunen|bilaga|Källa|värde|saknas|förändring|procent|Bedömning|Innehåll|Sammanfattning|Områdestyper|Indikator|intervall|riket|länet|till|Demodata|syntetiska)(?![\p{L}])/u;
  let pages: string[] = [];
  let pdf: ReturnType<typeof readPdf>;

  it('builds from the fixture with English headings, captions, notes and numbers, and /Lang en-GB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-en-pdf-'));
    try {
      const file = join(dir, 'report-en.pdf');
      const model = english(withCatalogue(reportModelFixture({ area_types: areaTypeBlockFixture(), segregation: segregationExtrasFixture(), caveats: CAVEATS })));
      await buildReportPdf(model, file);
      pages = (await readPdfText(file)).pages;
      pdf = readPdf(readFileSync(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const all = pages.join('\n');
    for (const heading of ['Key findings', 'Contents', 'About the data', 'Summary', 'Segregation', 'Area types', 'Appendix A Method and sources', 'Appendix B The indicators', "Appendix C The charts' figures"]) {
      expect(all, heading).toContain(heading);
    }
    expect(all).toMatch(/Table 1\. /);
    expect(all).toMatch(/Figure 1\. /);
    expect(all).toMatch(/Page 2 of \d+/);
    // The materiality limits with their reasons (data/indicators.json materiality.reason_en), as the Swedish report has them.
    expect(all.replace(/\s+/g, ' ')).toContain('moves a few tenths from year to year with the business cycle');
    // Every page, one by one, so a failure names the page and the word. The source tables' own titles are quoted as
    // SCB and Kolada publish them (official names, in Swedish): the rows between the sources table's header and its
    // note are left out of the check.
    const cited = (text: string): string => text.replace(/Title and address[\s\S]*?(?=Every figure in the report can be traced|$)/, '');
    pages.map(cited).forEach((text, i) => {
      const hit = SWEDISH_WORDS.exec(text);
      expect(hit ? `page ${i + 1}: "${hit[0]}" in …${text.slice(Math.max(0, hit.index - 60), hit.index + 40)}…` : null).toBeNull();
    });
    // Decimal points, not commas: a decimal comma is a digit, a comma and one to three digits not followed by another.
    expect(all).toMatch(/\d\.\d/);
    const comma = /\d,\d{1,2}(?!\d)/.exec(all);
    expect(comma ? all.slice(Math.max(0, comma.index - 60), comma.index + 20) : null).toBeNull();
    const root = dictOf(pdf, pdf.trailer.get('Root'));
    expect(textString(resolve(pdf, root?.get('Lang')) as PdfValue)).toBe('en-GB');
  });
});
