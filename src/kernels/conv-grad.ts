import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterValues, conv2DBackpropInputValues, conv2DValues } from './conv.js';
import type { ConvEpilogue } from './conv-line.js';
import { SIMD_MIN, simdHeap } from './gemm.js';
import { columnSums } from './sequence-common.js';
import { flowsentryKernelsEnabled } from './state.js';

/**
 * True when one of flowsentry's fused ops (the fused convolutions, `addRelu`) runs its own cpu path
 * (forward on our kernels, gradient by {@link reluBiasGrad} and, for a convolution, its gradients
 * on Float32Arrays): the embedded cpu backend with flowsentry's kernels on and float32 operands.
 * Everywhere else the op is the tfjs composition, so every other backend gives what tfjs gives.
 */
export function ownCpuPath(...tensors: (tf.Tensor | undefined)[]): boolean {
  return flowsentryKernelsEnabled() && tf.getBackend() === 'cpu' && tensors.every((t) => t === undefined || t.dtype === 'float32');
}

/**
 * The gradient through `activation(z + bias)` given dy and the op's output y, in one pass:
 * dz = dy where y > 0 (relu; tfjs's Relu gradient, `dy * step(z)`, NaN where y is NaN) or dy
 * (linear), and the bias gradient, the per-channel sums of dz (float32 sums in row order, as the
 * Add gradient's Sum). `channels` is the last axis of dy. In the SIMD module (branch-free f32x4
 * select; a JavaScript loop here branches on the sign of y and ran at 11 ns per value), the sums
 * in the same pass when `channels` is a multiple of 4.
 */
export function reluBiasGrad(dy: Float32Array, y: Float32Array | null, channels: number, withBias: boolean): { dz: Float32Array; dBias: Float32Array | null } {
  const n = dy.length;
  if (y === null && !withBias) return { dz: dy, dBias: null };
  const n4 = (n + 3) & ~3;
  const cp = (channels + 3) & ~3;
  const s = n >= SIMD_MIN ? simdHeap(2 * n4 + cp) : null;
  if (s === null) return reluBiasGradJs(dy, y, channels, withBias);
  const { w, h } = s;
  const yOff = n4;
  const sumOff = 2 * n4;
  h.set(dy, 0);
  if (y !== null) h.set(y, yOff);
  const together = channels % 4 === 0;
  // Masked in place; with channels not a multiple of 4 the pass runs on rows of 4 and the sums are taken after.
  w.reluBiasGrad(0, yOff * 4, sumOff * 4, together ? n / channels : n4 / 4, together ? channels : 4, y === null ? 0 : 1);
  const dz = y === null ? dy : h.slice(0, n);
  let dBias: Float32Array | null = null;
  if (withBias && together) dBias = h.slice(sumOff, sumOff + channels);
  else if (withBias) dBias = columnSums(dz, n / channels, channels);
  return { dz, dBias };
}

/** {@link reluBiasGrad} in JavaScript (small tensors, or no SIMD). */
function reluBiasGradJs(dy: Float32Array, y: Float32Array | null, channels: number, withBias: boolean): { dz: Float32Array; dBias: Float32Array | null } {
  let dz = dy;
  if (y !== null) {
    dz = new Float32Array(dy.length);
    for (let i = 0; i < dy.length; i++) {
      const yv = y[i] as number;
      dz[i] = yv > 0 ? (dy[i] as number) : yv * 0; // 0, or NaN where y is NaN
    }
  }
  return { dz, dBias: withBias ? columnSums(dz, dz.length / channels, channels) : null };
}

/** The value functions of one fused convolution op (a convolution or a transposed one) for {@link fusedConvOp}. */
export interface ConvValues {
  /** The op's output of x and the filter, with the epilogue (bias, residual, relu) applied in the module. */
  forward(x: Float32Array, w: Float32Array, epilogue: ConvEpilogue | undefined): Float32Array;
  /** The gradients of x and of the filter, given the gradient at the convolution's output (dy masked by the relu). */
  backward(dz: Float32Array, x: Float32Array, w: Float32Array): [Float32Array, Float32Array];
}

/** {@link ConvValues} of a convolution (`Conv2D` and its two gradients) for `c`. */
export function convValues(c: tf.backend_util.Conv2DInfo): ConvValues {
  return {
    forward: (xv, wv, epilogue) => conv2DValues(xv, wv, c, epilogue),
    backward: (dz, xv, wv) => [conv2DBackpropInputValues(dz, wv, c), conv2DBackpropFilterValues(xv, dz, c)],
  };
}

/**
 * {@link ConvValues} of a transposed convolution for `c` (the convolution it transposes): its output
 * is the input gradient of conv(., filter) for output gradient x, so x's gradient is that
 * convolution of dz and the filter's is its filter gradient with dz as input and x as output gradient.
 */
export function convTransposeValues(c: tf.backend_util.Conv2DInfo): ConvValues {
  return {
    forward: (xv, wv, epilogue) => conv2DBackpropInputValues(xv, wv, c, epilogue),
    backward: (dz, xv, wv) => [conv2DValues(dz, wv, c), conv2DBackpropFilterValues(dz, xv, c)],
  };
}

/**
 * `activation(op(x, filter) + bias (+ residual))` as one differentiable op on the cpu backend (the
 * callers check {@link ownCpuPath}): the forward in the SIMD module with its epilogue, keeping
 * the output; the gradient masks dy by output > 0 and sums the bias gradient in one pass
 * ({@link reluBiasGrad}), then runs `values.backward` on it. The residual's gradient is the masked
 * dy. Gradients are first order (computed on the values).
 */
export function fusedConvOp(
  values: ConvValues, outShape: [number, number, number, number], relu: boolean,
  x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | undefined, residual?: tf.Tensor4D,
): tf.Tensor4D {
  const inputs: tf.Tensor[] = [x, filter, ...(residual === undefined ? [] : [residual]), ...(bias === undefined ? [] : [bias])];
  const op = tf.customGrad(((...tensors: unknown[]) => {
    const [xt, wt] = tensors as [tf.Tensor4D, tf.Tensor4D];
    const rt = residual === undefined ? undefined : (tensors[2] as tf.Tensor4D);
    const bt = bias === undefined ? undefined : (tensors[inputs.length - 1] as tf.Tensor1D);
    const save = tensors[inputs.length] as tf.GradSaveFunc;
    const epilogue: ConvEpilogue | undefined =
      bt === undefined && rt === undefined && !relu
        ? undefined
        : { bias: bt === undefined ? null : (bt.dataSync() as Float32Array), relu, ...(rt === undefined ? {} : { residual: rt.dataSync() as Float32Array }) };
    const y = tf.tensor4d(values.forward(xt.dataSync() as Float32Array, wt.dataSync() as Float32Array, epilogue), outShape, 'float32');
    // Inputs that are intermediates of the forward pass are disposed before the backward pass unless saved.
    save(relu ? [xt, wt, y] : [xt, wt]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws, ys] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D | undefined];
      const yv = ys === undefined ? null : (ys.dataSync() as Float32Array);
      const { dz, dBias } = reluBiasGrad(dy.dataSync() as Float32Array, yv, outShape[3], bt !== undefined);
      const [dxv, dWv] = values.backward(dz, xs.dataSync() as Float32Array, ws.dataSync() as Float32Array);
      const grads: tf.Tensor[] = [tf.tensor4d(dxv, xt.shape, 'float32'), tf.tensor4d(dWv, wt.shape, 'float32')];
      if (rt !== undefined) grads.push(yv === null ? dy.clone() : tf.tensor4d(dz, outShape, 'float32'));
      if (dBias !== null) grads.push(tf.tensor1d(dBias, 'float32'));
      return grads;
    };
    return { value: y, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor4D;
  return op(...inputs);
}
