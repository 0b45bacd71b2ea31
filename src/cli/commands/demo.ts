import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LabelEncoder, MinMaxScaler, syntheticFlows, takeRows, splitIndices } from '../../data/index.js';
import { classificationReport } from '../../metrics/index.js';
import { trainModel } from '../../train/index.js';
import { intOption, type CliCommand } from '../args.js';
import { formatReport } from '../table.js';

/** `flowsentry demo`: the whole pipeline on generated imbalanced flows, small enough for a laptop (< 2 min). */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'train and evaluate a small detector on generated imbalanced flows (no data needed)',
  usage: 'flowsentry demo [--epochs N] [--seed N]',
  options: {
    epochs: { type: 'string', value: '<N>', help: 'training epochs (default 15)' },
    seed: { type: 'string', value: '<N>', help: 'seed of data, split and training (default 0)' },
  },
  async run(values) {
    const epochs = intOption(values, 'epochs', 15, 1);
    const seed = intOption(values, 'seed', 0);
    const data = syntheticFlows({ seed });
    console.log(`generated ${data.rows} flows, ${data.cols} features, classes ${JSON.stringify(data.summary.classCounts)}`);
    const split = splitIndices(data.labels, { testSize: 0.3, seed });
    const train = takeRows(data, split.train);
    const test = takeRows(data, split.test);
    const scaler = new MinMaxScaler({ clip: true });
    const enc = new LabelEncoder();
    const xTrain = scaler.fitTransform({ data: train.features, rows: train.rows, cols: train.cols });
    const yTrain = enc.fitTransform(train.labels);
    const xTest = scaler.transform({ data: test.features, rows: test.rows, cols: test.cols });
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [data.cols], units: 64, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed }) }),
        tfl.layers.dense({ units: enc.classes.length, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
      ],
    });
    const x = tf.tensor2d(xTrain.data, [xTrain.rows, xTrain.cols]);
    const y = tf.tensor1d(yTrain, 'int32');
    const t0 = performance.now();
    await trainModel(model, { x, y }, { epochs, batchSize: 64, seed, optimizer: tf.train.adam(0.005), classWeight: 'balanced' });
    console.log(`trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const xt = tf.tensor2d(xTest.data, [xTest.rows, xTest.cols]);
    const pred = tf.tidy(() => tf.argMax(model.predict(xt) as tf.Tensor, -1)).dataSync();
    const names = enc.classes;
    const report = classificationReport(test.labels, Array.from(pred, (c) => names[c] ?? String(c)));
    console.log(formatReport(report));
    tf.dispose([x, y, xt]);
    model.dispose();
    return 0;
  },
};
