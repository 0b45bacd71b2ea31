import { describe, expect, it } from 'vitest';
import { SMOTE } from '../../src/sampling/index.js';
import { ValueError } from '../../src/errors.js';
import { fixture } from './helpers/fixtures.js';

interface SamplersFixture {
  smoteX: number[][];
  smoteY: number[];
  smoteCounts: Record<string, Record<string, number>>;
  smoteDict: Record<string, number>;
}
const fx = fixture<SamplersFixture>('samplers.json');

function counts(y: ArrayLike<number | string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < y.length; i++) out[String(y[i])] = (out[String(y[i])] ?? 0) + 1;
  return out;
}

describe('SMOTE class counts equal imbalanced-learn 0.10 for every samplingStrategy form', () => {
  const cases: [string, ConstructorParameters<typeof SMOTE>[0]][] = [
    ['auto', {}],
    ['all', { samplingStrategy: 'all' }],
    ['minority', { samplingStrategy: 'minority' }],
    ['not minority', { samplingStrategy: 'not minority' }],
    ['not majority', { samplingStrategy: 'not majority' }],
    ['dict', { samplingStrategy: fx.smoteDict }],
    ['function', { samplingStrategy: (c) => new Map([...c].filter(([label]) => label !== 0).map(([label, n]) => [label, 2 * n])) }],
  ];
  it.each(cases)('%s', (name, options) => {
    const r = new SMOTE(options).fitResample(fx.smoteX, fx.smoteY);
    expect(counts(r.y)).toEqual(fx.smoteCounts[name]);
  });
  it('a ratio (binary only)', () => {
    const keep = fx.smoteY.map((v, i) => (v < 2 ? i : -1)).filter((i) => i >= 0);
    const r = new SMOTE({ samplingStrategy: 0.6 }).fitResample(keep.map((i) => fx.smoteX[i] as number[]), keep.map((i) => fx.smoteY[i] as number));
    expect(counts(r.y)).toEqual(fx.smoteCounts['float0.6']);
    expect(() => new SMOTE({ samplingStrategy: 0.6 }).fitResample(fx.smoteX, fx.smoteY)).toThrow(ValueError);
    expect(() => new SMOTE({ samplingStrategy: 0.1 }).fitResample(keep.map((i) => fx.smoteX[i] as number[]), keep.map((i) => fx.smoteY[i] as number))).toThrow(ValueError);
  });
  it('a Map strategy and a string-labelled y give the same counts', () => {
    const yS = fx.smoteY.map((v) => `c${v}`);
    const r = new SMOTE({ samplingStrategy: new Map([['c1', 50], ['c2', 90]]) }).fitResample(fx.smoteX, yS);
    expect(counts(r.y)).toEqual({ c0: 80, c1: 50, c2: 90 });
  });
});

describe('SMOTE output layout and small classes', () => {
  const X = [[0, 0], [1, 0], [0, 1], [1, 1], [5, 5], [6, 5], [5, 6]];
  const y = [0, 0, 0, 0, 1, 1, 1];
  it('original rows first, then the synthetic block per class in sorted label order', () => {
    const r = new SMOTE({ kNeighbors: 2 }).fitResample(X, y);
    expect(r.X.rows).toBe(8);
    expect(Array.from(r.sampleIndices)).toEqual([0, 1, 2, 3, 4, 5, 6, -1]);
    expect(Array.from(r.X.data.subarray(0, 14))).toEqual(X.flat());
    expect(r.y).toEqual([...y, 1]);
  });
  it('a class with fewer than kNeighbors + 1 rows is an error naming the class and its count', () => {
    expect(() => new SMOTE().fitResample(X, y)).toThrow(/class 1, which has 3 rows/);
    expect(() => new SMOTE().fitResample(X, y)).toThrow(ValueError);
  });
  it("smallClass 'shrink' uses count - 1 neighbours for that class instead", () => {
    const r = new SMOTE({ smallClass: 'shrink' }).fitResample(X, y);
    expect(r.X.rows).toBe(8);
    expect(() => new SMOTE({ smallClass: 'shrink' }).fitResample([...X, [9, 9]], [...y, 2])).toThrow(/class 2, which has 1 row/);
  });
  it('rejects a count below the current one and unknown labels', () => {
    expect(() => new SMOTE({ samplingStrategy: { 1: 2 } }).fitResample(X, y)).toThrow(ValueError);
    expect(() => new SMOTE({ samplingStrategy: { 7: 9 } }).fitResample(X, y)).toThrow(/label present in y/);
    expect(() => new SMOTE({ samplingStrategy: 'majority' as 'all' }).fitResample(X, y)).toThrow(ValueError);
  });
});
