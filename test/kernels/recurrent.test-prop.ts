import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gruSequenceFused } from '../../src/kernels/gru.js';
import { lstmSequenceFused } from '../../src/kernels/lstm.js';
import { biGruFinalStates, biGruSequence, biLstmFinalStates, biLstmSequence, gruSequence, lstmSequence, usesFusedRecurrentKernels } from '../../src/kernels/recurrent.js';
import type { BiGruSequenceArgs, BiLstmSequenceArgs, GruDirectionWeights, LstmDirectionWeights } from '../../src/kernels/recurrent-types.js';
import { poolThreshold, setGemmWasm, setPoolThreshold } from '../../src/kernels/gemm.js';
import { setPoolEnabled } from '../../src/kernels/pool.js';
import { gruSequenceReference, lstmSequenceReference } from '../../src/kernels/recurrent-reference.js';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const dims = fc.record({
  batch: fc.integer({ min: 1, max: 5 }),
  // time 1 included: the reference avoids tfjs's Unpack gradient there (it breaks on a lone output).
  time: fc.integer({ min: 1, max: 6 }),
  features: fc.integer({ min: 1, max: 7 }),
  // Multiples of 4 take the WebAssembly SIMD gate pass, the others the JavaScript one.
  units: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(4, 8, 16)),
  goBackwards: fc.boolean(),
  withState: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});
type Dims = typeof dims extends fc.Arbitrary<infer D> ? D : never;

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Forward values and gradients of sum(y * weights) w.r.t. every input, for one sequence op. */
function valueAndGrads(
  run: (inputs: tf.Tensor[]) => tf.Tensor3D,
  inputs: tf.Tensor[],
  weights: tf.Tensor,
): { y: tf.Tensor; grads: tf.Tensor[] } {
  const f = (...xs: tf.Tensor[]) => tf.sum(tf.mul(run(xs), weights));
  const grads = tf.grads(f)(inputs);
  return { y: run(inputs), grads };
}

function gruInputs(d: Dims): tf.Tensor[] {
  const { batch: B, time: T, features: F, units: U, seed } = d;
  const t = [
    tf.randomNormal([B, T, F], 0, 1, 'float32', seed),
    tf.randomNormal([F, 3 * U], 0, 0.6, 'float32', seed + 1),
    tf.randomNormal([U, 3 * U], 0, 0.6, 'float32', seed + 2),
    tf.randomNormal([3 * U], 0, 0.5, 'float32', seed + 3),
    tf.randomNormal([3 * U], 0, 0.5, 'float32', seed + 4),
  ];
  if (d.withState) t.push(tf.randomNormal([B, U], 0, 0.5, 'float32', seed + 5));
  return t;
}

function lstmInputs(d: Dims): tf.Tensor[] {
  const { batch: B, time: T, features: F, units: U, seed } = d;
  const t = [
    tf.randomNormal([B, T, F], 0, 1, 'float32', seed),
    tf.randomNormal([F, 4 * U], 0, 0.6, 'float32', seed + 1),
    tf.randomNormal([U, 4 * U], 0, 0.6, 'float32', seed + 2),
    tf.randomNormal([4 * U], 0, 0.5, 'float32', seed + 3),
  ];
  if (d.withState) t.push(tf.randomNormal([B, U], 0, 0.5, 'float32', seed + 5), tf.randomNormal([B, U], 0, 0.5, 'float32', seed + 6));
  return t;
}

const gruArgs = (d: Dims, t: tf.Tensor[]) => ({
  x: t[0] as tf.Tensor3D,
  kernel: t[1] as tf.Tensor2D,
  recurrentKernel: t[2] as tf.Tensor2D,
  inputBias: t[3] as tf.Tensor1D,
  recurrentBias: t[4] as tf.Tensor1D,
  ...(d.withState ? { initialState: t[5] as tf.Tensor2D } : {}),
  goBackwards: d.goBackwards,
});

const lstmArgs = (d: Dims, t: tf.Tensor[]) => ({
  x: t[0] as tf.Tensor3D,
  kernel: t[1] as tf.Tensor2D,
  recurrentKernel: t[2] as tf.Tensor2D,
  bias: t[3] as tf.Tensor1D,
  ...(d.withState ? { initialState: { h: t[4] as tf.Tensor2D, c: t[5] as tf.Tensor2D } } : {}),
  goBackwards: d.goBackwards,
});

const cases = [
  { name: 'GRU', inputs: gruInputs, fused: (d: Dims, t: tf.Tensor[]) => gruSequenceFused(gruArgs(d, t)), reference: (d: Dims, t: tf.Tensor[]) => gruSequenceReference(gruArgs(d, t)) },
  { name: 'LSTM', inputs: lstmInputs, fused: (d: Dims, t: tf.Tensor[]) => lstmSequenceFused(lstmArgs(d, t)), reference: (d: Dims, t: tf.Tensor[]) => lstmSequenceReference(lstmArgs(d, t)) },
];

describe.each(cases)('fused $name sequence', (c) => {
  // Every unit count runs the whole-sequence WebAssembly kernels (padded to a multiple of 8 where it
  // is not one); without WebAssembly SIMD the per-step JavaScript path runs.
  test.prop([dims, fc.boolean()], { numRuns: 30 })('equals the op-composition reference: outputs to 1e-5, gradients of every input to 1e-4 (WebAssembly SIMD on and off)', (d, simd) => {
    setGemmWasm(simd);
    try {
      check(d);
    } finally {
      setGemmWasm(true);
    }
  });

  const check = (d: Dims) => {
    const inputs = c.inputs(d);
    const weights = tf.randomNormal([d.batch, d.time, d.units], 0, 1, 'float32', d.seed + 9);
    const fused = valueAndGrads((t) => c.fused(d, t), inputs, weights);
    const ref = valueAndGrads((t) => c.reference(d, t), inputs, weights);
    expect(maxAbsDiff(fused.y, ref.y)).toBeLessThan(1e-5);
    expect(fused.grads.length).toBe(inputs.length);
    fused.grads.forEach((g, i) => {
      expect(g.shape).toEqual(inputs[i]!.shape);
      expect(maxAbsDiff(g, ref.grads[i]!)).toBeLessThan(1e-4);
    });
    tf.dispose([...inputs, weights, fused.y, ref.y, ...fused.grads, ...ref.grads]);
  };

  it('reuses the buffers its backward passes give back: both directions in one loss, three steps, each equal to the reference', () => {
    // units 8: the whole sequence in WebAssembly, whose forward keeps its state in a reused buffer.
    const d: Dims = { batch: 5, time: 6, features: 7, units: 8, goBackwards: false, withState: false, seed: 11 };
    const both = (run: (e: Dims, t: tf.Tensor[]) => tf.Tensor3D) => (t: tf.Tensor[]) => tf.add(run(d, t), run({ ...d, goBackwards: true }, t)) as tf.Tensor3D;
    for (let step = 0; step < 3; step++) {
      const inputs = c.inputs({ ...d, seed: d.seed + 10 * step });
      const weights = tf.randomNormal([d.batch, d.time, d.units], 0, 1, 'float32', step);
      const fused = valueAndGrads(both(c.fused), inputs, weights);
      const ref = valueAndGrads(both(c.reference), inputs, weights);
      expect(maxAbsDiff(fused.y, ref.y)).toBeLessThan(1e-5);
      fused.grads.forEach((g, i) => expect(maxAbsDiff(g, ref.grads[i]!)).toBeLessThan(1e-4));
      tf.dispose([...inputs, weights, fused.y, ref.y, ...fused.grads, ...ref.grads]);
    }
  });

  // units 6: the per-step kernels; 8: the whole sequence in WebAssembly.
  it.each([6, 8])('forward and gradient leave no tensor behind (units %i)', async (units) => {
    const d: Dims = { batch: 3, time: 4, features: 5, units, goBackwards: true, withState: true, seed: 3 };
    const inputs = c.inputs(d);
    await expectNoLeaks(() => {
      tf.dispose(c.fused(d, inputs));
      const g = tf.grads((...xs: tf.Tensor[]) => tf.sum(c.fused(d, xs)))(inputs);
      tf.dispose(g);
    });
    tf.dispose(inputs);
  });
});

test('at one time step the fused GRU gradient equals the single-cell formula', () => {
  // h = (1 - z) n + z h0 with h0 = 0: dL/dW_n = x (1 - z)(1 - n^2) for L = sum(h), one unit.
  const x = tf.tensor3d([[[0.7]]]);
  const k = tf.tensor2d([[0.3, -0.2, 0.5]]);
  const r = tf.tensor2d([[0.1, 0.4, -0.6]]);
  const zero = tf.zeros([3]) as tf.Tensor1D;
  const [gk] = tf.grads((kk: tf.Tensor) => tf.sum(gruSequenceFused({ x, kernel: kk as tf.Tensor2D, recurrentKernel: r, inputBias: zero, recurrentBias: zero })))([k]);
  const z = 1 / (1 + Math.exp(-0.7 * 0.3));
  const n = Math.tanh(0.7 * 0.5);
  const want = [0.7 * -n * z * (1 - z), 0, 0.7 * (1 - z) * (1 - n * n)]; // dz: h0 - n; r has no effect when h0 = 0
  const got = Array.from(gk!.dataSync());
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 6));
  tf.dispose([x, k, r, zero, gk!]);
});

test('gruSequence runs the fused kernel on cpu and the reference when flowsentry kernels are off', () => {
  expect(tf.getBackend()).toBe('cpu');
  expect(usesFusedRecurrentKernels()).toBe(true);
  setFlowsentryKernels(false);
  expect(usesFusedRecurrentKernels()).toBe(false);
  setFlowsentryKernels(true);
  const d: Dims = { batch: 2, time: 3, features: 4, units: 5, goBackwards: false, withState: false, seed: 1 };
  const inputs = gruInputs(d);
  const y = gruSequence(gruArgs(d, inputs));
  const ref = gruSequenceReference(gruArgs(d, inputs));
  expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
  tf.dispose([...inputs, y, ref]);
});

test('bad shapes throw ShapeError naming the argument', () => {
  const x = tf.zeros([2, 3, 4]) as tf.Tensor3D;
  const k = tf.zeros([5, 12]) as tf.Tensor2D;
  const r = tf.zeros([4, 12]) as tf.Tensor2D;
  const b = tf.zeros([12]) as tf.Tensor1D;
  expect(() => gruSequenceFused({ x, kernel: k, recurrentKernel: r, inputBias: b, recurrentBias: b })).toThrow(/kernel/);
  expect(() => lstmSequenceFused({ x, kernel: tf.zeros([4, 16]) as tf.Tensor2D, recurrentKernel: r, bias: b })).toThrow(/recurrentKernel/);
  tf.dispose([x, k, r, b]);
});

const biDims = fc.record({
  // Past 16 rows the sequence kernels split the batch into chunks (with the pool on).
  batch: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 17, max: 40 })),
  time: fc.integer({ min: 1, max: 6 }),
  features: fc.integer({ min: 1, max: 9 }),
  // Multiples of 8 take the one-call path at inference; the others compose two ops and a concat.
  units: fc.oneof(fc.constantFrom(8, 16), fc.integer({ min: 1, max: 9 })),
  worker: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

type BiDims = { batch: number; time: number; features: number; units: number; seed: number };

/** x and both directions' weights of a bidirectional GRU (3 gate blocks) or LSTM (4, one bias). */
function biInputs(gates: 3 | 4, d: BiDims) {
  const { batch: B, time: T, features: F, units: U, seed } = d;
  const dir = (s: number) => {
    const w = {
      kernel: tf.randomNormal([F, gates * U], 0, 0.6, 'float32', s) as tf.Tensor2D,
      recurrentKernel: tf.randomNormal([U, gates * U], 0, 0.6, 'float32', s + 1) as tf.Tensor2D,
    };
    const bias = (k: number) => tf.randomNormal([gates * U], 0, 0.5, 'float32', s + k) as tf.Tensor1D;
    return gates === 3 ? { ...w, inputBias: bias(2), recurrentBias: bias(3) } : { ...w, bias: bias(2) };
  };
  return { x: tf.randomNormal([B, T, F], 0, 1, 'float32', seed) as tf.Tensor3D, forward: dir(seed + 10), backward: dir(seed + 20) };
}
type BiInputs = ReturnType<typeof biInputs>;
const biCases = [
  {
    name: 'GRU', gates: 3 as const,
    bi: (a: BiInputs) => biGruSequence(a as unknown as BiGruSequenceArgs),
    final: (a: BiInputs) => biGruFinalStates(a as unknown as BiGruSequenceArgs),
    one: (a: BiInputs, backward: boolean) => gruSequence({ x: a.x, ...((backward ? a.backward : a.forward) as GruDirectionWeights), goBackwards: backward }),
    reference: (a: BiInputs, backward: boolean) => gruSequenceReference({ x: a.x, ...((backward ? a.backward : a.forward) as GruDirectionWeights), goBackwards: backward }),
  },
  {
    name: 'LSTM', gates: 4 as const,
    bi: (a: BiInputs) => biLstmSequence(a as unknown as BiLstmSequenceArgs),
    final: (a: BiInputs) => biLstmFinalStates(a as unknown as BiLstmSequenceArgs),
    one: (a: BiInputs, backward: boolean) => lstmSequence({ x: a.x, ...((backward ? a.backward : a.forward) as LstmDirectionWeights), goBackwards: backward }),
    reference: (a: BiInputs, backward: boolean) => lstmSequenceReference({ x: a.x, ...((backward ? a.backward : a.forward) as LstmDirectionWeights), goBackwards: backward }),
  },
];
const biTensors = (a: BiInputs): tf.Tensor[] => [a.x, ...Object.values(a.forward), ...Object.values(a.backward)];
/** Rebuilds the inputs from a flat list in biTensors' order (for tf.grads). */
/** The final states of a `[B, T, 2U]` two-direction output: forward at the last step, backward at the first. */
function finalOf(y: tf.Tensor3D): tf.Tensor2D {
  const [B, T, W] = y.shape;
  const U = W / 2;
  return tf.tidy(() => tf.concat([tf.reshape(tf.slice(y, [0, T - 1, 0], [B, 1, U]), [B, U]), tf.reshape(tf.slice(y, [0, 0, U], [B, 1, U]), [B, U])], 1));
}
function biPack(a: BiInputs, t: tf.Tensor[]): BiInputs {
  const keys = Object.keys(a.forward);
  const dir = (o: number) => Object.fromEntries(keys.map((k, i) => [k, t[o + i]])) as BiInputs['forward'];
  return { x: t[0] as tf.Tensor3D, forward: dir(1), backward: dir(1 + keys.length) };
}

describe.each(biCases)('bidirectional $name', (c) => {
  test.prop([biDims], { numRuns: 25 })(
    'at inference equals the concat of the two directions (bit for bit) and the reference (1e-5), and its final states their final states, with and without the worker',
    async (d) => {
      const a = biInputs(c.gates, d);
      const threshold = poolThreshold();
      setPoolEnabled(d.worker);
      if (d.worker) setPoolThreshold(1);
      try {
        await expectNoLeaks(() => tf.dispose(c.bi(a)));
        await expectNoLeaks(() => tf.dispose(c.final(a)));
        const y = c.bi(a);
        const fin = c.final(a);
        const composed = tf.tidy(() => tf.concat([c.one(a, false), c.one(a, true)], 2));
        const ref = tf.tidy(() => tf.concat([c.reference(a, false), c.reference(a, true)], 2));
        const composedFinal = finalOf(composed);
        expect(y.shape).toEqual([d.batch, d.time, 2 * d.units]);
        expect(Array.from(y.dataSync())).toEqual(Array.from(composed.dataSync()));
        expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
        expect(fin.shape).toEqual([d.batch, 2 * d.units]);
        expect(Array.from(fin.dataSync())).toEqual(Array.from(composedFinal.dataSync()));
        tf.dispose([y, fin, composed, composedFinal, ref]);
      } finally {
        setPoolThreshold(threshold);
        setPoolEnabled(true);
        tf.dispose(biTensors(a));
      }
    },
  );

  it('while gradients are recorded: the gradients of the reference composition, no leaks', async () => {
    const a = biInputs(c.gates, { batch: 3, time: 4, features: 5, units: 8, seed: 7 });
    const inputs = biTensors(a);
    const w = tf.randomNormal([3, 4, 16], 0, 1, 'float32', 9);
    const grads = () => tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(c.bi(biPack(a, t)), w)))(inputs);
    await expectNoLeaks(() => tf.dispose(grads()));
    const got = grads();
    const want = tf.grads((...t: tf.Tensor[]) => {
      const p = biPack(a, t);
      return tf.sum(tf.mul(tf.concat([c.reference(p, false), c.reference(p, true)], 2), w));
    })(inputs);
    got.forEach((g, i) => expect(maxAbsDiff(g, want[i]!)).toBeLessThan(1e-4));
    tf.dispose([...got, ...want, ...inputs, w]);
  });

  it('final states while gradients are recorded: the gradients of the reference final states, no leaks', async () => {
    const a = biInputs(c.gates, { batch: 3, time: 4, features: 5, units: 8, seed: 8 });
    const inputs = biTensors(a);
    const w = tf.randomNormal([3, 16], 0, 1, 'float32', 10);
    const grads = () => tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(c.final(biPack(a, t)), w)))(inputs);
    await expectNoLeaks(() => tf.dispose(grads()));
    const got = grads();
    const want = tf.grads((...t: tf.Tensor[]) => {
      const p = biPack(a, t);
      return tf.sum(tf.mul(finalOf(tf.concat([c.reference(p, false), c.reference(p, true)], 2) as tf.Tensor3D), w));
    })(inputs);
    got.forEach((g, i) => expect(maxAbsDiff(g, want[i]!)).toBeLessThan(1e-4));
    tf.dispose([...got, ...want, ...inputs, w]);
  });

  it('with flowsentry kernels off (as on every other backend) runs the reference composition', () => {
    const a = biInputs(c.gates, { batch: 2, time: 3, features: 4, units: 8, seed: 5 });
    setFlowsentryKernels(false);
    try {
      const y = c.bi(a);
      const fin = c.final(a);
      const ref = tf.tidy(() => tf.concat([c.reference(a, false), c.reference(a, true)], 2));
      const refFinal = finalOf(ref as tf.Tensor3D);
      expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
      expect(Array.from(fin.dataSync())).toEqual(Array.from(refFinal.dataSync()));
      tf.dispose([y, fin, ref, refFinal]);
    } finally {
      setFlowsentryKernels(true);
      tf.dispose(biTensors(a));
    }
  });

  it('rejects directions of different sizes with a ShapeError naming the argument', () => {
    const a = biInputs(c.gates, { batch: 2, time: 3, features: 4, units: 8, seed: 1 });
    const b = biInputs(c.gates, { batch: 2, time: 3, features: 4, units: 16, seed: 2 });
    expect(() => c.bi({ ...a, backward: b.backward })).toThrow(/backward\.recurrentKernel/);
    expect(() => c.final({ ...a, backward: b.backward })).toThrow(/FinalStates: backward\.recurrentKernel/);
    const biasKey = c.gates === 3 ? 'inputBias' : 'bias';
    expect(() => c.bi({ ...a, backward: { ...a.backward, [biasKey]: (b.backward as Record<string, tf.Tensor>)[biasKey] } as BiInputs['backward'] })).toThrow(new RegExp(`backward\\.${biasKey}`));
    tf.dispose([...biTensors(a), ...biTensors(b)]);
  });
});
