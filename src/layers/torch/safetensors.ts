/**
 * A reader for safetensors files (the format of Hugging Face's `safetensors` package, written by
 * `safetensors.torch.save_file(model.state_dict(), path)`): an unsigned 64-bit little-endian header
 * length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`,
 * then the raw little-endian tensor data, offsets relative to the end of the header.
 */
import { ValueError } from '../../errors.js';

/** Element types of the safetensors format that can be read (all returned as float32). */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** One tensor of a safetensors file, converted to float32. */
export interface SafetensorsTensor {
  /** The element type stored in the file. */
  dtype: SafetensorsDtype;
  /** Row-major shape (`[]` for a scalar). */
  shape: number[];
  /** Values converted to float32 (64-bit integers beyond 2^53 lose precision). */
  data: Float32Array;
}

/** The content of a safetensors file: tensors by name, plus the optional string metadata. */
export interface Safetensors {
  /** Every tensor of the file by its state-dict name (e.g. `'rnn.weight_ih_l0'`), in header order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The header's `__metadata__` string-to-string map; `{}` when the file has none. */
  metadata: Record<string, string>;
}

const SCRATCH = new DataView(new ArrayBuffer(4));

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function convert(view: DataView, begin: number, count: number, dtype: SafetensorsDtype): Float32Array {
  const out = new Float32Array(count);
  const size = BYTES[dtype];
  for (let i = 0, at = begin; i < count; i += 1, at += size) {
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(at, true);
        break;
      case 'F32':
        out[i] = view.getFloat32(at, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(at, true));
        break;
      case 'BF16':
        // bfloat16 is the upper half of a float32.
        SCRATCH.setUint32(0, view.getUint16(at, true) << 16, true);
        out[i] = SCRATCH.getFloat32(0, true);
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(at, true));
        break;
      case 'I32':
        out[i] = view.getInt32(at, true);
        break;
      case 'I16':
        out[i] = view.getInt16(at, true);
        break;
      case 'I8':
        out[i] = view.getInt8(at);
        break;
      case 'U8':
      case 'BOOL':
        out[i] = view.getUint8(at);
        break;
    }
  }
  return out;
}

/**
 * Parses a safetensors file. Throws a `ValueError` naming `source` (or the tensor) when the file is
 * truncated, its header is not valid JSON, a dtype is unknown, or a tensor's byte range does not
 * match its shape.
 */
export function readSafetensors(bytes: Uint8Array): Safetensors {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('source', 'a Uint8Array holding a safetensors file', bytes);
  if (bytes.byteLength < 8) throw new ValueError('source', 'a safetensors file (at least 8 bytes)', `${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8) {
    throw new ValueError('source', `a safetensors header of at most ${bytes.byteLength - 8} bytes`, `${headerLength} bytes`, 'file truncated or not safetensors');
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    throw new ValueError('source', 'a JSON safetensors header', 'unparsable bytes', String(error));
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new ValueError('source', 'a JSON object as safetensors header', header);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const spec = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = spec?.dtype;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) {
      throw new ValueError(`${name}.dtype`, `one of ${Object.keys(BYTES).join(', ')}`, dtype);
    }
    const shape = spec.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValueError(`${name}.shape`, 'an array of non-negative integers', shape);
    }
    const offsets = spec.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      throw new ValueError(`${name}.data_offsets`, 'two non-negative integers [begin, end]', offsets);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = BYTES[dtype as SafetensorsDtype];
    if (end < begin || end > dataLength || end - begin !== count * size) {
      throw new ValueError(
        `${name}.data_offsets`,
        `a range of ${count * size} bytes (${count} x ${dtype}) within the ${dataLength} data bytes`,
        `[${begin}, ${end}]`,
      );
    }
    tensors.set(name, { dtype: dtype as SafetensorsDtype, shape: shape as number[], data: convert(view, dataStart + begin, count, dtype as SafetensorsDtype) });
  }
  return { tensors, metadata };
}
