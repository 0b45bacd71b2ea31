import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its CJS bundle registers tfjs-core's gradients
import { describe, expect } from 'vitest';
import { distillationLoss } from '../../src/losses/index.js';

const logits = fc.array(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 });
const temperature = fc.double({ min: 0.1, max: 50, noNaN: true });

describe('distillationLoss invariants', () => {
  test.prop([logits, logits, temperature])('KL is non-negative and finite', (s, t, T) => {
    const n = Math.min(s.length, t.length);
    tf.tidy(() => {
      const v = distillationLoss(tf.tensor2d(s.slice(0, n)), tf.tensor2d(t.slice(0, n)), { temperature: T }).dataSync()[0]!;
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(-1e-4 * T * T);
    });
  });

  test.prop([logits, temperature, fc.double({ min: -5, max: 5, noNaN: true })])(
    'zero when the student equals the teacher up to a per-row shift (softmax invariance)',
    (t, T, shift) => {
      tf.tidy(() => {
        const teacher = tf.tensor2d(t);
        const v = distillationLoss(tf.add(teacher, shift) as tf.Tensor2D, teacher, { temperature: T }).dataSync()[0]!;
        expect(Math.abs(v)).toBeLessThan(1e-4 * Math.max(1, T * T));
      });
    },
  );

  test.prop([logits, temperature])('averaging identical teachers changes nothing', (t, T) => {
    tf.tidy(() => {
      const teacher = tf.tensor2d(t);
      const student = tf.zerosLike(teacher) as tf.Tensor2D;
      const one = distillationLoss(student, teacher, { temperature: T }).dataSync()[0]!;
      const three = distillationLoss(student, [teacher, teacher, teacher], { temperature: T }).dataSync()[0]!;
      // float32: the averaged teacher differs from the single one by an ulp, and the loss carries T^2
      // times the cross-entropy terms whose difference it is (the same tolerance as the test above).
      expect(Math.abs(one - three)).toBeLessThan(1e-4 * Math.max(1, T * T, Math.abs(one)));
    });
  });
});
