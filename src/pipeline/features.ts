import { ShapeError, ValueError } from '../errors.js';
import type { CategoricalColumns } from '../data/index.js';

/** One flow as named fields (a parsed CSV row or an NDJSON object). */
export type FlowRecord = Readonly<Record<string, string | number | null | undefined>>;

/** Flows with named columns: a loader's `FlowDataset` (labels optional) or the same fields by hand. */
export interface FlowTable {
  /** Row-major numeric features. */
  features: Float32Array;
  /** Number of flows (rows of `features`). */
  rows: number;
  /** Number of numeric columns (columns of `features`). */
  cols: number;
  /** Column names of `features`; when given, columns are matched by name, so order and extra columns do not matter. */
  featureNames?: string[];
  /** String-valued columns (protocol, service, ...). */
  categorical?: CategoricalColumns;
}

/** What a Detector accepts as flows to score: a table or an array of records. */
export type FlowInput = FlowTable | readonly FlowRecord[];

/** How input columns were reconciled with the ones seen at fit: never silent. */
export interface InputReport {
  /** Rows read. */
  rows: number;
  /** Columns present in the input that the detector does not use (ignored). */
  extraColumns: string[];
  /** Unseen categories encoded as all-zero one-hot blocks, counted per column (only with `unknownCategories: 'ignore'`). */
  unknownCategories: Record<string, number>;
}

/** The columns a fitted detector reads. */
export interface ColumnSpec {
  /** Names of the numeric columns, in the order the model sees them. */
  numeric: string[];
  /** Names of the categorical (string-valued) columns, in encoding order. */
  categorical: string[];
  /** Categories seen at fit, per categorical column. */
  categories: string[][];
  /**
   * A category not seen at fit: 'error' throws a ValueError naming the column and row; 'ignore'
   * encodes it as all zeros (scikit-learn's `handle_unknown='ignore'`) and counts it in the report.
   */
  unknownCategories: 'error' | 'ignore';
}

/** Aligned raw columns: numeric matrix in fitted order and categorical rows (unknowns replaced by ''). */
export interface AlignedInput {
  /** Row-major numeric matrix, `rows * spec.numeric.length`, columns in the fitted order. */
  numeric: Float32Array;
  /** Number of flows. */
  rows: number;
  /** Per row, its categorical values in `spec.categorical` order (unknowns replaced by ''); null when there are no categorical columns. */
  categorical: string[][] | null;
  /** How the columns were reconciled (extra columns, unknown categories). */
  report: InputReport;
}

function isRecords(x: FlowInput): x is readonly FlowRecord[] {
  return Array.isArray(x);
}

/** Reads flows into the fitted column order; a missing column or a non-numeric value is an error, an extra column is reported. */
export function alignInput(x: FlowInput, spec: ColumnSpec, argument = 'flows'): AlignedInput {
  const report: InputReport = { rows: 0, extraColumns: [], unknownCategories: {} };
  const nNum = spec.numeric.length;
  const known = new Set([...spec.numeric, ...spec.categorical]);
  let numeric: Float32Array;
  let cat: string[][] | null = null;
  let rows: number;
  if (isRecords(x)) {
    rows = x.length;
    if (rows === 0) throw new ShapeError(argument, 'at least one flow', '0 rows');
    const first = x[0]!;
    const missing = [...known].filter((c) => !(c in first));
    if (missing.length > 0) throw new ValueError(argument, `the columns the detector was fitted on; missing ${missing.map((m) => `'${m}'`).join(', ')}`, Object.keys(first).length + ' columns', 'row 0');
    report.extraColumns = Object.keys(first).filter((c) => !known.has(c));
    numeric = new Float32Array(rows * nNum);
    if (spec.categorical.length > 0) cat = new Array<string[]>(rows);
    for (let i = 0; i < rows; i++) {
      const r = x[i]!;
      for (let j = 0; j < nNum; j++) {
        const name = spec.numeric[j]!;
        const raw = r[name];
        const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
        if (!Number.isFinite(v)) throw new ValueError(`${argument}[${i}].${name}`, 'a finite number', raw);
        numeric[i * nNum + j] = v;
      }
      if (cat) cat[i] = spec.categorical.map((name) => {
        const raw = r[name];
        if (raw === undefined || raw === null) throw new ValueError(`${argument}[${i}].${name}`, 'a category', raw);
        return String(raw);
      });
    }
  } else {
    if (x === null || typeof x !== 'object' || !(x.features instanceof Float32Array)) throw new ValueError(argument, 'a FlowDataset-like { features, rows, cols, featureNames? } or an array of records', x);
    rows = x.rows;
    if (!Number.isInteger(rows) || rows < 1) throw new ShapeError(argument, 'at least one row', rows);
    if (x.features.length !== rows * x.cols) throw new ShapeError(`${argument}.features`, `rows * cols = ${rows * x.cols} values`, x.features);
    let index: number[];
    if (x.featureNames) {
      const pos = new Map(x.featureNames.map((n, i) => [n, i]));
      const missing = spec.numeric.filter((n) => !pos.has(n));
      if (missing.length > 0) throw new ValueError(`${argument}.featureNames`, `the columns the detector was fitted on; missing ${missing.map((m) => `'${m}'`).join(', ')}`, `${x.featureNames.length} columns`);
      index = spec.numeric.map((n) => pos.get(n)!);
      report.extraColumns = x.featureNames.filter((n) => !known.has(n));
    } else {
      if (x.cols !== nNum) throw new ShapeError(`${argument}.cols`, `${nNum} numeric columns (as at fit; pass featureNames to match by name)`, x.cols);
      index = spec.numeric.map((_, j) => j);
    }
    numeric = new Float32Array(rows * nNum);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < nNum; j++) {
        const v = x.features[i * x.cols + index[j]!]!;
        if (!Number.isFinite(v)) throw new ValueError(`${argument}.features`, 'finite values', v, `row ${i}, column '${spec.numeric[j]}'`);
        numeric[i * nNum + j] = v;
      }
    }
    if (spec.categorical.length > 0) {
      const c = x.categorical;
      if (!c) throw new ValueError(`${argument}.categorical`, `the categorical columns ${spec.categorical.join(', ')}`, c);
      const pos = new Map(c.names.map((n, i) => [n, i]));
      const missing = spec.categorical.filter((n) => !pos.has(n));
      if (missing.length > 0) throw new ValueError(`${argument}.categorical`, `the columns the detector was fitted on; missing ${missing.map((m) => `'${m}'`).join(', ')}`, c.names.join(', '));
      report.extraColumns.push(...c.names.filter((n) => !known.has(n)));
      cat = c.values.map((row) => spec.categorical.map((n) => row[pos.get(n)!] ?? ''));
    }
  }
  report.rows = rows;
  if (cat) {
    const sets = spec.categories.map((c) => new Set(c));
    cat.forEach((row, i) => {
      row.forEach((v, j) => {
        if (sets[j]!.has(v)) return;
        const col = spec.categorical[j]!;
        if (spec.unknownCategories === 'error') {
          throw new ValueError(`${argument}: column '${col}'`, `a category seen at fit (${spec.categories[j]!.slice(0, 8).join(', ')}${spec.categories[j]!.length > 8 ? ', ...' : ''})`, v, `row ${i}; unknownCategories: 'ignore' encodes it as zeros and counts it`);
        }
        report.unknownCategories[col] = (report.unknownCategories[col] ?? 0) + 1;
      });
    });
  }
  return { numeric, rows, categorical: cat, report };
}
