import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError, ValueError } from '../errors.js';
import { fusedAdam } from '../optim/fused-adam.js';
import { isOptimizer, setLearningRate } from '../optim/learning-rate.js';
import { Rng, type Seed } from '../util/rng.js';
import { resolveLoss, type LossFn, type LossName } from './losses.js';
import { Progress, type TextSink, type Verbosity } from './progress.js';

/** Inputs and targets. `y` is either class indices (1-D, one-hot encoded for you) or targets shaped like the model output. */
export interface TrainData {
  /** Inputs, first axis = samples, remaining axes = the model's input shape. */
  x: tf.Tensor;
  /** Class indices `[n]` (int32 or float), or targets `[n, ...outputShape]`. */
  y: tf.Tensor;
}

/** Per-epoch numbers: `loss`, `accuracy`, `valLoss`, `valAccuracy`, `lr` (when known). */
export type EpochLogs = Record<string, number>;

/** What {@link trainModel} returns. */
export interface History {
  /** Epoch indices (0-based) that completed. */
  epoch: number[];
  /** One array per logged quantity, aligned with `epoch`. */
  history: Record<string, number[]>;
  /** The epoch whose monitored value was best (for early stopping; the last epoch otherwise). */
  bestEpoch: number;
  /** True when early stopping ended training. */
  stoppedEarly: boolean;
  /** True when Ctrl-C (SIGINT) or `signal` ended training; a checkpoint was saved if configured. */
  interrupted: boolean;
  /** Optimizer steps taken. */
  steps: number;
  /** Wall-clock seconds spent in training (validation included). */
  seconds: number;
}

/** Early stopping, as in Keras' `EarlyStopping` callback. */
export interface EarlyStoppingOptions {
  /** Quantity to watch (default `valLoss` with validation data, else `loss`). `*Accuracy` is maximised, the rest minimised. */
  monitor?: string;
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when training ends (default true). */
  restoreBestWeights?: boolean;
}

/** Why a checkpoint is being saved. */
export type CheckpointReason = 'epoch' | 'interrupt' | 'end';

/** Checkpointing: `save` is called with the model at the end of every `every` epochs, on Ctrl-C, and at the end. */
export interface CheckpointOptions {
  /** Saves the model (e.g. `model.save(fileSystem(dir))`). */
  save: (model: tfl.LayersModel, info: { epoch: number; reason: CheckpointReason }) => unknown;
  /** Save every this many epochs (default 1); 0 saves only on interruption and at the end. */
  every?: number;
}

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /** Passes over the data (default 10). */
  epochs?: number;
  /** Samples per optimizer step (default 32). */
  batchSize?: number;
  /** Reshuffle the samples every epoch (default true), with `seed`. */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0). */
  seed?: Seed;
  /**
   * Any `tf.Optimizer` (default `fusedAdam(1e-3)`: `tf.train.adam`'s update, bit-identical, in one pass per variable on cpu;
   * created for the call and disposed at its end, so each call starts from fresh moments). A SAM optimizer's `minimize` evaluates the
   * loss twice per step; the loop does not need to know.
   */
  optimizer?: tf.Optimizer;
  /** Loss function or name (default `categoricalCrossentropy` on probabilities). */
  loss?: LossFn | LossName;
  /** Learning rate as a function of the optimizer step (0-based), applied before each step. */
  schedule?: (step: number) => number;
  /**
   * Per-class loss weights (class index -> weight) or `'balanced'` (n / (k * count), as
   * scikit-learn). Needs a loss that returns one value per sample.
   */
  classWeight?: Record<number, number> | 'balanced';
  /** Data evaluated (in inference mode) after every epoch. */
  validationData?: TrainData;
  /** Stop when the monitored quantity stops improving. */
  earlyStopping?: EarlyStoppingOptions;
  /** Save checkpoints. */
  checkpoint?: CheckpointOptions;
  /** Stop cleanly on Ctrl-C (SIGINT), saving a checkpoint if configured (default true). */
  handleInterrupt?: boolean;
  /** Stop cleanly when this signal aborts (checked after each step). */
  signal?: AbortSignal;
  /** Compute accuracy (default: when `y` holds class indices or one-hot rows). */
  accuracy?: boolean;
  /** `auto` (default): a progress bar in a terminal, one line per epoch otherwise. */
  verbose?: Verbosity;
  /** Where progress goes (default process.stdout). */
  output?: TextSink;
  /** Called after every epoch with its logs. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => unknown;
}


function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(name, 'a positive integer', v);
  return v;
}

/** Resolves class weights into a `[numClasses]` array. */
export function resolveClassWeight(cw: Record<number, number> | 'balanced', labels: Int32Array, numClasses: number): Float32Array {
  const w = new Float32Array(numClasses).fill(1);
  if (cw === 'balanced') {
    const counts = new Float64Array(numClasses);
    for (const c of labels) counts[c] = (counts[c] ?? 0) + 1;
    const present = counts.filter((c) => c > 0).length;
    for (let c = 0; c < numClasses; c++) {
      const n = counts[c] ?? 0;
      w[c] = n > 0 ? labels.length / (present * n) : 0;
    }
    return w;
  }
  for (const [k, v] of Object.entries(cw)) {
    const c = Number(k);
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new ValueError('classWeight', `class indices in [0, ${numClasses})`, k);
    if (!Number.isFinite(v) || v < 0) throw new ValueError(`classWeight[${k}]`, 'a finite non-negative number', v);
    w[c] = v;
  }
  return w;
}

function outputShape(model: tfl.LayersModel): number[] {
  if (model.outputs.length !== 1) throw new ValueError('model', 'a model with one output', `${model.outputs.length} outputs`);
  return model.outputs[0]!.shape.slice(1).map((d) => d ?? -1);
}

interface PreparedData {
  x: tf.Tensor;
  y: tf.Tensor;
  labels: Int32Array | null;
  n: number;
}

function prepare(data: TrainData, name: string, outShape: number[]): PreparedData {
  const { x, y } = data;
  if (!(x instanceof tf.Tensor) || !(y instanceof tf.Tensor)) throw new ValueError(name, '{ x: Tensor, y: Tensor }', data);
  const n = x.shape[0] ?? 0;
  if (n === 0) throw new ShapeError(`${name}.x`, 'at least one sample', x);
  if (y.shape[0] !== n) throw new ShapeError(`${name}.y`, `${n} rows (as x)`, y);
  if (y.rank === 1 && !(outShape.length === 1 && outShape[0] === 1)) {
    const k = outShape[outShape.length - 1] ?? 0;
    const labels = Int32Array.from(y.dataSync(), (v) => Math.round(v));
    for (const c of labels) if (c < 0 || c >= k) throw new ValueError(`${name}.y`, `class indices in [0, ${k})`, c);
    const idx = tf.tensor1d(labels, 'int32');
    const oh = tf.tidy(() => tf.cast(tf.oneHot(idx, k), 'float32'));
    idx.dispose();
    return { x, y: oh, labels, n };
  }
  const want = [n, ...outShape];
  if (y.rank !== want.length || want.some((d, i) => d >= 0 && y.shape[i] !== d)) throw new ShapeError(`${name}.y`, `shape [${want.join(', ')}]`, y);
  let labels: Int32Array | null = null;
  if (y.rank === 2 && (outShape[0] ?? 0) > 1) {
    const am = tf.argMax(y, -1);
    labels = am.dataSync() as Int32Array;
    am.dispose();
  }
  return { x, y: y.clone(), labels, n };
}

function reduceLoss(perSample: tf.Tensor, weights: tf.Tensor | null): tf.Scalar {
  if (perSample.rank === 0) {
    if (weights) throw new ValueError('loss', 'a loss returning one value per sample when classWeight is set', 'a scalar');
    return perSample as tf.Scalar;
  }
  const l = perSample.rank > 1 ? tf.mean(perSample, Array.from({ length: perSample.rank - 1 }, (_, i) => i + 1)) : perSample;
  return (weights ? tf.mean(tf.mul(l, weights)) : tf.mean(l)) as tf.Scalar;
}

function correctCount(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1)), 'float32'));
}

/** Evaluates loss (unweighted) and accuracy in inference mode, in batches. */
export function evaluateModel(
  model: tfl.LayersModel,
  data: TrainData,
  options: { loss?: LossFn | LossName; batchSize?: number; accuracy?: boolean } = {},
): EpochLogs {
  const lossFn = resolveLoss(options.loss ?? 'categoricalCrossentropy');
  const p = prepare(data, 'data', outputShape(model));
  const bs = options.batchSize ?? 256;
  let lossSum = 0;
  let correct = 0;
  const wantAcc = options.accuracy ?? p.labels !== null;
  try {
    for (let start = 0; start < p.n; start += bs) {
      const size = Math.min(bs, p.n - start);
      const [l, c] = tf.tidy((): tf.Scalar[] => {
        const xb = tf.slice(p.x, start, size);
        const yb = tf.slice(p.y, start, size);
        const pred = model.apply(xb, { training: false }) as tf.Tensor;
        const loss = reduceLoss(lossFn(yb, pred), null);
        return [tf.mul(loss, size), wantAcc ? correctCount(yb, pred) : tf.scalar(0)];
      });
      lossSum += l!.dataSync()[0] ?? 0;
      correct += c!.dataSync()[0] ?? 0;
      l!.dispose();
      c!.dispose();
    }
  } finally {
    p.y.dispose();
  }
  const logs: EpochLogs = { loss: lossSum / p.n };
  if (wantAcc) logs.accuracy = correct / p.n;
  return logs;
}

/**
 * Trains a one-output tfjs-layers model with a custom loop: seeded shuffling, any optimizer (SAM
 * included), learning-rate schedules, class weights, validation, early stopping, checkpoints and a
 * clean stop on Ctrl-C. Leaves no tensors behind but the optimizer's own state.
 *
 * @example
 * ```ts
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })] });
 * const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
 * const y = tf.tensor2d([[1, 0], [0, 1], [0, 1], [0, 1]]);
 * const h = await trainModel(model, { x, y }, { epochs: 3, batchSize: 2, loss: 'categoricalCrossentropy', seed: 0, verbose: 'silent' });
 * h.epoch; // [0, 1, 2]
 * h.history.loss.length; // 3 (also h.history.accuracy)
 * x.dispose();
 * y.dispose();
 * ```
 */
export async function trainModel(model: tfl.LayersModel, data: TrainData, options: TrainOptions = {}): Promise<History> {
  const epochs = positiveInt('epochs', options.epochs ?? 10);
  const batchSize = positiveInt('batchSize', options.batchSize ?? 32);
  const shuffle = options.shuffle ?? true;
  // A default optimizer is ours to dispose (its moments would otherwise outlive the call).
  const ownOptimizer = options.optimizer === undefined;
  const optimizer = options.optimizer ?? fusedAdam(1e-3);
  if (!isOptimizer(optimizer)) throw new ValueError('optimizer', 'a tf.Optimizer', optimizer);
  const lossFn = resolveLoss(options.loss ?? 'categoricalCrossentropy');
  const outShape = outputShape(model);
  const rng = new Rng(options.seed ?? 0);
  const progress = new Progress(options.verbose ?? 'auto', options.output);
  const every = options.checkpoint?.every ?? 1;
  if (!Number.isInteger(every) || every < 0) throw new ValueError('checkpoint.every', 'a non-negative integer', every);

  const train = prepare(data, 'data', outShape);
  const val = options.validationData ? prepare(options.validationData, 'validationData', outShape) : null;
  const wantAcc = options.accuracy ?? train.labels !== null;
  let classW: tf.Tensor1D | null = null;
  if (options.classWeight !== undefined) {
    if (!train.labels) throw new ValueError('classWeight', 'class-index or one-hot targets', 'other targets');
    classW = tf.tensor1d(resolveClassWeight(options.classWeight, train.labels, outShape[outShape.length - 1] ?? 0));
  }

  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const es = options.earlyStopping;
  const monitor = es?.monitor ?? (val ? 'valLoss' : 'loss');
  const maximize = /accuracy$/i.test(monitor);
  const patience = es?.patience ?? 5;
  const minDelta = es?.minDelta ?? 0;
  let best = maximize ? -Infinity : Infinity;
  let bestWeights: tf.Tensor[] | null = null;
  let wait = 0;

  const history: History = { epoch: [], history: {}, bestEpoch: -1, stoppedEarly: false, interrupted: false, steps: 0, seconds: 0 };
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
  };
  const handleInterrupt = options.handleInterrupt ?? true;
  if (handleInterrupt) process.on('SIGINT', onSigint);
  const t0 = performance.now();
  const save = async (epoch: number, reason: CheckpointReason): Promise<void> => {
    if (!options.checkpoint) return;
    await options.checkpoint.save(model, { epoch, reason });
    if (reason !== 'epoch') progress.note(`checkpoint saved (${reason}, epoch ${epoch + 1})`);
  };

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const te = performance.now();
      const order = shuffle ? rng.permutation(train.n) : Int32Array.from({ length: train.n }, (_, i) => i);
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      const nBatches = Math.ceil(train.n / batchSize);
      let lr: number | undefined;
      for (let b = 0; b < nBatches; b++) {
        if (options.schedule) {
          lr = options.schedule(history.steps);
          setLearningRate(optimizer, lr);
        }
        const idxArr = order.subarray(b * batchSize, Math.min(train.n, (b + 1) * batchSize));
        const size = idxArr.length;
        let corr: tf.Scalar | null = null;
        const cost = tf.tidy(() => {
          const idx = tf.tensor1d(idxArr, 'int32');
          const xb = tf.gather(train.x, idx);
          const yb = tf.gather(train.y, idx);
          const wb = classW ? tf.gather(classW, tf.argMax(yb, -1)) : null;
          return optimizer.minimize(
            () => {
              const pred = model.apply(xb, { training: true }) as tf.Tensor;
              // SAM evaluates twice; accuracy is that of the first (unperturbed) pass.
              if (wantAcc && corr === null) corr = tf.keep(correctCount(yb, pred));
              return reduceLoss(lossFn(yb, pred), wb);
            },
            true,
            vars,
          ) ?? tf.scalar(NaN);
        });
        history.steps++;
        const l = cost.dataSync()[0] ?? NaN;
        cost.dispose();
        if (corr !== null) {
          correct += (corr as tf.Scalar).dataSync()[0] ?? 0;
          (corr as tf.Scalar).dispose();
        }
        lossSum += l * size;
        seen += size;
        progress.batch(epoch, epochs, b + 1, nBatches, lossSum / seen);
        if (options.signal?.aborted) interrupted = true;
        if (interrupted) break;
        // Yield so that SIGINT and abort handlers can run between steps.
        if ((b & 7) === 7) await new Promise((r) => setImmediate(r));
      }
      if (interrupted) {
        history.interrupted = true;
        progress.note(`interrupted during epoch ${epoch + 1}`);
        await save(epoch, 'interrupt');
        break;
      }
      const logs: EpochLogs = { loss: lossSum / seen };
      if (wantAcc) logs.accuracy = correct / seen;
      if (val) {
        const vl = evaluateModel(model, { x: val.x, y: val.y }, { loss: lossFn, batchSize: Math.max(batchSize, 256), accuracy: wantAcc });
        logs.valLoss = vl.loss ?? NaN;
        if (vl.accuracy !== undefined) logs.valAccuracy = vl.accuracy;
      }
      if (lr !== undefined) logs.lr = lr;
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      progress.epoch(epoch, epochs, logs, (performance.now() - te) / 1000);
      await options.onEpochEnd?.(epoch, logs);
      if (every > 0 && (epoch + 1) % every === 0) await save(epoch, 'epoch');

      const current = logs[monitor];
      if (es && current === undefined) throw new ValueError('earlyStopping.monitor', `one of ${Object.keys(logs).join(', ')}`, monitor);
      if (current !== undefined && (maximize ? current > best + minDelta : current < best - minDelta)) {
        best = current;
        history.bestEpoch = epoch;
        wait = 0;
        if (es && (es.restoreBestWeights ?? true)) {
          bestWeights?.forEach((t) => t.dispose());
          bestWeights = model.getWeights().map((w) => w.clone());
        }
      } else if (es) {
        wait++;
        if (wait >= patience) {
          history.stoppedEarly = true;
          progress.note(`early stopping after epoch ${epoch + 1}: ${monitor} has not improved for ${patience} epochs (best ${best.toFixed(4)} at epoch ${history.bestEpoch + 1})`);
          break;
        }
      }
    }
    if (bestWeights && history.bestEpoch >= 0 && history.bestEpoch !== history.epoch[history.epoch.length - 1]) {
      model.setWeights(bestWeights);
    }
    if (history.bestEpoch < 0 && history.epoch.length > 0) history.bestEpoch = history.epoch[history.epoch.length - 1]!;
    if (!history.interrupted && every === 0) await save(history.epoch[history.epoch.length - 1] ?? 0, 'end');
  } finally {
    if (handleInterrupt) process.off('SIGINT', onSigint);
    bestWeights?.forEach((t) => t.dispose());
    train.y.dispose();
    val?.y.dispose();
    classW?.dispose();
    if (ownOptimizer) optimizer.dispose();
    history.seconds = (performance.now() - t0) / 1000;
  }
  return history;
}
