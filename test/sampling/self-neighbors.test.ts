import { describe, expect, it } from 'vitest';
import { selfNeighbors } from '../../src/sampling/self-neighbors.js';
import { Rng } from '../../src/util/rng.js';

/** Sorted brute force in doubles over float32 inputs: the k nearest other rows of row r, ties by index. */
function reference(x: Float32Array, d: number, r: number, k: number): number[] {
  const n = x.length / d;
  const all: { i: number; s: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i === r) continue;
    let s = 0;
    for (let f = 0; f < d; f++) s += ((x[r * d + f] as number) - (x[i * d + f] as number)) ** 2;
    all.push({ i, s });
  }
  all.sort((a, b) => a.s - b.s || a.i - b.i);
  return all.slice(0, k).map((e) => e.i);
}

describe('selfNeighbors (blocked float32 kernel, exact re-ranking)', () => {
  it('rows so close that their float32 squared distances underflow still get their true neighbours', () => {
    // fast-check's counterexample (TomekLinks property): row 1's nearest is row 0, 1e-37 away.
    const x = Float32Array.from([0, 1.057945027843936e-37, 1.8811519556307975e-31, 8.429240768348213e-32]);
    const got = selfNeighbors({ data: x, rows: 4, cols: 1 }, 1, 1);
    for (let r = 0; r < 4; r++) expect([got.indices[r]], `row ${r}`).toEqual(reference(x, 1, r, 1));
    // And a few hundred rows of magnitudes 1e-38 to 1e-20 in 3 columns, two nearest each.
    const rng = new Rng(5);
    const n = 300;
    const tiny = new Float32Array(n * 3);
    for (let i = 0; i < tiny.length; i++) tiny[i] = (rng.uniform() - 0.5) * 10 ** -(20 + rng.int(19));
    const t = selfNeighbors({ data: tiny, rows: n, cols: 3 }, 2, 1);
    for (let r = 0; r < n; r++) expect(Array.from(t.indices.subarray(r * 2, r * 2 + 2)), `row ${r}`).toEqual(reference(tiny, 3, r, 2));
  });

  it('in a spatial order (far blocks skipped) equals the row order and the sorted brute force: clusters, duplicates, ties', () => {
    const rng = new Rng(3);
    const n = 2600;
    const d = 6;
    const x = new Float32Array(n * d);
    const cluster = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      cluster[r] = rng.int(5);
      for (let f = 0; f < d; f++) x[r * d + f] = 100 * (cluster[r] as number) * (f + 1) + rng.int(5) * 0.25;
    }
    for (let r = 0; r < 40; r++) x.copyWithin((n - 1 - r) * d, r * d, r * d + d); // exact duplicates
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => (cluster[a] as number) - (cluster[b] as number) || a - b);
    const m = { data: x, rows: n, cols: d };
    const spatial = selfNeighbors(m, 3, 1, order);
    const plain = selfNeighbors(m, 3, 1);
    expect(Array.from(spatial.indices)).toEqual(Array.from(plain.indices));
    expect(Array.from(spatial.distances)).toEqual(Array.from(plain.distances));
    for (const r of [0, 1, 17, 511, 512, 1300, 2559, 2560, 2599]) {
      expect(Array.from(spatial.indices.subarray(r * 3, r * 3 + 3)), `row ${r}`).toEqual(reference(x, d, r, 3));
    }
  });
});
