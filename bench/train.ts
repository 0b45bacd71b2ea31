/**
 * The two workloads of issue 7 on the embedded cpu backend, against PyTorch (1 thread) measured in
 * the same run: a BiGRU classifier (T=20, F=32, 2 bidirectional layers of 64, Dense 16) and a
 * ResCAE-like conv autoencoder on [batch, 1, 78, 1] 'images' (kernels 1x3, strides 1x2).
 * `--quick`: batch 64, 2 timed steps, no stock run (BENCH_NO_STOCK=1 skips it at batch 256 too). The full run also times stock tfjs-layers /
 * stock kernels (flowsentry's kernels switched off) on the same backend. flowsentry uses its worker
 * thread (the second core) for large products and the recurrent kernels; BENCH_ONE_THREAD=1 turns
 * it off, for a one-core comparison with PyTorch's single thread. BENCH_FUSION=1 also times the conv
 * AE's inference with fused ops (conv + bias (+ relu), and the residual block's closing
 * convolution with its skip connection) against separate ops, alternating in-process;
 * BENCH_TRAIN_AB=1 its train step with the fused ops' own gradients against the tfjs compositions
 * they ran while training before, alternating in-process (BENCH_AB_ONLY=1: only that).
 * BENCH_ADAM_AB=1: both train steps, and Adam's update alone, with tf.train.adam against
 * flowsentry's one-pass FusedAdam (what the timed steps use), alternating in-process, BENCH_ADAM_STEPS
 * steps per block (default 20; BENCH_MODEL=bigru or convae: only that model; BENCH_AB_ONLY=1: only that).
 *
 * flowsentry's two models are timed each in a fresh child process (this script again, with
 * BENCH_CHILD=1 BENCH_MODEL=bigru or convae), as each would train alone: timed one after the other
 * in one process, the conv AE's steps ran after the BiGRU's training and V8 then ran a full
 * mark-compact every 1.6 of them (3.07 against 2.58 times PyTorch, one thread). BENCH_ONE_PROCESS=1
 * times both in this process instead; BENCH_MODEL=bigru or convae times only that one (PyTorch's run
 * is unchanged).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileURLToPath } from 'node:url';
import { fusedConv2d } from '../src/kernels/conv-bias.js';
import { fusedConv2dResidual } from '../src/kernels/conv-residual.js';
import { fusedConv2dTranspose } from '../src/kernels/conv-transpose.js';
import { biGruFinalStates, biGruSequence } from '../src/kernels/recurrent.js';
import { gemmKernel, parallelThreads } from '../src/kernels/gemm.js';
import { setPoolEnabled } from '../src/kernels/pool.js';
import { setFlowsentryKernels } from '../src/kernels/switch.js';
import { fusedAdam } from '../src/optim/fused-adam.js';
import { alternateMedians, elapsedMs, median, runBenchChild, peakRssMb, printTable, pythonHas, runPython, timeMedian } from './util.js';

export const T = 20;
export const F = 32;
export const U = 64;
export const CLASSES = 16;
export const AE_F = 78;
const C1 = 32;
const C2 = 64;

function glorot(shape: number[], seed: number): tf.Variable {
  const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0] ?? 1;
  return tf.variable(tf.randomUniform(shape, -Math.sqrt(3 / fanIn), Math.sqrt(3 / fanIn), 'float32', seed));
}

/** BiGRU on flowsentry's sequence op (fused on cpu). */
export function buildBiGru(): { vars: tf.Variable[]; forward: (x: tf.Tensor3D) => tf.Tensor2D } {
  const vars: tf.Variable[] = [];
  let seed = 1;
  const dir = (inF: number) => {
    const d = {
      kernel: glorot([inF, 3 * U], seed++),
      recurrentKernel: glorot([U, 3 * U], seed++),
      inputBias: tf.variable(tf.zeros([3 * U])),
      recurrentBias: tf.variable(tf.zeros([3 * U])),
    };
    vars.push(d.kernel, d.recurrentKernel, d.inputBias, d.recurrentBias);
    return d;
  };
  const l1f = dir(F);
  const l1b = dir(F);
  const l2f = dir(2 * U);
  const l2b = dir(2 * U);
  const dense = glorot([2 * U, CLASSES], seed++);
  const denseBias = tf.variable(tf.zeros([CLASSES]));
  vars.push(dense, denseBias);
  const weights = (d: ReturnType<typeof dir>) => ({ kernel: d.kernel as tf.Tensor2D, recurrentKernel: d.recurrentKernel as tf.Tensor2D, inputBias: d.inputBias as tf.Tensor1D, recurrentBias: d.recurrentBias as tf.Tensor1D });
  const forward = (x: tf.Tensor3D) => {
    // Each layer one two-direction op: one call at inference; while training two ops, with a concat
    // for layer 1 and, for layer 2, the final states sliced without a concat of the whole sequence.
    const h1 = biGruSequence({ x, forward: weights(l1f), backward: weights(l1b) });
    const last = biGruFinalStates({ x: h1, forward: weights(l2f), backward: weights(l2b) });
    return tf.add(tf.matMul(last, dense), denseBias) as tf.Tensor2D;
  };
  return { vars, forward };
}

/** Conv + bias (+ relu) in one op, as PyTorch's Conv2d(bias=True) (+ F.relu); fused while training too. */
function conv(x: tf.Tensor4D, w: tf.Variable, b: tf.Variable, stride: number, activation: 'linear' | 'relu' = 'linear'): tf.Tensor4D {
  return fusedConv2d({ x, filter: w as tf.Tensor4D, strides: [1, stride], pad: 'same', bias: b as tf.Tensor1D, activation });
}

/** Transposed conv + bias (+ relu) in one op, as PyTorch's ConvTranspose2d(bias=True) (+ F.relu). */
function convT(x: tf.Tensor4D, w: tf.Variable, b: tf.Variable, outW: number, outC: number, activation: 'linear' | 'relu' = 'linear'): tf.Tensor4D {
  return fusedConv2dTranspose({ x, filter: w as tf.Tensor4D, outputShape: [x.shape[0], 1, outW, outC], strides: [1, 2], pad: 'same', bias: b as tf.Tensor1D, activation });
}

/** ResCAE-like conv autoencoder; the same layers as bench/train_torch.py's ConvAe. */
export function buildConvAe(): {
  vars: tf.Variable[];
  forward: (x: tf.Tensor4D) => tf.Tensor4D;
  forwardSeparate: (x: tf.Tensor4D) => tf.Tensor4D;
  forwardComposed: (x: tf.Tensor4D) => tf.Tensor4D;
} {
  let seed = 100;
  const w = (shape: number[]) => glorot(shape, seed++);
  const z = (n: number) => tf.variable(tf.zeros([n]));
  const p = {
    e1: w([1, 3, 1, C1]), e1b: z(C1),
    r1: w([1, 3, C1, C1]), r1b: z(C1),
    r2: w([1, 3, C1, C1]), r2b: z(C1),
    e2: w([1, 3, C1, C2]), e2b: z(C2),
    d1: w([1, 3, C1, C2]), d1b: z(C1),
    d2: w([1, 3, 1, C1]), d2b: z(1),
  };
  const w1 = Math.ceil(AE_F / 2);
  const forward = (x: tf.Tensor4D) => {
    let a = conv(x, p.e1, p.e1b, 2, 'relu');
    // relu(a + conv(...)) with the skip connection in the convolution's epilogue.
    a = fusedConv2dResidual({ x: conv(a, p.r1, p.r1b, 1, 'relu'), filter: p.r2 as tf.Tensor4D, strides: 1, pad: 'same', bias: p.r2b as tf.Tensor1D, residual: a });
    a = conv(a, p.e2, p.e2b, 2, 'relu');
    a = convT(a, p.d1, p.d1b, w1, C1, 'relu');
    return convT(a, p.d2, p.d2b, AE_F, 1);
  };
  // The same model with the bias and relu as separate ops (a tensor per step), for BENCH_FUSION.
  const separate = (x: tf.Tensor4D, w: tf.Variable, b: tf.Variable, stride: number) => tf.add<tf.Tensor4D>(tf.conv2d(x, w as tf.Tensor4D, [1, stride], 'same'), b);
  const separateT = (x: tf.Tensor4D, w: tf.Variable, b: tf.Variable, outW: number, outC: number) =>
    tf.add<tf.Tensor4D>(tf.conv2dTranspose(x, w as tf.Tensor4D, [x.shape[0], 1, outW, outC], [1, 2], 'same'), b);
  const forwardSeparate = (x: tf.Tensor4D) => {
    let a = tf.relu(separate(x, p.e1, p.e1b, 2));
    a = tf.relu(tf.add<tf.Tensor4D>(a, separate(tf.relu(separate(a, p.r1, p.r1b, 1)), p.r2, p.r2b, 1)));
    a = tf.relu(separate(a, p.e2, p.e2b, 2));
    a = tf.relu(separateT(a, p.d1, p.d1b, w1, C1));
    return separateT(a, p.d2, p.d2b, AE_F, 1);
  };
  // What the model ran while training before the fused ops had gradients of their own: tfjs's
  // tf.fused.conv2d (conv, add, relu while recording) and the compositions of the other two ops.
  const composedT = (x: tf.Tensor4D, w: tf.Variable, b: tf.Variable, outW: number, outC: number) => tf.relu(separateT(x, w, b, outW, outC));
  const forwardComposed = (x: tf.Tensor4D) => {
    const fused = (xi: tf.Tensor4D, w: tf.Variable, b: tf.Variable, stride: number, activation: 'linear' | 'relu') =>
      tf.fused.conv2d({ x: xi, filter: w as tf.Tensor4D, strides: [1, stride], pad: 'same', bias: b, activation });
    let a = fused(x, p.e1, p.e1b, 2, 'relu');
    a = tf.relu(tf.add<tf.Tensor4D>(fused(fused(a, p.r1, p.r1b, 1, 'relu'), p.r2, p.r2b, 1, 'linear'), a));
    a = fused(a, p.e2, p.e2b, 2, 'relu');
    a = composedT(a, p.d1, p.d1b, w1, C1);
    return separateT(a, p.d2, p.d2b, AE_F, 1);
  };
  return { vars: Object.values(p), forward, forwardSeparate, forwardComposed };
}

/**
 * BENCH_FUSION=1: conv AE inference with the fused ops (conv + bias (+ relu), the residual in the
 * closing convolution's epilogue) against the same model with separate ops, alternating in this
 * process (so both see the same load), 40 calls each.
 */
function compareFusion(ae: ReturnType<typeof buildConvAe>, img: tf.Tensor4D): void {
  const run = (f: (x: tf.Tensor4D) => tf.Tensor4D) => () =>
    elapsedMs(() => {
      const y = tf.tidy(() => f(img));
      y.dataSync();
      y.dispose();
    });
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(ae.forward(img), ae.forwardSeparate(img)))).dataSync()[0] as number);
  const [sep, fused] = alternateMedians([run(ae.forwardSeparate), run(ae.forward)], 40)[0] as [number, number];
  console.log(`\nconv AE inference, 40 alternating calls each: separate ops ${sep.toFixed(2)} ms, fused ops ${fused.toFixed(2)} ms (${((1 - fused / sep) * 100).toFixed(1)} % less); max |difference| ${diff}`);
}

/**
 * BENCH_TRAIN_AB=1: the conv AE train step (Adam) with the fused ops' own gradients against the
 * tfjs compositions they used to run while recording, alternating in this process, 3 blocks of 30
 * steps each; prints each block's medians and the largest gradient difference.
 */
function compareTrainFusion(ae: ReturnType<typeof buildConvAe>, img: tf.Tensor4D): void {
  const loss = (f: (x: tf.Tensor4D) => tf.Tensor4D) => () => tf.losses.meanSquaredError(img, f(img)) as tf.Scalar;
  const grads = (f: (x: tf.Tensor4D) => tf.Tensor4D) => tf.variableGrads(loss(f), ae.vars);
  const gNew = grads(ae.forward);
  const gOld = grads(ae.forwardComposed);
  let diff = 0;
  for (const name of Object.keys(gOld.grads)) {
    const a = gNew.grads[name] as tf.Tensor;
    const b = gOld.grads[name] as tf.Tensor;
    diff = Math.max(diff, tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number) / Math.max(1e-30, tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0] as number)));
  }
  tf.dispose([gNew.value, gOld.value, ...Object.values(gNew.grads), ...Object.values(gOld.grads)]);
  const optNew = tf.train.adam(1e-3);
  const optOld = tf.train.adam(1e-3);
  const step = (opt: tf.Optimizer, f: (x: tf.Tensor4D) => tf.Tensor4D) => () =>
    elapsedMs(() => {
      const cost = opt.minimize(loss(f), true, ae.vars);
      cost?.dataSync();
      cost?.dispose();
    });
  const blocks = alternateMedians([step(optOld, ae.forwardComposed), step(optNew, ae.forward)], 30, 3).map(([o, f]) => `${o!.toFixed(2)} -> ${f!.toFixed(2)}`);
  optNew.dispose();
  optOld.dispose();
  console.log(`\nconv AE train step, composition -> fused gradients, medians of 3 x 30 alternating steps: ${blocks.join(', ')} ms; max relative gradient difference ${diff.toExponential(2)}`);
}

/**
 * BENCH_ADAM_AB=1: per model, the whole train step and Adam's update alone (applyGradients on one
 * fixed set of gradients) with tf.train.adam and with FusedAdam, alternating in this process, 3
 * blocks of `steps` each; prints each block's medians (tfjs -> fused). Each optimizer trains its own
 * copy of the model (built from the same seeds): the updates being bit-identical, both copies follow
 * one trajectory, so both arms time the same weights. With two conv AEs in one process the steps
 * slow down from about 30 to 40 ms within a hundred (one model alone stays at 28): compare arms
 * within a block only. BENCH_ADAM=tfjs makes the timed steps below use tf.train.adam instead,
 * for an A/B across processes (BENCH_CHILD=1).
 */
function compareAdam(models: { name: string; build: () => { vars: tf.Variable[]; loss: () => tf.Scalar } }[], steps: number): void {
  for (const { name, build } of models) {
    const runs = [
      { opt: tf.train.adam(1e-3) as tf.Optimizer, ...build() },
      { opt: fusedAdam(1e-3) as tf.Optimizer, ...build() },
    ];
    const step = (r: (typeof runs)[number]) =>
      elapsedMs(() => {
        const cost = r.opt.minimize(r.loss, true, r.vars);
        cost?.dataSync();
        cost?.dispose();
      });
    const gradsOf = runs.map((r) => {
      const { value, grads } = tf.variableGrads(r.loss, r.vars);
      value.dispose();
      return grads;
    });
    const update = (r: (typeof runs)[number]) => elapsedMs(() => r.opt.applyGradients(gradsOf[runs.indexOf(r)] as tf.NamedTensorMap));
    const vars = runs[0]?.vars ?? [];
    const size = vars.reduce((a, v) => a + v.size, 0);
    // The steps first: thousands of updates with one fixed gradient carry the weights far away.
    for (const [what, fn, n] of [
      ['train step', step, steps],
      ['update alone', update, 4 * steps],
    ] as const) {
      const blocks = alternateMedians(runs.map((r) => () => fn(r)), n, 3).map(([t, f]) => `${t!.toFixed(3)} -> ${f!.toFixed(3)}`);
      console.log(`${name} (${vars.length} variables, ${size} weights) ${what}, tf.train.adam -> FusedAdam, medians of 3 x ${n} alternating: ${blocks.join(', ')} ms`);
    }
    for (const [i, r] of runs.entries()) {
      tf.dispose([...r.vars, ...Object.values(gradsOf[i] as tf.NamedTensorMap)]);
      r.opt.dispose();
    }
  }
}

/** Stock tfjs-layers BiGRU with the same sizes (tfjs's GRU only has reset-before: same cost). */
function buildStockBiGru(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.bidirectional({ layer: tfl.layers.gru({ units: U, returnSequences: true }) as tfl.RNN, inputShape: [T, F] }));
  m.add(tfl.layers.bidirectional({ layer: tfl.layers.gru({ units: U }) as tfl.RNN }));
  m.add(tfl.layers.dense({ units: CLASSES }));
  return m;
}

/** Forward multiply-adds x2 of each workload (training counted as 3x forward). */
function bigruFlops(batch: number): number {
  const dir = (inF: number) => 2 * batch * T * (inF * 3 * U + U * 3 * U);
  return 2 * dir(F) + 2 * dir(2 * U) + 2 * batch * 2 * U * CLASSES;
}

function caeFlops(batch: number): number {
  const w1 = Math.ceil(AE_F / 2);
  const w2 = Math.ceil(w1 / 2);
  const c = (outW: number, ci: number, co: number) => 2 * batch * outW * 3 * ci * co;
  return c(w1, 1, C1) + 2 * c(w1, C1, C1) + c(w2, C1, C2) + c(w2, C2, C1) + c(w1, C1, 1);
}

interface TorchTimes {
  bigru_train_ms: number;
  bigru_infer_ms: number;
  cae_train_ms: number;
  cae_infer_ms: number;
}

export async function main(options: { quick: boolean }): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  if (process.env['BENCH_ONE_THREAD'] === '1') setPoolEnabled(false);
  const batch = options.quick ? 64 : 256;
  const repeats = options.quick ? 2 : 5;
  // Untimed calls before the timed ones, the same in PyTorch's script: every round starts fresh
  // processes on both sides, and V8 needs about ten training steps to reach its steady speed
  // (one-thread conv AE steps 1-8: 60-105, 26-50 ms; steps 10-25: 21-27 ms), PyTorch one or two.
  const warmup = options.quick ? 1 : Number(process.env['BENCH_WARMUP'] ?? 10);
  const x = tf.randomNormal([batch, T, F], 0, 1, 'float32', 7) as tf.Tensor3D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, CLASSES, 'int32', 8), CLASSES);
  const img = tf.randomUniform([batch, 1, AE_F, 1], 0, 1, 'float32', 9) as tf.Tensor4D;

  const gru = buildBiGru();
  const ae = buildConvAe();
  const makeAdam = () => (process.env['BENCH_ADAM'] === 'tfjs' ? tf.train.adam(1e-3) : fusedAdam(1e-3));
  const optG = makeAdam();
  const optA = makeAdam();
  const gruStep = () => {
    const cost = optG.minimize(() => tf.losses.softmaxCrossEntropy(labels, gru.forward(x)), true, gru.vars);
    cost?.dataSync();
    cost?.dispose();
  };
  // Read the output outside tf.tidy: tidy walks a returned typed array element by element.
  const readAndDispose = (t: tf.Tensor) => {
    t.dataSync();
    t.dispose();
  };
  const gruInfer = () => readAndDispose(tf.tidy(() => gru.forward(x)));
  const aeStep = () => {
    const cost = optA.minimize(() => tf.losses.meanSquaredError(img, ae.forward(img)), true, ae.vars);
    cost?.dataSync();
    cost?.dispose();
  };
  const aeInfer = () => readAndDispose(tf.tidy(() => ae.forward(img)));
  // A child process (BENCH_CHILD=1) only times its model.
  const child = process.env['BENCH_CHILD'] === '1';
  if (process.env['BENCH_FUSION'] === '1' && !child) compareFusion(ae, img);
  const trainAb = process.env['BENCH_TRAIN_AB'] === '1' && !child;
  const adamAb = process.env['BENCH_ADAM_AB'] === '1' && !child;
  if (trainAb) compareTrainFusion(ae, img);
  if (adamAb) {
    // BENCH_MODEL=bigru or convae: only that one (the conv AE's steps slow down after the BiGRU's, see the top).
    const models = [
      {
        name: 'BiGRU',
        key: 'bigru',
        build: () => {
          const m = buildBiGru();
          return { vars: m.vars, loss: () => tf.losses.softmaxCrossEntropy(labels, m.forward(x)) as tf.Scalar };
        },
      },
      {
        name: 'conv AE',
        key: 'convae',
        build: () => {
          const m = buildConvAe();
          return { vars: m.vars, loss: () => tf.losses.meanSquaredError(img, m.forward(img)) as tf.Scalar };
        },
      },
    ].filter((m) => process.env['BENCH_MODEL'] === undefined || m.key === process.env['BENCH_MODEL']);
    compareAdam(models, options.quick ? 5 : Number(process.env['BENCH_ADAM_STEPS'] ?? 20) || 20);
  }
  if (trainAb || adamAb) {
    if (process.env['BENCH_AB_ONLY'] === '1') {
      tf.dispose([x, labels, img, ...gru.vars, ...ae.vars]);
      optG.dispose();
      optA.dispose();
      return;
    }
  }

  const only = process.env['BENCH_MODEL'];
  if (only !== undefined && only !== 'bigru' && only !== 'convae') throw new Error(`BENCH_MODEL: expected 'bigru' or 'convae', got '${only}'`);
  const measureHere = async () => ({
    gruTrain: only === 'convae' ? NaN : await timeMedian(gruStep, repeats, warmup),
    gruInfer: only === 'convae' ? NaN : await timeMedian(gruInfer, repeats, warmup),
    aeTrain: only === 'bigru' ? NaN : await timeMedian(aeStep, repeats, warmup),
    aeInfer: only === 'bigru' ? NaN : await timeMedian(aeInfer, repeats, warmup),
  });
  // One model per fresh process (see the top of this file), unless asked otherwise.
  const isolate = !child && only === undefined && process.env['BENCH_ONE_PROCESS'] !== '1';
  const childRss: Record<string, number> = {};
  const measureInChild = (model: 'bigru' | 'convae'): Awaited<ReturnType<typeof measureHere>> => {
    const times = runBenchChild<Awaited<ReturnType<typeof measureHere>> & { peakRssMb: number }>('train', options.quick, { BENCH_CHILD: '1', BENCH_MODEL: model }, 'BENCH_TIMES');
    childRss[model] = Math.max(childRss[model] ?? 0, times.peakRssMb);
    return times;
  };
  const measureOurs = async () => {
    if (!isolate) return measureHere();
    const g = measureInChild('bigru');
    const a = measureInChild('convae');
    return { gruTrain: g.gruTrain, gruInfer: g.gruInfer, aeTrain: a.aeTrain, aeInfer: a.aeInfer };
  };
  const ours = await measureOurs();
  if (child) {
    console.log(`BENCH_TIMES ${JSON.stringify({ ...ours, peakRssMb: peakRssMb() })}`);
    tf.dispose([x, labels, img, ...gru.vars, ...ae.vars]);
    optG.dispose();
    optA.dispose();
    return;
  }

  // Stock: tfjs-layers BiGRU and the same conv AE ops, flowsentry's kernels switched off. Seconds per
  // step, so only in the full run (--quick is for CI).
  const stockRepeats = 2;
  const skipStock = options.quick || process.env['BENCH_NO_STOCK'] === '1';
  const stock = skipStock ? null : buildStockBiGru();
  const optS = tf.train.adam(1e-3);
  let st = { gruTrain: NaN, gruInfer: NaN, aeTrain: NaN, aeInfer: NaN };
  if (stock !== null) {
    setFlowsentryKernels(false);
    const stockStep = () => {
      const cost = optS.minimize(() => tf.losses.softmaxCrossEntropy(labels, stock.apply(x) as tf.Tensor2D), true);
      cost?.dataSync();
      cost?.dispose();
    };
    st = {
      gruTrain: await timeMedian(stockStep, stockRepeats, 1),
      gruInfer: await timeMedian(() => readAndDispose(tf.tidy(() => stock.apply(x) as tf.Tensor)), stockRepeats, 0),
      aeTrain: await timeMedian(aeStep, stockRepeats, 0),
      aeInfer: await timeMedian(aeInfer, stockRepeats, 0),
    };
    setFlowsentryKernels(true);
  }

  let torch: TorchTimes | null = null;
  const hasTorch = pythonHas('torch');
  const script = fileURLToPath(new URL('./train_torch.py', import.meta.url));
  const runTorch = () => runPython<TorchTimes>(script, ['--batch', String(batch), '--repeats', String(repeats), '--warmup', String(warmup)]);
  if (hasTorch) torch = runTorch();
  else console.log('(PyTorch not importable by /usr/bin/python3: reference column empty)');
  // BENCH_ROUNDS=n: n - 1 more rounds of (flowsentry, then PyTorch) right after each other, each
  // giving its own ratios; on a shared machine the load moves between rounds, so their median
  // says more than one round.
  const rounds = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 1) || 1);
  const perRound: number[][] = [];
  if (torch !== null) {
    const ratios = (o: typeof ours, p: TorchTimes) => [o.gruTrain / p.bigru_train_ms, o.gruInfer / p.bigru_infer_ms, o.aeTrain / p.cae_train_ms, o.aeInfer / p.cae_infer_ms];
    perRound.push(ratios(ours, torch));
    for (let r = 1; r < rounds; r++) perRound.push(ratios(await measureOurs(), runTorch()));
  }

  const gf = (flops: number, ms: number) => flops / ms / 1e6;
  const rows: (string | number)[][] = [
    ['BiGRU train step', ours.gruTrain, st.gruTrain, torch?.bigru_train_ms ?? NaN, 3 * bigruFlops(batch)],
    ['BiGRU inference', ours.gruInfer, st.gruInfer, torch?.bigru_infer_ms ?? NaN, bigruFlops(batch)],
    ['conv AE train step', ours.aeTrain, st.aeTrain, torch?.cae_train_ms ?? NaN, 3 * caeFlops(batch)],
    ['conv AE inference', ours.aeInfer, st.aeInfer, torch?.cae_infer_ms ?? NaN, caeFlops(batch)],
  ].map(([name, o, s, p, fl]) => [
    name as string,
    o as number,
    s as number,
    p as number,
    (o as number) / (p as number),
    (s as number) / (o as number),
    gf(fl as number, o as number),
  ]);
  console.log(`batch ${batch}, median of ${repeats} (stock: ${skipStock ? 'not run' : stockRepeats}), backend ${tf.getBackend()}, flowsentry threads ${parallelThreads()}, product kernel ${gemmKernel()}\n`);
  printTable(['work', 'flowsentry ms', 'stock tfjs ms', 'PyTorch 1 thread ms', 'flowsentry / PyTorch', 'speed-up over stock', 'flowsentry GFLOP/s'], rows);
  if (perRound.length > 1) {
    console.log(`\nflowsentry / PyTorch in each of ${perRound.length} rounds (flowsentry then PyTorch, back to back), and their median:\n`);
    const names = ['BiGRU train step', 'BiGRU inference', 'conv AE train step', 'conv AE inference'];
    printTable(
      ['work', ...perRound.map((_, r) => `round ${r + 1}`), 'median'],
      names.map((name, i) => [name, ...perRound.map((row) => row[i] as number), median(perRound.map((row) => row[i] as number))]),
    );
  }
  const rss = Object.entries(childRss).map(([m, mb]) => `${m === 'bigru' ? 'BiGRU' : 'conv AE'} process ${mb.toFixed(0)} MB`);
  console.log(`\npeak RSS ${rss.length > 0 ? `${rss.join(', ')} (flowsentry's timing processes), ` : ''}${peakRssMb().toFixed(0)} MB (this process; PyTorch runs in a child)`);
  tf.dispose([x, labels, img, ...gru.vars, ...ae.vars]);
  stock?.dispose();
  optG.dispose();
  optA.dispose();
  optS.dispose();
}
