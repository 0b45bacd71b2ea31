/**
 * Exploratory (quoted in docs/guides/paper-rescae-bigru.md): choosing the CICIDS2017 MLP pipeline's
 * settings on a validation split carved from the *training* rows only, so the test split plays no
 * part in the choice. The guides' 70 % training split is split again, stratified 80 / 20 (seed 1);
 * every candidate Detector is fitted on the 80 % with model seeds 0, 1, 2 (the same inner split for
 * all, so candidates are compared pairwise) and scored on the 20 %.
 *
 * usage: npx tsx scripts/explore-validation.ts [candidate-name-regex]   (~2-4 min per fit, one core)
 */
import 'flowsentry/register';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src/backend.js';
import { loadCicids2017, splitIndices, takeRows } from '../src/data/index.js';
import { Detector, type DetectorOptions } from '../src/pipeline/index.js';

await selectBackend({});
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.env['FLOWSENTRY_DATA'] ?? path.resolve(repoRoot, '../shared/data');
const cic = await loadCicids2017(path.join(dataDir, 'cicids2017-improved-sample'));
const outer = splitIndices(cic.labels, { testSize: 0.3, seed: 0 });
const train = takeRows(cic, outer.train);
const inner = splitIndices(train.labels, { testSize: 0.2, seed: 1 });
const fitRows = takeRows(train, inner.train);
const valRows = takeRows(train, inner.test);

const base: DetectorOptions = { model: 'mlp', optimizer: { name: 'adam', learningRate: 0.001 }, batchSize: 200, epochs: 200, unknownCategories: 'ignore', verbose: 'silent' };
const candidates: Record<string, DetectorOptions> = {
  'scikit-learn settings': base,
  'log1p': { ...base, featureTransform: 'log1p' },
  '(256, 128) units': { ...base, modelOptions: { hiddenUnits: [256, 128] } },
  'cosine schedule': { ...base, schedule: 'cosine' },
  'SAM over Adam': { ...base, optimizer: { name: 'sam-adam', learningRate: 0.001 } },
  'SMOTE-Tomek': { ...base, smoteTomek: true },
  // Second round, after the six above: the two best on the validation rows combined.
  'SMOTE-Tomek + SAM over Adam': { ...base, smoteTomek: true, optimizer: { name: 'sam-adam', learningRate: 0.001 } },
  'SMOTE-Tomek + log1p': { ...base, smoteTomek: true, featureTransform: 'log1p' },
};
const pick = process.argv[2] ? new RegExp(process.argv[2]) : null;
const seeds = (process.env['SEEDS'] ?? '0,1,2').split(',').map(Number);
console.log(`inner split: ${fitRows.rows} fit rows, ${valRows.rows} validation rows`);
for (const [name, options] of Object.entries(candidates)) {
  if (pick && !pick.test(name)) continue;
  const w: number[] = [];
  const m: number[] = [];
  for (const seed of seeds) {
    const det = new Detector({ ...options, seed });
    const t0 = performance.now();
    await det.fit(fitRows);
    const r = det.evaluate(valRows);
    det.dispose();
    w.push(r.weighted.f1);
    m.push(r.macro.f1);
    console.log(`${name}, seed ${seed}: weighted F1 ${r.weighted.f1.toFixed(4)}, macro F1 ${r.macro.f1.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  console.log(`== ${name}: mean weighted F1 ${mean(w).toFixed(4)}, mean macro F1 ${mean(m).toFixed(4)}`);
}
