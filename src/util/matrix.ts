import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';

/** A dense row-major float matrix. */
export interface DenseMatrix {
  /** Row-major values, `rows * cols` long. */
  data: Float32Array;
  /** Number of rows (samples). */
  rows: number;
  /** Number of columns (features). */
  cols: number;
}

/** Anything flowsentry accepts as a 2-D feature matrix. */
export type MatrixLike = tf.Tensor2D | number[][] | DenseMatrix;

/** Options for {@link toMatrix}. */
export interface ToMatrixOptions {
  /** Throw when a value is NaN or +-Infinity (default true). */
  finite?: boolean;
  /** Throw on zero rows (default true). */
  nonEmpty?: boolean;
}

/**
 * Reads a {@link MatrixLike} into a {@link DenseMatrix} (a Float32Array copy for tensors and
 * nested arrays; a DenseMatrix is returned as it is). `name` is the argument name used in errors.
 */
export function toMatrix(x: MatrixLike, name = 'X', options: ToMatrixOptions = {}): DenseMatrix {
  let m: DenseMatrix;
  if (x instanceof tf.Tensor) {
    if (x.rank !== 2) throw new ShapeError(name, 'a 2-D tensor [rows, cols]', x);
    m = { data: Float32Array.from(x.dataSync()), rows: x.shape[0], cols: x.shape[1] };
  } else if (Array.isArray(x)) {
    const rows = x.length;
    const first = x[0];
    const cols = rows > 0 && Array.isArray(first) ? first.length : 0;
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const row = x[i];
      if (!Array.isArray(row) || row.length !== cols) {
        throw new ShapeError(name, `every row to have ${cols} values (as row 0)`, row, `row ${i}`);
      }
      for (let j = 0; j < cols; j++) data[i * cols + j] = row[j] as number;
    }
    m = { data, rows, cols };
  } else if (x !== null && typeof x === 'object' && x.data instanceof Float32Array) {
    if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 0 || x.cols < 0) {
      throw new ShapeError(name, 'integer rows and cols', `rows=${x.rows}, cols=${x.cols}`);
    }
    if (x.data.length !== x.rows * x.cols) {
      throw new ShapeError(name, `data of length rows * cols = ${x.rows * x.cols}`, x.data);
    }
    m = x;
  } else {
    throw new ValueError(name, 'a Tensor2D, number[][] or { data: Float32Array, rows, cols }', x);
  }
  if ((options.nonEmpty ?? true) && m.rows === 0) throw new ShapeError(name, 'at least one row', '0 rows');
  if (options.finite ?? true) {
    const d = m.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i] as number)) {
        const row = Math.floor(i / m.cols);
        throw new ValueError(name, 'finite values', d[i], `row ${row}, column ${i - row * m.cols}`);
      }
    }
  }
  return m;
}

/** Label vectors: numbers or strings. */
export type Labels = ArrayLike<number> | readonly string[];
