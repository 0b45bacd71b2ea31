import type { MatrixLike } from '../util/matrix.js';
import type { LabelArray } from './labels.js';
import { NearestNeighbors, type NearestNeighborsOptions, type NeighborsMethod } from './neighbors.js';
import { assemble, readXy, type Resampled, type Sampler } from './sampler.js';
import { resolveCleaning, type CleaningStrategy } from './strategy.js';

/** Options of {@link TomekLinks} (imbalanced-learn 0.10 names and defaults). */
export interface TomekLinksOptions {
  /**
   * Classes whose rows may be removed: 'auto' (default) = 'not minority', i.e. every class except
   * the smallest (the same as 'majority' only for two classes); 'all'; 'majority'; 'minority';
   * 'not majority'; or a list of labels.
   */
  samplingStrategy?: CleaningStrategy;
  /** Search method of the neighbour search (see {@link NearestNeighbors}; default 'auto'). */
  neighborsMethod?: NeighborsMethod;
  /** Threads of the neighbour search (see {@link NearestNeighborsOptions.nJobs}; default every core). */
  nJobs?: number;
}

/**
 * Tomek links (Tomek 1976) as imbalanced-learn 0.10: a row of a targeted class is removed when its
 * nearest neighbour has another label and that neighbour's nearest neighbour is the row. Nearest
 * neighbours exclude the row itself; ties go to the lowest index.
 *
 * @example
 * ```ts
 * const r = new TomekLinks().fitResample([[0], [1], [1.1], [3], [4]], ['a', 'a', 'b', 'b', 'b']);
 * r.y; // ['a', 'a', 'b', 'b'] (1 and 1.1 form a link; 'auto' removes only the non-minority side)
 * r.sampleIndices; // [0, 1, 3, 4]
 * ```
 */
export class TomekLinks implements Sampler {
  /** Name under which the class is registered for serialization. */
  static readonly className = 'TomekLinks';
  /** Classes whose rows may be removed (default 'auto' = 'not minority'). */
  readonly samplingStrategy: CleaningStrategy;
  /** Search method of the neighbour search (default 'auto'). */
  readonly neighborsMethod: NeighborsMethod;
  /** Threads of the neighbour search: undefined or -1 (default) = every core, 1 = the calling thread. */
  readonly nJobs: number | undefined;

  constructor(options: TomekLinksOptions = {}) {
    this.samplingStrategy = options.samplingStrategy ?? 'auto';
    this.neighborsMethod = options.neighborsMethod ?? 'auto';
    this.nJobs = options.nJobs;
    if (this.nJobs !== undefined) new NearestNeighbors({ nJobs: this.nJobs }); // validates it early
  }

  /** Removes the targeted members of Tomek links. */
  fitResample<Y extends LabelArray>(X: MatrixLike, y: Y): Resampled<Y> {
    const { m, enc } = readXy(X, y);
    const targeted = resolveCleaning(this.samplingStrategy, enc);
    const n = m.rows;
    const nn = new NearestNeighbors({ method: this.neighborsMethod, ...(this.nJobs === undefined ? {} : { nJobs: this.nJobs }) }).fit(m).kneighbors(undefined, 1).indices;
    const codes = enc.codes;
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      const c = codes[i] as number;
      const j = nn[i] as number;
      const link = targeted.has(c) && codes[j] !== c && nn[j] === i;
      if (!link) kept.push(i);
    }
    return assemble<Y>(m, enc, Int32Array.from(kept));
  }
}
