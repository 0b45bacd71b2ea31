import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect } from 'vitest';
import { multiScaleResidual } from '../../../src/layers/conv/index.js';

describe('multiScaleResidual output shape (properties)', () => {
  const config = fc.record({
    length: fc.integer({ min: 5, max: 14 }),
    channels: fc.integer({ min: 1, max: 4 }),
    kernelSizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
    filters: fc.integer({ min: 1, max: 4 }),
    strides: fc.integer({ min: 1, max: 3 }),
    merge: fc.constantFrom('concat' as const, 'sum' as const),
    shortcut: fc.constantFrom('auto' as const, 'projection' as const, 'none' as const),
  });

  test.prop([config], { numRuns: 25 })(
    'length = ceil(length / strides); channels = sum of filters (concat) or filters (sum); computeOutputShape agrees with the tensor',
    ({ length, channels, kernelSizes, filters, strides, merge, shortcut }) => {
      const layer = multiScaleResidual({ filters, kernelSizes, strides, merge, shortcut, seed: 0 });
      const x = tf.ones([2, length, channels]);
      const y = layer.apply(x) as tf.Tensor;
      const expected = [2, Math.ceil(length / strides), merge === 'sum' ? filters : filters * kernelSizes.length];
      expect(y.shape).toEqual(expected);
      expect(layer.computeOutputShape([2, length, channels])).toEqual(expected);
      expect(layer.computeOutputShape([null, null, channels])).toEqual([null, null, expected[2]]);
      tf.dispose([x, y]);
      layer.dispose();
    },
  );

  test.prop([fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 })], { numRuns: 10 })(
    "shortcut 'auto' is the identity exactly when channels match and strides is 1 (no projection weights)",
    (channels, filters) => {
      const layer = multiScaleResidual({ filters, kernelSizes: [1], seed: 0 });
      layer.build([null, 6, channels]);
      const hasProjection = layer.weights.some((w) => w.originalName.includes('shortcut'));
      expect(hasProjection).toBe(channels !== filters);
    },
  );
});
