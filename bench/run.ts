/**
 * `npm run bench -- <name> [--quick]` runs bench/<name>.ts; with no name, every benchmark.
 * Each benchmark module exports `main(options: { quick: boolean }): Promise<void>` and prints
 * medians and ratios against the reference measured in the same run.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { quick: { type: 'boolean', default: false } } });
const here = fileURLToPath(new URL('.', import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'util.ts'].includes(f))
  .map((f) => f.slice(0, -3));
const names = positionals.length > 0 ? positionals : all;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`bench: unknown benchmark '${name}'; available: ${all.join(', ')}`);
    process.exit(2);
  }
  const mod = (await import(`./${name}.ts`)) as { main(o: { quick: boolean }): Promise<void> };
  console.log(`\n## bench ${name}${values.quick ? ' (quick)' : ''}\n`);
  await mod.main({ quick: values.quick ?? false });
}
