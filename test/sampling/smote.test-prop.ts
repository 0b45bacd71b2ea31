import { expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { SMOTE, TomekLinks } from '../../src/sampling/index.js';

/** Rows and labels with at least `minPerClass` rows in each of 2-3 classes. */
const labelled = (minPerClass: number) =>
  fc.integer({ min: 1, max: 4 }).chain((d) =>
    fc.tuple(
      fc.constant(d),
      fc.array(fc.tuple(fc.array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }), { minLength: d, maxLength: d }), fc.integer({ min: 0, max: 2 })), {
        minLength: 3 * minPerClass,
        maxLength: 40,
      }),
    ),
  ).filter(([, rows]) => {
    const counts = [0, 0, 0];
    for (const [, c] of rows) counts[c] = (counts[c] as number) + 1;
    const present = counts.filter((c) => c > 0);
    return present.length >= 2 && present.every((c) => c >= minPerClass);
  });

function kNearestSameClass(X: number[][], y: number[], i: number, k: number): number[] {
  const d = (a: number[], b: number[]) => a.reduce((s, v, j) => s + (Math.fround(v) - Math.fround(b[j] as number)) ** 2, 0);
  return X.map((x, j) => ({ j, dist: d(x, X[i] as number[]) }))
    .filter((c) => c.j !== i && y[c.j] === y[i])
    .sort((a, b) => a.dist - b.dist || a.j - b.j)
    .slice(0, k)
    .map((c) => c.j);
}

test.prop([labelled(4), fc.integer({ min: 0, max: 1000 })], { numRuns: 40 })(
  'every synthetic row lies on a segment between a row and one of its k nearest same-class neighbours',
  ([, rows], seed) => {
    const X = rows.map(([x]) => x);
    const y = rows.map(([, c]) => c);
    const k = 3;
    const r = new SMOTE({ kNeighbors: k, seed }).fitResample(X, y);
    const d = X[0]?.length as number;
    for (let s = 0; s < r.y.length; s++) {
      if ((r.sampleIndices[s] as number) >= 0) continue;
      const p = Array.from(r.X.data.subarray(s * d, s * d + d));
      const candidates = y.map((c, i) => (c === r.y[s] ? i : -1)).filter((i) => i >= 0);
      const onSegment = candidates.some((i) =>
        kNearestSameClass(X, y, i, k).some((j) => {
          const a = (X[i] as number[]).map(Math.fround);
          const b = (X[j] as number[]).map(Math.fround);
          // p = a + u (b - a), u in [0, 1]: same u on every coordinate (float32 tolerance)
          let u: number | null = null;
          for (let f = 0; f < d; f++) {
            const span = (b[f] as number) - (a[f] as number);
            const tol = 1e-4 * (1 + Math.abs(a[f] as number) + Math.abs(b[f] as number));
            if (Math.abs(span) <= tol) {
              if (Math.abs((p[f] as number) - (a[f] as number)) > tol) return false;
              continue;
            }
            const uf = ((p[f] as number) - (a[f] as number)) / span;
            if (uf < -1e-4 || uf > 1 + 1e-4) return false;
            if (u === null) u = uf;
            else if (Math.abs(uf - u) * Math.abs(span) > tol) return false;
          }
          return true;
        }),
      );
      expect(onSegment).toBe(true);
    }
  },
);

test.prop([labelled(4), fc.integer({ min: 0, max: 1000 })], { numRuns: 40 })(
  "SMOTE 'auto' brings every class to the majority count and keeps the input rows first",
  ([, rows], seed) => {
    const X = rows.map(([x]) => x);
    const y = rows.map(([, c]) => c);
    const r = new SMOTE({ kNeighbors: 3, seed }).fitResample(X, y);
    const counts = new Map<number, number>();
    for (const c of r.y) counts.set(c, (counts.get(c) ?? 0) + 1);
    const majority = Math.max(...y.map((c) => y.filter((v) => v === c).length));
    for (const n of counts.values()) expect(n).toBe(majority);
    expect(Array.from(r.sampleIndices.subarray(0, X.length))).toEqual(X.map((_, i) => i));
  },
);

test.prop([labelled(1)], { numRuns: 60 })('TomekLinks removes only targeted members of mutual nearest-neighbour pairs of different labels', ([, rows]) => {
  const X = rows.map(([x]) => x);
  const y = rows.map(([, c]) => c);
  const r = new TomekLinks({ samplingStrategy: 'all' }).fitResample(X, y);
  const removed = y.map((_, i) => i).filter((i) => !r.sampleIndices.includes(i));
  const nearest = (i: number) => kNearestSameClassOrAny(X, i);
  for (const i of removed) {
    const j = nearest(i);
    expect(y[j]).not.toBe(y[i]);
    expect(nearest(j)).toBe(i);
  }
  // and every such pair is removed
  for (let i = 0; i < X.length; i++) {
    const j = nearest(i);
    if (y[j] !== y[i] && nearest(j) === i) expect(removed).toContain(i);
  }
});

function kNearestSameClassOrAny(X: number[][], i: number): number {
  const d = (a: number[], b: number[]) => a.reduce((s, v, j) => s + (Math.fround(v) - Math.fround(b[j] as number)) ** 2, 0);
  let best = -1;
  let bestD = Infinity;
  X.forEach((x, j) => {
    if (j === i) return;
    const dist = d(x, X[i] as number[]);
    if (dist < bestD) {
      bestD = dist;
      best = j;
    }
  });
  return best;
}
