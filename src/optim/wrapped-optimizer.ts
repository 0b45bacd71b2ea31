import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { disposeBaseOptimizer, isOptimizer } from './learning-rate.js';
import type { NamedTensor } from './sam.js';

/**
 * An optimizer that wraps another one (as {@link SAM} and {@link ScheduledOptimizer} do): it owns
 * the wrapped optimizer, whose slots are the only state, so weights and disposal go to it.
 */
export abstract class WrappedOptimizer extends tf.Optimizer {
  /** The wrapped optimizer that applies the updates; owned by this wrapper (`dispose` disposes it). */
  readonly base: tf.Optimizer;

  /**
   * @param base The optimizer to wrap.
   * @param argument The constructor argument's name, for the error when `base` is not a tf.Optimizer.
   */
  protected constructor(base: tf.Optimizer, argument: string) {
    super();
    if (!isOptimizer(base)) throw new ValueError(argument, 'a tf.Optimizer', base);
    this.base = base;
  }

  /** Disposes the wrapped optimizer (and the learning-rate scalar tfjs's momentum optimizer forgets). */
  override dispose(): void {
    disposeBaseOptimizer(this.base);
    super.dispose();
  }

  /**
   * The wrapped optimizer's weights (its slots and iteration count).
   * @returns The wrapped optimizer's named tensors.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    return this.base.getWeights();
  }

  /**
   * Restores the wrapped optimizer's weights, as saved by {@link WrappedOptimizer.getWeights}.
   * @param weightValues The named tensors `getWeights` returned.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    await this.base.setWeights(weightValues);
  }
}
