// Float32 matrix product C (+)= A * B with f32x4 SIMD and a 4 x 8 register tile, reading the
// operands where the caller copied them (src/kernels/gemm.ts), without packing:
//   A element (i, p) at a + i * rsA + p * csA (rsA = 4k, csA = 4 for row-major A; rsA = 4,
//   csA = 4m for A stored transposed), B row-major with row stride ldb bytes, C row stride ldc.
// Rows past m and columns past n are computed from whatever lies there and discarded by the
// caller (each C entry depends only on its own row of A and column of B), so there are no edges.
// The caller runs a long k (and a wide n) in L2-sized blocks, adding to C (`acc`) after the first.
// Built with relaxed SIMD (asm/build.mjs, the `-relaxed` modules) each step is one fused
// multiply-add, c + a b rounded once: 24-37 % more GFLOP/s at the bench models' shapes than mul
// then add (docs/guides/performance.md, "fused multiply-add"); without it, the two rounded ops.
// Only the products use it: the elementwise kernels and Adam stay bit-equal to tfjs's ops.
// `epi` (EPI_BIAS | EPI_RELU) applies a fused op's epilogue to each finished tile before its store:
// + bias[column] (bias: n floats, padded to the 8-column panels), then relu; the same values as
// biasActivation after the product, without a second pass over C (and split across threads with it).
const EPI_BIAS = 1;
const EPI_RELU = 2;
export function sgemm(a: usize, rsA: usize, csA: usize, b: usize, ldb: usize, c: usize, ldc: usize, mt: i32, nt: i32, k: i32, acc: bool, bias: usize, epi: i32): void {
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
        c00 = madd(c00, a0, b0);
        c01 = madd(c01, a0, b1);
        c10 = madd(c10, a1, b0);
        c11 = madd(c11, a1, b1);
        c20 = madd(c20, a2, b0);
        c21 = madd(c21, a2, b1);
        c30 = madd(c30, a3, b0);
        c31 = madd(c31, a3, b1);
        ap += csA;
        bp += ldb;
      }
      if (epi != 0) {
        // The epilogue on the finished tile, in registers: + bias (bit 1), then max(., 0) (bit 2;
        // NaN kept, -0 -> +0), the operations and order of biasActivation, so the same values.
        if (epi & EPI_BIAS) {
          const b0 = v128.load(bias + <usize>jt * 32);
          const b1 = v128.load(bias + <usize>jt * 32, 16);
          c00 = f32x4.add(c00, b0); c01 = f32x4.add(c01, b1);
          c10 = f32x4.add(c10, b0); c11 = f32x4.add(c11, b1);
          c20 = f32x4.add(c20, b0); c21 = f32x4.add(c21, b1);
          c30 = f32x4.add(c30, b0); c31 = f32x4.add(c31, b1);
        }
        if (epi & EPI_RELU) {
          const z = f32x4.splat(0);
          c00 = f32x4.max(c00, z); c01 = f32x4.max(c01, z);
          c10 = f32x4.max(c10, z); c11 = f32x4.max(c11, z);
          c20 = f32x4.max(c20, z); c21 = f32x4.max(c21, z);
          c30 = f32x4.max(c30, z); c31 = f32x4.max(c31, z);
        }
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

// acc + a b: fused (rounded once) in the relaxed-SIMD build, else mul then add. The constant is
// resolved at compile time, so the plain build contains no relaxed instruction.
// @ts-ignore: decorator
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// dst[j][i] = src[i][j] for a [rows, cols] float32 matrix: 4 x 4 blocks through shuffles (four
// loads of 4 rows, eight shuffles, four stores), over blocks of 16 source rows: for each 4 columns,
// the block's four 4 x 4 tiles, so each of the 4 destination rows gets 16 consecutive floats (a
// whole 64-byte line) at a time; rows and columns past the last multiple of 4 element by element.
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  const r4 = rows & ~3;
  const c4 = cols & ~3;
  const sr = <usize>cols << 2; // source row, bytes
  const dr = <usize>rows << 2; // destination row, bytes
  for (let i0 = 0; i0 < r4; i0 += 16) {
    const i1 = min(i0 + 16, r4);
    for (let j = 0; j < c4; j += 4) {
      for (let i = i0; i < i1; i += 4) {
        const s = src + <usize>i * sr + (<usize>j << 2);
        const a0 = v128.load(s);
        const a1 = v128.load(s + sr);
        const a2 = v128.load(s + 2 * sr);
        const a3 = v128.load(s + 3 * sr);
        const t0 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5);
        const t1 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7);
        const t2 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
        const t3 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
        const d = dst + (<usize>i << 2) + <usize>j * dr;
        v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
        v128.store(d + dr, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
        v128.store(d + 2 * dr, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
        v128.store(d + 3 * dr, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
      }
    }
    for (let j = c4; j < cols; j++) {
      for (let k = i0; k < i1; k++) store<f32>(dst + ((<usize>j * rows + k) << 2), load<f32>(src + ((<usize>k * cols + j) << 2)));
    }
  }
  for (let i = r4; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(dst + ((<usize>j * rows + i) << 2), load<f32>(src + ((<usize>i * cols + j) << 2)));
  }
}

// exp on f32x4 (Cephes expf: range reduction by ln 2 in two parts, degree-5 polynomial, scale by
// 2^n through the exponent bits); x is clamped to [-87, 88], so the result stays finite and normal.
// n = round(x log2 e) comes from adding 1.5 * 2^23 (the float's low mantissa bits then hold n), so
// neither a floor nor a float-to-int conversion is needed: 2^n is those bits + 127, shifted by 23.
// Each multiply-add is `madd` (one fused step in the relaxed build: 1.3x the throughput there).
// @ts-ignore: decorator
@inline function expv(x0: v128): v128 {
  const x1 = f32x4.pmax(f32x4.pmin(x0, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const magic = f32x4.splat(12582912.0);
  const tn = madd(magic, x1, f32x4.splat(1.44269504088896341));
  const fx = f32x4.sub(tn, magic);
  let x = madd(x1, fx, f32x4.splat(-0.693359375));
  x = madd(x, fx, f32x4.splat(2.12194440e-4));
  const z = f32x4.mul(x, x);
  let y = madd(f32x4.splat(1.3981999507e-3), f32x4.splat(1.9875691500e-4), x);
  y = madd(f32x4.splat(8.3334519073e-3), y, x);
  y = madd(f32x4.splat(4.1665795894e-2), y, x);
  y = madd(f32x4.splat(1.6666665459e-1), y, x);
  y = madd(f32x4.splat(5.0000001201e-1), y, x);
  y = f32x4.add(madd(x, y, z), f32x4.splat(1.0));
  const pow2 = i32x4.shl(i32x4.add(tn, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

// @ts-ignore: decorator
@inline function sigmoidv(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), expv(f32x4.neg(x))));
}

// tanh on f32x4: the 13/6-degree rational interpolant of Eigen's generic_fast_tanh_float (odd
// numerator, even denominator, x clamped to [-9, 9], beyond which tanh is +-1 in float32), with
// every coefficient divided by the numerator's linear one, so the numerator is x + x^3 (...) and
// tiny |x| keeps its bits (no underflow to subnormals). Within 3.4e-7 relative of Math.tanh on
// [-20, 20] (docs/guides/performance.md); 3.7x the throughput of the Cephes form it replaced in
// the relaxed build, 2.1x in the plain one (that form: exp, a division and an odd polynomial for
// small |x|, both sides computed and one selected).
// @ts-ignore: decorator
@inline function tanhv(x0: v128): v128 {
  const x = f32x4.pmax(f32x4.pmin(x0, f32x4.splat(9.0)), f32x4.splat(-9.0));
  const x2 = f32x4.mul(x, x);
  let p = madd(f32x4.splat(4.087417904141688e-11), x2, f32x4.splat(-5.6416768365276024e-14));
  p = madd(f32x4.splat(-1.7583792200071002e-8), x2, p);
  p = madd(f32x4.splat(1.0467500942468178e-5), x2, p);
  p = madd(f32x4.splat(3.036098787561059e-3), x2, p);
  p = madd(f32x4.splat(0.1302255541086197), x2, p);
  p = madd(x, f32x4.mul(x, x2), p);
  let q = madd(f32x4.splat(0.02422276698052883), x2, f32x4.splat(2.4486612528562546e-4));
  q = madd(f32x4.splat(0.4635584354400635), x2, q);
  q = madd(f32x4.splat(1.0000001192092896), x2, q);
  return f32x4.div(p, q);
}

// Elementwise over n floats (n a multiple of 4), for tests of the approximations.
export function sigmoidArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(dst + (<usize>i << 2), sigmoidv(v128.load(src + (<usize>i << 2))));
}
export function tanhArray(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) v128.store(dst + (<usize>i << 2), tanhv(v128.load(src + (<usize>i << 2))));
}

// Elementwise kernels over n floats; the caller pads n up to a multiple of 4 (lanes past the end
// are computed and discarded). Every result is the correctly rounded f32 operation, so equal to the
// stock kernels' float64 computation rounded to float32.

// relu: max(x, 0) with NaN kept and -0 -> +0 (f32x4.max propagates NaN and orders -0 below +0).
export function relu(src: usize, dst: usize, n: i32): void {
  const zero = f32x4.splat(0);
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) v128.store(dst + i, f32x4.max(v128.load(src + i), zero));
}

// step: 1 where x > 0, NaN where x is NaN, alpha elsewhere.
export function step(src: usize, dst: usize, n: i32, alpha: f32): void {
  const one = f32x4.splat(1);
  const al = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) {
    const x = v128.load(src + i);
    const y = v128.bitselect(one, al, f32x4.gt(x, zero));
    v128.store(dst + i, v128.bitselect(x, y, f32x4.ne(x, x)));
  }
}

// dst[r * m + j] = big[r * m + j] (op) small[j] for r < rows, with op 0 add, 1 multiply,
// 2 subtract, 3 divide; m a multiple of 4, or 1 (a scalar, splatted).
export function broadcast(op: i32, big: usize, small: usize, dst: usize, rows: i32, m: i32): void {
  const mb = <usize>m << 2;
  if (m == 1) {
    const s = v128.load32_splat(small);
    const total = (<usize>rows << 2);
    for (let i: usize = 0; i < total; i += 16) {
      const a = v128.load(big + i);
      let y: v128;
      if (op == 0) y = f32x4.add(a, s);
      else if (op == 1) y = f32x4.mul(a, s);
      else if (op == 2) y = f32x4.sub(a, s);
      else y = f32x4.div(a, s);
      v128.store(dst + i, y);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * mb;
    for (let j: usize = 0; j < mb; j += 16) {
      const a = v128.load(big + o + j);
      const s = v128.load(small + j);
      let y: v128;
      if (op == 0) y = f32x4.add(a, s);
      else if (op == 1) y = f32x4.mul(a, s);
      else if (op == 2) y = f32x4.sub(a, s);
      else y = f32x4.div(a, s);
      v128.store(dst + o + j, y);
    }
  }
}

// Adam's update over n floats (n a multiple of 4), in place on w, m and v from the gradient g, in
// tfjs's AdamOptimizer order: m = m b1 + g c1; v = v b2 + (g g) c2;
// w = ((m / d1) / (sqrt(v / d2) + eps)) negLr + w (c = 1 - beta, d = 1 - beta^t), each operation
// correctly rounded f32, so equal to tfjs's float64 ops rounded to float32 (src/optim/fused-adam.ts).
export function adam(w: usize, m: usize, v: usize, g: usize, n: i32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, oneMinusAccBeta1: f32, oneMinusAccBeta2: f32, epsilon: f32, negLr: f32): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const d1 = f32x4.splat(oneMinusAccBeta1);
  const d2 = f32x4.splat(oneMinusAccBeta2);
  const eps = f32x4.splat(epsilon);
  const lr = f32x4.splat(negLr);
  for (let i: usize = 0; i < (<usize>n << 2); i += 16) {
    const gi = v128.load(g + i);
    const mi = f32x4.add(f32x4.mul(v128.load(m + i), b1), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + i), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
    v128.store(m + i, mi);
    v128.store(v + i, vi);
    const s = f32x4.mul(f32x4.div(f32x4.div(mi, d1), f32x4.add(f32x4.sqrt(f32x4.div(vi, d2)), eps)), lr);
    v128.store(w + i, f32x4.add(s, v128.load(w + i)));
  }
}

// c[r * m + j] = c[r * m + j] + bias[j] for r < rows (m a multiple of 4), then max(., 0) when
// `relu` (NaN kept, -0 -> +0, as relu above): a fused convolution's epilogue, in place on the
// product before it is copied out. Each value is the correctly rounded f32 sum, as the stock Add.
export function biasActivation(c: usize, bias: usize, rows: i32, m: i32, relu: bool): void {
  const mb = <usize>m << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const o = c + <usize>r * mb;
    if (relu) {
      for (let j: usize = 0; j < mb; j += 16) v128.store(o + j, f32x4.max(f32x4.add(v128.load(o + j), v128.load(bias + j)), zero));
    } else {
      for (let j: usize = 0; j < mb; j += 16) v128.store(o + j, f32x4.add(v128.load(o + j), v128.load(bias + j)));
    }
  }
}

// The gradient through activation(z + bias) of a fused convolution, `rows` rows of m floats (m a
// multiple of 4), in place on dy: when `mask`, dy where y > 0, 0 where y <= 0 and NaN where y is
// NaN (tfjs's relu gradient dy * step(z); y = relu(z) is never negative, so y * 0 is 0 or NaN);
// sums[j] = the column sums of the result (the bias gradient), f32, rows in order.
export function reluBiasGrad(dy: usize, y: usize, sums: usize, rows: i32, m: i32, mask: bool): void {
  const mb = <usize>m << 2;
  const zero = f32x4.splat(0);
  memory.fill(sums, 0, mb);
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * mb;
    for (let j: usize = 0; j < mb; j += 16) {
      let v = v128.load(dy + o + j);
      if (mask) {
        const yv = v128.load(y + o + j);
        v = v128.bitselect(v, f32x4.mul(yv, zero), f32x4.gt(yv, zero));
        v128.store(dy + o + j, v);
      }
      v128.store(sums + j, f32x4.add(v128.load(sums + j), v));
    }
  }
}

// dst[j] = sum over r < rows of src[r * m + j] (column sums; m a multiple of 4), rows in order.
export function colsum(src: usize, dst: usize, rows: i32, m: i32): void {
  const mb = <usize>m << 2;
  for (let j: usize = 0; j < mb; j += 16) {
    let acc = f32x4.splat(0);
    let p = src + j;
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(p));
      p += mb;
    }
    v128.store(dst + j, acc);
  }
}

// Batch norm (src/kernels/batch-norm.ts), on row-major [n, c] float32 matrices, c a multiple of 4,
// all arithmetic in float64. Per-channel sums: out[j] = sum of a[r, j], out[c + j] = sum of
// a[r, j] * b[r, j] (b = a for the squares), f64 at out, 4 channels at a time with the sums in
// registers over all rows.
export function bnSums(a: usize, b: usize, n: i32, c: i32, out: usize): void {
  const rb = <usize>c << 2;
  for (let j: usize = 0; j < <usize>c; j += 4) {
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    let q0 = f64x2.splat(0);
    let q1 = f64x2.splat(0);
    let pa = a + (j << 2);
    let pb = b + (j << 2);
    for (let r = 0; r < n; r++) {
      const va = v128.load(pa);
      const vb = v128.load(pb);
      const a0 = f64x2.promote_low_f32x4(va);
      const a1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(va, va, 2, 3, 2, 3));
      s0 = f64x2.add(s0, a0);
      s1 = f64x2.add(s1, a1);
      q0 = f64x2.add(q0, f64x2.mul(a0, f64x2.promote_low_f32x4(vb)));
      q1 = f64x2.add(q1, f64x2.mul(a1, f64x2.promote_low_f32x4(v128.shuffle<f32>(vb, vb, 2, 3, 2, 3))));
      pa += rb;
      pb += rb;
    }
    v128.store(out + (j << 3), s0);
    v128.store(out + (j << 3), s1, 16);
    v128.store(out + ((<usize>c + j) << 3), q0);
    v128.store(out + ((<usize>c + j) << 3), q1, 16);
  }
}

// Per-channel affine in float64, rounded once to f32: dst[r, j] = ca[j] u[r, j] + ck[j] v[r, j] +
// cb[j] (withV), else ca[j] u[r, j] + cb[j]; ca, ck, cb f64 [c] at coef, coef + 8c, coef + 16c.
export function bnAffine(u: usize, v: usize, dst: usize, n: i32, c: i32, coef: usize, withV: bool): void {
  const rb = <usize>c << 2;
  const ck = coef + (<usize>c << 3);
  const cb = coef + (<usize>c << 4);
  for (let r = 0; r < n; r++) {
    const o = <usize>r * rb;
    for (let j: usize = 0; j < <usize>c; j += 4) {
      const jb = j << 3;
      const vu = v128.load(u + o + (j << 2));
      // (ca u + ck v) + cb, in the JavaScript loop's order (the same float64 roundings).
      let y0 = f64x2.mul(v128.load(coef + jb), f64x2.promote_low_f32x4(vu));
      let y1 = f64x2.mul(v128.load(coef + jb, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(vu, vu, 2, 3, 2, 3)));
      if (withV) {
        const vv = v128.load(v + o + (j << 2));
        y0 = f64x2.add(y0, f64x2.mul(v128.load(ck + jb), f64x2.promote_low_f32x4(vv)));
        y1 = f64x2.add(y1, f64x2.mul(v128.load(ck + jb, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(vv, vv, 2, 3, 2, 3))));
      }
      const d0 = f32x4.demote_f64x2_zero(f64x2.add(y0, v128.load(cb + jb)));
      const d1 = f32x4.demote_f64x2_zero(f64x2.add(y1, v128.load(cb + jb, 16)));
      v128.store(dst + o + (j << 2), v128.shuffle<f32>(d0, d1, 0, 1, 4, 5));
    }
  }
}

// The input gradient / transposed convolution with few channels (src/kernels/conv-line.ts): dcols
// holds dy W^T, [lines * OW rows, nB], row (l, ow) column fw * C + ci the tap fw of output position
// ow; dx line l (inWidth positions of C channels, at dx + l * inWidth * C floats) position iw gets,
// per channel, the sum over the taps fw with q - fw = ow * s, 0 <= ow < OW (q = iw + left), in
// float64 rounded once to f32; then, when `epi` says so, + bias[ci] (f32) and max(., 0) (NaN kept,
// -0 -> +0): the values of the JavaScript loop and epilogue this replaces.
export function tapSums(dcols: usize, dx: usize, lines: i32, OW: i32, nB: i32, FW: i32, C: i32, s: i32, left: i32, inWidth: i32, bias: usize, epi: i32): void {
  let o = dx;
  for (let l = 0; l < lines; l++) {
    const row0 = dcols + (<usize>l * <usize>OW * <usize>nB << 2);
    for (let iw = 0; iw < inWidth; iw++) {
      const q = iw + left;
      const fwLo = max(q - (OW - 1) * s, 0);
      const fw0 = fwLo + (((q - fwLo) % s) + s) % s;
      for (let ci = 0; ci < C; ci++) {
        let acc: f64 = 0;
        for (let fw = fw0; fw < FW && fw <= q; fw += s) {
          acc += <f64>load<f32>(row0 + (<usize>(((q - fw) / s) * nB + fw * C + ci) << 2));
        }
        let v = <f32>acc;
        if (epi & EPI_BIAS) v = v + load<f32>(bias + (<usize>ci << 2));
        if (epi & EPI_RELU) v = max<f32>(v, 0);
        store<f32>(o, v);
        o += 4;
      }
    }
  }
}

// The blocked product over row tiles [it0, it1) (4 rows each) of C: n runs in blocks of N_BLOCK
// 8-column panels, k in blocks of K_BLOCK steps (adding to C after the first), so a block of B stays
// in L2. Row-tile ranges are independent: the thread pool (src/kernels/pool.ts) splits by them.
// The epilogue (sgemm's bias, epi) runs with the last k block.
const K_BLOCK = 256;
const N_BLOCK = 16;
export function gemmRows(a: usize, rsA: usize, csA: usize, b: usize, ldb: usize, c: usize, ldc: usize, it0: i32, it1: i32, nt: i32, k: i32, acc: bool, bias: usize, epi: i32): void {
  if (it1 <= it0) return;
  const a0 = a + <usize>it0 * 4 * rsA;
  const c0 = c + <usize>it0 * 4 * ldc;
  for (let j0 = 0; j0 < nt; j0 += N_BLOCK) {
    const nb = min(N_BLOCK, nt - j0);
    for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
      const kc = min(K_BLOCK, k - p0);
      sgemm(a0 + <usize>p0 * csA, rsA, csA, b + <usize>p0 * ldb + <usize>j0 * 32, ldb, c0 + <usize>j0 * 32, ldc, it1 - it0, nb, kc, acc || p0 > 0, bias + <usize>j0 * 32, p0 + K_BLOCK >= k ? epi : 0);
    }
  }
}

// The whole forward sequence of a reset-after GRU for batch rows [b0, b0 + nb) (one chunk; chunks
// are independent, so threads take them in parallel). Batch-major by time index t: the input
// projection (bias included) row (b, t) at xp + (b T + t) 3U floats, the output y (also the state)
// at y + (b T + t) ldy (ldy = U, or 2U where both directions write their halves of one
// [B, T, 2U] output), and, when `save`, the gates z, r, n and the recurrent n pre-activation hn at
// (b T + t) U. uk is the recurrent kernel [U, ldu] (ldu a multiple of 8 >= 3U, zero
// columns past 3U), bh the recurrent bias, h0 the initial state [B, U], hp this chunk's scratch
// [nb rounded up to 4, ldu]. Rows past the chunk that the 4-row product tile reads are discarded.
export function gruSeqForward(xp: usize, uk: usize, ldu: i32, bh: usize, h0: usize, y: usize, hp: usize, zs: usize, rs: usize, ns: usize, hns: usize, save: bool, b0: i32, nb: i32, T: i32, U: i32, backwards: bool, ldy: i32): void {
  const ub = <usize>U << 2;
  const w3: usize = ub * 3;
  const ldub = <usize>ldu << 2;
  const yb = <usize>ldy << 2; // y rows (b, t) are ldy floats apart (U, or 2U for both directions' outputs side by side)
  const mt = (nb + 3) >> 2;
  const nt = ldu >> 3;
  const tstride = <usize>T * yb; // y row stride between batch rows
  for (let s = 0; s < T; s++) {
    const t = backwards ? T - 1 - s : s;
    const tp = backwards ? t + 1 : t - 1;
    // h_prev rows: h0 at the first step, else y at the previous time index.
    const hprev0 = s == 0 ? h0 + <usize>b0 * ub : y + (<usize>b0 * T + tp) * yb;
    const hstride = s == 0 ? ub : tstride;
    sgemm(hprev0, hstride, 4, uk, ldub, hp, ldub, mt, nt, U, false, 0, 0);
    for (let bi = 0; bi < nb; bi++) {
      const row = <usize>(b0 + bi);
      const xrow = xp + (row * T + t) * w3;
      const hrow = hp + <usize>bi * ldub;
      const prev = hprev0 + <usize>bi * hstride;
      const idx = (row * T + t) * ub;
      const out = y + (row * T + t) * yb;
      // z and r first (one run of 2U entries), over the product in place: a short loop whose
      // iterations the CPU overlaps, where one loop doing both sigmoids then the tanh that waits on
      // r was bound by that chain's latency ("gate passes" in docs/guides/performance.md).
      for (let u: usize = 0; u < 2 * ub; u += 16) {
        v128.store(hrow + u, sigmoidv(f32x4.add(f32x4.add(v128.load(xrow + u), v128.load(hrow + u)), v128.load(bh + u))));
      }
      for (let u: usize = 0; u < ub; u += 16) {
        const z = v128.load(hrow + u);
        const r = v128.load(hrow + ub + u);
        const hn = f32x4.add(v128.load(hrow + 2 * ub + u), v128.load(bh + 2 * ub + u));
        const n = tanhv(f32x4.add(v128.load(xrow + 2 * ub + u), f32x4.mul(r, hn)));
        v128.store(out + u, f32x4.add(n, f32x4.mul(z, f32x4.sub(v128.load(prev + u), n))));
        if (save) {
          v128.store(zs + idx + u, z);
          v128.store(rs + idx + u, r);
          v128.store(ns + idx + u, n);
          v128.store(hns + idx + u, hn);
        }
      }
    }
  }
}

// The whole backward sequence of the GRU above for batch rows [b0, b0 + nb), in the same layout:
// dy the output gradient, zs..hns and y as the forward left them, uT the recurrent kernel
// transposed [3U, lduT] (lduT a multiple of 8 >= U, zero columns past U). Writes d(pre-activation)
// of the input side dxp and of the recurrent side dgh (n block scaled by r), both [B T, 3U]
// batch-major; dh [nb rounded up to 4, lduT] (this chunk's rows, zero on entry) ends as the
// gradient of h0.
export function gruSeqBackward(dy: usize, zs: usize, rs: usize, ns: usize, hns: usize, y: usize, h0: usize, uT: usize, lduT: i32, dxp: usize, dgh: usize, dh: usize, b0: i32, nb: i32, T: i32, U: i32, backwards: bool): void {
  const ub = <usize>U << 2;
  const w3: usize = ub * 3;
  const ldb = <usize>lduT << 2;
  const mt = (nb + 3) >> 2;
  const nt = lduT >> 3;
  const one = f32x4.splat(1);
  for (let s = T - 1; s >= 0; s--) {
    const t = backwards ? T - 1 - s : s;
    const tp = backwards ? t + 1 : t - 1;
    for (let bi = 0; bi < nb; bi++) {
      const row = <usize>(b0 + bi);
      const idx = (row * T + t) * ub;
      const prev = s == 0 ? h0 + row * ub : y + (row * T + tp) * ub;
      const drow = dh + <usize>bi * ldb;
      const xrow = dxp + (row * T + t) * w3;
      const grow = dgh + (row * T + t) * w3;
      for (let u: usize = 0; u < ub; u += 16) {
        const g = f32x4.add(v128.load(drow + u), v128.load(dy + idx + u));
        const z = v128.load(zs + idx + u);
        const r = v128.load(rs + idx + u);
        const n = v128.load(ns + idx + u);
        const dan = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
        const daz = f32x4.mul(f32x4.mul(f32x4.mul(g, f32x4.sub(v128.load(prev + u), n)), z), f32x4.sub(one, z));
        const dar = f32x4.mul(f32x4.mul(f32x4.mul(dan, v128.load(hns + idx + u)), r), f32x4.sub(one, r));
        v128.store(xrow + u, daz);
        v128.store(xrow + ub + u, dar);
        v128.store(xrow + 2 * ub + u, dan);
        v128.store(grow + u, daz);
        v128.store(grow + ub + u, dar);
        v128.store(grow + 2 * ub + u, f32x4.mul(dan, r));
        v128.store(drow + u, f32x4.mul(g, z));
      }
    }
    // dh += dgh(step) U^T: A rows are this chunk's dgh rows at time t.
    sgemm(dgh + (<usize>b0 * T + t) * w3, <usize>T * w3, 4, uT, ldb, dh, ldb, mt, nt, 3 * U, true, 0, 0);
  }
}

// dst (B T rows of U, batch-major) = the state before each time index: y shifted by one step
// along time, h0 at the first step visited.
export function gruPrevStates(y: usize, h0: usize, dst: usize, B: i32, T: i32, U: i32, backwards: bool): void {
  const ub = <usize>U << 2;
  const rowb = <usize>T * ub;
  const span = <usize>(T - 1) * ub;
  for (let b = 0; b < B; b++) {
    const base = <usize>b * rowb;
    if (backwards) {
      memory.copy(dst + base, y + base + ub, span);
      memory.copy(dst + base + span, h0 + <usize>b * ub, ub);
    } else {
      memory.copy(dst + base + ub, y + base, span);
      memory.copy(dst + base, h0 + <usize>b * ub, ub);
    }
  }
}

// The whole forward sequence of an LSTM (gates i, f, g, o) for batch rows [b0, b0 + nb), laid out
// like gruSeqForward: xp [B T, 4U] (input projection, bias included), y (rows ldy floats apart)
// and the cell state cs [B T, U] batch-major by time index, uk [U, ldu] (ldu a multiple of 8 >= 4U), h0 and c0 [B, U],
// hp this chunk's scratch [nb rounded up to 4, ldu]. When `save`, the activated gates gi, gf, gg,
// go and tanh(c) at the same index as y, for the backward pass.
export function lstmSeqForward(xp: usize, uk: usize, ldu: i32, h0: usize, c0: usize, y: usize, cs: usize, hp: usize, gi: usize, gf: usize, gg: usize, go: usize, tcs: usize, save: bool, b0: i32, nb: i32, T: i32, U: i32, backwards: bool, ldy: i32): void {
  const ub = <usize>U << 2;
  const w4: usize = ub * 4;
  const ldub = <usize>ldu << 2;
  const yb = <usize>ldy << 2; // y rows ldy floats apart, as in gruSeqForward
  const mt = (nb + 3) >> 2;
  const nt = ldu >> 3;
  const tstride = <usize>T * yb;
  for (let s = 0; s < T; s++) {
    const t = backwards ? T - 1 - s : s;
    const tp = backwards ? t + 1 : t - 1;
    const hprev0 = s == 0 ? h0 + <usize>b0 * ub : y + (<usize>b0 * T + tp) * yb;
    const hstride = s == 0 ? ub : tstride;
    sgemm(hprev0, hstride, 4, uk, ldub, hp, ldub, mt, nt, U, false, 0, 0);
    for (let bi = 0; bi < nb; bi++) {
      const row = <usize>(b0 + bi);
      const xrow = xp + (row * T + t) * w4;
      const hrow = hp + <usize>bi * ldub;
      const cprev = s == 0 ? c0 + row * ub : cs + (row * T + tp) * ub;
      const idx = (row * T + t) * ub;
      for (let u: usize = 0; u < ub; u += 16) {
        const ig = sigmoidv(f32x4.add(v128.load(xrow + u), v128.load(hrow + u)));
        const fg = sigmoidv(f32x4.add(v128.load(xrow + ub + u), v128.load(hrow + ub + u)));
        const g = tanhv(f32x4.add(v128.load(xrow + 2 * ub + u), v128.load(hrow + 2 * ub + u)));
        const og = sigmoidv(f32x4.add(v128.load(xrow + 3 * ub + u), v128.load(hrow + 3 * ub + u)));
        const c = f32x4.add(f32x4.mul(fg, v128.load(cprev + u)), f32x4.mul(ig, g));
        const tc = tanhv(c);
        v128.store(cs + idx + u, c);
        v128.store(y + (row * T + t) * yb + u, f32x4.mul(og, tc));
        if (save) {
          v128.store(gi + idx + u, ig);
          v128.store(gf + idx + u, fg);
          v128.store(gg + idx + u, g);
          v128.store(go + idx + u, og);
          v128.store(tcs + idx + u, tc);
        }
      }
    }
  }
}

// The whole backward sequence of the LSTM above for batch rows [b0, b0 + nb): writes
// d(pre-activations) da [B T, 4U] batch-major (input and recurrent side alike); dh and dc
// [nb rounded up to 4, lduT] (this chunk's rows, zero on entry) end as the gradients of h0 and c0.
// uT is the recurrent kernel transposed [4U, lduT] (lduT a multiple of 8 >= U).
export function lstmSeqBackward(dy: usize, cs: usize, gi: usize, gf: usize, gg: usize, go: usize, tcs: usize, c0: usize, uT: usize, lduT: i32, da: usize, dh: usize, dc: usize, b0: i32, nb: i32, T: i32, U: i32, backwards: bool): void {
  const ub = <usize>U << 2;
  const w4: usize = ub * 4;
  const ldb = <usize>lduT << 2;
  const mt = (nb + 3) >> 2;
  const nt = lduT >> 3;
  const one = f32x4.splat(1);
  for (let s = T - 1; s >= 0; s--) {
    const t = backwards ? T - 1 - s : s;
    const tp = backwards ? t + 1 : t - 1;
    for (let bi = 0; bi < nb; bi++) {
      const row = <usize>(b0 + bi);
      const idx = (row * T + t) * ub;
      const cprev = s == 0 ? c0 + row * ub : cs + (row * T + tp) * ub;
      const hrow = dh + <usize>bi * ldb;
      const crow = dc + <usize>bi * ldb;
      const arow = da + (row * T + t) * w4;
      for (let u: usize = 0; u < ub; u += 16) {
        const ig = v128.load(gi + idx + u);
        const fg = v128.load(gf + idx + u);
        const g = v128.load(gg + idx + u);
        const og = v128.load(go + idx + u);
        const tc = v128.load(tcs + idx + u);
        const gh = f32x4.add(v128.load(hrow + u), v128.load(dy + idx + u));
        const gc = f32x4.add(v128.load(crow + u), f32x4.mul(f32x4.mul(gh, og), f32x4.sub(one, f32x4.mul(tc, tc))));
        v128.store(arow + u, f32x4.mul(f32x4.mul(f32x4.mul(gc, g), ig), f32x4.sub(one, ig)));
        v128.store(arow + ub + u, f32x4.mul(f32x4.mul(f32x4.mul(gc, v128.load(cprev + u)), fg), f32x4.sub(one, fg)));
        v128.store(arow + 2 * ub + u, f32x4.mul(f32x4.mul(gc, ig), f32x4.sub(one, f32x4.mul(g, g))));
        v128.store(arow + 3 * ub + u, f32x4.mul(f32x4.mul(f32x4.mul(gh, tc), og), f32x4.sub(one, og)));
        v128.store(crow + u, f32x4.mul(gc, fg));
      }
    }
    // dh = da(step) U^T (replaces dh: the state gradient flows only through the product).
    sgemm(da + (<usize>b0 * T + t) * w4, <usize>T * w4, 4, uT, ldb, dh, ldb, mt, nt, 4 * U, false, 0, 0);
  }
}
