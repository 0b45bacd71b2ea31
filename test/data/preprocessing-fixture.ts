import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** test/fixtures/data/preprocessing.json, written by scripts/fixtures/data.py with scikit-learn. */
export interface PreprocessingFixture {
  train: number[][];
  test: number[][];
  minMax: { transform: number[][]; dataMin: number[]; dataMax: number[] };
  minMaxRange: { transform: number[][] };
  standard: { transform: number[][]; mean: number[]; scale: number[] };
  oneHot: { train: string[][]; test: string[][]; categories: string[][]; transform: number[][]; featureNames: string[] };
  label: { labels: string[]; classes: string[]; codes: number[] };
  pca: { x: number[][]; transform: number[][]; explainedVarianceRatio: number[] };
}

export const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/data/preprocessing.json', import.meta.url)), 'utf8'),
) as PreprocessingFixture;

/** Largest absolute difference between a row-major Float32Array and nested rows. */
export function maxAbsDiff(data: ArrayLike<number>, expected: number[][]): number {
  const cols = expected[0]?.length ?? 0;
  let worst = 0;
  expected.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs((data[i * cols + j] as number) - v)))));
  return worst;
}
