/**
 * The HTML twin of a report (pipelines/report/build-html.ts), for the riket report (with maps, area types and the
 * reform chapter) and a kommun report of the fixture model: compared with the content tree the PDF is written from
 * (build-pdf.ts reportDefinition), then opened in headless Chromium (Debian's chromium, driven by playwright-core)
 * over HTTP on 127.0.0.1: it renders without errors, fetches nothing but itself, every link resolves, every chart is
 * an image with its alt text as accessible name, and nothing overflows at 1280 or 390 px.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIndicators } from '../../pipelines/catalogue.ts';
import { buildReportHtml, plainText, reportHtml } from '../../pipelines/report/build-html.ts';
import { reportDefinition, type Content, type DocDefinition } from '../../pipelines/report/build-pdf.ts';
import { kommunMaps, loadBoundaries } from '../../pipelines/report/maps.ts';
import type { ReportModel } from '../../pipelines/report/model.ts';
import { loadReforms } from '../../pipelines/report/reforms.ts';
import { areaTypeBlockFixture, reportModelFixture, segregationExtrasFixture } from '../fixtures/report-model.ts';

const CHROMIUM = '/usr/bin/chromium';
const DATA = new URL('../../data', import.meta.url).pathname;
const WIDTHS = [1280, 390] as const;

interface Report {
  name: string;
  file: string;
  dd: DocDefinition;
  html: string;
  bytes: number;
}

function models(): { name: string; model: ReportModel }[] {
  const cat = loadIndicators(DATA);
  const reforms = loadReforms(DATA, cat.indicators);
  const base = reportModelFixture({ reforms });
  const riket: ReportModel = {
    ...base,
    segregation: [...base.segregation, ...segregationExtrasFixture()],
    area_types: areaTypeBlockFixture(),
    maps: kommunMaps(base.scope, base.chapters, base.segregation, loadBoundaries(DATA)),
  };
  const kommun = reportModelFixture({ reforms, scope: { level: 'kommun', code: '0180', name: 'Stockholm' } });
  return [
    { name: 'segfollow-riket-00-2025.html', model: riket },
    { name: 'segfollow-kommun-0180-2025.html', model: kommun },
  ];
}

// ---- What the content tree (the PDF's source) says. ----

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const hasStyle = (n: Obj, s: string): boolean => n.style === s || (Array.isArray(n.style) && n.style.includes(s));
const norm = (s: string): string => s.replace(/\s+/gu, ' ').trim();

/** Every node of the tree in document order (table cells and list items included). */
function nodes(content: readonly Content[]): Obj[] {
  const out: Obj[] = [];
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (!isObj(n)) return;
    out.push(n);
    for (const k of ['stack', 'columns', 'ul']) if (Array.isArray(n[k])) visit(n[k]);
    if (isObj(n.table) && Array.isArray(n.table.body)) visit(n.table.body);
  };
  visit(content);
  return out;
}

const chapterHeadings = (dd: DocDefinition): string[] => nodes(dd.content).filter((n) => hasStyle(n, 'h1') && n.tocItem === true).map((n) => norm(plainText(n)));
const charts = (dd: DocDefinition): Obj[] => nodes(dd.content).filter((n) => 'svg' in n && isObj(n.chart));
const tableCaptions = (dd: DocDefinition): string[] => nodes(dd.content).filter((n) => hasStyle(n, 'caption') && /^Tabell \d+\./u.test(plainText(n))).map((n) => norm(plainText(n)));
const bodyParagraphs = (dd: DocDefinition): string[] => nodes(dd.content).filter((n) => 'text' in n && hasStyle(n, 'body')).map((n) => norm(plainText(n))).filter(Boolean);

// ---- The browser. ----

/*
 * Run in the page (as source text: the project compiles without the DOM library). Ids, links and what they point at;
 * the page's width against the window's, each chart's box, and any block outside the tables' own scroll boxes that
 * sticks out of the window.
 */
const LINK_FACTS = `(() => {
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  const links = [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href') || '');
  const labelled = [...document.querySelectorAll('[aria-labelledby]')].flatMap((e) => (e.getAttribute('aria-labelledby') || '').split(/\\s+/));
  return {
    duplicates: ids.filter((id, i) => ids.indexOf(id) !== i),
    internal: links.filter((h) => h.startsWith('#')),
    broken: links.filter((h) => h.startsWith('#') && !document.getElementById(decodeURIComponent(h.slice(1)))),
    other: links.filter((h) => !h.startsWith('#')),
    unlabelled: labelled.filter((id) => !document.getElementById(id)),
  };
})()`;
const LAYOUT_FACTS = `(() => ({
  scroll: document.scrollingElement.scrollWidth,
  inner: innerWidth,
  svgs: [...document.querySelectorAll('figure > svg')].map((s) => {
    const b = s.getBoundingClientRect();
    return { w: b.width, h: b.height, right: b.right };
  }),
  wide: [...document.querySelectorAll('main *')].filter((e) => !e.closest('.table-box') && e.getBoundingClientRect().right > innerWidth + 0.5).map((e) => e.tagName),
}))()`;

interface Loaded {
  page: Page;
  errors: string[];
  requests: string[];
}

let dir: string;
let server: Server;
let base: string;
let browser: Browser;
const reports: Report[] = [];
const served: string[] = [];

async function open(file: string, width: number): Promise<Loaded> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  const res = await page.goto(`${base}/${file}`, { waitUntil: 'load' });
  expect(res?.status()).toBe(200);
  return { page, errors, requests };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Debian's chromium is not installed (${CHROMIUM} missing): the HTML twin tests need it; install it with "apt-get install chromium" (.ci/run does)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'segfollow-html-'));
  for (const [i, { name, model }] of models().entries()) {
    const file = join(dir, name);
    const t0 = performance.now();
    const dd = await reportDefinition(model);
    const t1 = performance.now();
    const html = reportHtml(dd);
    console.info(`${name}: content tree ${(t1 - t0).toFixed(0)} ms, HTML ${(performance.now() - t1).toFixed(0)} ms, ${html.length} characters`);
    // The kommun report through the stage's own call; the riket text as it is (one tree build less per run).
    const bytes = i === 1 ? (await buildReportHtml(model, file)).bytes : (writeFileSync(file, html), Buffer.byteLength(html));
    reports.push({ name, file, dd, html, bytes });
  }
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    const name = (req.url ?? '').slice(1);
    const r = reports.find((x) => x.name === name);
    if (!r) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(r.file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the HTML file', () => {
  it('is written whole under its name, its size as reported, the same model giving the same file', () => {
    expect(readdirSync(dir).sort()).toEqual(reports.map((r) => r.name).sort());
    const kommun = reports[1] as Report;
    expect(statSync(kommun.file).size).toBe(kommun.bytes);
    // Written by buildReportHtml from its own content tree: byte for byte what this test's tree gives.
    expect(readFileSync(kommun.file, 'utf8')).toBe(kommun.html);
  });

  it('is UTF-8 HTML in Swedish with å ä ö intact and no script', () => {
    for (const r of reports) {
      expect(r.html.startsWith('<!DOCTYPE html>\n<html lang="sv">')).toBe(true);
      expect(r.html).toContain('<meta charset="utf-8">');
      expect(r.html).toContain('Demokrati och civilsamhälle');
      expect(r.html).toContain('Förbehåll');
      // No mojibake (UTF-8 read as Latin-1) and no script of any kind.
      expect(r.html).not.toMatch(/Ã[¥¤¶]/u);
      expect(r.html).not.toMatch(/<script|\son[a-z]+=/iu);
      // Vega's English per-mark labels stay out of the Swedish page.
      expect(r.html).not.toMatch(/aria-roledescription|X-axis for/u);
    }
  });

  it('escapes text: markup in a paragraph stays text', () => {
    const r = reports[0] as Report;
    const html = reportHtml({ ...r.dd, content: [{ text: '<script>alert("x")</script> & å', style: 'body' }] });
    expect(html).toContain('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; å</p>');
    expect(html).not.toContain('<script>');
  });

  it('writes a node of a kind it does not know as its text instead of dropping it or failing', () => {
    const r = reports[0] as Report;
    const unknown = [{ section: ['Ett avsnitt i en sektion'] }, { mystery: [{ text: 'Okänd nod med text' }] }] as unknown as Content[];
    const html = reportHtml({ ...r.dd, content: unknown });
    expect(html).toContain('<p>Ett avsnitt i en sektion</p>');
    expect(html).toContain('<p class="unknown">Okänd nod med text</p>');
  });
});

describe.each([0, 1])('report %i in Chromium', (index) => {
  let r: Report;
  let loaded: Loaded;
  beforeAll(async () => {
    r = reports[index] as Report;
    loaded = await open(r.name, 1280);
  }, 30_000);
  afterAll(async () => {
    await loaded?.page.close();
  });

  it('renders: no console errors, a non-empty body, only the file itself requested', async () => {
    const { page, errors, requests } = loaded;
    expect(errors).toEqual([]);
    expect((await page.locator('main').innerText()).length).toBeGreaterThan(5000);
    expect(requests).toEqual([`${base}/${r.name}`]);
  });

  it('has lang sv, the PDF title, the demo banner once, and the chapter headings of the PDF in order', async () => {
    const { page } = loaded;
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');
    expect(await page.title()).toBe(r.dd.info.title);
    expect(r.dd.info.title).toMatch(/^Uppföljning av reformprogrammet för minskad segregation 2017–2025 – (Riket|Stockholm) 2025$/u);
    expect(norm(await page.locator('header.banner').innerText())).toContain('Demodata – syntetiska uppgifter');
    expect(await page.locator('header.banner').count()).toBe(1);
    // The page footer once, without its page number.
    expect(norm(await page.locator('footer.page-footer').innerText())).toBe('Demodata – syntetiska uppgifter');
    const h1 = (await page.locator('main h1:not(.title)').allTextContents()).map(norm);
    expect(h1).toEqual(chapterHeadings(r.dd));
    expect(h1.filter((h) => /^Bilaga\b.*Diagrammens siffror$/u.test(h))).toHaveLength(1);
    expect(h1.length).toBeGreaterThanOrEqual(10);
    // h2 headings of sections carry the PDF's numbering.
    expect(await page.locator('main h2').count()).toBeGreaterThan(10);
  });

  it('has one figure per chart of the PDF, each an image named by its alt text and linked to its numbers', async () => {
    const { page } = loaded;
    const expected = charts(r.dd);
    expect(expected.length).toBeGreaterThan(10);
    expect(await page.locator('figure').count()).toBe(expected.length);
    expect(await page.locator('figure > svg[role="img"]').count()).toBe(expected.length);
    for (const c of expected) {
      const alt = String(c.alt ?? '');
      expect(alt.length, 'alt text').toBeGreaterThan(20);
      // Playwright's own accessible-name computation: the chart is an img named exactly by the PDF's /Alt.
      expect(await page.getByRole('img', { name: alt, exact: true }).count(), alt).toBeGreaterThanOrEqual(1);
    }
    const captions = (await page.locator('figure > figcaption').allTextContents()).map(norm);
    expect(captions.every((c, i) => c.startsWith(`Figur ${i + 1}.`))).toBe(true);
    // Every figure points at the tables of its numbers.
    const linked = await page.locator('figure').evaluateAll((figs) => figs.map((f) => f.querySelectorAll('p.numbers a[href^="#tabell-"]').length));
    expect(linked.filter((n) => n === 0)).toEqual([]);
  });

  it('has every table of the PDF in order, each with its caption and header cells', async () => {
    const { page } = loaded;
    const tables = await page.locator('main table').evaluateAll((ts) =>
      ts.map((t) => ({
        caption: (t.querySelector('caption')?.textContent ?? '').replace(/\s+/gu, ' ').trim(),
        cols: t.querySelectorAll('thead th[scope="col"]').length,
        rows: t.querySelectorAll('tbody tr').length,
        rowHeaders: t.querySelectorAll('tbody th[scope="row"]').length,
      })),
    );
    expect(tables.map((t) => t.caption)).toEqual(tableCaptions(r.dd));
    for (const t of tables) {
      expect(t.cols, t.caption).toBeGreaterThan(0);
      expect(t.rows, t.caption).toBeGreaterThan(0);
    }
    // Label columns (indicator, year, kommun) are row headers, as many per row as the tree says.
    const given = nodes(r.dd.content).filter((n) => isObj(n.table) && n.role !== 'Div' && typeof n.rowHeaderColumns === 'number');
    expect(given.length).toBeGreaterThan(tables.length / 2);
    expect(tables.filter((t) => t.rowHeaders >= t.rows).length).toBeGreaterThan(tables.length / 2);
  });

  it('says what the PDF says: every body paragraph, and a first-and-latest table cell by cell', async () => {
    const { page } = loaded;
    const text = norm(await page.locator('main').textContent() ?? '');
    const paras = bodyParagraphs(r.dd);
    expect(paras.length).toBeGreaterThan(20);
    for (const p of paras) expect(text, p).toContain(p);
    // The tree's table of the first policy chapter (a kommun report: the summary's table of every area) against the
    // rendered one, every cell.
    const first = /Boende: första och senaste år|Indikatorerna per område: första och senaste år/u;
    const captionIndex = tableCaptions(r.dd).findIndex((c) => /^Tabell \d+\. /u.test(c) && first.test(c));
    expect(captionIndex).toBeGreaterThanOrEqual(0);
    const stack = nodes(r.dd.content).find((n) => Array.isArray(n.stack) && (n.stack as unknown[]).some((c) => isObj(c) && hasStyle(c, 'caption') && first.test(plainText(c))));
    const treeTable = (stack?.stack as Obj[]).find((c) => isObj(c.table)) as { table: { body: unknown[][] } };
    const treeRows = treeTable.table.body.map((row) => row.map((c) => norm(plainText(c))));
    const htmlRows = await page
      .locator('main table')
      .nth(captionIndex)
      .evaluate((t) => [...t.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => (c.textContent ?? '').replace(/\s+/gu, ' ').trim())));
    expect(htmlRows).toEqual(treeRows);
    expect(htmlRows.flat().join(' ')).toMatch(/\d+,\d/u);
  });

  it('every link resolves: internal ones to an element, the rest are web addresses; ids are unique', async () => {
    const { page } = loaded;
    const result = (await page.evaluate(LINK_FACTS)) as { duplicates: string[]; internal: string[]; broken: string[]; other: string[]; unlabelled: string[] };
    expect(result.duplicates).toEqual([]);
    expect(result.broken).toEqual([]);
    expect(result.unlabelled).toEqual([]);
    // The contents link every chapter and section, and the figures their tables.
    expect(result.internal.length).toBeGreaterThan(chapterHeadings(r.dd).length + charts(r.dd).length);
    for (const h of result.other) expect(() => new URL(h), h).not.toThrow();
    expect(result.other.every((h) => /^https?:\/\//u.test(h))).toBe(true);
    // Following a contents link lands on its heading.
    const first = page.locator('nav a').nth(1);
    const target = (await first.getAttribute('href')) ?? '';
    await first.click();
    expect(await page.evaluate('location.hash')).toBe(target);
    expect(await page.locator(target).evaluate((e) => Math.round(e.getBoundingClientRect().top))).toBeLessThan(50);
  });

  it.each(WIDTHS)('nothing overflows at %i px and every chart is drawn at a non-zero size within the page', async (width) => {
    const { page } = width === 1280 ? loaded : await open(r.name, width);
    try {
      const m = (await page.evaluate(LAYOUT_FACTS)) as { scroll: number; inner: number; svgs: { w: number; h: number; right: number }[]; wide: string[] };
      expect(m.scroll).toBeLessThanOrEqual(m.inner);
      expect(m.wide).toEqual([]);
      expect(m.svgs).toHaveLength(charts(r.dd).length);
      for (const s of m.svgs) {
        expect(s.w).toBeGreaterThan(100);
        expect(s.h).toBeGreaterThan(50);
        expect(s.right).toBeLessThanOrEqual(m.inner);
      }
    } finally {
      if (width !== 1280) await page.close();
    }
  });
});

afterAll(() => {
  // The server saw only the two report files (no icon, nothing the pages might have tried to fetch).
  expect(served.filter((u) => !reports.some((r) => `/${r.name}` === u))).toEqual([]);
});
