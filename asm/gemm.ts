// Float32 matrix product C = A * B with f32x4 SIMD and a 4 x 8 register tile.
// Operands are packed by the caller (src/kernels/gemm.ts):
//   A as `mt` panels of [k][4] (4 rows interleaved), B as `nt` panels of [k][8] (8 columns),
//   C row-major [mt * 4][nt * 8]. Padding rows/columns are zero, so no edge cases here.
// The A panel stays in L1 while the k-block of every B panel streams past it from L2.

// `k` steps are summed from `ap` / `bp` on; panels lie `aStride` / `bStride` bytes apart, so the
// caller can run a long k (and a wide n) in L2-sized blocks, adding to C (`acc`) after the first k block;
// `ldc` is the byte length of a C row.
export function sgemm(ap: usize, bp: usize, cp: usize, mt: i32, nt: i32, k: i32, aStride: usize, bStride: usize, ldc: usize, acc: bool): void {
  for (let it = 0; it < mt; it++) {
    const apan = ap + <usize>it * aStride;
    for (let jt = 0; jt < nt; jt++) {
      let a = apan;
      let b = bp + <usize>jt * bStride;
      const c = cp + <usize>it * 4 * ldc + <usize>jt * 32;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      if (acc) {
        c00 = v128.load(c); c01 = v128.load(c, 16);
        c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
        c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
        c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
      }
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
      v128.store(c, c00);
      v128.store(c, c01, 16);
      v128.store(c + ldc, c10);
      v128.store(c + ldc, c11, 16);
      v128.store(c + 2 * ldc, c20);
      v128.store(c + 2 * ldc, c21, 16);
      v128.store(c + 3 * ldc, c30);
      v128.store(c + 3 * ldc, c31, 16);
    }
  }
}
