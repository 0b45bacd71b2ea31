import { describe, expect, it } from 'vitest';
import { NotFittedError, ShapeError, ValueError } from '../../src/errors.js';
import { ConstantColumnFilter, syntheticFlows, hstack, LabelEncoder, MinMaxScaler, NonFiniteImputer, OneHotEncoder, pca, StandardScaler, splitIndices, trainTestSplit } from '../../src/data/index.js';
import { fixture, maxAbsDiff } from './preprocessing-fixture.js';
import * as tf from '@tensorflow/tfjs-core';
import { expectNoLeaks } from '../helpers/leaks.js';

describe('constant-column-filter', () => {
  describe('ConstantColumnFilter', () => {
    it('drops the constant training column (as scikit-learn VarianceThreshold(0) on the fixture) and keeps the rest in order', () => {
      const f = new ConstantColumnFilter().fit(fixture.train);
      expect(Array.from(f.kept)).toEqual([0, 1, 2, 4]);
      expect(f.featureNamesOut(['a', 'b', 'c', 'd', 'e'])).toEqual(['a', 'b', 'c', 'e']);
      const out = f.transform(fixture.test);
      expect(out.cols).toBe(4);
      expect(out.data[3]).toBe(Math.fround(fixture.test[0]?.[4] as number));
    });
    it('accepts a dataset and round-trips through JSON', () => {
      const d = syntheticFlows({ seed: 1, features: 6, classes: [{ name: 'a', size: 20 }] });
      const f = new ConstantColumnFilter().fit(d);
      const back = ConstantColumnFilter.fromJSON(JSON.parse(JSON.stringify(f.toJSON())));
      expect(back.transform(d).data).toEqual(f.transform(d).data);
    });
    it('rejects bad input', () => {
      expect(() => new ConstantColumnFilter().transform([[1]])).toThrow(NotFittedError);
      expect(() => new ConstantColumnFilter().fit([[1, 2]]).transform([[1]])).toThrow(ShapeError);
      expect(() => ConstantColumnFilter.fromJSON({ className: 'ConstantColumnFilter', nFeaturesIn: 2, kept: [3] })).toThrow(ValueError);
    });
  });
});

describe('hstack', () => {
  describe('hstack', () => {
    it('joins row by row', () => {
      const a = { data: Float32Array.from([1, 2, 3, 4]), rows: 2, cols: 2 };
      const b = { data: Float32Array.from([9, 8]), rows: 2, cols: 1 };
      expect(hstack(a, b)).toEqual({ data: Float32Array.from([1, 2, 9, 3, 4, 8]), rows: 2, cols: 3 });
    });
    it('rejects different row counts', () => {
      expect(() => hstack({ data: new Float32Array(2), rows: 2, cols: 1 }, { data: new Float32Array(1), rows: 1, cols: 1 })).toThrow(ShapeError);
    });
  });
});

describe('label-encoder', () => {
  describe('LabelEncoder agrees with scikit-learn', () => {
    it('sorts classes and encodes', () => {
      const enc = new LabelEncoder();
      expect(Array.from(enc.fitTransform(fixture.label.labels))).toEqual(fixture.label.codes);
      expect(enc.classes).toEqual(fixture.label.classes);
      expect(enc.inverseTransform(fixture.label.codes)).toEqual(fixture.label.labels);
    });
    it('throws a typed error naming an unknown label', () => {
      const enc = new LabelEncoder().fit(['a', 'b']);
      expect(() => enc.transform(['a', 'zzz'])).toThrow(ValueError);
      expect(() => enc.transform(['a', 'zzz'])).toThrow(/"zzz".*position 1/);
      expect(() => new LabelEncoder().transform(['a'])).toThrow(NotFittedError);
      expect(() => enc.inverseTransform([2])).toThrow(ValueError);
    });
    it('round-trips through JSON', () => {
      const enc = new LabelEncoder().fit(fixture.label.labels);
      const back = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
      expect(Array.from(back.transform(fixture.label.labels))).toEqual(fixture.label.codes);
      expect(() => LabelEncoder.fromJSON({ className: 'LabelEncoder', classes: ['a', 'a'] })).toThrow(ValueError);
    });
  });
});

describe('min-max-scaler', () => {
  describe('MinMaxScaler agrees with scikit-learn', () => {
    it('fits min/max (constant column included) and transforms unseen rows', () => {
      const s = new MinMaxScaler().fit(fixture.train);
      expect(Array.from(s.dataMin)).toEqual(fixture.minMax.dataMin);
      expect(Array.from(s.dataMax)).toEqual(fixture.minMax.dataMax);
      // Output is Float32: compare at float32 resolution of values that are O(1)-O(100).
      expect(maxAbsDiff(s.transform(fixture.test).data, fixture.minMax.transform)).toBeLessThan(1e-5);
      const r = new MinMaxScaler({ featureRange: [-1, 1] }).fit(fixture.train);
      expect(maxAbsDiff(r.transform(fixture.test).data, fixture.minMaxRange.transform)).toBeLessThan(1e-5);
    });
    it('round-trips through JSON and inverts', () => {
      const s = new MinMaxScaler({ clip: true }).fit(fixture.train);
      const back = MinMaxScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
      expect(back.transform(fixture.test).data).toEqual(s.transform(fixture.test).data);
      const x = new MinMaxScaler().fit(fixture.train);
      const inv = x.inverseTransform(x.transform(fixture.train));
      expect(maxAbsDiff(inv.data, fixture.train.map((r, i) => r.map((v, j) => (j === 3 ? (inv.data[i * 5 + 3] as number) : v))))).toBeLessThan(1e-2);
      expect(Math.max(...s.transform([[1e9, -1e9, 0, 7, 0]]).data)).toBeLessThanOrEqual(1);
    });
    it('takes a tensor without leaking', async () => {
      await expectNoLeaks(() => {
        const t = tf.tensor2d(fixture.train);
        const out = new MinMaxScaler().fitTransform(t);
        t.dispose();
        expect(out.rows).toBe(40);
      });
    });
    it('rejects bad input', () => {
      expect(() => new MinMaxScaler().transform([[1]])).toThrow(NotFittedError);
      expect(() => new MinMaxScaler({ featureRange: [1, 0] })).toThrow(ValueError);
      expect(() => new MinMaxScaler().fit(fixture.train).transform([[1, 2]])).toThrow(ShapeError);
      expect(() => new MinMaxScaler().fit([[Number.NaN]])).toThrow(ValueError);
      expect(() => MinMaxScaler.fromJSON({ className: 'StandardScaler' })).toThrow(ValueError);
    });
  });
});

describe('non-finite', () => {
  const train = { data: Float32Array.from([1, 5, Infinity, 2, 3, Number.NaN]), rows: 3, cols: 2 };

  describe('NonFiniteImputer', () => {
    it('fills with the finite training max / min / zero and counts per column', () => {
      const max = new NonFiniteImputer().fit(train);
      const out = max.transform({ data: Float32Array.from([Number.NaN, -Infinity, 7, 8]), rows: 2, cols: 2 });
      expect(Array.from(out.data)).toEqual([3, 5, 7, 8]);
      expect(Array.from(max.lastReplaced)).toEqual([1, 1]);
      expect(Array.from(new NonFiniteImputer({ strategy: 'min' }).fitTransform(train).data)).toEqual([1, 5, 1, 2, 3, 2]);
      expect(Array.from(new NonFiniteImputer({ strategy: 'zero' }).fitTransform(train).data)).toEqual([1, 5, 0, 2, 3, 0]);
    });
    it('round-trips through JSON', () => {
      const imp = new NonFiniteImputer({ strategy: 'min' }).fit(train);
      const back = NonFiniteImputer.fromJSON(JSON.parse(JSON.stringify(imp.toJSON())));
      expect(back.transform(train).data).toEqual(imp.transform(train).data);
    });
    it('rejects bad input', () => {
      expect(() => new NonFiniteImputer().transform(train)).toThrow(NotFittedError);
      expect(() => new NonFiniteImputer().fit(train).transform([[1, 2, 3]])).toThrow(ShapeError);
      expect(() => new NonFiniteImputer({ strategy: 'mean' as 'max' })).toThrow(ValueError);
    });
  });
});

describe('one-hot-encoder', () => {
  const f = fixture.oneHot;

  describe('OneHotEncoder agrees with scikit-learn', () => {
    it('learns sorted categories, names outputs and encodes', () => {
      const enc = new OneHotEncoder().fit({ names: ['proto', 'service'], values: f.train });
      expect(enc.categories).toEqual(f.categories);
      expect(enc.featureNamesOut()).toEqual(f.featureNames);
      const out = enc.transform(f.test);
      expect(out.cols).toBe(f.featureNames.length);
      expect(maxAbsDiff(out.data, f.transform)).toBe(0);
    });
    it('unknown categories: error by default, zeros with ignore', () => {
      const strict = new OneHotEncoder().fit(f.train);
      expect(() => strict.transform([['sctp', 'http']])).toThrow(ValueError);
      expect(() => strict.transform([['sctp', 'http']])).toThrow(/sctp.*row 0/);
      const lax = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(f.train);
      const out = lax.transform([['sctp', 'http']]);
      expect(out.data.reduce((a, b) => a + b, 0)).toBe(1);
    });
    it('round-trips through JSON', () => {
      const enc = new OneHotEncoder({ handleUnknown: 'ignore' }).fit(f.train);
      const back = OneHotEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
      expect(back.handleUnknown).toBe('ignore');
      expect(back.transform(f.test).data).toEqual(enc.transform(f.test).data);
    });
    it('rejects ragged rows and bad options', () => {
      expect(() => new OneHotEncoder().fit([['a', 'b'], ['a']])).toThrow(/row 1/);
      expect(() => new OneHotEncoder({ handleUnknown: 'skip' as 'ignore' })).toThrow(ValueError);
    });
  });
});

describe('pca', () => {
  describe('pca agrees with scikit-learn PCA(n_components=2)', () => {
    it('projections (signs included) and explained variance ratios', () => {
      const r = pca(fixture.pca.x);
      const scale = Math.max(...fixture.pca.transform.flat().map(Math.abs));
      fixture.pca.transform.forEach((row, i) => row.forEach((v, j) => expect(Math.abs((r.projected.data[i * 2 + j] as number) - v)).toBeLessThan(1e-6 * scale)));
      r.explainedVarianceRatio.forEach((v, j) => expect(Math.abs(v - (fixture.pca.explainedVarianceRatio[j] as number))).toBeLessThan(1e-9));
    });
    it('components are orthonormal', () => {
      const { components } = pca(fixture.pca.x, { nComponents: 3 });
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const dot = (components[a] as number[]).reduce((s, v, j) => s + v * ((components[b] as number[])[j] as number), 0);
          expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-10);
        }
      }
    });
    it('rejects bad nComponents', () => {
      expect(() => pca([[1, 2], [3, 4]], { nComponents: 3 })).toThrow(ValueError);
    });
  });
});

describe('standard-scaler', () => {
  describe('StandardScaler agrees with scikit-learn', () => {
    it('fits mean and population std (1 for the constant column) and transforms unseen rows', () => {
      const s = new StandardScaler().fit(fixture.train);
      s.mean.forEach((m, j) => expect(Math.abs(m - (fixture.standard.mean[j] as number))).toBeLessThan(1e-9 * Math.max(1, Math.abs(m))));
      s.scale.forEach((v, j) => expect(Math.abs(v - (fixture.standard.scale[j] as number))).toBeLessThan(1e-9 * Math.max(1, v)));
      expect(maxAbsDiff(s.transform(fixture.test).data, fixture.standard.transform)).toBeLessThan(1e-5);
    });
    it('round-trips through JSON', () => {
      const s = new StandardScaler({ withMean: false }).fit(fixture.train);
      const back = StandardScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
      expect(back.withMean).toBe(false);
      expect(back.transform(fixture.test).data).toEqual(s.transform(fixture.test).data);
    });
    it('rejects bad input', () => {
      expect(() => new StandardScaler().transform([[1]])).toThrow(NotFittedError);
      expect(() => new StandardScaler().fit(fixture.train).transform([[1]])).toThrow(ShapeError);
    });
  });
});

describe('split', () => {
  describe('trainTestSplit', () => {
    it('keeps each class proportion (floor or ceil) and the scikit-learn test size', () => {
      const d = syntheticFlows({ seed: 5 });
      const { train, test } = trainTestSplit(d, { testSize: 0.3, seed: 1 });
      expect(test.rows).toBe(Math.ceil(0.3 * d.rows));
      expect(train.rows + test.rows).toBe(d.rows);
      for (const [label, n] of Object.entries(d.summary.classCounts)) {
        const t = test.summary.classCounts[label] ?? 0;
        expect(t).toBeGreaterThanOrEqual(Math.floor(0.3 * n));
        expect(t).toBeLessThanOrEqual(Math.ceil(0.3 * n));
        expect((train.summary.classCounts[label] ?? 0) + t).toBe(n);
      }
    });
    it('is a seeded partition', () => {
      const labels = syntheticFlows({ seed: 2 }).labels;
      const a = splitIndices(labels, { seed: 9 });
      expect(splitIndices(labels, { seed: 9 })).toEqual(a);
      expect(splitIndices(labels, { seed: 10 }).test).not.toEqual(a.test);
      const all = [...a.train, ...a.test].sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: labels.length }, (_, i) => i));
    });
    it('rows follow their labels and features', () => {
      const d = syntheticFlows({ seed: 4, features: 6 });
      const s = trainTestSplit(d, { seed: 0, testSize: 100 });
      expect(s.test.rows).toBe(100);
      const i = s.testIndices[7] as number;
      expect(s.test.labels[7]).toBe(d.labels[i]);
      expect(Array.from(s.test.features.subarray(7 * 6, 8 * 6))).toEqual(Array.from(d.features.subarray(i * 6, i * 6 + 6)));
    });
    it('rejects bad sizes', () => {
      expect(() => splitIndices(['a', 'b'], { testSize: 0 })).toThrow(ValueError);
      expect(() => splitIndices(['a', 'b'], { testSize: 2 })).toThrow(ValueError);
      expect(() => splitIndices(['a', 'b'], { testSize: 1.5 })).toThrow(ValueError);
    });
  });
});

describe('synthetic', () => {
  describe('syntheticFlows', () => {
    it('has the requested imbalanced class sizes and a consistent shape', () => {
      const d = syntheticFlows({ seed: 3 });
      expect(d.summary.classCounts).toEqual({ BENIGN: 2000, DoS: 600, PortScan: 300, Bot: 60, WebAttack: 20 });
      expect(d.rows).toBe(2980);
      expect(d.features.length).toBe(d.rows * d.cols);
      expect(d.featureNames.length).toBe(d.cols);
      expect(d.labels.length).toBe(d.rows);
      expect(d.features.every(Number.isFinite)).toBe(true);
    });
    it('is seeded: same seed same data, other seed other data', () => {
      const a = syntheticFlows({ seed: 1, categorical: true });
      expect(syntheticFlows({ seed: 1, categorical: true })).toEqual(a);
      expect(syntheticFlows({ seed: 2, categorical: true }).features).not.toEqual(a.features);
    });
    it('has heavy-tailed non-negative integer counters', () => {
      const d = syntheticFlows({ features: 8, seed: 0, shuffle: false });
      const col = Array.from({ length: d.rows }, (_, i) => d.features[i * d.cols] as number).sort((a, b) => a - b);
      expect(col.every((v) => v >= 0 && Number.isInteger(v))).toBe(true);
      const med = col[col.length >> 1] as number;
      expect(col[col.length - 1] as number).toBeGreaterThan(20 * med);
    });
    it('adds categorical proto/service columns on request', () => {
      const d = syntheticFlows({ categorical: true, classes: [{ name: 'a', size: 5 }, { name: 'b', size: 3 }] });
      expect(d.categorical?.names).toEqual(['proto', 'service']);
      expect(d.categorical?.values.length).toBe(8);
    });
    it('rejects bad options', () => {
      expect(() => syntheticFlows({ features: 2 })).toThrow(ValueError);
      expect(() => syntheticFlows({ classes: [] })).toThrow(ValueError);
      expect(() => syntheticFlows({ classes: [{ name: 'a', size: 1 }, { name: 'a', size: 2 }] })).toThrow(/distinct/);
    });
  });
});
