import { NotFittedError, ShapeError, ValueError } from '../errors.js';
import { Rng, type Seed } from '../util/rng.js';
import { toMatrix, type DenseMatrix, type MatrixLike } from '../util/matrix.js';
import { resolveThreads, runParallelOrSerial } from './workers/pool.js';
import { decodeBase64 } from '../util/base64.js';
import { IFOREST_WASM_BASE64 } from './wasm/iforest.js';

const EULER_GAMMA = 0.5772156649015329;
/** scikit-learn's FEATURE_THRESHOLD: a feature whose max <= min + 1e-7 in a node is constant there. */
const FEATURE_THRESHOLD = 1e-7;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points
 * (Liu et al. 2008, section 2), as scikit-learn computes it: 0 for n <= 1, 1 for n = 2,
 * else 2(ln(n - 1) + gamma) - 2(n - 1)/n.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** The depth limit of an isolation tree grown on `maxSamples` rows: ceil(log2(max(maxSamples, 2))). */
export function isolationTreeDepthLimit(maxSamples: number): number {
  return Math.ceil(Math.log2(Math.max(maxSamples, 2)));
}

/** A fraction of the rows (or columns), as scikit-learn's float form of the option. */
export interface Fraction {
  /** In (0, 1]. */
  fraction: number;
}

/** Options of {@link IsolationForest} (scikit-learn 1.2 names and defaults). */
export interface IsolationForestOptions {
  /** Number of trees (default 100). */
  nEstimators?: number;
  /**
   * Rows drawn for each tree: 'auto' (default) = min(256, n); an integer count (a count above n
   * warns and uses n, as scikit-learn does); a non-integer in (0, 1) or `{ fraction }` = that
   * fraction of n (floored).
   */
  maxSamples?: 'auto' | number | Fraction;
  /**
   * 'auto' (default): the offset is -0.5 (the paper's threshold 0.5 on the score); a number in
   * (0, 0.5]: the expected proportion of outliers, and the offset is that percentile of the
   * training scores.
   */
  contamination?: 'auto' | number;
  /**
   * Features drawn (without replacement) for each tree: an integer count, a non-integer in (0, 1)
   * or `{ fraction }` (floored). Default: all features.
   */
  maxFeatures?: number | Fraction;
  /** Draw each tree's rows with replacement (default false: without replacement). */
  bootstrap?: boolean;
  /** Seed of the generator that draws subsamples, features and split points (default 0). */
  seed?: Seed;
  /**
   * Threads that score rows (`scoreSamples`, `decisionFunction`, `predict`) on large inputs: the
   * calling thread plus worker threads (Node), results identical to one thread. -1 or undefined
   * (default): every available core; 1: the calling thread only. Not saved by `toJSON`.
   */
  nJobs?: number;
}

/** The serialized form of a fitted {@link IsolationForest} (plain JSON). */
export interface IsolationForestJSON {
  /** Format tag, always `'flowsentry.IsolationForest'`; `fromJSON` rejects anything else. */
  format: 'flowsentry.IsolationForest';
  /** Version of this serialized form (1). */
  version: 1;
  /** The constructor options the forest was built with (`nJobs` is not saved). */
  options: {
    /** Number of trees, as {@link IsolationForestOptions.nEstimators}. */
    nEstimators: number;
    /** Rows per tree as given, as {@link IsolationForestOptions.maxSamples}. */
    maxSamples: 'auto' | number | Fraction;
    /** As {@link IsolationForestOptions.contamination}. */
    contamination: 'auto' | number;
    /** As {@link IsolationForestOptions.maxFeatures}; null = all features. */
    maxFeatures: number | Fraction | null;
    /** As {@link IsolationForestOptions.bootstrap}. */
    bootstrap: boolean;
    /** The numeric seed the forest was grown with. */
    seed: number;
  };
  /** Number of columns of the training matrix (scikit-learn's `n_features_in_`). */
  nFeatures: number;
  /** Rows each tree was grown on (scikit-learn's `max_samples_`). */
  maxSamplesUsed: number;
  /** Subtracted from `scoreSamples` in `decisionFunction` (scikit-learn's `offset_`). */
  offset: number;
  /** Index of each tree's root node in the flat node arrays below (one entry per tree). */
  roots: number[];
  /** Split feature (a column of X) of each node; -1 for a leaf. */
  feature: number[];
  /** Split value of each node: x[feature] <= threshold goes left. */
  threshold: number[];
  /** Index of each node's left child; -1 for a leaf. */
  left: number[];
  /** Index of each node's right child; -1 for a leaf. */
  right: number[];
  /** Path length credited at each leaf: its depth + c(rows in the leaf). */
  leafValue: number[];
}

/** The fitted forest: every tree's nodes in shared flat typed arrays (no per-node objects). */
interface Forest {
  roots: Int32Array;
  /** Split feature (a column of X) of an internal node; -1 for a leaf. */
  feature: Int32Array;
  /** Split value: x[feature] <= threshold goes left. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  leafValue: Float64Array;
}

function resolveCount(value: number | Fraction, total: number, name: string): number {
  if (typeof value === 'object' && value !== null) {
    const f = value.fraction;
    if (!(typeof f === 'number' && f > 0 && f <= 1)) throw new ValueError(`${name}.fraction`, 'a number in (0, 1]', f);
    return Math.max(1, Math.floor(f * total));
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ValueError(name, "a positive integer, a fraction in (0, 1) or { fraction }", value);
  }
  if (Number.isInteger(value)) return value;
  if (value < 1) return Math.max(1, Math.floor(value * total));
  throw new ValueError(name, 'an integer count or a fraction in (0, 1)', value);
}

/** Percentile with linear interpolation (numpy's default). */
function percentile(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return (s[lo] as number) + (pos - lo) * ((s[hi] as number) - (s[lo] as number));
}

/**
 * Isolation Forest (Liu, Ting and Zhou 2008) with scikit-learn 1.2 semantics: each tree is grown
 * on its own subsample drawn without replacement, split features are drawn among the non-constant
 * ones, split values uniformly in [min, max), to depth ceil(log2(maxSamples)). Inputs are compared
 * in float32 as scikit-learn does. `scoreSamples` is the negated paper score (lower = more
 * abnormal); `decisionFunction` = scoreSamples - offset; `predict` gives +1 (inlier) / -1.
 *
 * @example
 * ```ts
 * const X = [[0, 0], [0.1, 0], [0, 0.1], [0.1, 0.1], [0.05, 0.05], [5, 5]];
 * const iso = new IsolationForest({ nEstimators: 50, contamination: 1 / 6, seed: 0 }).fit(X);
 * iso.predict(X); // Int32Array [1, 1, 1, 1, 1, -1]
 * ```
 */
export class IsolationForest {
  /** Name under which the class is registered for serialization. */
  static readonly className = 'IsolationForest';
  /** Number of trees (default 100). */
  readonly nEstimators: number;
  /** Rows drawn for each tree, as given (default 'auto' = min(256, n)). */
  readonly maxSamples: 'auto' | number | Fraction;
  /** 'auto' (default, offset -0.5) or the expected proportion of outliers in (0, 0.5]. */
  readonly contamination: 'auto' | number;
  /** Features drawn for each tree; undefined (default) = all features. */
  readonly maxFeatures: number | Fraction | undefined;
  /** Whether each tree's rows are drawn with replacement (default false). */
  readonly bootstrap: boolean;
  /** Seed of the generator that draws subsamples, features and split points (default 0). */
  readonly seed: number;
  /** Scoring threads: undefined or -1 (default) = every core, 1 = the calling thread only. */
  readonly nJobs: number | undefined;

  private forest: Forest | null = null;
  private compiled: CompiledForest | null = null;
  private nFeatures = 0;
  private maxSamplesUsed = 0;
  /** Subtracted from scoreSamples in decisionFunction. */
  offset = 0;

  constructor(options: IsolationForestOptions = {}) {
    this.nEstimators = options.nEstimators ?? 100;
    if (!Number.isInteger(this.nEstimators) || this.nEstimators < 1) {
      throw new ValueError('nEstimators', 'a positive integer', options.nEstimators);
    }
    this.maxSamples = options.maxSamples ?? 'auto';
    if (this.maxSamples !== 'auto') resolveCount(this.maxSamples, 1, 'maxSamples');
    this.contamination = options.contamination ?? 'auto';
    if (this.contamination !== 'auto' && !(typeof this.contamination === 'number' && this.contamination > 0 && this.contamination <= 0.5)) {
      throw new ValueError('contamination', "'auto' or a number in (0, 0.5]", this.contamination);
    }
    this.maxFeatures = options.maxFeatures;
    if (this.maxFeatures !== undefined) resolveCount(this.maxFeatures, 1, 'maxFeatures');
    this.bootstrap = options.bootstrap ?? false;
    this.seed = options.seed ?? 0;
    new Rng(this.seed); // validates the seed early
    this.nJobs = options.nJobs;
    if (this.nJobs !== undefined && this.nJobs !== -1 && !(Number.isInteger(this.nJobs) && this.nJobs >= 1)) {
      throw new ValueError('nJobs', 'a positive integer or -1 (every core)', this.nJobs);
    }
  }

  /** True once `fit` (or `fromJSON`) has run. */
  get fitted(): boolean {
    return this.forest !== null;
  }

  /** The number of rows each tree was grown on (scikit-learn's `max_samples_`). */
  get maxSamplesUsedPerTree(): number {
    return this.maxSamplesUsed;
  }

  /** Grows the forest on `X` (rows = samples). Returns this. */
  fit(X: MatrixLike): this {
    const m = toMatrix(X, 'X');
    const n = m.rows;
    let maxSamples: number;
    if (this.maxSamples === 'auto') maxSamples = Math.min(256, n);
    else {
      maxSamples = resolveCount(this.maxSamples, n, 'maxSamples');
      if (maxSamples > n) {
        console.warn(`IsolationForest: maxSamples (${maxSamples}) is greater than the number of rows (${n}); using ${n}`);
        maxSamples = n;
      }
    }
    const nFeaturesTree = this.maxFeatures === undefined ? m.cols : resolveCount(this.maxFeatures, m.cols, 'maxFeatures');
    if (nFeaturesTree > m.cols) throw new ValueError('maxFeatures', `at most the number of columns (${m.cols})`, nFeaturesTree);
    const rng = new Rng(this.seed);
    const depthLimit = isolationTreeDepthLimit(maxSamples);
    const maxNodes = 2 * maxSamples - 1;
    const total = this.nEstimators * maxNodes;
    const feature = new Int32Array(total);
    const threshold = new Float64Array(total);
    const left = new Int32Array(total);
    const right = new Int32Array(total);
    const leafValue = new Float64Array(total);
    const roots = new Int32Array(this.nEstimators);
    const builder = new TreeBuilder(m, maxSamples, depthLimit);
    let next = 0;
    for (let t = 0; t < this.nEstimators; t++) {
      const rows = this.bootstrap ? drawWithReplacement(rng, n, maxSamples) : rng.sampleWithoutReplacement(n, maxSamples);
      const features = nFeaturesTree === m.cols ? identity(m.cols) : rng.sampleWithoutReplacement(m.cols, nFeaturesTree);
      roots[t] = next;
      next = builder.grow(rows, features, rng, { feature, threshold, left, right, leafValue }, next);
    }
    this.compiled = null;
    this.forest = {
      roots,
      feature: feature.slice(0, next),
      threshold: threshold.slice(0, next),
      left: left.slice(0, next),
      right: right.slice(0, next),
      leafValue: leafValue.slice(0, next),
    };
    this.nFeatures = m.cols;
    this.maxSamplesUsed = maxSamples;
    this.offset = this.contamination === 'auto' ? -0.5 : percentile(this.scoreMatrix(m) as Float64Array, 100 * this.contamination);
    return this;
  }

  /** Fits on `X` and returns `predict(X)`. */
  fitPredict(X: MatrixLike): Int32Array {
    return this.fit(X).predict(X);
  }

  /**
   * The opposite of the anomaly score of the paper, -2^(-E[h(x)] / c(maxSamples)): in [-1, 0],
   * lower = more abnormal.
   */
  scoreSamples(X: MatrixLike): Float64Array {
    this.checkFitted('scoreSamples');
    const m = toMatrix(X, 'X', { finite: false });
    if (m.cols !== this.nFeatures) throw new ShapeError('X', `${this.nFeatures} columns (as in fit)`, `${m.cols} columns`);
    const scores = this.scoreMatrix(m);
    if (scores === null) {
      toMatrix(m, 'X'); // throws the ValueError naming the first non-finite value's row and column
      throw new ValueError('X', 'finite values', 'a NaN or an infinity');
    }
    return scores;
  }

  /** scoreSamples(X) - offset: negative for outliers, non-negative for inliers. */
  decisionFunction(X: MatrixLike): Float64Array {
    const s = this.scoreSamples(X);
    for (let i = 0; i < s.length; i++) s[i] = (s[i] as number) - this.offset;
    return s;
  }

  /** +1 for inliers, -1 for outliers (decisionFunction < 0). */
  predict(X: MatrixLike): Int32Array {
    const d = this.decisionFunction(X);
    const out = new Int32Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = (d[i] as number) < 0 ? -1 : 1;
    return out;
  }

  /** Plain-JSON form of the fitted forest (thresholds keep their full double precision). */
  toJSON(): IsolationForestJSON {
    const f = this.checkFitted('toJSON');
    return {
      format: 'flowsentry.IsolationForest',
      version: 1,
      options: {
        nEstimators: this.nEstimators,
        maxSamples: this.maxSamples,
        contamination: this.contamination,
        maxFeatures: this.maxFeatures ?? null,
        bootstrap: this.bootstrap,
        seed: this.seed,
      },
      nFeatures: this.nFeatures,
      maxSamplesUsed: this.maxSamplesUsed,
      offset: this.offset,
      roots: Array.from(f.roots),
      feature: Array.from(f.feature),
      threshold: Array.from(f.threshold),
      left: Array.from(f.left),
      right: Array.from(f.right),
      leafValue: Array.from(f.leafValue),
    };
  }

  /** Rebuilds a fitted forest from {@link IsolationForest.toJSON}'s output (`options.nJobs`: see {@link IsolationForestOptions.nJobs}). */
  static fromJSON(json: IsolationForestJSON, options: { nJobs?: number } = {}): IsolationForest {
    if (json === null || typeof json !== 'object' || json.format !== 'flowsentry.IsolationForest' || json.version !== 1) {
      throw new ValueError('json', "an object from IsolationForest.toJSON() (format 'flowsentry.IsolationForest', version 1)", json);
    }
    const o = json.options;
    const forest = new IsolationForest({
      nEstimators: o.nEstimators,
      maxSamples: o.maxSamples,
      contamination: o.contamination,
      ...(o.maxFeatures === null ? {} : { maxFeatures: o.maxFeatures }),
      bootstrap: o.bootstrap,
      seed: o.seed,
      ...(options.nJobs === undefined ? {} : { nJobs: options.nJobs }),
    });
    const len = json.feature.length;
    for (const key of ['threshold', 'left', 'right', 'leafValue'] as const) {
      if (json[key].length !== len) throw new ShapeError(`json.${key}`, `${len} values (as json.feature)`, json[key]);
    }
    forest.compiled = null;
    forest.forest = {
      roots: Int32Array.from(json.roots),
      feature: Int32Array.from(json.feature),
      threshold: Float64Array.from(json.threshold),
      left: Int32Array.from(json.left),
      right: Int32Array.from(json.right),
      leafValue: Float64Array.from(json.leafValue),
    };
    forest.nFeatures = json.nFeatures;
    forest.maxSamplesUsed = json.maxSamplesUsed;
    forest.offset = json.offset;
    return forest;
  }

  private checkFitted(method: string): Forest {
    if (this.forest === null) throw new NotFittedError('IsolationForest', method);
    return this.forest;
  }

  /**
   * scoreSamples of the rows of `m`, on up to `nJobs` threads for large inputs; null when a value
   * is NaN or infinite (the kernel checks every chunk it copies, cheaper than a separate pass).
   */
  private scoreMatrix(m: DenseMatrix): Float64Array | null {
    const f = this.forest as Forest;
    this.compiled ??= compileForest(f, m.cols);
    const c = this.compiled;
    const n = m.rows;
    const threads = n * c.trees >= PARALLEL_MIN_WORK ? resolveThreads(this.nJobs) : 1;
    let depthSum: Float64Array;
    let finite: boolean;
    const task = (x: Float32Array, sums: Float64Array, counter: Int32Array): ScoreTask => ({
      wasm: iforestBytes(),
      image: c.image,
      nodes: c.nodes,
      trees: c.trees,
      x,
      cols: m.cols,
      rows: n,
      depthSum: sums,
      counter,
      chunk: SCORE_CHUNK,
      block: SCORE_BLOCK,
    });
    if (threads > 1) {
      // Rows and sums in shared memory; every thread draws chunks of rows from one atomic counter.
      const shared = m.data.buffer instanceof SharedArrayBuffer;
      const x = shared ? m.data : new Float32Array(new SharedArrayBuffer(m.data.byteLength));
      if (!shared) x.set(m.data);
      const sums = new Float64Array(new SharedArrayBuffer(8 * n));
      let counter: Int32Array = new Int32Array(0);
      runParallelOrSerial(scoreKernel, () => task(x, sums, (counter = new Int32Array(new SharedArrayBuffer(8)))), threads);
      depthSum = sums;
      finite = counter[1] === 0;
    } else {
      depthSum = new Float64Array(n);
      const counter = new Int32Array(2);
      scoreKernel(task(m.data, depthSum, counter));
      finite = counter[1] === 0;
    }
    if (!finite) return null;
    const denominator = c.trees * averagePathLength(this.maxSamplesUsed);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = -(2 ** (denominator !== 0 ? -(depthSum[i] as number) / denominator : 0));
    }
    return scores;
  }
}

/** Rows x trees below which scoring stays on the calling thread (a worker's start costs more). */
const PARALLEL_MIN_WORK = 1 << 24;
/** Rows per chunk drawn from the shared counter and copied into the thread's WebAssembly memory. */
const SCORE_CHUNK = 1024;
/** Rows that every tree walks in turn inside the kernel (they stay in the L1 cache meanwhile). */
const SCORE_BLOCK = 64;

let wasmBytes: Uint8Array | null = null;
function iforestBytes(): Uint8Array {
  wasmBytes ??= decodeBase64(IFOREST_WASM_BASE64);
  return wasmBytes;
}

/**
 * The forest laid out for the scoring kernel (./wasm/iforest.asm.ts) as the image of the start of
 * its WebAssembly memory: node records of 16 bytes (f32 split value, i32 byte offset of the split
 * feature in a row, i32 address of the left child; the right child's record follows the left's),
 * then every node's path length (f64), then each tree's root address and depth (i32). A leaf has
 * split value +Infinity and is its own left child, so a row stays on it and every row descends
 * exactly `levels[t]` steps in tree t without a branch. The double thresholds are rounded down to
 * float32: for a float32 input v, v > t exactly when v > (the largest float32 <= t).
 */
interface CompiledForest {
  image: Uint8Array;
  nodes: number;
  trees: number;
}

/** The largest float32 <= t (t finite or +Infinity). */
function float32Below(t: number): number {
  const f = Math.fround(t);
  if (f <= t) return f;
  const bits = new Float32Array(1);
  const ints = new Int32Array(bits.buffer);
  bits[0] = f;
  if (f === 0) ints[0] = 0x80000001 | 0; // the negative float32 closest to zero
  else if (f > 0) ints[0] = (ints[0] as number) - 1;
  else ints[0] = (ints[0] as number) + 1;
  return bits[0] as number;
}

function compileForest(f: Forest, cols: number): CompiledForest {
  const total = f.feature.length;
  const trees = f.roots.length;
  const image = new Uint8Array(total * 16 + total * 8 + trees * 8);
  const view = new DataView(image.buffer);
  const leafBase = total * 16;
  const rootsBase = leafBase + total * 8;
  const levelsBase = rootsBase + trees * 4;
  const stackOld: number[] = [];
  const stackNew: number[] = [];
  const stackDepth: number[] = [];
  let next = 0;
  for (let t = 0; t < trees; t++) {
    view.setInt32(rootsBase + 4 * t, next * 16, true);
    stackOld.push(f.roots[t] as number);
    stackNew.push(next++);
    stackDepth.push(0);
    let deepest = 0;
    while (stackOld.length > 0) {
      const old = stackOld.pop() as number;
      const node = stackNew.pop() as number;
      const depth = stackDepth.pop() as number;
      const feat = f.feature[old] as number;
      const rec = node * 16;
      if (feat < 0) {
        view.setFloat32(rec, Infinity, true);
        view.setInt32(rec + 4, 0, true);
        view.setInt32(rec + 8, rec, true);
        view.setFloat64(leafBase + node * 8, f.leafValue[old] as number, true);
        if (depth > deepest) deepest = depth;
        continue;
      }
      if (next + 2 > total) throw new ValueError('forest', 'binary trees whose nodes are each reached once', `more than ${total} nodes reached`);
      if (feat >= cols) throw new ValueError('forest', `split features below the number of columns (${cols})`, feat);
      view.setFloat32(rec, float32Below(f.threshold[old] as number), true);
      view.setInt32(rec + 4, feat * 4, true);
      view.setInt32(rec + 8, next * 16, true);
      stackOld.push(f.left[old] as number, f.right[old] as number);
      stackNew.push(next, next + 1);
      stackDepth.push(depth + 1, depth + 1);
      next += 2;
    }
    view.setInt32(levelsBase + 4 * t, deepest, true);
  }
  return { image, nodes: total, trees };
}

/** Work of {@link scoreKernel}: the compiled forest, the rows, the sums it fills and the chunk counter. */
interface ScoreTask {
  /** The compiled scoring module (./wasm/iforest.asm.ts: `score` and `memory`). */
  wasm: Uint8Array;
  /** {@link CompiledForest.image}. */
  image: Uint8Array;
  nodes: number;
  trees: number;
  x: Float32Array;
  cols: number;
  rows: number;
  depthSum: Float64Array;
  /** [next row to score, 1 once a chunk held a NaN or an infinity (it is skipped)]. */
  counter: Int32Array;
  chunk: number;
  block: number;
}

/**
 * Adds every tree's path length to depthSum for chunks of rows drawn from `counter` until none are
 * left: each chunk is copied into this thread's WebAssembly memory behind the forest's image and
 * scored there. Self-contained (it runs in worker threads from its source).
 */
function scoreKernel(task: ScoreTask): void {
  const { image, nodes, trees, x, cols, rows, depthSum, counter, chunk, block } = task;
  const g = globalThis as unknown as {
    WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object, i: object) => { exports: unknown } };
  };
  const wasm = new g.WebAssembly.Instance(new g.WebAssembly.Module(task.wasm), {}).exports as {
    memory: { buffer: ArrayBuffer; grow(pages: number): number };
    score(nodes: number, leafBase: number, roots: number, levels: number, nTrees: number, rows: number, nRows: number, rowBytes: number, sums: number, block: number): void;
    allFinite(p: number, n: number): number;
  };
  const leafBase = nodes * 16;
  const rootsBase = leafBase + nodes * 8;
  const levelsBase = rootsBase + trees * 4;
  const rowsBase = (image.length + 15) & ~15;
  const sumsBase = rowsBase + ((chunk * cols * 4 + 15) & ~15);
  const bytes = sumsBase + chunk * 8;
  const have = wasm.memory.buffer.byteLength;
  if (bytes > have) wasm.memory.grow(Math.ceil((bytes - have) / 65536));
  new Uint8Array(wasm.memory.buffer).set(image, 0);
  const h32 = new Float32Array(wasm.memory.buffer);
  const h64 = new Float64Array(wasm.memory.buffer);
  for (;;) {
    const start = Atomics.add(counter, 0, chunk);
    if (start >= rows) return;
    const end = Math.min(rows, start + chunk);
    const count = end - start;
    h32.set(x.subarray(start * cols, end * cols), rowsBase >> 2);
    if (wasm.allFinite(rowsBase, count * cols) === 0) {
      // The caller reports the bad value (its row and column) after the run.
      Atomics.store(counter, 1, 1);
      continue;
    }
    h64.fill(0, sumsBase >> 3, (sumsBase >> 3) + count);
    wasm.score(0, leafBase, rootsBase, levelsBase, trees, rowsBase, count, cols * 4, sumsBase, block);
    depthSum.set(h64.subarray(sumsBase >> 3, (sumsBase >> 3) + count), start);
  }
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function drawWithReplacement(rng: Rng, n: number, k: number): Int32Array {
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) out[i] = rng.int(n);
  return out;
}

interface NodeArrays {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  leafValue: Float64Array;
}

/** Grows one isolation tree depth-first with an explicit stack, partitioning a row-index array in place. */
class TreeBuilder {
  private readonly rows: Int32Array;
  private readonly stackStart: Int32Array;
  private readonly stackEnd: Int32Array;
  private readonly stackDepth: Int32Array;
  private readonly stackNode: Int32Array;
  /** Features known to be constant in the current node's ancestors: a per-node list on the stack. */
  private readonly stackConst: Uint8Array[];

  constructor(
    private readonly m: DenseMatrix,
    maxSamples: number,
    private readonly depthLimit: number,
  ) {
    this.rows = new Int32Array(maxSamples);
    const cap = depthLimit + 2;
    this.stackStart = new Int32Array(cap * 2);
    this.stackEnd = new Int32Array(cap * 2);
    this.stackDepth = new Int32Array(cap * 2);
    this.stackNode = new Int32Array(cap * 2);
    this.stackConst = [];
    for (let i = 0; i < cap * 2; i++) this.stackConst.push(new Uint8Array(m.cols));
  }

  /** Grows a tree at node index `first` of `out`; returns the next free node index. */
  grow(sample: Int32Array, features: Int32Array, rng: Rng, out: NodeArrays, first: number): number {
    const { data: x, cols } = this.m;
    const rows = this.rows;
    rows.set(sample);
    const nf = features.length;
    const candidates = new Int32Array(nf);
    let next = first + 1;
    let sp = 0;
    this.stackStart[0] = 0;
    this.stackEnd[0] = sample.length;
    this.stackDepth[0] = 0;
    this.stackNode[0] = first;
    (this.stackConst[0] as Uint8Array).fill(0);
    sp = 1;
    while (sp > 0) {
      sp--;
      const start = this.stackStart[sp] as number;
      const end = this.stackEnd[sp] as number;
      const depth = this.stackDepth[sp] as number;
      const node = this.stackNode[sp] as number;
      const known = this.stackConst[sp] as Uint8Array;
      const size = end - start;
      let splitFeature = -1;
      let lo = 0;
      let hi = 0;
      if (depth < this.depthLimit && size >= 2) {
        // Draw features uniformly among those not known to be constant, until one is not constant here.
        let nc = 0;
        for (let j = 0; j < nf; j++) if (known[j] === 0) candidates[nc++] = j;
        while (nc > 0) {
          const pick = rng.int(nc);
          const j = candidates[pick] as number;
          const col = features[j] as number;
          let mn = Infinity;
          let mx = -Infinity;
          for (let r = start; r < end; r++) {
            const v = x[(rows[r] as number) * cols + col] as number;
            if (v < mn) mn = v;
            if (v > mx) mx = v;
          }
          if (mx <= mn + FEATURE_THRESHOLD) {
            known[j] = 1;
            candidates[pick] = candidates[--nc] as number;
            continue;
          }
          splitFeature = col;
          lo = mn;
          hi = mx;
          break;
        }
      }
      if (splitFeature < 0) {
        out.feature[node] = -1;
        out.threshold[node] = 0;
        out.left[node] = -1;
        out.right[node] = -1;
        out.leafValue[node] = depth + averagePathLength(size);
        continue;
      }
      let thr = lo + (hi - lo) * rng.next();
      if (thr === hi) thr = lo;
      // Partition rows[start:end) so that x <= thr comes first.
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if ((x[(rows[i] as number) * cols + splitFeature] as number) <= thr) i++;
        else {
          const tmp = rows[i] as number;
          rows[i] = rows[j] as number;
          rows[j] = tmp;
          j--;
        }
      }
      const l = next++;
      const r = next++;
      out.feature[node] = splitFeature;
      out.threshold[node] = thr;
      out.left[node] = l;
      out.right[node] = r;
      out.leafValue[node] = 0;
      // Push right then left, so the left subtree is grown first (as scikit-learn's depth-first builder).
      (this.stackConst[sp + 1] as Uint8Array).set(known);
      this.push(sp, i, end, depth + 1, r);
      this.push(sp + 1, start, i, depth + 1, l);
      sp += 2;
    }
    return next;
  }

  private push(sp: number, start: number, end: number, depth: number, node: number): void {
    this.stackStart[sp] = start;
    this.stackEnd[sp] = end;
    this.stackDepth[sp] = depth;
    this.stackNode[sp] = node;
  }
}
