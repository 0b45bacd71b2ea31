import { ValueError } from '../errors.js';
import { codeOf, type EncodedLabels, type Label } from './labels.js';

/** Class counts, label -> number of rows, handed to a function strategy. */
export type ClassCounts = Map<Label, number>;

/**
 * Over-sampling targets (imbalanced-learn 0.10):
 * - 'auto' = 'not majority'; 'minority'; 'not minority'; 'not majority'; 'all': the chosen
 *   classes are grown to the majority class's count;
 * - a number in (0, 1] (two classes only): the minority is grown to ratio x majority count;
 * - a record or Map label -> wanted count after resampling (classes left out are untouched);
 * - a function of the class counts returning such a record or Map.
 */
export type OverSamplingStrategy =
  | 'auto'
  | 'minority'
  | 'not minority'
  | 'not majority'
  | 'all'
  | number
  | Record<string, number>
  | Map<Label, number>
  | ((counts: ClassCounts) => Record<string, number> | Map<Label, number>);

/**
 * Cleaning targets (imbalanced-learn 0.10 'clean-sampling'): which classes may lose rows.
 * 'auto' = 'not minority'; 'majority'; 'not majority'; 'all'; 'minority'; or a list of labels.
 */
export type CleaningStrategy = 'auto' | 'majority' | 'minority' | 'not minority' | 'not majority' | 'all' | readonly Label[];

function majorityMinority(enc: EncodedLabels): { majority: number; minority: number } {
  // Ties go to the first (lowest) label, as Python's max/min over imblearn's sorted class dict.
  let majority = 0;
  let minority = 0;
  enc.counts.forEach((c, i) => {
    if (c > (enc.counts[majority] as number)) majority = i;
    if (c < (enc.counts[minority] as number)) minority = i;
  });
  return { majority, minority };
}

function requireTwoClasses(enc: EncodedLabels, name: string): void {
  if (enc.classes.length < 2) {
    throw new ValueError(name, 'labels of at least 2 classes', `1 class (${String(enc.classes[0])})`);
  }
}

/**
 * Resolves an over-sampling strategy into class code -> number of rows to generate (only classes
 * that get rows are present). Throws a typed error for unknown labels and impossible targets.
 */
export function resolveOverSampling(strategy: OverSamplingStrategy, enc: EncodedLabels, name = 'samplingStrategy'): Map<number, number> {
  requireTwoClasses(enc, 'y');
  const { majority, minority } = majorityMinority(enc);
  const nMaj = enc.counts[majority] as number;
  const out = new Map<number, number>();
  const grow = (keep: (c: number) => boolean) => {
    enc.counts.forEach((count, c) => {
      if (keep(c)) out.set(c, nMaj - count);
    });
    return out;
  };
  if (typeof strategy === 'string') {
    switch (strategy) {
      case 'minority':
        return grow((c) => c === minority);
      case 'not minority':
        return grow((c) => c !== minority);
      case 'auto':
      case 'not majority':
        return grow((c) => c !== majority);
      case 'all':
        return grow(() => true);
      default:
        throw new ValueError(name, "'auto', 'minority', 'not minority', 'not majority', 'all', a ratio, a record or a function", strategy);
    }
  }
  if (typeof strategy === 'number') {
    if (enc.classes.length !== 2) {
      throw new ValueError(name, 'a record or a string when there are more than 2 classes (a ratio is for binary labels)', strategy);
    }
    if (!(strategy > 0 && strategy <= 1)) throw new ValueError(name, 'a ratio in (0, 1]', strategy);
    const n = Math.floor(nMaj * strategy) - (enc.counts[minority] as number);
    if (n < 0) {
      throw new ValueError(name, `a ratio of at least ${(enc.counts[minority] as number) / nMaj} (over-sampling cannot remove rows)`, strategy);
    }
    out.set(minority, n);
    return out;
  }
  let targets: Record<string, number> | Map<Label, number>;
  if (typeof strategy === 'function') {
    const counts: ClassCounts = new Map(enc.classes.map((c, i) => [c, enc.counts[i] as number]));
    targets = strategy(counts);
  } else targets = strategy;
  const entries: [Label, number][] =
    targets instanceof Map ? [...targets.entries()] : targets !== null && typeof targets === 'object' ? Object.entries(targets) : [];
  if (!(targets instanceof Map) && (targets === null || typeof targets !== 'object')) {
    throw new ValueError(name, 'a record or Map label -> count', targets);
  }
  for (const [label, wanted] of entries) {
    const c = codeOf(enc, label);
    if (c < 0) throw new ValueError(`${name}[${JSON.stringify(label)}]`, `a label present in y (${enc.classes.map(String).join(', ')})`, label);
    const have = enc.counts[c] as number;
    if (!Number.isInteger(wanted) || wanted < have) {
      throw new ValueError(`${name}[${JSON.stringify(label)}]`, `an integer count >= the class's ${have} rows (over-sampling cannot remove rows)`, wanted);
    }
    out.set(c, wanted - have);
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

/** Resolves a cleaning strategy into the set of class codes that may lose rows. */
export function resolveCleaning(strategy: CleaningStrategy, enc: EncodedLabels, name = 'samplingStrategy'): Set<number> {
  requireTwoClasses(enc, 'y');
  const { majority, minority } = majorityMinority(enc);
  const all = enc.classes.map((_, i) => i);
  if (Array.isArray(strategy)) {
    const out = new Set<number>();
    for (const label of strategy as readonly Label[]) {
      const c = codeOf(enc, label);
      if (c < 0) throw new ValueError(name, `labels present in y (${enc.classes.map(String).join(', ')})`, label);
      out.add(c);
    }
    return out;
  }
  switch (strategy) {
    case 'auto':
    case 'not minority':
      return new Set(all.filter((c) => c !== minority));
    case 'majority':
      return new Set([majority]);
    case 'minority':
      return new Set([minority]);
    case 'not majority':
      return new Set(all.filter((c) => c !== majority));
    case 'all':
      return new Set(all);
    default:
      throw new ValueError(name, "'auto', 'majority', 'minority', 'not minority', 'not majority', 'all' or a list of labels", strategy);
  }
}
