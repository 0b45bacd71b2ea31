import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { pca } from '../../src/data/index.js';
import { fixture } from './preprocessing-fixture.js';

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
