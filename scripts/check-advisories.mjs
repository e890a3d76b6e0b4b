#!/usr/bin/env node
/**
 * Checks every package of the production dependency tree (as installed: `npm ls --omit=dev --all`) against the
 * known advisories in deploy/advisories.json, by exact version. `npm audit` is refused by the registry reachable
 * here, so the advisory list is gathered by hand (deploy/ADVISORIES.md says how); this script makes the check
 * repeatable after every dependency change. Prints one line per finding and a summary; exit 1 if an installed
 * version is in the range of a high or critical advisory, else 0.
 * Usage: node scripts/check-advisories.mjs [--json]
 */
import { execFileSync } from 'node:child_process';
import process from 'node:process';
import { URL } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Installed production packages: name → set of versions. */
function installed() {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const pkgs = new Map();
  for (const dir of out.split('\n').slice(1).filter(Boolean)) {
    const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (!pkgs.has(p.name)) pkgs.set(p.name, new Set());
    pkgs.get(p.name).add(p.version);
  }
  return pkgs;
}

/** [major, minor, patch, prerelease parts] of a version (build metadata ignored). */
function parse(v) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(v.trim());
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ? m[4].split('.') : []];
}

/** Semver precedence: <0, 0, >0. */
export function compare(a, b) {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  const [p, q] = [x[3], y[3]];
  if (p.length === 0 || q.length === 0) return q.length - p.length; // a release is above its prereleases
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    if (p[i] === undefined) return -1;
    if (q[i] === undefined) return 1;
    const [n, o] = [/^\d+$/.test(p[i]), /^\d+$/.test(q[i])];
    if (n && o && Number(p[i]) !== Number(q[i])) return Number(p[i]) - Number(q[i]);
    if (n !== o) return n ? -1 : 1;
    if (!n && p[i] !== q[i]) return p[i] < q[i] ? -1 : 1;
  }
  return 0;
}

/** Whether `version` satisfies a range of comparator sets ("<1.2.0 || >=2.0.0 <2.1.3"). */
export function inRange(version, range) {
  return range.split('||').some((set) =>
    set.trim().split(/\s+/).filter(Boolean).every((c) => {
      const m = /^(<=|>=|<|>|=)?(.+)$/.exec(c);
      const d = compare(version, m[2]);
      switch (m[1] ?? '=') {
        case '<': return d < 0;
        case '<=': return d <= 0;
        case '>': return d > 0;
        case '>=': return d >= 0;
        default: return d === 0;
      }
    }),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const db = JSON.parse(readFileSync(join(ROOT, 'deploy', 'advisories.json'), 'utf8'));
  const pkgs = installed();
  const findings = [];
  for (const a of db.advisories) {
    for (const v of pkgs.get(a.package) ?? []) if (inRange(v, a.affected)) findings.push({ ...a, version: v });
  }
  const blocking = findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
  const versions = [...pkgs.values()].reduce((n, s) => n + s.size, 0);
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ checked_against: db.checked, packages: pkgs.size, versions, advisories: db.advisories.length, findings }, null, 2) + '\n');
  } else {
    for (const f of findings) process.stdout.write(`${f.severity.toUpperCase()} ${f.package}@${f.version}: ${f.id} (affected ${f.affected}; ${f.source})\n`);
    process.stdout.write(`${pkgs.size} production packages (${versions} versions) checked against ${db.advisories.length} known advisories (list of ${db.checked}): ${findings.length} finding(s), ${blocking.length} high or critical\n`);
  }
  process.exitCode = blocking.length > 0 ? 1 : 0;
}
