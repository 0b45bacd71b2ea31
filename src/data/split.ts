import { ValueError } from '../errors.js';
import { rngFrom, type Seed } from '../util/rng.js';
import type { FlowDataset } from './dataset.js';
import { takeRows } from './synthetic.js';

/** Options of {@link trainTestSplit} and {@link splitIndices}. */
export interface TrainTestSplitOptions {
  /** Fraction in (0, 1) of rows for the test set, or an integer count of test rows (default 0.25). */
  testSize?: number;
  /**
   * Keep each class's proportion in both parts (default true): every class puts
   * floor or ceil of `testSize * classCount` rows in the test set.
   */
  stratify?: boolean;
  /** Seed (default 0). */
  seed?: Seed;
}

/** Row indices of the two parts, each sorted ascending. */
export interface SplitIndices {
  /** Indices of the training rows, ascending. */
  train: Int32Array;
  /** Indices of the test rows, ascending (`ceil(testSize * n)` of them for a fractional `testSize`). */
  test: Int32Array;
}

/**
 * Seeded (stratified) train/test split of row indices by label. The test set has
 * `ceil(testSize * n)` rows, as scikit-learn's `train_test_split`; with `stratify` each class
 * contributes floor or ceil of its exact share (largest remainders, ties broken by the seed).
 */
export function splitIndices(labels: readonly (string | number)[], options: TrainTestSplitOptions = {}): SplitIndices {
  const n = labels.length;
  const testSize = options.testSize ?? 0.25;
  let nTest: number;
  if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else if (testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else throw new ValueError('testSize', 'a fraction in (0, 1) or an integer count >= 1', testSize);
  if (nTest >= n) throw new ValueError('testSize', `fewer test rows than rows (${n})`, testSize, `${nTest} test rows`);
  const rng = rngFrom(options.seed);
  const isTest = new Uint8Array(n);
  if (options.stratify ?? true) {
    const groups = new Map<string | number, number[]>();
    labels.forEach((l, i) => {
      const g = groups.get(l);
      if (g) g.push(i);
      else groups.set(l, [i]);
    });
    const entries = [...groups.values()];
    const share = nTest / n;
    const quota = entries.map((g) => Math.floor(g.length * share));
    let left = nTest - quota.reduce((a, b) => a + b, 0);
    // Largest remainder first; random keys break ties reproducibly.
    const order = entries
      .map((g, k) => ({ k, rem: g.length * share - (quota[k] as number), key: rng.next() }))
      .sort((a, b) => b.rem - a.rem || a.key - b.key);
    for (const { k } of order) {
      if (left === 0) break;
      quota[k] = (quota[k] as number) + 1;
      left--;
    }
    entries.forEach((g, k) => {
      const pick = rng.sampleWithoutReplacement(g.length, quota[k] as number);
      for (const p of pick) isTest[g[p] as number] = 1;
    });
  } else {
    for (const p of rng.sampleWithoutReplacement(n, nTest)) isTest[p] = 1;
  }
  const train = new Int32Array(n - nTest);
  const test = new Int32Array(nTest);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (isTest[i]) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}

/** The two parts of a dataset and the row indices they came from. */
export interface TrainTestSplit {
  /** The training rows (features, categorical columns and labels), in ascending original order. */
  train: FlowDataset;
  /** The test rows, in ascending original order. */
  test: FlowDataset;
  /** Row indices into the input dataset of `train`, ascending. */
  trainIndices: Int32Array;
  /** Row indices into the input dataset of `test`, ascending. */
  testIndices: Int32Array;
}

/**
 * Splits a dataset into train and test parts, stratified by label and seeded (see
 * {@link splitIndices}). Fit every transformer on `train` only.
 *
 * @example
 * ```ts
 * const { train, test } = trainTestSplit(syntheticFlows({ seed: 0 }), { testSize: 0.2, seed: 42 });
 * [train.rows, test.rows]; // [2384, 596]: each class keeps its share (e.g. WebAttack 16 / 4)
 * const scaler = new MinMaxScaler().fit(train); // fit on train only, then transform both
 * ```
 */
export function trainTestSplit(dataset: FlowDataset, options: TrainTestSplitOptions = {}): TrainTestSplit {
  const { train, test } = splitIndices(dataset.labels, options);
  return { train: takeRows(dataset, train), test: takeRows(dataset, test), trainIndices: train, testIndices: test };
}
