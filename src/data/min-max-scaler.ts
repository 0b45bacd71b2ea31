import { ValueError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';
import { featureMatrix, checkCols, checkJson, numberArray, requireFitted, type Transformer, type FeatureInput } from './transformer.js';

/** Options of {@link MinMaxScaler}. */
export interface MinMaxScalerOptions {
  /** Target range `[min, max]` (default `[0, 1]`). */
  featureRange?: [number, number];
  /** Clip transformed values to `featureRange` (default false, as scikit-learn). */
  clip?: boolean;
}

/** The JSON form of a fitted {@link MinMaxScaler}. */
export interface MinMaxScalerJSON {
  /** Always `'MinMaxScaler'`; `fromJSON` rejects any other value. */
  className: 'MinMaxScaler';
  /** Target range `[min, max]` the scaler maps the training range onto. */
  featureRange: [number, number];
  /** Whether `transform` clips its output to `featureRange`. */
  clip: boolean;
  /** Per-column minimum seen at fit (scikit-learn `data_min_`). */
  dataMin: number[];
  /** Per-column maximum seen at fit (scikit-learn `data_max_`). */
  dataMax: number[];
}

/**
 * Scales each column to `featureRange` from its training min and max, as scikit-learn's
 * MinMaxScaler: `x * scale + min` with `scale = (hi - lo) / (dataMax - dataMin)`; a constant
 * column gets scale `hi - lo` (scikit-learn's zero-range rule). Parameters in float64.
 *
 * @example
 * ```ts
 * const scaler = new MinMaxScaler({ featureRange: [-1, 1] });
 * scaler.fitTransform([[0, 10], [5, 20], [10, 30]]).data; // [-1, -1, 0, 0, 1, 1]
 * scaler.transform([[20, 0]]).data; // [3, -2]: outside the training range (no `clip`)
 * const restored = MinMaxScaler.fromJSON(JSON.parse(JSON.stringify(scaler)));
 * ```
 */
export class MinMaxScaler implements Transformer<FeatureInput, DenseMatrix, MinMaxScalerJSON> {
  /** Class tag `'MinMaxScaler'`, the `className` of the JSON form written by `toJSON`. */
  static readonly className = 'MinMaxScaler';
  /** Target range `[min, max]` of the transformed columns (option `featureRange`, default `[0, 1]`). */
  readonly featureRange: [number, number];
  /** Whether `transform` clips to `featureRange` values outside the training range (option `clip`, default false). */
  readonly clip: boolean;
  private state: { dataMin: Float64Array; dataMax: Float64Array; scale: Float64Array; min: Float64Array } | undefined;

  constructor(options: MinMaxScalerOptions = {}) {
    const r = options.featureRange ?? [0, 1];
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1])) {
      throw new ValueError('featureRange', '[min, max] with finite min < max', r);
    }
    this.featureRange = [r[0], r[1]];
    this.clip = options.clip ?? false;
  }

  /** Per-column training minimum. */
  get dataMin(): Float64Array {
    return requireFitted(this.state, 'MinMaxScaler', 'dataMin').dataMin;
  }

  /** Per-column training maximum. */
  get dataMax(): Float64Array {
    return requireFitted(this.state, 'MinMaxScaler', 'dataMax').dataMax;
  }

  fit(x: FeatureInput): this {
    const m = featureMatrix(x, 'x');
    const dataMin = new Float64Array(m.cols).fill(Infinity);
    const dataMax = new Float64Array(m.cols).fill(-Infinity);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) {
        const v = m.data[i * m.cols + j] as number;
        if (v < (dataMin[j] as number)) dataMin[j] = v;
        if (v > (dataMax[j] as number)) dataMax[j] = v;
      }
    }
    this.setState(dataMin, dataMax);
    return this;
  }

  transform(x: FeatureInput): DenseMatrix {
    const s = requireFitted(this.state, 'MinMaxScaler', 'transform');
    const m = featureMatrix(x, 'x');
    checkCols('x', s.scale.length, m.cols);
    const out = new Float32Array(m.data.length);
    const [lo, hi] = this.featureRange;
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) {
        let v = (m.data[i * m.cols + j] as number) * (s.scale[j] as number) + (s.min[j] as number);
        if (this.clip) v = v < lo ? lo : v > hi ? hi : v;
        out[i * m.cols + j] = v;
      }
    }
    return { data: out, rows: m.rows, cols: m.cols };
  }

  fitTransform(x: FeatureInput): DenseMatrix {
    return this.fit(x).transform(x);
  }

  /** Undoes `transform`. */
  inverseTransform(x: FeatureInput): DenseMatrix {
    const s = requireFitted(this.state, 'MinMaxScaler', 'inverseTransform');
    const m = featureMatrix(x, 'x');
    checkCols('x', s.scale.length, m.cols);
    const out = new Float32Array(m.data.length);
    for (let i = 0; i < m.data.length; i++) {
      const j = i % m.cols;
      out[i] = ((m.data[i] as number) - (s.min[j] as number)) / (s.scale[j] as number);
    }
    return { data: out, rows: m.rows, cols: m.cols };
  }

  toJSON(): MinMaxScalerJSON {
    const s = requireFitted(this.state, 'MinMaxScaler', 'toJSON');
    return { className: 'MinMaxScaler', featureRange: [...this.featureRange], clip: this.clip, dataMin: Array.from(s.dataMin), dataMax: Array.from(s.dataMax) };
  }

  /**
   * Rebuilds a fitted MinMaxScaler from the output of `toJSON` (e.g. after `JSON.parse`), recomputing `scale` and `min` from `dataMin` and `dataMax`.
   * @param json - A MinMaxScalerJSON object.
   * @returns A fitted MinMaxScaler equal to the one serialised.
   * @throws ValueError if `json` is not a valid MinMaxScalerJSON (names the bad field).
   */
  static fromJSON(json: unknown): MinMaxScaler {
    const j = checkJson(json, 'MinMaxScaler');
    const dataMin = numberArray(j, 'dataMin');
    const dataMax = numberArray(j, 'dataMax', dataMin.length);
    const scaler = new MinMaxScaler({ featureRange: numberArray(j, 'featureRange', 2) as [number, number], clip: j.clip === true });
    scaler.setState(Float64Array.from(dataMin), Float64Array.from(dataMax));
    return scaler;
  }

  private setState(dataMin: Float64Array, dataMax: Float64Array): void {
    const [lo, hi] = this.featureRange;
    const scale = new Float64Array(dataMin.length);
    const min = new Float64Array(dataMin.length);
    for (let j = 0; j < dataMin.length; j++) {
      const range = (dataMax[j] as number) - (dataMin[j] as number);
      scale[j] = (hi - lo) / (range === 0 ? 1 : range);
      min[j] = lo - (dataMin[j] as number) * (scale[j] as number);
    }
    this.state = { dataMin, dataMax, scale, min };
  }
}
