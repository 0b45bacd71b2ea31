import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { fileSystem } from '../../src/io/index.js';
import { buildModel, msmrNet, cnnBiLstm, lktAdnStudent, lktAdnTeacher, mlp, modelNames, resCaeBiGru, resCaeBiGruModels } from '../../src/models/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const F = 13;
const K = 4;

/** PyTorch nn.GRU parameter count: per layer and direction 3 * (H * in + H * H + 2H). */
function torchGruParams(input: number, hidden: number, layers: number, directions: number): number {
  let total = 0;
  for (let l = 0; l < layers; l++) {
    const inDim = l === 0 ? input : hidden * directions;
    total += directions * 3 * (hidden * inDim + hidden * hidden + 2 * hidden);
  }
  return total;
}

/** Keras LSTM parameter count, 4 * (H * in + H * H + H) per direction (PyTorch's two bias vectors summed into one). */
function kerasLstmParams(input: number, hidden: number, directions: number): number {
  return directions * 4 * (hidden * input + hidden * hidden + hidden);
}

describe('model zoo', () => {
  it.each(modelNames())('%s: flat flows in, class probabilities out, predictable names, seeded', async (name) => {
    const m = buildModel(name, { inputDim: F, numClasses: K, seed: 7 });
    expect(m.inputs[0]!.shape).toEqual([null, F]);
    expect(m.outputs[0]!.shape).toEqual([null, K]);
    expect(m.layers.at(-1)!.name).toBe('predictions');
    const x = tf.randomUniform([5, F], 0, 1, 'float32', 1);
    const p = await expectNoLeaks(() => tf.tidy(() => (m.predict(x) as tf.Tensor).arraySync() as number[][]));
    for (const row of p) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const again = buildModel(name, { inputDim: F, numClasses: K, seed: 7 });
    expect(tf.tidy(() => (again.predict(x) as tf.Tensor).arraySync())).toEqual(p);
    const other = buildModel(name, { inputDim: F, numClasses: K, seed: 8 });
    expect(tf.tidy(() => (other.predict(x) as tf.Tensor).arraySync())).not.toEqual(p);
    x.dispose();
    [m, again, other].forEach((mm) => mm.dispose());
  });

  it.each(modelNames())('%s: save -> load gives the same outputs', async (name) => {
    const m = buildModel(name, { inputDim: F, numClasses: K, seed: 3 });
    const dir = await mkdtemp(path.join(tmpdir(), 'flowsentry-zoo-'));
    await m.save(fileSystem(dir));
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    const x = tf.randomUniform([4, F], 0, 1, 'float32', 2);
    const a = tf.tidy(() => (m.predict(x) as tf.Tensor).arraySync());
    const b = tf.tidy(() => (loaded.predict(x) as tf.Tensor).arraySync());
    expect(b).toEqual(a);
    x.dispose();
    m.dispose();
    loaded.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('resCaeBiGru: BiGRU 2 x 64 over the 32-filter code has the PyTorch parameter count; the autoencoder shares the encoder', () => {
    const { classifier, autoencoder } = resCaeBiGruModels({ inputDim: 78, numClasses: 15 });
    expect(classifier.getLayer('bigru').countParams()).toBe(torchGruParams(32, 64, 2, 2));
    expect(classifier.getLayer('to_sequence').outputShape).toEqual([null, 20, 32]); // ceil(ceil(78/2)/2) = 20 steps
    expect(classifier.getLayer('dropout').getConfig().rate).toBe(0.5);
    expect(classifier.getLayer('predictions').countParams()).toBe(128 * 15 + 15);
    expect(autoencoder.getLayer('rescae_block1')).toBe(classifier.getLayer('rescae_block1'));
    expect(autoencoder.outputs[0]!.shape).toEqual([null, 78]);
    classifier.dispose();
  });

  it('cnnBiLstm, lktAdn pair and mlp have the documented sizes', () => {
    const c = cnnBiLstm({ inputDim: 40, numClasses: 3 });
    expect(c.getLayer('conv_1').countParams()).toBe(3 * 1 * 32 + 32);
    expect(c.getLayer('bilstm').countParams()).toBe(kerasLstmParams(64, 64, 2));
    const t = lktAdnTeacher({ inputDim: 40, numClasses: 3 });
    const s = lktAdnStudent({ inputDim: 40, numClasses: 3 });
    // Conv1D k=3 stride 2 'same' over 40 features: 20 positions x 8 filters, flattened, Dense 16, softmax.
    expect(s.countParams()).toBe(3 * 8 + 8 + 20 * 8 * 16 + 16 + 16 * 3 + 3);
    expect(s.getLayer('pool').outputShape).toEqual([null, 20 * 8]);
    expect(s.countParams() * 10).toBeLessThan(t.countParams());
    const avg = lktAdnStudent({ inputDim: 40, numClasses: 3, pooling: 'average', filters: 16, hiddenUnits: 32 });
    expect(avg.countParams()).toBe(3 * 16 + 16 + 16 * 32 + 32 + 32 * 3 + 3);
    expect(() => lktAdnStudent({ inputDim: 40, numClasses: 3, pooling: 'max' as 'average' })).toThrow(/pooling: expected 'flatten' or 'average'/);
    avg.dispose();
    const m = mlp({ inputDim: 40, numClasses: 3 });
    expect(m.countParams()).toBe(40 * 128 + 128 + 128 * 64 + 64 + 64 * 3 + 3);
    [c, t, s, m].forEach((x) => x.dispose());
  });

  it('msmrNet: depth 5 or 10 modules named mr_k, residual switch, stem only above one channel', () => {
    const m5 = msmrNet({ inputDim: 12, numClasses: 3 });
    const m10 = msmrNet({ inputDim: 12, numClasses: 3, depth: 10, residual: false, channels: 4 });
    expect(m5.layers.filter((l) => /^mr_\d+$/.test(l.name))).toHaveLength(5);
    expect(m10.layers.filter((l) => /^mr_\d+$/.test(l.name))).toHaveLength(10);
    expect(m10.getLayer('mr_1').getConfig().residual).toBe(false);
    expect(m5.getLayer('mr_1').getConfig().residual).toBe(true);
    expect(() => m5.getLayer('stem')).toThrow();
    expect(m10.getLayer('stem').outputShape).toEqual([null, 12, 4]);
    // Flatten -> Dense softmax: 12 steps x channels inputs.
    expect(m5.getLayer('predictions').countParams()).toBe(12 * 1 * 3 + 3);
    expect(() => msmrNet({ inputDim: 12, numClasses: 3, depth: 7 as 5 })).toThrow(/depth: expected 5 or 10/);
    [m5, m10].forEach((m) => m.dispose());
  });

  it('rejects bad arguments early with ValueError naming them', () => {
    expect(() => resCaeBiGru({ inputDim: 0, numClasses: 3 })).toThrow(/inputDim/);
    // F = 4 would reach resCae and fail there naming 'features'; the builder names its own option.
    expect(() => resCaeBiGru({ inputDim: 4, numClasses: 3 })).toThrow(/^inputDim: expected at least 5/);
    expect(resCaeBiGru({ inputDim: 5, numClasses: 3 }).outputs[0]!.shape).toEqual([null, 3]);
    expect(() => resCaeBiGru({ inputDim: 20, numClasses: 1 })).toThrow(/numClasses/);
    expect(() => resCaeBiGru({ inputDim: 20, numClasses: 3, gruUnits: 0 })).toThrow(/gruUnits/);
    expect(() => cnnBiLstm({ inputDim: 20, numClasses: 3, convFilters: [] })).toThrow(/convFilters/);
    expect(() => cnnBiLstm({ inputDim: 3, numClasses: 3 })).toThrow(/inputDim/);
    expect(() => mlp({ inputDim: 20, numClasses: 3, dropout: 1 })).toThrow(/dropout/);
    expect(() => buildModel('resnet', { inputDim: 5, numClasses: 2 })).toThrow(ValueError);
  });
});
