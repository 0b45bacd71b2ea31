import { describe, expect, it } from 'vitest';
import { NotFittedError, ShapeError, ValueError } from '../../src/errors.js';
import { NonFiniteImputer } from '../../src/data/index.js';

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
