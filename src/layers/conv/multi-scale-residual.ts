import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { ValueError } from '../../errors.js';
import {
  checkActivation,
  checkKernelsFit,
  checkIntList,
  checkPositiveInt,
  ConvCompositeLayer,
  firstTensor,
  fromConfigArgs,
  isTraining,
  sameLength,
  singleInputShape,
  type BatchNormWeights,
  type ConvActivation,
  type ConvCommonArgs,
  type ConvWeights,
  type MultiScaleWeights,
} from './common.js';

/** How the parallel branches are merged. */
export type BranchMerge = 'concat' | 'sum';

/**
 * The shortcut around the branches:
 * - `'auto'`: identity when input and output shapes match, else a 1x1 projection (the ResNet rule);
 * - `'identity'`: always identity (a shape mismatch is a configuration error);
 * - `'projection'`: always a 1x1 convolution (+ batch norm);
 * - `'none'`: no shortcut (MSMNet, the non-residual ablation of MSMRNet).
 */
export type ShortcutMode = 'auto' | 'identity' | 'projection' | 'none';

/** Options of {@link multiScaleResidual}. */
export interface MultiScaleResidualArgs extends ConvCommonArgs {
  /**
   * Filters of each branch: one number for every branch, or one per kernel size.
   * With `merge: 'sum'` all branches need the same count.
   */
  filters: number | number[];
  /** Kernel sizes of the parallel Conv1D branches (odd sizes keep 'same' padding centred). Default `[1, 3, 5]`. */
  kernelSizes?: number[];
  /** Stride of every branch (and of the projection shortcut). Default 1. */
  strides?: number;
  /** Merge of the branches: concatenate along channels, or add. Default `'concat'`. */
  merge?: BranchMerge;
  /** Activation after each branch's batch norm. Default `'relu'`. */
  activation?: ConvActivation;
  /** Batch norm after each convolution (then convolutions carry no bias). Default true. */
  batchNorm?: boolean;
  /** Shortcut around the branches. Default `'auto'`. */
  shortcut?: ShortcutMode;
}

/**
 * Multi-scale residual block for sequences `[batch, length, channels]` (LKT-ADN, MSMRNet): parallel
 * Conv1D branches with different kernel sizes, each followed by batch norm and the activation,
 * merged by concatenation or sum, plus a shortcut:
 * `y = merge_k(act(BN(conv_k(x)))) + shortcut(x)`.
 * 'same' padding: the length is kept (divided by `strides`, rounded up).
 */
export class MultiScaleResidual extends ConvCompositeLayer {
  /** Name under which the class is registered for (de)serialization. */
  static className = 'flowsentry.MultiScaleResidual';
  /** Filters of each branch. */
  readonly filters: number[];
  /** Kernel size of each branch. */
  readonly kernelSizes: number[];
  /** Stride of the branches and of the projection. */
  readonly strides: number;
  /** How the branches are merged. */
  readonly merge: BranchMerge;
  /** Activation after each branch's batch norm. */
  readonly activation: ConvActivation;
  /** Whether each convolution is followed by batch norm (the `batchNorm` option). */
  readonly useBatchNorm: boolean;
  /** The shortcut mode as configured (`'auto'` is resolved at build time). */
  readonly shortcut: ShortcutMode;
  private branches: MultiScaleWeights = [];
  private projection: { conv: ConvWeights; bn: BatchNormWeights | null } | null = null;

  constructor(args: MultiScaleResidualArgs) {
    super(args, 'multi_scale_residual');
    this.kernelSizes = checkIntList('kernelSizes', args.kernelSizes ?? [1, 3, 5]);
    const filters = args.filters;
    this.filters =
      typeof filters === 'number'
        ? this.kernelSizes.map(() => checkPositiveInt('filters', filters))
        : checkIntList('filters', filters, this.kernelSizes.length);
    this.strides = checkPositiveInt('strides', args.strides ?? 1);
    const merge = args.merge ?? 'concat';
    if (merge !== 'concat' && merge !== 'sum') throw new ValueError('merge', "'concat' or 'sum'", merge);
    this.merge = merge;
    if (merge === 'sum' && new Set(this.filters).size !== 1) {
      throw new ValueError('filters', "the same count for every branch when merge is 'sum'", `[${this.filters.join(', ')}]`);
    }
    this.activation = checkActivation('activation', args.activation ?? 'relu');
    const batchNorm = args.batchNorm ?? true;
    if (typeof batchNorm !== 'boolean') throw new ValueError('batchNorm', 'a boolean', batchNorm);
    this.useBatchNorm = batchNorm;
    const shortcut = args.shortcut ?? 'auto';
    if (!['auto', 'identity', 'projection', 'none'].includes(shortcut)) {
      throw new ValueError('shortcut', "'auto', 'identity', 'projection' or 'none'", shortcut);
    }
    this.shortcut = shortcut;
  }

  /** Channels of the output. */
  get outputChannels(): number {
    return this.merge === 'sum' ? (this.filters[0] ?? 0) : this.filters.reduce((a, b) => a + b, 0);
  }

  private resolveShortcut(inputChannels: number): 'identity' | 'projection' | 'none' {
    const matches = inputChannels === this.outputChannels && this.strides === 1;
    if (this.shortcut === 'auto') return matches ? 'identity' : 'projection';
    if (this.shortcut === 'identity' && !matches) {
      throw new ValueError(
        'shortcut',
        `'projection' or 'auto' (an identity shortcut needs ${this.outputChannels} input channels and strides 1)`,
        'identity',
        `input has ${inputChannels} channels, strides ${this.strides}`,
      );
    }
    return this.shortcut;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [, length, channels] = singleInputShape(inputShape, 3, this.getClassName());
    if (channels === null || channels === undefined) {
      throw new ValueError('inputShape', 'a known channel count (last axis)', inputShape);
    }
    checkKernelsFit(this.kernelSizes, length);
    this.startBuild();
    const useBias = !this.useBatchNorm;
    this.branches = this.addMultiScale('branch', this.kernelSizes, channels, this.filters, this.useBatchNorm);
    this.projection =
      this.resolveShortcut(channels) === 'projection'
        ? {
            conv: this.addConv('shortcut_conv', [1, channels, this.outputChannels], useBias),
            bn: this.useBatchNorm ? this.addBatchNorm('shortcut_bn', this.outputChannels) : null,
          }
        : null;
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, length] = singleInputShape(inputShape, 3, this.getClassName());
    return [batch ?? null, sameLength(length ?? null, this.strides), this.outputChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = firstTensor(inputs);
      const training = isTraining(kwargs);
      const merged = this.multiScale(x, this.branches, this.strides, this.merge, this.activation, training);
      if (this.shortcut === 'none') return merged;
      if (this.projection === null) return tf.add(merged, x);
      const projected = this.conv1d(x, this.projection.conv, this.strides);
      return tf.add(merged, this.projection.bn === null ? projected : this.batchNorm(projected, this.projection.bn, training));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.commonConfig(),
      filters: this.filters,
      kernelSizes: this.kernelSizes,
      strides: this.strides,
      merge: this.merge,
      activation: this.activation,
      batchNorm: this.useBatchNorm,
      shortcut: this.shortcut,
    };
  }

  /** Rebuilds the layer from {@link getConfig}'s output (`null` options mean "default"). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(fromConfigArgs<MultiScaleResidualArgs>(config));
  }
}

/**
 * A multi-scale residual block (see {@link MultiScaleResidual}).
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { multiScaleResidual } from 'flowsentry';
 *
 * const model = tfl.sequential();
 * model.add(multiScaleResidual({ filters: 16, kernelSizes: [1, 3, 5], inputShape: [78, 1] })); // [batch, 78, 48]
 * model.add(tfl.layers.globalAveragePooling1d());
 * model.add(tfl.layers.dense({ units: 2, activation: 'softmax' }));
 * ```
 */
export function multiScaleResidual(args: MultiScaleResidualArgs): MultiScaleResidual {
  return new MultiScaleResidual(args);
}
