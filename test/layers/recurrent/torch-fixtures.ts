/** Loads the PyTorch fixtures written by scripts/fixtures/torch_recurrent.py and compares tensors to them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export const TORCH_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/torch');

/** Nested arrays of numbers, as PyTorch's `tolist()` writes them. */
export type Nested = number | Nested[];

/** One direction of one layer in the op layout of recurrent-types.ts. */
export interface DirectionLayout {
  kernel: number[][];
  recurrentKernel: number[][];
  inputBias?: number[];
  recurrentBias?: number[];
  bias?: number[];
}

export interface RecurrentCase {
  module: 'GRU' | 'LSTM';
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  file: string;
  x: number[][][];
  outputWeights: number[][][];
  output: number[][][];
  h_n: number[][][];
  c_n?: number[][][];
  h0?: number[][][];
  c0?: number[][][];
  grads: Record<string, Nested>;
  layout?: { forward: DirectionLayout; backward?: DirectionLayout };
  layoutGrads?: { forward: DirectionLayout; backward?: DirectionLayout };
}

export function recurrentCases(): Record<string, RecurrentCase> {
  const raw = JSON.parse(readFileSync(path.join(TORCH_FIXTURES, 'recurrent.json'), 'utf8')) as { cases: Record<string, RecurrentCase> };
  return raw.cases;
}

export function recurrentCase(name: string): RecurrentCase {
  const found = recurrentCases()[name];
  if (found === undefined) throw new Error(`no fixture case ${name}`);
  return found;
}

export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(TORCH_FIXTURES, file)));
}

function flatten(value: Nested, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(value);
  return out;
}

function shapeOf(value: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as Nested;
  }
  return shape;
}

/** Asserts same shape and max |actual - expected| <= tol; reports the worst element. */
export function expectClose(actual: tf.Tensor, expected: Nested, tol: number, what = 'tensor'): void {
  expect(actual.shape, `${what} shape`).toEqual(shapeOf(expected));
  const a = actual.dataSync();
  const e = flatten(expected);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const d = Math.abs((a[i] as number) - (e[i] as number));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `${what}: max abs error at flat index ${at}`).toBeLessThanOrEqual(tol);
}

/** Slices `[..., from:to]` of a nested `[b][t][u]` array. */
export function lastAxisSlice(value: number[][][], from: number, to: number): number[][][] {
  return value.map((row) => row.map((v) => v.slice(from, to)));
}
