/**
 * Loading benchmark: generates a CICIDS2017-shaped CSV (the original MachineLearningCSV form:
 * 79 columns with leading spaces, heavy-tailed counters, a few Infinity/NaN rates) into
 * os.tmpdir(), loads it with loadCicids2017 in a fresh child process (so peak RSS is the load's
 * own), and reports MB/s and peak RSS against the targets (>= 50 MB/s; peak RSS under
 * 2 x the Float32 matrix + 300 MB). pandas.read_csv on the same file, in the same run, is the
 * reference; csv-parse turning the file's first 20 MB into Float32 rows (what readCsv used before its
 * byte scanner) is measured too, per CPU-second. `--quick`: 200,000 rows (88 MB: JIT warm-up, ~0.3 s, dominates smaller files); full: 1,000,000 rows.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { CICIDS2017_MACHINE_LEARNING_COLUMNS, loadCicids2017, parseNumber } from '../src/data/index.js';
import { Rng } from '../src/util/rng.js';
import { printTable, pythonHas } from './util.js';

const CHILD_ENV = 'FLOWSENTRY_BENCH_DATA_CHILD';
const LABELS: [string, number][] = [['BENIGN', 0.8], ['DoS Hulk', 0.1], ['PortScan', 0.06], ['DDoS', 0.035], ['Bot', 0.004], ['Web Attack \uFFFD Brute Force', 0.001]];

/** Writes `rows` CICIDS-shaped rows (seeded) to `file`, streaming, unless it already exists. */
async function generate(file: string, rows: number): Promise<void> {
  if (existsSync(file)) return;
  const rng = new Rng(2017);
  const tmp = `${file}.part`;
  const out = createWriteStream(tmp);
  const cols = CICIDS2017_MACHINE_LEARNING_COLUMNS;
  const bytesRate = cols.indexOf('Flow Bytes/s');
  const pktRate = cols.indexOf(' Flow Packets/s');
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${cols.join(',')}\n`);
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    let u = rng.next();
    let label = LABELS[0]?.[0] as string;
    for (const [name, p] of LABELS) {
      if (u < p) {
        label = name;
        break;
      }
      u -= p;
    }
    const nonFinite = rng.next() < 0.001;
    const fields: string[] = new Array<string>(cols.length);
    for (let j = 0; j < cols.length - 1; j++) {
      if (j === 0) fields[j] = String(rng.int(65536));
      else if (j === bytesRate || j === pktRate) fields[j] = nonFinite ? (j === bytesRate && rng.next() < 0.5 ? 'NaN' : 'Infinity') : (Math.exp(rng.normal(8, 3))).toFixed(6);
      else if (j % 3 === 0) fields[j] = String(Math.round(Math.exp(rng.normal(4, 2.5))));
      else if (j % 3 === 1) fields[j] = (Math.exp(rng.normal(2, 2))).toFixed(7);
      else fields[j] = String(rng.int(2));
    }
    fields[cols.length - 1] = label;
    chunk.push(fields.join(','));
    if (chunk.length === 5000) {
      await write(`${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length) await write(`${chunk.join('\n')}\n`);
  await new Promise<void>((r) => out.end(() => r()));
  renameSync(tmp, file);
}

interface ChildResult { seconds: number; cpuSeconds: number; rows: number; cols: number; peakRssMb: number; baseRssMb: number; skipped: Record<string, number> }

async function child(file: string): Promise<void> {
  const baseRssMb = process.resourceUsage().maxRSS / 1024;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const d = await loadCicids2017(file);
  const seconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage(c0);
  const result: ChildResult = { seconds, cpuSeconds: (c1.user + c1.system) / 1e6, rows: d.rows, cols: d.cols, peakRssMb: process.resourceUsage().maxRSS / 1024, baseRssMb, skipped: d.summary.skipped as Record<string, number> };
  console.log(JSON.stringify(result));
}

/** csv-parse plus parseNumber into Float32 rows over the first `bytes` of the file: CPU seconds and MB parsed. */
async function csvParseCpu(file: string, bytes: number): Promise<{ cpuSeconds: number; mb: number }> {
  const c0 = process.cpuUsage();
  let cols = -1;
  let sink = 0;
  const parser = createReadStream(file, { end: bytes - 1 }).pipe(parse({ relax_column_count: true }));
  for await (const rec of parser as AsyncIterable<string[]>) {
    if (cols < 0) {
      cols = rec.length - 1;
      continue;
    }
    const row = new Float32Array(cols);
    for (let j = 0; j < cols && j < rec.length; j++) row[j] = parseNumber(rec[j] as string) ?? Number.NaN;
    sink += row[0] as number;
  }
  const c = process.cpuUsage(c0);
  if (sink === -1) console.log('');
  return { cpuSeconds: (c.user + c.system) / 1e6, mb: Math.min(bytes, statSync(file).size) / 1e6 };
}

function runChild(file: string): ChildResult {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { env: { ...process.env, [CHILD_ENV]: file }, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench data child failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as ChildResult;
}

function pandasSeconds(file: string): { seconds: number; cpuSeconds: number } | undefined {
  if (!pythonHas('pandas')) return undefined;
  const code = `import time, pandas as pd\nt=time.perf_counter()\nc=time.process_time()\ndf=pd.read_csv(${JSON.stringify(file)})\nprint(time.perf_counter()-t, time.process_time()-c)`;
  const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const [seconds, cpuSeconds] = (r.stdout.trim().split('\n').pop() as string).split(' ').map(Number);
  return { seconds: seconds as number, cpuSeconds: cpuSeconds as number };
}

export async function main(options: { quick: boolean }): Promise<void> {
  const rows = options.quick ? 200_000 : 1_000_000;
  const file = path.join(os.tmpdir(), `flowsentry-bench-cicids-${rows}.csv`);
  const g0 = performance.now();
  await generate(file, rows);
  const mb = statSync(file).size / 1e6;
  console.log(`file: ${file} (${mb.toFixed(1)} MB, ${rows} rows; ready in ${((performance.now() - g0) / 1000).toFixed(1)} s)`);
  const r = runChild(file);
  const pandas = pandasSeconds(file);
  const old = await csvParseCpu(file, 20e6);
  const matrixMb = (r.rows * r.cols * 4) / 1e6;
  const rssBudget = 2 * matrixMb + 300;
  printTable(
    ['loader', 'wall s', 'MB/s (wall)', 'CPU s', 'MB per CPU-second', 'peak RSS MB', 'RSS budget MB (2 x matrix + 300)', 'target 50 MB/s'],
    [
      ['loadCicids2017 (byte scanner)', r.seconds, mb / r.seconds, r.cpuSeconds, mb / r.cpuSeconds, r.peakRssMb, rssBudget, `${mb / r.seconds >= 50 ? 'met' : 'NOT met'} (wall), ${mb / r.cpuSeconds >= 50 ? 'met' : 'NOT met'} (per CPU-second)`],
      [`csv-parse + parseNumber, first ${old.mb.toFixed(0)} MB (previous readCsv core)`, '-', '-', old.cpuSeconds, old.mb / old.cpuSeconds, '-', '-', '-'],
      ...(pandas !== undefined ? [['pandas.read_csv (reference)', pandas.seconds, mb / pandas.seconds, pandas.cpuSeconds, mb / pandas.cpuSeconds, '-', '-', '-'] as (string | number)[]] : []),
    ],
  );
  console.log('\nThe loader runs on one thread: MB per CPU-second approximates its wall-clock MB/s on an idle machine; wall MB/s here is what the contention on the shared machine left.');
  console.log(`rows ${r.rows} x ${r.cols} features (Float32 matrix ${matrixMb.toFixed(0)} MB); skipped ${JSON.stringify(r.skipped)}; child RSS before load ${r.baseRssMb.toFixed(0)} MB; peak RSS ${r.peakRssMb <= rssBudget ? 'within' : 'OVER'} budget`);
  if (pandas !== undefined) {
    console.log(`ratio flowsentry / pandas: wall ${(r.seconds / pandas.seconds).toFixed(2)}x, CPU ${(r.cpuSeconds / pandas.cpuSeconds).toFixed(2)}x (${os.loadavg()[0]?.toFixed(1)} load average on ${os.cpus().length} cores; shared machine)`);
  }
}

const childFile = process.env[CHILD_ENV];
if (childFile !== undefined) await child(childFile);
