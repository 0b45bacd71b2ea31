import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../../src/errors.js';
import { SplitResidualBlock, splitResidualBlock } from '../../../src/layers/conv/index.js';
import { describeLayer } from '../suite.js';

const paramsOf = (kh: number, kw: number, c: number, f: number): number => kh * kw * c * f + kh * kw * f * f + c * f + 3 * 4 * f;

describeLayer('splitResidualBlock [1,3] s[1,2] (ResCAE)', {
  factory: () => splitResidualBlock({ filters: 4, seed: 1 }),
  inputShape: [1, 9, 1],
  batchSize: 4,
  expectedParams: paramsOf(1, 3, 1, 4),
});

describeLayer('splitResidualBlock [3,3] s[2,2], 2 input channels', {
  factory: () => splitResidualBlock({ filters: 3, kernelSize: [3, 3], strides: [2, 2], seed: 2 }),
  inputShape: [4, 6, 2],
  expectedParams: paramsOf(3, 3, 2, 3),
});

/** The same block from tfjs-layers built-ins: explicit zero padding + 'valid' Conv2D, BatchNormalization, Add. */
function builtInReference(layer: SplitResidualBlock, inputShape: [number, number, number]): tfl.LayersModel {
  const [kh, kw] = layer.kernelSize;
  const pad = tfl.layers.zeroPadding2d({ padding: [[(kh - 1) / 2, (kh - 1) / 2], [(kw - 1) / 2, (kw - 1) / 2]] });
  const conv = (name: string, kernelSize: [number, number], strides: [number, number]): tfl.layers.Layer =>
    tfl.layers.conv2d({ filters: layer.filters, kernelSize, strides, padding: 'valid', useBias: false, name });
  const bn = (name: string): tfl.layers.Layer => tfl.layers.batchNormalization({ name, momentum: 0.99, epsilon: 1e-3 });
  const input = tfl.input({ shape: inputShape });
  let p1 = bn('path1_bn1').apply(conv('path1_conv1', layer.kernelSize, layer.strides).apply(pad.apply(input))) as tfl.SymbolicTensor;
  p1 = tfl.layers.reLU().apply(p1) as tfl.SymbolicTensor;
  p1 = bn('path1_bn2').apply(conv('path1_conv2', layer.kernelSize, [1, 1]).apply(pad.apply(p1))) as tfl.SymbolicTensor;
  const p2 = bn('path2_bn1').apply(conv('path2_conv1', [1, 1], layer.strides).apply(input)) as tfl.SymbolicTensor;
  const out = tfl.layers.reLU().apply(tfl.layers.add().apply([p1, p2])) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  const ours = new Map(layer.weights.map((w) => [w.originalName.split('/').at(-1) ?? '', w.read()]));
  for (const refLayer of model.layers) {
    if (refLayer.weights.length === 0) continue;
    refLayer.setWeights(refLayer.weights.map((w) => ours.get(`${refLayer.name}_${(w.originalName.split('/').at(-1) ?? '').replace(/_\d+$/, '')}`) as tf.Tensor));
  }
  return model;
}

describe('splitResidualBlock equals the block built from tfjs-layers built-ins', () => {
  const cases = [
    { args: { filters: 4, seed: 1 }, shape: [1, 9, 1] as [number, number, number] },
    { args: { filters: 3, seed: 2 }, shape: [1, 10, 2] as [number, number, number] },
    { args: { filters: 2, kernelSize: [3, 5] as [number, number], strides: [2, 3] as [number, number], seed: 3 }, shape: [5, 11, 3] as [number, number, number] },
  ];
  for (const { args, shape } of cases) {
    it(`kernel ${JSON.stringify(args.kernelSize ?? [1, 3])} strides ${JSON.stringify(args.strides ?? [1, 2])} on ${JSON.stringify(shape)}: inference and training outputs`, () => {
      const layer = splitResidualBlock(args);
      const x = tf.randomNormal([4, ...shape], 0, 1, 'float32', 3);
      layer.apply(x);
      layer.setWeights(layer.getWeights().map((w, i) => (w.rank === 1 ? tf.randomUniform(w.shape, 0.5, 1.5, 'float32', i) : tf.randomNormal(w.shape, 0, 0.5, 'float32', i))));
      const reference = builtInReference(layer, shape);
      for (const training of [false, true]) {
        const ours = layer.apply(x, { training }) as tf.Tensor;
        const theirs = reference.apply(x, { training }) as tf.Tensor;
        expect(ours.shape).toEqual(theirs.shape);
        expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-5);
        tf.dispose([ours, theirs]);
      }
      x.dispose();
      reference.dispose();
      layer.dispose();
    });
  }
});

describe('splitResidualBlock gradients flow through both paths', () => {
  it('path 1 (both convolutions) and path 2 (shortcut) kernels get non-zero gradients equal to central differences', () => {
    const layer = splitResidualBlock({ filters: 2, seed: 4 });
    const x = tf.randomNormal([3, 1, 7, 1], 0, 1, 'float32', 5);
    layer.apply(x);
    const loss = (): tf.Scalar => tf.tidy(() => tf.mean(tf.square(tf.sub(layer.apply(x, { training: false }) as tf.Tensor, 0.3))) as tf.Scalar);
    const variables = Object.fromEntries(layer.trainableWeights.map((w) => [w.originalName.split('/').at(-1) ?? '', w]));
    const { grads, value } = tf.variableGrads(loss, layer.trainableWeights.map((w) => w.read() as tf.Variable));
    for (const name of ['path1_conv1_kernel', 'path1_conv2_kernel', 'path2_conv1_kernel']) {
      const variable = variables[name];
      expect(variable, name).toBeDefined();
      const grad = grads[(variable?.read() as tf.Variable).name] as tf.Tensor;
      const g = grad.dataSync();
      expect(Math.max(...Array.from(g, Math.abs)), name).toBeGreaterThan(1e-6);
      // Central differences on the two largest-gradient entries (inference mode: a smooth function away from ReLU kinks).
      const base = variable?.read().dataSync().slice() as Float32Array;
      const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b] ?? 0) - Math.abs(g[a] ?? 0)).slice(0, 2);
      for (const index of order) {
        const eps = 1e-2;
        const at = (delta: number): number => {
          const values = base.slice();
          values[index] = (values[index] ?? 0) + delta;
          variable?.write(tf.tensor(values, variable.shape as number[]));
          const l = loss();
          const v = l.dataSync()[0] ?? NaN;
          l.dispose();
          return v;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        variable?.write(tf.tensor(base, variable.shape as number[]));
        expect(Math.abs(numeric - (g[index] ?? 0)), `${name}[${index}]`).toBeLessThan(0.05 * Math.abs(numeric) + 1e-4);
      }
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    layer.dispose();
  });
});

describe('splitResidualBlock rejects bad configuration, naming the option', () => {
  it('at construction and build', () => {
    expect(() => splitResidualBlock({ filters: 0 })).toThrow(/filters: expected a positive integer/);
    expect(() => splitResidualBlock({ filters: 2, kernelSize: [1, 4] })).toThrow(/kernelSize\[1\]: expected an odd size/);
    expect(() => splitResidualBlock({ filters: 2, kernelSize: [3] as unknown as [number, number] })).toThrow(/kernelSize: expected an array of 2/);
    expect(() => splitResidualBlock({ filters: 2, strides: [1, -2] })).toThrow(/strides\[1\]/);
    expect(() => splitResidualBlock({ filters: 2 }).apply(tfl.input({ shape: [1, 2, 1] }))).toThrow(/kernelSize\[1\]: expected at most the input width 2, received 3/);
    expect(() => splitResidualBlock({ filters: 2, kernelSize: [3, 3] }).apply(tfl.input({ shape: [1, 8, 1] }))).toThrow(/kernelSize\[0\]: expected at most the input height 1/);
    expect(() => splitResidualBlock({ filters: 2 }).apply(tfl.input({ shape: [9, 1] }))).toThrow(ShapeError);
  });
});
