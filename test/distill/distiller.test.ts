import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { Distiller } from '../../src/distill/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { softmaxCrossEntropy } from '../../src/losses/index.js';
import { SAM } from '../../src/optim/index.js';
import { Rng } from '../../src/util/rng.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const CLASSES = 4;
const FEATURES = 10;

/**
 * Imbalanced "flows": per-class Gaussian centres in 10 features, plus two features that depend on
 * the class only through a product (so a linear model is not enough). Seeded.
 */
function generateFlows(sizes: readonly number[], rng: Rng, centres: number[][]): { x: number[][]; y: number[] } {
  const x: number[][] = [];
  const y: number[] = [];
  sizes.forEach((size, c) => {
    for (let i = 0; i < size; i++) {
      const row = centres[c]!.map((m) => m + rng.normal(0, 1.3));
      const s = c % 2 === 0 ? 1 : -1;
      const a = rng.normal(0, 1);
      row[FEATURES - 2] = a;
      row[FEATURES - 1] = s * a + rng.normal(0, 0.4);
      x.push(row);
      y.push(c);
    }
  });
  const order = rng.permutation(y.length);
  return { x: Array.from(order, (i) => x[i]!), y: Array.from(order, (i) => y[i]!) };
}

/** Macro-averaged F1 over the classes (scikit-learn's f1_score(average='macro'), zero_division=0). */
function macroF1(truth: readonly number[], predicted: ArrayLike<number>, k: number): number {
  let sum = 0;
  for (let c = 0; c < k; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    truth.forEach((t, i) => {
      const p = predicted[i];
      if (p === c && t === c) tp++;
      else if (p === c) fp++;
      else if (t === c) fn++;
    });
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / k;
}

function mlp(hidden: readonly number[], seed: number): tfl.Sequential {
  const model = tfl.sequential();
  hidden.forEach((units, i) => {
    model.add(tfl.layers.dense({
      units,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }),
      ...(i === 0 ? { inputShape: [FEATURES] } : {}),
    }));
  });
  model.add(tfl.layers.dense({ units: CLASSES, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 99 }) }));
  return model;
}

function predictClasses(model: tfl.LayersModel, x: tf.Tensor): Int32Array {
  return tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1).dataSync() as Int32Array);
}

describe('Distiller on generated imbalanced flows', () => {
  it('the student reaches within 2 points of the teacher\'s macro F1 with at most a quarter of its parameters', async () => {
    const rng = new Rng(7);
    const centres = Array.from({ length: CLASSES }, () => Array.from({ length: FEATURES }, () => rng.normal(0, 1)));
    const train = generateFlows([800, 160, 70, 40], rng, centres);
    const test = generateFlows([800, 160, 70, 40], rng, centres);
    const xTrain = tf.tensor2d(train.x);
    const yTrain = tf.tensor1d(train.y, 'int32');
    const xTest = tf.tensor2d(test.x);

    const teacher = mlp([64, 64], 1);
    teacher.compile({
      optimizer: tf.train.adam(0.005),
      loss: (yt: tf.Tensor, yp: tf.Tensor) => softmaxCrossEntropy(yt, yp as tf.Tensor2D),
    });
    const oneHot = tf.oneHot(yTrain, CLASSES);
    await teacher.fit(xTrain, oneHot, { epochs: 15, batchSize: 64, shuffle: false, verbose: 0 });
    oneHot.dispose();

    const student = mlp([16], 11);
    const teacherParams = teacher.countParams();
    const studentParams = student.countParams();
    expect(studentParams).toBeLessThanOrEqual(teacherParams / 4);

    const distiller = new Distiller({
      teacher,
      student,
      optimizer: tf.train.adam(0.01),
      temperature: 3,
      studentLossWeight: 0.1,
    });
    const history = await distiller.fit(xTrain, yTrain, { epochs: 15, batchSize: 64, seed: 3, validationData: [xTest, test.y] });
    expect(history.loss.length).toBe(15);
    expect(history.distillationLoss[14]!).toBeLessThan(history.distillationLoss[0]!);

    const teacherF1 = macroF1(test.y, predictClasses(teacher, xTest), CLASSES);
    const studentF1 = macroF1(test.y, predictClasses(distiller.student, xTest), CLASSES);
    console.log(`macro F1 teacher ${teacherF1.toFixed(4)} (${teacherParams} params), student ${studentF1.toFixed(4)} (${studentParams} params)`);
    expect(teacherF1).toBeGreaterThan(0.6); // the teacher learned something worth distilling
    expect(studentF1).toBeGreaterThanOrEqual(teacherF1 - 0.02);
    teacher.dispose();
    student.dispose();
    tf.dispose([xTrain, yTrain, xTest]);
  });
});

describe('Distiller mechanics', () => {
  function smallData(): { x: tf.Tensor2D; y: number[] } {
    const rng = new Rng(1);
    const x = Array.from({ length: 40 }, () => Array.from({ length: FEATURES }, () => rng.normal()));
    return { x: tf.tensor2d(x), y: x.map((r) => (r[0]! > 0 ? 1 : 0) + (r[1]! > 0 ? 2 : 0)) };
  }

  it('keeps the teacher frozen and in inference mode (batch-norm statistics untouched)', async () => {
    const teacher = tfl.sequential();
    teacher.add(tfl.layers.dense({ units: 8, inputShape: [FEATURES] }));
    teacher.add(tfl.layers.batchNormalization());
    teacher.add(tfl.layers.dropout({ rate: 0.5 }));
    teacher.add(tfl.layers.dense({ units: CLASSES }));
    // By name: freezing reorders getWeights() (trainable weights first).
    const snapshot = (): Record<string, number[]> => Object.fromEntries(teacher.weights.map((w) => [w.name, Array.from(w.read().dataSync())]));
    const before = snapshot();
    const { x, y } = smallData();
    const distiller = new Distiller({ teacher, student: mlp([4], 5), optimizer: tf.train.sgd(0.1) });
    await distiller.fit(x, y, { epochs: 2, batchSize: 8 });
    expect(snapshot()).toEqual(before);
    expect(teacher.trainable).toBe(false);
    teacher.dispose();
    distiller.student.dispose();
    x.dispose();
  });

  it('trains with SAM, reports the three losses, is seeded, and leaks nothing per epoch', async () => {
    const { x, y } = smallData();
    const run = async (): Promise<number[]> => {
      const teacher = mlp([16], 2);
      const student = mlp([4], 6);
      const distiller = new Distiller({ teacher, student, optimizer: new SAM(tf.train.adam(0.02), { rho: 0.05 }), temperature: 2, studentLossWeight: 0.5 });
      await distiller.fit(x, y, { epochs: 1, batchSize: 16, seed: 9 }); // creates Adam's state
      const logs: number[] = [];
      const history = await expectNoLeaks(() =>
        distiller.fit(x, y, { epochs: 3, batchSize: 16, seed: 9, onEpochEnd: (_, l) => void logs.push(l.loss) }),
      );
      expect(history.loss).toEqual(logs);
      history.loss.forEach((total, i) => {
        // total = w * student + (1 - w) * distillation, epoch means of the same batches.
        expect(total).toBeCloseTo(0.5 * history.studentLoss[i]! + 0.5 * history.distillationLoss[i]!, 5);
      });
      expect(history.loss[2]!).toBeLessThan(history.loss[0]!);
      const weights = Array.from(student.getWeights()[0]!.dataSync());
      teacher.dispose();
      student.dispose();
      return weights;
    };
    expect(await run()).toEqual(await run());
    x.dispose();
  });

  it('caching the teachers\' logits once gives the same training as running them on every batch', async () => {
    const { x, y } = smallData();
    const teachers = [mlp([16], 2), mlp([8], 3)];
    const run = async (cacheTeacherOutputs: boolean): Promise<{ loss: number[]; weights: number[][] }> => {
      const student = mlp([4], 6);
      const distiller = new Distiller({ teacher: teachers, student, optimizer: tf.train.adam(0.02), temperature: 2, studentLossWeight: 0.3 });
      await distiller.fit(x, y, { epochs: 1, batchSize: 16, seed: 4, cacheTeacherOutputs }); // creates Adam's state
      const history = await expectNoLeaks(() => distiller.fit(x, y, { epochs: 3, batchSize: 16, seed: 4, cacheTeacherOutputs }));
      const weights = student.getWeights().map((w) => Array.from(w.dataSync()));
      student.dispose();
      return { loss: [...history.loss, ...history.distillationLoss], weights };
    };
    const perBatch = await run(false);
    const cached = await run(true);
    cached.loss.forEach((v, i) => expect(v).toBeCloseTo(perBatch.loss[i]!, 5));
    cached.weights.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(perBatch.weights[i]![j]!, 5)));
    const d = new Distiller({ teacher: teachers, student: mlp([4], 7), optimizer: tf.train.sgd(0.1) });
    await expect(d.fit(x, y, { epochs: 1, cacheTeacherOutputs: 'yes' as unknown as boolean })).rejects.toThrow(/cacheTeacherOutputs: expected a boolean/);
    d.student.dispose();
    teachers.forEach((m) => m.dispose());
    x.dispose();
  });

  it('accepts several teachers, probability outputs and number[][] inputs', async () => {
    const { x, y } = smallData();
    const rows = x.arraySync();
    const withSoftmax = (seed: number): tfl.Sequential => {
      const m = mlp([8], seed);
      m.add(tfl.layers.activation({ activation: 'softmax' }));
      return m;
    };
    const teachers = [withSoftmax(20), withSoftmax(30)];
    const student = withSoftmax(40);
    const distiller = new Distiller({ teacher: teachers, student, optimizer: tf.train.adam(0.01), outputs: 'probabilities' });
    const history = await distiller.fit(rows, y, { epochs: 2, batchSize: 10, validationData: [rows, y] });
    expect(history.valAccuracy.length).toBe(2);
    expect(Number.isFinite(history.distillationLoss[1]!)).toBe(true);
    [...teachers, student].forEach((m) => m.dispose());
    x.dispose();
  });

  it('rejects bad arguments naming them', async () => {
    const teacher = mlp([4], 1);
    const student = mlp([4], 2);
    const optimizer = tf.train.sgd(0.1);
    expect(() => new Distiller({ teacher, student, optimizer, temperature: 0 })).toThrow(/temperature/);
    expect(() => new Distiller({ teacher, student, optimizer, studentLossWeight: 2 })).toThrow(/studentLossWeight/);
    expect(() => new Distiller({ teacher: [], student, optimizer })).toThrow(ValueError);
    expect(() => new Distiller({ teacher, student, optimizer: {} as tf.Optimizer })).toThrow(/optimizer/);
    expect(() => new Distiller({ teacher, student, optimizer: undefined as unknown as tf.Optimizer })).toThrow(ValueError);
    const d = new Distiller({ teacher, student, optimizer });
    const x = tf.zeros([4, FEATURES]);
    await expect(d.fit(x, [0, 1], { epochs: 1 })).rejects.toThrow(ShapeError);
    await expect(d.fit(x, [0, 1, 2, 3], { epochs: 0 })).rejects.toThrow(/epochs/);
    tf.dispose([x]);
    teacher.dispose();
    student.dispose();
  });
});
