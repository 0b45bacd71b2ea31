import type { DenseMatrix } from '../util/matrix.js';
import { featureMatrix, checkCols, checkJson, numberArray, requireFitted, type Transformer, type FeatureInput } from './transformer.js';

/** Options of {@link StandardScaler}. */
export interface StandardScalerOptions {
  /** Subtract the training mean (default true). */
  withMean?: boolean;
  /** Divide by the training standard deviation (default true). */
  withStd?: boolean;
}

/** The JSON form of a fitted {@link StandardScaler}. */
export interface StandardScalerJSON {
  /** Always `'StandardScaler'`; `fromJSON` rejects any other value. */
  className: 'StandardScaler';
  /** Whether `transform` subtracts `mean`. */
  withMean: boolean;
  /** Whether `transform` divides by `scale`. */
  withStd: boolean;
  /** Per-column training mean (scikit-learn `mean_`). */
  mean: number[];
  /** Population standard deviation (ddof 0); 1 for constant columns. */
  scale: number[];
}

/**
 * Standardises each column as scikit-learn's StandardScaler: `(x - mean) / std` with the
 * population standard deviation (ddof 0), a constant column divided by 1. Sums in float64.
 */
export class StandardScaler implements Transformer<FeatureInput, DenseMatrix, StandardScalerJSON> {
  /** Class tag `'StandardScaler'`, the `className` of the JSON form written by `toJSON`. */
  static readonly className = 'StandardScaler';
  /** Whether `transform` centres each column on its training mean (option `withMean`, default true). */
  readonly withMean: boolean;
  /** Whether `transform` divides each column by its training standard deviation (option `withStd`, default true). */
  readonly withStd: boolean;
  private state: { mean: Float64Array; scale: Float64Array } | undefined;

  constructor(options: StandardScalerOptions = {}) {
    this.withMean = options.withMean ?? true;
    this.withStd = options.withStd ?? true;
  }

  /** Per-column training mean. */
  get mean(): Float64Array {
    return requireFitted(this.state, 'StandardScaler', 'mean').mean;
  }

  /** Per-column divisor (standard deviation, 1 for constant columns). */
  get scale(): Float64Array {
    return requireFitted(this.state, 'StandardScaler', 'scale').scale;
  }

  fit(x: FeatureInput): this {
    const m = featureMatrix(x, 'x');
    const mean = new Float64Array(m.cols);
    for (let i = 0; i < m.data.length; i++) mean[i % m.cols] = (mean[i % m.cols] as number) + (m.data[i] as number);
    for (let j = 0; j < m.cols; j++) mean[j] = (mean[j] as number) / m.rows;
    // Two-pass variance: stable for heavy-tailed counters with large means.
    const sq = new Float64Array(m.cols);
    for (let i = 0; i < m.data.length; i++) {
      const d = (m.data[i] as number) - (mean[i % m.cols] as number);
      sq[i % m.cols] = (sq[i % m.cols] as number) + d * d;
    }
    const scale = sq.map((s) => {
      const sd = Math.sqrt(s / m.rows);
      return sd === 0 ? 1 : sd;
    });
    this.state = { mean, scale };
    return this;
  }

  transform(x: FeatureInput): DenseMatrix {
    const s = requireFitted(this.state, 'StandardScaler', 'transform');
    const m = featureMatrix(x, 'x');
    checkCols('x', s.mean.length, m.cols);
    const out = new Float32Array(m.data.length);
    for (let i = 0; i < m.data.length; i++) {
      const j = i % m.cols;
      let v = m.data[i] as number;
      if (this.withMean) v -= s.mean[j] as number;
      if (this.withStd) v /= s.scale[j] as number;
      out[i] = v;
    }
    return { data: out, rows: m.rows, cols: m.cols };
  }

  fitTransform(x: FeatureInput): DenseMatrix {
    return this.fit(x).transform(x);
  }

  /** Undoes `transform`. */
  inverseTransform(x: FeatureInput): DenseMatrix {
    const s = requireFitted(this.state, 'StandardScaler', 'inverseTransform');
    const m = featureMatrix(x, 'x');
    checkCols('x', s.mean.length, m.cols);
    const out = new Float32Array(m.data.length);
    for (let i = 0; i < m.data.length; i++) {
      const j = i % m.cols;
      let v = m.data[i] as number;
      if (this.withStd) v *= s.scale[j] as number;
      if (this.withMean) v += s.mean[j] as number;
      out[i] = v;
    }
    return { data: out, rows: m.rows, cols: m.cols };
  }

  toJSON(): StandardScalerJSON {
    const s = requireFitted(this.state, 'StandardScaler', 'toJSON');
    return { className: 'StandardScaler', withMean: this.withMean, withStd: this.withStd, mean: Array.from(s.mean), scale: Array.from(s.scale) };
  }

  /**
   * Rebuilds a fitted StandardScaler from the output of `toJSON` (e.g. after `JSON.parse`), with its stored `mean` and `scale`.
   * @param json - A StandardScalerJSON object.
   * @returns A fitted StandardScaler equal to the one serialised.
   * @throws ValueError if `json` is not a valid StandardScalerJSON (names the bad field).
   */
  static fromJSON(json: unknown): StandardScaler {
    const j = checkJson(json, 'StandardScaler');
    const mean = numberArray(j, 'mean');
    const scale = numberArray(j, 'scale', mean.length);
    const scaler = new StandardScaler({ withMean: j.withMean !== false, withStd: j.withStd !== false });
    scaler.state = { mean: Float64Array.from(mean), scale: Float64Array.from(scale) };
    return scaler;
  }
}
