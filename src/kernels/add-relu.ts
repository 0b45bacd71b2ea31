import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { SIMD_MIN, simdHeap } from './gemm.js';
import { ownCpuPath, reluBiasGrad } from './conv-grad.js';

/**
 * `relu(a + b)` for two tensors of the same shape in one op: a residual block's output when batch
 * norm sits between the convolution and the sum (so the sum cannot go into the convolution's
 * epilogue, as in {@link fusedConv2dResidual}). On the embedded cpu backend the sum and the relu
 * run in one pass of the SIMD module: one tensor instead of two, the same float32 values as
 * `tf.relu(tf.add(a, b))`; its gradient is dy masked by the output > 0 for both summands, one pass
 * instead of relu's step and multiply. On every other backend it is `tf.relu(tf.add(a, b))`.
 * Its gradient is first order: computed on the values, it is a constant to a second
 * differentiation (as the fused recurrent kernels' are); the composition, on other backends, is
 * differentiable again.
 *
 * @example
 * ```ts
 * const y = addRelu(tf.tensor([1, -2, 3]), tf.tensor([-2, 1, 1])); // [0, 0, 4]
 * ```
 */
export function addRelu<T extends tf.Tensor>(a: T, b: T): T {
  if (b.rank !== a.rank || b.shape.some((d, i) => d !== a.shape[i])) throw new ShapeError('b', `the shape of a, [${a.shape.join(', ')}]`, b);
  if (!ownCpuPath(a, b)) return tf.tidy(() => tf.relu(tf.add(a, b))) as T;
  const op = tf.customGrad(((at: tf.Tensor, bt: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.tensor(addReluValues(at.dataSync() as Float32Array, bt.dataSync() as Float32Array), at.shape, 'float32');
    save([y]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      // Both summands get dy masked by y > 0 (NaN where y is NaN), as relu's and add's gradients.
      const { dz } = reluBiasGrad(dy.dataSync() as Float32Array, (saved[0] as tf.Tensor).dataSync() as Float32Array, 1, false);
      const da = tf.tensor(dz, dy.shape, 'float32');
      return [da, da.clone()];
    };
    return { value: y, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  return op(a, b) as T;
}

/** relu(a + b) of float32 values: one SIMD pass from {@link SIMD_MIN} values, a JavaScript loop below. */
function addReluValues(av: Float32Array, bv: Float32Array): Float32Array {
  const n = av.length;
  const n4 = (n + 3) & ~3;
  const s = n >= SIMD_MIN ? simdHeap(2 * n4) : null;
  if (s !== null) {
    s.h.set(av, 0);
    s.h.set(bv, n4);
    // The correctly rounded f32 sum, then max(., 0) with NaN kept: the stock Add and Relu's values.
    s.w.broadcast(0, 0, n4 * 4, 0, 1, n4);
    s.w.relu(0, 0, n4);
    return s.h.slice(0, n);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.fround((av[i] as number) + (bv[i] as number)));
  return out;
}
