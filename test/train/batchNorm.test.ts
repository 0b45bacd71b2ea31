import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { resCaeBiGru } from '../../src/models/index.js';
import { Detector } from '../../src/pipeline/index.js';
import { recalibrateBatchNorm, trainModel } from '../../src/train/index.js';
import { Rng } from '../../src/util/rng.js';
import { expectNoLeaks } from '../helpers/leaks.js';

function data(n: number, d: number, seed: number): { rows: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels.push(c);
    // Shifted, heavy-tailed-ish features so that batch statistics are far from (0, 1).
    rows.push(Array.from({ length: d }, (_, j) => 4 + c * (j % 3 === c ? 2 : 0) + rng.normal() * (1 + j / d) + (rng.uniform() < 0.05 ? 20 : 0)));
  }
  return { rows, labels };
}

/** Column mean and biased variance, computed directly (the reference). */
function columnStats(m: number[][]): { mean: number[]; variance: number[] } {
  const n = m.length;
  const d = m[0]!.length;
  const mean = Array.from({ length: d }, (_, j) => m.reduce((s, r) => s + r[j]!, 0) / n);
  const variance = Array.from({ length: d }, (_, j) => m.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / n);
  return { mean, variance };
}

function denseBnModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [6] });
  const h = tfl.layers.dense({ units: 4, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }), biasInitializer: 'ones', name: 'h' }).apply(input) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization({ momentum: 0.99, name: 'bn' }).apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }), name: 'out' }).apply(bn) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

describe('recalibrateBatchNorm', () => {
  it('sets the moving statistics of a BatchNormalization layer to the full-data mean and variance (any batch size), and restores its momentum', async () => {
    const { rows } = data(37, 6, 1);
    const model = denseBnModel();
    const x = tf.tensor2d(rows);
    // Reference: the pre-BN activations h = x W + b from the weights, then their column statistics.
    const [W, b] = model.getLayer('h').getWeights().map((t) => t.arraySync()) as [number[][], number[]];
    const h = rows.map((r) => b.map((bk, k) => bk + r.reduce((s, v, j) => s + v * W[j]![k]!, 0)));
    const ref = columnStats(h);
    for (const batchSize of [37, 10]) {
      const n = await expectNoLeaks(() => recalibrateBatchNorm(model, x, { batchSize }));
      expect(n).toBe(1);
      const [, , mm, mv] = model.getLayer('bn').getWeights().map((t) => Array.from(t.dataSync()));
      mm!.forEach((v, k) => expect(v).toBeCloseTo(ref.mean[k]!, 4));
      if (batchSize === 37) mv!.forEach((v, k) => expect(v).toBeCloseTo(ref.variance[k]!, 3));
    }
    expect((model.getLayer('bn') as unknown as { momentum: number }).momentum).toBe(0.99);
    tf.dispose(x);
    model.dispose();
  });

  it('after a short training run, inference-mode ResCAE-BiGRU predictions equal the full-batch training-mode ones (the stale moving averages made them collapse)', async () => {
    const { rows, labels } = data(96, 12, 2);
    const model = resCaeBiGru({ inputDim: 12, numClasses: 3, seed: 0, dropout: 0, gruUnits: 8, gruLayers: 1 });
    const x = tf.tensor2d(rows);
    const y = tf.tensor1d(labels, 'int32');
    await trainModel(model, { x, y }, { epochs: 2, batchSize: 16, verbose: 'silent' });
    const gap = (): number =>
      tf.tidy(() => {
        const a = model.apply(x, { training: true }) as tf.Tensor;
        const b = model.predict(x) as tf.Tensor;
        return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      });
    // Before: moving averages (momentum 0.9 over 12 steps) describe earlier weights.
    expect(gap()).toBeGreaterThan(1e-2);
    await expectNoLeaks(() => recalibrateBatchNorm(model, x));
    expect(gap()).toBeLessThan(1e-4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('is a no-op without batch norm and rejects bad arguments', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })] });
    const x = tf.ones([3, 2]);
    expect(recalibrateBatchNorm(model, x)).toBe(0);
    expect(() => recalibrateBatchNorm(model, x, { batchSize: 0 })).toThrow(ValueError);
    tf.dispose(x);
    model.dispose();
  });

  it('Detector.fit recalibrates by default: inference equals the full-batch training-mode forward pass on the training rows', async () => {
    const { rows, labels } = data(90, 10, 3);
    const names = ['a', 'b', 'c'];
    const flows = { features: Float32Array.from(rows.flat()), rows: rows.length, cols: 10, labels: labels.map((c) => names[c]!) };
    const det = new Detector({ model: 'rescae-bigru', modelOptions: { dropout: 0, gruUnits: 8, gruLayers: 1 }, epochs: 2, batchSize: 16, verbose: 'silent' });
    await det.fit(flows);
    const m = det.transform(flows);
    const x = tf.tensor2d(m.data, [m.rows, m.cols]);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(det.model.apply(x, { training: true }) as tf.Tensor, det.model.predict(x) as tf.Tensor))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-4);
    tf.dispose(x);
    det.dispose();
  });
});
