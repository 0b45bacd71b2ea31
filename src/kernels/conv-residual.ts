import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { conv2DBackpropFilterValues, conv2DBackpropInputValues, conv2DValues, convInfoFor } from './conv.js';
import { fusedConvPath, reluBiasGrad } from './conv-grad.js';

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
  if (fusedConvPath(x, filter, bias, residual)) return residualOp(x, filter, bias, residual, c, outShape as [number, number, number, number], activation === 'relu');
  return tf.tidy(() => {
    const y = bias === undefined ? tf.conv2d(x, filter, strides, pad) : tf.fused.conv2d({ x, filter, strides, pad, bias });
    const sum = tf.add<tf.Tensor4D>(y, residual);
    return activation === 'relu' ? tf.relu(sum) : sum;
  });
}

/** The cpu path of {@link fusedConv2dResidual}, differentiable through tf.customGrad. */
function residualOp(
  x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | undefined, residual: tf.Tensor4D, c: tf.backend_util.Conv2DInfo,
  outShape: [number, number, number, number], relu: boolean,
): tf.Tensor4D {
  const op = tf.customGrad(((...tensors: unknown[]) => {
    const [xt, wt, rt] = tensors as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const bt = bias === undefined ? undefined : (tensors[3] as tf.Tensor1D);
    const save = tensors.at(-1) as tf.GradSaveFunc;
    const y = tf.tensor4d(
      conv2DValues(xt.dataSync() as Float32Array, wt.dataSync() as Float32Array, c, {
        bias: bt === undefined ? null : (bt.dataSync() as Float32Array),
        relu,
        residual: rt.dataSync() as Float32Array,
      }),
      outShape,
      'float32',
    );
    // Inputs that are intermediates of the forward pass are disposed before the backward pass unless saved.
    save(relu ? [xt, wt, y] : [xt, wt]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws, ys] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D | undefined];
      const yv = ys === undefined ? null : (ys.dataSync() as Float32Array);
      const { dz, dBias } = reluBiasGrad(dy.dataSync() as Float32Array, yv, outShape[3], bt !== undefined);
      const dx = tf.tensor4d(conv2DBackpropInputValues(dz, ws.dataSync() as Float32Array, c), xt.shape, 'float32');
      const dW = tf.tensor4d(conv2DBackpropFilterValues(xs.dataSync() as Float32Array, dz, c), wt.shape, 'float32');
      const dRes = yv === null ? dy.clone() : tf.tensor4d(dz, outShape, 'float32');
      return dBias === null ? [dx, dW, dRes] : [dx, dW, dRes, tf.tensor1d(dBias, 'float32')];
    };
    return { value: y, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...t: tf.Tensor[]) => tf.Tensor4D;
  return bias === undefined ? op(x, filter, residual) : op(x, filter, residual, bias);
}
