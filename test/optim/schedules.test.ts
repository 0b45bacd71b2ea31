import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers'; // its CJS bundle also registers tfjs-core's gradients
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../src/errors.js';
import { cosineAnnealing, linearWarmup, SAM, withSchedule } from '../../src/optim/index.js';
import { expectNoLeaks } from '../helpers/leaks.js';

interface Case {
  kind: 'cosine' | 'warmupCosine' | 'warmupConstant';
  learningRate: number;
  tMax?: number;
  etaMin?: number;
  warmupSteps?: number;
  startFactor?: number;
  lr: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/optim/schedules.json', import.meta.url), 'utf8')) as { cases: Case[] };

function scheduleFor(c: Case): (step: number) => number {
  const cosine = (): ((s: number) => number) => cosineAnnealing({ learningRate: c.learningRate, tMax: c.tMax!, etaMin: c.etaMin! });
  if (c.kind === 'cosine') return cosine();
  return linearWarmup({ warmupSteps: c.warmupSteps!, startFactor: c.startFactor!, after: c.kind === 'warmupCosine' ? cosine() : c.learningRate });
}

describe('schedules equal PyTorch schedulers (CosineAnnealingLR, LinearLR, SequentialLR)', () => {
  it.each(fixture.cases.map((c, i) => [`${c.kind} #${i}`, c] as const))('%s', (_, c) => {
    const schedule = scheduleFor(c);
    c.lr.forEach((expected, step) => {
      expect(Math.abs(schedule(step) - expected), `step ${step}`).toBeLessThanOrEqual(1e-12 + 1e-9 * expected);
    });
  });

  it('rejects bad options and steps', () => {
    expect(() => cosineAnnealing({ learningRate: 0.1, tMax: 0 })).toThrow(/tMax/);
    expect(() => cosineAnnealing({ learningRate: 0.1, tMax: 5, etaMin: 1 })).toThrow(/etaMin/);
    expect(() => cosineAnnealing({ learningRate: -1, tMax: 5 })).toThrow(ValueError);
    expect(() => linearWarmup({ warmupSteps: 2.5, after: 0.1 })).toThrow(/warmupSteps/);
    expect(() => linearWarmup({ warmupSteps: 2, after: 0.1, startFactor: 2 })).toThrow(/startFactor/);
    expect(() => cosineAnnealing({ learningRate: 0.1, tMax: 5 })(-1)).toThrow(/step/);
  });
});

describe('withSchedule', () => {
  it('sets the rate before every update: SGD steps follow the schedule', () => {
    const w = tf.variable(tf.scalar(0));
    const rates = [0.5, 0.25, 0.125, 0.0625];
    const opt = withSchedule(tf.train.sgd(99), (s) => rates[s]!);
    // f = -w: gradient -1, so each step adds exactly the learning rate.
    const f = (): tf.Scalar => tf.neg(w);
    let expected = 0;
    for (const r of rates) {
      opt.minimize(f, false, [w]);
      expected += r;
      expect(w.dataSync()[0]).toBeCloseTo(expected, 6);
    }
    expect(opt.step).toBe(4);
    opt.dispose();
    w.dispose();
  });

  it('every: per-epoch schedules advance once per `every` updates', () => {
    const seen: number[] = [];
    const w = tf.variable(tf.scalar(0));
    const opt = withSchedule(tf.train.adam(1), (s) => {
      seen.push(s);
      return 0.1 / (s + 1);
    }, { every: 3 });
    for (let i = 0; i < 7; i++) opt.applyGradients({ [w.name]: tf.scalar(1) });
    expect(seen).toEqual([0, 0, 0, 1, 1, 1, 2]);
    expect((opt.base as unknown as { learningRate: number }).learningRate).toBeCloseTo(0.1 / 3, 12);
    opt.dispose();
    w.dispose();
  });

  it('drives SAM (through its base optimizer) without leaking', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const sam = new SAM(tf.train.momentum(0.1, 0.9), { rho: 0.05 });
    const opt = withSchedule(sam, cosineAnnealing({ learningRate: 0.1, tMax: 4, etaMin: 0.01 }));
    const f = (): tf.Scalar => tf.sum(tf.square(w)) as tf.Scalar;
    opt.minimize(f, false, [w]);
    await expectNoLeaks(() => {
      for (let i = 0; i < 3; i++) opt.minimize(f, true, [w])?.dispose();
    });
    expect(sam.getLearningRate()).toBeCloseTo(0.01 + (0.09 * (1 + Math.cos((Math.PI * 3) / 4))) / 2, 12);
    opt.dispose();
    w.dispose();
  });

  it('model.save / loadLayersModel with includeOptimizer restores the base optimizer at its last rate', async () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 1, inputShape: [2] }));
    model.compile({ optimizer: withSchedule(tf.train.adam(1), (s) => 0.1 / (s + 1)), loss: 'meanSquaredError' });
    const x = tf.ones([4, 2]);
    const y = tf.zeros([4, 1]);
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.optimizer.getClassName()).toBe('Adam');
    expect(loaded.optimizer.getConfig()['learningRate']).toBeCloseTo(0.1 / 3, 12); // set before the 3rd update
    model.dispose();
    loaded.dispose();
    tf.dispose([x, y]);
  });

  it('rejects optimizers without a learning rate and non-functions', () => {
    expect(() => withSchedule(tf.train.sgd(0.1), 0.1 as unknown as (s: number) => number)).toThrow(/schedule/);
    expect(() => withSchedule({} as tf.Optimizer, () => 0.1)).toThrow(/optimizer/);
    expect(() => withSchedule(null as unknown as tf.Optimizer, () => 0.1)).toThrow(ValueError);
    expect(() => withSchedule(tf.train.sgd(0.1), () => 0.1, { every: 0 })).toThrow(/every/);
  });
});
