/**
 * Training-step time of flowsentry's convolutional layers against PyTorch in the same run:
 * the ResCAE (Table 1: blocks 16/32, decoder 16/1) at F = 78, and a 5-deep memoryResidual stack.
 * `npx tsx bench/run.ts conv-layers [--quick]`.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import '../src/register.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { memoryResidual, resCae } from '../src/layers/conv/index.js';
import { printTable, pythonHas, runPython, timeMedian } from './util.js';

const TORCH = `
import json, sys, time, torch, torch.nn as nn
torch.manual_seed(0); torch.set_num_threads(1)
batch, F, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
class Block(nn.Module):
    def __init__(s, cin, f):
        super().__init__()
        s.c1 = nn.Conv2d(cin, f, (1, 3), (1, 2), (0, 1), bias=False); s.b1 = nn.BatchNorm2d(f)
        s.c2 = nn.Conv2d(f, f, (1, 3), 1, (0, 1), bias=False); s.b2 = nn.BatchNorm2d(f)
        s.c3 = nn.Conv2d(cin, f, 1, (1, 2), bias=False); s.b3 = nn.BatchNorm2d(f)
    def forward(s, x):
        return torch.relu(s.b2(s.c2(torch.relu(s.b1(s.c1(x))))) + s.b3(s.c3(x)))
class Cae(nn.Module):
    def __init__(s):
        super().__init__()
        s.e = nn.Sequential(Block(1, 16), Block(16, 32))
        s.d1 = nn.ConvTranspose2d(32, 16, (1, 3), (1, 2), (0, 1), (0, 1)); s.d2 = nn.ConvTranspose2d(16, 1, (1, 3), (1, 2), (0, 1), (0, 1))
    def forward(s, x):
        return torch.sigmoid(s.d2(torch.relu(s.d1(s.e(x.view(x.shape[0], 1, 1, -1))))))[..., :F].reshape(x.shape[0], -1)
m = Cae(); x = torch.rand(batch, F); opt = torch.optim.SGD(m.parameters(), lr=0.01)
def step():
    opt.zero_grad(); l = torch.mean((m(x) - x) ** 2); l.backward(); opt.step()
step(); ts = []
for _ in range(reps):
    t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
print(json.dumps({"ms": sorted(ts)[len(ts) // 2] * 1000}))
`;

function sgdStep(model: tfl.LayersModel, x: tf.Tensor, target: tf.Tensor | null, optimizer: tf.Optimizer): void {
  const cost = optimizer.minimize(() => {
    const y = model.apply(x, { training: true }) as tf.Tensor;
    return tf.mean(tf.square(target === null ? y : tf.sub(y, target))) as tf.Scalar;
  }, true);
  cost?.dataSync();
  cost?.dispose();
}

export async function main(options: { quick: boolean }): Promise<void> {
  await tf.setBackend('cpu');
  const batch = options.quick ? 32 : 256;
  const reps = options.quick ? 2 : 5;
  const features = 78;
  const optimizer = tf.train.sgd(0.01);
  const x = tf.randomUniform([batch, features], 0, 1, 'float32', 1);
  const { autoencoder } = resCae({ features, seed: 1 });
  const rescaeMs = await timeMedian(() => sgdStep(autoencoder, x, x, optimizer), reps, 1);
  const stack = tfl.sequential();
  stack.add(tfl.layers.inputLayer({ inputShape: [features, 1] }));
  for (let i = 0; i < 5; i += 1) stack.add(memoryResidual({ filters: 8, seed: i }));
  const xs = tf.reshape(x, [batch, features, 1]);
  const memoryMs = await timeMedian(() => sgdStep(stack, xs, null, optimizer), reps, 1);
  let torchMs = NaN;
  if (pythonHas('torch')) {
    const script = path.join(tmpdir(), 'flowsentry-bench-rescae.py');
    writeFileSync(script, TORCH);
    torchMs = runPython<{ ms: number }>(script, [String(batch), String(features), String(reps)]).ms;
  }
  printTable(
    ['training step (median ms)', `batch ${batch}`, 'PyTorch 1 thread', 'ratio'],
    [
      ['resCae F=78 (16/32/16)', rescaeMs, torchMs, rescaeMs / torchMs],
      ['memoryResidual x5 (filters 8), [78, 1]', memoryMs, '-', '-'],
    ],
  );
  tf.dispose([x, xs]);
  autoencoder.dispose();
  stack.dispose();
  optimizer.dispose();
}
