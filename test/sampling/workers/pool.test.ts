import { describe, expect, it } from 'vitest';
import { availableThreads, resolveThreads, runParallel, runParallelOrSerial } from '../../../src/sampling/workers/pool.js';

interface Task {
  counter: Int32Array;
  owner: Int32Array;
  out: Float64Array;
}

/** Squares 0..n-1 in chunks drawn from a shared counter, recording which thread did each chunk. */
function squares(task: Task): void {
  const id = Atomics.add(task.counter, 1, 1);
  for (;;) {
    const c = Atomics.add(task.counter, 0, 1);
    if (c >= task.owner.length) return;
    let spin = 0;
    for (let i = 0; i < 200_000; i++) spin += i & 1;
    for (let i = c * 100; i < c * 100 + 100; i++) task.out[i] = i * i + (spin < 0 ? 1 : 0);
    task.owner[c] = id;
  }
}

const makeTask = (): Task => ({
  counter: new Int32Array(new SharedArrayBuffer(8)),
  owner: new Int32Array(new SharedArrayBuffer(4 * 200)),
  out: new Float64Array(new SharedArrayBuffer(8 * 20_000)),
});

describe('worker pool', () => {
  it('runs a self-contained kernel on the calling thread and a worker, sharing the work', () => {
    const task = makeTask();
    const used = runParallel(squares, task, 2);
    expect(used).toBe(Math.min(2, availableThreads()));
    expect(Array.from(task.out)).toEqual(Array.from({ length: 20_000 }, (_, i) => i * i));
    // Every thread ran the kernel (which chunks each drew depends on the machine's load).
    expect(Atomics.load(task.counter, 1)).toBe(used);
  });

  it('one thread runs everything on the caller; nJobs resolves to the available cores', () => {
    const task = makeTask();
    expect(runParallelOrSerial(squares, () => task, 1)).toBe(1);
    expect(new Set(task.owner)).toEqual(new Set([0]));
    expect(resolveThreads(undefined)).toBe(availableThreads());
    expect(resolveThreads(1)).toBe(1);
    expect(resolveThreads(1000)).toBe(availableThreads());
  });
});
