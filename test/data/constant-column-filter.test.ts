import { describe, expect, it } from 'vitest';
import { NotFittedError, ShapeError, ValueError } from '../../src/errors.js';
import { ConstantColumnFilter, syntheticFlows } from '../../src/data/index.js';
import { fixture } from './preprocessing-fixture.js';

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
