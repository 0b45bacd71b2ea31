import 'flowsentry/register';
import * as tf from '@tensorflow/tfjs-core';
import { biGruInferenceFused, gruSequenceFused } from './gru.js';
import { biLstmInferenceFused, lstmSequenceFused } from './lstm.js';
import { gruSequenceReference, lstmSequenceReference } from './recurrent-reference.js';
import type { BiGruSequenceArgs, BiLstmSequenceArgs, GruDirectionWeights, GruSequenceArgs, LstmDirectionWeights, LstmSequenceArgs } from './recurrent-types.js';
import { flowsentryKernelsEnabled } from './state.js';

export type { BiGruSequenceArgs, BiLstmSequenceArgs, GruDirectionWeights, GruSequenceArgs, LstmDirectionWeights, LstmSequenceArgs } from './recurrent-types.js';

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

/**
 * Both directions of a bidirectional GRU layer: `[batch, time, 2 * units]`, the forward direction's
 * outputs then the backward direction's, the values of
 * `tf.concat([gruSequence(forward), gruSequence({ ...backward, goBackwards: true })], 2)`, which it
 * runs while gradients are recorded and on other backends. Outside a gradient scope on the cpu
 * backend (inference; units a multiple of 8) it is one call: the inputs copied into the module once,
 * both directions' chunks in one parallel job, each writing its half of the output rows in place.
 */
export function biGruSequence(args: BiGruSequenceArgs): tf.Tensor3D {
  return bidirectional<BiGruSequenceArgs, GruDirectionWeights>(args, biGruInferenceFused, (x, w, goBackwards) => gruSequence({ x, ...w, goBackwards }));
}

/**
 * Both directions of a bidirectional LSTM layer: `[batch, time, 2 * units]`, the values of
 * `tf.concat([lstmSequence(forward), lstmSequence({ ...backward, goBackwards: true })], 2)`;
 * dispatched like {@link biGruSequence} (one call at inference on the cpu backend).
 */
export function biLstmSequence(args: BiLstmSequenceArgs): tf.Tensor3D {
  return bidirectional<BiLstmSequenceArgs, LstmDirectionWeights>(args, biLstmInferenceFused, (x, w, goBackwards) => lstmSequence({ x, ...w, goBackwards }));
}

/** The one-call inference path where it applies (non-null), else the concat of the two directions' ops. */
function bidirectional<A extends { x: tf.Tensor3D; forward: W; backward: W }, W>(
  args: A, fused: (a: A) => tf.Tensor3D | null, one: (x: tf.Tensor3D, w: W, goBackwards: boolean) => tf.Tensor3D,
): tf.Tensor3D {
  if (usesFusedRecurrentKernels()) {
    const y = fused(args);
    if (y !== null) return y;
  }
  return tf.tidy(() => tf.concat([one(args.x, args.forward, false), one(args.x, args.backward, true)], 2));
}
