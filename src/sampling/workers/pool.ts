import { nodeBuiltin } from '../../util/builtin.js';
/**
 * A small pool of Node worker threads that run a self-contained kernel alongside the calling
 * thread, synchronously (the caller blocks in `Atomics.wait` until its helpers are done), so the
 * samplers keep their synchronous API. A kernel is a function that refers to nothing outside its
 * own body: its source (`Function.prototype.toString`) is what the workers compile, so the same
 * code runs from the sources (tsx) and from the bundle (no separate worker file to ship). Work is
 * shared through SharedArrayBuffers, typically by an atomic chunk counter that every thread draws
 * from. Workers are unref'd: they never keep a process alive. Without `node:worker_threads` (a
 * browser) or when a worker fails, the caller runs the whole kernel itself.
 */

interface WorkerLike {
  postMessage(message: unknown): void;
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (error: unknown) => void): void;
}

interface WorkerThreadsModule {
  Worker: new (code: string, options: { eval: true }) => WorkerLike;
}

interface OsModule {
  availableParallelism?: () => number;
  cpus(): unknown[];
}


/** Worker body: compile each kernel source once, run it on a task, raise the done flag. */
const WORKER_SOURCE = `
'use strict';
var __name = (f) => f; // esbuild's keepNames helper, referenced by transpiled kernel sources
const { parentPort } = require('node:worker_threads');
const kernels = new Map();
parentPort.on('message', (m) => {
  let status = 1;
  try {
    let fn = kernels.get(m.source);
    if (fn === undefined) {
      fn = (0, eval)('(' + m.source + ')');
      kernels.set(m.source, fn);
    }
    fn(m.task);
  } catch (e) {
    status = 2;
  }
  Atomics.store(m.done, m.slot, status);
  Atomics.notify(m.done, m.slot);
});
`;

let threadsModule: WorkerThreadsModule | null | undefined;
const workers: WorkerLike[] = [];
let broken = false;


/** Threads available to {@link runParallel}: the machine's cores (1 without worker threads). */
export function availableThreads(): number {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return 1;
  threadsModule ??= nodeBuiltin<WorkerThreadsModule>('node:worker_threads');
  if (threadsModule === null || broken) return 1;
  const os = nodeBuiltin<OsModule>('node:os');
  if (os === null) return 1;
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** Resolves a `nJobs`-style option: a positive integer, or -1 / undefined for every available thread. */
export function resolveThreads(nJobs: number | undefined): number {
  const available = availableThreads();
  if (nJobs === undefined || nJobs === -1) return available;
  return Math.max(1, Math.min(nJobs, available));
}

/** Stops the pool's workers (they are unref'd anyway; for tests and long-lived hosts). */
export async function terminateWorkers(): Promise<void> {
  const all = workers.splice(0);
  await Promise.all(all.map((w) => w.terminate()));
}

/** How long the caller waits for a helper before giving up on the pool (ms). */
const WAIT_MS = 10 * 60 * 1000;

/**
 * Runs `kernel(task)` on `threads` threads (the caller and threads - 1 workers) and returns when
 * all are done. `task` is structured-cloned to each worker: its SharedArrayBuffer-backed arrays
 * are shared, everything else is copied. The kernel must split the work itself (an atomic counter
 * in the task) so that any number of threads, one included, computes the whole result. Returns
 * the number of threads that ran it.
 */
export function runParallel<T>(kernel: (task: T) => void, task: T, threads: number): number {
  const helpers = Math.min(threads, availableThreads()) - 1;
  if (helpers <= 0) {
    kernel(task);
    return 1;
  }
  const wt = threadsModule as WorkerThreadsModule;
  try {
    while (workers.length < helpers) {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('error', () => {
        broken = true;
      });
      workers.push(w);
    }
  } catch {
    broken = true;
    kernel(task);
    return 1;
  }
  const done = new Int32Array(new SharedArrayBuffer(4 * helpers));
  const source = kernel.toString();
  for (let s = 0; s < helpers; s++) (workers[s] as WorkerLike).postMessage({ source, task, done, slot: s });
  kernel(task);
  let ok = true;
  for (let s = 0; s < helpers; s++) {
    if (Atomics.wait(done, s, 0, WAIT_MS) === 'timed-out' || Atomics.load(done, s) !== 1) ok = false;
  }
  if (!ok) {
    // A helper failed or never started: stop using the pool. The kernel's chunk counter has been
    // drained, so the caller cannot tell which chunks are missing: the caller's contract is to
    // rerun with a fresh task (see runParallelOrSerial).
    broken = true;
    void terminateWorkers();
    throw new PoolFailure();
  }
  return helpers + 1;
}

/** Raised by {@link runParallel} when a helper thread failed. */
export class PoolFailure extends Error {
  constructor() {
    super('flowsentry: a worker thread failed; rerunning on the calling thread');
  }
}

/**
 * {@link runParallel}, and on a helper's failure the whole kernel again on the calling thread with
 * `makeTask()`'s fresh task.
 */
export function runParallelOrSerial<T>(kernel: (task: T) => void, makeTask: () => T, threads: number): number {
  try {
    return runParallel(kernel, makeTask(), threads);
  } catch (e) {
    if (!(e instanceof PoolFailure)) throw e;
    kernel(makeTask());
    return 1;
  }
}
