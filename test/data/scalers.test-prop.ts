import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { MinMaxScaler, StandardScaler } from '../../src/data/index.js';

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
