/**
 * Stand-alone entry for `segfollow area-types`, so its tests need not wait for the command to be wired into cli.ts:
 * `node --import tsx pipelines/area-types-cli-entry.ts --input … --unit … --index …`.
 */
import { runAreaTypesCommand } from './area-types-command.ts';

process.exitCode = await runAreaTypesCommand(process.argv.slice(2), process);
