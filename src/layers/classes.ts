import type { serialization } from '@tensorflow/tfjs-core';

/**
 * Every custom layer class, registered with tfjs's serialization map by `register.ts` so that
 * `tf.loadLayersModel()` can rebuild models that use them. Add each new layer class here.
 */
export const LAYER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [];
