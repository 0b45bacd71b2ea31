/**
 * Reproduces the paper tables of docs/guides/paper-*.md on ../shared/data (or $FLOWSENTRY_DATA):
 * flowsentry's pipelines and scikit-learn baselines (scripts/eval_baselines.py) on the same
 * splits, in the same run. `npm run eval` = full; `npm run eval -- --quick` = the reduced CI form
 * (small stratified training subsample, 1 epoch, three pipelines); `--only <regex>`,
 * `--epochs N`, `--max-train N`, `--max-test N` tune it. Full runs merge their rows into
 * docs/guides/eval-results.json and re-render the guides from it (`--dry-run`: neither);
 * `--render` only re-renders the guides from the store.
 */
import 'flowsentry/register';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../src/backend.js';
import { loadCicids2017, loadNslKdd, splitIndices, takeRows, type FlowDataset } from '../src/data/index.js';
import { Distiller } from '../src/distill/index.js';
import { classificationReport, type ClassificationReport } from '../src/metrics/index.js';
import { lktAdnStudent } from '../src/models/index.js';
import { Detector, DetectorEnsemble, type DetectorOptions } from '../src/pipeline/index.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean' },
    only: { type: 'string' },
    epochs: { type: 'string' },
    'max-train': { type: 'string' },
    'max-test': { type: 'string' },
    'mlp-epochs': { type: 'string' },
    'student-epochs': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    render: { type: 'boolean', default: false },
  },
});
const quick = values.quick ?? false;
const epochs = Number(values.epochs ?? (quick ? 1 : 20));
const maxTrain = Number(values['max-train'] ?? (quick ? 800 : Infinity));
const maxTest = Number(values['max-test'] ?? (quick ? 1000 : Infinity));
/** The MLP is cheap: it gets its own (larger) epoch budget, shown in the tables. */
const mlpEpochs = Number(values['mlp-epochs'] ?? epochs);
/** Full runs merge their rows into the results store and rewrite the guides; --quick and --dry-run never write. */
/** The LKT-ADN student's own epoch budget (it is small, and the cached teacher logits make its epochs cheap). */
const studentEpochs = Number(values['student-epochs'] ?? (quick ? 1 : 60));
const write = !values['dry-run'] && (values.write ?? !quick);
const only = values.only ? new RegExp(values.only, 'i') : null;
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.env.FLOWSENTRY_DATA ?? path.resolve(repoRoot, '../shared/data');
const guides = path.join(repoRoot, 'docs/guides');
/**
 * Every row ever written by a full run, keyed by dataset + pipeline name: the guides are rendered
 * from this store, so separate runs (e.g. one per dataset, in parallel) add up to one set of
 * tables, and each row keeps the command, the training rows and the date it came from.
 */
const storePath = path.join(guides, 'eval-results.json');

interface Row {
  guide: 'rescae-bigru' | 'msmrnet' | 'cnn-bilstm' | 'lktadn';
  dataset: string;
  name: string;
  accuracy: number;
  weightedF1: number;
  macroF1: number;
  specificity?: number | undefined;
  parameters?: number;
  fitSeconds?: number;
  epochs?: number;
  infer5000Seconds?: number;
  report?: Pick<ClassificationReport, 'perClass'>;
  note?: string;
  /** Training rows before any resampling, and the test rows scored. */
  trainRows?: number;
  testRows?: number;
  /** The command line that produced the row, and the day. */
  command?: string;
  date?: string;
}
/** Rows of this run only. */
const rows: Row[] = [];
const key = (r: Row): string => `${r.guide}|${r.dataset}|${r.name}`;
function loadStore(): Row[] {
  if (!existsSync(storePath)) return [];
  return (JSON.parse(readFileSync(storePath, 'utf8')) as { rows: Row[] }).rows;
}
/** Merges this run's rows into the store (a row of the same guide, dataset and name is replaced) and returns all rows. */
function saveStore(): Row[] {
  const merged = new Map(loadStore().map((r) => [key(r), r]));
  for (const r of rows) merged.set(key(r), r);
  const all = [...merged.values()];
  writeFileSync(storePath, `${JSON.stringify({ note: 'Written by scripts/eval.ts; the paper guides are rendered from it.', rows: all }, null, 1)}\n`);
  return all;
}
/** Stamps a row with the run it came from. */
function stamp(r: Row, train: FlowDataset, test: FlowDataset): Row {
  return { ...r, trainRows: train.rows, testRows: test.rows, command: command(), date: new Date().toISOString().slice(0, 10) };
}

/** A stratified subsample of at most n rows (seeded), or the dataset itself. */
function cap(d: FlowDataset, n: number, seed: number): FlowDataset {
  if (!(n < d.rows)) return d;
  return takeRows(d, splitIndices(d.labels, { testSize: n, seed }).test);
}

const BENIGN = (d: FlowDataset): string => (d.labels.includes('BENIGN') ? 'BENIGN' : 'normal');

function paper(benign: string): DetectorOptions {
  return {
    model: 'rescae-bigru',
    isolationForest: { classes: [benign] },
    smoteTomek: true,
    pretrainEpochs: Math.max(1, Math.min(5, Math.round(epochs / 4))),
    optimizer: { name: 'sam-sgd', learningRate: 0.01, momentum: 0.9, rho: 0.05 },
    loss: { name: 'focal', gamma: 2 },
    schedule: 'cosine',
    batchSize: 256,
    unknownCategories: 'ignore',
  };
}
/** The name of the MLP rows trained with scikit-learn's MLPClassifier settings. */
const SKLEARN_MLP = 'MLP (128, 64), Adam 0.001, batch 200, 200 epochs';
const TUNED: DetectorOptions = {
  featureTransform: 'log1p',
  optimizer: { name: 'adam', learningRate: 0.002 },
  schedule: 'cosine',
  batchSize: 128,
  unknownCategories: 'ignore',
};

function specificity(r: ClassificationReport, benign: string): number | undefined {
  // Attack-vs-benign specificity: share of benign flows not flagged.
  const c = r.perClass.find((p) => p.label === benign);
  return c ? c.recall : undefined;
}

/** What a row records of a fit. */
interface FitFigures {
  parameters: number;
  fitSeconds: number;
  epochs: number;
}

/** Fits one Detector pipeline and records its row; null when --only skips it. */
async function fitRun(guide: Row['guide'], dataset: string, name: string, train: FlowDataset, test: FlowDataset, options: DetectorOptions, note?: string): Promise<{ det: Detector; fit: FitFigures } | null> {
  if (only && !only.test(`${dataset} ${name}`)) return null;
  console.log(`\n### ${dataset}: ${name}`);
  const det = new Detector({ epochs, ...options, seed: options.seed ?? 0, verbose: 'lines' });
  const summary = await det.fit(train);
  const fit = { parameters: summary.parameters, fitSeconds: summary.seconds, epochs: summary.history.epoch.length };
  record(guide, dataset, name, det, fit, train, test, note);
  return { det, fit };
}

async function run(guide: Row['guide'], dataset: string, name: string, train: FlowDataset, test: FlowDataset, options: DetectorOptions, note?: string): Promise<Detector | null> {
  return (await fitRun(guide, dataset, name, train, test, options, note))?.det ?? null;
}

/** Scores a fitted detector (or ensemble) on the test split and records its row. */
function record(guide: Row['guide'], dataset: string, name: string, det: Detector | DetectorEnsemble, fit: FitFigures, train: FlowDataset, test: FlowDataset, note?: string): void {
  const report = det.evaluate(test);
  const t0 = performance.now();
  det.predict(cap(test, 5000, 1));
  const infer = (performance.now() - t0) / 1000;
  rows.push(stamp({ guide, dataset, name, accuracy: report.accuracy, weightedF1: report.weighted.f1, macroF1: report.macro.f1, specificity: specificity(report, BENIGN(train)), ...fit, infer5000Seconds: (infer * 5000) / Math.min(5000, test.rows), report: { perClass: report.perClass }, ...(note ? { note } : {}) }, train, test));
  console.log(`${name}: accuracy ${report.accuracy.toFixed(4)}, weighted F1 ${report.weighted.f1.toFixed(4)}, macro F1 ${report.macro.f1.toFixed(4)} (fit ${fit.fitSeconds.toFixed(0)} s)`);
  if (write) writeGuides();
}

async function pyBaselines(sets: Record<string, { train: FlowDataset; test: FlowDataset }>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'flowsentry-eval-'));
  try {
    let any = false;
    for (const [name, { train, test }] of Object.entries(sets)) {
      if (only && !only.test(`${name} baseline`)) continue;
      // Same features as the Detector: one-hot + Min-Max fitted on the training rows.
      const prep = new Detector({ unknownCategories: 'ignore' }).fitPreprocessing(train);
      const a = prep.transform(train);
      const b = prep.transform(test);
      const classes = prep.classes;
      const code = (l: string): number => classes.indexOf(l);
      writeFileSync(path.join(dir, `${name}_train.f32`), Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength));
      writeFileSync(path.join(dir, `${name}_test.f32`), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));
      writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ cols: a.cols, yTrain: train.labels.map(code), yTest: test.labels.map(code), mlpIter: quick ? 20 : 200 }));
      prep.dispose();
      any = true;
    }
    if (!any) return;
    console.log('\n### scikit-learn baselines (same split, same features)');
    const r = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'scripts/eval_baselines.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.error(`baselines failed: ${r.stderr}`);
      return;
    }
    const res = JSON.parse(r.stdout) as Record<string, Record<string, { accuracy: number; weightedF1: number; macroF1: number; fitSeconds: number }>>;
    for (const [dataset, m] of Object.entries(res)) {
      for (const [name, s] of Object.entries(m)) {
        const split = sets[dataset]!;
        rows.push(stamp({ guide: 'rescae-bigru', dataset, name: `scikit-learn ${name}`, accuracy: s.accuracy, weightedF1: s.weightedF1, macroF1: s.macroF1, fitSeconds: s.fitSeconds }, split.train, split.test));
        console.log(`${dataset} ${name}: accuracy ${s.accuracy.toFixed(4)}, weighted F1 ${s.weightedF1.toFixed(4)}, macro F1 ${s.macroF1.toFixed(4)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const f4 = (v: number | undefined): string => (v === undefined ? '' : v.toFixed(4));
const f1s = (v: number | undefined): string => (v === undefined ? '' : v.toFixed(1));

const DATASET_ORDER = ['CICIDS2017', 'NSL-KDD binary', 'NSL-KDD 5-class'];
/** Table order: dataset, then scikit-learn rows, then flowsentry's rows by name. */
function ordered(sel: Row[]): Row[] {
  const rank = (r: Row): number => (DATASET_ORDER.indexOf(r.dataset) + 1 || 99) * 2 + (r.name.startsWith('scikit-learn') ? 0 : 1);
  return [...sel].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'en', { numeric: true }));
}

function table(rowsIn: Row[], extra: 'fit' | 'lkt' = 'fit'): string {
  if (rowsIn.length === 0) return '_(not run in this evaluation)_\n';
  const sel = extra === 'lkt' ? rowsIn : ordered(rowsIn);
  const head = extra === 'lkt'
    ? '| dataset | model | accuracy | weighted F1 | macro F1 | specificity (benign recall) | parameters | epochs | training rows | training s | inference s / 5000 flows |\n|---|---|---|---|---|---|---|---|---|---|---|'
    : '| dataset | pipeline | accuracy | weighted F1 | macro F1 | parameters | epochs | training rows | test rows | training s |\n|---|---|---|---|---|---|---|---|---|---|';
  const lines = sel.map((r) =>
    extra === 'lkt'
      ? `| ${r.dataset} | ${r.name} | ${f4(r.accuracy)} | ${f4(r.weightedF1)} | ${f4(r.macroF1)} | ${f4(r.specificity)} | ${r.parameters ?? ''} | ${r.epochs ?? ''} | ${r.trainRows ?? ''} | ${f1s(r.fitSeconds)} | ${r.infer5000Seconds === undefined ? '' : r.infer5000Seconds.toFixed(2)} |`
      : `| ${r.dataset} | ${r.name}${r.note ? ` (${r.note})` : ''} | ${f4(r.accuracy)} | ${f4(r.weightedF1)} | ${f4(r.macroF1)} | ${r.parameters ?? ''} | ${r.epochs ?? ''} | ${r.trainRows ?? ''} | ${r.testRows ?? ''} | ${f1s(r.fitSeconds)} |`,
  );
  return `${head}\n${lines.join('\n')}\n`;
}

function perClass(r: Row | undefined): string {
  if (!r?.report) return '_(not run in this evaluation)_\n';
  const lines = r.report.perClass.map((c) => `| ${c.label} | ${f4(c.precision)} | ${f4(c.recall)} | ${f4(c.f1)} | ${c.support} |`);
  return `| class | precision | recall | F1 | support |\n|---|---|---|---|---|\n${lines.join('\n')}\n`;
}

/** The command line that reproduces this run. */
function command(): string {
  return `npx tsx scripts/eval.ts${quick ? ' --quick' : ''}${values.epochs ? ` --epochs ${epochs}` : ''}${Number.isFinite(maxTrain) && !quick ? ` --max-train ${maxTrain}` : ''}${Number.isFinite(maxTest) && !quick ? ` --max-test ${maxTest}` : ''}${values['mlp-epochs'] ? ` --mlp-epochs ${mlpEpochs}` : ''}${values['student-epochs'] ? ` --student-epochs ${studentEpochs}` : ''}${values.only ? ` --only '${values.only}'` : ''}`;
}

/** The provenance paragraph of a guide: which commands (and so which subsamples and epochs) its rows come from. */
function settings(sel: Row[]): string {
  const cmds = [...new Set(sel.map((r) => r.command ?? '(unrecorded)'))];
  const dates = [...new Set(sel.map((r) => r.date ?? ''))].filter(Boolean).sort();
  return `Rendered by \`scripts/eval.ts\` from \`docs/guides/eval-results.json\` (tfjs ${tf.version_core}, backend ${tf.getBackend()}; runs of ${dates.join(', ') || 'unknown date'}). ` +
    `Each row records the command that produced it; the rows here come from ${cmds.map((c) => `\`${c}\``).join(', ')}. ` +
    'The "training rows" column gives the rows of the training split used (the whole CICIDS2017 70 % split is 17,588 rows, KDDTrain+_20Percent 25,192) before cleaning and resampling; ' +
    'the test rows are the whole 30 % split / KDDTest+ unless the command caps them (`--max-test`). ' +
    'Times are wall-clock seconds on a 2-core machine shared with other jobs: compare them only within a table.';
}

/** The issue's reference figures (measured on exactly these splits; see the guide). */
const TARGETS: { dataset: string; what: string; metric: 'accuracy' | 'weightedF1' | 'macroF1'; value: number; rows: 'rescae' | 'any' }[] = [
  { dataset: 'CICIDS2017', what: 'PyTorch reference of the paper pipeline', metric: 'accuracy', value: 0.889, rows: 'rescae' },
  { dataset: 'CICIDS2017', what: 'PyTorch reference of the paper pipeline', metric: 'weightedF1', value: 0.890, rows: 'rescae' },
  { dataset: 'CICIDS2017', what: 'PyTorch reference of the paper pipeline', metric: 'macroF1', value: 0.768, rows: 'rescae' },
  { dataset: 'NSL-KDD binary', what: 'PyTorch reference of the paper pipeline', metric: 'accuracy', value: 0.776, rows: 'rescae' },
  { dataset: 'CICIDS2017', what: 'peer: random forest + SMOTE-Tomek', metric: 'weightedF1', value: 0.987, rows: 'any' },
  { dataset: 'CICIDS2017', what: 'peer: random forest + SMOTE-Tomek', metric: 'macroF1', value: 0.985, rows: 'any' },
  { dataset: 'NSL-KDD binary', what: 'peer: MLP (128, 64)', metric: 'accuracy', value: 0.810, rows: 'any' },
  { dataset: 'NSL-KDD 5-class', what: 'peer: random forest + iForest + SMOTE-Tomek', metric: 'accuracy', value: 0.779, rows: 'any' },
  { dataset: 'NSL-KDD 5-class', what: 'peer: MLP', metric: 'macroF1', value: 0.595, rows: 'any' },
];

/** Each target against the best flowsentry row of the store (ResCAE-BiGRU rows only where the target is the paper pipeline). */
function targetsTable(stored: Row[]): string {
  const label = { accuracy: 'accuracy', weightedF1: 'weighted F1', macroF1: 'macro F1' } as const;
  // A pipeline run with several seeds (an ensemble on several seed sets) counts with its mean, not its luckiest seed.
  const groups = new Map<string, Row[]>();
  for (const r of stored) {
    const k = `${r.guide}|${r.dataset}|${withoutSeed(r.name)}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const all = [...groups.values()].map((g) => {
    if (g.length === 1) return g[0]!;
    const mean = (k: 'accuracy' | 'weightedF1' | 'macroF1'): number => g.reduce((a, r) => a + r[k], 0) / g.length;
    return { ...g[0]!, name: `${withoutSeed(g[0]!.name)} (mean of ${g.length} ${g[0]!.name.startsWith('DetectorEnsemble') ? 'ensembles on other seeds' : 'seeds'})`, accuracy: mean('accuracy'), weightedF1: mean('weightedF1'), macroF1: mean('macroF1') };
  });
  const lines = TARGETS.map((t) => {
    const cands = all.filter((r) => r.guide === 'rescae-bigru' && r.dataset === t.dataset && !r.name.startsWith('scikit-learn') && (t.rows === 'any' || r.name.startsWith('ResCAE-BiGRU') || r.name.startsWith('ablation')));
    const best = cands.reduce<Row | undefined>((b, r) => (b === undefined || r[t.metric] > b[t.metric] ? r : b), undefined);
    const v = best?.[t.metric];
    const verdict = v === undefined ? 'not run' : v >= t.value ? '**met**' : `missed by ${(t.value - v).toFixed(4)}`;
    return `| ${t.dataset} | ${t.what} | ${label[t.metric]} ${t.value.toFixed(3)} | ${best ? `${best.name} (${best.trainRows ?? '?'} training rows, ${best.epochs ?? '?'} epochs)` : ''} | ${f4(v)} | ${verdict} |`;
  });
  return `| dataset | reference | target | best flowsentry row of the store | value | verdict |\n|---|---|---|---|---|---|\n${lines.join('\n')}\n`;
}

/**
 * A row's pipeline name without its seeds: ", seed N" dropped, so the rows of one pipeline's seeds
 * share it; an ensemble's ", seeds A-B" becomes ", N members", so draws of the same ensemble on
 * other seeds share it too.
 */
const withoutSeed = (name: string): string =>
  name.replace(/, seed \d+$/, '').replace(/, seeds (\d+)-(\d+)$/, (_, a: string, b: string) => `, ${Number(b) - Number(a) + 1} members`);

/** Mean and spread of weighted and macro F1 over the seeds of one pipeline (`base`: its name without the seed). */
function seedsSummary(all: Row[], dataset: string, base: string, metrics: ('accuracy' | 'weightedF1' | 'macroF1')[] = ['weightedF1', 'macroF1']): string {
  const sel = all.filter((r) => r.dataset === dataset && withoutSeed(r.name) === base);
  if (sel.length === 0) return '(not run)';
  const label = { accuracy: 'accuracy', weightedF1: 'weighted F1', macroF1: 'macro F1' } as const;
  const stat = (k: 'accuracy' | 'weightedF1' | 'macroF1'): string => {
    const v = sel.map((r) => r[k]);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return `${label[k]} ${mean.toFixed(4)} (${Math.min(...v).toFixed(4)}-${Math.max(...v).toFixed(4)})`;
  };
  return `over ${sel.length} seed${sel.length > 1 ? 's' : ''}: ${metrics.map(stat).join(', ')}`;
}

/** Which CICIDS2017 ablation rows of the store are full size and which reduced, in words. */
function ablationSizes(sel: Row[]): string {
  const abl = sel.filter((r) => r.dataset === 'CICIDS2017' && r.name.startsWith('ablation: '));
  const full = abl.filter((r) => (r.trainRows ?? 0) >= 17588).map((r) => r.name.slice('ablation: '.length));
  const reduced = abl.filter((r) => (r.trainRows ?? 0) < 17588).map((r) => r.name.slice('ablation: '.length));
  const list = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');
  const paperRow = sel.find((r) => r.dataset === 'CICIDS2017' && r.name === 'ResCAE-BiGRU, paper recipe' && (r.trainRows ?? 0) >= 17588);
  const sign = (d: number): string => `${d >= 0 ? '+' : ''}${d.toFixed(4)}`;
  const deltas = paperRow === undefined ? '' : ` Against the full-size recipe, weighted / macro F1: ${abl.filter((r) => (r.trainRows ?? 0) >= 17588).map((r) => `${r.name.slice('ablation: '.length)} ${sign(r.weightedF1 - paperRow.weightedF1)} / ${sign(r.macroF1 - paperRow.macroF1)}`).join('; ')}.`;
  // Where the iForest cleaning of BENIGN acts: the benign flows it removes from training are the unusual ones, which the test split holds too.
  const noIf = abl.find((r) => r.name === 'ablation: without iForest' && (r.trainRows ?? 0) >= 17588);
  const benignRecall = (r: Row | undefined): number | undefined => r?.report?.perClass.find((c) => c.label === 'BENIGN')?.recall;
  const [withR, withoutR] = [benignRecall(paperRow), benignRecall(noIf)];
  const iforest = withR === undefined || withoutR === undefined ? '' : ` The iForest step removes the unusual BENIGN training flows; the test split holds such flows too, and without them in training the model calls more of them attacks: BENIGN recall ${withR.toFixed(3)} with the cleaning, ${withoutR.toFixed(3)} without (the false alarms land in the rare classes, whose precision and macro F1 suffer most).`;
  return `Ablations at full size: ${full.length > 0 ? list(full) : 'none'}; only in reduced form: ${reduced.length > 0 ? list(reduced) : 'none'} (each full-size ablation is a run of that size again).${deltas}${iforest}`;
}

/** "weighted F1 x, macro F1 y" of one stored row, or "(not run)". */
function rowFigures(all: Row[], dataset: string, name: string): string {
  const r = all.find((x) => x.dataset === dataset && x.name === name);
  return r ? `weighted F1 ${r.weightedF1.toFixed(4)}, macro F1 ${r.macroF1.toFixed(4)}` : '(not run)';
}

/** Whether any flowsentry row (seed groups by their mean) beats both CICIDS2017 peer figures, in words. */
function peerVerdict(all: Row[]): string {
  const groups = new Map<string, Row[]>();
  for (const r of all.filter((x) => x.guide === 'rescae-bigru' && x.dataset === 'CICIDS2017' && !x.name.startsWith('scikit-learn'))) {
    groups.set(withoutSeed(r.name), [...(groups.get(withoutSeed(r.name)) ?? []), r]);
  }
  const mean = (g: Row[], k: 'weightedF1' | 'macroF1'): number => g.reduce((a, r) => a + r[k], 0) / g.length;
  const both = [...groups.entries()].filter(([, g]) => mean(g, 'weightedF1') >= 0.987 && mean(g, 'macroF1') >= 0.985).map(([n]) => n);
  return both.length > 0
    ? `Beating both peer figures (weighted 0.987, macro 0.985), counting seed groups by their mean: ${both.join('; ')}.`
    : 'No row (seed groups counted by their mean) beats both peer figures (weighted 0.987, macro 0.985): see the targets table for the margins.';
}

/** Teacher against student, read off the LKT-ADN rows; the old student (global average pooling) is named when its row is the stored one. */
function lktSentence(sel: Row[]): string {
  const t = sel.find((r) => r.name === 'LKT-ADN teacher');
  const s = sel.find((r) => r.name.startsWith('LKT-ADN student'));
  if (!t || !s) return '';
  const ratio = t.parameters && s.parameters ? ` with ${(t.parameters / s.parameters).toFixed(0)} times fewer parameters` : '';
  const speed = t.infer5000Seconds && s.infer5000Seconds ? ` and ${(t.infer5000Seconds / s.infer5000Seconds).toFixed(0)} times faster inference` : '';
  return `Here the student reaches accuracy ${f4(s.accuracy)} and macro F1 ${f4(s.macroF1)} against the teacher's ${f4(t.accuracy)} / ${f4(t.macroF1)}${ratio}${speed}.`;
}

/** The paper's claim about depth, read off the MSMRNet rows when all four are there. */
function msmrSentence(sel: Row[]): string {
  const acc = (name: string): number | undefined => sel.find((r) => r.name === name)?.accuracy;
  const [p5, p10, r5, r10] = ['MSMNet (no residual)-5', 'MSMNet (no residual)-10', 'MSMRNet-5', 'MSMRNet-10'].map(acc);
  if (p5 === undefined || p10 === undefined || r5 === undefined || r10 === undefined) return '';
  const plain = p10 < p5 ? `degrades from depth 5 to 10 (accuracy ${p5.toFixed(3)} -> ${p10.toFixed(3)})` : `does not degrade from depth 5 to 10 (accuracy ${p5.toFixed(3)} -> ${p10.toFixed(3)})`;
  const res = r10 >= r5 ? `improves (${r5.toFixed(3)} -> ${r10.toFixed(3)})` : `also loses accuracy (${r5.toFixed(3)} -> ${r10.toFixed(3)})`;
  return `In these rows the plain stack ${plain} while the residual stack ${res}.\n`;
}

function writeGuides(): void {
  const all = saveStore();
  const by = (g: Row['guide']): Row[] => all.filter((r) => r.guide === g);
  const rescae = by('rescae-bigru');
  const paperRow = rescae.find((r) => r.dataset === 'CICIDS2017' && r.name === 'ResCAE-BiGRU, paper recipe');
  const tunedRow = rescae.find((r) => r.dataset === 'CICIDS2017' && r.name === 'ResCAE-BiGRU, tuned');
  const mlpRow = rescae.find((r) => r.dataset === 'CICIDS2017' && r.name === 'MLP (128, 64), tuned');
  const doc = `---
title: "Paper: ResCAE-BiGRU on imbalanced traffic"
group: Papers reproduced
---
# Paper: ResCAE-BiGRU on imbalanced traffic

${settings(rescae)}

## What is reproduced

The pipeline of the seed paper (\`rescae-bigru-imbalanced.txt\`), as flowsentry's \`Detector\`:
one-hot categoricals, Min-Max fitted on the training split only, Isolation Forest removing outliers
from the BENIGN (NSL-KDD: normal) training rows, SMOTE-Tomek on the training split, ResCAE
pre-training (MSE), then encoder + BiGRU (2 x 64) + dropout 0.5 + softmax fine-tuned with focal
loss and SAM (rho 0.05) over SGD (lr 0.01, momentum 0.9) with cosine annealing, batch 256.

Splits: CICIDS2017 improved-labelling sample (\`../shared/data/cicids2017-improved-sample\`),
stratified 70/30, seed 0; NSL-KDD \`KDDTrain+_20Percent\` -> \`KDDTest+\` (binary and 5 categories).

## The issue's targets, against the rows below

${targetsTable(all)}
The "best flowsentry row" is the highest value of that metric among the flowsentry rows of the
table below (for the PyTorch-reference targets, among the ResCAE-BiGRU rows only; a pipeline run
with several seeds counts with the mean of its seeds, an ensemble drawn on several seed sets with
the mean of its draws): read its
training rows and epochs before comparing. Rows with fewer training rows than the whole split
come from reduced runs.

## Results

${table(rescae)}
Per-class table of the tuned ResCAE-BiGRU on CICIDS2017:

${perClass(tunedRow)}
Per-class table of the tuned MLP on CICIDS2017:

${perClass(mlpRow)}
Per-class table of the paper recipe on CICIDS2017 (${paperRow && (paperRow.trainRows ?? 0) >= 17588 ? 'whole training split' : 'reduced run, see the table'}):

${perClass(paperRow)}
## Reference points (from the project brief, measured on exactly these splits)

| pipeline | dataset | accuracy | weighted F1 | macro F1 |
|---|---|---|---|---|
| PyTorch reference of the paper pipeline (20 epochs) | CICIDS2017 30 % | 0.889 | 0.890 | 0.768 |
| same, Adam instead of SAM over SGD | CICIDS2017 30 % | | 0.981 | 0.954 |
| PyTorch reference | NSL-KDD binary | 0.776 | | |
| random forest + SMOTE-Tomek (peer) | CICIDS2017 30 % | | 0.987 | 0.985 |
| MLP (128, 64) (peer) | NSL-KDD binary | 0.810 | | |
| random forest + iForest + SMOTE-Tomek (peer, best accuracy) | NSL-KDD 5-class | 0.779 | | |
| MLP (peer, best macro F1) | NSL-KDD 5-class | | | 0.595 |

## Reading the numbers honestly

- The paper reports accuracy 99.33 % and weighted F1 99.41 % on the *original* CICIDS2017
  labelling. The data here is the improved labelling, which separates \`Portscan\` from
  \`Infiltration - Portscan\` (flows that look alike): the numbers are **not comparable** with the
  paper's. The comparable references are the PyTorch runs above, on exactly these splits.
- **Which rows are full size.** The "training rows" column says it: 17,588 (the whole CICIDS2017
  70 % split) and 25,192 (the whole KDDTrain+_20Percent) are full-size rows; 2,500 marks reduced
  runs (a stratified 2,500-row training subsample, 8 epochs; the "test rows" column says whether
  the test split was capped too). The paper recipe with Adam instead of SAM ran at full size
  (iForest, SMOTE-Tomek, pre-training, focal loss, 20 epochs: weighted F1 0.9824, macro 0.9736,
  against the PyTorch reference's 0.981 / 0.954 for the same variant). ${paperRow !== undefined && (paperRow.trainRows ?? 0) >= 17588
    ? `The SAM-over-SGD recipe itself ran at full size too: accuracy ${f4(paperRow.accuracy)}, weighted F1 ${f4(paperRow.weightedF1)}, macro F1 ${f4(paperRow.macroF1)} (${f1s(paperRow.fitSeconds)} s on one core; SMOTE-Tomek grows the split to about 28,000 rows and SAM doubles every step), against the PyTorch reference's 0.889 / 0.890 / 0.768. ${ablationSizes(rescae)} `
    : 'The SAM-over-SGD recipe itself and its other three ablations exist only in reduced form: at full size SMOTE-Tomek grows the CICIDS2017 split to about 28,000 rows and SAM doubles every step. '}The PyTorch-reference
  targets are checked against the best ResCAE-BiGRU row, the *tuned* one among them (same
  architecture: ResCAE encoder, BiGRU 2 x 64, dropout 0.5, softmax); reduced rows stay in the
  table for what they are.
- SAM over SGD at lr 0.01 under-trains in a short schedule (the PyTorch reference shows the same:
  0.890 weighted F1 with SAM-SGD against 0.981 with Adam); the ablation row "Adam instead of SAM"
  measures this in flowsentry.
- Rows "tuned": \`featureTransform: 'log1p'\` on the heavy-tailed counters before Min-Max, Adam
  (lr 0.002) with cosine annealing, batch 128, no iForest, no SMOTE-Tomek, no pre-training, no
  class weights (on a 1,500-row CICIDS subsample, 5 epochs, balanced class weights gave test
  weighted F1 0.754 against 0.843 without: the weight of a class with one or two training rows
  dominates the loss). The MLP rows use their own epoch budget (the \`epochs\` column).
- **CICIDS2017: the Portscan pair.** Every pipeline's largest error is \`Portscan\` against
  \`Infiltration - Portscan\` (750 test flows each). In the sample, 55 feature vectors occur under
  both labels, covering 858 + 515 of the pair's 5,000 rows: no model can tell those rows apart, and
  the best possible accuracy on the pair is 0.946 (\`/usr/bin/python3 scripts/portscan_pair.py\`;
  a random forest trained on the pair alone reaches 0.938, 0.922 with the destination port). So
  about 80 of the pair's 1,500 test flows are lost by any model, which caps weighted F1 near 0.989
  even if every other flow is right, and costs macro F1 about 0.007. The peer figures (0.987 /
  0.985) are not reproduced by the peer method on this split: scikit-learn's random forest +
  SMOTE-Tomek, same features, seeds 0-9 (\`npx tsx scripts/explore-peer-seeds.ts\`, ~5 min), scores
  weighted F1 0.9844-0.9854 (mean 0.9849) and macro F1 0.9779-0.9813 (mean 0.9785); the random
  forest alone 0.9843-0.9856 (0.9849) and 0.9789-0.9833 (0.9805). No seed of either reaches either
  figure. The classes with 3 to 11 test flows (Heartbleed, Infiltration, the three web attacks)
  swing macro F1 by several points per misclassified flow.
- **CICIDS2017: the best flowsentry pipelines** are plain MLPs (128, 64) trained with
  scikit-learn's MLPClassifier settings (Adam 0.001, batch 200, 200 epochs, Min-Max without
  log1p), alone and as soft-voting ensembles (\`DetectorEnsemble\`). Plain runs,
  ${seedsSummary(all, 'CICIDS2017', SKLEARN_MLP)}; the same with SMOTE-Tomek (seeds 3-5),
  ${seedsSummary(all, 'CICIDS2017', `${SKLEARN_MLP}, SMOTE-Tomek`)}. The
  ensemble of seeds 0-2 scores ${rowFigures(all, 'CICIDS2017', `DetectorEnsemble: ${SKLEARN_MLP}, seeds 0-2`)}.
  Exploratory SMOTE-Tomek runs with seeds 0-2 (weighted 0.9842 / 0.9846 / 0.9870, macro 0.9817 /
  0.9859 / 0.9823; not in the table) were ahead of the plain runs on macro F1, so a mixed ensemble
  (3 plain + 3 SMOTE-Tomek runs) was decided on and run once, on seeds 3-5 that no choice had
  looked at (where SMOTE-Tomek was not ahead):
  ${rowFigures(all, 'CICIDS2017', `DetectorEnsemble: ${SKLEARN_MLP}, 3 plain + 3 SMOTE-Tomek runs, seeds 3-5`)}.
  Last, decided before it ran and on fresh seeds 10-19: a ten-member ensemble of the plain runs,
  ${rowFigures(all, 'CICIDS2017', `DetectorEnsemble: ${SKLEARN_MLP}, seeds 10-19`)} (its members are among the single runs summarised above).
  Then the settings were compared on validation rows carved from the training split alone
  (\`npx tsx scripts/explore-validation.ts\`: a stratified 80 / 20 split of the 70 % training rows,
  three model seeds per setting, ~2.5 min per fit; mean weighted / macro F1 on the validation rows:
  scikit-learn settings 0.9829 / 0.9522, log1p 0.9835 / 0.9634, (256, 128) units 0.9834 / 0.9633,
  cosine schedule 0.9826 / 0.9379, SAM over Adam (rho 0.05) 0.9831 / 0.9742, SMOTE-Tomek 0.9840 /
  0.9637, SMOTE-Tomek + log1p 0.9820 / 0.9569, SMOTE-Tomek + SAM over Adam 0.9840 / 0.9706; the last
  two were a second round combining the best of the first). The two finalists, SAM over Adam (best
  mean of the two F1s) and SMOTE-Tomek + SAM over Adam (best rank sum, and the steadiest), ran once
  on the test split with fresh seeds 20-22, each also as a three-member ensemble: SAM over Adam
  ${seedsSummary(all, 'CICIDS2017', `${SKLEARN_MLP}, SAM over Adam`)}, ensemble
  ${rowFigures(all, 'CICIDS2017', `DetectorEnsemble: ${SKLEARN_MLP}, SAM over Adam, seeds 20-22`)};
  SMOTE-Tomek + SAM over Adam, ensemble
  ${rowFigures(all, 'CICIDS2017', `DetectorEnsemble: ${SKLEARN_MLP}, SMOTE-Tomek + SAM over Adam, seeds 20-22`)}: the first row
  at or above the macro-F1 peer (by 0.0001, where one flow of a rare class moves macro F1 by
  0.005-0.007). So that pipeline ran once more, decided before it ran, on fresh seeds 23-25 (with
  the product's fused multiply-add, new since the first three): ensemble
  ${rowFigures(all, 'CICIDS2017', `DetectorEnsemble: ${SKLEARN_MLP}, SMOTE-Tomek + SAM over Adam, seeds 23-25`)}; its single runs
  ${seedsSummary(all, 'CICIDS2017', `${SKLEARN_MLP}, SMOTE-Tomek + SAM over Adam`)} (seeds 20-25).
  The validation differences (0.001 weighted, 0.01-0.02 macro F1) are no larger than the spread
  between seeds, and on the test split SAM over Adam alone did not beat the plain runs on weighted
  F1. With SMOTE-Tomek its runs are the steadiest of any setting on weighted F1 (the plain runs
  spread 0.9824-0.9871), but its two ensembles average weighted F1 0.9865 and macro F1 0.9827:
  0.0005 short of the weighted peer and 0.0023 short of the macro peer. The macro peer was met by
  one of the two draws only, and no pipeline beats both.
  Two more ideas were screened with reference libraries before building either into flowsentry
  (\`npx tsx scripts/explore-alternatives.ts\`, ~1 min per seed and mode; a PyTorch stand-in for the
  MLP with the same layers and settings, scikit-learn's forests with 100 trees; validation rows as
  above but a stratified 80 / 20 split per seed 0-2; means over the three):
  averaging the MLP's class probabilities with a random forest's (MLP weight 0.3 / 0.5 / 0.7) gave
  weighted / macro F1 0.9870 / 0.9596, 0.9859 / 0.9499 and 0.9854 / 0.9634 on the validation rows,
  against the forest alone 0.9868 / 0.9642 and the stand-in MLP alone 0.9850 / 0.9567 (extra trees
  0.9868 / 0.9642, averaged with the MLP 0.9865 / 0.9710); on the test split (fitted on the training
  rows, seeds 0-2) the averages reached 0.9847-0.9852 / 0.9769-0.9832, the forest 0.9849 / 0.9793:
  no steady gain over the forest alone, and nowhere near both peer figures, so no forest was
  built. A quantile transform to a normal or a uniform distribution, or standardisation, in place
  of Min-Max (fitted on the 80 %): 0.9841 / 0.9608, 0.9824 / 0.9668 and 0.9847 / 0.9274, against
  Min-Max 0.9850 / 0.9567, with seed-to-seed swings larger than those differences (the normal
  quantile transform: weighted 0.9808-0.9872); not built either.
  ${peerVerdict(all)} Configurations tried on CICIDS2017 before that validation study, all scored
  on this test split (so the best of those rows carries some selection optimism): log1p + Adam
  0.002 with cosine annealing, batch 128, 60 epochs (the "tuned" row); the same with (256, 128)
  units and SMOTE-Tomek (weighted 0.9843, macro 0.9753; exploratory); log1p with scikit-learn's
  settings (0.9867 / 0.9756; exploratory); class weights 'balanced' with scikit-learn's settings
  (seeds 0-2: weighted 0.9874 / 0.9826 / 0.9863, macro 0.9772 / 0.9583 / 0.9732; exploratory:
  Infiltration F1 fell to 0.78 and 0.80 on seeds 0 and 1, from 0.90-0.95 without); the average of
  the weights after each of the last 100 of the 200 epochs (SWA-style, \`npx tsx scripts/explore-swa.ts\`, the
  same MLP through \`trainModel\`, three seeds, each against its own last-epoch weights: weighted
  F1 0.9818 -> 0.9865, 0.9851 -> 0.9858, 0.9859 -> 0.9858, macro F1 0.9773 -> 0.9815,
  0.9830 -> 0.9739, 0.9798 -> 0.9709; exploratory: steadier on the Portscan pair, no gain on
  the rare classes, not built into the library); and these rows. The classes with 3 to 11 test
  flows move macro F1 by 0.005-0.007 per flow, so single runs spread widely (seed 0 alone: 0.9871 /
  0.9889); the targets table counts a pipeline run with several seeds by its mean. The peers
  measured on *this* split in the same run: random forest + SMOTE-Tomek
  ${rowFigures(all, 'CICIDS2017', 'scikit-learn random forest + SMOTE-Tomek')}; random forest
  ${rowFigures(all, 'CICIDS2017', 'scikit-learn random forest')}; MLP ${rowFigures(all, 'CICIDS2017', 'scikit-learn MLP (128, 64)')}.
- **NSL-KDD: the threshold rule.** KDDTest+ holds attack types absent from training; with the
  argmax rule every method of the table sits between 0.76 and 0.81 binary accuracy, the PyTorch
  reference included (0.776). The Detector's threshold rule flags a flow when
  1 - P(normal) exceeds the threshold that lets through 2 % or 5 % of the *normal validation*
  flows (10 % of the training rows held out; the test set plays no part in choosing it). Flows of
  unseen attack types rarely look like confident normal traffic, so the rule catches many of
  them. Both budgets are shown, so no single one was picked after looking at the test set; both
  beat the peers on binary accuracy. The 5 % budget's MLP, which carries the NSL-KDD targets, was
  run with six seeds: binary ${seedsSummary(all, 'NSL-KDD binary', 'MLP (128, 64), tuned, threshold at 5 % FPR', ['accuracy'])};
  5 classes ${seedsSummary(all, 'NSL-KDD 5-class', 'MLP (128, 64), tuned, threshold at 5 % FPR', ['accuracy', 'macroF1'])}.
  The 5-class macro-F1 peer (0.595) is within the spread of the seeds: matched at the noise level at best.
  The 2 % budget (seed 0) reaches the 5-class accuracy peer and misses the macro-F1 peer by 0.0001.
- The scikit-learn rows use the same split and the same one-hot + Min-Max features (no log1p),
  fitted in the same run (\`scripts/eval_baselines.py\`); their MLP trains up to 200 iterations.

## The collapse of the first runs, and its fix

An earlier run of this page (1,500 training rows, 3 epochs) gave the paper recipe weighted F1
0.028 on CICIDS2017: nearly every test flow predicted as one class (DoS GoldenEye). The cause was
not the loss, the label order or the features: it was **batch normalisation**. The ResCAE encoder
blocks keep moving averages of their batch statistics (momentum 0.9, PyTorch's 0.1); the
classifier uses them at inference. After a short run (tens of optimizer steps while the weights
still move fast) those averages describe early weights, and inference-mode outputs fall apart
while the training-mode accuracy is fine. Measured on a 1,500-row subsample (Adam, 2 epochs,
batch 64): training-set accuracy 0.49 in inference mode against 0.78 in training mode; after
recomputing the statistics with the final weights, 0.85 (test weighted F1 0.37 -> 0.81).

The fix: \`Detector.fit\` now calls \`recalibrateBatchNorm(model, x)\` after training (option
\`recalibrateBatchNorm\`, default true): one forward pass over the training rows in training mode
with cumulative averaging, so the moving statistics are the full-data statistics of the final
network. \`test/train/batchNorm.test.ts\` checks them against directly computed column statistics
and checks that, after a 12-step run, inference-mode ResCAE-BiGRU outputs equal the full-batch
training-mode ones (they differ by more than 0.01 before the fix). The same lag affected every
model of the zoo with batch norm (MSMRNet and LKT-ADN use momentum 0.99, an even longer lag).
`;
  const front = (title: string): string => `---\ntitle: "${title}"\ngroup: Papers reproduced\n---\n`;
  // A guide whose rows were not run in this evaluation (--only) keeps its previous content.
  const put = (file: string, guideRows: Row[], text: string): void => {
    if (guideRows.length > 0) writeFileSync(path.join(guides, file), text);
  };
  put('paper-rescae-bigru.md', rescae, doc);
  put('paper-msmrnet.md', by('msmrnet'), `${front('Paper: MSMRNet, 5 vs 10 deep, with and without residuals')}# Paper: MSMRNet, 5 vs 10 deep, with and without residuals

${settings(by('msmrnet'))}

MSMRNet (\`msmrnet-multiscale-memory-residual.txt\`): stacked multi-scale memory modules
(parallel Conv1D k = 1, 3, 5 + BN + ReLU, then an LSTM) with identity shortcuts (MSMRNet) or
without (MSMNet), Flatten, softmax; Adam and cross-entropy, as the paper. Same CICIDS2017 split as
the ResCAE-BiGRU guide. The paper's point is the degradation of the plain stack at depth 10.

${table(by('msmrnet'))}
${msmrSentence(by('msmrnet'))}Reduced runs (see the training rows) under-train the deeper stacks first; compare rows of the same run only.
`);
  put('paper-cnn-bilstm.md', by('cnn-bilstm'), `${front('Paper: CNN-BiLSTM')}# Paper: CNN-BiLSTM

${settings(by('cnn-bilstm'))}

CNN-BiLSTM (\`cnn-bilstm-mindspore-abstract.txt\`; only the abstract is available, so the layer
sizes are flowsentry's documented defaults: Conv1D 32 and 64, k = 3, max-pool 2, BiLSTM 64,
dropout 0.5), Adam, cross-entropy, on the CICIDS2017 split of the ResCAE-BiGRU guide. The paper
reports 99 % accuracy on its own data and split; not comparable.

${table(by('cnn-bilstm'))}`);
  put('paper-lktadn.md', by('lktadn'), `${front('Paper: LKT-ADN, teacher vs distilled student')}# Paper: LKT-ADN, teacher vs distilled student

${settings(by('lktadn'))}

LKT-ADN (\`lktadn-knowledge-transfer-abstract.txt\`; only the abstract is available): a
multi-scale residual spatio-temporal teacher (\`lktAdnTeacher\`: stride-2 multi-scale residual
Conv1D blocks, then a GRU) distilled with \`Distiller\` (temperature 4) into a lightweight student
(\`lktAdnStudent\`: one stride-2 Conv1D, flattened, one dense layer). Specificity is the
recall of the benign class (benign flows not flagged). The paper's headline: specificity 0.97,
training 22.8 s and inference 0.06 s at 5,000 samples (its hardware and data). The abstract gives
no layer sizes: these are flowsentry's defaults. The student distils for its own epoch budget
(\`--student-epochs\`, default 60; the teacher's logits are computed once and cached, so its
epochs are cheap). ${lktSentence(by('lktadn'))}

${table(by('lktadn'), 'lkt')}`);
  console.log(`(guides written to ${guides})`);
}

// ---------------------------------------------------------------------------------------------
await selectBackend({ verbose: true });
tf.env().set('PROD', true);
if (values.render) {
  // Only re-render the guides from the results store (no training).
  writeGuides();
  process.exit(0);
}
const cicDir = path.join(dataDir, 'cicids2017-improved-sample');
const kddDir = path.join(dataDir, 'nsl-kdd');
if (!existsSync(cicDir) || !existsSync(kddDir)) {
  console.log(`eval: no data at ${dataDir} (set FLOWSENTRY_DATA); nothing to do.`);
  process.exit(0);
}
const cic = await loadCicids2017(cicDir);
const cicSplit = splitIndices(cic.labels, { testSize: 0.3, seed: 0 });
const cicTrain = cap(takeRows(cic, cicSplit.train), maxTrain, 1);
const cicTest = cap(takeRows(cic, cicSplit.test), maxTest, 2);
const kddFiles = [path.join(kddDir, 'KDDTrain+_20Percent.txt'), path.join(kddDir, 'KDDTest+.txt')] as const;
const kddBinTrain = cap(await loadNslKdd(kddFiles[0], { labels: 'binary' }), maxTrain, 1);
const kddBinTest = cap(await loadNslKdd(kddFiles[1], { labels: 'binary' }), maxTest, 2);
const kdd5Train = cap(await loadNslKdd(kddFiles[0], { labels: 'category' }), maxTrain, 1);
const kdd5Test = cap(await loadNslKdd(kddFiles[1], { labels: 'category' }), maxTest, 2);
console.log(`CICIDS2017 ${cicTrain.rows} train / ${cicTest.rows} test; NSL-KDD ${kddBinTrain.rows} / ${kddBinTest.rows}`);

await pyBaselines({ CICIDS2017: { train: cicTrain, test: cicTest }, 'NSL-KDD binary': { train: kddBinTrain, test: kddBinTest }, 'NSL-KDD 5-class': { train: kdd5Train, test: kdd5Test } });
const keep = async (p: Promise<Detector | null>): Promise<void> => (await p)?.dispose();

// Most informative rows first (each run rewrites the guides, so a long run can be stopped early).
await keep(run('rescae-bigru', 'CICIDS2017', 'ResCAE-BiGRU, tuned', cicTrain, cicTest, { ...TUNED, model: 'rescae-bigru' }));
await keep(run('rescae-bigru', 'CICIDS2017', 'ResCAE-BiGRU, paper recipe', cicTrain, cicTest, paper('BENIGN')));
await keep(run('rescae-bigru', 'CICIDS2017', 'MLP (128, 64), tuned', cicTrain, cicTest, { ...TUNED, model: 'mlp', epochs: mlpEpochs }));
const sklearnMlp = (seed: number, smoteTomek = false): DetectorOptions => ({ model: 'mlp', optimizer: { name: 'adam', learningRate: 0.001 }, batchSize: 200, epochs: quick ? epochs : 200, seed, smoteTomek, unknownCategories: 'ignore' });
/** Fits one run per seed (each its own row, named `<base>, seed N`). */
async function seedRuns(base: string, options: (seed: number) => DetectorOptions, seeds: number[]): Promise<{ det: Detector; fit: FitFigures }[]> {
  const out: { det: Detector; fit: FitFigures }[] = [];
  for (const seed of seeds) {
    const r = await fitRun('rescae-bigru', 'CICIDS2017', `${base}, seed ${seed}`, cicTrain, cicTest, options(seed));
    if (r !== null) out.push(r);
  }
  return out;
}
/** Records a soft-voting DetectorEnsemble of fitted runs (no refit: its training time and parameters are theirs summed), then frees them. */
function ensembleRow(name: string, runs: { det: Detector; fit: FitFigures }[]): void {
  const dets = runs.map((r) => r.det);
  if (dets.length > 1 && !(only && !only.test(`CICIDS2017 ${name}`))) {
    const ens = DetectorEnsemble.fromFitted(dets);
    console.log(`\n### CICIDS2017: ${name}`);
    const fit = { parameters: runs.reduce((a, r) => a + r.fit.parameters, 0), fitSeconds: runs.reduce((a, r) => a + r.fit.fitSeconds, 0), epochs: runs[0]!.fit.epochs };
    record('rescae-bigru', 'CICIDS2017', name, ens, fit, cicTrain, cicTest);
    ens.dispose();
  } else {
    for (const d of dets) d.dispose();
  }
}
// scikit-learn's MLPClassifier settings, three seeds, and the same three runs as one soft-voting
// ensemble. (--quick: two seeds and their ensemble at the quick epoch budget, only to exercise the path.)
ensembleRow(`DetectorEnsemble: ${SKLEARN_MLP}, seeds 0-${quick ? 1 : 2}`, await seedRuns(SKLEARN_MLP, (s) => sklearnMlp(s), quick ? [0, 1] : [0, 1, 2]));
if (!quick) {
  // Decided before it ran: plain runs score best on weighted F1 and SMOTE-Tomek runs on macro F1
  // (seeds 0-1 of the latter in an exploratory run), so one ensemble of both kinds, on fresh seeds
  // 3-5 that no earlier choice looked at.
  const plain = await seedRuns(SKLEARN_MLP, (s) => sklearnMlp(s), [3, 4, 5]);
  const st = await seedRuns(`${SKLEARN_MLP}, SMOTE-Tomek`, (s) => sklearnMlp(s, true), [3, 4, 5]);
  ensembleRow(`DetectorEnsemble: ${SKLEARN_MLP}, 3 plain + 3 SMOTE-Tomek runs, seeds 3-5`, [...plain, ...st]);
  // Decided before it ran: a ten-member deep ensemble of the plain runs on fresh seeds 10-19 (the
  // usual 5-10 members of deep ensembles; no earlier choice looked at these seeds). Its members'
  // rows also widen the seed summary of the single runs.
  const ten = Array.from({ length: 10 }, (_, i) => 10 + i);
  ensembleRow(`DetectorEnsemble: ${SKLEARN_MLP}, seeds 10-19`, await seedRuns(SKLEARN_MLP, (s) => sklearnMlp(s), ten));
  // The two finalists of a validation study on the training rows only (scripts/explore-validation.ts:
  // eight settings, 3 seeds each, on an 80 / 20 split of the 70 % training split; the test split
  // played no part): SAM over Adam had the best mean of the two F1s, SMOTE-Tomek + SAM over Adam the
  // best rank sum. Decided before they ran: both, once, on fresh seeds 20-22, each as three single
  // rows and their three-member ensemble, and both reported.
  const samAdam = (smoteTomek: boolean) => (seed: number): DetectorOptions => ({ ...sklearnMlp(seed, smoteTomek), optimizer: { name: 'sam-adam', learningRate: 0.001 } });
  for (const smoteTomek of [false, true]) {
    const base = `${SKLEARN_MLP}, ${smoteTomek ? 'SMOTE-Tomek + ' : ''}SAM over Adam`;
    ensembleRow(`DetectorEnsemble: ${base}, seeds 20-22`, await seedRuns(base, samAdam(smoteTomek), [20, 21, 22]));
  }
  // Decided before it ran, after the two above: the only ensemble at the macro-F1 peer (SMOTE-Tomek +
  // SAM over Adam, by 0.0001) once more on fresh seeds 23-25, to see how steady its figures are;
  // reported whatever it scores.
  const stSam = `${SKLEARN_MLP}, SMOTE-Tomek + SAM over Adam`;
  ensembleRow(`DetectorEnsemble: ${stSam}, seeds 23-25`, await seedRuns(stSam, samAdam(true), [23, 24, 25]));
}
if (!quick) {
  await keep(run('rescae-bigru', 'NSL-KDD binary', 'ResCAE-BiGRU, tuned', kddBinTrain, kddBinTest, { ...TUNED, model: 'rescae-bigru' }));
  await keep(run('rescae-bigru', 'NSL-KDD binary', 'ResCAE-BiGRU, paper recipe', kddBinTrain, kddBinTest, paper('normal')));
  await keep(run('rescae-bigru', 'NSL-KDD binary', 'MLP (128, 64), tuned', kddBinTrain, kddBinTest, { ...TUNED, model: 'mlp', epochs: mlpEpochs }));
  await keep(run('rescae-bigru', 'NSL-KDD 5-class', 'MLP (128, 64), tuned', kdd5Train, kdd5Test, { ...TUNED, model: 'mlp', epochs: mlpEpochs }));
  // The threshold rule: flag a flow when 1 - P(normal) exceeds the threshold that lets through the
  // target share of the normal validation flows (10 % of the training rows held out). Two budgets,
  // both shown, so no single one is picked after looking at the test set.
  for (const fpr of [0.02, 0.05]) {
    const rule = { decision: { targetFpr: fpr } };
    const tag = `threshold at ${fpr * 100} % FPR`;
    await keep(run('rescae-bigru', 'NSL-KDD binary', `MLP (128, 64), tuned, ${tag}`, kddBinTrain, kddBinTest, { ...TUNED, ...rule, model: 'mlp', epochs: mlpEpochs }));
    await keep(run('rescae-bigru', 'NSL-KDD 5-class', `MLP (128, 64), tuned, ${tag}`, kdd5Train, kdd5Test, { ...TUNED, ...rule, model: 'mlp', epochs: mlpEpochs }));
    await keep(run('rescae-bigru', 'NSL-KDD binary', `ResCAE-BiGRU, tuned, ${tag}`, kddBinTrain, kddBinTest, { ...TUNED, ...rule, model: 'rescae-bigru' }));
    await keep(run('rescae-bigru', 'NSL-KDD 5-class', `ResCAE-BiGRU, tuned, ${tag}`, kdd5Train, kdd5Test, { ...TUNED, ...rule, model: 'rescae-bigru' }));
  }
  // The MLP threshold rows that carry the NSL-KDD targets, with five more seeds (the rows above are
  // seed 0; seeds 3-5 were added because the 3-seed mean met the 5-class macro-F1 peer only by
  // 0.0004): the targets table counts a pipeline by the mean of its seeds.
  for (const seed of [1, 2, 3, 4, 5]) {
    const rule = { decision: { targetFpr: 0.05 } };
    await keep(run('rescae-bigru', 'NSL-KDD binary', `MLP (128, 64), tuned, threshold at 5 % FPR, seed ${seed}`, kddBinTrain, kddBinTest, { ...TUNED, ...rule, model: 'mlp', epochs: mlpEpochs, seed }));
    await keep(run('rescae-bigru', 'NSL-KDD 5-class', `MLP (128, 64), tuned, threshold at 5 % FPR, seed ${seed}`, kdd5Train, kdd5Test, { ...TUNED, ...rule, model: 'mlp', epochs: mlpEpochs, seed }));
  }
  await keep(run('rescae-bigru', 'CICIDS2017', 'ablation: Adam instead of SAM', cicTrain, cicTest, { ...paper('BENIGN'), optimizer: { name: 'adam', learningRate: 0.001 } }));
  await keep(run('rescae-bigru', 'CICIDS2017', 'ablation: without iForest', cicTrain, cicTest, { ...paper('BENIGN'), isolationForest: false }));
  await keep(run('rescae-bigru', 'CICIDS2017', 'ablation: without SMOTE-Tomek', cicTrain, cicTest, { ...paper('BENIGN'), smoteTomek: false }));
  await keep(run('rescae-bigru', 'CICIDS2017', 'ablation: cross-entropy instead of focal', cicTrain, cicTest, { ...paper('BENIGN'), loss: { name: 'crossEntropy' } }));
  await keep(run('rescae-bigru', 'NSL-KDD 5-class', 'ResCAE-BiGRU, paper recipe', kdd5Train, kdd5Test, paper('normal')));
  await keep(run('rescae-bigru', 'NSL-KDD 5-class', 'ResCAE-BiGRU, tuned', kdd5Train, kdd5Test, { ...TUNED, model: 'rescae-bigru' }));
  for (const depth of [5, 10] as const) {
    for (const residual of [true, false]) {
      await keep(run('msmrnet', 'CICIDS2017', `${residual ? 'MSMRNet' : 'MSMNet (no residual)'}-${depth}`, cicTrain, cicTest, { model: 'msmrnet', modelOptions: { depth, residual }, optimizer: { name: 'adam', learningRate: 0.001 }, batchSize: 256 }));
    }
  }
  await keep(run('cnn-bilstm', 'CICIDS2017', 'CNN-BiLSTM', cicTrain, cicTest, { model: 'cnn-bilstm', optimizer: { name: 'adam', learningRate: 0.001 }, batchSize: 256 }));
  // LKT-ADN: teacher through the Detector, then the student distilled on the same inputs.
  const teacher = await run('lktadn', 'CICIDS2017', 'LKT-ADN teacher', cicTrain, cicTest, { model: 'lktadn', optimizer: { name: 'adam', learningRate: 0.001 }, batchSize: 256 });
  if (teacher) {
    const a = teacher.transform(cicTrain);
    const b = teacher.transform(cicTest);
    const classes = teacher.classes;
    const student = lktAdnStudent({ inputDim: a.cols, numClasses: classes.length, seed: 0 });
    const t0 = performance.now();
    const distiller = new Distiller({ teacher: teacher.model, student, optimizer: tf.train.adam(0.003), temperature: 4, outputs: 'probabilities' });
    await distiller.fit(a, Int32Array.from(cicTrain.labels, (l) => classes.indexOf(l)), { epochs: studentEpochs, batchSize: 256, seed: 0 });
    const fitSeconds = (performance.now() - t0) / 1000;
    const predict = (m: { data: Float32Array; rows: number; cols: number }): string[] => {
      const x = tf.tensor2d(m.data, [m.rows, m.cols]);
      const idx = tf.tidy(() => tf.argMax(student.predict(x) as tf.Tensor, -1));
      const out = Array.from(idx.dataSync(), (i) => classes[i]!);
      tf.dispose([x, idx]);
      return out;
    };
    const report = classificationReport(cicTest.labels, predict(b), { labels: [...new Set([...classes, ...cicTest.labels])] });
    const five = cap(cicTest, 5000, 1);
    const t1 = performance.now();
    predict(teacher.transform(five));
    const infer = ((performance.now() - t1) / 1000) * (5000 / five.rows);
    rows.push(stamp({ guide: 'lktadn', dataset: 'CICIDS2017', name: 'LKT-ADN student (distilled, T = 4)', accuracy: report.accuracy, weightedF1: report.weighted.f1, macroF1: report.macro.f1, specificity: specificity(report, 'BENIGN'), parameters: student.countParams(), fitSeconds, epochs: studentEpochs, infer5000Seconds: infer, report: { perClass: report.perClass } }, cicTrain, cicTest));
    console.log(`student: accuracy ${report.accuracy.toFixed(4)}, weighted F1 ${report.weighted.f1.toFixed(4)}`);
    student.dispose();
    teacher.dispose();
    if (write) writeGuides();
  }
}
if (write) writeGuides();
console.log('\n## summary\n');
for (const r of rows) console.log(`${r.dataset.padEnd(16)} ${r.name.padEnd(48)} acc ${f4(r.accuracy)}  wF1 ${f4(r.weightedF1)}  mF1 ${f4(r.macroF1)}`);
