import { ValueError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';
import { featureMatrix, checkCols, checkJson, numberArray, requireFitted, type Transformer, type FeatureInput } from './transformer.js';

/**
 * What to do with NaN, +-Infinity and empty numeric fields:
 * `'drop'` the row (counted as skipped `nonFinite`), replace by the column's finite `'max'`,
 * `'min'` or `'zero'` (each replacement counted per column), `'keep'` them for a later
 * {@link NonFiniteImputer}, or `'error'` (a DataFormatError with file and line).
 */
export type NonFinitePolicy = 'drop' | 'max' | 'min' | 'zero' | 'keep' | 'error';

/** Options of {@link NonFiniteImputer}. */
export interface NonFiniteImputerOptions {
  /** Replacement: the column's finite training `'max'` (default), `'min'` or `'zero'`. */
  strategy?: 'max' | 'min' | 'zero';
}

/** The JSON form of a fitted {@link NonFiniteImputer}. */
export interface NonFiniteImputerJSON {
  /** Always `'NonFiniteImputer'`; `fromJSON` rejects any other value. */
  className: 'NonFiniteImputer';
  /** How `fill` was learned: the column's finite training `'max'`, `'min'`, or `'zero'`. */
  strategy: 'max' | 'min' | 'zero';
  /** Replacement value per column. */
  fill: number[];
}

/**
 * Replaces NaN and +-Infinity column by column with a value learned on training data only (the
 * column's finite max or min, or zero), and counts what it replaced: the fit-on-train form of a
 * loader's `nonFinite` policy. A column with no finite training value is filled with 0.
 */
export class NonFiniteImputer implements Transformer<FeatureInput, DenseMatrix, NonFiniteImputerJSON> {
  /** Class tag `'NonFiniteImputer'`, the `className` of the JSON form written by `toJSON`. */
  static readonly className = 'NonFiniteImputer';
  /** Replacement value per column: the finite training `'max'` (default), `'min'`, or `'zero'`. */
  readonly strategy: 'max' | 'min' | 'zero';
  /** Replacements made by the last `transform`, per column. */
  lastReplaced: Int32Array = new Int32Array(0);
  private fill: Float64Array | undefined;

  constructor(options: NonFiniteImputerOptions = {}) {
    const s = options.strategy ?? 'max';
    if (s !== 'max' && s !== 'min' && s !== 'zero') throw new ValueError('strategy', "'max', 'min' or 'zero'", s);
    this.strategy = s;
  }

  fit(x: FeatureInput): this {
    const m = featureMatrix(x, 'x', { finite: false });
    this.fill = finiteExtremes(m.data, m.rows, m.cols, this.strategy);
    return this;
  }

  transform(x: FeatureInput): DenseMatrix {
    const fill = requireFitted(this.fill, 'NonFiniteImputer', 'transform');
    const m = featureMatrix(x, 'x', { finite: false });
    checkCols('x', fill.length, m.cols);
    const data = Float32Array.from(m.data);
    this.lastReplaced = new Int32Array(m.cols);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i] as number)) {
        const j = i % m.cols;
        data[i] = fill[j] as number;
        this.lastReplaced[j] = (this.lastReplaced[j] as number) + 1;
      }
    }
    return { data, rows: m.rows, cols: m.cols };
  }

  fitTransform(x: FeatureInput): DenseMatrix {
    return this.fit(x).transform(x);
  }

  toJSON(): NonFiniteImputerJSON {
    return { className: 'NonFiniteImputer', strategy: this.strategy, fill: Array.from(requireFitted(this.fill, 'NonFiniteImputer', 'toJSON')) };
  }

  /**
   * Rebuilds a fitted NonFiniteImputer from the output of `toJSON` (e.g. after `JSON.parse`), with its per-column `fill` values.
   * @param json - A NonFiniteImputerJSON object.
   * @returns A fitted NonFiniteImputer equal to the one serialised.
   * @throws ValueError if `json` is not a valid NonFiniteImputerJSON (names the bad field).
   */
  static fromJSON(json: unknown): NonFiniteImputer {
    const j = checkJson(json, 'NonFiniteImputer');
    const imp = new NonFiniteImputer({ strategy: j.strategy as 'max' | 'min' | 'zero' });
    imp.fill = Float64Array.from(numberArray(j, 'fill'));
    return imp;
  }
}

/** Per-column finite max / min (0 when a column has none), or zeros. */
export function finiteExtremes(data: Float32Array, rows: number, cols: number, strategy: 'max' | 'min' | 'zero'): Float64Array {
  const out = new Float64Array(cols);
  if (strategy === 'zero') return out;
  const best = new Float64Array(cols).fill(strategy === 'max' ? -Infinity : Infinity);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j] as number;
      if (Number.isFinite(v) && (strategy === 'max' ? v > (best[j] as number) : v < (best[j] as number))) best[j] = v;
    }
  }
  for (let j = 0; j < cols; j++) out[j] = Number.isFinite(best[j] as number) ? (best[j] as number) : 0;
  return out;
}
