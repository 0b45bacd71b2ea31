import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/errors.js';
import { readSafetensors } from '../../../src/layers/torch/safetensors.js';
import { fixtureBytes, TORCH_FIXTURES } from '../recurrent/torch-fixtures.js';

interface DtypeFixture {
  file: string;
  float: number[][];
  int: number[][];
  names: Record<string, string>;
}
const fixture = (JSON.parse(readFileSync(path.join(TORCH_FIXTURES, 'dense_conv.json'), 'utf8')) as { dtypes: DtypeFixture }).dtypes;

/** A safetensors file built by hand: header length (u64 LE), JSON header, data. */
function build(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('readSafetensors', () => {
  it('reads every dtype PyTorch wrote (F32, F64, F16, BF16, I64, I32) to the same values', () => {
    const { tensors, metadata } = readSafetensors(fixtureBytes(fixture.file));
    expect(metadata).toEqual({ format: 'pt' });
    for (const [name, dtype] of Object.entries(fixture.names)) {
      const t = tensors.get(name);
      expect(t?.dtype).toBe(dtype);
      expect(t?.shape).toEqual([2, 3]);
      const expected = (dtype.startsWith('I') ? fixture.int : fixture.float).flat();
      expect(Array.from(t?.data ?? []), name).toEqual(expected);
    }
  });

  it('reads a hand-built file with a scalar, an empty tensor and unaligned data', () => {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setFloat32(0, 2.5, true);
    const { tensors } = readSafetensors(
      build({ s: { dtype: 'F32', shape: [], data_offsets: [0, 4] }, e: { dtype: 'F32', shape: [0, 3], data_offsets: [4, 4] } }, data),
    );
    expect(Array.from(tensors.get('s')?.data ?? [])).toEqual([2.5]);
    expect(tensors.get('e')?.shape).toEqual([0, 3]);
  });

  it('rejects malformed files with a ValueError naming the tensor or the source', () => {
    expect(() => readSafetensors(new Uint8Array(3))).toThrow(/source/);
    const tooLong = new Uint8Array(16);
    new DataView(tooLong.buffer).setBigUint64(0, 100n, true);
    expect(() => readSafetensors(tooLong)).toThrow(ValueError);
    expect(() => readSafetensors(build({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(/w\.data_offsets/);
    expect(() => readSafetensors(build({ w: { dtype: 'Q8', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)))).toThrow(/w\.dtype/);
    expect(() => readSafetensors(build({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(4)))).toThrow(/w\.data_offsets/);
    const bad = build({});
    bad[8] = 0x7b + 1; // not JSON any more
    expect(() => readSafetensors(bad)).toThrow(/JSON/);
  });
});
