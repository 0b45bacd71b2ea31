import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { deserializeOptimizer, getLearningRate, setLearningRate } from './learning-rate.js';
import { WrappedOptimizer } from './wrapped-optimizer.js';

/** A learning-rate schedule: the learning rate to use at a 0-based step. */
export type Schedule = (step: number) => number;

/** Options of {@link cosineAnnealing}. */
export interface CosineAnnealingOptions {
  /** Initial (maximum) learning rate, PyTorch's `base_lr`. */
  learningRate: number;
  /** Half-period in steps, PyTorch's `T_max`: the rate reaches `etaMin` at step `tMax`. */
  tMax: number;
  /** Minimum learning rate. Default 0. */
  etaMin?: number;
}

/** Options of {@link linearWarmup}. */
export interface LinearWarmupOptions {
  /** Number of warm-up steps, PyTorch `LinearLR`'s `total_iters`. */
  warmupSteps: number;
  /**
   * What follows the warm-up: a constant learning rate or a schedule, started at 0 when the
   * warm-up ends (as PyTorch's `SequentialLR` does).
   */
  after: number | Schedule;
  /** Factor of the target rate at step 0, PyTorch `LinearLR`'s `start_factor`. Default 1/3. */
  startFactor?: number;
}

/** Options of {@link withSchedule}. */
export interface WithScheduleOptions {
  /**
   * Optimizer updates per schedule step. 1 (default): the schedule advances every batch; set it to
   * the number of batches per epoch for a per-epoch schedule (PyTorch's usual `scheduler.step()`
   * once per epoch).
   */
  every?: number;
  /** Updates already done (to resume training). Default 0. */
  initialStep?: number;
}

function positive(value: unknown, name: string, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ValueError(name, integer ? 'a positive integer' : 'a finite number > 0', value);
  }
  return value;
}

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new ValueError('step', 'an integer >= 0', step);
}

/**
 * Cosine annealing with PyTorch `CosineAnnealingLR` semantics (SGDR without restarts,
 * Loshchilov & Hutter 2017): `etaMin + (lr - etaMin)(1 + cos(pi step / tMax)) / 2`. Like PyTorch's,
 * it keeps following the cosine past `tMax` (rising again).
 * @example
 * ```ts
 * import { cosineAnnealing } from 'flowsentry';
 *
 * const schedule = cosineAnnealing({ learningRate: 0.1, tMax: 100, etaMin: 0.001 });
 * schedule(0); // 0.1
 * schedule(50); // 0.0505
 * schedule(100); // 0.001
 * ```
 */
export function cosineAnnealing(options: CosineAnnealingOptions): Schedule {
  const lr = positive(options.learningRate, 'learningRate');
  const tMax = positive(options.tMax, 'tMax', true);
  const etaMin = options.etaMin ?? 0;
  if (typeof etaMin !== 'number' || !Number.isFinite(etaMin) || etaMin < 0 || etaMin > lr) {
    throw new ValueError('etaMin', `a number in [0, learningRate = ${lr}]`, etaMin);
  }
  return (step) => {
    checkStep(step);
    return etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2;
  };
}

/**
 * Linear warm-up (PyTorch `LinearLR` followed by the next schedule, as `SequentialLR` chains them):
 * the rate rises linearly from `startFactor * after(0)` to `after(0)` over `warmupSteps`, then
 * `after(step - warmupSteps)`.
 */
export function linearWarmup(options: LinearWarmupOptions): Schedule {
  const warmupSteps = positive(options.warmupSteps, 'warmupSteps', true);
  const startFactor = options.startFactor ?? 1 / 3;
  if (typeof startFactor !== 'number' || !(startFactor >= 0 && startFactor <= 1)) {
    throw new ValueError('startFactor', 'a number in [0, 1]', startFactor);
  }
  const after = options.after;
  let next: Schedule;
  if (typeof after === 'number') {
    const lr = positive(after, 'after');
    next = () => lr;
  } else if (typeof after === 'function') {
    next = after;
  } else {
    throw new ValueError('after', 'a learning rate or a schedule (step) => number', after);
  }
  return (step) => {
    checkStep(step);
    if (step >= warmupSteps) return next(step - warmupSteps);
    return next(0) * (startFactor + ((1 - startFactor) * step) / warmupSteps);
  };
}

/**
 * An optimizer whose learning rate follows a schedule: before every update (`minimize` or
 * `applyGradients`) it sets the wrapped optimizer's rate to `schedule(floor(step / every))`.
 * Made by {@link withSchedule}.
 */
export class ScheduledOptimizer extends WrappedOptimizer {
  /**
   * The name tfjs serialises and registers this class under (`'flowsentry.ScheduledOptimizer'`).
   * @nocollapse
   */
  static get className(): string {
    return 'flowsentry.ScheduledOptimizer';
  }

  /** The schedule. */
  readonly schedule: Schedule;
  /** Updates per schedule step. */
  readonly every: number;
  private updates: number;

  constructor(base: tf.Optimizer, schedule: Schedule, options: WithScheduleOptions = {}) {
    super(base, 'optimizer');
    if (typeof schedule !== 'function') throw new ValueError('schedule', 'a function (step) => number', schedule);
    this.schedule = schedule;
    this.every = positive(options.every ?? 1, 'every', true);
    const initialStep = options.initialStep ?? 0;
    if (!Number.isInteger(initialStep) || initialStep < 0) throw new ValueError('initialStep', 'an integer >= 0', initialStep);
    this.updates = initialStep;
    getLearningRate(base); // rejects optimizers without a settable rate now rather than mid-training
  }

  /** Number of updates done so far. */
  get step(): number {
    return this.updates;
  }

  /** The learning rate the next update will use. */
  get currentLearningRate(): number {
    return this.schedule(Math.floor(this.updates / this.every));
  }

  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    setLearningRate(this.base, this.currentLearningRate);
    const cost = this.base.minimize(f, returnCost, varList);
    this.updates++;
    return cost;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    setLearningRate(this.base, this.currentLearningRate);
    this.base.applyGradients(variableGradients);
    this.updates++;
  }

  /** The base optimizer's config (at its current learning rate) and the step; the schedule, a function, is not serialized. */
  getConfig(): tf.serialization.ConfigDict {
    return { baseOptimizer: { className: this.base.getClassName(), config: this.base.getConfig() }, step: this.updates, every: this.every };
  }

  /**
   * Returns the saved base optimizer itself (at the learning rate it had when saved), since the
   * schedule cannot be serialized: wrap it again with `withSchedule(..., { initialStep })` to resume.
   * @nocollapse
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    _cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return deserializeOptimizer(config['baseOptimizer'], 'config.baseOptimizer') as unknown as T;
  }
}

/**
 * Drives any optimizer's learning rate from a schedule. Returns a `tf.Optimizer` usable wherever
 * the original was (custom loops, `model.fit`, the training loop), e.g.
 * `withSchedule(new SAM(tf.train.momentum(0.01, 0.9)), cosineAnnealing({ learningRate: 0.01, tMax: 50 }), { every: batchesPerEpoch })`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { cosineAnnealing, SAM, withSchedule } from 'flowsentry';
 *
 * const batchesPerEpoch = 10; // 320 rows / batchSize 32
 * const optimizer = withSchedule(new SAM(tf.train.momentum(0.01, 0.9)), cosineAnnealing({ learningRate: 0.01, tMax: 50 }), { every: batchesPerEpoch });
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [4] })] });
 * model.compile({ optimizer, loss: 'meanSquaredError' });
 * await model.fit(tf.randomNormal([320, 4]), tf.randomNormal([320, 1]), { epochs: 5, batchSize: 32 });
 * optimizer.currentLearningRate; // cosine value at epoch 5 of 50
 * ```
 */
export function withSchedule(optimizer: tf.Optimizer, schedule: Schedule, options: WithScheduleOptions = {}): ScheduledOptimizer {
  return new ScheduledOptimizer(optimizer, schedule, options);
}
