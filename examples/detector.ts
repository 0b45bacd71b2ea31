/**
 * Train, save, load and score a Detector from code: preprocessing (one-hot, Min-Max fitted on the
 * training rows), Isolation Forest cleaning of BENIGN rows, SMOTE-Tomek, a model from the zoo and
 * the decision rule are one object, saved as one directory.
 * Run: npx tsx examples/detector.ts [--quick] [--out DIR]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Detector, selectBackend, syntheticFlows, trainTestSplit } from 'flowsentry';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, out: { type: 'string' } } });
const quick = values.quick ?? false;
const out = values.out ?? mkdtempSync(path.join(tmpdir(), 'flowsentry-detector-'));

await selectBackend({ verbose: true });
const flows = syntheticFlows({
  classes: [
    { name: 'BENIGN', size: quick ? 800 : 4000 },
    { name: 'DoS', size: quick ? 200 : 1000 },
    { name: 'PortScan', size: quick ? 100 : 500 },
    { name: 'Bot', size: quick ? 30 : 120 },
  ],
  categorical: true, // adds `proto` and `service` string columns, one-hot encoded by the detector
  separation: 1,
  seed: 1,
});
const { train, test } = trainTestSplit(flows, { testSize: 0.3, seed: 1 });

const detector = new Detector({
  model: 'mlp',
  featureTransform: 'log1p',
  isolationForest: { classes: ['BENIGN'] },
  smoteTomek: true,
  epochs: quick ? 3 : 20,
  batchSize: 128,
  seed: 1,
  verbose: 'silent',
});
const summary = await detector.fit(train);
console.log(`fitted in ${summary.seconds.toFixed(1)} s: ${summary.trainRows} training rows, ` +
  `${summary.resampledRows} after cleaning and SMOTE-Tomek, ${summary.parameters} parameters; ` +
  `iForest removed ${JSON.stringify(summary.isolationForestRemoved)}`);

await detector.save(out);
console.log(`saved to ${out}`);
const loaded = await Detector.load(out);
const report = loaded.evaluate(test);
console.log(`test accuracy ${report.accuracy.toFixed(4)}, weighted F1 ${report.weighted.f1.toFixed(4)}, macro F1 ${report.macro.f1.toFixed(4)}`);

// Scoring new flows: a table (or an array of records keyed by column name).
const first = Array.from({ length: 5 }, (_, i) => i);
const fresh = { ...test, features: test.features.slice(0, 5 * test.cols), rows: 5, labels: first.map((i) => test.labels[i] ?? '') };
if (test.categorical) fresh.categorical = { names: test.categorical.names, values: test.categorical.values.slice(0, 5) };
const predicted = loaded.predict(fresh);
first.forEach((i) => console.log(`flow ${i}: true ${test.labels[i]}, predicted ${predicted[i]}`));

detector.dispose();
loaded.dispose();
if (values.out === undefined) rmSync(out, { recursive: true, force: true });
