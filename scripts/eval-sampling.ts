/**
 * Isolation Forest ROC-AUC on real data, flowsentry against scikit-learn 1.2 on the very same
 * matrices in the same run (bench/sampling_eval_ref.py), 5 seeds each:
 * - CICIDS2017 improved sample: stratified 70/30 split (seed s), forest fitted on the BENIGN rows
 *   of the 70 %, scored on the 30 % (attack = positive);
 * - NSL-KDD: fitted on the normal rows of KDDTrain+_20Percent, scored on KDDTest+, categoricals
 *   one-hot encoded (fitted on the training file, unknown test categories as zeros).
 *
 *     npx tsx scripts/eval-sampling.ts            (FLOWSENTRY_DATA overrides ../shared/data)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCicids2017, loadNslKdd, OneHotEncoder, splitIndices, type FlowDataset } from '../src/data/index.js';
import { rocAuc } from '../src/metrics/index.js';
import { IsolationForest } from '../src/sampling/index.js';
import type { DenseMatrix } from '../src/util/matrix.js';
import { pythonHas, runPython } from '../bench/util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.FLOWSENTRY_DATA ?? path.resolve(here, '../../shared/data');
const SEEDS = [0, 1, 2, 3, 4];

interface Case {
  name: string;
  seed: number;
  train: DenseMatrix;
  test: DenseMatrix;
  y: Int32Array;
}

function rowsOf(m: DenseMatrix, rows: ArrayLike<number>): DenseMatrix {
  const d = m.cols;
  const data = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) data.set(m.data.subarray((rows[i] as number) * d, (rows[i] as number) * d + d), i * d);
  return { data, rows: rows.length, cols: d };
}

const matrix = (ds: FlowDataset): DenseMatrix => ({ data: ds.features, rows: ds.rows, cols: ds.cols });

function hstack(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  const d = a.cols + b.cols;
  const data = new Float32Array(a.rows * d);
  for (let r = 0; r < a.rows; r++) {
    data.set(a.data.subarray(r * a.cols, (r + 1) * a.cols), r * d);
    data.set(b.data.subarray(r * b.cols, (r + 1) * b.cols), r * d + a.cols);
  }
  return { data, rows: a.rows, cols: d };
}

async function cases(): Promise<Case[]> {
  const out: Case[] = [];
  const cic = path.join(dataDir, 'cicids2017-improved-sample');
  if (existsSync(cic)) {
    const ds = await loadCicids2017(cic);
    const m = matrix(ds);
    for (const seed of SEEDS) {
      const split = splitIndices(ds.labels, { testSize: 0.3, seed });
      const benign = Array.from(split.train).filter((r) => ds.labels[r] === 'BENIGN');
      out.push({
        name: 'CICIDS2017 sample',
        seed,
        train: rowsOf(m, benign),
        test: rowsOf(m, split.test),
        y: Int32Array.from(split.test, (r) => (ds.labels[r] === 'BENIGN' ? 0 : 1)),
      });
    }
  } else console.log(`skipped CICIDS2017: ${cic} not found`);
  const kdd = path.join(dataDir, 'nsl-kdd');
  if (existsSync(kdd)) {
    const train = await loadNslKdd(path.join(kdd, 'KDDTrain+_20Percent.txt'), { labels: 'binary' });
    const test = await loadNslKdd(path.join(kdd, 'KDDTest+.txt'), { labels: 'binary' });
    const enc = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(train.categorical as NonNullable<FlowDataset['categorical']>);
    const trainX = hstack(matrix(train), enc.transform(train.categorical as NonNullable<FlowDataset['categorical']>));
    const testX = hstack(matrix(test), enc.transform(test.categorical as NonNullable<FlowDataset['categorical']>));
    const normal = train.labels.map((l, i) => (l === 'normal' ? i : -1)).filter((i) => i >= 0);
    for (const seed of SEEDS) {
      out.push({ name: 'NSL-KDD', seed, train: rowsOf(trainX, normal), test: testX, y: Int32Array.from(test.labels, (l) => (l === 'normal' ? 0 : 1)) });
    }
  } else console.log(`skipped NSL-KDD: ${kdd} not found`);
  return out;
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const std = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));

const all = await cases();
const ours = all.map((c) => {
  const f = new IsolationForest({ seed: c.seed }).fit(c.train);
  const s = f.scoreSamples(c.test);
  return rocAuc(Array.from(c.y), Array.from(s, (v) => -v), { positiveLabel: 1 });
});
let theirs: number[] | null = null;
if (pythonHas('sklearn', 'numpy')) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowsentry-eval-'));
  const manifest = all.map((c, i) => {
    writeFileSync(path.join(dir, `train${i}.f32`), c.train.data);
    writeFileSync(path.join(dir, `test${i}.f32`), c.test.data);
    writeFileSync(path.join(dir, `y${i}.i32`), c.y);
    return { name: c.name, seed: c.seed, train: `train${i}.f32`, test: `test${i}.f32`, y: `y${i}.i32`, trainRows: c.train.rows, testRows: c.test.rows, cols: c.train.cols };
  });
  writeFileSync(path.join(dir, 'cases.json'), JSON.stringify(manifest));
  theirs = runPython<{ auc: number }[]>(path.join(here, '../bench/sampling_eval_ref.py'), [dir]).map((r) => r.auc);
  rmSync(dir, { recursive: true });
}
console.log('| dataset | flowsentry ROC-AUC (mean +- std, 5 seeds) | scikit-learn | difference |');
console.log('| --- | --- | --- | --- |');
for (const name of [...new Set(all.map((c) => c.name))]) {
  const idx = all.map((c, i) => (c.name === name ? i : -1)).filter((i) => i >= 0);
  const a = idx.map((i) => ours[i] as number);
  const b = theirs === null ? null : idx.map((i) => (theirs as number[])[i] as number);
  const first = all[idx[0] as number] as Case;
  console.log(
    `| ${name} (train ${first.train.rows} x ${first.train.cols}, test ${first.test.rows}) | ${mean(a).toFixed(4)} +- ${std(a).toFixed(4)} | ${b ? `${mean(b).toFixed(4)} +- ${std(b).toFixed(4)}` : 'n/a'} | ${b ? (mean(a) - mean(b)).toFixed(4) : 'n/a'} |`,
  );
}
