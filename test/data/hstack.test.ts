import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { hstack } from '../../src/data/index.js';

describe('hstack', () => {
  it('joins row by row', () => {
    const a = { data: Float32Array.from([1, 2, 3, 4]), rows: 2, cols: 2 };
    const b = { data: Float32Array.from([9, 8]), rows: 2, cols: 1 };
    expect(hstack(a, b)).toEqual({ data: Float32Array.from([1, 2, 9, 3, 4, 8]), rows: 2, cols: 3 });
  });
  it('rejects different row counts', () => {
    expect(() => hstack({ data: new Float32Array(2), rows: 2, cols: 1 }, { data: new Float32Array(1), rows: 1, cols: 1 })).toThrow(ShapeError);
  });
});
