/**
 * The CICIDS2017 split of the paper guides (stratified 70/30, seed 0) with the Detector's features
 * (one-hot + Min-Max fitted on the training rows, `Detector.fitPreprocessing`), for
 * the exploratory scripts that train models outside the Detector.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCicids2017, splitIndices, takeRows, type FlowDataset } from '../src/data/index.js';
import { Detector } from '../src/pipeline/index.js';

export interface CicidsFeatures {
  train: FlowDataset;
  test: FlowDataset;
  /** Feature matrices of the training and test rows. */
  a: { data: Float32Array; rows: number; cols: number };
  b: { data: Float32Array; rows: number; cols: number };
  classes: string[];
  /** Class index of every training row. */
  yTrain: Int32Array;
}

export async function cicidsFeatures(): Promise<CicidsFeatures> {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const dataDir = process.env['FLOWSENTRY_DATA'] ?? path.resolve(repoRoot, '../shared/data');
  const cic = await loadCicids2017(path.join(dataDir, 'cicids2017-improved-sample'));
  const split = splitIndices(cic.labels, { testSize: 0.3, seed: 0 });
  const train = takeRows(cic, split.train);
  const test = takeRows(cic, split.test);
  const prep = new Detector({ unknownCategories: 'ignore' }).fitPreprocessing(train);
  const a = prep.transform(train);
  const b = prep.transform(test);
  const classes = [...prep.classes];
  prep.dispose();
  return { train, test, a, b, classes, yTrain: Int32Array.from(train.labels, (l) => classes.indexOf(l)) };
}

/**
 * Writes the features of `cicidsFeatures()` to a temporary directory (cicids_train.f32,
 * cicids_test.f32 as raw float32 rows; cicids.json with cols, classes, yTrain, yTest), runs
 * `/usr/bin/python3 scripts/<script> <dir> ...args` with the terminal's output, and removes the
 * directory. Returns the script's exit status.
 */
export async function runPythonOnFeatures(script: string, args: string[]): Promise<number> {
  const { test, a, b, classes, yTrain } = await cicidsFeatures();
  const dir = mkdtempSync(path.join(tmpdir(), 'flowsentry-features-'));
  try {
    const raw = (m: { data: Float32Array }) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    writeFileSync(path.join(dir, 'cicids_train.f32'), raw(a));
    writeFileSync(path.join(dir, 'cicids_test.f32'), raw(b));
    writeFileSync(path.join(dir, 'cicids.json'), JSON.stringify({ cols: a.cols, classes, yTrain: Array.from(yTrain), yTest: test.labels.map((l) => classes.indexOf(l)) }));
    const file = fileURLToPath(new URL(script, import.meta.url));
    return spawnSync('/usr/bin/python3', [file, dir, ...args], { stdio: 'inherit' }).status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
