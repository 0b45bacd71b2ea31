/**
 * Exploratory (quoted in the doc comment of `LktAdnStudentOptions.pooling`): the LKT-ADN student's
 * layout with global average pooling against flattening (16 or 8 filters), trained on hard labels
 * on the CICIDS2017 70/30 split with the Detector's features.
 *
 * gap: pooling 'average', 16 filters, 32 units (the old default); flatten: the same flattened;
 * flatten8: today's defaults (flatten, 8 filters, 16 units). Adam 0.003, batch 256, softmax cross-entropy.
 * tfjs-layers' fit shuffles with Math.random, so figures move between runs (flatten8: 0.9671 and 0.9694).
 *
 * usage: npx tsx scripts/explore-student-pooling.ts [gap,flatten,flatten8] [epochs = 20]
 */
import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend.js';
import { classificationReport } from '../src/metrics/index.js';
import { lktAdnStudent } from '../src/models/index.js';
import { cicidsFeatures } from './cicids-features.js';

await selectBackend({});
const { test, a, b, classes, yTrain } = await cicidsFeatures();
const y = tf.oneHot(yTrain, classes.length);
const x = tf.tensor2d(a.data, [a.rows, a.cols]); const xt = tf.tensor2d(b.data, [b.rows, b.cols]);
for (const variant of (process.argv[2] ?? 'gap,flatten,flatten8').split(',')) {
  const m = variant === 'gap' ? lktAdnStudent({ inputDim: a.cols, numClasses: classes.length, pooling: 'average', filters: 16, hiddenUnits: 32, seed: 0 })
    : variant === 'flatten' ? lktAdnStudent({ inputDim: a.cols, numClasses: classes.length, filters: 16, hiddenUnits: 32, seed: 0 })
    : lktAdnStudent({ inputDim: a.cols, numClasses: classes.length, seed: 0 }); // the defaults: flatten, 8 filters, 16 units
  m.compile({ optimizer: tf.train.adam(0.003), loss: 'categoricalCrossentropy' });
  const t0 = Date.now();
  await m.fit(x, y, { epochs: Number(process.argv[3] ?? 20), batchSize: 256, verbose: 0 });
  const p = tf.tidy(() => tf.argMax(m.predict(xt) as tf.Tensor, -1).dataSync());
  const r = classificationReport(test.labels, Array.from(p, (i) => classes[i]!), { labels: classes });
  console.log(`${variant}: ${m.countParams()} parameters, ${(Date.now() - t0) / 1000} s, accuracy ${r.accuracy.toFixed(4)}, weighted F1 ${r.weighted.f1.toFixed(4)}, macro F1 ${r.macro.f1.toFixed(4)}`);
  m.dispose();
}
