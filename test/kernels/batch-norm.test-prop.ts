import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { batchNormTraining, batchNormTrainingReference } from '../../src/kernels/batch-norm.js';
import { setGemmWasm } from '../../src/kernels/gemm.js';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** Batch normalisation and its gradients in float64, from the definition (the reference). */
function float64(x: Float32Array, gamma: Float32Array, beta: Float32Array, dy: Float32Array, c: number, eps: number) {
  const n = x.length / c;
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const dGamma = new Float64Array(c);
  const dBeta = new Float64Array(c);
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let m = 0;
    for (let r = 0; r < n; r++) m += x[r * c + j]!;
    m /= n;
    let v = 0;
    for (let r = 0; r < n; r++) v += (x[r * c + j]! - m) ** 2;
    v /= n;
    mean[j] = m;
    variance[j] = v;
    const inv = 1 / Math.sqrt(v + eps);
    let sdy = 0;
    let sdyx = 0;
    for (let r = 0; r < n; r++) {
      const xhat = (x[r * c + j]! - m) * inv;
      y[r * c + j] = gamma[j]! * xhat + beta[j]!;
      sdy += dy[r * c + j]!;
      sdyx += dy[r * c + j]! * xhat;
    }
    dGamma[j] = sdyx;
    dBeta[j] = sdy;
    for (let r = 0; r < n; r++) {
      const xhat = (x[r * c + j]! - m) * inv;
      dx[r * c + j] = gamma[j]! * inv * (dy[r * c + j]! - sdy / n - (xhat * sdyx) / n);
    }
  }
  return { y, dx, dGamma, dBeta, mean, variance };
}

/** max |got - want| / (1 + max |want|). */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let e = 0;
  let s = 0;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Math.abs(got[i]! - want[i]!));
    s = Math.max(s, Math.abs(want[i]!));
  }
  return e / (1 + s);
}

const cases = fc.record({
  // Rank 2 to 4, channels 1-13 (blocks of four and the rest), rows from 2.
  lead: fc.oneof(fc.tuple(fc.integer({ min: 2, max: 40 })), fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }))),
  channels: fc.integer({ min: 1, max: 13 }),
  // Channels far from (0, 1): an offset up to 50 and a scale from 0.01 to 20.
  offset: fc.double({ min: -50, max: 50, noNaN: true }),
  scale: fc.double({ min: 0.01, max: 20, noNaN: true }),
  epsilon: fc.constantFrom(1e-5, 1e-3),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

type Case = { lead: number[]; channels: number; offset: number; scale: number; epsilon: number; seed: number };

function inputs(k: Case) {
  const shape = [...k.lead, k.channels];
  const rows = k.lead.reduce((p, d) => p * d, 1);
  // Two rows at least (one row has zero variance: covered separately).
  const full = rows < 2 ? [2, ...shape.slice(1)] : shape;
  const x = tf.add(tf.mul(tf.randomNormal(full, 0, 1, 'float32', k.seed), k.scale), k.offset);
  const gamma = tf.randomNormal([k.channels], 1, 0.5, 'float32', k.seed + 1) as tf.Tensor1D;
  const beta = tf.randomNormal([k.channels], 0, 0.5, 'float32', k.seed + 2) as tf.Tensor1D;
  const dy = tf.randomNormal(full, 0, 1, 'float32', k.seed + 3);
  return { x, gamma, beta, dy };
}

describe('batchNormTraining', () => {
  test.prop([cases], { numRuns: 40 })(
    'equals float64 batch normalisation (outputs, statistics and the gradients of x, gamma, beta) to float32 rounding, as does the tfjs composition',
    async (k) => {
      const { x, gamma, beta, dy } = inputs(k);
      const c = k.channels;
      const want = float64(x.dataSync() as Float32Array, gamma.dataSync() as Float32Array, beta.dataSync() as Float32Array, dy.dataSync() as Float32Array, c, k.epsilon);
      for (const f of [batchNormTraining, batchNormTrainingReference]) {
        const r = f(x, gamma, beta, k.epsilon);
        const grads = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
          const o = f(xi, gi, bi, k.epsilon);
          tf.dispose([o.mean, o.variance]);
          return tf.sum(tf.mul(o.y, dy));
        })([x, gamma, beta]);
        // The fused op works in float64 and rounds once: within a few float32 ulps whatever the
        // data. The composition's float32 mean is off by up to half an ulp of |offset|, which
        // relative to the spread is kappa = (|offset| + 4 scale) / scale float32 epsilons in every
        // centred value; its tolerance scales with that conditioning.
        const kappa = (Math.abs(k.offset) + 4 * k.scale) / k.scale;
        const fused = f === batchNormTraining;
        const tol = fused ? 2e-6 : 1e-6 + 50 * kappa * 2 ** -24;
        const gradTol = fused ? 2e-5 : 1e-5 + 500 * kappa * 2 ** -24;
        expect(relErr(r.y.dataSync(), want.y)).toBeLessThan(tol);
        expect(relErr(r.mean.dataSync(), want.mean)).toBeLessThan(tol);
        expect(relErr(r.variance.dataSync(), want.variance)).toBeLessThan(tol);
        expect(relErr(grads[0]!.dataSync(), want.dx)).toBeLessThan(gradTol);
        expect(relErr(grads[1]!.dataSync(), want.dGamma)).toBeLessThan(gradTol);
        expect(relErr(grads[2]!.dataSync(), want.dBeta)).toBeLessThan(gradTol);
        tf.dispose([r.y, r.mean, r.variance, ...grads]);
      }
      tf.dispose([x, gamma, beta, dy]);
    },
  );

  it('its SIMD passes (channels a multiple of 4, 1024 values or more) give the JavaScript loops\' values bit for bit', () => {
    for (const [lead, channels] of [[[64, 5], 8], [[300], 12], [[40, 9], 4]] as const) {
      const { x, gamma, beta, dy } = inputs({ lead: [...lead], channels, offset: 7, scale: 0.5, epsilon: 1e-3, seed: lead[0] });
      const run = () => {
        const r = batchNormTraining(x, gamma, beta, 1e-3);
        const g = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
          const o = batchNormTraining(xi, gi, bi, 1e-3);
          tf.dispose([o.mean, o.variance]);
          return tf.sum(tf.mul(o.y, dy));
        })([x, gamma, beta]);
        const out = [r.y, r.mean, r.variance, ...g].map((t) => Array.from(t.dataSync()));
        tf.dispose([r.y, r.mean, r.variance, ...g]);
        return out;
      };
      const simd = run();
      setGemmWasm(false);
      try {
        expect(run()).toEqual(simd);
      } finally {
        setGemmWasm(true);
      }
      tf.dispose([x, gamma, beta, dy]);
    }
  });

  it('the fused op and its gradient leave no tensors behind', async () => {
    const { x, gamma, beta, dy } = inputs({ lead: [6, 5], channels: 8, offset: 3, scale: 2, epsilon: 1e-3, seed: 4 });
    await expectNoLeaks(() => {
      const r = batchNormTraining(x, gamma, beta, 1e-3);
      tf.dispose([r.y, r.mean, r.variance]);
    });
    await expectNoLeaks(() => {
      const g = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
        const o = batchNormTraining(xi, gi, bi, 1e-3);
        tf.dispose([o.mean, o.variance]);
        return tf.sum(tf.mul(o.y, dy));
      })([x, gamma, beta]);
      tf.dispose(g);
    });
    tf.dispose([x, gamma, beta, dy]);
  });

  it('with flowsentry kernels off (as on every other backend) runs the tfjs composition', () => {
    const { x, gamma, beta } = inputs({ lead: [7], channels: 5, offset: 1, scale: 3, epsilon: 1e-5, seed: 9 });
    setFlowsentryKernels(false);
    try {
      const r = batchNormTraining(x, gamma, beta, 1e-5);
      const ref = batchNormTrainingReference(x, gamma, beta, 1e-5);
      expect(Array.from(r.y.dataSync())).toEqual(Array.from(ref.y.dataSync()));
      expect(Array.from(r.variance.dataSync())).toEqual(Array.from(ref.variance.dataSync()));
      tf.dispose([r.y, r.mean, r.variance, ref.y, ref.mean, ref.variance]);
    } finally {
      setFlowsentryKernels(true);
      tf.dispose([x, gamma, beta]);
    }
  });

  it('a constant channel: variance 0, y = beta there, and finite gradients', () => {
    const x = tf.tensor2d([[1, 2], [1, 5]]);
    const gamma = tf.tensor1d([2, 1]);
    const beta = tf.tensor1d([0.5, -1]);
    const r = batchNormTraining(x, gamma, beta, 1e-3);
    expect(Array.from(r.variance.dataSync())).toEqual([0, 2.25]);
    const y = r.y.arraySync() as number[][];
    expect(y[0]![0]).toBeCloseTo(0.5, 6);
    expect(y[1]![0]).toBeCloseTo(0.5, 6);
    const g = tf.grad((xi: tf.Tensor) => tf.sum(tf.square(batchNormTraining(xi, gamma, beta, 1e-3).y)))(x);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, gamma, beta, r.y, r.mean, r.variance, g]);
  });

  it('rejects bad arguments with typed errors naming them', () => {
    const x = tf.zeros([4, 3]);
    const ok = tf.ones([3]);
    expect(() => batchNormTraining(x, tf.ones([2]), ok, 1e-3)).toThrow(ShapeError);
    expect(() => batchNormTraining(x, tf.ones([2]), ok, 1e-3)).toThrow(/gamma/);
    expect(() => batchNormTraining(x, ok, tf.ones([3, 1]), 1e-3)).toThrow(/beta/);
    expect(() => batchNormTraining(x, ok, ok, -1)).toThrow(ValueError);
    expect(() => batchNormTraining(x, ok, ok, Number.NaN)).toThrow(/epsilon/);
    const empty = tf.zeros([0, 3]);
    expect(() => batchNormTraining(empty, ok, ok, 1e-3)).toThrow(/x/);
    tf.dispose([x, ok, empty]);
  });
});
