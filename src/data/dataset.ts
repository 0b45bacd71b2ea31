/** Why a CSV row was skipped rather than loaded (with `onError: 'skip'` or `nonFinite: 'drop'`). */
export type SkipReason = 'malformed' | 'ragged' | 'missingLabel' | 'unparsable' | 'nonFinite' | 'empty';

/** What a loader read, kept, skipped and replaced: nothing is dropped silently. */
export interface LoadSummary {
  /** Files read, in reading order. */
  files: string[];
  /** Data lines read (header excluded, blank lines included). */
  linesRead: number;
  /** Rows kept in the dataset. */
  rows: number;
  /** Rows skipped, counted per reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Non-finite values (NaN, +-Infinity, empty) replaced, counted per feature name. */
  replaced: Record<string, number>;
  /** The first few skipped rows as `file:line: reason`, for a human to look at. */
  examples: string[];
  /** Rows per label, after grouping (if any). */
  classCounts: Record<string, number>;
}

/** String-valued feature columns (e.g. `proto`, `service`), kept apart for a {@link OneHotEncoder}. */
export interface CategoricalColumns {
  /** Column names, one per entry of each row. */
  names: string[];
  /** Row-major values: `values[i][j]` is row i, column `names[j]`. */
  values: string[][];
}

/**
 * The common shape every dataset adapter returns: a row-major Float32 feature matrix, its column
 * names, one string label per row, optional categorical columns and the load summary.
 */
export interface FlowDataset {
  /** Row-major numeric features, `rows * cols` long. */
  features: Float32Array;
  /** Number of rows (flows). */
  rows: number;
  /** Number of numeric feature columns. */
  cols: number;
  /** Names of the numeric feature columns, `cols` long. */
  featureNames: string[];
  /** One label per row (after grouping, if a grouping option was used). */
  labels: string[];
  /** String-valued feature columns, when the format has them and they were kept. */
  categorical?: CategoricalColumns;
  /** What was read, skipped and replaced. */
  summary: LoadSummary;
}

/** Counts rows per label, in first-seen order. */
export function countClasses(labels: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  return counts;
}

/** An empty {@link LoadSummary}. */
export function emptySummary(): LoadSummary {
  return { files: [], linesRead: 0, rows: 0, skipped: {}, replaced: {}, examples: [], classCounts: {} };
}
