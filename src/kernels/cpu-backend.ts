import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-cpu's MathBackendCPU our kernels use. */
export interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  disposeIntermediateTensorInfo(info: tf.TensorInfo): void;
}

/** Names of the stock cpu kernels that KERNEL_OVERRIDES replaces. */
export const OVERRIDDEN_KERNELS = [
  'BatchMatMul',
  '_FusedMatMul',
  'Conv2D',
  'FusedConv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'Slice',
  'SplitV',
  'Sum',
  'Add',
  'Multiply',
  'Sub',
  'RealDiv',
  'Relu',
  'Step',
  'Neg',
  'Square',
  'PadV2',
  'Transpose',
  'Concat',
  'MaxPool',
  'MaxPoolGrad',
] as const;

/**
 * The stock cpu kernels, captured when this module is evaluated (register.ts imports the cpu
 * backend before our configs, so these are tfjs's own): the fallback for cases our kernels do not
 * cover, and what `setFlowsentryKernels(false)` restores.
 */
export const STOCK_KERNELS = new Map<string, tf.KernelConfig>();
for (const name of OVERRIDDEN_KERNELS) {
  const k = tf.getKernel(name, 'cpu');
  if (k !== undefined) STOCK_KERNELS.set(name, k);
}

/** Runs the stock cpu kernel `name` (or any registered cpu kernel) on tensor infos. */
export function runCpuKernel(
  name: string,
  inputs: tf.NamedTensorInfoMap,
  backend: CpuBackend,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const k = STOCK_KERNELS.get(name) ?? tf.getKernel(name, 'cpu');
  if (k === undefined) throw new Error(`flowsentry: cpu kernel ${name} is not registered`);
  return k.kernelFunc({ inputs, backend: backend as unknown as tf.KernelBackend, attrs }) as tf.TensorInfo;
}

/** The float32 values of a tensor info on the cpu backend (read-only: they are tfjs's storage). */
export function f32(backend: CpuBackend, t: tf.TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}
