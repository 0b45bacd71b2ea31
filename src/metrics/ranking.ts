import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';
import { checkSameLength, toLabelArray, uniqueLabels, type Label, type LabelInput } from './labels.js';

/** Scores for a binary problem (one per row), or per class (rows x classes) for one-vs-rest. */
export type ScoreInput = ArrayLike<number> | readonly (readonly number[])[] | tf.Tensor1D | tf.Tensor2D | DenseMatrix;

/** Options of {@link rocAuc} and {@link averagePrecision}. */
export interface RankingMetricOptions {
  /**
   * Binary problems: the positive (attack) label. Default: 1 for numeric labels; for strings the
   * label that is not `BENIGN`/`normal`/`Benign`.
   */
  positiveLabel?: Label;
  /** Multi-class: the class of each score column, in order (default: sorted labels of yTrue, as scikit-learn). */
  labels?: readonly Label[];
  /** Multi-class one-vs-rest average: `'macro'` (default) or `'weighted'` by class prevalence. */
  average?: 'macro' | 'weighted';
}

/** One-vs-rest scores per class and their averages. */
export interface OneVsRestScores {
  /** The class of each score column, in order. */
  labels: Label[];
  /** The metric of each class against all others, aligned with `labels`. */
  perClass: number[];
  /** Unweighted mean of `perClass` (scikit-learn `average='macro'`). */
  macro: number;
  /** Mean of `perClass` weighted by the number of rows of each class in yTrue (scikit-learn `average='weighted'`). */
  weighted: number;
}

const NEGATIVE_NAMES = new Set<Label>(['BENIGN', 'Benign', 'benign', 'normal', 'Normal']);

/** Reads scores in float64 where they are float64 (nested arrays), as a row-major matrix. */
function readScores(scores: ScoreInput, name: string): { data: ArrayLike<number>; rows: number; cols: number } {
  if (scores instanceof tf.Tensor) {
    if (scores.rank === 1) return { data: scores.dataSync() as Float32Array, rows: scores.shape[0] as number, cols: 1 };
    if (scores.rank === 2) return { data: scores.dataSync() as Float32Array, rows: scores.shape[0] as number, cols: scores.shape[1] as number };
    throw new ShapeError(name, 'a 1-D or 2-D tensor', scores);
  }
  if (Array.isArray(scores) && scores.length > 0 && Array.isArray(scores[0])) {
    const rows = scores as readonly (readonly number[])[];
    const cols = (rows[0] as readonly number[]).length;
    const data = new Float64Array(rows.length * cols);
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== cols) throw new ShapeError(name, `rows of ${cols} scores (as row 0)`, r, `row ${i}`);
      for (let j = 0; j < cols; j++) data[i * cols + j] = r[j] as number;
    });
    return { data, rows: rows.length, cols };
  }
  const m = scores as DenseMatrix;
  if (m !== null && typeof m === 'object' && m.data instanceof Float32Array && typeof m.rows === 'number') return { data: m.data, rows: m.rows, cols: m.cols };
  const flat = scores as ArrayLike<number>;
  if (flat !== null && typeof flat === 'object' && typeof flat.length === 'number') return { data: flat, rows: flat.length, cols: 1 };
  throw new ValueError(name, 'an array of scores, number[][], a tensor or { data, rows, cols }', scores);
}

function column(s: { data: ArrayLike<number>; rows: number; cols: number }, j: number, name: string): Float64Array {
  const out = new Float64Array(s.rows);
  for (let i = 0; i < s.rows; i++) {
    const v = s.data[i * s.cols + j] as number;
    if (!Number.isFinite(v)) throw new ValueError(name, 'finite scores', v, `row ${i}, column ${j}`);
    out[i] = v;
  }
  return out;
}

/** Descending-score order, then the positive/negative counts at each distinct threshold. */
function thresholdCounts(positive: Uint8Array, score: Float64Array): { tps: number[]; fps: number[] } {
  const order = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => (score[b] as number) - (score[a] as number));
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (positive[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || score[next] !== score[i]) {
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { tps, fps };
}

/** Binary ROC AUC: trapezoids through the (FPR, TPR) points at each distinct threshold. */
export function binaryRocAuc(positive: Uint8Array, score: Float64Array): number {
  const { tps, fps } = thresholdCounts(positive, score);
  const P = tps[tps.length - 1] as number;
  const N = fps[fps.length - 1] as number;
  if (P === 0 || N === 0) throw new ValueError('yTrue', 'both positive and negative rows (ROC AUC is undefined for one class)', `${P} positive, ${N} negative`);
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < tps.length; k++) {
    const tp = tps[k] as number;
    const fp = fps[k] as number;
    area += ((fp - prevFp) * (tp + prevTp)) / 2;
    prevTp = tp;
    prevFp = fp;
  }
  return area / (P * N);
}

/** Binary average precision as scikit-learn defines it: sum over thresholds of (R_k - R_{k-1}) * P_k, no interpolation. */
export function binaryAveragePrecision(positive: Uint8Array, score: Float64Array): number {
  const { tps, fps } = thresholdCounts(positive, score);
  const P = tps[tps.length - 1] as number;
  if (P === 0) throw new ValueError('yTrue', 'at least one positive row (average precision is undefined without)', '0 positive');
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < tps.length; k++) {
    const tp = tps[k] as number;
    const recall = tp / P;
    ap += (recall - prevRecall) * (tp / (tp + (fps[k] as number)));
    prevRecall = recall;
  }
  return ap;
}

type BinaryMetric = (positive: Uint8Array, score: Float64Array) => number;

function resolve(yTrue: LabelInput, scores: ScoreInput) {
  const y = toLabelArray(yTrue, 'yTrue');
  const s = readScores(scores, 'scores');
  checkSameLength(y, new Array<number>(s.rows), 'yTrue', 'scores');
  return { y, s };
}

function binaryPositive(y: Label[], options: RankingMetricOptions): Label {
  if (options.positiveLabel !== undefined) return options.positiveLabel;
  const labels = uniqueLabels(y);
  if (labels.every((l) => typeof l === 'number')) return 1;
  const attack = labels.filter((l) => !NEGATIVE_NAMES.has(l));
  if (attack.length === 1 && labels.length <= 2) return attack[0] as Label;
  throw new ValueError('positiveLabel', 'the positive (attack) label, since it cannot be inferred from the labels', labels.join(', '));
}

function oneVsRest(metric: BinaryMetric, yTrue: LabelInput, scores: ScoreInput, options: RankingMetricOptions): OneVsRestScores {
  const { y, s } = resolve(yTrue, scores);
  const labels = options.labels ? [...options.labels] : uniqueLabels(y);
  if (s.cols !== labels.length) throw new ShapeError('scores', `${labels.length} columns, one per class [${labels.join(', ')}]`, `${s.cols} columns`);
  const perClass: number[] = [];
  const support: number[] = [];
  labels.forEach((l, j) => {
    const positive = Uint8Array.from(y, (v) => (v === l ? 1 : 0));
    support.push(positive.reduce((a, b) => a + b, 0));
    perClass.push(metric(positive, column(s, j, 'scores')));
  });
  const total = support.reduce((a, b) => a + b, 0);
  return {
    labels,
    perClass,
    macro: perClass.reduce((a, b) => a + b, 0) / perClass.length,
    weighted: perClass.reduce((a, v, j) => a + v * (support[j] as number), 0) / total,
  };
}

function scalar(metric: BinaryMetric, yTrue: LabelInput, scores: ScoreInput, options: RankingMetricOptions): number {
  const average = options.average ?? 'macro';
  if (average !== 'macro' && average !== 'weighted') throw new ValueError('average', "'macro' or 'weighted'", average);
  const { y, s } = resolve(yTrue, scores);
  if (s.cols === 1 || (s.cols === 2 && options.labels === undefined && uniqueLabels(y).length <= 2)) {
    const pos = binaryPositive(y, options);
    const positive = Uint8Array.from(y, (v) => (v === pos ? 1 : 0));
    let j = 0;
    if (s.cols === 2) {
      // Two probability columns in sorted-label order: use the positive label's.
      j = uniqueLabels(y).indexOf(pos);
      if (j < 0) throw new ValueError('positiveLabel', `one of the labels of yTrue`, pos);
    }
    return metric(positive, column(s, j, 'scores'));
  }
  const r = oneVsRest(metric, y, scores, options);
  return average === 'macro' ? r.macro : r.weighted;
}

/**
 * Area under the ROC curve, as scikit-learn's `roc_auc_score`: binary (one score per row, or two
 * probability columns), or one-vs-rest over the score columns averaged `'macro'` / `'weighted'`.
 * @example
 * ```ts
 * import { rocAuc } from 'flowsentry';
 *
 * rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75 (binary: one attack score per row)
 * // Multi-class: one probability column per class (sorted labels), one-vs-rest, macro average.
 * rocAuc([0, 1, 2, 2, 1, 0], [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [0.5, 0.3, 0.2], [0.6, 0.3, 0.1]]); // 0.9583...
 * ```
 */
export function rocAuc(yTrue: LabelInput, scores: ScoreInput, options: RankingMetricOptions = {}): number {
  return scalar(binaryRocAuc, yTrue, scores, options);
}

/** Per-class one-vs-rest ROC AUC with macro and prevalence-weighted averages. */
export function rocAucOneVsRest(yTrue: LabelInput, scores: ScoreInput, options: Pick<RankingMetricOptions, 'labels'> = {}): OneVsRestScores {
  return oneVsRest(binaryRocAuc, yTrue, scores, options);
}

/**
 * Average precision (area under the precision-recall curve, step-wise), as scikit-learn's
 * `average_precision_score`: binary, or one-vs-rest averaged `'macro'` / `'weighted'`.
 */
export function averagePrecision(yTrue: LabelInput, scores: ScoreInput, options: RankingMetricOptions = {}): number {
  return scalar(binaryAveragePrecision, yTrue, scores, options);
}

/** Per-class one-vs-rest average precision with macro and support-weighted averages. */
export function averagePrecisionOneVsRest(yTrue: LabelInput, scores: ScoreInput, options: Pick<RankingMetricOptions, 'labels'> = {}): OneVsRestScores {
  return oneVsRest(binaryAveragePrecision, yTrue, scores, options);
}
