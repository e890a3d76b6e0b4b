import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tinyWorld } from '../fixtures/tiny-world.ts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../pipelines/demo/emulator.ts';
import { loadConfig, type Config } from '../../pipelines/config.ts';
import { createLogger, type LogLevel } from '../../pipelines/log.ts';
import type { Context } from '../../pipelines/context.ts';
import type { DemoWorld } from '../../pipelines/demo/world.ts';

export interface TinyPipeline {
  world: DemoWorld;
  emulator: RunningEmulator;
  /** A config whose warehouse, output and raw cache live in a fresh temporary folder, pointed at the emulator. */
  config: Config;
  dir: string;
  /** JSON log lines written by contexts from `ctx()`. */
  logs: string[];
  ctx(config?: Config, level?: LogLevel): Context;
}

const ROOT = new URL('../..', import.meta.url).pathname;

/**
 * The setup every test of whole stages shares: the tiny demo world served by the emulator on 127.0.0.1 and a real
 * Context over a temporary folder. The caller closes `emulator` in afterAll.
 */
export async function startTinyPipeline(prefix: string, world: DemoWorld = tinyWorld(), emulatorOptions: EmulatorOptions = {}): Promise<TinyPipeline> {
  const dir = mkdtempSync(join(tmpdir(), `segfollow-${prefix}-`));
  const emulator = await startEmulator(world, emulatorOptions);
  const config: Config = {
    ...loadConfig({ demo: true, warehouse: join(dir, 'w.duckdb'), outDir: join(dir, 'out'), rawDir: join(dir, 'raw') }, { root: ROOT, env: {} }),
    scbBaseUrl: emulator.scbBaseUrl,
    koladaBaseUrl: emulator.koladaBaseUrl,
    geoBaseUrl: emulator.geoBaseUrl,
    areaKeysUrl: `${emulator.url}/keys`,
  };
  const logs: string[] = [];
  return {
    world,
    emulator,
    config,
    dir,
    logs,
    ctx: (c = config, level: LogLevel = 'info') => ({
      config: c,
      log: createLogger({ format: 'json', level, stream: { write: (s: string) => logs.push(s) } }),
      fetch: globalThis.fetch,
      now: () => new Date(),
    }),
  };
}
