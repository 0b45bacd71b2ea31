/**
 * Samplers against scikit-learn 1.2 / imbalanced-learn 0.10, measured in the same run on the same
 * data (written to a temporary folder as float32 and read by bench/sampling_ref.py):
 * IsolationForest fit and scoreSamples, TomekLinks, SMOTETomek on the CICIDS2017 sample's 70 %
 * split. `--quick` uses small sizes (about a minute). Our samplers use every core by default
 * (nJobs); the "1 thread" rows show the calling thread alone. The machine is shared: compare the
 * CPU-second ratios too. The reference runs once per case (it takes up to minutes); where ours is
 * short (scoreSamples, SMOTETomek) it runs once before and twice after the reference and the
 * median of the three is reported (every run listed in the note).
 *
 *     npx tsx bench/run.ts sampling [--quick]
 *
 * FLOWSENTRY_BENCH_CASES=fit,score,smotetomek,tomek (comma-separated, default all) runs some cases only.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCicids2017, MinMaxScaler, splitIndices, syntheticFlows } from '../src/data/index.js';
import { IsolationForest, SMOTETomek, TomekLinks } from '../src/sampling/index.js';
import type { DenseMatrix } from '../src/util/matrix.js';
import { Rng } from '../src/util/rng.js';
import { availableThreads } from '../src/sampling/workers/pool.js';
import { median, peakRssMb, printTable, pythonHas, runPython } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const refScript = path.join(here, 'sampling_ref.py');
const dataDir = process.env.FLOWSENTRY_DATA ?? path.resolve(here, '../../shared/data');

function gaussian(rows: number, cols: number, seed: number): DenseMatrix {
  const rng = new Rng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, rows, cols };
}

/** syntheticFlows (CICIDS-like features) with 10 % attacks, min-max scaled, integer labels. */
function flows(rows: number, cols: number): { m: DenseMatrix; y: Int32Array } {
  const minority = Math.round(rows / 10);
  const ds = syntheticFlows({ features: cols, classes: [{ name: 'BENIGN', size: rows - minority }, { name: 'ATTACK', size: minority }], seed: 1 });
  const m = new MinMaxScaler().fit({ data: ds.features, rows: ds.rows, cols: ds.cols }).transform({ data: ds.features, rows: ds.rows, cols: ds.cols });
  return { m, y: Int32Array.from(ds.labels, (l) => (l === 'BENIGN' ? 0 : 1)) };
}

function share(m: DenseMatrix, y: Int32Array | null, extra: Record<string, number> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowsentry-bench-'));
  writeFileSync(path.join(dir, 'X.f32'), m.data);
  if (y !== null) writeFileSync(path.join(dir, 'y.i32'), y);
  writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ rows: m.rows, cols: m.cols, ...extra }));
  return dir;
}

interface Timing {
  /** Median wall-clock seconds. */
  seconds: number;
  /** Median process CPU seconds, every thread (the machine is shared: CPU time is the steadier figure). */
  cpu: number;
  /** Every run's wall-clock seconds. */
  runs: number[];
}

function measure(fn: () => unknown, repeats: number): { t: number[]; c: number[] } {
  const t: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    t.push((performance.now() - t0) / 1000);
    const u = process.cpuUsage(c0);
    c.push((u.user + u.system) / 1e6);
  }
  return { t, c };
}

/** Median wall-clock and CPU seconds of `repeats` runs. */
function time(fn: () => unknown, repeats: number): Timing {
  const { t, c } = measure(fn, repeats);
  return { seconds: median(t), cpu: median(c), runs: t };
}

/**
 * Our runs around the reference's: one before it and `after` after it, medians of all. The machine
 * is shared and its load moves over the reference's long run; runs on both sides of it keep our
 * median from falling on a quieter (or busier) moment than the reference's.
 */
function around<R>(fn: () => unknown, reference: () => R, after = 2): { ours: Timing; ref: R } {
  const a = measure(fn, 1);
  const ref = reference();
  const b = measure(fn, after);
  const t = [...a.t, ...b.t];
  return { ours: { seconds: median(t), cpu: median([...a.c, ...b.c]), runs: t }, ref };
}

interface Ref {
  seconds: number;
  cpu: number;
  removed?: number;
  rows?: number;
}

const cases = new Set((process.env.FLOWSENTRY_BENCH_CASES ?? 'fit,score,smotetomek,tomek').split(',').map((c) => c.trim()));

export async function main({ quick }: { quick: boolean }): Promise<void> {
  const hasRef = pythonHas('sklearn', 'imblearn', 'numpy');
  if (!hasRef) console.log('(scikit-learn / imbalanced-learn not found: flowsentry timings only)');
  const rows: (string | number)[][] = [];
  const ref = (name: string, dir: string, repeats: number): Ref | null => (hasRef ? runPython<Ref>(refScript, [name, dir, String(repeats)]) : null);
  const header = ['case', 'flowsentry s (cpu s)', 'reference s (cpu s)', 'speed-up wall (cpu)', 'note'];
  const f = (v: number) => v.toPrecision(3);
  const add = (what: string, ours: Timing, r: Ref | null, note = '') => {
    if (ours.runs.length > 1) note = `${note}${note ? '; ' : ''}runs ${ours.runs.map(f).join(', ')} s`;
    const row = [
      what,
      `${f(ours.seconds)} (${f(ours.cpu)})`,
      r ? `${f(r.seconds)} (${f(r.cpu)})` : 'n/a',
      r ? `${f(r.seconds / ours.seconds)} (${f(r.cpu / ours.cpu)})` : 'n/a',
      note,
    ];
    rows.push(row);
    console.log(`| ${row.join(' | ')} |`);
  };

  // IsolationForest fit (100 trees, 256 rows each) on n x 78.
  if (cases.has('fit')) {
    const n = quick ? 20_000 : 100_000;
    const m = gaussian(n, 78, 1);
    const dir = share(m, null);
    const ours = time(() => new IsolationForest({ seed: 0 }).fit(m), quick ? 3 : 5);
    add(`IsolationForest.fit ${n} x 78`, ours, ref('iforest-fit', dir, quick ? 3 : 5));
    rmSync(dir, { recursive: true });
  }
  // IsolationForest scoreSamples on n x 78 (forest fitted on the first 100k rows or fewer).
  if (cases.has('score')) {
    const n = quick ? 100_000 : 1_000_000;
    const m = gaussian(n, 78, 2);
    const fitRows = Math.min(100_000, n);
    const dir = share(m, null, { fitRows });
    const f = new IsolationForest({ seed: 0 }).fit({ data: m.data.subarray(0, fitRows * 78), rows: fitRows, cols: 78 });
    const f1 = IsolationForest.fromJSON(f.toJSON(), { nJobs: 1 });
    const one = measure(() => f1.scoreSamples(m), 1);
    const { ours, ref: r } = around(() => f.scoreSamples(m), () => ref('iforest-score', dir, 1));
    const oneAfter = measure(() => f1.scoreSamples(m), 2);
    add(`IsolationForest.scoreSamples ${n} x 78`, ours, r, `nJobs default (${availableThreads()} threads)`);
    const t1 = [...one.t, ...oneAfter.t];
    add(`IsolationForest.scoreSamples ${n} x 78, 1 thread`, { seconds: median(t1), cpu: median([...one.c, ...oneAfter.c]), runs: t1 }, r, 'nJobs: 1');
    rmSync(dir, { recursive: true });
  }
  // SMOTETomek on the CICIDS2017 sample's stratified 70 % split (min-max scaled on it).
  if (cases.has('smotetomek')) {
    const folder = path.join(dataDir, 'cicids2017-improved-sample');
    if (!quick && existsSync(folder)) {
      const ds = await loadCicids2017(folder);
      const classes = [...new Set(ds.labels)].sort();
      const split = splitIndices(ds.labels, { testSize: 0.3, seed: 0 });
      const d = ds.cols;
      const train = new Float32Array(split.train.length * d);
      split.train.forEach((r, i) => train.set(ds.features.subarray(r * d, r * d + d), i * d));
      const m = new MinMaxScaler().fit({ data: train, rows: split.train.length, cols: d }).transform({ data: train, rows: split.train.length, cols: d });
      const y = Int32Array.from(split.train, (r) => classes.indexOf(ds.labels[r] as string));
      const dir = share(m, y);
      let outRows = 0;
      const { ours, ref: r } = around(
        () => {
          outRows = new SMOTETomek({ seed: 0 }).fitResample(m, y).y.length;
        },
        () => ref('smotetomek', dir, 1),
      );
      add(`SMOTETomek CICIDS2017 sample 70 % (${m.rows} x ${d})`, ours, r, `rows out: ours ${outRows}, imblearn ${r?.rows ?? 'n/a'}`);
      const one = time(() => new SMOTETomek({ seed: 0, nJobs: 1 }).fitResample(m, y), 3);
      add(`SMOTETomek CICIDS2017 sample 70 %, 1 thread`, one, r, 'nJobs: 1');
      rmSync(dir, { recursive: true });
    } else {
      const { m, y } = flows(quick ? 3_000 : 20_000, 78);
      const dir = share(m, y);
      let outRows = 0;
      const ours = time(() => {
        outRows = new SMOTETomek({ seed: 0 }).fitResample(m, y).y.length;
      }, 1);
      const r = ref('smotetomek', dir, 1);
      add(`SMOTETomek ${m.rows} x 78 (syntheticFlows)`, ours, r, `rows out: ours ${outRows}, imblearn ${r?.rows ?? 'n/a'}`);
      rmSync(dir, { recursive: true });
    }
  }
  // TomekLinks on n x 78, 10 % minority (syntheticFlows, min-max scaled).
  if (cases.has('tomek')) {
    const n = quick ? 5_000 : 100_000;
    const { m, y } = flows(n, 78);
    const dir = share(m, y);
    let removed = 0;
    const ours = time(() => {
      removed = y.length - new TomekLinks().fitResample(m, y).y.length;
    }, 1);
    const r = ref('tomek', dir, 1);
    add(`TomekLinks ${n} x 78, 10 % minority (syntheticFlows)`, ours, r, `removed: ours ${removed}, imblearn ${r?.removed ?? 'n/a'}`);
    const ours1 = time(() => {
      removed = y.length - new TomekLinks({ nJobs: 1 }).fitResample(m, y).y.length;
    }, 1);
    add(`TomekLinks ${n} x 78, 10 % minority, 1 thread`, ours1, r, `nJobs: 1; removed: ours ${removed}`);
    rmSync(dir, { recursive: true });
  }
  console.log('');
  printTable(header, rows);
  console.log(`\npeak RSS ${peakRssMb().toFixed(0)} MB; medians; reference = scikit-learn 1.2 / imbalanced-learn 0.10 in the same run`);
}
