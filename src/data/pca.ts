import { ShapeError, ValueError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';
import { featureMatrix, type FeatureInput } from './transformer.js';

/** Options of {@link pca}. */
export interface PcaOptions {
  /** Number of components (default 2, for pictures). */
  nComponents?: number;
}

/** A fitted principal component analysis and the projection of its input. */
export interface PcaResult {
  /** The input rows projected on the components, `rows x nComponents`. */
  projected: DenseMatrix;
  /** Unit principal axes, one row of `cols` values per component, by decreasing variance. */
  components: number[][];
  /** Column means subtracted before projecting. */
  mean: number[];
  /** Variance along each component (ddof 1, as scikit-learn). */
  explainedVariance: number[];
  /** Fraction of the total variance along each component. */
  explainedVarianceRatio: number[];
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (in place on a copy). */
function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += (m[p * n + p] as number) ** 2;
      for (let q = p + 1; q < n; q++) off += (m[p * n + q] as number) ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * n + p] as number;
        const aqq = m[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p] as number;
          const mkq = m[k * n + q] as number;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k] as number;
          const mqk = m[q * n + k] as number;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i] as number;
  return { values, vectors: v };
}

/**
 * Principal component analysis to a few dimensions (2 by default, for a scatter plot): the
 * eigenvectors of the covariance matrix in float64, signs fixed as scikit-learn's `svd_flip` fixes
 * them (the largest-magnitude projection of each component is positive), so projections match
 * scikit-learn's `PCA(n_components).fit_transform`.
 *
 * @example
 * ```ts
 * const ds = syntheticFlows({ features: 8, seed: 0 });
 * const { projected, explainedVarianceRatio } = pca(new StandardScaler().fitTransform(ds), { nComponents: 2 });
 * [projected.rows, projected.cols]; // [2980, 2]: row-major Float32 coordinates for a scatter plot
 * explainedVarianceRatio; // share of the total variance per component, descending
 * ```
 */
export function pca(x: FeatureInput, options: PcaOptions = {}): PcaResult {
  const m = featureMatrix(x, 'x');
  const k = options.nComponents ?? 2;
  if (!Number.isInteger(k) || k < 1 || k > Math.min(m.rows, m.cols)) throw new ValueError('nComponents', `an integer in [1, min(rows, cols) = ${Math.min(m.rows, m.cols)}]`, k);
  if (m.rows < 2) throw new ShapeError('x', 'at least two rows', `${m.rows} rows`);
  const { rows, cols, data } = m;
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] = (mean[j] as number) + (data[i * cols + j] as number);
  for (let j = 0; j < cols; j++) mean[j] = (mean[j] as number) / rows;
  const cov = new Float64Array(cols * cols);
  const centred = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) centred[j] = (data[i * cols + j] as number) - (mean[j] as number);
    for (let a = 0; a < cols; a++) {
      const ca = centred[a] as number;
      if (ca === 0) continue;
      for (let b = a; b < cols; b++) cov[a * cols + b] = (cov[a * cols + b] as number) + ca * (centred[b] as number);
    }
  }
  for (let a = 0; a < cols; a++) {
    for (let b = a; b < cols; b++) {
      const v = (cov[a * cols + b] as number) / (rows - 1);
      cov[a * cols + b] = v;
      cov[b * cols + a] = v;
    }
  }
  const { values, vectors } = symmetricEigen(cov, cols);
  const order = Array.from({ length: cols }, (_, i) => i).sort((a, b) => (values[b] as number) - (values[a] as number));
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const components: number[][] = [];
  const projected = new Float32Array(rows * k);
  const explainedVariance: number[] = [];
  for (let c = 0; c < k; c++) {
    const e = order[c] as number;
    const axis = Array.from({ length: cols }, (_, j) => vectors[j * cols + e] as number);
    const proj = new Float64Array(rows);
    let best = 0;
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += ((data[i * cols + j] as number) - (mean[j] as number)) * (axis[j] as number);
      proj[i] = s;
      if (Math.abs(s) > Math.abs(best)) best = s;
    }
    const sign = best < 0 ? -1 : 1;
    components.push(axis.map((v) => v * sign));
    for (let i = 0; i < rows; i++) projected[i * k + c] = (proj[i] as number) * sign;
    explainedVariance.push(Math.max(values[e] as number, 0));
  }
  return {
    projected: { data: projected, rows, cols: k },
    components,
    mean: Array.from(mean),
    explainedVariance,
    explainedVarianceRatio: explainedVariance.map((v) => (total > 0 ? v / total : 0)),
  };
}
