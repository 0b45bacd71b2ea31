import type { KernelConfig } from '@tensorflow/tfjs-core';
import { CONV_KERNELS } from './conv.js';
import { ELEMENTWISE_KERNELS } from './elementwise.js';
import { MATMUL_KERNELS } from './matmul.js';
import { MAX_POOL_KERNELS } from './max-pool.js';

/**
 * Kernels flowsentry registers with tfjs (fused recurrent sequences, convolution gradients, ...).
 * `register.ts` registers each one whose kernel name and backend are not registered yet.
 */
export const KERNEL_CONFIGS: KernelConfig[] = [];

/**
 * Stock kernels that flowsentry replaces with faster versions on a backend (same name and
 * semantics; e.g. Conv2DBackpropFilter on cpu). Registered after unregistering the stock one.
 */
export const KERNEL_OVERRIDES: KernelConfig[] = [...MATMUL_KERNELS, ...CONV_KERNELS, ...ELEMENTWISE_KERNELS, ...MAX_POOL_KERNELS];
