import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { columnSumsSimd, simdActivation } from '../../src/kernels/gates.js';

const sigmoid64 = (v: number) => 1 / (1 + Math.exp(-v));

/** Relative error against the float64 Math.* value, with an absolute floor below f32's normal range. */
function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-30);
}

const xs = fc.float32Array({ minLength: 1, maxLength: 67, noNaN: true, noDefaultInfinity: true, min: -80, max: 80 });

test.prop([xs], { numRuns: 200 })('SIMD sigmoid equals 1 / (1 + Math.exp(-x)) to 1e-6 relative on [-80, 80]', (x) => {
  const got = simdActivation('sigmoid', x)!;
  for (let i = 0; i < x.length; i++) expect(relErr(got[i]!, sigmoid64(x[i]!))).toBeLessThan(1e-6);
});

test.prop([xs], { numRuns: 200 })('SIMD tanh equals Math.tanh to 1e-6 relative (odd, exact sign, small |x| included)', (x) => {
  const got = simdActivation('tanh', x)!;
  for (let i = 0; i < x.length; i++) {
    const want = Math.tanh(x[i]!);
    // float32 cannot hold tanh(x) for |x| below the smallest normal with a relative error bound.
    if (Math.abs(want) < 1e-37) expect(Math.abs(got[i]!)).toBeLessThan(1e-37);
    else expect(relErr(got[i]!, want)).toBeLessThan(1e-6);
  }
});

test('dense grid: max relative error of sigmoid and tanh on [-20, 20] step 1e-3, and saturation beyond', () => {
  const x = new Float32Array(40001).map((_, i) => -20 + i * 1e-3);
  const s = simdActivation('sigmoid', x)!;
  const t = simdActivation('tanh', x)!;
  let es = 0;
  let et = 0;
  for (let i = 0; i < x.length; i++) {
    es = Math.max(es, relErr(s[i]!, sigmoid64(x[i]!)));
    if (x[i] !== 0) et = Math.max(et, relErr(t[i]!, Math.tanh(x[i]!)));
  }
  // Measured maxima: sigmoid 1.5e-7, tanh 2.9e-7 (fused multiply-adds) / 3.4e-7 (separate).
  expect(es).toBeLessThan(3e-7);
  expect(et).toBeLessThan(5e-7);
  const big = simdActivation('tanh', Float32Array.from([200, -200, 1e30, -1e30]))!;
  expect(Array.from(big)).toEqual([1, -1, 1, -1]);
  const sb = simdActivation('sigmoid', Float32Array.from([200, -200, 0]))!;
  expect(sb[0]).toBe(1);
  expect(sb[1]).toBeLessThan(1e-37);
  expect(sb[2]).toBe(0.5);
});

test.prop([fc.integer({ min: 1, max: 400 }), fc.constantFrom(4, 8, 32, 192), fc.integer({ min: 1, max: 1e6 })], { numRuns: 30 })(
  'SIMD column sums equal float64 column sums (within float32 accumulation error)',
  (rows, m, seed) => {
    const x = new Float32Array(rows * m);
    let s = seed;
    for (let i = 0; i < x.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x[i] = s / 2 ** 32 - 0.5;
    }
    const got = columnSumsSimd(x, rows, m);
    if (rows * m < 1024) {
      expect(got).toBeNull();
      return;
    }
    for (let j = 0; j < m; j++) {
      let want = 0;
      let abs = 0;
      for (let r = 0; r < rows; r++) {
        want += x[r * m + j]!;
        abs += Math.abs(x[r * m + j]!);
      }
      expect(Math.abs(got![j]! - want)).toBeLessThanOrEqual(abs * rows * 2 ** -24 + 1e-30);
    }
  },
);
