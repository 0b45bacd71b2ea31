import * as tf from '@tensorflow/tfjs-core';
import { NotFittedError, ShapeError, ValueError } from '../errors.js';
import { gemm } from '../kernels/gemm.js';
import { toMatrix, type DenseMatrix, type MatrixLike } from '../util/matrix.js';
import { selfNeighbors } from './self-neighbors.js';
import { KDTREE_WASM_BASE64 } from './wasm/kdtree.js';
import { decodeBase64 } from '../util/base64.js';
import { resolveThreads, runParallelOrSerial } from './workers/pool.js';

/** How {@link NearestNeighbors} searches. */
export type NeighborsMethod = 'auto' | 'js' | 'kdtree' | 'brute' | 'tfjs';

/** Options of {@link NearestNeighbors}. */
export interface NearestNeighborsOptions {
  /** Neighbours returned by `kneighbors` when it is not told otherwise (default 5, as scikit-learn). */
  nNeighbors?: number;
  /**
   * 'kdtree': exact search on the CPU through a k-d tree (bounding-box lower bounds), so that
   * distances that cannot matter are not computed; fast on data of low intrinsic dimension. Its
   * WebAssembly kernel bounds row and box distances in float32 SIMD (proven error bounds) and
   * computes exact double distances only for rows that may enter the k nearest.
   * 'brute': exact blocked brute force on the CPU (float32 SIMD products, candidates re-ranked exactly).
   * 'js': 'kdtree' when a probe of 32 query rows shows that the tree prunes (visits < 25 % of the
   * rows), else 'brute'.
   * 'tfjs': brute force by blocks of query rows through `tf.matMul` (runs on the GPU with
   * tfjs-node-gpu / webgl), candidates re-ranked with exact distances.
   * 'auto' (default): 'tfjs' when the active backend is a GPU or native one and the problem is
   * large, else 'js'. All paths break ties by the lowest index.
   */
  method?: NeighborsMethod;
  /** Query rows per block of the 'tfjs' path (default 1024): bounds memory to blockSize x n floats. */
  blockSize?: number;
  /** Rows per leaf of the k-d tree of the 'js' path (default 32). */
  leafSize?: number;
  /**
   * Threads of `kneighbors()` without a query (k-d tree or brute force) on 20,000 fitted rows or
   * more (the calling thread plus worker threads in Node; results identical to one thread): -1 or
   * undefined (default) = every available core, 1 = the calling thread only.
   */
  nJobs?: number;
}

/** Fitted rows below which self queries stay on the calling thread (a worker's start costs more). */
const PARALLEL_MIN_ROWS = 20_000;

/** The result of {@link NearestNeighbors.kneighbors}: row-major `rows x k` arrays. */
export interface KNeighborsResult {
  /** Euclidean distances, ascending within each row. */
  distances: Float64Array;
  /** Indices into the fitted rows; equal distances are ordered by lowest index. */
  indices: Int32Array;
  /** Number of query rows. */
  rows: number;
  /** Neighbours per row. */
  k: number;
}

const GPU_BACKENDS = new Set(['tensorflow', 'webgl', 'webgpu']);

/**
 * Exact k-nearest neighbours under the Euclidean distance (scikit-learn's `NearestNeighbors`
 * with `algorithm='brute'`). Ties are broken by the lowest index, so results are deterministic
 * (scikit-learn's order within ties is arbitrary). `kneighbors()` without a query returns, as
 * scikit-learn does, each fitted row's neighbours excluding that row itself (by index, so an exact
 * duplicate of a row is still its neighbour). No n x n matrix is ever held.
 */
export class NearestNeighbors {
  /** Name under which the class is registered for serialization. */
  static readonly className = 'NearestNeighbors';
  /** Neighbours returned by `kneighbors` by default (default 5). */
  readonly nNeighbors: number;
  /** Search method (default 'auto'); see {@link NearestNeighborsOptions.method}. */
  readonly method: NeighborsMethod;
  /** Query rows per block of the 'tfjs' path (default 1024). */
  readonly blockSize: number;
  /** Rows per leaf of the k-d tree (default 32). */
  readonly leafSize: number;
  /** Search threads: undefined or -1 (default) = every core, 1 = the calling thread only. */
  readonly nJobs: number | undefined;
  private data: DenseMatrix | null = null;
  private index: KdTree | null = null;
  private useTree = true;
  private probed = false;

  constructor(options: NearestNeighborsOptions = {}) {
    this.nNeighbors = options.nNeighbors ?? 5;
    checkK(this.nNeighbors, 'nNeighbors');
    this.method = options.method ?? 'auto';
    if (!['auto', 'js', 'kdtree', 'brute', 'tfjs'].includes(this.method)) throw new ValueError('method', "'auto', 'js', 'kdtree', 'brute' or 'tfjs'", this.method);
    this.blockSize = options.blockSize ?? 1024;
    checkK(this.blockSize, 'blockSize');
    this.leafSize = options.leafSize ?? 32;
    checkK(this.leafSize, 'leafSize');
    this.nJobs = options.nJobs;
    if (this.nJobs !== undefined && this.nJobs !== -1) checkK(this.nJobs, 'nJobs');
  }

  /** Stores (a float32 copy of) the rows to search. Returns this. */
  fit(X: MatrixLike): this {
    const m = toMatrix(X, 'X');
    this.data = m;
    this.index = null;
    this.probed = false;
    return this;
  }

  /** Number of fitted rows. */
  get nSamplesFit(): number {
    return this.data?.rows ?? 0;
  }

  /**
   * The `k` nearest fitted rows of every row of `X`; without `X`, of every fitted row, excluding
   * the row itself.
   */
  kneighbors(X?: MatrixLike, k: number = this.nNeighbors): KNeighborsResult {
    const data = this.data;
    if (data === null) throw new NotFittedError('NearestNeighbors', 'kneighbors');
    checkK(k, 'k');
    const self = X === undefined;
    const q = self ? data : toMatrix(X, 'X');
    if (q.cols !== data.cols) throw new ShapeError('X', `${data.cols} columns (as in fit)`, `${q.cols} columns`);
    const available = self ? data.rows - 1 : data.rows;
    if (k > available) {
      throw new ValueError('k', `at most ${available} (the number of fitted rows${self ? ' minus the row itself' : ''})`, k);
    }
    const method = this.method === 'auto' ? this.autoMethod(q.rows, data.rows) : this.method;
    if (method === 'tfjs') return kneighborsTfjs(data, q, k, self, this.blockSize);
    if (method === 'brute') return this.brute(data, q, k, self);
    if (method === 'kdtree') {
      this.index ??= new KdTree(data, this.leafSize);
      return this.index.search(q, k, self, this.selfThreads(data.rows));
    }
    this.index ??= new KdTree(data, this.leafSize);
    if (!this.probed) {
      // A k-d tree only pays when it prunes (low intrinsic dimension, as flows usually are); probe
      // it on a few rows and fall back to blocked brute force when it would visit most rows.
      const probeRows = Math.min(32, q.rows);
      const step = Math.max(1, Math.floor(q.rows / probeRows));
      const probe = new Float32Array(probeRows * q.cols);
      for (let i = 0; i < probeRows; i++) probe.set(q.data.subarray(i * step * q.cols, (i * step + 1) * q.cols), i * q.cols);
      // Probe rows may be fitted rows themselves (found at distance 0): ask for one more then.
      this.index.search({ data: probe, rows: probeRows, cols: q.cols }, Math.min(self ? k + 1 : k, data.rows), false);
      this.useTree = this.index.evaluated / probeRows < 0.25 * data.rows;
      this.probed = true;
    }
    return this.useTree ? this.index.search(q, k, self, this.selfThreads(data.rows)) : this.brute(data, q, k, self);
  }

  private brute(data: DenseMatrix, q: DenseMatrix, k: number, self: boolean): KNeighborsResult {
    if (!self) return bruteForce(data, q, k);
    const threads = this.selfThreads(data.rows);
    // The k-d tree's order (when the 'js' probe built one) makes the blocks compact: far blocks are skipped.
    return { ...selfNeighbors(data, k, threads, this.index?.order ?? null), rows: data.rows, k };
  }

  /** Threads of a self query over `rows` fitted rows. */
  private selfThreads(rows: number): number {
    return rows >= PARALLEL_MIN_ROWS ? resolveThreads(this.nJobs) : 1;
  }

  private autoMethod(queries: number, rows: number): 'js' | 'tfjs' {
    return GPU_BACKENDS.has(tf.getBackend()) && queries * rows >= 1 << 22 ? 'tfjs' : 'js';
  }
}

function checkK(k: number, name: string): void {
  if (!Number.isInteger(k) || k < 1) throw new ValueError(name, 'a positive integer', k);
}

function sqDist(a: Float32Array, ai: number, b: Float32Array, bi: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    const u = (a[ai + j] as number) - (b[bi + j] as number);
    const v = (a[ai + j + 1] as number) - (b[bi + j + 1] as number);
    s0 += u * u;
    s1 += v * v;
  }
  if (j < d) {
    const u = (a[ai + j] as number) - (b[bi + j] as number);
    s0 += u * u;
  }
  return s0 + s1;
}

/** A bounded list of the k best (squared distance, index) pairs, ordered by distance then index. */
class TopK {
  readonly d: Float64Array;
  readonly i: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.d = new Float64Array(k);
    this.i = new Int32Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  /** The current k-th squared distance (Infinity until k are held). */
  bound(): number {
    return this.size < this.k ? Infinity : (this.d[this.k - 1] as number);
  }
  push(dist: number, idx: number): void {
    const k = this.k;
    if (this.size === k) {
      const last = this.d[k - 1] as number;
      if (dist > last || (dist === last && idx > (this.i[k - 1] as number))) return;
    }
    let p = this.size < k ? this.size++ : k - 1;
    while (p > 0) {
      const dp = this.d[p - 1] as number;
      if (dp < dist || (dp === dist && (this.i[p - 1] as number) < idx)) break;
      this.d[p] = dp;
      this.i[p] = this.i[p - 1] as number;
      p--;
    }
    this.d[p] = dist;
    this.i[p] = idx;
  }
}

/** A buffer of `bytes`, shared between threads when the platform has SharedArrayBuffer. */
function sharedBuffer(bytes: number): ArrayBuffer {
  return (typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as ArrayBuffer;
}

/** Queries per chunk drawn from the shared counter by the k-d search threads. */
const KD_CHUNK = 128;

/**
 * A k-d tree over a row-ordered copy of the data: median splits on the widest dimension (among up
 * to 128 sampled rows of the node), leaves of `leafSize` rows, and a tight bounding box per node
 * (computed bottom-up). A query visits nodes nearest-box-first and skips a node whose box is
 * farther than the current k-th distance: exact, and far fewer distances than brute force on data
 * of low intrinsic dimension (network flows are). The tree lives in shared memory, so self
 * queries run on several threads ({@link kdSearchKernel}).
 */
class KdTree {
  /** Rows in tree order (leaf by leaf): a spatial order. */
  readonly order: Int32Array;
  /** The search kernel's memory image (shared): see {@link KdSearchTask.image}. */
  private readonly image: Uint8Array;
  private readonly offsets: KdOffsets;
  /** Floats per row and per box in the image (the columns padded to a multiple of 8). */
  private readonly dp: number;
  private readonly nNodes: number;

  constructor(m: DenseMatrix, leafSize: number) {
    const { rows: n, cols: d, data } = m;
    const order = new Int32Array(n);
    for (let r = 0; r < n; r++) order[r] = r;
    const cap = 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 2;
    const nodeStart = new Int32Array(cap);
    const nodeEnd = new Int32Array(cap);
    const nodeLeft = new Int32Array(cap).fill(-1);
    const nodeRight = new Int32Array(cap).fill(-1);
    const boxLo = new Float32Array(cap * d);
    const boxHi = new Float32Array(cap * d);
    let count = 1;
    nodeStart[0] = 0;
    nodeEnd[0] = n;
    const stack: number[] = [0];
    const keys = new Float64Array(n);
    const sample = new Int32Array(SPLIT_SAMPLE);
    while (stack.length > 0) {
      const node = stack.pop() as number;
      const start = nodeStart[node] as number;
      const end = nodeEnd[node] as number;
      const size = end - start;
      if (size <= leafSize) continue;
      // The split dimension: the widest spread among up to SPLIT_SAMPLE evenly spaced rows of the
      // node (all of them when the sample shows no spread: then the rows may all be equal).
      const lo = node * d;
      const sampled = Math.min(size, SPLIT_SAMPLE);
      for (let i = 0; i < sampled; i++) sample[i] = order[start + Math.floor((i * size) / sampled)] as number;
      boundingBox(data, d, sample, 0, sampled, boxLo, boxHi, lo);
      let dim = widest(boxLo, boxHi, lo, d);
      if (dim < 0 && size > sampled) {
        boundingBox(data, d, order, start, end, boxLo, boxHi, lo);
        dim = widest(boxLo, boxHi, lo, d);
      }
      if (dim < 0) continue; // all rows equal: a leaf
      const mid = (start + end) >> 1;
      for (let i = start; i < end; i++) keys[i] = data[(order[i] as number) * d + dim] as number;
      quickselect(keys, order, start, end - 1, mid);
      const l = count++;
      const r = count++;
      nodeStart[l] = start;
      nodeEnd[l] = mid;
      nodeStart[r] = mid;
      nodeEnd[r] = end;
      nodeLeft[node] = l;
      nodeRight[node] = r;
      stack.push(r, l);
    }
    // Tight boxes bottom-up (children are numbered after their parent): a leaf's from its rows, an
    // inner node's as the union of its children's.
    for (let node = count - 1; node >= 0; node--) {
      const l = nodeLeft[node] as number;
      const lo = node * d;
      if (l < 0) {
        boundingBox(data, d, order, nodeStart[node] as number, nodeEnd[node] as number, boxLo, boxHi, lo);
        continue;
      }
      const a = l * d;
      const b = (nodeRight[node] as number) * d;
      for (let f = 0; f < d; f++) {
        boxLo[lo + f] = Math.min(boxLo[a + f] as number, boxLo[b + f] as number);
        boxHi[lo + f] = Math.max(boxHi[a + f] as number, boxHi[b + f] as number);
      }
    }
    this.nNodes = count;
    this.order = order;
    // The image of the search kernel's memory: rows in tree order and boxes, `dp` floats apart
    // (columns padded with zeros to a multiple of 8), then the node arrays and the order.
    const dp = (d + 7) & ~7;
    this.dp = dp;
    const rowsBytes = 4 * n * dp;
    const boxBytes = 4 * count * dp;
    this.offsets = {
      rows: 0,
      boxLo: rowsBytes,
      boxHi: rowsBytes + boxBytes,
      nodeStart: rowsBytes + 2 * boxBytes,
      nodeEnd: rowsBytes + 2 * boxBytes + 4 * count,
      nodeLeft: rowsBytes + 2 * boxBytes + 8 * count,
      nodeRight: rowsBytes + 2 * boxBytes + 12 * count,
      order: rowsBytes + 2 * boxBytes + 16 * count,
    };
    this.image = new Uint8Array(sharedBuffer(this.offsets.order + 4 * n));
    const f32 = new Float32Array(this.image.buffer);
    const i32 = new Int32Array(this.image.buffer);
    for (let s = 0; s < n; s++) {
      const r = order[s] as number;
      f32.set(data.subarray(r * d, r * d + d), s * dp);
    }
    for (let node = 0; node < count; node++) {
      f32.set(boxLo.subarray(node * d, node * d + d), (this.offsets.boxLo >> 2) + node * dp);
      f32.set(boxHi.subarray(node * d, node * d + d), (this.offsets.boxHi >> 2) + node * dp);
    }
    i32.set(nodeStart.subarray(0, count), this.offsets.nodeStart >> 2);
    i32.set(nodeEnd.subarray(0, count), this.offsets.nodeEnd >> 2);
    i32.set(nodeLeft.subarray(0, count), this.offsets.nodeLeft >> 2);
    i32.set(nodeRight.subarray(0, count), this.offsets.nodeRight >> 2);
    i32.set(order, this.offsets.order >> 2);
  }

  /** Distances computed by the last `search` (to tell whether the tree prunes on this data). */
  evaluated = 0;

  /** The k nearest of every row of q (self: of every fitted row, itself excluded), on up to `threads` threads (self queries only). */
  search(q: DenseMatrix, k: number, self: boolean, threads = 1): KNeighborsResult {
    const parallel = self && threads > 1;
    const alloc = parallel ? sharedBuffer : (bytes: number) => new ArrayBuffer(bytes);
    const result = { outD: new Float64Array(0), outI: new Int32Array(0), evaluated: new Float64Array(0) };
    const make = (): KdSearchTask => {
      result.outD = new Float64Array(alloc(8 * q.rows * k));
      result.outI = new Int32Array(alloc(4 * q.rows * k));
      result.evaluated = new Float64Array(alloc(8 * Math.max(1, threads)));
      // Relative error of a float32 sum of dp/4 + 2 products per lane, summed over 4 lanes, and of
      // the double sum it is compared with: eps; subnormal results: tau.
      const eps = (this.dp / 4 + 6) * 2 ** -24 * 1.01 + 1e-12;
      return {
        wasm: kdtreeBytes(),
        image: this.image,
        offsets: this.offsets,
        dp: this.dp,
        nNodes: this.nNodes,
        q: q.data,
        cols: q.cols,
        queries: q.rows,
        k,
        self,
        inv: 1 / (1 + eps),
        tau: 3 * this.dp * 2 ** -149,
        outD: result.outD,
        outI: result.outI,
        counter: new Int32Array(alloc(8)),
        evaluated: result.evaluated,
        chunk: KD_CHUNK,
      };
    };
    if (parallel) runParallelOrSerial(kdSearchKernel, make, threads);
    else kdSearchKernel(make());
    this.evaluated = result.evaluated.reduce((a, b) => a + b, 0);
    return { distances: result.outD, indices: result.outI, rows: q.rows, k };
  }
}

/** Byte offsets of the parts of a k-d tree's memory image. */
interface KdOffsets {
  rows: number;
  boxLo: number;
  boxHi: number;
  nodeStart: number;
  nodeEnd: number;
  nodeLeft: number;
  nodeRight: number;
  order: number;
}

let kdBytes: Uint8Array | null = null;
function kdtreeBytes(): Uint8Array {
  kdBytes ??= decodeBase64(KDTREE_WASM_BASE64);
  return kdBytes;
}

/** The work of {@link kdSearchKernel}: the tree's memory image, the queries and the outputs. */
interface KdSearchTask {
  /** The compiled search module (./wasm/kdtree.asm.ts: `search` and `memory`). */
  wasm: Uint8Array;
  /**
   * The start of the module's memory: the rows in tree order and the node boxes (float32, `dp`
   * apart), node start/end/left/right (int32, left -1 for a leaf) and the order (slot -> row).
   */
  image: Uint8Array;
  offsets: KdOffsets;
  dp: number;
  nNodes: number;
  /** Query rows, `cols` apart (self: unused, the queries are the tree's rows). */
  q: Float32Array;
  cols: number;
  queries: number;
  k: number;
  self: boolean;
  /** 1 / (1 + the relative error bound of the float32 distances). */
  inv: number;
  /** Absolute error bound of the float32 distances (subnormals). */
  tau: number;
  /** Row-major queries x k: distances and indices (self: row order[s] for query s). */
  outD: Float64Array;
  outI: Int32Array;
  /** [next query, threads started]. */
  counter: Int32Array;
  /** Rows whose distance was bounded, per thread. */
  evaluated: Float64Array;
  chunk: number;
}

/**
 * Exact k-d tree search (./wasm/kdtree.asm.ts) of chunks of queries drawn from `counter`, in this
 * thread's WebAssembly memory (the tree's image copied in once). Self-contained: it runs in worker
 * threads from its source.
 */
function kdSearchKernel(task: KdSearchTask): void {
  const { image, offsets: o, dp, nNodes, q, cols, queries, k, self, outD, outI, counter, chunk } = task;
  const tid = Atomics.add(counter, 1, 1);
  const g = globalThis as unknown as {
    WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: unknown } };
  };
  const wasm = new g.WebAssembly.Instance(new g.WebAssembly.Module(task.wasm), {}).exports as {
    memory: { buffer: ArrayBuffer; grow(pages: number): number };
    search(
      rows: number, boxLo: number, boxHi: number, nodeStart: number, nodeEnd: number, nodeLeft: number, nodeRight: number, order: number,
      dp: number, q: number, first: number, last: number, k: number, self: number,
      outD: number, outI: number, topD: number, topI: number, stackNode: number, stackDist: number, inv: number, tau: number,
    ): number;
  };
  const align = (v: number) => (v + 15) & ~15;
  const stackNode = align(image.length);
  const stackDist = align(stackNode + 4 * (2 * nNodes + 2));
  const topD = align(stackDist + 8 * (2 * nNodes + 2));
  const topI = align(topD + 8 * k);
  const qBuf = align(topI + 4 * k);
  const outDOff = align(qBuf + (self ? 0 : 4 * chunk * dp));
  const outIOff = align(outDOff + 8 * chunk * k);
  const bytes = outIOff + 4 * chunk * k;
  const have = wasm.memory.buffer.byteLength;
  if (bytes > have) wasm.memory.grow(Math.ceil((bytes - have) / 65536));
  new Uint8Array(wasm.memory.buffer).set(image, 0);
  const f32 = new Float32Array(wasm.memory.buffer);
  const f64 = new Float64Array(wasm.memory.buffer);
  const i32 = new Int32Array(wasm.memory.buffer);
  const order = i32.subarray(o.order >> 2, (o.order >> 2) + (self ? queries : 0));
  let evaluated = 0;
  for (;;) {
    const first = Atomics.add(counter, 0, chunk);
    if (first >= queries) break;
    const last = Math.min(queries, first + chunk);
    if (!self) {
      f32.fill(0, qBuf >> 2, (qBuf >> 2) + (last - first) * dp);
      for (let s = first; s < last; s++) f32.set(q.subarray(s * cols, s * cols + cols), (qBuf >> 2) + (s - first) * dp);
    }
    evaluated += wasm.search(
      o.rows, o.boxLo, o.boxHi, o.nodeStart, o.nodeEnd, o.nodeLeft, o.nodeRight, o.order,
      dp, self ? o.rows : qBuf, first, last, k, self ? 1 : 0,
      outDOff, outIOff, topD, topI, stackNode, stackDist, task.inv, task.tau,
    );
    for (let s = first; s < last; s++) {
      const r = self ? (order[s] as number) : s;
      const from = (s - first) * k;
      for (let c = 0; c < k; c++) {
        outD[r * k + c] = f64[(outDOff >> 3) + from + c] as number;
        outI[r * k + c] = i32[(outIOff >> 2) + from + c] as number;
      }
    }
  }
  task.evaluated[tid] = evaluated;
}

/** Rows sampled per node to choose the k-d tree's split dimension. */
const SPLIT_SAMPLE = 128;

/** The column of the widest positive extent of the box at `at`, or -1 when it is a point. */
function widest(lo: Float32Array, hi: Float32Array, at: number, d: number): number {
  let dim = -1;
  let spread = 0;
  for (let f = 0; f < d; f++) {
    const w = (hi[at + f] as number) - (lo[at + f] as number);
    if (w > spread) {
      spread = w;
      dim = f;
    }
  }
  return dim;
}

/** The per-column minimum and maximum of rows order[start..end) of `data`, written at `at` of lo and hi. */
function boundingBox(data: Float32Array, d: number, order: Int32Array, start: number, end: number, lo: Float32Array, hi: Float32Array, at: number): void {
  for (let f = 0; f < d; f++) {
    lo[at + f] = Infinity;
    hi[at + f] = -Infinity;
  }
  for (let i = start; i < end; i++) {
    const o = (order[i] as number) * d;
    for (let f = 0; f < d; f++) {
      const v = data[o + f] as number;
      if (v < (lo[at + f] as number)) lo[at + f] = v;
      if (v > (hi[at + f] as number)) hi[at + f] = v;
    }
  }
}

/** Partially sorts keys[lo..hi] (and `order` alongside) so that position `nth` holds its order statistic. */
function quickselect(keys: Float64Array, order: Int32Array, lo: number, hi: number, nth: number): void {
  while (hi > lo) {
    const pivot = keys[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((keys[i] as number) < pivot) i++;
      while ((keys[j] as number) > pivot) j--;
      if (i <= j) {
        const tk = keys[i] as number;
        keys[i] = keys[j] as number;
        keys[j] = tk;
        const to = order[i] as number;
        order[i] = order[j] as number;
        order[j] = to;
        i++;
        j--;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}

function rowNorms(m: DenseMatrix): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let f = 0, o = r * cols; f < cols; f++) {
      const v = data[o + f] as number;
      s += v * v;
    }
    out[r] = s;
  }
  return out;
}

/**
 * Blocked brute force of query rows on the CPU through the float32 SIMD matrix product
 * ({@link gemm}): ||q||^2 + ||x||^2 - 2 q.x over blocks of rows, on data centred on the fitted rows'
 * mean (float32 rounding grows with the norms). Every query keeps the candidates whose approximate
 * distance lies within a proven float32 error window of its running k-th best; the candidates are
 * then re-ranked with exact distances (doubles), so results and ties (lowest index) are those of
 * the exact search. (Self queries: {@link selfNeighbors}.)
 */
function bruteForce(data: DenseMatrix, q: DenseMatrix, k: number): KNeighborsResult {
  const { rows: n, cols: d } = data;
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let f = 0, o = r * d; f < d; f++) mean[f] = (mean[f] as number) + (data.data[o + f] as number);
  for (let f = 0; f < d; f++) mean[f] = (mean[f] as number) / n;
  const xc = centre(data, mean);
  const xn = rowNorms(xc);
  const qc = centre(q, mean);
  const qn = rowNorms(qc);
  let maxNorm = 0;
  for (let r = 0; r < n; r++) maxNorm = Math.max(maxNorm, xn[r] as number);
  maxNorm = Math.sqrt(maxNorm);
  // |approx - exact| <= (d/2 + 2) u (|q| + |x|)^2 (u = 2^-24): 2 gamma_d |q||x| for the float32 dot
  // product, 2u(|q| + |x|)^2 for the rounding of the centred inputs; padded to (d/2 + 3) u x 1.01.
  // The window is twice the bound.
  const c = (d / 2 + 3) * 2 ** -24 * 1.01;
  const B = 512;
  const g = new Float32Array(B * B);
  const distances = new Float64Array(q.rows * k);
  const indices = new Int32Array(q.rows * k);
  const exact = new TopK(k);
  for (let i0 = 0; i0 < q.rows; i0 += B) {
    const i1 = Math.min(q.rows, i0 + B);
    const cands: Candidates[] = [];
    for (let r = i0; r < i1; r++) cands.push(new Candidates(k, 2 * c * (Math.sqrt(qn[r] as number) + maxNorm) ** 2));
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      const w = j1 - j0;
      gemm({ m: i1 - i0, n: w, k: d, a: qc.data.subarray(i0 * d, i1 * d), b: xc.data.subarray(j0 * d, j1 * d), transB: true, c: g });
      for (let i = i0; i < i1; i++) scan(cands[i - i0] as Candidates, g, (i - i0) * w, w, qn[i] as number, xn, j0);
    }
    for (let r = i0; r < i1; r++) {
      const cand = cands[r - i0] as Candidates;
      const thr = cand.threshold;
      exact.reset();
      for (let t = 0; t < cand.size; t++) {
        if ((cand.approx[t] as number) > thr) continue;
        const idx = cand.index[t] as number;
        exact.push(sqDist(q.data, r * d, data.data, idx * d, d), idx);
      }
      for (let e = 0; e < k; e++) {
        distances[r * k + e] = Math.sqrt(exact.d[e] as number);
        indices[r * k + e] = exact.i[e] as number;
      }
    }
  }
  return { distances, indices, rows: q.rows, k };
}

/** Offers `len` approximate distances (g[go + t], to rows first + t) to a query's candidates. */
function scan(cand: Candidates, g: Float32Array, go: number, len: number, norm: number, xn: Float64Array, first: number): void {
  let thr = cand.threshold;
  for (let t = 0; t < len; t++) {
    const a = norm + (xn[first + t] as number) - 2 * (g[go + t] as number);
    if (a <= thr) {
      cand.add(a, first + t);
      thr = cand.threshold;
    }
  }
}

/**
 * One query row's candidates: every fitted row whose approximate squared distance is within
 * `window` of the k-th smallest approximate distance seen so far (a superset of the exact k nearest
 * when `window` is twice the error bound).
 */
class Candidates {
  index = new Int32Array(8);
  approx = new Float64Array(8);
  size = 0;
  threshold = Infinity;
  private readonly top: TopK;
  constructor(k: number, private readonly window: number) {
    this.top = new TopK(k);
  }
  add(a: number, idx: number): void {
    this.top.push(a, idx);
    this.threshold = this.top.bound() + this.window;
    if (this.size === this.index.length) this.compact();
    this.index[this.size] = idx;
    this.approx[this.size++] = a;
  }
  /** Drops candidates above the current threshold; grows when at least half remain. */
  private compact(): void {
    const thr = this.threshold;
    let s = 0;
    for (let t = 0; t < this.size; t++) {
      const a = this.approx[t] as number;
      if (a <= thr) {
        this.index[s] = this.index[t] as number;
        this.approx[s++] = a;
      }
    }
    this.size = s;
    if (s * 2 >= this.index.length) {
      const index = new Int32Array(this.index.length * 2);
      index.set(this.index);
      const approx = new Float64Array(this.approx.length * 2);
      approx.set(this.approx);
      this.index = index;
      this.approx = approx;
    }
  }
}

/** `m - mean` per row, rounded to float32. */
function centre(m: DenseMatrix, mean: Float64Array): DenseMatrix {
  const { rows, cols, data } = m;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let f = 0, o = r * cols; f < cols; f++) out[o + f] = (data[o + f] as number) - (mean[f] as number);
  return { data: out, rows, cols };
}

/** Brute force by blocks of query rows: ||q||^2 - 2 q.x + ||x||^2 through tf.matMul, exact re-ranking in JS. */
function kneighborsTfjs(data: DenseMatrix, q: DenseMatrix, k: number, self: boolean, blockSize: number): KNeighborsResult {
  const { rows: n, cols: d } = data;
  // Extra candidates absorb float32 rounding in the matMul form before the exact re-ranking.
  const want = Math.min(n, k + (self ? 1 : 0) + 4);
  const distances = new Float64Array(q.rows * k);
  const indices = new Int32Array(q.rows * k);
  const top = new TopK(k);
  const xT = tf.tidy(() => tf.transpose(tf.tensor2d(data.data, [n, d])));
  const xNorm = tf.tidy(() => tf.sum(tf.square(xT), 0, true));
  try {
    for (let start = 0; start < q.rows; start += blockSize) {
      const end = Math.min(q.rows, start + blockSize);
      const candidates = tf.tidy(() => {
        const qb = tf.tensor2d(q.data.subarray(start * d, end * d), [end - start, d]);
        const qNorm = tf.sum(tf.square(qb), 1, true);
        const dist = tf.add(tf.sub(qNorm, tf.mul(2, tf.matMul(qb, xT))), xNorm);
        return tf.topk(tf.neg(dist), want).indices;
      });
      const cand = candidates.dataSync() as Int32Array;
      candidates.dispose();
      for (let r = start; r < end; r++) {
        top.reset();
        for (let c = 0; c < want; c++) {
          const idx = cand[(r - start) * want + c] as number;
          if (self && idx === r) continue;
          top.push(sqDist(q.data, r * d, data.data, idx * d, d), idx);
        }
        for (let c = 0; c < k; c++) {
          distances[r * k + c] = Math.sqrt(top.d[c] as number);
          indices[r * k + c] = top.i[c] as number;
        }
      }
    }
  } finally {
    xT.dispose();
    xNorm.dispose();
  }
  return { distances, indices, rows: q.rows, k };
}
