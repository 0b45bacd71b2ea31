/**
 * Exploratory (quoted in docs/guides/paper-rescae-bigru.md): the CICIDS2017 peer methods of issue 9
 * (scikit-learn random forest, and random forest + SMOTE-Tomek) with seeds 0-9 on the guides' split
 * and the Detector's features (the same settings as the baselines of scripts/eval.ts, whose seed-0
 * row they reproduce), to see the spread of the peer method itself on this split.
 *
 * usage: npx tsx scripts/explore-peer-seeds.ts [first seed] [end seed]   (default 0 10; ~30 s per seed, one core)
 */
import 'flowsentry/register';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cicidsFeatures } from './cicids-features.js';

const { test, a, b, classes, yTrain } = await cicidsFeatures();
const dir = mkdtempSync(path.join(tmpdir(), 'flowsentry-peers-'));
try {
  const raw = (m: { data: Float32Array }) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  writeFileSync(path.join(dir, 'cicids_train.f32'), raw(a));
  writeFileSync(path.join(dir, 'cicids_test.f32'), raw(b));
  writeFileSync(path.join(dir, 'cicids.json'), JSON.stringify({ cols: a.cols, yTrain: Array.from(yTrain), yTest: test.labels.map((l) => classes.indexOf(l)) }));
  const script = fileURLToPath(new URL('peer_seeds.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, dir, process.argv[2] ?? '0', process.argv[3] ?? '10'], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
