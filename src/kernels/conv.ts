import * as tf from '@tensorflow/tfjs-core';
import { type CpuBackend, f32, runCpuKernel } from './cpu-backend.js';
import { type ConvEpilogue, applyEpilogue, conv2DBackpropFilterLines, conv2DBackpropInputLines, conv2DLines, lineConvApplies } from './conv-line.js';
import { gemm } from './gemm.js';

/** Upper bound on the floats of one im2col block; larger batches run in chunks of images. */
const COLS_BUDGET = 1 << 22;

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type ConvInfo = tf.backend_util.Conv2DInfo;

export function convInfoFor(
  xShape: number[],
  filterShape: number[],
  attrs: tf.NamedAttrMap,
  dilations: number | [number, number] = 1,
): ConvInfo | null {
  if ((attrs['dataFormat'] ?? 'NHWC') !== 'NHWC') return null;
  const d = dilations;
  if (!(d === 1 || (Array.isArray(d) && d[0] === 1 && d[1] === 1))) return null;
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as [number, number] | number,
    1,
    attrs['pad'] as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
}

/** Images per im2col block. */
function chunkImages(c: ConvInfo): number {
  const perImage = c.outHeight * c.outWidth * c.filterHeight * c.filterWidth * c.inChannels;
  return Math.max(1, Math.min(c.batchSize, Math.floor(COLS_BUDGET / Math.max(1, perImage))));
}

/** im2col of images [n0, n0 + count): rows (n, oh, ow), columns (fh, fw, ci), zeros where padded. */
function im2col(x: Float32Array, c: ConvInfo, n0: number, count: number, cols: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = c;
  const K = FH * FW * C;
  const top = c.padInfo.top;
  const left = c.padInfo.left;
  let row = 0;
  for (let n = n0; n < n0 + count; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row++) {
        let o = row * K;
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * c.strideHeight - top + fh;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * c.strideWidth - left + fw;
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) {
              cols.fill(0, o, o + C);
            } else {
              const s = ((n * H + ih) * W + iw) * C;
              for (let ci = 0; ci < C; ci++) cols[o + ci] = x[s + ci] as number;
            }
            o += C;
          }
        }
      }
    }
  }
}

/** Adds the columns of images [n0, n0 + count) back into dx (the adjoint of im2col). */
function col2imAdd(cols: Float32Array, c: ConvInfo, n0: number, count: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = c;
  const K = FH * FW * C;
  let row = 0;
  for (let n = n0; n < n0 + count; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row++) {
        let o = row * K;
        for (let fh = 0; fh < FH; fh++) {
          const ih = oh * c.strideHeight - c.padInfo.top + fh;
          for (let fw = 0; fw < FW; fw++) {
            const iw = ow * c.strideWidth - c.padInfo.left + fw;
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
              const s = ((n * H + ih) * W + iw) * C;
              for (let ci = 0; ci < C; ci++) dx[s + ci] = (dx[s + ci] as number) + (cols[o + ci] as number);
            }
            o += C;
          }
        }
      }
    }
  }
}

function kSize(c: ConvInfo): number {
  return c.filterHeight * c.filterWidth * c.inChannels;
}

/**
 * The Conv2D output of float32 values: in place for one filter row (the epilogue applied in the
 * SIMD module), else im2col + SIMD product (the epilogue applied to the fresh output).
 */
export function conv2DValues(xv: Float32Array, wv: Float32Array, c: ConvInfo, epilogue?: ConvEpilogue): Float32Array {
  const lined = lineConvApplies(c) ? conv2DLines(xv, wv, c, epilogue) : null;
  if (lined !== null) return lined;
  const K = kSize(c);
  const rowsPerImage = c.outHeight * c.outWidth;
  const Co = c.outChannels;
  const out = new Float32Array(c.batchSize * rowsPerImage * Co);
  const step = chunkImages(c);
  const cols = new Float32Array(step * rowsPerImage * K);
  for (let n0 = 0; n0 < c.batchSize; n0 += step) {
    const count = Math.min(step, c.batchSize - n0);
    const rows = count * rowsPerImage;
    im2col(xv, c, n0, count, cols);
    gemm({ m: rows, n: Co, k: K, a: cols, b: wv, c: out.subarray(n0 * rowsPerImage * Co, (n0 + count) * rowsPerImage * Co) });
  }
  if (epilogue !== undefined) applyEpilogue(out, Co, epilogue);
  return out;
}

/** cpu Conv2D (NHWC, no dilation): {@link conv2DValues}; other cases go to the stock kernel. */
function conv2D(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const filter = args.inputs['filter'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const c = x.dtype === 'float32' ? convInfoFor(x.shape, filter.shape, attrs, attrs['dilations'] as number | [number, number]) : null;
  if (c === null) return runCpuKernel('Conv2D', args.inputs, backend, attrs);
  const out = conv2DValues(f32(backend, x), f32(backend, filter), c);
  return backend.makeTensorInfo([c.batchSize, c.outHeight, c.outWidth, c.outChannels], 'float32', out);
}

/**
 * The bias of a fused convolution as `outChannels` values: a per-channel vector (`[Co]`, or ones
 * then Co) or a scalar (size 1) broadcast; null for other shapes (the stock kernel broadcasts them).
 */
function channelBias(backend: CpuBackend, bias: tf.TensorInfo, Co: number): Float32Array | null {
  if (bias.dtype !== 'float32' || bias.shape.length > 4) return null;
  const v = f32(backend, bias);
  if (v.length === 1) return new Float32Array(Co).fill(v[0] as number);
  const perChannel = v.length === Co && bias.shape.at(-1) === Co && bias.shape.every((d, i) => d === 1 || i === bias.shape.length - 1);
  return perChannel ? v : null;
}

/**
 * cpu FusedConv2D (tf.fused.conv2d: conv + bias + activation in one op): for 'linear' and 'relu'
 * with a per-channel or scalar bias, {@link conv2DValues} with the bias and activation applied
 * before the output leaves the SIMD module (the stock kernel makes a tensor per step: conv, add,
 * relu). PReLU weights, other activations, NCHW, dilations and other bias shapes: the stock kernel.
 */
function fusedConv2D(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const filter = args.inputs['filter'] as tf.TensorInfo;
  const bias = args.inputs['bias'] as tf.TensorInfo | undefined;
  const attrs = args.attrs ?? {};
  const activation = (attrs['activation'] as string | undefined) ?? 'linear';
  const simple = args.inputs['preluActivationWeights'] == null && (activation === 'linear' || activation === 'relu');
  const c = simple && x.dtype === 'float32' ? convInfoFor(x.shape, filter.shape, attrs, attrs['dilations'] as number | [number, number]) : null;
  const b = c !== null && bias != null ? channelBias(backend, bias, c.outChannels) : null;
  if (c === null || (bias != null && b === null)) return runCpuKernel('FusedConv2D', args.inputs, backend, attrs);
  const out = conv2DValues(f32(backend, x), f32(backend, filter), c, { bias: b, relu: activation === 'relu' });
  return backend.makeTensorInfo([c.batchSize, c.outHeight, c.outWidth, c.outChannels], 'float32', out);
}

/**
 * The Conv2DBackpropFilter output (the filter gradient, `[filterHeight, filterWidth, inChannels,
 * outChannels]` for `c`) of float32 values: in place for one filter row, else dW = im2col(x)^T dy
 * accumulated over image blocks.
 */
export function conv2DBackpropFilterValues(xv: Float32Array, dyv: Float32Array, c: ConvInfo): Float32Array {
  const lined = lineConvApplies(c) ? conv2DBackpropFilterLines(xv, dyv, c) : null;
  if (lined !== null) return lined;
  const K = kSize(c);
  const rowsPerImage = c.outHeight * c.outWidth;
  const Co = c.outChannels;
  const dW = new Float32Array(K * Co);
  const step = chunkImages(c);
  const cols = new Float32Array(step * rowsPerImage * K);
  for (let n0 = 0; n0 < c.batchSize; n0 += step) {
    const count = Math.min(step, c.batchSize - n0);
    const rows = count * rowsPerImage;
    im2col(xv, c, n0, count, cols);
    gemm({
      m: K,
      n: Co,
      k: rows,
      a: cols.subarray(0, rows * K),
      transA: true,
      b: dyv.subarray(n0 * rowsPerImage * Co, (n0 + count) * rowsPerImage * Co),
      c: dW,
      accumulate: n0 > 0,
    });
  }
  return dW;
}

/** cpu Conv2DBackpropFilter: {@link conv2DBackpropFilterValues}. */
function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const dy = args.inputs['dy'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const filterShape = attrs['filterShape'] as number[];
  const c = x.dtype === 'float32' ? convInfoFor(x.shape, filterShape, attrs) : null;
  if (c === null) return runCpuKernel('Conv2DBackpropFilter', args.inputs, backend, attrs);
  return backend.makeTensorInfo(filterShape, 'float32', conv2DBackpropFilterValues(f32(backend, x), f32(backend, dy), c));
}

/**
 * The Conv2DBackpropInput output (the input gradient, and what conv2dTranspose computes) of float32
 * values, `[batch, inHeight, inWidth, inChannels]` for `c`: in place for one filter row (the
 * epilogue applied in the SIMD module), else dcols = dy W^T then col2im (the epilogue applied to
 * the fresh output).
 */
export function conv2DBackpropInputValues(dyv: Float32Array, wv: Float32Array, c: ConvInfo, epilogue?: ConvEpilogue): Float32Array {
  const lined = lineConvApplies(c) ? conv2DBackpropInputLines(dyv, wv, c, epilogue) : null;
  if (lined !== null) return lined;
  const K = kSize(c);
  const rowsPerImage = c.outHeight * c.outWidth;
  const Co = c.outChannels;
  const dx = new Float32Array(c.batchSize * c.inHeight * c.inWidth * c.inChannels);
  const step = chunkImages(c);
  const cols = new Float32Array(step * rowsPerImage * K);
  for (let n0 = 0; n0 < c.batchSize; n0 += step) {
    const count = Math.min(step, c.batchSize - n0);
    const rows = count * rowsPerImage;
    gemm({ m: rows, n: K, k: Co, a: dyv.subarray(n0 * rowsPerImage * Co, (n0 + count) * rowsPerImage * Co), b: wv, transB: true, c: cols });
    col2imAdd(cols, c, n0, count, dx);
  }
  if (epilogue !== undefined) applyEpilogue(dx, c.inChannels, epilogue);
  return dx;
}

/** cpu Conv2DBackpropInput (also what conv2dTranspose runs): {@link conv2DBackpropInputValues}. */
function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const dy = args.inputs['dy'] as tf.TensorInfo;
  const filter = args.inputs['filter'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const inputShape = attrs['inputShape'] as number[];
  const c = dy.dtype === 'float32' ? convInfoFor(inputShape, filter.shape, attrs) : null;
  if (c === null) return runCpuKernel('Conv2DBackpropInput', args.inputs, backend, attrs);
  return backend.makeTensorInfo(inputShape, 'float32', conv2DBackpropInputValues(f32(backend, dy), f32(backend, filter), c));
}

/** Conv2D, FusedConv2D and the two gradient kernels for the cpu backend on im2col + the SIMD product. */
export const CONV_KERNELS: tf.KernelConfig[] = [
  { kernelName: 'Conv2D', backendName: 'cpu', kernelFunc: conv2D as unknown as tf.KernelFunc },
  { kernelName: 'FusedConv2D', backendName: 'cpu', kernelFunc: fusedConv2D as unknown as tf.KernelFunc },
  { kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc },
  { kernelName: 'Conv2DBackpropInput', backendName: 'cpu', kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc },
];
