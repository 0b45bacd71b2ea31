/**
 * Exploratory (quoted in docs/guides/paper-rescae-bigru.md, not a row of the results store): does
 * averaging an MLP's weights over the last epochs (SWA-style) help on the CICIDS2017 split? The
 * scikit-learn-settings MLP (128, 64; Adam 0.001, batch 200, 200 epochs) trained through
 * `trainModel` on the Detector's features; each seed is scored with its last-epoch weights and
 * with the running mean of the weights after every epoch from SWA_START (default 100) on.
 *
 * usage: npx tsx scripts/explore-swa.ts [seed ...]   (default seeds 0 1 2; ~2 min per seed, one core)
 */
import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend.js';
import { classificationReport } from '../src/metrics/index.js';
import { mlp } from '../src/models/index.js';
import { trainModel } from '../src/train/index.js';
import { cicidsFeatures } from './cicids-features.js';

await selectBackend({});
const { test, a, b, classes, yTrain } = await cicidsFeatures();
const x = tf.tensor2d(a.data, [a.rows, a.cols]);
const y = tf.tensor1d(yTrain, 'int32');
const xt = tf.tensor2d(b.data, [b.rows, b.cols]);
const start = Number(process.env['SWA_START'] ?? 100);
const seeds = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [0, 1, 2];

for (const seed of seeds) {
  const model = mlp({ inputDim: a.cols, numClasses: classes.length, seed });
  let avg: tf.Tensor[] | null = null;
  let n = 0;
  const optimizer = tf.train.adam(0.001);
  await trainModel(model, { x, y }, {
    epochs: 200, batchSize: 200, seed, optimizer, verbose: 'silent',
    onEpochEnd: (epoch) => {
      if (epoch < start) return;
      const w = model.getWeights();
      n++;
      if (avg === null) {
        avg = w.map((t) => t.clone());
        return;
      }
      const next: tf.Tensor[] = avg.map((m, i) => tf.tidy(() => tf.add(m, tf.div(tf.sub(w[i]!, m), n))));
      tf.dispose(avg);
      avg = next;
    },
  });
  const score = (name: string): void => {
    const p = tf.tidy(() => tf.argMax(model.predict(xt) as tf.Tensor, -1).dataSync());
    const r = classificationReport(test.labels, Array.from(p, (i) => classes[i]!), { labels: classes });
    const f1 = (l: string): string => r.perClass.find((c) => c.label === l)?.f1.toFixed(3) ?? '-';
    console.log(`seed ${seed} ${name}: accuracy ${r.accuracy.toFixed(4)}, weighted F1 ${r.weighted.f1.toFixed(4)}, macro F1 ${r.macro.f1.toFixed(4)} (Infiltration ${f1('Infiltration')}, SQL injection ${f1('Web Attack - SQL Injection')}, Portscan ${f1('Portscan')}, Infiltration - Portscan ${f1('Infiltration - Portscan')})`);
  };
  score('last epoch');
  model.setWeights(avg!);
  score(`mean of the weights from epoch ${start + 1}`);
  tf.dispose(avg!);
  optimizer.dispose();
  model.dispose();
}
tf.dispose([x, y, xt]);
