// Gradients of tfjs-core's ops are registered by tfjs-layers' entry (or this module); register.ts does not load them yet.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { gruSequenceReference, lstmSequenceReference } from '../../src/kernels/recurrent-reference.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import {
  type DirectionLayout,
  type RecurrentCase,
  expectClose,
  lastAxisSlice,
  recurrentCase,
} from '../layers/recurrent/torch-fixtures.js';

// Fixtures: PyTorch nn.GRU / nn.LSTM (scripts/fixtures/torch_recurrent.py); the conversion of
// PyTorch's weights to the op layout (transpose, GRU gates r,z,n -> z,r,n, LSTM biases summed)
// is done in that Python script, so these tests exercise the ops alone.
const OUTPUT_TOL = 1e-5;
const GRAD_TOL = 1e-4;

interface DirectionTensors {
  kernel: tf.Tensor2D;
  recurrentKernel: tf.Tensor2D;
  biases: tf.Tensor1D[];
}

function directionTensors(kind: RecurrentCase['module'], layout: DirectionLayout): DirectionTensors {
  const biases =
    kind === 'GRU'
      ? [tf.tensor1d(layout.inputBias ?? []), tf.tensor1d(layout.recurrentBias ?? [])]
      : [tf.tensor1d(layout.bias ?? [])];
  return { kernel: tf.tensor2d(layout.kernel), recurrentKernel: tf.tensor2d(layout.recurrentKernel), biases };
}

function runDirection(
  kind: RecurrentCase['module'],
  x: tf.Tensor3D,
  w: DirectionTensors,
  goBackwards: boolean,
  h0?: tf.Tensor2D,
  c0?: tf.Tensor2D,
): tf.Tensor3D {
  if (kind === 'GRU') {
    const [inputBias, recurrentBias] = w.biases as [tf.Tensor1D, tf.Tensor1D];
    return gruSequenceReference({
      x,
      kernel: w.kernel,
      recurrentKernel: w.recurrentKernel,
      inputBias,
      recurrentBias,
      goBackwards,
      ...(h0 ? { initialState: h0 } : {}),
    });
  }
  return lstmSequenceReference({
    x,
    kernel: w.kernel,
    recurrentKernel: w.recurrentKernel,
    bias: w.biases[0] as tf.Tensor1D,
    goBackwards,
    ...(h0 && c0 ? { initialState: { h: h0, c: c0 } } : {}),
  });
}

function expectLayoutGrads(kind: RecurrentCase['module'], grads: tf.Tensor[], expected: DirectionLayout, what: string): void {
  const [gk, grk, ...gb] = grads as [tf.Tensor, tf.Tensor, ...tf.Tensor[]];
  expectClose(gk, expected.kernel, GRAD_TOL, `${what} d/dkernel`);
  expectClose(grk, expected.recurrentKernel, GRAD_TOL, `${what} d/drecurrentKernel`);
  if (kind === 'GRU') {
    expectClose(gb[0] as tf.Tensor, expected.inputBias ?? [], GRAD_TOL, `${what} d/dinputBias`);
    expectClose(gb[1] as tf.Tensor, expected.recurrentBias ?? [], GRAD_TOL, `${what} d/drecurrentBias`);
  } else {
    expectClose(gb[0] as tf.Tensor, expected.bias ?? [], GRAD_TOL, `${what} d/dbias`);
  }
}

describe.each(['GRU', 'LSTM'] as const)('%s sequence reference vs PyTorch', (kind) => {
  defineParityTests(kind);
});

// The reference must run on every backend (it is what runs on tfjs-node / GPU and wasm).
describe.each(['GRU', 'LSTM'] as const)('%s sequence reference vs PyTorch on the wasm backend', (kind) => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    expect(tf.getBackend()).toBe('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  defineParityTests(kind);
});

function defineParityTests(kind: 'GRU' | 'LSTM'): void {
  const prefix = kind === 'GRU' ? 'gru' : 'lstm';

  it('one forward layer: outputs to 1e-5 and gradients (input, weights, biases) to 1e-4', async () => {
    const c = recurrentCase(`${prefix}_l1`);
    const layout = c.layout?.forward as DirectionLayout;
    const w = directionTensors(kind, layout);
    const x = tf.tensor3d(c.x);
    const outW = tf.tensor3d(c.outputWeights);
    const y = runDirection(kind, x, w, false);
    expectClose(y, c.output, OUTPUT_TOL, 'output');
    y.dispose();

    const params = [x, w.kernel, w.recurrentKernel, ...w.biases];
    await expectNoLeaks(() => {
      const grads = tf.grads((...args: tf.Tensor[]) => {
        const [xx, k, rk, ...b] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, ...tf.Tensor1D[]];
        return tf.sum(tf.mul(runDirection(kind, xx, { kernel: k, recurrentKernel: rk, biases: b }, false), outW));
      })(params);
      expectClose(grads[0] as tf.Tensor, c.grads['x'] as number[][][], GRAD_TOL, 'd/dx');
      expectLayoutGrads(kind, grads.slice(1), c.layoutGrads?.forward as DirectionLayout, 'forward');
      tf.dispose(grads);
    });
    tf.dispose([...params, outW]);
  });

  it('both directions with initial states: goBackwards keeps outputs aligned with input steps', async () => {
    const c = recurrentCase(`${prefix}_l1_bi_state`);
    const units = c.hiddenSize;
    const fw = directionTensors(kind, c.layout?.forward as DirectionLayout);
    const bw = directionTensors(kind, c.layout?.backward as DirectionLayout);
    const x = tf.tensor3d(c.x);
    const [h0f, h0b] = tf.unstack(tf.tensor3d(c.h0 ?? [])) as [tf.Tensor2D, tf.Tensor2D];
    const [c0f, c0b] = (kind === 'LSTM' ? tf.unstack(tf.tensor3d(c.c0 ?? [])) : []) as [tf.Tensor2D?, tf.Tensor2D?];
    const outW = tf.tensor3d(c.outputWeights);
    const [outWf, outWb] = tf.split(outW, 2, 2) as [tf.Tensor3D, tf.Tensor3D];

    const yf = runDirection(kind, x, fw, false, h0f, c0f);
    const yb = runDirection(kind, x, bw, true, h0b, c0b);
    expectClose(yf, lastAxisSlice(c.output, 0, units), OUTPUT_TOL, 'forward output');
    expectClose(yb, lastAxisSlice(c.output, units, 2 * units), OUTPUT_TOL, 'backward output');
    tf.dispose([yf, yb]);

    const nb = fw.biases.length;
    const params = [x, fw.kernel, fw.recurrentKernel, ...fw.biases, bw.kernel, bw.recurrentKernel, ...bw.biases];
    await expectNoLeaks(() => {
      const grads = tf.grads((...args: tf.Tensor[]) => {
        const xx = args[0] as tf.Tensor3D;
        const dir = (at: number): DirectionTensors => ({
          kernel: args[at] as tf.Tensor2D,
          recurrentKernel: args[at + 1] as tf.Tensor2D,
          biases: args.slice(at + 2, at + 2 + nb) as tf.Tensor1D[],
        });
        const f = runDirection(kind, xx, dir(1), false, h0f, c0f);
        const b = runDirection(kind, xx, dir(3 + nb), true, h0b, c0b);
        return tf.add(tf.sum(tf.mul(f, outWf)), tf.sum(tf.mul(b, outWb)));
      })(params);
      expectClose(grads[0] as tf.Tensor, c.grads['x'] as number[][][], GRAD_TOL, 'd/dx');
      expectLayoutGrads(kind, grads.slice(1, 3 + nb), c.layoutGrads?.forward as DirectionLayout, 'forward');
      expectLayoutGrads(kind, grads.slice(3 + nb), c.layoutGrads?.backward as DirectionLayout, 'backward');
      tf.dispose(grads);
    });
    tf.dispose([...params, h0f, h0b, outW, outWf, outWb]);
    if (c0f && c0b) tf.dispose([c0f, c0b]);
  });
}

describe('GRU reference: the reset-after formula on one step', () => {
  it('matches n = tanh(x Wn + bn_i + r * (h Un + bn_h)), computed by hand for one unit', () => {
    // features 1, units 1, blocks (z, r, n)
    const [wz, wr, wn] = [0.3, -0.7, 1.1];
    const [uz, ur, un] = [0.5, 0.2, -0.9];
    const [bzi, bri, bni] = [0.1, -0.2, 0.05];
    const [bzh, brh, bnh] = [-0.3, 0.4, 0.6];
    const x = 0.8;
    const h = -0.4;
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const z = sig(x * wz + bzi + h * uz + bzh);
    const r = sig(x * wr + bri + h * ur + brh);
    const n = Math.tanh(x * wn + bni + r * (h * un + bnh));
    const expected = (1 - z) * n + z * h;
    const y = tf.tidy(() =>
      gruSequenceReference({
        x: tf.tensor3d([[[x]]]),
        kernel: tf.tensor2d([[wz, wr, wn]]),
        recurrentKernel: tf.tensor2d([[uz, ur, un]]),
        inputBias: tf.tensor1d([bzi, bri, bni]),
        recurrentBias: tf.tensor1d([bzh, brh, bnh]),
        initialState: tf.tensor2d([[h]]),
      }),
    );
    expect(y.dataSync()[0]).toBeCloseTo(expected, 6);
    y.dispose();
  });
});

describe('recurrent references: shapes, leaks, errors', () => {
  it('leave no tensor behind and accept a single time step', async () => {
    const x = tf.randomNormal([2, 1, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k3 = tf.randomNormal([3, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
    const r3 = tf.randomNormal([2, 6], 0, 1, 'float32', 3) as tf.Tensor2D;
    const b3 = tf.zeros([6]) as tf.Tensor1D;
    const k4 = tf.randomNormal([3, 8], 0, 1, 'float32', 4) as tf.Tensor2D;
    const r4 = tf.randomNormal([2, 8], 0, 1, 'float32', 5) as tf.Tensor2D;
    const b4 = tf.zeros([8]) as tf.Tensor1D;
    const g = await expectNoLeaks(() => {
      const y = gruSequenceReference({ x, kernel: k3, recurrentKernel: r3, inputBias: b3, recurrentBias: b3, goBackwards: true });
      const shape = y.shape;
      y.dispose();
      return shape;
    });
    expect(g).toEqual([2, 1, 2]);
    const l = await expectNoLeaks(() => {
      const y = lstmSequenceReference({ x, kernel: k4, recurrentKernel: r4, bias: b4 });
      const shape = y.shape;
      y.dispose();
      return shape;
    });
    expect(l).toEqual([2, 1, 2]);
    tf.dispose([x, k3, r3, b3, k4, r4, b4]);
  });

  it('reject wrong shapes with a ShapeError naming the argument', () => {
    tf.tidy(() => {
      const x = tf.zeros([2, 3, 4]) as tf.Tensor3D;
      const kernel = tf.zeros([4, 6]) as tf.Tensor2D;
      const recurrentKernel = tf.zeros([2, 6]) as tf.Tensor2D;
      const bias = tf.zeros([6]) as tf.Tensor1D;
      const base = { x, kernel, recurrentKernel, inputBias: bias, recurrentBias: bias };
      expect(() => gruSequenceReference({ ...base, x: tf.zeros([2, 4]) as unknown as tf.Tensor3D })).toThrow(ShapeError);
      expect(() => gruSequenceReference({ ...base, kernel: tf.zeros([5, 6]) as tf.Tensor2D })).toThrow(/kernel/);
      expect(() => gruSequenceReference({ ...base, recurrentKernel: tf.zeros([2, 8]) as tf.Tensor2D })).toThrow(/recurrentKernel/);
      expect(() => gruSequenceReference({ ...base, recurrentBias: tf.zeros([5]) as tf.Tensor1D })).toThrow(/recurrentBias/);
      expect(() => gruSequenceReference({ ...base, initialState: tf.zeros([3, 2]) as tf.Tensor2D })).toThrow(/initialState/);
      expect(() =>
        lstmSequenceReference({ x, kernel: tf.zeros([4, 8]) as tf.Tensor2D, recurrentKernel: tf.zeros([2, 8]) as tf.Tensor2D, bias }),
      ).toThrow(/bias/);
    });
  });
});
