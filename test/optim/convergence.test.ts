// One shared suite for every optimizer flowsentry provides (STYLE.md): SAM over SGD, momentum and
// Adam, and ASAM, must converge on a parabola and on the Rosenbrock function.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // its CJS bundle registers tfjs-core's gradients
import { describe, expect, it } from 'vitest';
import { SAM } from '../../src/optim/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

interface Problem {
  name: string;
  start: number[];
  minimum: number[];
  loss: (w: tf.Variable) => tf.Scalar;
}

const PARABOLA: Problem = {
  name: 'parabola',
  start: [3, -1],
  minimum: [1, -2],
  // f(w) = (w0 - 1)^2 + 10 (w1 + 2)^2
  loss: (w) => tf.sum(tf.mul(tf.square(tf.sub(w, tf.tensor1d([1, -2]))), tf.tensor1d([1, 10]))) as tf.Scalar,
};

const ROSENBROCK: Problem = {
  name: 'Rosenbrock',
  start: [-1.2, 1],
  minimum: [1, 1],
  // f(x, y) = (1 - x)^2 + 100 (y - x^2)^2
  loss: (w) => {
    const [x, y] = tf.unstack(w) as [tf.Scalar, tf.Scalar];
    return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))) as tf.Scalar;
  },
};

interface Candidate {
  name: string;
  make: (problem: Problem) => tf.Optimizer;
  steps: (problem: Problem) => number;
}

const isRosen = (p: Problem): boolean => p === ROSENBROCK;
// SAM's fixed point sits about rho from the minimum along Rosenbrock's flat valley, so rho is
// smaller there; step budgets are what plain first-order methods need from (-1.2, 1).
const rhoFor = (p: Problem): number => (isRosen(p) ? 1e-3 : 0.01);
const CANDIDATES: Candidate[] = [
  { name: 'SAM(SGD)', make: (p) => new SAM(tf.train.sgd(isRosen(p) ? 1.5e-3 : 0.04), { rho: rhoFor(p) }), steps: (p) => (isRosen(p) ? 4500 : 150) },
  { name: 'SAM(momentum)', make: (p) => new SAM(tf.train.momentum(isRosen(p) ? 1e-3 : 0.01, 0.9), { rho: rhoFor(p) }), steps: (p) => (isRosen(p) ? 1500 : 300) },
  { name: 'SAM(Adam)', make: (p) => new SAM(tf.train.adam(isRosen(p) ? 0.05 : 0.1), { rho: rhoFor(p) }), steps: (p) => (isRosen(p) ? 2000 : 400) },
  { name: 'ASAM(momentum)', make: (p) => new SAM(tf.train.momentum(isRosen(p) ? 1e-3 : 0.01, 0.9), { rho: rhoFor(p), adaptive: true }), steps: (p) => (isRosen(p) ? 1500 : 300) },
];

describe.each(CANDIDATES)('$name converges', (candidate) => {
  it.each([PARABOLA, ROSENBROCK])('on the $name function', async (problem) => {
    const w = tf.variable(tf.tensor1d(problem.start));
    const optimizer = candidate.make(problem);
    const f = (): tf.Scalar => problem.loss(w);
    const start = tf.tidy(() => f().dataSync()[0] as number);
    const steps = candidate.steps(problem);
    optimizer.minimize(f, false, [w]); // creates the base optimizer's state (moments): not a leak
    await expectNoLeaks(() => {
      for (let i = 1; i < steps; i++) optimizer.minimize(f, false, [w]);
    });
    const final = tf.tidy(() => f().dataSync()[0] as number);
    const distance = Math.hypot(...Array.from(w.dataSync()).map((v, i) => v - (problem.minimum[i] as number)));
    expect(final).toBeLessThan(start * 1e-3);
    expect(distance).toBeLessThan(isRosen(problem) ? 0.1 : 0.05); // Rosenbrock's valley is flat: f = 4e-3 at 0.09
    optimizer.dispose();
    w.dispose();
  });
});
