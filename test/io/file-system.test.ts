import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError, ValueError } from '../../src/errors.js';
import { fileSystem, fileSystemIORouter, fileSystemRouter } from '../../src/io/index.js';
import { describeLayer } from '../layers/suite.js';

const root = mkdtempSync(path.join(tmpdir(), 'flowsentry-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('fileSystem', () => {
  it('writes model.json + weights.bin in the tfjs layers-model format', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    const directory = path.join(root, 'nested', 'dense');
    await model.save(fileSystem(directory));
    const json = JSON.parse(readFileSync(path.join(directory, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual(['./weights.bin']);
    expect(json.weightsManifest[0]?.weights.map((w) => w.shape)).toEqual([[3, 2], [2]]);
    // 3*2 + 2 float32 values
    expect(readFileSync(path.join(directory, 'weights.bin')).byteLength).toBe(8 * 4);
    const [kernel, bias] = model.getWeights() as [tf.Tensor, tf.Tensor];
    const bytes = readFileSync(path.join(directory, 'weights.bin'));
    const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(Array.from(floats)).toEqual([...kernel.dataSync(), ...bias.dataSync()]);
    expect(existsSync(path.join(directory, `model.json.${process.pid}.tmp`))).toBe(false);
    model.dispose();
  });

  it('loads what it saved: same weights, same predictions, training config kept', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [5], activation: 'relu' }), tfl.layers.dense({ units: 1 })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const directory = path.join(root, 'mlp');
    await model.save(fileSystem(directory), { includeOptimizer: true });
    const loaded = await tfl.loadLayersModel(fileSystem(directory));
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 1);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const json = JSON.parse(readFileSync(path.join(directory, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.trainingConfig?.loss).toBe('mean_squared_error');
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('loads models sharded over several weight files (tfjs converter / tfjs-node layout)', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [4] }), tfl.layers.dense({ units: 2 })] });
    const directory = path.join(root, 'sharded');
    await model.save(fileSystem(directory));
    const bytes = readFileSync(path.join(directory, 'weights.bin'));
    writeFileSync(path.join(directory, 'group1-shard1of2.bin'), bytes.subarray(0, 20));
    writeFileSync(path.join(directory, 'group1-shard2of2.bin'), bytes.subarray(20));
    const json = JSON.parse(readFileSync(path.join(directory, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const specs = json.weightsManifest[0]?.weights ?? [];
    json.weightsManifest = [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: specs }];
    writeFileSync(path.join(directory, 'model.json'), JSON.stringify(json));
    rmSync(path.join(directory, 'weights.bin'));
    const loaded = await tfl.loadLayersModel(fileSystem(directory));
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())));
    model.dispose();
    loaded.dispose();
  });

  it('rejects bad arguments and broken files with typed errors naming the problem', async () => {
    expect(() => fileSystem('')).toThrow(ValueError);
    expect(() => fileSystem(root, { weightsFileName: '../x.bin' })).toThrow(/weightsFileName/);
    await expect(fileSystem(path.join(root, 'absent')).load?.()).rejects.toThrow(/directory: expected a directory containing model.json/);
    const broken = path.join(root, 'broken');
    await fileSystem(broken).save?.({ modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) });
    writeFileSync(path.join(broken, 'model.json'), '{not json');
    await expect(fileSystem(broken).load?.()).rejects.toThrow(DataFormatError);
  });
});

describe('fileSystemRouter', () => {
  it('answers file:// URLs only, for a directory or its model.json', async () => {
    expect(fileSystemRouter('http://example.com/model.json')).toBeNull();
    expect(fileSystemRouter(['file://a', 'file://b'])).toBeNull();
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [2] })] });
    const directory = path.join(root, 'routed');
    await model.save(fileSystemRouter(`file://${directory}`) as tf.io.IOHandler);
    const loaded = await tfl.loadLayersModel(fileSystemRouter(`file://${directory}/model.json`) as tf.io.IOHandler);
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())));
    model.dispose();
    loaded.dispose();
  });

  it('works through tfjs string URLs once registered (as register.ts may do where tfjs-node is absent)', async () => {
    expect(tf.io.getSaveHandlers('file:///tmp/x')).toHaveLength(0);
    tf.io.registerSaveRouter(fileSystemIORouter);
    tf.io.registerLoadRouter(fileSystemIORouter);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3] })] });
    const directory = path.join(root, 'url');
    await model.save(`file://${directory}`);
    const loaded = await tfl.loadLayersModel(`file://${directory}/model.json`);
    expect(loaded.countParams()).toBe(4);
    model.dispose();
    loaded.dispose();
  });
});

// The shared layer suite, exercised on a plain tfjs layer so the suite itself is known to pass on a
// built-in (and to be able to fail: see the composite layers' tests).
describeLayer('tfjs dense (suite self-test)', {
  factory: () => tfl.layers.dense({ units: 3, activation: 'tanh' }),
  inputShape: [4],
  expectedParams: 4 * 3 + 3,
});
