import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/errors.js';
import { CICIDS2017_IDENTIFIERS, CICIDS2017_MACHINE_LEARNING_COLUMNS, loadCicids2017 } from '../../src/data/index.js';
import { dataRoot, tempDir, writeText } from './files.js';

const improved = path.join(dataRoot, 'cicids2017-improved-sample');

// Class counts from ../shared/data/README.md (one CSV per class). The README's stated total,
// 24,749, does not equal the sum of its own per-class counts, 25,127; the files agree with the latter.
const README_COUNTS: Record<string, number> = {
  BENIGN: 2500, Botnet: 736, DDoS: 2500, 'DoS GoldenEye': 2500, 'DoS Hulk': 2500, 'DoS Slowhttptest': 1740, 'DoS Slowloris': 2500,
  'FTP-Patator': 2500, Heartbleed: 11, 'Infiltration - Portscan': 2500, Infiltration: 36, Portscan: 2500, 'SSH-Patator': 2500,
  'Web Attack - Brute Force': 73, 'Web Attack - SQL Injection': 13, 'Web Attack - XSS': 18,
};

describe.skipIf(!existsSync(improved))('loadCicids2017: improved form (shared data)', () => {
  it('loads the folder of per-class CSVs as one dataset with the README class counts', async () => {
    const d = await loadCicids2017(improved);
    expect(d.summary.classCounts).toEqual(README_COUNTS);
    expect(d.rows).toBe(Object.values(README_COUNTS).reduce((a, b) => a + b, 0));
    expect(d.summary.files.length).toBe(16);
    expect(d.summary.skipped).toEqual({});
    // 91 columns minus 7 identifiers, Label and Attempted Category.
    expect(d.cols).toBe(82);
    for (const id of CICIDS2017_IDENTIFIERS) expect(d.featureNames).not.toContain(id);
    expect(d.featureNames).not.toContain('Attempted Category');
    expect(d.featureNames).toContain('Flow Bytes/s');
    expect(d.features.length).toBe(d.rows * d.cols);
    expect(d.features.every(Number.isFinite)).toBe(true);
  });
  it('binary labels and a row cap', async () => {
    const d = await loadCicids2017(path.join(improved, 'Heartbleed_11.csv'), { labels: 'binary', maxRows: 5 });
    expect(d.rows).toBe(5);
    expect(d.summary.classCounts).toEqual({ attack: 5 });
  });
});

/** Writes an original MachineLearningCSV-form file: leading spaces, Infinity/NaN in the rate columns. */
function machineLearningCsv(rows: { label: string; bytesRate: string; pktRate: string; k: number }[]): string {
  const lines = [CICIDS2017_MACHINE_LEARNING_COLUMNS.join(',')];
  for (const r of rows) {
    const values = CICIDS2017_MACHINE_LEARNING_COLUMNS.map((name, j) => {
      if (name === ' Label') return r.label;
      if (name === 'Flow Bytes/s') return r.bytesRate;
      if (name === ' Flow Packets/s') return r.pktRate;
      return String(r.k * 100 + j);
    });
    lines.push(values.join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('loadCicids2017: original MachineLearningCSV form (generated files)', () => {
  const dir = tempDir();
  writeText(dir, 'days/Monday-WorkingHours.pcap_ISCX.csv', machineLearningCsv([
    { label: 'BENIGN', bytesRate: '10.5', pktRate: '2', k: 1 },
    { label: 'BENIGN', bytesRate: 'Infinity', pktRate: 'Infinity', k: 2 },
    { label: 'BENIGN', bytesRate: '30', pktRate: '4', k: 3 },
  ]));
  writeText(dir, 'days/Thursday-WorkingHours-Morning-WebAttacks.pcap_ISCX.csv', machineLearningCsv([
    { label: 'Web Attack \uFFFD Brute Force', bytesRate: 'NaN', pktRate: '5', k: 4 },
    { label: 'Web Attack \uFFFD XSS', bytesRate: '50', pktRate: '6', k: 5 },
  ]));
  const days = path.join(dir, 'days');

  it('loads a folder of per-day files; identifiers and the duplicated column are not features', async () => {
    const d = await loadCicids2017(days);
    // 78 features minus Destination Port minus the repeated Fwd Header Length.
    expect(d.cols).toBe(76);
    expect(d.featureNames[0]).toBe('Flow Duration');
    expect(d.featureNames).not.toContain('Destination Port');
    expect(d.featureNames.filter((n) => n.startsWith('Fwd Header Length'))).toEqual(['Fwd Header Length']);
    // Default policy drops the two rows with non-finite rates and says so.
    expect(d.rows).toBe(3);
    expect(d.summary.skipped).toEqual({ nonFinite: 2 });
    expect(d.summary.linesRead).toBe(5);
    expect(d.summary.classCounts).toEqual({ BENIGN: 2, 'Web Attack - XSS': 1 });
  });
  it("replaces non-finite values by the column's finite max, min or zero and counts them", async () => {
    const col = (d: Awaited<ReturnType<typeof loadCicids2017>>, name: string) => {
      const j = d.featureNames.indexOf(name);
      return Array.from({ length: d.rows }, (_, i) => d.features[i * d.cols + j]);
    };
    const max = await loadCicids2017(days, { nonFinite: 'max' });
    expect(max.rows).toBe(5);
    expect(col(max, 'Flow Bytes/s')).toEqual([10.5, 50, 30, 50, 50]);
    expect(col(max, 'Flow Packets/s')).toEqual([2, 6, 4, 5, 6]);
    expect(max.summary.replaced).toEqual({ 'Flow Bytes/s': 2, 'Flow Packets/s': 1 });
    expect(max.summary.classCounts['Web Attack - Brute Force']).toBe(1);
    const min = await loadCicids2017(days, { nonFinite: 'min' });
    expect(col(min, 'Flow Bytes/s')).toEqual([10.5, 10.5, 30, 10.5, 50]);
    const zero = await loadCicids2017(days, { nonFinite: 'zero' });
    expect(col(zero, 'Flow Bytes/s')).toEqual([10.5, 0, 30, 0, 50]);
    const keep = await loadCicids2017(days, { nonFinite: 'keep' });
    expect(col(keep, 'Flow Bytes/s')[1]).toBe(Infinity);
    await expect(loadCicids2017(days, { nonFinite: 'error' })).rejects.toThrow(/Monday-WorkingHours\.pcap_ISCX\.csv:3: non-finite value Infinity in column 'Flow Bytes\/s'/);
  });
  it("the improved form's '- Attempted' labels: own classes, or BENIGN on request", async () => {
    const f = writeText(dir, 'improved/attempted.csv', 'id,Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,Label,Attempted Category\n' +
      '1,a,1.1.1.1,1,2.2.2.2,80,6,2017-07-05 10:00:00,10,BENIGN,-1\n2,b,1.1.1.1,2,2.2.2.2,80,6,2017-07-05 10:00:01,20,DoS Hulk - Attempted,1\n3,c,1.1.1.1,3,2.2.2.2,80,6,2017-07-05 10:00:02,30,DoS Hulk,-1\n');
    const kept = await loadCicids2017(f);
    expect(kept.featureNames).toEqual(['Protocol', 'Flow Duration']);
    expect(kept.summary.classCounts).toEqual({ BENIGN: 1, 'DoS Hulk - Attempted': 1, 'DoS Hulk': 1 });
    const benign = await loadCicids2017(f, { attempted: 'benign' });
    expect(benign.summary.classCounts).toEqual({ BENIGN: 2, 'DoS Hulk': 1 });
  });
  it('a missing label column, an empty label or an empty file is a typed error with file and line', async () => {
    const noLabel = writeText(dir, 'bad/nolabel.csv', 'Flow Duration,Flow Bytes/s\n1,2\n');
    await expect(loadCicids2017(noLabel)).rejects.toThrow(/nolabel\.csv:1: missing label column 'Label'/);
    const emptyLabel = writeText(dir, 'bad/emptylabel.csv', 'Flow Duration, Label\n1,BENIGN\n2,\n');
    await expect(loadCicids2017(emptyLabel)).rejects.toThrow(/emptylabel\.csv:3: empty label/);
    const skipped = await loadCicids2017(emptyLabel, { onError: 'skip' });
    expect(skipped.summary.skipped).toEqual({ missingLabel: 1 });
    await expect(loadCicids2017(writeText(dir, 'bad/empty.csv', ''))).rejects.toThrow(DataFormatError);
    await expect(loadCicids2017(writeText(dir, 'bad/header-only.csv', 'Flow Duration, Label\n'))).rejects.toThrow(/no data rows/);
  });
});
