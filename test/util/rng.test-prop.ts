import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { Rng } from '../../src/util/rng.js';

describe('Rng', () => {
  test.prop([fc.integer()])('same seed, same sequence', (seed) => {
    const a = new Rng(seed);
    const b = new Rng(seed);
    for (let i = 0; i < 20; i++) expect(a.nextUint32()).toBe(b.nextUint32());
  });

  test.prop([fc.integer(), fc.integer({ min: 1, max: 1000 })])('int(n) stays in [0, n)', (seed, n) => {
    const r = new Rng(seed);
    for (let i = 0; i < 50; i++) {
      const v = r.int(n);
      expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true);
    }
  });

  test.prop([fc.integer(), fc.integer({ min: 0, max: 300 }), fc.double({ min: 0, max: 1, noNaN: true })])(
    'sampleWithoutReplacement draws k distinct indices below n',
    (seed, n, frac) => {
      const k = Math.floor(n * frac);
      const s = new Rng(seed).sampleWithoutReplacement(n, k);
      expect(s.length).toBe(k);
      expect(new Set(s).size).toBe(k);
      for (const v of s) expect(v >= 0 && v < n).toBe(true);
    },
  );

  test.prop([fc.integer(), fc.integer({ min: 1, max: 200 })])('permutation is a permutation', (seed, n) => {
    const p = Array.from(new Rng(seed).permutation(n)).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('uniform draws have the moments of U(0, 1) and normals of N(0, 1)', () => {
    const r = new Rng(42);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let z1 = 0;
    let z2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
      const z = r.normal();
      z1 += z;
      z2 += z * z;
    }
    expect(outside).toBe(0);
    // Means within 5 standard errors of the true values.
    expect(Math.abs(s / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - 1 / 3)).toBeLessThan(5 * Math.sqrt(4 / 45 / n));
    expect(Math.abs(z1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(z2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('int(n) is unbiased across buckets (chi-square)', () => {
    const r = new Rng(7);
    const k = 7;
    const n = 70_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(k)]!++;
    const chi = counts.reduce((acc, c) => acc + (c - n / k) ** 2 / (n / k), 0);
    expect(chi).toBeLessThan(22.46); // 99.9th percentile of chi-square with 6 degrees of freedom
  });

  it('rejects a non-finite seed with a typed error naming it', () => {
    expect(() => new Rng(Number.NaN)).toThrow(ValueError);
    expect(() => new Rng(Number.NaN)).toThrow(/seed: expected a finite number, received NaN/);
  });
});
