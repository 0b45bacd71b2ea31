import { describe, expect, it } from 'vitest';
import { loadNetflowV2, NETFLOW_V2_IDENTIFIERS } from '../../src/data/index.js';
import { tempDir, writeText } from './files.js';

// Header of the NetFlow v2 datasets (NF-UNSW-NB15-v2, NF-BoT-IoT-v2, ...): 43 NetFlow fields, Label, Attack.
const FIELDS = [
  'IPV4_SRC_ADDR', 'L4_SRC_PORT', 'IPV4_DST_ADDR', 'L4_DST_PORT', 'PROTOCOL', 'L7_PROTO', 'IN_BYTES', 'IN_PKTS', 'OUT_BYTES', 'OUT_PKTS', 'TCP_FLAGS',
  'CLIENT_TCP_FLAGS', 'SERVER_TCP_FLAGS', 'FLOW_DURATION_MILLISECONDS', 'DURATION_IN', 'DURATION_OUT', 'MIN_TTL', 'MAX_TTL', 'LONGEST_FLOW_PKT',
  'SHORTEST_FLOW_PKT', 'MIN_IP_PKT_LEN', 'MAX_IP_PKT_LEN', 'SRC_TO_DST_SECOND_BYTES', 'DST_TO_SRC_SECOND_BYTES', 'RETRANSMITTED_IN_BYTES',
  'RETRANSMITTED_IN_PKTS', 'RETRANSMITTED_OUT_BYTES', 'RETRANSMITTED_OUT_PKTS', 'SRC_TO_DST_AVG_THROUGHPUT', 'DST_TO_SRC_AVG_THROUGHPUT',
  'NUM_PKTS_UP_TO_128_BYTES', 'NUM_PKTS_128_TO_256_BYTES', 'NUM_PKTS_256_TO_512_BYTES', 'NUM_PKTS_512_TO_1024_BYTES', 'NUM_PKTS_1024_TO_1514_BYTES',
  'TCP_WIN_MAX_IN', 'TCP_WIN_MAX_OUT', 'ICMP_TYPE', 'ICMP_IPV4_TYPE', 'DNS_QUERY_ID', 'DNS_QUERY_TYPE', 'DNS_TTL_ANSWER', 'FTP_COMMAND_RET_CODE',
];
const row = (k: number, label: number, attack: string) =>
  [`192.168.1.${k}`, 40000 + k, '10.0.0.1', 80, ...Array.from({ length: FIELDS.length - 4 }, (_, j) => k * 100 + j), label, attack].join(',');

const dir = tempDir();
const file = writeText(dir, 'NF-BoT-IoT-v2.csv', [
  [...FIELDS, 'Label', 'Attack'].join(','),
  row(1, 0, 'Benign'),
  row(2, 1, 'DDoS'),
  row(3, 1, 'DDoS'),
  row(4, 1, 'Reconnaissance'),
  row(5, 1, 'Theft'),
].join('\n'));

describe('loadNetflowV2 (generated file in the published layout)', () => {
  it('loads the NetFlow fields without addresses and ports, Attack as the label', async () => {
    const d = await loadNetflowV2(file);
    expect(d.rows).toBe(5);
    expect(d.cols).toBe(39);
    for (const c of [...NETFLOW_V2_IDENTIFIERS, 'Label', 'Attack']) expect(d.featureNames).not.toContain(c);
    expect(d.featureNames[0]).toBe('PROTOCOL');
    expect(d.summary.classCounts).toEqual({ Benign: 1, DDoS: 2, Reconnaissance: 1, Theft: 1 });
    expect(d.features[d.cols]).toBe(200); // row 2, PROTOCOL
  });
  it('binary labels from Label; identifiers kept on request', async () => {
    const d = await loadNetflowV2(file, { labels: 'binary', keepIdentifiers: ['L4_DST_PORT'] });
    expect(d.summary.classCounts).toEqual({ Benign: 1, attack: 4 });
    expect(d.featureNames[0]).toBe('L4_DST_PORT');
    expect(d.cols).toBe(40);
  });
  it('a non-0/1 Label is a typed error with the line', async () => {
    const bad = writeText(dir, 'bad.csv', `${[...FIELDS, 'Label', 'Attack'].join(',')}\n${row(1, 7, 'Benign')}\n`);
    await expect(loadNetflowV2(bad, { labels: 'binary' })).rejects.toThrow(/bad\.csv:2: Label '7' is not 0 or 1/);
  });
});
