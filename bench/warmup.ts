/**
 * How many steps V8 needs to reach its steady speed: the time of each of the first training steps
 * of bench/train.ts's two models, in a process that has run nothing else before (each model in its
 * own child process, as `npm run bench -- train` times them). Why that bench makes 10 untimed calls
 * (BENCH_WARMUP) before timing. `--quick`: batch 64, 8 steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedAdam } from '../src/optim/fused-adam.js';
import { CLASSES, F, T, buildBiGru, buildConvAe } from './train.js';
import { runBenchChild } from './util.js';

async function child(model: string, batch: number, steps: number): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const opt = fusedAdam(1e-3);
  let step: () => void;
  let dispose: () => void;
  if (model === 'bigru') {
    const x = tf.randomNormal([batch, T, F], 0, 1, 'float32', 7) as tf.Tensor3D;
    const labels = tf.oneHot(tf.randomUniform([batch], 0, CLASSES, 'int32', 8), CLASSES);
    const gru = buildBiGru();
    step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, gru.forward(x)), true, gru.vars)?.dispose();
    dispose = () => tf.dispose([x, labels, ...gru.vars]);
  } else {
    const img = tf.randomUniform([batch, 1, 78, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const ae = buildConvAe();
    step = () => opt.minimize(() => tf.losses.meanSquaredError(img, ae.forward(img)), true, ae.vars)?.dispose();
    dispose = () => tf.dispose([img, ...ae.vars]);
  }
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  dispose();
  opt.dispose();
  console.log(`WARMUP_TIMES ${JSON.stringify(times)}`);
}

export async function main(options: { quick: boolean }): Promise<void> {
  const batch = options.quick ? 64 : 256;
  const steps = options.quick ? 8 : 30;
  const model = process.env['WARMUP_CHILD'];
  if (model !== undefined) return child(model, batch, steps);
  console.log(`batch ${batch}: milliseconds of each of the first ${steps} training steps in a fresh process\n`);
  for (const [m, name] of [['convae', 'conv AE'], ['bigru', 'BiGRU']] as const) {
    const t = runBenchChild<number[]>('warmup', options.quick, { WARMUP_CHILD: m }, 'WARMUP_TIMES');
    console.log(`${name}: ${t.map((v) => v.toFixed(1)).join(' ')}`);
  }
}
