import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { splitIndices } from '../../src/data/index.js';

const labelsArb = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 2, maxLength: 200 });

describe('splitIndices properties', () => {
  test.prop([labelsArb, fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer()])(
    'partition: every row exactly once, test size ceil(testSize * n), per class floor/ceil of its share',
    (labels, testSize, seed) => {
      const nTest = Math.ceil(testSize * labels.length);
      fc.pre(nTest < labels.length);
      const { train, test: t } = splitIndices(labels, { testSize, seed });
      expect(t.length).toBe(nTest);
      const seen = new Uint8Array(labels.length);
      for (const i of [...train, ...t]) seen[i] = (seen[i] as number) + 1;
      expect(seen.every((v) => v === 1)).toBe(true);
      const share = nTest / labels.length;
      for (const c of new Set(labels)) {
        const n = labels.filter((l) => l === c).length;
        const k = Array.from(t).filter((i) => labels[i] === c).length;
        expect(k).toBeGreaterThanOrEqual(Math.floor(n * share));
        expect(k).toBeLessThanOrEqual(Math.ceil(n * share));
      }
    },
  );
});
