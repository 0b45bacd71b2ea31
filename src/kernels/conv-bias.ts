import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { convInfoFor } from './conv.js';
import { convValues, fusedConvOp, ownCpuPath } from './conv-grad.js';

/** Options of {@link fusedConv2d}: those of `tf.fused.conv2d` for NHWC without dilation. */
export interface FusedConv2dArgs {
  /** Input, `[batch, height, width, inChannels]`. */
  x: tf.Tensor4D;
  /** Filter, `[filterHeight, filterWidth, inChannels, outChannels]`. */
  filter: tf.Tensor4D;
  /** Strides `[height, width]`, or one for both. */
  strides: [number, number] | number;
  /** Padding, as `tf.conv2d` (explicit padding `[[0, 0], [top, bottom], [left, right], [0, 0]]` too). */
  pad: 'valid' | 'same' | tf.backend_util.ExplicitPadding;
  /** Added to every output position, `[outChannels]`. Default: no bias. */
  bias?: tf.Tensor1D;
  /** Applied after the bias. Default `'linear'`. */
  activation?: 'linear' | 'relu';
}

/** Shape and activation checks shared by the fused convolution ops; returns the activation (default `'linear'`). */
export function checkArgs(args: Pick<FusedConv2dArgs, 'x' | 'filter' | 'bias' | 'activation'>): 'linear' | 'relu' {
  const { x, filter, bias } = args;
  const activation = args.activation ?? 'linear';
  if (activation !== 'linear' && activation !== 'relu') throw new ValueError('activation', "'linear' or 'relu'", activation);
  if (x.rank !== 4) throw new ShapeError('x', 'rank 4 ([batch, height, width, inChannels])', x);
  if (filter.rank !== 4 || filter.shape[2] !== x.shape[3]) throw new ShapeError('filter', `rank 4 with ${x.shape[3]} input channels third`, filter);
  const outChannels = filter.shape[3];
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== outChannels)) throw new ShapeError('bias', `shape [${outChannels}]`, bias);
  return activation;
}

/**
 * `activation(conv2d(x, filter) + bias)` in one op, fused while training too: PyTorch's
 * `Conv2d(bias=True)` (then `relu`). tfjs runs `tf.fused.conv2d` with a relu as three ops while
 * gradients are recorded (conv, add, relu; the relu's gradient two more, step and multiply, the
 * bias's a sum). On the embedded cpu backend this op runs our `FusedConv2D` kernel path (the bias
 * and relu on the product inside the SIMD module) and keeps its output; its gradient masks dy by
 * output > 0 and sums the bias gradient in one pass, then runs the two convolution gradients on
 * the masked dy. Values equal `tf.fused.conv2d`'s exactly; gradients equal the composition's to
 * float32 rounding (the bias sum runs in f32x4 lanes, rows in order). On every other backend (and
 * with flowsentry's kernels off) it is `tf.fused.conv2d` itself.
 * Its gradient is first order: computed on the values, it is a constant to a second
 * differentiation (as the fused recurrent kernels' are); the composition, on other backends, is
 * differentiable again.
 *
 * @example
 * ```ts
 * const x = tf.randomNormal([8, 1, 78, 1]) as tf.Tensor4D;
 * const filter = tf.randomNormal([1, 3, 1, 32]) as tf.Tensor4D;
 * const y = fusedConv2d({ x, filter, strides: [1, 2], pad: 'same', bias: tf.zeros([32]), activation: 'relu' }); // [8, 1, 39, 32]
 * ```
 */
export function fusedConv2d(args: FusedConv2dArgs): tf.Tensor4D {
  const activation = checkArgs(args);
  const { x, filter, strides, pad, bias } = args;
  const explicit = Array.isArray(pad) && pad.length === 4 && pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0));
  if (pad !== 'same' && pad !== 'valid' && !explicit) throw new ValueError('pad', "'valid', 'same' or [[0, 0], [top, bottom], [left, right], [0, 0]]", pad);
  const c = convInfoFor(x.shape, filter.shape, { strides, pad });
  if (c === null) throw new ValueError('pad', "'valid', 'same' or explicit padding", pad);
  if (!ownCpuPath(x, filter, bias)) {
    if (bias === undefined && activation === 'linear') return tf.conv2d(x, filter, strides, pad);
    return tf.fused.conv2d({ x, filter, strides, pad, activation, ...(bias === undefined ? {} : { bias }) });
  }
  return fusedConvOp(convValues(c), [c.batchSize, c.outHeight, c.outWidth, c.outChannels], activation === 'relu', x, filter, bias);
}
