import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { CONV_KERNELS } from '../../src/kernels/conv.js';
import { expectNoLeaks } from '../helpers/leaks.js';

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  pad: 'same' | 'valid';
  seed: number;
}

/** TensorFlow's padding rule, written out: output size and top/left padding per dimension. */
function dim(size: number, f: number, s: number, pad: 'same' | 'valid'): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.ceil((size - f + 1) / s), before: 0 };
  const out = Math.ceil(size / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + f - size, 0) / 2) };
}

/** Naive float64 loops: y = conv(x, w), and for L = sum(y * r): dL/dx and dL/dw. */
function naive(c: Case, x: Float32Array, w: Float32Array, r: Float32Array) {
  const H = dim(c.h, c.fh, c.sh, c.pad);
  const W = dim(c.w, c.fw, c.sw, c.pad);
  const y = new Float64Array(c.n * H.out * W.out * c.co);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < c.n; n++)
    for (let oh = 0; oh < H.out; oh++)
      for (let ow = 0; ow < W.out; ow++)
        for (let fh = 0; fh < c.fh; fh++)
          for (let fw = 0; fw < c.fw; fw++) {
            const ih = oh * c.sh - H.before + fh;
            const iw = ow * c.sw - W.before + fw;
            if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
            for (let ci = 0; ci < c.ci; ci++)
              for (let co = 0; co < c.co; co++) {
                const xi = ((n * c.h + ih) * c.w + iw) * c.ci + ci;
                const wi = ((fh * c.fw + fw) * c.ci + ci) * c.co + co;
                const yi = ((n * H.out + oh) * W.out + ow) * c.co + co;
                y[yi]! += x[xi]! * w[wi]!;
                dx[xi]! += r[yi]! * w[wi]!;
                dw[wi]! += r[yi]! * x[xi]!;
              }
          }
  return { y, dx, dw, outH: H.out, outW: W.out };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const cases = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.constantFrom(1, 1, 2, 5),
    w: fc.integer({ min: 1, max: 13 }),
    // One filter row takes the line paths (conv-line.ts), taller filters im2col. There, channel
    // counts a multiple of 8 are written in place, the others padded to 8 columns (and the input
    // gradient with few inChannels gathers from dy W^T).
    ci: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(8, 12, 16)),
    co: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom(8, 12, 16)),
    fh: fc.integer({ min: 1, max: 3 }),
    fw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 2 }),
    // Strides past the filter width leave input positions no tap reaches (zero gradient).
    sw: fc.integer({ min: 1, max: 3 }),
    pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .map((c) => ({ ...c, fh: Math.min(c.fh, c.h), fw: Math.min(c.fw, c.w) }));

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
