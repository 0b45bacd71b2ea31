import { describe, expect, it } from 'vitest';
import { loadUnswNb15 } from '../../src/data/index.js';
import { tempDir, writeText } from './files.js';

// Header of UNSW_NB15_training-set.csv / UNSW_NB15_testing-set.csv (id, 42 features, attack_cat, label).
const HEADER =
  'id,dur,proto,service,state,spkts,dpkts,sbytes,dbytes,rate,sttl,dttl,sload,dload,sloss,dloss,sinpkt,dinpkt,sjit,djit,swin,stcpb,dtcpb,dwin,' +
  'tcprtt,synack,ackdat,smean,dmean,trans_depth,response_body_len,ct_srv_src,ct_state_ttl,ct_dst_ltm,ct_src_dport_ltm,ct_dst_sport_ltm,' +
  'ct_dst_src_ltm,is_ftp_login,ct_ftp_cmd,ct_flw_http_mthd,ct_src_ltm,ct_srv_dst,is_sm_ips_ports,attack_cat,label';
const row = (id: number, proto: string, service: string, state: string, cat: string, label: number) =>
  [id, 0.5 * id, proto, service, state, ...Array.from({ length: 38 }, (_, j) => id * 10 + j), cat, label].join(',');

const dir = tempDir();
const train = writeText(dir, 'UNSW_NB15_training-set.csv', [
  HEADER,
  row(1, 'tcp', '-', 'FIN', 'Normal', 0),
  row(2, 'udp', 'dns', 'INT', 'Generic', 1),
  row(3, 'tcp', 'http', 'FIN', 'Exploits', 1),
  row(4, 'tcp', 'http', 'FIN', 'Exploits', 1),
  row(5, 'arp', '-', 'INT', 'Normal', 0),
].join('\n'));

describe('loadUnswNb15 (generated file in the published layout)', () => {
  it('loads 39 numeric features, proto/service/state as categorical, attack_cat labels', async () => {
    const d = await loadUnswNb15(train);
    expect(d.rows).toBe(5);
    expect(d.cols).toBe(39);
    expect(d.featureNames[0]).toBe('dur');
    for (const c of ['id', 'proto', 'service', 'state', 'attack_cat', 'label']) expect(d.featureNames).not.toContain(c);
    expect(d.categorical?.names).toEqual(['proto', 'service', 'state']);
    expect(d.categorical?.values[1]).toEqual(['udp', 'dns', 'INT']);
    expect(d.summary.classCounts).toEqual({ Normal: 2, Generic: 1, Exploits: 2 });
    expect(d.features[1 * 39]).toBe(1); // row 2: dur = 0.5 * 2
  });
  it('binary labels come from the label column', async () => {
    const d = await loadUnswNb15(train, { labels: 'binary' });
    expect(d.summary.classCounts).toEqual({ normal: 2, attack: 3 });
    expect(d.featureNames).not.toContain('attack_cat');
  });
  it('a missing categorical column or a ragged row is a typed error with file and line', async () => {
    const bad = writeText(dir, 'bad.csv', `id,dur,attack_cat,label\n1,2,Normal,0\n`);
    await expect(loadUnswNb15(bad)).rejects.toThrow(/bad\.csv:1: missing column 'proto'/);
    const ragged = writeText(dir, 'ragged.csv', `${HEADER}\n${row(1, 'tcp', '-', 'FIN', 'Normal', 0)}\n1,2,3\n`);
    await expect(loadUnswNb15(ragged)).rejects.toThrow(/ragged\.csv:3: ragged row/);
    const skipped = await loadUnswNb15(ragged, { onError: 'skip' });
    expect(skipped.rows).toBe(1);
    expect(skipped.summary.skipped).toEqual({ ragged: 1 });
  });
});
