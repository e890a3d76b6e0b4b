/**
 * A child process for tests that must kill a run midway: starts the tiny-world emulator (with the data of one
 * table answered slowly, so the run is surely inside ingest when killed) and runs every stage.
 * Usage: node --import tsx tests/helpers/tiny-run.ts <warehouse> <outDir> <rawDir> [slow-ms]
 */
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { startEmulator } from '../../pipelines/demo/emulator.ts';
import { loadConfig } from '../../pipelines/config.ts';
import { createLogger } from '../../pipelines/log.ts';
import { runStages, ALL_STAGES } from '../../pipelines/run.ts';
import { exitCodeOf } from '../../pipelines/errors.ts';

const [warehouse = '', outDir = '', rawDir = '', slow = '0'] = process.argv.slice(2);
const em = await startEmulator(tinyWorld(), { faults: Number(slow) > 0 ? [{ path: /TAB6680\/data/, kind: 'slow', ms: Number(slow) }] : [] });
// refresh: the run must fetch (and be killed inside the slow table) even when an earlier run fetched everything.
const config = { ...loadConfig({ demo: true, warehouse, outDir, rawDir, httpTimeoutMs: 600_000, refresh: true }), scbBaseUrl: em.scbBaseUrl, koladaBaseUrl: em.koladaBaseUrl, geoBaseUrl: em.geoBaseUrl, areaKeysUrl: `${em.url}/keys` };
const log = createLogger({ format: 'text', level: 'info' });
try {
  await runStages({ config, log, fetch: globalThis.fetch, now: () => new Date() }, 'run', ALL_STAGES, ['--demo']);
} catch (e) {
  // As the CLI does (cli.ts): one error line and the error's exit code (143 / 130 for SIGTERM / SIGINT).
  log.error((e as Error).message, { exit: exitCodeOf(e) });
  process.exitCode = exitCodeOf(e);
} finally {
  await em.close();
}
