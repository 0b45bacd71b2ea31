import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its CJS bundle registers tfjs-core's gradients (tfjs-core's CJS bundle does not)
import { describe, expect } from 'vitest';
import { focalLoss, sigmoidFocalLoss } from '../../src/losses/index.js';

const extremeLogit = fc.oneof(
  fc.double({ min: -1e4, max: 1e4, noNaN: true }),
  fc.constantFrom(-1e4, -100, -30, 0, 30, 100, 1e4),
);
const gamma = fc.oneof(fc.constantFrom(0, 0.1, 0.5, 1, 2, 5), fc.double({ min: 0, max: 6, noNaN: true }));

function allFinite(t: tf.Tensor): boolean {
  return Array.from(t.dataSync()).every(Number.isFinite);
}

describe('focal losses stay finite in logit space', () => {
  test.prop([fc.array(fc.array(extremeLogit, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }), gamma, fc.nat()],
    { numRuns: 60 })('softmax: finite, non-negative loss and finite gradient for any logits and gamma', (rows, g, seed) => {
    tf.tidy(() => {
      const x = tf.tensor2d(rows);
      const y = tf.tensor1d(rows.map((_, i) => (seed + i) % 3), 'int32');
      const loss = focalLoss(y, x, { gamma: g, reduction: 'none' });
      expect(allFinite(loss)).toBe(true);
      expect(Array.from(loss.dataSync()).every((v) => v >= 0)).toBe(true);
      expect(allFinite(tf.grad((z: tf.Tensor) => focalLoss(y, z, { gamma: g }))(x))).toBe(true);
    });
  });

  test.prop([fc.array(extremeLogit, { minLength: 1, maxLength: 8 }), gamma, fc.nat()], { numRuns: 60 })(
    'sigmoid: finite, non-negative loss and finite gradient for any logits and gamma', (values, g, seed) => {
      tf.tidy(() => {
        const x = tf.tensor1d(values);
        const t = tf.tensor1d(values.map((_, i) => ((seed >> i) & 1)));
        const loss = sigmoidFocalLoss(t, x, { gamma: g, reduction: 'none' });
        expect(allFinite(loss)).toBe(true);
        expect(Array.from(loss.dataSync()).every((v) => v >= 0)).toBe(true);
        expect(allFinite(tf.grad((z: tf.Tensor) => sigmoidFocalLoss(t, z, { gamma: g }))(x))).toBe(true);
      });
    });

  test.prop([fc.array(fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }), gamma])(
    'focusing never increases the loss: focal(gamma) <= cross-entropy', (rows, g) => {
      tf.tidy(() => {
        const x = tf.tensor2d(rows);
        const y = tf.tensor1d(rows.map((_, i) => i % 4), 'int32');
        const f = focalLoss(y, x, { gamma: g, reduction: 'none' }).dataSync();
        const ce = focalLoss(y, x, { gamma: 0, reduction: 'none' }).dataSync();
        for (let i = 0; i < f.length; i++) expect(f[i] as number).toBeLessThanOrEqual((ce[i] as number) * (1 + 1e-6) + 1e-12);
      });
    });
});
