/**
 * How far can any classifier of these features go on the guides' CICIDS2017 test split? Flows whose
 * feature vectors (the Detector's one-hot + Min-Max features, rounded to 6 decimals) are identical
 * but labelled differently cannot all be right: the best any function of the features can do is the
 * most frequent test label of each distinct vector. That oracle (it reads the test labels, so it is
 * an upper bound, not a method) gives the ceiling quoted in docs/guides/paper-rescae-bigru.md. Also
 * printed: how many test flows have a vector that occurs in the training rows, and how often the
 * training rows' majority label of that vector is right.
 *
 * usage: npx tsx scripts/cicids-ceiling.ts   (~20 s)
 */
import 'flowsentry/register';
import { classificationReport } from '../src/metrics/index.js';
import { cicidsFeatures } from './cicids-features.js';

const { train, test, a, b } = await cicidsFeatures();

const keys = (m: { data: Float32Array; rows: number; cols: number }): string[] =>
  Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols), (v) => Math.round(v * 1e6)).join(','));

/** The most frequent label of each distinct key (ties: the label seen first). */
function majority(k: string[], labels: readonly string[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  k.forEach((key, i) => {
    const c = counts.get(key) ?? new Map<string, number>();
    c.set(labels[i]!, (c.get(labels[i]!) ?? 0) + 1);
    counts.set(key, c);
  });
  const out = new Map<string, string>();
  for (const [key, c] of counts) out.set(key, [...c.entries()].reduce((best, e) => (e[1] > best[1] ? e : best))[0]);
  return out;
}

const kTrain = keys(a);
const kTest = keys(b);
const oracle = majority(kTest, test.labels);
const r = classificationReport(test.labels, kTest.map((k) => oracle.get(k)!));
console.log(`test flows ${test.rows}, distinct feature vectors ${oracle.size}`);
console.log(`ceiling (most frequent test label per vector): accuracy ${r.accuracy.toFixed(4)}, weighted F1 ${r.weighted.f1.toFixed(4)}, macro F1 ${r.macro.f1.toFixed(4)}`);
for (const c of r.perClass) if (c.f1 < 1) console.log(`  ${c.label}: F1 ${c.f1.toFixed(4)} (${c.support} flows)`);

const fromTrain = majority(kTrain, train.labels);
const seen = kTest.map((k, i) => [fromTrain.get(k), test.labels[i]] as const).filter(([p]) => p !== undefined);
console.log(`test flows whose vector occurs in the training rows: ${seen.length}; the training rows' majority label is right for ${(seen.filter(([p, t]) => p === t).length / seen.length).toFixed(4)} of them`);
const byClass = new Map<string, [number, number]>();
test.labels.forEach((l, i) => {
  const e = byClass.get(l) ?? [0, 0];
  e[1]++;
  if (fromTrain.has(kTest[i]!)) e[0]++;
  byClass.set(l, e);
});
for (const [l, [s, n]] of byClass) if (s > 0) console.log(`  ${l}: ${s} of ${n} seen in training`);
