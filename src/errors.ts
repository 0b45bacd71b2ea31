/** Base class of every error flowsentry throws on purpose. */
export class FlowsentryError extends Error {
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
  override name = 'ValueError';
  constructor(
    readonly argument: string,
    readonly expected: string,
    readonly received: unknown,
    detail?: string,
  ) {
    super(`${argument}: expected ${expected}, received ${describeValue(received)}${detail ? ` (${detail})` : ''}`);
  }
}

/** Input data of the wrong shape (rows, columns, rank). */
export class ShapeError extends ValueError {
  override name = 'ShapeError';
}

/** A method that needs a fitted estimator was called before `fit`. */
export class NotFittedError extends FlowsentryError {
  override name = 'NotFittedError';
  constructor(readonly estimator: string, method: string) {
    super(`${estimator}.${method}: this ${estimator} is not fitted yet; call fit() first`);
  }
}

/** A malformed record in a data file: names the file and the 1-based line. */
export class DataFormatError extends FlowsentryError {
  override name = 'DataFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}
