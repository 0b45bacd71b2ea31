import type { serialization } from '@tensorflow/tfjs-core';

/** Optimizer classes registered with tfjs's serialization map by `register.ts`. */
export const OPTIMIZER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [];
