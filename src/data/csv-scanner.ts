/**
 * The byte-level CSV record scanner behind {@link readCsv} (internal).
 *
 * Why not a general parser: csv-parse, papaparse and udsv hand every field over as a JS string
 * (or their own parsed number), and ~80 fields per row cost far more than the scanning itself.
 * Turning the first 200,000 rows (88 MB) of the CICIDS-shaped benchmark file into Float32 rows,
 * per CPU-second on the shared 2-core machine (2026-11-23): csv-parse 6.2.1 with `+s` 7.3 MB,
 * udsv 0.7.3 (typed arrays, streaming) 26.6 MB, papaparse 5.7.1 47.7 MB (`dynamicTyping` 14.2), while
 * the whole loadCicids2017 over this scanner runs at ~85-105 MB per CPU-second. This scanner
 * reads RFC 4180 records straight from the file's bytes and writes numeric fields into the
 * caller's Float32Array without creating a string.
 *
 * Grammar (RFC 4180 plus what the datasets need): fields separated by a one-byte delimiter;
 * records end at LF, CRLF or a bare CR (and at the end of the file); a field that starts with `"`
 * is quoted, may contain delimiters, line breaks and `""` (an escaped quote), and must be followed
 * by a delimiter, a record end or the end of the file. A `"` inside an unquoted field, text after
 * a closing quote, or an unclosed quote makes the record malformed (csv-parse's strict default);
 * scanning resumes after the next LF.
 *
 * Numbers: an unquoted field of the form `[+-]digits[.digits][(e|E)[+-]digits]` with at most 15
 * significant digits and a decimal exponent within +-22 is computed as one exact integer times
 * or divided by an exact power of ten: a single correctly rounded operation, so the double is
 * the same as `Number(text)` and the Float32 the same as storing `Number(text)`. Every other field
 * (quoted, longer, `Infinity`, padded with spaces, ...) is decoded and given to `parseNumber`.
 */
import { Buffer } from 'node:buffer';

/** Column role: not returned. */
export const SKIP = -1;
/** `kinds[j] >= 0`: numeric output slot; `kinds[j] <= -2`: string output slot `-2 - kinds[j]`. */
export const stringKind = (slot: number): number => -2 - slot;

/** The outcome of one scanned record. */
export const enum RecordStatus {
  Ok = 0,
  Malformed = 1,
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Parses a numeric field's text (fallback path); `undefined` when it is not a number. */
export type NumberParser = (text: string) => number | undefined;

/**
 * Scans one record at a time from a byte buffer. Per record it reports the number of fields, the
 * line breaks consumed, whether it was malformed (and why), and the first numeric slot that did
 * not parse; numeric values are written into the target array, string values into `strings`.
 */
export class CsvScanner {
  /** Fields in the last record. */
  fields = 0;
  /** Line breaks consumed by the last record (inside quotes and its terminator). */
  lineBreaks = 0;
  /** Status of the last record. */
  status: RecordStatus = RecordStatus.Ok;
  /** Why the last record is malformed. */
  message = '';
  /** The lowest numeric slot of the last record that is not a number, or -1. */
  badSlot = -1;
  /** True when the last record wrote a NaN or +-Infinity (only the fallback parse can). */
  nonFinite = false;
  /** The text of that field. */
  badText = '';
  /** True when the last record is one empty field (a blank line, or `""`). */
  blank = false;
  /** String slots of the last record (or every field, when collecting all). */
  strings: string[] = [];

  // Where a quoted field running past the buffer was searched up to, relative to the record start.
  private resumeField = -1;
  private resumeFieldRel = 0;
  private resumeAt = 0;

  /**
   * @param delimiter the field delimiter byte.
   * @param kinds per file column: {@link SKIP}, a numeric slot (>= 0) or {@link stringKind}.
   * @param parseNumber the fallback number parser.
   * @param collectAll return every field as a string (header lines), ignoring `kinds`.
   */
  constructor(
    private readonly delimiter: number,
    private readonly kinds: Int32Array,
    private readonly parseNumber: NumberParser,
    private readonly collectAll = false,
  ) {}

  /**
   * Scans the record starting at `pos` in `buf[0, end)`. Returns the position after it, or -1 when
   * the record may continue past `end` and `eof` is false (the caller keeps `buf[pos, end)` and
   * calls again with more bytes, which redoes the record; numeric values are written to
   * `out[o + slot]`, so an unfinished record overwrites nothing the caller has kept).
   * `buf[end]` must exist and hold 0: the number loops stop on it instead of checking bounds.
   */
  scan(buf: Buffer, pos: number, end: number, eof: boolean, out: Float32Array, o: number): number {
    const delim = this.delimiter;
    const kinds = this.kinds;
    const nk = kinds.length;
    const collectAll = this.collectAll;
    const strings = this.strings;
    if (collectAll) strings.length = 0;
    let p = pos;
    let field = 0;
    let lineBreaks = 0;
    let badSlot = -1;
    let nonFinite = false;
    let firstLen = -1;
    this.status = RecordStatus.Ok;
    for (;;) {
      const kind = collectAll ? -2 - field : field < nk ? (kinds[field] as number) : SKIP;
      const fieldStart = p;
      if (p < end && buf[p] === QUOTE) {
        // Quoted field: find the closing quote (indexOf is native); `""` is an escaped quote.
        let q = p + 1;
        if (field === this.resumeField && fieldStart - pos === this.resumeFieldRel && pos + this.resumeAt > q) q = pos + this.resumeAt;
        let close = -1;
        for (;;) {
          const k = buf.indexOf(QUOTE, q);
          if (k < 0 || k >= end) {
            if (!eof) return this.suspend(field, fieldStart - pos, end - pos);
            return this.malformedToEnd(buf, pos, end, `Quote Not Closed: the field ${field + 1} opened with a quote is never closed`);
          }
          if (k + 1 < end && buf[k + 1] === QUOTE) {
            q = k + 2;
            continue;
          }
          if (k + 1 >= end && !eof) return this.suspend(field, fieldStart - pos, k - pos);
          close = k;
          break;
        }
        for (let k = buf.indexOf(LF, p + 1); k >= 0 && k < close; k = buf.indexOf(LF, k + 1)) lineBreaks++;
        p = close + 1;
        const c = p < end ? (buf[p] as number) : -1;
        if (c !== -1 && c !== delim && c !== LF && c !== CR) {
          return this.malformedLine(buf, p, end, eof, lineBreaks, `Invalid Closing Quote: got ${JSON.stringify(String.fromCharCode(c))} after the closing quote of field ${field + 1}`);
        }
        if (field === 0) firstLen = close - fieldStart - 1;
        if (kind !== SKIP) {
          let text = buf.toString('utf8', fieldStart + 1, close);
          // Quotes inside a quoted field only come in pairs: undo the escaping.
          if (text.includes('"')) text = text.replaceAll('""', '"');
          if (kind >= 0) {
            const v = this.parseNumber(text);
            if (v === undefined) {
              if (badSlot < 0 || kind < badSlot) {
                badSlot = kind;
                this.badText = text;
              }
            } else {
              out[o + kind] = v;
              if (v - v !== 0) nonFinite = true;
            }
          } else strings[-2 - kind] = text;
        }
      } else if (kind >= 0) {
        // Numeric fast path: digits accumulated into an integer, one scaling at the end. The loops
        // need no bounds check: buf[end] is a 0 byte (see scan's contract), which is not a digit.
        let c = buf[p] as number;
        let neg = false;
        if (c === MINUS || c === PLUS) {
          neg = c === MINUS;
          c = buf[++p] as number;
        }
        const intStart = p;
        let m = 0;
        let d = c - 48;
        while (d >= 0 && d <= 9) {
          m = m * 10 + d;
          d = (buf[++p] as number) - 48;
        }
        let digits = p - intStart;
        let scale = 0;
        if (d === DOT - 48) {
          const fracStart = ++p;
          d = (buf[p] as number) - 48;
          while (d >= 0 && d <= 9) {
            m = m * 10 + d;
            d = (buf[++p] as number) - 48;
          }
          scale = p - fracStart;
          digits += scale;
        }
        c = d + 48;
        let exp = 0;
        let ok = digits > 0;
        if (ok && (c === 0x65 || c === 0x45)) {
          c = buf[++p] as number;
          let eneg = false;
          if (c === MINUS || c === PLUS) {
            eneg = c === MINUS;
            c = buf[++p] as number;
          }
          d = c - 48;
          ok = d >= 0 && d <= 9;
          while (d >= 0 && d <= 9) {
            if (exp < 10000) exp = exp * 10 + d;
            d = (buf[++p] as number) - 48;
          }
          c = d + 48;
          if (eneg) exp = -exp;
        }
        if (p >= end) c = -1;
        const e10 = exp - scale;
        // m <= 2^53 - 1 means every partial sum was an exact integer, so m is exact.
        if (ok && m <= 9007199254740991 && e10 >= -22 && e10 <= 22 && (c === delim || c === LF || c === CR || c === -1)) {
          const v = e10 >= 0 ? m * (POW10[e10] as number) : m / (POW10[-e10] as number);
          out[o + kind] = neg ? -v : v;
          if (c === delim && field !== 0) {
            // The common case, a number followed by a delimiter: straight to the next field.
            p++;
            field++;
            continue;
          }
        } else if (!ok && p === fieldStart && (c === delim || c === LF || c === CR || c === -1)) {
          out[o + kind] = Number.NaN; // empty field
          nonFinite = true;
        } else {
          const e = this.fieldEnd(buf, p, end);
          if (e < 0) return this.malformedLine(buf, p, end, eof, lineBreaks, `Invalid Opening Quote: a quote is found inside field ${field + 1}`);
          p = e;
          const text = buf.toString('utf8', fieldStart, p);
          const v = this.parseNumber(text);
          if (v === undefined) {
            if (badSlot < 0 || kind < badSlot) {
              badSlot = kind;
              this.badText = text;
            }
          } else {
            out[o + kind] = v;
            if (v - v !== 0) nonFinite = true;
          }
        }
        if (field === 0) firstLen = p - fieldStart;
      } else {
        const e = this.fieldEnd(buf, p, end);
        if (e < 0) return this.malformedLine(buf, p, end, eof, lineBreaks, `Invalid Opening Quote: a quote is found inside field ${field + 1}`);
        p = e;
        if (field === 0) firstLen = p - fieldStart;
        if (kind !== SKIP) strings[-2 - kind] = buf.toString('utf8', fieldStart, p);
      }
      field++;
      // p is at a delimiter, a record end, or `end`.
      if (p >= end) {
        if (!eof) return this.suspend(-1, 0, 0);
        break;
      }
      const c = buf[p] as number;
      if (c === delim) {
        p++;
        continue;
      }
      if (c === LF) {
        p++;
        lineBreaks++;
        break;
      }
      // CR: CRLF or a bare CR ends the record.
      if (p + 1 >= end && !eof) return this.suspend(-1, 0, 0);
      p += p + 1 < end && buf[p + 1] === LF ? 2 : 1;
      lineBreaks++;
      break;
    }
    this.resumeField = -1;
    this.fields = field;
    this.lineBreaks = lineBreaks;
    this.badSlot = badSlot;
    this.nonFinite = nonFinite;
    this.blank = field === 1 && firstLen === 0;
    return p;
  }

  /** Position of the delimiter / CR / LF ending the unquoted field at `p` (or `end`); -1 on a quote inside it. */
  private fieldEnd(buf: Buffer, p: number, end: number): number {
    const delim = this.delimiter;
    for (; p < end; p++) {
      const c = buf[p] as number;
      if (c === delim || c === LF || c === CR) return p;
      if (c === QUOTE) return -1;
    }
    return end;
  }

  /** Remembers how far a quoted field was searched, so the retry with more bytes does not search it again. */
  private suspend(field: number, fieldRel: number, searchedRel: number): number {
    this.resumeField = field;
    this.resumeFieldRel = fieldRel;
    this.resumeAt = searchedRel;
    return -1;
  }

  /** A malformed record: skip to the next LF. */
  private malformedLine(buf: Buffer, p: number, end: number, eof: boolean, lineBreaks: number, message: string): number {
    const k = buf.indexOf(LF, p);
    if (k < 0 || k >= end) {
      if (!eof) return this.suspend(-1, 0, 0);
      return this.finishMalformed(end, lineBreaks, message);
    }
    return this.finishMalformed(k + 1, lineBreaks + 1, message);
  }

  /** An unclosed quote: the rest of the file is this one record (CSV semantics). */
  private malformedToEnd(buf: Buffer, pos: number, end: number, message: string): number {
    let n = 0;
    for (let k = buf.indexOf(LF, pos); k >= 0 && k < end; k = buf.indexOf(LF, k + 1)) n++;
    return this.finishMalformed(end, n, message);
  }

  private finishMalformed(next: number, lineBreaks: number, message: string): number {
    this.resumeField = -1;
    this.status = RecordStatus.Malformed;
    this.message = message;
    this.lineBreaks = lineBreaks;
    this.fields = 0;
    this.badSlot = -1;
    this.nonFinite = false;
    this.blank = false;
    return next;
  }
}
