/**
 * The invariants every sampler shares (one suite, every sampler): shapes agree, kept rows are
 * input rows with their labels, label kind is preserved, the input is not modified, same seed
 * same result, no tensor leaks, and bad input is a typed error.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { IsolationForestCleaner, SMOTE, SMOTETomek, TomekLinks, type Sampler } from '../../src/sampling/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';
import { expectNoLeaks } from '../helpers/leaks.js';

function dataset(seed: number): { X: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  const sizes = [60, 25, 12];
  sizes.forEach((n, c) => {
    for (let i = 0; i < n; i++) {
      X.push([rng.normal(c), rng.normal(c * 0.5), rng.normal(), rng.uniform(0, 3)]);
      y.push(c);
    }
  });
  return { X, y };
}

const samplers: [string, () => Sampler, { oneClassOk: boolean }][] = [
  ['SMOTE', () => new SMOTE({ seed: 1 }), { oneClassOk: false }],
  ['TomekLinks', () => new TomekLinks(), { oneClassOk: false }],
  ['SMOTETomek', () => new SMOTETomek({ seed: 1 }), { oneClassOk: false }],
  ['IsolationForestCleaner', () => new IsolationForestCleaner({ classes: [0], isolationForest: { contamination: 0.1, seed: 1 } }), { oneClassOk: true }],
];

describe.each(samplers)('%s: shared sampler invariants', (_name, make, { oneClassOk }) => {
  const { X, y } = dataset(3);

  it('X, y and sampleIndices agree; kept rows are input rows with their labels', () => {
    const r = make().fitResample(X, y);
    expect(r.X.rows).toBe(r.y.length);
    expect(r.sampleIndices.length).toBe(r.y.length);
    expect(r.X.cols).toBe(4);
    for (let i = 0; i < r.y.length; i++) {
      const src = r.sampleIndices[i] as number;
      if (src < 0) continue;
      expect(r.y[i]).toBe(y[src]);
      expect(Array.from(r.X.data.subarray(i * 4, i * 4 + 4))).toEqual((X[src] as number[]).map(Math.fround));
    }
    // kept input rows appear at most once, in input order
    const kept = Array.from(r.sampleIndices).filter((v) => v >= 0);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(new Set(kept).size).toBe(kept.length);
  });

  it('returns labels of the kind given: number[], Int32Array, string[]', () => {
    const a = make().fitResample(X, y);
    expect(Array.isArray(a.y) && typeof a.y[0] === 'number').toBe(true);
    const b = make().fitResample(X, Int32Array.from(y));
    expect(b.y).toBeInstanceOf(Int32Array);
    expect(Array.from(b.y)).toEqual(a.y);
    const labels = ['BENIGN', 'DoS', 'Bot'];
    const names = y.map((v) => labels[v] as string);
    const s = (_name === 'IsolationForestCleaner' ? new IsolationForestCleaner({ classes: ['BENIGN'], isolationForest: { contamination: 0.1, seed: 1 } }) : make()).fitResample(X, names);
    expect(typeof s.y[0]).toBe('string');
    expect(s.X.rows).toBe(s.y.length);
  });

  it('same seed, same result; the input is not modified', () => {
    const copy = X.map((r) => [...r]);
    const a = make().fitResample(X, y);
    const b = make().fitResample(X, y);
    expect(b.X).toEqual(a.X);
    expect(b.y).toEqual(a.y);
    expect(X).toEqual(copy);
  });

  it('accepts a Tensor2D and leaks no tensor', async () => {
    const ref = make().fitResample(X, y);
    await expectNoLeaks(() => {
      const t = tf.tensor2d(X);
      const r = make().fitResample(t, y);
      t.dispose();
      expect(r.X).toEqual(ref.X);
    });
  });

  it('bad input is a typed error naming the argument', () => {
    const s = make();
    expect(() => s.fitResample([[1, NaN, 0, 0], ...X.slice(1)], y)).toThrow(/^X: expected finite values/);
    expect(() => s.fitResample([[Infinity, 0, 0, 0], ...X.slice(1)], y)).toThrow(ValueError);
    expect(() => s.fitResample(X, y.slice(1))).toThrow(ShapeError);
    expect(() => s.fitResample(X, y.slice(1))).toThrow(/^y: /);
    expect(() => s.fitResample([], [])).toThrow(ShapeError);
    expect(() => s.fitResample(X, y.map((v) => (v === 1 ? NaN : v)))).toThrow(ValueError);
    if (!oneClassOk) expect(() => s.fitResample(X, y.map(() => 4))).toThrow(/at least 2 classes/);
  });
});

describe('unknown labels in a strategy are typed errors', () => {
  const { X, y } = dataset(5);
  it('SMOTE record, TomekLinks list, cleaner classes', () => {
    expect(() => new SMOTE({ samplingStrategy: { 9: 100 } }).fitResample(X, y)).toThrow(ValueError);
    expect(() => new TomekLinks({ samplingStrategy: [0, 9] }).fitResample(X, y)).toThrow(/labels present in y/);
    expect(() => new IsolationForestCleaner({ classes: ['BENIGN'] }).fitResample(X, y)).toThrow(ValueError);
    expect(() => new TomekLinks({ samplingStrategy: 'some' as 'all' }).fitResample(X, y)).toThrow(ValueError);
  });

  it('nJobs: bad values are typed errors; one thread gives the same result', () => {
    expect(() => new TomekLinks({ nJobs: 0 })).toThrow(ValueError);
    expect(() => new SMOTE({ nJobs: 2.5 })).toThrow(ValueError);
    expect(() => new SMOTETomek({ nJobs: -2 })).toThrow(ValueError);
    const a = new SMOTETomek({ seed: 3, nJobs: 1 }).fitResample(X, y);
    const b = new SMOTETomek({ seed: 3 }).fitResample(X, y);
    expect(Array.from(a.sampleIndices)).toEqual(Array.from(b.sampleIndices));
  });
});

describe('IsolationForestCleaner', () => {
  it('removes only outliers of the chosen classes, exactly those the forest fitted on them predicts', () => {
    const { X, y } = dataset(7);
    const cleaner = new IsolationForestCleaner({ classes: [0], isolationForest: { contamination: 0.1, seed: 2 } });
    const r = cleaner.fitResample(X, y);
    const removed = y.map((_, i) => i).filter((i) => !r.sampleIndices.includes(i));
    expect(removed.every((i) => y[i] === 0)).toBe(true);
    const benign = y.map((v, i) => (v === 0 ? i : -1)).filter((i) => i >= 0);
    const verdict = cleaner.forest?.predict(benign.map((i) => X[i] as number[]));
    expect(removed).toEqual(benign.filter((_, j) => verdict?.[j] === -1));
    expect(removed.length).toBe(6); // 10 % of 60 BENIGN rows (percentile offset)
  });
});
