import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitIndices, syntheticFlows, takeRows, type FlowDataset } from '../../src/data/index.js';
import { DataFormatError, NotFittedError, ValueError } from '../../src/errors.js';
import { Detector, type FlowRecord } from '../../src/pipeline/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

const CLASSES = [
  { name: 'BENIGN', size: 300 },
  { name: 'DoS', size: 120 },
  { name: 'PortScan', size: 60 },
];

function records(d: FlowDataset, n: number): FlowRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const r: Record<string, string | number> = {};
    d.featureNames.forEach((name, j) => (r[name] = d.features[i * d.cols + j]!));
    d.categorical?.names.forEach((name, j) => (r[name] = d.categorical!.values[i]![j]!));
    return r;
  });
}

describe('Detector', () => {
  let train: FlowDataset;
  let test: FlowDataset;
  let det: Detector;
  let dir: string;

  beforeAll(async () => {
    // One generated population (the seed fixes the class centres), split in two.
    const all = syntheticFlows({ classes: CLASSES, features: 8, categorical: true, seed: 1 });
    const split = splitIndices(all.labels, { testSize: 0.3, seed: 2 });
    train = takeRows(all, split.train);
    test = takeRows(all, split.test);
    det = new Detector({ modelOptions: { hiddenUnits: [16] }, epochs: 4, batchSize: 32, optimizer: { name: 'adam', learningRate: 0.01 }, verbose: 'silent', seed: 3 });
    await det.fit(train);
    dir = await mkdtemp(path.join(tmpdir(), 'flowsentry-detector-'));
  });
  afterAll(async () => {
    det.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('learns the synthetic classes well above chance', () => {
    const r = det.evaluate(test);
    expect(r.accuracy).toBeGreaterThan(0.8);
    expect(r.perClass.map((c) => c.label).sort()).toEqual(['BENIGN', 'DoS', 'PortScan']);
  });

  it('save -> load gives identical probabilities and predictions', async () => {
    await det.save(dir);
    const saved = JSON.parse(await readFile(path.join(dir, 'detector.json'), 'utf8')) as { format: string; version: number };
    expect(saved.format).toBe('flowsentry.Detector');
    expect(saved.version).toBe(1);
    const again = await Detector.load(dir);
    expect(Array.from(again.predictProba(test).data)).toEqual(Array.from(det.predictProba(test).data));
    expect(again.predict(test)).toEqual(det.predict(test));
    expect(again.classes).toEqual(det.classes);
    again.dispose();
  });

  it('scores records by column name: an extra column is ignored and reported, the answer unchanged', () => {
    const recs = records(test, 20);
    const base = det.predictProba(recs).data;
    expect(det.lastInputReport?.extraColumns).toEqual([]);
    const extra = recs.map((r) => ({ ...r, 'Src IP': '10.0.0.1' }));
    expect(Array.from(det.predictProba(extra).data)).toEqual(Array.from(base));
    expect(det.lastInputReport?.extraColumns).toEqual(['Src IP']);
    // Reordered table columns are matched by name too.
    const names = [...test.featureNames].reverse();
    const features = new Float32Array(test.features.length);
    for (let i = 0; i < test.rows; i++) for (let j = 0; j < test.cols; j++) features[i * test.cols + j] = test.features[i * test.cols + (test.cols - 1 - j)]!;
    const reordered = { ...test, featureNames: names, features };
    expect(Array.from(det.predictProba(reordered).data)).toEqual(Array.from(det.predictProba(test).data));
  });

  it('a missing column is a ValueError naming it', () => {
    const recs = records(test, 5).map((r) => {
      const { [test.featureNames[2]!]: _drop, ...rest } = r;
      return rest;
    });
    expect(() => det.predict(recs)).toThrow(ValueError);
    expect(() => det.predict(recs)).toThrow(`missing '${test.featureNames[2]}'`);
    const { proto: _p, ...noProto } = records(test, 1)[0]!;
    expect(() => det.predict([noProto])).toThrow("missing 'proto'");
    expect(() => det.predict([{ ...records(test, 1)[0]!, [test.featureNames[0]!]: 'abc' }])).toThrow(/a finite number, received "abc"/);
  });

  it("an unseen category is a ValueError by default, and an all-zero block counted with unknownCategories: 'ignore'", async () => {
    const recs = records(test, 6).map((r, i) => (i < 2 ? { ...r, service: 'gopher' } : r));
    expect(() => det.predict(recs)).toThrow(/column 'service'.*received "gopher"/);
    const lenient = new Detector({ ...det.options, unknownCategories: 'ignore' });
    await lenient.fit(train);
    expect(lenient.predict(recs)).toHaveLength(6);
    expect(lenient.lastInputReport?.unknownCategories).toEqual({ service: 2 });
    lenient.dispose();
  });

  it('scoring leaves no tensor behind, and a fitted-then-disposed detector neither', async () => {
    await expectNoLeaks(() => {
      det.predictProba(test);
      det.scoreAnomaly(test);
    });
    await expectNoLeaks(async () => {
      const d = new Detector({ modelOptions: { hiddenUnits: [4] }, epochs: 1, verbose: 'silent' });
      await d.fit(train);
      d.dispose();
    });
  });

  it('the threshold rule flags exactly the flows whose anomaly score exceeds the threshold', async () => {
    const d = new Detector({ ...det.options, decision: { targetFpr: 0.05 }, validationFraction: 0.2 });
    const fit = await d.fit(train);
    expect(fit.validationRows).toBe(Math.ceil(0.2 * train.rows));
    const t = d.threshold!;
    const scores = d.scoreAnomaly(test);
    const pred = d.predict(test);
    scores.forEach((s, i) => expect(pred[i] === 'BENIGN').toBe(s <= t));
    d.dispose();
  });

  it('fitPreprocessing gives the model inputs fit trains on, and nothing that needs the model', async () => {
    const opts = { modelOptions: { hiddenUnits: [16] }, epochs: 1, batchSize: 32, verbose: 'silent' as const, seed: 3 };
    const prep = new Detector(opts);
    await expectNoLeaks(() => prep.fitPreprocessing(train));
    // Min-Max fitted on every training row (argmax rule: no hold-out): each column spans [0, 1] there.
    const a = prep.transform(train);
    for (let j = 0; j < a.cols; j++) {
      const col = Array.from({ length: a.rows }, (_, i) => a.data[i * a.cols + j]!);
      expect([Math.min(...col), Math.max(...col)]).toEqual([0, 1]);
    }
    expect(Array.from(prep.transform(test).data)).toEqual(Array.from(det.transform(test).data));
    expect(prep.classes).toEqual(det.classes);
    expect(() => prep.predict(test)).toThrow(NotFittedError);
    expect(() => prep.predictProba(test)).toThrow(/predictProba/);
    expect(() => prep.scoreAnomaly(test)).toThrow(NotFittedError);
    expect(() => prep.model).toThrow(NotFittedError);
    await expect(prep.save(dir + '-unused')).rejects.toThrow(NotFittedError);
    // With the threshold rule the validation hold-out is left out of the scaling, as in fit.
    const thr = { ...opts, decision: { targetFpr: 0.05 } };
    const fitted = new Detector(thr);
    await fitted.fit(train);
    const prepThr = new Detector(thr).fitPreprocessing(train);
    expect(Array.from(prepThr.transform(test).data)).toEqual(Array.from(fitted.transform(test).data));
    // Unclipped, the scaling shows it: fitted without a half hold-out, some training values fall outside [0, 1].
    const t = new Detector({ ...thr, validationFraction: 0.5, clip: false }).fitPreprocessing(train).transform(train);
    expect(Math.min(...t.data) < 0 || Math.max(...t.data) > 1).toBe(true);
    // fit after fitPreprocessing starts over; dispose leaves the preprocessing but not the model.
    await prepThr.fit(train);
    expect(prepThr.predict(test)).toEqual(fitted.predict(test));
    prepThr.dispose();
    expect(() => prepThr.predict(test)).toThrow(NotFittedError);
    fitted.dispose();
  });

  it('rejects bad options early and use before fit', async () => {
    expect(() => new Detector({ featureTransform: 'sqrt' as 'log1p' })).toThrow(ValueError);
    expect(() => new Detector({ decision: { targetFpr: 1.5 } })).toThrow(/decision.targetFpr/);
    expect(() => new Detector({ optimizer: { name: 'adam', learningRate: -1 } })).toThrow(/learningRate/);
    expect(() => new Detector().predict(test)).toThrow(NotFittedError);
    await expect(new Detector({ model: 'nope', verbose: 'silent' }).fit(train)).rejects.toThrow(/model: expected one of/);
  });

  it('load rejects another format version with a DataFormatError', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'flowsentry-bad-'));
    const j = JSON.parse(await readFile(path.join(dir, 'detector.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(bad, 'detector.json'), JSON.stringify({ ...j, version: 99 }));
    await expect(Detector.load(bad)).rejects.toThrow(DataFormatError);
    await expect(Detector.load(bad)).rejects.toThrow(/version 99/);
    await rm(bad, { recursive: true, force: true });
  });
});

describe('Detector: the ResCAE-BiGRU paper pipeline, tiny', () => {
  it('iForest on BENIGN, SMOTE-Tomek, autoencoder pre-training, focal loss, SAM over SGD, cosine: runs, reports each step, leaks nothing', async () => {
    const all = syntheticFlows({ classes: [{ name: 'BENIGN', size: 120 }, { name: 'DoS', size: 40 }, { name: 'Bot', size: 12 }], features: 10, seed: 4 });
    await expectNoLeaks(async () => {
      const d = new Detector({
        model: 'rescae-bigru',
        modelOptions: { gruUnits: 8, gruLayers: 1, encoderFilters: [4, 8] },
        isolationForest: { classes: ['BENIGN'], contamination: 0.1, nEstimators: 20 },
        smoteTomek: true,
        pretrainEpochs: 1,
        epochs: 2,
        batchSize: 64,
        optimizer: { name: 'sam-sgd' },
        loss: { name: 'focal' },
        schedule: 'cosine',
        verbose: 'silent',
      });
      const fit = await d.fit(all);
      expect(fit.isolationForestRemoved.BENIGN).toBeGreaterThan(0);
      // SMOTE balances every class up to the majority (BENIGN after cleaning); Tomek removes a few.
      expect(fit.resampledRows).toBeGreaterThan(3 * (120 - fit.isolationForestRemoved.BENIGN!) - 30);
      expect(fit.pretrainHistory?.epoch).toEqual([0]);
      // Cosine annealing from SGD's 0.01 to 0 over all steps; the log holds the rate of each epoch's last step.
      const perEpoch = Math.ceil(fit.resampledRows / 64);
      expect(fit.history.steps).toBe(2 * perEpoch);
      expect(fit.history.history.lr?.[0]).toBeCloseTo((0.01 * (1 + Math.cos((Math.PI * (perEpoch - 1)) / (2 * perEpoch)))) / 2, 6);
      expect(d.predict(all)).toHaveLength(all.rows);
      d.dispose();
    });
  });
});
