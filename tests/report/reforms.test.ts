import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { buildReportPdf } from '../../pipelines/report/build-pdf.ts';
import { checkReforms, loadReforms, REFORM_CHAPTER_TITLE, reformChapter, reformIndicatorRows, type ReformProgramme } from '../../pipelines/report/reforms.ts';
import { areaTypeBlockFixture, reportModelFixture } from '../fixtures/report-model.ts';
import { readPdfText } from '../helpers/pdf-text.ts';

const DATA = new URL('../../data', import.meta.url).pathname;
const cat = loadIndicators(DATA);
const ids = new Set(cat.indicators.map((d) => d.id));
const programme = loadReforms(DATA, cat.indicators);

describe('data/reforms.json against the indicator catalogue', () => {
  it('every indicator id named by a reform exists in data/indicators.json', () => {
    const named = programme.reforms.flatMap((r) => r.indicators.map((i) => i.id));
    expect(named.length).toBeGreaterThan(0);
    for (const id of named) expect(ids.has(id), id).toBe(true);
    expect(checkReforms(programme, ids)).toEqual([]);
  });

  it('holds the programme 2017–2025, its five policy areas and ten reforms numbered 1–10', () => {
    expect(programme.programme.period).toEqual([2017, 2025]);
    expect(programme.policy_areas.map((a) => a.id)).toEqual(['boende', 'utbildning', 'arbete', 'demokrati', 'brottslighet']);
    expect(programme.reforms.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('cites every fact: each reform, area and budget line names sources that exist, with a URL', () => {
    const urls = new Map(programme.sources.map((s) => [s.id, s.url]));
    for (const id of [...programme.programme.sources, ...programme.reforms.flatMap((r) => r.sources), ...programme.budget.flatMap((b) => b.sources)]) {
      expect(urls.get(id), id).toMatch(/^https?:\/\/\S+$/);
    }
  });

  it('says how each fact was verified, and the reform list is not claimed as read in the primary source', () => {
    for (const r of programme.reforms) expect(['primary', 'secondary', 'unverified']).toContain(r.verified);
    expect(programme.reforms.every((r) => r.verified !== 'primary')).toBe(true);
  });

  it('a reform without an indicator says why', () => {
    for (const r of programme.reforms.filter((x) => x.indicators.length === 0)) expect(r.no_indicator_sv ?? '').not.toBe('');
  });

  it('checkReforms names an unknown indicator, a missing source and a reform with neither indicator nor reason', () => {
    const broken = structuredClone(programme) as ReformProgramme;
    const first = broken.reforms[0];
    const second = broken.reforms[1];
    if (!first || !second) throw new Error('fixture');
    first.indicators = [];
    delete first.no_indicator_sv;
    second.indicators = [{ id: 'no_such_indicator', relation: 'direct', note_sv: '' }];
    second.sources = ['nowhere'];
    expect(checkReforms(broken, ids)).toEqual([
      `reform 1 (${first.id}): no indicator and no no_indicator_sv saying why`,
      `reform 2 (${second.id}): indicator "no_such_indicator" is not in data/indicators.json`,
      `reform 2 (${second.id}): source "nowhere" is not in sources`,
    ]);
  });

  it('loadReforms refuses a broken file, naming it (exit 2 as a UsageError)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-reforms-'));
    try {
      const broken = JSON.parse(readFileSync(join(DATA, 'reforms.json'), 'utf8')) as ReformProgramme;
      broken.reforms[2]?.indicators.push({ id: 'employment_foreign_born_women', relation: 'direct', note_sv: '' });
            writeFileSync(join(dir, 'reforms.json'), JSON.stringify(broken));
      expect(() => loadReforms(dir, cat.indicators)).toThrow(/data\/reforms\.json: reform 3 .*"employment_foreign_born_women" is not in data\/indicators\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reform indicators come from the report model', () => {
  const model = { ...reportModelFixture(), area_types: areaTypeBlockFixture() };
  const rows = reformIndicatorRows(model, programme);

  it('first and latest valued years of the area series, the change at the unit precision', () => {
    const emp = rows.find((r) => r.indicator_id === 'employment_rate_20_64');
    // The fixture's employment series: 80.0 in 2017 … 81.0 in 2023, then missing.
    expect(emp).toMatchObject({ reform_n: 3, relation: 'proxy', first_year: 2017, first_value: 80.0, latest_year: 2023, latest_value: 81.0, change: 1, in_model: true });
    const eligible = rows.find((r) => r.indicator_id === 'eligible_upper_secondary');
    expect(eligible).toMatchObject({ reform_n: 6, first_value: 82.5, latest_value: 84.7, latest_year: 2025, change: 2.2 });
  });

  it('an indicator the model lacks at this level is marked, not given a value', () => {
    const tenant = rows.find((r) => r.indicator_id === 'tenant_owned_share');
    expect(tenant).toMatchObject({ in_model: false, first_value: null, latest_value: null, change: null });
  });

  it('type 1 − type 5 gaps are those of the area-types block', () => {
    const emp = rows.find((r) => r.indicator_id === 'employment_rate_20_64');
    const gap = model.area_types.indicators.find((g) => g.id === 'employment_rate_20_64');
    expect(gap?.gap).not.toBeNull();
    expect(emp?.gap).toBe(gap?.gap);
    expect(emp?.gap_base).toBe(gap?.gap_base);
  });

  it('the chapter tables carry the formatted model values and say where no open indicator exists', () => {
    const blocks = reformChapter(model, programme);
    const tables = blocks.filter((b) => b.kind === 'table');
    const reformsTable = tables[0];
    expect(reformsTable?.kind === 'table' && reformsTable.rows.length).toBe(10);
    const noIndicator = programme.reforms.filter((r) => r.indicators.length === 0).map((r) => String(r.n));
    expect(reformsTable?.kind === 'table' && reformsTable.rows.filter((r) => r[3] === 'Inget öppet mått').map((r) => r[0])).toEqual(noIndicator);
    const dev = tables.find((t) => t.kind === 'table' && t.caption.startsWith('Reformernas indikatorer'));
    const empRow = dev?.kind === 'table' ? dev.rows.find((r) => r[0]?.startsWith('Sysselsättningsgrad')) : undefined;
    expect(empRow?.slice(1, 5)).toEqual(['3', '80,0 (2017)', '81,0 (2023)', '+1,0']);
    const text = JSON.stringify(blocks);
    expect(text).toContain('Utan värde för riket på den här nivån: Andel med förgymnasial utbildning 25–64 år, Andel bostadsrätter av lägenheterna och Andel äganderätter av lägenheterna.');
    for (const r of programme.reforms.filter((x) => x.no_indicator_sv)) expect(text).toContain(r.no_indicator_sv);
  });
});

describe('the reform chapter in the PDF', () => {
  let dir: string;
  let pages: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segfollow-reform-pdf-'));
    const file = join(dir, 'r.pdf');
    await buildReportPdf(reportModelFixture({ reforms: programme, scope: { level: 'kommun', code: '0180', name: 'Stockholm' } }), file);
    pages = (await readPdfText(file)).pages;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is chapter 2, listed in the contents, with the ten reforms and the budget', () => {
    const flat = pages.join(' ').replace(/\s+/gu, ' ');
    expect(flat).toContain(`2 ${REFORM_CHAPTER_TITLE}`);
    // A kommun report's contents share the first page with the title.
    expect(pages[0]?.replace(/\s+/gu, ' ')).toContain('Innehåll');
    expect(pages[0]?.replace(/\s+/gu, ' ')).toContain(REFORM_CHAPTER_TITLE);
    expect(flat).toContain('Arbetsförmedlingen får i uppdrag att särskilt öka sysselsättningen bland utrikes födda kvinnor');
    expect(flat).toContain('Reformernas indikatorer i Stockholm');
    // The budget as announced in the chapter; the amounts per year in bilaga A (issue 7: a kommun report's reader part is short).
    expect(flat).toContain('Vid lanseringen 2016 angavs att programmet skulle omfatta 110 miljoner kronor');
    expect(flat.slice(flat.lastIndexOf('Bilaga A'))).toMatch(/Belopp för reformprogrammet och åtgärder mot segregation, miljoner kronor År Miljoner kronor Slag Källa Vid/u);
    expect(flat).toContain('Källor till kapitlet');
    expect(flat.replace(/ /g, '')).toContain('https://www.regeringen.se/artiklar/2016/07/langsiktigt-reformprogram-for-minskad-segregation-ar-2017-2025/');
  });
});
