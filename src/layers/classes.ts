import type { serialization } from '@tensorflow/tfjs-core';
import { CONV_LAYER_CLASSES } from './conv/classes.js';
import { RECURRENT_LAYER_CLASSES } from './recurrent/classes.js';

/**
 * Every custom layer class, registered with tfjs's serialization map by `register.ts` so that
 * `tf.loadLayersModel()` can rebuild models that use them.
 */
export const LAYER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [
  ...CONV_LAYER_CLASSES,
  ...RECURRENT_LAYER_CLASSES,
];
