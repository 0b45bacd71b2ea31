import { ShapeError, ValueError } from '../errors.js';

// A class label (number | string): the same type metrics exports, reused so the API reference
// has one documented `Label`.
import type { Label } from '../metrics/labels.js';
export type { Label };

/** The label vectors samplers accept; they return the same kind they were given. */
export type LabelArray = number[] | Int32Array | string[];

/** Labels encoded as dense class codes (index into `classes`, which is sorted as numpy sorts). */
export interface EncodedLabels {
  /** Class code of every row. */
  codes: Int32Array;
  /** The distinct labels, sorted (numbers ascending, strings by code unit). */
  classes: Label[];
  /** Number of rows of each class, aligned with `classes`. */
  counts: number[];
  /** The kind of the input, so the output can be returned in the same kind. */
  kind: 'number' | 'int32' | 'string';
}

/** Encodes `y` into class codes; `rows` (when given) must equal its length. */
export function encodeLabels(y: LabelArray, rows?: number, name = 'y'): EncodedLabels {
  let kind: EncodedLabels['kind'];
  if (y instanceof Int32Array) kind = 'int32';
  else if (Array.isArray(y)) kind = y.length > 0 && typeof y[0] === 'string' ? 'string' : 'number';
  else throw new ValueError(name, 'number[], Int32Array or string[]', y);
  const n = y.length;
  if (n === 0) throw new ShapeError(name, 'at least one label', 'an empty array');
  if (rows !== undefined && n !== rows) throw new ShapeError(name, `${rows} labels (one per row of X)`, `${n} labels`);
  const distinct = new Set<Label>();
  for (let i = 0; i < n; i++) {
    const v = y[i] as Label;
    if (kind === 'string' ? typeof v !== 'string' : typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValueError(name, kind === 'string' ? 'string labels only' : 'finite numeric labels only', v, `index ${i}`);
    }
    distinct.add(v);
  }
  const classes = [...distinct];
  if (kind === 'string') classes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  else classes.sort((a, b) => (a as number) - (b as number));
  const index = new Map<Label, number>();
  classes.forEach((c, i) => index.set(c, i));
  const codes = new Int32Array(n);
  const counts = new Array<number>(classes.length).fill(0);
  for (let i = 0; i < n; i++) {
    const c = index.get(y[i] as Label) as number;
    codes[i] = c;
    counts[c] = (counts[c] as number) + 1;
  }
  return { codes, classes, counts, kind };
}

/** Decodes class codes back into labels of the kind `encoded` was made from. */
export function decodeLabels<Y extends LabelArray>(codes: ArrayLike<number>, encoded: EncodedLabels): Y {
  const n = codes.length;
  if (encoded.kind === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = encoded.classes[codes[i] as number] as number;
    return out as Y;
  }
  const out = new Array<Label>(n);
  for (let i = 0; i < n; i++) out[i] = encoded.classes[codes[i] as number] as Label;
  return out as Y;
}

/** Finds the code of `label` (a record key may be the string form of a numeric label). */
export function codeOf(encoded: EncodedLabels, label: Label): number {
  for (let i = 0; i < encoded.classes.length; i++) {
    const c = encoded.classes[i] as Label;
    if (c === label || String(c) === String(label)) return i;
  }
  return -1;
}
