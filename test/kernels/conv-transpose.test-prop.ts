import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { fusedConv2dTranspose } from '../../src/kernels/conv-transpose.js';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { type Case, convCases, expectGradsClose, maxAbsDiff, naive, paperCases, termsNorm } from './conv-reference.js';

function read(f: () => tf.Tensor): number[] {
  const t = tf.tidy(f);
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** The transposed convolution of case `c`: x is the convolution's output, the result its input shape. */
function setup(c: Case, withBias: boolean) {
  const ref = naive(c, new Float32Array(c.n * c.h * c.w * c.ci), new Float32Array(c.fh * c.fw * c.ci * c.co), new Float32Array(0));
  const x = tf.randomNormal([c.n, ref.outH, ref.outW, c.co], 0, 1, 'float32', c.seed) as tf.Tensor4D;
  const filter = tf.randomNormal([c.fh, c.fw, c.ci, c.co], 0, 1, 'float32', c.seed + 1) as tf.Tensor4D;
  const bias = withBias ? (tf.randomNormal([c.ci], 0, 1, 'float32', c.seed + 2) as tf.Tensor1D) : undefined;
  const outputShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
  return { x, filter, bias, outputShape, strides: [c.sh, c.sw] as [number, number] };
}

test.prop([convCases, fc.constantFrom<'linear' | 'relu'>('linear', 'relu'), fc.boolean()], { numRuns: 150 })(
  'fusedConv2dTranspose equals conv2dTranspose + add + relu exactly (ours and stock kernels alike) and float64 loops',
  async (c: Case, activation, withBias) => {
    const { x, filter, bias, outputShape, strides } = setup(c, withBias);
    const fused = () => fusedConv2dTranspose({ x, filter, outputShape, strides, pad: c.pad, activation, ...(bias === undefined ? {} : { bias }) });
    const composed = () => {
      const y = tf.conv2dTranspose(x, filter, outputShape, strides, c.pad);
      const yb = bias === undefined ? y : tf.add(y, bias);
      return activation === 'relu' ? tf.relu(yb) : yb;
    };
    const [got, unfused] = await expectNoLeaks(() => [read(fused), read(composed)]);
    setFlowsentryKernels(false);
    const stock = read(fused); // the composition on the stock kernels
    setFlowsentryKernels(true);

    // conv2dTranspose(x) is the input gradient of the convolution for the output gradient x.
    const ref = naive(c, new Float32Array(c.n * c.h * c.w * c.ci), filter.dataSync() as Float32Array, x.dataSync() as Float32Array).dx;
    const bv = bias?.dataSync();
    for (let i = 0; i < ref.length; i++) {
      const v = ref[i]! + (bv === undefined ? 0 : bv[i % c.ci]!);
      ref[i] = activation === 'relu' ? Math.max(0, v) : v;
    }
    const tol = 1e-4 * Math.max(1, Math.sqrt(c.fh * c.fw * c.ci * c.co));
    expect(got).toEqual(unfused);
    expect(maxAbsDiff(got, ref)).toBeLessThan(tol);
    expect(maxAbsDiff(got, stock)).toBeLessThan(tol);
    tf.dispose([x, filter, ...(bias === undefined ? [] : [bias])]);
  },
);

test.prop([fc.oneof(convCases, paperCases), fc.constantFrom<'linear' | 'relu'>('linear', 'relu'), fc.boolean()], { numRuns: 60 })(
  'its own gradient: x, filter and bias gradients equal those of conv2dTranspose + add + relu (ours and stock kernels), values too while recording',
  async (c: Case, activation, withBias) => {
    const { x, filter, bias, outputShape, strides } = setup(c, withBias);
    const r = tf.randomNormal(outputShape, 0, 1, 'float32', c.seed + 3);
    const inputs = bias === undefined ? [x, filter] : [x, filter, bias];
    const grads = (f: (xi: tf.Tensor4D, wi: tf.Tensor4D, bi: tf.Tensor1D | undefined) => tf.Tensor) =>
      expectNoLeaks(() => {
        const out = tf.tidy(() => {
          const { value, grads: gs } = tf.valueAndGrads((...t: tf.Tensor[]) => tf.sum(tf.mul(f(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, t[2] as tf.Tensor1D | undefined), r)))(inputs);
          return [value, ...gs];
        });
        const v = out.map((g) => Array.from(g.dataSync()));
        tf.dispose(out);
        return v;
      });
    const fused = await grads((xi, wi, bi) => fusedConv2dTranspose({ x: xi, filter: wi, outputShape, strides, pad: c.pad, activation, ...(bi === undefined ? {} : { bias: bi }) }));
    const composition = (xi: tf.Tensor4D, wi: tf.Tensor4D, bi: tf.Tensor1D | undefined) => {
      const y = tf.conv2dTranspose(xi, wi, outputShape, strides, c.pad);
      const yb = bi === undefined ? y : tf.add(y, bi);
      return activation === 'relu' ? tf.relu(yb) : yb;
    };
    const composed = await grads(composition);
    setFlowsentryKernels(false);
    const stock = await grads(composition);
    setFlowsentryKernels(true);
    expectGradsClose(fused, inputs.length, termsNorm(() => composition(x, filter, bias), r), composed, stock);
    tf.dispose([x, filter, ...(bias === undefined ? [] : [bias]), r]);
  },
);

test('fusedConv2dTranspose rejects bad shapes and activations with typed errors', () => {
  const x = tf.zeros([2, 1, 5, 4]) as tf.Tensor4D;
  const filter = tf.zeros([1, 3, 3, 4]) as tf.Tensor4D;
  const ok = { x, filter, outputShape: [2, 1, 10, 3] as [number, number, number, number], strides: [1, 2] as [number, number], pad: 'same' as const };
  expect(fusedConv2dTranspose(ok).shape).toEqual([2, 1, 10, 3]);
  expect(() => fusedConv2dTranspose({ ...ok, activation: 'elu' as 'relu' })).toThrow(ValueError);
  expect(() => fusedConv2dTranspose({ ...ok, bias: tf.zeros([4]) as tf.Tensor1D })).toThrow(ShapeError);
  expect(() => fusedConv2dTranspose({ ...ok, outputShape: [2, 1, 10, 4] })).toThrow(ShapeError);
  expect(() => fusedConv2dTranspose({ ...ok, outputShape: [2, 1, 14, 3] })).toThrow(ShapeError); // 'same' stride 2 of 14 is 7, not 5
  expect(() => fusedConv2dTranspose({ ...ok, filter: tf.zeros([1, 3, 3, 2]) as tf.Tensor4D })).toThrow(ShapeError);
  tf.dispose([x, filter]);
});
