import { ValueError } from '../errors.js';
import type { FlowDataset } from './dataset.js';
import { loadTabular, type LoadOptions } from './tabular.js';

/** Options of {@link loadUnswNb15}. */
export interface UnswNb15Options extends LoadOptions {
  /** `'attack_cat'` (default): Normal and the nine attack categories; `'binary'`: the 0/1 `label` column as `normal` / `attack`. */
  labels?: 'attack_cat' | 'binary';
}

/** UNSW-NB15's categorical features, kept as {@link FlowDataset.categorical}. */
export const UNSW_NB15_CATEGORICAL: readonly string[] = ['proto', 'service', 'state'];

/**
 * Loads the UNSW-NB15 training/testing CSVs (`UNSW_NB15_training-set.csv`, ...: `id`, 42
 * features, `attack_cat`, `label`). `id` is not a feature; proto, service and state are returned
 * as categorical columns; the other label column is never a feature. Category names are trimmed
 * (the raw files have `' Fuzzers'`-style padding in some releases) and an empty `attack_cat`
 * counts as `Normal` only when `label` is 0, which this loader cannot see row by row, so it is
 * reported as `missingLabel`.
 */
export async function loadUnswNb15(path: string | readonly string[], options: UnswNb15Options = {}): Promise<FlowDataset> {
  const labels = options.labels ?? 'attack_cat';
  if (labels !== 'attack_cat' && labels !== 'binary') throw new ValueError('labels', "'attack_cat' or 'binary'", labels);
  const other = labels === 'attack_cat' ? 'label' : 'attack_cat';
  return loadTabular(path, {
    label: labels === 'attack_cat' ? 'attack_cat' : 'label',
    exclude: (name) => name === 'id' || name === other,
    categorical: UNSW_NB15_CATEGORICAL,
    mapLabel: (raw) => {
      const l = raw.trim();
      if (labels === 'attack_cat' || l.length === 0) return l;
      if (l === '0') return 'normal';
      if (l === '1') return 'attack';
      throw new Error(`label '${l}' is not 0 or 1`);
    },
  }, options);
}
