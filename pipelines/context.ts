import type { Config } from './config.ts';
import type { Logger } from './log.ts';

/**
 * Every side effect a stage may have comes through this object: HTTP, the clock, the logger, the paths (in
 * config) and the warehouse path. Tests build a real one pointing at temporary folders and the local emulator.
 */
export interface Context {
  config: Config;
  log: Logger;
  fetch: typeof fetch;
  now: () => Date;
}
