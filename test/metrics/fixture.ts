import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Reads test/fixtures/<area>/<file> as JSON. */
export function readFixture<T>(area: string, file: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${area}/${file}`, import.meta.url)), 'utf8')) as T;
}
