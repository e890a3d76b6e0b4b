#!/usr/bin/env node
// Registers tsx in this process only (no npx, no child process) so the CLI starts in well under a second.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../pipelines/cli.ts');
process.exitCode = await main(process.argv.slice(2));
