import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DataFormatError, NotFittedError, ValueError } from '../errors.js';
import { LabelEncoder, MinMaxScaler, OneHotEncoder, splitIndices, type MinMaxScalerJSON, type OneHotEncoderJSON, type LabelEncoderJSON } from '../data/index.js';
import { fileSystem } from '../io/index.js';
import { classificationReport, type ClassificationReport } from '../metrics/index.js';
import { buildModel, buildPretrainable } from '../models/index.js';
import { IsolationForest, SMOTE, SMOTETomek } from '../sampling/index.js';
import { recalibrateBatchNorm, trainModel, trainTwoStage, type History, type Verbosity } from '../train/index.js';
import { Rng } from '../util/rng.js';
import { alignInput, type ColumnSpec, type FlowInput, type FlowRecord, type FlowTable, type InputReport } from './features.js';
import { disposeBaseOptimizer as disposeOptimizer } from '../optim/learning-rate.js';
import { fusedAdam } from '../optim/fused-adam.js';
import { defaultLearningRate, makeLoss, makeOptimizer, makeSchedule, type LossSpec, type OptimizerSpec } from './training-spec.js';

/** The format tag and version written into `detector.json`. */
export const DETECTOR_FORMAT = 'flowsentry.Detector';
/** Version of the saved-directory format; {@link Detector.load} rejects other versions. */
export const DETECTOR_FORMAT_VERSION = 1;

/** Isolation Forest cleaning of training rows of chosen classes (the ResCAE-BiGRU paper cleans BENIGN). */
export interface IsolationForestCleaning {
  /** Labels whose training rows are cleaned. */
  classes: string[];
  /** Expected outlier share: `'auto'` (scikit-learn's offset -0.5) or a fraction in (0, 0.5] (default 'auto'). */
  contamination?: 'auto' | number;
  /** Trees (default 100). */
  nEstimators?: number;
}

/** The decision rule: `argmax` of the class probabilities, or an anomaly threshold chosen on benign validation flows. */
export type DecisionRule =
  | 'argmax'
  | {
      /** Target false-positive rate in (0, 1): the share of benign validation flows allowed above the anomaly threshold. */
      targetFpr: number;
    };

/** Options of a {@link Detector}; all plain JSON, saved with it. */
export interface DetectorOptions {
  /** Zoo architecture (`buildModel` name; default `'mlp'`). */
  model?: string;
  /** Extra options of the architecture (e.g. `{ hiddenUnits: [128, 64] }`). */
  modelOptions?: Record<string, number | number[] | boolean | string>;
  /**
   * Transform of the numeric features before Min-Max scaling: `'none'` (default, as the papers) or
   * `'log1p'` (`sign(x) log(1 + |x|)`, which tames heavy-tailed byte and packet counters).
   */
  featureTransform?: 'none' | 'log1p';
  /** Clip scaled features of new flows to [0, 1] (default true: counters beyond the training range would otherwise explode). */
  clip?: boolean;
  /** Isolation Forest cleaning of chosen classes' training rows (default off). */
  isolationForest?: IsolationForestCleaning | false;
  /** SMOTE-Tomek on the (cleaned) training rows: `true` for imbalanced-learn defaults (SMOTE k = 5, shrunk for tiny classes). Default false. */
  smoteTomek?: boolean;
  /** Unsupervised autoencoder pre-training epochs before fine-tuning (architectures with an autoencoder, e.g. `rescae-bigru`; default 0). */
  pretrainEpochs?: number;
  /** Label of normal traffic (default: the first of BENIGN, normal, Benign, benign present). */
  benignLabel?: string;
  /** How an unseen category at scoring time is handled: `'error'` (default) or `'ignore'` (all-zero one-hot, counted in {@link Detector.lastInputReport}). */
  unknownCategories?: 'error' | 'ignore';
  /**
   * After training, recompute the batch-norm moving statistics on the training rows with the final
   * weights ({@link recalibrateBatchNorm}; default true). Without it, a short run leaves moving
   * averages of early weights and inference-mode predictions can collapse onto one class.
   */
  recalibrateBatchNorm?: boolean;
  /** Training epochs (default 20). */
  epochs?: number;
  /** Batch size (default 256, as the ResCAE-BiGRU paper). */
  batchSize?: number;
  /** Optimizer (default `{ name: 'adam', learningRate: 0.001 }`). */
  optimizer?: OptimizerSpec;
  /** Learning-rate schedule over all steps: `'constant'` (default) or `'cosine'` annealing to 0. */
  schedule?: 'constant' | 'cosine';
  /** Loss (default `{ name: 'crossEntropy' }`). */
  loss?: LossSpec;
  /** Class weighting of the loss: `'none'` (default) or `'balanced'`. */
  classWeight?: 'none' | 'balanced';
  /** Decision rule (default `'argmax'`). */
  decision?: DecisionRule;
  /** Fraction of the training rows held out (stratified) for validation and threshold selection (default 0.1 with a threshold rule, else 0). */
  validationFraction?: number;
  /** Seed of everything stochastic: split, iForest, resampling, initial weights, shuffling (default 0). */
  seed?: number;
  /** Training progress output (default `'auto'`). */
  verbose?: Verbosity;
}

/** Labelled flows for {@link Detector.fit} and {@link Detector.evaluate}: a loader's `FlowDataset` or records plus labels. */
export type LabelledFlows =
  | (FlowTable & {
      /** Class name of each row, in row order. */
      labels: readonly string[];
    })
  | {
      /** Flows as records (column name to value). */
      records: readonly FlowRecord[];
      /** Class name of each record, in record order. */
      labels: readonly string[];
    };

/** Class probabilities of scored flows. */
export interface Probabilities {
  /** Row-major, `rows * classes.length`. */
  data: Float32Array;
  /** Number of scored flows. */
  rows: number;
  /** Class names, column order. */
  classes: string[];
}

/** What {@link Detector.fit} did, step by step. */
export interface FitSummary {
  /** Training rows before cleaning (after the validation hold-out). */
  trainRows: number;
  /** Validation rows held out. */
  validationRows: number;
  /** Rows removed by Isolation Forest, per class. */
  isolationForestRemoved: Record<string, number>;
  /** Training rows the model saw (after cleaning and resampling). */
  resampledRows: number;
  /** Pre-training history (when `pretrainEpochs` > 0). */
  pretrainHistory?: History;
  /** Input width of the model after one-hot encoding. */
  modelInputDim: number;
  /** Trainable parameters of the model. */
  parameters: number;
  /** The anomaly threshold chosen (threshold rule only). */
  threshold?: number;
  /** Training (fine-tuning, when pre-trained) history: loss and metrics per epoch. */
  history: History;
  /** Wall-clock seconds of the whole fit. */
  seconds: number;
}

interface DetectorState {
  spec: ColumnSpec;
  oneHot: OneHotEncoderJSON | null;
  scaler: MinMaxScalerJSON;
  labels: LabelEncoderJSON;
  benignIndex: number;
  threshold: number | null;
}

interface DetectorJSON {
  format: typeof DETECTOR_FORMAT;
  version: number;
  options: DetectorOptions;
  state: DetectorState;
}

const BENIGN_NAMES = ['BENIGN', 'normal', 'Benign', 'benign', 'Normal'];

function checkFraction(name: string, v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v) || v < lo || v >= hi) throw new ValueError(name, `a number in [${lo}, ${hi})`, v);
  return v;
}

function log1pSigned(a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    a[i] = v < 0 ? -Math.log1p(-v) : Math.log1p(v);
  }
}

/**
 * Reads a saved JSON file carrying `format` and `version` (detector.json, ensemble.json): any read
 * or parse failure, another format or another version is a DataFormatError naming the file.
 * @internal
 */
export async function readVersionedJson<T extends { format: string; version: number }>(file: string, format: string, version: number): Promise<T> {
  let json: T;
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e) {
    throw new DataFormatError(file, 1, `not a readable ${path.basename(file)} (${e instanceof Error ? e.message : String(e)})`);
  }
  if (json?.format !== format) throw new DataFormatError(file, 1, `format is ${JSON.stringify(json?.format)}, expected ${format}`);
  if (json.version !== version) throw new DataFormatError(file, 1, `format version ${json.version} is not supported (this flowsentry reads version ${version})`);
  return json;
}

/**
 * The classification report of `predictor` on labelled flows (records or a table): its predictions
 * against the labels, over its classes and any label it never saw. Shared by Detector and
 * DetectorEnsemble. @internal
 */
export function evaluateWith(predictor: { predict(flows: FlowInput): string[]; readonly classes: string[] }, data: LabelledFlows): ClassificationReport {
  const table: FlowInput = !Array.isArray(data) && 'records' in data ? data.records : (data as FlowInput);
  const pred = predictor.predict(table);
  if (data.labels.length !== pred.length) throw new ValueError('data.labels', `${pred.length} labels (one per row)`, data.labels);
  const labels = [...new Set([...predictor.classes, ...data.labels])];
  return classificationReport(data.labels as string[], pred, { labels });
}

/**
 * The whole paper pipeline in one object: column alignment, preprocessing fitted on training
 * rows only (optional log transform, one-hot categoricals, Min-Max), optional Isolation Forest
 * cleaning of chosen classes, a zoo model trained with the flowsentry loop, and a decision rule
 * (argmax, or an anomaly threshold set for a target false-positive rate on benign validation
 * flows). `save(dir)` writes everything needed to score new flows; `Detector.load(dir)` reads it.
 *
 * @example
 * ```ts
 * const flows = syntheticFlows({ features: 8, seed: 1 });
 * const detector = new Detector({ model: 'mlp', epochs: 2, seed: 0, verbose: 'silent' });
 * const summary = await detector.fit(flows);
 * summary.trainRows; // 2980
 * detector.predict(flows).slice(0, 3); // e.g. ['BENIGN', 'BENIGN', 'DoS']
 * ```
 */
export class Detector {
  /** The options the detector was built with (a deep copy; saved by `save`). */
  readonly options: DetectorOptions;
  private state: DetectorState | undefined;
  private net: tfl.LayersModel | undefined;
  private oneHot: OneHotEncoder | null = null;
  private scaler: MinMaxScaler | undefined;
  private labelEncoder: LabelEncoder | undefined;
  /** How the columns of the last scored input were reconciled (extra columns, unknown categories). */
  lastInputReport: InputReport | undefined;

  constructor(options: DetectorOptions = {}) {
    this.options = structuredClone(options);
    const o = this.options;
    if (o.featureTransform !== undefined && o.featureTransform !== 'none' && o.featureTransform !== 'log1p') throw new ValueError('featureTransform', "'none' or 'log1p'", o.featureTransform);
    if (o.unknownCategories !== undefined && o.unknownCategories !== 'error' && o.unknownCategories !== 'ignore') throw new ValueError('unknownCategories', "'error' or 'ignore'", o.unknownCategories);
    if (o.decision !== undefined && o.decision !== 'argmax') {
      if (typeof o.decision !== 'object' || o.decision === null) throw new ValueError('decision', "'argmax' or { targetFpr }", o.decision);
      checkFraction('decision.targetFpr', o.decision.targetFpr, 0, 1);
    }
    if (o.pretrainEpochs !== undefined && (!Number.isInteger(o.pretrainEpochs) || o.pretrainEpochs < 0)) throw new ValueError('pretrainEpochs', 'a non-negative integer', o.pretrainEpochs);
    if (o.epochs !== undefined && (!Number.isInteger(o.epochs) || o.epochs < 1)) throw new ValueError('epochs', 'a positive integer', o.epochs);
    if (o.validationFraction !== undefined) checkFraction('validationFraction', o.validationFraction, 0, 0.9);
    if (o.isolationForest && (!Array.isArray(o.isolationForest.classes) || o.isolationForest.classes.length === 0)) {
      throw new ValueError('isolationForest.classes', 'a non-empty array of labels', o.isolationForest.classes);
    }
    // Fail early on bad training settings, not after preprocessing.
    disposeOptimizer(makeOptimizer(o.optimizer ?? { name: 'adam' }));
    makeLoss(o.loss ?? { name: 'crossEntropy' });
  }

  /** True once fitted or loaded. */
  get fitted(): boolean {
    return this.state !== undefined;
  }

  /** Class names, in the column order of {@link predictProba}. */
  get classes(): string[] {
    return [...this.requireState('classes').labels.classes];
  }

  /** The tfjs model (for inspection). */
  get model(): tfl.LayersModel {
    return this.requireModel('model').net;
  }

  /** The label of normal traffic the detector knows (its `benignLabel` option or the name found in the training labels), or null. */
  get benignLabel(): string | null {
    const s = this.requireState('benignLabel');
    return s.benignIndex < 0 ? null : s.labels.classes[s.benignIndex]!;
  }

  /** The anomaly threshold in use (threshold rule), or null with argmax. */
  get threshold(): number | null {
    return this.requireState('threshold').threshold;
  }

  private requireState(method: string): DetectorState {
    if (!this.state) throw new NotFittedError('Detector', method);
    return this.state;
  }

  /** The fitted state and model, or NotFittedError before `fit` (also after `fitPreprocessing` alone, or `dispose`). */
  private requireModel(method: string): { state: DetectorState; net: tfl.LayersModel } {
    const state = this.requireState(method);
    if (!this.net) throw new NotFittedError('Detector', method);
    return { state, net: this.net };
  }

  private static tableOf(data: LabelledFlows | FlowInput): FlowInput {
    if (!Array.isArray(data) && 'records' in data) return data.records;
    return data as FlowInput;
  }

  /** Aligned, transformed, scaled model inputs. */
  private matrix(x: FlowInput): { data: Float32Array; rows: number; cols: number } {
    const s = this.requireState('transform');
    const a = alignInput(x, s.spec);
    this.lastInputReport = a.report;
    return this.encode(a.numeric, a.rows, a.categorical);
  }

  private encode(numeric: Float32Array, rows: number, categorical: string[][] | null): { data: Float32Array; rows: number; cols: number } {
    const s = this.state!;
    if (this.options.featureTransform === 'log1p') log1pSigned(numeric);
    const nNum = s.spec.numeric.length;
    let full = { data: numeric, rows, cols: nNum };
    if (this.oneHot && categorical) {
      const oh = this.oneHot.transform(categorical);
      const cols = nNum + oh.cols;
      const data = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        data.set(numeric.subarray(i * nNum, (i + 1) * nNum), i * cols);
        data.set(oh.data.subarray(i * oh.cols, (i + 1) * oh.cols), i * cols + nNum);
      }
      full = { data, rows, cols };
    }
    return this.scaler ? this.scaler.transform(full) : full;
  }

  /** Columns, validation hold-out and fitted preprocessing of `fit` (consumes `rng` as `fit` does); sets the state. */
  private prepare(data: LabelledFlows, rng: Rng) {
    const o = this.options;
    const labels = data.labels;
    const table = Detector.tableOf(data);
    const nRows = Array.isArray(table) ? table.length : (table as FlowTable).rows;
    if (!Array.isArray(labels) || labels.length !== nRows) throw new ValueError('data.labels', `${nRows} labels (one per row)`, labels);

    // Columns: a table defines them; records take the keys of the first row (numeric when every value of row 0 parses).
    let spec: ColumnSpec;
    const unknownCategories = o.unknownCategories ?? 'error';
    if (Array.isArray(table)) {
      const first = (table as readonly FlowRecord[])[0] ?? {};
      const keys = Object.keys(first);
      const numeric = keys.filter((k) => typeof first[k] === 'number' || (typeof first[k] === 'string' && first[k] !== '' && Number.isFinite(Number(first[k]))));
      const categorical = keys.filter((k) => !numeric.includes(k));
      spec = { numeric, categorical, categories: [], unknownCategories };
    } else {
      const t = table as FlowTable;
      spec = { numeric: t.featureNames ? [...t.featureNames] : Array.from({ length: t.cols }, (_, j) => `f${j}`), categorical: t.categorical ? [...t.categorical.names] : [], categories: [], unknownCategories };
    }
    // Align with 'ignore' semantics while categories are not known yet.
    const aligned = alignInput(table, { ...spec, categories: spec.categorical.map(() => []), unknownCategories: 'ignore' }, 'data');
    const benignLabel = o.benignLabel ?? BENIGN_NAMES.find((b) => labels.includes(b));

    // Validation hold-out (stratified), before anything is fitted.
    const decision = o.decision ?? 'argmax';
    const valFraction = o.validationFraction ?? (decision === 'argmax' ? 0 : 0.1);
    let trainIdx: Int32Array;
    let valIdx: Int32Array | null = null;
    if (valFraction > 0) {
      const split = splitIndices(labels as string[], { testSize: valFraction, seed: rng.nextSeed() });
      trainIdx = split.train;
      valIdx = split.test;
    } else {
      trainIdx = Int32Array.from({ length: nRows }, (_, i) => i);
    }
    const nNum = spec.numeric.length;
    const pick = (idx: Int32Array): { numeric: Float32Array; cat: string[][] | null; labels: string[] } => {
      const numeric = new Float32Array(idx.length * nNum);
      idx.forEach((r, i) => numeric.set(aligned.numeric.subarray(r * nNum, (r + 1) * nNum), i * nNum));
      return { numeric, cat: aligned.categorical ? Array.from(idx, (r) => aligned.categorical![r]!) : null, labels: Array.from(idx, (r) => labels[r]!) };
    };
    const tr = pick(trainIdx);

    // Preprocessing fitted on the training part only.
    this.labelEncoder = new LabelEncoder().fit(labels as string[]);
    if (tr.cat) {
      this.oneHot = new OneHotEncoder({ handleUnknown: 'ignore' }).fit({ names: spec.categorical, values: tr.cat });
      spec.categories = this.oneHot.toJSON().categories;
    }
    this.state = { spec, oneHot: this.oneHot?.toJSON() ?? null, scaler: undefined as unknown as MinMaxScalerJSON, labels: this.labelEncoder.toJSON(), benignIndex: -1, threshold: null };
    this.scaler = undefined;
    const rawTrain = this.encode(tr.numeric, trainIdx.length, tr.cat);
    this.scaler = new MinMaxScaler({ clip: o.clip ?? true }).fit(rawTrain);
    this.state.scaler = this.scaler.toJSON();
    const xTrain = this.scaler.transform(rawTrain);
    this.state.benignIndex = benignLabel === undefined ? -1 : this.labelEncoder.classes.indexOf(benignLabel);
    if (decision !== 'argmax' && this.state.benignIndex < 0) throw new ValueError('benignLabel', 'a label present in the data (needed by the threshold rule)', benignLabel);
    return { trainIdx, valIdx, valFraction, decision, pick, tr, xTrain };
  }

  /**
   * Fits only the preprocessing, as {@link fit} fits it on its training part (columns and their
   * categories, the feature transform, Min-Max scaling, the label set; the same validation hold-out
   * is left out), and no model. Afterwards {@link transform} gives exactly the model inputs `fit`
   * would train on, for a model trained outside the Detector or another library's baseline on the
   * same features; {@link classes} works too. Methods that need the model throw NotFittedError until
   * {@link fit} (which starts over). Any model fitted earlier is disposed.
   */
  fitPreprocessing(data: LabelledFlows): this {
    this.dispose();
    this.prepare(data, new Rng(this.options.seed ?? 0));
    return this;
  }

  /** Fits preprocessing, cleaning, the model and the decision rule on labelled training flows. */
  async fit(data: LabelledFlows): Promise<FitSummary> {
    const t0 = performance.now();
    const o = this.options;
    const rng = new Rng(o.seed ?? 0);
    const { trainIdx, valIdx, valFraction, decision, pick, tr, xTrain } = this.prepare(data, rng);
    const state = this.state!;
    const labelEncoder = this.labelEncoder!;
    let yTrain = labelEncoder.transform(tr.labels);

    // Isolation Forest cleaning of the chosen classes' training rows.
    let X = xTrain.data;
    let rows = xTrain.rows;
    const cols = xTrain.cols;
    const removed: Record<string, number> = {};
    if (o.isolationForest) {
      const keep = new Uint8Array(rows).fill(1);
      for (const cls of o.isolationForest.classes) {
        const code = labelEncoder.classes.indexOf(cls);
        if (code < 0) throw new ValueError('isolationForest.classes', `labels present in the data (${labelEncoder.classes.join(', ')})`, cls);
        const members = Array.from(yTrain.keys()).filter((i) => yTrain[i] === code);
        if (members.length < 2) continue;
        const sub = new Float32Array(members.length * cols);
        members.forEach((r, i) => sub.set(X.subarray(r * cols, (r + 1) * cols), i * cols));
        const forest = new IsolationForest({ contamination: o.isolationForest.contamination ?? 'auto', nEstimators: o.isolationForest.nEstimators ?? 100, seed: rng.nextSeed() });
        const verdict = forest.fitPredict({ data: sub, rows: members.length, cols });
        let n = 0;
        verdict.forEach((v, i) => {
          if (v === -1) {
            keep[members[i]!] = 0;
            n++;
          }
        });
        removed[cls] = n;
      }
      const kept = Array.from(keep.keys()).filter((i) => keep[i] === 1);
      const X2 = new Float32Array(kept.length * cols);
      kept.forEach((r, i) => X2.set(X.subarray(r * cols, (r + 1) * cols), i * cols));
      yTrain = Int32Array.from(kept, (r) => yTrain[r]!);
      X = X2;
      rows = kept.length;
    }

    if (o.smoteTomek) {
      const counts = new Map<number, number>();
      for (const c of yTrain) counts.set(c, (counts.get(c) ?? 0) + 1);
      // imblearn's 'auto' (every class up to the majority), except single-row classes, which SMOTE cannot interpolate: kept as they are.
      const majority = Math.max(...counts.values());
      const targets = new Map<number, number>();
      for (const [c, n] of counts) if (n >= 2 && n < majority) targets.set(c, majority);
      const sampler = new SMOTETomek({ smote: new SMOTE({ samplingStrategy: targets, kNeighbors: 5, smallClass: 'shrink', seed: rng.nextSeed() }) });
      const r = sampler.fitResample({ data: X, rows, cols }, yTrain);
      X = r.X.data;
      rows = r.X.rows;
      yTrain = Int32Array.from(r.y);
    }

    // Model and training.
    const numClasses = labelEncoder.classes.length;
    this.net?.dispose();
    const modelName = o.model ?? 'mlp';
    const modelOpts = { ...(o.modelOptions ?? {}), inputDim: cols, numClasses: Math.max(2, numClasses), seed: rng.nextSeed() };
    const pretrainEpochs = o.pretrainEpochs ?? 0;
    const pair = pretrainEpochs > 0 ? buildPretrainable(modelName, modelOpts) : null;
    if (pretrainEpochs > 0 && !pair) throw new ValueError('pretrainEpochs', `0 for '${modelName}' (it has no autoencoder)`, pretrainEpochs);
    this.net = pair ? pair.classifier : buildModel(modelName, modelOpts);
    const epochs = o.epochs ?? 20;
    const batchSize = o.batchSize ?? 256;
    const optimizer = makeOptimizer(o.optimizer ?? { name: 'adam' });
    const steps = epochs * Math.ceil(rows / batchSize);
    const x = tf.tensor2d(X, [rows, cols]);
    const y = tf.tensor1d(yTrain, 'int32');
    let valData: { x: tf.Tensor; y: tf.Tensor } | undefined;
    let valMatrix: Float32Array | null = null;
    let valLabels: Int32Array | null = null;
    if (valIdx) {
      const va = pick(valIdx);
      const vm = this.encode(va.numeric, valIdx.length, va.cat);
      valMatrix = vm.data;
      valLabels = labelEncoder.transform(va.labels);
      valData = { x: tf.tensor2d(vm.data, [vm.rows, vm.cols]), y: tf.tensor1d(valLabels, 'int32') };
    }
    let history: History;
    let pretrainHistory: History | undefined;
    try {
      const schedule = makeSchedule(o.schedule ?? 'constant', defaultLearningRate(o.optimizer ?? { name: 'adam' }), steps);
      const finetune = {
        epochs,
        batchSize,
        seed: rng.nextSeed(),
        optimizer,
        loss: makeLoss(o.loss ?? { name: 'crossEntropy' }),
        ...(schedule ? { schedule } : {}),
        ...(o.classWeight === 'balanced' ? { classWeight: 'balanced' as const } : {}),
        ...(valData ? { validationData: valData } : {}),
        verbose: o.verbose ?? 'auto',
      };
      if (pair) {
        const preOpt = fusedAdam(0.001);
        try {
          const h = await trainTwoStage(pair, { x, y }, { pretrain: { epochs: pretrainEpochs, batchSize, seed: rng.nextSeed(), optimizer: preOpt, verbose: o.verbose ?? 'auto' }, finetune });
          history = h.finetune;
          pretrainHistory = h.pretrain;
        } finally {
          preOpt.dispose();
          // The decoder is only needed for pre-training; the encoder lives on in the classifier.
          const keep = new Set(pair.classifier.layers);
          for (const l of pair.autoencoder.layers) if (!keep.has(l)) l.dispose();
        }
      } else {
        history = await trainModel(this.net, { x, y }, finetune);
      }
      if (o.recalibrateBatchNorm ?? true) recalibrateBatchNorm(this.net, x);
    } finally {
      tf.dispose([x, y]);
      if (valData) tf.dispose([valData.x, valData.y]);
      disposeOptimizer(optimizer);
    }

    // Threshold for the target false-positive rate on benign validation flows.
    if (decision !== 'argmax' && valMatrix && valLabels) {
      const b = state.benignIndex;
      const probs = this.probabilities(valMatrix, valLabels.length, cols);
      const scores: number[] = [];
      for (let i = 0; i < valLabels.length; i++) if (valLabels[i] === b) scores.push(1 - probs[i * numClasses + b]!);
      if (scores.length === 0) throw new ValueError('validationFraction', 'a hold-out containing benign rows', valFraction);
      scores.sort((p, q) => p - q);
      // Smallest threshold whose benign false-positive share (score > threshold) is at most targetFpr.
      const k = Math.min(scores.length - 1, Math.ceil((1 - decision.targetFpr) * scores.length) - 1);
      state.threshold = scores[Math.max(0, k)]!;
    }
    return {
      trainRows: trainIdx.length,
      validationRows: valIdx?.length ?? 0,
      isolationForestRemoved: removed,
      resampledRows: rows,
      ...(pretrainHistory ? { pretrainHistory } : {}),
      modelInputDim: cols,
      parameters: this.net.countParams(),
      ...(state.threshold !== null ? { threshold: state.threshold } : {}),
      history,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  private probabilities(data: Float32Array, rows: number, cols: number): Float32Array {
    const k = this.labelEncoder!.classes.length;
    const out = new Float32Array(rows * k);
    const bs = 2048;
    for (let start = 0; start < rows; start += bs) {
      const n = Math.min(bs, rows - start);
      const p = tf.tidy(() => {
        const xb = tf.tensor2d(data.subarray(start * cols, (start + n) * cols), [n, cols]);
        const pr = this.net!.predict(xb) as tf.Tensor;
        return k < pr.shape[1]! ? tf.slice(pr, [0, 0], [n, k]) : pr;
      });
      out.set(p.dataSync(), start * k);
      p.dispose();
    }
    return out;
  }

  /** The model inputs of flows: aligned columns, fitted transforms and scaling (row-major, `rows x modelInputDim`). */
  transform(flows: FlowInput): {
    /** Row-major model inputs, `rows * cols`. */
    data: Float32Array;
    /** Number of flows. */
    rows: number;
    /** Model input width (`modelInputDim`). */
    cols: number;
  } {
    return this.matrix(flows);
  }

  /** Class probabilities of each flow (columns in {@link classes} order). */
  predictProba(flows: FlowInput): Probabilities {
    this.requireModel('predictProba');
    const m = this.matrix(flows);
    return { data: this.probabilities(m.data, m.rows, m.cols), rows: m.rows, classes: this.classes };
  }

  /** Anomaly score of each flow: 1 - P(benign), in [0, 1]. */
  scoreAnomaly(flows: FlowInput): Float32Array {
    const s = this.requireModel('scoreAnomaly').state;
    if (s.benignIndex < 0) throw new ValueError('benignLabel', 'a benign class known to the detector (set benignLabel at construction)', null);
    const p = this.predictProba(flows);
    const k = p.classes.length;
    return Float32Array.from({ length: p.rows }, (_, i) => 1 - p.data[i * k + s.benignIndex]!);
  }

  /** Predicted label of each flow, by the decision rule. */
  predict(flows: FlowInput): string[] {
    this.requireModel('predict');
    const p = this.predictProba(flows);
    return this.decide(p);
  }

  /** Labels from probabilities by the decision rule. */
  private decide(p: Probabilities): string[] {
    const s = this.state!;
    const k = p.classes.length;
    const out = new Array<string>(p.rows);
    for (let i = 0; i < p.rows; i++) {
      let best = -1;
      let bestP = -Infinity;
      const anomalous = s.threshold !== null ? 1 - p.data[i * k + s.benignIndex]! > s.threshold : null;
      for (let c = 0; c < k; c++) {
        if (anomalous === true && c === s.benignIndex && k > 1) continue;
        const v = p.data[i * k + c]!;
        if (v > bestP) {
          bestP = v;
          best = c;
        }
      }
      out[i] = anomalous === false ? p.classes[s.benignIndex]! : p.classes[best]!;
    }
    return out;
  }

  /** Scores labelled flows: accuracy, per-class precision/recall/F1/specificity, macro and weighted averages, confusion matrix. */
  evaluate(data: LabelledFlows): ClassificationReport {
    return evaluateWith(this, data);
  }

  /** Writes `detector.json` (format, version, options, fitted preprocessing, threshold) and the model (`model.json` + `weights.bin`) into `dir`. */
  async save(dir: string): Promise<void> {
    const { state, net } = this.requireModel('save');
    await mkdir(dir, { recursive: true });
    await net.save(fileSystem(dir));
    const json: DetectorJSON = { format: DETECTOR_FORMAT, version: DETECTOR_FORMAT_VERSION, options: this.options, state };
    await writeFile(path.join(dir, 'detector.json'), `${JSON.stringify(json, null, 1)}\n`);
  }

  /** Reads a detector written by {@link save}. */
  static async load(dir: string): Promise<Detector> {
    const json = await readVersionedJson<DetectorJSON>(path.join(dir, 'detector.json'), DETECTOR_FORMAT, DETECTOR_FORMAT_VERSION);
    const d = new Detector(json.options);
    d.state = json.state;
    d.oneHot = json.state.oneHot ? OneHotEncoder.fromJSON(json.state.oneHot) : null;
    d.scaler = MinMaxScaler.fromJSON(json.state.scaler);
    d.labelEncoder = LabelEncoder.fromJSON(json.state.labels);
    d.net = await tfl.loadLayersModel(fileSystem(dir));
    return d;
  }

  /** Frees the model's tensors. */
  dispose(): void {
    this.net?.dispose();
    this.net = undefined;
  }
}
