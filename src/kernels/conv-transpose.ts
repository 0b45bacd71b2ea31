import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { convInfoFor } from './conv.js';
import { convTransposeValues, fusedConvOp, ownCpuPath } from './conv-grad.js';

/**
 * Options of {@link fusedConv2dTranspose}: those of `tf.conv2dTranspose`, plus a bias and an
 * activation as in `tf.fused.conv2d`.
 */
export interface FusedConv2dTransposeArgs {
  /** Input, `[batch, height, width, inChannels]`. */
  x: tf.Tensor4D;
  /** Filter, `[filterHeight, filterWidth, outChannels, inChannels]` (tf.conv2dTranspose's layout). */
  filter: tf.Tensor4D;
  /** Shape of the output, `[batch, outHeight, outWidth, outChannels]`. */
  outputShape: [number, number, number, number];
  /** Strides `[height, width]` of the convolution this op transposes, or one for both. */
  strides: [number, number] | number;
  /** Padding of the convolution this op transposes. */
  pad: 'valid' | 'same';
  /** Added to every output position, `[outChannels]`. Default: no bias. */
  bias?: tf.Tensor1D;
  /** Applied after the bias. Default `'linear'`. */
  activation?: 'linear' | 'relu';
}

/**
 * `activation(conv2dTranspose(x, filter) + bias)` in one op, as PyTorch's `ConvTranspose2d` with a
 * bias (and a relu after it). On the embedded cpu backend the bias and relu are applied to the
 * transposed convolution's output before it leaves the SIMD module: one tensor instead of three,
 * while training too. Its gradient masks dy by output > 0 and sums the bias gradient in one pass,
 * then runs the convolution (the input's gradient) and the filter gradient on the masked dy. On
 * every other backend (and with flowsentry's kernels off) it runs `tf.conv2dTranspose`, `tf.add`
 * and `tf.relu`; values agree exactly, gradients to float32 rounding.
 * Its gradient is first order: computed on the values, it is a constant to a second
 * differentiation (as the fused recurrent kernels' are); the composition, on other backends, is
 * differentiable again.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([8, 1, 20, 64]) as tf.Tensor4D;
 * const filter = tf.randomNormal([1, 3, 32, 64]) as tf.Tensor4D;
 * const y = fusedConv2dTranspose({ x, filter, outputShape: [8, 1, 39, 32], strides: [1, 2], pad: 'same', bias: tf.zeros([32]), activation: 'relu' });
 * ```
 */
export function fusedConv2dTranspose(args: FusedConv2dTransposeArgs): tf.Tensor4D {
  const { x, filter, outputShape, strides, pad, bias } = args;
  const activation = args.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') throw new ValueError('activation', "'linear' or 'relu'", activation);
  if (x.rank !== 4) throw new ShapeError('x', 'rank 4 ([batch, height, width, inChannels])', x);
  if (filter.rank !== 4 || filter.shape[3] !== x.shape[3]) throw new ShapeError('filter', `rank 4 with ${x.shape[3]} input channels last`, filter);
  if (outputShape.length !== 4 || outputShape[0] !== x.shape[0] || outputShape[3] !== filter.shape[2]) {
    throw new ShapeError('outputShape', `[${x.shape[0]}, height, width, ${filter.shape[2]}]`, outputShape);
  }
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== outputShape[3])) throw new ShapeError('bias', `shape [${outputShape[3]}]`, bias);
  const c = convInfoFor(outputShape, filter.shape, { strides, pad });
  if (c === null || c.outHeight !== x.shape[1] || c.outWidth !== x.shape[2]) {
    throw new ShapeError('x', `height and width [${c?.outHeight}, ${c?.outWidth}] (the convolution of outputShape)`, x);
  }
  if (ownCpuPath(x, filter, bias)) return fusedConvOp(convTransposeValues(c), outputShape, activation === 'relu', x, filter, bias);
  return tf.tidy(() => {
    const y = tf.conv2dTranspose(x, filter, outputShape, strides, pad);
    const yb: tf.Tensor4D = bias === undefined ? y : tf.add(y, bias);
    return activation === 'relu' ? tf.relu(yb) : yb;
  });
}
