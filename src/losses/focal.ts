import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import {
  checkFiniteNumber,
  checkReduction,
  logProbabilities,
  oneMinusExp,
  PROBABILITY_EPSILON,
  reduce,
  type Reduction,
  TINY,
  toTargetMatrix,
} from './common.js';

/** Options of {@link focalLoss} (softmax focal loss, multi-class). */
export interface FocalLossOptions {
  /** Focusing parameter gamma >= 0; 0 gives (alpha-weighted) cross-entropy. Default 2. */
  gamma?: number;
  /**
   * Class weighting alpha_t: a number (one factor for every class), an array with one weight per
   * class (alpha_t = alpha[y]), or `null`/omitted for none. Default: none.
   */
  alpha?: number | readonly number[] | null;
  /** `yPred` holds logits (default, numerically safest) rather than probabilities. Default true. */
  fromLogits?: boolean;
  /** 'mean' over samples (default), 'sum', or 'none' (one value per sample, shape [n]). */
  reduction?: Reduction;
}

/** Options of {@link sigmoidFocalLoss} (binary / multi-label, torchvision semantics). */
export interface SigmoidFocalLossOptions {
  /** Focusing parameter gamma >= 0. Default 2. */
  gamma?: number;
  /**
   * Weight of the positive class in [0, 1]; negatives get 1 - alpha. A negative value (-1)
   * disables weighting, as in torchvision. Default 0.25.
   */
  alpha?: number;
  /** `yPred` holds logits (default) rather than probabilities. Default true. */
  fromLogits?: boolean;
  /**
   * 'mean' over all elements (default here; torchvision's default is 'none'), 'sum', or 'none'
   * (same shape as `yPred`).
   */
  reduction?: Reduction;
}

function checkGamma(gamma: unknown): number {
  return checkFiniteNumber(gamma, 'gamma', 'a finite number >= 0', (v) => v >= 0);
}

/** `(1 - p)^gamma` from log p, finite (and with finite gradient) for every gamma >= 0. */
function modulatingFactor(logp: tf.Tensor, gamma: number): tf.Tensor {
  if (gamma === 0) return tf.onesLike(logp);
  return tf.pow(oneMinusExp(logp), gamma);
}

/**
 * Softmax focal loss (Lin et al., 2017, sec. 3.2) for multi-class classification:
 * `-alpha_t (1 - p_t)^gamma log p_t`, computed from `logSoftmax` so it stays finite for
 * saturated logits and gamma < 1.
 *
 * @param yTrue Class indices [n] or one-hot (or soft) targets [n, k].
 * @param yPred Logits [n, k] (or probabilities with `fromLogits: false`).
 * @returns A scalar for 'mean' / 'sum', per-sample losses [n] for 'none'.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { focalLoss } from 'flowsentry';
 *
 * const logits = tf.tensor2d([[2, 0.5, -1], [0.1, 0.2, 3]]);
 * const loss = focalLoss(tf.tensor1d([0, 2], 'int32'), logits, { gamma: 2, alpha: [0.25, 1, 1] }); // scalar
 *
 * // As a tfjs-layers loss on a softmax output (one-hot targets):
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [8] })] });
 * model.compile({ optimizer: 'adam', loss: (yTrue, yPred) => focalLoss(yTrue, yPred, { fromLogits: false }) });
 * ```
 */
export function focalLoss(yTrue: tf.Tensor, yPred: tf.Tensor, options: FocalLossOptions = {}): tf.Tensor {
  const gamma = checkGamma(options.gamma ?? 2);
  const reduction = checkReduction(options.reduction ?? 'mean');
  const fromLogits = options.fromLogits ?? true;
  if (yPred.rank !== 2) throw new ShapeError('yPred', 'a 2-D tensor [n, classes]', yPred);
  const [n, k] = yPred.shape as [number, number];
  const alpha = options.alpha ?? null;
  let alphaValues: number[] | null = null;
  if (typeof alpha === 'number') {
    checkFiniteNumber(alpha, 'alpha', 'a finite number >= 0', (v) => v >= 0);
  } else if (alpha !== null) {
    if (!Array.isArray(alpha) || alpha.length !== k) throw new ValueError('alpha', `a number or an array of ${k} class weights`, alpha);
    alphaValues = alpha.map((a, i) => checkFiniteNumber(a, `alpha[${i}]`, 'a finite number >= 0', (v) => v >= 0));
  }
  return tf.tidy(() => {
    const target = toTargetMatrix(yTrue, n, k);
    const logp = logProbabilities(yPred as tf.Tensor2D, fromLogits);
    // Per class: -y_c (1 - p_c)^gamma log p_c; with one-hot targets only the true class remains.
    let perClass = tf.mul(tf.neg(target), tf.mul(modulatingFactor(logp, gamma), logp));
    if (alphaValues !== null) perClass = tf.mul(perClass, tf.tensor1d(alphaValues));
    let loss = tf.sum(perClass, 1);
    if (typeof alpha === 'number') loss = tf.mul(loss, alpha);
    return reduce(loss, reduction);
  });
}

/**
 * Sigmoid focal loss for binary or multi-label targets, with the semantics of torchvision's
 * `sigmoid_focal_loss`: `alpha_t * BCE(x, t) * (1 - p_t)^gamma`. Computed from softplus so it
 * stays finite for saturated logits.
 *
 * @param yTrue Targets in [0, 1], same shape as `yPred`.
 * @param yPred Logits (or probabilities with `fromLogits: false`), any shape.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { sigmoidFocalLoss } from 'flowsentry';
 *
 * // Binary attack-vs-normal logits; torchvision's defaults alpha 0.25, gamma 2, here averaged.
 * const loss = sigmoidFocalLoss(tf.tensor1d([1, 0, 0, 1]), tf.tensor1d([2.5, -1, 0.3, -0.2])); // scalar
 * ```
 */
export function sigmoidFocalLoss(yTrue: tf.Tensor, yPred: tf.Tensor, options: SigmoidFocalLossOptions = {}): tf.Tensor {
  const gamma = checkGamma(options.gamma ?? 2);
  const alpha = checkFiniteNumber(options.alpha ?? 0.25, 'alpha', 'a number in [0, 1], or negative to disable', (v) => v <= 1);
  const reduction = checkReduction(options.reduction ?? 'mean');
  const fromLogits = options.fromLogits ?? true;
  if (!tf.util.arraysEqual(yTrue.shape, yPred.shape)) {
    throw new ShapeError('yTrue', `the shape of yPred [${yPred.shape.join(', ')}]`, yTrue);
  }
  return tf.tidy(() => {
    const t = tf.cast(yTrue, 'float32');
    let logP: tf.Tensor; // log sigmoid(x)
    let log1mP: tf.Tensor; // log sigmoid(-x)
    if (fromLogits) {
      logP = tf.neg(tf.softplus(tf.neg(yPred)));
      log1mP = tf.neg(tf.softplus(yPred));
    } else {
      const p = tf.clipByValue(yPred, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
      logP = tf.log(p);
      log1mP = tf.log1p(tf.neg(p));
    }
    const oneMinusT = tf.sub(1, t);
    const ce = tf.neg(tf.add(tf.mul(t, logP), tf.mul(oneMinusT, log1mP)));
    let loss = ce;
    if (gamma !== 0) {
      // 1 - p_t = t (1 - p) + (1 - t) p, each term from its own log so neither cancels.
      const oneMinusPt = tf.maximum(tf.add(tf.mul(t, tf.exp(log1mP)), tf.mul(oneMinusT, tf.exp(logP))), TINY);
      loss = tf.mul(loss, tf.pow(oneMinusPt, gamma));
    }
    if (alpha >= 0) loss = tf.mul(loss, tf.add(tf.mul(alpha, t), tf.mul(1 - alpha, oneMinusT)));
    return reduce(loss, reduction);
  });
}
