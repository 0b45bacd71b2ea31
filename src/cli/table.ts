import type { ClassificationReport } from '../metrics/index.js';

/** Renders a classification report as a fixed-width per-class table for a terminal. */
export function formatReport(report: ClassificationReport): string {
  const rows = report.perClass.map((c) => [c.label, c.precision, c.recall, c.f1, c.specificity, c.support] as const);
  const nameWidth = Math.max(12, ...rows.map((r) => r[0].length)) + 2;
  const head = `${'class'.padEnd(nameWidth)}${['precision', 'recall', 'f1', 'specificity', 'support'].map((h) => h.padStart(12)).join('')}`;
  const f = (v: number): string => v.toFixed(4).padStart(12);
  const lines = [head, '-'.repeat(head.length)];
  for (const [name, p, r, f1, s, n] of rows) lines.push(`${name.padEnd(nameWidth)}${f(p)}${f(r)}${f(f1)}${f(s)}${String(n).padStart(12)}`);
  lines.push('-'.repeat(head.length));
  for (const [name, a] of [['macro avg', report.macro], ['weighted avg', report.weighted]] as const) {
    lines.push(`${name.padEnd(nameWidth)}${f(a.precision)}${f(a.recall)}${f(a.f1)}${f(a.specificity)}${String(a.support).padStart(12)}`);
  }
  lines.push(`${'accuracy'.padEnd(nameWidth)}${f(report.accuracy)}`);
  return lines.join('\n');
}
