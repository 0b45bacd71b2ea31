import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DataFormatError, ValueError } from '../errors.js';
import { readCsv, type CsvBatch } from './csv.js';
import { countClasses, emptySummary, type FlowDataset, type SkipReason } from './dataset.js';
import { finiteExtremes, type NonFinitePolicy } from './non-finite.js';

/** Options every dataset loader accepts. */
export interface LoadOptions {
  /**
   * A malformed line, ragged row, unparsable number or empty label: `'throw'` (default) a
   * DataFormatError with file and line, or `'skip'` the row and count it in `summary.skipped`.
   */
  onError?: 'throw' | 'skip';
  /** NaN / +-Infinity / empty numeric fields (default `'drop'`, counted): see {@link NonFinitePolicy}. */
  nonFinite?: NonFinitePolicy;
  /** Stop after this many kept rows (default: all). */
  maxRows?: number;
  /** Further columns that are not features (beyond the format's identifiers and label). */
  dropColumns?: readonly string[];
  /** Rows per parsed batch (default 16384). */
  batchSize?: number;
}

/** How a format lays out its columns; loaders fill this in. */
export interface TabularSpec {
  /** Column names for headerless files. */
  columns?: readonly string[];
  /** The label column. */
  label: string;
  /** Columns that are never features (identifiers, second labels, difficulty). */
  exclude: (name: string) => boolean;
  /** String-valued feature columns, kept as {@link FlowDataset.categorical}. */
  categorical?: readonly string[];
  /** Maps a raw label to the dataset label (trimming, renaming, grouping); called once per distinct raw label, so it must be pure. A thrown Error is a `missingLabel` row. */
  mapLabel?: (raw: string) => string;
}

/** `path` itself when a file; the sorted `.csv`/`.txt` files in it when a folder; each entry of an array. */
export function listFiles(source: string | readonly string[], extensions: readonly string[] = ['.csv']): string[] {
  const sources = typeof source === 'string' ? [source] : [...source];
  if (sources.length === 0) throw new ValueError('path', 'a file, a folder or a non-empty list of files', source);
  const files: string[] = [];
  for (const s of sources) {
    let st;
    try {
      st = statSync(s);
    } catch {
      throw new ValueError('path', 'an existing file or folder', s);
    }
    if (st.isDirectory()) {
      const inside = readdirSync(s)
        .filter((f) => extensions.some((e) => f.toLowerCase().endsWith(e)))
        .sort()
        .map((f) => path.join(s, f));
      if (inside.length === 0) throw new ValueError('path', `a folder with ${extensions.join('/')} files`, s);
      files.push(...inside);
    } else files.push(s);
  }
  return files;
}

/**
 * Collects the feature matrix batch by batch. Once the row count is estimated (file sizes over
 * bytes per line of the first batch) the rows go into one buffer of that size, so the load does
 * not hold the batches and their concatenation at once (peak memory ~1x the matrix, not 2x);
 * rows beyond the estimate are kept as chunks and concatenated at the end.
 */
class RowStore {
  private buf: Float32Array | undefined;
  private capacity = 0;
  private inBuf = 0;
  private chunks: Float32Array[] = [];
  rows = 0;
  constructor(readonly cols: number) {}
  /** Sizes the single buffer (once, before the first push). */
  reserve(rows: number): void {
    if (this.buf === undefined && this.rows === 0 && rows > 0) {
      this.capacity = Math.ceil(rows);
      this.buf = new Float32Array(this.capacity * this.cols);
    }
  }
  push(chunk: Float32Array, rows: number): void {
    if (rows === 0) return;
    const n = rows * this.cols;
    if (this.buf !== undefined && this.chunks.length === 0 && this.inBuf + rows <= this.capacity) {
      this.buf.set(n === chunk.length ? chunk : chunk.subarray(0, n), this.inBuf * this.cols);
      this.inBuf += rows;
    } else this.chunks.push(chunk.length === n ? chunk : chunk.slice(0, n));
    this.rows += rows;
  }
  finish(): Float32Array {
    const n = this.rows * this.cols;
    if (this.buf === undefined && this.chunks.length === 1 && (this.chunks[0] as Float32Array).length === n) return this.chunks[0] as Float32Array;
    if (this.buf !== undefined && this.chunks.length === 0) {
      // Up to 1/16 unused capacity stays (the view is exact; its buffer is a little longer).
      if (this.capacity - this.rows <= this.capacity / 16) return this.buf.subarray(0, n);
      return this.buf.slice(0, n);
    }
    const out = new Float32Array(n);
    let o = 0;
    if (this.buf !== undefined) {
      o = this.inBuf * this.cols;
      out.set(this.buf.subarray(0, o));
      this.buf = undefined;
    }
    for (const c of this.chunks.splice(0)) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/**
 * Loads one or more CSV files of one format into a {@link FlowDataset}: features are the columns
 * not excluded by the spec (taken from the first file's header; later files are matched by
 * name), labels mapped and interned, the Inf/NaN policy applied, and everything skipped or
 * replaced counted in the summary.
 */
export async function loadTabular(source: string | readonly string[], spec: TabularSpec, options: LoadOptions = {}, extensions?: readonly string[]): Promise<FlowDataset> {
  const files = listFiles(source, extensions);
  const totalBytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const policy = options.nonFinite ?? 'drop';
  if (!['drop', 'max', 'min', 'zero', 'keep', 'error'].includes(policy)) throw new ValueError('nonFinite', "'drop', 'max', 'min', 'zero', 'keep' or 'error'", policy);
  const onError = options.onError ?? 'throw';
  const maxRows = options.maxRows ?? Infinity;
  if (!(maxRows > 0)) throw new ValueError('maxRows', 'a positive number', maxRows);
  const drop = new Set(options.dropColumns ?? []);
  const categorical = spec.categorical ?? [];
  const summary = emptySummary();
  summary.files = files;
  let featureNames: string[] | undefined;
  let store: RowStore | undefined;
  const labelCodes: number[] = [];
  const labelNames: string[] = [];
  const labelIndex = new Map<string, number>();
  const mapped = new Map<string, string | Error>();
  const catValues: string[][] = [];
  const nonFinitePositions: number[] = [];
  const skip = (reason: SkipReason, n: number, example?: string) => {
    summary.skipped[reason] = (summary.skipped[reason] ?? 0) + n;
    if (example !== undefined && summary.examples.length < 10) summary.examples.push(example);
  };

  outer: for (const file of files) {
    const select = (header: readonly string[]) => {
      if (!header.includes(spec.label)) throw new DataFormatError(file, 1, `missing label column '${spec.label}'`);
      for (const c of categorical) if (!header.includes(c)) throw new DataFormatError(file, 1, `missing column '${c}'`);
      featureNames ??= header.filter((n) => n !== spec.label && !spec.exclude(n) && !categorical.includes(n) && !drop.has(n));
      return { numeric: featureNames, strings: [spec.label, ...categorical] };
    };
    const batches: AsyncGenerator<CsvBatch> = readCsv(file, {
      select,
      onError,
      ...(spec.columns ? { columns: spec.columns } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    });
    for await (const b of batches) {
      summary.linesRead += b.rows;
      for (const [reason, n] of Object.entries(b.skipped)) {
        skip(reason as SkipReason, n);
        summary.linesRead += n;
      }
      for (const e of b.examples) if (summary.examples.length < 10) summary.examples.push(e);
      const cols = b.numericNames.length;
      if (store === undefined) {
        store = new RowStore(cols);
        // Estimate the rows of every file from this first batch's bytes per line (+2 %).
        const linesSoFar = summary.linesRead + 1;
        if (b.bytesRead > 0 && totalBytes > 0) store.reserve(Math.min(maxRows, (1.02 * totalBytes * linesSoFar) / b.bytesRead + 1024));
      }
      const data = b.data;
      const rawLabels = b.strings[0] as string[];
      let kept = 0;
      const nonFiniteRows = b.nonFiniteRows;
      let nf = 0;
      for (let i = 0; i < b.rows; i++) {
        const raw = rawLabels[i] as string;
        const line = b.lines[i] as number;
        // Labels repeat: map each distinct raw label once (mapLabel is a pure function of it).
        let label = mapped.get(raw);
        if (label === undefined) {
          try {
            label = spec.mapLabel ? spec.mapLabel(raw) : raw.trim();
          } catch (e) {
            label = e as Error;
          }
          mapped.set(raw, label);
        }
        if (label instanceof Error) {
          if (onError === 'throw') throw new DataFormatError(file, line, label.message);
          skip('missingLabel', 1, `${file}:${line}: missingLabel: ${label.message}`);
          continue;
        }
        if (label.length === 0) {
          if (onError === 'throw') throw new DataFormatError(file, line, `empty label in column '${spec.label}'`);
          skip('missingLabel', 1, `${file}:${line}: missingLabel`);
          continue;
        }
        let nonFiniteAt = -1;
        // Only rows the reader flagged can hold a NaN or +-Infinity.
        while (nf < nonFiniteRows.length && (nonFiniteRows[nf] as number) < i) nf++;
        if (nonFiniteRows[nf] === i) for (let j = 0; j < cols; j++) {
          if (!Number.isFinite(data[i * cols + j] as number)) {
            nonFiniteAt = j;
            break;
          }
        }
        if (nonFiniteAt >= 0) {
          if (policy === 'error') throw new DataFormatError(file, line, `non-finite value ${data[i * cols + nonFiniteAt]} in column '${b.numericNames[nonFiniteAt]}' (nonFinite: 'error')`);
          if (policy === 'drop') {
            skip('nonFinite', 1, `${file}:${line}: nonFinite: column '${b.numericNames[nonFiniteAt]}'`);
            continue;
          }
          if (policy !== 'keep') {
            const base = (store.rows + kept) * cols;
            for (let j = nonFiniteAt; j < cols; j++) if (!Number.isFinite(data[i * cols + j] as number)) nonFinitePositions.push(base + j);
          }
        }
        if (kept !== i) data.copyWithin(kept * cols, i * cols, i * cols + cols);
        let code = labelIndex.get(label);
        if (code === undefined) {
          code = labelNames.length;
          labelNames.push(label);
          labelIndex.set(label, code);
        }
        labelCodes.push(code);
        if (categorical.length > 0) catValues.push(categorical.map((_, k) => (b.strings[k + 1] as string[])[i] as string));
        kept++;
        if (store.rows + kept >= maxRows) {
          store.push(data, kept);
          await batches.return(undefined);
          break outer;
        }
      }
      store.push(data, kept);
    }
  }
  if (!store || !featureNames || store.rows === 0) {
    throw new DataFormatError(files[0] as string, 2, `no data rows loaded from ${files.length} file(s)${Object.keys(summary.skipped).length ? ` (skipped: ${JSON.stringify(summary.skipped)})` : ''}`);
  }
  const cols = store.cols;
  const rows = store.rows;
  const features = store.finish();
  if (nonFinitePositions.length > 0 && (policy === 'max' || policy === 'min' || policy === 'zero')) {
    const fill = finiteExtremes(features, rows, cols, policy);
    for (const p of nonFinitePositions) {
      const j = p % cols;
      features[p] = fill[j] as number;
      const name = featureNames[j] as string;
      summary.replaced[name] = (summary.replaced[name] ?? 0) + 1;
    }
  }
  const labels = labelCodes.map((c) => labelNames[c] as string);
  summary.rows = rows;
  summary.classCounts = countClasses(labels);
  const dataset: FlowDataset = { features, rows, cols, featureNames, labels, summary };
  if (categorical.length > 0) dataset.categorical = { names: [...categorical], values: catValues };
  return dataset;
}
