import { poolEnabled, setPoolEnabled } from './pool.js';

/**
 * Lets the embedded backend's large products and the GRU / LSTM sequence kernels use one worker
 * thread on a shared WebAssembly memory (the machine's second core), or keeps everything on the
 * calling thread. On by default where the runtime can (Node with `worker_threads`; browsers
 * without cross-origin isolation always run on one thread). Results are the same either way;
 * turn it off when the other cores are busy with work of your own.
 *
 * @example
 * ```ts
 * import { setKernelWorker } from 'flowsentry';
 * setKernelWorker(false); // one thread
 * ```
 */
export function setKernelWorker(enabled: boolean): void {
  setPoolEnabled(enabled);
}

/** True while the kernels may use their worker thread (enabled and not retired after an error). */
export function kernelWorkerEnabled(): boolean {
  return poolEnabled();
}
