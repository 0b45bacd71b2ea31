/**
 * SAM step cost: one SAM(momentum) step against one bare momentum step on an MLP classifier
 * (batch 256, 64 -> 256 -> 256 -> 10), in tfjs (cpu backend) and in PyTorch (same shapes, the
 * reference SAM of davda54/sam written out in sam_torch.py), measured in the same run.
 * Proposed as bench/sam.ts (+ bench/sam_torch.py).
 */
import '../src/register.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { fileURLToPath } from 'node:url';
import { SAM } from '../src/optim/sam.js';
import { printTable, pythonHas, runPython, timeMedian } from './util.js';

export async function main(options: { quick: boolean }): Promise<void> {
  const steps = options.quick ? 5 : 20;
  const [n, d, h, k] = [256, 64, 256, 10];
  const x = tf.randomNormal([n, d], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([n], 0, k, 'int32', 2), k);
  const make = (seed: number): tf.Variable[] => [
    tf.variable(tf.randomNormal([d, h], 0, 0.1, 'float32', seed)), tf.variable(tf.zeros([h])),
    tf.variable(tf.randomNormal([h, h], 0, 0.1, 'float32', seed + 1)), tf.variable(tf.zeros([h])),
    tf.variable(tf.randomNormal([h, k], 0, 0.1, 'float32', seed + 2)), tf.variable(tf.zeros([k])),
  ];
  const lossOf = (v: tf.Variable[]) => (): tf.Scalar => {
    const a = tf.relu(tf.add(tf.matMul(x, v[0]!), v[1]!));
    const b = tf.relu(tf.add(tf.matMul(a, v[2]!), v[3]!));
    return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(b, v[4]!), v[5]!)) as tf.Scalar;
  };
  const rows: (string | number)[][] = [];
  const vb = make(3);
  const base = tf.train.momentum(0.01, 0.9);
  const tBase = await timeMedian(() => { for (let i = 0; i < steps; i++) base.minimize(lossOf(vb), false, vb); }, 3, 1) / steps;
  const vs = make(3);
  const sam = new SAM(tf.train.momentum(0.01, 0.9), { rho: 0.05 });
  const tSam = await timeMedian(() => { for (let i = 0; i < steps; i++) sam.minimize(lossOf(vs), false, vs); }, 3, 1) / steps;
  rows.push(['tfjs cpu', tBase, tSam, tSam / tBase]);
  if (pythonHas('torch')) {
    const r = runPython<{ base: number; sam: number }>(fileURLToPath(new URL('./sam_torch.py', import.meta.url)), [String(steps)]);
    rows.push(['PyTorch (1 thread)', r.base, r.sam, r.sam / r.base]);
    rows.push(['tfjs / PyTorch', tBase / r.base, tSam / r.sam, '']);
  }
  printTable(['', 'momentum step (ms)', 'SAM(momentum) step (ms)', 'SAM / base'], rows);
  tf.dispose([x, y, ...vb, ...vs]);
  base.dispose();
  sam.dispose();
}
