/**
 * flowsentry layers in your own tfjs model: a multi-scale residual 1D-CNN block feeding a
 * two-layer BiGRU, trained with focal loss and SAM (around SGD with momentum), then saved and
 * loaded back with identical outputs. Run: npx tsx examples/custom-model.ts [--quick]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MinMaxScaler, SAM, biGru, classificationReport, focalLoss, multiScaleResidual, syntheticFlows } from 'flowsentry';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick ?? false;

const data = syntheticFlows({
  features: quick ? 8 : 12,
  seed: 3,
  classes: [
    { name: 'BENIGN', size: quick ? 120 : 600 },
    { name: 'DoS', size: quick ? 40 : 200 },
    { name: 'Bot', size: quick ? 15 : 60 },
  ],
});
const classes = [...new Set(data.labels)].sort();
const scaled = new MinMaxScaler().fitTransform({ data: data.features, rows: data.rows, cols: data.cols });
// Each flow is a sequence of its features with one channel: [flows, features, 1].
const x = tf.tensor3d(scaled.data, [scaled.rows, scaled.cols, 1]);
const y = tf.tidy(() => tf.oneHot(tf.tensor1d(data.labels.map((l) => classes.indexOf(l)), 'int32'), classes.length));

const model = tfl.sequential();
model.add(multiScaleResidual({ filters: 8, kernelSizes: [1, 3, 5], inputShape: [data.cols, 1] }));
model.add(biGru({ units: 16, numLayers: 2 }));
model.add(tfl.layers.dense({ units: classes.length })); // logits: focalLoss applies the softmax
model.summary(undefined, undefined, (line) => console.log(line));

const optimizer = new SAM(tf.train.momentum(0.01, 0.9), { rho: 0.05 });
const steps = quick ? 2 : 40;
for (let step = 1; step <= steps; step++) {
  const loss = optimizer.minimize(() => focalLoss(y, model.apply(x, { training: true }) as tf.Tensor, { gamma: 2 }) as tf.Scalar, true);
  if (step === 1 || step === steps || step % 10 === 0) console.log(`step ${step}: focal loss ${loss?.dataSync()[0]?.toFixed(4)}`);
  loss?.dispose();
}

const logits = model.predict(x) as tf.Tensor;
const predicted = Array.from(tf.tidy(() => tf.argMax(logits, 1).dataSync()), (i) => classes[i] ?? '?');
console.log(`training accuracy ${classificationReport(data.labels, predicted).accuracy.toFixed(4)}`);

// Save and load through any tfjs IOHandler (here in memory; use flowsentry's fileSystem or tfjs-node's file:// on disk).
let saved: tf.io.ModelArtifacts | undefined;
await model.save(tf.io.withSaveHandler(async (artifacts) => {
  saved = artifacts;
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}));
if (!saved) throw new Error('model was not saved');
const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved));
const again = loaded.predict(x) as tf.Tensor;
console.log(`max |difference| after save -> load: ${tf.tidy(() => tf.max(tf.abs(tf.sub(logits, again))).dataSync()[0])}`);
tf.dispose([x, y, logits, again]);
model.dispose();
loaded.dispose();
