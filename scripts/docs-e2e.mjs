#!/usr/bin/env node
// `npm run docs:e2e`: builds the documentation site (unless --no-build) and drives it in headless
// Chromium (test/docs/site.e2e.ts). Needs Debian's `chromium` (or CHROMIUM_PATH) and playwright-core.
// Screenshots are written to docs/site/screenshots/. Extra arguments go to scripts/docs.mjs
// (e.g. --allow-warnings for a local draft).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const run = (cmd, argv) => spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (!args.includes('--no-build')) {
  const status = run(process.execPath, [path.join(root, 'scripts/docs.mjs'), ...args.filter((a) => a !== '--no-build')]);
  if (status !== 0) process.exit(status);
}
process.exit(run(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/docs/vitest.e2e.config.ts']));
