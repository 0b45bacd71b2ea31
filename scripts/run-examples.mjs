#!/usr/bin/env node
// `npm run examples`: runs every examples/*.ts with tsx, in their reduced form (--quick) unless
// --full is given, one after the other; fails when any example fails. CI runs it so examples never rot.
// Usage: node scripts/run-examples.mjs [--full] [name ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const full = argv.includes('--full');
const only = argv.filter((a) => !a.startsWith('--'));
const examples = readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.ts$/, '')));
if (examples.length === 0) {
  console.error(`run-examples: no example matches ${only.join(', ')}`);
  process.exit(2);
}
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const results = [];
for (const file of examples) {
  console.log(`\n=== examples/${file}${full ? '' : ' --quick'}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [tsx, path.join('examples', file), ...(full ? [] : ['--quick'])], { cwd: root, stdio: 'inherit' });
  results.push({ file, status: r.status ?? 1, seconds: (Date.now() - t0) / 1000 });
}
console.log('\nexample                 status  seconds');
for (const r of results) console.log(`${r.file.padEnd(24)}${(r.status === 0 ? 'ok' : `FAIL ${r.status}`).padEnd(8)}${r.seconds.toFixed(1)}`);
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
