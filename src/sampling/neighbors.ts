import * as tf from '@tensorflow/tfjs-core';
import { NotFittedError, ShapeError, ValueError } from '../errors.js';
import { toMatrix, type DenseMatrix, type MatrixLike } from '../util/matrix.js';

/** How {@link NearestNeighbors} searches. */
export type NeighborsMethod = 'auto' | 'js' | 'tfjs';

/** Options of {@link NearestNeighbors}. */
export interface NearestNeighborsOptions {
  /** Neighbours returned by `kneighbors` when it is not told otherwise (default 5, as scikit-learn). */
  nNeighbors?: number;
  /**
   * 'js': exact search on the CPU in plain typed-array code, pruned with pivot (triangle
   * inequality) bounds, so that no distance that cannot matter is computed.
   * 'tfjs': brute force by blocks of query rows through `tf.matMul` (runs on the GPU with
   * tfjs-node-gpu / webgl), candidates re-ranked with exact distances.
   * 'auto' (default): 'tfjs' when the active backend is a GPU or native one and the problem is
   * large, else 'js'.
   */
  method?: NeighborsMethod;
  /** Query rows per block of the 'tfjs' path (default 1024): bounds memory to blockSize x n floats. */
  blockSize?: number;
  /** Number of pivots of the 'js' path (default 8). */
  pivots?: number;
}

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
  static readonly className = 'NearestNeighbors';
  readonly nNeighbors: number;
  readonly method: NeighborsMethod;
  readonly blockSize: number;
  readonly pivots: number;
  private data: DenseMatrix | null = null;
  private index: PivotIndex | null = null;

  constructor(options: NearestNeighborsOptions = {}) {
    this.nNeighbors = options.nNeighbors ?? 5;
    checkK(this.nNeighbors, 'nNeighbors');
    this.method = options.method ?? 'auto';
    if (!['auto', 'js', 'tfjs'].includes(this.method)) throw new ValueError('method', "'auto', 'js' or 'tfjs'", this.method);
    this.blockSize = options.blockSize ?? 1024;
    checkK(this.blockSize, 'blockSize');
    this.pivots = options.pivots ?? 8;
    checkK(this.pivots, 'pivots');
  }

  /** Stores (a float32 copy of) the rows to search. Returns this. */
  fit(X: MatrixLike): this {
    const m = toMatrix(X, 'X');
    this.data = m;
    this.index = null;
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
    if (this.index === null) this.index = new PivotIndex(data, Math.min(this.pivots, data.rows));
    return this.index.search(q, k, self);
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

/**
 * Rows sorted by their distance to a first pivot, with their distances to every pivot: a query
 * scans outward from its own position and stops when the first pivot's bound exceeds the k-th
 * distance found; other candidates are skipped when any pivot's bound |d(q,p) - d(x,p)| does.
 * Exact by the triangle inequality.
 */
class PivotIndex {
  private readonly order: Int32Array;
  private readonly sorted: Float32Array;
  /** Distance of each sorted row to each pivot, row-major rows x P. */
  private readonly pd: Float64Array;
  private readonly pivotRows: Float32Array;
  private readonly nPivots: number;

  constructor(private readonly m: DenseMatrix, nPivots: number) {
    const { rows: n, cols: d, data } = m;
    this.nPivots = nPivots;
    // Farthest-first pivots: start from the row farthest from row 0, then the row farthest from all chosen.
    const pivots: number[] = [];
    const minDist = new Float64Array(n).fill(Infinity);
    let far = 0;
    let best = -1;
    for (let r = 0; r < n; r++) {
      const s = sqDist(data, r * d, data, 0, d);
      if (s > best) {
        best = s;
        far = r;
      }
    }
    const rawPd = new Float64Array(n * nPivots);
    for (let p = 0; p < nPivots; p++) {
      pivots.push(far);
      let nextFar = 0;
      let nextBest = -1;
      for (let r = 0; r < n; r++) {
        const s = Math.sqrt(sqDist(data, r * d, data, far * d, d));
        rawPd[r * nPivots + p] = s;
        if (s < (minDist[r] as number)) minDist[r] = s;
        if ((minDist[r] as number) > nextBest) {
          nextBest = minDist[r] as number;
          nextFar = r;
        }
      }
      far = nextFar;
    }
    this.pivotRows = new Float32Array(nPivots * d);
    pivots.forEach((r, p) => this.pivotRows.set(data.subarray(r * d, r * d + d), p * d));
    const order = new Int32Array(n);
    for (let r = 0; r < n; r++) order[r] = r;
    order.sort((a, b) => (rawPd[a * nPivots] as number) - (rawPd[b * nPivots] as number) || a - b);
    this.order = order;
    this.sorted = new Float32Array(n * d);
    this.pd = new Float64Array(n * nPivots);
    for (let s = 0; s < n; s++) {
      const r = order[s] as number;
      this.sorted.set(data.subarray(r * d, r * d + d), s * d);
      this.pd.set(rawPd.subarray(r * nPivots, r * nPivots + nPivots), s * nPivots);
    }
  }

  search(q: DenseMatrix, k: number, self: boolean): KNeighborsResult {
    const { rows: n, cols: d } = this.m;
    const P = this.nPivots;
    const { sorted, pd, order, pivotRows } = this;
    const qd = q.data;
    const distances = new Float64Array(q.rows * k);
    const indices = new Int32Array(q.rows * k);
    const top = new TopK(self ? k + 1 : k);
    const qp = new Float64Array(P);
    // Inverse permutation, to start a self query at its own position.
    let position: Int32Array | null = null;
    if (self) {
      position = new Int32Array(n);
      for (let s = 0; s < n; s++) position[order[s] as number] = s;
    }
    const slack = 1 + 1e-9;
    for (let r = 0; r < q.rows; r++) {
      const qo = r * d;
      for (let p = 0; p < P; p++) qp[p] = Math.sqrt(sqDist(qd, qo, pivotRows, p * d, d));
      const q0 = qp[0] as number;
      let start: number;
      if (position !== null) start = position[r] as number;
      else {
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((pd[mid * P] as number) < q0) lo = mid + 1;
          else hi = mid;
        }
        start = Math.min(lo, n - 1);
      }
      top.reset();
      let left = start - 1;
      let right = start;
      let bound = Infinity; // k-th distance (not squared), with slack
      while (left >= 0 || right < n) {
        // Take the side whose first-pivot gap is smaller.
        const gl = left >= 0 ? q0 - (pd[left * P] as number) : Infinity;
        const gr = right < n ? (pd[right * P] as number) - q0 : Infinity;
        let s: number;
        let gap: number;
        if (gl <= gr) {
          s = left--;
          gap = gl;
        } else {
          s = right++;
          gap = gr;
        }
        if (gap > bound) break; // both sides are now beyond the bound (the other gap is larger)
        const base = s * P;
        let skip = false;
        for (let p = 1; p < P; p++) {
          if (Math.abs((qp[p] as number) - (pd[base + p] as number)) > bound) {
            skip = true;
            break;
          }
        }
        if (skip) continue;
        top.push(sqDist(qd, qo, sorted, s * d, d), order[s] as number);
        const b = top.bound();
        if (b !== Infinity) bound = Math.sqrt(b) * slack + 1e-300;
      }
      let c = 0;
      for (let t = 0; t < top.size && c < k; t++) {
        const idx = top.i[t] as number;
        if (self && idx === r) continue;
        distances[r * k + c] = Math.sqrt(top.d[t] as number);
        indices[r * k + c] = idx;
        c++;
      }
    }
    return { distances, indices, rows: q.rows, k };
  }
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
