import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const made: string[] = [];
// Registered while the importing test file is collected, so it runs once that file's tests are done.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder for generated test files, removed with its contents after the test file. */
export function tempDir(prefix = 'flowsentry-data-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes `text` to `dir/name` (creating sub-folders) and returns the path. */
export function writeText(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The shared real-data folder (FLOWSENTRY_DATA or ../shared/data next to the repo). */
export const dataRoot = process.env.FLOWSENTRY_DATA ?? path.resolve(repoRoot, '../shared/data');
