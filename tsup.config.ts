import { defineConfig } from 'tsup';

export const CAPABILITIES = ['layers', 'optim', 'losses', 'sampling', 'distill', 'data', 'metrics', 'models', 'train', 'pipeline'] as const;

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    register: 'src/register.ts',
    ...Object.fromEntries(CAPABILITIES.map((c) => [`${c}/index`, `src/${c}/index.ts`])),
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  // Shared chunks in both formats, so each class exists once whichever entries a user imports.
  splitting: true,
  shims: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // register is loaded through the package's own name, so it stays one module with the side effects.
  external: [/^@tensorflow\//, 'flowsentry/register'],
});
