/**
 * SMOTE-Tomek before your own classifier: flowsentry balances the training split, the model is
 * yours (here a plain tfjs-layers network). Run: npx tsx examples/smote-tomek.ts [--quick]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MinMaxScaler, SMOTETomek, classificationReport, countClasses, syntheticFlows, trainTestSplit } from 'flowsentry';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick ?? false;

// 1. Data: an imbalanced, CICIDS-like set of flows (use loadCicids2017 & co. for real captures).
const data = syntheticFlows({
  classes: [
    { name: 'BENIGN', size: quick ? 600 : 3000 },
    { name: 'DoS', size: quick ? 150 : 800 },
    { name: 'Bot', size: quick ? 25 : 120 },
    { name: 'WebAttack', size: quick ? 12 : 40 },
  ],
  separation: 0.8,
  seed: 7,
});
const { train, test } = trainTestSplit(data, { testSize: 0.3, seed: 7 });

// 2. Scale on the training split only, then resample the training split only.
const scaler = new MinMaxScaler().fit({ data: train.features, rows: train.rows, cols: train.cols });
const xTrain = scaler.transform({ data: train.features, rows: train.rows, cols: train.cols });
const xTest = scaler.transform({ data: test.features, rows: test.rows, cols: test.cols });
const resampled = new SMOTETomek({ seed: 7 }).fitResample(xTrain, train.labels);
console.log('training rows per class before:', countClasses(train.labels));
console.log('training rows per class after SMOTE-Tomek:', countClasses(resampled.y));
console.log('synthetic rows:', resampled.sampleIndices.filter((i) => i < 0).length);

// 3. Your own classifier, trained on the balanced rows.
const classes = [...new Set(data.labels)].sort();
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ units: 32, activation: 'relu', inputShape: [data.cols] }),
    tfl.layers.dense({ units: classes.length, activation: 'softmax' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
const x = tf.tensor2d(resampled.X.data, [resampled.X.rows, resampled.X.cols]);
const y = tf.tidy(() => tf.oneHot(tf.tensor1d(resampled.y.map((l) => classes.indexOf(l)), 'int32'), classes.length));
await model.fit(x, y, { epochs: quick ? 5 : 30, batchSize: 64, shuffle: true, verbose: 0 });

// 4. Per-class report on the untouched test split.
const predicted = tf.tidy(() => tf.argMax(model.predict(tf.tensor2d(xTest.data, [xTest.rows, xTest.cols])) as tf.Tensor2D, 1).dataSync());
const report = classificationReport(test.labels, Array.from(predicted, (i) => classes[i] ?? '?'));
for (const c of report.perClass) console.log(`${c.label.padEnd(10)} precision ${c.precision.toFixed(3)}  recall ${c.recall.toFixed(3)}  f1 ${c.f1.toFixed(3)}  support ${c.support}`);
console.log(`accuracy ${report.accuracy.toFixed(4)}, macro F1 ${report.macro.f1.toFixed(4)}`);
tf.dispose([x, y]);
model.dispose();
