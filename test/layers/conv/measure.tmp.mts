import '../../../src/register.js';
import * as tf from '@tensorflow/tfjs-core';
import { resCae, memoryResidual } from '../../../src/layers/conv/index.js';
import * as tfl from '@tensorflow/tfjs-layers';
await tf.setBackend('cpu');
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const batch = Number(process.argv[2] ?? 256), F = 78, reps = Number(process.argv[3] ?? 3);
const x = tf.randomUniform([batch, F], 0, 1, 'float32', 1);
const { autoencoder } = resCae({ features: F, seed: 1 });
const opt = tf.train.sgd(0.01);
const step = () => { const c = opt.minimize(() => tf.mean(tf.square(tf.sub(autoencoder.apply(x, { training: true }) as tf.Tensor, x))) as tf.Scalar, true); c?.dataSync(); c?.dispose(); };
step();
const times: number[] = [];
for (let i = 0; i < reps; i++) { const t = performance.now(); step(); times.push(performance.now() - t); }
console.log(JSON.stringify({ what: 'resCae train step', batch, F, medianMs: median(times), times }));
// memoryResidual x5 stack on [batch, 78, 1]
const model = tfl.sequential();
model.add(tfl.layers.inputLayer({ inputShape: [F, 1] }));
for (let i = 0; i < 5; i++) model.add(memoryResidual({ filters: 8, seed: i }));
const xs = tf.reshape(x, [batch, F, 1]);
const step2 = () => { const c = opt.minimize(() => tf.mean(tf.square(model.apply(xs, { training: true }) as tf.Tensor)) as tf.Scalar, true); c?.dataSync(); c?.dispose(); };
step2();
const t2: number[] = [];
for (let i = 0; i < reps; i++) { const t = performance.now(); step2(); t2.push(performance.now() - t); }
console.log(JSON.stringify({ what: 'memoryResidual x5 (filters 8) train step', batch, medianMs: median(t2), times: t2 }));
