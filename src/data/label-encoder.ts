import { ValueError } from '../errors.js';
import { checkJson, requireFitted, type Transformer } from './transformer.js';

/** The JSON form of a fitted {@link LabelEncoder}. */
export interface LabelEncoderJSON {
  /** Always `'LabelEncoder'`; `fromJSON` rejects any other value. */
  className: 'LabelEncoder';
  /** The classes, index = code. */
  classes: string[];
}

/**
 * Encodes string labels as integers 0..nClasses-1, classes sorted as scikit-learn's LabelEncoder
 * sorts them (code-unit order). An unknown label at `transform` throws a ValueError naming it.
 *
 * @example
 * ```ts
 * const le = new LabelEncoder();
 * le.fitTransform(['DoS', 'BENIGN', 'DoS', 'Bot']); // Int32Array [2, 0, 2, 1]
 * le.classes; // ['BENIGN', 'Bot', 'DoS']
 * le.inverseTransform([1, 0]); // ['Bot', 'BENIGN']
 * ```
 */
export class LabelEncoder implements Transformer<readonly string[], Int32Array, LabelEncoderJSON> {
  /** Class tag `'LabelEncoder'`, the `className` of the JSON form written by `toJSON`. */
  static readonly className = 'LabelEncoder';
  private classList: string[] | undefined;
  private index = new Map<string, number>();

  /** The fitted classes, index = code. */
  get classes(): readonly string[] {
    return requireFitted(this.classList, 'LabelEncoder', 'classes');
  }

  fit(labels: readonly string[]): this {
    if (!Array.isArray(labels) || labels.length === 0) throw new ValueError('labels', 'a non-empty array of strings', labels);
    const set = new Set<string>();
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (typeof l !== 'string') throw new ValueError('labels', 'strings', l, `position ${i}`);
      set.add(l);
    }
    return this.setClasses([...set].sort());
  }

  transform(labels: readonly string[]): Int32Array {
    requireFitted(this.classList, 'LabelEncoder', 'transform');
    const out = new Int32Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const code = this.index.get(labels[i] as string);
      if (code === undefined) {
        throw new ValueError('labels', `one of the fitted classes [${this.classes.join(', ')}]`, labels[i], `position ${i}`);
      }
      out[i] = code;
    }
    return out;
  }

  fitTransform(labels: readonly string[]): Int32Array {
    return this.fit(labels).transform(labels);
  }

  /** Codes back to labels. */
  inverseTransform(codes: ArrayLike<number>): string[] {
    const classes = requireFitted(this.classList, 'LabelEncoder', 'inverseTransform');
    return Array.from(codes, (c, i) => {
      const l = classes[c];
      if (!Number.isInteger(c) || l === undefined) throw new ValueError('codes', `integers in [0, ${classes.length})`, c, `position ${i}`);
      return l;
    });
  }

  toJSON(): LabelEncoderJSON {
    return { className: 'LabelEncoder', classes: [...requireFitted(this.classList, 'LabelEncoder', 'toJSON')] };
  }

  /**
   * Rebuilds a fitted LabelEncoder from the output of `toJSON` (e.g. after `JSON.parse`), with its classes in code order.
   * @param json - A LabelEncoderJSON object.
   * @returns A fitted LabelEncoder equal to the one serialised.
   * @throws ValueError if `json` is not a valid LabelEncoderJSON (names the bad field).
   */
  static fromJSON(json: unknown): LabelEncoder {
    const classes = checkJson(json, 'LabelEncoder').classes;
    if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string') || new Set(classes).size !== classes.length) {
      throw new ValueError('json.classes', 'an array of distinct strings', classes);
    }
    return new LabelEncoder().setClasses([...(classes as string[])]);
  }

  private setClasses(classes: string[]): this {
    this.classList = classes;
    this.index = new Map(classes.map((c, i) => [c, i]));
    return this;
  }
}
