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
