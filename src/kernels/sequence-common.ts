import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { columnSumsSimd } from './gates.js';
import { gemm, gemmInHeap, type GemmModule, onReleaseGemmMemory, parallelThreads, poolThreshold, runParallel, simdHeap } from './gemm.js';

/** Sizes of a whole-sequence recurrent call. */
export interface SequenceDims {
  batch: number;
  time: number;
  features: number;
  units: number;
  /** Gate blocks: 3 for the GRU, 4 for the LSTM. */
  gates: number;
}

/** Shape checks shared by the fused GRU and LSTM (the same errors as the reference). */
export function sequenceDims(op: string, x: tf.Tensor, kernel: tf.Tensor, recurrentKernel: tf.Tensor, gates: number): SequenceDims {
  if (x.rank !== 3) throw new ShapeError(`${op}: x`, 'a rank-3 tensor [batch, time, features]', x);
  const [batch, time, features] = x.shape as [number, number, number];
  if (time < 1) throw new ShapeError(`${op}: x`, 'at least one time step', x);
  const units = recurrentKernel.shape[0] ?? 0;
  if (recurrentKernel.rank !== 2 || recurrentKernel.shape[1] !== gates * units) {
    throw new ShapeError(`${op}: recurrentKernel`, `shape [units, ${gates} * units]`, recurrentKernel);
  }
  if (kernel.rank !== 2 || kernel.shape[0] !== features || kernel.shape[1] !== gates * units) {
    throw new ShapeError(`${op}: kernel`, `shape [${features}, ${gates * units}]`, kernel);
  }
  return { batch, time, features, units, gates };
}

/** Throws a ShapeError unless `t` has exactly `shape`. */
export function expectShape(name: string, t: tf.Tensor, shape: number[]): void {
  if (t.rank !== shape.length || shape.some((d, i) => t.shape[i] !== d)) throw new ShapeError(name, `shape [${shape.join(', ')}]`, t);
}

/** `[batch, time, width]` -> `[time, batch, width]` (or back, with batch and time swapped). */
export function swapBatchTime(src: Float32Array, batch: number, time: number, width: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const s = (b * time + t) * width;
      out.set(src.subarray(s, s + width), (t * batch + b) * width);
    }
  }
  return out;
}

/** The input projection of every step in one product: time-major `[time * batch, gates * units]`, bias added. */
export function projectInputs(xTimeMajor: Float32Array, kernel: Float32Array, bias: Float32Array, d: SequenceDims): Float32Array {
  const width = d.gates * d.units;
  const rows = d.time * d.batch;
  const out = new Float32Array(rows * width);
  // The bias first, then the product added to it (one pass instead of a second loop over out).
  for (let r = 0; r < rows; r++) out.set(bias, r * width);
  gemm({ m: rows, n: width, k: d.features, a: xTimeMajor, b: kernel, c: out, accumulate: true });
  return out;
}

/** Column sums of a `[rows, width]` matrix. */
export function columnSums(m: Float32Array, rows: number, width: number): Float32Array {
  const simd = columnSumsSimd(m, rows, width);
  if (simd !== null) return simd;
  const out = new Float32Array(width);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let j = 0; j < width; j++) out[j] = (out[j] as number) + (m[o + j] as number);
  }
  return out;
}

/**
 * Gradients through the input projection, given d(pre-activations) time-major `[time * batch, width]`:
 * dx `[batch, time, features]`, dKernel `[features, width]`, dBias `[width]`.
 */
export function backProjectInputs(
  dPre: Float32Array,
  xTimeMajor: Float32Array,
  kernel: Float32Array,
  d: SequenceDims,
): { dx: Float32Array; dKernel: Float32Array; dBias: Float32Array } {
  const width = d.gates * d.units;
  const rows = d.time * d.batch;
  const dKernel = new Float32Array(d.features * width);
  gemm({ m: d.features, n: width, k: rows, a: xTimeMajor, transA: true, b: dPre, c: dKernel });
  const dxT = new Float32Array(rows * d.features);
  gemm({ m: rows, n: d.features, k: width, a: dPre, b: kernel, transB: true, c: dxT });
  return { dx: swapBatchTime(dxT, d.time, d.batch, d.features), dKernel, dBias: columnSums(dPre, rows, width) };
}

/** Logistic sigmoid. */
export function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** Batch rows per chunk of the whole-sequence kernels: a multiple of 4 (the product's row tile). */
export function chunkRows(B: number, work: number): number {
  // Several chunks per thread when the pool may run (a busy worker takes fewer), else one chunk.
  const parts = parallelThreads() > 1 && work >= poolThreshold() ? Math.min(8, Math.ceil(B / 16)) : 1;
  return Math.ceil(B / parts / 4) * 4;
}

/** True when gradients are being recorded (a tape is active), so a forward keeps what its backward needs. */
export function recordingGradients(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return (state?.gradientDepth ?? 1) > 0;
}

/**
 * The input projection in the module's memory (float offsets): xp [B T, G U] = x [B T, F] W + bias,
 * batch-major, the bias added by the product to each finished tile (G U a multiple of 8). x needs 4
 * rows of slack after it, xp too (the product's row tile).
 */
export function projectInHeap(w: GemmModule, d: SequenceDims, oX: number, oW: number, oBias: number, oXp: number): void {
  const width = d.gates * d.units;
  const rows = d.batch * d.time;
  gemmInHeap(w, rows, width, d.features, oX * 4, d.features * 4, 4, oW * 4, width * 4, oXp * 4, width * 4, false, { bias: oBias * 4, relu: false });
}

/** Rows [B, U] gathered from per-chunk blocks of (rows + 4) x U floats at `off` in the module's memory. */
export function gatherChunkRows(off: number, B: number, U: number, rows: number): Float32Array {
  const s = simdHeap(0);
  if (s === null) throw new Error('the WebAssembly module went away');
  const out = new Float32Array(B * U);
  for (let c = 0; c * rows < B; c++) {
    const nb = Math.min(rows, B - c * rows);
    const o = off + c * (rows + 4) * U;
    out.set(s.h.subarray(o, o + nb * U), c * rows * U);
  }
  return out;
}

/**
 * The weight gradients of a whole-sequence kernel from d(pre-activations) in the module's memory
 * (float offsets; all batch-major [B T, G U]): dRecurrent = prev^T dRec (prev: the state before
 * each step, from the outputs y and h0), dKernel = x^T dIn, dx = dIn W^T, and the column sums of
 * dIn and dRec (the biases). Scratch goes from `base` on.
 */
export function sequenceWeightGrads(
  w: GemmModule, base: number, d: SequenceDims, oY: number, oH0: number, oDRec: number, oDIn: number,
  xv: Float32Array, wv: Float32Array, backwards: boolean,
): { dx: Float32Array; dKernel: Float32Array; dRecurrent: Float32Array; dBiasInput: Float32Array; dBiasRecurrent: Float32Array } {
  const { batch: B, time: T, features: F, units: U } = d;
  const G = d.gates * U;
  const BT = B * T;
  const Fp = Math.ceil(F / 8) * 8;
  // Previous states and their transpose, x and its transpose, W, W^T, dU, dW (with the 4-row
  // tile's spill), W^T with Fp columns, dx, the bias sums.
  const oPrev = base;
  const oPrevT = oPrev + BT * U;
  const oX = oPrevT + BT * U;
  const oXT = oX + BT * F;
  const oWs = oXT + BT * F;
  const oWT = oWs + F * G;
  const oDU = oWT + G * F;
  const oDW = oDU + U * G;
  const oWTp = oDW + F * G + 4 * G;
  const oDx = oWTp + G * Fp;
  const oBias = oDx + (BT + 4) * Fp;
  const s = simdHeap(oBias + 2 * G + 16);
  if (s === null) throw new Error('the WebAssembly module went away');
  const { h } = s;
  w.gruPrevStates(oY * 4, oH0 * 4, oPrev * 4, B, T, U, backwards ? 1 : 0);
  w.transpose(oPrev * 4, oPrevT * 4, BT, U);
  gemmInHeap(w, U, G, BT, oPrevT * 4, BT * 4, 4, oDRec * 4, G * 4, oDU * 4, G * 4, false);
  h.set(xv, oX);
  w.transpose(oX * 4, oXT * 4, BT, F);
  gemmInHeap(w, F, G, BT, oXT * 4, BT * 4, 4, oDIn * 4, G * 4, oDW * 4, G * 4, false);
  h.set(wv, oWs);
  w.transpose(oWs * 4, oWT * 4, F, G);
  let dx: Float32Array;
  if (Fp === F) {
    gemmInHeap(w, BT, F, G, oDIn * 4, G * 4, 4, oWT * 4, F * 4, oDx * 4, F * 4, false);
    dx = h.slice(oDx, oDx + BT * F);
  } else {
    // Columns past F: W^T rows re-laid with Fp columns (zeros past F), C rows Fp apart.
    for (let p = 0; p < G; p++) {
      h.copyWithin(oWTp + p * Fp, oWT + p * F, oWT + p * F + F);
      h.fill(0, oWTp + p * Fp + F, oWTp + (p + 1) * Fp);
    }
    gemmInHeap(w, BT, F, G, oDIn * 4, G * 4, 4, oWTp * 4, Fp * 4, oDx * 4, Fp * 4, false);
    dx = new Float32Array(BT * F);
    for (let r = 0; r < BT; r++) dx.set(h.subarray(oDx + r * Fp, oDx + r * Fp + F), r * F);
  }
  w.colsum(oDIn * 4, oBias * 4, BT, G);
  w.colsum(oDRec * 4, (oBias + G) * 4, BT, G);
  return {
    dx,
    dKernel: h.slice(oDW, oDW + F * G),
    dRecurrent: h.slice(oDU, oDU + U * G),
    dBiasInput: h.slice(oBias, oBias + G),
    dBiasRecurrent: h.slice(oBias + G, oBias + 2 * G),
  };
}

/**
 * Buffers of kept forward state given back by finished backward passes, for the next forward to
 * reuse (at most 8; `releaseGemmMemory()` drops them with the module's memory).
 */
const keptFree: Float32Array[] = [];
const KEPT_FREE_MAX = 8;
onReleaseGemmMemory(() => {
  keptFree.length = 0;
});

/**
 * A copy of `src` (what a sequence op keeps for its backward pass) in a buffer of the same length
 * given back by an earlier backward pass when there is one, else a new one: training reuses the same
 * few buffers step after step instead of allocating megabytes per op for the collector.
 */
export function keepCopy(src: Float32Array): Float32Array {
  const i = keptFree.findIndex((b) => b.length === src.length);
  const buf = i >= 0 ? keptFree.splice(i, 1)[0]! : new Float32Array(src.length);
  buf.set(src);
  return buf;
}

/** Gives a kept buffer back once its backward pass has read it (at most a few are held). */
export function releaseKept(buf: Float32Array): void {
  if (keptFree.length < KEPT_FREE_MAX && !keptFree.includes(buf)) keptFree.push(buf);
}

/**
 * Shape checks of a two-direction call: each direction's weights against x (as
 * {@link sequenceDims}), and the backward direction's units equal to the forward one's.
 */
export function bidirectionalDims(
  op: string, x: tf.Tensor, forward: { kernel: tf.Tensor; recurrentKernel: tf.Tensor }, backward: { kernel: tf.Tensor; recurrentKernel: tf.Tensor }, gates: number,
): SequenceDims {
  const d = sequenceDims(op, x, forward.kernel, forward.recurrentKernel, gates);
  const U = d.units;
  if (sequenceDims(op, x, backward.kernel, backward.recurrentKernel, gates).units !== U) {
    throw new ShapeError(`${op}: backward.recurrentKernel`, `shape [${U}, ${gates * U}] (the forward direction's units)`, backward.recurrentKernel);
  }
  return d;
}

/** True when {@link bidirectionalInference} runs: no gradient being recorded, units a multiple of 8, the SIMD module present. */
export function bidirectionalInferenceApplies(d: SequenceDims): boolean {
  return !recordingGradients() && d.units % 8 === 0 && simdHeap(0) !== null;
}

/** One direction of {@link bidirectionalInference}: its weights, and the floats of its own region for the kernel. */
export interface InferenceDirection {
  /** Input weights `[features, gates * units]`. */
  kernel: Float32Array;
  /** Recurrent weights `[units, gates * units]`. */
  recurrentKernel: Float32Array;
  /** The bias the input projection adds, `[gates * units]`. */
  projectionBias: Float32Array;
  /** Values the kernel reads from its own region (the GRU's recurrent bias), or null. */
  extra: Float32Array | null;
}

/** Byte offsets of one direction's regions, for the kernel's job arguments. */
export interface DirectionRegions {
  /** Input projection `[B T, gates U]` (bias included). */
  xp: number;
  /** Recurrent weights. */
  recurrent: number;
  /** The direction's own region (`extra` floats, then `scratch` floats). */
  own: number;
  /** Zeros `[B, U]` (initial state; shared). */
  zeros: number;
  /** This direction's half of the first output row. */
  y: number;
}

/**
 * Both directions of a bidirectional layer at inference, in one parallel job: x copied into the
 * module once, each direction's input projection there, then every chunk of both directions'
 * sequence kernel (`fn`) writing its half of the `[B, T, 2U]` output rows (ldy = 2U); one copy out:
 * of those rows, or with `finalOnly` of each direction's final state (`[B, 2U]`: the forward
 * direction's output at the last step, the backward direction's at the first).
 * `scratch` floats per direction follow its `extra` values (the LSTM's cell states); `job` builds a
 * chunk's arguments from the regions, the direction (1: backwards), the chunk's rows and its product
 * scratch.
 */
export function bidirectionalInference(
  d: SequenceDims, x: Float32Array, dirs: readonly [InferenceDirection, InferenceDirection], scratch: number,
  fn: 'gruSeqForward' | 'lstmSeqForward', job: (r: DirectionRegions, backwards: number, b0: number, nb: number, hp: number) => number[],
  finalOnly: boolean,
): tf.Tensor3D | tf.Tensor2D | null {
  const { batch: B, time: T, features: F, units: U, gates: G } = d;
  const W = G * U;
  const BT = B * T;
  const Bp = Math.ceil(B / 4) * 4;
  const BTp = Bp * T + 4; // rows read past the last chunk / tile are discarded
  const rows = chunkRows(B, BT * U * W);
  const chunks = Math.ceil(B / rows);
  const extra = dirs[0].extra?.length ?? 0;
  // Layout (floats): x, per direction [W, U, projection bias, xp, own (extra, scratch)], zeros
  // [Bp, U], y [B, T, 2U] with 4 batch rows of slack (the product tile reads past the last chunk),
  // per job product scratch.
  const span = F * W + U * W + W + BTp * W + extra + scratch;
  const regions = [0, 1].map((i) => {
    const oW = BTp * F + i * span;
    return { oW, oU: oW + F * W, oB: oW + F * W + U * W, oXp: oW + F * W + U * W + W, own: oW + F * W + U * W + W + BTp * W };
  });
  const oZeros = BTp * F + 2 * span;
  const oY = oZeros + Bp * U;
  const oHp = oY + (Bp + 4) * T * 2 * U;
  const s = simdHeap(oHp + 2 * chunks * (rows + 4) * W);
  if (s === null) return null;
  const { w, h } = s;
  h.set(x, 0);
  h.fill(0, oZeros, oZeros + Bp * U);
  const jobs: number[][] = [];
  dirs.forEach((dir, i) => {
    const r = regions[i]!;
    h.set(dir.kernel, r.oW);
    h.set(dir.recurrentKernel, r.oU);
    h.set(dir.projectionBias, r.oB);
    if (dir.extra !== null) h.set(dir.extra, r.own);
    projectInHeap(w, d, 0, r.oW, r.oB, r.oXp);
    const at = { xp: r.oXp * 4, recurrent: r.oU * 4, own: r.own * 4, zeros: oZeros * 4, y: (oY + i * U) * 4 };
    for (let c = 0; c < chunks; c++) {
      const b0 = c * rows;
      jobs.push(job(at, i, b0, Math.min(rows, B - b0), (oHp + (i * chunks + c) * (rows + 4) * W) * 4));
    }
  });
  runParallel(w, fn, jobs, 2 * BT * U * W);
  if (!finalOnly) return tf.tensor3d(h.slice(oY, oY + BT * 2 * U), [B, T, 2 * U]);
  const out = new Float32Array(B * 2 * U);
  for (let b = 0; b < B; b++) {
    const last = oY + (b * T + T - 1) * 2 * U;
    const first = oY + b * T * 2 * U + U;
    out.set(h.subarray(last, last + U), b * 2 * U);
    out.set(h.subarray(first, first + U), b * 2 * U + U);
  }
  return tf.tensor2d(out, [B, 2 * U]);
}

/**
 * A whole-sequence kernel `run` on units padded to the next multiple of 8 (its products write 8
 * columns at a time, its gate passes 4 units), for unit counts that are not one. `inputs` are the
 * wrappers' list: x, kernel, recurrent kernel, then `biases` bias vectors, then initial states.
 * Each gate block of the weights and biases gets zero columns, the recurrent kernel zero rows and
 * the states zero columns, with differentiable tfjs ops, and the output is sliced back (so the
 * gradients are sliced back too). The padded units stay 0 at every step (GRU: n = tanh(0) = 0,
 * h = (1 - z) 0 + z 0; LSTM: g = 0, so c = 0 and h = 0) and feed nothing into the real ones.
 */
export function onPaddedUnits(
  d: SequenceDims, inputs: tf.Tensor[], biases: number, run: (padded: tf.Tensor[], dims: SequenceDims) => tf.Tensor3D,
): tf.Tensor3D {
  const { batch: B, time: T, units: U, gates: G } = d;
  const Up = Math.ceil(U / 8) * 8;
  // [..., G U] -> [..., G Up]: each gate block followed by zero columns.
  const padGates = (t: tf.Tensor) => {
    const lead = t.shape.slice(0, -1);
    const blocks = tf.reshape(t, [...lead, G, U]);
    return tf.reshape(tf.pad(blocks, [...lead.map((): [number, number] => [0, 0]), [0, 0], [0, Up - U]]), [...lead, G * Up]);
  };
  return tf.tidy(() => {
    const [x, kernel, recurrent, ...rest] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor, ...tf.Tensor[]];
    const padded = [
      x,
      padGates(kernel),
      tf.pad(padGates(recurrent), [[0, Up - U], [0, 0]]),
      ...rest.map((t, i) => (i < biases ? padGates(t) : tf.pad(t, [[0, 0], [0, Up - U]]))),
    ];
    return tf.slice(run(padded, { ...d, units: Up }), [0, 0, 0], [B, T, U]);
  });
}
