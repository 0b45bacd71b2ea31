import { toMatrix, type DenseMatrix, type MatrixLike } from '../util/matrix.js';
import { decodeLabels, encodeLabels, type EncodedLabels, type LabelArray } from './labels.js';

/** What every sampler's `fitResample` returns. */
export interface Resampled<Y extends LabelArray> {
  /** The resampled rows (a new float32 matrix; the input is never modified). */
  X: DenseMatrix;
  /** Their labels, of the same kind as the `y` given (number[], Int32Array or string[]). */
  y: Y;
  /**
   * For each output row, the index of the input row it is (imbalanced-learn's `sample_indices_`),
   * or -1 for a synthetic row.
   */
  sampleIndices: Int32Array;
}

/** The contract shared by SMOTE, TomekLinks, SMOTETomek and IsolationForestCleaner. */
export interface Sampler {
  /** Resamples `X` (rows = samples) with labels `y`. */
  fitResample<Y extends LabelArray>(X: MatrixLike, y: Y): Resampled<Y>;
}

/** Reads and checks X and y together (finite, non-empty, one label per row). */
export function readXy(X: MatrixLike, y: LabelArray): { m: DenseMatrix; enc: EncodedLabels } {
  const m = toMatrix(X, 'X');
  const enc = encodeLabels(y, m.rows, 'y');
  return { m, enc };
}

/** Builds a {@link Resampled} from kept input rows, then appended synthetic rows of given codes. */
export function assemble<Y extends LabelArray>(
  m: DenseMatrix,
  enc: EncodedLabels,
  kept: Int32Array,
  synthetic: { data: Float32Array; codes: Int32Array } | null = null,
): Resampled<Y> {
  const d = m.cols;
  const extra = synthetic?.codes.length ?? 0;
  const rows = kept.length + extra;
  const data = new Float32Array(rows * d);
  const codes = new Int32Array(rows);
  const sampleIndices = new Int32Array(rows);
  for (let r = 0; r < kept.length; r++) {
    const src = kept[r] as number;
    data.set(m.data.subarray(src * d, src * d + d), r * d);
    codes[r] = enc.codes[src] as number;
    sampleIndices[r] = src;
  }
  if (synthetic !== null) {
    data.set(synthetic.data, kept.length * d);
    codes.set(synthetic.codes, kept.length);
    sampleIndices.fill(-1, kept.length);
  }
  return { X: { data, rows, cols: d }, y: decodeLabels<Y>(codes, enc), sampleIndices };
}

/** 0..n-1. */
export function allRows(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}
