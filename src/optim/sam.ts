import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import { deserializeOptimizer, getLearningRate, setLearningRate } from './learning-rate.js';
import { WrappedOptimizer } from './wrapped-optimizer.js';

/**
 * A tensor with the name of the variable or slot it belongs to: the element of an optimizer's
 * `getWeights()` / `setWeights()` list (tfjs's `NamedTensor`, which its package root does not export).
 */
export interface NamedTensor {
  /** The variable or optimizer-slot name, e.g. `'dense/kernel/m'` for Adam's first moment. */
  name: string;
  /** Its value. */
  tensor: tf.Tensor;
}

/** When batch-norm moving statistics (any non-trainable variable `f` writes) may be updated. */
export type StatisticsUpdate = 'firstPass' | 'bothPasses';

/** Options of {@link SAM}. */
export interface SAMOptions {
  /** Radius of the neighbourhood (size of the ascent step). `0` reproduces the base optimizer. Default 0.05. */
  rho?: number;
  /**
   * Adaptive SAM (ASAM, Kwon et al. 2021): scale the ascent element-wise by |w|, so the
   * neighbourhood is invariant to weight rescaling. Default false.
   */
  adaptive?: boolean;
  /** Added to the gradient norm before dividing by it. Default 1e-12. */
  epsilon?: number;
  /**
   * 'firstPass' (default): non-trainable variables written by the loss function (batch-norm moving
   * mean and variance) are restored after the second pass, so they are updated once per step, from
   * the unperturbed weights. 'bothPasses': keep whatever both passes wrote.
   */
  statisticsUpdate?: StatisticsUpdate;
}

interface Perturbed {
  variable: tf.Variable;
  /** The exact weights before the ascent step, restored by `secondStep`. */
  original: tf.Tensor;
}

/**
 * Sharpness-Aware Minimization (Foret et al., 2021) around any tfjs optimizer; with
 * `adaptive: true`, ASAM (Kwon et al., 2021). Each step computes the gradient g at w, moves to
 * w + e with e = rho T^2 g / ||T g|| (one norm over all variables; T = 1 for SAM, |w| for ASAM),
 * computes the gradient there, restores w exactly (from a copy) and lets the base optimizer apply
 * that second gradient.
 *
 * SAM needs the loss function, so use `minimize(f, returnCost, varList)` (what tfjs-layers'
 * `model.fit` calls) or `firstStep` + `secondStep` in a custom loop. `applyGradients` alone
 * delegates to the base optimizer, without perturbation.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { SAM } from 'flowsentry';
 *
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
 * model.compile({ optimizer: new SAM(tf.train.sgd(0.1), { rho: 0.05 }), loss: 'categoricalCrossentropy' });
 * const labels = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32');
 * await model.fit(tf.randomNormal([32, 4]), tf.oneHot(labels, 3), { epochs: 3 }); // fit calls minimize: two gradients per step
 * ```
 */
export class SAM extends WrappedOptimizer {
  /**
   * The name tfjs serialises and registers this class under (`'flowsentry.SAM'`).
   * @nocollapse
   */
  static get className(): string {
    return 'flowsentry.SAM';
  }

  /** Neighbourhood radius. */
  readonly rho: number;
  /** ASAM when true. */
  readonly adaptive: boolean;
  /** Added to the gradient norm. */
  readonly epsilon: number;
  /** Which passes may update non-trainable statistics. */
  readonly statisticsUpdate: StatisticsUpdate;

  private perturbed: Perturbed[] | null = null;

  /**
   * @param baseOptimizer Any tfjs optimizer (SGD, momentum, Adam, RMSProp, ...), owned by this SAM
   *   from now on (`dispose` disposes it).
   */
  constructor(baseOptimizer: tf.Optimizer, options: SAMOptions = {}) {
    super(baseOptimizer, 'baseOptimizer');
    const rho = options.rho ?? 0.05;
    if (typeof rho !== 'number' || !Number.isFinite(rho) || rho < 0) throw new ValueError('rho', 'a finite number >= 0', rho);
    const epsilon = options.epsilon ?? 1e-12;
    if (typeof epsilon !== 'number' || !Number.isFinite(epsilon) || epsilon <= 0) {
      throw new ValueError('epsilon', 'a finite number > 0', epsilon);
    }
    const statisticsUpdate = options.statisticsUpdate ?? 'firstPass';
    if (statisticsUpdate !== 'firstPass' && statisticsUpdate !== 'bothPasses') {
      throw new ValueError('statisticsUpdate', "'firstPass' or 'bothPasses'", statisticsUpdate);
    }
    this.rho = rho;
    this.adaptive = options.adaptive ?? false;
    this.epsilon = epsilon;
    this.statisticsUpdate = statisticsUpdate;
  }

  /**
   * One full SAM step: `firstStep`, then `secondStep`. Returns the loss at the unperturbed
   * weights when `returnCost` is true (the caller disposes it), else null.
   */
  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    const cost = this.firstStep(f, varList);
    this.secondStep(f, varList);
    if (returnCost) return cost;
    cost.dispose();
    return null;
  }

  /**
   * Ascent: computes the gradient at w and moves the variables to w + e. Returns the loss at w
   * (the caller disposes it). Must be followed by `secondStep` with the same variables.
   */
  firstStep(f: () => tf.Scalar, varList?: tf.Variable[]): tf.Scalar {
    if (this.perturbed !== null) {
      throw new ValueError('firstStep', 'a call after secondStep (the weights are still perturbed)', 'a second firstStep');
    }
    const { value, grads } = this.computeGradients(f, varList);
    const perturbed: Perturbed[] = [];
    if (this.rho === 0) {
      // No ascent at all (w + 0 would still turn -0 weights into +0): the base optimizer, exactly.
      tf.dispose(grads);
      this.perturbed = perturbed;
      return value;
    }
    const entries = this.gradientEntries(grads, varList);
    tf.tidy(() => {
      const scaled = entries.map(({ variable, grad }) => (this.adaptive ? tf.mul(tf.abs(variable), grad) : grad));
      const norm = tf.sqrt(tf.addN(scaled.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.div(this.rho, tf.add(norm, this.epsilon));
      entries.forEach(({ variable, grad }, i) => {
        // e = rho T^2 g / ||T g||; T g is already in `scaled`, so T^2 g = T (T g).
        const tg = scaled[i] as tf.Tensor;
        const e = tf.mul(this.adaptive ? tf.mul(tf.abs(variable), tg) : grad, scale);
        perturbed.push({ variable, original: tf.keep(tf.clone(variable)) });
        variable.assign(tf.add(variable, e));
      });
    });
    tf.dispose(grads);
    this.perturbed = perturbed;
    return value;
  }

  /**
   * Descent: computes the gradient at the perturbed weights, restores the weights saved by
   * `firstStep` exactly, and lets the base optimizer apply that gradient.
   */
  secondStep(f: () => tf.Scalar, varList?: tf.Variable[]): void {
    const perturbed = this.perturbed;
    if (perturbed === null) throw new ValueError('secondStep', 'a preceding firstStep', 'no perturbation in progress');
    const statistics = this.statisticsUpdate === 'firstPass' ? snapshotStatistics(perturbed) : [];
    let grads: tf.NamedTensorMap;
    try {
      const result = this.computeGradients(f, varList);
      result.value.dispose();
      grads = result.grads;
    } finally {
      for (const { variable, original } of [...perturbed, ...statistics]) {
        variable.assign(original);
        original.dispose();
      }
      this.perturbed = null;
    }
    if (varList !== undefined) {
      // Exactly what tf.Optimizer.minimize passes: tfjs optimizers key their state by the position
      // in this array and skip entries without a gradient, so no entry may be dropped.
      this.base.applyGradients(varList.map((v) => ({ name: v.name, tensor: grads[v.name] as tf.Tensor })));
    } else {
      this.base.applyGradients(grads);
    }
    tf.dispose(grads);
    this.incrementIterations();
  }

  /** Delegates to the base optimizer: a plain (non-SAM) update with the given gradients. */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.base.applyGradients(variableGradients);
  }

  /** Sets the base optimizer's learning rate (used by `withSchedule`). */
  setLearningRate(learningRate: number): void {
    setLearningRate(this.base, learningRate);
  }

  /** The base optimizer's learning rate. */
  getLearningRate(): number {
    return getLearningRate(this.base);
  }

  override dispose(): void {
    if (this.perturbed !== null) {
      for (const { variable, original } of this.perturbed) {
        variable.assign(original);
        original.dispose();
      }
      this.perturbed = null;
    }
    super.dispose();
  }

  getConfig(): tf.serialization.ConfigDict {
    return {
      rho: this.rho,
      adaptive: this.adaptive,
      epsilon: this.epsilon,
      statisticsUpdate: this.statisticsUpdate,
      baseOptimizer: { className: this.base.getClassName(), config: this.base.getConfig() },
    };
  }

  /**
   * Rebuilds a SAM optimizer, and its base optimizer, from the dict `getConfig` wrote (called by tfjs
   * when a saved model's optimizer is restored).
   * @param cls The class to instantiate (this one).
   * @param config The dict written by `getConfig`.
   * @returns A new SAM around a new base optimizer, with the same options.
   * @nocollapse
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const base = deserializeOptimizer(config['baseOptimizer'], 'config.baseOptimizer');
    const options: SAMOptions = {};
    if (typeof config['rho'] === 'number') options.rho = config['rho'];
    if (typeof config['adaptive'] === 'boolean') options.adaptive = config['adaptive'];
    if (typeof config['epsilon'] === 'number') options.epsilon = config['epsilon'];
    const su = config['statisticsUpdate'];
    if (su === 'firstPass' || su === 'bothPasses') options.statisticsUpdate = su;
    return new (cls as unknown as new (b: tf.Optimizer, o: SAMOptions) => T)(base, options);
  }

  private gradientEntries(grads: tf.NamedTensorMap, varList?: tf.Variable[]): { variable: tf.Variable; grad: tf.Tensor }[] {
    const byName = new Map<string, tf.Variable>();
    for (const v of varList ?? Object.values(tf.engine().registeredVariables)) byName.set(v.name, v);
    const entries: { variable: tf.Variable; grad: tf.Tensor }[] = [];
    for (const [name, grad] of Object.entries(grads)) {
      const variable = byName.get(name);
      if (variable !== undefined && grad !== undefined) entries.push({ variable, grad });
    }
    return entries;
  }
}

/**
 * Copies (sharing storage: `assign` replaces a variable's buffer, it never writes into it) of every
 * non-trainable variable, i.e. batch-norm moving statistics and other state the loss function may
 * write, except the perturbed weights themselves.
 */
function snapshotStatistics(perturbed: Perturbed[]): Perturbed[] {
  const skip = new Set(perturbed.map((p) => p.variable.name));
  const out: Perturbed[] = [];
  for (const variable of Object.values(tf.engine().registeredVariables)) {
    if (variable.trainable || skip.has(variable.name) || variable.isDisposed) continue;
    out.push({ variable, original: tf.keep(tf.clone(variable)) });
  }
  return out;
}
