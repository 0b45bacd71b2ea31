import { afterAll, describe, expect, it } from 'vitest';
import { gemm, kernelWorkerEnabled, setKernelWorker } from '../../src/index.js';
import { parallelThreads } from '../../src/kernels/gemm.js';

afterAll(() => setKernelWorker(true));

describe('setKernelWorker (public switch of the kernels worker thread)', () => {
  it('off: one thread and the same products; on again: two threads where supported', () => {
    const m = 96;
    const a = Float32Array.from({ length: m * m }, (_, i) => ((i * 7919) % 13) - 6);
    const b = Float32Array.from({ length: m * m }, (_, i) => ((i * 104729) % 11) - 5);
    // Reference: a plain triple loop (tf.matMul would run the same gemm on this backend). The
    // entries are small integers, so every sum is exact in float32 and must match bit for bit.
    const expected = new Float32Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
      let acc = 0;
      for (let p = 0; p < m; p++) acc += a[i * m + p]! * b[p * m + j]!;
      expected[i * m + j] = acc;
    }
    setKernelWorker(false);
    expect(kernelWorkerEnabled()).toBe(false);
    expect(parallelThreads()).toBe(1);
    const c1 = new Float32Array(m * m);
    gemm({ m, n: m, k: m, a, b, c: c1 });
    expect(Array.from(c1)).toEqual(Array.from(expected));
    setKernelWorker(true);
    expect(kernelWorkerEnabled()).toBe(true);
    expect(parallelThreads()).toBe(2);
  });
});
