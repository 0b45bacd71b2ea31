import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataFormatError, NotFittedError, ValueError } from '../errors.js';
import type { ClassificationReport } from '../metrics/index.js';
import { Detector, evaluateWith, readVersionedJson, type DetectorOptions, type FitSummary, type LabelledFlows, type Probabilities } from './detector.js';
import type { FlowInput, InputReport } from './features.js';

/** The format tag and version written into `ensemble.json`. */
export const ENSEMBLE_FORMAT = 'flowsentry.DetectorEnsemble';
/** Version of the saved-directory format; {@link DetectorEnsemble.load} rejects other versions. */
export const ENSEMBLE_FORMAT_VERSION = 1;

/** Options of a {@link DetectorEnsemble}; plain JSON, saved with it. */
export interface DetectorEnsembleOptions {
  /** One {@link DetectorOptions} per member (at least one). Members decide nothing themselves: their `decision` must be `'argmax'` (the default). */
  members: DetectorOptions[];
  /** Weight of each member's probabilities in the average (finite, >= 0, not all 0; default equal). */
  weights?: number[];
}

/** What {@link DetectorEnsemble.fit} did: each member's summary and the total wall-clock seconds. */
export interface EnsembleFitSummary {
  /** Each member's {@link FitSummary}, in member order. */
  members: FitSummary[];
  /** Trainable parameters of all members together. */
  parameters: number;
  /** Wall-clock seconds of the whole fit. */
  seconds: number;
}

interface EnsembleJSON {
  format: typeof ENSEMBLE_FORMAT;
  version: number;
  options: DetectorEnsembleOptions;
  /** Member directories, relative to the ensemble's directory. */
  members: string[];
}

/**
 * Soft voting over {@link Detector}s (scikit-learn's `VotingClassifier(voting='soft')`): each member
 * is a whole pipeline (its own preprocessing, resampling and model), fitted on the same labelled
 * flows; the ensemble's class probabilities are the weighted mean of the members' and its label is
 * their argmax. Members that differ only in `seed` average out the run-to-run spread of one recipe
 * ({@link DetectorEnsemble.ofSeeds}); members with different recipes combine their strengths.
 * `save(dir)` writes one directory (`ensemble.json` + one sub-directory per member);
 * {@link loadDetector} reads it, or a single detector's.
 *
 * @example
 * ```ts
 * const flows = syntheticFlows({ features: 8, seed: 1 });
 * const ensemble = DetectorEnsemble.ofSeeds({ model: 'mlp', epochs: 2, verbose: 'silent' }, [0, 1, 2]);
 * await ensemble.fit(flows);
 * ensemble.predict(flows).slice(0, 3); // e.g. ['BENIGN', 'BENIGN', 'DoS']
 * ```
 */
export class DetectorEnsemble {
  /** The options the ensemble was built with (a deep copy; saved by `save`). */
  readonly options: DetectorEnsembleOptions;
  private readonly detectors: Detector[];
  private readonly weights: number[];
  private isFitted = false;

  /** The same recipe once per seed (`seed` of `base` replaced), equal weights. */
  static ofSeeds(base: DetectorOptions, seeds: readonly number[]): DetectorEnsemble {
    if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s))) throw new ValueError('seeds', 'a non-empty array of integers', seeds);
    return new DetectorEnsemble({ members: seeds.map((seed) => ({ ...structuredClone(base), seed })) });
  }

  /**
   * An ensemble of detectors already fitted on the same labelled flows (or loaded), without
   * refitting: e.g. the runs of one recipe with different seeds. The ensemble takes them over
   * (its `dispose` disposes them); their options become its member options.
   */
  static fromFitted(detectors: readonly Detector[], weights?: number[]): DetectorEnsemble {
    if (!Array.isArray(detectors) || detectors.length === 0 || !detectors.every((d) => d instanceof Detector)) {
      throw new ValueError('detectors', 'a non-empty array of Detector', detectors);
    }
    detectors.forEach((d, i) => {
      if (!d.fitted) throw new ValueError(`detectors[${i}]`, 'a fitted or loaded Detector', 'an unfitted Detector');
    });
    const e = new DetectorEnsemble({ members: detectors.map((d) => d.options), ...(weights !== undefined ? { weights } : {}) });
    e.detectors.splice(0, e.detectors.length, ...detectors);
    e.checkClasses();
    e.isFitted = true;
    return e;
  }

  constructor(options: DetectorEnsembleOptions) {
    if (typeof options !== 'object' || options === null || !Array.isArray(options.members) || options.members.length === 0) {
      throw new ValueError('members', 'a non-empty array of DetectorOptions', options?.members);
    }
    this.options = structuredClone(options);
    const n = this.options.members.length;
    this.options.members.forEach((m, i) => {
      if (m.decision !== undefined && m.decision !== 'argmax') throw new ValueError(`members[${i}].decision`, "'argmax' (the ensemble decides by the argmax of the averaged probabilities)", m.decision);
    });
    const w = this.options.weights ?? new Array<number>(n).fill(1);
    if (!Array.isArray(w) || w.length !== n || !w.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0) || !w.some((v) => v > 0)) {
      throw new ValueError('weights', `${n} finite non-negative numbers, not all 0`, this.options.weights);
    }
    const total = w.reduce((a, b) => a + b, 0);
    this.weights = w.map((v) => v / total);
    // Each member validates its own options now, not after the first member has trained.
    this.detectors = this.options.members.map((m) => new Detector(m));
  }

  /** True once fitted or loaded. */
  get fitted(): boolean {
    return this.isFitted;
  }

  /** The member detectors, in member order (for inspection; the ensemble owns and disposes them). */
  get members(): readonly Detector[] {
    return this.detectors;
  }

  /** Class names, in the column order of {@link predictProba} (the first member's order; every member has the same classes). */
  get classes(): string[] {
    this.requireFitted('classes');
    return this.detectors[0]!.classes;
  }

  /** How the columns of the last scored input were reconciled (the first member's report; every member aligns the same way). */
  get lastInputReport(): InputReport | undefined {
    return this.detectors[0]!.lastInputReport;
  }

  private requireFitted(method: string): void {
    if (!this.isFitted) throw new NotFittedError('DetectorEnsemble', method);
  }

  /** Checks that every member knows the same classes in the same order (a member trained on other labels cannot be averaged column by column). */
  private checkClasses(): void {
    const first = this.detectors[0]!.classes;
    this.detectors.forEach((d, i) => {
      const c = d.classes;
      if (c.length !== first.length || c.some((x, j) => x !== first[j])) throw new ValueError(`members[${i}]`, `the classes of member 0 (${first.join(', ')})`, c);
    });
  }

  /** Fits every member on the same labelled flows, one after the other. */
  async fit(data: LabelledFlows): Promise<EnsembleFitSummary> {
    const t0 = performance.now();
    const members: FitSummary[] = [];
    this.isFitted = false;
    for (const d of this.detectors) members.push(await d.fit(data));
    this.checkClasses();
    this.isFitted = true;
    return { members, parameters: members.reduce((a, m) => a + m.parameters, 0), seconds: (performance.now() - t0) / 1000 };
  }

  /** Weighted mean of the members' class probabilities (columns in {@link classes} order). */
  predictProba(flows: FlowInput): Probabilities {
    this.requireFitted('predictProba');
    let out: Probabilities | undefined;
    this.detectors.forEach((d, i) => {
      const p = d.predictProba(flows);
      const w = this.weights[i]!;
      if (out === undefined) {
        out = { data: new Float32Array(p.data.length), rows: p.rows, classes: p.classes };
      }
      const acc = out.data;
      for (let j = 0; j < acc.length; j++) acc[j] = acc[j]! + w * p.data[j]!;
    });
    return out!;
  }

  /** Anomaly score of each flow: 1 - mean P(benign), in [0, 1]. */
  scoreAnomaly(flows: FlowInput): Float32Array {
    this.requireFitted('scoreAnomaly');
    const benign = this.detectors[0]!.benignLabel;
    if (benign === null) throw new ValueError('benignLabel', 'a benign class known to the members (set benignLabel in their options)', null);
    const p = this.predictProba(flows);
    const k = p.classes.length;
    const b = p.classes.indexOf(benign);
    return Float32Array.from({ length: p.rows }, (_, i) => 1 - p.data[i * k + b]!);
  }

  /** Predicted label of each flow: the argmax of the averaged probabilities (ties: the first class). */
  predict(flows: FlowInput): string[] {
    const p = this.predictProba(flows);
    const k = p.classes.length;
    const out = new Array<string>(p.rows);
    for (let i = 0; i < p.rows; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p.data[i * k + c]! > p.data[i * k + best]!) best = c;
      out[i] = p.classes[best]!;
    }
    return out;
  }

  /** Scores labelled flows: accuracy, per-class precision/recall/F1/specificity, macro and weighted averages, confusion matrix. */
  evaluate(data: LabelledFlows): ClassificationReport {
    return evaluateWith(this, data);
  }

  /** Writes `ensemble.json` (format, version, options, member directories) and each member into `dir/member-<i>`. */
  async save(dir: string): Promise<void> {
    this.requireFitted('save');
    await mkdir(dir, { recursive: true });
    const members = this.detectors.map((_, i) => `member-${i}`);
    for (let i = 0; i < members.length; i++) await this.detectors[i]!.save(path.join(dir, members[i]!));
    const json: EnsembleJSON = { format: ENSEMBLE_FORMAT, version: ENSEMBLE_FORMAT_VERSION, options: this.options, members };
    await writeFile(path.join(dir, 'ensemble.json'), `${JSON.stringify(json, null, 1)}\n`);
  }

  /** Reads an ensemble written by {@link save}. */
  static async load(dir: string): Promise<DetectorEnsemble> {
    const file = path.join(dir, 'ensemble.json');
    const json = await readVersionedJson<EnsembleJSON>(file, ENSEMBLE_FORMAT, ENSEMBLE_FORMAT_VERSION);
    if (!Array.isArray(json.members) || json.members.length !== json.options?.members?.length) {
      throw new DataFormatError(file, 1, `members lists ${Array.isArray(json.members) ? json.members.length : 'no'} directories for ${json.options?.members?.length ?? 0} member options`);
    }
    const loaded: Detector[] = [];
    try {
      for (const m of json.members) {
        if (typeof m !== 'string' || m.includes('..') || path.isAbsolute(m)) throw new DataFormatError(file, 1, `member directory ${JSON.stringify(m)} is not a plain relative name`);
        loaded.push(await Detector.load(path.join(dir, m)));
      }
      return DetectorEnsemble.fromFitted(loaded, json.options.weights);
    } catch (err) {
      for (const d of loaded) d.dispose();
      throw err;
    }
  }

  /** Frees every member's model. */
  dispose(): void {
    for (const d of this.detectors) d.dispose();
  }
}

/** Reads whatever `save` wrote into `dir`: a {@link DetectorEnsemble} (`ensemble.json`) or a {@link Detector} (`detector.json`). */
export async function loadDetector(dir: string): Promise<Detector | DetectorEnsemble> {
  const isEnsemble = await access(path.join(dir, 'ensemble.json')).then(() => true, () => false);
  return isEnsemble ? DetectorEnsemble.load(dir) : Detector.load(dir);
}
