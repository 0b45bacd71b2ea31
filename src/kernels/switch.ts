import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { STOCK_KERNELS } from './cpu-backend.js';
import { KERNEL_OVERRIDES } from './configs.js';
import { setEnabledFlag } from './state.js';

/**
 * Switches flowsentry's cpu kernels on (the default) or off: off restores tfjs's stock cpu kernels
 * and makes `gruSequence` / `lstmSequence` run the op-composition reference. For comparisons and
 * benchmarks; results agree to float32 rounding either way.
 */
export function setFlowsentryKernels(enabled: boolean): void {
  for (const config of KERNEL_OVERRIDES) {
    const replacement = enabled ? config : STOCK_KERNELS.get(config.kernelName);
    if (replacement === undefined) continue;
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
    tf.registerKernel(replacement);
  }
  setEnabledFlag(enabled);
}
