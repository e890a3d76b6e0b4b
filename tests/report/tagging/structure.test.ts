/**
 * Every report kind as a tagged PDF, checked by the project's structural checker (pipelines/report/tagging/check.ts)
 * and by poppler: a complete, well-formed structure tree; every MCID mapped through the ParentTree; no painting
 * outside marked content or artifacts; tagged links; embedded fonts with ToUnicode; PDF/UA-1 and PDF/A-2a
 * identification; reading order without page headers and footers; pages pixel-identical to the untagged build.
 * Needs poppler-utils (pdfinfo, pdftoppm, pdftotext) for the reading-order and pixel tests.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTaggedPdf, structureText, type CheckResult } from '../../../pipelines/report/tagging/check.ts';
import { dictOf, isDict, isName, isStream, readPdf, resolve, textString, type PdfValue } from '../../../pipelines/report/tagging/pdf-objects.ts';
import { REPORT_TITLE } from '../../../pipelines/report/build-pdf.ts';
import { PAGE_DEFLATE } from '../../../pipelines/report/tagging/layer.ts';
import { buildAll, hasPoppler, KINDS, type Built, type Kind } from './reports.ts';

let built: Built;
const results = new Map<string, CheckResult>();

beforeAll(async () => {
  // PDF/UA-1 alone (no archiving) differs only at document level: built for one kind.
  built = await buildAll(KINDS, ['a2a', 'untagged'], { kommun: ['ua'] });
  for (const kind of KINDS) results.set(`${kind}-a2a`, checkTaggedPdf(readPdf(built.bytes(kind, 'a2a'))));
  results.set('kommun-ua', checkTaggedPdf(readPdf(built.bytes('kommun', 'ua'))));
}, 600_000);
afterAll(() => rmSync(built.dir, { recursive: true, force: true }));

/** Structure elements and their text in tree order, as poppler's own structure reader sees them. */
function structText(file: string): { role: string; depth: number; text: string; continues: boolean }[] {
  const out: { role: string; depth: number; text: string; continues: boolean }[] = [];
  let current = { role: '', depth: 0 };
  let continues = false;
  for (const line of execFileSync('pdfinfo', ['-struct-text', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n')) {
    const depth = line.length - line.trimStart().length;
    const t = line.trim();
    if (!t) continue;
    const q = /^"([\s\S]*)"$/.exec(t);
    if (q) {
      out.push({ ...current, text: q[1] ?? '', continues });
      continues = true;
    } else {
      // Attribute lines (/Scope …) and annotation lines (Object n 0) belong to the element above.
      if (!t.startsWith('/') && !t.startsWith('Object ')) {
        current = { role: t.split(/[\s(:]/)[0] ?? '', depth };
        continues = false;
      }
    }
  }
  return out;
}

function figuresIn(file: string): number {
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return new Set([...text.matchAll(/Figur (\d+)\./g)].map((m) => m[1])).size;
}

describe.each(KINDS)('the %s report', (kind: Kind) => {
  it('passes the structural checker (PDF/UA-1 + PDF/A-2a)', () => {
    const a2a = results.get(`${kind}-a2a`) as CheckResult;
    expect(a2a.errors).toEqual([]);
    expect(a2a.stats.archive).toBe(true);
    const { roles, headRows } = a2a.stats;
    expect(roles.Document).toBe(1);
    expect(roles.H1).toBeGreaterThanOrEqual(6);
    expect(roles.TOC).toBe(1);
    // One TOCI per contents entry, each with a Reference holding the title link and the page-number link.
    expect(roles.TOCI).toBe(roles.Reference);
    expect(roles.Link).toBeGreaterThanOrEqual(2 * (roles.TOCI ?? 0));
    // Every table has its header row in the tree once, with TH cells that carry a scope.
    expect(roles.THead).toBe(roles.Table);
    expect(headRows).toBe(roles.Table);
    expect(roles.TH).toBeGreaterThanOrEqual(2 * (roles.Table ?? 0));
    expect(roles.L).toBeGreaterThan(0);
    expect(roles.LI).toBe(roles.LBody);
    expect(a2a.stats.mcids).toBeGreaterThan(500);
    expect(a2a.stats.links).toBeGreaterThan(0);
    expect(a2a.stats.fonts).toBeGreaterThanOrEqual(2);
  });

  it('deflates every page content stream with the layer\'s zlib settings, not pdfkit\'s defaults', () => {
    const pdf = readPdf(built.bytes(kind, 'a2a'));
    let pages = 0;
    let unlikeDefault = 0;
    for (const o of pdf.objects.values()) {
      if (!isDict(o.value) || !isName(o.value.dict.get('Type'), 'Page')) continue;
      const content = resolve(pdf, o.value.dict.get('Contents'));
      if (!isStream(content)) throw new Error('a page without a content stream');
      const data = Buffer.from(content.data, 'latin1');
      const raw = Buffer.from(content.raw, 'latin1');
      expect(raw.equals(deflateSync(data, PAGE_DEFLATE))).toBe(true);
      if (!raw.equals(deflateSync(data))) unlikeDefault++;
      pages++;
    }
    expect(pages).toBeGreaterThan(5);
    expect(unlikeDefault).toBeGreaterThan(pages / 2);
  });

  it('writes Lang sv-SE, the title in Info and XMP, PDF/UA-1 identification, and PDF/A-2a with an sRGB output intent', () => {
    const pdf = readPdf(built.bytes(kind, 'a2a'));
    const root = dictOf(pdf, pdf.trailer.get('Root'));
    const info = dictOf(pdf, pdf.trailer.get('Info'));
    expect(textString(resolve(pdf, root?.get('Lang')) as PdfValue)).toBe('sv-SE');
    const title = textString(resolve(pdf, info?.get('Title')) as PdfValue) ?? '';
    expect(title.startsWith(`${REPORT_TITLE} – `)).toBe(true);
    const meta = resolve(pdf, root?.get('Metadata'));
    const xmp = isStream(meta) ? Buffer.from(meta.data, 'latin1').toString('utf8') : '';
    expect(xmp).toContain(`<rdf:li xml:lang="x-default">${title}</rdf:li>`);
    expect(xmp).toContain('<pdfuaid:part>1</pdfuaid:part>');
    expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
    expect(xmp).toContain('<pdfaid:conformance>A</pdfaid:conformance>');
    expect(xmp).toMatch(/<xmp:ModifyDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/xmp:ModifyDate>/);
    expect(root?.has('OutputIntents')).toBe(true);
  });

  it('gives every chart one Figure with a text alternative', () => {
    if (!hasPoppler) return;
    const file = built.file(kind, 'a2a');
    const figures = figuresIn(built.file(kind, 'untagged'));
    expect(figures).toBeGreaterThan(0);
    expect(results.get(`${kind}-a2a`)?.stats.roles.Figure).toBe(figures);
    const tree = execFileSync('pdfinfo', ['-struct', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const alts = [...tree.matchAll(/Figure[^\n]*\n(?:\s+\/[^\n]*\n)*/g)].length;
    expect(alts).toBe(figures);
    // Each alt text says what the chart shows from its numbers and where the numbers are.
    const pdf = readPdf(built.bytes(kind, 'a2a'));
    const texts = [...pdf.objects.values()].flatMap((o) => (isDict(o.value) && isName(o.value.dict.get('S'), 'Figure') ? [textString(o.value.dict.get('Alt')) ?? ''] : []));
    expect(texts).toHaveLength(figures);
    for (const t of texts) expect(t).toMatch(/(Siffrorna|Värdena) (per län och kommun )?finns i/);
    for (const t of texts.filter((x) => x.startsWith('Linjediagram över') && !x.includes('områdestyp'))) expect(t).toMatch(/(Senaste värde|Värdet) [\d−-][\d ,]* .*år \d{4}/);
    for (const t of texts.filter((x) => x.startsWith('Punktdiagram över') && x.includes('kommun'))) expect(t).toMatch(/Lägst [^(]+ \([\d,]+\), högst [^(]+ \([\d,]+\), \d+ kommuner med värde\./);
  });

  it('reads in document order, without page headers, footers or repeated table headers', () => {
    const items = structureText(readPdf(built.bytes(kind, 'a2a')));
    const texts = items.map((i) => i.text);
    const all = texts.join('\n');
    // Page furniture is not in the tree: no "Sida n av m", no running header.
    expect(all).not.toMatch(/Sida \d+ av \d+/);
    expect(all).not.toContain(`${REPORT_TITLE} · `);
    // The demo notice is printed in the header and footer of every page, but is content only where the body says it
    // (the title page's box, the caveats).
    const notice = 'Demodata – syntetiska uppgifter';
    expect(texts.filter((t) => t.includes(notice)).length).toBeGreaterThanOrEqual(1);
    expect(texts.filter((t) => t.includes(notice)).length).toBeLessThanOrEqual(3);
    // The chapter headings in the tree come in the order of the table of contents.
    const toc = items.filter((i) => i.role === 'Link' && /^\d+(\.\d+)? \S/.test(i.text)).map((i) => i.text);
    // The contents list chapters only (H1); sections (H2) are in the outline, not the printed contents.
    const headings = items.filter((i) => i.role === 'H1' && /^\d+(\.\d+)? \S/.test(i.text)).map((i) => i.text);
    expect(toc.length).toBeGreaterThan(5);
    expect(headings).toEqual(toc);
    // The title page first, then the contents, then chapter 1.
    const at = (s: string): number => texts.findIndex((t) => t.includes(s));
    expect(at(REPORT_TITLE)).toBe(1);
    expect(at(REPORT_TITLE)).toBeLessThan(at('Innehåll'));
    expect(at('Innehåll')).toBeLessThan(texts.indexOf(headings[0] ?? '?'));
    if (hasPoppler && kind === 'kommun') {
      const file = built.file(kind, 'a2a');
      const printed = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).split(notice).length - 1;
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
      expect(printed).toBeGreaterThanOrEqual(2 * (pages - 1));
    }
  });

  // poppler's own structure reader (pdfinfo -struct-text) reads the same text in the same order. It takes a minute
  // on a report of thousands of elements, so it runs for the smallest report kind only.
  it.skipIf(!hasPoppler || kind !== 'kommun')('reads the same with poppler (pdfinfo -struct-text)', () => {
    const poppler = structText(built.file(kind, 'a2a'));
    const merged: { role: string; text: string }[] = [];
    let last = '';
    for (const p of poppler) {
      const key = `${p.role}@${p.depth}`;
      const prev = merged[merged.length - 1];
      if (prev && key === last && p.continues) prev.text += p.text;
      else merged.push({ role: p.role, text: p.text });
      last = key;
    }
    const norm = (xs: { role: string; text: string }[]): string[] => xs.map((x) => `${x.role}: ${x.text.replace(/\s+/g, ' ').trim()}`).filter((x) => !x.endsWith(': '));
    expect(norm(merged)).toEqual(norm(structureText(readPdf(built.bytes(kind, 'a2a')))));
  }, 600_000);

  it.skipIf(!hasPoppler)('renders pixel-identical to the untagged build, page by page', () => {
    const dir = built.dir;
    const variants = kind === 'kommun' ? (['a2a', 'ua'] as const) : (['a2a'] as const);
    for (const v of ['untagged', ...variants] as const) execFileSync('pdftoppm', ['-r', '50', built.file(kind, v), join(dir, `${kind}-${v}-px`)]);
    const pages = (v: string): string[] => readdirSync(dir).filter((f) => f.startsWith(`${kind}-${v}-px`)).sort();
    const base = pages('untagged');
    expect(base.length).toBeGreaterThan(5);
    for (const v of variants) {
      expect(pages(v)).toHaveLength(base.length);
      const differing = base.filter((f) => !readFileSync(join(dir, f)).equals(readFileSync(join(dir, f.replace('untagged', v)))));
      expect(differing).toEqual([]);
    }
    // And the same text at the same places.
    const bbox = (v: 'untagged' | 'a2a'): string => execFileSync('pdftotext', ['-bbox', built.file(kind, v), '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).replace(/<title>[^<]*<\/title>|<meta[^>]*>/g, '');
    expect(bbox('a2a')).toBe(bbox('untagged'));
  });

  // Issue 8's goal is no tagged file larger than its untagged twin. Since the object stream is laid out for the PNG
  // predictor (compact.ts) and the ParentTree's arrays are objects of their own, every fixture meets it with room:
  // measured −3.7 % (riket), −6.5 % (län), −7.6 % (kommun) on 5 December 2026. The limits hold them near that, so that
  // growth shows.
  const limits: Record<Kind, number> = { riket: 0.98, lan: 0.96, kommun: 0.96 };
  it(`is smaller than the untagged file (${kind}: by at least ${((1 - limits[kind]) * 100).toFixed(0)} %)`, () => {
    const limit = limits[kind];
    expect(built.bytes(kind, 'a2a').length).toBeLessThanOrEqual(built.bytes(kind, 'untagged').length * limit);
  });
});

it.each(KINDS)('is read by pdf.js too (%s): the packed object stream behind its PNG predictor, the tree through the ParentTree', async (kind) => {
  const bytes = built.bytes(kind, 'a2a');
  expect(bytes.toString('latin1')).toMatch(/\/Type \/ObjStm [^>]*\/DecodeParms << \/Predictor 12 \/Columns \d+ >>/);
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const ours = results.get(`${kind}-a2a`) as CheckResult;
    expect(doc.numPages).toBe(ours.stats.pages);
    // pdf.js resolves a page's marked content through the ParentTree to its elements (getStructTree).
    const roles = new Set<string>();
    const walk = (n: { role?: string; children?: unknown[] }): void => {
      if (n.role) roles.add(n.role);
      for (const c of n.children ?? []) walk(c as { role?: string; children?: unknown[] });
    };
    for (let p = 1; p <= doc.numPages; p++) walk(((await (await doc.getPage(p)).getStructTree()) ?? {}) as { role?: string; children?: unknown[] });
    // Every structure type of the tree reached from the pages (pdf.js adds its own 'Root' above the tree).
    roles.delete('Root');
    expect([...roles].sort()).toEqual(Object.keys(ours.stats.roles).sort());
  } finally {
    await doc.destroy();
  }
}, 60_000);

it('writes PDF/UA-1 alone when archiving is off: the same tree, no PDF/A identification or output intent', () => {
  const ua = results.get('kommun-ua') as CheckResult;
  const a2a = results.get('kommun-a2a') as CheckResult;
  expect(ua.errors).toEqual([]);
  expect(ua.stats.archive).toBe(false);
  expect(ua.stats.roles).toEqual(a2a.stats.roles);
  const pdf = readPdf(built.bytes('kommun', 'ua'));
  const root = dictOf(pdf, pdf.trailer.get('Root'));
  expect(root?.has('OutputIntents')).toBe(false);
  const meta = resolve(pdf, root?.get('Metadata'));
  const xmp = isStream(meta) ? Buffer.from(meta.data, 'latin1').toString('utf8') : '';
  expect(xmp).toContain('<pdfuaid:part>1</pdfuaid:part>');
  expect(xmp).not.toContain('pdfaid:part');
});

it('leaves the untagged comparison build untagged', () => {
  const r = checkTaggedPdf(readPdf(built.bytes('riket', 'untagged')));
  expect(r.stats.elements).toBe(0);
  expect(r.stats.mcids).toBe(0);
  expect(r.errors).toContain('catalogue: no /StructTreeRoot');
});
