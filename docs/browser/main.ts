/**
 * The browser example: flowsentry bundled for the browser trains a small detector on generated
 * flows and draws its confusion matrix. Bundled by scripts/docs.mjs (esbuild) into a single
 * self-contained HTML page of the documentation site.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MinMaxScaler, syntheticFlows, trainTestSplit } from '../../src/data/index.js';
import { classificationReport, confusionMatrix, confusionMatrixSvg } from '../../src/metrics/index.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};

function log(line: string): void {
  $('log').textContent += `${line}\n`;
}

function setState(state: 'running' | 'done' | 'error', text: string): void {
  document.documentElement.dataset['state'] = state;
  $('status').textContent = text;
}

async function run(): Promise<void> {
  const epochs = Math.max(1, Math.min(100, Number(($('epochs') as HTMLInputElement).value) || 15));
  const seed = Number(($('seed') as HTMLInputElement).value) || 0;
  $('log').textContent = '';
  $('confusion').replaceChildren();
  $('report').replaceChildren();
  setState('running', 'training…');
  await tf.setBackend('cpu');
  await tf.ready();
  log(`tfjs ${tf.version_core}, backend ${tf.getBackend()}`);

  const data = syntheticFlows({ seed, features: 20, separation: 1.5 });
  const { train, test } = trainTestSplit(data, { testSize: 0.3, seed });
  const classes = [...new Set(data.labels)].sort();
  log(`${data.rows} flows, ${data.cols} features, classes ${classes.map((c) => `${c} ${data.summary.classCounts[c] ?? data.labels.filter((l) => l === c).length}`).join(', ')}`);

  const scaler = new MinMaxScaler({ clip: true }).fit({ data: train.features, rows: train.rows, cols: train.cols });
  const xTrainM = scaler.transform({ data: train.features, rows: train.rows, cols: train.cols });
  const xTestM = scaler.transform({ data: test.features, rows: test.rows, cols: test.cols });
  const index = new Map(classes.map((c, i) => [c, i]));

  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 32, activation: 'relu', inputShape: [data.cols] }),
      tfl.layers.dense({ units: 16, activation: 'relu' }),
      tfl.layers.dense({ units: classes.length, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const xTrain = tf.tensor2d(xTrainM.data, [xTrainM.rows, xTrainM.cols]);
  const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(train.labels.map((l) => index.get(l) ?? 0), 'int32'), classes.length));
  const xTest = tf.tensor2d(xTestM.data, [xTestM.rows, xTestM.cols]);
  const started = performance.now();
  try {
    await model.fit(xTrain, yTrain, {
      epochs,
      batchSize: 64,
      shuffle: true,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          log(`epoch ${epoch + 1}/${epochs}  loss ${(logs?.['loss'] ?? NaN).toFixed(4)}  accuracy ${(logs?.['acc'] ?? NaN).toFixed(4)}`);
          await tf.nextFrame();
        },
      },
    });
    const predictedIndex = tf.tidy(() => tf.argMax(model.predict(xTest) as tf.Tensor2D, 1).dataSync());
    const predicted = Array.from(predictedIndex, (i) => classes[i] ?? '?');
    const cm = confusionMatrix(test.labels, predicted, { labels: classes });
    // flowsentry's SVG heat map: rows true classes, columns predictions, shaded by share of the true class.
    $('confusion').innerHTML = confusionMatrixSvg(cm, { title: 'Confusion matrix (test set)' });
    const report = classificationReport(test.labels, predicted, { labels: classes });
    const table = document.createElement('table');
    table.innerHTML =
      '<thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead>' +
      `<tbody>${report.perClass
        .map((c) => `<tr><td>${c.label}</td><td>${c.precision.toFixed(3)}</td><td>${c.recall.toFixed(3)}</td><td>${c.f1.toFixed(3)}</td><td>${c.support}</td></tr>`)
        .join('')}</tbody>`;
    $('report').appendChild(table);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    log(`trained in ${seconds} s; test accuracy ${report.accuracy.toFixed(4)}, macro F1 ${report.macro.f1.toFixed(4)}, weighted F1 ${report.weighted.f1.toFixed(4)}`);
    setState('done', `done: test accuracy ${report.accuracy.toFixed(3)}`);
  } finally {
    tf.dispose([xTrain, yTrain, xTest]);
    model.dispose();
  }
}

function start(): void {
  run().catch((e: unknown) => {
    console.error(e);
    setState('error', `failed: ${e instanceof Error ? e.message : String(e)}`);
  });
}

$('run').addEventListener('click', start);
start();
