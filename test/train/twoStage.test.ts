import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { trainTwoStage } from '../../src/train/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

function models(): { autoencoder: tfl.LayersModel; classifier: tfl.LayersModel } {
  const input = tfl.input({ shape: [6] });
  const enc = tfl.layers.dense({ units: 3, activation: 'relu', name: 'enc', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) });
  const code = enc.apply(input) as tfl.SymbolicTensor;
  const dec = tfl.layers.dense({ units: 6, name: 'dec', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(code) as tfl.SymbolicTensor;
  const head = tfl.layers.dense({ units: 2, activation: 'softmax', name: 'head', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }).apply(code) as tfl.SymbolicTensor;
  return { autoencoder: tfl.model({ inputs: input, outputs: dec }), classifier: tfl.model({ inputs: input, outputs: head }) };
}

describe('trainTwoStage', () => {
  it('pre-trains the shared encoder on reconstruction, then fine-tunes the classifier from it', async () => {
    const { autoencoder, classifier } = models();
    const x = tf.randomUniform([32, 6], 0, 1, 'float32', 4);
    const y = tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2), 'int32');
    const enc0 = classifier.getLayer('enc').getWeights()[0]!.arraySync() as number[][];
    const head0 = classifier.getLayer('head').getWeights()[0]!.arraySync() as number[][];
    let encAfterPretrain: number[][] = [];
    const h = await trainTwoStage({ autoencoder, classifier }, { x, y }, {
      pretrain: { epochs: 3, batchSize: 8, verbose: 'silent', onEpochEnd: () => (encAfterPretrain = classifier.getLayer('enc').getWeights()[0]!.arraySync() as number[][]) },
      finetune: { epochs: 2, batchSize: 8, verbose: 'silent' },
      freezeEncoder: true,
    });
    // Pre-training moved the encoder the classifier uses (shared weights) and reduced the MSE.
    expect(encAfterPretrain).not.toEqual(enc0);
    expect(h.pretrain.history.loss!.at(-1)!).toBeLessThan(h.pretrain.history.loss![0]!);
    expect(h.pretrain.history.accuracy).toBeUndefined();
    // Frozen encoder: fine-tuning changed the head only, and trainability is restored afterwards.
    expect(classifier.getLayer('enc').getWeights()[0]!.arraySync()).toEqual(encAfterPretrain);
    expect(classifier.getLayer('head').getWeights()[0]!.arraySync()).not.toEqual(head0);
    expect(classifier.getLayer('enc').trainable).toBe(true);
    expect(h.finetune.history.accuracy).toHaveLength(2);
    tf.dispose([x, y]);
  });

  it('leaves no tensor behind once optimizers exist', async () => {
    const m = models();
    const x = tf.randomUniform([16, 6], 0, 1, 'float32', 5);
    const y = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 2), 'int32');
    const o1 = tf.train.sgd(0.1);
    const o2 = tf.train.sgd(0.1);
    const opts = { pretrain: { epochs: 1, optimizer: o1, verbose: 'silent' as const }, finetune: { epochs: 1, optimizer: o2, verbose: 'silent' as const } };
    await trainTwoStage(m, { x, y }, opts);
    await expectNoLeaks(() => trainTwoStage(m, { x, y }, opts));
    tf.dispose([x, y]);
  });
});
