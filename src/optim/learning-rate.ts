import * as tf from '@tensorflow/tfjs-core';
import { FusedAdam } from './fused-adam.js';
import { ValueError } from '../errors.js';

interface HasSetLearningRate {
  setLearningRate(learningRate: number): void;
}
interface HasLearningRate {
  learningRate: number;
}

/**
 * Sets the learning rate of any tfjs optimizer (and of flowsentry's wrappers, which delegate to
 * their base). tfjs's SGD and momentum optimizers cache `-lr` in a scalar and expose
 * `setLearningRate`; Adam, Adamax, Adagrad, Adadelta and RMSProp read their protected
 * `learningRate` field at every `applyGradients`, so assigning it takes effect at the next step.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) {
    throw new ValueError('learningRate', 'a finite number >= 0', learningRate);
  }
  const withSetter = optimizer as unknown as Partial<HasSetLearningRate>;
  if (typeof withSetter.setLearningRate === 'function') {
    withSetter.setLearningRate(learningRate);
    return;
  }
  const withField = optimizer as unknown as Partial<HasLearningRate>;
  if (typeof withField.learningRate === 'number') {
    withField.learningRate = learningRate;
    return;
  }
  throw new ValueError('optimizer', 'a tfjs optimizer with a learning rate', optimizer);
}

/** Reads the learning rate of a tfjs optimizer (see {@link setLearningRate}). */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const withGetter = optimizer as unknown as { getLearningRate?: () => number };
  if (typeof withGetter.getLearningRate === 'function') return withGetter.getLearningRate();
  const lr = (optimizer as unknown as Partial<HasLearningRate>).learningRate;
  if (typeof lr !== 'number') throw new ValueError('optimizer', 'a tfjs optimizer with a learning rate', optimizer);
  return lr;
}

/** True for a tf.Optimizer. tfjs's `instanceof` reads `.minimize` of its operand, so test for an object first. */
export function isOptimizer(value: unknown): value is tf.Optimizer {
  return typeof value === 'object' && value !== null && value instanceof tf.Optimizer;
}

/**
 * Disposes an optimizer and the learning-rate scalar tfjs's MomentumOptimizer.dispose() forgets
 * (`c`, inherited from SGD).
 */
export function disposeBaseOptimizer(optimizer: tf.Optimizer): void {
  const c = (optimizer as unknown as { c?: unknown }).c;
  optimizer.dispose();
  if (c instanceof tf.Tensor && !c.isDisposed) c.dispose();
}

/**
 * Rebuilds a registered tfjs optimizer from `{ className, config }` (a wrapper's saved base).
 * `'Adam'` (tfjs's name, which {@link FusedAdam} keeps so its saved form stays tfjs's) comes back
 * as a FusedAdam: the same update (bit-identical to tf.AdamOptimizer's), in one pass on the cpu
 * backend, so a wrapper around FusedAdam round-trips to one.
 */
export function deserializeOptimizer(saved: unknown, argument: string): tf.Optimizer {
  const s = saved as { className?: unknown; config?: unknown } | undefined;
  const className = s?.className;
  const entry = typeof className === 'string' ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined;
  if (entry === undefined) throw new ValueError(`${argument}.className`, 'the class name of a registered tfjs optimizer', className);
  const [cls, fromConfig] = entry;
  const config = (s?.config ?? {}) as tf.serialization.ConfigDict;
  if (cls === tf.AdamOptimizer) return tf.AdamOptimizer.fromConfig(FusedAdam, config) as unknown as tf.Optimizer;
  return fromConfig(cls, config) as unknown as tf.Optimizer;
}
