import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { NearestNeighbors } from '../../src/sampling/index.js';
import { NotFittedError, ShapeError, ValueError } from '../../src/errors.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { fixture } from './helpers/fixtures.js';
import { Rng } from '../../src/util/rng.js';

interface NeighborsFixture {
  X: number[][];
  Q: number[][];
  k: number;
  queryDistances: number[][];
  queryIndices: number[][];
  selfDistances: number[][];
  selfIndices: number[][];
}
const fx = fixture<NeighborsFixture>('neighbors.json');

function bruteForce(X: number[][], Q: number[][], k: number, self: boolean): { i: number[]; d: number[] }[] {
  const f32 = (v: number) => Math.fround(v);
  return Q.map((q, r) => {
    const all = X.map((x, i) => ({ i, d: Math.sqrt(x.reduce((s, v, j) => s + (f32(v) - f32(q[j] as number)) ** 2, 0)) }))
      .filter((c) => !(self && c.i === r))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .slice(0, k);
    return { i: all.map((c) => c.i), d: all.map((c) => c.d) };
  });
}

describe.each(['js', 'kdtree', 'brute', 'tfjs'] as const)('NearestNeighbors (%s) against scikit-learn', (method) => {
  it('query rows: same indices and distances as sklearn brute force', async () => {
    const nn = new NearestNeighbors({ nNeighbors: fx.k, method, blockSize: 7 }).fit(fx.X);
    const res = await expectNoLeaks(() => nn.kneighbors(fx.Q));
    expect(res.rows).toBe(fx.Q.length);
    fx.queryIndices.forEach((row, r) => {
      expect(Array.from(res.indices.subarray(r * fx.k, (r + 1) * fx.k))).toEqual(row);
      row.forEach((_, c) => expect(res.distances[r * fx.k + c]).toBeCloseTo(fx.queryDistances[r]?.[c] as number, 4));
    });
  });

  it('kneighbors() without X: each fitted row excluding itself, as sklearn', async () => {
    const nn = new NearestNeighbors({ nNeighbors: fx.k, method }).fit(fx.X);
    const res = await expectNoLeaks(() => nn.kneighbors());
    fx.selfIndices.forEach((row, r) => {
      expect(Array.from(res.indices.subarray(r * fx.k, (r + 1) * fx.k))).toEqual(row);
      row.forEach((_, c) => expect(res.distances[r * fx.k + c]).toBeCloseTo(fx.selfDistances[r]?.[c] as number, 4));
    });
  });

  it('breaks ties by lowest index (documented; sklearn leaves it arbitrary)', () => {
    // Points on a grid: many equal distances.
    const X = Array.from({ length: 25 }, (_, i) => [i % 5, Math.floor(i / 5)]);
    const nn = new NearestNeighbors({ method }).fit(X);
    const res = nn.kneighbors([[2, 2]], 5);
    expect(Array.from(res.indices)).toEqual([12, 7, 11, 13, 17]);
    const self = nn.kneighbors(undefined, 4);
    expect(Array.from(self.indices.subarray(0, 4))).toEqual([1, 5, 6, 2]);
  });
});

describe('NearestNeighbors properties', () => {
  const row = (d: number) => fc.array(fc.integer({ min: -4, max: 4 }), { minLength: d, maxLength: d });
  test.prop(
    [fc.integer({ min: 1, max: 4 }).chain((d) => fc.tuple(fc.array(row(d), { minLength: 6, maxLength: 60 }), fc.array(row(d), { minLength: 1, maxLength: 5 }))), fc.integer({ min: 1, max: 5 })],
    { numRuns: 60 },
  )('equals a sorted brute force by (distance, index), duplicates and ties included', ([X, Q], k) => {
    for (const method of ['kdtree', 'brute', 'tfjs'] as const) {
      const nn = new NearestNeighbors({ method, leafSize: 3 }).fit(X);
      const res = nn.kneighbors(Q, k);
      const ref = bruteForce(X, Q, k, false);
      ref.forEach((r, q) => expect(Array.from(res.indices.subarray(q * k, q * k + k))).toEqual(r.i));
      const self = nn.kneighbors(undefined, k);
      const refSelf = bruteForce(X, X, k, true);
      refSelf.forEach((r, q) => expect(Array.from(self.indices.subarray(q * k, q * k + k))).toEqual(r.i));
    }
  });

  it('larger than one block (701 rows, tiles and remainders): every path equals the sorted brute force', () => {
    const rng = new Rng(11);
    const X = Array.from({ length: 701 }, () => Array.from({ length: 7 }, () => Math.round(rng.normal() * 4) / 4));
    const Q = X.slice(0, 9).concat([[0, 0, 0, 0, 0, 0, 0]]);
    const ref = bruteForce(X, Q, 3, false);
    const refSelf = bruteForce(X, X.slice(0, 40), 3, true);
    for (const method of ['js', 'kdtree', 'brute', 'tfjs'] as const) {
      const nn = new NearestNeighbors({ method, blockSize: 300 }).fit(X);
      const r = nn.kneighbors(Q, 3);
      ref.forEach((e, q) => expect(Array.from(r.indices.subarray(q * 3, q * 3 + 3)), method).toEqual(e.i));
      const s = nn.kneighbors(undefined, 3);
      refSelf.forEach((e, q) => expect(Array.from(s.indices.subarray(q * 3, q * 3 + 3)), method).toEqual(e.i));
    }
  });

  it('brute (float32 products): exact under cancellation, near-ties and duplicates, across 512-row blocks', () => {
    // Far from the origin (1e3), neighbours 1e-2 apart on a coarse grid: q.x in float32 alone
    // could not order them; many equal distances and exact duplicates test the window and ties.
    const rng = new Rng(5);
    const X = Array.from({ length: 1100 }, () => Array.from({ length: 5 }, (_, f) => 1000 * (f + 1) + rng.int(4) * 0.01));
    X.push(...X.slice(0, 30).map((r) => [...r]));
    const Q = X.slice(0, 25).map((r, i) => r.map((v, f) => (f === i % 5 ? v + 0.005 : v)));
    const nn = new NearestNeighbors({ method: 'brute' }).fit(X);
    const r = nn.kneighbors(Q, 4);
    bruteForce(X, Q, 4, false).forEach((e, q) => {
      expect(Array.from(r.indices.subarray(q * 4, q * 4 + 4))).toEqual(e.i);
      e.d.forEach((d, c) => expect(r.distances[q * 4 + c]).toBeCloseTo(d, 9));
    });
    const s = nn.kneighbors(undefined, 4);
    const probe = [0, 1, 2, 511, 512, 513, 1023, 1024, 1099, 1100, 1129];
    const ref = bruteForce(X, X, 4, true);
    for (const q of probe) expect(Array.from(s.indices.subarray(q * 4, q * 4 + 4)), `row ${q}`).toEqual(ref[q]?.i);
  });

  it.each(['kdtree', 'brute'] as const)('%s: exact where float32 sums lose the deciding terms (1 + ulp-level parts)', (method) => {
    // One column differs by 0 or 1; the others by a few float32 ulps of 1 (2^-23): summed in
    // float32, 1 + (ulp-level squares) is 1, so only the exact re-check can order these rows.
    const rng = new Rng(11);
    const ulp = 2 ** -23;
    const X = Array.from({ length: 700 }, () => [rng.int(2), ...Array.from({ length: 6 }, () => 1 + rng.int(5) * ulp)]);
    X.push(...X.slice(0, 20).map((r) => [...r]));
    const nn = new NearestNeighbors({ method }).fit(X);
    const s = nn.kneighbors(undefined, 3);
    bruteForce(X, X, 3, true).forEach((e, q) => expect(Array.from(s.indices.subarray(q * 3, q * 3 + 3)), `row ${q}`).toEqual(e.i));
    const Q = X.slice(0, 40).map((r) => [1 - r[0]!, ...r.slice(1)]);
    const r = nn.kneighbors(Q, 3);
    bruteForce(X, Q, 3, false).forEach((e, q) => expect(Array.from(r.indices.subarray(q * 3, q * 3 + 3)), `query ${q}`).toEqual(e.i));
  });

  it.each(['brute', 'kdtree'] as const)('%s self queries on two threads (20500 rows, ties everywhere) equal one thread and the sorted brute force', (method) => {
    const rng = new Rng(8);
    const X = Array.from({ length: 20_500 }, () => Array.from({ length: 3 }, () => rng.int(9)));
    const two = new NearestNeighbors({ method, nJobs: 2 }).fit(X).kneighbors(undefined, 3);
    const one = new NearestNeighbors({ method, nJobs: 1 }).fit(X).kneighbors(undefined, 3);
    expect(Array.from(two.indices)).toEqual(Array.from(one.indices));
    expect(Array.from(two.distances)).toEqual(Array.from(one.distances));
    const probe = Array.from({ length: 41 }, (_, i) => i * 500 + (i % 7));
    const ref = bruteForce(X, probe.map((r) => X[r] as number[]), 4, false);
    probe.forEach((r, p) => {
      // The reference over all rows includes r itself (at distance 0): drop it, keep 3.
      const expected = (ref[p] as { i: number[] }).i.filter((i) => i !== r).slice(0, 3);
      expect(Array.from(two.indices.subarray(r * 3, r * 3 + 3)), `row ${r}`).toEqual(expected);
    });
  });

  it('rejects bad input with typed errors', () => {
    expect(() => new NearestNeighbors().kneighbors()).toThrow(NotFittedError);
    expect(() => new NearestNeighbors({ nNeighbors: 0 })).toThrow(ValueError);
    const nn = new NearestNeighbors().fit([[0, 0], [1, 1], [2, 2]]);
    expect(() => nn.kneighbors(undefined, 3)).toThrow(ValueError);
    expect(() => nn.kneighbors([[1, 2, 3]])).toThrow(ShapeError);
    expect(() => nn.kneighbors([[1, NaN]])).toThrow(ValueError);
    expect(() => new NearestNeighbors().fit([])).toThrow(ShapeError);
  });
});
