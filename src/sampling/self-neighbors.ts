import { DISTANCE_WASM_BASE64 } from './wasm/distance.js';
import type { DenseMatrix } from '../util/matrix.js';
import { runParallelOrSerial } from './workers/pool.js';
import { decodeBase64 } from '../util/base64.js';

/**
 * The k nearest neighbours of every fitted row among the others (self queries, as TomekLinks and
 * SMOTE ask), exact, on up to `threads` threads. Distances ||x||^2 + ||y||^2 - 2 x.y come from our
 * float32 SIMD kernel (./wasm/distance.asm.ts, AssemblyScript: a matrix product whose 4 x 8 tiles
 * are filtered against the rows' thresholds in registers) over 512-row blocks of data centred on
 * its mean, and only for blocks on or above the diagonal (the matrix is symmetric, so
 * each block serves its rows and its columns: half the products). Each thread draws block rows
 * from a shared counter and keeps, for every row, the candidates whose approximate distance lies
 * within a proven float32 error window of its running k-th best; it re-ranks them with exact
 * double distances (ties by lowest index). Merging the threads' exact top lists gives the exact
 * answer: a thread's window is at least as wide as the one over all pairs.
 */
export function selfNeighbors(data: DenseMatrix, k: number, threads: number, order: Int32Array | null = null): { distances: Float64Array; indices: Int32Array } {
  const { rows: n, cols: d } = data;
  const kk = k + 1; // the row itself is among its own nearest
  const parallel = threads > 1;
  const alloc = (bytes: number) => (parallel ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const mean = new Float64Array(d);
  const x = data.data;
  for (let r = 0; r < n; r++) for (let f = 0, o = r * d; f < d; f++) mean[f] = (mean[f] as number) + (x[o + f] as number);
  for (let f = 0; f < d; f++) mean[f] = (mean[f] as number) / n;
  // Centred rows in `order` (slot s holds row order[s]): with a spatial order, blocks are compact
  // and whole blocks far from a row's current neighbours are skipped.
  const perm = new Int32Array(alloc(4 * n));
  for (let s = 0; s < n; s++) perm[s] = order === null ? s : (order[s] as number);
  const xc = new Float32Array(alloc(4 * n * d));
  for (let s = 0; s < n; s++) {
    const o = (perm[s] as number) * d;
    for (let f = 0; f < d; f++) xc[s * d + f] = (x[o + f] as number) - (mean[f] as number);
  }
  let xs = x;
  if (parallel && !(x.buffer instanceof SharedArrayBuffer)) {
    xs = new Float32Array(alloc(4 * n * d));
    xs.set(x.subarray(0, n * d));
  }
  const blocks = Math.ceil(n / SELF_BLOCK);
  const results: { outD: Float64Array; outI: Int32Array; used: Int32Array } = { outD: new Float64Array(0), outI: new Int32Array(0), used: new Int32Array(0) };
  runParallelOrSerial(
    selfNeighborsKernel,
    () => {
      const slots = parallel ? threads : 1;
      results.outD = new Float64Array(alloc(8 * slots * n * kk));
      results.outI = new Int32Array(alloc(4 * slots * n * kk));
      results.used = new Int32Array(alloc(8));
      return { wasm: distanceBytes(), x: xs, xc, order: perm, n, d, kk, block: SELF_BLOCK, blocks, counter: results.used, outD: results.outD, outI: results.outI };
    },
    threads,
  );
  // Merge the threads' exact lists (each pair was seen by exactly one thread).
  const used = Math.max(1, Atomics.load(results.used, 1));
  const { outD, outI } = results;
  const distances = new Float64Array(n * k);
  const indices = new Int32Array(n * k);
  const bestD = new Float64Array(kk);
  const bestI = new Int32Array(kk);
  for (let r = 0; r < n; r++) {
    let size = 0;
    for (let t = 0; t < used; t++) {
      const base = (t * n + r) * kk;
      for (let e = 0; e < kk; e++) {
        const idx = outI[base + e] as number;
        if (idx < 0) break;
        if (idx === r) continue;
        const dist = outD[base + e] as number;
        if (size === k) {
          const ld = bestD[k - 1] as number;
          if (dist > ld || (dist === ld && idx > (bestI[k - 1] as number))) break;
        }
        let p = size < k ? size++ : k - 1;
        while (p > 0) {
          const dp = bestD[p - 1] as number;
          if (dp < dist || (dp === dist && (bestI[p - 1] as number) < idx)) break;
          bestD[p] = dp;
          bestI[p] = bestI[p - 1] as number;
          p--;
        }
        bestD[p] = dist;
        bestI[p] = idx;
      }
    }
    for (let c = 0; c < k; c++) {
      distances[r * k + c] = Math.sqrt(bestD[c] as number);
      indices[r * k + c] = bestI[c] as number;
    }
  }
  return { distances, indices };
}

/** Rows per block of the distance products (a 512 x 512 float32 block is 1 MB). */
const SELF_BLOCK = 512;

let bytes: Uint8Array | null = null;
function distanceBytes(): Uint8Array {
  bytes ??= decodeBase64(DISTANCE_WASM_BASE64);
  return bytes;
}

/** The work of {@link selfNeighborsKernel}. */
interface SelfNeighborsTask {
  /** The compiled distance-block module (./wasm/distance.asm.ts: `filterBlock` and `memory`). */
  wasm: Uint8Array;
  /** The rows, as given (exact distances). */
  x: Float32Array;
  /** The rows centred on their mean, float32 (approximate distances), slot s holding row order[s]. */
  xc: Float32Array;
  /** Slot -> row. */
  order: Int32Array;
  n: number;
  d: number;
  /** Neighbours kept per row, the row itself included. */
  kk: number;
  block: number;
  blocks: number;
  /** [next block row, threads started]. */
  counter: Int32Array;
  /** Per thread, per row, its kk best (exact squared distance, index); index -1 pads. */
  outD: Float64Array;
  outI: Int32Array;
}

/**
 * One thread's share of {@link selfNeighbors}. Self-contained: it runs in worker threads from its
 * source, so it uses nothing from outside its body (hence its own small top-k lists).
 */
function selfNeighborsKernel(task: SelfNeighborsTask): void {
  const { x, xc, order, n, d, kk, block, blocks, counter, outD, outI } = task;
  const tid = Atomics.add(counter, 1, 1);
  const g = globalThis as unknown as {
    WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: unknown } };
  };
  const wasm = new g.WebAssembly.Instance(new g.WebAssembly.Module(task.wasm), {}).exports as {
    memory: { buffer: ArrayBuffer; grow(pages: number): number };
    filterBlock(
      ap: number, bp: number, mt: number, nt: number, k: number, aStride: number, bStride: number,
      rn: number, rt: number, cn: number, ct: number, mValid: number, nValid: number, both: number, out: number, scratch: number,
    ): number;
  };
  // Pack every row once: A panels [n/4][d][4] (4 rows interleaved), B panels [n/8][d][8]; then the
  // float32 norms and thresholds (padded for vector loads), a scratch tile and the hit records.
  const mt = Math.ceil(n / 4);
  const nt = Math.ceil(n / 8);
  const aOff = 0;
  const bOff = mt * 4 * d;
  const normOff = bOff + nt * 8 * d;
  const thrOff = normOff + n + 16;
  const scratchOff = thrOff + n + 16;
  const outOff = scratchOff + 32;
  const floats = outOff + 4 * block * block;
  const have = wasm.memory.buffer.byteLength;
  if (floats * 4 > have) wasm.memory.grow(Math.ceil((floats * 4 - have) / 65536));
  const h = new Float32Array(wasm.memory.buffer);
  const hi = new Int32Array(wasm.memory.buffer);
  h.fill(0, 0, outOff);
  const norms = new Float64Array(n);
  let maxNorm = 0;
  for (let r = 0; r < n; r++) {
    const a = aOff + (r >> 2) * d * 4 + (r & 3);
    const b = bOff + (r >> 3) * d * 8 + (r & 7);
    let s = 0;
    for (let f = 0; f < d; f++) {
      const v = xc[r * d + f] as number;
      h[a + f * 4] = v;
      h[b + f * 8] = v;
      s += v * v;
    }
    norms[r] = s;
    h[normOff + r] = s;
    h[thrOff + r] = Infinity;
    if (s > maxNorm) maxNorm = s;
  }
  // |approx - exact| <= (d/2 + 2) u (|x| + |y|)^2 (u = 2^-24): 2 gamma_d |x||y| for the float32 dot
  // product summed lane by lane, 2u(|x| + |y|)^2 for the rounding of the centred rows; padded to
  // (d/2 + 3) u x 1.01. The window is twice the bound.
  const u = 2 ** -24;
  const c = (d / 2 + 3) * u * 1.01;
  const windowOf = new Float64Array(n);
  // The kernel's float32 test (norm - 2 dot <= threshold - norm) errs by at most 4u(|x|^2 + |y|^2 +
  // 2|x.y|) <= 8u(|x|^2 + max |y|^2): its thresholds are padded by that, so it only ever adds hits.
  // Both bounds are relative; float32 products and norms below its normal range lose up to
  // 2^-149 each, all of them together far below the absolute floor of 1e-30 both add (without it,
  // rows within 1e-19 of each other, whose squared distances underflow, lost true neighbours).
  const slack = new Float64Array(n);
  const rootMax = Math.sqrt(maxNorm);
  for (let r = 0; r < n; r++) {
    windowOf[r] = 2 * c * (Math.sqrt(norms[r] as number) + rootMax) ** 2 + 1e-30;
    slack[r] = 8 * u * ((norms[r] as number) + maxNorm) + 1e-30;
  }
  // Per row: top kk approximate distances (for the threshold), and the candidate list.
  const topD = new Float64Array(n * kk);
  const topI = new Int32Array(n * kk);
  const topN = new Int32Array(n);
  const thr = new Float64Array(n).fill(Infinity);
  const candI: Int32Array[] = [];
  const candA: Float64Array[] = [];
  const candN = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    candI.push(new Int32Array(4));
    candA.push(new Float64Array(4));
  }
  /** Offers row `idx` to slot r: to its approximate top kk (the threshold) and/or its candidates. */
  const add = (r: number, a: number, idx: number, top: boolean, keep: boolean): void => {
    if (top) raise(r, a, idx);
    if (keep) store(r, a, idx);
  };
  const raise = (r: number, a: number, idx: number): void => {
    // The approximate top kk (by distance, then index).
    const base = r * kk;
    const size = topN[r] as number;
    let p = size < kk ? size : kk - 1;
    if (size < kk) topN[r] = size + 1;
    while (p > 0) {
      const dp = topD[base + p - 1] as number;
      if (dp < a || (dp === a && (topI[base + p - 1] as number) < idx)) break;
      topD[base + p] = dp;
      topI[base + p] = topI[base + p - 1] as number;
      p--;
    }
    topD[base + p] = a;
    topI[base + p] = idx;
    const t = (topN[r] as number) < kk ? Infinity : (topD[base + kk - 1] as number) + (windowOf[r] as number);
    thr[r] = t;
    // The kernel's threshold: t - norm, rounded up (above float32 rounding) and padded.
    const v = t - (norms[r] as number) + (slack[r] as number);
    h[thrOff + r] = v + Math.abs(v) * 2 ** -20;
  };
  const store = (r: number, a: number, idx: number): void => {
    const t = thr[r] as number;
    let ci = candI[r] as Int32Array;
    let ca = candA[r] as Float64Array;
    let cn = candN[r] as number;
    if (cn === ci.length) {
      let s = 0;
      for (let e = 0; e < cn; e++) {
        const w = ca[e] as number;
        if (w <= t) {
          ci[s] = ci[e] as number;
          ca[s++] = w;
        }
      }
      cn = s;
      if (2 * s >= ci.length) {
        const ni = new Int32Array(ci.length * 2);
        ni.set(ci);
        const na = new Float64Array(ca.length * 2);
        na.set(ca);
        candI[r] = ci = ni;
        candA[r] = ca = na;
      }
    }
    ci[cn] = idx;
    ca[cn] = a;
    candN[r] = cn + 1;
  };
  // Block centroids and radii (of the centred float32 rows) for the triangle-inequality bound.
  const cen = new Float64Array(blocks * d);
  const rad = new Float64Array(blocks);
  for (let bi = 0; bi < blocks; bi++) {
    const i0 = bi * block;
    const i1 = Math.min(n, i0 + block);
    for (let i = i0; i < i1; i++) for (let f = 0; f < d; f++) cen[bi * d + f] = (cen[bi * d + f] as number) + (xc[i * d + f] as number);
    for (let f = 0; f < d; f++) cen[bi * d + f] = (cen[bi * d + f] as number) / (i1 - i0);
    let r2 = 0;
    for (let i = i0; i < i1; i++) {
      let s = 0;
      for (let f = 0; f < d; f++) {
        const v = (xc[i * d + f] as number) - (cen[bi * d + f] as number);
        s += v * v;
      }
      if (s > r2) r2 = s;
    }
    rad[bi] = Math.sqrt(r2) * (1 + 1e-9);
  }
  let maxWindow = 0;
  for (let r = 0; r < n; r++) if ((windowOf[r] as number) > maxWindow) maxWindow = windowOf[r] as number;
  const maxThr = (bi: number): number => {
    let m = 0;
    const i1 = Math.min(n, bi * block + block);
    for (let i = bi * block; i < i1; i++) if ((thr[i] as number) > m) m = thr[i] as number;
    return m;
  };
  const runBlock = (i0: number, j0: number, top: boolean, keep: boolean): void => {
    const i1 = Math.min(n, i0 + block);
    const j1 = Math.min(n, j0 + block);
    const both = j0 === i0 ? 0 : 1;
    const hits = wasm.filterBlock(
      (aOff + (i0 >> 2) * d * 4) * 4, (bOff + (j0 >> 3) * d * 8) * 4, Math.ceil((i1 - i0) / 4), Math.ceil((j1 - j0) / 8), d, d * 16, d * 32,
      (normOff + i0) * 4, (thrOff + i0) * 4, (normOff + j0) * 4, (thrOff + j0) * 4, i1 - i0, j1 - j0, both, outOff * 4, scratchOff * 4,
    );
    for (let e = 0, o = outOff; e < hits; e++, o += 4) {
      const i = i0 + (hi[o] as number);
      const j = j0 + (hi[o + 1] as number);
      const flags = hi[o + 3] as number;
      const a = (norms[i] as number) + (norms[j] as number) - 2 * (h[o + 2] as number);
      if ((flags & 1) !== 0 && a <= (thr[i] as number)) add(i, a, order[j] as number, top, keep);
      if ((flags & 2) !== 0 && a <= (thr[j] as number)) add(j, a, order[i] as number, top, keep);
    }
  };
  // Every thread first sets its thresholds from the diagonal blocks (a row's block-mates are near
  // it in a spatial order), so that far blocks are skipped from the start; only the owner of a
  // block row keeps its diagonal pairs as candidates below (the thresholds already hold them).
  for (let bi = 0; bi < blocks; bi++) runBlock(bi * block, bi * block, true, false);
  for (;;) {
    const bi = Atomics.add(counter, 0, 1);
    if (bi >= blocks) break;
    const i0 = bi * block;
    runBlock(i0, i0, false, true);
    for (let bj = bi + 1; bj < blocks; bj++) {
      // Every pair of the two blocks is at least lb apart: skip them when no row could take one.
      let cd = 0;
      for (let f = 0; f < d; f++) {
        const v = (cen[bi * d + f] as number) - (cen[bj * d + f] as number);
        cd += v * v;
      }
      const lb = Math.sqrt(cd) * (1 - 1e-9) - (rad[bi] as number) - (rad[bj] as number);
      if (lb > 0 && lb * lb - maxWindow > Math.max(maxThr(bi), maxThr(bj))) continue;
      runBlock(i0, bj * block, true, true);
    }
  }
  // Exact re-ranking of each row's candidates; this thread's kk best go to its output slot.
  const exD = new Float64Array(kk);
  const exI = new Int32Array(kk);
  for (let r = 0; r < n; r++) {
    const cn = candN[r] as number;
    const row = order[r] as number;
    const base = (tid * n + row) * kk;
    let size = 0;
    const t = thr[r] as number;
    const ci = candI[r] as Int32Array;
    const ca = candA[r] as Float64Array;
    const ro = row * d;
    for (let e = 0; e < cn; e++) {
      if ((ca[e] as number) > t) continue;
      const idx = ci[e] as number;
      const io = idx * d;
      let s = 0;
      for (let f = 0; f < d; f++) {
        const u = (x[ro + f] as number) - (x[io + f] as number);
        s += u * u;
      }
      if (size === kk) {
        const ld = exD[kk - 1] as number;
        if (s > ld || (s === ld && idx > (exI[kk - 1] as number))) continue;
      }
      let p = size < kk ? size++ : kk - 1;
      while (p > 0) {
        const dp = exD[p - 1] as number;
        if (dp < s || (dp === s && (exI[p - 1] as number) < idx)) break;
        exD[p] = dp;
        exI[p] = exI[p - 1] as number;
        p--;
      }
      exD[p] = s;
      exI[p] = idx;
    }
    for (let e = 0; e < kk; e++) {
      outD[base + e] = e < size ? (exD[e] as number) : Infinity;
      outI[base + e] = e < size ? (exI[e] as number) : -1;
    }
  }
}
