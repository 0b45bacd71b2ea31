import * as tf from '@tensorflow/tfjs-core';
import { gruGatesBackwardSimd, gruGatesForwardSimd } from './gates.js';
import { gemm } from './gemm.js';
import type { GruSequenceArgs } from './recurrent-types.js';
import {
  backProjectInputs,
  columnSums,
  expectShape,
  projectInputs,
  sequenceDims,
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
    const yT = new Float32Array(T * BU); // time-major, swapped to [B, T, U] at the end
    const hp = new Float32Array(B * W3);
    let h = h0 !== null ? Float32Array.from(h0) : new Float32Array(BU);
    // Two state buffers, swapped each step (the gate pass writes every entry of the next one).
    let hNext = new Float32Array(BU);
    for (let s = 0; s < T; s++) {
      const t = backwards ? T - 1 - s : s;
      hPrev.set(h, s * BU);
      gemm({ m: B, n: W3, k: U, a: h, b: uv, c: hp });
      const fwdArgs = [xp.subarray(t * B * W3, (t + 1) * B * W3), hp, bh, h, hNext, s * BU, zs, rs, ns, hns, yT.subarray(t * BU, (t + 1) * BU), BU, U] as const;
      if (!gruGatesForwardSimd(...fwdArgs)) gruGatesForward(...fwdArgs);
      [h, hNext] = [hNext, h];
    }
    const value = tf.tensor3d(swapBatchTime(yT, T, B, U), [B, T, U]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const dyT = swapBatchTime(dy.dataSync() as Float32Array, B, T, U);
      const dxp = new Float32Array(T * B * W3); // time-indexed, for the input side
      const dgh = new Float32Array(T * B * W3); // step-indexed, for the recurrent side
      let dh = new Float32Array(BU);
      let dhPrev = new Float32Array(BU); // swapped with dh each step; the gate pass overwrites it
      for (let s = T - 1; s >= 0; s--) {
        const t = backwards ? T - 1 - s : s;
        const bwdArgs = [dh, dyT.subarray(t * BU, (t + 1) * BU), s * BU, zs, rs, ns, hns, hPrev, dxp.subarray(t * B * W3, (t + 1) * B * W3), dgh.subarray(s * B * W3, (s + 1) * B * W3), dhPrev, BU, U] as const;
        if (!gruGatesBackwardSimd(...bwdArgs)) gruGatesBackward(...bwdArgs);
        gemm({ m: B, n: U, k: W3, a: dgh.subarray(s * B * W3, (s + 1) * B * W3), b: uv, transB: true, c: dhPrev, accumulate: true });
        [dh, dhPrev] = [dhPrev, dh];
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

/**
 * One forward gate pass (reset-after GRU) over `n = batch * units` entries of step `s`: reads the
 * step's input projection `xp` and recurrent product `hp` (`[batch, 3 * units]`), writes the next
 * state and keeps z, r, n and the recurrent n pre-activation at offset `so` for the backward pass.
 * A small top-level function so V8 optimises it on its own (inside the customGrad closure it did not).
 */
function gruGatesForward(
  xp: Float32Array, hp: Float32Array, bh: Float32Array, h: Float32Array, hNext: Float32Array, so: number,
  zs: Float32Array, rs: Float32Array, ns: Float32Array, hns: Float32Array, y: Float32Array, n: number, U: number,
): void {
  const W3 = 3 * U;
  for (let i = 0, b = 0; i < n; b++) {
    const o = b * W3;
    for (let u = 0; u < U; u++, i++) {
      const z = 1 / (1 + Math.exp(-((xp[o + u] as number) + (hp[o + u] as number) + (bh[u] as number))));
      const r = 1 / (1 + Math.exp(-((xp[o + U + u] as number) + (hp[o + U + u] as number) + (bh[U + u] as number))));
      const hn = (hp[o + 2 * U + u] as number) + (bh[2 * U + u] as number);
      const nv = Math.tanh((xp[o + 2 * U + u] as number) + r * hn);
      const hv = nv + z * ((h[i] as number) - nv);
      zs[so + i] = z;
      rs[so + i] = r;
      ns[so + i] = nv;
      hns[so + i] = hn;
      hNext[i] = hv;
      y[i] = hv;
    }
  }
}

/**
 * One backward gate pass: from the state gradient `dh` plus the output gradient `dy` of the step,
 * d(pre-activations) for the input side (`dxp`) and the recurrent side (`dgh`, the n block scaled
 * by r), and the direct part `g * z` of the previous state's gradient (`dhPrev`).
 */
function gruGatesBackward(
  dh: Float32Array, dy: Float32Array, so: number, zs: Float32Array, rs: Float32Array, ns: Float32Array, hns: Float32Array,
  hPrev: Float32Array, dxp: Float32Array, dgh: Float32Array, dhPrev: Float32Array, n: number, U: number,
): void {
  const W3 = 3 * U;
  for (let i = 0, b = 0; i < n; b++) {
    const o = b * W3;
    for (let u = 0; u < U; u++, i++) {
      const si = so + i;
      const g = (dh[i] as number) + (dy[i] as number);
      const z = zs[si] as number;
      const r = rs[si] as number;
      const nv = ns[si] as number;
      const dan = g * (1 - z) * (1 - nv * nv);
      const daz = g * ((hPrev[si] as number) - nv) * z * (1 - z);
      const dar = dan * (hns[si] as number) * r * (1 - r);
      dxp[o + u] = daz;
      dxp[o + U + u] = dar;
      dxp[o + 2 * U + u] = dan;
      dgh[o + u] = daz;
      dgh[o + U + u] = dar;
      dgh[o + 2 * U + u] = dan * r;
      dhPrev[i] = g * z;
    }
  }
}
