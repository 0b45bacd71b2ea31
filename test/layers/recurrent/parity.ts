/**
 * PyTorch parity of the recurrent layers: load nn.GRU / nn.LSTM state dicts with importTorchWeights,
 * then outputs to 1e-5 and gradients (input and every parameter) to 1e-4 against the fixtures of
 * scripts/fixtures/torch_recurrent.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { importTorchWeights } from '../../../src/layers/torch/index.js';
import type { StackedRecurrent } from '../../../src/layers/recurrent/stacked-recurrent.js';
import { expectNoLeaks } from '../../helpers/leaks.js';
import { type Nested, expectClose, fixtureBytes, recurrentCase } from './torch-fixtures.js';

const OUTPUT_TOL = 1e-5;
const GRAD_TOL = 1e-4;

/** Our gradient (tfjs layout) back to PyTorch's layout, written independently of importTorchWeights. */
function toTorchLayout(kind: 'GRU' | 'LSTM', grad: tf.Tensor, isMatrix: boolean): tf.Tensor {
  return tf.tidy(() => {
    let g = isMatrix ? tf.transpose(grad) : grad; // [gates * units, in] or [gates * units]
    if (kind === 'GRU') {
      const [z, r, n] = tf.split(g, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor];
      g = tf.concat([r, z, n], 0);
    }
    return g;
  });
}

function weightName(name: string): string {
  // 'gru_GRU1/l1_reverse/recurrent_kernel' -> 'l1_reverse/recurrent_kernel'
  return name.split('/').slice(-2).join('/');
}

export function describeTorchParity(
  kind: 'GRU' | 'LSTM',
  make: (numLayers: number, bidirectional: boolean, returnSequences: boolean) => StackedRecurrent,
): void {
  const prefix = kind === 'GRU' ? 'gru' : 'lstm';
  const cases = [
    { name: `${prefix}_l2_bi`, numLayers: 2, bidirectional: true },
    { name: `${prefix}_l1`, numLayers: 1, bidirectional: false },
  ];

  describe.each(cases)(`${kind} vs PyTorch nn.${kind}: $name`, ({ name, numLayers, bidirectional }) => {
    const c = recurrentCase(name);
    const units = c.hiddenSize;

    it('returnSequences: every output equals PyTorch output to 1e-5', async () => {
      const layer = make(numLayers, bidirectional, true);
      const result = await importTorchWeights(layer, fixtureBytes(c.file));
      expect(result.unused).toEqual([]);
      const x = tf.tensor3d(c.x);
      const y = layer.apply(x) as tf.Tensor;
      expectClose(y, c.output, OUTPUT_TOL, 'output');
      tf.dispose([x, y]);
    });

    it('returnSequences false: the final states, PyTorch h_n of the last layer (forward, backward)', async () => {
      const layer = make(numLayers, bidirectional, false);
      await importTorchWeights(layer, fixtureBytes(c.file));
      const x = tf.tensor3d(c.x);
      const y = layer.apply(x) as tf.Tensor;
      const last = c.h_n.length - (bidirectional ? 2 : 1);
      const expected = c.h_n[last]?.map((row, b) => (bidirectional ? [...row, ...(c.h_n[last + 1]?.[b] ?? [])] : row)) ?? [];
      expectClose(y, expected, OUTPUT_TOL, 'final state');
      expect(y.shape).toEqual([c.x.length, (bidirectional ? 2 : 1) * units]);
      tf.dispose([x, y]);
    });

    it('gradients of sum(output * w) w.r.t. the input and every PyTorch parameter equal PyTorch to 1e-4, without leaks', async () => {
      const layer = make(numLayers, bidirectional, true);
      await importTorchWeights(layer, fixtureBytes(c.file));
      const x = tf.variable(tf.tensor3d(c.x), true, `parity_x_${name}`);
      const w = tf.tensor3d(c.outputWeights);
      const loss = (): tf.Scalar => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, w));
      (layer.apply(x) as tf.Tensor).dispose();
      await expectNoLeaks(() => {
        const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(loss, [x, ...vars]);
        expectClose(grads[x.name] as tf.Tensor, c.grads['x'] as Nested, GRAD_TOL, 'd/dx');
        let checked = 0;
        for (const v of layer.trainableWeights) {
          const g = grads[(v.read() as tf.Variable).name] as tf.Tensor;
          const [dir, what] = weightName(v.name).split('/') as [string, string];
          const suffix = `_${dir}`;
          const isMatrix = what === 'kernel' || what === 'recurrent_kernel';
          const torchName = { kernel: 'weight_ih', recurrent_kernel: 'weight_hh', input_bias: 'bias_ih', recurrent_bias: 'bias_hh', bias: 'bias_ih' }[what];
          const inTorch = toTorchLayout(kind, g, isMatrix);
          expectClose(inTorch, c.grads[`${torchName}${suffix}`] as Nested, GRAD_TOL, `d/d${torchName}${suffix}`);
          if (what === 'bias') expectClose(inTorch, c.grads[`bias_hh${suffix}`] as Nested, GRAD_TOL, `d/dbias_hh${suffix}`);
          inTorch.dispose();
          checked += 1;
        }
        expect(checked).toBe(numLayers * (bidirectional ? 2 : 1) * (kind === 'GRU' ? 4 : 3));
        tf.dispose([value, ...Object.values(grads)]);
      });
      tf.dispose([x, w]);
    });
  });
}
