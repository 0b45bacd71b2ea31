import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError, ValueError } from '../errors.js';
import { distillationLossParts, softmaxCrossEntropy, type StudentLoss } from '../losses/distillation.js';
import { isOptimizer } from '../optim/learning-rate.js';
import { rngFrom, type Seed } from '../util/rng.js';
import { toMatrix, type DenseMatrix } from '../util/matrix.js';

/** What a model's output holds. */
export type ModelOutputs = 'logits' | 'probabilities';

/** Options of {@link Distiller}. */
export interface DistillerOptions {
  /** The trained teacher (or several, whose softened probabilities are averaged). Frozen, run in inference mode. */
  teacher: tfl.LayersModel | readonly tfl.LayersModel[];
  /** The student to train (an ordinary tfjs model; trained in place). */
  student: tfl.LayersModel;
  /** Any tfjs optimizer, `SAM` and `withSchedule(...)` included. */
  optimizer: tf.Optimizer;
  /** Softening temperature T > 0. Default 3 (Keras `Distiller`). */
  temperature?: number;
  /** Weight of the hard-label student loss in [0, 1]; the distillation term gets the rest. Default 0.1 (Keras' alpha). */
  studentLossWeight?: number;
  /** Hard-label loss on the student logits. Default: softmax cross-entropy. */
  studentLoss?: StudentLoss;
  /**
   * What the teacher and the student output: 'logits' (default; a final linear layer) or
   * 'probabilities' (a final softmax; their logs are used as logits, equal up to a per-row constant).
   */
  outputs?: ModelOutputs;
}

/** Labels: class indices (array or Tensor1D) or one-hot rows (Tensor2D). */
export type DistillLabels = tf.Tensor | readonly number[] | Int32Array;

/** Inputs: a tensor whose first axis is the sample axis (any rank), or a 2-D matrix. */
export type DistillInputs = tf.Tensor | number[][] | DenseMatrix;

/** Per-epoch metrics, means over the epoch's samples. */
export interface DistillerEpochLogs {
  /** Combined loss that was minimized. */
  loss: number;
  /** Hard-label student loss. */
  studentLoss: number;
  /** `T^2 KL(teacher || student)`. */
  distillationLoss: number;
  /** Student hard-label loss on `validationData` (inference mode). */
  valStudentLoss?: number;
  /** Student accuracy on `validationData`. */
  valAccuracy?: number;
}

/** Options of {@link Distiller.fit}. */
export interface DistillerFitOptions {
  /** Passes over the data. */
  epochs: number;
  /** Samples per step. Default 32. */
  batchSize?: number;
  /** Seed of the per-epoch shuffle. Default 0. */
  seed?: Seed;
  /** Shuffle the samples every epoch. Default true. */
  shuffle?: boolean;
  /** Held-out `[x, y]` scored with the student's hard-label loss and accuracy after every epoch. */
  validationData?: readonly [DistillInputs, DistillLabels];
  /** Called after every epoch (0-based) with its metrics; awaited. */
  onEpochEnd?: (epoch: number, logs: DistillerEpochLogs) => void | Promise<void>;
  /**
   * Compute each teacher's logits for every sample once, before the first epoch, and gather them
   * per step (default true). The teachers are frozen and run in inference mode, so every epoch
   * would recompute the same values; with a heavy teacher this forward pass is most of a step.
   * Costs `samples x classes` floats per teacher. `false` runs the teachers on every batch.
   */
  cacheTeacherOutputs?: boolean;
}

/** Metrics of every epoch, one entry per epoch. */
export interface DistillerHistory {
  /** The 0-based epoch indices, `[0, 1, ..., epochs - 1]`. */
  epoch: number[];
  /** Combined loss minimized, mean over each epoch's samples (see {@link DistillerEpochLogs.loss}). */
  loss: number[];
  /** Hard-label student loss, mean over each epoch's samples. */
  studentLoss: number[];
  /** Distillation term `T^2 KL(teacher || student)`, mean over each epoch's samples. */
  distillationLoss: number[];
  /** Student hard-label loss on `validationData` after each epoch; empty without `validationData`. */
  valStudentLoss: number[];
  /** Student accuracy (fraction in [0, 1]) on `validationData` after each epoch; empty without `validationData`. */
  valAccuracy: number[];
}

function toInputs(x: DistillInputs, name: string): tf.Tensor {
  if (x instanceof tf.Tensor) {
    if (x.rank < 1 || x.shape[0] === 0) throw new ShapeError(name, 'a tensor with at least one sample', x);
    return x;
  }
  const m = toMatrix(x, name);
  return tf.tensor2d(m.data, [m.rows, m.cols]);
}

function toLabels(y: DistillLabels, n: number, name: string): tf.Tensor {
  const t = y instanceof tf.Tensor ? y : tf.tensor1d(Array.from(y), 'int32');
  if ((t.rank !== 1 && t.rank !== 2) || t.shape[0] !== n) {
    if (t !== y) t.dispose();
    throw new ShapeError(name, `${n} class indices or ${n} one-hot rows`, y);
  }
  return t;
}

/**
 * Knowledge distillation from a frozen teacher into a student, in the spirit of Keras 3's
 * `Distiller` (Hinton et al., 2015): the teacher runs in inference mode, the student is trained on
 * `studentLossWeight * studentLoss + (1 - studentLossWeight) * T^2 KL(teacher || student)`.
 * After `fit`, {@link Distiller.student} is the trained student, an ordinary tfjs model.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { Distiller } from 'flowsentry';
 *
 * const x = tf.randomNormal([200, 8]);
 * const y = Int32Array.from({ length: 200 }, (_, i) => i % 3);
 * // Both models end in a linear layer (logits); the teacher is already trained.
 * const teacher = tfl.sequential({ layers: [tfl.layers.dense({ units: 64, activation: 'relu', inputShape: [8] }), tfl.layers.dense({ units: 3 })] });
 * const student = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [8] })] });
 * const distiller = new Distiller({ teacher, student, optimizer: tf.train.adam(1e-2), temperature: 3 });
 * const history = await distiller.fit(x, y, { epochs: 5, batchSize: 32, seed: 0 });
 * // history.loss: one mean per epoch; distiller.student is the trained student
 * ```
 */
export class Distiller {
  /** The student (trained in place by `fit`). */
  readonly student: tfl.LayersModel;
  /** The teachers (frozen). */
  readonly teachers: readonly tfl.LayersModel[];
  /** The optimizer applying the student's updates. */
  readonly optimizer: tf.Optimizer;
  /** Softening temperature T applied to both teacher and student logits (see {@link DistillerOptions.temperature}). */
  readonly temperature: number;
  /** Weight in [0, 1] of the hard-label student loss; the distillation term gets `1 - studentLossWeight`. */
  readonly studentLossWeight: number;
  /** Whether the models output logits or probabilities (see {@link DistillerOptions.outputs}). */
  readonly outputs: ModelOutputs;
  private readonly studentLoss: StudentLoss;

  constructor(options: DistillerOptions) {
    const teachers = Array.isArray(options.teacher) ? [...(options.teacher as readonly tfl.LayersModel[])] : [options.teacher as tfl.LayersModel];
    if (teachers.length === 0 || teachers.some((t) => typeof t?.predict !== 'function')) {
      throw new ValueError('teacher', 'a tfjs LayersModel or a non-empty array of them', options.teacher);
    }
    if (typeof options.student?.apply !== 'function' || !Array.isArray(options.student.trainableWeights)) {
      throw new ValueError('student', 'a tfjs LayersModel', options.student);
    }
    if (!isOptimizer(options.optimizer)) throw new ValueError('optimizer', 'a tf.Optimizer', options.optimizer);
    const temperature = options.temperature ?? 3;
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
      throw new ValueError('temperature', 'a finite number > 0', temperature);
    }
    const weight = options.studentLossWeight ?? 0.1;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) throw new ValueError('studentLossWeight', 'a number in [0, 1]', weight);
    const outputs = options.outputs ?? 'logits';
    if (outputs !== 'logits' && outputs !== 'probabilities') throw new ValueError('outputs', "'logits' or 'probabilities'", outputs);
    for (const t of teachers) t.trainable = false;
    this.teachers = teachers;
    this.student = options.student;
    this.optimizer = options.optimizer;
    this.temperature = temperature;
    this.studentLossWeight = weight;
    this.outputs = outputs;
    this.studentLoss = options.studentLoss ?? softmaxCrossEntropy;
  }

  /** Trains the student for `epochs` passes; returns the per-epoch metrics. */
  async fit(x: DistillInputs, y: DistillLabels, options: DistillerFitOptions): Promise<DistillerHistory> {
    const epochs = options.epochs;
    if (!Number.isInteger(epochs) || epochs < 1) throw new ValueError('epochs', 'a positive integer', epochs);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError('batchSize', 'a positive integer', batchSize);
    const xs = toInputs(x, 'x');
    const n = xs.shape[0] as number;
    const ys = toLabels(y, n, 'y');
    let val: [tf.Tensor, tf.Tensor] | null = null;
    const owned: tf.Tensor[] = [];
    if (xs !== x) owned.push(xs);
    if (ys !== y) owned.push(ys);
    try {
      if (options.validationData !== undefined) {
        const vx = toInputs(options.validationData[0], 'validationData[0]');
        if (vx !== options.validationData[0]) owned.push(vx);
        const vy = toLabels(options.validationData[1], vx.shape[0] as number, 'validationData[1]');
        if (vy !== options.validationData[1]) owned.push(vy);
        val = [vx, vy];
      }
      const cache = options.cacheTeacherOutputs ?? true;
      if (typeof cache !== 'boolean') throw new ValueError('cacheTeacherOutputs', 'a boolean', cache);
      const teacherLogits = cache ? this.teachers.map((t, i) => this.teacherLogitsOf(t, xs, batchSize, i)) : null;
      if (teacherLogits !== null) owned.push(...teacherLogits);
      const rng = rngFrom(options.seed, 0);
      const varList = this.student.trainableWeights.map((w) => w.read() as tf.Variable);
      const history: DistillerHistory = { epoch: [], loss: [], studentLoss: [], distillationLoss: [], valStudentLoss: [], valAccuracy: [] };
      for (let epoch = 0; epoch < epochs; epoch++) {
        const order = options.shuffle ?? true ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
        const sums = { loss: 0, studentLoss: 0, distillationLoss: 0 };
        for (let start = 0; start < n; start += batchSize) {
          const idx = order.subarray(start, Math.min(n, start + batchSize));
          const step = this.trainStep(xs, ys, idx, varList, teacherLogits);
          sums.loss += step.loss * idx.length;
          sums.studentLoss += step.studentLoss * idx.length;
          sums.distillationLoss += step.distillationLoss * idx.length;
        }
        const logs: DistillerEpochLogs = { loss: sums.loss / n, studentLoss: sums.studentLoss / n, distillationLoss: sums.distillationLoss / n };
        history.epoch.push(epoch);
        history.loss.push(logs.loss);
        history.studentLoss.push(logs.studentLoss);
        history.distillationLoss.push(logs.distillationLoss);
        if (val !== null) {
          const v = this.evaluateStudent(val[0], val[1]);
          logs.valStudentLoss = v.loss;
          logs.valAccuracy = v.accuracy;
          history.valStudentLoss.push(v.loss);
          history.valAccuracy.push(v.accuracy);
        }
        await options.onEpochEnd?.(epoch, logs);
        await tf.nextFrame();
      }
      return history;
    } finally {
      tf.dispose(owned);
    }
  }

  /** Logits of the models' outputs (identity for 'logits', log for 'probabilities'). */
  private logits(output: tf.Tensor | tf.Tensor[], who: string): tf.Tensor2D {
    if (Array.isArray(output) || output.rank !== 2) throw new ShapeError(who, 'a model with one output [n, classes]', output);
    return (this.outputs === 'logits' ? output : tf.log(tf.maximum(output, 1e-30))) as tf.Tensor2D;
  }

  /** One teacher's logits for all samples, in inference mode, computed in chunks of at least `batchSize` rows. */
  private teacherLogitsOf(teacher: tfl.LayersModel, xs: tf.Tensor, batchSize: number, i: number): tf.Tensor2D {
    const n = xs.shape[0] as number;
    const chunk = Math.max(batchSize, 1024);
    const parts: tf.Tensor2D[] = [];
    try {
      for (let start = 0; start < n; start += chunk) {
        const size = Math.min(chunk, n - start);
        parts.push(tf.tidy(() => this.logits(teacher.predict(tf.slice(xs, start, size)) as tf.Tensor, `teacher[${i}]`)));
      }
      return parts.length === 1 ? parts.pop()! : tf.concat(parts, 0);
    } finally {
      tf.dispose(parts);
    }
  }

  private trainStep(xs: tf.Tensor, ys: tf.Tensor, idx: Int32Array, varList: tf.Variable[], cached: readonly tf.Tensor2D[] | null): DistillerEpochLogs {
    let recorded: [tf.Scalar, tf.Scalar] | null = null;
    let total: tf.Scalar | null = null;
    try {
      total = tf.tidy(() => {
        const indices = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(xs, indices);
        const yb = tf.gather(ys, indices);
        // Inference mode, outside the gradient tape: the teachers are constants of the step.
        const teacherLogits = cached !== null ? cached.map((c) => tf.gather(c, indices)) : this.teachers.map((t, i) => this.logits(t.predict(xb) as tf.Tensor, `teacher[${i}]`));
        const f = (): tf.Scalar => {
          const s = this.logits(this.student.apply(xb, { training: true }) as tf.Tensor, 'student');
          const parts = distillationLossParts(s, teacherLogits, {
            temperature: this.temperature,
            studentLossWeight: this.studentLossWeight,
            yTrue: yb,
            studentLoss: this.studentLoss,
          });
          // SAM evaluates f twice: report the parts of the first pass (at the unperturbed weights).
          if (recorded === null) recorded = [tf.keep(parts.student as tf.Scalar), tf.keep(parts.distillation)];
          return parts.total;
        };
        return this.optimizer.minimize(f, true, varList) as tf.Scalar;
      });
      const r = recorded as [tf.Scalar, tf.Scalar] | null;
      return {
        loss: total.dataSync()[0] as number,
        studentLoss: r === null ? NaN : (r[0].dataSync()[0] as number),
        distillationLoss: r === null ? NaN : (r[1].dataSync()[0] as number),
      };
    } finally {
      if (total !== null) total.dispose();
      if (recorded !== null) tf.dispose(recorded as [tf.Scalar, tf.Scalar]);
    }
  }

  private evaluateStudent(x: tf.Tensor, y: tf.Tensor): { loss: number; accuracy: number } {
    return tf.tidy(() => {
      const logits = this.logits(this.student.predict(x) as tf.Tensor, 'student');
      const loss = this.studentLoss(y, logits).dataSync()[0] as number;
      const truth = y.rank === 1 ? tf.cast(y, 'int32') : tf.argMax(y, 1);
      const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), truth), 'float32')).dataSync()[0] as number;
      return { loss, accuracy };
    });
  }
}
