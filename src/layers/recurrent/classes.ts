import type { serialization } from '@tensorflow/tfjs-core';

/** Recurrent layer classes (GRU with resetAfter, BiGRU, BiLSTM). */
export const RECURRENT_LAYER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [];
