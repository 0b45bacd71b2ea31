import { test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { CONV_KERNELS } from '../../src/kernels/conv.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { convCases as cases, maxAbsDiff, naive } from './conv-reference.js';

test.prop([cases], { numRuns: 150 })(
  'conv2d, its input and filter gradients, and conv2dTranspose equal naive float64 loops (strides, same/valid, height 1)',
  async (c) => {
    const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', c.seed) as tf.Tensor4D;
    const w = tf.randomNormal([c.fh, c.fw, c.ci, c.co], 0, 1, 'float32', c.seed + 1) as tf.Tensor4D;
    const ref0 = naive(c, x.dataSync() as Float32Array, w.dataSync() as Float32Array, new Float32Array(0));
    const r = tf.randomNormal([c.n, ref0.outH, ref0.outW, c.co], 0, 1, 'float32', c.seed + 2) as tf.Tensor4D;
    const ref = naive(c, x.dataSync() as Float32Array, w.dataSync() as Float32Array, r.dataSync() as Float32Array);
    const strides: [number, number] = [c.sh, c.sw];
    const got = await expectNoLeaks(() => {
      const outs = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, c.pad), r));
        const [gx, gw] = tf.grads(f)([x, w]);
        const y = tf.conv2d(x, w, strides, c.pad);
        const t = tf.conv2dTranspose(r, w, [c.n, c.h, c.w, c.ci], strides, c.pad);
        return [y, gx!, gw!, t];
      });
      const values = outs.map((v) => Float64Array.from(v.dataSync()));
      tf.dispose(outs);
      return values;
    });
    const tol = 1e-4 * Math.max(1, Math.sqrt(c.fh * c.fw * c.ci * c.co));
    expect(maxAbsDiff(got[0]!, ref.y)).toBeLessThan(tol);
    expect(maxAbsDiff(got[1]!, ref.dx)).toBeLessThan(tol);
    expect(maxAbsDiff(got[2]!, ref.dw)).toBeLessThan(tol * Math.sqrt(c.n * ref.outH * ref.outW));
    expect(maxAbsDiff(got[3]!, ref.dx)).toBeLessThan(tol); // conv2dTranspose(r) is the input gradient
    tf.dispose([x, w, r]);
  },
);

test('the cpu convolution kernels registered at import are flowsentry\'s', () => {
  for (const k of CONV_KERNELS) expect(tf.getKernel(k.kernelName, 'cpu')?.kernelFunc).toBe(k.kernelFunc);
});

test('NCHW and dilated convolutions fall back to the stock kernels', () => {
  const x = tf.randomNormal([1, 1, 7, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([1, 3, 2, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.conv2d(x, w, 1, 'valid', 'NHWC', [1, 2]);
  expect(y.shape).toEqual([1, 1, 3, 3]);
  tf.dispose([x, w, y]);
});
