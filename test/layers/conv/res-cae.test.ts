import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystem } from '../../../src/io/index.js';
import { resCae, resCaeCodeWidth, resCaeEncoder } from '../../../src/layers/conv/index.js';
import { Rng } from '../../../src/util/rng.js';
import { expectNoLeaks } from '../../helpers/leaks.js';

const root = mkdtempSync(path.join(tmpdir(), 'flowsentry-rescae-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Flows in [0, 1] with structure an autoencoder can learn: a few latent factors mixed into F features. */
function generatedFlows(rows: number, features: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const factors = 3;
  const mixing = Array.from({ length: factors }, () => Array.from({ length: features }, () => rng.normal()));
  const data = new Float32Array(rows * features);
  for (let r = 0; r < rows; r += 1) {
    const z = Array.from({ length: factors }, () => rng.normal());
    for (let f = 0; f < features; f += 1) {
      let s = 0;
      for (let k = 0; k < factors; k += 1) s += (z[k] ?? 0) * (mixing[k]?.[f] ?? 0);
      data[r * features + f] = 1 / (1 + Math.exp(-s)); // min-max-like range (0, 1), as after scaling
    }
  }
  return tf.tensor2d(data, [rows, features]);
}

const mse = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.mean(tf.square(tf.sub(a, b))).dataSync()[0] ?? NaN);

describe('resCae', () => {
  it.each([5, 6, 9, 16, 77, 78])('reconstructs exactly F = %i features; the code is [1, ceil(ceil(F/2)/2), 32]', (features) => {
    const { autoencoder, encoder } = resCae({ features, seed: 1 });
    expect(autoencoder.outputs[0]?.shape).toEqual([null, features]);
    expect(encoder.outputs[0]?.shape).toEqual([null, 1, resCaeCodeWidth(features), 32]);
    const x = tf.randomUniform([2, features], 0, 1, 'float32', 2);
    const y = autoencoder.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, features]);
    const values = y.dataSync();
    expect(Array.from(values).every((v) => v > 0 && v < 1)).toBe(true); // sigmoid output
    tf.dispose([x, y]);
    autoencoder.dispose();
  });

  it("'image' format keeps the paper's [batch, 1, F, 1] layout in and out", () => {
    const { autoencoder, encoder } = resCae({ features: 11, inputFormat: 'image', seed: 1 });
    expect(autoencoder.inputs[0]?.shape).toEqual([null, 1, 11, 1]);
    expect(autoencoder.outputs[0]?.shape).toEqual([null, 1, 11, 1]);
    expect(encoder.outputs[0]?.shape).toEqual([null, 1, 3, 32]);
    autoencoder.dispose();
  });

  it('counts parameters as Table 1 defines them', () => {
    const { autoencoder, encoder } = resCae({ features: 20, seed: 1 });
    const block = (c: number, f: number): number => 3 * c * f + 3 * f * f + c * f + 3 * 4 * f;
    const encoderParams = block(1, 16) + block(16, 32);
    expect(encoder.countParams()).toBe(encoderParams);
    // conv2dTranspose kernels [1, 3, out, in] + biases
    expect(autoencoder.countParams()).toBe(encoderParams + (3 * 16 * 32 + 16) + (3 * 1 * 16 + 1));
  });

  // Narrower than Table 1 (4/8/4 filters instead of 16/32/16) only to keep the test fast on the cpu
  // backend, whose Conv2DBackpropFilter dominates a step; the architecture is the same.
  it('pre-training reduces the reconstruction MSE on generated flows, and both paths of both blocks learn', async () => {
    const features = 16;
    const x = generatedFlows(64, features, 3);
    const { autoencoder } = resCae({ features, seed: 4, encoderFilters: [4, 8], decoderFilters: 4 });
    autoencoder.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    const before = tf.tidy(() => mse(autoencoder.predict(x) as tf.Tensor, x));
    const initial = new Map(autoencoder.weights.map((w) => [w.name, w.read().dataSync().slice()]));
    const history = await autoencoder.fit(x, x, { epochs: 40, batchSize: 64, verbose: 0, shuffle: false });
    const losses = history.history['loss'] as number[];
    expect(losses.at(-1)).toBeLessThan(0.5 * (losses[0] ?? NaN)); // training mode (batch statistics)
    const after = tf.tidy(() => mse(autoencoder.predict(x) as tf.Tensor, x));
    expect(after).toBeLessThan(0.5 * before); // inference mode (moving statistics)
    // Training moved the kernels of path 1 (both convolutions) and path 2 in both blocks.
    const pathKernels = autoencoder.weights.filter((v) => /block\d\/path\d_conv\d_kernel/.test(v.name));
    expect(pathKernels.length).toBe(6); // 2 blocks x (path 1: conv1, conv2; path 2: conv1)
    for (const w of pathKernels) {
      const start = initial.get(w.name) as Float32Array;
      const now = w.read().dataSync();
      const moved = Math.max(...Array.from(now, (v, i) => Math.abs(v - (start[i] ?? 0))));
      expect(moved, w.name).toBeGreaterThan(1e-3);
    }
    x.dispose();
    autoencoder.dispose();
  });

  it('a training step leaks no tensor', async () => {
    const x = generatedFlows(16, 10, 5);
    const { autoencoder } = resCae({ features: 10, seed: 6 });
    const optimizer = tf.train.sgd(0.01);
    const step = (): void => {
      const cost = optimizer.minimize(() => tf.mean(tf.square(tf.sub(autoencoder.apply(x, { training: true }) as tf.Tensor, x))) as tf.Scalar, true);
      cost?.dispose();
    };
    step();
    await expectNoLeaks(step);
    await expectNoLeaks(() => tf.dispose(autoencoder.predict(x) as tf.Tensor));
    x.dispose();
    autoencoder.dispose();
  });

  it('save -> load through the file system gives identical reconstructions and codes; the encoder works on its own', async () => {
    const features = 13;
    const x = generatedFlows(8, features, 7);
    const { autoencoder, encoder } = resCae({ features, seed: 8 });
    // Training-mode passes move the batch-norm statistics away from 0 / 1, so that a dropped
    // non-trainable weight would change the outputs after loading.
    for (let i = 0; i < 3; i += 1) tf.dispose(autoencoder.apply(x, { training: true }) as tf.Tensor);
    await autoencoder.save(fileSystem(path.join(root, 'ae')));
    await encoder.save(fileSystem(path.join(root, 'encoder')));
    const ae2 = await tfl.loadLayersModel(fileSystem(path.join(root, 'ae')));
    const enc2 = await tfl.loadLayersModel(fileSystem(path.join(root, 'encoder')));
    const encOfLoaded = resCaeEncoder(ae2); // the encoder recovered from a loaded autoencoder
    expect(encOfLoaded.countParams()).toBe(encoder.countParams());
    for (const [a, b] of [[autoencoder, ae2], [encoder, enc2], [encoder, encOfLoaded]] as const) {
      const ya = a.predict(x) as tf.Tensor;
      const yb = b.predict(x) as tf.Tensor;
      expect(Array.from(yb.dataSync())).toEqual(Array.from(ya.dataSync()));
      tf.dispose([ya, yb]);
    }
    x.dispose();
    autoencoder.dispose();
    ae2.dispose();
    enc2.dispose();
  });

  it('a classifier reuses the pre-trained encoder as a layer, shares its weights, and saves/loads', async () => {
    const features = 12;
    const x = generatedFlows(6, features, 9);
    const { autoencoder, encoder } = resCae({ features, seed: 10 });
    const input = tfl.input({ shape: [features] });
    const code = encoder.apply(input) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(code) as tfl.SymbolicTensor;
    const probs = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(flat) as tfl.SymbolicTensor;
    const classifier = tfl.model({ inputs: input, outputs: probs });
    // Shared weights: the encoder's variables are the classifier's (pre-training carries over).
    const encoderNames = new Set(encoder.weights.map((w) => w.name));
    expect(classifier.weights.filter((w) => encoderNames.has(w.name)).length).toBe(encoder.weights.length);
    await classifier.save(fileSystem(path.join(root, 'classifier')));
    const loaded = await tfl.loadLayersModel(fileSystem(path.join(root, 'classifier')));
    const a = classifier.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    autoencoder.dispose();
    loaded.dispose();
  });

  it('rejects bad options naming them', () => {
    expect(() => resCae({ features: 4 })).toThrow(/features: expected at least 5/);
    expect(() => resCae({ features: -5 })).toThrow(/features: expected a positive integer/);
    expect(() => resCae({ features: 10, inputFormat: 'nchw' as 'image' })).toThrow(/inputFormat/);
    expect(() => resCae({ features: 10, encoderFilters: [16] as unknown as [number, number] })).toThrow(/encoderFilters/);
    expect(() => resCae({ features: 10, decoderFilters: 0 })).toThrow(/decoderFilters/);
    const plain = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => resCaeEncoder(plain)).toThrow(/autoencoder: expected a model built by resCae/);
  });
});
