import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fresh temporary folder for generated test files. */
export function tempDir(prefix = 'flowsentry-data-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
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
