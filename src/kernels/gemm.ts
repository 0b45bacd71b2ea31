import { WASM_BASE64 } from './wasm/gemm.js';
import { WASM_BASE64 as WASM_SHARED_BASE64 } from './wasm/gemm-shared.js';
import { WASM_BASE64 as WASM_RELAXED_BASE64 } from './wasm/gemm-relaxed.js';
import { WASM_BASE64 as WASM_SHARED_RELAXED_BASE64 } from './wasm/gemm-shared-relaxed.js';
import { relaxedSimdUsable, relaxedSimdWanted, setRelaxedSimdWanted } from './relaxed-simd.js';
import { decodeBase64 } from '../util/base64.js';
import { poolEnabled, poolSupported, runChunks, startPool, stopPool } from './pool.js';

/**
 * Float32 matrix product on Float32Arrays: `C = op(A) * op(B)` (or `C += ...`), where `op(A)` is
 * `[m, k]` and `op(B)` is `[k, n]`, all row-major. The work runs in our AssemblyScript SIMD kernel
 * (asm/gemm.ts, f32x4 with a 4 x 8 register tile) when the runtime has WebAssembly SIMD, and in a
 * plain JavaScript loop otherwise. Where the runtime has relaxed SIMD (on Node 20 after turning on
 * V8's flag, see relaxed-simd.ts) the kernel's steps are fused multiply-adds (each C entry rounded
 * once per step instead of twice: results differ from mul-then-add in the last bits). Operands
 * are copied into the module's memory as they are (one memcpy each; a transposed B is transposed
 * there) and read in place, strided, by the kernel.
 * Where Node's worker_threads and shared WebAssembly memory exist, products from 2^21
 * multiply-adds are split by row tiles between the calling thread and one worker thread
 * (src/kernels/pool.ts), so they use the second core; elsewhere (browsers without cross-origin
 * isolation) everything runs on the calling thread.
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
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/**
 * Which product kernel runs: WebAssembly SIMD with fused multiply-add (relaxed SIMD), WebAssembly
 * SIMD with a multiply then an add, or the JavaScript loop (no WebAssembly SIMD).
 */
export type GemmKernel = 'wasm-relaxed-simd' | 'wasm-simd' | 'js';

/** The exports of asm/gemm.ts (byte offsets into `memory`). */
export interface GemmModule {
  memory: WasmMemory;
  sgemm(a: number, rsA: number, csA: number, b: number, ldb: number, c: number, ldc: number, mt: number, nt: number, k: number, acc: number, bias: number, epi: number): void;
  transpose(src: number, dst: number, rows: number, cols: number): void;
  sigmoidArray(src: number, dst: number, n: number): void;
  tanhArray(src: number, dst: number, n: number): void;
  relu(src: number, dst: number, n: number): void;
  colsum(src: number, dst: number, rows: number, m: number): void;
  reluBiasGrad(dy: number, y: number, sums: number, rows: number, m: number, mask: number): void;
  biasActivation(c: number, bias: number, rows: number, m: number, relu: number): void;
  step(src: number, dst: number, n: number, alpha: number): void;
  broadcast(op: number, big: number, small: number, dst: number, rows: number, m: number): void;
  adam(w: number, m: number, v: number, g: number, n: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, oneMinusAccBeta1: number, oneMinusAccBeta2: number, epsilon: number, negLr: number): void;
  gemmRows(a: number, rsA: number, csA: number, b: number, ldb: number, c: number, ldc: number, it0: number, it1: number, nt: number, k: number, acc: number, bias: number, epi: number): void;
  gruSeqForward(xp: number, uk: number, ldu: number, bh: number, h0: number, y: number, hp: number, z: number, r: number, n: number, hn: number, save: number, b0: number, nb: number, T: number, U: number, backwards: number, ldy: number): void;
  gruSeqBackward(dy: number, z: number, r: number, n: number, hn: number, y: number, h0: number, uT: number, lduT: number, dxp: number, dgh: number, dh: number, b0: number, nb: number, T: number, U: number, backwards: number): void;
  lstmSeqForward(xp: number, uk: number, ldu: number, h0: number, c0: number, y: number, cs: number, hp: number, gi: number, gf: number, gg: number, go: number, tc: number, save: number, b0: number, nb: number, T: number, U: number, backwards: number, ldy: number): void;
  lstmSeqBackward(dy: number, cs: number, gi: number, gf: number, gg: number, go: number, tc: number, c0: number, uT: number, lduT: number, da: number, dh: number, dc: number, b0: number, nb: number, T: number, U: number, backwards: number): void;
  gruPrevStates(y: number, h0: number, dst: number, B: number, T: number, U: number, backwards: number): void;
  tapSums(dcols: number, dx: number, lines: number, OW: number, nB: number, FW: number, C: number, s: number, left: number, inWidth: number, bias: number, epi: number): void;
  bnSums(a: number, b: number, n: number, c: number, out: number): void;
  bnAffine(u: number, v: number, dst: number, n: number, c: number, coef: number, withV: number): void;
}

/** Exports the worker pool may run (chunks of independent work). */
const POOL_EXPORTS = ['gemmRows', 'gruSeqForward', 'gruSeqBackward', 'lstmSeqForward', 'lstmSeqBackward'];

let wasm: GemmModule | null | undefined;
let heap = new Float32Array(0);
/** The shared build's bytes and memory, when the module runs on shared memory (worker pool possible). */
let shared: { bytes: Uint8Array; memory: WasmMemory } | null = null;
/** The kernel the loaded module runs ('js' until loaded or without one). */
let kernel: GemmKernel = 'js';

/**
 * One build of asm/gemm.ts (with its own memory and with a shared one) as a module and its
 * instance: on shared memory whenever the runtime could run the pool, so enabling it later takes
 * effect; else (or when shared WebAssembly memory fails) with its own memory, one thread.
 */
function instantiate(api: WasmApi, ownB64: string, sharedB64: string): void {
  if (poolSupported()) {
    try {
      const bytes = decodeBase64(sharedB64);
      const memory = new api.Memory({ initial: 1, maximum: 65536, shared: true });
      const exports = new api.Instance(new api.Module(bytes), { env: { memory } }).exports as Record<string, unknown>;
      wasm = { ...exports, memory } as unknown as GemmModule;
      shared = { bytes, memory };
      return;
    } catch {
      shared = null;
    }
  }
  wasm = new api.Instance(new api.Module(decodeBase64(ownB64)), {}).exports as unknown as GemmModule;
}

function loadWasm(): GemmModule | null {
  if (wasm !== undefined) return wasm;
  shared = null;
  wasm = null;
  kernel = 'js';
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return wasm;
  // The relaxed build where the runtime accepts it (the worker compiles the same bytes); any
  // failure falls back to the plain build, and that failing to the JavaScript loop.
  if (relaxedSimdWanted() && relaxedSimdUsable((b) => api.validate(b), decodeBase64(WASM_RELAXED_BASE64))) {
    try {
      instantiate(api, WASM_RELAXED_BASE64, WASM_SHARED_RELAXED_BASE64);
      kernel = 'wasm-relaxed-simd';
      return wasm;
    } catch {
      wasm = null;
      shared = null;
    }
  }
  try {
    instantiate(api, WASM_BASE64, WASM_SHARED_BASE64);
    kernel = 'wasm-simd';
  } catch {
    wasm = null; // no WebAssembly SIMD: the JavaScript loop below
    shared = null;
  }
  return wasm;
}

/** Minimum multiply-adds of a job before it is split across the worker pool. */
let poolMinWork = 1 << 21;

/** For tests: the smallest job (multiply-adds) that uses the worker pool. */
export function setPoolThreshold(multiplyAdds: number): void {
  poolMinWork = multiplyAdds;
}

/**
 * Runs independent chunks of `fn` (an export of the module), on the worker pool as well as this
 * thread when `work` (multiply-adds, about) is large enough and the module runs on shared memory.
 * @internal
 */
export function runParallel(w: GemmModule, fn: (typeof POOL_EXPORTS)[number], chunks: number[][], work: number): void {
  if (shared !== null && work >= poolMinWork && chunks.length > 1) startPool(shared.bytes, shared.memory, POOL_EXPORTS);
  runChunks(w as unknown as Record<string, unknown>, fn, chunks);
}

/** The smallest job (multiply-adds) that uses the worker pool. @internal */
export function poolThreshold(): number {
  return poolMinWork;
}

/** Threads that {@link runParallel} may use: 2 with the shared module (the pool), else 1. */
export function parallelThreads(): number {
  if (forceJs || loadWasm() === null) return 1;
  return shared !== null && poolEnabled() ? 2 : 1;
}

/** The epilogue flags of asm/gemm.ts (sgemm, tapSums): add the bias, then relu. */
const EPI_BIAS = 1;
const EPI_RELU = 2;

/** The `epi` argument of the module's sgemm / gemmRows / tapSums for an epilogue (0: none). @internal */
export function epilogueFlags(epilogue: { bias: unknown; relu: boolean } | undefined): number {
  return (epilogue !== undefined && epilogue.bias !== null ? EPI_BIAS : 0) | (epilogue?.relu === true ? EPI_RELU : 0);
}

/** What the product applies to C before storing it: + bias (byte offset of n floats, padded to the 8-column panels), then relu. */
export interface GemmEpilogue {
  /** Byte offset of the bias in the module's memory, or null for none. */
  bias: number | null;
  relu: boolean;
}

/**
 * C (+)= A B on operands already in the module's memory (byte offsets; A element (i, p) at
 * a + i rsA + p csA, B rows ldb bytes apart, C rows ldc bytes apart, ldc covering the 8-column
 * panels), split by row tiles across the worker pool when large. With an `epilogue`, each finished
 * tile gets the bias added and the relu applied in registers before its store (the values of the
 * module's `biasActivation` pass after the product, without that pass).
 * @internal
 */
export function gemmInHeap(
  w: GemmModule, m: number, n: number, k: number, a: number, rsA: number, csA: number, b: number, ldb: number, c: number, ldc: number, acc: boolean,
  epilogue?: GemmEpilogue,
): void {
  const mt = (m + 3) >> 2;
  const nt = (n + 7) >> 3;
  const work = m * n * k;
  const bias = epilogue?.bias ?? 0;
  const epi = epilogueFlags(epilogue);
  const threads = parallelThreads();
  const parts = threads > 1 && work >= poolMinWork ? Math.min(mt, 8) : 1;
  const chunks: number[][] = [];
  for (let i = 0; i < parts; i++) {
    const it0 = Math.floor((mt * i) / parts);
    const it1 = Math.floor((mt * (i + 1)) / parts);
    chunks.push([a, rsA, csA, b, ldb, c, ldc, it0, it1, nt, k, acc ? 1 : 0, bias, epi]);
  }
  runParallel(w, 'gemmRows', chunks, work);
}

/** True when products run in the WebAssembly SIMD kernel. */
export function gemmUsesWasm(): boolean {
  return loadWasm() !== null;
}

/**
 * Which product kernel runs here (loading the module if needed): `'wasm-relaxed-simd'` (fused
 * multiply-add), `'wasm-simd'` or `'js'` (the tests' switch to the JavaScript loop not reflected).
 */
export function gemmKernel(): GemmKernel {
  loadWasm();
  return kernel;
}

/**
 * Lets the product kernel use relaxed SIMD's fused multiply-add where the runtime has it (the
 * default; `FLOWSENTRY_RELAXED_SIMD=0` in the environment turns it off), or keeps it to a multiply
 * then an add (results bit-equal to flowsentry builds without relaxed SIMD). A loaded module of
 * the other kind is dropped as by {@link releaseGemmMemory}, so the next product uses the choice.
 *
 * @example
 * ```ts
 * import { gemmKernel, setRelaxedSimd } from 'flowsentry';
 * setRelaxedSimd(false);
 * gemmKernel(); // 'wasm-simd'
 * ```
 */
export function setRelaxedSimd(enabled: boolean): void {
  setRelaxedSimdWanted(enabled);
  // Keep a loaded module that already is the one asked for (its memory and worker too).
  if (wasm !== undefined && wasm !== null && (kernel === 'wasm-relaxed-simd') !== enabled) releaseGemmMemory();
}

const releaseHooks: (() => void)[] = [];
/** Runs `f` whenever {@link releaseGemmMemory} runs (the sequence kernels drop their reusable buffers). */
export function onReleaseGemmMemory(f: () => void): void {
  releaseHooks.push(f);
}

/**
 * Drops the WebAssembly instance and its linear memory (which grows to the largest product's packed
 * operands and, being WebAssembly memory, cannot shrink); the next product re-creates it. Also drops
 * the few buffers the recurrent kernels reuse for what a forward pass keeps for its gradient.
 */
export function releaseGemmMemory(): void {
  for (const f of releaseHooks) f();
  stopPool();
  wasm = undefined;
  shared = null;
  kernel = 'js';
  heap = new Float32Array(0);
}

let forceJs = false;
/** For tests and benchmarks: run every product in the JavaScript loop. */
export function setGemmWasm(enabled: boolean): void {
  forceJs = !enabled;
}

/** Below this many elements an elementwise JavaScript loop beats copying into the SIMD module and back. */
export const SIMD_MIN = 1024;

/**
 * The WebAssembly module and a Float32Array view of its memory grown to at least `floats`, for the
 * other SIMD kernels (gates.ts); null without WebAssembly SIMD or when products are forced to JS.
 * The view is valid until the next call that may grow memory.
 */
export function simdHeap(floats: number): { w: GemmModule; h: Float32Array } | null {
  const w = forceJs ? null : loadWasm();
  return w === null ? null : { w, h: ensureHeap(w, floats) };
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

/**
 * `C = op(A) op(B)` or `C += op(A) op(B)`, row-major Float32 buffers; see {@link GemmArgs}.
 *
 * @example
 * ```ts
 * const a = new Float32Array([1, 2, 3, 4, 5, 6]); // A: [2, 3]
 * const b = new Float32Array([1, 0, 0, 1, 1, 1]); // B: [3, 2]
 * const c = new Float32Array(4); // C: [2, 2]
 * gemm({ m: 2, n: 2, k: 3, a, b, c });
 * c; // Float32Array [4, 5, 10, 11]
 * ```
 */
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
  // Operands are copied in whole (memcpy) and read in place by the kernel; only a transposed B
  // is rearranged, by the module's blocked transpose. The slack after each region covers the
  // rows / columns past m and n that the kernel reads and the caller discards.
  const ldc = n % 8 === 0 ? n : nt * 8;
  // B rows a multiple of 1 KB apart would alias in L1 (the kernel reads one 32-byte chunk per row).
  const ldb = (n * 4) % 1024 === 0 ? n + 8 : n;
  const aOff = 0;
  const bOff = aOff + mt * 4 * k + 16;
  const cOff = bOff + k * ldb + 16;
  const tOff = cOff + mt * 4 * ldc;
  const h = ensureHeap(w, tOff + (ta ? m * k : 0) + (tb ? k * n : 0));
  // A stored transposed is transposed in the module: then the kernel reads 4 rows as 4 streams,
  // where reading A^T in place costs a cache line per k step.
  if (ta) {
    h.set(a.length === m * k ? a : a.subarray(0, m * k), tOff);
    w.transpose(tOff * 4, aOff * 4, k, m);
  } else {
    h.set(a.length === m * k ? a : a.subarray(0, m * k), aOff);
  }
  const bSrc = b.length === n * k ? b : b.subarray(0, n * k);
  if (tb) {
    h.set(bSrc, tOff + (ta ? m * k : 0));
    w.transpose((tOff + (ta ? m * k : 0)) * 4, bOff * 4, n, k);
    if (ldb !== n) for (let p = k - 1; p >= 0; p--) h.copyWithin(bOff + p * ldb, bOff + p * n, bOff + p * n + n);
  } else if (ldb === n) {
    h.set(bSrc, bOff);
  } else {
    for (let p = 0; p < k; p++) h.set(bSrc.subarray(p * n, p * n + n), bOff + p * ldb);
  }
  const acc = args.accumulate ?? false;
  if (acc) {
    if (ldc === n) h.set(c.subarray(0, m * n), cOff);
    else for (let i = 0; i < m; i++) h.set(c.subarray(i * n, i * n + n), cOff + i * ldc);
  }
  gemmInHeap(w, m, n, k, aOff * 4, k * 4, 4, bOff * 4, ldb * 4, cOff * 4, ldc * 4, acc);
  if (ldc === n) c.set(h.subarray(cOff, cOff + m * n));
  else for (let i = 0; i < m; i++) c.set(h.subarray(cOff + i * ldc, cOff + i * ldc + n), i * n);
}
