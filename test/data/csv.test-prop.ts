import { fc, test } from '@fast-check/vitest';
import { parse } from 'csv-parse/sync';
import { describe, expect } from 'vitest';
import { readCsv, type CsvBatch, type ReadCsvOptions } from '../../src/data/index.js';
import { tempDir, writeText } from './files.js';

const dir = tempDir('flowsentry-csv-prop-');
let fileNo = 0;
async function all(text: string, options: ReadCsvOptions): Promise<CsvBatch[]> {
  const f = writeText(dir, `p${fileNo++}.csv`, text);
  const out: CsvBatch[] = [];
  for await (const b of readCsv(f, options)) out.push(b);
  return out;
}

// Cells rich in what CSV must escape: delimiters, quotes, both line breaks, spaces, non-ASCII.
const special = fc.constantFrom('a', 'Z', ',', '"', '\n', '\r', '\r\n', ' ', '1', '.', '-', 'e', 'é', '€', '😀', ';');
const cell = fc.oneof(fc.string({ unit: special, maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const table = fc.integer({ min: 2, max: 5 }).chain((cols) =>
  fc.record({
    rows: fc.array(fc.array(fc.record({ text: cell, forceQuote: fc.boolean() }), { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 12 }),
    eol: fc.constantFrom('\n', '\r\n'),
    trailingEol: fc.boolean(),
    bom: fc.boolean(),
    readBytes: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(1 << 20)),
  }),
);

/** RFC 4180 writing: quote a field that holds a delimiter, quote or line break (and sometimes others), double its quotes. */
function writeCsv(rows: { text: string; forceQuote: boolean }[][], eol: string, trailingEol: boolean): { text: string; startLines: number[] } {
  let text = '';
  const startLines: number[] = [];
  rows.forEach((r, i) => {
    startLines.push(1 + (text.match(/\n/g)?.length ?? 0));
    text += r.map((c) => (c.forceQuote || /[",\r\n]/.test(c.text) ? `"${c.text.replaceAll('"', '""')}"` : c.text)).join(',');
    if (i < rows.length - 1 || trailingEol) text += eol;
  });
  return { text, startLines };
}

describe('readCsv properties', () => {
  test.prop([table], { numRuns: 150 })('round-trips any quoted table of strings, equals csv-parse on the same text, across any read size', async ({ rows, eol, trailingEol, bom, readBytes }) => {
    const cols = (rows[0] as unknown[]).length;
    const names = Array.from({ length: cols }, (_, j) => `c${j}`);
    const { text, startLines } = writeCsv(rows, eol, trailingEol);
    const full = (bom ? '\uFEFF' : '') + text;
    const expected = rows.map((r) => r.map((c) => c.text));
    // The reference parser agrees with the table: the text is well-formed CSV.
    expect(parse(full, { bom: true, relax_column_count: true, skip_empty_lines: false })).toEqual(expected);
    const batches = await all(full, { columns: names, select: { numeric: [], strings: names }, readBytes, batchSize: 5 });
    const got = batches.flatMap((b) => Array.from({ length: b.rows }, (_, i) => b.strings.map((col) => col[i] as string)));
    expect(got).toEqual(expected);
    expect(batches.flatMap((b) => Array.from(b.lines))).toEqual(startLines);
    expect(batches.every((b) => Object.keys(b.skipped).length === 0)).toBe(true);
  });

  // Every spelling JavaScript's own number parser accepts: the result must equal Math.fround(Number(text)) bit for bit.
  const spelled = fc
    .tuple(
      fc.oneof(fc.double(), fc.double({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e9, max: 1e9 }), fc.constantFrom(0, -0, 1e21, 9007199254740993, 2 ** 53, 1e-7, 123456789.123456)),
      fc.constantFrom('string', 'exp', 'EXP', 'fixed', 'precision', 'plus', 'zeros', 'quoted'),
      fc.integer({ min: 0, max: 20 }),
    )
    .map(([v, how, k]) => {
      if (!Number.isFinite(v)) return String(v);
      switch (how) {
        case 'exp': return v.toExponential(k);
        case 'EXP': return v.toExponential(k).toUpperCase();
        case 'fixed': return Math.abs(v) < 1e21 ? v.toFixed(k) : String(v);
        case 'precision': return v.toPrecision(k + 1);
        case 'plus': return v >= 0 ? `+${v}` : String(v);
        case 'zeros': return v >= 0 && !String(v).includes('e') ? `00${v}` : String(v);
        case 'quoted': return `"${v}"`;
        default: return String(v);
      }
    });
  test.prop([fc.array(fc.array(spelled, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 30 })], { numRuns: 150 })(
    'numbers equal Math.fround(Number(text)) for every spelling, across any read size',
    async (cells, readBytes) => {
      const text = `a,b,c\n${cells.map((r) => r.join(',')).join('\n')}\n`;
      const batches = await all(text, { readBytes });
      const got = batches.flatMap((b) => Array.from(b.data));
      const want = cells.flat().map((s) => Math.fround(Number(s.replaceAll('"', ''))));
      expect(got.length).toBe(want.length);
      got.forEach((g, i) => expect(Object.is(g, want[i]) || (Number.isNaN(g) && Number.isNaN(want[i] as number)), `${cells.flat()[i]}: ${g} vs ${want[i]}`).toBe(true));
      const flagged = batches.flatMap((b, k) => Array.from(b.nonFiniteRows, (r) => k * 16384 + r));
      expect(flagged).toEqual(cells.flatMap((r, i) => (r.some((c) => !Number.isFinite(Number(c.replaceAll('"', '')))) ? [i] : [])));
    },
  );
  // Arbitrary text, well-formed or not, with one line-end style per text (csv-parse takes the first
  // line end it meets as the only record delimiter; this reader accepts LF, CRLF and CR anywhere).
  // csv-parse's strict mode is the judge of what is malformed.
  const anyText = fc
    .tuple(fc.string({ unit: fc.constantFrom('a', 'b', ',', ',', '"', '\n', '\n', ' ', '1', 'é'), maxLength: 60 }), fc.boolean())
    .map(([t, crlf]) => (crlf ? t.replaceAll('\n', '\r\n') : t));
  test.prop([anyText, fc.integer({ min: 1, max: 16 })], { numRuns: 300 })('on any text: malformed exactly when csv-parse rejects it, otherwise the same records', async (text, readBytes) => {
    let records: string[][] | undefined;
    try {
      records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
    } catch {
      records = undefined;
    }
    if (records !== undefined && records.length === 0) {
      await expect(all(text, { readBytes })).rejects.toThrow(/empty file/);
      return;
    }
    let batches: CsvBatch[];
    try {
      batches = await all(text, { readBytes, onError: 'skip', select: (h) => ({ numeric: [], strings: h }) });
    } catch (e) {
      // Only a file whose every record is malformed has no header to select from.
      expect(records).toBeUndefined();
      expect(String(e)).toMatch(/empty file/);
      return;
    }
    const malformed = batches.reduce((n, b) => n + (b.skipped.malformed ?? 0), 0);
    if (records === undefined) {
      expect(malformed).toBeGreaterThan(0);
      return;
    }
    expect(malformed).toBe(0);
    const nCols = (records[0] as string[]).length;
    const got = batches.flatMap((b) => Array.from({ length: b.rows }, (_, i) => b.strings.map((col) => col[i] as string)));
    expect(got).toEqual(records.slice(1).filter((r) => r.length === nCols && !(nCols !== 1 && r.length === 1 && r[0] === '')));
  });
});
