import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gemm, gemmUsesWasm, releaseGemmMemory, setGemmWasm } from '../../src/kernels/gemm.js';

/** Naive float64 triple loop: the reference. */
function naive(m: number, n: number, k: number, a: Float32Array, ta: boolean, b: Float32Array, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}

function randomArray(len: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

const shape = fc.record({
  m: fc.integer({ min: 1, max: 37 }),
  n: fc.integer({ min: 1, max: 41 }),
  k: fc.integer({ min: 1, max: 300 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
  accumulate: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

describe.each([true, false])('gemm (wasm %s)', (useWasm) => {
  test.prop([shape], { numRuns: 60 })('equals the naive float64 product (and C + product when accumulating)', (s) => {
    setGemmWasm(useWasm);
    const a = randomArray(s.m * s.k, s.seed);
    const b = randomArray(s.k * s.n, s.seed + 1);
    const c0 = randomArray(s.m * s.n, s.seed + 2);
    const c = Float32Array.from(c0);
    gemm({ m: s.m, n: s.n, k: s.k, a, transA: s.transA, b, transB: s.transB, c, accumulate: s.accumulate });
    const ref = naive(s.m, s.n, s.k, a, s.transA, b, s.transB);
    for (let i = 0; i < ref.length; i++) {
      const want = ref[i]! + (s.accumulate ? c0[i]! : 0);
      expect(Math.abs(c[i]! - want)).toBeLessThan(1e-5 * Math.max(1, s.k / 16));
    }
    setGemmWasm(true);
  });
});

test('the WebAssembly SIMD kernel loads in Node 20', () => {
  expect(gemmUsesWasm()).toBe(true);
});

test('releaseGemmMemory frees the kernel memory and the next product still works', () => {
  const a = randomArray(64 * 64, 1);
  const c = new Float32Array(64 * 64);
  gemm({ m: 64, n: 64, k: 64, a, b: a, c });
  const first = Array.from(c);
  releaseGemmMemory();
  gemm({ m: 64, n: 64, k: 64, a, b: a, c });
  expect(Array.from(c)).toEqual(first);
});

// B rows 1 KB apart are copied with padded rows (L1 aliasing); k past one 256-step block and
// subarray operands exercise the block loop and the in-place reads.
test.prop([
  fc.record({
    m: fc.integer({ min: 1, max: 9 }),
    n: fc.constantFrom(256, 512),
    k: fc.integer({ min: 1, max: 600 }),
    transA: fc.boolean(),
    transB: fc.boolean(),
    accumulate: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  }),
], { numRuns: 12 })('equals the naive product at n = 256 / 512 and on subarray operands', (s) => {
  const a = randomArray(s.m * s.k + 5, s.seed).subarray(5);
  const b = randomArray(s.k * s.n + 3, s.seed + 1).subarray(3);
  const c0 = randomArray(s.m * s.n, s.seed + 2);
  const c = Float32Array.from(c0);
  gemm({ m: s.m, n: s.n, k: s.k, a, transA: s.transA, b, transB: s.transB, c, accumulate: s.accumulate });
  const ref = naive(s.m, s.n, s.k, a, s.transA, b, s.transB);
  for (let i = 0; i < ref.length; i++) {
    const want = ref[i]! + (s.accumulate ? c0[i]! : 0);
    expect(Math.abs(c[i]! - want)).toBeLessThan(1e-5 * Math.max(1, s.k / 16));
  }
});
