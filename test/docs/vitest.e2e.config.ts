import { defineConfig } from 'vitest/config';

// The documentation site's browser test: not part of `npm test` (it needs Chromium and a built
// site). Run it with `node scripts/docs-e2e.mjs`.
export default defineConfig({
  test: {
    include: ['test/docs/**/*.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
