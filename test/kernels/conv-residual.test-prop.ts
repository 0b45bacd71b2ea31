import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { fusedConv2dResidual } from '../../src/kernels/conv-residual.js';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { type Case, convCases, dim, expectGradsClose, maxAbsDiff, naive, paperCases, termsNorm } from './conv-reference.js';

function setup(c: Case, withBias: boolean) {
  const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', c.seed) as tf.Tensor4D;
  const filter = tf.randomNormal([c.fh, c.fw, c.ci, c.co], 0, 1, 'float32', c.seed + 1) as tf.Tensor4D;
  const bias = withBias ? (tf.randomNormal([c.co], 0, 1, 'float32', c.seed + 2) as tf.Tensor1D) : undefined;
  const outShape: [number, number, number, number] = [c.n, dim(c.h, c.fh, c.sh, c.pad).out, dim(c.w, c.fw, c.sw, c.pad).out, c.co];
  const residual = tf.randomNormal(outShape, 0, 1, 'float32', c.seed + 3) as tf.Tensor4D;
  return { x, filter, bias, residual, strides: [c.sh, c.sw] as [number, number] };
}

function read(f: () => tf.Tensor): number[] {
  const t = tf.tidy(f);
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

test.prop([convCases, fc.constantFrom<'linear' | 'relu'>('linear', 'relu'), fc.boolean()], { numRuns: 150 })(
  'fusedConv2dResidual equals conv2d + bias, + residual, relu as separate ops exactly, float64 loops, and the stock kernels',
  async (c: Case, activation, withBias) => {
    const { x, filter, bias, residual, strides } = setup(c, withBias);
    const fused = () => fusedConv2dResidual({ x, filter, strides, pad: c.pad, residual, activation, ...(bias === undefined ? {} : { bias }) });
    const composed = () => {
      const y = tf.conv2d(x, filter, strides, c.pad);
      const sum = tf.add(bias === undefined ? y : tf.add(y, bias), residual);
      return activation === 'relu' ? tf.relu(sum) : sum;
    };
    const [got, separate] = await expectNoLeaks(() => [read(fused), read(composed)]);
    setFlowsentryKernels(false);
    const stock = read(composed);
    setFlowsentryKernels(true);

    // Reference: float64 loops, then the bias, the residual and relu in float64.
    const ref = naive(c, x.dataSync() as Float32Array, filter.dataSync() as Float32Array, new Float32Array(0)).y;
    const bv = bias?.dataSync();
    const rv = residual.dataSync();
    for (let i = 0; i < ref.length; i++) {
      const v = ref[i]! + (bv === undefined ? 0 : bv[i % c.co]!) + rv[i]!;
      ref[i] = activation === 'relu' ? Math.max(0, v) : v;
    }
    const tol = 1e-4 * Math.max(1, Math.sqrt(c.fh * c.fw * c.ci * c.co));
    expect(got).toEqual(separate); // the same product, then the float32 adds and relu of the separate kernels
    expect(maxAbsDiff(got, ref)).toBeLessThan(tol);
    expect(maxAbsDiff(got, stock)).toBeLessThan(tol);
    tf.dispose([x, filter, residual, ...(bias === undefined ? [] : [bias])]);
  },
);

test.prop([fc.oneof(convCases, paperCases), fc.constantFrom<'linear' | 'relu'>('linear', 'relu'), fc.boolean()], { numRuns: 60 })(
  'its own gradient: x, filter, residual and bias gradients equal those of conv2d + add + add + relu (ours and stock kernels), values too while recording',
  async (c: Case, activation, withBias) => {
    const { x, filter, bias, residual, strides } = setup(c, withBias);
    const r = tf.randomNormal(residual.shape, 0, 1, 'float32', c.seed + 4);
    const inputs = bias === undefined ? [x, filter, residual] : [x, filter, residual, bias];
    type Op = (xi: tf.Tensor4D, wi: tf.Tensor4D, ri: tf.Tensor4D, bi: tf.Tensor1D | undefined) => tf.Tensor;
    const grads = (f: Op) =>
      expectNoLeaks(() => {
        const out = tf.tidy(() => {
          const { value, grads: gs } = tf.valueAndGrads((...t: tf.Tensor[]) =>
            tf.sum(tf.mul(f(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, t[2] as tf.Tensor4D, t[3] as tf.Tensor1D | undefined), r)),
          )(inputs);
          return [value, ...gs];
        });
        const v = out.map((g) => Array.from(g.dataSync()));
        tf.dispose(out);
        return v;
      });
    const fused = await grads((xi, wi, ri, bi) => fusedConv2dResidual({ x: xi, filter: wi, strides, pad: c.pad, residual: ri, activation, ...(bi === undefined ? {} : { bias: bi }) }));
    const composition: Op = (xi, wi, ri, bi) => {
      const y = tf.conv2d(xi, wi, strides, c.pad);
      const sum = tf.add(bi === undefined ? y : tf.add(y, bi), ri);
      return activation === 'relu' ? tf.relu(sum) : sum;
    };
    const composed = await grads(composition);
    setFlowsentryKernels(false);
    const stock = await grads(composition);
    setFlowsentryKernels(true);
    expectGradsClose(fused, inputs.length, termsNorm(() => composition(x, filter, residual, bias), r), composed, stock);
    tf.dispose([x, filter, residual, ...(bias === undefined ? [] : [bias]), r]);
  },
);

test('fusedConv2dResidual rejects bad shapes and activations with typed errors', () => {
  const x = tf.zeros([2, 1, 6, 4]) as tf.Tensor4D;
  const filter = tf.zeros([1, 3, 4, 8]) as tf.Tensor4D;
  const residual = tf.zeros([2, 1, 3, 8]) as tf.Tensor4D;
  const ok = { x, filter, strides: [1, 2] as [number, number], pad: 'same' as const, residual };
  expect(fusedConv2dResidual(ok).shape).toEqual([2, 1, 3, 8]);
  expect(() => fusedConv2dResidual({ ...ok, activation: 'elu' as 'relu' })).toThrow(ValueError);
  expect(() => fusedConv2dResidual({ ...ok, bias: tf.zeros([4]) as tf.Tensor1D })).toThrow(ShapeError);
  expect(() => fusedConv2dResidual({ ...ok, residual: tf.zeros([2, 1, 6, 8]) as tf.Tensor4D })).toThrow(ShapeError);
  expect(() => fusedConv2dResidual({ ...ok, filter: tf.zeros([1, 3, 2, 8]) as tf.Tensor4D })).toThrow(ShapeError);
  expect(() => fusedConv2dResidual({ ...ok, x: tf.zeros([2, 6, 4]) as unknown as tf.Tensor4D })).toThrow(ShapeError);
  tf.dispose([x, filter, residual]);
});
