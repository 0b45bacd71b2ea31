/**
 * The browser example: flowsentry bundled for the browser trains a small detector on generated
 * flows and draws its confusion matrix. Bundled by scripts/docs.mjs (esbuild) into a single
 * self-contained HTML page of the documentation site.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MinMaxScaler, syntheticFlows, trainTestSplit } from '../../src/data/index.js';
import { classificationReport, confusionMatrix, type ConfusionMatrix } from '../../src/metrics/index.js';

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

const SVG = 'http://www.w3.org/2000/svg';

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Rows are true labels, columns predicted; each cell is shaded by its share of its row (recall). */
function drawConfusion(cm: ConfusionMatrix): SVGSVGElement {
  const n = cm.labels.length;
  const cell = 64;
  const left = 110;
  const top = 100;
  const svg = svgEl('svg', { width: left + n * cell + 10, height: top + n * cell + 10, viewBox: `0 0 ${left + n * cell + 10} ${top + n * cell + 10}`, role: 'img' });
  svg.appendChild(svgEl('title', {}, 'Confusion matrix: rows are true labels, columns predicted labels'));
  svg.appendChild(svgEl('text', { x: left + (n * cell) / 2, y: 16, 'text-anchor': 'middle', 'font-size': 13, 'font-weight': 'bold' }, 'predicted'));
  cm.labels.forEach((label, i) => {
    svg.appendChild(svgEl('text', { x: left - 8, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'end', 'font-size': 12 }, String(label)));
    const cx = left + i * cell + cell / 2;
    svg.appendChild(svgEl('text', { x: cx, y: top - 8, 'text-anchor': 'start', 'font-size': 12, transform: `rotate(-45 ${cx} ${top - 8})` }, String(label)));
  });
  cm.matrix.forEach((row, i) => {
    const total = row.reduce((s, v) => s + v, 0);
    row.forEach((count, j) => {
      const share = total > 0 ? count / total : 0;
      const x = left + j * cell;
      const y = top + i * cell;
      const hue = i === j ? 140 : 0;
      svg.appendChild(svgEl('rect', { x, y, width: cell - 2, height: cell - 2, rx: 3, fill: `hsl(${hue} 60% ${95 - 50 * share}%)`, 'data-count': count }));
      svg.appendChild(svgEl('text', { x: x + cell / 2 - 1, y: y + cell / 2 + 4, 'text-anchor': 'middle', 'font-size': 13, fill: share > 0.6 ? '#fff' : '#1b1f24' }, String(count)));
    });
  });
  return svg;
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
    $('confusion').appendChild(drawConfusion(cm));
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
