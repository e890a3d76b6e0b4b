/**
 * Text measurement shared between documents (pipelines/report/text-measure.ts): reports rendered after others in the
 * same thread, their text taken from the store, are the same files byte for byte as when every text is measured, and
 * the pdfmake code the store's key is derived from is the version it was validated with.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReportPdf } from '../../pipelines/report/build-pdf.ts';
import { MEASURED, pruned, textMeasure, type Entry } from '../../pipelines/report/text-measure.ts';
import { malmoLike } from '../fixtures/area-type-kommuner.ts';
import { reportModelFixture } from '../fixtures/report-model.ts';
import { pdfmakeFileSha256 } from '../helpers/pdfmake-file.ts';

const require = createRequire(import.meta.url);

/**
 * pdfmake 0.3.11's TextBreaker and TextInlines (which style properties a string's words get, and from where) and
 * DocMeasure (measureLeaf). Re-validate MEASURED against them and update on a pdfmake change.
 */
const VALIDATED: Record<string, string> = {
  'DocMeasure.js': 'fc718894ad324bd79344b6ecc9ea3a52eb92026ef736351d15f1d6e94631a622',
  'TextInlines.js': 'fe9110218ed3f2f63a2e7d03a5cbbb00a0523d6a06cc334b0072476d00e5013c',
  'TextBreaker.js': '1c3ff0ae980161ea8aa7e364d30b25dc46e6f09264f3fb0b9008807ed697e410',
};

const dir = mkdtempSync(join(tmpdir(), 'segfollow-text-measure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('text measurement shared between documents', () => {
  it.each(Object.entries(VALIDATED))('pdfmake %s is the validated version', (file, sha) => {
    expect(pdfmakeFileSha256(file)).toBe(sha);
  });

  it('keys on every style property pdfmake reads when it measures a string', () => {
    const source = ['TextInlines.js', 'TextBreaker.js'].map((f) => readFileSync(require.resolve(`pdfmake/js/${f}`), 'utf8')).join('\n');
    const read = new Set([...source.matchAll(/getStyleProperty\([^,]+, styleContextStack, '(\w+)'/g)].map((m) => m[1]));
    // sizeOfText (list markers, not measureLeaf) reads a subset of the same.
    expect([...read].sort()).toEqual([...MEASURED].sort());
  });

  it('reports rendered after others are the same files as with every text measured', async () => {
    const riket = (): ReturnType<typeof reportModelFixture> => reportModelFixture();
    const kommun = (): ReturnType<typeof reportModelFixture> => reportModelFixture({ scope: { level: 'kommun', code: '1280', name: 'Malmö' }, area_types: malmoLike(), segregation: [] });
    // The kommun report after the riket one: its shared text comes from the store.
    await buildReportPdf(riket(), join(dir, 'riket-first.pdf'));
    const before = { ...textMeasure };
    await buildReportPdf(kommun(), join(dir, 'kommun-reused.pdf'));
    expect(textMeasure.reused - before.reused).toBeGreaterThan(100);
    textMeasure.reuse = false;
    try {
      await buildReportPdf(kommun(), join(dir, 'kommun-measured.pdf'));
      await buildReportPdf(riket(), join(dir, 'riket-measured.pdf'));
    } finally {
      textMeasure.reuse = true;
    }
    await buildReportPdf(riket(), join(dir, 'riket-reused.pdf'));
    for (const name of ['kommun', 'riket']) {
      const a = readFileSync(join(dir, `${name}-reused.pdf`));
      expect(a.length).toBeGreaterThan(10_000);
      expect(a.equals(readFileSync(join(dir, `${name}-measured.pdf`)))).toBe(true);
    }
  });

  it('a full store keeps the texts that came back and forgets their counts', () => {
    const entry = (hits: number): Entry => ({ words: [{ text: 'x' }], minWidth: 1, maxWidth: 2, hits });
    const kept = pruned(new Map([['a', entry(0)], ['b', entry(3)], ['c', entry(1)]]));
    expect([...kept.keys()]).toEqual(['b', 'c']);
    expect([...kept.values()].map((e) => e.hits)).toEqual([0, 0]);
    // More than half the limit reused: everything goes (the store would fill again at once).
    expect(pruned(new Map(Array.from({ length: 5000 }, (_, i) => [String(i), entry(1)] as const))).size).toBe(0);
  });
});
