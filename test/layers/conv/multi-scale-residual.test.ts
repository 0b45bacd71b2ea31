import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../../src/errors.js';
import { MultiScaleResidual, multiScaleResidual } from '../../../src/layers/conv/index.js';
import { describeLayer } from '../suite.js';

const bnParams = (channels: number): number => 4 * channels;

describeLayer('multiScaleResidual concat + projection', {
  factory: () => multiScaleResidual({ filters: [2, 3, 4], seed: 1 }),
  inputShape: [9, 3],
  // branches k*in*f + BN, projection 1*3*9 + BN(9)
  expectedParams: 1 * 3 * 2 + 3 * 3 * 3 + 5 * 3 * 4 + bnParams(9) + 3 * 9 + bnParams(9),
});

describeLayer('multiScaleResidual sum + identity', {
  factory: () => multiScaleResidual({ filters: 4, merge: 'sum', kernelSizes: [3, 5], seed: 2 }),
  inputShape: [8, 4],
  expectedParams: 3 * 4 * 4 + 5 * 4 * 4 + 2 * bnParams(4),
});

describeLayer('multiScaleResidual without batch norm or shortcut (MSMNet)', {
  factory: () => multiScaleResidual({ filters: 2, batchNorm: false, shortcut: 'none', activation: 'tanh', seed: 3 }),
  inputShape: [7, 2],
  expectedParams: (1 + 3 + 5) * 2 * 2 + 3 * 2,
});

/**
 * The same block written with tfjs-layers' own Conv1D / BatchNormalization / Concatenate / Add,
 * fed the same weights: an independent implementation of the definition.
 */
function builtInReference(layer: MultiScaleResidual, inputShape: [number, number]): tfl.LayersModel {
  const input = tfl.input({ shape: inputShape });
  const useBias = !layer.useBatchNorm;
  const branchOutputs = layer.kernelSizes.map((k, i) => {
    let y = tfl.layers.conv1d({ filters: layer.filters[i] ?? 0, kernelSize: k, strides: layer.strides, padding: 'same', useBias, name: `branch${i}_conv` }).apply(input) as tfl.SymbolicTensor;
    if (layer.useBatchNorm) y = tfl.layers.batchNormalization({ name: `branch${i}_bn`, momentum: 0.99, epsilon: 1e-3 }).apply(y) as tfl.SymbolicTensor;
    return tfl.layers.activation({ activation: layer.activation }).apply(y) as tfl.SymbolicTensor;
  });
  const merged = (branchOutputs.length === 1 ? branchOutputs[0] : layer.merge === 'sum' ? tfl.layers.add().apply(branchOutputs) : tfl.layers.concatenate().apply(branchOutputs)) as tfl.SymbolicTensor;
  let shortcut: tfl.SymbolicTensor = input;
  if (layer.weights.some((w) => w.originalName.endsWith('shortcut_conv_kernel'))) {
    shortcut = tfl.layers.conv1d({ filters: layer.outputChannels, kernelSize: 1, strides: layer.strides, padding: 'same', useBias, name: 'shortcut_conv' }).apply(input) as tfl.SymbolicTensor;
    if (layer.useBatchNorm) shortcut = tfl.layers.batchNormalization({ name: 'shortcut_bn' }).apply(shortcut) as tfl.SymbolicTensor;
  }
  const output = layer.shortcut === 'none' ? merged : (tfl.layers.add().apply([merged, shortcut]) as tfl.SymbolicTensor);
  const model = tfl.model({ inputs: input, outputs: output });
  // Map our weights onto the reference by name: "<layer>/branch0_conv_kernel" -> layer "branch0_conv", weight "kernel".
  const ours = new Map(layer.weights.map((w) => [w.originalName.split('/').at(-1) ?? '', w.read()]));
  for (const refLayer of model.layers) {
    const values = refLayer.weights.map((w) => {
      const key = `${refLayer.name}_${(w.originalName.split('/').at(-1) ?? '').replace(/_\d+$/, '')}`;
      const v = ours.get(key);
      if (v === undefined) throw new Error(`no weight ${key} in ${[...ours.keys()].join(', ')}`);
      return v;
    });
    if (values.length > 0) refLayer.setWeights(values);
  }
  return model;
}

function randomize(layer: tfl.layers.Layer, seed: number): void {
  // Non-trivial batch-norm parameters and moving statistics, so the comparison exercises them.
  layer.setWeights(layer.getWeights().map((w, i) => tf.tidy(() => {
    const r = tf.randomUniform(w.shape, 0.5, 1.5, 'float32', seed + i);
    return w.size === w.shape.at(-1) ? r : tf.randomNormal(w.shape, 0, 0.5, 'float32', seed + i);
  })));
}

describe('multiScaleResidual equals the same block built from tfjs-layers built-ins', () => {
  const cases = [
    { name: 'concat, projection', args: { filters: [2, 3, 4], seed: 1 }, shape: [10, 3] as [number, number] },
    { name: 'sum, identity', args: { filters: 3, merge: 'sum' as const, kernelSizes: [3, 5], seed: 2 }, shape: [8, 3] as [number, number] },
    { name: 'strides 2, projection', args: { filters: 2, strides: 2, seed: 3 }, shape: [9, 2] as [number, number] },
    { name: 'no batch norm, no shortcut', args: { filters: 2, batchNorm: false, shortcut: 'none' as const, activation: 'elu' as const, seed: 4 }, shape: [6, 2] as [number, number] },
    // Without batch norm each branch's conv + bias + relu runs as one fused op.
    { name: 'no batch norm, relu, projection', args: { filters: [8, 3, 4], batchNorm: false, seed: 6 }, shape: [12, 3] as [number, number] },
  ];
  for (const { name, args, shape } of cases) {
    it(`${name}: inference and training mode outputs, and moving statistics after a training pass`, () => {
      const layer = multiScaleResidual(args);
      const x = tf.randomNormal([4, ...shape], 0, 1, 'float32', 11);
      layer.apply(x);
      randomize(layer, 5);
      const reference = builtInReference(layer, shape);
      for (const training of [false, true]) {
        const ours = layer.apply(x, { training }) as tf.Tensor;
        const theirs = reference.apply(x, { training }) as tf.Tensor;
        expect(ours.shape).toEqual(theirs.shape);
        const diff = tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0] ?? NaN;
        expect(diff).toBeLessThan(1e-5);
        tf.dispose([ours, theirs]);
      }
      // Both ran one training-mode pass: their moving statistics must have moved identically.
      const theirs = new Map<string, tf.Tensor>(reference.layers.flatMap((l) => l.weights.map((w) => [`${l.name}_${(w.originalName.split('/').at(-1) ?? '').replace(/_\d+$/, '')}`, w.read()] as [string, tf.Tensor])));
      for (const w of layer.weights.filter((v) => v.originalName.includes('moving'))) {
        const key = w.originalName.split('/').at(-1) ?? '';
        const diff = tf.max(tf.abs(tf.sub(w.read(), theirs.get(key) as tf.Tensor))).dataSync()[0] ?? NaN;
        expect(diff, key).toBeLessThan(1e-6);
      }
      x.dispose();
      reference.dispose();
      layer.dispose();
    });
  }
});

describe('multiScaleResidual rejects bad configuration, naming the option', () => {
  it('at construction', () => {
    expect(() => multiScaleResidual({ filters: -1 })).toThrow(/filters: expected a positive integer, received -1/);
    expect(() => multiScaleResidual({ filters: [2, 3] })).toThrow(/filters: expected an array of 3 positive integers/);
    expect(() => multiScaleResidual({ filters: [2, 3, 4], merge: 'sum' })).toThrow(/filters: .*same count/);
    expect(() => multiScaleResidual({ filters: 2, kernelSizes: [] })).toThrow(/kernelSizes/);
    expect(() => multiScaleResidual({ filters: 2, kernelSizes: [3, 0] })).toThrow(/kernelSizes\[1\]/);
    expect(() => multiScaleResidual({ filters: 2, merge: 'max' as 'sum' })).toThrow(/merge/);
    expect(() => multiScaleResidual({ filters: 2, activation: 'gelu' as 'relu' })).toThrow(/activation/);
    expect(() => multiScaleResidual({ filters: 2, shortcut: 'dense' as 'none' })).toThrow(/shortcut/);
    expect(() => multiScaleResidual({ filters: 2, strides: 0 })).toThrow(/strides/);
    expect(() => multiScaleResidual({ filters: 2, batchNormMomentum: 1 })).toThrow(/batchNormMomentum/);
    expect(() => multiScaleResidual({ filters: 2, seed: 1.5 })).toThrow(ValueError);
  });

  it('at build time: kernel longer than the input, identity shortcut on mismatched shapes, wrong rank', () => {
    expect(() => multiScaleResidual({ filters: 2 }).apply(tfl.input({ shape: [4, 2] }))).toThrow(/kernelSizes\[2\]: expected at most the input length 4, received 5/);
    expect(() => multiScaleResidual({ filters: 2, shortcut: 'identity' }).apply(tfl.input({ shape: [8, 3] }))).toThrow(/shortcut: .*6 input channels/);
    expect(() => multiScaleResidual({ filters: 2 }).apply(tfl.input({ shape: [8] }))).toThrow(ShapeError);
    expect(() => multiScaleResidual({ filters: 2 }).apply(tfl.input({ shape: [8, 2, 1] }))).toThrow(/inputShape: expected rank 3/);
  });
});

describe('multiScaleResidual seeding', () => {
  it('the same seed gives the same initial weights, another seed different ones', () => {
    const weightsOf = (seed: number): Float32Array[] => {
      const layer = multiScaleResidual({ filters: 2, seed });
      layer.build([null, 8, 2]);
      expect(layer.name).toMatch(/^multi_scale_residual_\d+$/);
      return layer.getWeights().map((w) => w.dataSync() as Float32Array);
    };
    expect(weightsOf(5)).toEqual(weightsOf(5));
    expect(weightsOf(5)[0]).not.toEqual(weightsOf(6)[0]);
  });
});

describe('multiScaleResidual as the first layer of a sequential model (inputShape option)', () => {
  it('saves and loads, rebuilding the input layer from the saved batchInputShape', async () => {
    const model = tfl.sequential();
    model.add(multiScaleResidual({ filters: 2, inputShape: [8, 1], seed: 1 }));
    model.add(tfl.layers.globalAveragePooling1d());
    expect(model.outputs[0]?.shape).toEqual([null, 6]);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    const x = tf.randomNormal([2, 8, 1], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});

describe('multiScaleResidual without batch norm trains on the fused conv + bias + relu op with the built-ins\' gradients', () => {
  const cases = [
    { name: 'relu, projection', args: { filters: [8, 3, 4], batchNorm: false, seed: 6 }, shape: [12, 3] as [number, number] },
    { name: 'relu, sum, strides 2', args: { filters: 8, merge: 'sum' as const, strides: 2, batchNorm: false, seed: 7 }, shape: [13, 8] as [number, number] },
  ];
  for (const { name, args, shape } of cases) {
    it(`${name}: gradients of the input and of every weight equal those through tfjs-layers' Conv1D + relu`, () => {
      const layer = multiScaleResidual(args);
      const x = tf.randomNormal([5, ...shape], 0, 1, 'float32', 12);
      layer.apply(x);
      randomize(layer, 8);
      const reference = builtInReference(layer, shape);
      const r = tf.tidy(() => tf.randomNormal((layer.apply(x) as tf.Tensor).shape, 0, 1, 'float32', 13));
      // Weight gradients keyed as builtInReference names them ("branch0_conv_kernel").
      const grads = (apply: (t: tf.Tensor) => tf.Tensor, names: Map<string, string>) => {
        const { grads: g } = tf.variableGrads(() => tf.sum(tf.mul(apply(x), r)) as tf.Scalar);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(apply(t), r)))(x);
        const out = new Map([...Object.entries(g)].map(([k, v]) => [names.get(k) ?? k, v]));
        out.set('x', dx);
        return out;
      };
      const ourNames = new Map(layer.trainableWeights.map((w) => [w.name, w.originalName.split('/').at(-1) ?? '']));
      const refNames = new Map(reference.layers.flatMap((l) => l.trainableWeights.map((w) => [w.name, `${l.name}_${(w.originalName.split('/').at(-1) ?? '').replace(/_\d+$/, '')}`] as [string, string])));
      const ours = grads((t) => layer.apply(t, { training: true }) as tf.Tensor, ourNames);
      const theirs = grads((t) => reference.apply(t, { training: true }) as tf.Tensor, refNames);
      expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
      expect(ours.size).toBe(layer.trainableWeights.length + 1);
      for (const [key, g] of ours) {
        const ref = theirs.get(key) as tf.Tensor;
        const scale = Math.max(1, tf.max(tf.abs(ref)).dataSync()[0] ?? NaN);
        expect(tf.max(tf.abs(tf.sub(g, ref))).dataSync()[0]! / scale, key).toBeLessThan(1e-4);
      }
      tf.dispose([x, r, ...ours.values(), ...theirs.values()]);
      reference.dispose();
      layer.dispose();
    });
  }
});
