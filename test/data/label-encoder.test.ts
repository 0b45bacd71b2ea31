import { describe, expect, it } from 'vitest';
import { NotFittedError, ValueError } from '../../src/errors.js';
import { LabelEncoder } from '../../src/data/index.js';
import { fixture } from './preprocessing-fixture.js';

describe('LabelEncoder agrees with scikit-learn', () => {
  it('sorts classes and encodes', () => {
    const enc = new LabelEncoder();
    expect(Array.from(enc.fitTransform(fixture.label.labels))).toEqual(fixture.label.codes);
    expect(enc.classes).toEqual(fixture.label.classes);
    expect(enc.inverseTransform(fixture.label.codes)).toEqual(fixture.label.labels);
  });
  it('throws a typed error naming an unknown label', () => {
    const enc = new LabelEncoder().fit(['a', 'b']);
    expect(() => enc.transform(['a', 'zzz'])).toThrow(ValueError);
    expect(() => enc.transform(['a', 'zzz'])).toThrow(/"zzz".*position 1/);
    expect(() => new LabelEncoder().transform(['a'])).toThrow(NotFittedError);
    expect(() => enc.inverseTransform([2])).toThrow(ValueError);
  });
  it('round-trips through JSON', () => {
    const enc = new LabelEncoder().fit(fixture.label.labels);
    const back = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    expect(Array.from(back.transform(fixture.label.labels))).toEqual(fixture.label.codes);
    expect(() => LabelEncoder.fromJSON({ className: 'LabelEncoder', classes: ['a', 'a'] })).toThrow(ValueError);
  });
});
