import { ValueError } from '../errors.js';
import { Rng, type Seed } from '../util/rng.js';
import type { DenseMatrix, MatrixLike } from '../util/matrix.js';
import type { LabelArray } from './labels.js';
import { NearestNeighbors, type NearestNeighborsOptions, type NeighborsMethod } from './neighbors.js';
import { allRows, assemble, readXy, type Resampled, type Sampler } from './sampler.js';
import { resolveOverSampling, type OverSamplingStrategy } from './strategy.js';

/** Options of {@link SMOTE} (imbalanced-learn 0.10 names and defaults). */
export interface SMOTEOptions {
  /** Which classes to grow and to what size (default 'auto' = every class but the majority, to its size). */
  samplingStrategy?: OverSamplingStrategy;
  /** Neighbours within the class to interpolate towards (default 5). */
  kNeighbors?: number;
  /**
   * A class with fewer than kNeighbors + 1 rows: 'error' (default, as imbalanced-learn) throws a
   * ValueError naming the class and its count; 'shrink' uses kNeighbors = count - 1 for that
   * class (a class of one row still throws).
   */
  smallClass?: 'error' | 'shrink';
  /** Search method of the neighbour search (see {@link NearestNeighbors}; default 'auto'). */
  neighborsMethod?: NeighborsMethod;
  /** Threads of the neighbour search (see {@link NearestNeighborsOptions.nJobs}; default every core). */
  nJobs?: number;
  /** Seed (default 0). */
  seed?: Seed;
}

/**
 * SMOTE (Chawla et al. 2002) as imbalanced-learn 0.10: for each class to grow, in sorted label
 * order, each new row is x + u (n - x) with x a random row of the class, n one of its kNeighbors
 * nearest neighbours within the class, u uniform in [0, 1). The output is the original rows
 * followed by the synthetic rows, class by class.
 *
 * @example
 * ```ts
 * const X = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 2], [5, 5], [5, 6], [6, 5]];
 * const r = new SMOTE({ kNeighbors: 2, seed: 0 }).fitResample(X, [0, 0, 0, 0, 0, 1, 1, 1]);
 * r.y; // [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
 * r.sampleIndices; // [0, 1, 2, 3, 4, 5, 6, 7, -1, -1] (-1: synthetic)
 * ```
 */
export class SMOTE implements Sampler {
  /** Name under which the class is registered for serialization. */
  static readonly className = 'SMOTE';
  /** Which classes to grow and to what size (default 'auto'); see {@link SMOTEOptions.samplingStrategy}. */
  readonly samplingStrategy: OverSamplingStrategy;
  /** Neighbours within the class to interpolate towards (default 5, imbalanced-learn's `k_neighbors`). */
  readonly kNeighbors: number;
  /** What a class with fewer than kNeighbors + 1 rows does: 'error' (default) or 'shrink'. */
  readonly smallClass: 'error' | 'shrink';
  /** Search method of the neighbour search (default 'auto'). */
  readonly neighborsMethod: NeighborsMethod;
  /** Threads of the neighbour search: undefined or -1 (default) = every core, 1 = the calling thread. */
  readonly nJobs: number | undefined;
  /** Seed of the generator that draws the rows, neighbours and gaps (default 0). */
  readonly seed: Seed;

  constructor(options: SMOTEOptions = {}) {
    this.samplingStrategy = options.samplingStrategy ?? 'auto';
    this.kNeighbors = options.kNeighbors ?? 5;
    if (!Number.isInteger(this.kNeighbors) || this.kNeighbors < 1) throw new ValueError('kNeighbors', 'a positive integer', options.kNeighbors);
    this.smallClass = options.smallClass ?? 'error';
    if (this.smallClass !== 'error' && this.smallClass !== 'shrink') throw new ValueError('smallClass', "'error' or 'shrink'", this.smallClass);
    this.neighborsMethod = options.neighborsMethod ?? 'auto';
    this.nJobs = options.nJobs;
    if (this.nJobs !== undefined) new NearestNeighbors({ nJobs: this.nJobs }); // validates it early
    this.seed = options.seed ?? 0;
    new Rng(this.seed);
  }

  /** Appends synthetic rows so that the classes reach the strategy's counts. */
  fitResample<Y extends LabelArray>(X: MatrixLike, y: Y): Resampled<Y> {
    const { m, enc } = readXy(X, y);
    const targets = resolveOverSampling(this.samplingStrategy, enc);
    const rng = new Rng(this.seed);
    const d = m.cols;
    let total = 0;
    for (const n of targets.values()) total += n;
    const data = new Float32Array(total * d);
    const codes = new Int32Array(total);
    let out = 0;
    for (const [c, n] of targets) {
      if (n === 0) continue;
      const label = enc.classes[c];
      const count = enc.counts[c] as number;
      let k = this.kNeighbors;
      if (count < k + 1) {
        if (this.smallClass === 'shrink' && count >= 2) k = count - 1;
        else {
          throw new ValueError(
            'kNeighbors',
            `at most ${count - 1} for class ${JSON.stringify(label)}, which has ${count} row${count === 1 ? '' : 's'} (or smallClass: 'shrink')`,
            this.kNeighbors,
          );
        }
      }
      const members = new Int32Array(count);
      let j = 0;
      for (let r = 0; r < m.rows; r++) if (enc.codes[r] === c) members[j++] = r;
      const classX = takeRows(m, members);
      const nn = new NearestNeighbors({ method: this.neighborsMethod, ...(this.nJobs === undefined ? {} : { nJobs: this.nJobs }) }).fit(classX).kneighbors(undefined, k);
      const cx = classX.data;
      for (let s = 0; s < n; s++) {
        const pick = rng.int(count * k);
        const row = Math.floor(pick / k);
        const nb = nn.indices[pick] as number;
        const u = rng.next();
        const o = (out + s) * d;
        for (let f = 0; f < d; f++) {
          const a = cx[row * d + f] as number;
          data[o + f] = a + u * ((cx[nb * d + f] as number) - a);
        }
        codes[out + s] = c;
      }
      out += n;
    }
    return assemble<Y>(m, enc, allRows(m.rows), { data, codes });
  }
}

/** The rows `indices` of `m`, as a new matrix. */
export function takeRows(m: DenseMatrix, indices: Int32Array): DenseMatrix {
  const d = m.cols;
  const data = new Float32Array(indices.length * d);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] as number;
    data.set(m.data.subarray(r * d, r * d + d), i * d);
  }
  return { data, rows: indices.length, cols: d };
}
