#!/usr/bin/env node
import 'flowsentry/register';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../backend.js';
import { FlowsentryError } from '../errors.js';
import { parseCommand, type CliCommand } from './args.js';
import { benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { evaluateCommand } from './commands/evaluate.js';
import { scoreCommand } from './commands/score.js';
import { trainCommand } from './commands/train.js';

const COMMANDS: CliCommand[] = [trainCommand, evaluateCommand, scoreCommand, benchCommand, demoCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'flowsentry: deep network-traffic anomaly detection on imbalanced data',
    '',
    'Usage: flowsentry <command> [options]   (flowsentry <command> --help for its options)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`flowsentry: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    const parsed = parseCommand(cmd, rest);
    if (!parsed) return 0;
    tf.env().set('PROD', true);
    // Commands that talk to stdout in a machine format keep the backend report on stderr.
    const quietStdout = parsed.values.json === true || cmd.name === 'score';
    const report = await selectBackend({ verbose: !quietStdout });
    if (quietStdout) console.error(`flowsentry: ${report.reason}`);
    return await cmd.run(parsed.values, parsed.positionals);
  } catch (e) {
    if (e instanceof FlowsentryError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`flowsentry ${cmd.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** True when this module is the process entry point (also through the npm bin symlink). */
function isEntryPoint(): boolean {
  const argv1 = process.argv[1];
  if (argv1 === undefined) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

const isEntry = isEntryPoint();
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
