/**
 * Exploratory (quoted in docs/guides/paper-rescae-bigru.md): two ideas for the CICIDS2017 pipeline
 * screened with PyTorch and scikit-learn before building either into flowsentry: averaging the MLP's
 * class probabilities with a random forest's (or extra trees'), and a quantile or standard scaling
 * in place of Min-Max. See scripts/screen_alternatives.py for what each mode fits and prints.
 *
 * usage: npx tsx scripts/explore-alternatives.ts forest-average <val|test> [first seed] [end seed]
 *        npx tsx scripts/explore-alternatives.ts transforms [first seed] [end seed]
 * (default seeds 0 3; ~1 min per seed and mode on one core)
 */
import 'flowsentry/register';
import { runPythonOnFeatures } from './cicids-features.js';

const [mode, ...rest] = process.argv.slice(2);
const args = mode === 'forest-average' ? [mode, rest[0] ?? 'val', rest[1] ?? '0', rest[2] ?? '3'] : [mode ?? 'transforms', rest[0] ?? '0', rest[1] ?? '3'];
if ((await runPythonOnFeatures('screen_alternatives.py', args)) !== 0) process.exitCode = 1;
