import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { scatterSvg, trainingCurvesSvg } from '../../src/metrics/index.js';
import { expectWellFormedSvg } from './svg-check.js';

describe('trainingCurvesSvg', () => {
  it('draws one path per series, losses and metrics in two panels, validation dashed', () => {
    const svg = trainingCurvesSvg({ loss: [1, 0.5, 0.3], val_loss: [1.1, 0.7, Number.NaN], accuracy: [0.5, 0.7, 0.9] });
    expectWellFormedSvg(svg);
    expect(svg.match(/class="series"/g)?.length).toBe(3);
    expect(svg).toMatch(/class="series"[^>]*stroke-dasharray[^>]*><title>val_loss/);
    // The NaN epoch ends the val_loss path after two points.
    const valPath = /d="([^"]*)"[^>]*stroke-dasharray[^>]*><title>val_loss/.exec(svg)?.[1] ?? '';
    expect(valPath.match(/[ML]/g)?.length).toBe(2);
  });
  it('rejects an empty history', () => {
    expect(() => trainingCurvesSvg({})).toThrow(ValueError);
    expect(() => trainingCurvesSvg({ loss: [] })).toThrow(ValueError);
  });
});

describe('scatterSvg', () => {
  const points = { data: Float32Array.from({ length: 2 * 1010 }, (_, i) => Math.sin(i) * 10), rows: 1010, cols: 2 };
  const labels = Array.from({ length: 1010 }, (_, i) => (i < 1000 ? 'BENIGN' : 'Heartbleed'));
  it('keeps every point of a rare class when thinning, largest class drawn first, counts in the legend', () => {
    const svg = scatterSvg(points, labels, { maxPoints: 200 });
    expectWellFormedSvg(svg);
    const groups = [...svg.matchAll(/<g class="class"[^>]*><title>([^<]*)<\/title>(.*?)<\/g>/g)].map((m) => [m[1], (m[2] as string).match(/<circle/g)?.length]);
    expect(groups).toEqual([['BENIGN', 190], ['Heartbleed', 10]]);
    expect(svg).toContain('Heartbleed (10)');
    expect(svg).toContain('BENIGN (1000)');
  });
  it('rejects mismatched shapes', () => {
    expect(() => scatterSvg(points, ['a'])).toThrow(ShapeError);
    expect(() => scatterSvg([[1], [2]], ['a', 'b'])).toThrow(ShapeError);
  });
});
