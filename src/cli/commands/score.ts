import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { DataFormatError } from '../../errors.js';
import { loadDetector, type Detector, type FlowRecord } from '../../pipeline/index.js';
import { choice, intOption, required, type CliCommand } from '../args.js';

type Format = 'csv' | 'ndjson';

async function* recordsOf(input: Readable, format: Format): AsyncGenerator<FlowRecord> {
  if (format === 'csv') {
    // Header names trimmed: the original CICIDS2017 CSVs pad them with spaces.
    const parser = input.pipe(parse({ columns: (h: string[]) => h.map((c) => c.trim()), skip_empty_lines: true, trim: true }));
    for await (const rec of parser) yield rec as FlowRecord;
    return;
  }
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (e) {
      throw new DataFormatError('<stdin>', line, `not a JSON object (${e instanceof Error ? e.message : String(e)})`);
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) throw new DataFormatError('<stdin>', line, 'expected one JSON object per line');
    yield rec as FlowRecord;
  }
}

/** Streams flows through a detector: reads CSV or NDJSON records, writes one line per flow. */
export async function scoreStream(detector: Pick<Detector, 'predictProba' | 'predict' | 'classes' | 'lastInputReport'>, input: Readable, write: (line: string) => void, options: { format: Format; batch: number }): Promise<{ rows: number; unknownCategories: Record<string, number>; extraColumns: string[] }> {
  const unknown: Record<string, number> = {};
  let extra: string[] = [];
  let rows = 0;
  let batch: FlowRecord[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    const p = detector.predictProba(batch);
    const labels = detector.predict(batch);
    const benign = detector.classes.findIndex((c) => ['BENIGN', 'normal', 'Benign', 'benign', 'Normal'].includes(c));
    const k = p.classes.length;
    const rep = detector.lastInputReport;
    for (const [c, n] of Object.entries(rep?.unknownCategories ?? {})) unknown[c] = (unknown[c] ?? 0) + n;
    if (rep && rep.extraColumns.length > 0) extra = rep.extraColumns;
    for (let i = 0; i < batch.length; i++) {
      const score = benign >= 0 ? 1 - p.data[i * k + benign]! : Math.max(...p.data.subarray(i * k, (i + 1) * k));
      write(`${score.toFixed(6)},${labels[i]}`);
    }
    rows += batch.length;
    batch = [];
  };
  for await (const rec of recordsOf(input, options.format)) {
    batch.push(rec);
    if (batch.length >= options.batch) flush();
  }
  flush();
  return { rows, unknownCategories: unknown, extraColumns: extra };
}

/** `flowsentry score`: streaming scoring of flows on stdin. */
export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score flows read from stdin (CSV with header, or NDJSON): one "score,label" line per flow',
  usage: 'flowsentry score --model <dir> [--format csv|ndjson] [--batch N] < flows.csv',
  options: {
    model: { type: 'string', value: '<dir>', help: 'a directory written by `flowsentry train` (a Detector or DetectorEnsemble save)' },
    format: { type: 'string', value: '<fmt>', help: 'csv (default; first line is the header) or ndjson' },
    batch: { type: 'string', value: '<N>', help: 'flows scored together (default 256); output keeps input order' },
  },
  async run(values) {
    const detector = await loadDetector(required(values, 'model', 'a saved detector directory'));
    const format = choice<Format>(values, 'format', ['csv', 'ndjson'], 'csv');
    const batch = intOption(values, 'batch', 256, 1);
    const out: string[] = [];
    const summary = await scoreStream(detector, process.stdin, (l) => {
      out.push(l);
      if (out.length >= 1024) process.stdout.write(`${out.splice(0).join('\n')}\n`);
    }, { format, batch });
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    const notes = [`scored ${summary.rows} flows`];
    if (summary.extraColumns.length > 0) notes.push(`ignored columns: ${summary.extraColumns.join(', ')}`);
    const unk = Object.entries(summary.unknownCategories);
    if (unk.length > 0) notes.push(`unseen categories encoded as zeros: ${unk.map(([c, n]) => `${c} ${n}`).join(', ')}`);
    console.error(`flowsentry score: ${notes.join('; ')}`);
    detector.dispose();
    return 0;
  },
};
