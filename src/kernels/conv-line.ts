import type * as tf from '@tensorflow/tfjs-core';
import { simdHeap } from './gemm.js';

type ConvInfo = tf.backend_util.Conv2DInfo;

/**
 * Convolutions with one filter row (conv1d as conv2d, the papers' k x 1 / 1 x k kernels) without
 * im2col: each image line is copied once into the SIMD module with its left/right zero padding,
 * and the product reads the im2col matrix in place: its row `ow` is the `filterWidth * inChannels`
 * floats starting at `ow * strideWidth * inChannels`, so rows overlap and nothing is expanded.
 * Requires float32 NHWC, no dilation, no top/bottom padding and outChannels a multiple of 8 (the
 * callers check `lineConvApplies` and otherwise use im2col).
 */
export function lineConvApplies(c: ConvInfo): boolean {
  return c.filterHeight === 1 && c.padInfo.top === 0 && c.padInfo.bottom === 0 && c.dilationWidth === 1 && c.dilationHeight === 1 && c.outChannels % 8 === 0;
}

interface Layout {
  lines: number;
  /** Floats per padded line. */
  lp: number;
  /** Floats of the padded-lines region, slack included. */
  size: number;
  k: number;
  rowStep: number;
}

function layout(c: ConvInfo): Layout {
  const C = c.inChannels;
  const k = c.filterWidth * C;
  const rowStep = c.strideWidth * C;
  const lp = Math.max(c.padInfo.left + c.inWidth, (c.outWidth - 1) * c.strideWidth + c.filterWidth) * C;
  const lines = c.batchSize * c.outHeight;
  // Rows past outWidth (up to 4 more) and columns past k (up to 8 more) read past the last line.
  return { lines, lp, size: lines * lp + 4 * rowStep + k + 16, k, rowStep };
}

/** Copies every output line's input line into `h` at `off`, zero-padded left and right. */
function copyLines(x: Float32Array, c: ConvInfo, L: Layout, h: Float32Array, off: number): void {
  const C = c.inChannels;
  const left = c.padInfo.left * C;
  const lineIn = c.inWidth * C;
  h.fill(0, off, off + L.size);
  for (let n = 0, l = 0; n < c.batchSize; n++) {
    for (let oh = 0; oh < c.outHeight; oh++, l++) {
      const src = (n * c.inHeight + oh * c.strideHeight) * lineIn;
      h.set(x.subarray(src, src + lineIn), off + l * L.lp + left);
    }
  }
}

/** Conv2D output `[batch, outHeight, outWidth, outChannels]`, or null without the SIMD module. */
export function conv2DLines(x: Float32Array, filter: Float32Array, c: ConvInfo): Float32Array | null {
  const L = layout(c);
  const Co = c.outChannels;
  const OW = c.outWidth;
  const wOff = L.size;
  const cOff = wOff + L.k * Co + 16;
  const total = L.lines * OW;
  const s = simdHeap(cOff + (total + 4) * Co);
  if (s === null) return null;
  const { w, h } = s;
  copyLines(x, c, L, h, 0);
  h.set(filter.subarray(0, L.k * Co), wOff);
  const mt = (OW + 3) >> 2;
  // Lines in order: the rows a line computes past outWidth land on the next line's rows, which
  // that line then overwrites.
  for (let l = 0; l < L.lines; l++) {
    w.sgemm(l * L.lp * 4, L.rowStep * 4, 4, wOff * 4, Co * 4, (cOff + l * OW * Co) * 4, Co * 4, mt, Co / 8, L.k, 0);
  }
  return h.slice(cOff, cOff + total * Co);
}

/** Conv2DBackpropFilter `[1, filterWidth, inChannels, outChannels]`, or null without the SIMD module. */
export function conv2DBackpropFilterLines(x: Float32Array, dy: Float32Array, c: ConvInfo): Float32Array | null {
  const L = layout(c);
  const Co = c.outChannels;
  const OW = c.outWidth;
  const R = L.lines * OW;
  const kp = (L.k + 7) & ~7;
  const rawOff = L.size;
  const dyTOff = rawOff + R * Co;
  const gOff = dyTOff + R * Co; // dW^T [Co, kp]
  const outOff = gOff + Co * kp; // dW [kp, Co]
  const s = simdHeap(outOff + kp * Co);
  if (s === null) return null;
  const { w, h } = s;
  copyLines(x, c, L, h, 0);
  h.set(dy.subarray(0, R * Co), rawOff);
  w.transpose(rawOff * 4, dyTOff * 4, R, Co);
  // dW^T [Co, k] = sum over lines of dy_line^T [Co, OW] x X_line [OW, k], X_line read in place.
  for (let l = 0; l < L.lines; l++) {
    w.sgemm((dyTOff + l * OW) * 4, R * 4, 4, l * L.lp * 4, L.rowStep * 4, gOff * 4, kp * 4, Co / 4, kp / 8, OW, l > 0 ? 1 : 0);
  }
  w.transpose(gOff * 4, outOff * 4, Co, kp);
  return h.slice(outOff, outOff + L.k * Co);
}

/**
 * Conv2DBackpropInput (the input gradient, and what conv2dTranspose runs) with one filter row,
 * without col2im. In each padded input line, position q = ow * strideWidth + fw receives
 * dy[ow] W[fw]^T; the positions of one phase q mod strideWidth get the taps fw of that phase, so
 * per phase this is a stride-1 convolution of the dy line with those taps reversed: the product
 * reads its rows in place (overlapping rows of dy, as `conv2DLines` reads x) and writes every
 * strideWidth-th position of the padded dx lines. All lines share one pitch, so each phase is a
 * single product over the whole batch. Requires inChannels a multiple of 8 (the product writes
 * 8 columns at a time, and the phases interleave); see `lineInputGradApplies`.
 */
export function lineInputGradApplies(c: ConvInfo): boolean {
  return c.filterHeight === 1 && c.padInfo.top === 0 && c.padInfo.bottom === 0 && c.dilationWidth === 1 && c.dilationHeight === 1 && c.inChannels % 8 === 0;
}

/** Steps of k per product call (keeps the taps' block of B in L2), as gemm.ts does. */
const K_BLOCK = 256;
/** Column panels (of 8) per product call. */
const N_BLOCK = 16;

/** Conv2DBackpropInput `[batch, inHeight, inWidth, inChannels]`, or null without the SIMD module. */
export function conv2DBackpropInputLines(dy: Float32Array, filter: Float32Array, c: ConvInfo): Float32Array | null {
  const C = c.inChannels;
  const Co = c.outChannels;
  const s = c.strideWidth;
  const FW = c.filterWidth;
  const OW = c.outWidth;
  const left = c.padInfo.left;
  const lines = c.batchSize * c.outHeight;
  // Padded dx line: positions [0, Q) with the input at [left, left + inWidth).
  const Q = Math.max(left + c.inWidth, (OW - 1) * s + FW);
  const J = Math.ceil(Q / s); // positions per phase per line
  const taps = (phase: number) => Math.max(0, Math.ceil((FW - phase) / s));
  const D = taps(0) - 1; // zero rows before each dy line, so a row can look back D rows
  const pitch = D + J; // dy rows per line; dx lines are pitch * s positions apart
  const m = lines * pitch;
  const mt = (m + 3) >> 2;
  const ldb = (C * 4) % 1024 === 0 ? C + 8 : C; // no L1 aliasing between B rows
  const dyOff = 0;
  const bOff = dyOff + (mt * 4 + D + 1) * Co;
  const dxOff = bOff + FW * Co * ldb + 16;
  const s1 = simdHeap(dxOff + (mt * 4 * s + 1) * C + 16);
  if (s1 === null) return null;
  const { w, h } = s1;
  // dy lines at pitch rows, zeros around them (and past the last line, where tiles read).
  h.fill(0, dyOff, dyOff + D * Co);
  for (let l = 0; l < lines; l++) {
    const at = dyOff + (l * pitch + D) * Co;
    h.set(dy.subarray(l * OW * Co, (l + 1) * OW * Co), at);
    h.fill(0, at + OW * Co, at + pitch * Co);
  }
  h.fill(0, dyOff + (m + D) * Co, bOff);
  if (taps(s - 1) === 0) h.fill(0, dxOff, dxOff + mt * 4 * s * C); // phases without taps stay 0
  for (let phase = 0; phase < s; phase++) {
    const T = taps(phase);
    if (T === 0) continue;
    // B rows (t' * Co + co), t' = 0..T-1 for fw = phase + (T - 1 - t') * s: W[fw]^T, [Co, C].
    for (let t = 0; t < T; t++) {
      const fw = phase + (T - 1 - t) * s;
      for (let ci = 0; ci < C; ci++) {
        const src = (fw * C + ci) * Co;
        for (let co = 0; co < Co; co++) h[bOff + (t * Co + co) * ldb + ci] = filter[src + co] as number;
      }
    }
    const k = T * Co;
    const a = (dyOff + (D - (T - 1)) * Co) * 4;
    const nt = C / 8;
    for (let j0 = 0; j0 < nt; j0 += N_BLOCK) {
      const nb = Math.min(N_BLOCK, nt - j0);
      for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
        const kc = Math.min(K_BLOCK, k - p0);
        w.sgemm(a + p0 * 4, Co * 4, 4, (bOff + p0 * ldb + j0 * 8) * 4, ldb * 4, (dxOff + phase * C + j0 * 8) * 4, s * C * 4, mt, nb, kc, p0 > 0 ? 1 : 0);
      }
    }
  }
  const dx = new Float32Array(c.batchSize * c.inHeight * c.inWidth * C);
  const lineIn = c.inWidth * C;
  for (let n = 0, l = 0; n < c.batchSize; n++) {
    for (let oh = 0; oh < c.outHeight; oh++, l++) {
      const src = dxOff + (l * pitch * s + left) * C;
      dx.set(h.subarray(src, src + lineIn), (n * c.inHeight + oh * c.strideHeight) * lineIn);
    }
  }
  return dx;
}
