/**
 * The one module with import-time side effects (listed in package.json "sideEffects").
 * Importing it: loads the embedded cpu backend, installs tfjs-core's chained tensor methods when
 * tfjs-core was loaded as CommonJS, registers flowsentry's layer and optimizer classes for
 * (de)serialization, and registers its kernels. Every public entry point imports it.
 */
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's CommonJS bundle (what Node loads for both import and require) registers no gradients;
// tfjs-layers' bundle registers them for every core op, so load it before anything differentiates.
import '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { installChainedOps } from './util/chained-ops.js';
import { LAYER_CLASSES } from './layers/classes.js';
import { OPTIMIZER_CLASSES } from './optim/classes.js';
import { KERNEL_CONFIGS, KERNEL_OVERRIDES } from './kernels/configs.js';

installChainedOps();
for (const cls of [...LAYER_CLASSES, ...OPTIMIZER_CLASSES]) tf.serialization.registerClass(cls);
for (const config of KERNEL_CONFIGS) {
  if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
}
for (const config of KERNEL_OVERRIDES) {
  if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}
