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
