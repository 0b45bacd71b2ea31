import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from '../args.js';

/** `flowsentry bench`: runs the repository's benchmarks (a source checkout is needed: they compare against Python peers). */
export const benchCommand: CliCommand = {
  name: 'bench',
  summary: 'run benchmarks (bench/<name>.ts) from a source checkout',
  usage: 'flowsentry bench [<name> ...] [--quick]',
  options: { quick: { type: 'boolean', help: 'small sizes (about a minute; what CI runs)' } },
  async run(values, positionals) {
    const runner = fileURLToPath(new URL('../../../bench/run.ts', import.meta.url));
    if (!existsSync(runner)) {
      console.error('flowsentry bench: the benchmarks live in the source repository (bench/), not in the npm package.');
      console.error('Clone it, `npm ci`, then run `npx tsx bench/run.ts [<name>] [--quick]`.');
      return 2;
    }
    const args = ['tsx', runner, ...positionals, ...(values.quick ? ['--quick'] : [])];
    const r = spawnSync('npx', args, { stdio: 'inherit' });
    return r.status ?? 1;
  },
};
