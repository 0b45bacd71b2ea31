import { loadCicids2017, loadNetflowV2, loadNslKdd, loadUnswNb15, type FlowDataset } from '../data/index.js';

/** Datasets the CLI can read. */
export const DATASETS = ['cicids2017', 'nsl-kdd', 'unsw-nb15', 'netflow-v2'] as const;
/** A dataset name of the CLI. */
export type DatasetName = (typeof DATASETS)[number];
/** Label granularity: the dataset's own classes, its usual grouping (NSL-KDD's 5 categories), or attack/benign. */
export type LabelMode = 'classes' | 'category' | 'binary';

/** Loads a dataset file or folder with the matching loader. */
export async function loadDataset(name: DatasetName, path: string, labels: LabelMode): Promise<FlowDataset> {
  switch (name) {
    case 'cicids2017':
      return loadCicids2017(path, { labels: labels === 'binary' ? 'binary' : 'original' });
    case 'nsl-kdd':
      return loadNslKdd(path, { labels: labels === 'binary' ? 'binary' : labels === 'category' ? 'category' : 'attack' });
    case 'unsw-nb15':
      return loadUnswNb15(path, { labels: labels === 'binary' ? 'binary' : 'attack_cat' });
    case 'netflow-v2':
      return loadNetflowV2(path, { labels: labels === 'binary' ? 'binary' : 'Attack' });
  }
}
