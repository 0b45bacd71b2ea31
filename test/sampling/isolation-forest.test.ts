import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { IsolationForest, averagePathLength, isolationTreeDepthLimit } from '../../src/sampling/index.js';
import { NotFittedError, ShapeError, ValueError } from '../../src/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { fixture, rocAucRef } from './helpers/fixtures.js';
import { Rng } from '../../src/util/rng.js';

interface IforestFixture {
  X: number[][];
  isOutlier: number[];
  aucs: number[];
  scoreMeans: number[];
  scoreStds: number[];
  offsets10: number[];
  small: number[][];
  smallScores3000: number[];
  repeatedPointScore: number;
  twoPointScores: number[];
  maxSamplesAuto: Record<string, number>;
}
const fx = fixture<IforestFixture>('iforest.json');
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const std = (a: ArrayLike<number>) => {
  const m = mean(a);
  return Math.sqrt(Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
};

describe('c(n) and the depth limit (Liu et al. 2008; scikit-learn _average_path_length)', () => {
  it('matches the formula, with its special cases', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // 2(ln(255) + gamma) - 2*255/256, computed by hand: 11.8322...
    expect(averagePathLength(256)).toBeCloseTo(2 * (5.541263545158426 + 0.5772156649015329) - 510 / 256, 12);
    expect(averagePathLength(3)).toBeCloseTo(2 * (Math.LN2 + 0.5772156649015329) - 4 / 3, 12);
  });
  it('depth limit is ceil(log2(max(n, 2)))', () => {
    expect([1, 2, 3, 4, 5, 255, 256, 257].map(isolationTreeDepthLimit)).toEqual([1, 1, 2, 2, 3, 8, 8, 9]);
  });
});

describe('IsolationForest against scikit-learn 1.2', () => {
  it("maxSamples 'auto' = min(256, n)", () => {
    for (const [n, expected] of Object.entries(fx.maxSamplesAuto)) {
      const X = Array.from({ length: Number(n) }, (_, i) => [i % 7, (i * 13) % 11]);
      expect(new IsolationForest({ nEstimators: 2 }).fit(X).maxSamplesUsedPerTree).toBe(expected);
    }
  });

  it('a single repeated point scores -0.5 (every tree is one leaf of c(n) / c(n))', () => {
    const X = Array.from({ length: 10 }, () => [1, 1, 1]);
    const s = new IsolationForest().fit(X).scoreSamples([[1, 1, 1]]);
    expect(s[0]).toBeCloseTo(fx.repeatedPointScore, 12);
  });

  it('two points: one split, leaves of one row at depth 1, score -2^(-1/c(2)) = -0.5 everywhere', () => {
    const s = new IsolationForest().fit([[0], [1]]).scoreSamples([[0], [1], [0.5], [5]]);
    Array.from(s).forEach((v, i) => expect(v).toBeCloseTo(fx.twoPointScores[i] as number, 12));
  });

  it('per-row scores with 3000 trees equal scikit-learn\'s (both converge to the expectation)', () => {
    const s = new IsolationForest({ nEstimators: 3000, maxSamples: 16, seed: 1 }).fit(fx.small).scoreSamples(fx.small);
    const diffs = Array.from(s).map((v, i) => Math.abs(v - (fx.smallScores3000[i] as number)));
    expect(Math.max(...diffs)).toBeLessThan(0.006);
  });

  it('ROC-AUC, score mean/std and the contamination offset match (means of 5 seeds)', () => {
    const aucs: number[] = [];
    const means: number[] = [];
    const stds: number[] = [];
    const offsets: number[] = [];
    for (let seed = 0; seed < 5; seed++) {
      const f = new IsolationForest({ seed }).fit(fx.X);
      const s = f.scoreSamples(fx.X);
      aucs.push(rocAucRef(fx.isOutlier, Array.from(s, (v) => -v)));
      means.push(mean(s));
      stds.push(std(s));
      offsets.push(new IsolationForest({ seed, contamination: 0.1 }).fit(fx.X).offset);
    }
    expect(Math.abs(mean(aucs) - mean(fx.aucs))).toBeLessThan(0.01);
    expect(Math.abs(mean(means) - mean(fx.scoreMeans))).toBeLessThan(0.005);
    expect(Math.abs(mean(stds) - mean(fx.scoreStds))).toBeLessThan(0.005);
    expect(Math.abs(mean(offsets) - mean(fx.offsets10))).toBeLessThan(0.01);
  });
});

describe('IsolationForest behaviour', () => {
  const X = Array.from({ length: 200 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3), (i % 17) / 17]);

  it('decisionFunction = scoreSamples - offset; predict is -1 exactly where it is negative', () => {
    const f = new IsolationForest({ contamination: 0.1, seed: 3 }).fit(X);
    const s = f.scoreSamples(X);
    const d = f.decisionFunction(X);
    const p = f.predict(X);
    for (let i = 0; i < s.length; i++) {
      expect(d[i]).toBeCloseTo((s[i] as number) - f.offset, 12);
      expect(p[i]).toBe((d[i] as number) < 0 ? -1 : 1);
    }
    // contamination 0.1 marks about 10 % of the training rows (percentile offset)
    expect(Array.from(p).filter((v) => v === -1).length).toBe(20);
    expect(new IsolationForest().fit(X).offset).toBe(-0.5);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = new IsolationForest({ seed: 5 }).fit(X).scoreSamples(X);
    const b = new IsolationForest({ seed: 5 }).fit(X).scoreSamples(X);
    const c = new IsolationForest({ seed: 6 }).fit(X).scoreSamples(X);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('toJSON / fromJSON round-trips exactly (through a JSON string)', () => {
    const f = new IsolationForest({ contamination: 0.05, maxFeatures: 2, bootstrap: true, seed: 9 }).fit(X);
    const g = IsolationForest.fromJSON(JSON.parse(JSON.stringify(f.toJSON())));
    expect(g.scoreSamples(X)).toEqual(f.scoreSamples(X));
    expect(g.offset).toBe(f.offset);
  });

  it('accepts tensors, arrays and DenseMatrix alike and leaks no tensor', async () => {
    const f = new IsolationForest({ seed: 1 }).fit(X);
    const ref = f.scoreSamples(X);
    await expectNoLeaks(() => {
      const t = tf.tensor2d(X);
      expect(f.scoreSamples(t)).toEqual(ref);
      new IsolationForest({ seed: 1 }).fit(t);
      t.dispose();
    });
    const data = Float32Array.from(X.flat());
    expect(f.scoreSamples({ data, rows: 200, cols: 3 })).toEqual(ref);
  });

  it('warns and uses n when maxSamples > n', () => {
    const warn = console.warn;
    const messages: string[] = [];
    console.warn = (m: string) => messages.push(m);
    try {
      expect(new IsolationForest({ maxSamples: 1000 }).fit(X).maxSamplesUsedPerTree).toBe(200);
    } finally {
      console.warn = warn;
    }
    expect(messages.length).toBe(1);
    expect(new IsolationForest({ maxSamples: 0.5 }).fit(X).maxSamplesUsedPerTree).toBe(100);
    expect(new IsolationForest({ maxSamples: { fraction: 1 } }).fit(X).maxSamplesUsedPerTree).toBe(200);
  });

  it('scores on worker threads (nJobs 2, 170k rows) and on one thread equal a direct walk of the saved trees', () => {
    const rng = new Rng(4);
    const n = 170_000; // rows x trees >= 2^24: the threaded path
    const data = new Float32Array(n * 3);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    const m = { data, rows: n, cols: 3 };
    const f = new IsolationForest({ seed: 2, nJobs: 2 }).fit({ data: data.subarray(0, 3000), rows: 1000, cols: 3 });
    const json = f.toJSON();
    // The reference: Liu et al.'s h(x) summed over the stored trees (leafValue = depth + c(size)).
    const walk = (j: typeof json, r: number) => {
      let total = 0;
      for (const root of j.roots) {
        let node = root;
        while ((j.feature[node] as number) >= 0) node = (data[r * 3 + (j.feature[node] as number)] as number) <= (j.threshold[node] as number) ? (j.left[node] as number) : (j.right[node] as number);
        total += j.leafValue[node] as number;
      }
      return -(2 ** (-total / (j.roots.length * averagePathLength(j.maxSamplesUsed))));
    };
    const parallel = f.scoreSamples(m);
    const oneThread = IsolationForest.fromJSON(json, { nJobs: 1 }).scoreSamples(m);
    for (let r = 0; r < n; r += 397) expect(parallel[r]).toBe(walk(json, r));
    expect(Array.from(oneThread)).toEqual(Array.from(parallel));
    // Nodes renumbered in reverse (children no longer adjacent): the same scores.
    const last = json.feature.length - 1;
    const rev = (v: number) => (v < 0 ? v : last - v);
    const perm = <T,>(a: T[]) => a.slice().reverse();
    const reversed = { ...json, roots: json.roots.map(rev), left: perm(json.left).map(rev), right: perm(json.right).map(rev), feature: perm(json.feature), threshold: perm(json.threshold), leafValue: perm(json.leafValue) };
    const small = { data: data.subarray(0, 600), rows: 200, cols: 3 };
    expect(Array.from(IsolationForest.fromJSON(reversed).scoreSamples(small))).toEqual(Array.from(f.scoreSamples(small)));
  });

  it('rows on and beside every split value (float32 neighbours of the double thresholds) go where the double comparison sends them', () => {
    const f = new IsolationForest({ nEstimators: 20, seed: 3 }).fit(X);
    const json = f.toJSON();
    const next = (v: number, dir: 1 | -1) => {
      const b = new Float32Array([v]);
      const i = new Int32Array(b.buffer);
      if (v === 0) i[0] = dir > 0 ? 1 : (0x80000001 | 0);
      else i[0] = (i[0] as number) + ((v > 0) === (dir > 0) ? 1 : -1);
      return b[0] as number;
    };
    // For every split: the float32 at, just below and just above its threshold, in its feature.
    const rows: number[][] = [];
    json.feature.forEach((feat, node) => {
      if (feat < 0) return;
      const t = Math.fround(json.threshold[node] as number);
      for (const v of [t, next(t, -1), next(t, 1)]) rows.push([0.5, 0.5, 0.5].map((base, j) => (j === feat ? v : base)));
    });
    const data = Float32Array.from(rows.flat());
    const walk = (r: number) => {
      let total = 0;
      for (const root of json.roots) {
        let node = root;
        while ((json.feature[node] as number) >= 0) {
          node = (data[r * 3 + (json.feature[node] as number)] as number) <= (json.threshold[node] as number) ? (json.left[node] as number) : (json.right[node] as number);
        }
        total += json.leafValue[node] as number;
      }
      return -(2 ** (-total / (json.roots.length * averagePathLength(json.maxSamplesUsed))));
    };
    const s = f.scoreSamples({ data, rows: rows.length, cols: 3 });
    expect(rows.length).toBeGreaterThan(300);
    rows.forEach((_, r) => expect(s[r]).toBe(walk(r)));
  });

  it('scoreSamples names the row and column of a NaN or infinity, on one thread and on two', () => {
    const f = new IsolationForest({ seed: 1 }).fit(X);
    const bad = [[0, 0, 0], [1, NaN, 1]];
    expect(() => f.scoreSamples(bad)).toThrow(/row 1, column 1/);
    const n = 170_000;
    const data = new Float32Array(n * 3).fill(0.25);
    data[150_001 * 3 + 2] = -Infinity;
    const two = IsolationForest.fromJSON(f.toJSON(), { nJobs: 2 });
    expect(() => two.scoreSamples({ data, rows: n, cols: 3 })).toThrow(ValueError);
    expect(() => two.scoreSamples({ data, rows: n, cols: 3 })).toThrow(/row 150001, column 2/);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => new IsolationForest({ nJobs: 0 })).toThrow(ValueError);
    expect(() => new IsolationForest({ nJobs: 1.5 })).toThrow(ValueError);
    expect(() => new IsolationForest({ contamination: 0.6 })).toThrow(ValueError);
    expect(() => new IsolationForest({ nEstimators: 0 })).toThrow(ValueError);
    expect(() => new IsolationForest({ maxSamples: -3 })).toThrow(ValueError);
    expect(() => new IsolationForest({ maxFeatures: 5 }).fit(X)).toThrow(ValueError);
    expect(() => new IsolationForest().scoreSamples(X)).toThrow(NotFittedError);
    expect(() => new IsolationForest().fit([])).toThrow(ShapeError);
    expect(() => new IsolationForest().fit([[1, NaN]])).toThrow(/finite/);
    expect(() => new IsolationForest().fit([[1, Infinity]])).toThrow(ValueError);
    expect(() => new IsolationForest().fit(X).scoreSamples([[1, 2]])).toThrow(ShapeError);
  });
});
