import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { syntheticFlows } from '../../src/data/index.js';

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
