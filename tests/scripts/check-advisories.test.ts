/**
 * scripts/check-advisories.mjs: the semver range test it rests on, and the check itself over the installed
 * production tree (exit 0 and its summary line; a finding would name package, version and advisory).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
// @ts-expect-error a plain .mjs script without type declarations
import { compare, inRange } from '../../scripts/check-advisories.mjs';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('check-advisories', () => {
  it('orders versions by semver, prereleases below their release', () => {
    expect((compare as (a: string, b: string) => number)('0.3.0-beta.16', '0.3.0-beta.17')).toBeLessThan(0);
    expect((compare as (a: string, b: string) => number)('0.3.0-beta.17', '0.3.0')).toBeLessThan(0);
    expect((compare as (a: string, b: string) => number)('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect((compare as (a: string, b: string) => number)('1.5.6-r.1', '1.5.6')).toBeLessThan(0);
  });

  it('matches affected ranges with alternatives', () => {
    const r = inRange as (v: string, range: string) => boolean;
    expect(r('6.0.9', '<5.2.1 || >=6.0.0 <6.1.0')).toBe(true);
    expect(r('6.1.0', '<5.2.1 || >=6.0.0 <6.1.0')).toBe(false);
    expect(r('5.2.0', '<5.2.1 || >=6.0.0 <6.1.0')).toBe(true);
    expect(r('0.24.2', '<=0.24.2')).toBe(true);
    expect(r('0.25.0', '<=0.24.2')).toBe(false);
  });

  it('finds no installed production package in a high or critical advisory', () => {
    const out = execFileSync(process.execPath, [`${ROOT}scripts/check-advisories.mjs`, '--json'], { cwd: ROOT, encoding: 'utf8' });
    const r = JSON.parse(out) as { packages: number; advisories: number; findings: { severity: string }[] };
    expect(r.packages).toBeGreaterThan(50);
    expect(r.advisories).toBeGreaterThan(10);
    expect(r.findings.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
  }, 60_000);
});
