import { simdHeap } from './gemm.js';

/**
 * Logistic sigmoid or tanh of every entry in the SIMD module's f32x4 approximations (the ones the
 * fused GRU uses); null without WebAssembly SIMD. For tests and benchmarks of their accuracy.
 */
export function simdActivation(kind: 'sigmoid' | 'tanh', x: Float32Array): Float32Array | null {
  const n4 = (x.length + 3) & ~3;
  const s = simdHeap(2 * n4);
  if (s === null) return null;
  s.h.fill(0, 0, n4);
  s.h.set(x, 0);
  if (kind === 'sigmoid') s.w.sigmoidArray(0, n4 * 4, n4);
  else s.w.tanhArray(0, n4 * 4, n4);
  return s.h.slice(n4, n4 + x.length);
}

/**
 * One forward gate pass of the reset-after GRU (see gru.ts's gruGatesForward for the JavaScript
 * form and the arguments) in WebAssembly SIMD: inputs are copied into the module's memory, the
 * pass runs on f32x4 with polynomial exp / tanh, results are copied out. Returns false (nothing
 * written) when the module is unavailable or `units` is not a multiple of 4.
 */
export function gruGatesForwardSimd(
  xp: Float32Array, hp: Float32Array, bh: Float32Array, h: Float32Array, hNext: Float32Array, so: number,
  zs: Float32Array, rs: Float32Array, ns: Float32Array, hns: Float32Array, y: Float32Array, n: number, U: number,
): boolean {
  if (U % 4 !== 0) return false;
  const W = 3 * n;
  const oXp = 0;
  const oHp = oXp + W;
  const oBh = oHp + W;
  const oH = oBh + 3 * U;
  const oOut = oH + n; // hNext, z, r, n, hn
  const s = simdHeap(oOut + 5 * n);
  if (s === null) return false;
  const { w, h: heap } = s;
  heap.set(xp.subarray(0, W), oXp);
  heap.set(hp.subarray(0, W), oHp);
  heap.set(bh.subarray(0, 3 * U), oBh);
  heap.set(h.subarray(0, n), oH);
  w.gruForward(oXp * 4, oHp * 4, oBh * 4, oH * 4, oOut * 4, (oOut + n) * 4, (oOut + 2 * n) * 4, (oOut + 3 * n) * 4, (oOut + 4 * n) * 4, n / U, U);
  const out = (k: number) => heap.subarray(oOut + k * n, oOut + (k + 1) * n);
  hNext.set(out(0));
  y.set(out(0));
  zs.set(out(1), so);
  rs.set(out(2), so);
  ns.set(out(3), so);
  hns.set(out(4), so);
  return true;
}

/**
 * Column sums of a row-major `[rows, m]` matrix in the SIMD module (rows added in order, like the
 * JavaScript loop, in float32); null without the module, for m not a multiple of 4 or small inputs.
 */
export function columnSumsSimd(src: Float32Array, rows: number, m: number): Float32Array | null {
  if (m % 4 !== 0 || rows * m < 1024) return null;
  const s = simdHeap(rows * m + m);
  if (s === null) return null;
  s.h.set(src.subarray(0, rows * m), 0);
  s.w.colsum(0, rows * m * 4, rows, m);
  return s.h.slice(rows * m, rows * m + m);
}

/**
 * One backward gate pass of the reset-after GRU (see gru.ts's gruGatesBackward for the JavaScript
 * form and the arguments) in WebAssembly SIMD: the same formulas in float32 arithmetic (the
 * JavaScript form rounds only when storing), equal to the op-composition reference to 1e-4.
 * Returns false (nothing written) when the module is unavailable or `units` is not a multiple of 4.
 */
export function gruGatesBackwardSimd(
  dh: Float32Array, dy: Float32Array, so: number, zs: Float32Array, rs: Float32Array, ns: Float32Array, hns: Float32Array,
  hPrev: Float32Array, dxp: Float32Array, dgh: Float32Array, dhPrev: Float32Array, n: number, U: number,
): boolean {
  if (U % 4 !== 0) return false;
  const W = 3 * n;
  // Inputs dh, dy, z, r, n, hn, hPrev (n floats each), then dxp and dgh (3n each), then dhPrev.
  const s = simdHeap(7 * n + 2 * W + n);
  if (s === null) return false;
  const { w, h } = s;
  h.set(dh.subarray(0, n), 0);
  h.set(dy.subarray(0, n), n);
  h.set(zs.subarray(so, so + n), 2 * n);
  h.set(rs.subarray(so, so + n), 3 * n);
  h.set(ns.subarray(so, so + n), 4 * n);
  h.set(hns.subarray(so, so + n), 5 * n);
  h.set(hPrev.subarray(so, so + n), 6 * n);
  const oX = 7 * n;
  const oG = oX + W;
  const oD = oG + W;
  w.gruBackward(0, n * 4, 2 * n * 4, 3 * n * 4, 4 * n * 4, 5 * n * 4, 6 * n * 4, oX * 4, oG * 4, oD * 4, n / U, U);
  dxp.set(h.subarray(oX, oX + W));
  dgh.set(h.subarray(oG, oG + W));
  dhPrev.set(h.subarray(oD, oD + n));
  return true;
}
