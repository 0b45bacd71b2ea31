import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ValueError, ShapeError } from '../../src/errors.js';
import { classificationReport, confusionMatrix, type Label } from '../../src/metrics/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { readFixture } from './fixture.js';

interface SkScores {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}
interface Case {
  name: string;
  yTrue: Label[];
  yPred: Label[];
  labels: Label[] | null;
  report: Record<string, SkScores | number>;
  accuracy: number;
  confusion: number[][];
}
const { cases } = readFixture<{ cases: Case[] }>('metrics', 'classification.json');

describe('classificationReport agrees with scikit-learn classification_report', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = classificationReport(c.yTrue, c.yPred, c.labels ? { labels: c.labels } : {});
      expect(r.accuracy).toBeCloseTo(c.accuracy, 12);
      expect(r.confusion.matrix).toEqual(c.confusion);
      for (const s of r.perClass) {
        const ref = c.report[s.label] as SkScores;
        expect(ref, s.label).toBeDefined();
        expect(Math.abs(s.precision - ref.precision)).toBeLessThan(1e-9);
        expect(Math.abs(s.recall - ref.recall)).toBeLessThan(1e-9);
        expect(Math.abs(s.f1 - ref['f1-score'])).toBeLessThan(1e-9);
        expect(s.support).toBe(ref.support);
      }
      for (const [mine, key] of [[r.macro, 'macro avg'], [r.weighted, 'weighted avg']] as const) {
        const ref = c.report[key] as SkScores;
        expect(Math.abs(mine.precision - ref.precision)).toBeLessThan(1e-9);
        expect(Math.abs(mine.recall - ref.recall)).toBeLessThan(1e-9);
        expect(Math.abs(mine.f1 - ref['f1-score'])).toBeLessThan(1e-9);
        expect(mine.support).toBe(ref.support);
      }
    });
  }

  it('specificity and FPR follow TN/(TN+FP) from the confusion matrix', () => {
    const c = cases[0] as Case;
    const r = classificationReport(c.yTrue, c.yPred);
    const m = c.confusion;
    const total = m.flat().reduce((a, b) => a + b, 0);
    r.perClass.forEach((s, i) => {
      const tp = (m[i] as number[])[i] as number;
      const fn = (m[i] as number[]).reduce((a, b) => a + b, 0) - tp;
      const fp = m.reduce((a, row) => a + (row[i] as number), 0) - tp;
      const tn = total - tp - fn - fp;
      expect(s.specificity).toBeCloseTo(tn / (tn + fp), 14);
      expect(s.falsePositiveRate).toBeCloseTo(fp / (tn + fp), 14);
    });
  });

  it('binary problems report the attack class as positive', () => {
    const c = cases.find((x) => x.name === 'binary') as Case;
    const r = classificationReport(c.yTrue, c.yPred);
    expect(r.binary?.positiveLabel).toBe('attack');
    const ref = c.report.attack as SkScores;
    expect(Math.abs((r.binary?.recall ?? -1) - ref.recall)).toBeLessThan(1e-9);
    const asNormal = classificationReport(c.yTrue, c.yPred, { positiveLabel: 'normal' });
    expect(asNormal.binary?.positiveLabel).toBe('normal');
    // Specificity of one class is the recall of the other in a binary problem.
    expect(Math.abs((r.binary?.specificity ?? -1) - (c.report.normal as SkScores).recall)).toBeLessThan(1e-12);
  });

  it('accepts 1-D tensors without leaking, and target names', async () => {
    await expectNoLeaks(() => {
      const t = tf.tensor1d([0, 1, 1, 2], 'int32');
      const p = tf.tensor1d([0, 1, 2, 2], 'int32');
      const r = classificationReport(t, p, { targetNames: ['BENIGN', 'DoS', 'Bot'] });
      t.dispose();
      p.dispose();
      expect(r.perClass.map((s) => s.label)).toEqual(['BENIGN', 'DoS', 'Bot']);
      expect(r.accuracy).toBe(0.75);
    });
  });

  it('rejects bad input with typed errors', () => {
    expect(() => classificationReport(['a'], ['a', 'b'])).toThrow(ShapeError);
    expect(() => classificationReport([], [])).toThrow(ShapeError);
    expect(() => classificationReport([1, Number.NaN], [1, 1])).toThrow(ValueError);
    expect(() => classificationReport(['a', 1] as Label[], ['a', 'a'])).toThrow(ValueError);
    expect(() => classificationReport(['a', 'b'], ['a', 'b'], { targetNames: ['x'] })).toThrow(/targetNames/);
    expect(() => classificationReport(['a', 'b', 'c'], ['a', 'b', 'c'], { positiveLabel: 'a' })).toThrow(/positiveLabel/);
  });
});

describe('confusionMatrix', () => {
  it('orders by the labels option and ignores unlisted labels, as scikit-learn', () => {
    const c = cases.find((x) => x.name === 'labels-subset-order') as Case;
    expect(confusionMatrix(c.yTrue, c.yPred, { labels: c.labels as Label[] }).matrix).toEqual(c.confusion);
    expect(confusionMatrix(['a', 'b', 'c'], ['a', 'c', 'c'], { labels: ['c', 'a'] }).matrix).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
  it('sorts numeric labels numerically', () => {
    expect(confusionMatrix([10, 9, 2], [10, 9, 2]).labels).toEqual([2, 9, 10]);
  });
});
