import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../../src/errors.js';
import { averagePrecision, averagePrecisionOneVsRest, rocAuc, rocAucOneVsRest } from '../../src/metrics/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';
import { readFixture } from './fixture.js';

interface BinaryCase { kind: 'binary'; yTrue: number[]; scores: number[]; rocAuc: number; averagePrecision: number }
interface OvrCase {
  kind: 'ovr'; yTrue: number[]; scores: number[][];
  rocAucMacro: number; rocAucWeighted: number; rocAucPerClass: number[];
  averagePrecisionMacro: number; averagePrecisionWeighted: number; averagePrecisionPerClass: number[];
}
const { cases } = readFixture<{ cases: (BinaryCase | OvrCase)[] }>('metrics', 'auc.json');
const close = (a: number, b: number) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThan(1e-9);

describe('rocAuc / averagePrecision agree with scikit-learn to 1e-9', () => {
  cases.forEach((c, k) => {
    if (c.kind === 'binary') {
      it(`binary case ${k} (${c.yTrue.length} rows, tied scores)`, () => {
        close(rocAuc(c.yTrue, c.scores), c.rocAuc);
        close(averagePrecision(c.yTrue, c.scores), c.averagePrecision);
        // String labels with the attack class inferred as positive.
        const named = c.yTrue.map((v) => (v ? 'DDoS' : 'BENIGN'));
        close(rocAuc(named, c.scores), c.rocAuc);
        close(averagePrecision(named, c.scores), c.averagePrecision);
      });
    } else {
      it(`one-vs-rest case ${k} (${c.scores[0]?.length} classes)`, () => {
        close(rocAuc(c.yTrue, c.scores), c.rocAucMacro);
        close(rocAuc(c.yTrue, c.scores, { average: 'weighted' }), c.rocAucWeighted);
        close(averagePrecision(c.yTrue, c.scores), c.averagePrecisionMacro);
        close(averagePrecision(c.yTrue, c.scores, { average: 'weighted' }), c.averagePrecisionWeighted);
        const roc = rocAucOneVsRest(c.yTrue, c.scores);
        roc.perClass.forEach((v, j) => close(v, c.rocAucPerClass[j] as number));
        const ap = averagePrecisionOneVsRest(c.yTrue, c.scores);
        ap.perClass.forEach((v, j) => close(v, c.averagePrecisionPerClass[j] as number));
      });
    }
  });

  it('two probability columns of a binary problem use the positive column', () => {
    const c = cases[0] as BinaryCase;
    const two = c.scores.map((s) => [-s, s]);
    close(rocAuc(c.yTrue, two), c.rocAuc);
  });

  it('perfect and reversed rankings give 1 and 0; tensors do not leak', async () => {
    await expectNoLeaks(() => {
      const s = tf.tensor1d([0.1, 0.2, 0.8, 0.9]);
      expect(rocAuc([0, 0, 1, 1], s)).toBe(1);
      expect(rocAuc([1, 1, 0, 0], s)).toBe(0);
      expect(averagePrecision([0, 0, 1, 1], s)).toBe(1);
      s.dispose();
    });
  });

  it('rejects undefined cases and bad shapes', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(ValueError);
    expect(() => averagePrecision([0, 0], [0.1, 0.2])).toThrow(ValueError);
    expect(() => rocAuc([0, 1], [0.1])).toThrow(ShapeError);
    expect(() => rocAuc([0, 1, 2], [[1, 0], [0, 1], [1, 1]])).toThrow(ShapeError);
    expect(() => rocAuc(['a', 'b'], [0.1, 0.2])).toThrow(/positiveLabel/);
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(ValueError);
  });
});
