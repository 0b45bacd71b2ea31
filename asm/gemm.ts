// Float32 matrix product C (+)= A * B with f32x4 SIMD and a 4 x 8 register tile, reading the
// operands where the caller copied them (src/kernels/gemm.ts), without packing:
//   A element (i, p) at a + i * rsA + p * csA (rsA = 4k, csA = 4 for row-major A; rsA = 4,
//   csA = 4m for A stored transposed), B row-major with row stride ldb bytes, C row stride ldc.
// Rows past m and columns past n are computed from whatever lies there and discarded by the
// caller (each C entry depends only on its own row of A and column of B), so there are no edges.
// The caller runs a long k (and a wide n) in L2-sized blocks, adding to C (`acc`) after the first.
export function sgemm(a: usize, rsA: usize, csA: usize, b: usize, ldb: usize, c: usize, ldc: usize, mt: i32, nt: i32, k: i32, acc: bool): void {
  const r2 = rsA * 2;
  const r3 = rsA * 3;
  for (let it = 0; it < mt; it++) {
    const arow = a + <usize>it * 4 * rsA;
    const crow = c + <usize>it * 4 * ldc;
    for (let jt = 0; jt < nt; jt++) {
      let ap = arow;
      let bp = b + <usize>jt * 32;
      const cp = crow + <usize>jt * 32;
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      if (acc) {
        c00 = v128.load(cp); c01 = v128.load(cp, 16);
        c10 = v128.load(cp + ldc); c11 = v128.load(cp + ldc, 16);
        c20 = v128.load(cp + 2 * ldc); c21 = v128.load(cp + 2 * ldc, 16);
        c30 = v128.load(cp + 3 * ldc); c31 = v128.load(cp + 3 * ldc, 16);
      }
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const a0 = v128.load32_splat(ap);
        const a1 = v128.load32_splat(ap + rsA);
        const a2 = v128.load32_splat(ap + r2);
        const a3 = v128.load32_splat(ap + r3);
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        ap += csA;
        bp += ldb;
      }
      v128.store(cp, c00);
      v128.store(cp, c01, 16);
      v128.store(cp + ldc, c10);
      v128.store(cp + ldc, c11, 16);
      v128.store(cp + 2 * ldc, c20);
      v128.store(cp + 2 * ldc, c21, 16);
      v128.store(cp + 3 * ldc, c30);
      v128.store(cp + 3 * ldc, c31, 16);
    }
  }
}

// dst[j][i] = src[i][j] for a [rows, cols] float32 matrix, in 8 x 8 blocks (both sides stay in L1).
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let i0 = 0; i0 < rows; i0 += 8) {
    const i1 = min(i0 + 8, rows);
    for (let j0 = 0; j0 < cols; j0 += 8) {
      const j1 = min(j0 + 8, cols);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) {
          store<f32>(dst + ((<usize>j * rows + i) << 2), load<f32>(src + ((<usize>i * cols + j) << 2)));
        }
      }
    }
  }
}
