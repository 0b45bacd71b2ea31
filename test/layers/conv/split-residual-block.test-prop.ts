import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect } from 'vitest';
import { resCae, splitResidualBlock } from '../../../src/layers/conv/index.js';

describe('split-residual / ResCAE output shapes (properties)', () => {
  const odd = fc.integer({ min: 0, max: 2 }).map((k) => 2 * k + 1);
  test.prop(
    [
      fc.record({
        height: fc.integer({ min: 1, max: 6 }),
        width: fc.integer({ min: 5, max: 20 }),
        channels: fc.integer({ min: 1, max: 3 }),
        filters: fc.integer({ min: 1, max: 4 }),
        kernelSize: fc.tuple(odd, odd),
        strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      }),
    ],
    { numRuns: 25 },
  )('splitResidualBlock: [b, H, W, C] -> [b, ceil(H / sh), ceil(W / sw), filters]', ({ height, width, channels, filters, kernelSize, strides }) => {
    fc.pre(kernelSize[0] <= height && kernelSize[1] <= width);
    const layer = splitResidualBlock({ filters, kernelSize, strides, seed: 0 });
    const x = tf.ones([2, height, width, channels]);
    const y = layer.apply(x) as tf.Tensor;
    const expected = [2, Math.ceil(height / strides[0]), Math.ceil(width / strides[1]), filters];
    expect(y.shape).toEqual(expected);
    expect(layer.computeOutputShape([2, height, width, channels])).toEqual(expected);
    tf.dispose([x, y]);
    layer.dispose();
  });

  test.prop([fc.integer({ min: 5, max: 200 }), fc.constantFrom('vector' as const, 'image' as const)], { numRuns: 20 })(
    'resCae reconstructs exactly F features for any F >= 5, odd or even; the code has width ceil(ceil(F / 2) / 2)',
    (features, inputFormat) => {
      const { autoencoder, encoder } = resCae({ features, inputFormat, encoderFilters: [2, 3], decoderFilters: 2, seed: 0 });
      const inShape = inputFormat === 'vector' ? [1, features] : [1, 1, features, 1];
      const x = tf.ones(inShape);
      const y = autoencoder.predict(x) as tf.Tensor;
      const code = encoder.predict(x) as tf.Tensor;
      expect(y.shape).toEqual(inShape);
      expect(code.shape).toEqual([1, 1, Math.ceil(Math.ceil(features / 2) / 2), 3]);
      tf.dispose([x, y, code]);
      autoencoder.dispose();
    },
  );
});
