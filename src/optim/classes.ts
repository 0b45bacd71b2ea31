import type { serialization } from '@tensorflow/tfjs-core';
import { SAM } from './sam.js';
import { ScheduledOptimizer } from './schedules.js';

/** Optimizer classes registered with tfjs's serialization map by `register.ts`. */
export const OPTIMIZER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [
  SAM as unknown as serialization.SerializableConstructor<serialization.Serializable>,
  ScheduledOptimizer as unknown as serialization.SerializableConstructor<serialization.Serializable>,
];
