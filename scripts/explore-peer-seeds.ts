/**
 * Exploratory (quoted in docs/guides/paper-rescae-bigru.md): the CICIDS2017 peer methods of issue 9
 * (scikit-learn random forest, and random forest + SMOTE-Tomek) with seeds 0-9 on the guides' split
 * and the Detector's features (the same settings as the baselines of scripts/eval.ts, whose seed-0
 * row they reproduce), to see the spread of the peer method itself on this split.
 *
 * usage: npx tsx scripts/explore-peer-seeds.ts [first seed] [end seed]   (default 0 10; ~30 s per seed, one core)
 */
import 'flowsentry/register';
import { runPythonOnFeatures } from './cicids-features.js';

if ((await runPythonOnFeatures('peer_seeds.py', [process.argv[2] ?? '0', process.argv[3] ?? '10'])) !== 0) process.exitCode = 1;
