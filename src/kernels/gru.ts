import * as tf from '@tensorflow/tfjs-core';
import { gemm } from './gemm.js';
import type { GruSequenceArgs } from './recurrent-types.js';
import {
  backProjectInputs,
  columnSums,
  expectShape,
  projectInputs,
  sequenceDims,
  sigmoid,
  swapBatchTime,
} from './sequence-common.js';

/**
 * The fused GRU (reset-after) sequence on Float32Arrays: one input-projection product for all
 * steps, then per step one recurrent product and one gate pass; every intermediate the backward
 * pass needs is kept in flat arrays (no per-step tensors). Differentiable through tf.customGrad.
 */
export function gruSequenceFused(args: GruSequenceArgs): tf.Tensor3D {
  const { x, kernel, recurrentKernel, inputBias, recurrentBias, initialState } = args;
  const d = sequenceDims('gruSequence', x, kernel, recurrentKernel, 3);
  const { batch: B, time: T, units: U } = d;
  expectShape('gruSequence: inputBias', inputBias, [3 * U]);
  expectShape('gruSequence: recurrentBias', recurrentBias, [3 * U]);
  if (initialState !== undefined) expectShape('gruSequence: initialState', initialState, [B, U]);
  const backwards = args.goBackwards ?? false;
  const inputs: tf.Tensor[] = [x, kernel, recurrentKernel, inputBias, recurrentBias];
  if (initialState !== undefined) inputs.push(initialState);

  const op = tf.customGrad(((...tensors: tf.Tensor[]) => {
    const xv = tensors[0]!.dataSync() as Float32Array;
    const wv = tensors[1]!.dataSync() as Float32Array;
    const uv = tensors[2]!.dataSync() as Float32Array;
    const bi = tensors[3]!.dataSync() as Float32Array;
    const bh = tensors[4]!.dataSync() as Float32Array;
    const h0 = initialState !== undefined ? (tensors[5]!.dataSync() as Float32Array) : null;
    const BU = B * U;
    const W3 = 3 * U;
    const xT = swapBatchTime(xv, B, T, d.features);
    const xp = projectInputs(xT, wv, bi, d);
    // Per visit step s: state before the step, gates z, r, n and the recurrent n pre-activation.
    const hPrev = new Float32Array(T * BU);
    const zs = new Float32Array(T * BU);
    const rs = new Float32Array(T * BU);
    const ns = new Float32Array(T * BU);
    const hns = new Float32Array(T * BU);
    const y = new Float32Array(B * T * U);
    const hp = new Float32Array(B * W3);
    let h = h0 !== null ? Float32Array.from(h0) : new Float32Array(BU);
    for (let s = 0; s < T; s++) {
      const t = backwards ? T - 1 - s : s;
      hPrev.set(h, s * BU);
      gemm({ m: B, n: W3, k: U, a: h, b: uv, c: hp });
      const hNext = new Float32Array(BU);
      for (let b = 0; b < B; b++) {
        const xo = (t * B + b) * W3;
        const ho = b * W3;
        for (let u = 0; u < U; u++) {
          const z = sigmoid(xp[xo + u]! + hp[ho + u]! + bh[u]!);
          const r = sigmoid(xp[xo + U + u]! + hp[ho + U + u]! + bh[U + u]!);
          const hn = hp[ho + 2 * U + u]! + bh[2 * U + u]!;
          const n = Math.tanh(xp[xo + 2 * U + u]! + r * hn);
          const i = b * U + u;
          const si = s * BU + i;
          const hv = n + z * (h[i]! - n);
          zs[si] = z;
          rs[si] = r;
          ns[si] = n;
          hns[si] = hn;
          hNext[i] = hv;
          y[(b * T + t) * U + u] = hv;
        }
      }
      h = hNext;
    }
    const value = tf.tensor3d(y, [B, T, U]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const dyv = dy.dataSync() as Float32Array;
      const dxp = new Float32Array(T * B * W3); // time-indexed, for the input side
      const dgh = new Float32Array(T * B * W3); // step-indexed, for the recurrent side
      let dh = new Float32Array(BU);
      for (let s = T - 1; s >= 0; s--) {
        const t = backwards ? T - 1 - s : s;
        const dhPrev = new Float32Array(BU);
        for (let b = 0; b < B; b++) {
          const xo = (t * B + b) * W3;
          const go = (s * B + b) * W3;
          for (let u = 0; u < U; u++) {
            const i = b * U + u;
            const si = s * BU + i;
            const g = dh[i]! + dyv[(b * T + t) * U + u]!;
            const z = zs[si]!;
            const r = rs[si]!;
            const n = ns[si]!;
            const dan = g * (1 - z) * (1 - n * n);
            const daz = g * (hPrev[si]! - n) * z * (1 - z);
            const dar = dan * hns[si]! * r * (1 - r);
            dxp[xo + u] = daz;
            dxp[xo + U + u] = dar;
            dxp[xo + 2 * U + u] = dan;
            dgh[go + u] = daz;
            dgh[go + U + u] = dar;
            dgh[go + 2 * U + u] = dan * r;
            dhPrev[i] = g * z;
          }
        }
        gemm({ m: B, n: U, k: W3, a: dgh.subarray(s * B * W3, (s + 1) * B * W3), b: uv, transB: true, c: dhPrev, accumulate: true });
        dh = dhPrev;
      }
      const dU = new Float32Array(U * W3);
      gemm({ m: U, n: W3, k: T * B, a: hPrev, transA: true, b: dgh, c: dU });
      const back = backProjectInputs(dxp, xT, wv, d);
      const grads: tf.Tensor[] = [
        tf.tensor3d(back.dx, [B, T, d.features]),
        tf.tensor2d(back.dKernel, [d.features, W3]),
        tf.tensor2d(dU, [U, W3]),
        tf.tensor1d(back.dBias),
        tf.tensor1d(columnSums(dgh, T * B, W3)),
      ];
      if (h0 !== null) grads.push(tf.tensor2d(dh, [B, U]));
      return grads;
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return op(...inputs);
}
