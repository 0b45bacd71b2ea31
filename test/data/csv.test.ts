import { describe, expect, it } from 'vitest';
import { DataFormatError, ValueError } from '../../src/errors.js';
import { readCsv, parseNumber, type CsvBatch, type ReadCsvOptions } from '../../src/data/index.js';
import { tempDir, writeText } from './files.js';

const dir = tempDir();
async function all(file: string, options: ReadCsvOptions = {}): Promise<CsvBatch[]> {
  const out: CsvBatch[] = [];
  for await (const b of readCsv(file, options)) out.push(b);
  return out;
}

describe('readCsv', () => {
  it('trims header names, parses numbers, Infinity/NaN/empty, quoted fields and keeps strings', async () => {
    const f = writeText(dir, 'a.csv', ' Flow Bytes/s, Label,x\n1.5,"BENIGN, really",2\nInfinity,DoS,\n-inf,DoS,NaN\n');
    const [b] = await all(f, { select: { numeric: ['Flow Bytes/s', 'x'], strings: ['Label'] } });
    expect(b?.numericNames).toEqual(['Flow Bytes/s', 'x']);
    expect(Array.from(b?.data ?? [])).toEqual([1.5, 2, Infinity, Number.NaN, -Infinity, Number.NaN]);
    expect(b?.strings[0]).toEqual(['BENIGN, really', 'DoS', 'DoS']);
    expect(Array.from(b?.lines ?? [])).toEqual([2, 3, 4]);
    expect(Array.from(b?.nonFiniteRows ?? [])).toEqual([1, 2]);
  });
  it('yields bounded batches', async () => {
    const f = writeText(dir, 'b.csv', `a,b\n${Array.from({ length: 10 }, (_, i) => `${i},${i * 2}`).join('\n')}\n`);
    const batches = await all(f, { batchSize: 4 });
    expect(batches.map((b) => b.rows)).toEqual([4, 4, 2]);
    expect(batches.every((b) => b.data.length === b.rows * 2)).toBe(true);
    expect(batches[2]?.data[3]).toBe(18);
  });
  it('ragged row: DataFormatError with file and line, or skipped and counted', async () => {
    const f = writeText(dir, 'c.csv', 'a,b\n1,2\n3\n4,5\n');
    await expect(all(f)).rejects.toThrow(DataFormatError);
    await expect(all(f)).rejects.toThrow(/c\.csv:3: ragged/);
    const [b] = await all(f, { onError: 'skip' });
    expect(b?.rows).toBe(2);
    expect(b?.skipped).toEqual({ ragged: 1 });
    expect(b?.examples[0]).toMatch(/c\.csv:3/);
  });
  it('unparsable number: error naming the column, or skipped', async () => {
    const f = writeText(dir, 'd.csv', 'a,b\n1,2\n3,abc\n');
    await expect(all(f)).rejects.toThrow(/d\.csv:3: column 'b' is not a number/);
    const [b] = await all(f, { onError: 'skip' });
    expect(b?.skipped).toEqual({ unparsable: 1 });
  });
  it('malformed quoting: error with line, or skipped and counted once', async () => {
    const f = writeText(dir, 'e.csv', 'a,b\n1,2\n3,4"x"\n5,6\n');
    await expect(all(f)).rejects.toThrow(/e\.csv:3: malformed CSV/);
    const batches = await all(f, { onError: 'skip' });
    expect(batches.reduce((s, b) => s + b.rows, 0)).toBe(2);
    expect(batches.reduce((s, b) => s + (b.skipped.malformed ?? 0), 0)).toBe(1);
    expect(batches.flatMap((b) => b.examples)[0]).toMatch(/e\.csv:3: malformed/);
  });
  it('an unclosed quote makes the rest of the file one malformed record, and the example says which lines', async () => {
    const f = writeText(dir, 'e2.csv', 'a,b\n1,2\n3,"4\n5,6\n7,8\n');
    const batches = await all(f, { onError: 'skip' });
    expect(batches.reduce((s, b) => s + b.rows, 0)).toBe(1);
    expect(batches.reduce((s, b) => s + (b.skipped.malformed ?? 0), 0)).toBe(1);
    expect(batches.flatMap((b) => b.examples)[0]).toMatch(/e2\.csv:3: malformed \(lines 3-5\)/);
  });
  it('empty file, missing file and missing column are DataFormatErrors; blank lines are counted', async () => {
    await expect(all(writeText(dir, 'f.csv', ''))).rejects.toThrow(/f\.csv:1: empty file/);
    await expect(all(`${dir}/nope.csv`)).rejects.toThrow(DataFormatError);
    await expect(all(writeText(dir, 'g.csv', 'a,b\n1,2\n'), { select: { numeric: ['z'] } })).rejects.toThrow(/g\.csv:1: missing column 'z'/);
    const [b] = await all(writeText(dir, 'h.csv', 'a,b\n1,2\n\n3,4\n'));
    expect(b?.rows).toBe(2);
    expect(b?.skipped).toEqual({ empty: 1 });
  });
  it('headerless files take names from columns; repeated header names get suffixes', async () => {
    const [b] = await all(writeText(dir, 'i.csv', '1,2\n3,4\n'), { columns: ['p', 'q'] });
    expect(b?.rows).toBe(2);
    const [c] = await all(writeText(dir, 'j.csv', 'a,a,b\n1,2,3\n'), { select: (h) => ({ numeric: h }) });
    expect(c?.numericNames).toEqual(['a', 'a.1', 'b']);
    expect(Array.from(c?.data ?? [])).toEqual([1, 2, 3]);
  });
  it('CRLF, a bare CR, a UTF-8 BOM, quoted numbers and a multi-line quoted label; lines are where each record starts', async () => {
    const f = writeText(dir, 'k.csv', '\uFEFFa,b,Label\r\n1,"2.5","multi\r\nline ""x"""\r\n3,4,y\r5,-6e-2,z');
    const [b] = await all(f, { select: { numeric: ['a', 'b'], strings: ['Label'] } });
    expect(Array.from(b?.data ?? [])).toEqual([1, 2.5, 3, 4, 5, Math.fround(-0.06)]);
    expect(b?.strings[0]).toEqual(['multi\r\nline "x"', 'y', 'z']);
    expect(Array.from(b?.lines ?? [])).toEqual([2, 4, 5]);
  });
  it('text after a closing quote is malformed; reading resumes on the next line', async () => {
    const f = writeText(dir, 'l.csv', 'a,b\n"1"x,2\n3,4\n');
    await expect(all(f)).rejects.toThrow(/l\.csv:2: malformed CSV: Invalid Closing Quote/);
    const [b] = await all(f, { onError: 'skip' });
    expect(Array.from(b?.data ?? [])).toEqual([3, 4]);
    expect(b?.skipped).toEqual({ malformed: 1 });
  });
  it('an unclosed quote read a few bytes at a time gives the same single malformed record', async () => {
    const body = Array.from({ length: 200 }, (_, i) => `${i},${i}`).join('\n');
    const f = writeText(dir, 'm.csv', `a,b\n1,2\n3,"4\n${body}\n`);
    for (const readBytes of [3, 1 << 20]) {
      const batches = await all(f, { onError: 'skip', readBytes });
      expect(batches.reduce((s, b) => s + b.rows, 0)).toBe(1);
      expect(batches.flatMap((b) => b.examples)[0]).toMatch(/m\.csv:3: malformed \(lines 3-203\)/);
    }
  });
  it('a column selected both as a number and as a string gets both; other delimiters; numbers past the exact fast path', async () => {
    const f = writeText(dir, 'n.csv', 'a;b\n7;12345678901234567890\n');
    const [b] = await all(f, { delimiter: ';', select: { numeric: ['a', 'b', 'a'], strings: ['a'] } });
    expect(Array.from(b?.data ?? [])).toEqual([7, Math.fround(12345678901234567890), 7]);
    expect(b?.strings[0]).toEqual(['7']);
    await expect(all(f, { delimiter: ';;' })).rejects.toThrow(ValueError);
    await expect(all(f, { delimiter: '"' })).rejects.toThrow(ValueError);
    await expect(all(f, { readBytes: 0 })).rejects.toThrow(ValueError);
  });
});

describe('parseNumber', () => {
  it('follows the CSV spellings', () => {
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber(' 7 ')).toBe(7);
    expect(parseNumber('')).toBeNaN();
    expect(parseNumber('  ')).toBeNaN();
    expect(parseNumber('Infinity')).toBe(Infinity);
    expect(parseNumber('inf')).toBe(Infinity);
    expect(parseNumber('-Infinity')).toBe(-Infinity);
    expect(parseNumber('nan')).toBeNaN();
    expect(parseNumber('tcp')).toBeUndefined();
  });
});
