import * as tf from '@tensorflow/tfjs-core';
import { gemm, runParallel, simdHeap } from './gemm.js';
import type { BiGruSequenceArgs, GruDirectionWeights, GruSequenceArgs } from './recurrent-types.js';
import {
  backProjectInputs,
  bidirectionalDims,
  bidirectionalInference,
  bidirectionalInferenceApplies,
  chunkRows,
  onPaddedUnits,
  type SequenceDims,
  gatherChunkRows,
  projectInHeap,
  recordingGradients,
  sequenceWeightGrads,
  columnSums,
  keepCopy,
  releaseKept,
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
  if (simdHeap(0) !== null) {
    const run = (t: tf.Tensor[], dims: SequenceDims) => gruSequenceWasm(t, dims, backwards, initialState !== undefined);
    // Other unit counts: the same kernel on units padded to a multiple of 8.
    return U % 8 === 0 ? run(inputs, d) : onPaddedUnits(d, inputs, 2, run);
  }


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
      gruGatesForward(...fwdArgs);
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
        gruGatesBackward(...bwdArgs);
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

/**
 * The GRU with the whole recurrence in WebAssembly (units a multiple of 8): one call per chunk of
 * batch rows runs every step (recurrent product and gate pass) forward, and one runs them all
 * backward; chunks are independent, so the worker pool takes some of them. The input projection
 * and the weight gradients are single products over all steps, in the module's memory. Everything
 * is batch-major ([batch, time, ...] as tfjs holds it), so nothing is transposed between layouts.
 */
function gruSequenceWasm(inputs: tf.Tensor[], d: ReturnType<typeof sequenceDims>, backwards: boolean, withState: boolean): tf.Tensor3D {
  const { batch: B, time: T, features: F, units: U } = d;
  const W3 = 3 * U;
  const BT = B * T;
  const Bp = Math.ceil(B / 4) * 4;
  const BTp = Bp * T + 4; // rows read past the last chunk / tile are discarded
  const bwd = backwards ? 1 : 0;
  const op = tf.customGrad(((...tensors: tf.Tensor[]) => {
    const xv = tensors[0]!.dataSync() as Float32Array;
    const wv = tensors[1]!.dataSync() as Float32Array;
    const uv = tensors[2]!.dataSync() as Float32Array;
    const bi = tensors[3]!.dataSync() as Float32Array;
    const bh = tensors[4]!.dataSync() as Float32Array;
    const h0v = withState ? (tensors[5]!.dataSync() as Float32Array) : null;
    const save = recordingGradients();
    const rows = chunkRows(B, BT * U * W3);
    // Layout (floats): x, W, U, bh, bi, h0, xp, then y, z, r, n, hn (kept for the backward pass), scratch.
    const oX = 0;
    const oW = oX + BTp * F;
    const oU = oW + F * W3;
    const oBh = oU + U * W3;
    const oBi = oBh + W3;
    const oH0 = oBi + W3;
    const oXp = oH0 + Bp * U;
    const oY = oXp + BTp * W3;
    const oZ = oY + BT * U;
    const oR = oZ + BT * U;
    const oN = oR + BT * U;
    const oHn = oN + BT * U;
    const oHp = oHn + BTp * U;
    const chunks = Math.ceil(B / rows);
    const s = simdHeap(oHp + chunks * (rows + 4) * W3);
    if (s === null) throw new Error('gruSequence: the WebAssembly module went away');
    const { w, h } = s;
    h.set(xv, oX);
    h.set(wv, oW);
    h.set(uv, oU);
    h.set(bh, oBh);
    h.set(bi, oBi);
    if (h0v !== null) h.set(h0v, oH0);
    else h.fill(0, oH0, oH0 + Bp * U);
    projectInHeap(w, d, oX, oW, oBi, oXp);
    const jobs: number[][] = [];
    for (let c = 0; c < chunks; c++) {
      const b0 = c * rows;
      const nb = Math.min(rows, B - b0);
      const hp = (oHp + c * (rows + 4) * W3) * 4;
      jobs.push([oXp * 4, oU * 4, W3, oBh * 4, oH0 * 4, oY * 4, hp, oZ * 4, oR * 4, oN * 4, oHn * 4, save ? 1 : 0, b0, nb, T, U, bwd, U]);
    }
    runParallel(w, 'gruSeqForward', jobs, BT * U * W3);
    const value = tf.tensor3d(h.slice(oY, oY + BT * U), [B, T, U]);
    // y, z, r, n, hn in one copy, for the backward pass (the module's memory is reused meanwhile).
    let kept = save ? keepCopy(h.subarray(oY, oY + 5 * BT * U)) : null;
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      if (kept === null) throw new Error('gruSequence: gradient requested of a forward run outside a gradient scope, or twice');
      const grads = gruBackwardWasm(dy.dataSync() as Float32Array, kept, xv, wv, uv, h0v, d, backwards, rows);
      releaseKept(kept);
      kept = null;
      return grads;
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor3D;
  return op(...inputs);
}

function gruBackwardWasm(
  dyv: Float32Array, kept: Float32Array, xv: Float32Array, wv: Float32Array, uv: Float32Array, h0v: Float32Array | null,
  d: ReturnType<typeof sequenceDims>, backwards: boolean, rows: number,
): tf.Tensor[] {
  const { batch: B, time: T, features: F, units: U } = d;
  const W3 = 3 * U;
  const BT = B * T;
  const Bp = Math.ceil(B / 4) * 4;
  const BTp = Bp * T + 4;
  const chunks = Math.ceil(B / rows);
  // Layout (floats): dy, y z r n hn, h0, U, U^T, dxp, dgh, dh per chunk, then the weight gradients' scratch.
  const oDy = 0;
  const oY = oDy + BT * U;
  const oZ = oY + BT * U;
  const oR = oZ + BT * U;
  const oN = oR + BT * U;
  const oHn = oN + BT * U;
  const oH0 = oHn + BT * U;
  const oU = oH0 + Bp * U;
  const oUT = oU + U * W3;
  const oDxp = oUT + W3 * U;
  const oDgh = oDxp + BTp * W3;
  const oDh = oDgh + BTp * W3;
  const oEnd = oDh + chunks * (rows + 4) * U;
  const s = simdHeap(oEnd);
  if (s === null) throw new Error('gruSequence: the WebAssembly module went away');
  const { w, h } = s;
  h.set(dyv, oDy);
  h.set(kept, oY);
  if (h0v !== null) h.set(h0v, oH0);
  else h.fill(0, oH0, oH0 + Bp * U);
  h.set(uv, oU);
  w.transpose(oU * 4, oUT * 4, U, W3);
  h.fill(0, oDh, oEnd);
  const bwd = backwards ? 1 : 0;
  const jobs: number[][] = [];
  for (let c = 0; c < chunks; c++) {
    const b0 = c * rows;
    const nb = Math.min(rows, B - b0);
    jobs.push([oDy * 4, oZ * 4, oR * 4, oN * 4, oHn * 4, oY * 4, oH0 * 4, oUT * 4, U, oDxp * 4, oDgh * 4, (oDh + c * (rows + 4) * U) * 4, b0, nb, T, U, bwd]);
  }
  runParallel(w, 'gruSeqBackward', jobs, BT * U * W3 * 2);
  const g = sequenceWeightGrads(w, oEnd, d, oY, oH0, oDgh, oDxp, xv, wv, backwards);
  const grads: tf.Tensor[] = [
    tf.tensor3d(g.dx, [B, T, F]),
    tf.tensor2d(g.dKernel, [F, W3]),
    tf.tensor2d(g.dRecurrent, [U, W3]),
    tf.tensor1d(g.dBiasInput),
    tf.tensor1d(g.dBiasRecurrent),
  ];
  if (h0v !== null) grads.push(tf.tensor2d(gatherChunkRows(oDh, B, U, rows), [B, U]));
  return grads;
}

/**
 * Both directions of a bidirectional GRU in one call, for inference (null while gradients are
 * recorded, without the SIMD module, or for units not a multiple of 8: the caller then composes
 * two sequence ops); the whole `[B, T, 2U]` sequence, or with `finalOnly` the final states
 * `[B, 2U]`; see {@link bidirectionalInference}.
 */
export function biGruInferenceFused(args: BiGruSequenceArgs, finalOnly: boolean): tf.Tensor | null {
  const { x, forward: f, backward: b } = args;
  const op = finalOnly ? 'biGruFinalStates' : 'biGruSequence';
  const d = bidirectionalDims(op, x, f, b, 3);
  const U = d.units;
  for (const [name, t] of [['forward.inputBias', f.inputBias], ['forward.recurrentBias', f.recurrentBias], ['backward.inputBias', b.inputBias], ['backward.recurrentBias', b.recurrentBias]] as const) {
    expectShape(`${op}: ${name}`, t, [3 * U]);
  }
  if (!bidirectionalInferenceApplies(d)) return null;
  const dir = (w: GruDirectionWeights) => ({
    kernel: w.kernel.dataSync() as Float32Array,
    recurrentKernel: w.recurrentKernel.dataSync() as Float32Array,
    projectionBias: w.inputBias.dataSync() as Float32Array,
    extra: w.recurrentBias.dataSync() as Float32Array,
  });
  // The recurrent bias is the direction's own region; nothing is saved (save = 0), so the gate
  // outputs' pointers are never written.
  return bidirectionalInference(d, x.dataSync() as Float32Array, [dir(f), dir(b)], 0, 'gruSeqForward', (r, backwards, b0, nb, hp) =>
    [r.xp, r.recurrent, 3 * U, r.own, r.zeros, r.y, hp, 0, 0, 0, 0, 0, b0, nb, d.time, U, backwards, 2 * U], finalOnly);
}
