/** Base class of every error flowsentry throws on purpose. */
export class FlowsentryError extends Error {
  /** The class name, `'FlowsentryError'` here; each subclass sets its own (as `Error.name`). */
  override name = 'FlowsentryError';
}

/** Formats a received value for an error message, briefly. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'object') {
    const shape = (value as { shape?: unknown }).shape;
    if (Array.isArray(shape)) return `a tensor of shape [${shape.join(', ')}]`;
    return `an object (${value.constructor?.name ?? 'Object'})`;
  }
  return String(value);
}

/**
 * A bad argument: names the argument, what was expected and what was received.
 * `new ValueError('kNeighbors', 'a positive integer', -1)` ->
 * "kNeighbors: expected a positive integer, received -1".
 */
export class ValueError extends FlowsentryError {
  /** Always `'ValueError'`. */
  override name = 'ValueError';
  /**
   * @param argument The name of the offending argument or option, e.g. `'kNeighbors'` or `'X'`.
   * @param expected What a valid value looks like, in words (`'a positive integer'`).
   * @param received The value actually passed; formatted briefly in the message.
   * @param detail Optional extra context appended in parentheses (e.g. `'row 3, column 7'`).
   */
  constructor(
    /** The name of the offending argument or option, e.g. `'kNeighbors'` or `'X'`. */
    readonly argument: string,
    /** What a valid value looks like, in words, e.g. `'a positive integer'`. */
    readonly expected: string,
    /** The value that was actually passed (kept as is, not stringified). */
    readonly received: unknown,
    detail?: string,
  ) {
    super(`${argument}: expected ${expected}, received ${describeValue(received)}${detail ? ` (${detail})` : ''}`);
  }
}

/** Input data of the wrong shape (rows, columns, rank). */
export class ShapeError extends ValueError {
  /** Always `'ShapeError'`. */
  override name = 'ShapeError';
}

/** A method that needs a fitted estimator was called before `fit`. */
export class NotFittedError extends FlowsentryError {
  /** Always `'NotFittedError'`. */
  override name = 'NotFittedError';
  /**
   * @param estimator The class name of the unfitted estimator, e.g. `'StandardScaler'`.
   * @param method The method that was called too early, e.g. `'transform'`.
   */
  constructor(
    /** The class name of the unfitted estimator, e.g. `'StandardScaler'`. */
    readonly estimator: string,
    method: string,
  ) {
    super(`${estimator}.${method}: this ${estimator} is not fitted yet; call fit() first`);
  }
}

/** A malformed record in a data file: names the file and the 1-based line. */
export class DataFormatError extends FlowsentryError {
  /** Always `'DataFormatError'`. */
  override name = 'DataFormatError';
  /**
   * @param file The path (or name) of the file being read.
   * @param line The 1-based line number of the malformed record.
   * @param reason What is wrong with the record, in words.
   */
  constructor(
    /** The path (or name) of the file being read. */
    readonly file: string,
    /** The 1-based line number of the malformed record. */
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}
