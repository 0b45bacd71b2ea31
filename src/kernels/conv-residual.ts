import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { conv2DValues, convInfoFor } from './conv.js';
import { recordingGradients } from './sequence-common.js';
import { flowsentryKernelsEnabled } from './state.js';

/** Options of {@link fusedConv2dResidual}: those of `tf.fused.conv2d` (NHWC, no dilation) plus the residual. */
export interface FusedConv2dResidualArgs {
  /** Input, `[batch, height, width, inChannels]`. */
  x: tf.Tensor4D;
  /** Filter, `[filterHeight, filterWidth, inChannels, outChannels]`. */
  filter: tf.Tensor4D;
  /** Strides `[height, width]`, or one for both. */
  strides: [number, number] | number;
  /** Padding, as `tf.conv2d`. */
  pad: 'valid' | 'same';
  /** Added to every output position, `[outChannels]`. Default: no bias. */
  bias?: tf.Tensor1D;
  /** Added after the bias: the skip connection, shaped like the convolution's output. */
  residual: tf.Tensor4D;
  /** Applied last. Default `'relu'` (a residual block's output). */
  activation?: 'linear' | 'relu';
}

/**
 * `activation(conv2d(x, filter) + bias + residual)` in one op: the closing convolution of a
 * residual block with its skip connection, as PyTorch writes `relu(x + conv(...))`. On the embedded
 * cpu backend, outside gradient recording, the bias, the residual and the relu are applied to the
 * product inside the SIMD module before its single copy out: one tensor instead of three (conv,
 * add, relu), the same float32 values as those ops. While gradients are recorded, and on every
 * other backend, it runs `tf.fused.conv2d` (conv + bias), `tf.add` and `tf.relu`.
 *
 * @example
 * ```ts
 * const a = tf.randomNormal([8, 1, 39, 32]) as tf.Tensor4D;
 * const filter = tf.randomNormal([1, 3, 32, 32]) as tf.Tensor4D;
 * const y = fusedConv2dResidual({ x: a, filter, strides: 1, pad: 'same', bias: tf.zeros([32]), residual: a }); // relu(a + conv(a))
 * ```
 */
export function fusedConv2dResidual(args: FusedConv2dResidualArgs): tf.Tensor4D {
  const { x, filter, strides, pad, bias, residual } = args;
  const activation = args.activation ?? 'relu';
  if (activation !== 'linear' && activation !== 'relu') throw new ValueError('activation', "'linear' or 'relu'", activation);
  if (x.rank !== 4) throw new ShapeError('x', 'rank 4 ([batch, height, width, inChannels])', x);
  if (filter.rank !== 4 || filter.shape[2] !== x.shape[3]) throw new ShapeError('filter', `rank 4 with ${x.shape[3]} input channels third`, filter);
  const outChannels = filter.shape[3];
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== outChannels)) throw new ShapeError('bias', `shape [${outChannels}]`, bias);
  const c = convInfoFor(x.shape, filter.shape, { strides, pad });
  if (c === null) throw new ValueError('pad', "'valid' or 'same'", pad);
  const outShape = [c.batchSize, c.outHeight, c.outWidth, c.outChannels];
  if (residual.rank !== 4 || residual.shape.some((d, i) => d !== outShape[i])) throw new ShapeError('residual', `shape [${outShape.join(', ')}] (the convolution's output)`, residual);
  const float32 = x.dtype === 'float32' && filter.dtype === 'float32' && residual.dtype === 'float32' && (bias === undefined || bias.dtype === 'float32');
  if (float32 && flowsentryKernelsEnabled() && tf.getBackend() === 'cpu' && !recordingGradients()) {
    const out = conv2DValues(x.dataSync() as Float32Array, filter.dataSync() as Float32Array, c, {
      bias: bias === undefined ? null : (bias.dataSync() as Float32Array),
      relu: activation === 'relu',
      residual: residual.dataSync() as Float32Array,
    });
    return tf.tensor4d(out, outShape as [number, number, number, number], 'float32');
  }
  return tf.tidy(() => {
    const y = bias === undefined ? tf.conv2d(x, filter, strides, pad) : tf.fused.conv2d({ x, filter, strides, pad, bias });
    const sum = tf.add<tf.Tensor4D>(y, residual);
    return activation === 'relu' ? tf.relu(sum) : sum;
  });
}
