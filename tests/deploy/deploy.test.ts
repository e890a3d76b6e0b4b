/**
 * deploy/: the shipped schedules (GitHub Actions workflow, cron line and wrapper, systemd service and timer).
 * The workflow is parsed as YAML and its shell steps are run against a stub `npx`; the systemd units are parsed as
 * INI (and checked with `systemd-analyze verify` where that is installed); the cron wrapper is run with --dry-run
 * and against a stub node to prove it keeps segfollow's exit code.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const DEPLOY = join(ROOT, 'deploy');
const INSTALL = '/opt/segfollow';
const WRAPPER = join(DEPLOY, 'cron', 'segfollow-run.sh');
const tmp = mkdtempSync(join(tmpdir(), 'segfollow-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The environment without any SEGFOLLOW_* variable, so that the caller's settings do not leak into a check. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEGFOLLOW_')));
  return { ...env, ...extra };
}

const LAST_YEAR = String(new Date().getUTCFullYear() - 1);

// ---------------------------------------------------------------------------------------------------------------
// GitHub Actions

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, unknown>;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { schedule?: { cron: string }[]; workflow_dispatch?: { inputs?: Record<string, { type?: string; default?: unknown }> } };
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, { 'runs-on': string; env?: Record<string, string>; steps: Step[] }>;
}

const workflowText = readFileSync(join(DEPLOY, 'github-actions', 'segfollow.yml'), 'utf8');
const workflow = parseYaml(workflowText) as Workflow;
const jobs = Object.values(workflow.jobs);
const steps = jobs.flatMap((j) => j.steps);
const uses = (action: string): Step[] => steps.filter((s) => s.uses?.split('@')[0] === action);
const lines = (v: unknown): string[] => String(v ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
const runStep = steps.find((s) => s.id === 'run');
const yearStep = steps.find((s) => s.id === 'year');

/** Runs a workflow step's script as Actions does (bash -e), with a stub npx that records its arguments. */
function runWorkflowScript(script: string, env: Record<string, string>, npxExit = 0): { status: number | null; output: string; args: string; stdout: string } {
  const dir = mkdtempSync(join(tmp, 'gha-'));
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'npx'), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" > "${dir}/npx-args"\necho '{"level":"info","msg":"stub"}' >&2\nexit ${npxExit}\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  const out = join(dir, 'github-output');
  writeFileSync(out, '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: cleanEnv({ ...env, GITHUB_OUTPUT: out, PATH: `${bin}:${process.env.PATH ?? ''}` }),
  });
  const args = existsSync(join(dir, 'npx-args')) ? readFileSync(join(dir, 'npx-args'), 'utf8').trim() : '';
  return { status: r.status, output: readFileSync(out, 'utf8'), args, stdout: r.stdout };
}

describe('deploy/github-actions/segfollow.yml', () => {
  it('is shipped for copying, not active in this repository', () => {
    expect(existsSync(join(ROOT, '.github', 'workflows', 'segfollow.yml'))).toBe(false);
  });

  it('runs on a monthly schedule and by manual dispatch with a demo input', () => {
    const crons = (workflow.on.schedule ?? []).map((s) => s.cron);
    expect(crons).toHaveLength(1);
    const fields = (crons[0] ?? '').split(/\s+/);
    expect(fields).toHaveLength(5);
    expect(fields[2]).toMatch(/^\d{1,2}$/); // one day of the month
    expect(fields.slice(3)).toEqual(['*', '*']); // every month, whatever the weekday
    expect(workflow.on.workflow_dispatch?.inputs?.demo).toMatchObject({ type: 'boolean', default: false });
    expect(workflow.concurrency).toMatchObject({ 'cancel-in-progress': false });
  });

  it('uses Node 20 and npm ci', () => {
    const node = uses('actions/setup-node');
    expect(node).toHaveLength(1);
    expect(String(node[0]?.with?.['node-version'])).toBe('20');
    expect(steps.some((s) => /^npm ci\b/m.test(s.run ?? ''))).toBe(true);
    const order = (pred: (s: Step) => boolean): number => steps.findIndex(pred);
    expect(order((s) => /^npm ci\b/m.test(s.run ?? ''))).toBeLessThan(order((s) => s.id === 'run'));
  });

  it('runs `npx segfollow run --year … --log-format json --when-new` on real sources, and --demo only for the demo input', () => {
    expect(runStep?.run).toMatch(/npx segfollow run --year "\$YEAR" --log-format json/);
    const real = runWorkflowScript(runStep?.run ?? '', { MODE: 'real', YEAR: '2025', AREA_KEYS_URL: '' });
    expect(real.status).toBe(0);
    expect(real.args).toBe('segfollow run --year 2025 --log-format json --when-new');
    expect(real.output).toContain('exit_code=0');
    const demo = runWorkflowScript(runStep?.run ?? '', { MODE: 'demo', YEAR: '2025', AREA_KEYS_URL: '' });
    expect(demo.args).toBe('segfollow run --year 2025 --log-format json --when-new --demo');
    expect(jobs[0]?.env?.MODE).toMatch(/inputs\.demo/);
  });

  it('picks the report year: the input, else 2025 for a demo, else last calendar year', () => {
    const year = (env: Record<string, string>): string => runWorkflowScript(yearStep?.run ?? '', env).output.trim();
    expect(year({ MODE: 'real', INPUT_YEAR: '' })).toBe(`year=${LAST_YEAR}`);
    expect(year({ MODE: 'demo', INPUT_YEAR: '' })).toBe('year=2025');
    expect(year({ MODE: 'real', INPUT_YEAR: '2024' })).toBe('year=2024');
  });

  it('respects exit codes: 1 and 2 fail the job, 3 (lock held) ends it green with a warning, nothing retries', () => {
    for (const [rc, jobStatus] of [[0, 0], [1, 1], [2, 2], [3, 0]] as const) {
      const r = runWorkflowScript(runStep?.run ?? '', { MODE: 'real', YEAR: '2025', AREA_KEYS_URL: '' }, rc);
      expect(r.status, `segfollow exit ${rc}`).toBe(jobStatus);
      expect(r.output).toContain(`exit_code=${rc}`);
      if (rc === 3) expect(r.stdout).toContain('::warning');
    }
    expect(JSON.stringify(workflow)).not.toMatch(/retry|continue-on-error/i); // comments left out
  });

  it('sets SEGFOLLOW_AREA_KEYS_URL only when the repository variable is not empty', () => {
    const script = `${runStep?.run ?? ''}\necho "keys=\${SEGFOLLOW_AREA_KEYS_URL-unset}" >> "$GITHUB_OUTPUT"`;
    expect(runWorkflowScript(script, { MODE: 'real', YEAR: '2025', AREA_KEYS_URL: '' }).output).toContain('keys=unset');
    expect(runWorkflowScript(script, { MODE: 'real', YEAR: '2025', AREA_KEYS_URL: 'https://k.example/keys' }).output).toContain('keys=https://k.example/keys');
  });

  it('restores data/raw and the warehouse from the latest run and saves them under a new key each run', () => {
    const restore = uses('actions/cache/restore');
    const save = uses('actions/cache/save');
    expect(restore).toHaveLength(1);
    expect(save).toHaveLength(1);
    for (const s of [...restore, ...save]) expect(lines(s.with?.path).sort()).toEqual(['data/raw', 'data/warehouse.duckdb']);
    const key = String(restore[0]?.with?.key);
    expect(key).toContain('${{ github.run_id }}');
    expect(save[0]?.with?.key).toBe(key);
    const prefixes = lines(restore[0]?.with?.['restore-keys']);
    expect(prefixes).toHaveLength(1);
    expect(key.startsWith(prefixes[0] ?? '?')).toBe(true);
    expect(key.slice((prefixes[0] ?? '').length)).toMatch(/^\$\{\{ github\.run_id \}\}/);
    expect(prefixes[0]).toContain('env.MODE'); // demo data never restored into a real run
    // Restored before the run, saved after it, and not after exit 2 or 3.
    expect(steps.indexOf(restore[0] as Step)).toBeLessThan(steps.indexOf(runStep as Step));
    expect(steps.indexOf(save[0] as Step)).toBeGreaterThan(steps.indexOf(runStep as Step));
    expect(save[0]?.if).toMatch(/always\(\)/);
    expect(save[0]?.if).not.toMatch(/'3'/);
  });

  it('publishes output/<year>/ as an artifact after a successful run', () => {
    const upload = uses('actions/upload-artifact').find((s) => String(s.with?.path).startsWith('output/'));
    expect(upload?.with?.path).toBe('output/${{ steps.year.outputs.year }}/');
    expect(upload?.with?.['if-no-files-found']).toBe('error');
    expect(upload?.if).toBe("steps.run.outputs.exit_code == '0'");
  });
});

// ---------------------------------------------------------------------------------------------------------------
// systemd

type Ini = Record<string, Record<string, string[]>>;

/** systemd's unit syntax as far as these files use it: [Section], Key=Value (repeatable), # and ; comments. */
function parseIni(text: string): Ini {
  const out: Ini = {};
  let section: Record<string, string[]> | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.endsWith('\\')) throw new Error(`line ${i + 1}: continuation lines are not used in these units`);
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head) {
      section = out[head[1] as string] ??= {};
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`line ${i + 1}: not a Key=Value line in a section: ${raw}`);
    (section[kv[1] as string] ??= []).push((kv[2] as string).trim());
  });
  return out;
}

const serviceText = readFileSync(join(DEPLOY, 'systemd', 'segfollow.service'), 'utf8');
const timerText = readFileSync(join(DEPLOY, 'systemd', 'segfollow.timer'), 'utf8');
const service = parseIni(serviceText);
const timer = parseIni(timerText);
const one = (ini: Ini, section: string, key: string): string | undefined => {
  const v = ini[section]?.[key];
  expect(v, `${section}.${key} once`).toHaveLength(1);
  return v?.[0];
};

describe('deploy/systemd', () => {
  it('service: a oneshot run of the wrapper in the install folder, as its own user', () => {
    expect(Object.keys(service)).toEqual(['Unit', 'Service']);
    expect(one(service, 'Service', 'Type')).toBe('oneshot');
    expect(one(service, 'Service', 'WorkingDirectory')).toBe(INSTALL);
    expect(one(service, 'Service', 'User')).toBe('segfollow');
    expect(one(service, 'Service', 'ExecStart')).toBe(`${INSTALL}/deploy/cron/segfollow-run.sh`);
    expect(one(service, 'Unit', 'After')).toContain('network-online.target');
    expect(service.Service?.Restart).toBeUndefined();
  });

  it('service: SEGFOLLOW_* paths in Environment=, all inside ReadWritePaths=, logs to the journal', () => {
    const env = Object.fromEntries((service.Service?.Environment ?? []).map((e) => e.split(/=(.*)/s).slice(0, 2) as [string, string]));
    expect(env).toMatchObject({
      SEGFOLLOW_RAW: `${INSTALL}/data/raw`,
      SEGFOLLOW_WAREHOUSE: `${INSTALL}/data/warehouse.duckdb`,
      SEGFOLLOW_OUT: `${INSTALL}/output`,
      SEGFOLLOW_HOME: INSTALL,
      SEGFOLLOW_LOG_FILE: '-',
    });
    for (const v of Object.values(env)) expect(v).not.toBe(''); // segfollow refuses set-but-empty variables
    const writable = (one(service, 'Service', 'ReadWritePaths') ?? '').split(/\s+/);
    expect(writable.sort()).toEqual([`${INSTALL}/data`, `${INSTALL}/output`]);
    for (const p of [env.SEGFOLLOW_RAW, env.SEGFOLLOW_WAREHOUSE, env.SEGFOLLOW_OUT]) {
      expect(writable.some((w) => p === w || p?.startsWith(`${w}/`)), p).toBe(true);
    }
  });

  it('service: exit 3 (lock held) is success, hardening on, nothing that breaks Node', () => {
    expect(one(service, 'Service', 'SuccessExitStatus')?.split(/\s+/)).toContain('3');
    expect(one(service, 'Service', 'ProtectSystem')).toBe('strict');
    expect(one(service, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(one(service, 'Service', 'PrivateTmp')).toBe('yes');
    expect(service.Service?.MemoryDenyWriteExecute).toBeUndefined(); // V8's JIT needs W+X memory
  });

  it('timer: monthly, persistent, randomized, starting the service', () => {
    expect(Object.keys(timer)).toEqual(['Unit', 'Timer', 'Install']);
    expect(one(timer, 'Timer', 'OnCalendar')).toMatch(/^\*-\*-\d{2} \d{2}:\d{2}(:\d{2})?$/);
    expect(one(timer, 'Timer', 'Persistent')).toBe('true');
    expect(one(timer, 'Timer', 'RandomizedDelaySec')).toMatch(/^\d+(h|min|s)?$/);
    expect(one(timer, 'Timer', 'Unit')).toBe('segfollow.service');
    expect(one(timer, 'Install', 'WantedBy')).toBe('timers.target');
  });

  it('systemd-analyze verify accepts both units (install folder mapped to this checkout)', (ctx) => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      ctx.skip('systemd-analyze is not installed on this machine: only the INI checks above ran');
      return;
    }
    if (/\s/.test(ROOT)) {
      ctx.skip(`the checkout path "${ROOT}" has whitespace, which unit files cannot take unquoted`);
      return;
    }
    const dir = mkdtempSync(join(tmp, 'units-'));
    for (const [name, text] of [['segfollow.service', serviceText], ['segfollow.timer', timerText]]) {
      writeFileSync(join(dir, name as string), (text as string).replaceAll(INSTALL, ROOT));
    }
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'segfollow.service'), join(dir, 'segfollow.timer')], { cwd: dir, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// cron

function wrapper(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(WRAPPER, args, { encoding: 'utf8', env: cleanEnv(env) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('deploy/cron', () => {
  it('segfollow.cron: one line, a 5-field monthly schedule, the user, then the wrapper', () => {
    const text = readFileSync(join(DEPLOY, 'cron', 'segfollow.cron'), 'utf8');
    const jobLines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
    expect(jobLines).toHaveLength(1);
    const fields = (jobLines[0] ?? '').split(/\s+/);
    const schedule = fields.slice(0, 5);
    const ranges: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
    schedule.forEach((f, i) => {
      const [lo, hi] = ranges[i] as [number, number];
      const ok = f === '*' || (/^\d+$/.test(f) && Number(f) >= lo && Number(f) <= hi);
      expect(ok, `cron field ${i + 1} "${f}"`).toBe(true);
    });
    expect(schedule[2]).toMatch(/^\d+$/); // a day of the month …
    expect(schedule.slice(3)).toEqual(['*', '*']); // … of every month
    expect(fields[5]).toBe('segfollow');
    expect(fields[6]).toBe(`${INSTALL}/deploy/cron/segfollow-run.sh`);
    expect(fields).toHaveLength(7);
    expect(text).toMatch(/^PATH=.*\/usr\/local\/bin/m);
  });

  it('the wrapper is executable', () => {
    expect(statSync(WRAPPER).mode & 0o111).toBe(0o111);
  });

  it('--dry-run prints the command (year = last calendar year), runs nothing and exits 0', () => {
    const log = join(tmp, 'dry', 'segfollow.jsonl');
    const r = wrapper(['--dry-run'], { SEGFOLLOW_LOG_FILE: log });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`cd ${ROOT} && node bin/segfollow.js run --year ${LAST_YEAR} --log-format json --when-new\nlog: ${log}\n`);
    expect(existsSync(log)).toBe(false);
  });

  it('--dry-run: --demo (2025), SEGFOLLOW_YEAR, passed-through options, SEGFOLLOW_HOME, the default log file', () => {
    expect(wrapper(['--dry-run', '--demo']).stdout).toBe(
      `cd ${ROOT} && node bin/segfollow.js run --year 2025 --log-format json --when-new --demo\nlog: ${ROOT}/output/logs/segfollow.jsonl\n`,
    );
    expect(wrapper(['--dry-run'], { SEGFOLLOW_DEMO: '1', SEGFOLLOW_YEAR: '2024', SEGFOLLOW_LOG_FILE: '-' }).stdout).toBe(
      `cd ${ROOT} && node bin/segfollow.js run --year 2024 --log-format json --when-new --demo\nlog: stderr\n`,
    );
    expect(wrapper(['--offline', '--dry-run', '--reports', 'riket,lan'], { SEGFOLLOW_HOME: ROOT }).stdout.split('\n')[0]).toBe(
      `cd ${ROOT} && node bin/segfollow.js run --year ${LAST_YEAR} --log-format json --offline --reports riket\\,lan`,
    );
    // --when-new by default; SEGFOLLOW_WHEN_NEW=0 publishes every time.
    expect(wrapper(['--dry-run'], { SEGFOLLOW_WHEN_NEW: '0', SEGFOLLOW_YEAR: '2024', SEGFOLLOW_LOG_FILE: '-' }).stdout.split('\n')[0]).toBe(
      `cd ${ROOT} && node bin/segfollow.js run --year 2024 --log-format json`,
    );
    const bad = wrapper(['--dry-run'], { SEGFOLLOW_HOME: tmp });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('not a segfollow install');
  });

  it("keeps segfollow's exit code and appends its log lines and its own to the log file", () => {
    const node = join(tmp, 'fake-node');
    writeFileSync(node, '#!/usr/bin/env bash\necho "{\\"msg\\":\\"fake $*\\"}" >&2\nexit "$FAKE_RC"\n');
    chmodSync(node, 0o755);
    const log = join(tmp, 'real', 'logs', 'segfollow.jsonl');
    for (const rc of [0, 1, 3]) {
      const r = wrapper([], { SEGFOLLOW_NODE: node, SEGFOLLOW_LOG_FILE: log, SEGFOLLOW_YEAR: '2025', FAKE_RC: String(rc) });
      expect(r.status, `exit ${rc}`).toBe(rc);
      expect(r.stdout).toBe('');
      // Only a failure prints (cron mails it); a held lock is logged, not mailed.
      expect(r.stderr === '', `stderr for exit ${rc}`).toBe(rc !== 1);
    }
    const logged = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; exit?: number });
    expect(logged).toHaveLength(9);
    expect(logged[1]?.msg).toBe('fake bin/segfollow.js run --year 2025 --log-format json --when-new');
    expect(logged.filter((l) => l.exit !== undefined).map((l) => l.exit)).toEqual([0, 1, 3]);
  });
});
