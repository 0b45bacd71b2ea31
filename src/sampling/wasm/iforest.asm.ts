// @ts-nocheck -- AssemblyScript, not TypeScript: compiled by src/sampling/wasm/build.mjs into
// iforest.ts. The Isolation Forest's scoring loop.
//
// Nodes are records of 16 bytes: the split value (f32, rounded down from the double threshold, which
// decides every float32 input exactly as the double does), the split feature's byte offset within a
// row (i32) and the address of the left child's record (i32); the right child's record follows the
// left one. A leaf has split value +Infinity and is its own left child, so a row stays on it: every
// row descends exactly `levels[t]` steps in tree t, without a branch. Leaf path lengths are doubles
// at leafBase + (record - nodes) / 2.
//
// For each block of `block` rows (row-major float32, `rowBytes` apart), every tree in order walks
// eight rows at a time (eight independent load chains) and adds its leaf's path length to the row's
// double sum (sums, one per row): the sums are added tree by tree in the forest's order.

export function score(
  nodes: usize, leafBase: usize, roots: usize, levels: usize, nTrees: i32,
  rows: usize, nRows: i32, rowBytes: usize, sums: usize, block: i32,
): void {
  for (let b0 = 0; b0 < nRows; b0 += block) {
    const b1 = min(nRows, b0 + block);
    for (let t = 0; t < nTrees; t++) {
      const root = load<i32>(roots + (<usize>t << 2));
      const steps = load<i32>(levels + (<usize>t << 2));
      let i = b0;
      for (; i + 7 < b1; i += 8) {
        const p0 = rows + <usize>i * rowBytes;
        const p1 = p0 + rowBytes;
        const p2 = p1 + rowBytes;
        const p3 = p2 + rowBytes;
        const p4 = p3 + rowBytes;
        const p5 = p4 + rowBytes;
        const p6 = p5 + rowBytes;
        const p7 = p6 + rowBytes;
        let n0 = root, n1 = root, n2 = root, n3 = root, n4 = root, n5 = root, n6 = root, n7 = root;
        for (let s = 0; s < steps; s++) {
          n0 = load<i32>(n0, 8) + (<i32>(load<f32>(p0 + <usize>load<i32>(n0, 4)) > load<f32>(n0)) << 4);
          n1 = load<i32>(n1, 8) + (<i32>(load<f32>(p1 + <usize>load<i32>(n1, 4)) > load<f32>(n1)) << 4);
          n2 = load<i32>(n2, 8) + (<i32>(load<f32>(p2 + <usize>load<i32>(n2, 4)) > load<f32>(n2)) << 4);
          n3 = load<i32>(n3, 8) + (<i32>(load<f32>(p3 + <usize>load<i32>(n3, 4)) > load<f32>(n3)) << 4);
          n4 = load<i32>(n4, 8) + (<i32>(load<f32>(p4 + <usize>load<i32>(n4, 4)) > load<f32>(n4)) << 4);
          n5 = load<i32>(n5, 8) + (<i32>(load<f32>(p5 + <usize>load<i32>(n5, 4)) > load<f32>(n5)) << 4);
          n6 = load<i32>(n6, 8) + (<i32>(load<f32>(p6 + <usize>load<i32>(n6, 4)) > load<f32>(n6)) << 4);
          n7 = load<i32>(n7, 8) + (<i32>(load<f32>(p7 + <usize>load<i32>(n7, 4)) > load<f32>(n7)) << 4);
        }
        const q = sums + (<usize>i << 3);
        store<f64>(q, load<f64>(q) + load<f64>(leafBase + ((<usize>n0 - nodes) >> 1)));
        store<f64>(q, load<f64>(q, 8) + load<f64>(leafBase + ((<usize>n1 - nodes) >> 1)), 8);
        store<f64>(q, load<f64>(q, 16) + load<f64>(leafBase + ((<usize>n2 - nodes) >> 1)), 16);
        store<f64>(q, load<f64>(q, 24) + load<f64>(leafBase + ((<usize>n3 - nodes) >> 1)), 24);
        store<f64>(q, load<f64>(q, 32) + load<f64>(leafBase + ((<usize>n4 - nodes) >> 1)), 32);
        store<f64>(q, load<f64>(q, 40) + load<f64>(leafBase + ((<usize>n5 - nodes) >> 1)), 40);
        store<f64>(q, load<f64>(q, 48) + load<f64>(leafBase + ((<usize>n6 - nodes) >> 1)), 48);
        store<f64>(q, load<f64>(q, 56) + load<f64>(leafBase + ((<usize>n7 - nodes) >> 1)), 56);
      }
      for (; i < b1; i++) {
        const p = rows + <usize>i * rowBytes;
        let n = root;
        for (let s = 0; s < steps; s++) n = load<i32>(n, 8) + (<i32>(load<f32>(p + <usize>load<i32>(n, 4)) > load<f32>(n)) << 4);
        const q = sums + (<usize>i << 3);
        store<f64>(q, load<f64>(q) + load<f64>(leafBase + ((<usize>n - nodes) >> 1)));
      }
    }
  }
}

/** 1 when the n float32 values at p are all finite, else 0 (0 x v is NaN exactly for NaN and +-Infinity). */
export function allFinite(p: usize, n: i32): i32 {
  let acc = f32x4.splat(0);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 15 < n; i += 16) {
    const q = p + (<usize>i << 2);
    acc = f32x4.add(acc, f32x4.mul(v128.load(q), zero));
    acc = f32x4.add(acc, f32x4.mul(v128.load(q, 16), zero));
    acc = f32x4.add(acc, f32x4.mul(v128.load(q, 32), zero));
    acc = f32x4.add(acc, f32x4.mul(v128.load(q, 48), zero));
  }
  let s: f32 = 0;
  for (; i < n; i++) s += load<f32>(p + (<usize>i << 2)) * 0;
  return <i32>!(v128.any_true(f32x4.ne(acc, acc)) || s != s);
}
