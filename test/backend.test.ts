import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend, TFJS_NODE_GPU_REQUIREMENTS } from '../src/backend.js';

const missing = (id: string): never => {
  throw new Error(`Cannot find module '${id}'`);
};

/** Registers a fake 'tensorflow' backend, as tfjs-node would when loaded. */
function fakeTfjsNode(usingGpu: boolean): (id: string) => unknown {
  return (id: string) => {
    if (!id.startsWith('@tensorflow/tfjs-node')) return missing(id);
    if (!tf.findBackend('tensorflow')) {
      const cpu = tf.findBackend('cpu') as tf.KernelBackend;
      tf.registerBackend('tensorflow', () => Object.assign(Object.create(cpu) as object, { isUsingGpuDevice: usingGpu }) as unknown as tf.KernelBackend);
    }
    return {};
  };
}

afterEach(async () => {
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
  await tf.setBackend('cpu');
});

describe('selectBackend', () => {
  it('falls back to the embedded cpu backend and says why', async () => {
    const r = await selectBackend({ load: missing });
    expect(r).toMatchObject({ backend: 'cpu', provider: 'embedded', gpu: false, warnings: [] });
    expect(r.reason).toMatch(/neither @tensorflow\/tfjs-node-gpu nor @tensorflow\/tfjs-node is installed/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('prefers tfjs-node-gpu and reports a GPU in use', async () => {
    const r = await selectBackend({ load: fakeTfjsNode(true) });
    expect(r).toMatchObject({ backend: 'tensorflow', provider: '@tensorflow/tfjs-node-gpu', gpu: true, warnings: [] });
  });

  it('warns loudly when tfjs-node-gpu cannot use CUDA, naming the versions it needs', async () => {
    const r = await selectBackend({ load: fakeTfjsNode(false) });
    expect(r.gpu).toBe(false);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain(TFJS_NODE_GPU_REQUIREMENTS);
    expect(r.reason).toMatch(/GPU could not be used/);
  });

  it('reports a package that is installed but broken, then falls back', async () => {
    const load = (id: string) => {
      if (id === '@tensorflow/tfjs-node-gpu') throw new Error('libcudart.so.11.0: cannot open shared object file');
      return missing(id);
    };
    const r = await selectBackend({ load });
    expect(r.backend).toBe('cpu');
    expect(r.warnings[0]).toMatch(/tfjs-node-gpu is installed but failed to load: libcudart/);
  });

  it('throws when a forced backend is unavailable', async () => {
    await expect(selectBackend({ prefer: 'tensorflow', load: missing })).rejects.toThrow(/prefer 'tensorflow'/);
  });
});
