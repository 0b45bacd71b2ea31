import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { ownCpuPath } from './conv-grad.js';
import { type GemmModule, SIMD_MIN, simdHeap } from './gemm.js';

/** What {@link batchNormTraining} returns. */
export interface BatchNormTrainingResult {
  /** `gamma * (x - mean) / sqrt(variance + epsilon) + beta`, the shape of x. */
  y: tf.Tensor;
  /** The batch mean of each channel, `[C]` (for the moving averages; not differentiated). */
  mean: tf.Tensor1D;
  /** The batch's biased variance of each channel, `[C]` (for the moving averages; not differentiated). */
  variance: tf.Tensor1D;
}

/**
 * Training-mode batch normalisation over every axis but the last (C channels):
 * `y = gamma * (x - mean) / sqrt(variance + epsilon) + beta` with the batch's mean and biased
 * variance (Keras and PyTorch in training mode), differentiable with respect to x, gamma and beta,
 * the gradient of x flowing through the statistics too.
 *
 * On the embedded cpu backend with flowsentry's kernels this is one op: one pass over x for the
 * statistics (float64 sums), one for y; its gradient the closed form
 * `dx = gamma / sqrt(variance + epsilon) * (dy - mean(dy) - xhat * mean(dy * xhat))`,
 * `dgamma = sum(dy * xhat)`, `dbeta = sum(dy)` in two passes (tfjs differentiating the composition
 * runs about twenty ops, several of them broadcasts and reductions over x). Everywhere else it is
 * `batchNormTrainingReference`, tfjs ops that every backend runs and differentiates. The two
 * agree to float32 rounding (the fused sums are float64, the composition's float32). The fused
 * gradient is first order (a constant to a second differentiation).
 *
 * @param x Inputs `[..., C]`, at least one row.
 * @param gamma Scale `[C]`.
 * @param beta Offset `[C]`.
 * @param epsilon Added to the variance, finite and >= 0.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): BatchNormTrainingResult {
  const c = checkArgs(x, gamma, beta, epsilon);
  if (!ownCpuPath(x, gamma, beta)) return batchNormTrainingReference(x, gamma, beta, epsilon);
  const n = x.size / c;
  let stats: { mean: Float64Array; variance: Float64Array } | null = null;
  const op = tf.customGrad(((xt: tf.Tensor, gt: tf.Tensor, bt: tf.Tensor) => {
    const xv = xt.dataSync() as Float32Array;
    const gv = gt.dataSync() as Float32Array;
    const bv = bt.dataSync() as Float32Array;
    const pass = passes(n, c);
    const s = statistics(pass.sums(xv, null), n, c, epsilon);
    stats = s;
    // y = x scale + shift per channel: scale = gamma inv, shift = beta - mean scale (float64).
    const scale = new Float64Array(c);
    const shift = new Float64Array(c);
    for (let j = 0; j < c; j++) {
      scale[j] = (gv[j] as number) * (s.inv[j] as number);
      shift[j] = (bv[j] as number) - (s.mean[j] as number) * (scale[j] as number);
    }
    const yv = pass.affine(xv, scale, null, null, shift);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const g = gradients(dy.dataSync() as Float32Array, xv, gv, s.mean, s.inv, n, c);
      return [tf.tensor(g.dx, xt.shape, 'float32'), tf.tensor1d(g.dGamma), tf.tensor1d(g.dBeta)];
    };
    return { value: tf.tensor(yv, xt.shape, 'float32'), gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  const y = op(x, gamma, beta);
  // The statistics as tensors of their own, made outside the op (they are not differentiated).
  const { mean, variance } = stats as unknown as { mean: Float64Array; variance: Float64Array };
  return { y, mean: tf.tensor1d(Float32Array.from(mean)), variance: tf.tensor1d(Float32Array.from(variance)) };
}

/**
 * The composition {@link batchNormTraining} runs on every backend but the embedded cpu one: the
 * statistics as products with a ones column (sums over the rows), then the normalisation, all tfjs
 * ops (so any backend runs and differentiates it).
 */
export function batchNormTrainingReference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): BatchNormTrainingResult {
  const c = checkArgs(x, gamma, beta, epsilon);
  return tf.tidy(() => {
    const n = x.size / c;
    const rows = tf.reshape(x, [n, c]) as tf.Tensor2D;
    const ones = tf.ones([n, 1]) as tf.Tensor2D;
    const onesT = tf.transpose(ones) as tf.Tensor2D;
    const mean = tf.div(tf.matMul(onesT, rows), n) as tf.Tensor2D; // [1, C]
    const centered = tf.sub(rows, tf.matMul(ones, mean));
    const variance = tf.div(tf.matMul(onesT, tf.square(centered)), n) as tf.Tensor2D;
    const scale = tf.mul(tf.rsqrt(tf.add(variance, epsilon)), tf.reshape(gamma, [1, c]));
    const y = tf.add(tf.mul(centered, tf.matMul(ones, scale)), tf.matMul(ones, tf.reshape(beta, [1, c]) as tf.Tensor2D));
    return { y: tf.reshape(y, x.shape), mean: tf.reshape(mean, [c]) as tf.Tensor1D, variance: tf.reshape(variance, [c]) as tf.Tensor1D };
  });
}

/** The channel count, after checking the arguments. */
function checkArgs(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): number {
  if (x.rank < 1 || x.size === 0) throw new ShapeError('x', 'a tensor [..., C] with at least one row', x);
  const c = x.shape[x.rank - 1] as number;
  if (gamma.rank !== 1 || gamma.shape[0] !== c) throw new ShapeError('gamma', `shape [${c}] (the channels of x)`, gamma);
  if (beta.rank !== 1 || beta.shape[0] !== c) throw new ShapeError('beta', `shape [${c}] (the channels of x)`, beta);
  if (!Number.isFinite(epsilon) || epsilon < 0) throw new ValueError('epsilon', 'a finite number >= 0', epsilon);
  return c;
}

/** The two kinds of pass over a row-major `[n, c]` matrix that batch norm makes. */
interface Passes {
  /** Per-channel float64 sums of a and of a * b (of a^2 when b is null). */
  sums(a: Float32Array, b: Float32Array | null): [Float64Array, Float64Array];
  /** Per channel `ca u + ck v + cb` in float64 (without v: `ca u + cb`), rounded to float32. */
  affine(u: Float32Array, ca: Float64Array, v: Float32Array | null, ck: Float64Array | null, cb: Float64Array): Float32Array;
}

/**
 * The passes in the SIMD module (f64x2 arithmetic, the same operations in the same order as the
 * JavaScript loops, so the same values) when c is a multiple of 4 and the matrix has at least
 * {@link SIMD_MIN} values; else in JavaScript.
 */
function passes(n: number, c: number): Passes {
  const size = n * c;
  if (c % 4 !== 0 || size < SIMD_MIN || simdHeap(0) === null) return jsPasses(n, c);
  // Layout (floats): a, b, out (f32, size each); then 6 c floats of f64 sums or coefficients.
  const oF64 = 3 * size + (size % 2); // an even float offset: 8-byte aligned
  const heap = (): { w: GemmModule; h: Float32Array; d: Float64Array } => {
    const s = simdHeap(oF64 + 6 * c) as { w: GemmModule; h: Float32Array };
    return { ...s, d: new Float64Array(s.h.buffer, oF64 * 4, 3 * c) };
  };
  // The arrays the sums pass copied in: the affine pass that follows reads the same ones (nothing
  // else uses the module in between), so it copies only what is not there yet.
  let loaded: [Float32Array | null, Float32Array | null] = [null, null];
  const load = (h: Float32Array, a: Float32Array, b: Float32Array | null): void => {
    if (loaded[0] !== a) h.set(a, 0);
    if (b !== null && loaded[1] !== b) h.set(b, size);
    loaded = [a, b];
  };
  return {
    sums(a, b) {
      const { w, h, d } = heap();
      load(h, a, b);
      w.bnSums(0, b === null ? 0 : size * 4, n, c, oF64 * 4);
      return [d.slice(0, c), d.slice(c, 2 * c)];
    },
    affine(u, ca, v, ck, cb) {
      const { w, h, d } = heap();
      load(h, u, v);
      d.set(ca, 0);
      if (ck !== null) d.set(ck, c);
      d.set(cb, 2 * c);
      w.bnAffine(0, size * 4, 2 * size * 4, n, c, oF64 * 4, v === null || ck === null ? 0 : 1);
      return h.slice(2 * size, 3 * size);
    },
  };
}

/** The passes in JavaScript (four channels at a time for the sums). */
function jsPasses(n: number, c: number): Passes {
  return {
    sums(a, b) {
      const s1 = new Float64Array(c);
      const s2 = new Float64Array(c);
      channelSums(a, b ?? a, n, c, s1, s2, b === null);
      return [s1, s2];
    },
    affine: (u, ca, v, ck, cb) => channelAffine(u, ca, v, ck, cb, n, c),
  };
}

/**
 * Per-channel sums over the rows of a row-major `[n, c]` matrix, `f(a, b)` summed in float64 for
 * every element a of `av` and b of `bv` at the same place: four channels at a time with the sums
 * in locals (an array of per-channel sums updated at every element ran 2.6x slower), the last
 * c mod 4 channels one at a time.
 */
function channelSums(av: Float32Array, bv: Float32Array, n: number, c: number, out1: Float64Array, out2: Float64Array, squareSecond: boolean): void {
  const end = n * c;
  let j = 0;
  for (; j + 4 <= c; j += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (let o = j; o < end; o += c) {
      const a0 = av[o] as number, a1 = av[o + 1] as number, a2 = av[o + 2] as number, a3 = av[o + 3] as number;
      s0 += a0;
      s1 += a1;
      s2 += a2;
      s3 += a3;
      if (squareSecond) {
        t0 += a0 * a0;
        t1 += a1 * a1;
        t2 += a2 * a2;
        t3 += a3 * a3;
      } else {
        t0 += a0 * (bv[o] as number);
        t1 += a1 * (bv[o + 1] as number);
        t2 += a2 * (bv[o + 2] as number);
        t3 += a3 * (bv[o + 3] as number);
      }
    }
    out1[j] = s0;
    out1[j + 1] = s1;
    out1[j + 2] = s2;
    out1[j + 3] = s3;
    out2[j] = t0;
    out2[j + 1] = t1;
    out2[j + 2] = t2;
    out2[j + 3] = t3;
  }
  for (; j < c; j++) {
    let s = 0;
    let t = 0;
    for (let o = j; o < end; o += c) {
      const a = av[o] as number;
      s += a;
      t += a * (squareSecond ? a : (bv[o] as number));
    }
    out1[j] = s;
    out2[j] = t;
  }
}

/** out = a * u + k * v + b per channel (k and v optional), rounded to float32; row by row. */
function channelAffine(u: Float32Array, a: Float64Array, v: Float32Array | null, k: Float64Array | null, b: Float64Array, n: number, c: number): Float32Array {
  const out = new Float32Array(n * c);
  const end = n * c;
  if (v === null || k === null) {
    for (let o = 0; o < end; o += c) {
      for (let j = 0; j < c; j++) out[o + j] = (a[j] as number) * (u[o + j] as number) + (b[j] as number);
    }
  } else {
    for (let o = 0; o < end; o += c) {
      for (let j = 0; j < c; j++) out[o + j] = (a[j] as number) * (u[o + j] as number) + (k[j] as number) * (v[o + j] as number) + (b[j] as number);
    }
  }
  return out;
}

/**
 * Per-channel mean, biased variance and 1 / sqrt(variance + epsilon), from the float64 sums of x
 * and x^2 in one pass (in float64 the cancellation of E[x^2] - E[x]^2 costs about
 * 1e-16 mean^2 / variance of relative precision: negligible for float32 data).
 */
function statistics(sums: [Float64Array, Float64Array], n: number, c: number, epsilon: number): { mean: Float64Array; variance: Float64Array; inv: Float64Array } {
  const [sum, sumSq] = sums;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  const inv = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const m = (sum[j] as number) / n;
    mean[j] = m;
    variance[j] = Math.max(0, (sumSq[j] as number) / n - m * m);
    inv[j] = 1 / Math.sqrt((variance[j] as number) + epsilon);
  }
  return { mean, variance, inv };
}

/**
 * The closed-form gradients of batch normalisation from one pass of float64 sums over the rows
 * (sum(dy) and sum(dy x); sum(dy xhat) = inv (sum(dy x) - mean sum(dy))) and one pass for dx.
 */
function gradients(
  dy: Float32Array, xv: Float32Array, gv: Float32Array, mean: Float64Array, inv: Float64Array, n: number, c: number,
): { dx: Float32Array; dGamma: Float32Array; dBeta: Float32Array } {
  const pass = passes(n, c);
  const [sumDy, sumDyX] = pass.sums(dy, xv);
  // dx = gamma inv (dy - sumDy / n - xhat sumDyXhat / n), xhat = (x - mean) inv, is per channel
  // dx = a dy + k x + b with a = gamma inv, k = -a inv sumDyXhat / n, b = -a sumDy / n - k mean.
  const a = new Float64Array(c);
  const k = new Float64Array(c);
  const b = new Float64Array(c);
  const dGamma = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const sumDyXhat = (inv[j] as number) * ((sumDyX[j] as number) - (mean[j] as number) * (sumDy[j] as number));
    dGamma[j] = sumDyXhat;
    const aj = (gv[j] as number) * (inv[j] as number);
    const kj = -aj * (inv[j] as number) * (sumDyXhat / n);
    a[j] = aj;
    k[j] = kj;
    b[j] = -aj * ((sumDy[j] as number) / n) - kj * (mean[j] as number);
  }
  return { dx: pass.affine(dy, a, xv, k, b), dGamma, dBeta: Float32Array.from(sumDy) };
}
