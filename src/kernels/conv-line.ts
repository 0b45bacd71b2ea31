import type * as tf from '@tensorflow/tfjs-core';
import { epilogueFlags, type GemmEpilogue, gemmInHeap, type GemmModule, simdHeap } from './gemm.js';

type ConvInfo = tf.backend_util.Conv2DInfo;

/**
 * Convolutions with one filter row (conv1d as conv2d, the papers' k x 1 / 1 x k kernels) without
 * im2col / col2im. The image lines are copied once into the SIMD module, zero-padded, all at one
 * pitch: `rows` output positions (`rows * strideWidth` input positions) per line. Output row
 * (line l, position ow) of the im2col matrix is then the `filterWidth * inChannels` floats at
 * `(l * rows + ow) * strideWidth * inChannels`: one stride for the whole batch, rows overlapping
 * in memory, so each convolution is one product over all lines that reads the matrix in place.
 * Rows ow >= outWidth of a line are computed from padding and dropped (or, where they are a
 * product's k dimension, multiply zeros). The product writes 8 columns at a time: channel counts
 * that are not a multiple of 8 run padded with zero columns and are compacted when copied out.
 * Requires float32 NHWC, no dilation and no top/bottom padding (callers check `lineConvApplies`
 * and otherwise use im2col).
 */
export function lineConvApplies(c: ConvInfo): boolean {
  return c.filterHeight === 1 && c.padInfo.top === 0 && c.padInfo.bottom === 0 && c.dilationWidth === 1 && c.dilationHeight === 1;
}

/**
 * C = A B on operands in the module's memory (byte offsets; A element (i, p) at a + i rsA + p csA,
 * B rows ldb bytes apart, C rows ldc bytes apart; n a multiple of 8): gemm.ts's blocked product,
 * split by row tiles across the worker pool when large. Rows past m up to a multiple of 4 are
 * computed too.
 */
function product(w: GemmModule, m: number, n: number, k: number, a: number, rsA: number, csA: number, b: number, ldb: number, c: number, ldc: number, epilogue?: GemmEpilogue): void {
  gemmInHeap(w, m, n, k, a, rsA, csA, b, ldb, c, ldc, false, epilogue);
}

/**
 * Region offsets are multiples of 4 floats, and copies into and out of the module keep source and
 * destination 8-byte aligned alike: on a shared WebAssembly memory a misaligned copy falls
 * back to a byte-by-byte loop about 3x slower than memcpy.
 */
function align(floats: number): number {
  return (floats + 3) & ~3;
}

/** B rows `ld` floats apart: n, or n + 8 when rows a multiple of 1 KB apart would alias in L1. */
function rowStride(n: number): number {
  return (n * 4) % 1024 === 0 ? n + 8 : n;
}

interface Lines {
  /** Float offset of the first padded line (1 when that keeps every line's data 8-byte aligned). */
  start: number;
  /** Image lines (batch * outHeight). */
  lines: number;
  /** Output positions per line at the common pitch (>= outWidth). */
  rows: number;
  /** Floats between consecutive output rows (strideWidth * inChannels). */
  rowStep: number;
  /** Floats of one im2col row (filterWidth * inChannels). */
  k: number;
  /** Floats of the padded x lines, including what the last row tiles read past the end. */
  size: number;
}

function lineLayout(c: ConvInfo): Lines {
  const C = c.inChannels;
  const s = c.strideWidth;
  const k = c.filterWidth * C;
  const left = c.padInfo.left;
  const rowStep = s * C;
  // A line's positions: its data after `left` zeros, then zeros, `rows * s` in all. The last output
  // row may read past the pitch into the next line's left padding (zeros too).
  let rows = Math.max(c.outWidth, Math.ceil((left + c.inWidth) / s));
  if ((c.outWidth - 1) * s + c.filterWidth - rows * s > left) rows = Math.ceil(((c.outWidth - 1) * s + c.filterWidth) / s);
  if (rowStep % 2 === 1 && rows % 2 === 1) rows++; // an even pitch keeps the lines' alignment
  const lines = c.batchSize * c.outHeight;
  const start = (c.padInfo.left * C) % 2;
  // Row tiles cover up to 3 rows past lines * rows, and columns past k up to 8 more.
  return { start, lines, rows, rowStep, k, size: align(start + (lines * rows + 4) * rowStep + k + 16) };
}

/** Copies the input line of every output line into `h` at `off`, at the common pitch, zero-padded. */
function copyLines(x: Float32Array, c: ConvInfo, L: Lines, h: Float32Array, off: number): void {
  const left = c.padInfo.left * c.inChannels;
  const lineIn = c.inWidth * c.inChannels;
  const pitch = L.rows * L.rowStep;
  off += L.start;
  h.fill(0, off - L.start, off + left);
  for (let n = 0, l = 0; n < c.batchSize; n++) {
    for (let oh = 0; oh < c.outHeight; oh++, l++) {
      const src = (n * c.inHeight + oh * c.strideHeight) * lineIn;
      const at = off + l * pitch + left;
      h.set(x.subarray(src, src + lineIn), at);
      h.fill(0, at + lineIn, at + pitch); // right padding, then the next line's left padding
    }
  }
  h.fill(0, off + L.lines * pitch + left, off - L.start + L.size);
}

/** What a fused convolution applies to the product before it leaves the module. */
export interface ConvEpilogue {
  /** Added to every output position: `outChannels` values, or null for none. */
  bias: Float32Array | null;
  /** max(., 0) after the bias (and the residual). */
  relu: boolean;
  /**
   * Added after the bias, before the relu: one value per output position and channel, in the
   * output's layout (a residual connection, `relu(conv + bias + residual)`). Conv2D only.
   */
  residual?: Float32Array | null;
}

/**
 * The epilogue on a fresh output of `channels` per position, in JavaScript: the float32 sum (as
 * the stock Add) then Math.max(0, .) (as Relu: NaN kept, -0 -> +0).
 */
export function applyEpilogue(out: Float32Array, channels: number, epilogue: ConvEpilogue): void {
  const { bias, relu } = epilogue;
  const res = epilogue.residual ?? null;
  for (let i = 0; i < out.length; i += channels) {
    for (let ch = 0; ch < channels; ch++) {
      let v = bias === null ? (out[i + ch] as number) : Math.fround((out[i + ch] as number) + (bias[ch] as number));
      if (res !== null) v = Math.fround(v + (res[i + ch] as number));
      out[i + ch] = relu ? Math.max(0, v) : v;
    }
  }
}

/** Writes the bias (zero-padded to `padded` floats) at `off`, when there is one. */
function writeBias(h: Float32Array, off: number, padded: number, bias: Float32Array | null): void {
  if (bias === null) return;
  h.fill(0, off, off + padded);
  h.set(bias, off);
}

/** Writes the bias (zero-padded to `padded` floats) at `off` and runs the module's epilogue on `rows` rows of `padded` at `at`. */
function epilogueInHeap(w: GemmModule, h: Float32Array, at: number, rows: number, padded: number, off: number, epilogue: ConvEpilogue): void {
  if (epilogue.bias === null && !epilogue.relu) return;
  h.fill(0, off, off + padded);
  if (epilogue.bias !== null) h.set(epilogue.bias, off);
  w.biasActivation(at * 4, off * 4, rows, padded, epilogue.relu ? 1 : 0);
}

/**
 * The rest of the epilogue with a residual, on a product that already added the bias (`rows`
 * positions per line, `Cp` columns): the residual copied in at the product's layout, then added and
 * the relu applied as two f32x4 passes, so each value is the float32 result of the separate ops
 * (conv + bias, + residual, relu). Rows between lines add whatever the region holds; they are
 * dropped on the way out.
 */
function residualInHeap(
  w: GemmModule, h: Float32Array, residual: Float32Array, L: Lines, OW: number, Co: number, Cp: number,
  cOff: number, resOff: number, epilogue: ConvEpilogue,
): void {
  const m = L.lines * L.rows;
  const lineOut = OW * Co;
  if (L.rows === OW && Cp === Co) h.set(residual.subarray(0, L.lines * lineOut), resOff);
  else if (Cp === Co) {
    for (let l = 0; l < L.lines; l++) h.set(residual.subarray(l * lineOut, (l + 1) * lineOut), resOff + l * L.rows * Co);
  } else {
    h.fill(0, resOff, resOff + m * Cp);
    for (let l = 0, i = 0; l < L.lines; l++) {
      for (let ow = 0; ow < OW; ow++) {
        const at = resOff + (l * L.rows + ow) * Cp;
        for (let co = 0; co < Co; co++) h[at + co] = residual[i++] as number;
      }
    }
  }
  w.broadcast(0, cOff * 4, resOff * 4, cOff * 4, 1, m * Cp);
  if (epilogue.relu) w.relu(cOff * 4, cOff * 4, m * Cp);
}

/**
 * Conv2D output `[batch, outHeight, outWidth, outChannels]`, or null without the SIMD module; with
 * an `epilogue`, the bias and activation are applied in the module's memory, in one pass over the
 * product, before the single copy out.
 */
export function conv2DLines(x: Float32Array, filter: Float32Array, c: ConvInfo, epilogue?: ConvEpilogue): Float32Array | null {
  const L = lineLayout(c);
  const Co = c.outChannels;
  const Cp = (Co + 7) & ~7; // columns the product writes
  const ldb = rowStride(Cp);
  const m = L.lines * L.rows;
  const wOff = L.size;
  const cOff = align(wOff + L.k * ldb + 16);
  const biasOff = cOff + (m + 4) * Cp;
  const residual = epilogue?.residual ?? null;
  const resOff = align(biasOff + Cp);
  const s = simdHeap(residual !== null ? resOff + m * Cp : biasOff + (epilogue === undefined ? 0 : Cp));
  if (s === null) return null;
  const { w, h } = s;
  copyLines(x, c, L, h, 0);
  if (ldb === Co) h.set(filter.subarray(0, L.k * Co), wOff);
  else {
    h.fill(0, wOff, wOff + L.k * ldb);
    for (let p = 0; p < L.k; p++) h.set(filter.subarray(p * Co, (p + 1) * Co), wOff + p * ldb);
  }
  // The bias (and the relu, unless a residual comes first) in the product's epilogue.
  if (epilogue !== undefined) writeBias(h, biasOff, Cp, epilogue.bias);
  const inProduct = epilogue === undefined ? undefined : { bias: epilogue.bias === null ? null : biasOff * 4, relu: epilogue.relu && residual === null };
  product(w, m, Cp, L.k, L.start * 4, L.rowStep * 4, 4, wOff * 4, ldb * 4, cOff * 4, Cp * 4, inProduct);
  const OW = c.outWidth;
  const lineOut = OW * Co;
  if (epilogue !== undefined && residual !== null) residualInHeap(w, h, residual, L, OW, Co, Cp, cOff, resOff, epilogue);
  if (L.rows === OW && Cp === Co) return h.slice(cOff, cOff + L.lines * lineOut);
  const out = new Float32Array(L.lines * lineOut);
  if (Cp === Co) {
    for (let l = 0; l < L.lines; l++) out.set(h.subarray(cOff + l * L.rows * Co, cOff + l * L.rows * Co + lineOut), l * lineOut);
  } else {
    for (let l = 0, o = 0; l < L.lines; l++) {
      for (let ow = 0; ow < OW; ow++) {
        const src = cOff + (l * L.rows + ow) * Cp;
        for (let co = 0; co < Co; co++) out[o++] = h[src + co] as number;
      }
    }
  }
  return out;
}

/**
 * Conv2DBackpropFilter `[1, filterWidth, inChannels, outChannels]`, or null without the SIMD
 * module: dW = X^T dy, X the in-place im2col matrix (read transposed: A element (i, p) = X row p
 * column i) and dy at the same pitch, zero in the dropped rows.
 */
export function conv2DBackpropFilterLines(x: Float32Array, dy: Float32Array, c: ConvInfo): Float32Array | null {
  const L = lineLayout(c);
  const Co = c.outChannels;
  const Cp = (Co + 7) & ~7; // columns the product writes
  const OW = c.outWidth;
  const ldb = rowStride(Cp);
  const m = L.k;
  const kRows = L.lines * L.rows;
  const dyOff = L.size;
  const outOff = align(dyOff + kRows * ldb + 16);
  const s = simdHeap(outOff + (m + 4) * Cp);
  if (s === null) return null;
  const { w, h } = s;
  copyLines(x, c, L, h, 0);
  if (ldb === Co && L.rows === OW) {
    h.set(dy.subarray(0, kRows * Co), dyOff);
  } else if (ldb === Co) {
    const lineOut = OW * Co;
    for (let l = 0; l < L.lines; l++) {
      const at = dyOff + l * L.rows * Co;
      h.set(dy.subarray(l * lineOut, (l + 1) * lineOut), at);
      h.fill(0, at + lineOut, at + L.rows * Co);
    }
  } else {
    // Rows of dy at ldb floats (zero columns past Co): element by element, cheaper than a view per row.
    h.fill(0, dyOff, dyOff + kRows * ldb);
    for (let l = 0, r = 0; l < L.lines; l++) {
      for (let ow = 0; ow < OW; ow++, r++) {
        const at = dyOff + (l * L.rows + ow) * ldb;
        for (let co = 0; co < Co; co++) h[at + co] = dy[r * Co + co] as number;
      }
    }
  }
  product(w, m, Cp, kRows, L.start * 4, 4, L.rowStep * 4, dyOff * 4, ldb * 4, outOff * 4, Cp * 4);
  if (Cp === Co) return h.slice(outOff, outOff + m * Co);
  const dW = new Float32Array(m * Co);
  for (let i = 0; i < m; i++) for (let co = 0; co < Co; co++) dW[i * Co + co] = h[outOff + i * Cp + co] as number;
  return dW;
}

/**
 * Conv2DBackpropInput `[batch, inHeight, inWidth, inChannels]` (the input gradient, and what
 * conv2dTranspose runs), or null without the SIMD module. Padded input position
 * q = ow * strideWidth + fw receives dy[ow] W[fw]^T. With inChannels a multiple of 8: the
 * positions of one phase q mod strideWidth get the taps fw of that phase, so per phase this is a
 * stride-1 convolution of the dy lines with those taps reversed, one product per phase over the
 * whole batch, reading overlapping rows of dy in place and writing every strideWidth-th position
 * of the padded dx lines. Otherwise (few channels, e.g. a transposed convolution to 1 channel)
 * see {@link inputGradFewChannels}.
 */
export function conv2DBackpropInputLines(dy: Float32Array, filter: Float32Array, c: ConvInfo, epilogue?: ConvEpilogue): Float32Array | null {
  const C = c.inChannels;
  if (C % 8 !== 0) return inputGradFewChannels(dy, filter, c, epilogue);
  const Co = c.outChannels;
  const s = c.strideWidth;
  const FW = c.filterWidth;
  const OW = c.outWidth;
  const left = c.padInfo.left;
  const lines = c.batchSize * c.outHeight;
  const J = Math.ceil(Math.max(left + c.inWidth, (OW - 1) * s + FW) / s); // positions per phase per padded dx line
  const taps = (phase: number) => Math.max(0, Math.ceil((FW - phase) / s));
  const D = taps(0) - 1; // a row looks back up to D rows: into the previous line's zero rows
  const pitch = Math.max(J, OW + D); // dy rows per line (dy, then zeros); dx lines are pitch * s positions apart
  const m = lines * pitch;
  const mt = (m + 3) >> 2;
  const ldb = rowStride(C);
  const dyOff = align(D * Co); // D zero rows before the first line
  const bOff = align(dyOff + (mt * 4 + 1) * Co);
  const dxOff = align(bOff + FW * Co * ldb + 16);
  const biasOff = align(dxOff + (mt * 4 * s + 1) * C + 16);
  const s1 = simdHeap(biasOff + (epilogue === undefined ? 0 : C));
  if (s1 === null) return null;
  const { w, h } = s1;
  // dy lines at pitch rows, zeros after each (and past the last line, where tiles read).
  h.fill(0, 0, dyOff);
  for (let l = 0; l < lines; l++) {
    const at = dyOff + l * pitch * Co;
    h.set(dy.subarray(l * OW * Co, (l + 1) * OW * Co), at);
    h.fill(0, at + OW * Co, at + pitch * Co);
  }
  h.fill(0, dyOff + m * Co, bOff);
  const everyPhase = taps(s - 1) > 0;
  if (!everyPhase) h.fill(0, dxOff, dxOff + mt * 4 * s * C); // phases without taps stay 0
  // Every position written by one phase's product: the epilogue in the products; else a pass after.
  if (epilogue !== undefined) writeBias(h, biasOff, C, epilogue.bias);
  const inProduct = epilogue !== undefined && everyPhase ? { bias: epilogue.bias === null ? null : biasOff * 4, relu: epilogue.relu } : undefined;
  for (let phase = 0; phase < s; phase++) {
    const T = taps(phase);
    if (T === 0) continue;
    // B rows (t * Co + co), t = 0..T-1 for fw = phase + (T - 1 - t) * s: W[fw]^T, [Co, C].
    for (let t = 0; t < T; t++) {
      const fw = phase + (T - 1 - t) * s;
      for (let ci = 0; ci < C; ci++) {
        const src = (fw * C + ci) * Co;
        for (let co = 0; co < Co; co++) h[bOff + (t * Co + co) * ldb + ci] = filter[src + co] as number;
      }
    }
    const a = (dyOff - (T - 1) * Co) * 4;
    product(w, m, C, T * Co, a, Co * 4, 4, bOff * 4, ldb * 4, (dxOff + phase * C) * 4, s * C * 4, inProduct);
  }
  // Else the epilogue over every position of the padded dx lines (the padding ones are not copied out).
  if (epilogue !== undefined && !everyPhase) epilogueInHeap(w, h, dxOff, lines * pitch * s, C, biasOff, epilogue);
  const dx = new Float32Array(c.batchSize * c.inHeight * c.inWidth * C);
  const lineIn = c.inWidth * C;
  for (let n = 0, l = 0; n < c.batchSize; n++) {
    for (let oh = 0; oh < c.outHeight; oh++, l++) {
      const src = dxOff + (l * pitch * s + left) * C;
      dx.set(h.subarray(src, src + lineIn), (n * c.inHeight + oh * c.strideHeight) * lineIn);
    }
  }
  if (epilogue !== undefined && c.inHeight !== c.outHeight) epilogueOnUncoveredRows(dx, c, epilogue);
  return dx;
}

/**
 * Rows of dx no output line reaches (a height stride past 1) hold zeros; the epilogue makes them
 * what the separate ops give: relu(0 + bias).
 */
function epilogueOnUncoveredRows(dx: Float32Array, c: ConvInfo, epilogue: ConvEpilogue): void {
  const C = c.inChannels;
  const lineIn = c.inWidth * C;
  const row = new Float32Array(lineIn);
  applyEpilogue(row, C, epilogue);
  for (let n = 0; n < c.batchSize; n++) {
    for (let ih = 0; ih < c.inHeight; ih++) {
      if (ih % c.strideHeight === 0 && ih / c.strideHeight < c.outHeight) continue;
      dx.set(row, (n * c.inHeight + ih) * lineIn);
    }
  }
}

/**
 * The input gradient for inChannels not a multiple of 8: one product dcols = dy W^T over all
 * rows of dy as they are ([rows, outChannels] x [outChannels, filterWidth * inChannels], the
 * columns padded to 8), then each dx entry gathers its taps from dcols in float64, rounded once,
 * and gets the epilogue (the module's `tapSums`, one pass in the module's memory).
 */
function inputGradFewChannels(dy: Float32Array, filter: Float32Array, c: ConvInfo, epilogue?: ConvEpilogue): Float32Array | null {
  const C = c.inChannels;
  const Co = c.outChannels;
  const s = c.strideWidth;
  const FW = c.filterWidth;
  const OW = c.outWidth;
  const lines = c.batchSize * c.outHeight;
  const R = lines * OW;
  const K = FW * C;
  const nB = (K + 7) & ~7;
  const ldb = rowStride(nB);
  const lineIn = c.inWidth * C;
  const bOff = align((R + 4) * Co);
  const cOff = align(bOff + Co * ldb);
  const dxOff = align(cOff + (R + 4) * nB);
  const biasOff = align(dxOff + lines * lineIn);
  const s1 = simdHeap(biasOff + C);
  if (s1 === null) return null;
  const { w, h } = s1;
  h.set(dy.subarray(0, R * Co), 0);
  h.fill(0, R * Co, bOff + Co * ldb);
  for (let co = 0; co < Co; co++) for (let j = 0; j < K; j++) h[bOff + co * ldb + j] = filter[j * Co + co] as number;
  product(w, R, nB, Co, 0, Co * 4, 4, bOff * 4, ldb * 4, cOff * 4, nB * 4);
  const bias = epilogue?.bias ?? null;
  if (bias !== null) h.set(bias.subarray(0, C), biasOff);
  w.tapSums(cOff * 4, dxOff * 4, lines, OW, nB, FW, C, s, c.padInfo.left, c.inWidth, biasOff * 4, epilogueFlags(epilogue));
  if (c.inHeight === c.outHeight) return h.slice(dxOff, dxOff + lines * lineIn);
  const dx = new Float32Array(c.batchSize * c.inHeight * lineIn);
  for (let n = 0, l = 0; n < c.batchSize; n++) {
    for (let oh = 0; oh < c.outHeight; oh++, l++) {
      dx.set(h.subarray(dxOff + l * lineIn, dxOff + (l + 1) * lineIn), (n * c.inHeight + oh * c.strideHeight) * lineIn);
    }
  }
  if (epilogue !== undefined) epilogueOnUncoveredRows(dx, c, epilogue);
  return dx;
}
