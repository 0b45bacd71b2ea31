import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { resCae } from '../../../src/layers/conv/index.js';

/** Written once by scripts/fixtures/torch_rescae.py (PyTorch nn.Conv2d / BatchNorm2d / ConvTranspose2d). */
interface TorchCase {
  features: number;
  filters: [number, number, number];
  batch: number;
  x: number[];
  weights: Record<string, number[]>;
  eval_output: number[];
  eval_code: number[];
  eval_code_shape: number[];
  train_output: number[];
  train_loss: number;
  grads: Record<string, number[]>;
  running_mean_after_train_pass: Record<string, number[]>;
}
const fixture = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/conv/rescae_torch.json'), 'utf8'),
) as { cases: TorchCase[] };

const BN_NAMES: Record<string, string> = { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

/** "rescae_block1/path1_bn1_moving_mean" -> "block1.path1_bn1.running_mean"; "rescae_deconv1/kernel" -> "deconv1.weight". */
function torchName(ours: string): string {
  const [layer = '', weight = ''] = ours.replace(/^rescae_/, '').split('/');
  if (layer.startsWith('deconv')) return `${layer}.${weight === 'kernel' ? 'weight' : 'bias'}`;
  const match = /^(path\d_(?:conv|bn)\d)_(.+)$/.exec(weight);
  if (match === null) throw new Error(`unexpected weight ${ours}`);
  const [, module = '', param = ''] = match;
  return `${layer}.${module}.${param === 'kernel' ? 'weight' : (BN_NAMES[param] ?? param)}`;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return worst;
}

describe('resCae equals PyTorch (nn.Conv2d, BatchNorm2d, ConvTranspose2d padding=1 output_padding=1, crop to F)', () => {
  for (const c of fixture.cases) {
    it(`F = ${c.features}: inference output and code, training output, loss, gradients of every weight, moving means`, () => {
      const [f1, f2, fd] = c.filters;
      const { autoencoder, encoder } = resCae({ features: c.features, encoderFilters: [f1, f2], decoderFilters: fd, name: 'rescae', seed: 0 });
      autoencoder.setWeights(
        autoencoder.weights.map((w) => {
          const values = c.weights[torchName(w.originalName)];
          if (values === undefined) throw new Error(`no PyTorch weight for ${w.originalName}`);
          return tf.tensor(values, w.shape as number[]);
        }),
      );
      const x = tf.tensor2d(c.x, [c.batch, c.features]);
      const evalOut = autoencoder.predict(x) as tf.Tensor;
      expect(maxAbsDiff(evalOut.dataSync(), c.eval_output)).toBeLessThan(1e-5);
      const code = encoder.predict(x) as tf.Tensor;
      expect(code.shape).toEqual(c.eval_code_shape);
      expect(maxAbsDiff(code.dataSync(), c.eval_code)).toBeLessThan(1e-5);

      const variables = autoencoder.trainableWeights.map((w) => w.read() as tf.Variable);
      const byVariable = new Map(autoencoder.trainableWeights.map((w) => [(w.read() as tf.Variable).name, w.originalName]));
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.square(tf.sub(autoencoder.apply(x, { training: true }) as tf.Tensor, x))) as tf.Scalar,
        variables,
      );
      expect(Math.abs((value.dataSync()[0] ?? NaN) - c.train_loss)).toBeLessThan(1e-6);
      expect(Object.keys(grads).length).toBe(Object.keys(c.grads).length);
      for (const [variable, grad] of Object.entries(grads)) {
        const name = torchName(byVariable.get(variable) ?? '');
        expect(maxAbsDiff(grad.dataSync(), c.grads[name] ?? []), name).toBeLessThan(1e-5);
      }
      // One training pass moved the moving means as PyTorch's momentum=0.1 moved running_mean.
      for (const w of autoencoder.weights.filter((v) => v.originalName.endsWith('moving_mean'))) {
        const name = torchName(w.originalName);
        expect(maxAbsDiff(w.read().dataSync(), c.running_mean_after_train_pass[name] ?? []), name).toBeLessThan(1e-6);
      }
      const trainOut = autoencoder.apply(x, { training: true }) as tf.Tensor; // batch statistics: independent of the moving ones
      expect(maxAbsDiff(trainOut.dataSync(), c.train_output)).toBeLessThan(1e-5);
      tf.dispose([x, evalOut, code, value, trainOut, ...Object.values(grads)]);
      autoencoder.dispose();
    });
  }
});
