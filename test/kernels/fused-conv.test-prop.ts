import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { type Case, convCases, maxAbsDiff, naive } from './conv-reference.js';

type BiasKind = 'none' | 'vector' | 'rank4' | 'scalar';

function makeBias(kind: BiasKind, co: number, seed: number): tf.Tensor | undefined {
  if (kind === 'none') return undefined;
  if (kind === 'scalar') return tf.scalar(((seed % 7) - 3) / 4);
  const b = tf.randomNormal([co], 0, 1, 'float32', seed);
  if (kind === 'vector') return b;
  const b4 = tf.reshape(b, [1, 1, 1, co]);
  b.dispose();
  return b4;
}

function read(f: () => tf.Tensor): number[] {
  const t = tf.tidy(f);
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

test.prop([convCases, fc.constantFrom<'linear' | 'relu'>('linear', 'relu'), fc.constantFrom<BiasKind>('none', 'vector', 'rank4', 'scalar')], { numRuns: 150 })(
  'fused conv2d (bias, linear or relu) equals our conv2d + add + relu exactly, float64 loops, and the stock fused kernel',
  async (c: Case, activation, biasKind) => {
    const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', c.seed) as tf.Tensor4D;
    const w = tf.randomNormal([c.fh, c.fw, c.ci, c.co], 0, 1, 'float32', c.seed + 1) as tf.Tensor4D;
    const bias = makeBias(biasKind, c.co, c.seed + 2);
    const strides: [number, number] = [c.sh, c.sw];
    const fused = () => tf.fused.conv2d({ x, filter: w, strides, pad: c.pad, activation, ...(bias === undefined ? {} : { bias }) });
    const composed = () => {
      const y = tf.conv2d(x, w, strides, c.pad);
      const yb = bias === undefined ? y : tf.add(y, bias);
      return activation === 'relu' ? tf.relu(yb) : yb;
    };
    const [got, unfused] = await expectNoLeaks(() => [read(fused), read(composed)]);
    setFlowsentryKernels(false);
    const stock = read(fused);
    setFlowsentryKernels(true);

    // Reference: float64 loops, the bias added and relu applied to the float64 product.
    const ref = naive(c, x.dataSync() as Float32Array, w.dataSync() as Float32Array, new Float32Array(0)).y;
    const bv = bias?.dataSync();
    for (let i = 0; i < ref.length; i++) {
      const b = bv === undefined ? 0 : (bv.length === 1 ? bv[0] : bv[i % c.co])!;
      ref[i] = activation === 'relu' ? Math.max(0, ref[i]! + b) : ref[i]! + b;
    }
    const tol = 1e-4 * Math.max(1, Math.sqrt(c.fh * c.fw * c.ci * c.co));
    expect(got).toEqual(unfused); // the same product, then the float32 add and relu of the separate kernels
    expect(maxAbsDiff(got, ref)).toBeLessThan(tol);
    expect(maxAbsDiff(got, stock)).toBeLessThan(tol);
    tf.dispose([x, w, ...(bias === undefined ? [] : [bias])]);
  },
);

test.prop([convCases], { numRuns: 60 })(
  'gradients through fused conv2d with a bias (x, filter, bias) equal those of conv2d + add',
  async (c: Case) => {
    const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', c.seed) as tf.Tensor4D;
    const w = tf.randomNormal([c.fh, c.fw, c.ci, c.co], 0, 1, 'float32', c.seed + 1) as tf.Tensor4D;
    const b = tf.randomNormal([c.co], 0, 1, 'float32', c.seed + 2) as tf.Tensor1D;
    const strides: [number, number] = [c.sh, c.sw];
    const outShape = tf.tidy(() => tf.conv2d(x, w, strides, c.pad).shape);
    const r = tf.randomNormal(outShape, 0, 1, 'float32', c.seed + 3);
    const grads = (conv: (xi: tf.Tensor4D, wi: tf.Tensor4D, bi: tf.Tensor1D) => tf.Tensor) =>
      expectNoLeaks(() => {
        const gs = tf.tidy(() => tf.grads((xi, wi, bi) => tf.sum(tf.mul(conv(xi as tf.Tensor4D, wi as tf.Tensor4D, bi as tf.Tensor1D), r)))([x, w, b]));
        const v = gs.map((g) => Array.from(g.dataSync()));
        tf.dispose(gs);
        return v;
      });
    const fused = await grads((xi, wi, bi) => tf.fused.conv2d({ x: xi, filter: wi, strides, pad: c.pad, bias: bi }));
    const composed = await grads((xi, wi, bi) => tf.add(tf.conv2d(xi, wi, strides, c.pad), bi));
    const scale = (v: number[]) => Math.max(1, ...v.map(Math.abs));
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(fused[i]!, composed[i]!) / scale(composed[i]!)).toBeLessThan(1e-4);
    tf.dispose([x, w, b, r]);
  },
);

test('fused conv2d with other activations, PReLU weights or a bias that is not per channel runs the stock kernel', async () => {
  const x = tf.randomNormal([2, 1, 9, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal([1, 3, 3, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
  const b = tf.randomNormal([8], 0, 1, 'float32', 3);
  const bPos = tf.randomNormal([9, 8], 0, 1, 'float32', 4); // one bias per position and channel
  const alpha = tf.randomUniform([8], 0, 0.5, 'float32', 5);
  const calls: (() => tf.Tensor)[] = [
    () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'elu' }),
    () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'leakyrelu', leakyreluAlpha: 0.3 }),
    () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'prelu', preluActivationWeights: alpha }),
    () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: bPos, activation: 'relu' }),
    () => tf.fused.conv2d({ x, filter: w, strides: 1, pad: 'same', bias: b, activation: 'relu', dilations: 2 }),
  ];
  const ours = await expectNoLeaks(() => calls.map(read));
  setFlowsentryKernels(false);
  const stock = calls.map(read);
  setFlowsentryKernels(true);
  expect(ours).toEqual(stock);
  tf.dispose([x, w, b, bPos, alpha]);
});
