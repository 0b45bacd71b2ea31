import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its CJS bundle registers tfjs-core's gradients (tfjs-core's CJS bundle does not)
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { focalLoss, sigmoidFocalLoss } from '../../src/losses/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

interface Case {
  gamma: number;
  alpha: number | number[] | null;
  none: number[];
  mean: number;
  sum: number;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/losses/focal.json', import.meta.url), 'utf8')) as {
  softmax: { logits: number[][]; labels: number[]; cases: Case[] };
  sigmoid: { logits: number[][]; targets: number[][]; cases: (Case & { alpha: number })[] };
};

/** |a - b| <= 1e-6 * max(1, |b|): 1e-6 relative for large (saturated) losses, absolute below 1. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e)));
  }
}

describe('focalLoss (softmax) against PyTorch', () => {
  const logits = tf.tensor2d(fixture.softmax.logits);
  const labels = tf.tensor1d(fixture.softmax.labels, 'int32');
  for (const c of fixture.softmax.cases) {
    it(`gamma=${c.gamma} alpha=${JSON.stringify(c.alpha)}`, () => {
      for (const reduction of ['none', 'mean', 'sum'] as const) {
        const out = focalLoss(labels, logits, { gamma: c.gamma, alpha: c.alpha, reduction });
        const expected = reduction === 'none' ? c.none : [c[reduction]];
        expectClose(out.dataSync(), expected);
        out.dispose();
      }
    });
  }

  it('accepts one-hot targets and probabilities', () => {
    const c = fixture.softmax.cases.find((x) => x.gamma === 2 && x.alpha === null) as Case;
    const oneHot = tf.oneHot(labels, 4);
    const viaOneHot = focalLoss(oneHot, logits, { reduction: 'none' });
    expectClose(viaOneHot.dataSync(), c.none);
    // Probabilities of moderate logits only (the first rows saturate below the 1e-7 clamp).
    const moderate = tf.slice(logits, [3, 0], [6, 4]);
    const fromProbs = focalLoss(tf.slice(labels, 3, 6), tf.softmax(moderate), { fromLogits: false, reduction: 'none' });
    const fromLogits = focalLoss(tf.slice(labels, 3, 6), moderate, { reduction: 'none' });
    expect(Array.from(fromProbs.dataSync()).map((v, i) => Math.abs(v - (fromLogits.dataSync()[i] as number)))
      .every((d) => d < 1e-5)).toBe(true);
  });

  it('gamma = 0 equals the cross-entropy', () => {
    const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, 4), tf.logSoftmax(logits)), 1));
    const f = focalLoss(labels, logits, { gamma: 0, reduction: 'none' });
    expectClose(f.dataSync(), Array.from(ce.dataSync()));
  });

  it('leaks no tensor, forward and gradient', async () => {
    await expectNoLeaks(() => {
      focalLoss(labels, logits).dispose();
      tf.grad((x: tf.Tensor) => focalLoss(labels, x, { gamma: 0.5, alpha: [1, 2, 3, 4] }))(logits).dispose();
    });
  });

  it('rejects bad options and shapes naming the argument', () => {
    expect(() => focalLoss(labels, logits, { gamma: -1 })).toThrow(ValueError);
    expect(() => focalLoss(labels, logits, { gamma: -1 })).toThrow(/gamma/);
    expect(() => focalLoss(labels, logits, { alpha: [1, 2] })).toThrow(/alpha/);
    expect(() => focalLoss(labels, logits, { reduction: 'avg' as 'mean' })).toThrow(/reduction/);
    expect(() => focalLoss(tf.tensor1d([0, 1]), logits)).toThrow(ShapeError);
    expect(() => focalLoss(labels, tf.tensor1d([1, 2]))).toThrow(/yPred/);
  });
});

describe('sigmoidFocalLoss against torchvision', () => {
  const logits = tf.tensor2d(fixture.sigmoid.logits);
  const targets = tf.tensor2d(fixture.sigmoid.targets);
  for (const c of fixture.sigmoid.cases) {
    it(`gamma=${c.gamma} alpha=${c.alpha}`, () => {
      for (const reduction of ['none', 'mean', 'sum'] as const) {
        const out = sigmoidFocalLoss(targets, logits, { gamma: c.gamma, alpha: c.alpha, reduction });
        const expected = reduction === 'none' ? (c.none as unknown as number[][]).flat() : [c[reduction]];
        expectClose(out.dataSync(), expected);
        out.dispose();
      }
    });
  }

  it('defaults are torchvision\'s alpha 0.25 and gamma 2', () => {
    const c = fixture.sigmoid.cases.find((x) => x.gamma === 2 && x.alpha === 0.25) as Case;
    const out = sigmoidFocalLoss(targets, logits, { reduction: 'sum' });
    expectClose(out.dataSync(), [c.sum]);
  });

  it('leaks no tensor and rejects mismatched shapes', async () => {
    await expectNoLeaks(() => {
      sigmoidFocalLoss(targets, logits).dispose();
      tf.grad((x: tf.Tensor) => sigmoidFocalLoss(targets, x, { gamma: 0.5 }))(logits).dispose();
    });
    expect(() => sigmoidFocalLoss(tf.slice(targets, 0, 2), logits)).toThrow(ShapeError);
    expect(() => sigmoidFocalLoss(targets, logits, { alpha: 2 })).toThrow(/alpha/);
  });
});
