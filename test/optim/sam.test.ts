import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { FusedAdam, fusedAdam, SAM } from '../../src/optim/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

// Separable quadratic over two variables: f = 0.5 sum h_a (a - m_a)^2 + 0.5 sum h_b (b - m_b)^2,
// gradient h (w - m). The analytic SAM step is written out in float64 below.
const H = [[2, 0.5, 3], [1, 4]] as const;
const M = [[1, -1, 0.5], [2, -3]] as const;
const W0 = [[0.3, 0.7, -1.2], [-0.4, 1.5]] as const;

function quadratic(vars: tf.Variable[]): () => tf.Scalar {
  return () =>
    tf.addN(vars.map((v, i) => tf.mul(0.5, tf.sum(tf.mul(tf.tensor1d([...H[i] as readonly number[]]), tf.square(tf.sub(v, tf.tensor1d([...M[i] as readonly number[]])))))))) as tf.Scalar;
}

function analyticStep(lr: number, rho: number, adaptive: boolean): number[][] {
  const grad = (w: number[][]): number[][] => w.map((wi, i) => wi.map((x, j) => (H[i] as readonly number[])[j]! * (x - (M[i] as readonly number[])[j]!)));
  const w = W0.map((r) => [...r]);
  const g = grad(w);
  const t = w.map((r) => r.map((x) => (adaptive ? Math.abs(x) : 1)));
  const norm = Math.sqrt(g.flatMap((r, i) => r.map((x, j) => (t[i]![j]! * x) ** 2)).reduce((a, b) => a + b, 0));
  const perturbed = w.map((r, i) => r.map((x, j) => x + (rho * t[i]![j]! ** 2 * g[i]![j]!) / (norm + 1e-12)));
  const g2 = grad(perturbed);
  return w.map((r, i) => r.map((x, j) => x - lr * g2[i]![j]!));
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs((actual[i] as number) - expected[i]!)).toBeLessThanOrEqual(tol);
}

describe('SAM one step equals the analytic update on a quadratic', () => {
  for (const adaptive of [false, true]) {
    it(adaptive ? 'ASAM (element-wise |w| scaling)' : 'SAM', () => {
      const vars = W0.map((r) => tf.variable(tf.tensor1d([...r])));
      const sam = new SAM(tf.train.sgd(0.1), { rho: 0.3, adaptive });
      const cost = sam.minimize(quadratic(vars), true, vars);
      const expected = analyticStep(0.1, 0.3, adaptive);
      vars.forEach((v, i) => expectClose(v.dataSync(), expected[i]!, 1e-6));
      // The returned cost is the loss at the unperturbed weights.
      const f0 = W0.flatMap((r, i) => r.map((x, j) => 0.5 * (H[i] as readonly number[])[j]! * (x - (M[i] as readonly number[])[j]!) ** 2)).reduce((a, b) => a + b, 0);
      expect(Math.abs((cost as tf.Scalar).dataSync()[0]! - f0)).toBeLessThan(1e-5);
      cost?.dispose();
      sam.dispose();
      tf.dispose(vars);
    });
  }

  it('firstStep moves to w + e with ||e|| = rho, secondStep restores w before updating', () => {
    const vars = W0.map((r) => tf.variable(tf.tensor1d([...r])));
    const before = vars.map((v) => Array.from(v.dataSync()));
    const sam = new SAM(tf.train.sgd(0), { rho: 0.25 });
    const f = quadratic(vars);
    sam.firstStep(f, vars).dispose();
    const e = vars.flatMap((v, i) => Array.from(v.dataSync()).map((x, j) => x - before[i]![j]!));
    expect(Math.hypot(...e)).toBeCloseTo(0.25, 5);
    expect(() => sam.firstStep(f, vars)).toThrow(ValueError);
    sam.secondStep(f, vars);
    // lr = 0: the weights are the exact originals, bit for bit (restored from a copy).
    vars.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(before[i]));
    expect(() => sam.secondStep(f, vars)).toThrow(/firstStep/);
    sam.dispose();
    tf.dispose(vars);
  });
});

describe('without varList', () => {
  it('perturbs and updates every trainable variable the loss depends on, and no other', () => {
    const a = tf.variable(tf.tensor1d([1, -1]));
    const frozen = tf.variable(tf.tensor1d([2, 2]), false);
    const sam = new SAM(tf.train.sgd(0.1), { rho: 0.1 });
    // f = sum(a^2) + sum(frozen * a): g = 2a + frozen = [4, 0], e = 0.1 [1, 0], g2 = 2(a + e) + frozen.
    sam.minimize(() => tf.add(tf.sum(tf.square(a)), tf.sum(tf.mul(frozen, a))) as tf.Scalar);
    expectClose(a.dataSync(), [1 - 0.1 * (2 * 1.1 + 2), -1 - 0.1 * (2 * -1 + 2)], 1e-6);
    expect(Array.from(frozen.dataSync())).toEqual([2, 2]);
    sam.dispose();
    tf.dispose([a, frozen]);
  });
});

describe('rho = 0 reproduces the base optimizer to the last bit over 100 steps', () => {
  const bases: [string, () => tf.Optimizer][] = [
    ['SGD', () => tf.train.sgd(0.05)],
    ['momentum', () => tf.train.momentum(0.05, 0.9)],
    ['Adam', () => tf.train.adam(0.01)],
    ['RMSProp', () => tf.train.rmsprop(0.01)],
  ];
  it.each(bases)('%s', (_, makeBase) => {
    const x = tf.tensor2d([[0.5, -1], [2, 0.3], [-0.7, 0.1], [1.1, 1.9]]);
    const y = tf.tensor2d([[1], [0], [1], [0]]);
    const run = (wrap: boolean): Float32Array[] => {
      const w1 = tf.variable(tf.tensor2d([[0.1, -0.2, 0.3], [0.4, 0.05, -0.6]]));
      const w2 = tf.variable(tf.tensor2d([[0.7], [-0.3], [0.2]]));
      const opt = wrap ? new SAM(makeBase(), { rho: 0 }) : makeBase();
      const f = (): tf.Scalar => tf.losses.sigmoidCrossEntropy(y, tf.matMul(tf.tanh(tf.matMul(x, w1)), w2)) as tf.Scalar;
      for (let i = 0; i < 100; i++) opt.minimize(f, false, [w1, w2]);
      const out = [w1, w2].map((w) => Float32Array.from(w.dataSync()));
      opt.dispose();
      tf.dispose([w1, w2]);
      return out;
    };
    const bare = run(false);
    const wrapped = run(true);
    expect(wrapped.map((a) => Array.from(new Uint32Array(a.buffer)))).toEqual(bare.map((a) => Array.from(new Uint32Array(a.buffer))));
    tf.dispose([x, y]);
  });
});

describe('batch-norm moving statistics', () => {
  function bnModel(): tfl.Sequential {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 3, inputShape: [2], kernelInitializer: 'glorotNormal', useBias: false }));
    model.add(tfl.layers.batchNormalization({ momentum: 0.9 }));
    model.add(tfl.layers.dense({ units: 1, kernelInitializer: 'glorotNormal' }));
    return model;
  }
  const xs = [[1, 2], [-1, 0.5], [3, -2], [0.2, 0.1]];

  for (const statisticsUpdate of ['firstPass', 'bothPasses'] as const) {
    it(`${statisticsUpdate}: moving mean after one SAM step`, () => {
      tf.setBackend('cpu');
      const model = bnModel();
      const x = tf.tensor2d(xs);
      const y = tf.tensor2d([[1], [0], [1], [0]]);
      const dense = model.layers[0] as tfl.layers.Layer;
      const bn = model.layers[1] as tfl.layers.Layer;
      const movingMean = (): number[] => Array.from(bn.getWeights()[2]!.dataSync());
      const m0 = movingMean();
      // Single update from the unperturbed weights: m = 0.9 m0 + 0.1 mean_batch(x W).
      const batchMean = tf.tidy(() => Array.from(tf.mean(dense.apply(x) as tf.Tensor, 0).dataSync()));
      const single = m0.map((m, j) => 0.9 * m + 0.1 * batchMean[j]!);
      const sam = new SAM(tf.train.sgd(0.1), { rho: 0.5, statisticsUpdate });
      const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const f = (): tf.Scalar => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
      sam.minimize(f, false, varList);
      if (statisticsUpdate === 'firstPass') {
        expectClose(movingMean(), single, 1e-6);
      } else {
        // Updated twice (the second time from the perturbed weights): not the single update.
        const diff = Math.max(...movingMean().map((m, j) => Math.abs(m - single[j]!)));
        expect(diff).toBeGreaterThan(1e-3);
      }
      sam.dispose();
      model.dispose();
      tf.dispose([x, y]);
    });
  }

  it('no tensor leak per step on a model with batch norm', async () => {
    const model = bnModel();
    const x = tf.tensor2d(xs);
    const y = tf.tensor2d([[1], [0], [1], [0]]);
    const sam = new SAM(tf.train.adam(0.01), { rho: 0.05, adaptive: true });
    const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const f = (): tf.Scalar => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    sam.minimize(f, false, varList); // creates Adam's moments
    await expectNoLeaks(() => {
      for (let i = 0; i < 3; i++) sam.minimize(f, false, varList);
      sam.minimize(f, true, varList)?.dispose();
      sam.firstStep(f, varList).dispose();
      sam.secondStep(f, varList);
    });
    sam.dispose();
    model.dispose();
    tf.dispose([x, y]);
  });

  it('SAM over momentum, used then disposed, leaves no tensor (including the lr scalar tfjs forgets)', async () => {
    const w = tf.variable(tf.tensor1d([1, 2, 3]));
    await expectNoLeaks(() => {
      const sam = new SAM(tf.train.momentum(0.1, 0.9), { rho: 0.05 });
      for (let i = 0; i < 3; i++) sam.minimize(() => tf.sum(tf.square(w)) as tf.Scalar, false, [w]);
      sam.dispose();
    });
    w.dispose();
  });

  it('works as the optimizer of tfjs-layers model.fit', async () => {
    const model = bnModel();
    const sam = new SAM(tf.train.sgd(0.05), { rho: 0.05 });
    model.compile({ optimizer: sam, loss: 'meanSquaredError' });
    const x = tf.tensor2d(xs);
    const y = tf.tensor2d([[1], [0], [1], [0]]);
    const history = await model.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0 });
    const loss = history.history['loss'] as number[];
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]!);
    model.dispose();
    tf.dispose([x, y]);
  });
});

describe('serialization and delegation', () => {
  it('getConfig / fromConfig round trip through the registered class', () => {
    const sam = new SAM(tf.train.momentum(0.02, 0.8, true), { rho: 0.1, adaptive: true, epsilon: 1e-9, statisticsUpdate: 'bothPasses' });
    const config = sam.getConfig();
    const entry = tf.serialization.SerializationMap.getMap().classNameMap['flowsentry.SAM'];
    expect(entry).toBeDefined();
    const [cls, fromConfig] = entry!;
    const copy = fromConfig(cls, config) as unknown as SAM;
    expect(Object.getPrototypeOf(copy)).toBe(SAM.prototype); // not toBeInstanceOf: tf.Optimizer's Symbol.hasInstance accepts any optimizer
    expect(copy.getConfig()).toEqual(config);
    expect(copy.base.getClassName()).toBe('Momentum');
    expect(config['baseOptimizer']).toEqual({ className: 'Momentum', config: { learningRate: 0.02, momentum: 0.8, useNesterov: true } });
    sam.dispose();
    copy.dispose();
  });

  it("a base FusedAdam comes back from fromConfig as a FusedAdam (tfjs's 'Adam' class name) with the same settings", () => {
    const sam = new SAM(fusedAdam(0.003, 0.8, 0.95, 1e-6), { rho: 0.04 });
    const config = sam.getConfig();
    expect(config['baseOptimizer']).toEqual({ className: 'Adam', config: { learningRate: 0.003, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 } });
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap['flowsentry.SAM']!;
    const copy = fromConfig(cls, config) as unknown as SAM;
    expect(Object.getPrototypeOf(copy.base)).toBe(FusedAdam.prototype);
    expect(copy.getConfig()).toEqual(config);
    // A plain tfjs Adam's saved base also comes back fused (same update, see the FusedAdam tests).
    const plain = new SAM(tf.train.adam(0.01), { rho: 0.05 });
    const plainCopy = fromConfig(cls, plain.getConfig()) as unknown as SAM;
    expect(Object.getPrototypeOf(plainCopy.base)).toBe(FusedAdam.prototype);
    expect(plainCopy.getConfig()).toEqual(plain.getConfig());
    for (const o of [sam, copy, plain, plainCopy]) o.dispose();
  });

  it('survives model.save / tf.loadLayersModel with includeOptimizer', async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 2, inputShape: [3] }));
    model.compile({ optimizer: new SAM(tf.train.adam(0.01), { rho: 0.07, adaptive: true }), loss: 'meanSquaredError' });
    const x = tf.ones([4, 3]);
    const y = tf.zeros([4, 2]);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    const optimizer = loaded.optimizer as unknown as SAM;
    expect(Object.getPrototypeOf(optimizer)).toBe(SAM.prototype);
    expect(optimizer.rho).toBe(0.07);
    expect(optimizer.adaptive).toBe(true);
    expect(optimizer.base.getClassName()).toBe('Adam');
    model.dispose();
    loaded.dispose();
    tf.dispose([x, y]);
  });

  it('getWeights / setWeights carry the base optimizer state: the next step is identical', async () => {
    const w = tf.variable(tf.tensor1d([1, -2, 3]), true, 'samSerialW');
    const f = (): tf.Scalar => tf.sum(tf.square(tf.sub(w, tf.tensor1d([0.5, 0.5, 0.5])))) as tf.Scalar;
    const a = new SAM(tf.train.adam(0.1), { rho: 0.05 });
    for (let i = 0; i < 5; i++) a.minimize(f, false, [w]);
    // tfjs returns the live state variables: copy them before the next step changes them.
    const saved = (await a.getWeights()).map((s) => ({ name: s.name, tensor: s.tensor.clone() }));
    expect(saved.map((s) => s.name)).toEqual(['iter', 'samSerialW/m', 'samSerialW/v']);
    const start = w.clone();
    a.minimize(f, false, [w]);
    const expected = Array.from(w.dataSync());
    w.assign(start);
    const b = new SAM(tf.train.adam(0.1), { rho: 0.05 });
    await b.setWeights(saved);
    b.minimize(f, false, [w]);
    // tfjs's Adam.setWeights recomputes beta^t with pow (the running value used repeated products).
    expectClose(w.dataSync(), expected, 1e-6);
    tf.dispose([start, w, ...saved.map((s) => s.tensor)]);
    a.dispose();
    b.dispose();
  });

  it('applyGradients delegates to the base optimizer (no perturbation)', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const sam = new SAM(tf.train.sgd(0.5), { rho: 1 });
    sam.applyGradients({ [w.name]: tf.tensor1d([2, -2]) });
    expect(Array.from(w.dataSync())).toEqual([0, 3]);
    sam.dispose();
    w.dispose();
  });

  it('setLearningRate drives the base optimizer', () => {
    const sam = new SAM(tf.train.adam(0.1));
    sam.setLearningRate(0.01);
    expect(sam.getLearningRate()).toBe(0.01);
    sam.dispose();
  });

  it('rejects bad options naming the argument', () => {
    expect(() => new SAM(tf.train.sgd(0.1), { rho: -1 })).toThrow(/rho: expected/);
    expect(() => new SAM(tf.train.sgd(0.1), { epsilon: 0 })).toThrow(/epsilon/);
    expect(() => new SAM(tf.train.sgd(0.1), { statisticsUpdate: 'never' as 'firstPass' })).toThrow(/statisticsUpdate/);
    expect(() => new SAM({} as tf.Optimizer)).toThrow(ValueError);
    expect(() => new SAM(undefined as unknown as tf.Optimizer)).toThrow(/baseOptimizer/);
  });
});
