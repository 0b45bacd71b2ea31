import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { resolveClassWeight, trainModel, evaluateModel } from '../../src/train/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const X = [
  [0.5, -1, 2],
  [1, 0.25, -0.5],
  [-1.5, 0.75, 0.1],
  [0.3, 0.3, -2],
];
const Y = [0, 1, 2, 1];

function linearSoftmax(seed = 1): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [3], units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed }), biasInitializer: 'zeros' }));
  return m;
}

/** Softmax regression gradient written out by hand: dL/dW = X^T (P - Y) w / n, dL/db = sum (P - Y) w / n. */
function referenceStep(W: number[][], b: number[], lr: number, sampleW: number[]): { W: number[][]; b: number[] } {
  const n = X.length;
  const gW = W.map((r) => r.map(() => 0));
  const gb = b.map(() => 0);
  for (let i = 0; i < n; i++) {
    const z = [0, 1, 2].map((k) => b[k]! + X[i]!.reduce((s, x, j) => s + x * W[j]![k]!, 0));
    const mx = Math.max(...z);
    const e = z.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, v) => a + v, 0);
    for (let k = 0; k < 3; k++) {
      const d = ((e[k]! / s - (Y[i] === k ? 1 : 0)) * sampleW[i]!) / n;
      gb[k]! += d;
      for (let j = 0; j < 3; j++) gW[j]![k]! += X[i]![j]! * d;
    }
  }
  return { W: W.map((r, j) => r.map((v, k) => v - lr * gW[j]![k]!)), b: b.map((v, k) => v - lr * gb[k]!) };
}

function weightsOf(m: tfl.LayersModel): { W: number[][]; b: number[] } {
  const [k, bb] = m.getWeights();
  return { W: k!.arraySync() as number[][], b: bb!.arraySync() as number[] };
}

describe('trainModel', () => {
  it('one full-batch SGD step equals the hand-derived softmax-regression gradient step', async () => {
    const m = linearSoftmax();
    const before = weightsOf(m);
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    await trainModel(m, { x, y }, { epochs: 1, batchSize: 4, optimizer: tf.train.sgd(0.5), verbose: 'silent' });
    const ref = referenceStep(before.W, before.b, 0.5, [1, 1, 1, 1]);
    const got = weightsOf(m);
    got.W.flat().forEach((v, i) => expect(v).toBeCloseTo(ref.W.flat()[i]!, 5));
    got.b.forEach((v, i) => expect(v).toBeCloseTo(ref.b[i]!, 5));
    tf.dispose([x, y]);
  });

  it('class weights scale each sample loss (Keras semantics: mean of weighted losses)', async () => {
    const m = linearSoftmax(2);
    const before = weightsOf(m);
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    await trainModel(m, { x, y }, { epochs: 1, batchSize: 4, optimizer: tf.train.sgd(0.5), classWeight: { 0: 3, 2: 0.5 }, verbose: 'silent' });
    const ref = referenceStep(before.W, before.b, 0.5, Y.map((c) => (c === 0 ? 3 : c === 2 ? 0.5 : 1)));
    weightsOf(m).W.flat().forEach((v, i) => expect(v).toBeCloseTo(ref.W.flat()[i]!, 5));
    tf.dispose([x, y]);
  });

  it("'balanced' class weights follow scikit-learn's n / (k * count)", () => {
    const w = resolveClassWeight('balanced', Int32Array.from([0, 0, 0, 1, 2, 2]), 3);
    expect(Array.from(w)).toEqual([6 / 9, 6 / 3, 6 / 6].map((v) => Math.fround(v)));
  });

  it('same seed gives the same weights, another seed other weights', async () => {
    const x = tf.randomUniform([40, 3], -1, 1, 'float32', 3);
    const y = tf.tensor1d(Array.from({ length: 40 }, (_, i) => i % 3), 'int32');
    const run = async (seed: number): Promise<number[]> => {
      const m = linearSoftmax();
      await trainModel(m, { x, y }, { epochs: 2, batchSize: 8, seed, optimizer: tf.train.sgd(0.3), verbose: 'silent' });
      return weightsOf(m).W.flat();
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
    tf.dispose([x, y]);
  });

  it('without an optimizer, trains with its own Adam and disposes it: no tensor left behind, same weights as tf.train.adam', async () => {
    const m = linearSoftmax();
    const ref = linearSoftmax();
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    await expectNoLeaks(() => trainModel(m, { x, y }, { epochs: 2, batchSize: 2, verbose: 'silent' }));
    const adam = tf.train.adam(1e-3);
    await trainModel(ref, { x, y }, { epochs: 2, batchSize: 2, optimizer: adam, verbose: 'silent' });
    adam.dispose();
    const w = m.getWeights().map((t) => Array.from(t.dataSync()));
    expect(w).toEqual(ref.getWeights().map((t) => Array.from(t.dataSync())));
    const fresh = linearSoftmax();
    expect(w[0]).not.toEqual(Array.from(fresh.getWeights()[0]!.dataSync()));
    tf.dispose([x, y]);
    for (const model of [m, ref, fresh]) model.dispose();
  });

  it('leaves no tensor behind (after the optimizer has created its state), with validation, schedule and class weights', async () => {
    const m = linearSoftmax();
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    const optimizer = tf.train.adam(0.01);
    await trainModel(m, { x, y }, { epochs: 1, batchSize: 2, optimizer, verbose: 'silent' });
    const h = await expectNoLeaks(() =>
      trainModel(m, { x, y }, {
        epochs: 3,
        batchSize: 2,
        optimizer,
        validationData: { x, y },
        schedule: (s) => 0.01 / (1 + s),
        classWeight: 'balanced',
        earlyStopping: { patience: 1, restoreBestWeights: true },
        verbose: 'silent',
      }),
    );
    expect(h.history.lr).toEqual(h.epoch.map((e) => 0.01 / (1 + 2 * e + 1)));
    await expectNoLeaks(() => evaluateModel(m, { x, y }));
    tf.dispose([x, y]);
  });

  it('early stopping stops after `patience` epochs without improvement', async () => {
    const m = linearSoftmax();
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    const h = await trainModel(m, { x, y }, { epochs: 20, optimizer: tf.train.sgd(0), earlyStopping: { monitor: 'loss', patience: 3 }, verbose: 'silent' });
    expect(h.stoppedEarly).toBe(true);
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(h.bestEpoch).toBe(0);
    tf.dispose([x, y]);
  });

  it('an abort saves an interrupt checkpoint and returns the history so far', async () => {
    const m = linearSoftmax();
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    const ac = new AbortController();
    const saved: string[] = [];
    const h = await trainModel(m, { x, y }, {
      epochs: 10,
      batchSize: 2,
      verbose: 'silent',
      signal: ac.signal,
      onEpochEnd: (e) => {
        if (e === 1) ac.abort();
      },
      checkpoint: { save: (_m, info) => saved.push(`${info.reason}:${info.epoch}`), every: 1 },
    });
    expect(h.interrupted).toBe(true);
    expect(h.epoch).toEqual([0, 1]);
    expect(saved).toEqual(['epoch:0', 'epoch:1', 'interrupt:2']);
    tf.dispose([x, y]);
  });

  it('prints one line per epoch outside a terminal and a redrawn bar in one', async () => {
    const m = linearSoftmax();
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    let lines = '';
    await trainModel(m, { x, y }, { epochs: 3, batchSize: 2, output: { write: (s: string) => (lines += s), isTTY: false } });
    expect(lines.split('\n').filter(Boolean)).toHaveLength(3);
    expect(lines).not.toContain('\r');
    expect(lines).toMatch(/^epoch 1\/3 {2}loss \d\.\d{4} {2}accuracy/);
    let bar = '';
    await trainModel(m, { x, y }, { epochs: 1, batchSize: 2, output: { write: (s: string) => (bar += s), isTTY: true } });
    expect(bar).toContain('\r');
    expect(bar).toContain('[');
    tf.dispose([x, y]);
  });

  it('rejects bad arguments with ValueError naming them', async () => {
    const m = linearSoftmax();
    const x = tf.tensor2d(X);
    const y = tf.tensor1d(Y, 'int32');
    await expect(trainModel(m, { x, y }, { epochs: 0 })).rejects.toThrow(ValueError);
    await expect(trainModel(m, { x, y }, { batchSize: 1.5 })).rejects.toThrow(/batchSize/);
    await expect(trainModel(m, { x, y: tf.tensor1d([0, 1, 7, 1], 'int32') }, { verbose: 'silent' })).rejects.toThrow(/class indices/);
    await expect(trainModel(m, { x, y: tf.tensor1d([0, 1], 'int32') }, { verbose: 'silent' })).rejects.toThrow(/data\.y/);
    await expect(trainModel(m, { x, y }, { verbose: 'silent', loss: (a, b) => tf.mean(tf.sum(tf.mul(a, tf.log(b)), -1)), classWeight: 'balanced' })).rejects.toThrow(/per sample/);
    tf.dispose([x, y]);
  });
});
