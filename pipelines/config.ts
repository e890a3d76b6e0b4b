import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.ts';
import { assertNoUrlCredentials, redactUrl } from './sources/redact.ts';
import type { LogFormat, LogLevel } from './log.ts';

import { FIRST_YEAR, LAST_YEAR, PROGRAMME_LAST_YEAR } from './years.ts';

export { BASELINE_YEAR, FIRST_YEAR, LAST_YEAR, PROGRAMME_LAST_YEAR } from './years.ts';

export interface Config {
  year: number;
  demo: boolean;
  offline: boolean;
  lang: 'sv' | 'en';
  /** Which report levels to build; the backbone builds `riket`. */
  reports: string[];
  /** Restrict kommun/län reports to these codes (empty = all). */
  areas: string[];
  root: string;
  dataDir: string;
  rawDir: string;
  warehouse: string;
  outDir: string;
  scbBaseUrl: string;
  koladaBaseUrl: string;
  /** Folder (path or http/file URL) holding the area keys: deso-regso.csv + deso-crosswalk.csv, or SCB's three XLSX files (README "Area keys"). */
  areaKeysUrl: string;
  /** SCB's WFS for DeSO/RegSO outlines (the kommun reports' maps). */
  geoBaseUrl: string;
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** Smallest number of persons a published value may rest on. */
  disclosureThreshold: number;
  httpTimeoutMs: number;
  httpRetries: number;
  /** Bootstrap draws behind the bias-corrected values and intervals of D, H and M; 0 turns them off. Default 200, demo too. */
  bootstrapDraws: number;
  /** bootstrapDraws was set (file, environment), not the default: a build on a demo warehouse keeps it. */
  bootstrapDrawsExplicit: boolean;
  /** Fetch every source, even those whose release has not changed since the last fetch. */
  refresh: boolean;
  /** Build and report only when a source has published new data since the last published report (else "inget nytt"). */
  whenNew: boolean;
  /** Indicators whose data may be older than their publication lag expects (the delay is known); the report says so. */
  acceptStale: string[];
  /** DuckDB's memory_limit for the warehouse (e.g. "500MB"); beyond it DuckDB spills to <warehouse>.tmp. null: segfollow's default (memory-limit.ts, 300MB), not DuckDB's 80 % of the machine. */
  memoryLimit: string | null;
  /** Report PDFs as PDF/A-2a besides PDF/UA-1 (archiving; default on); false: PDF/UA-1 only (report/tagging/). */
  pdfArchive: boolean;
  /**
   * Report PDFs tagged (PDF/UA-1; default on). false only to measure what tagging costs (bench/tagging.ts): an
   * untagged report is not accessible and must not be published.
   */
  pdfTagged: boolean;
}

export const DEFAULTS = {
  year: PROGRAMME_LAST_YEAR,
  demo: false,
  offline: false,
  lang: 'sv',
  reports: ['riket'],
  areas: [],
  dataDir: 'data',
  rawDir: 'data/raw',
  warehouse: 'data/warehouse.duckdb',
  outDir: 'output',
  scbBaseUrl: 'https://statistikdatabasen.scb.se/api/v2',
  koladaBaseUrl: 'https://api.kolada.se/v3',
  areaKeysUrl: 'data/keys',
  geoBaseUrl: 'https://geodata.scb.se/geoserver/stat/wfs',
  logFormat: 'text',
  logLevel: 'info',
  disclosureThreshold: 50,
  httpTimeoutMs: 30_000,
  httpRetries: 4,
  bootstrapDraws: -1,
  refresh: false,
  whenNew: false,
  acceptStale: [],
  memoryLimit: null,
  pdfArchive: true,
  pdfTagged: true,
} as const satisfies Omit<Config, 'root' | 'bootstrapDrawsExplicit'>;

/**
 * Bootstrap draws when none are set, the same in a demo as in a real run: the segregation stage shares one set of
 * draws over all scopes and runs in worker threads, so 200 draws cost the demo country about 25 s of CPU, and the
 * coverage simulation (tests/measures/coverage.test.ts) wants about that many. A demo's intervals are real ones.
 */
export function defaultDraws(_demo?: boolean): number {
  return 200;
}

/** Environment variables and the config keys they set. */
const ENV: Record<string, keyof Config> = {
  SEGFOLLOW_SCB_URL: 'scbBaseUrl',
  SEGFOLLOW_KOLADA_URL: 'koladaBaseUrl',
  SEGFOLLOW_AREA_KEYS_URL: 'areaKeysUrl',
  SEGFOLLOW_GEO_URL: 'geoBaseUrl',
  SEGFOLLOW_WAREHOUSE: 'warehouse',
  SEGFOLLOW_OUT: 'outDir',
  SEGFOLLOW_RAW: 'rawDir',
  SEGFOLLOW_LOG_FORMAT: 'logFormat',
  SEGFOLLOW_LOG_LEVEL: 'logLevel',
  SEGFOLLOW_DISCLOSURE_THRESHOLD: 'disclosureThreshold',
  SEGFOLLOW_BOOTSTRAP_DRAWS: 'bootstrapDraws',
  SEGFOLLOW_MEMORY_LIMIT: 'memoryLimit',
  SEGFOLLOW_PDF_ARCHIVE: 'pdfArchive',
  SEGFOLLOW_PDF_TAGGED: 'pdfTagged',
};

type Partial2 = Partial<Record<keyof Config, unknown>>;

/** The keys segfollow.config.json may set: every Config key but `root` (the folder the file is in). */
const FILE_KEYS = Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[];

/** Flags of the CLI whose name differs from the key they set; other keys are flags of the same name or API options. */
const FLAG_NAMES: Partial<Record<keyof Config, string>> = { outDir: 'out', logFormat: 'log-format', logLevel: 'log-level', whenNew: 'when-new', acceptStale: 'accept-stale' };
const CLI_FLAGS = new Set<keyof Config>(['year', 'demo', 'offline', 'reports', 'areas', 'lang', 'outDir', 'warehouse', 'logFormat', 'logLevel', 'refresh', 'whenNew', 'acceptStale']);

/** Where a value came from: the layer's kind and how to name it in a message (file path, variable name, flag). */
interface Origin {
  kind: 'default' | 'file' | 'env' | 'flag';
  where: string;
}

/**
 * Defaults, then `segfollow.config.json` in the root, then the environment, then flags: each later layer wins.
 * Every value is validated here so that stages can trust the Config they get, and a bad value is refused with a
 * UsageError (exit 2) naming the key, the layer it came from and what was expected — never coerced:
 *
 * - segfollow.config.json must be a JSON object of known keys (a misspelt key is refused, not ignored), with JSON
 *   types: integers as JSON numbers, booleans as JSON booleans, lists as arrays of strings (or one comma-separated
 *   string), everything else as non-empty strings.
 * - The environment and flags are text: an integer is digits only. Surrounding whitespace is refused rather than
 *   trimmed: " 50" or "50\r" comes from a quoting or CRLF mistake in whatever set the variable, and the same mistake
 *   ("5 0") can change the number, so the operator is told instead of guessed for. A variable that is set but empty
 *   is refused too (unset it to get the default): an empty template expansion must not pass for a setting.
 *   A boolean given as text is exactly true/false/1/0.
 * - A list given as text is comma-separated codes (spaces around commas allowed); an empty item (`--reports ,`,
 *   `--areas ""`) is refused, and at least one report level is needed.
 */
export function loadConfig(flags: Partial2, opts: { root?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const root = resolve(opts.root ?? process.cwd());
  const env = opts.env ?? process.env;
  const merged: Partial2 = { ...DEFAULTS };
  const origin: Partial<Record<keyof Config, Origin>> = {};
  for (const key of FILE_KEYS) origin[key] = { kind: 'default', where: 'default' };
  const file = resolve(root, 'segfollow.config.json');
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(`${file}: expected a JSON object of settings, got ${JSON.stringify(parsed)}`);
    }
    for (const [k, v] of Object.entries(parsed)) {
      if (!(FILE_KEYS as string[]).includes(k)) {
        const near = closest(k, FILE_KEYS);
        throw new UsageError(`${file}: unknown key "${k}"${near ? ` (did you mean "${near}"?)` : ''}; known keys: ${FILE_KEYS.join(', ')}`);
      }
      merged[k as keyof Config] = v;
      origin[k as keyof Config] = { kind: 'file', where: file };
    }
  }
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v === undefined) continue;
    if (v === '') throw new UsageError(`${name}: ${key}: set but empty; unset it for the default (${JSON.stringify(DEFAULTS[key as keyof typeof DEFAULTS])}) or give a value`);
    merged[key] = v;
    origin[key] = { kind: 'env', where: name };
  }
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined) continue;
    const key = k as keyof Config;
    merged[key] = v;
    origin[key] = { kind: 'flag', where: CLI_FLAGS.has(key) ? `--${FLAG_NAMES[key] ?? key}` : `option ${key}` };
  }
  return validate(merged, origin, root);
}

/** The known key nearest to a misspelt one (edit distance at most 3, case ignored), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length] ?? Infinity;
  };
  let best: string | undefined;
  let bestD = 4;
  for (const c of candidates) {
    const d = dist(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function validate(m: Partial2, origin: Partial<Record<keyof Config, Origin>>, root: string): Config {
  const from = (key: keyof Config): Origin => origin[key] ?? { kind: 'default', where: 'default' };
  const bad = (key: keyof Config, expected: string): UsageError =>
    new UsageError(`${from(key).where}: ${key}: expected ${expected}, got ${JSON.stringify(m[key])}`);
  /** An integer: a JSON number that is one, or (environment, flags) a string of digits only; nothing is coerced. */
  const asInt = (key: keyof Config): number | undefined => {
    const v = m[key];
    if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
    if (typeof v === 'string' && from(key).kind !== 'file' && /^[0-9]+$/.test(v)) return Number(v);
    return undefined;
  };
  const form = (key: keyof Config): string => (from(key).kind === 'file' ? 'a JSON number' : 'digits only, no spaces or signs');
  const int = (key: keyof Config, min: number, max: number): number => {
    const v = asInt(key);
    if (v === undefined || v < min || v > max) {
      if (key === 'year') {
        const o = from(key);
        const label = o.kind === 'flag' ? o.where : `${o.where}: year`;
        const raw = m[key];
        const shown = o.kind === 'flag' && typeof raw === 'string' && /^[0-9]+$/.test(raw) ? raw : JSON.stringify(raw);
        const what = v === undefined ? `expected a year (${form(key)}); ` : '';
        throw new UsageError(`${label} ${shown}: ${what}valid report years are ${FIRST_YEAR}–${LAST_YEAR} (the reform programme ${FIRST_YEAR}–${PROGRAMME_LAST_YEAR} and its follow-up)`);
      }
      throw bad(key, `an integer in ${min}–${max} (${form(key)})`);
    }
    return v;
  };
  /** A JSON boolean; as text (environment, flags) exactly true/false/1/0. */
  const bool = (key: keyof Config): boolean => {
    const v = m[key];
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && from(key).kind !== 'file') {
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
    }
    throw bad(key, from(key).kind === 'file' ? 'a JSON boolean (true or false)' : 'true, false, 1 or 0');
  };
  const str = (key: keyof Config): string => {
    const v = m[key];
    if (typeof v !== 'string' || v === '') throw bad(key, 'a non-empty string');
    return v;
  };
  /** An array of strings, or one comma-separated string; no empty item. */
  const list = (key: keyof Config, what: string): string[] => {
    const v = m[key];
    const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
    if (items === undefined || !items.every((s): s is string => typeof s === 'string' && s.trim() !== '')) {
      throw bad(key, `${what}, comma-separated or a JSON array of strings, without empty items`);
    }
    return items.map((s) => s.trim());
  };
  const oneOf = <T extends string>(key: keyof Config, allowed: readonly T[]): T => {
    const v = m[key];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw bad(key, `one of ${allowed.join(', ')}`);
    return v as T;
  };
  const url = (key: keyof Config): string => {
    const v = str(key);
    try {
      new URL(v);
    } catch {
      throw new UsageError(`${from(key).where}: ${key}: not a URL: "${redactUrl(v)}"`);
    }
    // Credentials in a source URL would reach logs and the published manifest: refused before anything runs.
    assertNoUrlCredentials(v, `${from(key).where}: ${key}`);
    return v.replace(/\/+$/, '');
  };
  const reports = list('reports', 'report levels (riket, lan, kommun)');
  if (reports.length === 0) throw bad('reports', 'at least one report level (riket, lan, kommun)');
  for (const r of reports) if (!['riket', 'lan', 'kommun'].includes(r)) throw new UsageError(`${from('reports').where}: reports: unknown level "${r}" (expected riket, lan, kommun)`);
  const areas = list('areas', 'län (2 digits) or kommun (4 digits) codes');
  for (const a of areas) if (!/^\d{2}(\d{2})?$/.test(a)) throw new UsageError(`${from('areas').where}: areas: "${a}" is not a län (2 digits) or kommun (4 digits) code`);
  const demo = bool('demo');
  const areaKeys = str('areaKeysUrl');
  // An empty list is the default; given, every item must look like an indicator id (the run checks it names one).
  const acceptStale = Array.isArray(m.acceptStale) && m.acceptStale.length === 0 ? [] : list('acceptStale', 'indicator ids');
  for (const a of acceptStale) if (!/^[a-z][a-z0-9_]*$/.test(a)) throw new UsageError(`${from('acceptStale').where}: acceptStale: "${a}" is not an indicator id (lower case, digits and _, as in data/indicators.json)`);
  const offline = bool('offline');
  const whenNew = bool('whenNew');
  if (whenNew && offline) throw new UsageError(`${from('whenNew').where}: whenNew asks the sources what is new; it cannot go with offline (${from('offline').where})`);
  return {
    year: int('year', FIRST_YEAR, LAST_YEAR),
    demo,
    offline,
    lang: oneOf('lang', ['sv', 'en'] as const),
    reports,
    areas,
    root,
    dataDir: resolve(root, str('dataDir')),
    rawDir: resolve(root, str('rawDir')),
    warehouse: resolve(root, str('warehouse')),
    outDir: resolve(root, str('outDir')),
    scbBaseUrl: url('scbBaseUrl'),
    koladaBaseUrl: url('koladaBaseUrl'),
    geoBaseUrl: url('geoBaseUrl'),
    areaKeysUrl: /^[a-z]+:\/\//.test(areaKeys) ? url('areaKeysUrl') : pathToFileURL(resolve(root, areaKeys)).href,
    logFormat: oneOf('logFormat', ['text', 'json'] as const),
    logLevel: oneOf('logLevel', ['debug', 'info', 'warn', 'error'] as const),
    disclosureThreshold: int('disclosureThreshold', 0, 1_000_000),
    httpTimeoutMs: int('httpTimeoutMs', 100, 600_000),
    httpRetries: int('httpRetries', 0, 20),
    // -1 (the default, and only the default) means "not set": defaultDraws().
    bootstrapDraws: (() => {
      const n = int('bootstrapDraws', from('bootstrapDraws').kind === 'default' ? -1 : 0, 100_000);
      return n >= 0 ? n : defaultDraws(demo);
    })(),
    bootstrapDrawsExplicit: from('bootstrapDraws').kind !== 'default',
    refresh: bool('refresh'),
    whenNew,
    acceptStale,
    memoryLimit: (() => {
      if (m.memoryLimit === null) return null;
      const v = str('memoryLimit');
      // DuckDB's own units; a bare number or a typo would be refused by DuckDB only once the warehouse opens.
      if (!/^\d+(\.\d+)?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v)) throw bad('memoryLimit', 'a size such as 500MB or 2GB (KB, MB, GB, TB, KiB, MiB, GiB, TiB)');
      return v;
    })(),
    pdfArchive: bool('pdfArchive'),
    pdfTagged: bool('pdfTagged'),
  };
}
