import type { serialization } from '@tensorflow/tfjs-core';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';

/** Recurrent layer classes (GRU with resetAfter, BiGRU, BiLSTM). */
export const RECURRENT_LAYER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [GRU, LSTM];
