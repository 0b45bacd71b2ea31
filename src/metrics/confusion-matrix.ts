import { ValueError } from '../errors.js';
import { checkSameLength, toLabelArray, uniqueLabels, type Label, type LabelInput } from './labels.js';

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Labels to index the matrix by, in this order (default: sorted union of yTrue and yPred). Rows whose true or predicted label is not listed are ignored, as in scikit-learn. */
  labels?: readonly Label[];
}

/** A confusion matrix: `matrix[i][j]` counts rows with true label `labels[i]` predicted as `labels[j]`. */
export interface ConfusionMatrix {
  /** The label of each row and column, in order. */
  labels: Label[];
  /** Counts, `labels.length` rows by `labels.length` columns: row = true label, column = predicted label. */
  matrix: number[][];
}

/**
 * The confusion matrix, as scikit-learn's `confusion_matrix` (rows true, columns predicted).
 * @example
 * ```ts
 * import { confusionMatrix } from 'flowsentry';
 *
 * const { labels, matrix } = confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1]);
 * // labels [0, 1, 2]; matrix [[1, 0, 0], [0, 0, 1], [0, 1, 1]] (rows true, columns predicted)
 * ```
 */
export function confusionMatrix(yTrue: LabelInput, yPred: LabelInput, options: ConfusionMatrixOptions = {}): ConfusionMatrix {
  const t = toLabelArray(yTrue, 'yTrue');
  const p = toLabelArray(yPred, 'yPred');
  checkSameLength(t, p, 'yTrue', 'yPred');
  const labels = options.labels ? [...options.labels] : uniqueLabels(t, p);
  if (labels.length === 0) throw new ValueError('labels', 'at least one label', labels);
  const index = new Map<Label, number>(labels.map((l, i) => [l, i]));
  if (index.size !== labels.length) throw new ValueError('labels', 'distinct labels', labels.join(', '));
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < t.length; i++) {
    const a = index.get(t[i] as Label);
    const b = index.get(p[i] as Label);
    if (a !== undefined && b !== undefined) (matrix[a] as number[])[b] = ((matrix[a] as number[])[b] as number) + 1;
  }
  return { labels, matrix };
}
