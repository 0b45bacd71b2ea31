import type { Seed } from '../util/rng.js';
import type { MatrixLike } from '../util/matrix.js';
import type { LabelArray } from './labels.js';
import type { Resampled, Sampler } from './sampler.js';
import { SMOTE, type SMOTEOptions } from './smote.js';
import type { OverSamplingStrategy } from './strategy.js';
import { TomekLinks } from './tomek-links.js';

/** Options of {@link SMOTETomek} (imbalanced-learn 0.10). */
export interface SMOTETomekOptions {
  /** The over-sampler (default `new SMOTE({ samplingStrategy, seed })`). */
  smote?: SMOTE;
  /** The cleaner (default `new TomekLinks({ samplingStrategy: 'all' })`). */
  tomek?: TomekLinks;
  /** Strategy of the default SMOTE (ignored when `smote` is given; default 'auto'). */
  samplingStrategy?: OverSamplingStrategy;
  /** Seed of the default SMOTE (ignored when `smote` is given; default 0). */
  seed?: Seed;
  /** Threads of the default SMOTE's and TomekLinks' neighbour searches (see {@link SMOTEOptions.nJobs}). */
  nJobs?: number;
}

/**
 * SMOTE then Tomek-link cleaning (Batista et al. 2004), by composition as imbalanced-learn does.
 * `sampleIndices` refer to the input rows (-1 for synthetic rows).
 *
 * @example
 * ```ts
 * const X = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 2], [5, 5], [5, 6], [6, 5]];
 * const r = new SMOTETomek({ smote: new SMOTE({ kNeighbors: 2, seed: 0 }) }).fitResample(X, [0, 0, 0, 0, 0, 1, 1, 1]);
 * r.y; // [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
 * ```
 */
export class SMOTETomek implements Sampler {
  /** Name under which the class is registered for serialization. */
  static readonly className = 'SMOTETomek';
  /** The over-sampler applied first (imbalanced-learn's `smote_`). */
  readonly smote: SMOTE;
  /** The Tomek-link cleaner applied to SMOTE's output (imbalanced-learn's `tomek_`; default strategy 'all'). */
  readonly tomek: TomekLinks;

  constructor(options: SMOTETomekOptions = {}) {
    const jobs = options.nJobs === undefined ? {} : { nJobs: options.nJobs };
    this.smote = options.smote ?? new SMOTE({ samplingStrategy: options.samplingStrategy ?? 'auto', seed: options.seed ?? 0, ...jobs });
    this.tomek = options.tomek ?? new TomekLinks({ samplingStrategy: 'all', ...jobs });
  }

  /** Over-samples with `smote`, then removes Tomek links with `tomek`. */
  fitResample<Y extends LabelArray>(X: MatrixLike, y: Y): Resampled<Y> {
    const over = this.smote.fitResample(X, y);
    const clean = this.tomek.fitResample(over.X, over.y);
    const sampleIndices = new Int32Array(clean.sampleIndices.length);
    for (let i = 0; i < sampleIndices.length; i++) sampleIndices[i] = over.sampleIndices[clean.sampleIndices[i] as number] as number;
    return { X: clean.X, y: clean.y, sampleIndices };
  }
}
