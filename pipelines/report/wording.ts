/**
 * The report's wording per language, read from templates/wording/<lang>.json (templates/README.md says how to edit
 * them) so a statistician can change a sentence without touching TypeScript. Each file is read and checked once per
 * process: every key and every placeholder of the Swedish file (the reference) must be in the other language's file
 * and the other way round, so a half-translated file stops the report instead of printing a Swedish or empty
 * sentence in an English report.
 *
 * A key is a dotted path (`summary.noData`) to a string, or to a plural entry `{ "one": …, "other": … }` chosen by
 * the number `count` (Intl.PluralRules of the language). `{name}` is a placeholder. `{count}` prints as a whole
 * number grouped as the language groups thousands; any other number must be a whole number (a year, a rank) and
 * prints without grouping: decimals are formatted by the caller (format.ts), never here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';

export type Lang = 'sv' | 'en';
export type WordingParams = Readonly<Record<string, string | number>>;

export interface Wording {
  lang: Lang;
  /** The text of `key` with its placeholders filled; throws a UsageError naming the file and key on any fault. */
  t(key: string, params?: WordingParams): string;
  /** The text of `key` with its first letter in upper case (a phrase used to begin a sentence). */
  tCap(key: string, params?: WordingParams): string;
}

type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
type Entry = string | Plural;

const LANGS: readonly Lang[] = ['sv', 'en'];
const PLURAL_KEYS: ReadonlySet<string> = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const DEFAULT_DIR = fileURLToPath(new URL('../../templates/wording/', import.meta.url));
/** Number locales for `{count}`; format.ts uses the same ones (a test holds them equal). */
const LOCALE: Record<Lang, string> = { sv: 'sv-SE', en: 'en-GB' };

const cache = new Map<string, Wording>();

function fileOf(dir: string, lang: Lang): string {
  return join(dir, `${lang}.json`);
}

/** `templates/wording/en.json` rather than an absolute path, where the file is the project's own. */
function shown(file: string): string {
  const i = file.lastIndexOf('templates/wording/');
  return i >= 0 ? file.slice(i) : file;
}

function isPlural(v: object): boolean {
  const keys = Object.keys(v).filter((k) => !k.startsWith('_'));
  return keys.includes('other') && keys.every((k) => PLURAL_KEYS.has(k));
}

/** Flattens the file to dotted keys, checking every leaf; keys starting with `_` are notes for the editor. */
function readEntries(file: string): Map<string, Entry> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${shown(file)}: cannot read the report wording (${(e as Error).message})`, { cause: e });
  }
  const out = new Map<string, Entry>();
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      if (!path) throw new UsageError(`${shown(file)}: expected an object of sections and texts`);
      checkBraces(file, path, node);
      out.set(path, node);
      return;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      throw new UsageError(`${shown(file)}: "${path || '(top)'}": expected a text, a section or a plural entry { "one": …, "other": … }, got ${JSON.stringify(node)}`);
    }
    if (path && isPlural(node)) {
      const forms = Object.entries(node).filter(([k]) => !k.startsWith('_'));
      for (const [k, v] of forms) {
        if (typeof v !== 'string') throw new UsageError(`${shown(file)}: "${path}.${k}": expected a text, got ${JSON.stringify(v)}`);
        checkBraces(file, `${path}.${k}`, v);
      }
      out.set(path, Object.fromEntries(forms) as Plural);
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith('_')) continue;
      if (!/^[A-Za-z0-9_-]+$/.test(k)) throw new UsageError(`${shown(file)}: "${path ? `${path}.` : ''}${k}": a key is letters, digits, _ and - only`);
      walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(raw, '');
  return out;
}

/** A brace that is not part of a `{name}` placeholder is a typo (`{value`), refused where it is. */
function checkBraces(file: string, key: string, text: string): void {
  if (/[{}]/.test(text.replace(PLACEHOLDER, ''))) throw new UsageError(`${shown(file)}: "${key}": a stray { or } (placeholders are written {name})`);
}

function placeholders(e: Entry): string[] {
  const texts = typeof e === 'string' ? [e] : Object.values(e);
  return [...new Set(texts.flatMap((s) => [...s.matchAll(PLACEHOLDER)].map((m) => m[1] as string)))].sort();
}

/** The other language's file against the Swedish one: the same keys, the same kind, the same placeholders. */
function checkAgainst(ref: Map<string, Entry>, refFile: string, own: Map<string, Entry>, ownFile: string): void {
  for (const [key, e] of ref) {
    const o = own.get(key);
    if (o === undefined) throw new UsageError(`${shown(ownFile)}: key "${key}" is missing (it is in ${shown(refFile)})`);
    if ((typeof e === 'string') !== (typeof o === 'string')) throw new UsageError(`${shown(ownFile)}: key "${key}": a plural entry in one file must be one in the other (${shown(refFile)})`);
    const a = placeholders(e).join(', ');
    const b = placeholders(o).join(', ');
    if (a !== b) throw new UsageError(`${shown(ownFile)}: key "${key}" has placeholders {${b}} but ${shown(refFile)} has {${a}}`);
  }
  for (const key of own.keys()) if (!ref.has(key)) throw new UsageError(`${shown(ownFile)}: key "${key}" is not in ${shown(refFile)}`);
}

const countFormats = new Map<Lang, Intl.NumberFormat>();

function countText(n: number, lang: Lang): string {
  let f = countFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 0 });
    countFormats.set(lang, f);
  }
  return f
    .format(n)
    .replace(/[\u202f\u2009 ](?=\d)/g, '\u00a0')
    .replace(/-/g, '\u2212');
}

/** The wording of `lang`, read from `dir` (templates/wording by default) and checked against the Swedish file. */
export function wording(lang: Lang, dir: string = DEFAULT_DIR): Wording {
  const cacheKey = `${dir}\0${lang}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  if (!LANGS.includes(lang)) throw new UsageError(`report language "${String(lang)}": expected one of ${LANGS.join(', ')}`);
  const file = fileOf(dir, lang);
  const entries = readEntries(file);
  if (lang !== 'sv') checkAgainst(readEntries(fileOf(dir, 'sv')), fileOf(dir, 'sv'), entries, file);
  const rules = new Intl.PluralRules(LOCALE[lang]);
  const t = (key: string, params: WordingParams = {}): string => {
    const e = entries.get(key);
    if (e === undefined) throw new UsageError(`${shown(file)}: no key "${key}"`);
    let text: string;
    if (typeof e === 'string') text = e;
    else {
      const n = params.count;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new UsageError(`${shown(file)}: key "${key}" is a plural entry and needs a number count`);
      text = e[rules.select(n)] ?? e.other;
    }
    return text.replace(PLACEHOLDER, (_m, name: string) => {
      const v = params[name];
      if (v === undefined) throw new UsageError(`${shown(file)}: key "${key}": no value given for {${name}}`);
      if (typeof v === 'string') return v;
      if (!Number.isInteger(v)) throw new UsageError(`${shown(file)}: key "${key}": {${name}} = ${v} is not a whole number; format decimals before`);
      return name === 'count' ? countText(v, lang) : String(v);
    });
  };
  const w: Wording = {
    lang,
    t,
    tCap: (key, params) => {
      const s = t(key, params);
      return s.charAt(0).toUpperCase() + s.slice(1);
    },
  };
  cache.set(cacheKey, w);
  return w;
}
