import * as tf from '@tensorflow/tfjs-core';
import { simdHeap } from './gemm.js';
import { flowsentryKernelsEnabled } from './state.js';

/**
 * True when a fused convolution op runs its own cpu path (forward on our kernels, gradient by
 * {@link reluBiasGrad} and the convolution gradients on Float32Arrays): the embedded cpu backend
 * with flowsentry's kernels on and float32 operands. Everywhere else the op is the tfjs
 * composition, so every other backend gives what tfjs gives.
 */
export function fusedConvPath(...tensors: (tf.Tensor | undefined)[]): boolean {
  return flowsentryKernelsEnabled() && tf.getBackend() === 'cpu' && tensors.every((t) => t === undefined || t.dtype === 'float32');
}

/** Below this many elements a JavaScript loop beats copying into the SIMD module. */
const SIMD_MIN = 1024;

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
  else if (withBias) dBias = channelSums(dz, channels);
  return { dz, dBias };
}

/** Float32 sums of each channel (the last axis), rows in order. */
function channelSums(v: Float32Array, channels: number): Float32Array {
  const sums = new Float32Array(channels);
  for (let i = 0; i < v.length; i += channels) for (let ch = 0; ch < channels; ch++) sums[ch] = (sums[ch] as number) + (v[i + ch] as number);
  return sums;
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
  return { dz, dBias: withBias ? channelSums(dz, channels) : null };
}
