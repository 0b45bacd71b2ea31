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
  return bidirectional<BiGruSequenceArgs, GruDirectionWeights>(args, false, biGruInferenceFused, gruDirection) as tf.Tensor3D;
}

/**
 * The final states of both directions of a bidirectional GRU layer: `[batch, 2 * units]`, the
 * forward direction's output at the last time step then the backward direction's at the first (the
 * state after each direction's last step: PyTorch's `cat([h_n[-2], h_n[-1]], 1)`, a Keras
 * `Bidirectional(GRU)` without `returnSequences`). The values of slicing {@link biGruSequence}'s
 * output there; at inference on the cpu backend the same one call, copying out only these rows.
 */
export function biGruFinalStates(args: BiGruSequenceArgs): tf.Tensor2D {
  return bidirectional<BiGruSequenceArgs, GruDirectionWeights>(args, true, biGruInferenceFused, gruDirection) as tf.Tensor2D;
}

/**
 * Both directions of a bidirectional LSTM layer: `[batch, time, 2 * units]`, the values of
 * `tf.concat([lstmSequence(forward), lstmSequence({ ...backward, goBackwards: true })], 2)`;
 * dispatched like {@link biGruSequence} (one call at inference on the cpu backend).
 */
export function biLstmSequence(args: BiLstmSequenceArgs): tf.Tensor3D {
  return bidirectional<BiLstmSequenceArgs, LstmDirectionWeights>(args, false, biLstmInferenceFused, lstmDirection) as tf.Tensor3D;
}

/** The final states of both directions of a bidirectional LSTM layer, `[batch, 2 * units]`, as {@link biGruFinalStates}. */
export function biLstmFinalStates(args: BiLstmSequenceArgs): tf.Tensor2D {
  return bidirectional<BiLstmSequenceArgs, LstmDirectionWeights>(args, true, biLstmInferenceFused, lstmDirection) as tf.Tensor2D;
}

const gruDirection = (x: tf.Tensor3D, w: GruDirectionWeights, goBackwards: boolean) => gruSequence({ x, ...w, goBackwards });
const lstmDirection = (x: tf.Tensor3D, w: LstmDirectionWeights, goBackwards: boolean) => lstmSequence({ x, ...w, goBackwards });

/**
 * The one-call inference path where it applies (non-null), else the two directions' ops: their
 * concat, or (`finalOnly`) each one's final state sliced and the two concatenated.
 */
function bidirectional<A extends { x: tf.Tensor3D; forward: W; backward: W }, W>(
  args: A, finalOnly: boolean, fused: (a: A, finalOnly: boolean) => tf.Tensor | null, one: (x: tf.Tensor3D, w: W, goBackwards: boolean) => tf.Tensor3D,
): tf.Tensor {
  if (usesFusedRecurrentKernels()) {
    const y = fused(args, finalOnly);
    if (y !== null) return y;
  }
  return tf.tidy(() => {
    const f = one(args.x, args.forward, false);
    const b = one(args.x, args.backward, true);
    if (!finalOnly) return tf.concat([f, b], 2);
    const [batch, time, units] = f.shape;
    const last = tf.slice(f, [0, time - 1, 0], [batch, 1, units]);
    const first = tf.slice(b, [0, 0, 0], [batch, 1, units]);
    return tf.reshape(tf.concat([last, first], 2), [batch, 2 * units]);
  });
}
