import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect } from 'vitest';
import { gruSequenceReference, lstmSequenceReference } from '../../../src/kernels/recurrent-reference.js';
import { GRU, LSTM } from '../../../src/layers/recurrent/index.js';

const config = fc.record({
  kind: fc.constantFrom('GRU' as const, 'LSTM' as const),
  units: fc.integer({ min: 1, max: 5 }),
  numLayers: fc.integer({ min: 1, max: 3 }),
  bidirectional: fc.boolean(),
  returnSequences: fc.boolean(),
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 5 }),
  features: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe('recurrent layers: shape invariants', () => {
  test.prop([config], { numRuns: 25 })(
    'eager output shape = computeOutputShape = [batch, (time,) directions * units]; countParams follows the formula',
    (c) => {
      const args = { units: c.units, numLayers: c.numLayers, bidirectional: c.bidirectional, returnSequences: c.returnSequences, seed: c.seed };
      const layer = c.kind === 'GRU' ? new GRU(args) : new LSTM(args);
      const y = tf.tidy(() => layer.apply(tf.randomNormal([c.batch, c.time, c.features], 0, 1, 'float32', c.seed)) as tf.Tensor);
      const dirs = c.bidirectional ? 2 : 1;
      const width = dirs * c.units;
      expect(y.shape).toEqual(c.returnSequences ? [c.batch, c.time, width] : [c.batch, width]);
      expect(layer.computeOutputShape([c.batch, c.time, c.features])).toEqual(y.shape);
      expect(layer.computeOutputShape([null, null, c.features])).toEqual(c.returnSequences ? [null, null, width] : [null, width]);
      const gates = c.kind === 'GRU' ? 3 : 4;
      const biases = c.kind === 'GRU' ? 2 : 1;
      let params = 0;
      for (let l = 0; l < c.numLayers; l += 1) {
        const inDim = l === 0 ? c.features : width;
        params += dirs * (inDim * gates * c.units + c.units * gates * c.units + biases * gates * c.units);
      }
      expect(layer.countParams()).toBe(params);
      y.dispose();
      tf.dispose(layer.getWeights());
    },
  );
});

describe('sequence references: direction invariant', () => {
  test.prop(
    [fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }), fc.boolean()],
    { numRuns: 20 },
  )('goBackwards on x = reverse(forward on reverse(x)) along time', (units, time, features, seed, isGru) => {
    const diff = tf.tidy(() => {
      const gates = isGru ? 3 : 4;
      const n = (shape: number[], s: number): tf.Tensor => tf.randomNormal(shape, 0, 0.5, 'float32', seed + s);
      const x = n([2, time, features], 1) as tf.Tensor3D;
      const kernel = n([features, gates * units], 2) as tf.Tensor2D;
      const recurrentKernel = n([units, gates * units], 3) as tf.Tensor2D;
      const b1 = n([gates * units], 4) as tf.Tensor1D;
      const b2 = n([gates * units], 5) as tf.Tensor1D;
      const run = (input: tf.Tensor3D, goBackwards: boolean): tf.Tensor3D =>
        isGru
          ? gruSequenceReference({ x: input, kernel, recurrentKernel, inputBias: b1, recurrentBias: b2, goBackwards })
          : lstmSequenceReference({ x: input, kernel, recurrentKernel, bias: b1, goBackwards });
      const backwards = run(x, true);
      const viaForward = tf.reverse(run(tf.reverse(x, 1), false), 1);
      return tf.max(tf.abs(tf.sub(backwards, viaForward))).dataSync()[0] as number;
    });
    expect(diff).toBeLessThan(1e-6);
  });
});
