/**
 * The product kernel with relaxed SIMD's fused multiply-add against the same kernel built with a
 * multiply then an add (setRelaxedSimd), alternating in this process, one thread (no worker):
 * GFLOP/s of gemm at the bench models' product shapes, then bench/train.ts's BiGRU and conv AE
 * (batch 256, inference and FusedAdam train step). Switching recompiles the module, so arms
 * alternate by blocks (a few untimed calls, then `n` timed ones; the block's median), not by call.
 * BENCH_RS_BLOCKS blocks per arm (default 4). Pin it: `taskset -c 0 npm run bench -- relaxed-simd`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../src/register.js';
import { gemm, gemmKernel, setRelaxedSimd } from '../src/kernels/gemm.js';
import { setPoolEnabled } from '../src/kernels/pool.js';
import { fusedAdam } from '../src/optim/fused-adam.js';
import { AE_F, CLASSES, F, T, buildBiGru, buildConvAe } from './train.js';
import { elapsedMs, median, printTable } from './util.js';

/** m x n x k: the conv filter gradient, conv forward, GRU recurrent, GRU projection, a Dense-like square-ish product. */
const SHAPES: [number, number, number][] = [
  [9984, 96, 32],
  [5120, 96, 64],
  [120, 64, 192],
  [5120, 128, 192],
  [600, 256, 512],
];

/** Per arm (plain, relaxed), the medians of `blocks` alternating blocks of `n` timed calls after `warm` untimed ones. */
function alternateBlocks(fn: () => void, n: number, warm: number, blocks: number): [number[], number[]] {
  const out: [number[], number[]] = [[], []];
  for (let b = 0; b < 2 * blocks; b++) {
    // ABBA order, so a drift in load falls on both arms alike.
    const relaxed = [0, 1, 1, 0][b % 4] === 1;
    setRelaxedSimd(relaxed);
    for (let i = 0; i < warm; i++) fn();
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(elapsedMs(fn));
    out[relaxed ? 1 : 0].push(median(times));
  }
  return out;
}

export async function main(options: { quick: boolean }): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  setPoolEnabled(false);
  const blocks = options.quick ? 1 : Number(process.env['BENCH_RS_BLOCKS'] ?? 4) || 4;
  setRelaxedSimd(true);
  if (gemmKernel() !== 'wasm-relaxed-simd') {
    console.log(`relaxed SIMD unavailable here (kernel: ${gemmKernel()}): nothing to compare`);
    return;
  }
  const fmt = (xs: number[]) => xs.map((v) => v.toFixed(1)).join(' / ');
  const rows: (string | number)[][] = [];
  for (const [m, n, k] of SHAPES) {
    const a = Float32Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const b = Float32Array.from({ length: k * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
    const c = new Float32Array(m * n);
    const flops = 2 * m * n * k;
    const calls = Math.max(5, Math.min(200, Math.round(2e9 / flops)));
    const [plain, relaxed] = alternateBlocks(() => gemm({ m, n, k, a, b, c }), calls, 5, blocks).map((ts) => ts.map((t) => flops / t / 1e6));
    rows.push([`${m}x${n}x${k} GFLOP/s`, fmt(plain!), fmt(relaxed!), median(relaxed!) / median(plain!)]);
  }

  const batch = options.quick ? 64 : 256;
  const steps = options.quick ? 3 : 20;
  const x = tf.randomNormal([batch, T, F], 0, 1, 'float32', 7) as tf.Tensor3D;
  const labels = tf.oneHot(tf.randomUniform([batch], 0, CLASSES, 'int32', 8), CLASSES);
  const img = tf.randomUniform([batch, 1, AE_F, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
  const gru = buildBiGru();
  const ae = buildConvAe();
  const optG = fusedAdam(1e-3);
  const optA = fusedAdam(1e-3);
  const read = (t: tf.Tensor | null) => {
    t?.dataSync();
    t?.dispose();
  };
  const work: [string, () => void][] = [
    ['BiGRU inference ms', () => read(tf.tidy(() => gru.forward(x)))],
    ['BiGRU train step ms', () => read(optG.minimize(() => tf.losses.softmaxCrossEntropy(labels, gru.forward(x)), true, gru.vars))],
    ['conv AE inference ms', () => read(tf.tidy(() => ae.forward(img)))],
    ['conv AE train step ms', () => read(optA.minimize(() => tf.losses.meanSquaredError(img, ae.forward(img)), true, ae.vars))],
  ];
  for (const [name, fn] of work) {
    const [plain, relaxed] = alternateBlocks(fn, steps, 5, blocks);
    rows.push([name, fmt(plain), fmt(relaxed), median(relaxed) / median(plain)]);
  }
  tf.dispose([x, labels, img, ...gru.vars, ...ae.vars]);
  optG.dispose();
  optA.dispose();
  setRelaxedSimd(true);
  console.log(`one thread, batch ${batch}; ${blocks} blocks per arm (ABBA), each the median of its timed calls\n`);
  printTable(['work', 'multiply then add (per block)', 'fused multiply-add (per block)', 'relaxed / plain (medians)'], rows);
}
