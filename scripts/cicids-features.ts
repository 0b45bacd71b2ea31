/**
 * The CICIDS2017 split of the paper guides (stratified 70/30, seed 0) with the Detector's features
 * (one-hot + Min-Max fitted on the training rows, `Detector.fitPreprocessing`), for
 * the exploratory scripts that train models outside the Detector.
 */
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
