import * as tf from '@tensorflow/tfjs-core';
import { type CpuBackend, f32, runCpuKernel } from './cpu-backend.js';
import { gemm } from './gemm.js';

/** cpu BatchMatMul on our SIMD product; same semantics as tfjs's (transposes, broadcast batch). */
function batchMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const a = args.inputs['a'] as tf.TensorInfo;
  const b = args.inputs['b'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return runCpuKernel('BatchMatMul', args.inputs, backend, attrs);
  const transA = attrs['transposeA'] === true;
  const transB = attrs['transposeB'] === true;
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = (transA ? a.shape[ar - 1] : a.shape[ar - 2]) as number;
  const k = (transA ? a.shape[ar - 2] : a.shape[ar - 1]) as number;
  const kb = (transB ? b.shape[br - 1] : b.shape[br - 2]) as number;
  const n = (transB ? b.shape[br - 2] : b.shape[br - 1]) as number;
  if (k !== kb) return runCpuKernel('BatchMatMul', args.inputs, backend, attrs); // stock error message
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
  const batch = Math.max(batchA, batchB);
  const av = f32(backend, a);
  const bv = f32(backend, b);
  const out = new Float32Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    const ia = i % batchA;
    const ib = i % batchB;
    gemm({
      m,
      n,
      k,
      a: av.subarray(ia * m * k, (ia + 1) * m * k),
      transA,
      b: bv.subarray(ib * k * n, (ib + 1) * k * n),
      transB,
      c: out.subarray(i * m * n, (i + 1) * m * n),
    });
  }
  return backend.makeTensorInfo([...outer, m, n], 'float32', out);
}

const ACTIVATION_KERNELS: Record<string, string> = {
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  leakyrelu: 'LeakyRelu',
  prelu: 'Prelu',
};

/** cpu _FusedMatMul (what tfjs-layers' Dense runs): our product, then tfjs's bias add and activation. */
function fusedMatMul(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  let current = batchMatMul({ inputs: { a: a as tf.TensorInfo, b: b as tf.TensorInfo }, backend, attrs });
  if (bias !== undefined) {
    const next = runCpuKernel('Add', { a: current, b: bias }, backend);
    backend.disposeIntermediateTensorInfo(current);
    current = next;
  }
  const activation = attrs['activation'] as string | undefined;
  if (activation !== undefined && activation !== 'linear') {
    const kernel = ACTIVATION_KERNELS[activation];
    if (kernel === undefined) throw new Error(`Activation ${activation} has not been implemented for the CPU backend.`);
    const inputs: tf.NamedTensorInfoMap = { x: current };
    if (activation === 'prelu' && preluActivationWeights !== undefined) inputs['alpha'] = preluActivationWeights;
    const next = runCpuKernel(kernel, inputs, backend, activation === 'leakyrelu' ? { alpha: attrs['leakyreluAlpha'] as number } : {});
    backend.disposeIntermediateTensorInfo(current);
    current = next;
  }
  return current;
}

/** BatchMatMul and _FusedMatMul for the cpu backend on the SIMD product. */
export const MATMUL_KERNELS: tf.KernelConfig[] = [
  { kernelName: 'BatchMatMul', backendName: 'cpu', kernelFunc: batchMatMul as unknown as tf.KernelFunc },
  { kernelName: '_FusedMatMul', backendName: 'cpu', kernelFunc: fusedMatMul as unknown as tf.KernelFunc },
];
