import { createReadStream } from 'node:fs';
import { parse, type CsvError, type Options as CsvParseOptions } from 'csv-parse';
import { DataFormatError, ValueError } from '../errors.js';
import type { SkipReason } from './dataset.js';

/** Which columns {@link readCsv} returns: numeric ones as Float32, string ones as strings. */
export interface ColumnSelection {
  /** Columns parsed as numbers, in output order. */
  numeric: readonly string[];
  /** Columns kept as strings, in output order (default none). */
  strings?: readonly string[];
}

/** Options of {@link readCsv}. */
export interface ReadCsvOptions {
  /**
   * Column names for a file without a header line. When omitted the first line is the header;
   * names are trimmed (CICIDS2017's MachineLearningCSV has leading spaces).
   */
  columns?: readonly string[];
  /**
   * The columns to return, given the (trimmed) header of each file; default: every column numeric.
   * A selected column missing from a file's header is a DataFormatError at line 1.
   */
  select?: ColumnSelection | ((header: readonly string[], file: string) => ColumnSelection);
  /** Rows per yielded batch (default 16384): memory stays bounded by one batch plus the parser's buffer. */
  batchSize?: number;
  /**
   * A malformed line (bad quoting), ragged row (wrong field count) or unparsable number:
   * `'throw'` (default) a DataFormatError with file and line; `'skip'` the row, counted per reason
   * in each batch's `skipped`.
   */
  onError?: 'throw' | 'skip';
  /** Field delimiter (default `,`). */
  delimiter?: string;
}

/** One batch of rows from {@link readCsv}. */
export interface CsvBatch {
  /** The file the rows came from. */
  file: string;
  /** Names of the numeric columns (the `select`ed order). */
  numericNames: readonly string[];
  /** Row-major numbers, `rows * numericNames.length` long. Empty fields and `NaN` are NaN; `Infinity`/`inf` are +-Infinity. */
  data: Float32Array;
  /** Number of rows in this batch. */
  rows: number;
  /** Names of the string columns. */
  stringNames: readonly string[];
  /** Column-major strings: `strings[k][i]` is row i of column `stringNames[k]`. */
  strings: string[][];
  /** 1-based source line of each row, for error messages. */
  lines: Int32Array;
  /** Rows skipped (with `onError: 'skip'`) since the previous batch, per reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** The first few skipped rows of this batch as `file:line: reason`. */
  examples: string[];
}

/** Parses a CSV number field: '' and NaN spellings give NaN, inf spellings +-Infinity, anything else not numeric gives undefined. */
export function parseNumber(s: string): number | undefined {
  const v = +s;
  if (v === v) return s.length === 0 || (v === 0 && s.trim().length === 0) ? Number.NaN : v;
  const t = s.trim().toLowerCase();
  if (t === 'nan' || t === '' || t === 'na' || t === 'null') return Number.NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  return undefined;
}

const MAX_EXAMPLES = 5;

/** Repeated header names get `.1`, `.2` suffixes, as pandas does (CICIDS2017 repeats `Fwd Header Length`). */
export function dedupeNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n);
    seen.set(n, (k ?? 0) + 1);
    return k === undefined ? n : `${n}.${k}`;
  });
}

/**
 * Streams a CSV file as typed-array batches with bounded memory, parsed by `csv-parse`.
 * Numbers become Float32 (non-finite values are kept for the caller's Inf/NaN policy); string
 * columns stay strings; every skipped row is counted. Blank lines are counted as `empty`.
 *
 * ```ts
 * for await (const b of readCsv('flows.csv', { select: { numeric: ['Flow Duration'], strings: ['Label'] } })) { ... }
 * ```
 */
export async function* readCsv(file: string, options: ReadCsvOptions = {}): AsyncGenerator<CsvBatch, void, undefined> {
  const batchSize = options.batchSize ?? 16384;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError('batchSize', 'a positive integer', batchSize);
  const onError = options.onError ?? 'throw';
  if (onError !== 'throw' && onError !== 'skip') throw new ValueError('onError', "'throw' or 'skip'", onError);
  const skip = onError === 'skip';
  // Errors found by csv-parse itself (quoting) arrive through on_skip when skipping.
  let parserSkipped = 0;
  let lastSkipLine = -1;
  let lastRecordLine = 0;
  const parserExamples: string[] = [];
  const parseOptions: CsvParseOptions = {
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_error: skip,
    bom: true,
    // csv-parse may report one bad record twice (same line): count it once. After an unclosed
    // quote the rest of the file is that one record (CSV semantics), so the example names the span.
    on_skip: (err: CsvError | undefined) => {
      const line = (err as { lines?: number } | undefined)?.lines ?? -1;
      if (line === lastSkipLine) return undefined;
      lastSkipLine = line;
      parserSkipped++;
      if (parserExamples.length < MAX_EXAMPLES) {
        const span = line > lastRecordLine + 1 ? `lines ${lastRecordLine + 1}-${line}` : `line ${line}`;
        parserExamples.push(`${file}:${lastRecordLine + 1}: malformed (${span}): ${err?.message ?? ''}`);
      }
      return undefined;
    },
    // Keep the source line with each record: the parser reads ahead, so parser.info would be late.
    on_record: (record: string[], ctx: { lines: number }) => {
      lastRecordLine = ctx.lines;
      return { fields: record, line: ctx.lines };
    },
  } as unknown as CsvParseOptions;
  const parser = parse(parseOptions);
  const stream = createReadStream(file);
  stream.on('error', (e) => parser.destroy(e));
  stream.pipe(parser);

  let header: string[] | undefined = options.columns ? [...options.columns] : undefined;
  let numIdx: Int32Array = new Int32Array(0);
  let strIdx: Int32Array = new Int32Array(0);
  let numericNames: readonly string[] = [];
  let stringNames: readonly string[] = [];
  let nCols = 0;
  const setup = (names: string[]) => {
    header = names;
    nCols = names.length;
    const sel = typeof options.select === 'function' ? options.select(names, file) : (options.select ?? { numeric: names });
    const where = new Map(names.map((n, i) => [n, i]));
    const find = (n: string) => {
      const i = where.get(n);
      if (i === undefined) throw new DataFormatError(file, 1, `missing column '${n}' (columns: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', ...' : ''})`);
      return i;
    };
    numericNames = [...sel.numeric];
    stringNames = [...(sel.strings ?? [])];
    numIdx = Int32Array.from(numericNames, find);
    strIdx = Int32Array.from(stringNames, find);
  };
  if (header) setup(header);

  let cols = numIdx.length;
  let data = new Float32Array(batchSize * cols);
  let strings: string[][] = stringNames.map(() => []);
  let lines = new Int32Array(batchSize);
  let rows = 0;
  let skipped: Partial<Record<SkipReason, number>> = {};
  let examples: string[] = [];
  const count = (reason: SkipReason, line: number, detail: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (examples.length < MAX_EXAMPLES) examples.push(`${file}:${line}: ${reason}: ${detail}`);
  };
  const flush = (): CsvBatch => {
    if (parserSkipped > 0) {
      skipped.malformed = (skipped.malformed ?? 0) + parserSkipped;
      examples.push(...parserExamples.splice(0));
      parserSkipped = 0;
    }
    const batch: CsvBatch = { file, numericNames, data: rows === batchSize ? data : data.slice(0, rows * cols), rows, stringNames, strings, lines: rows === batchSize ? lines : lines.slice(0, rows), skipped, examples };
    data = new Float32Array(batchSize * cols);
    strings = stringNames.map(() => []);
    lines = new Int32Array(batchSize);
    rows = 0;
    skipped = {};
    examples = [];
    return batch;
  };

  let sawAnything = false;
  try {
    for await (const rec of parser as AsyncIterable<{ fields: string[]; line: number }>) {
      sawAnything = true;
      const { fields, line } = rec;
      if (header === undefined) {
        setup(dedupeNames(fields.map((f) => f.trim())));
        cols = numIdx.length;
        data = new Float32Array(batchSize * cols);
        strings = stringNames.map(() => []);
        continue;
      }
      if (fields.length === 1 && fields[0] === '' && nCols !== 1) {
        count('empty', line, 'blank line');
        continue;
      }
      if (fields.length !== nCols) {
        const reason = `${fields.length} fields, expected ${nCols}`;
        if (!skip) throw new DataFormatError(file, line, `ragged row: ${reason}`);
        count('ragged', line, reason);
        continue;
      }
      const o = rows * cols;
      let bad = -1;
      for (let j = 0; j < cols; j++) {
        const s = fields[numIdx[j] as number] as string;
        const v = parseNumber(s);
        if (v === undefined) {
          bad = j;
          break;
        }
        data[o + j] = v;
      }
      if (bad >= 0) {
        const reason = `column '${numericNames[bad]}' is not a number: ${JSON.stringify((fields[numIdx[bad] as number] as string).slice(0, 40))}`;
        if (!skip) throw new DataFormatError(file, line, reason);
        count('unparsable', line, reason);
        continue;
      }
      for (let k = 0; k < strIdx.length; k++) (strings[k] as string[]).push(fields[strIdx[k] as number] as string);
      lines[rows] = line;
      rows++;
      if (rows === batchSize) yield flush();
    }
  } catch (e) {
    if (e instanceof DataFormatError || e instanceof ValueError) throw e;
    const err = e as { code?: string; message?: string; lines?: number };
    if (err.code === 'ENOENT' || err.code === 'EISDIR' || err.code === 'EACCES') throw new DataFormatError(file, 0, `cannot read: ${err.message}`);
    throw new DataFormatError(file, err.lines ?? 0, `malformed CSV: ${err.message}`);
  } finally {
    stream.destroy();
  }
  if (!sawAnything) throw new DataFormatError(file, 1, 'empty file: no header and no rows');
  if (rows > 0 || parserSkipped > 0 || Object.keys(skipped).length > 0) yield flush();
}
