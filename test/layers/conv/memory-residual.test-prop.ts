import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect } from 'vitest';
import { memoryResidual } from '../../../src/layers/conv/index.js';

describe('memoryResidual output shape (properties)', () => {
  test.prop(
    [
      fc.record({
        length: fc.integer({ min: 3, max: 10 }),
        channels: fc.integer({ min: 1, max: 4 }),
        kernelSizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        filters: fc.integer({ min: 1, max: 3 }),
        merge: fc.constantFrom('concat' as const, 'sum' as const),
        residual: fc.boolean(),
      }),
    ],
    { numRuns: 15 },
  )('output shape = input shape for any channels, kernel sizes, filters, merge; residual false is the difference to the identity', ({ length, channels, kernelSizes, filters, merge, residual }) => {
    const x = tf.randomNormal([2, length, channels], 0, 1, 'float32', 1);
    const withResidual = memoryResidual({ filters, kernelSizes, merge, residual: true, seed: 3 });
    const y = withResidual.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, length, channels]);
    expect(withResidual.computeOutputShape([null, length, channels])).toEqual([null, length, channels]);
    if (!residual) {
      // Same weights without the shortcut: y_plain = y_residual - x.
      const plain = memoryResidual({ filters, kernelSizes, merge, residual: false, seed: 3 });
      plain.apply(x);
      plain.setWeights(withResidual.getWeights());
      const yPlain = plain.apply(x) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(tf.sub(y, x), yPlain))).dataSync()[0]).toBeLessThan(1e-6);
      yPlain.dispose();
    }
    tf.dispose([x, y]);
  });
});
