import { describe, expect, it } from 'vitest';
import { classificationReport, reportToJson, reportToMarkdown } from '../../src/metrics/index.js';

describe('reportToMarkdown / reportToJson', () => {
  const r = classificationReport(['BENIGN', 'BENIGN', 'DoS', 'a|b'], ['BENIGN', 'DoS', 'DoS', 'a|b']);
  it('renders one row per class plus averages, accuracy and the confusion matrix', () => {
    const md = reportToMarkdown(r, { title: 'Run 1', digits: 3 });
    const lines = md.split('\n');
    expect(lines[0]).toBe('## Run 1');
    expect(lines.filter((l) => l.startsWith('| ')).length).toBe(2 + 3 + 2 + 2 + 3);
    expect(md).toContain('| BENIGN | 1.000 | 0.500 | 0.667 | 1.000 | 0.000 | 2 |');
    expect(md).toContain('a\\|b');
    expect(md).toContain('**Accuracy**: 0.750 (4 rows)');
    expect(reportToMarkdown(r, { confusion: false })).not.toContain('Confusion matrix');
  });
  it('JSON round-trips the report', () => {
    expect(JSON.parse(reportToJson(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });
});
