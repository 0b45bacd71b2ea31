import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { gemmKernel, type GemmKernel } from './kernels/gemm.js';

/** Which backend flowsentry chose, and why. */
export interface BackendReport {
  /** The tfjs backend name now active (`tensorflow`, `cpu`, `wasm`, `webgl`, ...). */
  backend: string;
  /** The package that provides it (`@tensorflow/tfjs-node-gpu`, ...), or `embedded`. */
  provider: string;
  /** True when TensorFlow runs its ops on a CUDA device. */
  gpu: boolean;
  /** One sentence a person can read: what was chosen and why. */
  reason: string;
  /** Problems found on the way (a GPU package that could not use the GPU, a package that failed to load). */
  warnings: string[];
  /**
   * On the embedded `cpu` backend: the product kernel flowsentry's kernels run (`'wasm-relaxed-simd'`:
   * WebAssembly SIMD with fused multiply-add; `'wasm-simd'`; `'js'`: no WebAssembly SIMD). Absent
   * on the TensorFlow backends.
   */
  kernel?: GemmKernel;
}

/** The product kernel in words, for the report's reason. */
const KERNEL_TEXT: Record<GemmKernel, string> = {
  'wasm-relaxed-simd': 'products in WebAssembly relaxed SIMD (fused multiply-add)',
  'wasm-simd': 'products in WebAssembly SIMD (multiply then add)',
  js: 'products in a JavaScript loop (no WebAssembly SIMD)',
};

/** Options for {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * `auto` (default): tfjs-node-gpu, then tfjs-node, then the embedded cpu backend.
   * Any other value forces that choice and throws if it cannot be had.
   */
  prefer?: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'cpu';
  /** Print the report's reason (and warnings, to stderr) once chosen (default false). */
  verbose?: boolean;
  /** Module loader, for tests; defaults to Node's `require`. */
  load?: (id: string) => unknown;
}

/** CUDA and cuDNN versions that tfjs-node-gpu 4.x (libtensorflow 2.9.1) is built against. */
export const TFJS_NODE_GPU_REQUIREMENTS = 'CUDA 11.2 and cuDNN 8.1 (libcudart.so.11.0 and libcudnn.so.8 on LD_LIBRARY_PATH)';

interface NodeBackendLike {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

function defaultLoad(id: string): unknown {
  // import.meta.url is shimmed in the CommonJS build.
  const req = createRequire(import.meta.url);
  return req(id);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] ?? String(e) : String(e);
}

/**
 * Picks the best installed tfjs backend and reports the choice. tfjs-node-gpu silently runs on
 * the CPU when CUDA/cuDNN cannot be loaded; this reports that loudly instead.
 * @example
 * ```ts
 * import { selectBackend } from 'flowsentry';
 *
 * const report = await selectBackend({ verbose: true }); // tfjs-node-gpu, else tfjs-node, else cpu
 * if (!report.gpu) console.warn(report.reason, report.warnings);
 * ```
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  const prefer = options.prefer ?? 'auto';
  const load = options.load ?? defaultLoad;
  const warnings: string[] = [];
  const tryNode = async (pkg: string, wantGpu: boolean): Promise<BackendReport | null> => {
    try {
      load(pkg);
    } catch (e) {
      const missing = e instanceof Error && /Cannot find module/.test(e.message) && e.message.includes(pkg);
      if (!missing) warnings.push(`${pkg} is installed but failed to load: ${errorText(e)}`);
      return null;
    }
    if (!(await tf.setBackend('tensorflow'))) {
      warnings.push(`${pkg} loaded but the 'tensorflow' backend could not be initialised`);
      return null;
    }
    await tf.ready();
    const backend = tf.backend() as unknown as NodeBackendLike;
    const gpu = backend.isUsingGpuDevice === true;
    if (wantGpu && !gpu) {
      warnings.push(
        `${pkg} is installed but TensorFlow could not use a GPU, so it runs on the CPU. ` +
          `It needs an NVIDIA driver and ${TFJS_NODE_GPU_REQUIREMENTS}.`,
      );
    }
    return {
      backend: 'tensorflow',
      provider: pkg,
      gpu,
      reason: gpu
        ? `using ${pkg} on the GPU (libtensorflow with CUDA)`
        : `using ${pkg} (libtensorflow on the CPU)${wantGpu ? ': the GPU could not be used, see warnings' : ''}`,
      warnings,
    };
  };

  let report: BackendReport | null = null;
  if (prefer === 'auto' || prefer === 'tensorflow-gpu') report = await tryNode('@tensorflow/tfjs-node-gpu', true);
  if (!report && (prefer === 'auto' || prefer === 'tensorflow')) report = await tryNode('@tensorflow/tfjs-node', false);
  if (!report && prefer !== 'auto' && prefer !== 'cpu') {
    throw new Error(`selectBackend: prefer '${prefer}' requested but unavailable. ${warnings.join(' ')}`);
  }
  if (!report) {
    await tf.setBackend('cpu');
    await tf.ready();
    const kernel = gemmKernel();
    report = {
      backend: 'cpu',
      provider: 'embedded',
      gpu: false,
      reason:
        prefer === 'cpu'
          ? `using the embedded cpu backend with flowsentry kernels, as requested; ${KERNEL_TEXT[kernel]}`
          : `using the embedded cpu backend with flowsentry kernels (neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed); ${KERNEL_TEXT[kernel]}`,
      warnings,
      kernel,
    };
  }
  if (options.verbose) {
    console.log(`flowsentry: ${report.reason}`);
    for (const w of report.warnings) console.error(`flowsentry: WARNING: ${w}`);
  }
  return report;
}

/** The active backend's name, after `tf.ready()`. */
export async function activeBackend(): Promise<string> {
  await tf.ready();
  return tf.getBackend();
}
