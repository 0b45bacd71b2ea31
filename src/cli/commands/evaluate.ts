import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { confusionMatrixSvg, reportToMarkdown } from '../../metrics/index.js';
import { loadDetector } from '../../pipeline/index.js';
import { choice, required, type CliCommand } from '../args.js';
import { DATASETS, loadDataset, type LabelMode } from '../datasets.js';
import { formatReport } from '../table.js';
import { noteUnknown } from './train.js';

/** `flowsentry evaluate`: scores a labelled test set with a saved detector. */
export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  summary: 'score a labelled test set with a saved detector (per-class table, --json, --report)',
  usage: 'flowsentry evaluate --model <dir> --dataset <name> --test <path> [--json] [--report <dir>]',
  options: {
    model: { type: 'string', value: '<dir>', help: 'a directory written by `flowsentry train` (a Detector or DetectorEnsemble save)' },
    dataset: { type: 'string', value: '<name>', help: `one of ${DATASETS.join(', ')}` },
    test: { type: 'string', value: '<path>', help: 'test file or folder' },
    labels: { type: 'string', value: '<mode>', help: 'classes, category or binary: as at training (default classes)' },
    json: { type: 'boolean', help: 'print accuracy, weightedF1, macroF1, perClass and the confusion matrix as JSON' },
    report: { type: 'string', value: '<dir>', help: 'write report.md and confusion.svg into this directory' },
  },
  async run(values) {
    const dir = required(values, 'model', 'a saved detector directory');
    const dataset = choice(values, 'dataset', DATASETS);
    const testPath = required(values, 'test', 'a test file or folder');
    const labels = choice<LabelMode>(values, 'labels', ['classes', 'category', 'binary'], 'classes');
    const detector = await loadDetector(dir);
    const test = await loadDataset(dataset, testPath, labels);
    const r = detector.evaluate(test);
    if (values.json === true) {
      console.log(JSON.stringify({ accuracy: r.accuracy, weightedF1: r.weighted.f1, macroF1: r.macro.f1, perClass: r.perClass, confusionMatrix: r.confusion }, null, 1));
    } else {
      console.log(`${test.rows} flows from ${testPath}`);
      console.log(formatReport(r));
    }
    noteUnknown(detector, values.json === true ? console.error : console.log);
    if (typeof values.report === 'string') {
      await mkdir(values.report, { recursive: true });
      await writeFile(path.join(values.report, 'report.md'), `${reportToMarkdown(r, { title: `flowsentry evaluate: ${dataset} (${path.basename(testPath)})`, confusion: true })}\n\n![confusion matrix](confusion.svg)\n`);
      await writeFile(path.join(values.report, 'confusion.svg'), confusionMatrixSvg(r.confusion));
      (values.json === true ? console.error : console.log)(`report written to ${values.report}`);
    }
    detector.dispose();
    return 0;
  },
};
