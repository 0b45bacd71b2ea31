import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { columnSumsSimd } from './gates.js';
import { gemm } from './gemm.js';

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
