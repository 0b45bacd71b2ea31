import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { OneHotEncoder } from '../../src/data/index.js';
import { fixture, maxAbsDiff } from './preprocessing-fixture.js';

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
