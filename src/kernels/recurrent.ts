import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { gruSequenceFused } from './gru.js';
import { lstmSequenceFused } from './lstm.js';
import { gruSequenceReference, lstmSequenceReference } from './recurrent-reference.js';
import type { GruSequenceArgs, LstmSequenceArgs } from './recurrent-types.js';
import { flowsentryKernelsEnabled } from './state.js';

export type { GruSequenceArgs, LstmSequenceArgs } from './recurrent-types.js';

/** Backends on which the fused sequence kernels run (they read tensors synchronously as Float32Arrays). */
const FUSED_BACKENDS = new Set(['cpu']);

/** True when `gruSequence` / `lstmSequence` run the fused kernels on the active backend. */
export function usesFusedRecurrentKernels(): boolean {
  return flowsentryKernelsEnabled() && FUSED_BACKENDS.has(tf.getBackend());
}

/**
 * A whole GRU sequence (reset-after form, see {@link GruSequenceArgs}): the fused kernel on the
 * embedded cpu backend, the op-composition reference on every other backend (tfjs-node,
 * tfjs-node-gpu, webgl, wasm). Both agree to float32 rounding, gradients included.
 */
export function gruSequence(args: GruSequenceArgs): tf.Tensor3D {
  return usesFusedRecurrentKernels() ? gruSequenceFused(args) : gruSequenceReference(args);
}

/** A whole LSTM sequence (see {@link LstmSequenceArgs}); dispatched like {@link gruSequence}. */
export function lstmSequence(args: LstmSequenceArgs): tf.Tensor3D {
  return usesFusedRecurrentKernels() ? lstmSequenceFused(args) : lstmSequenceReference(args);
}
