import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.ts';
import type { LogFormat, LogLevel } from './log.ts';

/**
 * The programme runs 2017–2025 (PROGRAMME_LAST_YEAR), but the delegation's follow-up goes on, and 2025 data arrive
 * in 2026–2027: report years up to LAST_YEAR are accepted. Every series starts in FIRST_YEAR, with BASELINE_YEAR (the
 * year before the programme) where every source of an indicator publishes it.
 */
export const FIRST_YEAR = 2017;
export const BASELINE_YEAR = 2016;
export const PROGRAMME_LAST_YEAR = 2025;
export const LAST_YEAR = 2030;

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
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** Smallest number of persons a published value may rest on. */
  disclosureThreshold: number;
  httpTimeoutMs: number;
  httpRetries: number;
  /** Draws for expected values and bootstrap intervals of D and H; 0 turns them off. Default 200 (20 in a demo). */
  bootstrapDraws: number;
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
  logFormat: 'text',
  logLevel: 'info',
  disclosureThreshold: 50,
  httpTimeoutMs: 30_000,
  httpRetries: 4,
  bootstrapDraws: -1,
} as const satisfies Omit<Config, 'root'>;

/** Environment variables and the config keys they set. */
const ENV: Record<string, keyof Config> = {
  SEGFOLLOW_SCB_URL: 'scbBaseUrl',
  SEGFOLLOW_KOLADA_URL: 'koladaBaseUrl',
  SEGFOLLOW_AREA_KEYS_URL: 'areaKeysUrl',
  SEGFOLLOW_WAREHOUSE: 'warehouse',
  SEGFOLLOW_OUT: 'outDir',
  SEGFOLLOW_RAW: 'rawDir',
  SEGFOLLOW_LOG_FORMAT: 'logFormat',
  SEGFOLLOW_LOG_LEVEL: 'logLevel',
  SEGFOLLOW_DISCLOSURE_THRESHOLD: 'disclosureThreshold',
  SEGFOLLOW_BOOTSTRAP_DRAWS: 'bootstrapDraws',
};

type Partial2 = Partial<Record<keyof Config, unknown>>;

/**
 * Defaults, then `segfollow.config.json` in the root, then the environment, then flags: each later layer wins.
 * Every value is validated here so that stages can trust the Config they get.
 */
export function loadConfig(flags: Partial2, opts: { root?: string; env?: NodeJS.ProcessEnv } = {}): Config {
  const root = resolve(opts.root ?? process.cwd());
  const env = opts.env ?? process.env;
  const file = resolve(root, 'segfollow.config.json');
  let fromFile: Partial2 = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial2;
    } catch (e) {
      throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  const fromEnv: Partial2 = {};
  for (const [name, key] of Object.entries(ENV)) if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  const merged: Partial2 = { ...DEFAULTS, ...fromFile, ...fromEnv, ...stripUndefined(flags) };
  return validate(merged, root);
}

function stripUndefined(o: Partial2): Partial2 {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function validate(m: Partial2, root: string): Config {
  const int = (key: keyof Config, min: number, max: number): number => {
    const v = Number(m[key]);
    if (!Number.isInteger(v) || v < min || v > max) {
      if (key === 'year') {
        throw new UsageError(`--year ${String(m[key])}: valid report years are ${FIRST_YEAR}–${LAST_YEAR} (the reform programme ${FIRST_YEAR}–${PROGRAMME_LAST_YEAR} and its follow-up)`);
      }
      throw new UsageError(`${key}: expected an integer in ${min}–${max}, got ${JSON.stringify(m[key])}`);
    }
    return v;
  };
  const bool = (key: keyof Config): boolean => m[key] === true || m[key] === 'true' || m[key] === '1';
  const list = (key: keyof Config): string[] => {
    const v = m[key];
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
    return [];
  };
  const oneOf = <T extends string>(key: keyof Config, allowed: readonly T[]): T => {
    const v = String(m[key]);
    if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${key}: expected one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  const url = (key: keyof Config): string => {
    const v = String(m[key]);
    try {
      new URL(v);
    } catch {
      throw new UsageError(`${key}: not a URL: "${v}"`);
    }
    return v.replace(/\/+$/, '');
  };
  // The catalogue has English titles, but report texts exist only in Swedish so far; refuse rather than mix.
  if (m.lang === 'en') throw new UsageError('--lang en: English reports are not available yet; only sv');
  const reports = list('reports');
  for (const r of reports) if (!['riket', 'lan', 'kommun'].includes(r)) throw new UsageError(`--reports: unknown level "${r}" (expected riket, lan, kommun)`);
  const areas = list('areas');
  for (const a of areas) if (!/^\d{2}(\d{2})?$/.test(a)) throw new UsageError(`--areas: "${a}" is not a län (2 digits) or kommun (4 digits) code`);
  return {
    year: int('year', FIRST_YEAR, LAST_YEAR),
    demo: bool('demo'),
    offline: bool('offline'),
    lang: oneOf('lang', ['sv', 'en'] as const),
    reports,
    areas,
    root,
    dataDir: resolve(root, String(m.dataDir)),
    rawDir: resolve(root, String(m.rawDir)),
    warehouse: resolve(root, String(m.warehouse)),
    outDir: resolve(root, String(m.outDir)),
    scbBaseUrl: url('scbBaseUrl'),
    koladaBaseUrl: url('koladaBaseUrl'),
    areaKeysUrl: /^[a-z]+:\/\//.test(String(m.areaKeysUrl)) ? url('areaKeysUrl') : pathToFileURL(resolve(root, String(m.areaKeysUrl))).href,
    logFormat: oneOf('logFormat', ['text', 'json'] as const),
    logLevel: oneOf('logLevel', ['debug', 'info', 'warn', 'error'] as const),
    disclosureThreshold: int('disclosureThreshold', 0, 1_000_000),
    httpTimeoutMs: int('httpTimeoutMs', 100, 600_000),
    httpRetries: int('httpRetries', 0, 20),
    // -1 (the default) means "not set": 200 draws, or 20 in a demo run where speed matters more than the interval.
    bootstrapDraws: (() => {
      const n = int('bootstrapDraws', -1, 100_000);
      return n >= 0 ? n : bool('demo') ? 20 : 200;
    })(),
  };
}
