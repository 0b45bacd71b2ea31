import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../../src/errors.js';
import { biGru, biLstm, gru, lstm } from '../../../src/layers/recurrent/index.js';
import { expectNoLeaks } from '../../helpers/leaks.js';

describe('bad configuration fails at construction or build with a typed error naming the option', () => {
  it.each([
    ['units', () => gru({ units: -1 })],
    ['units', () => biLstm({ units: 2.5 })],
    ['numLayers', () => gru({ units: 2, numLayers: 0 })],
    ['dropout', () => lstm({ units: 2, dropout: 1 })],
    ['dropout', () => biGru({ units: 2, dropout: -0.1 })],
    ['returnSequences', () => gru({ units: 2, returnSequences: 'yes' as never })],
    ['init', () => lstm({ units: 2, init: 'xavier' as never })],
    ['seed', () => gru({ units: 2, seed: 0.5 })],
    ['recurrentDropout', () => lstm({ units: 2, recurrentDropout: 0.1 } as never)],
  ])('%s', (option, make) => {
    expect(make).toThrow(ValueError);
    expect(make).toThrow(new RegExp(`^${option}: expected`));
  });

  it('wrong input rank: ShapeError naming inputShape (symbolic) or inputs (eager)', () => {
    expect(() => gru({ units: 2 }).apply(tfl.input({ shape: [4] }))).toThrow(ShapeError);
    expect(() => gru({ units: 2 }).apply(tfl.input({ shape: [4] }))).toThrow(/inputShape/);
    expect(() => tfl.sequential({ layers: [biLstm({ units: 2, inputShape: [3, 4, 5] })] })).toThrow(/inputShape/);
    expect(() => tf.tidy(() => biGru({ units: 2 }).apply(tf.zeros([2, 3])) as tf.Tensor)).toThrow(ShapeError);
    expect(() => gru({ units: 2 }).apply(tfl.input({ shape: [3, null] as unknown as number[] }))).toThrow(/features/);
  });
});

describe('dropout between layers (PyTorch semantics), seeded', () => {
  const x = (): tf.Tensor => tf.randomNormal([4, 5, 3], 0, 1, 'float32', 11);

  it('acts in training mode only, between layers, and is reproducible with a seed', async () => {
    const run = (training: boolean, seed = 5): Float32Array => {
      const layer = biGru({ units: 6, numLayers: 2, dropout: 0.5, returnSequences: true, seed });
      return tf.tidy(() => (layer.apply(x(), { training }) as tf.Tensor).dataSync() as Float32Array);
    };
    const inference = run(false);
    const trainingA = run(true);
    const trainingB = run(true);
    expect(trainingA).toEqual(trainingB); // same seed: same weights and masks
    expect(trainingA).not.toEqual(inference);
    expect(run(true, 6)).not.toEqual(trainingA);
    // One layer: nothing to drop between layers (PyTorch ignores dropout then).
    const single = gru({ units: 6, dropout: 0.5, seed: 3 });
    const a = tf.tidy(() => (single.apply(x(), { training: true }) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (single.apply(x(), { training: false }) as tf.Tensor).dataSync());
    expect(a).toEqual(b);
    const input = x();
    await expectNoLeaks(() => tf.dispose(single.apply(input, { training: true }) as tf.Tensor));
    input.dispose();
  });

  it('draws a new mask at every training call', () => {
    const layer = biLstm({ units: 4, numLayers: 2, dropout: 0.5, seed: 9 });
    const input = x();
    const a = tf.tidy(() => (layer.apply(input, { training: true }) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (layer.apply(input, { training: true }) as tf.Tensor).dataSync());
    expect(a).not.toEqual(b);
    input.dispose();
  });
});

describe('initialisation', () => {
  it("'pytorch' (default): every weight within 1/sqrt(units), and seeded", () => {
    const make = (): number[][] => {
      const layer = biGru({ units: 16, numLayers: 2, seed: 4 });
      tf.tidy(() => layer.apply(tf.zeros([1, 2, 3])) as tf.Tensor);
      return layer.getWeights().map((w) => Array.from(w.dataSync()));
    };
    const weights = make();
    const bound = 1 / 4;
    for (const w of weights) expect(w.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...weights.flat())).toBeGreaterThan(0.9 * bound);
    expect(make()).toEqual(weights);
  });

  it("'keras': zero GRU biases, LSTM forget-gate bias 1, orthogonal recurrent kernel", () => {
    const layer = lstm({ units: 3, init: 'keras', seed: 1 });
    tf.tidy(() => layer.apply(tf.zeros([1, 2, 4])) as tf.Tensor);
    const byName = new Map(layer.weights.map((w) => [w.name.split('/').pop(), w.read()]));
    expect(Array.from(byName.get('bias')?.dataSync() ?? [])).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const u = byName.get('recurrent_kernel') as tf.Tensor2D; // [3, 12]: rows orthonormal
    const gramTensor = tf.matMul(u, u, false, true);
    const gram = gramTensor.arraySync() as number[][];
    gramTensor.dispose();
    gram.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? 1 : 0, 5)));
    const g = gru({ units: 3, init: 'keras', seed: 1 });
    tf.tidy(() => g.apply(tf.zeros([1, 2, 4])) as tf.Tensor);
    const biases = g.weights.filter((w) => w.name.endsWith('bias'));
    expect(biases.length).toBe(2);
    for (const b of biases) expect(Array.from(b.read().dataSync()).every((v) => v === 0)).toBe(true);
  });
});

describe('training end to end', () => {
  it('a gru + dense model learns a task that needs memory (the sign of the first step, read at the last)', async () => {
    const [batch, time] = [64, 6];
    const x = tf.randomNormal([batch, time, 2], 0, 1, 'float32', 21);
    const y = tf.tidy(() => tf.cast(tf.greater(tf.reshape(tf.slice(x, [0, 0, 0], [batch, 1, 1]), [batch, 1]), 0), 'float32'));
    const model = tfl.sequential({
      layers: [gru({ units: 8, inputShape: [time, 2], seed: 1 }), tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'glorotUniform' })],
    });
    const optimizer = tf.train.adam(0.03);
    const bce = (): tf.Scalar =>
      tf.tidy(() => {
        const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-6, 1 - 1e-6);
        return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
      });
    const first = tf.tidy(() => bce().dataSync()[0] as number);
    for (let step = 0; step < 80; step += 1) optimizer.minimize(bce);
    await expectNoLeaks(() => optimizer.minimize(bce));
    const last = tf.tidy(() => bce().dataSync()[0] as number);
    const accuracy = tf.tidy(() => tf.mean(tf.equal(tf.greater(model.predict(x) as tf.Tensor, 0.5), tf.cast(y, 'bool'))).dataSync()[0] as number);
    expect(last).toBeLessThan(first * 0.5);
    expect(accuracy).toBeGreaterThan(0.9);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});

describe('bidirectional final states: training slices each direction, inference runs the two-direction op', () => {
  // units 8: the two-direction op is one call at inference on the cpu backend.
  it.each([
    ['BiGRU', () => biGru({ units: 8, numLayers: 2, seed: 4 })],
    ['BiLSTM', () => biLstm({ units: 8, numLayers: 2, seed: 4 })],
  ])('%s: the same values and input gradients in both modes, no leaks', async (_name, make) => {
    const layer = make();
    const x = tf.randomNormal([5, 6, 3], 0, 1, 'float32', 2);
    const run = (training: boolean) => tf.tidy(() => Array.from((layer.apply(x, { training }) as tf.Tensor).dataSync()));
    const inference = run(false);
    expect(inference).toHaveLength(5 * 16);
    expect(run(true)).toEqual(inference);
    const grad = (training: boolean) => tf.tidy(() => Array.from(tf.grad((xi: tf.Tensor) => tf.sum(tf.square(layer.apply(xi, { training }) as tf.Tensor)))(x).dataSync()));
    expect(grad(true)).toEqual(grad(false));
    await expectNoLeaks(() => tf.dispose(layer.apply(x, { training: true }) as tf.Tensor));
    await expectNoLeaks(() => tf.dispose(tf.grad((xi: tf.Tensor) => tf.sum(layer.apply(xi, { training: true }) as tf.Tensor))(x)));
    x.dispose();
  });
});
