import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { setFlowsentryKernels } from '../../src/kernels/switch.js';
import { expectNoLeaks } from '../helpers/leaks.js';

/** Runs `f` with flowsentry's kernels and with tfjs's stock cpu kernels; returns both outputs as arrays. */
async function oursAndStock(f: () => tf.Tensor | tf.Tensor[]): Promise<[number[][], number[][], number[][], number[][]]> {
  const read = () => {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const r = [list.map((t) => Array.from(t.dataSync())), list.map((t) => t.shape)];
    tf.dispose(list);
    return r as [number[][], number[][]];
  };
  const ours = await expectNoLeaks(read);
  setFlowsentryKernels(false);
  const stock = read();
  setFlowsentryKernels(true);
  return [ours[0], stock[0], ours[1], stock[1]];
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 });

test.prop([shapeArb, fc.integer({ min: 0, max: 1e6 }), fc.boolean()], { numRuns: 40 })(
  'slice, split (SplitV) and sum equal the stock cpu kernels exactly in value and shape',
  async (shape, seed, keepDims) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', seed);
    const rank = shape.length;
    const begin = shape.map((d, i) => (seed >> i) % d);
    const size = shape.map((d, i) => d - (begin[i] as number));
    const axis = seed % rank;
    const lead = Array.from({ length: 1 + (seed % rank) }, (_, i) => i);
    const trail = lead.map((a) => rank - 1 - a);
    const [o, s, os, ss] = await oursAndStock(() => [
      tf.slice(x, begin, size),
      ...tf.split(x, [1, (shape[axis] as number) - 1].filter((v) => v > 0), axis),
      tf.sum(x, lead, keepDims),
      tf.sum(x, trail, keepDims),
      tf.sum(tf.cast(x, 'int32'), lead),
    ]);
    expect(os).toEqual(ss);
    o.forEach((v, i) => v.forEach((e, j) => expect(e).toBeCloseTo(s[i]![j]!, 4)));
    x.dispose();
  },
);

test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 60, max: 140 }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 20 })(
  'slices and splits cutting one axis with whole axes before it (runs long and short) equal the stock kernels exactly',
  async (a, b, c, seed) => {
    const x = tf.randomNormal([a, b, c], 0, 1, 'float32', seed);
    const cutB = 1 + (seed % (b - 1));
    const cutC = 1 + (seed % (c - 1));
    const [o, s, os, ss] = await oursAndStock(() => [
      ...tf.split(x, [cutB, b - cutB], 1), // runs of cutB * c values (64 and more: whole copies)
      ...tf.split(x, [cutC, c - cutC], 2),
      tf.slice(x, [0, cutB, 0], [a, b - cutB, c]),
      tf.slice(x, [0, 0, cutC], [a, b, c - cutC]),
    ]);
    expect(os).toEqual(ss);
    o.forEach((v, i) => expect(v).toEqual(s[i]));
    x.dispose();
  },
);

test.prop([shapeArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 40 })(
  'add and multiply with equal or trailing-block (bias) shapes, either side, equal stock',
  async (shape, cut, seed) => {
    const a = tf.randomNormal(shape, 0, 1, 'float32', seed);
    const b = tf.randomNormal(shape.slice(Math.min(cut, shape.length - 1)), 0, 1, 'float32', seed + 1);
    const c = tf.randomNormal([1, ...shape.slice(1)], 0, 1, 'float32', seed + 2); // general broadcast: stock path
    const [o, s, os, ss] = await oursAndStock(() => [tf.add(a, b), tf.mul(b, a), tf.add(a, a), tf.mul(a, c), tf.add(c, a)]);
    expect(os).toEqual(ss);
    o.forEach((v, i) => expect(v).toEqual(s[i]));
    tf.dispose([a, b, c]);
  },
);

test('sum of an empty tensor gives zeros of the kept shape, like stock', async () => {
  const x = tf.zeros([0, 3]);
  const [o, s, os, ss] = await oursAndStock(() => [tf.sum(x, 0), tf.sum(x, 1), tf.sum(x, 0, true)]);
  expect(os).toEqual(ss);
  expect(o).toEqual(s);
  x.dispose();
});

test.prop([shapeArb, fc.integer({ min: 0, max: 1e6 })], { numRuns: 20 })('relu, its gradient (step), leaky step and square equal stock, NaN and -0 included', async (shape, seed) => {
  const base = tf.randomNormal(shape, 0, 1, 'float32', seed);
  const x = tf.concat([tf.reshape(base, [-1]), tf.tensor1d([NaN, -0, 0])]);
  const [o, s, os, ss] = await oursAndStock(() => [tf.relu(x), tf.step(x), tf.step(x, 0.3), tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x), tf.square(x), tf.square(tf.mul(x, 1e20))]);
  expect(os).toEqual(ss);
  expect(o).toEqual(s);
  tf.dispose([base, x]);
});

// Inputs of at least 1024 elements run in the WebAssembly SIMD module: still bit-equal to stock.
const bigShape = fc.record({
  rows: fc.integer({ min: 40, max: 300 }),
  m: fc.constantFrom(1, 3, 4, 8, 32, 36),
  lead: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

test.prop([bigShape], { numRuns: 25 })(
  'add, multiply, subtract and divide on large tensors (bias, scalar and equal shapes, SIMD path) equal stock exactly',
  async ({ rows, m, lead, seed }) => {
    const a = tf.randomNormal([lead, rows, m], 0, 1, 'float32', seed);
    const bias = tf.randomNormal([m], 0, 1, 'float32', seed + 1);
    const other = tf.randomNormal([lead, rows, m], 0, 1, 'float32', seed + 2);
    const s = tf.scalar(0.7 + (seed % 5));
    const [o, st, os, ss] = await oursAndStock(() => [
      tf.add(a, bias), tf.mul(bias, a), tf.sub(a, bias), tf.div(a, bias), tf.sub(bias, a), tf.div(bias, a),
      tf.div(a, s), tf.mul(a, s), tf.add(s, a), tf.sub(a, other), tf.div(a, other), tf.div(a, tf.scalar(0)),
      tf.mul(tf.reshape(s, [1]), a), tf.sub(a, tf.reshape(s, [1, 1, 1, 1])), tf.div(tf.reshape(a, [-1]), tf.reshape(s, [1])),
    ]);
    expect(os).toEqual(ss);
    o.forEach((v, i) => expect(v).toEqual(st[i]));
    tf.dispose([a, bias, other, s]);
  },
);

test.prop([fc.integer({ min: 1024, max: 5000 }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 10 })(
  'relu, step, leaky step and square on large tensors (SIMD path) equal stock, NaN and -0 included',
  async (n, seed) => {
    const base = tf.randomNormal([n], 0, 1, 'float32', seed);
    const x = tf.concat([base, tf.tensor1d([NaN, -0, 0, Infinity, -Infinity])]);
    const [o, s, os, ss] = await oursAndStock(() => [tf.relu(x), tf.step(x), tf.step(x, 0.3), tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(x), tf.square(x), tf.square(tf.mul(x, 1e20))]);
    expect(os).toEqual(ss);
    expect(o).toEqual(s);
    tf.dispose([base, x]);
  },
);

test.prop([bigShape], { numRuns: 10 })('sum over leading axes of large tensors (SIMD column sums) equals stock to float32 accumulation error', async ({ rows, m, lead, seed }) => {
  const x = tf.randomNormal([lead, rows, m], 0, 1, 'float32', seed);
  const [o, s, os, ss] = await oursAndStock(() => [tf.sum(x, [0, 1]), tf.sum(x, 0, true)]);
  expect(os).toEqual(ss);
  o.forEach((v, i) => v.forEach((e, j) => expect(Math.abs(e - s[i]![j]!)).toBeLessThan(1e-6 * lead * rows * 4)));
  x.dispose();
});

// Shapes with unit dimensions, as the conv layers make them ([batch, 1, width, channels]).
const unitShape = fc.record({
  n: fc.integer({ min: 1, max: 40 }),
  w: fc.integer({ min: 1, max: 50 }),
  c: fc.integer({ min: 1, max: 20 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

test.prop([unitShape], { numRuns: 25 })(
  'sum over axes separated by unit dimensions, and bias shapes with leading 1s ([1, 1, 1, c]), equal stock',
  async ({ n, w, c, seed }) => {
    const x = tf.randomNormal([n, 1, w, c], 0, 1, 'float32', seed);
    const bias = tf.randomNormal([1, 1, 1, c], 0, 1, 'float32', seed + 1);
    const [o, s, os, ss] = await oursAndStock(() => [
      tf.sum(x, [0, 2]), tf.sum(x, [0, 1, 2], true), tf.sum(x, [1, 3]), tf.sum(x, [2, 3]),
      tf.add(x, bias), tf.mul(bias, x), tf.sub(x, bias), tf.div(x, bias),
      tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(x, b), x)))(bias),
    ]);
    expect(os).toEqual(ss);
    o.forEach((v, i) => v.forEach((e, j) => expect(Math.abs(e - s[i]![j]!)).toBeLessThanOrEqual(1e-6 * n * w * Math.max(1, Math.abs(s[i]![j]!)))));
    tf.dispose([x, bias]);
  },
);

test.prop([shapeArb, fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 0, 1.5, -2)], { numRuns: 40 })(
  'neg, constant padding (PadV2), transposes and slices spanning whole trailing dimensions equal stock exactly',
  async (shape, seed, constant) => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', seed);
    const xi = tf.cast(tf.mul(x, 100), 'int32');
    const rank = shape.length;
    const paddings = shape.map((_, i) => [(seed >> i) % 3, (seed >> (i + 2)) % 2] as [number, number]);
    const perm = Array.from({ length: rank }, (_, i) => i).sort((a, b) => ((seed >> a) & 1) - ((seed >> b) & 1));
    // Insert a unit axis and move it: a copy in our kernel.
    const withUnit = tf.reshape(x, [...shape, 1]);
    const unitPerm = [rank, ...Array.from({ length: rank }, (_, i) => i)];
    const cut = seed % rank;
    const begin = shape.map((d, i) => (i === cut ? (seed >> 3) % d : 0));
    const size = shape.map((d, i) => (i === cut ? d - (begin[i] as number) : d));
    const [o, s, os, ss] = await oursAndStock(() => [
      tf.neg(x), tf.neg(xi), tf.pad(x, paddings, constant), tf.pad(xi, paddings, constant), tf.pad(x, shape.map(() => [0, 0] as [number, number])),
      tf.transpose(x, perm), tf.transpose(withUnit, unitPerm), tf.transpose(xi, perm), tf.slice(x, begin, size),
    ]);
    expect(os).toEqual(ss);
    o.forEach((v, i) => expect(v).toEqual(s[i]));
    tf.dispose([x, xi, withUnit]);
  },
);

test('neg, pad and transpose of empty tensors and scalars keep stock shapes', async () => {
  const e = tf.zeros([0, 3]);
  const sc = tf.scalar(2.5);
  const [o, s, os, ss] = await oursAndStock(() => [tf.neg(e), tf.pad(e, [[1, 0], [0, 2]], 7), tf.transpose(e), tf.neg(sc), tf.transpose(sc)]);
  expect(os).toEqual(ss);
  expect(o).toEqual(s);
  tf.dispose([e, sc]);
});

test.prop([shapeArb, fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 4 })], { numRuns: 40 })(
  'concat along any axis (float32, int32, one input, differing widths) equals stock exactly',
  async (shape, seed, count) => {
    const axis = seed % shape.length;
    const parts = Array.from({ length: count }, (_, i) => {
      const s = [...shape];
      s[axis] = 1 + ((seed >> i) % 3);
      return tf.randomNormal(s, 0, 1, 'float32', seed + i);
    });
    const ints = parts.map((p) => tf.cast(tf.mul(p, 100), 'int32'));
    const long = tf.randomNormal([3, 70], 0, 1, 'float32', seed); // runs past the plain-loop length
    const [o, s, os, ss] = await oursAndStock(() => [tf.concat(parts, axis), tf.concat(ints, axis - shape.length), tf.concat([long, long, long], 1), tf.concat([long, tf.zeros([3, 0])], 1)]);
    expect(os).toEqual(ss);
    o.forEach((v, i) => expect(v).toEqual(s[i]));
    tf.dispose([...parts, ...ints, long]);
  },
);
