import { describe, expect, it } from 'vitest';
import { TomekLinks } from '../../src/sampling/index.js';
import { fixture } from './helpers/fixtures.js';

interface SamplersFixture {
  tomekX: number[][];
  tomekY: number[];
  tomekKept: Record<string, number[]>;
}
const fx = fixture<SamplersFixture>('samplers.json');

describe('TomekLinks removes exactly imbalanced-learn 0.10\'s rows (tie-free data)', () => {
  const cases: [string, ConstructorParameters<typeof TomekLinks>[0]][] = [
    ['auto', {}],
    ['all', { samplingStrategy: 'all' }],
    ['majority', { samplingStrategy: 'majority' }],
    ['not majority', { samplingStrategy: 'not majority' }],
    ['list12', { samplingStrategy: [1, 2] }],
  ];
  it.each(cases)('%s', (name, options) => {
    for (const method of ['kdtree', 'brute', 'tfjs'] as const) {
      const r = new TomekLinks({ ...options, neighborsMethod: method }).fitResample(fx.tomekX, fx.tomekY);
      expect(Array.from(r.sampleIndices)).toEqual(fx.tomekKept[name]);
    }
  });
  it("'auto' is 'not minority': with three classes it also cleans the middle class", () => {
    const r = new TomekLinks().fitResample(fx.tomekX, fx.tomekY);
    const removed = fx.tomekY.filter((_, i) => !r.sampleIndices.includes(i));
    expect(new Set(removed)).toEqual(new Set([0, 1]));
  });
});
