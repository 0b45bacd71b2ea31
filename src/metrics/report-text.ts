import type { ClassificationReport } from './classification-report.js';

/** Options of {@link reportToMarkdown}. */
export interface MarkdownReportOptions {
  /** A heading placed above the tables (default none). */
  title?: string;
  /** Digits after the decimal point (default 4). */
  digits?: number;
  /** Include the confusion matrix table (default true). */
  confusion?: boolean;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/**
 * A classification report as Markdown: per-class precision, recall, F1, specificity, FPR and
 * support, the macro and weighted averages, accuracy, the binary (attack) scores when present,
 * and the confusion matrix.
 */
export function reportToMarkdown(report: ClassificationReport, options: MarkdownReportOptions = {}): string {
  const d = options.digits ?? 4;
  const f = (v: number) => v.toFixed(d);
  const out: string[] = [];
  if (options.title) out.push(`## ${options.title}`, '');
  out.push('| class | precision | recall | F1 | specificity | FPR | support |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const c of report.perClass) out.push(`| ${cell(c.label)} | ${f(c.precision)} | ${f(c.recall)} | ${f(c.f1)} | ${f(c.specificity)} | ${f(c.falsePositiveRate)} | ${c.support} |`);
  for (const [name, a] of [['macro avg', report.macro], ['weighted avg', report.weighted]] as const) {
    out.push(`| **${name}** | ${f(a.precision)} | ${f(a.recall)} | ${f(a.f1)} | ${f(a.specificity)} | ${f(a.falsePositiveRate)} | ${a.support} |`);
  }
  out.push('', `**Accuracy**: ${f(report.accuracy)} (${report.macro.support} rows)`);
  if (report.binary) {
    const b = report.binary;
    out.push('', `**Binary (${cell(b.positiveLabel)} as positive)**: precision ${f(b.precision)}, recall ${f(b.recall)}, F1 ${f(b.f1)}, specificity ${f(b.specificity)}, FPR ${f(b.falsePositiveRate)}`);
  }
  if (options.confusion ?? true) {
    const labels = report.perClass.map((c) => cell(c.label));
    out.push('', 'Confusion matrix (rows: true, columns: predicted)', '', `| true \\ predicted | ${labels.join(' | ')} |`, `| --- | ${labels.map(() => '---:').join(' | ')} |`);
    report.confusion.matrix.forEach((row, i) => out.push(`| ${labels[i]} | ${row.join(' | ')} |`));
  }
  return `${out.join('\n')}\n`;
}

/** A classification report as indented JSON (it is plain data already). */
export function reportToJson(report: ClassificationReport, indent = 2): string {
  return JSON.stringify(report, null, indent);
}
