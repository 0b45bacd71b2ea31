/**
 * The second core for the SIMD kernels: one persistent worker thread (Node's worker_threads) that
 * owns a second instance of the WebAssembly module on the same shared WebAssembly.Memory. A job is
 * a list of independent chunks, each one call of a module export with numeric arguments (byte
 * offsets into the shared memory); the main thread and the worker take chunks from a shared
 * counter (Atomics.add), so a worker whose core is busy elsewhere takes fewer chunks and never
 * holds the main thread up by more than one chunk. Dispatch is Atomics.notify / Atomics.wait on a
 * small SharedArrayBuffer (no postMessage per job). The worker is unref'd: it never keeps a
 * process alive. Without worker_threads (browsers), SharedArrayBuffer or shared WebAssembly memory,
 * every chunk runs on the calling thread.
 */
import { nodeBuiltin } from '../util/builtin.js';

/** Most arguments of one chunk's call. */
const MAX_ARGS = 20;
/** Most chunks per job. */
const MAX_CHUNKS = 64;
// Control words (Int32Array). CLAIM packs the current job as export index << 16 | chunk count << 8
// | next chunk: a thread takes a chunk by compare-exchange of the whole word, so whatever it
// decodes from the word it swapped is the current job (a thread that slept through jobs cannot
// take a chunk of an old one). SEQ only wakes the worker; DONE counts finished chunks.
const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const READY = 3;
const STOP = 4;
const FAILED = 5;
const CTRL_INTS = 8;

/** The worker's program (CommonJS, run with eval: no file to locate in bundles). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { bytes, memory, ctrlBuf, argBuf, names } = workerData;
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const ctrl = new Int32Array(ctrlBuf);
const args = new Float64Array(argBuf);
Atomics.store(ctrl, ${READY}, 1);
for (;;) {
  const seen = Atomics.load(ctrl, ${SEQ});
  if (Atomics.load(ctrl, ${STOP}) === 1) break;
  const v = Atomics.load(ctrl, ${CLAIM});
  const c = v & 255;
  if (c < ((v >> 8) & 255)) {
    if (Atomics.compareExchange(ctrl, ${CLAIM}, v, v + 1) !== v) continue;
    const fn = fns[v >> 16];
    const o = c * ${MAX_ARGS};
    try {
      fn(args[o], args[o + 1], args[o + 2], args[o + 3], args[o + 4], args[o + 5], args[o + 6], args[o + 7], args[o + 8], args[o + 9],
        args[o + 10], args[o + 11], args[o + 12], args[o + 13], args[o + 14], args[o + 15], args[o + 16], args[o + 17], args[o + 18], args[o + 19]);
    } catch {
      Atomics.store(ctrl, ${FAILED}, 1); // a trap: the calling thread throws instead of waiting forever
    }
    Atomics.add(ctrl, ${DONE}, 1);
    Atomics.notify(ctrl, ${DONE});
    continue;
  }
  Atomics.wait(ctrl, ${SEQ}, seen);
}
`;

/** Takes the next chunk of the current job (compare-exchange on CLAIM); -1 when none is left. */
function claim(ctrl: Int32Array): number {
  for (;;) {
    const v = Atomics.load(ctrl, CLAIM);
    const c = v & 255;
    if (c >= ((v >> 8) & 255)) return -1;
    if (Atomics.compareExchange(ctrl, CLAIM, v, v + 1) === v) return c;
  }
}

interface WorkerLike {
  unref(): void;
  terminate(): Promise<number>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface WorkerThreads {
  Worker: new (code: string, options: { eval: boolean; workerData: unknown }) => WorkerLike;
}

/** A started pool: the worker and the shared control block. */
export interface Pool {
  worker: WorkerLike;
  ctrl: Int32Array;
  args: Float64Array;
  names: string[];
}

let pool: Pool | null = null;
let poolBroken = false;
let poolWanted = true;

/** Node's worker_threads, when this runtime has them (process.getBuiltinModule: Node >= 20.16). */
function workerThreads(): WorkerThreads | null {
  return nodeBuiltin<WorkerThreads>('node:worker_threads');
}

/** True when this runtime can run the pool (worker_threads, SharedArrayBuffer, Atomics.wait). */
export function poolSupported(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && workerThreads() !== null;
}

/**
 * Starts the worker on `memory` (shared) with the module `bytes` (built to import that memory);
 * `names` are the exports jobs may call, by index. Returns null when the runtime cannot.
 */
export function startPool(bytes: Uint8Array, memory: unknown, names: string[]): Pool | null {
  if (pool !== null) return pool;
  if (poolBroken || !poolWanted || !poolSupported()) return null;
  const wt = workerThreads();
  if (wt === null) return null;
  try {
    const ctrlBuf = new SharedArrayBuffer(CTRL_INTS * 4);
    const argBuf = new SharedArrayBuffer(MAX_CHUNKS * MAX_ARGS * 8);
    const worker = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { bytes, memory, ctrlBuf, argBuf, names } });
    worker.unref();
    worker.on('error', () => {
      poolBroken = true;
      pool = null;
    });
    pool = { worker, ctrl: new Int32Array(ctrlBuf), args: new Float64Array(argBuf), names };
  } catch {
    poolBroken = true;
    pool = null;
  }
  return pool;
}

/** The running pool, if any. */
export function currentPool(): Pool | null {
  return pool;
}

/** Stops the worker (the next large job starts it again unless disabled). */
export function stopPool(): void {
  if (pool === null) return;
  const p = pool;
  pool = null;
  Atomics.store(p.ctrl, STOP, 1);
  Atomics.add(p.ctrl, SEQ, 1);
  Atomics.notify(p.ctrl, SEQ);
  void p.worker.terminate();
}

/** Enables or disables the worker (disabling stops a running one). */
export function setPoolEnabled(on: boolean): void {
  poolWanted = on;
  if (!on) stopPool();
}

/** True while jobs may use the worker. */
export function poolEnabled(): boolean {
  return poolWanted && !poolBroken;
}

/**
 * Runs `fn(...chunks[c])` for every chunk: on the worker and this thread together when the pool
 * is running and ready, else here in order. Returns when every chunk is done.
 */
export function runChunks(exports: Record<string, unknown>, fn: string, chunks: number[][]): void {
  const p = pool;
  const f = exports[fn] as (...a: number[]) => void;
  if (p === null || chunks.length < 2 || chunks.length > MAX_CHUNKS || Atomics.load(p.ctrl, READY) !== 1 || backoff > 0) {
    if (p !== null && backoff > 0) backoff--;
    for (const c of chunks) f(...c);
    return;
  }
  const index = p.names.indexOf(fn);
  if (index < 0) throw new Error(`pool: ${fn} is not a worker export`);
  const { ctrl, args } = p;
  for (let c = 0; c < chunks.length; c++) {
    const a = chunks[c] as number[];
    if (a.length > MAX_ARGS) throw new Error(`pool: ${fn} has more than ${MAX_ARGS} arguments`);
    args.fill(0, c * MAX_ARGS, (c + 1) * MAX_ARGS);
    args.set(a, c * MAX_ARGS);
  }
  Atomics.store(ctrl, DONE, 0);
  Atomics.store(ctrl, FAILED, 0);
  Atomics.store(ctrl, CLAIM, (index << 16) | (chunks.length << 8));
  Atomics.add(ctrl, SEQ, 1);
  Atomics.notify(ctrl, SEQ);
  const t0 = performance.now();
  try {
    for (let c = claim(ctrl); c >= 0; c = claim(ctrl)) {
      f(...(chunks[c] as number[]));
      Atomics.add(ctrl, DONE, 1);
    }
  } catch (e) {
    // A trap here leaves the job's count unfinished: retire the worker so no later job mixes with it.
    poolBroken = true;
    stopPool();
    throw e;
  }
  // Every chunk is taken; wait for the worker's last one (a worker that makes no progress for a
  // minute is taken as gone: the error beats a hang).
  const t1 = performance.now();
  let last = Atomics.load(ctrl, DONE);
  let since = t1;
  for (;;) {
    const done = Atomics.load(ctrl, DONE);
    if (done >= chunks.length) break;
    if (done !== last) {
      last = done;
      since = performance.now();
    } else if (performance.now() - since > 60_000) {
      poolBroken = true;
      stopPool();
      throw new Error(`pool: the worker thread stopped answering during ${fn}`);
    }
    Atomics.wait(ctrl, DONE, done, 50);
  }
  if (Atomics.load(ctrl, FAILED) === 1) {
    poolBroken = true;
    stopPool();
    throw new Error(`pool: ${fn} failed in the worker thread`);
  }
  // On a machine whose other core is busy the worker gets descheduled holding a chunk, and this
  // thread waits longer than it worked: after a few such jobs in a row, run the next ones here
  // alone for a while, then try the worker again.
  const waited = performance.now() - t1;
  strikes = backoffAllowed && waited > Math.max(1, t1 - t0) ? strikes + 1 : 0;
  if (strikes >= BACKOFF_STRIKES) {
    strikes = 0;
    backoff = BACKOFF_JOBS;
  }
}

/** Jobs in a row where the calling thread waited longer than it worked before backing off. */
const BACKOFF_STRIKES = 3;
/** Jobs then run on the calling thread alone. */
const BACKOFF_JOBS = 32;
let strikes = 0;
let backoff = 0;
let backoffAllowed = true;

/** For tests: never back off to the calling thread alone (every large job uses the worker). */
export function setPoolBackoff(allowed: boolean): void {
  backoffAllowed = allowed;
  backoff = 0;
  strikes = 0;
}
