import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm pack contents', () => {
  test('contain no documentation build, guides, browser example or examples', () => {
    // --ignore-scripts: list what "files" selects without running any pack hooks.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
    expect(files).toContain('package.json');
    const leaked = files.filter((f) => /^(docs|examples|scripts|test|typedoc\.json)(\/|$)/.test(f));
    expect(leaked).toEqual([]);
  });
});
