import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { fusedConv2d } from '../../src/kernels/conv-bias.js';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { type Case, convCases, maxAbsDiff, naive, paperCases } from './conv-reference.js';

const cases = fc.oneof(convCases, paperCases);

function setup(c: Case) {
  const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', c.seed) as tf.Tensor4D;
  const filter = tf.randomNormal([c.fh, c.fw, c.ci, c.co], 0, 1, 'float32', c.seed + 1) as tf.Tensor4D;
  const bias = tf.randomNormal([c.co], 0, 1, 'float32', c.seed + 2) as tf.Tensor1D;
  return { x, filter, bias, strides: [c.sh, c.sw] as [number, number] };
}

type Conv = (x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | undefined) => tf.Tensor4D;

/** Output values and gradients of sum(op(x, filter, bias) * r) for x, filter (and bias), as arrays; asserts no leaks. */
async function valueAndGrads(op: Conv, x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | undefined, r: tf.Tensor): Promise<number[][]> {
  return expectNoLeaks(() => {
    const inputs = bias === undefined ? [x, filter] : [x, filter, bias];
    const out = tf.tidy(() => {
      const f = tf.valueAndGrads((...t: tf.Tensor[]) => tf.sum(tf.mul(op(t[0] as tf.Tensor4D, t[1] as tf.Tensor4D, t[2] as tf.Tensor1D | undefined), r)));
      const y = op(x, filter, bias); // the value outside recording
      return [y, ...f(inputs).grads];
    });
    const v = out.map((g) => Array.from(g.dataSync()));
    tf.dispose(out);
    return v;
  });
}

test.prop([cases, fc.constantFrom<'linear' | 'relu'>('linear', 'relu'), fc.boolean()], { numRuns: 120 })(
  'fusedConv2d: values equal tf.fused.conv2d exactly; gradients of x, filter and bias equal the composition (ours and stock kernels) and float64 loops',
  async (c: Case, activation, withBias) => {
    const { x, filter, bias: b, strides } = setup(c);
    const bias = withBias ? b : undefined;
    const y0 = tf.tidy(() => tf.conv2d(x, filter, strides, c.pad));
    const r = tf.randomNormal(y0.shape, 0, 1, 'float32', c.seed + 3);
    const fused: Conv = (xi, wi, bi) => fusedConv2d({ x: xi, filter: wi, strides, pad: c.pad, activation, ...(bi === undefined ? {} : { bias: bi }) });
    const composed: Conv = (xi, wi, bi) => {
      const y = tf.conv2d(xi, wi, strides, c.pad);
      const yb = bi === undefined ? y : tf.add(y, bi);
      return (activation === 'relu' ? tf.relu(yb) : yb) as tf.Tensor4D;
    };
    const got = await valueAndGrads(fused, x, filter, bias, r);
    const ours = await valueAndGrads(composed, x, filter, bias, r);
    setFlowsentryKernels(false);
    const stock = await valueAndGrads(composed, x, filter, bias, r);
    const stockFused = await valueAndGrads(fused, x, filter, bias, r); // tf.fused.conv2d itself
    setFlowsentryKernels(true);

    // float64: y, then dz = r where y > 0, dx and dW of sum(conv * dz), the bias gradient sum(dz).
    const xv = x.dataSync() as Float32Array;
    const wv = filter.dataSync() as Float32Array;
    const yRef = naive(c, xv, wv, new Float32Array(0)).y;
    const bv = bias?.dataSync();
    const rv = r.dataSync();
    const dz = new Float32Array(rv.length);
    const dbRef = new Float64Array(c.co);
    for (let i = 0; i < yRef.length; i++) {
      const z = yRef[i]! + (bv === undefined ? 0 : bv[i % c.co]!);
      yRef[i] = activation === 'relu' ? Math.max(0, z) : z;
      dz[i] = activation === 'relu' && !(z > 0) ? 0 : rv[i]!;
      dbRef[i % c.co]! += dz[i]!;
    }
    const ref = naive(c, xv, wv, dz);

    expect(got[0]).toEqual(ours[0]); // the same product, then the float32 add and relu of the separate kernels
    const scale = (v: ArrayLike<number>) => Math.max(1, ...Array.from(v, Math.abs));
    const close = (a: number[], b: ArrayLike<number>) => maxAbsDiff(a, b) / scale(b);
    for (let i = 1; i < got.length; i++) {
      expect(close(got[i]!, ours[i]!)).toBeLessThan(1e-4);
      expect(close(got[i]!, stock[i]!)).toBeLessThan(1e-4);
      expect(stockFused[i]).toEqual(stock[i]); // off our kernels, the op is tfjs's own composition
    }
    expect(close(got[0]!, stockFused[0]!)).toBeLessThan(1e-5 * Math.sqrt(c.fh * c.fw * c.ci * c.co));
    // The float64 reference: a relu's mask can differ where the float32 and float64 outputs straddle 0.
    const tolRef = 1e-4 * Math.sqrt(c.fh * c.fw * c.ci * c.co);
    expect(maxAbsDiff(got[0]!, yRef)).toBeLessThan(tolRef);
    if (activation === 'linear') {
      expect(close(got[1]!, ref.dx)).toBeLessThan(1e-4);
      expect(close(got[2]!, ref.dw)).toBeLessThan(1e-4);
      if (bias !== undefined) expect(close(got[3]!, dbRef)).toBeLessThan(1e-4);
    }
    tf.dispose([x, filter, b, y0, r]);
  },
);

test.prop([convCases.filter((c) => c.fh % 2 === 1 && c.fw % 2 === 1)], { numRuns: 30 })(
  'fusedConv2d with explicit padding: values and gradients equal tf.fused.conv2d on the stock kernels',
  async (c: Case) => {
    const { x, filter, bias, strides } = setup(c);
    const pad: tf.backend_util.ExplicitPadding = [[0, 0], [(c.fh - 1) / 2, (c.fh - 1) / 2], [(c.fw - 1) / 2, (c.fw - 1) / 2], [0, 0]];
    const y0 = tf.tidy(() => tf.conv2d(x, filter, strides, pad));
    const r = tf.randomNormal(y0.shape, 0, 1, 'float32', c.seed + 3);
    const op: Conv = (xi, wi, bi) => fusedConv2d({ x: xi, filter: wi, strides, pad, activation: 'relu', ...(bi === undefined ? {} : { bias: bi }) });
    const got = await valueAndGrads(op, x, filter, bias, r);
    setFlowsentryKernels(false);
    const stock = await valueAndGrads(op, x, filter, bias, r);
    setFlowsentryKernels(true);
    const scale = (v: number[]) => Math.max(1, ...v.map(Math.abs));
    for (let i = 0; i < got.length; i++) expect(maxAbsDiff(got[i]!, stock[i]!) / scale(stock[i]!)).toBeLessThan(1e-4);
    tf.dispose([x, filter, bias, y0, r]);
  },
);

test('fusedConv2d gradients: NaN where the output is NaN, as the relu gradient; no leaks in a training step', async () => {
  const x = tf.tensor4d([NaN, 1, -1, 2], [1, 1, 4, 1]);
  const filter = tf.ones([1, 1, 1, 1]) as tf.Tensor4D;
  const bias = tf.zeros([1]) as tf.Tensor1D;
  const [gx, gb] = tf.grads((xi, bi) => fusedConv2d({ x: xi as tf.Tensor4D, filter, strides: 1, pad: 'valid', bias: bi as tf.Tensor1D, activation: 'relu' }))([x, bias]);
  setFlowsentryKernels(false);
  const [sx, sb] = tf.grads((xi, bi) => fusedConv2d({ x: xi as tf.Tensor4D, filter, strides: 1, pad: 'valid', bias: bi as tf.Tensor1D, activation: 'relu' }))([x, bias]);
  setFlowsentryKernels(true);
  expect(Array.from(gx!.dataSync())).toEqual(Array.from(sx!.dataSync())); // [NaN, 1, 0, 1]
  expect(Array.from(gb!.dataSync())).toEqual(Array.from(sb!.dataSync())); // [NaN]
  tf.dispose([gx!, gb!, sx!, sb!]);

  // A whole Adam step through two layers (the first's input a constant, the second's an intermediate).
  const w1 = tf.variable(tf.randomNormal([1, 3, 1, 8], 0, 1, 'float32', 1));
  const w2 = tf.variable(tf.randomNormal([1, 3, 8, 8], 0, 1, 'float32', 2));
  const b1 = tf.variable(tf.zeros([8]));
  const img = tf.randomNormal([4, 1, 12, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const opt = tf.train.adam(1e-2);
  const loss = () =>
    tf.mean(
      fusedConv2d({
        x: fusedConv2d({ x: img, filter: w1 as tf.Tensor4D, strides: [1, 2], pad: 'same', bias: b1 as tf.Tensor1D, activation: 'relu' }),
        filter: w2 as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu',
      }),
    ) as tf.Scalar;
  opt.minimize(loss); // creates Adam's slots
  await expectNoLeaks(() => {
    const cost = opt.minimize(loss, true);
    cost?.dispose();
  });
  opt.dispose();
  tf.dispose([x, filter, bias, w1, w2, b1, img]);
});

test('fusedConv2d rejects bad shapes, padding and activations with typed errors', () => {
  const x = tf.zeros([2, 1, 6, 4]) as tf.Tensor4D;
  const filter = tf.zeros([1, 3, 4, 8]) as tf.Tensor4D;
  const ok = { x, filter, strides: [1, 2] as [number, number], pad: 'same' as const };
  expect(fusedConv2d(ok).shape).toEqual([2, 1, 3, 8]);
  expect(() => fusedConv2d({ ...ok, activation: 'elu' as 'relu' })).toThrow(ValueError);
  expect(() => fusedConv2d({ ...ok, bias: tf.zeros([4]) as tf.Tensor1D })).toThrow(ShapeError);
  expect(() => fusedConv2d({ ...ok, filter: tf.zeros([1, 3, 2, 8]) as tf.Tensor4D })).toThrow(ShapeError);
  expect(() => fusedConv2d({ ...ok, x: tf.zeros([2, 6, 4]) as unknown as tf.Tensor4D })).toThrow(ShapeError);
  expect(() => fusedConv2d({ ...ok, pad: 'full' as 'same' })).toThrow(ValueError);
  tf.dispose([x, filter]);
});
