import * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import { biLstm } from '../layers/index.js';
import { buildFlowModel, positiveInt, type FlowModelOptions } from './builder.js';
import { asSequence } from './sequence.js';

/** Options of {@link cnnBiLstm}. */
export interface CnnBiLstmOptions extends FlowModelOptions {
  /** Filters of the Conv1D feature extractor, one conv + max-pool stage each (default `[32, 64]`). */
  convFilters?: number[];
  /** Kernel size of every Conv1D (default 3). */
  kernelSize?: number;
  /** Hidden units of each LSTM direction (default 64). */
  lstmUnits?: number;
  /** Dropout before the classifier (default 0.5). */
  dropout?: number;
}

/**
 * CNN-BiLSTM: the flow as a sequence of features, Conv1D + ReLU + max-pool(2) stages
 * (`conv_1`, `pool_1`, ...), a BiLSTM (`bilstm`) over the pooled sequence, dropout, softmax.
 */
export function cnnBiLstm(options: CnnBiLstmOptions): tfl.LayersModel {
  const filters = options.convFilters ?? [32, 64];
  if (!Array.isArray(filters) || filters.length === 0) throw new ValueError('convFilters', 'a non-empty array of positive integers', filters);
  filters.forEach((f, i) => positiveInt(`convFilters[${i}]`, f));
  const kernelSize = positiveInt('kernelSize', options.kernelSize ?? 3);
  const units = positiveInt('lstmUnits', options.lstmUnits ?? 64);
  if (Number.isInteger(options.inputDim) && options.inputDim < 2 ** filters.length) {
    throw new ValueError('inputDim', `at least ${2 ** filters.length} (one step left after ${filters.length} pools)`, options.inputDim);
  }
  return buildFlowModel(
    options,
    (input, ctx) => {
      let x = asSequence(input);
      filters.forEach((f, i) => {
        x = tfl.layers.conv1d({ filters: f, kernelSize, padding: 'same', activation: 'relu', kernelInitializer: ctx.he(), name: `conv_${i + 1}` }).apply(x) as tfl.SymbolicTensor;
        x = tfl.layers.maxPooling1d({ poolSize: 2, name: `pool_${i + 1}` }).apply(x) as tfl.SymbolicTensor;
      });
      return biLstm({ units, seed: ctx.seed(), name: 'bilstm' }).apply(x) as tfl.SymbolicTensor;
    },
    { dropout: 0.5, name: 'cnn_bilstm' },
  );
}
