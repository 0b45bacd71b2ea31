import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Naive float64 batched product with tfjs's broadcast of leading batch dims (equal or 1). */
function naiveBatch(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): number[] {
  const av = a.dataSync();
  const bv = b.dataSync();
  const [ba, r1, c1] = a.shape as [number, number, number];
  const [bb, r2, c2] = b.shape as [number, number, number];
  const m = ta ? c1 : r1;
  const k = ta ? r1 : c1;
  const n = tb ? r2 : c2;
  const batch = Math.max(ba, bb);
  const out: number[] = [];
  for (let i = 0; i < batch; i++)
    for (let r = 0; r < m; r++)
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const x = av[(i % ba) * r1 * c1 + (ta ? p * c1 + r : r * c1 + p)]!;
          const y = bv[(i % bb) * r2 * c2 + (tb ? c * c2 + p : p * c2 + c)]!;
          s += x * y;
        }
        out.push(s);
      }
  return out;
}

const dims = fc.record({
  batchA: fc.constantFrom(1, 3),
  batchB: fc.constantFrom(1, 3),
  m: fc.integer({ min: 1, max: 20 }),
  n: fc.integer({ min: 1, max: 20 }),
  k: fc.integer({ min: 1, max: 70 }),
  ta: fc.boolean(),
  tb: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

test.prop([dims], { numRuns: 40 })('tf.matMul on the cpu override equals a naive float64 product (broadcast batch, transposes)', async (d) => {
  const a = tf.randomNormal(d.ta ? [d.batchA, d.k, d.m] : [d.batchA, d.m, d.k], 0, 1, 'float32', d.seed);
  const b = tf.randomNormal(d.tb ? [d.batchB, d.n, d.k] : [d.batchB, d.k, d.n], 0, 1, 'float32', d.seed + 1);
  const got = await expectNoLeaks(() => {
    const c = tf.matMul(a, b, d.ta, d.tb);
    const v = Array.from(c.dataSync());
    c.dispose();
    return v;
  });
  expect(maxAbsDiff(got, naiveBatch(a, b, d.ta, d.tb))).toBeLessThan(1e-4);
  tf.dispose([a, b]);
});

test.prop([fc.constantFrom('linear', 'relu', 'sigmoid', 'elu', 'relu6', 'leakyrelu'), fc.boolean()], { numRuns: 12 })(
  'fused matMul (bias, activation) equals stock tfjs, and its gradients too',
  async (activation, withBias) => {
    const a = tf.randomNormal([17, 23], 0, 1, 'float32', 1) as tf.Tensor2D;
    const b = tf.randomNormal([23, 11], 0, 1, 'float32', 2) as tf.Tensor2D;
    const bias = tf.randomNormal([11], 0, 1, 'float32', 3);
    const run = () =>
      tf.tidy(() => {
        const f = (x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: y as tf.Tensor2D, ...(withBias ? { bias } : {}), activation: activation as tf.fused.Activation }));
        const [ga, gb] = tf.grads(f)([a, b]);
        return [f(a, b), ga!, gb!].map((t) => Array.from(t.dataSync()));
      });
    const ours = await expectNoLeaks(run);
    setFlowsentryKernels(false);
    const stock = run();
    setFlowsentryKernels(true);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(ours[i]!, stock[i]!)).toBeLessThan(1e-3);
    tf.dispose([a, b, bias]);
  },
);

test('the cpu BatchMatMul and _FusedMatMul registered at import are flowsentry\'s', async () => {
  const { MATMUL_KERNELS } = await import('../../src/kernels/matmul.js');
  for (const k of MATMUL_KERNELS) expect(tf.getKernel(k.kernelName, 'cpu')?.kernelFunc).toBe(k.kernelFunc);
});
