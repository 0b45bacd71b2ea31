import { ShapeError, ValueError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';
import { checkCols, checkJson, featureMatrix, numberArray, requireFitted, type FeatureInput, type Transformer } from './transformer.js';

/** The JSON form of a fitted {@link ConstantColumnFilter}. */
export interface ConstantColumnFilterJSON {
  /** Always `'ConstantColumnFilter'`; `fromJSON` rejects any other value. */
  className: 'ConstantColumnFilter';
  /** Number of input columns at fit. */
  nFeaturesIn: number;
  /** Indices of the kept (non-constant) input columns, ascending. */
  kept: number[];
}

/**
 * Removes columns that are constant on the training data (scikit-learn's
 * `VarianceThreshold(0)`): CICIDS2017 has several all-zero flag and bulk columns that carry no
 * information and make scalers divide by zero. Fit on training data only.
 */
export class ConstantColumnFilter implements Transformer<FeatureInput, DenseMatrix, ConstantColumnFilterJSON> {
  /** Class tag `'ConstantColumnFilter'`, the `className` of the JSON form written by `toJSON`. */
  static readonly className = 'ConstantColumnFilter';
  private state: { nIn: number; kept: Int32Array } | undefined;

  /** Indices of the kept input columns. */
  get kept(): Int32Array {
    return requireFitted(this.state, 'ConstantColumnFilter', 'kept').kept;
  }

  /** Names of the kept columns, given the input names. */
  featureNamesOut(names: readonly string[]): string[] {
    const s = requireFitted(this.state, 'ConstantColumnFilter', 'featureNamesOut');
    if (names.length !== s.nIn) throw new ShapeError('names', `${s.nIn} names (as at fit)`, `${names.length} names`);
    return Array.from(s.kept, (j) => names[j] as string);
  }

  fit(x: FeatureInput): this {
    const m = featureMatrix(x, 'x');
    const kept: number[] = [];
    for (let j = 0; j < m.cols; j++) {
      const first = m.data[j] as number;
      for (let i = 1; i < m.rows; i++) {
        if (m.data[i * m.cols + j] !== first) {
          kept.push(j);
          break;
        }
      }
    }
    this.state = { nIn: m.cols, kept: Int32Array.from(kept) };
    return this;
  }

  transform(x: FeatureInput): DenseMatrix {
    const s = requireFitted(this.state, 'ConstantColumnFilter', 'transform');
    const m = featureMatrix(x, 'x', { finite: false });
    checkCols('x', s.nIn, m.cols);
    const k = s.kept.length;
    const data = new Float32Array(m.rows * k);
    for (let i = 0; i < m.rows; i++) for (let c = 0; c < k; c++) data[i * k + c] = m.data[i * m.cols + (s.kept[c] as number)] as number;
    return { data, rows: m.rows, cols: k };
  }

  fitTransform(x: FeatureInput): DenseMatrix {
    return this.fit(x).transform(x);
  }

  toJSON(): ConstantColumnFilterJSON {
    const s = requireFitted(this.state, 'ConstantColumnFilter', 'toJSON');
    return { className: 'ConstantColumnFilter', nFeaturesIn: s.nIn, kept: Array.from(s.kept) };
  }

  /**
   * Rebuilds a fitted ConstantColumnFilter from the output of `toJSON` (e.g. after `JSON.parse`), with its input width and kept column indices.
   * @param json - A ConstantColumnFilterJSON object.
   * @returns A fitted ConstantColumnFilter equal to the one serialised.
   * @throws ValueError if `json` is not a valid ConstantColumnFilterJSON (names the bad field).
   */
  static fromJSON(json: unknown): ConstantColumnFilter {
    const j = checkJson(json, 'ConstantColumnFilter');
    const nIn = j.nFeaturesIn;
    if (!Number.isInteger(nIn) || (nIn as number) < 0) throw new ValueError('json.nFeaturesIn', 'a non-negative integer', nIn);
    const kept = numberArray(j, 'kept');
    if (kept.some((v, i) => !Number.isInteger(v) || v < 0 || v >= (nIn as number) || (i > 0 && v <= (kept[i - 1] as number)))) {
      throw new ValueError('json.kept', `ascending column indices in [0, ${nIn})`, kept);
    }
    const f = new ConstantColumnFilter();
    f.state = { nIn: nIn as number, kept: Int32Array.from(kept) };
    return f;
  }
}
