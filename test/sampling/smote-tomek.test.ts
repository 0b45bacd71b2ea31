import { describe, expect, it } from 'vitest';
import { SMOTE, SMOTETomek, TomekLinks } from '../../src/sampling/index.js';
import { fixture } from './helpers/fixtures.js';

interface SamplersFixture {
  tomekX: number[][];
  tomekY: number[];
  tomekKept: Record<string, number[]>;
}
const fx = fixture<SamplersFixture>('samplers.json');

describe('SMOTETomek', () => {
  it('equals SMOTE followed by TomekLinks(all), with sampleIndices into the input', () => {
    const smote = new SMOTE({ seed: 4 });
    const composed = new SMOTETomek({ smote }).fitResample(fx.tomekX, fx.tomekY);
    const over = new SMOTE({ seed: 4 }).fitResample(fx.tomekX, fx.tomekY);
    const clean = new TomekLinks({ samplingStrategy: 'all' }).fitResample(over.X, over.y);
    expect(composed.X).toEqual(clean.X);
    expect(composed.y).toEqual(clean.y);
    expect(Array.from(composed.sampleIndices)).toEqual(Array.from(clean.sampleIndices, (i) => over.sampleIndices[i]));
    expect(new SMOTETomek({ seed: 4 }).fitResample(fx.tomekX, fx.tomekY).X).toEqual(composed.X);
  });
});
