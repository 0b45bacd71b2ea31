import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { confusionMatrix, confusionMatrixSvg } from '../../src/metrics/index.js';
import { expectWellFormedSvg } from './svg-check.js';

describe('confusionMatrixSvg', () => {
  const cm = confusionMatrix(['BENIGN', 'BENIGN', 'DoS', 'Web <XSS> & co', 'DoS'], ['BENIGN', 'DoS', 'DoS', 'BENIGN', 'DoS']);
  it('is well-formed SVG with one cell per pair, escaped names, counts and class shares', () => {
    const svg = confusionMatrixSvg(cm, { title: 'Test "run"' });
    expectWellFormedSvg(svg);
    expect(svg.match(/class="cell"/g)?.length).toBe(9);
    expect(svg).toContain('Web &lt;XSS&gt; &amp; co');
    expect(svg).toContain('Test &quot;run&quot;');
    // BENIGN row: 1 of 2 right -> 50%; DoS row: 2 of 2 -> 100%.
    expect(svg).toContain('>50%<');
    expect(svg).toContain('>100%<');
  });
  it('colours by class share: a full row is darker than a half row', () => {
    const svg = confusionMatrixSvg(cm);
    const fills = [...svg.matchAll(/class="cell" [^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => parseInt((m[1] as string).slice(1, 3), 16));
    // Red channel falls as the colour darkens: DoS->DoS (row 1, col 1) darker than BENIGN->BENIGN.
    expect(fills[4] as number).toBeLessThan(fills[0] as number);
    expectWellFormedSvg(confusionMatrixSvg(cm, { normalize: 'none' }));
  });
  it('rejects bad options', () => {
    expect(() => confusionMatrixSvg(cm, { normalize: 'all' as 'true' })).toThrow(ValueError);
  });
});
