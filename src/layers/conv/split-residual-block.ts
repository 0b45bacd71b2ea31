import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import { ValueError } from '../../errors.js';
import { addRelu } from '../../kernels/add-relu.js';
import {
  activate,
  checkActivation,
  checkIntList,
  checkPositiveInt,
  ConvCompositeLayer,
  firstTensor,
  fromConfigArgs,
  isTraining,
  singleInputShape,
  type BatchNormWeights,
  type ConvActivation,
  type ConvCommonArgs,
  type ConvWeights,
} from './common.js';

/** Options of {@link splitResidualBlock}. */
export interface SplitResidualBlockArgs extends ConvCommonArgs {
  /** Filters of every convolution of the block (16 and 32 in ResCAE). */
  filters: number;
  /**
   * Kernel `[height, width]` of path 1's two convolutions; odd sizes (padding is `(k - 1) / 2`
   * on each side, as PyTorch's `padding = k // 2`). Default `[1, 3]`: a flow viewed as a 1 x F
   * image is convolved along its width only.
   */
  kernelSize?: [number, number];
  /** Strides `[height, width]` of path 1's first convolution and of the 1x1 shortcut. Default `[1, 2]`. */
  strides?: [number, number];
  /** Activation inside path 1 and after the sum. Default `'relu'`. */
  activation?: ConvActivation;
  /**
   * Convolution biases before batch norm. Default false (a bias before batch norm is redundant in
   * training); true mirrors PyTorch's `nn.Conv2d(bias=True)` so its weights can be imported.
   */
  useBias?: boolean;
}

/**
 * The split-residual 2D block of ResCAE (ResCAE-BiGRU, Table 1), input `[batch, height, width, channels]`:
 * path 1 = conv(k, s) + BN + ReLU, conv(k, 1) + BN; path 2 = conv(1x1, s) + BN; output ReLU(path1 + path2).
 * The output is `[batch, ceil(height / sh), ceil(width / sw), filters]`.
 */
export class SplitResidualBlock extends ConvCompositeLayer {
  /** Name under which the class is registered for (de)serialization. */
  static className = 'flowsentry.SplitResidualBlock';
  /** Filters of every convolution. */
  readonly filters: number;
  /** Kernel `[height, width]` of path 1. */
  readonly kernelSize: [number, number];
  /** Strides `[height, width]` of path 1's first convolution and of the shortcut. */
  readonly strides: [number, number];
  /** Activation inside path 1 and after the sum. */
  readonly activation: ConvActivation;
  /** Whether the convolutions carry biases. */
  readonly useBias: boolean;
  private weightsOf: {
    conv1: ConvWeights;
    bn1: BatchNormWeights;
    conv2: ConvWeights;
    bn2: BatchNormWeights;
    shortcut: ConvWeights;
    shortcutBn: BatchNormWeights;
  } | null = null;

  constructor(args: SplitResidualBlockArgs) {
    super(args, 'split_residual_block');
    this.filters = checkPositiveInt('filters', args.filters);
    const kernelSize = checkIntList('kernelSize', args.kernelSize ?? [1, 3], 2) as [number, number];
    kernelSize.forEach((k, i) => {
      if (k % 2 === 0) throw new ValueError(`kernelSize[${i}]`, 'an odd size (symmetric padding (k - 1) / 2)', k);
    });
    this.kernelSize = kernelSize;
    this.strides = checkIntList('strides', args.strides ?? [1, 2], 2) as [number, number];
    this.activation = checkActivation('activation', args.activation ?? 'relu');
    const useBias = args.useBias ?? false;
    if (typeof useBias !== 'boolean') throw new ValueError('useBias', 'a boolean', useBias);
    this.useBias = useBias;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [, height, width, channels] = singleInputShape(inputShape, 4, this.getClassName());
    if (channels === null || channels === undefined) {
      throw new ValueError('inputShape', 'a known channel count (last axis)', inputShape);
    }
    const [kh, kw] = this.kernelSize;
    if (height !== null && height !== undefined && kh > height) {
      throw new ValueError('kernelSize[0]', `at most the input height ${height}`, kh);
    }
    if (width !== null && width !== undefined && kw > width) {
      throw new ValueError('kernelSize[1]', `at most the input width ${width}`, kw);
    }
    this.startBuild();
    const f = this.filters;
    this.weightsOf = {
      conv1: this.addConv('path1_conv1', [kh, kw, channels, f], this.useBias),
      bn1: this.addBatchNorm('path1_bn1', f),
      conv2: this.addConv('path1_conv2', [kh, kw, f, f], this.useBias),
      bn2: this.addBatchNorm('path1_bn2', f),
      shortcut: this.addConv('path2_conv1', [1, 1, channels, f], this.useBias),
      shortcutBn: this.addBatchNorm('path2_bn1', f),
    };
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, height, width] = singleInputShape(inputShape, 4, this.getClassName());
    const shrink = (size: number | null | undefined, stride: number): number | null =>
      size === null || size === undefined ? null : Math.floor((size - 1) / stride) + 1;
    return [batch ?? null, shrink(height, this.strides[0]), shrink(width, this.strides[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const w = this.weightsOf;
      if (w === null) throw new ValueError('build', 'the layer to be built before call', 'an unbuilt layer');
      const x = firstTensor(inputs);
      const training = isTraining(kwargs);
      const padding: [number, number] = [(this.kernelSize[0] - 1) / 2, (this.kernelSize[1] - 1) / 2];
      let path1 = this.batchNorm(this.conv2d(x, w.conv1, this.strides, padding), w.bn1, training);
      path1 = activate(path1, this.activation);
      path1 = this.batchNorm(this.conv2d(path1, w.conv2, [1, 1], padding), w.bn2, training);
      const path2 = this.batchNorm(this.conv2d(x, w.shortcut, this.strides, [0, 0]), w.shortcutBn, training);
      // relu(path1 + path2) as one op (one tensor) at inference.
      return this.activation === 'relu' ? addRelu(path1, path2) : activate(tf.add(path1, path2), this.activation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.commonConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      activation: this.activation,
      useBias: this.useBias,
    };
  }

  /** Rebuilds the layer from {@link getConfig}'s output (`null` options mean "default"). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(fromConfigArgs<SplitResidualBlockArgs>(config));
  }
}

/**
 * A split-residual 2D block (see {@link SplitResidualBlock}).
 *
 * ```ts
 * const block = splitResidualBlock({ filters: 16 }); // [b, 1, F, 1] -> [b, 1, ceil(F / 2), 16]
 * ```
 */
export function splitResidualBlock(args: SplitResidualBlockArgs): SplitResidualBlock {
  return new SplitResidualBlock(args);
}
