import '../../../src/register.js';
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining } from '../../../src/layers/conv/common.js';
await tf.setBackend('cpu');
const x = tf.randomNormal([256, 78, 8], 0, 1, 'float32', 1);
const gamma = tf.variable(tf.ones([8])), beta = tf.variable(tf.zeros([8]));
const viaMoments = (v: tf.Tensor) => { const { mean, variance } = tf.moments(v, [0, 1]); return tf.batchNorm(v, mean, variance, beta, gamma, 1e-3); };
const viaMatMul = (v: tf.Tensor) => batchNormTraining(v, gamma, beta, 1e-3).y;
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const res: Record<string, number[]> = { moments: [], matmul: [] };
for (let r = 0; r < 7; r++) {
  for (const [name, f] of [['moments', viaMoments], ['matmul', viaMatMul]] as const) {
    const t = performance.now();
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(f(x), x)) as tf.Scalar, [gamma, beta]);
    value.dataSync(); tf.dispose([value, ...Object.values(grads)]);
    res[name]!.push(performance.now() - t);
  }
}
const a = tf.tidy(() => viaMoments(x)), b = tf.tidy(() => viaMatMul(x));
console.log(JSON.stringify({ shape: [256, 78, 8], medianMs: { moments: median(res.moments!), matmul: median(res.matmul!) }, maxDiff: tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] }));
