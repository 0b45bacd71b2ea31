import { NotFittedError, ShapeError, ValueError } from '../errors.js';
import { toMatrix, type DenseMatrix, type MatrixLike, type ToMatrixOptions } from '../util/matrix.js';
import type { FlowDataset } from './dataset.js';

/** What the numeric transformers accept: any matrix, or a dataset (its `features`). */
export type FeatureInput = MatrixLike | Pick<FlowDataset, 'features' | 'rows' | 'cols'>;

/** {@link toMatrix} that also takes a {@link FlowDataset}. */
export function featureMatrix(x: FeatureInput, name: string, options: ToMatrixOptions = {}): DenseMatrix {
  const d = x as Partial<FlowDataset>;
  if (d !== null && typeof d === 'object' && d.features instanceof Float32Array && typeof d.rows === 'number' && typeof d.cols === 'number') {
    return toMatrix({ data: d.features, rows: d.rows, cols: d.cols }, name, options);
  }
  return toMatrix(x as MatrixLike, name, options);
}

/**
 * The contract every preprocessing step follows, so a saved pipeline can reapply it:
 * `fit` on training data only, `transform` anything later, `toJSON` to plain JSON and a static
 * `fromJSON` to rebuild it.
 */
export interface Transformer<In, Out, Json> {
  /** Learns the parameters from training data; returns this. */
  fit(x: In): this;
  /** Applies the learned parameters. */
  transform(x: In): Out;
  /** `fit(x)` then `transform(x)`. */
  fitTransform(x: In): Out;
  /** The fitted state as plain JSON (`JSON.stringify`-safe). */
  toJSON(): Json;
}

/** Throws NotFittedError when `state` is undefined; returns it otherwise. */
export function requireFitted<T>(state: T | undefined, estimator: string, method: string): T {
  if (state === undefined) throw new NotFittedError(estimator, method);
  return state;
}

/** Throws a ShapeError when `cols` differs from the fitted number of columns. */
export function checkCols(argument: string, fitted: number, cols: number): void {
  if (cols !== fitted) throw new ShapeError(argument, `${fitted} columns (as at fit)`, `${cols} columns`);
}

/** Checks that `json` is an object whose `className` is `className`. */
export function checkJson(json: unknown, className: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || (json as { className?: unknown }).className !== className) {
    throw new ValueError('json', `the toJSON() output of a ${className}`, json);
  }
  return json as Record<string, unknown>;
}

/** Reads a finite-number array field from JSON. */
export function numberArray(json: Record<string, unknown>, field: string, length?: number): number[] {
  const v = json[field];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)) || (length !== undefined && v.length !== length)) {
    throw new ValueError(`json.${field}`, `an array of ${length ?? 'some'} finite numbers`, v);
  }
  return v as number[];
}
