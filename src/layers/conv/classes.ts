import type { serialization } from '@tensorflow/tfjs-core';
import { MultiScaleResidual } from './multi-scale-residual.js';
import { SplitResidualBlock } from './split-residual-block.js';

/** Convolutional layer classes (multi-scale residual, memory residual, split residual, ResCAE). */
export const CONV_LAYER_CLASSES: serialization.SerializableConstructor<serialization.Serializable>[] = [MultiScaleResidual, SplitResidualBlock];
