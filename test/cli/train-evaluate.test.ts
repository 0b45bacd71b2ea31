import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const data = process.env.FLOWSENTRY_DATA ?? path.resolve(repoRoot, '../shared/data');
const kdd = path.join(data, 'nsl-kdd');

afterEach(() => vi.restoreAllMocks());

describe.skipIf(!existsSync(kdd))('flowsentry train -> evaluate on NSL-KDD (binary, 1 epoch of an MLP)', () => {
  it('trains, saves, evaluates with --json and --report', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'flowsentry-cli-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const code = await main(['train', '--dataset', 'nsl-kdd', '--train', path.join(kdd, 'KDDTrain+_20Percent.txt'), '--test', path.join(kdd, 'KDDTest+.txt'), '--labels', 'binary', '--model', 'mlp', '--preset', 'plain', '--epochs', '1', '--out', out]);
    expect(code).toBe(0);
    expect(existsSync(path.join(out, 'detector.json'))).toBe(true);
    expect(existsSync(path.join(out, 'weights.bin'))).toBe(true);
    log.mockClear();
    const report = path.join(out, 'report');
    expect(await main(['evaluate', '--model', out, '--dataset', 'nsl-kdd', '--test', path.join(kdd, 'KDDTest+.txt'), '--labels', 'binary', '--json', '--report', report])).toBe(0);
    const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
    const json = JSON.parse(printed.slice(printed.indexOf('{'))) as { accuracy: number; weightedF1: number; macroF1: number; perClass: { label: string }[]; confusionMatrix: { matrix: number[][] } };
    expect(json.perClass.map((c) => c.label).sort()).toEqual(['attack', 'normal']);
    // 22,544 test flows, all counted once in the confusion matrix.
    expect(json.confusionMatrix.matrix.flat().reduce((a, b) => a + b, 0)).toBe(22544);
    expect(json.accuracy).toBeGreaterThan(0.6);
    const saved = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8')) as { accuracy: number };
    expect(saved.accuracy).toBeCloseTo(json.accuracy, 10);
    expect(await readFile(path.join(report, 'report.md'), 'utf8')).toContain('attack');
    expect(await readFile(path.join(report, 'confusion.svg'), 'utf8')).toMatch(/^<svg/);
    await rm(out, { recursive: true, force: true });
  });

  it('--seeds trains and saves a soft-voting ensemble that evaluate loads like a detector', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'flowsentry-cli-ens-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const args = ['train', '--dataset', 'nsl-kdd', '--train', path.join(kdd, 'KDDTrain+_20Percent.txt'), '--test', path.join(kdd, 'KDDTest+.txt'), '--labels', 'binary', '--model', 'mlp', '--preset', 'plain', '--epochs', '1', '--out', out];
    const errors = (): string => err.mock.calls.map((c) => c.join(' ')).join('\n');
    expect(await main([...args, '--seeds', '0,1', '--target-fpr', '0.05'])).toBe(2);
    expect(errors()).toMatch(/--seeds: expected no --target-fpr/);
    expect(await main([...args, '--seeds', '0,x'])).toBe(2);
    expect(errors()).toMatch(/--seeds: expected a comma-separated list/);
    expect(await main([...args, '--seeds', '0,1'])).toBe(0);
    expect(existsSync(path.join(out, 'ensemble.json'))).toBe(true);
    expect(existsSync(path.join(out, 'member-1', 'weights.bin'))).toBe(true);
    const saved = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8')) as { accuracy: number; seeds: number[] };
    expect(saved.seeds).toEqual([0, 1]);
    log.mockClear();
    expect(await main(['evaluate', '--model', out, '--dataset', 'nsl-kdd', '--test', path.join(kdd, 'KDDTest+.txt'), '--labels', 'binary', '--json'])).toBe(0);
    const printed = log.mock.calls.map((c) => c.join(' ')).join('\n');
    const json = JSON.parse(printed.slice(printed.indexOf('{'))) as { accuracy: number };
    expect(json.accuracy).toBeCloseTo(saved.accuracy, 10);
    await rm(out, { recursive: true, force: true });
  });
});
