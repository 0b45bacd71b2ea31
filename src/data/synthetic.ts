import { ValueError } from '../errors.js';
import { rngFrom, type Seed } from '../util/rng.js';
import { countClasses, type FlowDataset } from './dataset.js';

/** One class of a {@link syntheticFlows} dataset. */
export interface SyntheticClass {
  /** The label. */
  name: string;
  /** Number of rows of this class. */
  size: number;
}

/** Options of {@link syntheticFlows}. */
export interface SyntheticFlowsOptions {
  /**
   * The classes and their sizes. Default: a CICIDS-like imbalance,
   * BENIGN 2000, DoS 600, PortScan 300, Bot 60, WebAttack 20.
   */
  classes?: SyntheticClass[];
  /** Number of numeric features (at least 4; default 20). */
  features?: number;
  /** Add the categorical columns `proto` and `service` (default false). */
  categorical?: boolean;
  /**
   * How far apart the class centres are, in within-class standard deviations (default 2): small
   * values give overlapping, harder classes.
   */
  separation?: number;
  /** Shuffle the rows (default true); otherwise rows are grouped by class. */
  shuffle?: boolean;
  /** Seed (default 0). */
  seed?: Seed;
}

const DEFAULT_CLASSES: SyntheticClass[] = [
  { name: 'BENIGN', size: 2000 },
  { name: 'DoS', size: 600 },
  { name: 'PortScan', size: 300 },
  { name: 'Bot', size: 60 },
  { name: 'WebAttack', size: 20 },
];
const PROTOS = ['tcp', 'udp', 'icmp'];
const SERVICES = ['http', 'dns', 'ssh', 'ftp', 'smtp', '-'];

/**
 * A seeded synthetic imbalanced flow dataset, shaped like CICIDS2017 features: the first quarter
 * of the columns are heavy-tailed counters (log-normal, non-negative integers: packets, bytes), one
 * is a duration in microseconds, one a rate (bytes/s), the rest Gaussian statistics whose means
 * depend on the class. Every class shifts the log-means of the counters too, so a scaler matters.
 * Same seed, same dataset.
 *
 * @example
 * ```ts
 * const ds = syntheticFlows({ features: 8, categorical: true, seed: 1 });
 * ds.rows; // 2980 (BENIGN 2000, DoS 600, PortScan 300, Bot 60, WebAttack 20)
 * ds.cols; // 8
 * ds.categorical?.names; // ['proto', 'service']
 * ```
 */
export function syntheticFlows(options: SyntheticFlowsOptions = {}): FlowDataset {
  const classes = options.classes ?? DEFAULT_CLASSES;
  const cols = options.features ?? 20;
  const separation = options.separation ?? 2;
  if (!Array.isArray(classes) || classes.length < 1) throw new ValueError('classes', 'a non-empty array of { name, size }', classes);
  for (const c of classes) {
    if (typeof c?.name !== 'string' || !Number.isInteger(c.size) || c.size < 0) {
      throw new ValueError('classes', 'entries { name: string, size: non-negative integer }', c);
    }
  }
  if (new Set(classes.map((c) => c.name)).size !== classes.length) throw new ValueError('classes', 'distinct class names', classes.map((c) => c.name).join(', '));
  if (!Number.isInteger(cols) || cols < 4) throw new ValueError('features', 'an integer >= 4', cols);
  if (!(separation >= 0) || !Number.isFinite(separation)) throw new ValueError('separation', 'a finite number >= 0', separation);
  const rng = rngFrom(options.seed);
  const nCounters = Math.max(1, Math.floor(cols / 4));
  const featureNames: string[] = [];
  for (let j = 0; j < cols; j++) {
    if (j < nCounters) featureNames.push(`counter_${j}`);
    else if (j === nCounters) featureNames.push('flow_duration');
    else if (j === nCounters + 1) featureNames.push('flow_bytes_per_s');
    else featureNames.push(`stat_${j - nCounters - 2}`);
  }
  // Per-class parameters: centres for Gaussian columns, log-means for counters, a protocol mix.
  const centres = classes.map(() => Float64Array.from({ length: cols }, () => rng.normal(0, separation)));
  const protoOf = classes.map(() => rng.int(PROTOS.length));
  const serviceOf = classes.map(() => rng.int(SERVICES.length));
  const rows = classes.reduce((s, c) => s + c.size, 0);
  const features = new Float32Array(rows * cols);
  const labels: string[] = new Array<string>(rows);
  const catValues: string[][] = [];
  let r = 0;
  classes.forEach((c, k) => {
    const centre = centres[k] as Float64Array;
    for (let i = 0; i < c.size; i++, r++) {
      labels[r] = c.name;
      const o = r * cols;
      let bytes = 0;
      for (let j = 0; j < cols; j++) {
        const mu = centre[j] as number;
        let v: number;
        if (j < nCounters) {
          // Heavy-tailed counter: log-normal with sigma 1.5, rounded to an integer count.
          v = Math.round(Math.exp(3 + 0.5 * mu + 1.5 * rng.normal()));
          bytes += v;
        } else if (j === nCounters) {
          v = Math.round(Math.exp(10 + 0.5 * mu + 2 * rng.normal()));
        } else if (j === nCounters + 1) {
          const duration = features[o + nCounters] as number;
          v = duration > 0 ? (bytes * 1e6) / duration : 0;
        } else {
          v = mu + rng.normal();
        }
        features[o + j] = v;
      }
      if (options.categorical) {
        const proto = rng.next() < 0.8 ? (PROTOS[protoOf[k] as number] as string) : (PROTOS[rng.int(PROTOS.length)] as string);
        const service = rng.next() < 0.7 ? (SERVICES[serviceOf[k] as number] as string) : (SERVICES[rng.int(SERVICES.length)] as string);
        catValues.push([proto, service]);
      }
    }
  });
  const dataset: FlowDataset = {
    features,
    rows,
    cols,
    featureNames,
    labels,
    summary: { files: [], linesRead: rows, rows, skipped: {}, replaced: {}, examples: [], classCounts: countClasses(labels) },
  };
  if (options.categorical) dataset.categorical = { names: ['proto', 'service'], values: catValues };
  return (options.shuffle ?? true) ? takeRows(dataset, rng.permutation(rows)) : dataset;
}

/** The rows `indices` of a dataset, in that order (summary copied, row count and class counts updated). */
export function takeRows(dataset: FlowDataset, indices: ArrayLike<number>): FlowDataset {
  const { cols } = dataset;
  const n = indices.length;
  const features = new Float32Array(n * cols);
  const labels = new Array<string>(n);
  const cat = dataset.categorical;
  const catValues: string[][] = [];
  for (let i = 0; i < n; i++) {
    const src = indices[i] as number;
    if (!Number.isInteger(src) || src < 0 || src >= dataset.rows) throw new ValueError('indices', `integers in [0, ${dataset.rows})`, src, `position ${i}`);
    features.set(dataset.features.subarray(src * cols, src * cols + cols), i * cols);
    labels[i] = dataset.labels[src] as string;
    if (cat) catValues.push(cat.values[src] as string[]);
  }
  const out: FlowDataset = {
    features,
    rows: n,
    cols,
    featureNames: dataset.featureNames,
    labels,
    summary: { ...dataset.summary, rows: n, classCounts: countClasses(labels) },
  };
  if (cat) out.categorical = { names: cat.names, values: catValues };
  return out;
}
