import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import { TINY, toTargetMatrix } from './common.js';

/** A hard-label loss of the student: `(yTrue, studentLogits) => scalar`. */
export type StudentLoss = (yTrue: tf.Tensor, studentLogits: tf.Tensor2D) => tf.Scalar;

/** Options of {@link distillationLoss}. */
export interface DistillationLossOptions {
  /** Softening temperature T > 0 applied to both logits. Default 3 (Keras `Distiller`). */
  temperature?: number;
  /**
   * Weight of the hard-label student loss, in [0, 1]; the distillation term gets
   * `1 - studentLossWeight`. Default 0.1 (Keras `Distiller`'s alpha). Needs `yTrue`.
   */
  studentLossWeight?: number;
  /** Hard labels: class indices [n] or one-hot [n, k]. Without them the loss is the distillation term alone. */
  yTrue?: tf.Tensor;
  /** Hard-label loss on the student logits. Default: softmax cross-entropy, mean over the batch. */
  studentLoss?: StudentLoss;
}

/** The parts of a distillation loss (scalars; the caller disposes them). */
export interface DistillationLossParts {
  /** `studentLossWeight * student + (1 - studentLossWeight) * distillation`. */
  total: tf.Scalar;
  /** `T^2 KL(teacher || student)` on softened distributions, mean over the batch. */
  distillation: tf.Scalar;
  /** Hard-label loss of the student (absent without `yTrue`). */
  student?: tf.Scalar;
}

/** Softmax cross-entropy from logits, mean over the batch (the default student loss). */
export function softmaxCrossEntropy(yTrue: tf.Tensor, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [n, k] = logits.shape;
    const target = toTargetMatrix(yTrue, n, k);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

function checkOptions(options: DistillationLossOptions): { temperature: number; weight: number } {
  const temperature = options.temperature ?? 3;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new ValueError('temperature', 'a finite number > 0', temperature);
  }
  if (options.studentLossWeight !== undefined && options.yTrue === undefined && options.studentLossWeight !== 0) {
    throw new ValueError('yTrue', 'hard labels when studentLossWeight is set', undefined);
  }
  const weight = options.yTrue === undefined ? 0 : options.studentLossWeight ?? 0.1;
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) throw new ValueError('studentLossWeight', 'a number in [0, 1]', weight);
  return { temperature, weight };
}

/**
 * The parts of the knowledge-distillation loss (Hinton et al., 2015, sec. 2): `T^2 KL(p_t || p_s)`
 * with `p = softmax(logits / T)` and batch-mean reduction, and the hard-label student loss. With
 * several teachers, `p_t` is the mean of their softened probabilities (not of their logits).
 *
 * @param studentLogits Student logits [n, k] (the gradient flows through them).
 * @param teacherLogits Teacher logits [n, k], or one such tensor per teacher.
 */
export function distillationLossParts(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D | readonly tf.Tensor2D[],
  options: DistillationLossOptions = {},
): DistillationLossParts {
  const { temperature, weight } = checkOptions(options);
  if (studentLogits.rank !== 2) throw new ShapeError('studentLogits', 'a 2-D tensor [n, classes]', studentLogits);
  const teachers = Array.isArray(teacherLogits) ? (teacherLogits as readonly tf.Tensor2D[]) : [teacherLogits as tf.Tensor2D];
  if (teachers.length === 0) throw new ValueError('teacherLogits', 'at least one teacher', teachers);
  teachers.forEach((t, i) => {
    if (!tf.util.arraysEqual(t.shape, studentLogits.shape)) {
      throw new ShapeError(teachers.length > 1 ? `teacherLogits[${i}]` : 'teacherLogits', `the student's shape [${studentLogits.shape.join(', ')}]`, t);
    }
  });
  return tf.tidy(() => {
    const n = studentLogits.shape[0];
    const logPs = tf.logSoftmax(tf.div(studentLogits, temperature));
    let pT: tf.Tensor;
    let logPt: tf.Tensor;
    if (teachers.length === 1) {
      logPt = tf.logSoftmax(tf.div(teachers[0] as tf.Tensor2D, temperature));
      pT = tf.exp(logPt);
    } else {
      pT = tf.div(tf.addN(teachers.map((t) => tf.softmax(tf.div(t, temperature)))), teachers.length);
      logPt = tf.log(tf.maximum(pT, TINY)); // p log p -> 0 as p -> 0
    }
    const kl = tf.div(tf.sum(tf.mul(pT, tf.sub(logPt, logPs))), n);
    const distillation = tf.mul(kl, temperature * temperature) as tf.Scalar;
    if (options.yTrue === undefined) return { total: distillation.clone(), distillation };
    const student = (options.studentLoss ?? softmaxCrossEntropy)(options.yTrue, studentLogits);
    if (student.rank !== 0) throw new ShapeError('studentLoss', 'a function returning a scalar', student);
    const total = tf.add(tf.mul(weight, student), tf.mul(1 - weight, distillation)) as tf.Scalar;
    return { total, distillation, student };
  });
}

/**
 * Knowledge-distillation loss, combined with the hard-label loss as in Keras 3's `Distiller`:
 * `studentLossWeight * studentLoss(yTrue, s) + (1 - studentLossWeight) * T^2 KL(p_t || p_s)`.
 * The T^2 factor keeps the gradient magnitude comparable across temperatures. Returns the total
 * as a scalar; {@link distillationLossParts} also returns the parts.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { distillationLoss } from 'flowsentry';
 *
 * const studentLogits = tf.tensor2d([[1, 0, -1], [0, 2, 0]]);
 * const teacherLogits = tf.tensor2d([[3, 0, -2], [0, 4, 1]]);
 * const soft = distillationLoss(studentLogits, teacherLogits, { temperature: 4 }); // T^2 KL(teacher || student) alone
 * const total = distillationLoss(studentLogits, teacherLogits, {
 *   temperature: 4,
 *   studentLossWeight: 0.1,
 *   yTrue: tf.tensor1d([0, 1], 'int32'), // adds 0.1 * cross-entropy on the hard labels
 * });
 * ```
 */
export function distillationLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D | readonly tf.Tensor2D[],
  options: DistillationLossOptions = {},
): tf.Scalar {
  return tf.tidy(() => distillationLossParts(studentLogits, teacherLogits, options).total);
}
