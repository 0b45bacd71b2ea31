import { ValueError } from '../errors.js';
import type { FlowDataset } from './dataset.js';
import { loadTabular, type LoadOptions } from './tabular.js';

/** Options of {@link loadNslKdd}. */
export interface NslKddOptions extends LoadOptions {
  /**
   * `'attack'` (default) keeps the attack names; `'category'` groups them into the standard five
   * classes normal, DoS, Probe, R2L, U2R (an attack name outside the mapping is a
   * DataFormatError, or skipped as `missingLabel` with `onError: 'skip'`); `'binary'` gives
   * normal / attack.
   */
  labels?: 'attack' | 'category' | 'binary';
}

/** The 41 NSL-KDD feature names, then `label` and `difficulty` (the files have no header). */
export const NSL_KDD_COLUMNS: readonly string[] = [
  'duration', 'protocol_type', 'service', 'flag', 'src_bytes', 'dst_bytes', 'land', 'wrong_fragment', 'urgent', 'hot', 'num_failed_logins', 'logged_in',
  'num_compromised', 'root_shell', 'su_attempted', 'num_root', 'num_file_creations', 'num_shells', 'num_access_files', 'num_outbound_cmds', 'is_host_login',
  'is_guest_login', 'count', 'srv_count', 'serror_rate', 'srv_serror_rate', 'rerror_rate', 'srv_rerror_rate', 'same_srv_rate', 'diff_srv_rate',
  'srv_diff_host_rate', 'dst_host_count', 'dst_host_srv_count', 'dst_host_same_srv_rate', 'dst_host_diff_srv_rate', 'dst_host_same_src_port_rate',
  'dst_host_srv_diff_host_rate', 'dst_host_serror_rate', 'dst_host_srv_serror_rate', 'dst_host_rerror_rate', 'dst_host_srv_rerror_rate', 'label', 'difficulty',
];

/** NSL-KDD's categorical features, kept as {@link FlowDataset.categorical}. */
export const NSL_KDD_CATEGORICAL: readonly string[] = ['protocol_type', 'service', 'flag'];

const GROUPS: Record<string, readonly string[]> = {
  DoS: ['apache2', 'back', 'land', 'mailbomb', 'neptune', 'pod', 'processtable', 'smurf', 'teardrop', 'udpstorm'],
  Probe: ['ipsweep', 'mscan', 'nmap', 'portsweep', 'saint', 'satan'],
  R2L: ['ftp_write', 'guess_passwd', 'imap', 'multihop', 'named', 'phf', 'sendmail', 'snmpgetattack', 'snmpguess', 'spy', 'warezclient', 'warezmaster', 'worm', 'xlock', 'xsnoop'],
  U2R: ['buffer_overflow', 'httptunnel', 'loadmodule', 'perl', 'ps', 'rootkit', 'sqlattack', 'xterm'],
};

/**
 * Attack name -> category (normal, DoS, Probe, R2L, U2R), the usual NSL-KDD grouping with the
 * KDDTest+-only names (httptunnel as U2R, worm as R2L), which gives the widely quoted KDDTest+
 * counts: normal 9711, DoS 7458, Probe 2421, R2L 2754, U2R 200.
 */
export const NSL_KDD_CATEGORIES: Readonly<Record<string, string>> = Object.fromEntries([
  ['normal', 'normal'],
  ...Object.entries(GROUPS).flatMap(([cat, names]) => names.map((n) => [n, cat])),
]);

/**
 * Loads NSL-KDD (`KDDTrain+.txt`, `KDDTest+.txt`, ...: no header, 41 features, attack name,
 * difficulty). The difficulty score is not a feature; protocol_type, service and flag are returned
 * as categorical columns for a {@link OneHotEncoder}.
 *
 * @example
 * ```ts
 * const train = await loadNslKdd('../shared/data/nsl-kdd/KDDTrain+_20Percent.txt', { labels: 'category' });
 * train.cols; // 38 numeric features
 * train.categorical?.names; // ['protocol_type', 'service', 'flag']
 * train.summary.classCounts; // { DoS: 9234, normal: 13449, R2L: 209, Probe: 2289, U2R: 11 }
 * ```
 */
export async function loadNslKdd(path: string | readonly string[], options: NslKddOptions = {}): Promise<FlowDataset> {
  const labels = options.labels ?? 'attack';
  if (labels !== 'attack' && labels !== 'category' && labels !== 'binary') throw new ValueError('labels', "'attack', 'category' or 'binary'", labels);
  return loadTabular(
    path,
    {
      columns: NSL_KDD_COLUMNS,
      label: 'label',
      exclude: (name) => name === 'difficulty',
      categorical: NSL_KDD_CATEGORICAL,
      mapLabel: (raw) => {
        const name = raw.trim();
        if (labels === 'attack' || name.length === 0) return name;
        if (labels === 'binary') return name === 'normal' ? 'normal' : 'attack';
        const cat = NSL_KDD_CATEGORIES[name];
        if (cat === undefined) throw new Error(`attack name '${name}' has no NSL-KDD category`);
        return cat;
      },
    },
    options,
    ['.txt', '.csv', '.arff.csv'],
  );
}
