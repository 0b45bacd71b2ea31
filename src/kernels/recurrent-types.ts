import type * as tf from '@tensorflow/tfjs-core';

/**
 * A whole GRU sequence in the reset-after (PyTorch / cuDNN) form:
 * z = sigmoid(x Wz + bz_i + h Uz + bz_h), r = sigmoid(x Wr + br_i + h Ur + br_h),
 * n = tanh(x Wn + bn_i + r * (h Un + bn_h)), h' = (1 - z) * n + z * h.
 * Gate blocks are laid out (z, r, n) along the last axis, as Keras stores a GRU with reset_after.
 */
export interface GruSequenceArgs {
  /** Inputs, `[batch, time, features]`. */
  x: tf.Tensor3D;
  /** Input weights, `[features, 3 * units]`, blocks (z, r, n). */
  kernel: tf.Tensor2D;
  /** Recurrent weights, `[units, 3 * units]`, blocks (z, r, n). */
  recurrentKernel: tf.Tensor2D;
  /** Input bias, `[3 * units]` (PyTorch `bias_ih`, reordered to z, r, n). */
  inputBias: tf.Tensor1D;
  /** Recurrent bias, `[3 * units]` (PyTorch `bias_hh`); its n block sits inside `r * (...)`. */
  recurrentBias: tf.Tensor1D;
  /** Initial hidden state `[batch, units]`; zeros when omitted. */
  initialState?: tf.Tensor2D;
  /** Run from the last time step to the first. Outputs stay aligned with the input's time steps (PyTorch semantics). */
  goBackwards?: boolean;
}

/**
 * A whole LSTM sequence: gates (i, f, g, o) along the last axis (the order of both Keras and PyTorch),
 * c' = f * c + i * g, h' = o * tanh(c'), sigmoid gates and tanh cell input.
 */
export interface LstmSequenceArgs {
  /** Inputs, `[batch, time, features]`. */
  x: tf.Tensor3D;
  /** Input weights, `[features, 4 * units]`. */
  kernel: tf.Tensor2D;
  /** Recurrent weights, `[units, 4 * units]`. */
  recurrentKernel: tf.Tensor2D;
  /** Bias `[4 * units]` (PyTorch `bias_ih + bias_hh`). */
  bias: tf.Tensor1D;
  /** Initial hidden and cell states `[batch, units]`; zeros when omitted. */
  initialState?: {
    /** Initial hidden state `h0`, `[batch, units]`. */
    h: tf.Tensor2D;
    /** Initial cell state `c0`, `[batch, units]`. */
    c: tf.Tensor2D;
  };
  /** Run from the last time step to the first; outputs stay aligned with the input's time steps. */
  goBackwards?: boolean;
}

/** Every hidden state of the sequence, `[batch, time, units]`, differentiable w.r.t. all tensor inputs. */
export type RecurrentSequenceOp<A> = (args: A) => tf.Tensor3D;

/** The weights of one direction of a GRU, as in {@link GruSequenceArgs}. */
export type GruDirectionWeights = Pick<GruSequenceArgs, 'kernel' | 'recurrentKernel' | 'inputBias' | 'recurrentBias'>;

/**
 * Both directions of a bidirectional GRU layer over the same inputs, from zero states: the
 * forward direction and the backward one (`goBackwards`), outputs side by side on the last axis.
 */
export interface BiGruSequenceArgs {
  /** Inputs, `[batch, time, features]`. */
  x: tf.Tensor3D;
  /** The forward direction's weights. */
  forward: GruDirectionWeights;
  /** The backward direction's weights. */
  backward: GruDirectionWeights;
}

/** The weights of one direction of an LSTM, as in {@link LstmSequenceArgs}. */
export type LstmDirectionWeights = Pick<LstmSequenceArgs, 'kernel' | 'recurrentKernel' | 'bias'>;

/** Both directions of a bidirectional LSTM layer, as {@link BiGruSequenceArgs} for the GRU. */
export interface BiLstmSequenceArgs {
  /** Inputs, `[batch, time, features]`. */
  x: tf.Tensor3D;
  /** The forward direction's weights. */
  forward: LstmDirectionWeights;
  /** The backward direction's weights. */
  backward: LstmDirectionWeights;
}
