import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../../errors.js';
import { biLstmFinalStates, biLstmSequence, type LstmDirectionWeights, lstmSequence } from '../../kernels/recurrent.js';
import { argsFromConfig, type DirectionWeights, type SequenceOps, StackedRecurrent, type StackedRecurrentArgs } from './stacked-recurrent.js';

/** Options of {@link lstm}: those of `torch.nn.LSTM` (batch first), see {@link StackedRecurrentArgs}. */
export interface LstmArgs extends StackedRecurrentArgs {
  /** Two directions, forward and backward, concatenated on the last axis (PyTorch `bidirectional`). Default false. */
  bidirectional?: boolean;
}

/** Options of {@link biLstm}: {@link LstmArgs} without `bidirectional` (always true). */
export type BiLstmArgs = Omit<LstmArgs, 'bidirectional'>;

/**
 * A stack of LSTM layers as `torch.nn.LSTM` (gates i, f, g, o; sigmoid gates, tanh cell input and
 * output), optionally bidirectional. Input `[batch, time, features]`; output
 * `[batch, time, directions * units]` with `returnSequences`, else the final hidden state
 * `[batch, directions * units]`. Weights per layer `l` and direction: `l{l}[_reverse]/kernel`
 * `[in, 4 units]`, `recurrent_kernel` `[units, 4 units]`, `bias` `[4 units]`: one bias, PyTorch's
 * `bias_ih + bias_hh` (so `countParams()` is 4 units per direction and layer lower than PyTorch's).
 */
export class LSTM extends StackedRecurrent<LstmDirectionWeights> {
  /** The name tfjs serialises and registers this class under (`tf.serialization.registerClass`). */
  static className = 'flowsentry.LSTM';
  protected readonly gates = 4;
  protected readonly biasNames = ['bias'] as const;

  constructor(args: LstmArgs) {
    super(args, args.bidirectional ?? false, 'lstm');
  }

  /** Keras's `unitForgetBias`: zeros except 1 on the forget gate, so early training does not forget. */
  protected kerasBias(_biasIndex: number, size: number): tf.Tensor1D {
    return tf.tidy(() => tf.concat([tf.zeros([this.units]), tf.ones([this.units]), tf.zeros([size - 2 * this.units])]) as tf.Tensor1D);
  }

  protected readonly ops: SequenceOps<LstmDirectionWeights> = { sequence: lstmSequence, bidirectional: biLstmSequence, finalStates: biLstmFinalStates };

  protected opWeights(weights: DirectionWeights): LstmDirectionWeights {
    const { kernel, recurrentKernel, biases } = this.read(weights);
    return { kernel, recurrentKernel, bias: biases[0] as tf.Tensor1D };
  }

  /**
   * Rebuilds a layer from the dict `getConfig` wrote (called by tfjs on model load).
   * @param cls The class to instantiate (this one).
   * @param config The dict written by `getConfig`.
   * @returns A new, unbuilt layer with the same options.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(argsFromConfig<LstmArgs>(config));
  }
}

/** An LSTM layer (PyTorch-compatible); see {@link LSTM}. */
export function lstm(args: LstmArgs): LSTM {
  return new LSTM(args);
}

/**
 * A bidirectional LSTM (PyTorch `nn.LSTM(..., bidirectional=True)`), as in CNN-BiLSTM and MSMRNet; see {@link LSTM}.
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { biLstm } from 'flowsentry';
 *
 * // CNN-BiLSTM: a convolution over the 78 flow features, then a bidirectional LSTM.
 * const model = tfl.sequential();
 * model.add(tfl.layers.conv1d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [78, 1] }));
 * model.add(biLstm({ units: 32 })); // final hidden states, [batch, 64]
 * model.add(tfl.layers.dense({ units: 5, activation: 'softmax' }));
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
 * ```
 */
export function biLstm(args: BiLstmArgs): LSTM {
  if ((args as LstmArgs).bidirectional === false) throw new ValueError('bidirectional', 'true or unset for biLstm (use lstm for one direction)', false);
  return new LSTM({ ...args, bidirectional: true });
}
