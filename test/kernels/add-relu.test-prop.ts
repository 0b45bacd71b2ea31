import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { addRelu } from '../../src/kernels/add-relu.js';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// Sizes on both sides of the SIMD threshold (1024 elements), odd ones included.
const shapes = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 40 })),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 300 })),
);

function values(n: number, seed: number): Float32Array {
  const v = Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 12.9898) * 3);
  // A few exact opposites, NaN and -0, so the sum hits 0, -0 and NaN.
  if (n > 3) {
    v[0] = Number.NaN;
    v[1] = -0;
  }
  return v;
}

test.prop([shapes, fc.integer({ min: 0, max: 1e6 })], { numRuns: 80 })(
  'addRelu equals relu(a + b) of the separate kernels, of the stock kernels and of a float32 loop, exactly',
  async (shape, seed) => {
    const n = shape.reduce((p, d) => p * d, 1);
    const av = values(n, seed);
    const bv = values(n, seed + 1);
    if (n > 3) bv[2] = -(av[2] as number);
    const a = tf.tensor(av, shape);
    const b = tf.tensor(bv, shape);
    const read = (f: () => tf.Tensor) => {
      const t = tf.tidy(f);
      const v = Array.from(t.dataSync());
      t.dispose();
      return v;
    };
    const [got, separate] = await expectNoLeaks(() => [read(() => addRelu(a, b)), read(() => tf.relu(tf.add(a, b)))]);
    setFlowsentryKernels(false);
    const stock = read(() => tf.relu(tf.add(a, b)));
    setFlowsentryKernels(true);
    const loop = Array.from(av, (x, i) => Math.max(0, Math.fround(x + (bv[i] as number))));
    expect(got).toEqual(separate);
    expect(got).toEqual(stock);
    expect(got).toEqual(loop);
    tf.dispose([a, b]);
  },
);

test('while gradients are recorded addRelu is the composition: the same gradients of both inputs', async () => {
  const a = tf.randomNormal([4, 3, 130], 0, 1, 'float32', 1);
  const b = tf.randomNormal([4, 3, 130], 0, 1, 'float32', 2);
  const r = tf.randomNormal([4, 3, 130], 0, 1, 'float32', 3);
  const grads = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) =>
    expectNoLeaks(() => {
      const gs = tf.tidy(() => tf.grads((x, y) => tf.sum(tf.mul(f(x!, y!), r)))([a, b]));
      const v = gs.map((g) => Array.from(g.dataSync()));
      tf.dispose(gs);
      return v;
    });
  expect(await grads((x, y) => addRelu(x, y))).toEqual(await grads((x, y) => tf.relu(tf.add(x, y))));
  tf.dispose([a, b, r]);
});

test('addRelu rejects operands of different shapes with a ShapeError naming b', () => {
  const a = tf.zeros([2, 3]);
  const b = tf.zeros([3]);
  expect(() => addRelu(a, b)).toThrow(ShapeError);
  expect(() => addRelu(a, b)).toThrow(/b:/);
  tf.dispose([a, b]);
});
