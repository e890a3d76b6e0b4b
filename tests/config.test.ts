import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, DEFAULTS } from '../pipelines/config.ts';
import { UsageError } from '../pipelines/errors.ts';

const root = () => mkdtempSync(join(tmpdir(), 'segfollow-config-'));

describe('loadConfig', () => {
  it('layers defaults < segfollow.config.json < environment < flags', () => {
    const dir = root();
    writeFileSync(join(dir, 'segfollow.config.json'), JSON.stringify({ year: 2022, scbBaseUrl: 'http://file.example/api/v2', disclosureThreshold: 20 }));
    const env = { SEGFOLLOW_SCB_URL: 'http://env.example/api/v2/', SEGFOLLOW_DISCLOSURE_THRESHOLD: '30' };
    const c = loadConfig({ disclosureThreshold: 40 }, { root: dir, env });
    expect(c.year).toBe(2022);
    expect(c.scbBaseUrl).toBe('http://env.example/api/v2');
    expect(c.disclosureThreshold).toBe(40);
    expect(c.koladaBaseUrl).toBe(DEFAULTS.koladaBaseUrl);
    expect(c.warehouse).toBe(join(dir, 'data', 'warehouse.duckdb'));
    expect(c.areaKeysUrl).toBe(`file://${join(dir, 'data', 'keys')}`);
  });

  it('draws 200 bootstrap samples by default, in a demo too, and what the environment says', () => {
    expect(loadConfig({}, { root: root(), env: {} }).bootstrapDraws).toBe(200);
    expect(loadConfig({ demo: true }, { root: root(), env: {} }).bootstrapDraws).toBe(200);
    expect(loadConfig({ demo: true }, { root: root(), env: { SEGFOLLOW_BOOTSTRAP_DRAWS: '0' } }).bootstrapDraws).toBe(0);
  });

  it('rejects a year outside the programme, naming the valid years', () => {
    expect(() => loadConfig({ year: '1999' }, { root: root(), env: {} })).toThrow(UsageError);
    expect(() => loadConfig({ year: '1999' }, { root: root(), env: {} })).toThrow(/valid report years are 2017–2030/);
    expect(() => loadConfig({ year: '2031' }, { root: root(), env: {} })).toThrow(/valid report years are 2017–2030/);
    // The follow-up continues after the programme: 2026–2030 are report years.
    expect(loadConfig({ year: '2027' }, { root: root(), env: {} }).year).toBe(2027);
  });

  it('rejects bad values with the key and what was expected', () => {
    const r = root();
    expect(loadConfig({ lang: 'en' }, { root: r, env: {} }).lang).toBe('en');
    expect(() => loadConfig({ lang: 'fr' }, { root: r, env: {} })).toThrow(/lang/);
    expect(() => loadConfig({ logFormat: 'xml' }, { root: r, env: {} })).toThrow(/logFormat: expected one of text, json/);
    expect(() => loadConfig({ reports: 'riket,stad' }, { root: r, env: {} })).toThrow(/unknown level "stad"/);
    expect(() => loadConfig({ areas: '180' }, { root: r, env: {} })).toThrow(/"180" is not a län/);
    expect(() => loadConfig({}, { root: r, env: { SEGFOLLOW_KOLADA_URL: 'not a url' } })).toThrow(/koladaBaseUrl: not a URL/);
    writeFileSync(join(r, 'segfollow.config.json'), '{ nope');
    expect(() => loadConfig({}, { root: r, env: {} })).toThrow(/segfollow.config.json: not valid JSON/);
  });

  /** loadConfig with `json` as segfollow.config.json (an object is stringified) and `env`; returns the thrown message. */
  const refusal = (json: unknown, env: Record<string, string> = {}, flags: Record<string, unknown> = {}): { message: string; file: string } => {
    const dir = root();
    const file = join(dir, 'segfollow.config.json');
    if (json !== undefined) writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
    try {
      loadConfig(flags, { root: dir, env });
    } catch (e) {
      expect(e).toBeInstanceOf(UsageError);
      expect((e as UsageError).exitCode).toBe(2);
      return { message: (e as Error).message, file };
    }
    throw new Error(`accepted ${JSON.stringify({ json, env, flags })}`);
  };

  it('refuses a disclosure threshold with whitespace in the environment instead of reading it as 0 or 50', () => {
    for (const v of [' 50', '50 ', '5 0', '50\r', ' ', '', '+50', '-1', '5e1', '0x32', '50.0']) {
      const { message } = refusal(undefined, { SEGFOLLOW_DISCLOSURE_THRESHOLD: v });
      expect(message, JSON.stringify(v)).toContain('SEGFOLLOW_DISCLOSURE_THRESHOLD: disclosureThreshold: ');
      expect(message).toMatch(v === '' ? /set but empty; unset it for the default \(50\)/ : /expected an integer in 0–1000000 \(digits only, no spaces or signs\)/);
    }
    // Digits only are read as they are; leading zeros are still digits.
    expect(loadConfig({}, { root: root(), env: { SEGFOLLOW_DISCLOSURE_THRESHOLD: '050' } }).disclosureThreshold).toBe(50);
    expect(loadConfig({}, { root: root(), env: { SEGFOLLOW_DISCLOSURE_THRESHOLD: '0' } }).disclosureThreshold).toBe(0);
  });

  it('refuses "", null, true, strings and fractions as integers in segfollow.config.json, naming the file and the key', () => {
    for (const v of ['', null, true, false, '50', 50.5, [50], {}]) {
      const { message, file } = refusal({ disclosureThreshold: v });
      expect(message, JSON.stringify(v)).toBe(`${file}: disclosureThreshold: expected an integer in 0–1000000 (a JSON number), got ${JSON.stringify(v)}`);
    }
    for (const key of ['bootstrapDraws', 'httpTimeoutMs', 'httpRetries']) {
      for (const v of ['', null, true, '5', 1.5]) {
        const { message, file } = refusal({ [key]: v });
        expect(message, `${key} ${JSON.stringify(v)}`).toMatch(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}: ${key}: expected an integer in \\d+–[\\d]+ \\(a JSON number\\), got `));
      }
    }
    const year = refusal({ year: '2022' });
    expect(year.message).toBe(`${year.file}: year "2022": expected a year (a JSON number); valid report years are 2017–2030 (the reform programme 2017–2025 and its follow-up)`);
    expect(refusal({ year: null }).message).toMatch(/: year null: expected a year \(a JSON number\)/);
    expect(refusal({ year: 2031 }).message).toMatch(/segfollow\.config\.json: year 2031: valid report years are 2017–2030/);
    const c = loadConfig({}, { root: (() => { const d = root(); writeFileSync(join(d, 'segfollow.config.json'), JSON.stringify({ disclosureThreshold: 0, httpRetries: 0, bootstrapDraws: 0, year: 2020 })); return d; })(), env: {} });
    expect([c.disclosureThreshold, c.httpRetries, c.bootstrapDraws, c.year]).toEqual([0, 0, 0, 2020]);
  });

  it('applies the same strictness to every integer from the environment and flags', () => {
    expect(refusal(undefined, { SEGFOLLOW_BOOTSTRAP_DRAWS: ' 20' }).message).toBe('SEGFOLLOW_BOOTSTRAP_DRAWS: bootstrapDraws: expected an integer in 0–100000 (digits only, no spaces or signs), got " 20"');
    // -1 means "not set" only as the default; a user who means the default leaves the variable unset.
    expect(refusal(undefined, { SEGFOLLOW_BOOTSTRAP_DRAWS: '-1' }).message).toMatch(/bootstrapDraws: expected an integer in 0–100000/);
    expect(refusal(undefined, {}, { year: ' 2022' }).message).toMatch(/^--year " 2022": expected a year \(digits only, no spaces or signs\); valid report years are 2017–2030/);
    expect(refusal(undefined, {}, { year: '20 22' }).message).toMatch(/^--year "20 22": expected a year/);
    expect(refusal(undefined, {}, { year: true }).message).toMatch(/^--year true: expected a year/);
    expect(refusal(undefined, {}, { httpTimeoutMs: '5000ms' }).message).toBe('option httpTimeoutMs: httpTimeoutMs: expected an integer in 100–600000 (digits only, no spaces or signs), got "5000ms"');
    expect(refusal(undefined, {}, { httpRetries: 2.5 }).message).toMatch(/^option httpRetries: httpRetries: expected an integer in 0–20/);
    expect(loadConfig({ year: '2022', httpRetries: 2 }, { root: root(), env: {} })).toMatchObject({ year: 2022, httpRetries: 2 });
  });

  it('refuses a set-but-empty environment variable rather than falling back silently', () => {
    expect(refusal(undefined, { SEGFOLLOW_OUT: '' }).message).toBe('SEGFOLLOW_OUT: outDir: set but empty; unset it for the default ("output") or give a value');
  });

  it('refuses unknown keys in segfollow.config.json, suggesting the nearest known one', () => {
    const r = refusal({ disclosureTreshold: 5 });
    expect(r.message).toMatch(new RegExp(`^${r.file.replace(/[.\\/]/g, '\\$&')}: unknown key "disclosureTreshold" \\(did you mean "disclosureThreshold"\\?\\); known keys: year, demo,`));
    expect(refusal({ root: '/elsewhere' }).message).toMatch(/unknown key "root"; known keys:/);
    expect(refusal({ nothingLikeIt: 1 }).message).toMatch(/unknown key "nothingLikeIt"; known keys:/);
    expect(refusal('[1, 2]').message).toMatch(/segfollow\.config\.json: expected a JSON object of settings, got \[1,2\]/);
    expect(refusal('null').message).toMatch(/expected a JSON object of settings, got null/);
  });

  it('refuses an empty or non-list --reports and --areas', () => {
    expect(refusal(undefined, {}, { reports: ',' }).message).toBe('--reports: reports: expected report levels (riket, lan, kommun), comma-separated or a JSON array of strings, without empty items, got ","');
    expect(refusal(undefined, {}, { reports: '' }).message).toMatch(/^--reports: reports: expected report levels/);
    expect(refusal(undefined, {}, { reports: 'riket,,lan' }).message).toMatch(/^--reports: reports: expected report levels/);
    const five = refusal({ reports: 5 });
    expect(five.message).toBe(`${five.file}: reports: expected report levels (riket, lan, kommun), comma-separated or a JSON array of strings, without empty items, got 5`);
    expect(refusal({ reports: [] }).message).toMatch(/reports: expected at least one report level \(riket, lan, kommun\), got \[\]/);
    expect(refusal({ reports: ['riket', 5] }).message).toMatch(/reports: expected report levels/);
    expect(refusal({ reports: ['stad'] }).message).toMatch(/segfollow\.config\.json: reports: unknown level "stad"/);
    expect(refusal(undefined, {}, { areas: ',' }).message).toBe('--areas: areas: expected län (2 digits) or kommun (4 digits) codes, comma-separated or a JSON array of strings, without empty items, got ","');
    expect(refusal(undefined, {}, { areas: '' }).message).toMatch(/^--areas: areas: expected län/);
    expect(refusal({ areas: 180 }).message).toMatch(/areas: expected län/);
    // Spaces around commas are fine, and an empty array in the file is the default: every area.
    expect(loadConfig({ reports: 'riket, lan', areas: '0180, 14' }, { root: root(), env: {} })).toMatchObject({ reports: ['riket', 'lan'], areas: ['0180', '14'] });
    const d = root();
    writeFileSync(join(d, 'segfollow.config.json'), JSON.stringify({ reports: ['kommun'], areas: [] }));
    expect(loadConfig({}, { root: d, env: {} })).toMatchObject({ reports: ['kommun'], areas: [] });
  });

  it('takes booleans as JSON booleans in the file, and as exactly true/false/1/0 in text', () => {
    for (const v of ['yes', 'true', 1, 0, null, '']) {
      const { message, file } = refusal({ demo: v });
      expect(message, JSON.stringify(v)).toBe(`${file}: demo: expected a JSON boolean (true or false), got ${JSON.stringify(v)}`);
    }
    expect(refusal(undefined, {}, { offline: 'yes' }).message).toBe('--offline: offline: expected true, false, 1 or 0, got "yes"');
    expect(loadConfig({ demo: 'false', offline: '1' }, { root: root(), env: {} })).toMatchObject({ demo: false, offline: true });
    const d = root();
    writeFileSync(join(d, 'segfollow.config.json'), JSON.stringify({ demo: true }));
    expect(loadConfig({}, { root: d, env: {} })).toMatchObject({ demo: true, bootstrapDraws: 200 });
  });

  it('refuses non-string paths and URLs in the file', () => {
    expect(refusal({ outDir: null }).message).toMatch(/segfollow\.config\.json: outDir: expected a non-empty string, got null/);
    expect(refusal({ scbBaseUrl: 5 }).message).toMatch(/scbBaseUrl: expected a non-empty string, got 5/);
    expect(refusal({ logLevel: 1 }).message).toMatch(/logLevel: expected one of debug, info, warn, error, got 1/);
  });
  it('refuses a source URL with a user name or password before anything runs, without printing it', () => {
    const env = { SEGFOLLOW_KOLADA_URL: 'https://user:s3cret@api.kolada.se/v3' };
    expect(() => loadConfig({}, { root: root(), env })).toThrow(UsageError);
    expect(() => loadConfig({}, { root: root(), env })).toThrow(/SEGFOLLOW_KOLADA_URL: koladaBaseUrl: .*user name or password/);
    try {
      loadConfig({}, { root: root(), env });
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cret');
    }
  });
});
