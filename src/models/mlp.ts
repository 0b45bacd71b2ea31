import * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import { buildFlowModel, positiveInt, type FlowModelOptions } from './builder.js';

/** Options of {@link mlp}. */
export interface MlpOptions extends FlowModelOptions {
  /** Units of each hidden ReLU layer, `dense_1`, `dense_2`, ... (default `[128, 64]`, scikit-learn's MLP baseline of the guides). */
  hiddenUnits?: number[];
}

/** A multilayer perceptron: the simplest model of the zoo, and the deep baseline of the guides. Default dropout 0. */
export function mlp(options: MlpOptions): tfl.LayersModel {
  const hidden = options.hiddenUnits ?? [128, 64];
  if (!Array.isArray(hidden) || hidden.length === 0) throw new ValueError('hiddenUnits', 'a non-empty array of positive integers', hidden);
  hidden.forEach((u, i) => positiveInt(`hiddenUnits[${i}]`, u));
  return buildFlowModel(
    options,
    (input, ctx) => {
      let x = input;
      hidden.forEach((units, i) => {
        x = tfl.layers.dense({ units, activation: 'relu', kernelInitializer: ctx.he(), name: `dense_${i + 1}` }).apply(x) as tfl.SymbolicTensor;
      });
      return x;
    },
    { dropout: 0, name: 'mlp' },
  );
}
