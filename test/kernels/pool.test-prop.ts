import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gemm, parallelThreads, runParallel, setPoolThreshold, simdHeap } from '../../src/kernels/gemm.js';
import { gruSequenceFused } from '../../src/kernels/gru.js';
import { currentPool, poolSupported, setPoolBackoff, setPoolEnabled } from '../../src/kernels/pool.js';
import { lstmSequenceFused } from '../../src/kernels/lstm.js';
import { gruSequenceReference, lstmSequenceReference } from '../../src/kernels/recurrent-reference.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// Every job goes to the worker pool here (threshold 0), so the split paths run on small shapes.
// No backoff either: a loaded machine must not move the jobs back to one thread during the tests.
beforeAll(() => {
  setPoolThreshold(0);
  setPoolBackoff(false);
});
afterAll(() => {
  setPoolThreshold(1 << 21);
  setPoolBackoff(true);
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('worker pool', () => {
  it('runs on Node 20 with worker_threads (two threads)', () => {
    expect(poolSupported()).toBe(true);
    expect(parallelThreads()).toBe(2);
  });

  it('setPoolEnabled(false) keeps every product on the calling thread; true brings the worker back', () => {
    setPoolEnabled(false);
    expect(parallelThreads()).toBe(1);
    const m = 64;
    const a = new Float32Array(m * m).fill(1);
    const c = new Float32Array(m * m);
    gemm({ m, n: m, k: m, a, b: a, c });
    expect(currentPool()).toBeNull();
    expect(c.every((v) => v === m)).toBe(true);
    setPoolEnabled(true);
    expect(parallelThreads()).toBe(2);
    gemm({ m, n: m, k: m, a, b: a, c });
    expect(currentPool()).not.toBeNull();
    expect(c.every((v) => v === m)).toBe(true);
  });

  test.prop([fc.record({ m: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 1, max: 300 }), seed: fc.integer({ min: 1, max: 1e6 }) })], { numRuns: 30 })(
    'a product split by row tiles across the threads equals the float64 product',
    ({ m, n, k, seed }) => {
      const rnd = (len: number, s0: number) => Float32Array.from({ length: len }, (_, i) => Math.sin(s0 + i * 12.9898) * 0.5);
      const a = rnd(m * k, seed);
      const b = rnd(k * n, seed + 7);
      const c = new Float32Array(m * n);
      gemm({ m, n, k, a, b, c });
      let worst = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
          worst = Math.max(worst, Math.abs(s - c[i * n + j]!));
        }
      expect(worst).toBeLessThan(1e-4 * Math.max(1, Math.sqrt(k)));
      if (m * n * k >= 2048) expect(currentPool()).not.toBeNull();
    },
  );

  const dims = fc.record({
    batch: fc.integer({ min: 5, max: 41 }),
    time: fc.integer({ min: 1, max: 5 }),
    features: fc.integer({ min: 1, max: 9 }),
    units: fc.constantFrom(8, 16, 24),
    goBackwards: fc.boolean(),
    withState: fc.boolean(),
    seed: fc.integer({ min: 0, max: 1e6 }),
  });

  test.prop([dims], { numRuns: 15 })('the GRU split by batch chunks across the threads equals the reference: outputs 1e-5, gradients 1e-4', (d) => {
    const { batch: B, time: T, features: F, units: U, seed } = d;
    const inputs = [
      tf.randomNormal([B, T, F], 0, 1, 'float32', seed),
      tf.randomNormal([F, 3 * U], 0, 0.6, 'float32', seed + 1),
      tf.randomNormal([U, 3 * U], 0, 0.6, 'float32', seed + 2),
      tf.randomNormal([3 * U], 0, 0.5, 'float32', seed + 3),
      tf.randomNormal([3 * U], 0, 0.5, 'float32', seed + 4),
    ];
    if (d.withState) inputs.push(tf.randomNormal([B, U], 0, 0.5, 'float32', seed + 5));
    const weights = tf.randomNormal([B, T, U], 0, 1, 'float32', seed + 9);
    const run = (fn: typeof gruSequenceFused) => (...t: tf.Tensor[]) =>
      fn({
        x: t[0] as tf.Tensor3D,
        kernel: t[1] as tf.Tensor2D,
        recurrentKernel: t[2] as tf.Tensor2D,
        inputBias: t[3] as tf.Tensor1D,
        recurrentBias: t[4] as tf.Tensor1D,
        goBackwards: d.goBackwards,
        ...(t[5] !== undefined ? { initialState: t[5] as tf.Tensor2D } : {}),
      });
    const grads = (fn: typeof gruSequenceFused) => tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(run(fn)(...t), weights)))(inputs);
    const yF = run(gruSequenceFused)(...inputs);
    const yR = run(gruSequenceReference)(...inputs);
    expect(maxAbsDiff(yF, yR)).toBeLessThan(1e-5);
    const gF = grads(gruSequenceFused);
    const gR = grads(gruSequenceReference);
    gF.forEach((g, i) => expect(maxAbsDiff(g, gR[i]!)).toBeLessThan(1e-4));
    expect(currentPool()).not.toBeNull();
    tf.dispose([...inputs, weights, yF, yR, ...gF, ...gR]);
  });

  test.prop([dims], { numRuns: 15 })('the LSTM split by batch chunks across the threads equals the reference: outputs 1e-5, gradients 1e-4', (d) => {
    const { batch: B, time: T, features: F, units: U, seed } = d;
    const inputs = [
      tf.randomNormal([B, T, F], 0, 1, 'float32', seed),
      tf.randomNormal([F, 4 * U], 0, 0.6, 'float32', seed + 1),
      tf.randomNormal([U, 4 * U], 0, 0.6, 'float32', seed + 2),
      tf.randomNormal([4 * U], 0, 0.5, 'float32', seed + 3),
    ];
    if (d.withState) inputs.push(tf.randomNormal([B, U], 0, 0.5, 'float32', seed + 5), tf.randomNormal([B, U], 0, 0.5, 'float32', seed + 6));
    const weights = tf.randomNormal([B, T, U], 0, 1, 'float32', seed + 9);
    const run = (fn: typeof lstmSequenceFused) => (...t: tf.Tensor[]) =>
      fn({
        x: t[0] as tf.Tensor3D,
        kernel: t[1] as tf.Tensor2D,
        recurrentKernel: t[2] as tf.Tensor2D,
        bias: t[3] as tf.Tensor1D,
        goBackwards: d.goBackwards,
        ...(t[4] !== undefined ? { initialState: { h: t[4] as tf.Tensor2D, c: t[5] as tf.Tensor2D } } : {}),
      });
    const grads = (fn: typeof lstmSequenceFused) => tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(run(fn)(...t), weights)))(inputs);
    const yF = run(lstmSequenceFused)(...inputs);
    const yR = run(lstmSequenceReference)(...inputs);
    expect(maxAbsDiff(yF, yR)).toBeLessThan(1e-5);
    const gF = grads(lstmSequenceFused);
    const gR = grads(lstmSequenceReference);
    expect(gF.length).toBe(inputs.length);
    gF.forEach((g, i) => expect(maxAbsDiff(g, gR[i]!)).toBeLessThan(1e-4));
    tf.dispose([...inputs, weights, yF, yR, ...gF, ...gR]);
  });

  it('the split GRU leaves no tensor behind', async () => {
    const x = tf.randomNormal([33, 4, 5], 0, 1, 'float32', 1) as tf.Tensor3D;
    const w = [tf.randomNormal([5, 24]), tf.randomNormal([8, 24]), tf.zeros([24]), tf.zeros([24])];
    await expectNoLeaks(() => {
      const f = (...t: tf.Tensor[]) =>
        tf.sum(gruSequenceFused({ x: t[0] as tf.Tensor3D, kernel: t[1] as tf.Tensor2D, recurrentKernel: t[2] as tf.Tensor2D, inputBias: t[3] as tf.Tensor1D, recurrentBias: t[4] as tf.Tensor1D }));
      tf.dispose(tf.grads(f)([x, ...w]));
      tf.dispose(tf.tidy(() => f(x, ...w)));
    });
    tf.dispose([x, ...w]);
  });

  it('a process that used the pool exits by itself (and one that enabled the pool only after its first product gets it)', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const code = `import { gemm, setPoolThreshold } from './src/kernels/gemm.ts';
import { currentPool, setPoolEnabled } from './src/kernels/pool.ts';
setPoolThreshold(0);
const m = 64, n = 64, k = 64;
// Disabled before the module loads, enabled afterwards: the worker still starts.
setPoolEnabled(false);
gemm({ m, n, k, a: new Float32Array(m * k).fill(1), b: new Float32Array(k * n).fill(1), c: new Float32Array(m * n) });
setPoolEnabled(true);
gemm({ m, n, k, a: new Float32Array(m * k).fill(1), b: new Float32Array(k * n).fill(1), c: new Float32Array(m * n) });
console.log(currentPool() !== null ? 'pool' : 'no pool');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('pool');
  });

  // Last in this file: a failure retires the worker for the rest of the process.
  it('a chunk that traps (out-of-bounds memory) is an error, not a hang, and later products still run', () => {
    const s = simdHeap(1024)!;
    const bad = 0x7fff0000; // far past the module's memory
    const chunk = (c: number) => [c, 64, 4, 0, 32, c, 32, 0, 1, 1, 16, 0];
    expect(() => runParallel(s.w, 'gemmRows', [chunk(0), chunk(bad), chunk(0), chunk(bad)], 1 << 30)).toThrow();
    const c = new Float32Array(64 * 64);
    gemm({ m: 64, n: 64, k: 64, a: new Float32Array(64 * 64).fill(1), b: new Float32Array(64 * 64).fill(2), c });
    expect(c.every((v) => v === 128)).toBe(true);
  });
});
