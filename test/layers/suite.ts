/**
 * The shared layer suite: every flowsentry layer goes through the same checks a tfjs-layers
 * built-in passes — sequential and functional use, computeOutputShape, getConfig -> fromConfig,
 * save -> load through the memory and file-system IO handlers with identical outputs,
 * countParams, and no tensor leak in apply or in a training step.
 *
 * ```ts
 * describeLayer('multiScaleResidual', {
 *   factory: () => multiScaleResidual({ filters: 4 }),
 *   inputShape: [12, 3],
 *   expectedParams: 123,
 * });
 * ```
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystem } from '../../src/io/index.js';
import { Rng } from '../../src/util/rng.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** Options of {@link describeLayer}. */
export interface LayerSuiteOptions {
  /** Makes a fresh, unbuilt layer; called once per check. */
  factory: () => tfl.layers.Layer;
  /** Input shape without the batch dimension. */
  inputShape: number[];
  /** Batch size of the generated inputs. Default 3. */
  batchSize?: number;
  /** Expected `countParams()` (trainable + non-trainable), computed by the caller from the layer's definition. */
  expectedParams?: number;
  /** Makes the input batch; default standard normal values from a seeded generator. */
  makeInput?: (shape: number[]) => tf.Tensor;
  /**
   * Check that every trainable weight receives a non-zero gradient in a training step. Default true;
   * switch off only for weights that provably get none (document why at the call site).
   */
  everyWeightLearns?: boolean;
  /** Absolute tolerance for outputs that should agree between equivalent computations. Default 1e-6. */
  tolerance?: number;
}

function seededNormal(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i += 1) values[i] = rng.normal();
  return tf.tensor(values, shape);
}

function sequentialOf(layer: tfl.layers.Layer, inputShape: number[]): tfl.Sequential {
  return tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape }), layer] });
}

function predict(model: tfl.LayersModel, x: tf.Tensor): Float32Array {
  const y = model.predict(x) as tf.Tensor;
  const values = y.dataSync() as Float32Array;
  y.dispose();
  return values;
}

/** One SGD step on mean(y^2) in training mode (batch norm statistics update too). */
function trainStep(model: tfl.LayersModel, x: tf.Tensor, optimizer: tf.Optimizer): void {
  const cost = optimizer.minimize(() => {
    const y = model.apply(x, { training: true }) as tf.Tensor;
    return tf.mean(tf.square(y)) as tf.Scalar;
  }, true);
  cost?.dispose();
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i += 1) worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

/** Registers the shared checks for one layer under `describe(name)`. */
export function describeLayer(name: string, options: LayerSuiteOptions): void {
  const batchSize = options.batchSize ?? 3;
  const fullShape = [batchSize, ...options.inputShape];
  const makeInput = options.makeInput ?? ((shape: number[]) => seededNormal(shape, 7));
  const tolerance = options.tolerance ?? 1e-6;
  const directories: string[] = [];
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  describe(`${name} (shared layer suite)`, () => {
    it('works in tf.sequential() and agrees with computeOutputShape', () => {
      const layer = options.factory();
      const model = sequentialOf(layer, options.inputShape);
      const x = makeInput(fullShape);
      const y = model.predict(x) as tf.Tensor;
      const expected = layer.computeOutputShape([batchSize, ...options.inputShape]) as number[];
      expect(y.shape).toEqual(expected);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, y]);
      model.dispose();
    });

    it('works in the functional API, symbolic shape = computeOutputShape = eager apply', () => {
      const layer = options.factory();
      const input = tfl.input({ shape: options.inputShape });
      const output = layer.apply(input) as tfl.SymbolicTensor;
      expect(output.shape).toEqual(layer.computeOutputShape([null, ...options.inputShape]));
      const model = tfl.model({ inputs: input, outputs: output });
      const x = makeInput(fullShape);
      const viaModel = predict(model, x);
      const eager = layer.apply(x) as tf.Tensor;
      expectClose(eager.dataSync(), viaModel, tolerance);
      tf.dispose([x, eager]);
      model.dispose();
    });

    it('round-trips getConfig -> JSON -> fromConfig with the same config and, given the same weights, the same outputs', () => {
      const layer = options.factory();
      const x = makeInput(fullShape);
      const y = layer.apply(x) as tf.Tensor;
      const config = JSON.parse(JSON.stringify(layer.getConfig())) as tf.serialization.ConfigDict;
      const cls = layer.constructor as tf.serialization.SerializableConstructor<tfl.layers.Layer>;
      const registered = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
      expect(registered, `${layer.getClassName()} is not registered for deserialization`).toBeDefined();
      const clone = cls.fromConfig(cls, structuredClone(config)); // fromConfig mutates its argument
      expect(JSON.parse(JSON.stringify(clone.getConfig()))).toEqual(config);
      const yClone0 = clone.apply(x) as tf.Tensor; // builds the clone
      clone.setWeights(layer.getWeights());
      const yClone = clone.apply(x) as tf.Tensor;
      expectClose(yClone.dataSync(), y.dataSync(), tolerance);
      tf.dispose([x, y, yClone0, yClone]);
      layer.dispose();
      clone.dispose();
    });

    it('counts its weights: countParams = sum of weight sizes' + (options.expectedParams === undefined ? '' : ` = ${options.expectedParams}`), () => {
      const layer = options.factory();
      const model = sequentialOf(layer, options.inputShape);
      const sizes = [...layer.trainableWeights, ...layer.nonTrainableWeights].map((w) => w.shape.reduce((a: number, b) => a * (b ?? 1), 1));
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(layer.countParams()).toBe(total);
      expect(layer.getWeights().length).toBe(sizes.length);
      if (options.expectedParams !== undefined) expect(layer.countParams()).toBe(options.expectedParams);
      // Weight names must be unique, or save/load would mix them up.
      const names = layer.weights.map((w) => w.name);
      expect(new Set(names).size).toBe(names.length);
      model.dispose();
    });

    for (const via of ['memory', 'file system'] as const) {
      it(`saves and loads through the ${via} IO handler with identical outputs (after training changed every weight)`, async () => {
        const layer = options.factory();
        const model = sequentialOf(layer, options.inputShape);
        const x = makeInput(fullShape);
        // Train first so batch-norm statistics and weights differ from any initializer's output:
        // a dropped weight would then show up as a different prediction after loading.
        const optimizer = tf.train.sgd(0.05);
        trainStep(model, x, optimizer);
        trainStep(model, x, optimizer);
        optimizer.dispose();
        const before = predict(model, x);
        let loaded: tfl.LayersModel;
        if (via === 'memory') {
          let artifacts: tf.io.ModelArtifacts | undefined;
          await model.save(
            tf.io.withSaveHandler(async (a) => {
              artifacts = a;
              return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
            }),
          );
          expect(artifacts?.weightSpecs?.length).toBe(model.weights.length);
          loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
        } else {
          const directory = mkdtempSync(path.join(tmpdir(), 'flowsentry-suite-'));
          directories.push(directory);
          await model.save(fileSystem(directory));
          loaded = await tfl.loadLayersModel(fileSystem(directory));
        }
        expect(loaded.layers.at(-1)?.getClassName()).toBe(layer.getClassName());
        expect(loaded.countParams()).toBe(model.countParams());
        expect(predict(loaded, x)).toEqual(before);
        x.dispose();
        model.dispose();
        loaded.dispose();
      });
    }

    it('leaks no tensor in apply (inference and training mode)', async () => {
      const layer = options.factory();
      const x = makeInput(fullShape);
      (layer.apply(x) as tf.Tensor).dispose(); // build outside the leak check: weights are meant to stay
      await expectNoLeaks(() => {
        (layer.apply(x) as tf.Tensor).dispose();
        (layer.apply(x, { training: true }) as tf.Tensor).dispose();
      });
      x.dispose();
      layer.dispose();
    });

    it('leaks no tensor in a training step, and gradients reach its weights', async () => {
      const layer = options.factory();
      const model = sequentialOf(layer, options.inputShape);
      const x = makeInput(fullShape);
      const optimizer = tf.train.sgd(0.01);
      trainStep(model, x, optimizer); // first step may create optimizer state
      await expectNoLeaks(() => trainStep(model, x, optimizer));
      const { grads, value } = tf.variableGrads(() => {
        const y = model.apply(x, { training: true }) as tf.Tensor;
        return tf.mean(tf.square(y)) as tf.Scalar;
      }, layer.trainableWeights.map((w) => w.read() as tf.Variable));
      for (const [weight, grad] of Object.entries(grads)) {
        const values = grad.dataSync();
        expect(Array.from(values).every(Number.isFinite), `gradient of ${weight} is not finite`).toBe(true);
        if (options.everyWeightLearns ?? true) {
          const largest = Array.from(values).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          expect(largest, `gradient of ${weight} is zero`).toBeGreaterThan(0);
        }
      }
      expect(Object.keys(grads).length).toBe(layer.trainableWeights.length);
      tf.dispose([value, ...Object.values(grads), x]);
      optimizer.dispose();
      model.dispose();
    });
  });
}
