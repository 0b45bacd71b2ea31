import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors.js';
import { biGruFinalStates, biGruSequence, type GruDirectionWeights, gruSequence } from '../../kernels/recurrent.js';
import { argsFromConfig, type DirectionWeights, type SequenceOps, StackedRecurrent, type StackedRecurrentArgs } from './stacked-recurrent.js';

/** Options of {@link gru}: those of `torch.nn.GRU` (batch first), see {@link StackedRecurrentArgs}. */
export interface GruArgs extends StackedRecurrentArgs {
  /** Two directions, forward and backward, concatenated on the last axis (PyTorch `bidirectional`). Default false. */
  bidirectional?: boolean;
  /**
   * Apply the reset gate after the recurrent matrix product, `n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`,
   * with separate input and recurrent biases: the PyTorch / cuDNN form, the only one implemented.
   * Default (and only accepted value) true; `false` (the original Cho et al. form) throws.
   */
  resetAfter?: boolean;
}

/** Options of {@link biGru}: {@link GruArgs} without `bidirectional` (always true). */
export type BiGruArgs = Omit<GruArgs, 'bidirectional'>;

/**
 * A stack of GRU layers in the reset-after form of `torch.nn.GRU` (sigmoid gates, tanh candidate),
 * optionally bidirectional. Input `[batch, time, features]`; output `[batch, time, directions * units]`
 * with `returnSequences`, else the final hidden state `[batch, directions * units]`.
 * Weights per layer `l` and direction: `l{l}[_reverse]/kernel` `[in, 3 units]`,
 * `recurrent_kernel` `[units, 3 units]`, `input_bias` and `recurrent_bias` `[3 units]`, gate blocks
 * (z, r, n) as Keras stores them; {@link importTorchWeights} loads a PyTorch state dict into them.
 */
export class GRU extends StackedRecurrent<GruDirectionWeights> {
  /** The name tfjs serialises and registers this class under (`tf.serialization.registerClass`). */
  static className = 'flowsentry.GRU';
  /** Always true: the reset gate is applied after the recurrent matrix product (PyTorch / cuDNN form). */
  readonly resetAfter = true;
  protected readonly gates = 3;
  protected readonly biasNames = ['input_bias', 'recurrent_bias'] as const;

  constructor(args: GruArgs) {
    super(args, args.bidirectional ?? false, 'gru');
    if (args.resetAfter !== undefined && args.resetAfter !== true) {
      throw new ValueError('resetAfter', 'true (only the reset-after GRU of PyTorch / cuDNN is implemented)', args.resetAfter);
    }
  }

  protected kerasBias(): null {
    return null;
  }

  protected readonly ops: SequenceOps<GruDirectionWeights> = { sequence: gruSequence, bidirectional: biGruSequence, finalStates: biGruFinalStates };

  protected opWeights(weights: DirectionWeights): GruDirectionWeights {
    const { kernel, recurrentKernel, biases } = this.read(weights);
    const [inputBias, recurrentBias] = biases as [tf.Tensor1D, tf.Tensor1D];
    return { kernel, recurrentKernel, inputBias, recurrentBias };
  }

  /** The constructor options as a JSON-serialisable dict, so `model.save()` / `tf.loadLayersModel()` can rebuild the layer. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }

  /**
   * Rebuilds a layer from the dict {@link GRU.getConfig} wrote (called by tfjs on model load).
   * @param cls The class to instantiate (this one).
   * @param config The dict written by `getConfig`.
   * @returns A new, unbuilt layer with the same options.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(argsFromConfig<GruArgs>(config));
  }
}

/**
 * A GRU layer (reset-after, PyTorch-compatible); see {@link GRU}.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { gru } from 'flowsentry';
 *
 * const model = tfl.sequential();
 * model.add(gru({ units: 32, numLayers: 2, dropout: 0.1, seed: 1, inputShape: [10, 8] }));
 * model.add(tfl.layers.dense({ units: 2, activation: 'softmax' }));
 * const probabilities = model.predict(tf.randomNormal([4, 10, 8])) as tf.Tensor; // [4, 2]
 * ```
 */
export function gru(args: GruArgs): GRU {
  return new GRU(args);
}

/**
 * A bidirectional GRU (PyTorch `nn.GRU(..., bidirectional=True)`); see {@link GRU}.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { biGru } from 'flowsentry';
 *
 * const layer = biGru({ units: 16, returnSequences: true });
 * const out = layer.apply(tf.zeros([2, 5, 3])) as tf.Tensor; // [2, 5, 32]: forward and backward states side by side
 * ```
 */
export function biGru(args: BiGruArgs): GRU {
  if ((args as GruArgs).bidirectional === false) throw new ValueError('bidirectional', 'true or unset for biGru (use gru for one direction)', false);
  return new GRU({ ...args, bidirectional: true });
}
