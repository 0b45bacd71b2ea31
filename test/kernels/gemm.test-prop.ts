import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gemm, gemmInHeap, gemmUsesWasm, poolThreshold, releaseGemmMemory, setGemmWasm, setPoolThreshold, simdHeap } from '../../src/kernels/gemm.js';
import { currentPool } from '../../src/kernels/pool.js';

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

/** Equal as float32 values, NaN equal to NaN (the payload is not compared), -0 apart from +0. */
function sameValues(got: Float32Array, want: Float32Array): boolean {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i]) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) return false;
  return true;
}

// The product's epilogue (bias, relu on each finished tile) against the product then the module's
// biasActivation pass, which the fused ops ran before: the same float32 values, including with k
// past one 256-step block (the epilogue must wait for the last), -0 and NaN entries, and products
// split across the worker (the pool threshold lowered so each case is split).
test.prop([
  fc.record({
    m: fc.integer({ min: 1, max: 90 }),
    n8: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 16, max: 20 })), // past 16 panels: a second column block
    k: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 250, max: 700 })),
    bias: fc.boolean(),
    relu: fc.boolean(),
    special: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  }),
], { numRuns: 40 })('gemmInHeap with an epilogue equals the product then biasActivation, on one thread and split with the worker', async (s) => {
  const n = s.n8 * 8;
  const { m, k } = s;
  const mp = (m + 3) & ~3;
  const aOff = 0;
  const bOff = aOff + (mp + 4) * k + 16;
  const biasOff = bOff + k * n + 16;
  const c1 = biasOff + n + 16;
  const c2 = c1 + (mp + 4) * n;
  const a = randomArray(m * k, s.seed);
  if (s.special) for (let i = 0; i < a.length; i += 97) a[i] = i % 2 === 0 ? Number.NaN : 0;
  const b = randomArray(k * n, s.seed + 1);
  if (s.special) b.fill(0, 0, Math.min(b.length, n)); // a first row of zeros: -0 products where a is negative
  const bias = randomArray(n, s.seed + 2);
  const run = () => {
    const { w, h } = simdHeap(c2 + (mp + 4) * n)!;
    h.set(a, aOff);
    h.fill(0, aOff + m * k, bOff);
    h.set(b, bOff);
    h.fill(0, biasOff, biasOff + n);
    if (s.bias) h.set(bias, biasOff);
    gemmInHeap(w, m, n, k, aOff * 4, k * 4, 4, bOff * 4, n * 4, c1 * 4, n * 4, false);
    if (s.bias || s.relu) w.biasActivation(c1 * 4, biasOff * 4, m, n, s.relu ? 1 : 0);
    gemmInHeap(w, m, n, k, aOff * 4, k * 4, 4, bOff * 4, n * 4, c2 * 4, n * 4, false, { bias: s.bias ? biasOff * 4 : null, relu: s.relu });
    return [h.slice(c1, c1 + m * n), h.slice(c2, c2 + m * n)] as const;
  };
  const [want, got] = run();
  expect(sameValues(got, want)).toBe(true);
  const threshold = poolThreshold();
  setPoolThreshold(1);
  try {
    // The worker starts with the first split product; wait until it takes chunks.
    run();
    for (let i = 0; i < 200 && (currentPool() === null || Atomics.load(currentPool()!.ctrl, 3) !== 1); i++) await new Promise((r) => setTimeout(r, 10));
    const [wantSplit, gotSplit] = run();
    expect(sameValues(gotSplit, wantSplit)).toBe(true);
    expect(sameValues(gotSplit, want)).toBe(true);
  } finally {
    setPoolThreshold(threshold);
  }
});

test.prop([fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 })], { numRuns: 60 })(
  "the module's transpose moves every entry of a [rows, cols] matrix to [cols, rows] and writes nothing past it",
  (rows, cols) => {
    const n = rows * cols;
    const { w, h } = simdHeap(2 * n + 8)!;
    for (let i = 0; i < n; i++) h[i] = i + 0.5;
    h.fill(-1, n, 2 * n + 8);
    w.transpose(0, n * 4, rows, cols);
    const want = new Float32Array(n);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) want[j * rows + i] = i * cols + j + 0.5;
    expect(Array.from(h.subarray(n, 2 * n))).toEqual(Array.from(want));
    expect(Array.from(h.subarray(2 * n, 2 * n + 8))).toEqual(new Array(8).fill(-1));
  },
);
