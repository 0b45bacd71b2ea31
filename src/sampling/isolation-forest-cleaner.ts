import { ValueError } from '../errors.js';
import type { MatrixLike } from '../util/matrix.js';
import { IsolationForest, type IsolationForestOptions } from './isolation-forest.js';
import { codeOf, type Label, type LabelArray } from './labels.js';
import { assemble, readXy, type Resampled, type Sampler } from './sampler.js';
import { takeRows } from './smote.js';

/** Options of {@link IsolationForestCleaner}. */
export interface IsolationForestCleanerOptions {
  /** The classes to clean (e.g. ['BENIGN']): the forest is fitted on their rows only. */
  classes: readonly Label[];
  /** Options of the Isolation Forest fitted on those rows (default: scikit-learn's defaults, seed 0). */
  isolationForest?: IsolationForestOptions;
}

/**
 * The ResCAE-BiGRU paper's cleaning step as a sampler: an Isolation Forest is fitted on the rows of
 * the chosen classes only, and only those rows that it predicts as outliers (-1) are removed; rows
 * of other classes are all kept. The fitted forest is available as `forest` afterwards.
 */
export class IsolationForestCleaner implements Sampler {
  /** Name under which the class is registered for serialization. */
  static readonly className = 'IsolationForestCleaner';
  /** The classes whose rows are cleaned (the forest is fitted on their rows only). */
  readonly classes: readonly Label[];
  /** Options of the Isolation Forest fitted on those rows (default: scikit-learn's defaults, seed 0). */
  readonly isolationForestOptions: IsolationForestOptions;
  /** The forest of the last `fitResample`. */
  forest: IsolationForest | null = null;

  constructor(options: IsolationForestCleanerOptions) {
    if (options === undefined || !Array.isArray(options.classes) || options.classes.length === 0) {
      throw new ValueError('classes', 'a non-empty list of labels to clean', options?.classes);
    }
    this.classes = options.classes;
    this.isolationForestOptions = options.isolationForest ?? {};
    new IsolationForest(this.isolationForestOptions);
  }

  /** Removes the outliers of the chosen classes. */
  fitResample<Y extends LabelArray>(X: MatrixLike, y: Y): Resampled<Y> {
    const { m, enc } = readXy(X, y);
    const chosen = new Set<number>();
    for (const label of this.classes) {
      const c = codeOf(enc, label);
      if (c < 0) throw new ValueError('classes', `labels present in y (${enc.classes.map(String).join(', ')})`, label);
      chosen.add(c);
    }
    const members: number[] = [];
    for (let r = 0; r < m.rows; r++) if (chosen.has(enc.codes[r] as number)) members.push(r);
    const memberRows = Int32Array.from(members);
    const forest = new IsolationForest(this.isolationForestOptions);
    const sub = takeRows(m, memberRows);
    const verdict = forest.fit(sub).predict(sub);
    this.forest = forest;
    const outlier = new Uint8Array(m.rows);
    for (let i = 0; i < memberRows.length; i++) if (verdict[i] === -1) outlier[memberRows[i] as number] = 1;
    const kept: number[] = [];
    for (let r = 0; r < m.rows; r++) if (outlier[r] === 0) kept.push(r);
    return assemble<Y>(m, enc, Int32Array.from(kept));
  }
}
