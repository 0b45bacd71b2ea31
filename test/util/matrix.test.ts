import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { toMatrix } from '../../src/util/matrix.js';
import { expectNoLeaks } from '../helpers/leaks.js';

describe('toMatrix', () => {
  it('reads the three accepted forms into the same row-major matrix', async () => {
    const rows = [[1, 2, 3], [4, 5, 6]];
    const fromArrays = toMatrix(rows);
    expect(fromArrays).toEqual({ data: Float32Array.from([1, 2, 3, 4, 5, 6]), rows: 2, cols: 3 });
    const t = tf.tensor2d(rows);
    const fromTensor = await expectNoLeaks(() => toMatrix(t));
    t.dispose();
    expect(fromTensor).toEqual(fromArrays);
    const dense = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), rows: 2, cols: 3 };
    expect(toMatrix(dense)).toBe(dense);
  });

  it('names the argument, the expectation and the culprit on bad input', () => {
    expect(() => toMatrix([[1, 2], [3]], 'features')).toThrow(ShapeError);
    expect(() => toMatrix([[1, 2], [3]], 'features')).toThrow(/features: expected every row to have 2 values/);
    expect(() => toMatrix([[1, Number.NaN]], 'X')).toThrow(/X: expected finite values, received NaN \(row 0, column 1\)/);
    expect(() => toMatrix([], 'X')).toThrow(/at least one row/);
    expect(() => toMatrix({ data: new Float32Array(5), rows: 2, cols: 3 }, 'X')).toThrow(/rows \* cols = 6/);
    expect(() => toMatrix('nope' as never, 'X')).toThrow(ValueError);
  });

  it('can allow NaN and empty input when asked', () => {
    expect(toMatrix([[Number.NaN]], 'X', { finite: false }).rows).toBe(1);
    expect(toMatrix([], 'X', { nonEmpty: false }).rows).toBe(0);
  });
});
