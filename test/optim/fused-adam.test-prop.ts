import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers'; // its CJS bundle also registers tfjs-core's gradients
import { afterEach, describe, expect, it } from 'vitest';
import { setGemmWasm } from '../../src/kernels/gemm.js';
import { setFlowsentryKernels } from '../../src/kernels/index.js';
import { FusedAdam, fusedAdam, SAM } from '../../src/optim/index.js';
import { trainModel } from '../../src/train/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** The float32 bit patterns of a tensor, so -0 / +0 and every last bit count. */
function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
}

/** A shape with `size` elements: scalar, vector or matrix. */
function shapeOf(size: number, rank: number): number[] {
  if (rank === 0 && size === 1) return [];
  if (rank === 2 && size % 4 === 0) return [4, size / 4];
  return [size];
}

interface Problem {
  /** Per variable: its shape and initial values. */
  variables: { shape: number[]; init: Float32Array }[];
  /** Per step, per variable: the gradient's values. */
  grads: Float32Array[][];
}

/**
 * Arrays of normal-ish values over several decades, 5 % zeros (the moments of a zero gradient), from a
 * linear congruential generator seeded with `seed`.
 */
function filler(seed: number): (n: number) => Float32Array {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const u = state / 2 ** 32;
    if (u < 0.05) return 0;
    return (u - 0.5) * 10 ** Math.floor(u * 8 - 4);
  };
  return (n) => Float32Array.from({ length: n }, next);
}

const sizes = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 1000, max: 5000 }));
const problem: fc.Arbitrary<Problem> = fc
  .record({
    specs: fc.array(fc.record({ size: sizes, rank: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 4 }),
    steps: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map(({ specs, steps, seed }) => {
    const fill = filler(seed);
    const variables = specs.map(({ size, rank }) => ({ shape: shapeOf(size, rank), init: fill(size) }));
    const grads = Array.from({ length: steps }, () => variables.map((v) => fill(v.init.length)));
    return { variables, grads };
  });

/** Runs the problem's steps with the given optimizer, then disposes it; returns the bits of the weights and of its getWeights() (iterations, moments). */
async function run(opt: tf.Optimizer, p: Problem, asList: boolean): Promise<{ weights: number[][]; slots: number[][] }> {
  const vars = p.variables.map((v) => tf.tidy(() => tf.variable(tf.tensor(v.init, v.shape))));
  for (const step of p.grads) {
    const gs = step.map((g, i) => tf.tensor(g, p.variables[i]!.shape));
    if (asList) opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: gs[i]! })));
    else opt.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, gs[i]!])));
    tf.dispose(gs);
  }
  const weights = vars.map(bits);
  const saved = await opt.getWeights();
  const slots = saved.map((w) => bits(w.tensor));
  (saved[0] as { tensor: tf.Tensor }).tensor.dispose(); // the iteration count, a new scalar
  tf.dispose(vars);
  opt.dispose();
  return { weights, slots };
}

afterEach(() => {
  setFlowsentryKernels(true);
  setGemmWasm(true);
});

describe('FusedAdam', () => {
  test.prop([problem, fc.boolean(), fc.constantFrom(1e-3, 0.1, 3), fc.boolean()], { numRuns: 40 })(
    'bit-identical to tf.train.adam: weights, moments and iteration count after several steps (SIMD module or JavaScript loop)',
    async (p, asList, lr, simd) => {
      await expectNoLeaks(async () => {
        const a = await run(tf.train.adam(lr), p, asList);
        setGemmWasm(simd);
        const b = await run(fusedAdam(lr), p, asList);
        setGemmWasm(true);
        expect(b).toEqual(a);
      });
    },
  );

  test.prop([problem, fc.double({ min: 0.5, max: 0.99, noNaN: true }), fc.double({ min: 0.9, max: 0.9999, noNaN: true }), fc.double({ min: 1e-8, max: 1e-2, noNaN: true })], { numRuns: 15 })(
    'bit-identical with any betas and epsilon (SIMD module and JavaScript loop)',
    async (p, beta1, beta2, epsilon) => {
      const a = await run(tf.train.adam(0.01, beta1, beta2, epsilon), p, true);
      const b = await run(new FusedAdam(0.01, beta1, beta2, epsilon), p, true);
      setGemmWasm(false);
      const c = await run(new FusedAdam(0.01, beta1, beta2, epsilon), p, true);
      expect(c).toEqual(a);
      expect(b).toEqual(a);
    },
  );

  test.prop([problem], { numRuns: 10 })('with the kernels off (the path of every other backend): tfjs\'s own update, identical', async (p) => {
    const a = await run(tf.train.adam(0.01), p, true);
    setFlowsentryKernels(false);
    const b = await run(fusedAdam(0.01), p, true);
    expect(b).toEqual(a);
  });

  it('bit-identical on a variable the size of the BiGRU (120,000 weights), 3 steps', async () => {
    const fill = filler(12345);
    const p: Problem = { variables: [{ shape: [300, 400], init: fill(120_000) }], grads: [[fill(120_000)], [fill(120_000)], [fill(120_000)]] };
    await expectNoLeaks(async () => {
      expect(await run(fusedAdam(1e-3), p, true)).toEqual(await run(tf.train.adam(1e-3), p, true));
    });
  });

  it('under SAM, bit-identical to SAM over tf.train.adam on a small regression', async () => {
    const train = async (base: tf.Optimizer): Promise<number[][]> => {
      const w = tf.tidy(() => tf.variable(tf.randomNormal([6, 3], 0, 1, 'float32', 7)));
      const b = tf.tidy(() => tf.variable(tf.zeros([3])));
      const x = tf.randomNormal([32, 6], 0, 1, 'float32', 8);
      const y = tf.randomNormal([32, 3], 0, 1, 'float32', 9);
      const sam = new SAM(base, { rho: 0.05 });
      for (let i = 0; i < 5; i++) sam.minimize(() => tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, w), b)) as tf.Scalar, false, [w, b]);
      const saved = await sam.getWeights();
      const out = [bits(w), bits(b), ...saved.map((t) => bits(t.tensor))];
      (saved[0] as { tensor: tf.Tensor }).tensor.dispose();
      sam.dispose();
      tf.dispose([w, b, x, y]);
      return out;
    };
    await expectNoLeaks(async () => {
      expect(await train(fusedAdam(0.01))).toEqual(await train(tf.train.adam(0.01)));
    });
  });

  it('in the training loop (trainModel), alone and under SAM: the same weights as with tf.train.adam', async () => {
    const x = tf.randomUniform([48, 5], -1, 1, 'float32', 3);
    const y = tf.tensor1d(Array.from({ length: 48 }, (_, i) => i % 3), 'int32');
    const train = async (optimizer: tf.Optimizer): Promise<number[][]> => {
      const m = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [5], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
          tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      await trainModel(m, { x, y }, { epochs: 3, batchSize: 16, seed: 4, optimizer, verbose: 'silent' });
      const out = m.getWeights().map(bits);
      m.dispose();
      optimizer.dispose();
      return out;
    };
    expect(await train(fusedAdam(0.01))).toEqual(await train(tf.train.adam(0.01)));
    expect(await train(new SAM(fusedAdam(0.01), { rho: 0.1 }))).toEqual(await train(new SAM(tf.train.adam(0.01), { rho: 0.1 })));
    tf.dispose([x, y]);
  });

  it('weights round trip both ways with tf.AdamOptimizer, and the same config and class name', async () => {
    const p: Problem = {
      variables: [{ shape: [3], init: Float32Array.of(1, -2, 3) }, { shape: [], init: Float32Array.of(0.5) }],
      grads: [[Float32Array.of(0.1, 0.2, -0.3), Float32Array.of(1)]],
    };
    const more: Problem = { variables: p.variables, grads: [[Float32Array.of(-1, 0, 2), Float32Array.of(-0.25)]] };
    await expectNoLeaks(async () => {
      // Train 1 step with one optimizer, move its state to the other, take another step; both orders.
      for (const [First, Second] of [
        [() => tf.train.adam(0.05), () => fusedAdam(0.05)],
        [() => fusedAdam(0.05), () => tf.train.adam(0.05)],
      ] as const) {
        const vars = p.variables.map((v) => tf.tidy(() => tf.variable(tf.tensor(v.init, v.shape))));
        const step = (opt: tf.Optimizer, g: Float32Array[]) => {
          const gs = g.map((x, i) => tf.tensor(x, p.variables[i]!.shape));
          opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: gs[i]! })));
          tf.dispose(gs);
        };
        const first = First();
        step(first, p.grads[0]!);
        const second = Second();
        const saved = await first.getWeights();
        const copies = saved.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
        await second.setWeights(copies);
        tf.dispose([(saved[0] as { tensor: tf.Tensor }).tensor, ...copies.map((c) => c.tensor)]); // setWeights makes its own variables
        step(second, more.grads[0]!);
        const got = vars.map(bits);
        // Reference: the same two steps with one tf.AdamOptimizer.
        tf.dispose(vars);
        const ref = await run(tf.train.adam(0.05), { variables: p.variables, grads: [p.grads[0]!, more.grads[0]!] }, true);
        expect(got).toEqual(ref.weights);
        const after = await second.getWeights();
        expect(after.map((w) => bits(w.tensor))).toEqual(ref.slots);
        (after[0] as { tensor: tf.Tensor }).tensor.dispose();
        first.dispose();
        second.dispose();
      }
    });
    const f = fusedAdam(0.02, 0.8, 0.95, 1e-6);
    expect(f.getClassName()).toBe('Adam');
    const stock = tf.train.adam(0.02, 0.8, 0.95, 1e-6);
    expect(f.getConfig()).toEqual(stock.getConfig());
    stock.dispose();
    const back = tf.AdamOptimizer.fromConfig(FusedAdam, f.getConfig()) as FusedAdam;
    expect(Object.getPrototypeOf(back)).toBe(FusedAdam.prototype); // not toBeInstanceOf: tf.Optimizer's Symbol.hasInstance accepts any optimizer
    expect(back.getConfig()).toEqual(f.getConfig());
    const noEpsilon = tf.AdamOptimizer.fromConfig(FusedAdam, { learningRate: 0.02, beta1: 0.8, beta2: 0.95, epsilon: null }) as FusedAdam;
    const stockDefault = tf.train.adam(0.02, 0.8, 0.95);
    expect(noEpsilon.getConfig()).toEqual(stockDefault.getConfig());
    noEpsilon.dispose();
    stockDefault.dispose();
    f.dispose();
    back.dispose();
  });

  it('rejects a non-finite learning rate, naming it', () => {
    expect(() => fusedAdam(Number.NaN)).toThrow(/learningRate/);
    expect(() => new FusedAdam(0.01, 0.9, Number.POSITIVE_INFINITY)).toThrow(/beta2/);
  });
});
