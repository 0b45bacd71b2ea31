import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreStream } from '../../src/cli/commands/score.js';
import { syntheticFlows, type FlowDataset } from '../../src/data/index.js';
import { DataFormatError, ValueError } from '../../src/errors.js';
import { Detector } from '../../src/pipeline/index.js';

describe('score: streaming CSV / NDJSON through a saved detector', () => {
  let data: FlowDataset;
  let det: Detector;
  let dir: string;
  const header = (): string[] => [...data.featureNames, ...data.categorical!.names];
  const row = (i: number): string[] => [...Array.from(data.features.subarray(i * data.cols, (i + 1) * data.cols), String), ...data.categorical!.values[i]!];

  beforeAll(async () => {
    data = syntheticFlows({ classes: [{ name: 'BENIGN', size: 150 }, { name: 'DoS', size: 50 }], features: 6, categorical: true, seed: 9 });
    const d = new Detector({ modelOptions: { hiddenUnits: [8] }, epochs: 2, verbose: 'silent' });
    await d.fit(data);
    dir = await mkdtemp(path.join(tmpdir(), 'flowsentry-score-'));
    await d.save(dir);
    d.dispose();
    det = await Detector.load(dir);
  });
  afterAll(async () => {
    det.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('CSV with a reordered header, an extra column and small batches gives the same lines as predict, in order', async () => {
    const cols = [...header()].reverse();
    const csv = [['id', ...cols].join(','), ...Array.from({ length: 25 }, (_, i) => [String(i), ...row(i).reverse()].join(','))].join('\n');
    const lines: string[] = [];
    const s = await scoreStream(det, Readable.from([csv]), (l) => lines.push(l), { format: 'csv', batch: 7 });
    expect(s.rows).toBe(25);
    expect(s.extraColumns).toEqual(['id']);
    const first = { features: data.features.subarray(0, 25 * data.cols), rows: 25, cols: data.cols, featureNames: data.featureNames, categorical: { names: data.categorical!.names, values: data.categorical!.values.slice(0, 25) } };
    const labels = det.predict(first);
    const scores = det.scoreAnomaly(first);
    expect(lines).toEqual(labels.map((l, i) => `${scores[i]!.toFixed(6)},${l}`));
  });

  it('NDJSON works the same; a bad line is a DataFormatError with its line number', async () => {
    const nd = Array.from({ length: 5 }, (_, i) => JSON.stringify(Object.fromEntries(header().map((h, j) => [h, row(i)[j]])))).join('\n');
    const lines: string[] = [];
    await scoreStream(det, Readable.from([nd]), (l) => lines.push(l), { format: 'ndjson', batch: 2 });
    expect(lines).toHaveLength(5);
    await expect(scoreStream(det, Readable.from([`${nd}\n{oops`]), () => undefined, { format: 'ndjson', batch: 2 })).rejects.toThrow(DataFormatError);
    await expect(scoreStream(det, Readable.from([`${nd}\n{oops`]), () => undefined, { format: 'ndjson', batch: 2 })).rejects.toThrow(/<stdin>:6/);
  });

  it('a missing column or an unseen category is a typed error, not a silent answer', async () => {
    const cols = header().filter((c) => c !== data.featureNames[1]);
    const csv = [cols.join(','), row(0).filter((_, j) => j !== 1).join(',')].join('\n');
    await expect(scoreStream(det, Readable.from([csv]), () => undefined, { format: 'csv', batch: 8 })).rejects.toThrow(ValueError);
    await expect(scoreStream(det, Readable.from([csv]), () => undefined, { format: 'csv', batch: 8 })).rejects.toThrow(`missing '${data.featureNames[1]}'`);
    const r = row(0);
    r[r.length - 1] = 'never-seen';
    const csv2 = [header().join(','), r.join(',')].join('\n');
    await expect(scoreStream(det, Readable.from([csv2]), () => undefined, { format: 'csv', batch: 8 })).rejects.toThrow(/never-seen/);
  });
});
