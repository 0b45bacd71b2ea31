import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../../src/errors.js';
import { CICIDS2017_IDENTIFIERS, CICIDS2017_MACHINE_LEARNING_COLUMNS, loadCicids2017, loadTabular, NSL_KDD_COLUMNS, loadNslKdd, loadNetflowV2, NETFLOW_V2_IDENTIFIERS, loadUnswNb15 } from '../../src/data/index.js';
import { dataRoot, tempDir, writeText } from './files.js';

describe('cicids2017', () => {
  const improved = path.join(dataRoot, 'cicids2017-improved-sample');

  // Class counts from ../shared/data/README.md (one CSV per class). The README's stated total,
  // 24,749, does not equal the sum of its own per-class counts, 25,127; the files agree with the latter.
  const README_COUNTS: Record<string, number> = {
    BENIGN: 2500, Botnet: 736, DDoS: 2500, 'DoS GoldenEye': 2500, 'DoS Hulk': 2500, 'DoS Slowhttptest': 1740, 'DoS Slowloris': 2500,
    'FTP-Patator': 2500, Heartbleed: 11, 'Infiltration - Portscan': 2500, Infiltration: 36, Portscan: 2500, 'SSH-Patator': 2500,
    'Web Attack - Brute Force': 73, 'Web Attack - SQL Injection': 13, 'Web Attack - XSS': 18,
  };

  describe.skipIf(!existsSync(improved))('loadCicids2017: improved form (shared data)', () => {
    it('loads the folder of per-class CSVs as one dataset with the README class counts', async () => {
      const d = await loadCicids2017(improved);
      expect(d.summary.classCounts).toEqual(README_COUNTS);
      expect(d.rows).toBe(Object.values(README_COUNTS).reduce((a, b) => a + b, 0));
      expect(d.summary.files.length).toBe(16);
      expect(d.summary.skipped).toEqual({});
      // 91 columns minus 7 identifiers, Label and Attempted Category.
      expect(d.cols).toBe(82);
      for (const id of CICIDS2017_IDENTIFIERS) expect(d.featureNames).not.toContain(id);
      expect(d.featureNames).not.toContain('Attempted Category');
      expect(d.featureNames).toContain('Flow Bytes/s');
      expect(d.features.length).toBe(d.rows * d.cols);
      expect(d.features.every(Number.isFinite)).toBe(true);
    });
    it('binary labels and a row cap', async () => {
      const d = await loadCicids2017(path.join(improved, 'Heartbleed_11.csv'), { labels: 'binary', maxRows: 5 });
      expect(d.rows).toBe(5);
      expect(d.summary.classCounts).toEqual({ attack: 5 });
    });
  });

  /** Writes an original MachineLearningCSV-form file: leading spaces, Infinity/NaN in the rate columns. */
  function machineLearningCsv(rows: { label: string; bytesRate: string; pktRate: string; k: number }[]): string {
    const lines = [CICIDS2017_MACHINE_LEARNING_COLUMNS.join(',')];
    for (const r of rows) {
      const values = CICIDS2017_MACHINE_LEARNING_COLUMNS.map((name, j) => {
        if (name === ' Label') return r.label;
        if (name === 'Flow Bytes/s') return r.bytesRate;
        if (name === ' Flow Packets/s') return r.pktRate;
        return String(r.k * 100 + j);
      });
      lines.push(values.join(','));
    }
    return `${lines.join('\n')}\n`;
  }

  describe('loadCicids2017: original MachineLearningCSV form (generated files)', () => {
    const dir = tempDir();
    writeText(dir, 'days/Monday-WorkingHours.pcap_ISCX.csv', machineLearningCsv([
      { label: 'BENIGN', bytesRate: '10.5', pktRate: '2', k: 1 },
      { label: 'BENIGN', bytesRate: 'Infinity', pktRate: 'Infinity', k: 2 },
      { label: 'BENIGN', bytesRate: '30', pktRate: '4', k: 3 },
    ]));
    writeText(dir, 'days/Thursday-WorkingHours-Morning-WebAttacks.pcap_ISCX.csv', machineLearningCsv([
      { label: 'Web Attack \uFFFD Brute Force', bytesRate: 'NaN', pktRate: '5', k: 4 },
      { label: 'Web Attack \uFFFD XSS', bytesRate: '50', pktRate: '6', k: 5 },
    ]));
    const days = path.join(dir, 'days');

    it('loads a folder of per-day files; identifiers and the duplicated column are not features', async () => {
      const d = await loadCicids2017(days);
      // 78 features minus Destination Port minus the repeated Fwd Header Length.
      expect(d.cols).toBe(76);
      expect(d.featureNames[0]).toBe('Flow Duration');
      expect(d.featureNames).not.toContain('Destination Port');
      expect(d.featureNames.filter((n) => n.startsWith('Fwd Header Length'))).toEqual(['Fwd Header Length']);
      // Default policy drops the two rows with non-finite rates and says so.
      expect(d.rows).toBe(3);
      expect(d.summary.skipped).toEqual({ nonFinite: 2 });
      expect(d.summary.linesRead).toBe(5);
      expect(d.summary.classCounts).toEqual({ BENIGN: 2, 'Web Attack - XSS': 1 });
    });
    it("replaces non-finite values by the column's finite max, min or zero and counts them", async () => {
      const col = (d: Awaited<ReturnType<typeof loadCicids2017>>, name: string) => {
        const j = d.featureNames.indexOf(name);
        return Array.from({ length: d.rows }, (_, i) => d.features[i * d.cols + j]);
      };
      const max = await loadCicids2017(days, { nonFinite: 'max' });
      expect(max.rows).toBe(5);
      expect(col(max, 'Flow Bytes/s')).toEqual([10.5, 50, 30, 50, 50]);
      expect(col(max, 'Flow Packets/s')).toEqual([2, 6, 4, 5, 6]);
      expect(max.summary.replaced).toEqual({ 'Flow Bytes/s': 2, 'Flow Packets/s': 1 });
      expect(max.summary.classCounts['Web Attack - Brute Force']).toBe(1);
      const min = await loadCicids2017(days, { nonFinite: 'min' });
      expect(col(min, 'Flow Bytes/s')).toEqual([10.5, 10.5, 30, 10.5, 50]);
      const zero = await loadCicids2017(days, { nonFinite: 'zero' });
      expect(col(zero, 'Flow Bytes/s')).toEqual([10.5, 0, 30, 0, 50]);
      const keep = await loadCicids2017(days, { nonFinite: 'keep' });
      expect(col(keep, 'Flow Bytes/s')[1]).toBe(Infinity);
      await expect(loadCicids2017(days, { nonFinite: 'error' })).rejects.toThrow(/Monday-WorkingHours\.pcap_ISCX\.csv:3: non-finite value Infinity in column 'Flow Bytes\/s'/);
    });
    it("the improved form's '- Attempted' labels: own classes, or BENIGN on request", async () => {
      const f = writeText(dir, 'improved/attempted.csv', 'id,Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,Label,Attempted Category\n' +
        '1,a,1.1.1.1,1,2.2.2.2,80,6,2017-07-05 10:00:00,10,BENIGN,-1\n2,b,1.1.1.1,2,2.2.2.2,80,6,2017-07-05 10:00:01,20,DoS Hulk - Attempted,1\n3,c,1.1.1.1,3,2.2.2.2,80,6,2017-07-05 10:00:02,30,DoS Hulk,-1\n');
      const kept = await loadCicids2017(f);
      expect(kept.featureNames).toEqual(['Protocol', 'Flow Duration']);
      expect(kept.summary.classCounts).toEqual({ BENIGN: 1, 'DoS Hulk - Attempted': 1, 'DoS Hulk': 1 });
      const benign = await loadCicids2017(f, { attempted: 'benign' });
      expect(benign.summary.classCounts).toEqual({ BENIGN: 2, 'DoS Hulk': 1 });
    });
    it('a missing label column, an empty label or an empty file is a typed error with file and line', async () => {
      const noLabel = writeText(dir, 'bad/nolabel.csv', 'Flow Duration,Flow Bytes/s\n1,2\n');
      await expect(loadCicids2017(noLabel)).rejects.toThrow(/nolabel\.csv:1: missing label column 'Label'/);
      const emptyLabel = writeText(dir, 'bad/emptylabel.csv', 'Flow Duration, Label\n1,BENIGN\n2,\n');
      await expect(loadCicids2017(emptyLabel)).rejects.toThrow(/emptylabel\.csv:3: empty label/);
      const skipped = await loadCicids2017(emptyLabel, { onError: 'skip' });
      expect(skipped.summary.skipped).toEqual({ missingLabel: 1 });
      await expect(loadCicids2017(writeText(dir, 'bad/empty.csv', ''))).rejects.toThrow(DataFormatError);
      await expect(loadCicids2017(writeText(dir, 'bad/header-only.csv', 'Flow Duration, Label\n'))).rejects.toThrow(/no data rows/);
    });
  });
});

describe('nsl-kdd', () => {
  const dir = path.join(dataRoot, 'nsl-kdd');
  const train = path.join(dir, 'KDDTrain+_20Percent.txt');
  const test = path.join(dir, 'KDDTest+.txt');

  describe.skipIf(!existsSync(train))('loadNslKdd (shared data)', () => {
    it('loads KDDTrain+_20Percent: 25,192 rows, 38 numeric + 3 categorical features, attack names', async () => {
      const d = await loadNslKdd(train);
      expect(d.rows).toBe(25192);
      expect(d.cols).toBe(38);
      expect(d.categorical?.names).toEqual(['protocol_type', 'service', 'flag']);
      expect(d.categorical?.values[0]).toEqual(['udp', 'private', 'SF']);
      expect(d.featureNames).not.toContain('difficulty');
      expect(d.featureNames).not.toContain('label');
      // Counted independently with `cut -d, -f42 | sort | uniq -c`.
      expect(d.summary.classCounts).toMatchObject({ normal: 13449, neptune: 8282, ipsweep: 710, satan: 691, portsweep: 587, smurf: 529, spy: 1 });
      // Row 1: duration 0, then src_bytes 28 (the categorical columns are not in features).
      expect(d.features[0]).toBe(0);
      expect(d.features[1]).toBe(28);
    });
    it('groups KDDTest+ into the five categories with the published counts', async () => {
      const d = await loadNslKdd(test, { labels: 'category' });
      expect(d.rows).toBe(22544);
      expect(d.summary.classCounts).toEqual({ normal: 9711, DoS: 7458, Probe: 2421, R2L: 2754, U2R: 200 });
      const b = await loadNslKdd(test, { labels: 'binary' });
      expect(b.summary.classCounts).toEqual({ attack: 22544 - 9711, normal: 9711 });
    });
  });

  describe('loadNslKdd (generated file)', () => {
    it('an attack name without a category is a typed error with the line, or skipped', async () => {
      const row = (name: string) => ['0', 'tcp', 'http', 'SF', ...Array.from({ length: 37 }, () => '1'), name, '21'].join(',');
      expect(NSL_KDD_COLUMNS.length).toBe(43);
      const f = writeText(tempDir(), 'KDDTiny.txt', `${row('normal')}\n${row('zeroday')}\n`);
      await expect(loadNslKdd(f, { labels: 'category' })).rejects.toThrow(/KDDTiny\.txt:2: attack name 'zeroday'/);
      const d = await loadNslKdd(f, { labels: 'category', onError: 'skip' });
      expect(d.rows).toBe(1);
      expect(d.summary.skipped).toEqual({ missingLabel: 1 });
    });
  });
});

describe('netflow-v2', () => {
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
});

describe('unsw-nb15', () => {
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
});

describe('loadTabular', () => {
  const dir = tempDir();
  const spec = { label: 'y', exclude: () => false };
  const rowsOf = (n: number, pad: string, from: number) => Array.from({ length: n }, (_, i) => `${from + i}${pad},${-(from + i)},c${(from + i) % 3}`).join('\n');
  // Row-count estimates from the first batch's bytes per line can be low (long lines first) or
  // high (short lines first): every row still arrives once, in order, in an exact-length matrix.
  it.each([
    ['long lines first (estimate too low)', '.000000000000', ''],
    ['short lines first (estimate too high)', '', '.000000000000'],
  ])('%s', async (_name, padA, padB) => {
    const a = writeText(dir, `${padA.length}-a.csv`, `x,z,y\n${rowsOf(40, padA, 0)}\n`);
    const b = writeText(dir, `${padA.length}-b.csv`, `x,z,y\n${rowsOf(300, padB, 40)}\n`);
    const d = await loadTabular([a, b], spec, { batchSize: 8 });
    expect(d.rows).toBe(340);
    expect(d.features.length).toBe(680);
    expect(Array.from(d.features)).toEqual(Array.from({ length: 340 }, (_, i) => [i, 0 - i]).flat());
    expect(d.labels.slice(0, 4)).toEqual(['c0', 'c1', 'c2', 'c0']);
    const m = await loadTabular([a, b], spec, { batchSize: 8, maxRows: 45 });
    expect(Array.from(m.features)).toEqual(Array.from({ length: 45 }, (_, i) => [i, 0 - i]).flat());
  });
});
