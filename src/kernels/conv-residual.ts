import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { convInfoFor } from './conv.js';
import { checkArgs } from './conv-bias.js';
import { convValues, fusedConvOp, ownCpuPath } from './conv-grad.js';

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
 * cpu backend the bias, the residual and the relu are applied to the product inside the SIMD
 * module before its single copy out: one tensor instead of three (conv, add, relu), the same
 * float32 values as those ops, while training too. Its gradient masks dy by output > 0 (that is
 * the residual's gradient) and sums the bias gradient in one pass, then runs the two convolution
 * gradients on it. On every other backend (and with flowsentry's kernels off) it runs
 * `tf.fused.conv2d` (conv + bias), `tf.add` and `tf.relu`; gradients agree to float32 rounding.
 * Its gradient is first order: computed on the values, it is a constant to a second
 * differentiation (as the fused recurrent kernels' are); the composition, on other backends, is
 * differentiable again.
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
  const activation = checkArgs({ ...args, activation: args.activation ?? 'relu' });
  const c = convInfoFor(x.shape, filter.shape, { strides, pad });
  if (c === null) throw new ValueError('pad', "'valid' or 'same'", pad);
  const outShape = [c.batchSize, c.outHeight, c.outWidth, c.outChannels];
  if (residual.rank !== 4 || residual.shape.some((d, i) => d !== outShape[i])) throw new ShapeError('residual', `shape [${outShape.join(', ')}] (the convolution's output)`, residual);
  if (ownCpuPath(x, filter, bias, residual)) return fusedConvOp(convValues(c), outShape as [number, number, number, number], activation === 'relu', x, filter, bias, residual);
  return tf.tidy(() => {
    const y = bias === undefined ? tf.conv2d(x, filter, strides, pad) : tf.fused.conv2d({ x, filter, strides, pad, bias });
    const sum = tf.add<tf.Tensor4D>(y, residual);
    return activation === 'relu' ? tf.relu(sum) : sum;
  });
}
