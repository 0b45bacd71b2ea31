/**
 * Train, save and score a Detector from the command line: writes generated flows as a
 * CICIDS2017-style CSV, then runs `flowsentry train` and pipes new flows into `flowsentry score`.
 * In your project the commands are `npx flowsentry train ...` and `npx flowsentry score ...`; from
 * a source checkout this runs src/cli/main.ts with tsx.
 * Run: npx tsx examples/detector-cli.ts [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { syntheticFlows, type FlowDataset } from 'flowsentry';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const quick = values.quick ?? false;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'flowsentry-cli-'));

function toCsv(d: FlowDataset, withLabel: boolean): string {
  const lines = [[...d.featureNames, ...(withLabel ? ['Label'] : [])].join(',')];
  for (let i = 0; i < d.rows; i++) {
    const row = Array.from(d.features.subarray(i * d.cols, (i + 1) * d.cols), String);
    if (withLabel) row.push(d.labels[i] ?? '');
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

const flows = (seed: number, scale: number): FlowDataset =>
  syntheticFlows({
    classes: [
      { name: 'BENIGN', size: 400 * scale },
      { name: 'DoS', size: 100 * scale },
      { name: 'PortScan', size: 50 * scale },
    ],
    seed,
  });
writeFileSync(path.join(dir, 'train.csv'), toCsv(flows(11, quick ? 1 : 5), true));
const fresh = flows(11, 1); // same class centres (same seed): traffic of the same network, later
writeFileSync(path.join(dir, 'new-flows.csv'), toCsv({ ...fresh, rows: 10 }, false));

const cli = (args: string[], input?: string): string => {
  console.log(`$ flowsentry ${args.join(' ')}${input !== undefined ? ' < new-flows.csv' : ''}`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'src/cli/main.ts'), ...args], {
    cwd: dir,
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error(`flowsentry ${args[0]} exited with ${r.status}`);
  return r.stdout;
};

try {
  cli(['train', '--dataset', 'cicids2017', '--train', 'train.csv', '--test-split', '0.3', '--model', 'mlp', '--epochs', quick ? '2' : '20', '--seed', '1', '--out', 'detector']);
  const scored = cli(['score', '--model', 'detector'], readFileSync(path.join(dir, 'new-flows.csv'), 'utf8'));
  const lines = scored.trim().split('\n').filter((l) => /^[^,]+,[^,]+$/.test(l));
  console.log(`scored ${lines.length} flows; true labels were ${fresh.labels.slice(0, 10).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
