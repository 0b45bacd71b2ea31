import { ValueError } from '../errors.js';
import type { FlowDataset } from './dataset.js';
import { loadTabular, type LoadOptions } from './tabular.js';

/** Options of {@link loadNetflowV2}. */
export interface NetflowV2Options extends LoadOptions {
  /** `'Attack'` (default): Benign and the attack classes; `'binary'`: the 0/1 `Label` column as `Benign` / `attack`. */
  labels?: 'Attack' | 'binary';
  /** Identifier columns to keep as features anyway (e.g. `['L4_DST_PORT']`); by default none is. */
  keepIdentifiers?: readonly string[];
}

/** Identifier columns of the NetFlow v2 datasets: never features by default. */
export const NETFLOW_V2_IDENTIFIERS: readonly string[] = ['IPV4_SRC_ADDR', 'IPV4_DST_ADDR', 'L4_SRC_PORT', 'L4_DST_PORT', 'FLOW_START_MILLISECONDS', 'FLOW_END_MILLISECONDS', 'Dataset'];

/**
 * Loads the NetFlow v2 datasets of Sarhan et al. (NF-UNSW-NB15-v2, NF-BoT-IoT-v2, NF-ToN-IoT-v2,
 * NF-CSE-CIC-IDS2018-v2, ...: NetFlow fields, `Label` 0/1, `Attack` class name). Addresses,
 * ports and timestamps are identifiers, not features; the other label column is never a feature.
 */
export async function loadNetflowV2(path: string | readonly string[], options: NetflowV2Options = {}): Promise<FlowDataset> {
  const labels = options.labels ?? 'Attack';
  if (labels !== 'Attack' && labels !== 'binary') throw new ValueError('labels', "'Attack' or 'binary'", labels);
  const keep = new Set(options.keepIdentifiers ?? []);
  const excluded = new Set(NETFLOW_V2_IDENTIFIERS.filter((c) => !keep.has(c)));
  const other = labels === 'Attack' ? 'Label' : 'Attack';
  return loadTabular(path, {
    label: labels === 'Attack' ? 'Attack' : 'Label',
    exclude: (name) => excluded.has(name) || name === other,
    mapLabel: (raw) => {
      const l = raw.trim();
      if (labels === 'Attack' || l.length === 0) return l;
      if (l === '0') return 'Benign';
      if (l === '1') return 'attack';
      throw new Error(`Label '${l}' is not 0 or 1`);
    },
  }, options);
}
