import { ShapeError, ValueError } from '../errors.js';
import type { DenseMatrix } from '../util/matrix.js';
import type { CategoricalColumns } from './dataset.js';
import { checkCols, checkJson, requireFitted, type Transformer } from './transformer.js';

/** Options of {@link OneHotEncoder}. */
export interface OneHotEncoderOptions {
  /**
   * A category not seen at `fit`: `'error'` (default, as scikit-learn) throws a ValueError naming
   * row and column; `'ignore'` encodes it as all zeros in that column's block.
   */
  handleUnknown?: 'error' | 'ignore';
}

/** The JSON form of a fitted {@link OneHotEncoder}. */
export interface OneHotEncoderJSON {
  /** Always `'OneHotEncoder'`; `fromJSON` rejects any other value. */
  className: 'OneHotEncoder';
  /** What `transform` does with a category not seen at fit: `'error'` or `'ignore'` (all zeros). */
  handleUnknown: 'error' | 'ignore';
  /** Input column names (or `x0`, `x1`, ...). */
  names: string[];
  /** Sorted categories per input column. */
  categories: string[][];
}

/** Input of a {@link OneHotEncoder}: row-major string rows, or a dataset's categorical columns. */
export type CategoricalInput = readonly (readonly string[])[] | CategoricalColumns;

function rowsOf(x: CategoricalInput): { rows: readonly (readonly string[])[]; names: string[] | undefined } {
  if (Array.isArray(x)) return { rows: x as readonly (readonly string[])[], names: undefined };
  const c = x as CategoricalColumns;
  if (c !== null && typeof c === 'object' && Array.isArray(c.names) && Array.isArray(c.values)) return { rows: c.values, names: c.names };
  throw new ValueError('x', 'string[][] rows or { names, values }', x);
}

/**
 * One-hot encodes string columns as scikit-learn's OneHotEncoder does: categories sorted per
 * column, output blocks in column order, names `column_category`.
 *
 * @example
 * ```ts
 * const enc = new OneHotEncoder({ handleUnknown: 'ignore' });
 * enc.fit([['tcp', 'http'], ['udp', 'dns'], ['tcp', 'dns']]);
 * enc.featureNamesOut(); // ['x0_tcp', 'x0_udp', 'x1_dns', 'x1_http']
 * enc.transform([['udp', 'ssh']]).data; // [0, 1, 0, 0]: unseen 'ssh' encodes as zeros
 * ```
 */
export class OneHotEncoder implements Transformer<CategoricalInput, DenseMatrix, OneHotEncoderJSON> {
  /** Class tag `'OneHotEncoder'`, the `className` of the JSON form written by `toJSON`. */
  static readonly className = 'OneHotEncoder';
  /** What `transform` does with a category not seen at fit: `'error'` (default) throws, `'ignore'` encodes all zeros. */
  readonly handleUnknown: 'error' | 'ignore';
  private state: { names: string[]; categories: string[][]; index: Map<string, number>[]; offsets: number[]; width: number } | undefined;

  constructor(options: OneHotEncoderOptions = {}) {
    const h = options.handleUnknown ?? 'error';
    if (h !== 'error' && h !== 'ignore') throw new ValueError('handleUnknown', "'error' or 'ignore'", h);
    this.handleUnknown = h;
  }

  /** The sorted categories of each input column. */
  get categories(): readonly (readonly string[])[] {
    return requireFitted(this.state, 'OneHotEncoder', 'categories').categories;
  }

  /** Output column names, `column_category`. */
  featureNamesOut(): string[] {
    const s = requireFitted(this.state, 'OneHotEncoder', 'featureNamesOut');
    return s.categories.flatMap((cats, j) => cats.map((c) => `${s.names[j]}_${c}`));
  }

  fit(x: CategoricalInput): this {
    const { rows, names } = rowsOf(x);
    if (rows.length === 0) throw new ShapeError('x', 'at least one row', '0 rows');
    const cols = (rows[0] as readonly string[]).length;
    const sets = Array.from({ length: cols }, () => new Set<string>());
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== cols) throw new ShapeError('x', `rows of ${cols} strings (as row 0)`, row, `row ${i}`);
      for (let j = 0; j < cols; j++) {
        const v = row[j];
        if (typeof v !== 'string') throw new ValueError('x', 'strings', v, `row ${i}, column ${j}`);
        (sets[j] as Set<string>).add(v);
      }
    });
    this.setState(names ?? Array.from({ length: cols }, (_, j) => `x${j}`), sets.map((s) => [...s].sort()));
    return this;
  }

  transform(x: CategoricalInput): DenseMatrix {
    const s = requireFitted(this.state, 'OneHotEncoder', 'transform');
    const { rows } = rowsOf(x);
    const cols = s.categories.length;
    const data = new Float32Array(rows.length * s.width);
    rows.forEach((row, i) => {
      if (!Array.isArray(row)) throw new ShapeError('x', `rows of ${cols} strings`, row, `row ${i}`);
      checkCols('x', cols, row.length);
      for (let j = 0; j < cols; j++) {
        const k = (s.index[j] as Map<string, number>).get(row[j] as string);
        if (k === undefined) {
          if (this.handleUnknown === 'ignore') continue;
          throw new ValueError('x', `a category of column '${s.names[j]}' seen at fit`, row[j], `row ${i}; handleUnknown: 'ignore' encodes it as zeros`);
        }
        data[i * s.width + (s.offsets[j] as number) + k] = 1;
      }
    });
    return { data, rows: rows.length, cols: s.width };
  }

  fitTransform(x: CategoricalInput): DenseMatrix {
    return this.fit(x).transform(x);
  }

  toJSON(): OneHotEncoderJSON {
    const s = requireFitted(this.state, 'OneHotEncoder', 'toJSON');
    return { className: 'OneHotEncoder', handleUnknown: this.handleUnknown, names: [...s.names], categories: s.categories.map((c) => [...c]) };
  }

  /**
   * Rebuilds a fitted OneHotEncoder from the output of `toJSON` (e.g. after `JSON.parse`), with its column names and sorted categories.
   * @param json - A OneHotEncoderJSON object.
   * @returns A fitted OneHotEncoder equal to the one serialised.
   * @throws ValueError if `json` is not a valid OneHotEncoderJSON (names the bad field).
   */
  static fromJSON(json: unknown): OneHotEncoder {
    const j = checkJson(json, 'OneHotEncoder');
    const { names, categories, handleUnknown } = j;
    const isStrings = (a: unknown): a is string[] => Array.isArray(a) && a.every((v) => typeof v === 'string');
    if (!isStrings(names) || !Array.isArray(categories) || categories.length !== names.length || !categories.every(isStrings)) {
      throw new ValueError('json', 'names: string[] and categories: string[][] of the same length', json);
    }
    const enc = new OneHotEncoder({ handleUnknown: handleUnknown as 'error' | 'ignore' });
    enc.setState([...names], categories.map((c) => [...c]));
    return enc;
  }

  private setState(names: string[], categories: string[][]): void {
    const offsets: number[] = [];
    let width = 0;
    for (const c of categories) {
      offsets.push(width);
      width += c.length;
    }
    this.state = { names, categories, index: categories.map((c) => new Map(c.map((v, k) => [v, k]))), offsets, width };
  }
}
