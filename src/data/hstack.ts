import { ShapeError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';

/**
 * Joins matrices with the same number of rows side by side (e.g. scaled numeric features and a
 * {@link OneHotEncoder}'s output), row-major.
 */
export function hstack(...parts: DenseMatrix[]): DenseMatrix {
  if (parts.length === 0) throw new ShapeError('parts', 'at least one matrix', '0 matrices');
  const rows = (parts[0] as DenseMatrix).rows;
  parts.forEach((p, k) => {
    if (p.rows !== rows) throw new ShapeError(`parts[${k}]`, `${rows} rows (as parts[0])`, `${p.rows} rows`);
  });
  const cols = parts.reduce((s, p) => s + p.cols, 0);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let o = i * cols;
    for (const p of parts) {
      data.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), o);
      o += p.cols;
    }
  }
  return { data, rows, cols };
}
