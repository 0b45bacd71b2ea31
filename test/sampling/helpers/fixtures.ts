import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/sampling');

/** Reads a fixture written by scripts/fixtures/sampling.py. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T;
}

/** ROC-AUC by the rank-sum formula (ties get their mean rank); positives score higher. */
export function rocAucRef(isPositive: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (score[a] as number) - (score[b] as number));
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1] as number] === score[order[i] as number]) j++;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) if (isPositive[i]) { pos++; sum += ranks[i] as number; }
  const neg = n - pos;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}
