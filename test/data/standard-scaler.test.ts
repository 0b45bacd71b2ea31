import { describe, expect, it } from 'vitest';
import { NotFittedError, ShapeError } from '../../src/errors.js';
import { StandardScaler } from '../../src/data/index.js';
import { fixture, maxAbsDiff } from './preprocessing-fixture.js';

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
