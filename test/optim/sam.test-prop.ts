import { fc, test } from '@fast-check/vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its CJS bundle registers tfjs-core's gradients
import { describe, expect } from 'vitest';
import { SAM } from '../../src/optim/index.js';

// -0 is mapped to +0: the sign of a zero weight may legitimately differ after a step at a perturbed point.
const weights = fc.array(fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)), { minLength: 1, maxLength: 6 });

describe('SAM invariants', () => {
  test.prop([weights, weights, fc.double({ min: 0, max: 10, noNaN: true }), fc.boolean()], { numRuns: 40 })(
    'restore is exact: with a zero learning rate a full step leaves the weights bit-identical to a bare zero-rate step',
    (a, b, rho, adaptive) => {
      // Compared with the bare optimizer rather than the inputs: SGD's w + (-0) g turns -0 into +0.
      const run = (wrap: boolean): number[] => {
        const va = tf.variable(tf.tensor1d(a));
        const vb = tf.variable(tf.tensor1d(b));
        const opt = wrap ? new SAM(tf.train.sgd(0), { rho, adaptive }) : tf.train.sgd(0);
        opt.minimize(() => tf.add(tf.sum(tf.cos(va)), tf.sum(tf.mul(vb, vb))) as tf.Scalar, false, [va, vb]);
        const bits = [...new Uint32Array(Float32Array.from(va.dataSync()).buffer), ...new Uint32Array(Float32Array.from(vb.dataSync()).buffer)];
        opt.dispose();
        tf.dispose([va, vb]);
        return bits;
      };
      expect(run(true)).toEqual(run(false));
    },
  );

  test.prop([weights, fc.double({ min: 1e-3, max: 5, noNaN: true })], { numRuns: 40 })(
    'the ascent step has length rho (SAM) over all variables together',
    (a, rho) => {
      const va = tf.variable(tf.tensor1d(a));
      const vb = tf.variable(tf.tensor1d(a.map((x) => x / 2 + 1)));
      const f = (): tf.Scalar => tf.add(tf.sum(tf.square(va)), tf.sum(tf.sin(vb))) as tf.Scalar;
      const g = tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.add(tf.sum(tf.square(x)), tf.sum(tf.sin(y))))([va, vb]).map((t) => Array.from(t.dataSync())));
      const gradNorm = Math.hypot(...g.flat());
      const before = [Array.from(va.dataSync()), Array.from(vb.dataSync())];
      const sam = new SAM(tf.train.sgd(0), { rho });
      sam.firstStep(f, [va, vb]).dispose();
      const step = [...Array.from(va.dataSync()).map((x, i) => x - before[0]![i]!), ...Array.from(vb.dataSync()).map((x, i) => x - before[1]![i]!)];
      if (gradNorm > 1e-3) expect(Math.abs(Math.hypot(...step) - rho)).toBeLessThan(1e-4 * Math.max(1, Math.max(...a.map(Math.abs))) + 1e-5 * rho);
      sam.secondStep(f, [va, vb]);
      sam.dispose();
      tf.dispose([va, vb]);
    },
  );
});
