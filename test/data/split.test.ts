import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { splitIndices, syntheticFlows, trainTestSplit } from '../../src/data/index.js';

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
