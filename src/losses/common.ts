import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';

/** How a per-sample loss is reduced: kept per sample, averaged, or summed. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Smallest positive value a probability or `1 - p` is clamped to before a log or a power. */
export const TINY = 1e-30;

/** Clamp for probabilities given as inputs (`fromLogits: false`), as Keras does. */
export const PROBABILITY_EPSILON = 1e-7;

export function checkReduction(reduction: unknown, name = 'reduction'): Reduction {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new ValueError(name, "'none', 'mean' or 'sum'", reduction);
  }
  return reduction;
}

export function reduce(loss: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'mean') return tf.mean(loss);
  if (reduction === 'sum') return tf.sum(loss);
  return loss;
}

export function checkFiniteNumber(value: unknown, name: string, expected: string, ok: (v: number) => boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new ValueError(name, expected, value);
  return value;
}

/**
 * Targets as a float one-hot (or soft-label) matrix [n, k]: accepts class indices [n] or a
 * matrix already of shape [n, k].
 */
export function toTargetMatrix(yTrue: tf.Tensor, n: number, k: number, name = 'yTrue'): tf.Tensor2D {
  if (yTrue.rank === 1) {
    if (yTrue.shape[0] !== n) throw new ShapeError(name, `${n} class indices`, yTrue);
    return tf.cast(tf.oneHot(tf.cast(yTrue, 'int32'), k), 'float32') as tf.Tensor2D;
  }
  if (yTrue.rank === 2 && yTrue.shape[0] === n && yTrue.shape[1] === k) return tf.cast(yTrue, 'float32') as tf.Tensor2D;
  throw new ShapeError(name, `class indices [${n}] or a one-hot matrix [${n}, ${k}]`, yTrue);
}

/** Log-probabilities [n, k] from logits (log-softmax) or from probabilities (clamped log). */
export function logProbabilities(yPred: tf.Tensor2D, fromLogits: boolean): tf.Tensor2D {
  if (fromLogits) return tf.logSoftmax(yPred);
  return tf.log(tf.clipByValue(yPred, PROBABILITY_EPSILON, 1));
}

/** `1 - exp(logp)` computed as `-expm1(logp)`, exact near p = 1, clamped away from 0. */
export function oneMinusExp(logp: tf.Tensor): tf.Tensor {
  return tf.maximum(tf.neg(tf.expm1(logp)), TINY);
}
