import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend.js';
import { gemm, gemmKernel, gemmUsesWasm, releaseGemmMemory, runParallel, setPoolThreshold, setRelaxedSimd, simdHeap } from '../../src/kernels/gemm.js';
import { currentPool, setPoolBackoff } from '../../src/kernels/pool.js';
import { relaxedSimdUsable, setRelaxedSimdWanted } from '../../src/kernels/relaxed-simd.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// Operands whose product shows whether a step is fused: a = 1 + 2^-12, a * a = 1 + 2^-11 + 2^-24
// exactly, which rounds to 1 + 2^-11 in float32 (a tie, to even). Added to c = -(1 + 2^-11), a
// fused multiply-add gives 2^-24; a multiply then an add gives 0. Every other step adds 0 * 0.
const A = 1 + 2 ** -12;
const C0 = -(1 + 2 ** -11);
const FUSED = 2 ** -24;

/** C (4 x 8, starting at C0) += A B with k = 64, A and B zero but A[i][0] = B[0][j] = a: 2048 multiply-adds, the SIMD kernel. */
function fusedProbe(): Float32Array {
  const m = 4;
  const n = 8;
  const k = 64;
  const a = new Float32Array(m * k);
  for (let i = 0; i < m; i++) a[i * k] = A;
  const b = new Float32Array(k * n);
  b.fill(A, 0, n);
  const c = new Float32Array(m * n).fill(C0);
  gemm({ m, n, k, a, b, c, accumulate: true });
  return c;
}

/**
 * What relaxed_madd gives on the probe here: V8 emits a fused multiply-add where the CPU has one
 * (x64 with FMA3, every arm64); an x64 CPU without FMA3 runs it as a multiply then an add. Read
 * from /proc/cpuinfo on Linux x64; elsewhere on x64 (no cpuinfo) either result, one for all entries.
 */
function relaxedResult(): number | null {
  if (process.arch === 'arm64') return FUSED;
  if (process.arch !== 'x64' || !existsSync('/proc/cpuinfo')) return null;
  return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8')) ? FUSED : 0;
}

/** Every entry of a relaxed build's probe is the fused value (or, where unknown, one of the two). */
function expectRelaxedProbe(values: ArrayLike<number>): void {
  const want = relaxedResult() ?? (values[0] === 0 ? 0 : FUSED);
  expect(Array.from(values)).toEqual(new Array(values.length).fill(want));
}

/** What this runtime does by default: relaxed SIMD unless FLOWSENTRY_RELAXED_SIMD=0. */
const envOptOut = process.env['FLOWSENTRY_RELAXED_SIMD'] === '0';

afterAll(() => {
  setRelaxedSimdWanted(undefined);
  releaseGemmMemory();
});

describe('relaxed SIMD in the product kernel', () => {
  it('is chosen on Node 20 (V8 flag turned on at run time) unless FLOWSENTRY_RELAXED_SIMD=0, and then fuses each step', () => {
    setRelaxedSimdWanted(undefined);
    releaseGemmMemory();
    expect(gemmUsesWasm()).toBe(true);
    expect(gemmKernel()).toBe(envOptOut ? 'wasm-simd' : 'wasm-relaxed-simd');
    if (envOptOut) expect(Array.from(fusedProbe())).toEqual(new Array(32).fill(0));
    else expectRelaxedProbe(fusedProbe());
  });

  it('setRelaxedSimd(false) switches to the multiply-then-add build (bit-equal to it), true back', () => {
    setRelaxedSimd(false);
    expect(gemmKernel()).toBe('wasm-simd');
    expect(Array.from(fusedProbe())).toEqual(new Array(32).fill(0));
    setRelaxedSimd(true);
    expect(gemmKernel()).toBe('wasm-relaxed-simd');
    expectRelaxedProbe(fusedProbe());
    // Asking again for the kernel already loaded keeps the module (and its memory).
    const before = simdHeap(16)!.w;
    setRelaxedSimd(true);
    expect(simdHeap(16)!.w).toBe(before);
  });

  it('FLOWSENTRY_RELAXED_SIMD=0 in the environment opts out when no setter overrides it', () => {
    const saved = process.env['FLOWSENTRY_RELAXED_SIMD'];
    try {
      process.env['FLOWSENTRY_RELAXED_SIMD'] = '0';
      setRelaxedSimdWanted(undefined);
      releaseGemmMemory();
      expect(gemmKernel()).toBe('wasm-simd');
      process.env['FLOWSENTRY_RELAXED_SIMD'] = '1';
      releaseGemmMemory();
      expect(gemmKernel()).toBe('wasm-relaxed-simd');
    } finally {
      if (saved === undefined) delete process.env['FLOWSENTRY_RELAXED_SIMD'];
      else process.env['FLOWSENTRY_RELAXED_SIMD'] = saved;
      setRelaxedSimdWanted(undefined);
      releaseGemmMemory();
    }
  });

  it('a module the runtime rejects (and cannot be made to accept) is reported unusable, not thrown', () => {
    expect(relaxedSimdUsable(() => false, new Uint8Array(8))).toBe(false);
    expect(
      relaxedSimdUsable(() => {
        throw new Error('no');
      }, new Uint8Array(8)),
    ).toBe(false);
  });

  it('the worker thread compiles the same build: every row tile of a split job is fused', async () => {
    setRelaxedSimd(true);
    setPoolThreshold(0);
    setPoolBackoff(false);
    try {
      // Chunk 0, taken first by the calling thread, is a long product (about 5 ms) elsewhere in
      // memory; meanwhile the worker takes the probe's row tiles, one chunk each.
      const bigK = 2048;
      const big = 256;
      const probeRows = 32;
      const k = 64;
      const floats = big * bigK * 2 + big * big + probeRows * k + k * 8 + probeRows * 8 + 64;
      const heap = simdHeap(floats);
      expect(heap).not.toBeNull();
      const { w } = heap!;
      const bigA = 0;
      const bigB = bigA + big * bigK;
      const bigC = bigB + bigK * big;
      const pa = bigC + big * big;
      const pb = pa + probeRows * k;
      const pc = pb + k * 8;
      const fill = () => {
        const h = simdHeap(floats)!.h;
        h.fill(0, 0, pc + probeRows * 8);
        for (let i = 0; i < probeRows; i++) h[pa + i * k] = A;
        h.fill(A, pb, pb + 8);
        h.fill(C0, pc, pc + probeRows * 8);
      };
      const chunks = [[bigA * 4, bigK * 4, 4, bigB * 4, big * 4, bigC * 4, big * 4, 0, big / 4, big / 8, bigK, 0]];
      for (let t = 0; t < probeRows / 4; t++) chunks.push([pa * 4, k * 4, 4, pb * 4, 32, pc * 4, 32, t, t + 1, 1, k, 1]);
      // Start the worker and wait until it is ready to take chunks.
      fill();
      runParallel(w, 'gemmRows', chunks, 1 << 30);
      for (let i = 0; i < 200 && (currentPool() === null || Atomics.load(currentPool()!.ctrl, 3) !== 1); i++) await new Promise((r) => setTimeout(r, 10));
      expect(currentPool()).not.toBeNull();
      for (let rep = 0; rep < 5; rep++) {
        fill();
        runParallel(w, 'gemmRows', chunks, 1 << 30);
        const h = simdHeap(floats)!.h;
        expectRelaxedProbe(h.subarray(pc, pc + probeRows * 8));
      }
    } finally {
      setPoolThreshold(1 << 21);
      setPoolBackoff(true);
    }
  });

  it("selectBackend's report names the product kernel", async () => {
    await expectNoLeaks(async () => {
      setRelaxedSimd(true);
      const relaxed = await selectBackend({ prefer: 'cpu', load: () => undefined });
      expect(relaxed.kernel).toBe('wasm-relaxed-simd');
      expect(relaxed.reason).toMatch(/relaxed SIMD \(fused multiply-add\)/);
      setRelaxedSimd(false);
      const plain = await selectBackend({ prefer: 'cpu', load: () => undefined });
      expect(plain.kernel).toBe('wasm-simd');
      expect(plain.reason).toMatch(/WebAssembly SIMD \(multiply then add\)/);
      expect(tf.getBackend()).toBe('cpu');
      setRelaxedSimdWanted(undefined);
    });
  });
});
