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

/** The two summands of a case, with one exact opposite so the sum hits 0. */
function operands(shape: number[], seed: number) {
  const n = shape.reduce((p, d) => p * d, 1);
  const av = values(n, seed);
  const bv = values(n, seed + 1);
  if (n > 3) bv[2] = -(av[2] as number);
  return { n, av, bv, a: tf.tensor(av, shape), b: tf.tensor(bv, shape) };
}

test.prop([shapes, fc.integer({ min: 0, max: 1e6 })], { numRuns: 80 })(
  'addRelu equals relu(a + b) of the separate kernels, of the stock kernels and of a float32 loop, exactly',
  async (shape, seed) => {
    const { av, bv, a, b } = operands(shape, seed);
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

test.prop([shapes, fc.integer({ min: 0, max: 1e6 })], { numRuns: 40 })(
  'its own gradient (dy masked by the output > 0, for both inputs) equals that of relu(a + b), ours and stock kernels, NaN included',
  async (shape, seed) => {
    const { n, a, b } = operands(shape, seed);
    const r = tf.tensor(values(n, seed + 2).map((v) => (Number.isNaN(v) ? 1 : v)), shape);
    const grads = (f: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) =>
      expectNoLeaks(() => {
        const gs = tf.tidy(() => tf.grads((x, y) => tf.sum(tf.mul(f(x!, y!), r)))([a, b]));
        // + 0 turns the composition's -0 (dy * 0 for negative dy) into the mask's +0.
        const v = gs.map((g) => Array.from(g.dataSync(), (x) => x + 0));
        tf.dispose(gs);
        return v;
      });
    const got = await grads((x, y) => addRelu(x, y));
    const composed = await grads((x, y) => tf.relu(tf.add(x, y)));
    setFlowsentryKernels(false);
    const stock = await grads((x, y) => tf.relu(tf.add(x, y)));
    setFlowsentryKernels(true);
    expect(got).toEqual(composed);
    expect(got).toEqual(stock);
    tf.dispose([a, b, r]);
  },
);

test('addRelu rejects operands of different shapes with a ShapeError naming b', () => {
  const a = tf.zeros([2, 3]);
  const b = tf.zeros([3]);
  expect(() => addRelu(a, b)).toThrow(ShapeError);
  expect(() => addRelu(a, b)).toThrow(/b:/);
  tf.dispose([a, b]);
});
