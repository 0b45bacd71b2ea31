// @ts-nocheck -- AssemblyScript (f32x4 SIMD), not TypeScript: compiled by src/sampling/wasm/build.mjs
// into distance.ts. The neighbour search's distance blocks, with the candidate filter fused in.
//
// Rows are packed by the caller as in a matrix product: A as panels of [k][4] (4 rows interleaved),
// B as panels of [k][8] (8 rows interleaved), so a 4 x 8 tile of dot products sits in 8 registers.
// For each pair (i, j) of the tile, with the caller's float32 squared norms n and thresholds t
// (t_i = the row's candidate threshold minus its norm, rounded up and padded by the float32 error
// of this test), the pair is a hit for row i when n_j - 2 x_i.x_j <= t_i and, with `both`, for row
// j when n_i - 2 x_i.x_j <= t_j. Hits are written as records of 16 bytes: i, j (within the block),
// the dot product (f32) and the flags (1 = row side, 2 = column side); returns their number.
// Tiles without a hit cost a few vector compares: the caller never reads the distance block.

export function filterBlock(
  ap: usize, bp: usize, mt: i32, nt: i32, k: i32, aStride: usize, bStride: usize,
  rn: usize, rt: usize, cn: usize, ct: usize, mValid: i32, nValid: i32, both: i32, out: usize, scratch: usize,
): i32 {
  let hits = 0;
  const two = f32x4.splat(2.0);
  for (let it = 0; it < mt; it++) {
    const apan = ap + <usize>it * aStride;
    const r0 = <usize>it * 16;
    const t0 = v128.load32_splat(rt + r0);
    const t1 = v128.load32_splat(rt + r0 + 4);
    const t2 = v128.load32_splat(rt + r0 + 8);
    const t3 = v128.load32_splat(rt + r0 + 12);
    const q0 = v128.load32_splat(rn + r0);
    const q1 = v128.load32_splat(rn + r0 + 4);
    const q2 = v128.load32_splat(rn + r0 + 8);
    const q3 = v128.load32_splat(rn + r0 + 12);
    for (let jt = 0; jt < nt; jt++) {
      let a = apan;
      let b = bp + <usize>jt * bStride;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        const a0 = v128.load32_splat(a);
        const a1 = v128.load32_splat(a, 4);
        const a2 = v128.load32_splat(a, 8);
        const a3 = v128.load32_splat(a, 12);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        a += 16;
        b += 32;
      }
      const cb = cn + <usize>jt * 32;
      const n0 = v128.load(cb);
      const n1 = v128.load(cb, 16);
      let m = v128.or(
        v128.or(
          v128.or(f32x4.le(f32x4.sub(n0, f32x4.mul(two, c00)), t0), f32x4.le(f32x4.sub(n1, f32x4.mul(two, c01)), t0)),
          v128.or(f32x4.le(f32x4.sub(n0, f32x4.mul(two, c10)), t1), f32x4.le(f32x4.sub(n1, f32x4.mul(two, c11)), t1)),
        ),
        v128.or(
          v128.or(f32x4.le(f32x4.sub(n0, f32x4.mul(two, c20)), t2), f32x4.le(f32x4.sub(n1, f32x4.mul(two, c21)), t2)),
          v128.or(f32x4.le(f32x4.sub(n0, f32x4.mul(two, c30)), t3), f32x4.le(f32x4.sub(n1, f32x4.mul(two, c31)), t3)),
        ),
      );
      if (both) {
        const tb = ct + <usize>jt * 32;
        const u0 = v128.load(tb);
        const u1 = v128.load(tb, 16);
        m = v128.or(
          m,
          v128.or(
            v128.or(
              v128.or(f32x4.le(f32x4.sub(q0, f32x4.mul(two, c00)), u0), f32x4.le(f32x4.sub(q0, f32x4.mul(two, c01)), u1)),
              v128.or(f32x4.le(f32x4.sub(q1, f32x4.mul(two, c10)), u0), f32x4.le(f32x4.sub(q1, f32x4.mul(two, c11)), u1)),
            ),
            v128.or(
              v128.or(f32x4.le(f32x4.sub(q2, f32x4.mul(two, c20)), u0), f32x4.le(f32x4.sub(q2, f32x4.mul(two, c21)), u1)),
              v128.or(f32x4.le(f32x4.sub(q3, f32x4.mul(two, c30)), u0), f32x4.le(f32x4.sub(q3, f32x4.mul(two, c31)), u1)),
            ),
          ),
        );
      }
      if (v128.any_true(m)) {
        v128.store(scratch, c00);
        v128.store(scratch, c01, 16);
        v128.store(scratch, c10, 32);
        v128.store(scratch, c11, 48);
        v128.store(scratch, c20, 64);
        v128.store(scratch, c21, 80);
        v128.store(scratch, c30, 96);
        v128.store(scratch, c31, 112);
        for (let r = 0; r < 4; r++) {
          const i = it * 4 + r;
          if (i >= mValid) break;
          const ni = load<f32>(rn + <usize>i * 4);
          const ti = load<f32>(rt + <usize>i * 4);
          for (let cc = 0; cc < 8; cc++) {
            const j = jt * 8 + cc;
            if (j >= nValid) break;
            const dot = load<f32>(scratch + <usize>(r * 8 + cc) * 4);
            const dd: f32 = <f32>2.0 * dot;
            let flags = 0;
            if (load<f32>(cn + <usize>j * 4) - dd <= ti) flags = 1;
            if (both && ni - dd <= load<f32>(ct + <usize>j * 4)) flags |= 2;
            if (flags != 0) {
              const o = out + <usize>hits * 16;
              store<i32>(o, i);
              store<i32>(o, j, 4);
              store<f32>(o, dot, 8);
              store<i32>(o, flags, 12);
              hits++;
            }
          }
        }
      }
    }
  }
  return hits;
}
