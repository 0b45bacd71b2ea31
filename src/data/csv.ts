import { Buffer } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { DataFormatError, ValueError } from '../errors.js';
import { CsvScanner, RecordStatus, SKIP, stringKind } from './csv-scanner.js';
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
  /** Field delimiter, one single-byte character (default `,`). */
  delimiter?: string;
  /**
   * Bytes read from the file per step (default 1 MiB). Memory holds one step plus the longest
   * record; tests use a few bytes so that records, quotes and numbers straddle reads.
   */
  readBytes?: number;
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
  /** 1-based source line where each row starts (a quoted field may span lines), for error messages. */
  lines: Int32Array;
  /** The rows (indices into this batch, increasing) holding a NaN or +-Infinity in a numeric column. */
  nonFiniteRows: Int32Array;
  /** Bytes of the file consumed up to the end of this batch (for progress and size estimates). */
  bytesRead: number;
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

/** Bytes read from the file per step. */
const CHUNK = 1 << 20;

/**
 * Streams a CSV file as typed-array batches with bounded memory. RFC 4180 records (quoted fields
 * with delimiters, line breaks and `""`; LF, CRLF or CR line ends; a UTF-8 BOM) are scanned from
 * the file's bytes by flowsentry's byte-level CSV scanner (src/data/csv-scanner.ts), numeric fields going straight into the batch's
 * Float32Array (see csv-scanner.ts for why this is not a general-purpose parser).
 * Numbers become Float32 (non-finite values are kept for the caller's Inf/NaN policy); string
 * columns stay strings; every skipped row is counted. Blank lines are counted as `empty`.
 *
 * @example
 * ```ts
 * let rows = 0;
 * for await (const batch of readCsv('../shared/data/cicids2017-improved-sample/Botnet_736.csv', {
 *   select: { numeric: ['Flow Duration', 'Total Fwd Packet'], strings: ['Label'] },
 * })) {
 *   rows += batch.rows; // batch.data: row-major Float32, batch.rows x batch.numericNames.length
 * }
 * rows; // 736
 * ```
 */
export async function* readCsv(file: string, options: ReadCsvOptions = {}): AsyncGenerator<CsvBatch, void, undefined> {
  const batchSize = options.batchSize ?? 16384;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError('batchSize', 'a positive integer', batchSize);
  const onError = options.onError ?? 'throw';
  if (onError !== 'throw' && onError !== 'skip') throw new ValueError('onError', "'throw' or 'skip'", onError);
  const delimiter = options.delimiter ?? ',';
  const delimBytes = Buffer.from(delimiter, 'utf8');
  if (delimBytes.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') throw new ValueError('delimiter', 'one single-byte character other than a quote or line break', delimiter);
  const skip = onError === 'skip';
  const chunk = options.readBytes ?? CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1) throw new ValueError('readBytes', 'a positive integer', chunk);

  let header: string[] | undefined = options.columns ? [...options.columns] : undefined;
  let numericNames: readonly string[] = [];
  let stringNames: readonly string[] = [];
  let nCols = 0;
  let cols = 0;
  let scanner = new CsvScanner(delimBytes[0] as number, new Int32Array(0), parseNumber, true);
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
    cols = numericNames.length;
    // The scanner reads each column once, in its first string role if it has one (numbers can be
    // parsed from the text, not the reverse); further roles of a column selected twice are copied.
    const kinds = new Int32Array(nCols).fill(SKIP);
    const strIdx = stringNames.map(find);
    const numIdx = numericNames.map(find);
    extraRoles = [];
    strIdx.forEach((c, k) => {
      if (kinds[c] === SKIP) kinds[c] = stringKind(k);
      else extraRoles.push({ from: kinds[c] as number, numericSlot: -1, stringSlot: k });
    });
    numIdx.forEach((c, k) => {
      if (kinds[c] === SKIP) kinds[c] = k;
      else extraRoles.push({ from: kinds[c] as number, numericSlot: k, stringSlot: -1 });
    });
    scanner = new CsvScanner(delimBytes[0] as number, kinds, parseNumber);
  };
  let extraRoles: ExtraRole[] = [];
  if (header) setup(header);

  let data = new Float32Array(batchSize * cols);
  let strings: string[][] = stringNames.map(() => []);
  let lines = new Int32Array(batchSize);
  let rows = 0;
  const nonFiniteRows: number[] = [];
  let skipped: Partial<Record<SkipReason, number>> = {};
  let examples: string[] = [];
  const count = (reason: SkipReason, line: number, detail: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (examples.length < MAX_EXAMPLES) examples.push(`${file}:${line}: ${reason}: ${detail}`);
  };
  const flush = (): CsvBatch => {
    const batch: CsvBatch = { file, numericNames, data: rows === batchSize ? data : data.slice(0, rows * cols), rows, stringNames, strings, lines: rows === batchSize ? lines : lines.slice(0, rows), nonFiniteRows: Int32Array.from(nonFiniteRows), bytesRead: fileOffset + pos, skipped, examples };
    data = new Float32Array(batchSize * cols);
    strings = stringNames.map(() => []);
    lines = new Int32Array(batchSize);
    rows = 0;
    nonFiniteRows.length = 0;
    skipped = {};
    examples = [];
    return batch;
  };

  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new DataFormatError(file, 0, `cannot read: ${(e as Error).message}`);
  }
  let buf = Buffer.allocUnsafe(2 * chunk + 1);
  let len = 0;
  let pos = 0;
  let fileOffset = 0; // of buf[0]
  let eof = false;
  let line = 1;
  let first = true;
  let sawAnything = false;
  try {
    for (;;) {
      if (!eof) {
        // Keep the unfinished record, then read after it (growing the buffer for a record longer than a chunk).
        if (pos > 0) {
          fileOffset += pos;
          buf.copyWithin(0, pos, len);
          len -= pos;
          pos = 0;
        }
        if (buf.length - len <= chunk) {
          const bigger = Buffer.allocUnsafe(2 * buf.length);
          buf.copy(bigger, 0, 0, len);
          buf = bigger;
        }
        let bytesRead: number;
        try {
          ({ bytesRead } = await fh.read(buf, len, Math.min(chunk, buf.length - len - 1), null));
        } catch (e) {
          throw new DataFormatError(file, line, `cannot read: ${(e as Error).message}`);
        }
        if (bytesRead === 0) eof = true;
        len += bytesRead;
        buf[len] = 0; // the scanner's end sentinel
        if (first && len >= 3) {
          if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
          first = false;
        } else if (first && eof) first = false;
        else if (first) continue;
      }
      while (pos < len) {
        const o = rows * cols;
        const next = scanner.scan(buf, pos, len, eof, data, o);
        if (next < 0) break;
        const start = line;
        line += scanner.lineBreaks;
        const recordStart = pos;
        pos = next;
        sawAnything = true;
        if (scanner.status === RecordStatus.Malformed) {
          const last = next > recordStart && (buf[next - 1] === 0x0a || buf[next - 1] === 0x0d) ? line - 1 : line;
          if (!skip) throw new DataFormatError(file, start, `malformed CSV: ${scanner.message}`);
          skipped.malformed = (skipped.malformed ?? 0) + 1;
          if (examples.length < MAX_EXAMPLES) examples.push(`${file}:${start}: malformed (${last > start ? `lines ${start}-${last}` : `line ${start}`}): ${scanner.message}`);
          continue;
        }
        if (header === undefined) {
          setup(dedupeNames(scanner.strings.map((f) => f.trim())));
          data = new Float32Array(batchSize * cols);
          strings = stringNames.map(() => []);
          continue;
        }
        if (scanner.blank && nCols !== 1) {
          count('empty', start, 'blank line');
          continue;
        }
        if (scanner.fields !== nCols) {
          const reason = `${scanner.fields} fields, expected ${nCols}`;
          if (!skip) throw new DataFormatError(file, start, `ragged row: ${reason}`);
          count('ragged', start, reason);
          continue;
        }
        const rec = scanner.strings;
        let badSlot = scanner.badSlot;
        let badText = scanner.badText;
        let nonFinite = scanner.nonFinite;
        for (const r of extraRoles) {
          if (r.stringSlot >= 0) rec[r.stringSlot] = rec[-2 - r.from] as string;
          else if (r.from >= 0) {
            data[o + r.numericSlot] = data[o + r.from] as number;
            if (badSlot === r.from && r.numericSlot < badSlot) badSlot = r.numericSlot;
          } else {
            const text = rec[-2 - r.from] as string;
            const v = parseNumber(text);
            if (v !== undefined) {
              data[o + r.numericSlot] = v;
              if (!Number.isFinite(v)) nonFinite = true;
            } else if (badSlot < 0 || r.numericSlot < badSlot) {
              badSlot = r.numericSlot;
              badText = text;
            }
          }
        }
        if (badSlot >= 0) {
          const reason = `column '${numericNames[badSlot]}' is not a number: ${JSON.stringify(badText.slice(0, 40))}`;
          if (!skip) throw new DataFormatError(file, start, reason);
          count('unparsable', start, reason);
          continue;
        }
        for (let k = 0; k < strings.length; k++) (strings[k] as string[]).push(rec[k] as string);
        lines[rows] = start;
        if (nonFinite) nonFiniteRows.push(rows);
        rows++;
        if (rows === batchSize) yield flush();
      }
      if (eof && pos >= len) break;
    }
  } finally {
    await fh.close();
  }
  if (!sawAnything) throw new DataFormatError(file, 1, 'empty file: no header and no rows');
  if (rows > 0 || Object.keys(skipped).length > 0) yield flush();
}

/** A further role of a column selected more than once: copied from the role the scanner read it in (`from`, a scanner kind). */
interface ExtraRole {
  from: number;
  numericSlot: number;
  stringSlot: number;
}
