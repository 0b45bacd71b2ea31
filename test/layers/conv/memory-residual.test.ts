import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../../../src/errors.js';
import { fileSystem } from '../../../src/io/index.js';
import { MemoryResidual, memoryResidual } from '../../../src/layers/conv/index.js';
import { expectNoLeaks } from '../../helpers/leaks.js';
import { describeLayer } from '../suite.js';

const root = mkdtempSync(path.join(tmpdir(), 'flowsentry-memres-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Parameters: branches k*C*f + BN(f), LSTM with C units over sum(f) inputs. */
const paramsOf = (channels: number, filters: number[], kernels: number[]): number => {
  const merged = filters.reduce((a, b) => a + b, 0);
  const branches = kernels.reduce((s, k, i) => s + k * channels * (filters[i] ?? 0) + 4 * (filters[i] ?? 0), 0);
  return branches + merged * 4 * channels + channels * 4 * channels + 4 * channels;
};

describeLayer('memoryResidual', {
  factory: () => memoryResidual({ filters: 2, seed: 1 }),
  inputShape: [6, 3],
  expectedParams: paramsOf(3, [2, 2, 2], [1, 3, 5]),
});

describeLayer('memoryResidual without residual, sum merge', {
  factory: () => memoryResidual({ filters: 3, merge: 'sum', kernelSizes: [3], residual: false, seed: 2 }),
  inputShape: [5, 2],
  expectedParams: 3 * 2 * 3 + 4 * 3 + 3 * 4 * 2 + 2 * 4 * 2 + 4 * 2,
});

/** The same module from tfjs-layers built-ins (Conv1D, BatchNormalization, Concatenate, LSTM with sigmoid gates, Add). */
function builtInReference(layer: MemoryResidual, inputShape: [number, number]): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape });
  const branches = layer.kernelSizes.map((k, i) => {
    const conv = tfl.layers.conv1d({ filters: layer.filters[i] ?? 0, kernelSize: k, padding: 'same', useBias: false, name: `branch${i}_conv` }).apply(input);
    const bn = tfl.layers.batchNormalization({ name: `branch${i}_bn` }).apply(conv);
    return tfl.layers.activation({ activation: layer.activation }).apply(bn) as tfl.SymbolicTensor;
  });
  const merged = (branches.length === 1 ? branches[0] : tfl.layers.concatenate().apply(branches)) as tfl.SymbolicTensor;
  const lstm = tfl.layers.lstm({ units: inputShape[1], returnSequences: true, recurrentActivation: 'sigmoid', name: 'lstm' }).apply(merged) as tfl.SymbolicTensor;
  const output = layer.residual ? (tfl.layers.add().apply([input, lstm]) as tfl.SymbolicTensor) : lstm;
  const model = tfl.model({ inputs: input, outputs: output });
  const ours = new Map(layer.weights.map((w) => [w.originalName.split('/').at(-1) ?? '', w.read()]));
  for (const refLayer of model.layers) {
    if (refLayer.weights.length === 0) continue;
    refLayer.setWeights(refLayer.weights.map((w) => ours.get(`${refLayer.name}_${(w.originalName.split('/').at(-1) ?? '').replace(/_\d+$/, '')}`) as tf.Tensor));
  }
  return model;
}

describe('memoryResidual equals the module built from tfjs-layers built-ins', () => {
  for (const args of [{ filters: [2, 3, 1], seed: 3 }, { filters: 2, kernelSizes: [3, 5], residual: false, seed: 4 }]) {
    it(JSON.stringify(args), () => {
      const shape: [number, number] = [7, 3];
      const layer = memoryResidual(args);
      const x = tf.randomNormal([3, ...shape], 0, 1, 'float32', 5);
      layer.apply(x);
      layer.setWeights(layer.getWeights().map((w, i) => (w.rank === 1 && !/lstm/.test(layer.weights[i]?.name ?? '') ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i) : tf.randomNormal(w.shape, 0, 0.5, 'float32', i))));
      const reference = builtInReference(layer, shape);
      for (const training of [false, true]) {
        const ours = layer.apply(x, { training }) as tf.Tensor;
        const theirs = reference.apply(x, { training }) as tf.Tensor;
        expect(ours.shape).toEqual([3, ...shape]);
        expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-5);
        tf.dispose([ours, theirs]);
      }
      x.dispose();
      reference.dispose();
      layer.dispose();
    });
  }

  it('initialises the forget-gate bias to 1 (unitForgetBias), the other gates to 0', () => {
    const layer = memoryResidual({ filters: 1, kernelSizes: [1], seed: 1 });
    layer.build([null, 4, 2]);
    const bias = layer.weights.find((w) => w.originalName.endsWith('lstm_bias'));
    expect(Array.from(bias?.read().dataSync() ?? [])).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
  });
});

describe('memoryResidual stacks', () => {
  for (const depth of [5, 10]) {
    it(`${depth} deep: shape kept, trains without leaking, saves and loads with identical outputs`, async () => {
      const shape = [6, 2];
      const model = tfl.sequential();
      model.add(tfl.layers.inputLayer({ inputShape: shape }));
      for (let i = 0; i < depth; i += 1) model.add(memoryResidual({ filters: 2, kernelSizes: [1, 3], seed: i }));
      model.add(tfl.layers.flatten());
      model.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
      expect(model.outputs[0]?.shape).toEqual([null, 3]);
      const x = tf.randomNormal([4, ...shape], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
      await expectNoLeaks(async () => {
        await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
      });
      const directory = path.join(root, `stack${depth}`);
      await model.save(fileSystem(directory));
      const loaded = await tfl.loadLayersModel(fileSystem(directory));
      const a = model.predict(x) as tf.Tensor;
      const b = loaded.predict(x) as tf.Tensor;
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, y, a, b]);
      model.dispose();
      loaded.dispose();
    });
  }
});

describe('memoryResidual rejects bad configuration, naming the option', () => {
  it('at construction and build', () => {
    expect(() => memoryResidual({ filters: -2 })).toThrow(/filters: expected a positive integer, received -2/);
    expect(() => memoryResidual({ filters: [1, 2], merge: 'sum', kernelSizes: [1, 3] })).toThrow(/filters/);
    expect(() => memoryResidual({ residual: 'yes' as unknown as boolean })).toThrow(/residual: expected a boolean/);
    expect(() => memoryResidual({ kernelSizes: [9] }).apply(tfl.input({ shape: [4, 2] }))).toThrow(/kernelSizes\[0\]: expected at most the input length 4, received 9/);
    expect(() => memoryResidual().apply(tfl.input({ shape: [4] }))).toThrow(ShapeError);
  });
});
