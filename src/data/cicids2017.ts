import { ValueError } from '../errors.js';
import type { FlowDataset } from './dataset.js';
import { loadTabular, type LoadOptions } from './tabular.js';

/** Options of {@link loadCicids2017}. */
export interface Cicids2017Options extends LoadOptions {
  /**
   * `'original'` (default) keeps the published class names (web-attack names normalised to
   * `Web Attack - X`); `'binary'` keeps `BENIGN` and maps every other label to `attack` (every loader's binary mode
   * keeps the dataset's own benign name and calls the rest `attack`).
   */
  labels?: 'original' | 'binary';
  /**
   * The improved form labels failed attacks `<attack> - Attempted`: `'keep'` them as their own
   * classes (default) or count them as `'benign'` traffic (`BENIGN`), as some papers do.
   */
  attempted?: 'keep' | 'benign';
  /** Identifier columns to keep as features anyway (e.g. `['Dst Port']`); by default none is. */
  keepIdentifiers?: readonly string[];
}

/**
 * Identifier columns of both CICIDS2017 forms (names trimmed): never features by default, as
 * they identify a capture rather than describe a flow.
 */
export const CICIDS2017_IDENTIFIERS: readonly string[] = [
  'id', 'Flow ID', 'Src IP', 'Source IP', 'Src Port', 'Source Port', 'Dst IP', 'Destination IP', 'Dst Port', 'Destination Port', 'Timestamp',
];

/** Label columns of the improved form besides `Label`: never features. */
const SECOND_LABELS = ['Attempted Category'];

/**
 * The 79 column names of the original CICIDS2017 MachineLearningCSV release, exactly as
 * published (leading spaces, `Fwd Header Length` twice): 78 features and ` Label`.
 */
export const CICIDS2017_MACHINE_LEARNING_COLUMNS: readonly string[] = [
  ' Destination Port', ' Flow Duration', ' Total Fwd Packets', ' Total Backward Packets', 'Total Length of Fwd Packets', ' Total Length of Bwd Packets',
  ' Fwd Packet Length Max', ' Fwd Packet Length Min', ' Fwd Packet Length Mean', ' Fwd Packet Length Std', 'Bwd Packet Length Max', ' Bwd Packet Length Min',
  ' Bwd Packet Length Mean', ' Bwd Packet Length Std', 'Flow Bytes/s', ' Flow Packets/s', ' Flow IAT Mean', ' Flow IAT Std', ' Flow IAT Max', ' Flow IAT Min',
  'Fwd IAT Total', ' Fwd IAT Mean', ' Fwd IAT Std', ' Fwd IAT Max', ' Fwd IAT Min', 'Bwd IAT Total', ' Bwd IAT Mean', ' Bwd IAT Std', ' Bwd IAT Max', ' Bwd IAT Min',
  'Fwd PSH Flags', ' Bwd PSH Flags', ' Fwd URG Flags', ' Bwd URG Flags', ' Fwd Header Length', ' Bwd Header Length', 'Fwd Packets/s', ' Bwd Packets/s',
  ' Min Packet Length', ' Max Packet Length', ' Packet Length Mean', ' Packet Length Std', ' Packet Length Variance', 'FIN Flag Count', ' SYN Flag Count',
  ' RST Flag Count', ' PSH Flag Count', ' ACK Flag Count', ' URG Flag Count', ' CWE Flag Count', ' ECE Flag Count', ' Down/Up Ratio', ' Average Packet Size',
  ' Avg Fwd Segment Size', ' Avg Bwd Segment Size', ' Fwd Header Length', 'Fwd Avg Bytes/Bulk', ' Fwd Avg Packets/Bulk', ' Fwd Avg Bulk Rate',
  ' Bwd Avg Bytes/Bulk', ' Bwd Avg Packets/Bulk', 'Bwd Avg Bulk Rate', 'Subflow Fwd Packets', ' Subflow Fwd Bytes', ' Subflow Bwd Packets', ' Subflow Bwd Bytes',
  'Init_Win_bytes_forward', ' Init_Win_bytes_backward', ' act_data_pkt_fwd', ' min_seg_size_forward', 'Active Mean', ' Active Std', ' Active Max', ' Active Min',
  'Idle Mean', ' Idle Std', ' Idle Max', ' Idle Min', ' Label',
];

/** `Web Attack � Brute Force` (the original release's mis-encoded dash) -> `Web Attack - Brute Force`. */
export function normaliseCicidsLabel(raw: string): string {
  return raw.trim().replace(/^Web Attack\s*[^\w\s]+\s*/u, 'Web Attack - ');
}

/**
 * Loads CICIDS2017 from a CSV file, a folder of per-day or per-class CSVs, or a list of files,
 * in either published form: the re-labelled "improved" form (`id, Flow ID, ... Label,
 * Attempted Category`) or the original MachineLearningCSV form (leading spaces in names,
 * `Infinity`/`NaN` in `Flow Bytes/s` and `Flow Packets/s`, handled by `nonFinite`). Identifier
 * columns and `Attempted Category` are never features; the duplicated `Fwd Header Length` of the
 * original form is kept once (the copy is named `Fwd Header Length.1` and dropped).
 *
 * @example
 * ```ts
 * const ds = await loadCicids2017('../shared/data/cicids2017-improved-sample', { labels: 'binary' });
 * ds.cols; // 82 numeric flow features (identifiers and Attempted Category dropped)
 * ds.summary.classCounts; // { BENIGN: 2500, attack: 22627 }
 * ```
 */
export async function loadCicids2017(path: string | readonly string[], options: Cicids2017Options = {}): Promise<FlowDataset> {
  const labels = options.labels ?? 'original';
  if (labels !== 'original' && labels !== 'binary') throw new ValueError('labels', "'original' or 'binary'", labels);
  const attempted = options.attempted ?? 'keep';
  if (attempted !== 'keep' && attempted !== 'benign') throw new ValueError('attempted', "'keep' or 'benign'", attempted);
  const keep = new Set(options.keepIdentifiers ?? []);
  const excluded = new Set([...CICIDS2017_IDENTIFIERS.filter((c) => !keep.has(c)), ...SECOND_LABELS, 'Fwd Header Length.1']);
  return loadTabular(path, {
    label: 'Label',
    exclude: (name) => excluded.has(name),
    mapLabel: (raw) => {
      let l = normaliseCicidsLabel(raw);
      if (attempted === 'benign' && /\s-\sAttempted$/i.test(l)) l = 'BENIGN';
      if (labels === 'original' || l.length === 0) return l;
      return l.toUpperCase() === 'BENIGN' ? 'BENIGN' : 'attack';
    },
  }, options);
}
