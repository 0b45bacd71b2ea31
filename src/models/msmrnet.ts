import * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import { memoryResidual } from '../layers/index.js';
import { buildFlowModel, positiveInt, type FlowModelOptions } from './builder.js';
import { asSequence } from './sequence.js';

/** Options of {@link msmrNet}. */
export interface MsmrNetOptions extends FlowModelOptions {
  /** Stacked multi-scale memory(-residual) modules `mr_1` ... `mr_<depth>`: 5 or 10, as the paper's MSMRNet-5 / -10 (default 5). */
  depth?: 5 | 10;
  /** Identity shortcut around every module (default true: MSMRNet; false: the paper's MSMNet, to show degradation). */
  residual?: boolean;
  /**
   * Channels of the feature sequence the modules work on (default 1: the flow vector itself, as in
   * the paper, X_1 = X). Above 1, a 1x1 Conv1D `stem` lifts the features to this many channels.
   */
  channels?: number;
  /** Filters of each Conv1D branch inside a module (default 16). */
  filters?: number;
  /** Dropout before the classifier (default 0: the paper goes Flatten -> Dense softmax). */
  dropout?: number;
}

/** MSMRNet: 5 or 10 stacked multi-scale 1D-CNN + LSTM modules with (or without) identity shortcuts, Flatten, softmax. */
export function msmrNet(options: MsmrNetOptions): tfl.LayersModel {
  const depth = options.depth ?? 5;
  if (depth !== 5 && depth !== 10) throw new ValueError('depth', '5 or 10', depth);
  const residual = options.residual ?? true;
  if (typeof residual !== 'boolean') throw new ValueError('residual', 'a boolean', residual);
  const channels = positiveInt('channels', options.channels ?? 1);
  const filters = positiveInt('filters', options.filters ?? 16);
  return buildFlowModel(
    options,
    (input, ctx) => {
      let x = asSequence(input);
      if (channels > 1) x = tfl.layers.conv1d({ filters: channels, kernelSize: 1, kernelInitializer: ctx.glorot(), name: 'stem' }).apply(x) as tfl.SymbolicTensor;
      for (let i = 0; i < depth; i++) {
        x = memoryResidual({ filters, residual, seed: ctx.seed(), name: `mr_${i + 1}` }).apply(x) as tfl.SymbolicTensor;
      }
      return x;
    },
    { dropout: 0, name: `msmrnet_${depth}${residual ? '' : '_plain'}` },
  );
}
