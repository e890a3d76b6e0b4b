import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../pipelines/errors.ts';
import { formatNumber } from '../../pipelines/report/format.ts';
import { wording } from '../../pipelines/report/wording.ts';

const DIR = fileURLToPath(new URL('../../templates/wording/', import.meta.url));
const PLURAL = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);

/** The file's keys and each key's placeholders, read independently of wording.ts. */
function keysOf(file: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      out.set(path, [...new Set([...node.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort().join(','));
      return;
    }
    const entries = Object.entries(node as Record<string, unknown>).filter(([k]) => !k.startsWith('_'));
    if (entries.length > 0 && entries.every(([k]) => PLURAL.has(k)) && entries.some(([k]) => k === 'other')) {
      const names = entries.flatMap(([, v]) => [...String(v).matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      out.set(path, `plural:${[...new Set(names)].sort().join(',')}`);
      return;
    }
    for (const [k, v] of entries) walk(v, path ? `${path}.${k}` : k);
  };
  walk(JSON.parse(readFileSync(join(DIR, file), 'utf8')), '');
  return out;
}

describe('templates/wording', () => {
  it('has the same keys, plural entries and placeholders in sv.json and en.json', () => {
    const sv = keysOf('sv.json');
    const en = keysOf('en.json');
    expect(sv.size).toBeGreaterThan(50);
    expect([...en.keys()].sort()).toEqual([...sv.keys()].sort());
    for (const [key, ph] of sv) expect({ key, ph: en.get(key) }).toEqual({ key, ph });
  });

  it('points the reader to workbook sheets by the names the workbook gives them in the same language', () => {
    for (const lang of ['sv', 'en'] as const) {
      const raw = JSON.parse(readFileSync(join(DIR, `${lang}.json`), 'utf8')) as { workbook: { sheets: Record<string, string> } };
      const sheets = Object.entries(raw.workbook.sheets).filter(([k]) => !k.startsWith('_')).map(([, v]) => v);
      const texts = [...keysOf(`${lang}.json`).keys()].map((k) => wording(lang).t(k, new Proxy({}, { get: (_t, name) => (name === 'count' ? 1 : `{${String(name)}}`) })));
      const pointers = texts.flatMap((t) => [...t.matchAll(lang === 'sv' ? /\bbladet "?([^"){]+)/g : /\bsheet "?([^"){]+)/g)].map((m) => m[1] ?? ''));
      expect(pointers.length, lang).toBeGreaterThan(4);
      for (const p of pointers) expect(sheets.some((s) => p.startsWith(s)), `${lang}: "${p}" names no sheet (${sheets.join(', ')})`).toBe(true);
    }
  });

  it('loads both languages without a fault (the loader checks en.json against sv.json)', () => {
    expect(wording('sv').t('format.and')).toBe(' och ');
    expect(wording('en').t('format.and')).toBe(' and ');
  });

  it('prints {count} grouped as format.ts prints whole numbers, and picks the plural form', () => {
    for (const lang of ['sv', 'en'] as const) {
      for (const n of [0, 1, 2, 999, 1000, 12345, 1234567]) {
        expect(wording(lang).t('summary.count.kommun', { count: n })).toContain(formatNumber(n, 0, lang));
      }
    }
    expect(wording('sv').t('summary.count.kommun', { count: 1 })).toBe('1 kommun');
    expect(wording('sv').t('summary.count.kommun', { count: 1290 })).toBe('1\u00a0290 kommuner');
    expect(wording('en').t('summary.count.kommun', { count: 1 })).toBe('1 municipality');
    expect(wording('en').t('summary.count.kommun', { count: 1290 })).toBe('1,290 municipalities');
  });
});

describe('wording faults fail loudly, naming the file and key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segfollow-wording-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** A fresh folder per case (the loader caches per folder and language). */
  const files = (sv: unknown, en: unknown): string => {
    const d = join(dir, String(n++));
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'sv.json'), JSON.stringify(sv));
    writeFileSync(join(d, 'en.json'), JSON.stringify(en));
    return d;
  };

  it('a key missing from en.json', () => {
    const d = files({ a: { b: 'x {v}', c: 'y' } }, { a: { b: 'x {v}' } });
    expect(() => wording('en', d)).toThrow(UsageError);
    expect(() => wording('en', d)).toThrow('en.json: key "a.c" is missing (it is in');
  });

  it('a key only in en.json', () => {
    const d = files({ a: 'x' }, { a: 'x', b: 'y' });
    expect(() => wording('en', d)).toThrow('en.json: key "b" is not in');
  });

  it('a placeholder that differs between the files', () => {
    const d = files({ a: 'värdet {value} år {year}' }, { a: 'the value {value} in {yaer}' });
    expect(() => wording('en', d)).toThrow('en.json: key "a" has placeholders {value, yaer} but');
  });

  it('a plural entry in one file and a text in the other', () => {
    const d = files({ a: { one: '{count} kommun', other: '{count} kommuner' } }, { a: '{count} municipalities' });
    expect(() => wording('en', d)).toThrow('en.json: key "a": a plural entry in one file must be one in the other');
  });

  it('a stray brace', () => {
    const d = files({ a: 'värdet {value år' }, { a: 'the value {value' });
    expect(() => wording('sv', d)).toThrow('sv.json: "a": a stray { or }');
  });

  it('a key the code asks for that no file has', () => {
    const d = files({ a: 'x' }, { a: 'x' });
    expect(() => wording('sv', d).t('a.b')).toThrow('sv.json: no key "a.b"');
  });

  it('a placeholder the code does not fill, and a decimal number given unformatted', () => {
    const d = files({ a: 'värdet {value}' }, { a: 'the value {value}' });
    expect(() => wording('en', d).t('a')).toThrow('en.json: key "a": no value given for {value}');
    expect(() => wording('sv', d).t('a', { value: 2.5 })).toThrow('sv.json: key "a": {value} = 2.5 is not a whole number');
    expect(wording('sv', d).t('a', { value: 2017 })).toBe('värdet 2017');
  });

  it('a plural entry asked for without a count', () => {
    const d = files({ a: { one: '{count} kommun', other: '{count} kommuner' } }, { a: { one: '{count} municipality', other: '{count} municipalities' } });
    expect(() => wording('sv', d).t('a')).toThrow('sv.json: key "a" is a plural entry and needs a number count');
    expect(wording('sv', d).t('a', { count: 3 })).toBe('3 kommuner');
  });

  it('a file that is not JSON', () => {
    const d = files({ a: 'x' }, { a: 'x' });
    writeFileSync(join(d, 'en.json'), '{ "a": "x", }');
    expect(() => wording('en', d)).toThrow(/en\.json: cannot read the report wording/);
  });
});

