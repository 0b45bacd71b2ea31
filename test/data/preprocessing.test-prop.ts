import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { MinMaxScaler, StandardScaler, splitIndices } from '../../src/data/index.js';

describe('scalers', () => {
  const matrixArb = fc.integer({ min: 1, max: 5 }).chain((cols) =>
    fc.array(fc.array(fc.float({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: cols, maxLength: cols }), { minLength: 2, maxLength: 30 }),
  );

  describe('scaler properties', () => {
    test.prop([matrixArb])('MinMaxScaler maps the training data into [0, 1] with each non-constant column touching 0 and 1', (x) => {
      const out = new MinMaxScaler().fitTransform(x);
      const cols = out.cols;
      for (let j = 0; j < cols; j++) {
        const col = x.map((r) => r[j] as number);
        const t = Array.from({ length: out.rows }, (_, i) => out.data[i * cols + j] as number);
        for (const v of t) {
          expect(v).toBeGreaterThanOrEqual(-1e-6);
          expect(v).toBeLessThanOrEqual(1 + 1e-6);
        }
        if (Math.max(...col) > Math.min(...col)) {
          expect(Math.min(...t)).toBeCloseTo(0, 5);
          expect(Math.max(...t)).toBeCloseTo(1, 5);
        }
      }
    });
    test.prop([matrixArb])('StandardScaler gives zero mean per column on the training data', (x) => {
      const out = new StandardScaler().fitTransform(x);
      for (let j = 0; j < out.cols; j++) {
        let s = 0;
        for (let i = 0; i < out.rows; i++) s += out.data[i * out.cols + j] as number;
        expect(Math.abs(s / out.rows)).toBeLessThan(1e-3);
      }
    });
  });
});

describe('split', () => {
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
});
