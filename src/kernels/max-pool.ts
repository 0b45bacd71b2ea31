import * as tf from '@tensorflow/tfjs-core';
import { type CpuBackend, runCpuKernel } from './cpu-backend.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** The pooling geometry of a MaxPool / MaxPoolGrad call (tfjs's own computation of it). */
function poolInfo(x: tf.TensorInfo, attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  return tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
}

/**
 * For every output position and channel, the flat index into x of the window's maximum, or -1:
 * the first (row-major within the window) value strictly greater than all before it, starting
 * from -Infinity, so NaN is never chosen and a window of NaN / -Infinity has none. This is tfjs's
 * `maxPoolPositions` rule, which both its MaxPool (the value) and MaxPoolGrad (where dy goes) follow.
 */
function argmaxPositions(xv: Float32Array, c: tf.backend_util.Conv2DInfo): Int32Array {
  const C = c.inChannels;
  const [, H, W] = c.inShape as [number, number, number, number];
  const pos = new Int32Array(c.batchSize * c.outHeight * c.outWidth * C).fill(-1);
  const best = new Float32Array(C);
  for (let b = 0, o = 0; b < c.batchSize; b++) {
    for (let yR = 0; yR < c.outHeight; yR++) {
      const r0 = yR * c.strideHeight - c.padInfo.top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(H, r0 + c.effectiveFilterHeight);
      for (let yC = 0; yC < c.outWidth; yC++, o += C) {
        const c0 = yC * c.strideWidth - c.padInfo.left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(W, c0 + c.effectiveFilterWidth);
        // Channels inner: the window's values are read in memory order.
        best.fill(Number.NEGATIVE_INFINITY);
        for (let xR = rMin; xR < rMax; xR++) {
          for (let xC = cMin; xC < cMax; xC++) {
            const at = ((b * H + xR) * W + xC) * C;
            for (let d = 0; d < C; d++) {
              const v = xv[at + d] as number;
              if (v > (best[d] as number)) {
                best[d] = v;
                pos[o + d] = at + d;
              }
            }
          }
        }
      }
    }
  }
  return pos;
}

/**
 * cpu MaxPool (float32): the window maxima by {@link argmaxPositions}'s rule, the stock kernel's
 * values (-Infinity for a window without a maximum). Other dtypes go to the stock kernel.
 */
function maxPool(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const xv = backend.data.get(x.dataId).values;
  if (x.dtype !== 'float32' || !(xv instanceof Float32Array)) return runCpuKernel('MaxPool', args.inputs, backend, attrs);
  const c = poolInfo(x, attrs);
  // A 1 x 1 window that keeps the shape is the stock kernel's identity (NaN kept), not a max; a
  // window wider than a 'valid' input (a negative output size) fails as the stock kernel fails.
  if ((c.filterHeight === 1 && c.filterWidth === 1 && tf.util.arraysEqual(c.inShape, c.outShape)) || c.outHeight < 0 || c.outWidth < 0) {
    return runCpuKernel('MaxPool', args.inputs, backend, attrs);
  }
  const pos = argmaxPositions(xv, c);
  const out = new Float32Array(pos.length);
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i] as number;
    out[i] = p < 0 ? Number.NEGATIVE_INFINITY : (xv[p] as number);
  }
  return backend.makeTensorInfo(c.outShape, 'float32', out);
}

/**
 * cpu MaxPoolGrad (float32): each dy entry goes to its window's maximum (tfjs's rule, see
 * {@link argmaxPositions}); a position that is the maximum of several windows gets their sum in
 * float64, in the order of the windows, rounded once: the stock kernel's values, in one pass over
 * the outputs instead of a search of every window reaching every input position. Other dtypes go
 * to the stock kernel.
 */
function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const dy = args.inputs['dy'] as tf.TensorInfo;
  const x = args.inputs['input'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const xv = backend.data.get(x.dataId).values;
  const dyv = backend.data.get(dy.dataId).values;
  if (x.dtype !== 'float32' || !(xv instanceof Float32Array) || !(dyv instanceof Float32Array)) return runCpuKernel('MaxPoolGrad', args.inputs, backend, attrs);
  const c = poolInfo(x, attrs);
  if (c.outHeight < 0 || c.outWidth < 0) return runCpuKernel('MaxPoolGrad', args.inputs, backend, attrs);
  const pos = argmaxPositions(xv, c);
  const sums = new Float64Array(xv.length);
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i] as number;
    if (p >= 0) sums[p] = (sums[p] as number) + (dyv[i] as number);
  }
  return backend.makeTensorInfo(x.shape, 'float32', new Float32Array(sums));
}

/** MaxPool and its gradient on the cpu backend (tfjs's values; the gradient was 345 of 420 ms of a CNN-BiLSTM train step). */
export const MAX_POOL_KERNELS: tf.KernelConfig[] = [
  { kernelName: 'MaxPool', backendName: 'cpu', kernelFunc: maxPool as unknown as tf.KernelFunc },
  { kernelName: 'MaxPoolGrad', backendName: 'cpu', kernelFunc: maxPoolGrad as unknown as tf.KernelFunc },
];
