import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cutRegion,
  formatOrderedJson,
  JsonNumber,
  parseOrderedJson,
  storedMetadataText,
  toPlainJson,
  writeFileAtomic,
  type OrderedJson,
} from '../../pipelines/sources/metadata-file.ts';
import { parseTableMetadata } from '../../pipelines/sources/table-metadata.ts';

/**
 * `sources --check --live --update` must write a live answer exactly as the stored copies were made: Region cut to
 * the first and last 12 codes at their original positions, real size, `_cut` last, every other key verbatim and in
 * SCB's order. Proved on the stored copies themselves: re-grown to their full Region and cut again, each comes
 * back byte for byte.
 */

const SCB = new URL('../../data/metadata/scb/', import.meta.url).pathname;
const STORED = readdirSync(SCB).filter((f) => /^TAB\d+\.json$/.test(f));

type Obj = Map<string, OrderedJson>;
const obj = (v: OrderedJson | undefined): Obj => {
  if (!(v instanceof Map)) throw new Error('expected an object');
  return v;
};

/** A stored copy with its Region grown back to the real size (invented codes where the cut left a gap). */
function regrown(text: string): string {
  const doc = obj(parseOrderedJson(text));
  const region = obj(obj(doc.get('dimension')).get('Region'));
  const category = obj(region.get('category'));
  const index = obj(category.get('index'));
  const label = obj(category.get('label'));
  const total = Number((obj(region.get('_cut')).get('region_codes_total') as JsonNumber).text);
  const at = new Map([...index].map(([code, pos]) => [Number((pos as JsonNumber).text), code]));
  const fullIndex: Obj = new Map();
  const fullLabel: Obj = new Map();
  for (let i = 0; i < total; i++) {
    const code = at.get(i) ?? `9999X${i}`;
    fullIndex.set(code, new JsonNumber(String(i)));
    fullLabel.set(code, at.has(i) ? (label.get(code) ?? code) : `area ${i}`);
  }
  category.set('index', fullIndex);
  category.set('label', fullLabel);
  region.delete('_cut');
  return formatOrderedJson(doc);
}

describe('stored metadata files', () => {
  it('read and written again without a change: key order (also "2", "1", "SA"), numbers and layout kept', () => {
    expect(STORED.length).toBeGreaterThanOrEqual(10);
    for (const f of STORED) {
      const text = readFileSync(join(SCB, f), 'utf8');
      expect(formatOrderedJson(parseOrderedJson(text)) + '\n', f).toBe(text);
    }
    const kon = obj(obj(obj(obj(parseOrderedJson(readFileSync(join(SCB, 'TAB6571.json'), 'utf8'))).get('dimension')).get('UtlBakgrund')).get('category'));
    expect([...obj(kon.get('index')).keys()]).toEqual(['2', '1', 'SA']);
  });

  it('a full answer cut as the stored copies were: each stored copy comes back byte for byte', () => {
    for (const f of STORED) {
      const text = readFileSync(join(SCB, f), 'utf8');
      const full = regrown(text);
      expect(full.length, f).toBeGreaterThan(text.length);
      expect(storedMetadataText(full, f.replace('.json', '')), f).toBe(text);
    }
  });

  it('the cut keeps the first and last 12 codes at their positions, the real size, and _cut as the last key', () => {
    const full = regrown(readFileSync(join(SCB, 'TAB6680.json'), 'utf8'));
    const cut = obj(cutRegion(parseOrderedJson(full), 'TAB6680'));
    const region = obj(obj(cut.get('dimension')).get('Region'));
    expect([...region.keys()]).toEqual(['label', 'category', 'extension', '_cut']);
    const positions = [...obj(obj(region.get('category')).get('index')).values()].map((p) => Number((p as JsonNumber).text));
    expect(positions).toEqual([...Array.from({ length: 12 }, (_, i) => i), ...Array.from({ length: 12 }, (_, i) => 18858 + i)]);
    expect(toPlainJson(region.get('_cut') as OrderedJson)).toEqual({ region_codes_total: 18870, kept: 24, how: 'Region category cut to the first and last 12 codes; all other fields verbatim' });
    // The cut copy reads as the real table: its size, levels and other variables.
    const meta = parseTableMetadata(toPlainJson(cut), 'TAB6680', 'x');
    expect(meta).toMatchObject({ regionCount: 18870, regionCut: true });
    expect(meta.regions.map((r) => r.version)).toEqual(['RegSO2020', 'RegSO2025', 'DeSO2018', 'DeSO2025']);
  });

  it('an array index becomes an object keeping positions; a small Region is not cut', () => {
    const codes = Array.from({ length: 30 }, (_, i) => `R${i}`);
    const doc = {
      id: ['Region', 'Tid'],
      size: [30, 1],
      dimension: { Region: { label: 'region', category: { index: codes, label: Object.fromEntries(codes.map((c) => [c, c.toLowerCase()])) } }, Tid: { category: { index: { '2024': 0 } } } },
    };
    const cut = JSON.parse(storedMetadataText(JSON.stringify(doc), 'T')) as { dimension: { Region: { category: { index: Record<string, number>; label: Record<string, string> }; _cut: unknown } } };
    expect(cut.dimension.Region.category.index).toEqual(Object.fromEntries([...codes.slice(0, 12), ...codes.slice(18)].map((c) => [c, Number(c.slice(1))])));
    expect(Object.keys(cut.dimension.Region.category.label)).toEqual([...codes.slice(0, 12), ...codes.slice(18)]);
    const small = { ...doc, size: [24, 1], dimension: { ...doc.dimension, Region: { label: 'region', category: { index: codes.slice(0, 24) } } } };
    expect(storedMetadataText(JSON.stringify(small), 'T')).toBe(formatOrderedJson(parseOrderedJson(JSON.stringify(small))) + '\n');
  });

  it('rejects a body that is not JSON, naming it', () => {
    expect(() => storedMetadataText('{"id": [', 'TAB1', 'http://x/tables/TAB1/metadata')).toThrow(/^http:\/\/x\/tables\/TAB1\/metadata: not valid JSON/);
  });

  it('writes atomically: the file is whole and no temporary file is left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segfollow-meta-'));
    const file = join(dir, 'TAB1.json');
    writeFileAtomic(file, 'one\n');
    writeFileAtomic(file, 'two\n');
    expect(readFileSync(file, 'utf8')).toBe('two\n');
    expect(readdirSync(dir)).toEqual(['TAB1.json']);
    expect(() => writeFileAtomic(join(dir, 'missing', 'TAB1.json'), 'x')).toThrow(/cannot write/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});
