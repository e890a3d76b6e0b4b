/**
 * Stand-alone entry for `segfollow indices`, for tests and benchmarks that should not depend on the rest of the
 * CLI: `node --import tsx pipelines/measures/indices-cli-entry.ts --input … --unit … --groups …`.
 */
import { runIndicesCommand } from './indices-command.ts';

process.exitCode = await runIndicesCommand(process.argv.slice(2), process);
