import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NSL_KDD_COLUMNS, loadNslKdd } from '../../src/data/index.js';
import { dataRoot, tempDir, writeText } from './files.js';

const dir = path.join(dataRoot, 'nsl-kdd');
const train = path.join(dir, 'KDDTrain+_20Percent.txt');
const test = path.join(dir, 'KDDTest+.txt');

describe.skipIf(!existsSync(train))('loadNslKdd (shared data)', () => {
  it('loads KDDTrain+_20Percent: 25,192 rows, 38 numeric + 3 categorical features, attack names', async () => {
    const d = await loadNslKdd(train);
    expect(d.rows).toBe(25192);
    expect(d.cols).toBe(38);
    expect(d.categorical?.names).toEqual(['protocol_type', 'service', 'flag']);
    expect(d.categorical?.values[0]).toEqual(['udp', 'private', 'SF']);
    expect(d.featureNames).not.toContain('difficulty');
    expect(d.featureNames).not.toContain('label');
    // Counted independently with `cut -d, -f42 | sort | uniq -c`.
    expect(d.summary.classCounts).toMatchObject({ normal: 13449, neptune: 8282, ipsweep: 710, satan: 691, portsweep: 587, smurf: 529, spy: 1 });
    // Row 1: duration 0, then src_bytes 28 (the categorical columns are not in features).
    expect(d.features[0]).toBe(0);
    expect(d.features[1]).toBe(28);
  });
  it('groups KDDTest+ into the five categories with the published counts', async () => {
    const d = await loadNslKdd(test, { labels: 'category' });
    expect(d.rows).toBe(22544);
    expect(d.summary.classCounts).toEqual({ normal: 9711, DoS: 7458, Probe: 2421, R2L: 2754, U2R: 200 });
    const b = await loadNslKdd(test, { labels: 'binary' });
    expect(b.summary.classCounts).toEqual({ attack: 22544 - 9711, normal: 9711 });
  });
});

describe('loadNslKdd (generated file)', () => {
  it('an attack name without a category is a typed error with the line, or skipped', async () => {
    const row = (name: string) => ['0', 'tcp', 'http', 'SF', ...Array.from({ length: 37 }, () => '1'), name, '21'].join(',');
    expect(NSL_KDD_COLUMNS.length).toBe(43);
    const f = writeText(tempDir(), 'KDDTiny.txt', `${row('normal')}\n${row('zeroday')}\n`);
    await expect(loadNslKdd(f, { labels: 'category' })).rejects.toThrow(/KDDTiny\.txt:2: attack name 'zeroday'/);
    const d = await loadNslKdd(f, { labels: 'category', onError: 'skip' });
    expect(d.rows).toBe(1);
    expect(d.summary.skipped).toEqual({ missingLabel: 1 });
  });
});
