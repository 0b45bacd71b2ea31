import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { ValueError } from '../../errors.js';
import { lstmSequence } from '../../kernels/recurrent.js';
import {
  checkActivation,
  checkIntList,
  checkKernelsFit,
  checkPositiveInt,
  ConvCompositeLayer,
  firstTensor,
  fromConfigArgs,
  isTraining,
  singleInputShape,
  type ConvActivation,
  type ConvCommonArgs,
  type MultiScaleWeights,
} from './common.js';
import type { BranchMerge } from './multi-scale-residual.js';

/** Options of {@link memoryResidual}. */
export interface MemoryResidualArgs extends ConvCommonArgs {
  /** Filters of each Conv1D branch: one number for all, or one per kernel size. Default 16. */
  filters?: number | number[];
  /** Kernel sizes of the parallel Conv1D branches. Default `[1, 3, 5]`. */
  kernelSizes?: number[];
  /** Merge of the branches before the LSTM. Default `'concat'`. */
  merge?: BranchMerge;
  /** Activation after each branch's batch norm. Default `'relu'`. */
  activation?: ConvActivation;
  /** Batch norm after each convolution. Default true. */
  batchNorm?: boolean;
  /**
   * Add the identity: `y = x + LSTM(CNN(x))` (MSMRNet). false gives `y = LSTM(CNN(x))`, the
   * plain stacked network MSMRNet compares against to show the degradation problem. Default true.
   */
  residual?: boolean;
  /** Initialise the LSTM forget-gate bias to 1 (Keras `unitForgetBias`). Default true. */
  unitForgetBias?: boolean;
}

/**
 * The memory-residual module of MSMRNet, for sequences `[batch, length, channels]`: a multi-scale
 * 1D CNN (parallel Conv1D + BN + activation branches, merged) followed by an LSTM with `channels`
 * units over the length axis, whose output sequence has the input's shape and is added to the
 * identity: `y = x + LSTM(CNN(x))`. Output shape = input shape, so modules stack (5 or 10 deep in
 * the paper). The LSTM is the shared `lstmSequence` op (gates i, f, g, o; fused kernel on cpu).
 */
export class MemoryResidual extends ConvCompositeLayer {
  /** Name under which the class is registered for (de)serialization. */
  static className = 'flowsentry.MemoryResidual';
  /** Filters of each branch. */
  readonly filters: number[];
  /** Kernel size of each branch. */
  readonly kernelSizes: number[];
  /** How the branches are merged before the LSTM. */
  readonly merge: BranchMerge;
  /** Activation after each branch's batch norm. */
  readonly activation: ConvActivation;
  /** Whether each convolution is followed by batch norm (the `batchNorm` option). */
  readonly useBatchNorm: boolean;
  /** Whether the identity is added to the LSTM output. */
  readonly residual: boolean;
  /** Whether the LSTM forget-gate bias starts at 1. */
  readonly unitForgetBias: boolean;
  private branches: MultiScaleWeights = [];
  private lstm: { kernel: LayerVariable; recurrentKernel: LayerVariable; bias: LayerVariable } | null = null;

  constructor(args: MemoryResidualArgs = {}) {
    super(args, 'memory_residual');
    this.kernelSizes = checkIntList('kernelSizes', args.kernelSizes ?? [1, 3, 5]);
    const filters = args.filters ?? 16;
    this.filters =
      typeof filters === 'number'
        ? this.kernelSizes.map(() => checkPositiveInt('filters', filters))
        : checkIntList('filters', filters, this.kernelSizes.length);
    const merge = args.merge ?? 'concat';
    if (merge !== 'concat' && merge !== 'sum') throw new ValueError('merge', "'concat' or 'sum'", merge);
    if (merge === 'sum' && new Set(this.filters).size !== 1) {
      throw new ValueError('filters', "the same count for every branch when merge is 'sum'", `[${this.filters.join(', ')}]`);
    }
    this.merge = merge;
    this.activation = checkActivation('activation', args.activation ?? 'relu');
    for (const [option, value] of [['batchNorm', args.batchNorm], ['residual', args.residual], ['unitForgetBias', args.unitForgetBias]] as const) {
      if (value !== undefined && typeof value !== 'boolean') throw new ValueError(option, 'a boolean', value);
    }
    this.useBatchNorm = args.batchNorm ?? true;
    this.residual = args.residual ?? true;
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  private get mergedChannels(): number {
    return this.merge === 'sum' ? (this.filters[0] ?? 0) : this.filters.reduce((a, b) => a + b, 0);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [, length, channels] = singleInputShape(inputShape, 3, this.getClassName());
    if (channels === null || channels === undefined) {
      throw new ValueError('inputShape', 'a known channel count (last axis)', inputShape);
    }
    checkKernelsFit(this.kernelSizes, length);
    this.startBuild();
    this.branches = this.addMultiScale('branch', this.kernelSizes, channels, this.filters, this.useBatchNorm);
    const units = channels;
    const seeded = (): { seed?: number } => {
      const seed = this.nextInitSeed();
      return seed === undefined ? {} : { seed };
    };
    this.lstm = {
      kernel: this.addWeight('lstm_kernel', [this.mergedChannels, 4 * units], 'float32', tfl.initializers.glorotUniform(seeded())),
      recurrentKernel: this.addWeight('lstm_recurrent_kernel', [units, 4 * units], 'float32', tfl.initializers.orthogonal({ gain: 1, ...seeded() })),
      bias: this.addWeight('lstm_bias', [4 * units], 'float32', tfl.initializers.zeros()),
    };
    if (this.unitForgetBias) {
      // Gate blocks (i, f, g, o): forget-gate bias 1, the others 0 (Jozefowicz et al. 2015; Keras's default).
      const values = new Float32Array(4 * units).fill(1, units, 2 * units);
      const bias = this.lstm.bias;
      tf.tidy(() => void bias.write(tf.tensor1d(values)));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, length, channels] = singleInputShape(inputShape, 3, this.getClassName());
    return [batch ?? null, length ?? null, channels ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const lstm = this.lstm;
      if (lstm === null) throw new ValueError('build', 'the layer to be built before call', 'an unbuilt layer');
      const x = firstTensor(inputs);
      const features = this.multiScale(x, this.branches, 1, this.merge, this.activation, isTraining(kwargs));
      const memory = lstmSequence({
        x: features as tf.Tensor3D,
        kernel: lstm.kernel.read() as tf.Tensor2D,
        recurrentKernel: lstm.recurrentKernel.read() as tf.Tensor2D,
        bias: lstm.bias.read() as tf.Tensor1D,
      });
      return this.residual ? tf.add(x, memory) : memory;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.commonConfig(),
      filters: this.filters,
      kernelSizes: this.kernelSizes,
      merge: this.merge,
      activation: this.activation,
      batchNorm: this.useBatchNorm,
      residual: this.residual,
      unitForgetBias: this.unitForgetBias,
    };
  }

  /** Rebuilds the layer from {@link getConfig}'s output (`null` options mean "default"). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(fromConfigArgs<MemoryResidualArgs>(config));
  }
}

/**
 * A memory-residual module (see {@link MemoryResidual}); stack several for MSMRNet.
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { memoryResidual } from 'flowsentry';
 *
 * // MSMRNet-5: five memory-residual modules on the 78 flow features.
 * const model = tfl.sequential();
 * model.add(tfl.layers.inputLayer({ inputShape: [78, 1] }));
 * for (let i = 0; i < 5; i += 1) model.add(memoryResidual({ filters: 8 }));
 * model.add(tfl.layers.flatten());
 * model.add(tfl.layers.dense({ units: 5, activation: 'softmax' }));
 * ```
 */
export function memoryResidual(args: MemoryResidualArgs = {}): MemoryResidual {
  return new MemoryResidual(args);
}
