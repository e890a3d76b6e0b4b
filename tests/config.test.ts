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

  it('draws 200 bootstrap samples by default, 20 in a demo, and what the environment says', () => {
    expect(loadConfig({}, { root: root(), env: {} }).bootstrapDraws).toBe(200);
    expect(loadConfig({ demo: true }, { root: root(), env: {} }).bootstrapDraws).toBe(20);
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
    expect(() => loadConfig({ lang: 'en' }, { root: r, env: {} })).toThrow(/English reports are not available yet/);
    expect(() => loadConfig({ logFormat: 'xml' }, { root: r, env: {} })).toThrow(/logFormat: expected one of text, json/);
    expect(() => loadConfig({ reports: 'riket,stad' }, { root: r, env: {} })).toThrow(/unknown level "stad"/);
    expect(() => loadConfig({ areas: '180' }, { root: r, env: {} })).toThrow(/"180" is not a län/);
    expect(() => loadConfig({}, { root: r, env: { SEGFOLLOW_KOLADA_URL: 'not a url' } })).toThrow(/koladaBaseUrl: not a URL/);
    writeFileSync(join(r, 'segfollow.config.json'), '{ nope');
    expect(() => loadConfig({}, { root: r, env: {} })).toThrow(/segfollow.config.json: not valid JSON/);
  });
});
