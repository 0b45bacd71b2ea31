import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { focalLoss } from '../losses/index.js';
import { SAM, cosineAnnealing, fusedAdam } from '../optim/index.js';
import type { LossFn } from '../train/index.js';

/** A JSON description of an optimizer (so a Detector can be saved with its settings). */
export interface OptimizerSpec {
  /** `adam` (default), `sgd` (with momentum), or SAM over either (`sam-sgd`: the ResCAE-BiGRU paper's SGD 0.01, momentum 0.9, rho 0.05). */
  name: 'adam' | 'sgd' | 'sam-sgd' | 'sam-adam';
  /** Learning rate (default 0.001 for Adam, 0.01 for SGD). */
  learningRate?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** SAM neighbourhood radius (default 0.05). */
  rho?: number;
}

/** The default learning rate of a spec. */
export function defaultLearningRate(spec: OptimizerSpec): number {
  return spec.learningRate ?? (spec.name === 'sgd' || spec.name === 'sam-sgd' ? 0.01 : 0.001);
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
  const lr = defaultLearningRate(spec);
  if (!Number.isFinite(lr) || lr <= 0) throw new ValueError('optimizer.learningRate', 'a positive number', lr);
  switch (spec.name) {
    case 'adam':
      // tf.train.adam's update in one pass per variable on cpu (bit-identical; tfjs's own elsewhere).
      return fusedAdam(lr);
    case 'sgd':
      return tf.train.momentum(lr, spec.momentum ?? 0.9);
    case 'sam-sgd':
      return new SAM(tf.train.momentum(lr, spec.momentum ?? 0.9), { rho: spec.rho ?? 0.05 });
    case 'sam-adam':
      return new SAM(fusedAdam(lr), { rho: spec.rho ?? 0.05 });
    default:
      throw new ValueError('optimizer.name', "'adam', 'sgd', 'sam-sgd' or 'sam-adam'", (spec as { name: unknown }).name);
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
  if (name === 'cosine') {
    const cosine = cosineAnnealing({ learningRate: lr, tMax: steps });
    return (step) => cosine(Math.min(step, steps)); // held at 0 after tMax (PyTorch's would rise again)
  }
  throw new ValueError('schedule', "'constant' or 'cosine'", name);
}

