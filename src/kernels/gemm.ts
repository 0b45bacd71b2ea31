import { WASM_BASE64 } from './wasm/gemm.js';

/**
 * Float32 matrix product on Float32Arrays: `C = op(A) * op(B)` (or `C += ...`), where `op(A)` is
 * `[m, k]` and `op(B)` is `[k, n]`, all row-major. The work runs in our AssemblyScript SIMD kernel
 * (asm/gemm.ts, f32x4 with a 4 x 8 register tile) when the runtime has WebAssembly SIMD, and in a
 * plain JavaScript loop otherwise. Operands are packed into the kernel's panel layout on each call,
 * which costs O(mk + kn + mn) against the product's O(mnk).
 */
export interface GemmArgs {
  /** Rows of `op(A)` and of `C`. */
  m: number;
  /** Columns of `op(B)` and of `C`. */
  n: number;
  /** Columns of `op(A)`, rows of `op(B)`. */
  k: number;
  /** `A`, `[m, k]`, or `[k, m]` when `transA`. */
  a: Float32Array;
  /** Use `A` transposed. */
  transA?: boolean;
  /** `B`, `[k, n]`, or `[n, k]` when `transB`. */
  b: Float32Array;
  /** Use `B` transposed. */
  transB?: boolean;
  /** Output, `[m, n]`. */
  c: Float32Array;
  /** Add to `C` instead of overwriting it. */
  accumulate?: boolean;
}

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The part of the WebAssembly global we use (lib ES2022 has no typings for it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface GemmModule {
  memory: WasmMemory;
  sgemm(ap: number, bp: number, cp: number, mt: number, nt: number, k: number, aStride: number, bStride: number, ldc: number, acc: number): void;
}

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return Buffer.from(s, 'base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Steps of k per kernel call: keeps the B block (n * K_BLOCK floats) in L2. */
const K_BLOCK = 256;
/** Column panels (of 8) per kernel call: 16 panels x K_BLOCK steps of B = 128 KB. */
const N_BLOCK = 16;

let wasm: GemmModule | null | undefined;
let heap = new Float32Array(0);

function loadWasm(): GemmModule | null {
  if (wasm !== undefined) return wasm;
  try {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (api === undefined) throw new Error('no WebAssembly');
    const mod = new api.Module(decodeBase64(WASM_BASE64));
    wasm = new api.Instance(mod, {}).exports as unknown as GemmModule;
  } catch {
    wasm = null; // no WebAssembly SIMD: the JavaScript loop below
  }
  return wasm;
}

/** True when products run in the WebAssembly SIMD kernel. */
export function gemmUsesWasm(): boolean {
  return loadWasm() !== null;
}

/**
 * Drops the WebAssembly instance and its linear memory (which grows to the largest product's packed
 * operands and, being WebAssembly memory, cannot shrink); the next product re-creates it.
 */
export function releaseGemmMemory(): void {
  wasm = undefined;
  heap = new Float32Array(0);
}

let forceJs = false;
/** For tests and benchmarks: run every product in the JavaScript loop. */
export function setGemmWasm(enabled: boolean): void {
  forceJs = !enabled;
}

function ensureHeap(w: GemmModule, floats: number): Float32Array {
  const bytes = floats * 4;
  const have = w.memory.buffer.byteLength;
  if (bytes > have) w.memory.grow(Math.ceil((bytes - have) / 65536));
  if (heap.buffer !== w.memory.buffer) heap = new Float32Array(w.memory.buffer);
  return heap;
}

function gemmJs(args: GemmArgs): void {
  const { m, n, k, a, b, c } = args;
  const ta = args.transA ?? false;
  const tb = args.transB ?? false;
  if (!(args.accumulate ?? false)) c.fill(0, 0, m * n);
  // i-p-j order: the inner loop runs along a row of B and of C.
  const row = tb ? new Float32Array(n) : null;
  for (let p = 0; p < k; p++) {
    let bRow: Float32Array;
    let bOff = 0;
    if (row !== null) {
      for (let j = 0; j < n; j++) row[j] = b[j * k + p] as number;
      bRow = row;
    } else {
      bRow = b;
      bOff = p * n;
    }
    for (let i = 0; i < m; i++) {
      const av = (ta ? a[p * m + i] : a[i * k + p]) as number;
      if (av === 0) continue;
      const cOff = i * n;
      for (let j = 0; j < n; j++) c[cOff + j] = (c[cOff + j] as number) + av * (bRow[bOff + j] as number);
    }
  }
}

/** `C = op(A) op(B)` or `C += op(A) op(B)`; see {@link GemmArgs}. */
export function gemm(args: GemmArgs): void {
  const { m, n, k, a, b, c } = args;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!(args.accumulate ?? false)) c.fill(0, 0, m * n);
    return;
  }
  const w = forceJs ? null : loadWasm();
  if (w === null || m * n * k < 2048) {
    gemmJs(args);
    return;
  }
  const ta = args.transA ?? false;
  const tb = args.transB ?? false;
  const mt = (m + 3) >> 2;
  const nt = (n + 7) >> 3;
  const ldc = nt * 8;
  const apOff = 0;
  const bpOff = mt * k * 4;
  const cOff = bpOff + nt * k * 8;
  const h = ensureHeap(w, cOff + mt * 4 * ldc);
  // Pack A into [mt][k][4]; transposed A is read row by row (contiguous) and scattered.
  if (ta) {
    if (m % 4 !== 0) for (let p = 0; p < k; p++) for (let i = m; i < mt * 4; i++) h[apOff + (i >> 2) * k * 4 + p * 4 + (i & 3)] = 0;
    for (let p = 0; p < k; p++) {
      const ro = p * m;
      for (let i = 0; i < m; i++) h[apOff + (i >> 2) * k * 4 + p * 4 + (i & 3)] = a[ro + i] as number;
    }
  } else for (let it = 0; it < mt; it++) {
    const base = apOff + it * k * 4;
    for (let r = 0; r < 4; r++) {
      const i = it * 4 + r;
      if (i >= m) {
        for (let p = 0; p < k; p++) h[base + p * 4 + r] = 0;
      } else {
        const ro = i * k;
        for (let p = 0; p < k; p++) h[base + p * 4 + r] = a[ro + p] as number;
      }
    }
  }
  // Pack B into [nt][k][8].
  for (let jt = 0; jt < nt; jt++) {
    const base = bpOff + jt * k * 8;
    const j0 = jt * 8;
    const width = Math.min(8, n - j0);
    if (tb) {
      for (let jj = 0; jj < 8; jj++) {
        const j = j0 + jj;
        if (jj >= width) {
          for (let p = 0; p < k; p++) h[base + p * 8 + jj] = 0;
        } else {
          const ro = j * k;
          for (let p = 0; p < k; p++) h[base + p * 8 + jj] = b[ro + p] as number;
        }
      }
    } else if (width === 8) {
      for (let p = 0; p < k; p++) {
        const src = p * n + j0;
        const o = base + p * 8;
        for (let jj = 0; jj < 8; jj++) h[o + jj] = b[src + jj] as number;
      }
    } else {
      for (let p = 0; p < k; p++) {
        const o = base + p * 8;
        for (let jj = 0; jj < 8; jj++) h[o + jj] = jj < width ? (b[p * n + j0 + jj] as number) : 0;
      }
    }
  }
  for (let j0 = 0; j0 < nt; j0 += N_BLOCK) {
    const nb = Math.min(N_BLOCK, nt - j0);
    for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
      const kc = Math.min(K_BLOCK, k - p0);
      const ap = (apOff + p0 * 4) * 4;
      const bp = (bpOff + j0 * k * 8 + p0 * 8) * 4;
      w.sgemm(ap, bp, (cOff + j0 * 8) * 4, mt, nb, kc, k * 16, k * 32, ldc * 4, p0 > 0 ? 1 : 0);
    }
  }
  const acc = args.accumulate ?? false;
  for (let i = 0; i < m; i++) {
    const src = cOff + i * ldc;
    const dst = i * n;
    if (acc) {
      for (let j = 0; j < n; j++) c[dst + j] = (c[dst + j] as number) + (h[src + j] as number);
    } else {
      c.set(h.subarray(src, src + n), dst);
    }
  }
}
