// Float64 reference loops shared by the convolution kernel tests.
import { fc } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** A convolution: input [n, h, w, ci], filter [fh, fw, ci, co], strides, padding. */
export interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  pad: 'same' | 'valid';
  seed: number;
}

/** TensorFlow's padding rule, written out: output size and top/left padding per dimension. */
export function dim(size: number, f: number, s: number, pad: 'same' | 'valid'): { out: number; before: number } {
  if (pad === 'valid') return { out: Math.ceil((size - f + 1) / s), before: 0 };
  const out = Math.ceil(size / s);
  return { out, before: Math.floor(Math.max((out - 1) * s + f - size, 0) / 2) };
}

/** Naive float64 loops: y = conv(x, w), and for L = sum(y * r): dL/dx and dL/dw. */
export function naive(c: Case, x: Float32Array, w: Float32Array, r: Float32Array) {
  const H = dim(c.h, c.fh, c.sh, c.pad);
  const W = dim(c.w, c.fw, c.sw, c.pad);
  const y = new Float64Array(c.n * H.out * W.out * c.co);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < c.n; n++)
    for (let oh = 0; oh < H.out; oh++)
      for (let ow = 0; ow < W.out; ow++)
        for (let fh = 0; fh < c.fh; fh++)
          for (let fw = 0; fw < c.fw; fw++) {
            const ih = oh * c.sh - H.before + fh;
            const iw = ow * c.sw - W.before + fw;
            if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
            for (let ci = 0; ci < c.ci; ci++)
              for (let co = 0; co < c.co; co++) {
                const xi = ((n * c.h + ih) * c.w + iw) * c.ci + ci;
                const wi = ((fh * c.fw + fw) * c.ci + ci) * c.co + co;
                const yi = ((n * H.out + oh) * W.out + ow) * c.co + co;
                y[yi]! += x[xi]! * w[wi]!;
                dx[xi]! += r[yi]! * w[wi]!;
                dw[wi]! += r[yi]! * x[xi]!;
              }
          }
  return { y, dx, dw, outH: H.out, outW: W.out };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Convolutions of every path: line (one filter row) and im2col, channel counts on and off 8. */
export const convCases = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.constantFrom(1, 1, 2, 5),
    w: fc.integer({ min: 1, max: 13 }),
    // One filter row takes the line paths (conv-line.ts), taller filters im2col. There, channel
    // counts a multiple of 8 are written in place, the others padded to 8 columns (and the input
    // gradient with few inChannels gathers from dy W^T).
    ci: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(8, 12, 16)),
    co: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom(8, 12, 16)),
    fh: fc.integer({ min: 1, max: 3 }),
    fw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 2 }),
    // Strides past the filter width leave input positions no tap reaches (zero gradient).
    sw: fc.integer({ min: 1, max: 3 }),
    pad: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
    seed: fc.integer({ min: 0, max: 1e6 }),
  })
  .map((c) => ({ ...c, fh: Math.min(c.fh, c.h), fw: Math.min(c.fw, c.w) }));

/** The papers' 1 x k convolutions (the conv AE's encoder at a small batch). */
export const paperCases = fc.constantFrom<Case>(
  { n: 3, h: 1, w: 78, ci: 1, co: 32, fh: 1, fw: 3, sh: 1, sw: 2, pad: 'same', seed: 11 },
  { n: 2, h: 1, w: 39, ci: 32, co: 32, fh: 1, fw: 3, sh: 1, sw: 1, pad: 'same', seed: 12 },
  { n: 2, h: 1, w: 39, ci: 32, co: 64, fh: 1, fw: 3, sh: 1, sw: 2, pad: 'same', seed: 13 },
  { n: 2, h: 1, w: 80, ci: 16, co: 16, fh: 1, fw: 5, sh: 1, sw: 1, pad: 'same', seed: 14 },
);

/**
 * The value of `sum(f * r)` and each gradient of a fused op within 1e-4 of the same in every
 * reference (relative to the larger of 1 and the reference's largest magnitude); `fused` holds one
 * more list than `inputs` (the value first). The value is a float32 sum of terms that mostly
 * cancel, whose rounding error follows the terms' size, not the sum's: it is compared relative to
 * `valueScale` too, the l2 norm of the terms f * r (the papers' 1 x 5 residual convolution, with
 * the product's fused multiply-add, moves a sum of 2.5 by 3e-4 against terms of norm 450).
 */
export function expectGradsClose(fused: number[][], inputs: number, valueScale: number, ...references: number[][][]): void {
  const scale = (v: number[], i: number) => Math.max(1, i === 0 ? valueScale : 0, ...v.map(Math.abs));
  expect(fused.length).toBe(inputs + 1);
  for (const ref of references) for (let i = 0; i < fused.length; i++) expect(maxAbsDiff(fused[i]!, ref[i]!) / scale(ref[i]!, i)).toBeLessThan(1e-4);
}

/** The l2 norm of `f * r` (a scale for the value of `sum(f * r)`, see {@link expectGradsClose}). */
export function termsNorm(f: () => tf.Tensor, r: tf.Tensor): number {
  const t = tf.tidy(() => tf.norm(tf.mul(f(), r)));
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}
