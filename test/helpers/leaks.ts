import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Runs `fn` and asserts that the number of live tensors is unchanged afterwards.
 * Returns what `fn` returned (which must not hold tensors that are still alive).
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  expect(after - before, `tensor leak: ${after - before} tensors created and not disposed`).toBe(0);
  return result;
}
