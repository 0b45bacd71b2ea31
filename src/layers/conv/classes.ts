import type { serialization } from '@tensorflow/tfjs-core';
import { MemoryResidual } from './memory-residual.js';
import { MultiScaleResidual } from './multi-scale-residual.js';
import { SplitResidualBlock } from './split-residual-block.js';

/** Convolutional layer classes (multi-scale residual, memory residual, split residual; ResCAE is built from them). */
export const CONV_LAYER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [
  MultiScaleResidual,
  MemoryResidual,
  SplitResidualBlock,
];
