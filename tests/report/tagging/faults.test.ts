/**
 * The structural checker catches what it claims to (faults injected into a good tagged file: a wrong MCID, a wrong
 * ParentTree entry, an untagged paint, a figure without /Alt, a header cell scoped against its row, an untagged link, a font without ToUnicode), and strict
 * mode refuses a document without alt text, table headers, title or language, naming the report and the node.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { AccessibilityError } from '../../../pipelines/report/tagging/errors.ts';
import { checkTaggedPdf } from '../../../pipelines/report/tagging/check.ts';
import { dictOf, isDict, isRef, isStream, readPdf, replaceStreamData, resolve, type PdfFile, type PdfStream, type PdfValue } from '../../../pipelines/report/tagging/pdf-objects.ts';
import { compactPdf } from '../../../pipelines/report/tagging/compact.ts';
import { definition, edgeContent, tagged } from './synthetic.ts';

let good: Buffer;
const CHART_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"><rect x="0" y="0" width="100" height="50" fill="#1f4e79"/></svg>';

beforeAll(async () => {
  good = compactPdf(await tagged(definition([...edgeContent(), { svg: CHART_SVG, width: 100, alt: 'Ett blått fält.' }])));
});

function firstPage(pdf: PdfFile): Map<string, PdfValue> {
  const pages = dictOf(pdf, dictOf(pdf, pdf.trailer.get('Root'))?.get('Pages'));
  const kids = pages?.get('Kids') as PdfValue[];
  return dictOf(pdf, kids[0]) as Map<string, PdfValue>;
}

function pageContent(pdf: PdfFile): { num: number; stream: PdfStream } {
  const c = firstPage(pdf).get('Contents');
  if (!isRef(c)) throw new Error('contents not a reference');
  return { num: c.num, stream: resolve(pdf, c) as PdfStream };
}

function elements(pdf: PdfFile, role: string): Map<string, PdfValue>[] {
  return [...pdf.objects.values()].flatMap((o) => (isDict(o.value) && (o.value.dict.get('S') as { name?: string } | undefined)?.name === role ? [o.value.dict] : []));
}

describe('the structural checker', () => {
  it('passes the good file', () => {
    const r = checkTaggedPdf(readPdf(good));
    expect(r.errors).toEqual([]);
    expect(r.stats.roles.Figure).toBe(1);
    expect(r.stats.roles.Lbl).toBe(3);
    expect(r.stats.headRows).toBe(1);
    expect(r.stats.roles.Link).toBeGreaterThanOrEqual(2);
  });

  it('catches a wrong MCID in the content', () => {
    const pdf = readPdf(good);
    const { num, stream } = pageContent(pdf);
    expect(stream.data).toMatch(/\/MCID 0\s*>>/);
    (pdf.objects.get(num) as { value: PdfStream }).value = replaceStreamData(stream, stream.data.replace(/\/MCID 0(\s*>>)/, '/MCID 9999$1'));
    const errors = checkTaggedPdf(pdf).errors;
    expect(errors).toContain('page 1: MCID 9999 belongs to no structure element');
    expect(errors).toContain('structure: MCID 0 of page 1 is in the tree but not in the content');
  });

  it('catches a ParentTree entry that names the wrong element', () => {
    const pdf = readPdf(good);
    const str = dictOf(pdf, dictOf(pdf, pdf.trailer.get('Root'))?.get('StructTreeRoot'));
    const nums = resolve(pdf, dictOf(pdf, str?.get('ParentTree'))?.get('Nums')) as PdfValue[];
    const row = resolve(pdf, nums[1]) as PdfValue[];
    const [a, b] = [row[0], row[1]];
    row[0] = b as PdfValue;
    row[1] = a as PdfValue;
    const errors = checkTaggedPdf(pdf).errors;
    expect(errors.some((e) => /^page 1: MCID 0 maps through the ParentTree to \d+, but \d+ holds it$/.test(e))).toBe(true);
  });

  it('catches a painting operator outside marked content', () => {
    const pdf = readPdf(good);
    const { num, stream } = pageContent(pdf);
    (pdf.objects.get(num) as { value: PdfStream }).value = replaceStreamData(stream, `${stream.data}\n0 0 m 10 10 l S\n`);
    expect(checkTaggedPdf(pdf).errors).toEqual(['page 1: painting operator S outside marked content and artifacts']);
  });

  it('catches a marked-content sequence straddling q/Q', () => {
    const pdf = readPdf(good);
    const { num, stream } = pageContent(pdf);
    (pdf.objects.get(num) as { value: PdfStream }).value = replaceStreamData(stream, stream.data.replace(/(\/MCID 0\s*>> BDC)/, '$1 q'));
    expect(checkTaggedPdf(pdf).errors).toContain('page 1: a marked-content sequence straddles q/Q');
  });

  it('catches a figure without alt text', () => {
    const pdf = readPdf(good);
    const [fig] = elements(pdf, 'Figure');
    fig?.delete('Alt');
    expect(checkTaggedPdf(pdf).errors.filter((e) => e.includes('without /Alt'))).toHaveLength(1);
  });

  it('catches a header cell whose /Scope does not fit its row', () => {
    const pdf = readPdf(good);
    const scope = (d: Map<string, PdfValue>): PdfValue | undefined => (d.get('A') as { dict?: Map<string, PdfValue> } | undefined)?.dict?.get('Scope');
    const ths = elements(pdf, 'TH');
    const row = ths.find((d) => (scope(d) as { name?: string } | undefined)?.name === 'Row');
    const column = ths.find((d) => (scope(d) as { name?: string } | undefined)?.name === 'Column');
    (row?.get('A') as { dict: Map<string, PdfValue> }).dict.set('Scope', { name: 'Column' } as PdfValue);
    (column?.get('A') as { dict: Map<string, PdfValue> }).dict.set('Scope', { name: 'Row' } as PdfValue);
    const errors = checkTaggedPdf(pdf).errors.filter((e) => e.includes('/Scope'));
    expect(errors).toHaveLength(2);
    expect(errors.some((e) => /^structure: TH \d+ in a body row has \/Scope \/Column, not \/Row$/.test(e))).toBe(true);
    expect(errors.some((e) => /^structure: TH \d+ in a header row has \/Scope \/Row, not \/Column$/.test(e))).toBe(true);
  });

  it('catches a link annotation outside the tree, and one without /Contents', () => {
    const pdf = readPdf(good);
    const annots = [...pdf.objects.values()].flatMap((o) => (isDict(o.value) && (o.value.dict.get('Subtype') as { name?: string } | undefined)?.name === 'Link' ? [o.value.dict] : []));
    expect(annots.length).toBeGreaterThan(2);
    annots[0]?.delete('StructParent');
    annots[1]?.delete('Contents');
    const errors = checkTaggedPdf(pdf).errors;
    expect(errors.filter((e) => e.endsWith('without /StructParent'))).toHaveLength(1);
    expect(errors.filter((e) => e.endsWith('without /Contents'))).toHaveLength(1);
  });

  it('catches a font without ToUnicode and illegal nesting of structure types', () => {
    const pdf = readPdf(good);
    const font = [...pdf.objects.values()].find((o) => isDict(o.value) && o.value.dict.has('ToUnicode'));
    if (font && isDict(font.value)) font.value.dict.delete('ToUnicode');
    const [td] = elements(pdf, 'TD');
    td?.set('S', { name: 'LI' });
    const errors = checkTaggedPdf(pdf).errors;
    expect(errors.some((e) => /font \S+ has no \/ToUnicode/.test(e))).toBe(true);
    expect(errors.some((e) => /^structure: LI \d+ inside TR$/.test(e))).toBe(true);
    expect(errors.some((e) => /^structure: TR \d+ holds LI \d+$/.test(e))).toBe(true);
  });

  it('reports an untagged file in full', () => {
    const pdf = readPdf(good);
    const root = dictOf(pdf, pdf.trailer.get('Root'));
    root?.delete('StructTreeRoot');
    root?.delete('Lang');
    const meta = resolve(pdf, root?.get('Metadata'));
    if (isStream(meta)) meta.raw = meta.raw.replace('<pdfuaid:part>1</pdfuaid:part>', '');
    const errors = checkTaggedPdf(pdf).errors;
    expect(errors).toContain('catalogue: no /Lang');
    expect(errors).toContain('catalogue: no /StructTreeRoot');
    expect(errors).toContain('XMP: no pdfuaid:part 1 (PDF/UA-1 identification)');
  });
});

describe('strict mode', () => {
  const fail = async (content: unknown[], extra: Record<string, unknown> = {}): Promise<AccessibilityError> => {
    try {
      await tagged(definition(content, extra), { report: 'segfollow-kommun-0180-2025.pdf' });
    } catch (e) {
      if (e instanceof AccessibilityError) return e;
      throw e;
    }
    throw new Error('no AccessibilityError');
  };

  it('refuses a figure without alt text, naming the report and where the figure is', async () => {
    const e = await fail([{ text: 'Figur 1. Andel i arbete.' }, { svg: CHART_SVG, width: 100 }]);
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe('segfollow-kommun-0180-2025.pdf: not an accessible PDF: a figure without a text alternative (alt) at Figure after "Figur 1. Andel i arbete."');
  });

  it('refuses a table without header rows', async () => {
    const e = await fail([{ text: 'Tabell 2. Värden.' }, { table: { body: [['a', 'b']] } }]);
    expect(e.issues).toEqual([{ kind: 'table-without-header', node: 'Table after "Tabell 2. Värden."' }]);
  });

  it('refuses a document without title or language', async () => {
    const e = await fail(['text'], { info: {}, language: undefined });
    expect(e.issues.map((i) => i.kind)).toEqual(['no-title', 'no-language']);
  });

  it('in non-strict mode reports the issues and writes the figure as an artifact', async () => {
    const seen: string[] = [];
    const pdf = await tagged(definition([{ svg: CHART_SVG, width: 100 }, { svg: CHART_SVG, width: 100, decorative: true }]), {
      strict: false,
      onIssues: (issues) => seen.push(...issues.map((i) => i.kind)),
    });
    expect(seen).toEqual(['figure-without-alt']);
    const r = checkTaggedPdf(readPdf(pdf));
    expect(r.errors).toEqual([]);
    expect(r.stats.roles.Figure).toBeUndefined();
  });
});
