import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its CJS bundle registers tfjs-core's gradients
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { distillationLoss, distillationLossParts } from '../../src/losses/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

interface Case {
  temperature: number;
  studentLossWeight: number;
  teachers: number;
  total: number;
  distillation: number;
  student: number;
  grad: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/losses/distillation.json', import.meta.url), 'utf8')) as {
  student: number[][];
  teachers: number[][][];
  labels: number[];
  cases: Case[];
};

const student = tf.tensor2d(fixture.student);
const teachers = fixture.teachers.map((t) => tf.tensor2d(t));
const labels = tf.tensor1d(fixture.labels, 'int32');

function teachersFor(c: Case): tf.Tensor2D | tf.Tensor2D[] {
  return c.teachers === 1 ? (teachers[0] as tf.Tensor2D) : teachers.slice(0, c.teachers);
}

describe('distillationLoss equals the PyTorch formula (KL batchmean * T^2, mixed with CE)', () => {
  it.each(fixture.cases.map((c) => [`T=${c.temperature} w=${c.studentLossWeight} teachers=${c.teachers}`, c] as const))('%s', (_, c) => {
    const options = { temperature: c.temperature, studentLossWeight: c.studentLossWeight, yTrue: labels };
    const parts = distillationLossParts(student, teachersFor(c), options);
    expect(parts.total.dataSync()[0]).toBeCloseTo(c.total, 5);
    expect(parts.distillation.dataSync()[0]).toBeCloseTo(c.distillation, 5);
    expect(parts.student!.dataSync()[0]).toBeCloseTo(c.student, 5);
    tf.dispose([parts.total, parts.distillation, parts.student!]);
    // Gradient w.r.t. the student logits against PyTorch autograd.
    const grad = tf.grad((s: tf.Tensor) => distillationLoss(s as tf.Tensor2D, teachersFor(c), options))(student);
    const got = grad.arraySync() as number[][];
    c.grad.forEach((row, i) => row.forEach((g, j) => expect(Math.abs(got[i]![j]! - g)).toBeLessThan(1e-6)));
    grad.dispose();
  });

  it('several teachers average probabilities, not logits', () => {
    const t = tf.tensor2d([[10, 0, 0]]);
    const u = tf.tensor2d([[0, 10, 0]]);
    const s = tf.tensor2d([[5, 5, 0]]);
    const averagedProbabilities = distillationLoss(s, [t, u], { temperature: 1 }).dataSync()[0]!;
    const averagedLogits = distillationLoss(s, tf.tensor2d([[5, 5, 0]]), { temperature: 1 }).dataSync()[0]!;
    // The student equals the mean of the teachers' logits: averaging logits would give zero loss.
    expect(averagedLogits).toBeCloseTo(0, 6);
    expect(averagedProbabilities).toBeGreaterThan(1e-3);
    const p = [Math.exp(10) / (Math.exp(10) + 2), 1 / (Math.exp(10) + 2), 1 / (Math.exp(10) + 2)];
    const pt = [(p[0]! + p[1]!) / 2, (p[1]! + p[0]!) / 2, p[2]!];
    const ps = [Math.exp(5) / (2 * Math.exp(5) + 1), Math.exp(5) / (2 * Math.exp(5) + 1), 1 / (2 * Math.exp(5) + 1)];
    const kl = pt.reduce((acc, q, i) => acc + q * Math.log(q / ps[i]!), 0);
    expect(averagedProbabilities).toBeCloseTo(kl, 5);
  });
});

describe('gradient w.r.t. the student logits', () => {
  it('matches central finite differences', () => {
    const options = { temperature: 3, studentLossWeight: 0.3, yTrue: labels };
    const f = (s: tf.Tensor2D): number => tf.tidy(() => distillationLoss(s, teachers.slice(0, 2), options).dataSync()[0]!);
    const grad = tf.grad((s: tf.Tensor) => distillationLoss(s as tf.Tensor2D, teachers.slice(0, 2), options))(student).arraySync() as number[][];
    const base = fixture.student;
    const h = 1e-2;
    for (let i = 0; i < base.length; i++) {
      for (let j = 0; j < base[0]!.length; j++) {
        const plus = base.map((r) => [...r]);
        const minus = base.map((r) => [...r]);
        plus[i]![j]! += h;
        minus[i]![j]! -= h;
        const fd = (f(tf.tensor2d(plus)) - f(tf.tensor2d(minus))) / (2 * h);
        expect(Math.abs(fd - grad[i]![j]!), `[${i}, ${j}]`).toBeLessThan(2e-4);
      }
    }
  });

  it('T^2 scaling keeps the gradient magnitude comparable across temperatures', () => {
    const norms = [2, 5, 10, 20, 40].map((temperature) =>
      tf.tidy(() => {
        const g = tf.grad((s: tf.Tensor) => distillationLoss(s as tf.Tensor2D, teachers[0] as tf.Tensor2D, { temperature }))(student);
        return tf.norm(g).dataSync()[0]!;
      }),
    );
    // With T^2: within 30% of each other over a 20x range of T; without, they would shrink by T^2
    // (a factor 400 from T = 2 to T = 40).
    expect(Math.max(...norms) / Math.min(...norms)).toBeLessThan(1.3);
    const unscaled = norms.map((g, i) => g / [2, 5, 10, 20, 40][i]! ** 2);
    expect(unscaled[0]! / unscaled[4]!).toBeGreaterThan(300);
  });
});

describe('options, shapes, leaks', () => {
  it('temperature <= 0 is an error; studentLossWeight needs labels', () => {
    expect(() => distillationLoss(student, teachers[0]!, { temperature: 0 })).toThrow(ValueError);
    expect(() => distillationLoss(student, teachers[0]!, { temperature: -2 })).toThrow(/temperature/);
    expect(() => distillationLoss(student, teachers[0]!, { studentLossWeight: 0.5 })).toThrow(/yTrue/);
    expect(() => distillationLoss(student, teachers[0]!, { yTrue: labels, studentLossWeight: 1.5 })).toThrow(/studentLossWeight/);
    expect(() => distillationLoss(student, tf.zeros([2, 5]) as tf.Tensor2D)).toThrow(ShapeError);
    expect(() => distillationLoss(student, [])).toThrow(/teacherLogits/);
  });

  it('without labels the loss is the distillation term; a custom student loss is used', () => {
    const parts = distillationLossParts(student, teachers[0]!, { temperature: 2 });
    expect(parts.student).toBeUndefined();
    expect(parts.total.dataSync()[0]).toBe(parts.distillation.dataSync()[0]);
    const custom = distillationLossParts(student, teachers[0]!, { temperature: 2, yTrue: labels, studentLossWeight: 1, studentLoss: () => tf.scalar(7) });
    expect(custom.total.dataSync()[0]).toBeCloseTo(7, 6);
    tf.dispose([parts.total, parts.distillation, custom.total, custom.distillation, custom.student!]);
  });

  it('leaks no tensor, forward and gradient', async () => {
    await expectNoLeaks(() => {
      distillationLoss(student, teachers, { yTrue: labels }).dispose();
      tf.grad((s: tf.Tensor) => distillationLoss(s as tf.Tensor2D, teachers[0]!, { yTrue: labels, studentLossWeight: 0.5 }))(student).dispose();
    });
  });
});
