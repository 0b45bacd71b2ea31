import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { focalLoss } from '../losses/index.js';
import type { LossFn } from '../train/index.js';

/** A JSON description of an optimizer (so a Detector can be saved with its settings). */
export interface OptimizerSpec {
  /** `adam` (default), `sgd` (with momentum). */
  name: 'adam' | 'sgd';
  /** Learning rate (default 0.001 for Adam, 0.01 for SGD). */
  learningRate?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
}

/** A JSON description of the training loss. */
export interface LossSpec {
  /** `crossEntropy` (default) or `focal` (softmax focal loss). */
  name: 'crossEntropy' | 'focal';
  /** Focal-loss focusing parameter (default 2). */
  gamma?: number;
}

/** Builds the tf.Optimizer of a spec. */
export function makeOptimizer(spec: OptimizerSpec): tf.Optimizer {
  const lr = spec.learningRate ?? (spec.name === 'adam' ? 0.001 : 0.01);
  if (!Number.isFinite(lr) || lr <= 0) throw new ValueError('optimizer.learningRate', 'a positive number', lr);
  switch (spec.name) {
    case 'adam':
      return tf.train.adam(lr);
    case 'sgd':
      return tf.train.momentum(lr, spec.momentum ?? 0.9);
    default:
      throw new ValueError('optimizer.name', "'adam' or 'sgd'", (spec as { name: unknown }).name);
  }
}

/** Builds the per-sample loss of a spec (probabilities in, one value per sample out). */
export function makeLoss(spec: LossSpec): LossFn | 'categoricalCrossentropy' {
  if (spec.name === 'crossEntropy') return 'categoricalCrossentropy';
  if (spec.name === 'focal') {
    const gamma = spec.gamma ?? 2;
    return (yTrue, yPred) => focalLoss(yTrue, yPred, { gamma, fromLogits: false, reduction: 'none' });
  }
  throw new ValueError('loss.name', "'crossEntropy' or 'focal'", (spec as { name: unknown }).name);
}

/** The learning rate per step, or undefined for a constant rate. Cosine annealing from `lr` to 0 over `steps`. */
export function makeSchedule(name: 'constant' | 'cosine', lr: number, steps: number): ((step: number) => number) | undefined {
  if (name === 'constant') return undefined;
  if (name === 'cosine') return (step) => (lr * (1 + Math.cos((Math.PI * Math.min(step, steps)) / steps))) / 2;
  throw new ValueError('schedule', "'constant' or 'cosine'", name);
}
