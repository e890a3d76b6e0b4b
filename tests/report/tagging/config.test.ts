/**
 * The archiving switch (PDF/A-2a besides PDF/UA-1 unless `pdfArchive` or SEGFOLLOW_PDF_ARCHIVE says no) and the
 * benchmark's switch for untagged reports (`pdfTagged`, SEGFOLLOW_PDF_TAGGED).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../../pipelines/config.ts';
import { UsageError } from '../../../pipelines/errors.ts';

const dirs: string[] = [];
const root = (config?: object): string => {
  const d = mkdtempSync(join(tmpdir(), 'segfollow-pdfa-'));
  dirs.push(d);
  if (config) writeFileSync(join(d, 'segfollow.config.json'), JSON.stringify(config));
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

it('archives by default, and is turned off by the config file or the environment', () => {
  expect(loadConfig({}, { root: root(), env: {} }).pdfArchive).toBe(true);
  expect(loadConfig({}, { root: root({ pdfArchive: false }), env: {} }).pdfArchive).toBe(false);
  expect(loadConfig({}, { root: root(), env: { SEGFOLLOW_PDF_ARCHIVE: 'false' } }).pdfArchive).toBe(false);
  expect(loadConfig({}, { root: root({ pdfArchive: false }), env: { SEGFOLLOW_PDF_ARCHIVE: '1' } }).pdfArchive).toBe(true);
});

it('refuses a value that is not a boolean, naming where it came from', () => {
  expect(() => loadConfig({}, { root: root(), env: { SEGFOLLOW_PDF_ARCHIVE: 'nej' } })).toThrow(UsageError);
  expect(() => loadConfig({}, { root: root(), env: { SEGFOLLOW_PDF_ARCHIVE: 'nej' } })).toThrow(/SEGFOLLOW_PDF_ARCHIVE/);
  expect(() => loadConfig({}, { root: root({ pdfArchive: 'no' }), env: {} })).toThrow(/segfollow\.config\.json/);
});

it('tags by default; SEGFOLLOW_PDF_TAGGED=false (for the benchmark) turns it off', () => {
  expect(loadConfig({}, { root: root(), env: {} }).pdfTagged).toBe(true);
  expect(loadConfig({}, { root: root(), env: { SEGFOLLOW_PDF_TAGGED: 'false' } }).pdfTagged).toBe(false);
  expect(() => loadConfig({}, { root: root(), env: { SEGFOLLOW_PDF_TAGGED: '' } })).toThrow(UsageError);
});
