/**
 * A line of same-styled words as one text object (pipelines/report/line-text.ts): pages drawn with it are the pages
 * pdfmake's own renderLine draws, pixel for pixel and word for word, with far fewer text objects; the pdfmake and
 * pdfkit functions it follows are the versions it was validated against; anything else goes to pdfmake's renderLine.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPlainLine, lineText } from '../../pipelines/report/line-text.ts';
import { isDict, isName, isStream, readPdf, resolve } from '../../pipelines/report/tagging/pdf-objects.ts';
import { pdfmakeFileSha256 } from '../helpers/pdfmake-file.ts';
import { definition, tagged, untagged } from './tagging/synthetic.ts';
import { hasPoppler } from './tagging/reports.ts';

const require = createRequire(import.meta.url);

/** pdfmake 0.3.11's Renderer (renderLine: what a line draws) and pdfkit 0.19.1's text path, as validated. */
const PDFMAKE_RENDERER = '23e76f678fa202cf4ddc1ac8b286822d3a91d3b0a3771a363056ca563fa2d443';
const PDFKIT_TEXT: Record<string, string> = {
  _fragment: '3582fda36bf1094e2d32ba43632ed9800c88041af73d8a2864b454df288c47be',
  _line: '1350fa53f5f53331a9f037be1378f731967ab41582c1664c2ced0d9fad875a9f',
  _text: 'a18ddac75b11e7bb5118f69d5cbb7c356d8692e6c20cf934649249bc608be861',
  _initOptions: 'ca88a5ac1a2dd22ce4d433a6859abb917ad93f26e89ae3205db5f2258fab2a25',
};

const dir = mkdtempSync(join(tmpdir(), 'segfollow-line-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Every page's content, decoded, read with the project's own PDF reader (the tagged files' objects are packed). */
function contents(bytes: Buffer): string {
  const pdf = readPdf(bytes);
  const pages = [...pdf.objects.values()].flatMap((o) => (isDict(o.value) && isName(o.value.dict.get('Type'), 'Page') ? [o.value.dict] : []));
  expect(pages.length).toBeGreaterThan(0);
  return pages
    .map((page) => {
      const c = resolve(pdf, page.get('Contents'));
      const parts = Array.isArray(c) ? c.map((x) => resolve(pdf, x)) : [c];
      return parts.map((x) => (isStream(x) ? x.data : '')).join('\n');
    })
    .join('\n');
}

const count = (s: string, op: string): number => s.split('\n').filter((l) => l === op || l.endsWith(` ${op}`)).length;

/** Lines of every kind: plain, two fonts and sizes in one line, colours, opacity, links, sup/sub, decorations. */
function content(): unknown[] {
  const rows = Array.from({ length: 30 }, (_, i) => [{ text: `Område ${i + 1}`, bold: i % 3 === 0 }, { text: `${(i * 1234.5).toLocaleString('sv-SE')}`, alignment: 'right' }, { text: i % 5 === 0 ? '..' : `${i},${i % 10}` }]);
  return [
    { text: 'Rubrik med å ä ö', style: 'h1' },
    { text: 'En vanlig mening som gärna får radbrytas över flera rader, med ord som Trångboddhet, Förvärvsarbetande och Västra Götalands län, så att raderna blir fulla och justeringen syns.' },
    { text: 'Marginalerna är justerade på båda sidor i det här stycket, så att mellanrummen mellan orden varierar från rad till rad och varje ord får sin egen plats.', alignment: 'justify' },
    { text: ['Ett ord i ', { text: 'fetstil', bold: true }, ', ett i ', { text: 'kursiv', italics: true }, ' och ett ', { text: 'större', fontSize: 14 }, ' på samma rad.'] },
    { text: ['Färgade ord: ', { text: 'rött', color: '#b2182b' }, ' och ', { text: 'blått', color: '#2166ac' }, '.'] },
    { text: 'En hel rad i grått', color: '#595959' },
    { text: 'Halvgenomskinlig text', opacity: 0.5 },
    { text: ['Index: m', { text: '2', sup: true }, ' och H', { text: '2', sub: true }, 'O.'] },
    { text: ['En ', { text: 'länk', link: 'https://www.scb.se/' }, ' i en mening.'] },
    { text: 'Understruken text', decoration: 'underline' },
    { text: 'Text med bakgrund', background: '#ffff00' },
    { text: 'G l e s t', characterSpacing: 2 },
    { text: 'Högerställd rad', alignment: 'right' },
    { text: 'Centrerad rad', alignment: 'center' },
    { table: { headerRows: 1, widths: ['*', 'auto', 'auto'], body: [[{ text: 'Område', bold: true }, { text: 'Antal', bold: true }, { text: 'Andel, %', bold: true }], ...rows] } },
    { ul: ['Första punkten', 'Andra punkten, längre, som radbryts över två rader i listan när texten räcker till det.'] },
    { text: 'Efter listan: 1 234,5 och −0,3 procentenheter.' },
  ];
}

async function both(make: (on: boolean) => Promise<Buffer>): Promise<{ on: Buffer; off: Buffer }> {
  const on = await make(true);
  lineText.enabled = false;
  try {
    return { on, off: await make(false) };
  } finally {
    lineText.enabled = true;
  }
}

describe('a line of same-styled words as one text object', () => {
  it('follows pdfmake\'s Renderer and pdfkit\'s text path as validated (re-validate and update on a change)', () => {
    expect((require('pdfmake/package.json') as { version: string }).version).toBe('0.3.11');
    expect((require('pdfkit/package.json') as { version: string }).version).toBe('0.19.1');
    expect(pdfmakeFileSha256('Renderer.js')).toBe(PDFMAKE_RENDERER);
    const proto = (require('pdfkit') as { prototype: Record<string, unknown> }).prototype;
    for (const [name, hash] of Object.entries(PDFKIT_TEXT)) expect([name, sha(String(proto[name]))]).toEqual([name, hash]);
  });

  it('takes plain lines only', () => {
    const font = { id: 'F1', ascender: 900, ref: () => null, encode: () => [[], []] };
    const word = (text: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ text, x: 0, font, fontSize: 10, ...extra });
    const line = (inlines: Record<string, unknown>[], extra: Record<string, unknown> = {}): Parameters<typeof isPlainLine>[0] =>
      ({ inlines, getHeight: () => 12, getAscenderHeight: () => 9, ...extra }) as unknown as Parameters<typeof isPlainLine>[0];
    expect(isPlainLine(line([word('Ett '), word('två', { fontSize: 12, bold: true })]))).toBe(true);
    expect(isPlainLine(line([word('grå ', { color: '#595959' }), word('ord', { color: '#595959', opacity: 1 })]))).toBe(true);
    expect(isPlainLine(line([]))).toBe(false);
    for (const extra of [{ _outline: {} }, { _pageNodeRef: {} }, { id: 'dest' }]) expect(isPlainLine(line([word('a')], extra))).toBe(false);
    for (const k of ['_pageNodeRef', 'link', 'linkToPage', 'linkToDestination', 'fontFeatures', 'characterSpacing', 'sup', 'sub', 'background', 'decoration']) {
      expect([k, isPlainLine(line([word('a '), word('b', { [k]: k === 'characterSpacing' ? 1 : 'x' })]))]).toEqual([k, false]);
    }
    expect(isPlainLine(line([word('röd ', { color: '#b2182b' }), word('svart')]))).toBe(false);
    expect(isPlainLine(line([word('halv ', { opacity: 0.5 }), word('hel')]))).toBe(false);
    expect(isPlainLine(line([word('rad\nbryt')]))).toBe(false);
    expect(isPlainLine(line([word('färg', { color: ['#000'] })]))).toBe(false);
    expect(isPlainLine(line([word('halv', { opacity: Object(0.5) as unknown })]))).toBe(false);
  });

  it.each(['tagged', 'untagged'] as const)('draws the same pages as pdfmake\'s renderLine, in fewer text objects (%s)', async (variant) => {
    const make = (): Promise<Buffer> => (variant === 'tagged' ? tagged(definition(content())) : untagged(definition(content())));
    const { on, off } = await both(make);
    const a = contents(on);
    const b = contents(off);
    // The same words drawn, each placed by its own text matrix, in far fewer text objects.
    expect(count(a, 'TJ')).toBe(count(b, 'TJ'));
    expect(count(a, 'TJ')).toBeGreaterThan(200);
    expect(count(a, 'Tm')).toBe(count(b, 'Tm'));
    expect(count(a, 'BT')).toBeLessThan(count(b, 'BT') * 0.6);
    expect(a.length).toBeLessThan(b.length * 0.9);
    // A linked line is still pdfmake's own: its annotation is there (the tagged file packs it into an object stream).
    if (variant === 'untagged') expect(on.toString('latin1')).toContain('/URI (https://www.scb.se/)');
    if (!hasPoppler) return;
    const files = { on: join(dir, `${variant}-on.pdf`), off: join(dir, `${variant}-off.pdf`) };
    writeFileSync(files.on, on);
    writeFileSync(files.off, off);
    for (const side of ['on', 'off'] as const) execFileSync('pdftoppm', ['-r', '110', files[side], join(dir, `${variant}-${side}-px`)]);
    const pages = (side: string): string[] => readdirSync(dir).filter((f) => f.startsWith(`${variant}-${side}-px`)).sort();
    expect(pages('on').length).toBeGreaterThan(0);
    expect(pages('on')).toHaveLength(pages('off').length);
    const differing = pages('off').filter((f) => !readFileSync(join(dir, f)).equals(readFileSync(join(dir, f.replace('-off-', '-on-')))));
    expect(differing).toEqual([]);
    // The same words at the same places, in the same order.
    const bbox = (file: string): string => execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' }).replace(/<title>[^<]*<\/title>|<meta[^>]*>/g, '');
    expect(bbox(files.on)).toBe(bbox(files.off));
    expect(bbox(files.on)).toContain('Trångboddhet');
  });
});
