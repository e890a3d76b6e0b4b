import { parseArgs } from 'node:util';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { createLogger, type Logger, type TextSink } from './log.ts';
import { EnvironmentError, environmentError, exitCodeOf, SegfollowError, UsageError } from './errors.ts';
import type { Context } from './context.ts';
import type { StageName } from './run.ts';

const STAGES: Record<string, StageName[]> = {
  run: ['areas', 'ingest', 'build', 'report'],
  ingest: ['areas', 'ingest'],
  build: ['build'],
  report: ['report'],
};

export async function main(argv: string[], io: { stdout: TextSink; stderr: TextSink } = process): Promise<number> {
  const [command, ...rest] = argv;
  let log: Logger = createLogger({ format: 'text', level: 'info', stream: io.stderr });
  if (io.stdout === process.stdout) endQuietlyOnBrokenPipe();
  try {
    // The configuration, help texts and publishing are loaded after `indices` and `area-types` have been handed
    // their arguments: those two commands need none of them, and each module loaded adds to their start-up.
    if (!command || command === '-h' || command === '--help' || command === 'help') {
      const { HELP } = await import('./help.ts');
      io.stdout.write(HELP.main + '\n');
      return command ? 0 : 2;
    }
    if (command === 'indices') {
      const { runIndicesCommand } = await import('./measures/indices-command.ts');
      return await runIndicesCommand(rest, io);
    }
    if (command === 'area-types') {
      const { runAreaTypesCommand } = await import('./area-types-command.ts');
      return await runAreaTypesCommand(rest, io);
    }
    const { HELP } = await import('./help.ts');
    if (!(command in HELP)) throw new UsageError(`unknown command "${command}"; run "segfollow --help"`);
    const { values } = parseFlags(rest);
    if (values.help) {
      io.stdout.write((HELP[command] ?? HELP.main) + '\n');
      return 0;
    }
    checkSourcesFlags(command, values);
    checkReleaseFlags(command, values);
    checkStatusFlags(command, values);
    const { loadConfig } = await import('./config.ts');
    const config = loadConfig({
      year: values.year,
      demo: values.demo,
      offline: values.offline,
      reports: values.reports,
      areas: values.areas,
      lang: values.lang,
      outDir: values.out,
      warehouse: values.warehouse,
      logFormat: values['log-format'],
      logLevel: values['log-level'],
      refresh: values.refresh,
      whenNew: values['when-new'],
      acceptStale: values['accept-stale'],
    });
    log = createLogger({ format: config.logFormat, level: config.logLevel, stream: io.stderr });
    if (command === 'status' && values.history) {
      const { statusHistory, parseLimit } = await import('./status-history.ts');
      return await statusHistory(config.warehouse, { limit: parseLimit(values.limit), json: values.json === true }, io.stdout);
    }
    if (command === 'status') return status(config, io.stdout, values.json === true, (await import('./publish.ts')).repairInterruptedPublish);
    if (command === 'sources' && values.check) {
      const { runSourcesCheck } = await import('./sources/check-command.ts');
      const ctx: Context = { config, log, fetch: globalThis.fetch, now: () => new Date() };
      return await runSourcesCheck(ctx, { live: values.live === true, update: values.update === true, json: values.json === true }, io.stdout);
    }
    if (command === 'sources' && values.due) {
      const { runSourcesDue } = await import('./sources-due.ts');
      // --demo: the release watch asks the emulator, as a demo run would (only the CLI starts it).
      let em: { scbBaseUrl: string; koladaBaseUrl: string; close(): Promise<void> } | undefined;
      if (config.demo && !config.offline) {
        const { generateWorld } = await import('./demo/generate-world.ts');
        const { startEmulator } = await import('./demo/emulator.ts');
        em = await startEmulator(generateWorld());
      }
      try {
        return await runSourcesDue(em ? { ...config, scbBaseUrl: em.scbBaseUrl, koladaBaseUrl: em.koladaBaseUrl } : config, log, { json: values.json === true }, io.stdout);
      } finally {
        await em?.close();
      }
    }
    if (command === 'sources') return await sources(config, io.stdout);
    const stages = STAGES[command] ?? [];
    return await runCommand(command, stages, rest, config, log);
  } catch (e) {
    // An operating-system or DuckDB I/O error (a full or read-only disk, a folder where a file belongs) is the
    // machine's: one line naming the path, exit 2, no stack.
    const err = environmentError(e) ?? e;
    if (err instanceof SegfollowError) log.error(err.message, { exit: err.exitCode });
    else log.error(`unexpected error: ${(err as Error).stack ?? String(err)}`);
    return exitCodeOf(err);
  }
}

let brokenPipeHandled = false;

/**
 * `segfollow sources | head`: when the reader closes the pipe, further writes to stdout fail with EPIPE, which
 * Node raises as an 'error' event on the stream, not as an exception main could catch. The reader has all it
 * wanted, so the command ends at once with status 0 and nothing on stderr, as cat or grep do. A broken stderr
 * leaves nowhere to report to, so it is ignored and the command ends with its own status.
 */
function endQuietlyOnBrokenPipe(): void {
  if (brokenPipeHandled) return;
  brokenPipeHandled = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    process.stderr.write(`segfollow: cannot write to stdout (${e.code ?? e.message})\n`);
    process.exit(1);
  });
  process.stderr.on('error', () => undefined);
}

function parseFlags(args: string[]): ReturnType<typeof parseFlagsRaw> {
  try {
    return parseFlagsRaw(args);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; run with --help for the options`);
  }
}

/** --check, --live, --update and --json belong to `sources --check`, and each needs the one before it. */
function checkSourcesFlags(command: string, v: { check?: boolean; live?: boolean; update?: boolean; json?: boolean; due?: boolean }): void {
  // --json also belongs to status (checkStatusFlags).
  // --json also belongs to status and to sources --due.
  const given = (['check', 'live', 'update', 'json'] as const).filter((k) => v[k] && !(k === 'json' && (command === 'status' || v.due)));
  if (given.length === 0) return;
  if (command !== 'sources') throw new UsageError(`--${given[0]} belongs to "segfollow sources --check", not to ${command}`);
  if (!v.check) throw new UsageError(`--${given[0]} goes with --check: segfollow sources --check ${given.map((k) => `--${k}`).join(' ')}`);
  if (v.update && !v.live) throw new UsageError('--update needs --live: it rewrites the stored metadata with SCB\'s live answer');
}

/** --due belongs to sources (not with --check); --when-new to run; --refresh to commands that fetch; --accept-stale to those that report. */
function checkReleaseFlags(command: string, v: { due?: boolean; check?: boolean; 'when-new'?: boolean; refresh?: boolean; 'accept-stale'?: string }): void {
  if (v.due && command !== 'sources') throw new UsageError(`--due belongs to "segfollow sources --due", not to ${command}`);
  if (v.due && v.check) throw new UsageError('--due and --check are two listings: give one');
  if (v['when-new'] && command !== 'run') throw new UsageError(`--when-new belongs to "segfollow run", not to ${command}`);
  if (v.refresh && command !== 'run' && command !== 'ingest') throw new UsageError(`--refresh belongs to run and ingest (it forces a full fetch), not to ${command}`);
  if (v['accept-stale'] !== undefined && command !== 'run' && command !== 'report' && command !== 'sources') throw new UsageError(`--accept-stale belongs to run and report, not to ${command}`);
}

/** --history and --limit belong to status, and --limit needs --history. */
function checkStatusFlags(command: string, v: { history?: boolean; limit?: string }): void {
  if (command !== 'status') {
    if (v.history) throw new UsageError(`--history belongs to "segfollow status --history", not to ${command}`);
    if (v.limit !== undefined) throw new UsageError(`--limit belongs to "segfollow status --history", not to ${command}`);
    return;
  }
  if (v.limit !== undefined && !v.history) throw new UsageError('--limit goes with --history: segfollow status --history --limit N');
}

function parseFlagsRaw(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: false,
    options: {
      year: { type: 'string' },
      demo: { type: 'boolean' },
      offline: { type: 'boolean' },
      reports: { type: 'string' },
      areas: { type: 'string' },
      lang: { type: 'string' },
      out: { type: 'string' },
      warehouse: { type: 'string' },
      'log-format': { type: 'string' },
      'log-level': { type: 'string' },
      check: { type: 'boolean' },
      live: { type: 'boolean' },
      update: { type: 'boolean' },
      json: { type: 'boolean' },
      history: { type: 'boolean' },
      limit: { type: 'string' },
      refresh: { type: 'boolean' },
      'when-new': { type: 'boolean' },
      'accept-stale': { type: 'string' },
      due: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Starts the demo emulator over a fresh synthetic world; the config pointed at it. */
async function startDemoSources(config: Config, log: Logger, keep: (em: { close(): Promise<void> }) => void): Promise<Config> {
  const t0 = performance.now();
  const { generateWorld } = await import('./demo/generate-world.ts');
  const { startEmulator } = await import('./demo/emulator.ts');
  const em = await startEmulator(generateWorld());
  keep(em);
  log.info('demo: emulator started on 127.0.0.1 over synthetic data', { url: em.url, seconds: Math.round(performance.now() - t0) / 1000 });
  return { ...config, scbBaseUrl: em.scbBaseUrl, koladaBaseUrl: em.koladaBaseUrl, geoBaseUrl: em.geoBaseUrl, areaKeysUrl: `${em.url}/keys` };
}

async function runCommand(command: string, stages: StageName[], args: string[], config: Config, log: Logger): Promise<number> {
  let emulator: { close(): Promise<void> } | undefined;
  try {
    if (config.demo && (stages.includes('ingest') || stages.includes('areas')) && !config.offline) {
      // Started in a function of its own and handed over through the setter: a local of this async function lives in
      // its suspended frame until the command ends, and so did the world (~130 MB of heap) through build and report.
      config = await startDemoSources(config, log, (em) => (emulator = em));
    }
    const ctx: Context = { config, log, fetch: globalThis.fetch, now: () => new Date() };
    // Loaded here, not at the top: the stages pull in DuckDB, Vega and pdfmake, which `indices` or `--help` never need.
    const { runStages } = await import('./run.ts');
    (await import('./db.ts')).configureWarehouse(config);
    // The emulator and its world are let go as soon as the ingest is over (issue 10 goal 5: a demo run under 1 GB).
    const sourcesDone = async (): Promise<void> => {
      const em = emulator;
      emulator = undefined;
      await em?.close();
    };
    const summary = await runStages(ctx, command, stages, args, { sourcesDone });
    if (summary.nothingNew) {
      log.info(`${command} finished: inget nytt (no new data; nothing built or published)`, { run: summary.run_id });
      return 0;
    }
    const total = summary.stages.reduce((s, r) => s + r.seconds, 0);
    log.info(`${command} finished`, { run: summary.run_id, seconds: Math.round(total * 1000) / 1000, peak_rss_mb: summary.peak_rss_mb, ...(summary.outDir ? { output: summary.outDir } : {}) });
    return 0;
  } finally {
    await emulator?.close();
  }
}

function status(config: Config, stdout: TextSink, json: boolean, repairInterruptedPublish: (outDir: string, year: number) => void): number {
  // A run that died between the two renames of its publish left only <year>.old: put it back first (publish.ts).
  repairInterruptedPublish(config.outDir, config.year);
  const file = join(config.outDir, String(config.year), 'manifest.json');
  if (!existsSync(file)) {
    const years = existsSync(config.outDir) ? readdirSync(config.outDir).filter((d) => /^\d{4}$/.test(d)) : [];
    throw new UsageError(`no manifest at ${file}${years.length ? `; runs exist for ${years.join(', ')} (use --year)` : '; nothing has run yet'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EnvironmentError(`${file}: the manifest cannot be read (${(e as Error).message}); the run that wrote it did not finish it, or it was edited`);
  }
  const m = parsed as {
    run_id: string; command: string; generated_at: string; demo: boolean; report_year: number; peak_rss_mb: number;
    stages: { stage: string; seconds: number; outcome: string }[]; outputs: { name: string; bytes: number }[];
  };
  if (json || config.logFormat === 'json') {
    stdout.write(JSON.stringify(m) + '\n');
    return 0;
  }
  const lines = [
    `run ${m.run_id} (${m.command}${m.demo ? ', demo data' : ''}) for ${m.report_year}, finished ${m.generated_at}`,
    ...m.stages.map((s) => `  ${s.stage.padEnd(8)} ${s.outcome.padEnd(6)} ${s.seconds.toFixed(2).padStart(8)} s`),
    `  peak memory ${m.peak_rss_mb} MB`,
    `outputs in ${join(config.outDir, String(m.report_year))}:`,
    ...m.outputs.map((o) => `  ${o.name} (${o.bytes} bytes)`),
  ];
  stdout.write(lines.join('\n') + '\n');
  return 0;
}

/**
 * The catalogue, one row per indicator and source: the levels each source serves (a level summed from DeSO says
 * so, as the values' source label does) and the years the catalogue's sources hold for it, e.g. employment from
 * SCB TAB6680 per RegSO and DeSO 2020–2024 and from Kolada N00914 and N02267 per kommun, län and riket.
 */
async function sources(config: Config, stdout: TextSink): Promise<number> {
  const { loadIndicators, loadSources, sourcesByLevel, formatYears } = await import('./catalogue.ts');
  const ind = loadIndicators(config.dataDir);
  const src = loadSources(config.dataDir);
  stdout.write(['indicator', 'policy_area', 'unit', 'levels', 'source', 'years', 'title_sv'].join('\t') + '\n');
  for (const i of ind.indicators) {
    for (const s of sourcesByLevel(i, src)) {
      stdout.write([i.id, i.policy_area, i.unit, s.levels.join(','), s.source, formatYears(s.years), i.title_sv].join('\t') + '\n');
    }
  }
  return 0;
}
