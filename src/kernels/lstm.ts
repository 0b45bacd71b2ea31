import * as tf from '@tensorflow/tfjs-core';
import { gemm } from './gemm.js';
import type { LstmSequenceArgs } from './recurrent-types.js';
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
 * The fused LSTM sequence on Float32Arrays (gates i, f, g, o): one input-projection product for
 * all steps, then per step one recurrent product and one gate pass, intermediates kept in flat
 * arrays for the backward pass. Differentiable through tf.customGrad.
 */
export function lstmSequenceFused(args: LstmSequenceArgs): tf.Tensor3D {
  const { x, kernel, recurrentKernel, bias, initialState } = args;
  const d = sequenceDims('lstmSequence', x, kernel, recurrentKernel, 4);
  const { batch: B, time: T, units: U } = d;
  expectShape('lstmSequence: bias', bias, [4 * U]);
  if (initialState !== undefined) {
    expectShape('lstmSequence: initialState.h', initialState.h, [B, U]);
    expectShape('lstmSequence: initialState.c', initialState.c, [B, U]);
  }
  const backwards = args.goBackwards ?? false;
  const inputs: tf.Tensor[] = [x, kernel, recurrentKernel, bias];
  if (initialState !== undefined) inputs.push(initialState.h, initialState.c);

  const op = tf.customGrad(((...tensors: tf.Tensor[]) => {
    const xv = tensors[0]!.dataSync() as Float32Array;
    const wv = tensors[1]!.dataSync() as Float32Array;
    const uv = tensors[2]!.dataSync() as Float32Array;
    const bv = tensors[3]!.dataSync() as Float32Array;
    const withState = initialState !== undefined;
    const BU = B * U;
    const W4 = 4 * U;
    const xT = swapBatchTime(xv, B, T, d.features);
    const xp = projectInputs(xT, wv, bv, d);
    // Per visit step s: h and c before the step, activated gates, tanh(c').
    const hPrev = new Float32Array(T * BU);
    const cPrev = new Float32Array(T * BU);
    const gates = new Float32Array(T * B * W4);
    const tcs = new Float32Array(T * BU);
    const y = new Float32Array(B * T * U);
    const hp = new Float32Array(B * W4);
    let h = withState ? Float32Array.from(tensors[4]!.dataSync() as Float32Array) : new Float32Array(BU);
    let c = withState ? Float32Array.from(tensors[5]!.dataSync() as Float32Array) : new Float32Array(BU);
    // Two buffers each for h and c, swapped every step (every entry of the next ones is written).
    let hNext = new Float32Array(BU);
    let cNext = new Float32Array(BU);
    for (let s = 0; s < T; s++) {
      const t = backwards ? T - 1 - s : s;
      hPrev.set(h, s * BU);
      cPrev.set(c, s * BU);
      gemm({ m: B, n: W4, k: U, a: h, b: uv, c: hp });
      for (let b = 0; b < B; b++) {
        const xo = (t * B + b) * W4;
        const ho = b * W4;
        const go = (s * B + b) * W4;
        for (let u = 0; u < U; u++) {
          const ig = sigmoid(xp[xo + u]! + hp[ho + u]!);
          const fg = sigmoid(xp[xo + U + u]! + hp[ho + U + u]!);
          const gg = Math.tanh(xp[xo + 2 * U + u]! + hp[ho + 2 * U + u]!);
          const og = sigmoid(xp[xo + 3 * U + u]! + hp[ho + 3 * U + u]!);
          const i = b * U + u;
          const cv = fg * c[i]! + ig * gg;
          const tc = Math.tanh(cv);
          const hv = og * tc;
          gates[go + u] = ig;
          gates[go + U + u] = fg;
          gates[go + 2 * U + u] = gg;
          gates[go + 3 * U + u] = og;
          tcs[s * BU + i] = tc;
          cNext[i] = cv;
          hNext[i] = hv;
          y[(b * T + t) * U + u] = hv;
        }
      }
      [h, hNext] = [hNext, h];
      [c, cNext] = [cNext, c];
    }
    const value = tf.tensor3d(y, [B, T, U]);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const dyv = dy.dataSync() as Float32Array;
      const dxp = new Float32Array(T * B * W4); // time-indexed
      const da = new Float32Array(T * B * W4); // step-indexed
      let dh = new Float32Array(BU);
      let dc = new Float32Array(BU);
      // Swapped with dh and dc each step; both are overwritten whole (gate loop, gemm without accumulate).
      let dhPrev = new Float32Array(BU);
      let dcPrev = new Float32Array(BU);
      for (let s = T - 1; s >= 0; s--) {
        const t = backwards ? T - 1 - s : s;
        for (let b = 0; b < B; b++) {
          const xo = (t * B + b) * W4;
          const go = (s * B + b) * W4;
          for (let u = 0; u < U; u++) {
            const i = b * U + u;
            const si = s * BU + i;
            const ig = gates[go + u]!;
            const fg = gates[go + U + u]!;
            const gg = gates[go + 2 * U + u]!;
            const og = gates[go + 3 * U + u]!;
            const tc = tcs[si]!;
            const gh = dh[i]! + dyv[(b * T + t) * U + u]!;
            const gc = dc[i]! + gh * og * (1 - tc * tc);
            const dai = gc * gg * ig * (1 - ig);
            const daf = gc * cPrev[si]! * fg * (1 - fg);
            const dag = gc * ig * (1 - gg * gg);
            const dao = gh * tc * og * (1 - og);
            da[go + u] = dxp[xo + u] = dai;
            da[go + U + u] = dxp[xo + U + u] = daf;
            da[go + 2 * U + u] = dxp[xo + 2 * U + u] = dag;
            da[go + 3 * U + u] = dxp[xo + 3 * U + u] = dao;
            dcPrev[i] = gc * fg;
          }
        }
        gemm({ m: B, n: U, k: W4, a: da.subarray(s * B * W4, (s + 1) * B * W4), b: uv, transB: true, c: dhPrev });
        [dh, dhPrev] = [dhPrev, dh];
        [dc, dcPrev] = [dcPrev, dc];
      }
      const dU = new Float32Array(U * W4);
      gemm({ m: U, n: W4, k: T * B, a: hPrev, transA: true, b: da, c: dU });
      const back = backProjectInputs(dxp, xT, wv, d);
      const grads: tf.Tensor[] = [
        tf.tensor3d(back.dx, [B, T, d.features]),
        tf.tensor2d(back.dKernel, [d.features, W4]),
        tf.tensor2d(dU, [U, W4]),
        tf.tensor1d(back.dBias),
      ];
      if (withState) grads.push(tf.tensor2d(dh, [B, U]), tf.tensor2d(dc, [B, U]));
      return grads;
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return op(...inputs);
}
