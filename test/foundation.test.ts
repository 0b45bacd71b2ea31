import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { installChainedOps } from '../src/util/chained-ops.js';
import { expectNoLeaks } from './helpers/leaks.js';

describe('register', () => {
  it('installs chained tensor methods that tfjs-core CommonJS lacks', async () => {
    expect(installChainedOps()).toBe(0); // already installed by register at setup
    await expectNoLeaks(() => {
      const t = tf.tensor2d([[1, 2], [3, 4]]);
      const flat = (t as unknown as { flatten(): tf.Tensor }).flatten();
      expect(flat.shape).toEqual([4]);
      const s = tf.tidy(() => tf.sum((t as unknown as { add(b: tf.Tensor): tf.Tensor }).add(tf.scalar(1))));
      expect(s.dataSync()[0]).toBe(14);
      tf.dispose([t, flat, s]);
    });
  });
});
