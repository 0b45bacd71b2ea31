import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitIndices, syntheticFlows, takeRows, type FlowDataset } from '../../src/data/index.js';
import { DataFormatError, NotFittedError, ValueError } from '../../src/errors.js';
import { Detector, DetectorEnsemble, loadDetector, type DetectorOptions } from '../../src/pipeline/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const CLASSES = [
  { name: 'BENIGN', size: 300 },
  { name: 'DoS', size: 120 },
  { name: 'PortScan', size: 60 },
];
const BASE: DetectorOptions = { modelOptions: { hiddenUnits: [16] }, epochs: 3, batchSize: 32, optimizer: { name: 'adam', learningRate: 0.01 }, verbose: 'silent' };

describe('DetectorEnsemble', () => {
  let train: FlowDataset;
  let test: FlowDataset;
  let ens: DetectorEnsemble;
  /** Stand-alone detectors with the members' options, fitted on their own: the reference. */
  let solo: Detector[];
  let dir: string;

  beforeAll(async () => {
    const all = syntheticFlows({ classes: CLASSES, features: 8, categorical: true, seed: 1 });
    const split = splitIndices(all.labels, { testSize: 0.3, seed: 2 });
    train = takeRows(all, split.train);
    test = takeRows(all, split.test);
    ens = DetectorEnsemble.ofSeeds(BASE, [0, 1, 2]);
    await ens.fit(train);
    solo = [];
    for (const seed of [0, 1, 2]) {
      const d = new Detector({ ...BASE, seed });
      await d.fit(train);
      solo.push(d);
    }
    dir = await mkdtemp(path.join(tmpdir(), 'flowsentry-ensemble-'));
  });
  afterAll(async () => {
    ens.dispose();
    for (const d of solo) d.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('probabilities are the mean of the same pipelines fitted on their own, and labels their argmax', () => {
    const p = ens.predictProba(test);
    const ref = solo.map((d) => d.predictProba(test));
    const k = p.classes.length;
    expect(p.classes).toEqual(solo[0]!.classes);
    expect(p.rows).toBe(test.rows);
    const pred = ens.predict(test);
    for (let i = 0; i < p.rows; i++) {
      let best = 0;
      for (let c = 0; c < k; c++) {
        const mean = (ref[0]!.data[i * k + c]! + ref[1]!.data[i * k + c]! + ref[2]!.data[i * k + c]!) / 3;
        expect(p.data[i * k + c]).toBeCloseTo(mean, 6);
        if (mean > (ref[0]!.data[i * k + best]! + ref[1]!.data[i * k + best]! + ref[2]!.data[i * k + best]!) / 3) best = c;
      }
      expect(pred[i]).toBe(p.classes[best]);
    }
    // The members really differ (else the average would be untested).
    expect(Array.from(ref[0]!.data)).not.toEqual(Array.from(ref[1]!.data));
  });

  it('weights: all weight on one member gives that member exactly; anomaly score = 1 - mean P(BENIGN)', async () => {
    const one = new DetectorEnsemble({ members: [{ ...BASE, seed: 0 }, { ...BASE, seed: 1 }], weights: [0, 2] });
    await one.fit(train);
    expect(Array.from(one.predictProba(test).data)).toEqual(Array.from(solo[1]!.predictProba(test).data));
    expect(one.predict(test)).toEqual(solo[1]!.predict(test));
    one.dispose();
    const p = ens.predictProba(test);
    const b = p.classes.indexOf('BENIGN');
    const s = ens.scoreAnomaly(test);
    s.forEach((v, i) => expect(v).toBeCloseTo(1 - p.data[i * p.classes.length + b]!, 6));
  });

  it('evaluate agrees with the predictions; fit reports every member', async () => {
    const r = ens.evaluate(test);
    const pred = ens.predict(test);
    expect(r.accuracy).toBeCloseTo(pred.filter((l, i) => l === test.labels[i]).length / test.rows, 12);
    expect(r.accuracy).toBeGreaterThan(0.8);
    const e = DetectorEnsemble.ofSeeds({ ...BASE, epochs: 1 }, [5, 6]);
    const fit = await e.fit(train);
    expect(fit.members).toHaveLength(2);
    expect(fit.parameters).toBe(fit.members[0]!.parameters + fit.members[1]!.parameters);
    e.dispose();
  });

  it('save -> loadDetector gives an ensemble with identical probabilities; a single detector directory loads as a Detector', async () => {
    await ens.save(dir);
    const json = JSON.parse(await readFile(path.join(dir, 'ensemble.json'), 'utf8')) as { format: string; version: number; members: string[] };
    expect(json.format).toBe('flowsentry.DetectorEnsemble');
    expect(json.members).toEqual(['member-0', 'member-1', 'member-2']);
    const again = await loadDetector(dir);
    expect(again).toBeInstanceOf(DetectorEnsemble);
    expect(Array.from(again.predictProba(test).data)).toEqual(Array.from(ens.predictProba(test).data));
    expect(again.predict(test)).toEqual(ens.predict(test));
    again.dispose();
    const member = await loadDetector(path.join(dir, 'member-1'));
    expect(member).toBeInstanceOf(Detector);
    expect(Array.from(member.predictProba(test).data)).toEqual(Array.from(solo[1]!.predictProba(test).data));
    member.dispose();
  });

  it('fromFitted combines fitted detectors without refitting: the same probabilities as fitting the ensemble', async () => {
    const loaded = [await Detector.load(path.join(dir, 'member-0')), await Detector.load(path.join(dir, 'member-1')), await Detector.load(path.join(dir, 'member-2'))];
    const e = DetectorEnsemble.fromFitted(loaded);
    expect(Array.from(e.predictProba(test).data)).toEqual(Array.from(ens.predictProba(test).data));
    expect(e.members).toEqual(loaded);
    e.dispose();
    expect(() => DetectorEnsemble.fromFitted([])).toThrow(/detectors: expected a non-empty array/);
    expect(() => DetectorEnsemble.fromFitted([solo[0]!, new Detector(BASE)])).toThrow(/detectors\[1\]: expected a fitted/);
    // Detectors trained on other labels cannot be averaged column by column.
    const other = new Detector({ ...BASE, epochs: 1 });
    await other.fit(takeRows(train, Int32Array.from(train.labels.flatMap((l, i) => (l === 'PortScan' ? [] : [i])))));
    expect(() => DetectorEnsemble.fromFitted([solo[0]!, other])).toThrow(/members\[1\]: expected the classes of member 0/);
    other.dispose();
  });

  it('scoring, fitting and disposing leave no tensor behind', async () => {
    await expectNoLeaks(() => {
      ens.predictProba(test);
      ens.predict(test);
      ens.scoreAnomaly(test);
      ens.evaluate(test);
    });
    await expectNoLeaks(async () => {
      const e = DetectorEnsemble.ofSeeds({ ...BASE, epochs: 1, modelOptions: { hiddenUnits: [4] } }, [0, 1]);
      await e.fit(train);
      e.dispose();
    });
    await expectNoLeaks(async () => (await DetectorEnsemble.load(dir)).dispose());
  });

  it('rejects bad options at construction, use before fit, and damaged directories', async () => {
    expect(() => new DetectorEnsemble({ members: [] })).toThrow(ValueError);
    expect(() => new DetectorEnsemble({ members: [BASE], weights: [1, 1] })).toThrow(/weights: expected 1 finite/);
    expect(() => new DetectorEnsemble({ members: [BASE, BASE], weights: [-1, 2] })).toThrow(/weights/);
    expect(() => new DetectorEnsemble({ members: [BASE, BASE], weights: [0, 0] })).toThrow(/not all 0/);
    expect(() => new DetectorEnsemble({ members: [BASE, { ...BASE, decision: { targetFpr: 0.05 } }] })).toThrow(/members\[1\]\.decision/);
    // A member's own bad option fails at construction, before any member trains.
    expect(() => new DetectorEnsemble({ members: [BASE, { ...BASE, epochs: 0 }] })).toThrow(/epochs/);
    expect(() => DetectorEnsemble.ofSeeds(BASE, [])).toThrow(/seeds/);
    expect(() => DetectorEnsemble.ofSeeds(BASE, [0]).predict(test)).toThrow(NotFittedError);
    await expect(DetectorEnsemble.ofSeeds(BASE, [0]).save(dir)).rejects.toThrow(NotFittedError);

    const bad = await mkdtemp(path.join(tmpdir(), 'flowsentry-bad-ensemble-'));
    const j = JSON.parse(await readFile(path.join(dir, 'ensemble.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(bad, 'ensemble.json'), JSON.stringify({ ...j, version: 99 }));
    await expect(loadDetector(bad)).rejects.toThrow(/version 99/);
    await writeFile(path.join(bad, 'ensemble.json'), JSON.stringify({ ...j, members: ['member-0'] }));
    await expect(DetectorEnsemble.load(bad)).rejects.toThrow(DataFormatError);
    await writeFile(path.join(bad, 'ensemble.json'), JSON.stringify({ ...j, members: ['../x', 'member-1', 'member-2'] }));
    await expect(DetectorEnsemble.load(bad)).rejects.toThrow(/plain relative name/);
    await rm(bad, { recursive: true, force: true });
  });
});
