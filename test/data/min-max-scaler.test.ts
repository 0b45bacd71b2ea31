import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { NotFittedError, ShapeError, ValueError } from '../../src/errors.js';
import { MinMaxScaler } from '../../src/data/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { fixture, maxAbsDiff } from './preprocessing-fixture.js';

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
