import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const cases = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  h: fc.integer({ min: 1, max: 5 }),
  w: fc.integer({ min: 1, max: 12 }),
  c: fc.integer({ min: 1, max: 9 }),
  fh: fc.integer({ min: 1, max: 3 }),
  fw: fc.integer({ min: 1, max: 3 }),
  sh: fc.integer({ min: 1, max: 3 }),
  sw: fc.integer({ min: 1, max: 3 }),
  pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
  // Few distinct values: ties inside windows; some NaN, -0 and -Infinity entries.
  values: fc.constantFrom('ties', 'spread', 'special'),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type Case = typeof cases extends fc.Arbitrary<infer C> ? C : never;

function input(k: Case): tf.Tensor4D {
  const size = k.n * k.h * k.w * k.c;
  let s = k.seed + 1;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = next();
    if (k.values === 'ties') v[i] = Math.floor(u * 3) - 1;
    else if (k.values === 'spread') v[i] = u * 4 - 2;
    else v[i] = u < 0.15 ? Number.NaN : u < 0.25 ? -0 : u < 0.35 ? Number.NEGATIVE_INFINITY : Math.floor(u * 4) - 2;
  }
  return tf.tensor4d(v, [k.n, k.h, k.w, k.c]);
}

/**
 * maxPool's value and the gradient of sum(maxPool(x) * r) with respect to x, as arrays (r: fixed
 * weights, one per output), or the error's message when tfjs rejects the geometry.
 */
function run(k: Case, x: tf.Tensor4D): { y: number[]; dx: number[] } | string {
  try {
    return tf.tidy(() => {
      const pool = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, [k.fh, k.fw], [k.sh, k.sw], k.pad);
      const y = pool(x);
      const r = tf.tensor(Array.from({ length: y.size }, (_, i) => ((i * 7919 + k.seed) % 13) / 4 - 1.5), y.shape);
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t), r)))(x);
      return { y: Array.from(y.dataSync()), dx: Array.from(dx.dataSync()) };
    });
  } catch (e) {
    return String(e);
  }
}

test.prop([cases], { numRuns: 150 })(
  'MaxPool and MaxPoolGrad equal the stock cpu kernels exactly (ties, NaN, -0, -Infinity, overlapping windows, padding)',
  (k) => {
    const x = input(k);
    const ours = run(k, x);
    setFlowsentryKernels(false);
    const stock = run(k, x);
    setFlowsentryKernels(true);
    if (typeof stock === 'string' || typeof ours === 'string') {
      expect(ours).toEqual(stock); // a window wider than a 'valid' input: the same error
    } else {
      // Object.is per entry: NaN equal to NaN, -0 apart from +0.
      expect(ours.y.map((v, i) => Object.is(v, stock.y[i]))).not.toContain(false);
      expect(ours.dx.map((v, i) => Object.is(v, stock.dx[i]))).not.toContain(false);
    }
    x.dispose();
  },
);

it('leaves no tensor behind, forward and gradient', async () => {
  const x = tf.randomNormal([4, 1, 78, 32], 0, 1, 'float32', 3) as tf.Tensor4D;
  await expectNoLeaks(() => tf.dispose(tf.maxPool(x, [1, 2], [1, 2], 'valid')));
  await expectNoLeaks(() => tf.dispose(tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, [1, 2], [1, 2], 'valid')))(x)));
  x.dispose();
});
