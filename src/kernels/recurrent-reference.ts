/**
 * Op-composition reference of the whole-sequence recurrent ops (contract: `recurrent-types.ts`).
 * Built from standard tfjs ops only, so it runs (and differentiates) on every backend; the fused
 * kernels are tested against it. Cost: the input projection of all time steps is one matMul,
 * then one recurrent matMul per step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import type { GruSequenceArgs, LstmSequenceArgs } from './recurrent-types.js';

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function expectShape(name: string, tensor: tf.Tensor, expected: readonly number[]): void {
  const ok = tensor.rank === expected.length && expected.every((d, i) => tensor.shape[i] === d);
  if (!ok) throw new ShapeError(name, `shape ${describeShape(expected)}`, tensor);
}

/** Checks the shapes shared by both ops; returns (batch, time, features, units). */
function checkSequenceArgs(
  op: string,
  x: tf.Tensor,
  kernel: tf.Tensor,
  recurrentKernel: tf.Tensor,
  gates: number,
): [number, number, number, number] {
  if (x.rank !== 3) throw new ShapeError(`${op}: x`, 'a rank-3 tensor [batch, time, features]', x);
  const [batch, time, features] = x.shape as [number, number, number];
  if (time < 1) throw new ShapeError(`${op}: x`, 'at least one time step', x);
  if (recurrentKernel.rank !== 2 || recurrentKernel.shape[1] !== gates * (recurrentKernel.shape[0] ?? 0)) {
    throw new ShapeError(`${op}: recurrentKernel`, `shape [units, ${gates} * units]`, recurrentKernel);
  }
  const units = recurrentKernel.shape[0] as number;
  expectShape(`${op}: kernel`, kernel, [features, gates * units]);
  return [batch, time, features, units];
}

/** The input projection of every time step at once: `[time]` tensors of `[batch, gates * units]`. */
function projectInputs(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D[] {
  const [batch, time, features] = x.shape;
  const projected = tf.add(tf.matMul(tf.reshape(x, [batch * time, features]), kernel), bias);
  const width = kernel.shape[1];
  // tfjs's Unpack gradient breaks on a single output (it receives dy, not [dy]): no unstack for T = 1.
  if (time === 1) return [tf.reshape(projected, [batch, width])];
  return tf.unstack(tf.reshape(projected, [batch, time, width]), 1) as tf.Tensor2D[];
}

/** Visit order of the time steps; outputs are always stored at their own step. */
function stepOrder(time: number, goBackwards: boolean): number[] {
  const order = Array.from({ length: time }, (_, t) => t);
  return goBackwards ? order.reverse() : order;
}

/**
 * A whole GRU sequence, reset-after (PyTorch / cuDNN) form, as a composition of tfjs ops.
 * Returns every hidden state, `[batch, time, units]`, aligned with the input's time steps.
 */
export function gruSequenceReference(args: GruSequenceArgs): tf.Tensor3D {
  const { x, kernel, recurrentKernel, inputBias, recurrentBias, initialState } = args;
  const [batch, time, , units] = checkSequenceArgs('gruSequence', x, kernel, recurrentKernel, 3);
  expectShape('gruSequence: inputBias', inputBias, [3 * units]);
  expectShape('gruSequence: recurrentBias', recurrentBias, [3 * units]);
  if (initialState !== undefined) expectShape('gruSequence: initialState', initialState, [batch, units]);

  return tf.tidy(() => {
    const inputs = projectInputs(x, kernel, inputBias);
    let h: tf.Tensor2D = initialState ?? tf.zeros([batch, units]);
    const outputs: tf.Tensor2D[] = new Array<tf.Tensor2D>(time);
    for (const t of stepOrder(time, args.goBackwards ?? false)) {
      const xt = inputs[t] as tf.Tensor2D;
      const ht = tf.add(tf.matMul(h, recurrentKernel), recurrentBias);
      // z and r share one sigmoid; n keeps its recurrent part apart so r can scale it (reset-after).
      const zr = tf.sigmoid(tf.add(tf.slice(xt, [0, 0], [batch, 2 * units]), tf.slice(ht, [0, 0], [batch, 2 * units])));
      const z = tf.slice(zr, [0, 0], [batch, units]);
      const r = tf.slice(zr, [0, units], [batch, units]);
      const n = tf.tanh(
        tf.add(tf.slice(xt, [0, 2 * units], [batch, units]), tf.mul(r, tf.slice(ht, [0, 2 * units], [batch, units]))),
      );
      // h' = (1 - z) * n + z * h = n + z * (h - n)
      h = tf.add(n, tf.mul(z, tf.sub(h, n)));
      outputs[t] = h;
    }
    return tf.stack(outputs, 1) as tf.Tensor3D;
  });
}

/**
 * A whole LSTM sequence (gates i, f, g, o), as a composition of tfjs ops.
 * Returns every hidden state, `[batch, time, units]`, aligned with the input's time steps.
 */
export function lstmSequenceReference(args: LstmSequenceArgs): tf.Tensor3D {
  const { x, kernel, recurrentKernel, bias, initialState } = args;
  const [batch, time, , units] = checkSequenceArgs('lstmSequence', x, kernel, recurrentKernel, 4);
  expectShape('lstmSequence: bias', bias, [4 * units]);
  if (initialState !== undefined) {
    expectShape('lstmSequence: initialState.h', initialState.h, [batch, units]);
    expectShape('lstmSequence: initialState.c', initialState.c, [batch, units]);
  }

  return tf.tidy(() => {
    const inputs = projectInputs(x, kernel, bias);
    let h: tf.Tensor2D = initialState?.h ?? tf.zeros([batch, units]);
    let c: tf.Tensor2D = initialState?.c ?? tf.zeros([batch, units]);
    const outputs: tf.Tensor2D[] = new Array<tf.Tensor2D>(time);
    for (const t of stepOrder(time, args.goBackwards ?? false)) {
      const gates = tf.add(inputs[t] as tf.Tensor2D, tf.matMul(h, recurrentKernel));
      const inputForget = tf.sigmoid(tf.slice(gates, [0, 0], [batch, 2 * units]));
      const i = tf.slice(inputForget, [0, 0], [batch, units]);
      const f = tf.slice(inputForget, [0, units], [batch, units]);
      const o = tf.sigmoid(tf.slice(gates, [0, 3 * units], [batch, units]));
      const g = tf.tanh(tf.slice(gates, [0, 2 * units], [batch, units]));
      c = tf.add(tf.mul(f, c), tf.mul(i, g));
      h = tf.mul(o, tf.tanh(c));
      outputs[t] = h;
    }
    return tf.stack(outputs, 1) as tf.Tensor3D;
  });
}
