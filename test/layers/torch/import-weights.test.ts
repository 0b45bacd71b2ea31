import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../../src/errors.js';
import { biGru, biLstm, gru } from '../../../src/layers/recurrent/index.js';
import { importTorchWeights, readSafetensors } from '../../../src/layers/torch/index.js';
import { expectNoLeaks } from '../../helpers/leaks.js';
import { expectClose, fixtureBytes, recurrentCase, TORCH_FIXTURES } from '../recurrent/torch-fixtures.js';

interface DenseConvFixture {
  linear: { file: string; x: number[][]; y: number[][] };
  linearF64Prefixed: { file: string; prefix: string };
  conv2d: { file: string; xNchw: number[][][][]; yNchw: number[][][][] };
  conv1d: { file: string; xNcl: number[][][]; yNcl: number[][][] };
  batchnorm1d: { file: string; eps: number; x: number[][]; y: number[][] };
}
const fixture = JSON.parse(readFileSync(path.join(TORCH_FIXTURES, 'dense_conv.json'), 'utf8')) as DenseConvFixture;

describe('importTorchWeights: nn.Linear and nn.Conv2d into tfjs layers', () => {
  it('nn.Linear -> tfl dense (built from the state dict) gives PyTorch outputs', async () => {
    const layer = tfl.layers.dense({ units: 3 });
    const result = await importTorchWeights(layer, fixtureBytes(fixture.linear.file));
    expect(result.loaded).toEqual(['weight', 'bias']);
    const y = layer.apply(tf.tensor2d(fixture.linear.x)) as tf.Tensor;
    expectClose(y, fixture.linear.y, 1e-5, 'linear');
  });

  it('a prefixed float64 state dict from a file path, selected by prefix', async () => {
    const layer = tfl.layers.dense({ units: 3 });
    await importTorchWeights(layer, path.join(TORCH_FIXTURES, fixture.linearF64Prefixed.file), { prefix: fixture.linearF64Prefixed.prefix });
    const y = layer.apply(tf.tensor2d(fixture.linear.x)) as tf.Tensor;
    expectClose(y, fixture.linear.y, 1e-5, 'linear (F64, prefixed)');
  });

  it('nn.Conv2d -> tfl conv2d (channels last) gives PyTorch outputs', async () => {
    const layer = tfl.layers.conv2d({ filters: 3, kernelSize: [2, 3] });
    await importTorchWeights(layer, fixtureBytes(fixture.conv2d.file));
    const x = tf.transpose(tf.tensor4d(fixture.conv2d.xNchw), [0, 2, 3, 1]);
    const y = tf.transpose(layer.apply(x) as tf.Tensor, [0, 3, 1, 2]);
    expectClose(y, fixture.conv2d.yNchw, 1e-5, 'conv2d');
  });

  it('nn.BatchNorm1d (eval) -> a built tfl batchNormalization with epsilon 1e-5 gives PyTorch outputs', async () => {
    const { file, eps, x, y } = fixture.batchnorm1d;
    const unbuilt = tfl.layers.batchNormalization({ epsilon: eps });
    await expect(importTorchWeights(unbuilt, fixtureBytes(file))).rejects.toThrow(/built/);
    const layer = tfl.layers.batchNormalization({ epsilon: eps });
    tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [3] }), layer] });
    const result = await importTorchWeights(layer, fixtureBytes(file));
    expect(result.loaded).toContain('num_batches_tracked');
    expectClose(layer.apply(tf.tensor2d(x), { training: false }) as tf.Tensor, y, 1e-5, 'batchnorm1d');
  });

  it('nn.Conv1d -> tfl conv1d (channels last) gives PyTorch outputs', async () => {
    const layer = tfl.layers.conv1d({ filters: 2, kernelSize: 3 });
    await importTorchWeights(layer, fixtureBytes(fixture.conv1d.file));
    const x = tf.transpose(tf.tensor3d(fixture.conv1d.xNcl), [0, 2, 1]);
    const y = tf.transpose(layer.apply(x) as tf.Tensor, [0, 2, 1]);
    expectClose(y, fixture.conv1d.yNcl, 1e-5, 'conv1d');
  });
});

describe('importTorchWeights: errors name the tensor and leave the layer unchanged', () => {
  it('a missing tensor, a wrong shape, unused tensors, an unsupported layer', async () => {
    const gruBytes = fixtureBytes(recurrentCase('gru_l2_bi').file);
    // One layer too many: weight_ih_l2 does not exist.
    await expect(importTorchWeights(biGru({ units: 4, numLayers: 3 }), gruBytes)).rejects.toThrow(/weight_ih_l2/);
    // Wrong hidden size: shape mismatch names the tensor.
    const wrongUnits = biGru({ units: 5, numLayers: 2 });
    wrongUnits.apply(tf.zeros([1, 2, 5]));
    const before = wrongUnits.getWeights().map((w) => w.dataSync().slice());
    await expect(importTorchWeights(wrongUnits, gruBytes)).rejects.toThrow(ShapeError);
    await expect(importTorchWeights(wrongUnits, gruBytes)).rejects.toThrow(/weight_ih_l0/);
    wrongUnits.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
    // A one-layer GRU does not use the l1 and reverse tensors: strict rejects, strict: false reports.
    await expect(importTorchWeights(gru({ units: 4 }), gruBytes)).rejects.toThrow(/unused .*weight_ih_l0_reverse/);
    const loose = await importTorchWeights(gru({ units: 4 }), gruBytes, { strict: false });
    expect(loose.unused.length).toBe(12);
    // An LSTM state dict into a GRU: 4u rows cannot convert to 3u.
    await expect(importTorchWeights(biGru({ units: 4, numLayers: 2 }), fixtureBytes(recurrentCase('lstm_l2_bi').file))).rejects.toThrow(ShapeError);
    await expect(importTorchWeights(tfl.layers.flatten(), gruBytes)).rejects.toThrow(/layer/);
    await expect(importTorchWeights(biLstm({ units: 4 }), new Uint8Array(2))).rejects.toThrow(ValueError);
    await expect(importTorchWeights(tfl.layers.dense({ units: 3, useBias: false }), fixtureBytes(fixture.linear.file))).rejects.toThrow(/useBias/);
  });

  it('leaks no tensor (success and failure), and accepts a parsed file', async () => {
    const layer = biLstm({ units: 4, numLayers: 2 });
    layer.apply(tf.zeros([1, 2, 5])); // build outside the check: weights are meant to stay
    const state = readSafetensors(fixtureBytes(recurrentCase('lstm_l2_bi').file));
    await expectNoLeaks(async () => {
      await importTorchWeights(layer, state);
      await expect(importTorchWeights(layer, state, { prefix: 'rnn.' })).rejects.toThrow(/rnn\.weight_ih_l0/);
    });
  });
});
