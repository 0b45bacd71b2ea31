// @ts-nocheck -- AssemblyScript (f32x4 SIMD), not TypeScript: compiled by src/sampling/wasm/build.mjs
// into kdtree.ts. The exact k-d tree search of the neighbour search.
//
// Rows and boxes are float32, `dp` values apart (the columns padded with zeros to a multiple of 8).
// Distances to rows and boxes are first summed in float32 SIMD (two f32x4 accumulators): for sums of
// non-negative terms that value errs by at most a relative eps (the caller's `inv` = 1 / (1 + eps),
// eps covering float32 rounding of every step and the double rounding of the exact distance) and an
// absolute `tau` (subnormal results), so approx * inv - tau is a lower bound of the exact double
// squared distance. A box is skipped and a row rejected when that bound exceeds the current k-th
// best; a row that may enter gets its exact double squared distance (summed column by column), and
// the top k are kept by (distance, index): ties go to the lowest index. An infinite float32 sum
// (overflow) is replaced by the exact double one.

// @ts-ignore: decorator
@inline
function hsum(v: v128): f64 {
  return <f64>((f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
}

function exactRow(q: usize, x: usize, dp: i32): f64 {
  let e: f64 = 0;
  for (let f = 0; f < dp; f++) {
    const u = <f64>load<f32>(q + (<usize>f << 2)) - <f64>load<f32>(x + (<usize>f << 2));
    e += u * u;
  }
  return e;
}

function exactBox(q: usize, lo: usize, hi: usize, dp: i32): f64 {
  let e: f64 = 0;
  for (let f = 0; f < dp; f++) {
    const v = <f64>load<f32>(q + (<usize>f << 2));
    const a = <f64>load<f32>(lo + (<usize>f << 2));
    const b = <f64>load<f32>(hi + (<usize>f << 2));
    if (v < a) e += (a - v) * (a - v);
    else if (v > b) e += (v - b) * (v - b);
  }
  return e;
}

/** A lower bound of the squared distance from the query at q to the box of `node`. */
function boxLower(q: usize, boxLo: usize, boxHi: usize, node: i32, rowBytes: usize, inv: f64, tau: f64): f64 {
  const lo = boxLo + <usize>node * rowBytes;
  const hi = boxHi + <usize>node * rowBytes;
  const zero = f32x4.splat(0);
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  for (let f: usize = 0; f < rowBytes; f += 32) {
    const v0 = v128.load(q + f);
    const v1 = v128.load(q + f, 16);
    const t0 = f32x4.max(f32x4.max(f32x4.sub(v128.load(lo + f), v0), f32x4.sub(v0, v128.load(hi + f))), zero);
    const t1 = f32x4.max(f32x4.max(f32x4.sub(v128.load(lo + f, 16), v1), f32x4.sub(v1, v128.load(hi + f, 16))), zero);
    a0 = f32x4.add(a0, f32x4.mul(t0, t0));
    a1 = f32x4.add(a1, f32x4.mul(t1, t1));
  }
  const a = hsum(f32x4.add(a0, a1));
  if (a == Infinity) return exactBox(q, lo, hi, <i32>(rowBytes >> 2));
  return a * inv - tau;
}

/**
 * Searches queries first..last-1 (at q, `dp` floats apart; self: the tree's own rows, query s being
 * row order[s], which is then not its own neighbour). Writes each query's k nearest (distance,
 * index) at outD/outI + (step - first) * k; returns the number of rows whose distance was bounded.
 */
export function search(
  rows: usize, boxLo: usize, boxHi: usize, nodeStart: usize, nodeEnd: usize, nodeLeft: usize, nodeRight: usize, order: usize,
  dp: i32, q: usize, first: i32, last: i32, k: i32, self: i32,
  outD: usize, outI: usize, topD: usize, topI: usize, stackNode: usize, stackDist: usize, inv: f64, tau: f64,
): i32 {
  const rowBytes = <usize>dp << 2;
  let evaluated = 0;
  const lastD = topD + (<usize>(k - 1) << 3);
  const lastI = topI + (<usize>(k - 1) << 2);
  for (let step = first; step < last; step++) {
    const r = self ? load<i32>(order + (<usize>step << 2)) : step;
    const qp = q + <usize>(self ? step : step - first) * rowBytes;
    let size = 0;
    let bound: f64 = Infinity;
    let sp = 1;
    store<i32>(stackNode, 0);
    store<f64>(stackDist, 0);
    while (sp > 0) {
      sp--;
      const node = load<i32>(stackNode + (<usize>sp << 2));
      if (load<f64>(stackDist + (<usize>sp << 3)) > bound) continue;
      const left = load<i32>(nodeLeft + (<usize>node << 2));
      if (left < 0) {
        const start = load<i32>(nodeStart + (<usize>node << 2));
        const end = load<i32>(nodeEnd + (<usize>node << 2));
        evaluated += end - start;
        for (let s = start; s < end; s++) {
          const idx = load<i32>(order + (<usize>s << 2));
          if (self && idx == r) continue;
          const xp = rows + <usize>s * rowBytes;
          let a0 = f32x4.splat(0);
          let a1 = f32x4.splat(0);
          for (let f: usize = 0; f < rowBytes; f += 32) {
            const u0 = f32x4.sub(v128.load(qp + f), v128.load(xp + f));
            const u1 = f32x4.sub(v128.load(qp + f, 16), v128.load(xp + f, 16));
            a0 = f32x4.add(a0, f32x4.mul(u0, u0));
            a1 = f32x4.add(a1, f32x4.mul(u1, u1));
          }
          const a = hsum(f32x4.add(a0, a1));
          if (a != Infinity && a * inv - tau > bound) continue;
          const e = exactRow(qp, xp, dp);
          if (size == k && (e > bound || (e == bound && idx > load<i32>(lastI)))) continue;
          let p = size < k ? size++ : k - 1;
          while (p > 0) {
            const dq = load<f64>(topD + (<usize>(p - 1) << 3));
            const iq = load<i32>(topI + (<usize>(p - 1) << 2));
            if (dq < e || (dq == e && iq < idx)) break;
            store<f64>(topD + (<usize>p << 3), dq);
            store<i32>(topI + (<usize>p << 2), iq);
            p--;
          }
          store<f64>(topD + (<usize>p << 3), e);
          store<i32>(topI + (<usize>p << 2), idx);
          if (size == k) bound = load<f64>(lastD);
        }
        continue;
      }
      const right = load<i32>(nodeRight + (<usize>node << 2));
      const dl = boxLower(qp, boxLo, boxHi, left, rowBytes, inv, tau);
      const dr = boxLower(qp, boxLo, boxHi, right, rowBytes, inv, tau);
      // Push the farther child first so that the nearer one is searched first.
      const nearL = dl <= dr;
      const farNode = nearL ? right : left;
      const farDist = nearL ? dr : dl;
      const nearNode = nearL ? left : right;
      const nearDist = nearL ? dl : dr;
      if (farDist <= bound) {
        store<i32>(stackNode + (<usize>sp << 2), farNode);
        store<f64>(stackDist + (<usize>sp << 3), farDist);
        sp++;
      }
      if (nearDist <= bound) {
        store<i32>(stackNode + (<usize>sp << 2), nearNode);
        store<f64>(stackDist + (<usize>sp << 3), nearDist);
        sp++;
      }
    }
    const o = <usize>(step - first) * <usize>k;
    for (let c = 0; c < k; c++) {
      store<f64>(outD + ((o + <usize>c) << 3), sqrt<f64>(load<f64>(topD + (<usize>c << 3))));
      store<i32>(outI + ((o + <usize>c) << 2), load<i32>(topI + (<usize>c << 2)));
    }
  }
  return evaluated;
}
