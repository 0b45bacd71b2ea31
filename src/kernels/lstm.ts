import * as tf from '@tensorflow/tfjs-core';
import { gemm, runParallel, simdHeap } from './gemm.js';
import type { BiLstmSequenceArgs, LstmDirectionWeights, LstmSequenceArgs } from './recurrent-types.js';
import {
  backProjectInputs,
  bidirectionalDims,
  bidirectionalInference,
  bidirectionalInferenceApplies,
  chunkRows,
  onPaddedUnits,
  type SequenceDims,
  gatherChunkRows,
  keepCopy,
  projectInHeap,
  recordingGradients,
  releaseKept,
  sequenceWeightGrads,
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
  if (simdHeap(0) !== null) {
    const run = (t: tf.Tensor[], dims: SequenceDims) => lstmSequenceWasm(t, dims, backwards, initialState !== undefined);
    // Other unit counts: the same kernel on units padded to a multiple of 8.
    return U % 8 === 0 ? run(inputs, d) : onPaddedUnits(d, inputs, 1, run);
  }


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

/**
 * The LSTM with the whole recurrence in WebAssembly (units a multiple of 8), like the GRU's
 * (gru.ts): one call per chunk of batch rows forward and one backward, chunks shared with the
 * worker pool, batch-major throughout, input projection and weight gradients as single products.
 */
function lstmSequenceWasm(inputs: tf.Tensor[], d: ReturnType<typeof sequenceDims>, backwards: boolean, withState: boolean): tf.Tensor3D {
  const { batch: B, time: T, features: F, units: U } = d;
  const W4 = 4 * U;
  const BT = B * T;
  const Bp = Math.ceil(B / 4) * 4;
  const BTp = Bp * T + 4; // rows read past the last chunk / tile are discarded
  const bwd = backwards ? 1 : 0;
  const op = tf.customGrad(((...tensors: tf.Tensor[]) => {
    const xv = tensors[0]!.dataSync() as Float32Array;
    const wv = tensors[1]!.dataSync() as Float32Array;
    const uv = tensors[2]!.dataSync() as Float32Array;
    const bv = tensors[3]!.dataSync() as Float32Array;
    const h0v = withState ? (tensors[4]!.dataSync() as Float32Array) : null;
    const c0v = withState ? (tensors[5]!.dataSync() as Float32Array) : null;
    const save = recordingGradients();
    const rows = chunkRows(B, BT * U * W4);
    const chunks = Math.ceil(B / rows);
    // Layout (floats): x, W, U, bias, h0, c0, xp, then y, c, i, f, g, o, tanh(c) (kept for the backward pass), scratch.
    const oX = 0;
    const oW = oX + BTp * F;
    const oU = oW + F * W4;
    const oB = oU + U * W4;
    const oH0 = oB + W4;
    const oC0 = oH0 + Bp * U;
    const oXp = oC0 + Bp * U;
    const oY = oXp + BTp * W4;
    const kept = (k: number) => oY + k * BT * U;
    const oHp = kept(7) + 4 * T * U;
    const s = simdHeap(oHp + chunks * (rows + 4) * W4);
    if (s === null) throw new Error('lstmSequence: the WebAssembly module went away');
    const { w, h } = s;
    h.set(xv, oX);
    h.set(wv, oW);
    h.set(uv, oU);
    h.set(bv, oB);
    if (h0v !== null) h.set(h0v, oH0);
    else h.fill(0, oH0, oH0 + Bp * U);
    if (c0v !== null) h.set(c0v, oC0);
    else h.fill(0, oC0, oC0 + Bp * U);
    projectInHeap(w, d, oX, oW, oB, oXp);
    const jobs: number[][] = [];
    for (let c = 0; c < chunks; c++) {
      const b0 = c * rows;
      const hp = (oHp + c * (rows + 4) * W4) * 4;
      const k = [1, 2, 3, 4, 5, 6].map((i) => kept(i) * 4);
      jobs.push([oXp * 4, oU * 4, W4, oH0 * 4, oC0 * 4, oY * 4, k[0]!, hp, k[1]!, k[2]!, k[3]!, k[4]!, k[5]!, save ? 1 : 0, b0, Math.min(rows, B - b0), T, U, bwd, U]);
    }
    runParallel(w, 'lstmSeqForward', jobs, BT * U * W4);
    const value = tf.tensor3d(h.slice(oY, oY + BT * U), [B, T, U]);
    // y, c, i, f, g, o, tanh(c) in one copy, for the backward pass.
    let keptValues = save ? keepCopy(h.subarray(oY, kept(7))) : null;
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      if (keptValues === null) throw new Error('lstmSequence: gradient requested of a forward run outside a gradient scope, or twice');
      const grads = lstmBackwardWasm(dy.dataSync() as Float32Array, keptValues, xv, wv, uv, h0v, c0v, d, backwards, rows);
      releaseKept(keptValues);
      keptValues = null;
      return grads;
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return op(...inputs);
}

function lstmBackwardWasm(
  dyv: Float32Array, keptValues: Float32Array, xv: Float32Array, wv: Float32Array, uv: Float32Array,
  h0v: Float32Array | null, c0v: Float32Array | null, d: ReturnType<typeof sequenceDims>, backwards: boolean, rows: number,
): tf.Tensor[] {
  const { batch: B, time: T, features: F, units: U } = d;
  const W4 = 4 * U;
  const BT = B * T;
  const Bp = Math.ceil(B / 4) * 4;
  const BTp = Bp * T + 4;
  const chunks = Math.ceil(B / rows);
  // Layout (floats): dy, y c i f g o tanh(c), h0, c0, U, U^T, da, dh and dc per chunk, then the weight gradients' scratch.
  const oDy = 0;
  const oY = oDy + BT * U;
  const kept = (k: number) => oY + k * BT * U;
  const oH0 = kept(7);
  const oC0 = oH0 + Bp * U;
  const oU = oC0 + Bp * U;
  const oUT = oU + U * W4;
  const oDa = oUT + W4 * U;
  const oDh = oDa + BTp * W4;
  const oDc = oDh + chunks * (rows + 4) * U;
  const oEnd = oDc + chunks * (rows + 4) * U;
  const s = simdHeap(oEnd);
  if (s === null) throw new Error('lstmSequence: the WebAssembly module went away');
  const { w, h } = s;
  h.set(dyv, oDy);
  h.set(keptValues, oY);
  if (h0v !== null) h.set(h0v, oH0);
  else h.fill(0, oH0, oH0 + Bp * U);
  if (c0v !== null) h.set(c0v, oC0);
  else h.fill(0, oC0, oC0 + Bp * U);
  h.set(uv, oU);
  w.transpose(oU * 4, oUT * 4, U, W4);
  h.fill(0, oDh, oEnd);
  const jobs: number[][] = [];
  for (let c = 0; c < chunks; c++) {
    const b0 = c * rows;
    const k = [1, 2, 3, 4, 5, 6].map((i) => kept(i) * 4);
    const dh = (oDh + c * (rows + 4) * U) * 4;
    const dc = (oDc + c * (rows + 4) * U) * 4;
    jobs.push([oDy * 4, k[0]!, k[1]!, k[2]!, k[3]!, k[4]!, k[5]!, oC0 * 4, oUT * 4, U, oDa * 4, dh, dc, b0, Math.min(rows, B - b0), T, U, backwards ? 1 : 0]);
  }
  runParallel(w, 'lstmSeqBackward', jobs, BT * U * W4 * 2);
  const g = sequenceWeightGrads(w, oEnd, d, oY, oH0, oDa, oDa, xv, wv, backwards);
  const grads: tf.Tensor[] = [
    tf.tensor3d(g.dx, [B, T, F]),
    tf.tensor2d(g.dKernel, [F, W4]),
    tf.tensor2d(g.dRecurrent, [U, W4]),
    tf.tensor1d(g.dBiasInput),
  ];
  if (h0v !== null) grads.push(tf.tensor2d(gatherChunkRows(oDh, B, U, rows), [B, U]), tf.tensor2d(gatherChunkRows(oDc, B, U, rows), [B, U]));
  return grads;
}

/**
 * Both directions of a bidirectional LSTM in one call, for inference (null while gradients are
 * recorded, without the SIMD module, or for units not a multiple of 8); the sequence, or with
 * `finalOnly` the final states, as {@link biGruInferenceFused}; see {@link bidirectionalInference}.
 * Each direction's cell states go to its own region.
 */
export function biLstmInferenceFused(args: BiLstmSequenceArgs, finalOnly: boolean): tf.Tensor | null {
  const { x, forward: f, backward: b } = args;
  const op = finalOnly ? 'biLstmFinalStates' : 'biLstmSequence';
  const d = bidirectionalDims(op, x, f, b, 4);
  const U = d.units;
  expectShape(`${op}: forward.bias`, f.bias, [4 * U]);
  expectShape(`${op}: backward.bias`, b.bias, [4 * U]);
  if (!bidirectionalInferenceApplies(d)) return null;
  const dir = (w: LstmDirectionWeights) => ({
    kernel: w.kernel.dataSync() as Float32Array,
    recurrentKernel: w.recurrentKernel.dataSync() as Float32Array,
    projectionBias: w.bias.dataSync() as Float32Array,
    extra: null,
  });
  // The cell states in the direction's own region; nothing else is saved (save = 0).
  return bidirectionalInference(d, x.dataSync() as Float32Array, [dir(f), dir(b)], d.batch * d.time * U, 'lstmSeqForward', (r, backwards, b0, nb, hp) =>
    [r.xp, r.recurrent, 4 * U, r.zeros, r.zeros, r.y, r.own, hp, 0, 0, 0, 0, 0, 0, b0, nb, d.time, U, backwards, 2 * U], finalOnly);
}
