import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import { simdHeap } from './gemm.js';
import { recordingGradients } from './sequence-common.js';
import { flowsentryKernelsEnabled } from './state.js';

/** Below this many elements a JavaScript loop beats copying into the SIMD module (as the elementwise kernels). */
const SIMD_MIN = 1024;

/**
 * `relu(a + b)` for two tensors of the same shape in one op: a residual block's output when batch
 * norm sits between the convolution and the sum (so the sum cannot go into the convolution's
 * epilogue, as in {@link fusedConv2dResidual}). On the embedded cpu backend, outside gradient
 * recording, the sum and the relu run in one pass of the SIMD module: one tensor instead of two,
 * the same float32 values as `tf.relu(tf.add(a, b))`, which it is while gradients are recorded and
 * on every other backend.
 *
 * @example
 * ```ts
 * const y = addRelu(tf.tensor([1, -2, 3]), tf.tensor([-2, 1, 1])); // [0, 0, 4]
 * ```
 */
export function addRelu<T extends tf.Tensor>(a: T, b: T): T {
  if (b.rank !== a.rank || b.shape.some((d, i) => d !== a.shape[i])) throw new ShapeError('b', `the shape of a, [${a.shape.join(', ')}]`, b);
  const fused = flowsentryKernelsEnabled() && tf.getBackend() === 'cpu' && !recordingGradients() && a.dtype === 'float32' && b.dtype === 'float32';
  if (!fused) return tf.tidy(() => tf.relu(tf.add(a, b))) as T;
  const av = a.dataSync() as Float32Array;
  const bv = b.dataSync() as Float32Array;
  const n = av.length;
  const n4 = (n + 3) & ~3;
  const s = n >= SIMD_MIN ? simdHeap(2 * n4) : null;
  let out: Float32Array;
  if (s !== null) {
    s.h.set(av, 0);
    s.h.set(bv, n4);
    // The correctly rounded f32 sum, then max(., 0) with NaN kept: the stock Add and Relu's values.
    s.w.broadcast(0, 0, n4 * 4, 0, 1, n4);
    s.w.relu(0, 0, n4);
    out = s.h.slice(0, n);
  } else {
    out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.max(0, Math.fround((av[i] as number) + (bv[i] as number)));
  }
  return tf.tensor(out, a.shape, 'float32') as T;
}
