import * as tf from '@tensorflow/tfjs-core';

/**
 * A training loss: `(yTrue, yPred) => loss`. Returning one value per sample (`[batch]`) lets
 * {@link trainModel} apply class weights; a scalar is accepted when no class weights are used.
 */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** Built-in losses by name (per-sample, Keras semantics). */
export type LossName = 'categoricalCrossentropy' | 'meanSquaredError';

/** Per-sample categorical cross-entropy on probabilities (a softmax output), clipped like Keras. */
export function categoricalCrossentropy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const p = tf.clipByValue(yPred, 1e-7, 1 - 1e-7);
    return tf.neg(tf.sum(tf.mul(yTrue, tf.log(p)), -1));
  });
}

/** Per-sample mean squared error over every non-batch axis (autoencoder reconstruction). */
export function meanSquaredError(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const d = tf.squaredDifference(yTrue, yPred);
    const axes = Array.from({ length: d.rank - 1 }, (_, i) => i + 1);
    return axes.length === 0 ? d : tf.mean(d, axes);
  });
}

/** Resolves a loss given by name or as a function. */
export function resolveLoss(loss: LossFn | LossName): LossFn {
  if (typeof loss === 'function') return loss;
  return loss === 'meanSquaredError' ? meanSquaredError : categoricalCrossentropy;
}
