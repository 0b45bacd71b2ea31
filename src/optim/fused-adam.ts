import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../errors.js';
import type { CpuBackend } from '../kernels/cpu-backend.js';
import { simdHeap } from '../kernels/gemm.js';
import { flowsentryKernelsEnabled } from '../kernels/state.js';
import type { NamedTensor } from './sam.js';

/** tfjs's private state of `tf.AdamOptimizer`, which this subclass updates itself on the cpu backend. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

interface Slot {
  value: Float32Array;
  m: Float32Array;
  v: Float32Array;
  g: Float32Array;
  variable: tf.Variable;
  first: tf.Variable;
  second: tf.Variable;
}

/**
 * Adam (Kingma & Ba, 2015) whose update runs as one pass per variable on the cpu backend: the first
 * and second moments and the weights are computed from one read of the gradient, into three new
 * arrays, where tfjs's `AdamOptimizer` runs about ten tensor ops (and allocations) per variable.
 * The pass runs in flowsentry's SIMD module (f32x4), or as a JavaScript loop without it. The result
 * is bit-identical to `tf.train.adam` (NaN payloads aside): each float32 operation of tfjs's update
 * is reproduced in its order, correctly rounded to float32 (f32x4 ops, or `Math.fround`).
 *
 * It is a `tf.AdamOptimizer` (same class name `'Adam'`, config, slots `<name>/m` and `<name>/v`,
 * beta powers and iteration count), so `getWeights` / `setWeights` and serialisation interoperate
 * with tfjs's Adam both ways. On every other backend, with flowsentry's kernels off
 * (`setFlowsentryKernels(false)`), or for a variable that is not float32, it runs tfjs's own update.
 * @example
 * ```ts
 * import { fusedAdam, SAM } from 'flowsentry';
 *
 * model.compile({ optimizer: fusedAdam(1e-3), loss: 'meanSquaredError' });
 * const sam = new SAM(fusedAdam(1e-3), { rho: 0.05 }); // composes like any tf.Optimizer
 * ```
 */
export class FusedAdam extends tf.AdamOptimizer {
  /**
   * @param learningRate Step size.
   * @param beta1 Decay rate of the first-moment estimate.
   * @param beta2 Decay rate of the second-moment estimate.
   * @param epsilon Added to the square root of the second moment; default: the backend's epsilon
   *   (1e-7 on the float32 cpu backend), as tfjs.
   */
  constructor(learningRate: number, beta1: number, beta2: number, epsilon?: number) {
    for (const [name, value] of [
      ['learningRate', learningRate],
      ['beta1', beta1],
      ['beta2', beta2],
    ] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValueError(name, 'a finite number', value);
    }
    // null, as tfjs's fromConfig may pass for a config without epsilon, also means the default.
    if (epsilon !== undefined && epsilon !== null && (typeof epsilon !== 'number' || !Number.isFinite(epsilon))) {
      throw new ValueError('epsilon', 'a finite number', epsilon);
    }
    super(learningRate, beta1, beta2, epsilon ?? undefined);
  }

  /**
   * Applies one Adam step: in one pass per variable on the cpu backend with flowsentry's kernels on,
   * else through tfjs's own update (the same values either way).
   * @param variableGradients Gradients by variable name, or a list of `{ name, tensor }` (slots are
   *   keyed by position in that list, as in tfjs; an entry without a tensor is skipped).
   */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const slots = flowsentryKernelsEnabled() && tf.getBackend() === 'cpu' ? this.fusedSlots(variableGradients) : null;
    if (slots === null) {
      super.applyGradients(variableGradients as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      return;
    }
    const s = this as unknown as AdamState;
    const backend = tf.backend() as unknown as CpuBackend;
    const f = Math.fround;
    // The scalars tfjs's ops see: numbers become float32 scalar tensors, sub(1, accBeta) a float32 value.
    const accBeta1 = (backend.data.get(s.accBeta1.dataId).values as Float32Array)[0] as number;
    const accBeta2 = (backend.data.get(s.accBeta2.dataId).values as Float32Array)[0] as number;
    const oneMinusAccBeta1 = f(1 - accBeta1);
    const oneMinusAccBeta2 = f(1 - accBeta2);
    const beta1 = f(s.beta1);
    const beta2 = f(s.beta2);
    const oneMinusBeta1 = f(1 - s.beta1);
    const oneMinusBeta2 = f(1 - s.beta2);
    const epsilon = f(s.epsilon);
    const negLr = f(-s.learningRate);
    const k: AdamConstants = { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLr };
    for (const slot of slots) {
      if (slot === null) continue;
      const [newValue, newM, newV] = adamSimd(slot, k) ?? adamLoop(slot, k);
      assignValues(slot.first, newM);
      assignValues(slot.second, newV);
      assignValues(slot.variable, newValue);
    }
    assignValues(s.accBeta1, Float32Array.of(accBeta1 * beta1));
    assignValues(s.accBeta2, Float32Array.of(accBeta2 * beta2));
    this.incrementIterations();
  }

  /**
   * Creates the missing moment slots (as tfjs: zeros, one pair per position, even for an entry
   * without gradient) and returns each position's arrays, null for an entry without gradient; null
   * altogether when any operand is not a float32 array of the variable's size on the cpu backend.
   */
  private fusedSlots(variableGradients: tf.NamedTensorMap | NamedTensor[]): (Slot | null)[] | null {
    const s = this as unknown as AdamState;
    const backend = tf.backend() as unknown as CpuBackend;
    const values = (t: tf.Tensor): Float32Array | null => {
      if (t.dtype !== 'float32') return null;
      const v = backend.data.get(t.dataId)?.values;
      return v instanceof Float32Array ? v : null;
    };
    const entries: [string, tf.Tensor | undefined][] = Array.isArray(variableGradients)
      ? variableGradients.map((e) => [e.name, e.tensor])
      : Object.keys(variableGradients).map((name) => [name, variableGradients[name]]);
    if (values(s.accBeta1) === null || values(s.accBeta2) === null) return null;
    // Check everything before creating any slot, so the fallback sees the state tfjs would.
    const variables: tf.Variable[] = [];
    for (const [i, [name, gradient]] of entries.entries()) {
      const variable = tf.engine().registeredVariables[name];
      if (variable === undefined) return null;
      variables.push(variable);
      const first = s.accumulatedFirstMoment[i];
      const second = s.accumulatedSecondMoment[i];
      if (first !== undefined && second !== undefined) {
        const m = values(first.variable);
        const v = values(second.variable);
        if (m === null || v === null || m.length !== variable.size || v.length !== variable.size) return null;
      }
      if (gradient == null) continue;
      const value = values(variable);
      const g = values(gradient);
      if (value === null || g === null || g.length !== value.length || !tf.util.arraysEqual(gradient.shape, variable.shape)) return null;
    }
    return entries.map(([name, gradient], i) => {
      const variable = variables[i] as tf.Variable;
      if (s.accumulatedFirstMoment[i] == null) {
        s.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(variable).variable(false)) };
      }
      if (s.accumulatedSecondMoment[i] == null) {
        s.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(variable).variable(false)) };
      }
      if (gradient == null) return null;
      const first = (s.accumulatedFirstMoment[i] as { variable: tf.Variable }).variable;
      const second = (s.accumulatedSecondMoment[i] as { variable: tf.Variable }).variable;
      return {
        variable,
        first,
        second,
        value: values(variable) as Float32Array,
        m: values(first) as Float32Array,
        v: values(second) as Float32Array,
        g: values(gradient) as Float32Array,
      };
    });
  }
}

/** The float32 scalars of one step, as tfjs's ops see them. */
interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  negLr: number;
}

/**
 * The update in the SIMD module (asm/gemm.ts `adam`: f32x4 operations, each correctly rounded, so
 * equal to the loop below); new [weights, m, v], or null without the module.
 */
function adamSimd(slot: Slot, k: AdamConstants): [Float32Array, Float32Array, Float32Array] | null {
  const n = slot.value.length;
  const n4 = (n + 3) & ~3;
  const s = simdHeap(4 * n4);
  if (s === null) return null;
  const { h, w } = s;
  h.set(slot.value, 0);
  h.set(slot.m, n4);
  h.set(slot.v, 2 * n4);
  h.set(slot.g, 3 * n4);
  // The padding lanes hold stale floats; their results are computed and dropped.
  w.adam(0, n4 * 4, 2 * n4 * 4, 3 * n4 * 4, n4, k.beta1, k.oneMinusBeta1, k.beta2, k.oneMinusBeta2, k.oneMinusAccBeta1, k.oneMinusAccBeta2, k.epsilon, k.negLr);
  return [h.slice(0, n), h.slice(n4, n4 + n), h.slice(2 * n4, 2 * n4 + n)];
}

/** The update as a JavaScript loop: tfjs's float32 operations in its order, each rounded with Math.fround. */
function adamLoop(slot: Slot, k: AdamConstants): [Float32Array, Float32Array, Float32Array] {
  const { value, m, v, g } = slot;
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLr } = k;
  const f = Math.fround;
  const n = value.length;
  const newM = new Float32Array(n);
  const newV = new Float32Array(n);
  const newValue = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const gj = g[j] as number;
    // tfjs: m' = m b1 + g (1 - b1); v' = v b2 + g^2 (1 - b2); w' = (m'/(1 - b1^t)) / (sqrt(v'/(1 - b2^t)) + eps) * -lr + w
    const mj = f(f((m[j] as number) * beta1) + f(gj * oneMinusBeta1));
    const vj = f(f((v[j] as number) * beta2) + f(f(gj * gj) * oneMinusBeta2));
    const mHat = f(mj / oneMinusAccBeta1);
    const vHat = f(vj / oneMinusAccBeta2);
    const step = f(f(mHat / f(f(Math.sqrt(vHat)) + epsilon)) * negLr);
    newM[j] = mj;
    newV[j] = vj;
    newValue[j] = step + (value[j] as number); // rounded to float32 on store
  }
  return [newValue, newM, newV];
}

/** Points a variable at new float32 storage (never writes into the old one: clones may share it). */
function assignValues(variable: tf.Variable, values: Float32Array): void {
  const t = tf.tensor(values, variable.shape, 'float32');
  variable.assign(t);
  t.dispose();
}

/**
 * {@link FusedAdam} with tfjs's defaults, the drop-in for `tf.train.adam`.
 * @param learningRate Step size. Default 0.001.
 * @param beta1 First-moment decay. Default 0.9.
 * @param beta2 Second-moment decay. Default 0.999.
 * @param epsilon Default: the backend's epsilon (1e-7 on cpu).
 * @returns A new FusedAdam.
 */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdam {
  return new FusedAdam(learningRate, beta1, beta2, epsilon);
}
