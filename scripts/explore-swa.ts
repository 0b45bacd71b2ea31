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
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend.js';
import { loadCicids2017, splitIndices, takeRows } from '../src/data/index.js';
import { classificationReport } from '../src/metrics/index.js';
import { mlp } from '../src/models/index.js';
import { Detector } from '../src/pipeline/index.js';
import { trainModel } from '../src/train/index.js';

await selectBackend({});
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.env.FLOWSENTRY_DATA ?? path.resolve(repoRoot, '../shared/data');
const cic = await loadCicids2017(path.join(dataDir, 'cicids2017-improved-sample'));
const split = splitIndices(cic.labels, { testSize: 0.3, seed: 0 });
const train = takeRows(cic, split.train);
const test = takeRows(cic, split.test);
// The Detector's one-hot + Min-Max features, fitted on the training rows (a 1-epoch detector only for its transform).
const prep = new Detector({ epochs: 1, modelOptions: { hiddenUnits: [1] }, verbose: 'silent', unknownCategories: 'ignore' });
await prep.fit(train);
const a = prep.transform(train);
const b = prep.transform(test);
const classes = prep.classes;
prep.dispose();
const x = tf.tensor2d(a.data, [a.rows, a.cols]);
const y = tf.tensor1d(Int32Array.from(train.labels, (l) => classes.indexOf(l)), 'int32');
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
