import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { splitIndices, takeRows } from '../../data/index.js';
import { modelNames } from '../../models/index.js';
import { Detector, DetectorEnsemble, type DetectorOptions } from '../../pipeline/index.js';
import { ValueError } from '../../errors.js';
import { choice, intOption, numberOption, required, type CliCommand } from '../args.js';
import { DATASETS, loadDataset, type LabelMode } from '../datasets.js';
import { formatReport } from '../table.js';

/** Pipeline presets: `paper` is the ResCAE-BiGRU paper's recipe, `tuned` flowsentry's best settings from the guides. */
export function preset(name: 'paper' | 'tuned' | 'plain', benign: string | undefined): DetectorOptions {
  switch (name) {
    case 'paper':
      return {
        ...(benign ? { isolationForest: { classes: [benign] } } : {}),
        smoteTomek: true,
        pretrainEpochs: 5,
        optimizer: { name: 'sam-sgd', learningRate: 0.01, momentum: 0.9, rho: 0.05 },
        loss: { name: 'focal', gamma: 2 },
        schedule: 'cosine',
        batchSize: 256,
      };
    case 'tuned':
      return { featureTransform: 'log1p', optimizer: { name: 'adam', learningRate: 0.002 }, schedule: 'cosine', classWeight: 'balanced', batchSize: 128 };
    case 'plain':
      return { optimizer: { name: 'adam', learningRate: 0.001 }, batchSize: 256 };
  }
}

/** Prints the unseen categories of the last scored input (a counted fallback, never silent). */
export function noteUnknown(detector: Pick<Detector, 'lastInputReport'>, log: (s: string) => void = console.log): void {
  const unk = Object.entries(detector.lastInputReport?.unknownCategories ?? {});
  if (unk.length > 0) log(`note: unseen categories encoded as all-zero one-hot: ${unk.map(([c, n]) => `${c} ${n} rows`).join(', ')}`);
}

/** `--seeds 0,1,2` as integers (null when absent); anything else is a ValueError naming the option. */
function seedList(v: unknown): number[] | null {
  if (v === undefined) return null;
  const parts = typeof v === 'string' ? v.split(',').map((x) => x.trim()) : [];
  const seeds = parts.map(Number);
  if (parts.length === 0 || parts.some((x) => !/^-?\d+$/.test(x)) || new Set(seeds).size !== seeds.length) {
    throw new ValueError('--seeds', 'a comma-separated list of distinct integers, e.g. 0,1,2', v);
  }
  return seeds;
}

/** `flowsentry train`: fits a Detector on a dataset and saves it. */
export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'fit a detector (preprocessing + model + decision rule) on a dataset and save it',
  usage: 'flowsentry train --dataset <name> --train <path> [--test <path> | --test-split 0.3] --model <name> [--seeds 0,1,2] --out <dir>',
  options: {
    dataset: { type: 'string', value: '<name>', help: `one of ${DATASETS.join(', ')}` },
    train: { type: 'string', value: '<path>', help: 'training file or folder' },
    test: { type: 'string', value: '<path>', help: 'test file or folder (else --test-split of the training data)' },
    'test-split': { type: 'string', value: '<f>', help: 'stratified test fraction when no --test is given (default 0.3)' },
    model: { type: 'string', value: '<name>', help: `architecture: ${modelNames().join(', ')} (default rescae-bigru)` },
    preset: { type: 'string', value: '<name>', help: 'paper (iForest + SMOTE-Tomek + pre-training + focal + SAM), tuned, plain (default tuned)' },
    labels: { type: 'string', value: '<mode>', help: 'classes, category (NSL-KDD 5 groups) or binary (default classes)' },
    epochs: { type: 'string', value: '<N>', help: 'training epochs (default 20)' },
    'batch-size': { type: 'string', value: '<N>', help: 'batch size (preset default)' },
    seed: { type: 'string', value: '<N>', help: 'seed of split, resampling and training (default 0)' },
    seeds: { type: 'string', value: '<list>', help: 'train one detector per seed (e.g. 0,1,2) and save their soft-voting ensemble (argmax only); the split still uses --seed' },
    'target-fpr': { type: 'string', value: '<f>', help: 'use an anomaly threshold with this false-positive rate on benign validation flows (default: argmax)' },
    out: { type: 'string', value: '<dir>', help: 'directory to save the detector into' },
  },
  async run(values) {
    const dataset = choice(values, 'dataset', DATASETS);
    const trainPath = required(values, 'train', 'a training file or folder');
    const out = required(values, 'out', 'an output directory');
    const model = choice(values, 'model', modelNames(), 'rescae-bigru');
    const labels = choice<LabelMode>(values, 'labels', ['classes', 'category', 'binary'], 'classes');
    const presetName = choice(values, 'preset', ['paper', 'tuned', 'plain'] as const, 'tuned');
    const epochs = intOption(values, 'epochs', 20, 1);
    const seed = intOption(values, 'seed', 0);
    const testSplit = numberOption(values, 'test-split', 0.3, 0, 1);
    const seeds = seedList(values.seeds);
    if (seeds !== null && values['target-fpr'] !== undefined) throw new ValueError('--seeds', 'no --target-fpr with it (an ensemble decides by the argmax of its averaged probabilities)', values.seeds);
    let data = await loadDataset(dataset, trainPath, labels);
    console.log(`read ${data.rows} flows, ${data.cols} numeric features${data.categorical ? ` + ${data.categorical.names.length} categorical` : ''}, ${Object.keys(data.summary.classCounts).length} classes`);
    let test = typeof values.test === 'string' ? await loadDataset(dataset, values.test, labels) : null;
    if (!test) {
      const split = splitIndices(data.labels, { testSize: testSplit, seed });
      test = takeRows(data, split.test);
      data = takeRows(data, split.train);
      console.log(`stratified split (seed ${seed}): ${data.rows} train / ${test.rows} test`);
    }
    const benign = ['BENIGN', 'normal', 'Benign', 'benign'].find((b) => b in data.summary.classCounts || data.labels.includes(b));
    const fpr = values['target-fpr'] === undefined ? undefined : numberOption(values, 'target-fpr', 0.01, 0, 1);
    const options: DetectorOptions = {
      ...preset(presetName, benign),
      model,
      epochs,
      seed,
      // Test sets have categories training never saw (NSL-KDD: services); encode as zeros and count them.
      unknownCategories: 'ignore',
      ...(values['batch-size'] !== undefined ? { batchSize: intOption(values, 'batch-size', 256, 1) } : {}),
      ...(fpr !== undefined ? { decision: { targetFpr: fpr } } : {}),
      ...(model === 'rescae-bigru' ? {} : { pretrainEpochs: 0 }),
    };
    const detector = seeds === null ? new Detector(options) : DetectorEnsemble.ofSeeds(options, seeds);
    const fit = await detector.fit(data);
    if ('members' in fit) {
      console.log(`fitted ${fit.members.length} members (seeds ${seeds!.join(', ')}) in ${fit.seconds.toFixed(1)} s: ${fit.parameters} parameters in all`);
    } else {
      console.log(`fitted in ${fit.seconds.toFixed(1)} s: ${fit.parameters} parameters, ${fit.resampledRows} training rows after cleaning/resampling`);
    }
    await detector.save(out);
    const report = detector.evaluate(test);
    console.log(formatReport(report));
    noteUnknown(detector);
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, 'metrics.json'), `${JSON.stringify({ dataset, model, preset: presetName, epochs, seed, ...(seeds !== null ? { seeds } : {}), accuracy: report.accuracy, weightedF1: report.weighted.f1, macroF1: report.macro.f1, fitSeconds: fit.seconds }, null, 1)}\n`);
    console.log(`saved to ${out}`);
    detector.dispose();
    return 0;
  },
};
