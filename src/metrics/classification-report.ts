import { ValueError } from '../errors.js';
import { confusionMatrix, type ConfusionMatrix } from './confusion-matrix.js';
import { checkSameLength, toLabelArray, type Label, type LabelInput } from './labels.js';

/** Options of {@link classificationReport}. */
export interface ClassificationReportOptions {
  /** Labels to report, in this order (default: sorted union of yTrue and yPred). */
  labels?: readonly Label[];
  /** Display names for `labels` (e.g. class names for integer codes), same length. */
  targetNames?: readonly string[];
  /** Value of a ratio whose denominator is zero (default 0, as scikit-learn's `'warn'`). */
  zeroDivision?: 0 | 1;
  /**
   * For binary problems, the label that counts as the attack / positive class for
   * {@link ClassificationReport.binary}. Default: with 2 labels, the one that is not `'BENIGN'`,
   * `'normal'`, `'Benign'` or `0`, else the second.
   */
  positiveLabel?: Label;
}

/** Per-class scores. */
export interface ClassScores {
  /** The label (or its target name). */
  label: string;
  /** TP / (TP + FP): of the rows predicted as this class, the fraction that are (scikit-learn `precision`). */
  precision: number;
  /** TP / (TP + FN): of the rows of this class, the fraction predicted as it (detection rate, sensitivity). */
  recall: number;
  /** Harmonic mean of precision and recall, `2 P R / (P + R)` (0 when both are 0). */
  f1: number;
  /** Rows of this class in yTrue. */
  support: number;
  /** TN / (TN + FP), one-vs-rest. */
  specificity: number;
  /** FP / (FP + TN), one-vs-rest: 1 - specificity. */
  falsePositiveRate: number;
}

/** An average over classes. */
export interface AverageScores {
  /** Mean of the per-class precisions (unweighted for `macro`, by support for `weighted`). */
  precision: number;
  /** Mean of the per-class recalls. */
  recall: number;
  /** Mean of the per-class F1 scores (scikit-learn's convention: not the F1 of the mean precision and recall). */
  f1: number;
  /** Mean of the per-class one-vs-rest specificities. */
  specificity: number;
  /** Mean of the per-class one-vs-rest false-positive rates. */
  falsePositiveRate: number;
  /** Total support. */
  support: number;
}

/** Binary (attack vs normal) scores. */
export interface BinaryScores {
  /** The positive (attack) class, as displayed (its target name when `targetNames` is given). */
  positiveLabel: string;
  /** Precision of the positive class: TP / (TP + FP). */
  precision: number;
  /** Recall (detection rate) of the positive class: TP / (TP + FN). */
  recall: number;
  /** F1 score of the positive class (scikit-learn `f1_score` with `average='binary'`). */
  f1: number;
  /** TN / (TN + FP): the fraction of negative (normal) rows classified as negative. */
  specificity: number;
  /** FP / (FP + TN): the false-alarm rate on negative (normal) rows, 1 - specificity. */
  falsePositiveRate: number;
}

/** What {@link classificationReport} returns; renders as JSON directly. */
export interface ClassificationReport {
  /** Fraction of rows with yPred equal to yTrue. */
  accuracy: number;
  /** Scores of each reported label, in label order. */
  perClass: ClassScores[];
  /** Unweighted means over the classes (every class counts the same, however rare). */
  macro: AverageScores;
  /** Averages weighted by support. */
  weighted: AverageScores;
  /** The confusion matrix the scores were computed from (rows true, columns predicted). */
  confusion: ConfusionMatrix;
  /** Present when exactly two labels are reported. */
  binary?: BinaryScores;
}

const NEGATIVE_NAMES = new Set<Label>(['BENIGN', 'Benign', 'benign', 'normal', 'Normal', 0]);

/**
 * Per-class precision, recall, F1, support, specificity and false-positive rate, with macro and
 * support-weighted averages and accuracy: the numbers of scikit-learn's `classification_report`
 * (`output_dict=True`) plus specificity/FPR, which the intrusion-detection papers report.
 * @example
 * ```ts
 * import { classificationReport } from 'flowsentry';
 *
 * const report = classificationReport(['BENIGN', 'DoS', 'DoS', 'BENIGN'], ['BENIGN', 'DoS', 'BENIGN', 'BENIGN']);
 * report.accuracy; // 0.75
 * report.binary?.positiveLabel; // 'DoS' (the label that is not 'BENIGN')
 * report.binary?.recall; // 0.5
 * report.macro.f1; // 0.7333..., as scikit-learn's classification_report
 * ```
 */
export function classificationReport(yTrue: LabelInput, yPred: LabelInput, options: ClassificationReportOptions = {}): ClassificationReport {
  const t = toLabelArray(yTrue, 'yTrue');
  const p = toLabelArray(yPred, 'yPred');
  checkSameLength(t, p, 'yTrue', 'yPred');
  const zd = options.zeroDivision ?? 0;
  if (zd !== 0 && zd !== 1) throw new ValueError('zeroDivision', '0 or 1', zd);
  const cm = confusionMatrix(t, p, options.labels ? { labels: options.labels } : {});
  const names = options.targetNames ? [...options.targetNames] : cm.labels.map(String);
  if (names.length !== cm.labels.length) throw new ValueError('targetNames', `${cm.labels.length} names (one per label)`, names);
  const k = cm.labels.length;
  const div = (a: number, b: number) => (b === 0 ? zd : a / b);
  // Totals over the rows kept by the label list (scikit-learn ignores other rows likewise).
  let total = 0;
  for (const row of cm.matrix) for (const v of row) total += v;
  const perClass: ClassScores[] = cm.labels.map((_, i) => {
    const row = cm.matrix[i] as number[];
    const tp = row[i] as number;
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += row[j] as number;
      predicted += (cm.matrix[j] as number[])[i] as number;
    }
    const fp = predicted - tp;
    const tn = total - support - fp;
    const precision = div(tp, predicted);
    const recall = div(tp, support);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    const negatives = fp + tn;
    return {
      label: names[i] as string,
      precision,
      recall,
      f1: predicted === 0 && support === 0 ? zd : f1,
      support,
      specificity: div(tn, negatives),
      falsePositiveRate: div(fp, negatives),
    };
  });
  const average = (weighted: boolean): AverageScores => {
    const support = perClass.reduce((s, c) => s + c.support, 0);
    const w = perClass.map((c) => (weighted ? c.support : 1));
    const wsum = w.reduce((a, b) => a + b, 0);
    const avg = (f: (c: ClassScores) => number) => (wsum === 0 ? 0 : perClass.reduce((s, c, i) => s + f(c) * (w[i] as number), 0) / wsum);
    return {
      precision: avg((c) => c.precision),
      recall: avg((c) => c.recall),
      f1: avg((c) => c.f1),
      specificity: avg((c) => c.specificity),
      falsePositiveRate: avg((c) => c.falsePositiveRate),
      support,
    };
  };
  let correct = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) correct++;
  const report: ClassificationReport = {
    accuracy: correct / t.length,
    perClass,
    macro: average(false),
    weighted: average(true),
    confusion: cm,
  };
  if (k === 2) {
    let pos: number;
    if (options.positiveLabel !== undefined) {
      pos = cm.labels.indexOf(options.positiveLabel);
      if (pos < 0) throw new ValueError('positiveLabel', `one of [${cm.labels.join(', ')}]`, options.positiveLabel);
    } else {
      pos = NEGATIVE_NAMES.has(cm.labels[0] as Label) ? 1 : NEGATIVE_NAMES.has(cm.labels[1] as Label) ? 0 : 1;
    }
    const c = perClass[pos] as ClassScores;
    report.binary = { positiveLabel: c.label, precision: c.precision, recall: c.recall, f1: c.f1, specificity: c.specificity, falsePositiveRate: c.falsePositiveRate };
  } else if (options.positiveLabel !== undefined) {
    throw new ValueError('positiveLabel', 'to be used with exactly two labels', `${k} labels`);
  }
  return report;
}
