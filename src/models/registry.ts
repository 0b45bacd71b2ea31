import type * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import type { FlowModelOptions } from './builder.js';
import { mlp } from './mlp.js';

/** A model builder of the zoo: options in, an uncompiled tfjs-layers model out. */
export type ModelBuilder = (options: FlowModelOptions & Record<string, unknown>) => tfl.LayersModel;

const REGISTRY = new Map<string, ModelBuilder>([['mlp', mlp as ModelBuilder]]);

/** Names of the architectures {@link buildModel} knows (the CLI's `--model`). */
export function modelNames(): string[] {
  return [...REGISTRY.keys()];
}

/** Registers an architecture under a name (used by the zoo itself; also for your own models in a Detector). */
export function registerModel(name: string, builder: ModelBuilder): void {
  REGISTRY.set(name, builder);
}

/** Builds a zoo model by name: `buildModel('rescae-bigru', { inputDim: 78, numClasses: 15 })`. */
export function buildModel(name: string, options: FlowModelOptions & Record<string, unknown>): tfl.LayersModel {
  const b = REGISTRY.get(name);
  if (!b) throw new ValueError('model', `one of ${modelNames().join(', ')}`, name);
  return b(options);
}
