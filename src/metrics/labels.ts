import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, ValueError } from '../errors.js';

/** A class label: a string or an integer code. */
export type Label = string | number;

/** Label vectors the metrics accept: strings, numbers, or a 1-D tensor. */
export type LabelInput = readonly Label[] | ArrayLike<number> | tf.Tensor1D;

/** Reads labels into a plain array; rejects NaN and mixed strings/numbers. */
export function toLabelArray(y: LabelInput, name: string): Label[] {
  let out: Label[];
  if (y instanceof tf.Tensor) {
    if (y.rank !== 1) throw new ShapeError(name, 'a 1-D tensor', y);
    out = Array.from(y.dataSync() as ArrayLike<number>);
  } else if (Array.isArray(y) || ArrayBuffer.isView(y) || (typeof y === 'object' && y !== null && 'length' in y)) {
    out = Array.from(y as ArrayLike<Label>);
  } else {
    throw new ValueError(name, 'an array of labels or a 1-D tensor', y);
  }
  let kind: string | undefined;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    const k = typeof v;
    if ((k !== 'string' && k !== 'number') || (k === 'number' && !Number.isFinite(v as number))) {
      throw new ValueError(name, 'string or finite number labels', v, `position ${i}`);
    }
    if (kind === undefined) kind = k;
    else if (k !== kind) throw new ValueError(name, `labels all of one type (${kind})`, v, `position ${i}`);
  }
  return out;
}

/** Sorted union of the labels, as scikit-learn's `unique_labels`. */
export function uniqueLabels(...ys: Label[][]): Label[] {
  const set = new Set<Label>();
  for (const y of ys) for (const v of y) set.add(v);
  const all = [...set];
  if (all.every((v) => typeof v === 'number')) return (all as number[]).sort((a, b) => a - b);
  if (all.every((v) => typeof v === 'string')) return (all as string[]).sort();
  throw new ValueError('labels', 'y_true and y_pred labels of one type', all.slice(0, 5).join(', '));
}

/** Checks two label vectors have the same length. */
export function checkSameLength(a: unknown[], b: unknown[], nameA: string, nameB: string): void {
  if (a.length !== b.length) throw new ShapeError(nameB, `${a.length} entries (as ${nameA})`, `${b.length} entries`);
  if (a.length === 0) throw new ShapeError(nameA, 'at least one entry', '0 entries');
}
