/**
 * Exploratory (quoted in the doc comment of `LktAdnStudentOptions.pooling`): the LKT-ADN student's
 * layout with global average pooling against flattening (16 or 8 filters), trained on hard labels
 * on the CICIDS2017 70/30 split with the Detector's features.
 *
 * gap: pooling 'average', 16 filters, 32 units (the old default); flatten: the same flattened;
 * flatten8: today's defaults (flatten, 8 filters, 16 units). Adam 0.003, batch 256, softmax cross-entropy.
 *
 * usage: npx tsx scripts/explore-student-pooling.ts [gap,flatten,flatten8] [epochs = 20]
 */
import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend.js';
import { loadCicids2017, splitIndices, takeRows } from '../src/data/index.js';
import { classificationReport } from '../src/metrics/index.js';
import { lktAdnStudent } from '../src/models/index.js';
import { Detector } from '../src/pipeline/index.js';
await selectBackend({});
const cic = await loadCicids2017(process.env.FLOWSENTRY_DATA ? `${process.env.FLOWSENTRY_DATA}/cicids2017-improved-sample` : new URL('../../shared/data/cicids2017-improved-sample', import.meta.url).pathname);
const s = splitIndices(cic.labels, { testSize: 0.3, seed: 0 });
const train = takeRows(cic, s.train), test = takeRows(cic, s.test);
const prep = new Detector({ epochs: 1, modelOptions: { hiddenUnits: [1] }, verbose: 'silent', unknownCategories: 'ignore' });
await prep.fit(train);
const a = prep.transform(train), b = prep.transform(test); const classes = prep.classes;
const y = tf.oneHot(Int32Array.from(train.labels, (l) => classes.indexOf(l)), classes.length);
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
