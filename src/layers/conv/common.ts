/**
 * Shared machinery of the convolutional composite layers. Every weight is created by the layer
 * itself with `addWeight` and used through tf ops, never through nested tfjs layers: tfjs drops the
 * weights of layers nested inside a custom layer when a model is saved (tfjs issue 8253).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { ShapeError, ValueError } from '../../errors.js';
import { batchNormTraining } from '../../kernels/batch-norm.js';
import { fusedConv2d } from '../../kernels/conv-bias.js';
import { Rng } from '../../util/rng.js';

/** Activations the convolutional layers accept, by their Keras names. */
export type ConvActivation = 'relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'linear';
const ACTIVATIONS: readonly ConvActivation[] = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'linear'];

/** Options every convolutional composite layer shares. */
export interface ConvCommonArgs {
  /** Layer name, unique within a model. Default: derived from the class name. */
  name?: string;
  /** Whether `fit` updates the weights. Default true. */
  trainable?: boolean;
  /** Shape of the input without the batch axis, when this is the first layer of a `tf.sequential()`. */
  inputShape?: tfl.Shape;
  /** Shape of the input with the batch axis (tfjs's alternative to `inputShape`; written by `getConfig`). */
  batchInputShape?: tfl.Shape;
  /** Batch-norm moving-average momentum (Keras convention: `moving = momentum * moving + (1 - momentum) * batch`). Default 0.99. */
  batchNormMomentum?: number;
  /** Batch-norm epsilon added to the variance. Default 1e-3. */
  batchNormEpsilon?: number;
  /**
   * Seed of the weight initializers: the same seed gives the same initial weights. Default: unseeded
   * (different weights per layer, as in tfjs/Keras).
   */
  seed?: number;
}

/** The `training` flag tfjs passes to `call` (true inside `fit`, or when given to `apply`). */
export function isTraining(kwargs: Record<string, unknown> | undefined): boolean {
  return kwargs?.['training'] === true;
}

export function activate(x: tf.Tensor, activation: ConvActivation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'linear':
      return x;
  }
}

export function checkActivation(option: string, value: unknown): ConvActivation {
  if (!ACTIVATIONS.includes(value as ConvActivation)) {
    throw new ValueError(option, `one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as ConvActivation;
}

export function checkPositiveInt(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValueError(option, 'a positive integer', value);
  }
  return value;
}

export function checkIntList(option: string, value: unknown, length?: number): number[] {
  if (!Array.isArray(value) || value.length === 0 || (length !== undefined && value.length !== length)) {
    throw new ValueError(option, length === undefined ? 'a non-empty array of positive integers' : `an array of ${length} positive integers`, value);
  }
  value.forEach((v, i) => checkPositiveInt(`${option}[${i}]`, v));
  return value as number[];
}

export function checkFraction(option: string, value: unknown, inclusiveLow = true): number {
  if (typeof value !== 'number' || !(inclusiveLow ? value >= 0 : value > 0) || value >= 1) {
    throw new ValueError(option, inclusiveLow ? 'a number in [0, 1)' : 'a number in (0, 1)', value);
  }
  return value;
}

/** The first input's shape, checked for the expected rank (batch axis included). */
export function singleInputShape(inputShape: tfl.Shape | tfl.Shape[], rank: number, layer: string): tfl.Shape {
  const shape = (Array.isArray(inputShape[0]) || inputShape[0] === undefined ? inputShape[0] : inputShape) as tfl.Shape | undefined;
  if (shape === undefined || shape.length !== rank) {
    throw new ShapeError('inputShape', `rank ${rank} (batch axis included) for ${layer}`, shape === undefined ? inputShape : `[${shape.join(', ')}]`);
  }
  return shape;
}

export function firstTensor(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  if (x === undefined) throw new ValueError('inputs', 'one tensor', inputs);
  return x;
}

/** Output length of a 'same'-padded convolution with the given stride. */
export function sameLength(length: number | null, stride: number): number | null {
  return length === null ? null : Math.ceil(length / stride);
}

const nameCounters = new Map<string, number>();

/** `prefix_1`, `prefix_2`, ...: a default layer name, unique within the process (as tfjs's own). */
export function uniqueLayerName(prefix: string): string {
  const next = (nameCounters.get(prefix) ?? 0) + 1;
  nameCounters.set(prefix, next);
  return `${prefix}_${next}`;
}

/** Trainable scale/offset plus non-trainable moving statistics of one batch normalisation. */
export interface BatchNormWeights {
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/** A convolution kernel and its optional bias. */
export interface ConvWeights {
  kernel: LayerVariable;
  bias: LayerVariable | null;
}

/*
 * Per-channel statistics and broadcasts written as matrix products with a ones vector: the cpu
 * backend's broadcasting element-wise ops and axis reductions (and their gradients, which tile and
 * reduce again) are an order of magnitude slower than a matrix product plus same-shape element-wise
 * ops, and autodiff of this form stays within those fast ops. Measured on batch-norm training of
 * [256, 78, 8]: the broadcasting form spent ~2.5 s per step in Multiply/Mean/Sub/Tile.
 */

/**
 * conv2d plus a per-channel bias (and a relu) in one op (flowsentry's fusedConv2d, as PyTorch's
 * Conv2d with a bias): on the cpu backend the bias and relu are applied inside the convolution
 * kernel, and while training the gradient masks dy and sums the bias gradient in one pass instead
 * of tfjs's separate add, relu, step, multiply and sum; elsewhere it is tf.fused.conv2d. The values
 * are those of the separate ops.
 */
function convWithBias(
  x: tf.Tensor4D, kernel: tf.Tensor4D, bias: LayerVariable | null, strides: [number, number], pad: 'same' | tf.backend_util.ExplicitPadding,
  activation: 'linear' | 'relu' = 'linear',
): tf.Tensor4D {
  if (bias === null && activation === 'linear') return tf.conv2d(x, kernel, strides, pad);
  return fusedConv2d({ x, filter: kernel, strides, pad, activation, ...(bias === null ? {} : { bias: bias.read() as tf.Tensor1D }) });
}

/** The weights of parallel Conv1D branches. */
export type MultiScaleWeights = { conv: ConvWeights; bn: BatchNormWeights | null }[];

/** Checks that every kernel fits in a known sequence length ('same' padding would otherwise mostly convolve zeros). */
export function checkKernelsFit(kernelSizes: number[], length: number | null | undefined): void {
  kernelSizes.forEach((k, i) => {
    if (length !== null && length !== undefined && k > length) {
      throw new ValueError(`kernelSizes[${i}]`, `at most the input length ${length}`, k);
    }
  });
}

/**
 * Base class of the convolutional composite layers: owns the weight-creation helpers and the
 * batch-norm computation, so that every weight is a direct weight of the layer (saved and loaded
 * by name) and batch-norm statistics are updated in training mode only.
 */
export abstract class ConvCompositeLayer extends tfl.layers.Layer {
  /** Batch-norm moving-average momentum (Keras convention). */
  readonly batchNormMomentum: number;
  /** Batch-norm epsilon. */
  readonly batchNormEpsilon: number;
  /** Initializer seed, undefined when unseeded. */
  readonly seed: number | undefined;
  private initRng: Rng | undefined;

  /**
   * @param defaultNamePrefix snake_case prefix of generated layer names (tfjs would derive one from
   *   the dotted class name, giving names such as `flowsentry._multi_scale_residual_...`).
   */
  constructor(args: ConvCommonArgs, defaultNamePrefix: string) {
    const layerArgs: LayerArgs = { name: args.name ?? uniqueLayerName(defaultNamePrefix) };
    if (args.trainable !== undefined) layerArgs.trainable = args.trainable;
    if (args.inputShape !== undefined) layerArgs.inputShape = args.inputShape;
    if (args.batchInputShape !== undefined) layerArgs.batchInputShape = args.batchInputShape;
    super(layerArgs);
    this.batchNormMomentum = checkFraction('batchNormMomentum', args.batchNormMomentum ?? 0.99);
    const epsilon = args.batchNormEpsilon ?? 1e-3;
    if (typeof epsilon !== 'number' || !(epsilon > 0)) throw new ValueError('batchNormEpsilon', 'a positive number', epsilon);
    this.batchNormEpsilon = epsilon;
    if (args.seed !== undefined && (typeof args.seed !== 'number' || !Number.isInteger(args.seed))) {
      throw new ValueError('seed', 'an integer', args.seed);
    }
    this.seed = args.seed;
  }

  /** The next initializer seed of this build, or undefined when the layer is unseeded. @internal */
  protected nextInitSeed(): number | undefined {
    if (this.seed === undefined) return undefined;
    this.initRng ??= new Rng(this.seed);
    return this.initRng.nextSeed();
  }

  /** Resets the initializer seed stream so that a rebuild gives the same weights. @internal */
  protected startBuild(): void {
    this.initRng = undefined;
  }

  /** @internal */
  protected addConv(name: string, kernelShape: number[], useBias: boolean): ConvWeights {
    const seed = this.nextInitSeed();
    const kernel = this.addWeight(`${name}_kernel`, kernelShape, 'float32', tfl.initializers.glorotUniform(seed === undefined ? {} : { seed }));
    const filters = kernelShape.at(-1) ?? 0;
    const bias = useBias ? this.addWeight(`${name}_bias`, [filters], 'float32', tfl.initializers.zeros()) : null;
    return { kernel, bias };
  }

  /** @internal */
  protected addBatchNorm(name: string, channels: number): BatchNormWeights {
    return {
      gamma: this.addWeight(`${name}_gamma`, [channels], 'float32', tfl.initializers.ones()),
      beta: this.addWeight(`${name}_beta`, [channels], 'float32', tfl.initializers.zeros()),
      movingMean: this.addWeight(`${name}_moving_mean`, [channels], 'float32', tfl.initializers.zeros(), undefined, false),
      movingVariance: this.addWeight(`${name}_moving_variance`, [channels], 'float32', tfl.initializers.ones(), undefined, false),
    };
  }

  /**
   * @internal
   * Batch normalisation over every axis but the last. Training mode normalises with the batch's
   * statistics (biased variance, as Keras and PyTorch) and moves the moving statistics towards them;
   * inference mode uses the moving statistics.
   */
  protected batchNorm(x: tf.Tensor, bn: BatchNormWeights, training: boolean): tf.Tensor {
    if (!training) {
      return tf.batchNorm(x, bn.movingMean.read(), bn.movingVariance.read(), bn.beta.read(), bn.gamma.read(), this.batchNormEpsilon);
    }
    const { y, mean, variance } = batchNormTraining(x, bn.gamma.read(), bn.beta.read(), this.batchNormEpsilon);
    const decay = 1 - this.batchNormMomentum;
    tf.tidy(() => {
      bn.movingMean.write(tf.sub(bn.movingMean.read(), tf.mul(tf.sub(bn.movingMean.read(), mean), decay)));
      bn.movingVariance.write(tf.sub(bn.movingVariance.read(), tf.mul(tf.sub(bn.movingVariance.read(), variance), decay)));
    });
    return y;
  }

  /** 'same'-padded 1D convolution (then `activation`), as a convolution over one image row (what tf.conv1d runs). @internal */
  protected conv1d(x: tf.Tensor, weights: ConvWeights, stride: number, activation: 'linear' | 'relu' = 'linear'): tf.Tensor {
    const [b, w, c] = x.shape as [number, number, number];
    const kernel = weights.kernel.read();
    const y = convWithBias(tf.reshape(x, [b, 1, w, c]), tf.reshape(kernel, [1, ...kernel.shape] as [number, number, number, number]), weights.bias, [1, stride], 'same', activation);
    return tf.reshape(y, [b, y.shape[2], y.shape[3]]);
  }

  /** 2D convolution with PyTorch's symmetric zero padding `padding = [ph, pw]` on height and width. @internal */
  protected conv2d(x: tf.Tensor, weights: ConvWeights, strides: [number, number], padding: [number, number]): tf.Tensor {
    const [ph, pw] = padding;
    return convWithBias(x as tf.Tensor4D, weights.kernel.read() as tf.Tensor4D, weights.bias, strides, [[0, 0], [ph, ph], [pw, pw], [0, 0]]);
  }

  /** Parallel Conv1D branches (kernel `[k, channels, filters_i]`), each with an optional batch norm. @internal */
  protected addMultiScale(prefix: string, kernelSizes: number[], channels: number, filters: number[], batchNorm: boolean): MultiScaleWeights {
    return kernelSizes.map((k, i) => {
      const f = filters[i] ?? 0;
      return {
        conv: this.addConv(`${prefix}${i}_conv`, [k, channels, f], !batchNorm),
        bn: batchNorm ? this.addBatchNorm(`${prefix}${i}_bn`, f) : null,
      };
    });
  }

  /** `merge_i(activation(BN(conv_i(x))))` over the branches of {@link addMultiScale}. @internal */
  protected multiScale(x: tf.Tensor, branches: MultiScaleWeights, strides: number, merge: 'concat' | 'sum', activation: ConvActivation, training: boolean): tf.Tensor {
    const outputs = branches.map(({ conv, bn }) => {
      // Without batch norm a relu follows the convolution directly: one fused op.
      if (bn === null && activation === 'relu') return this.conv1d(x, conv, strides, 'relu');
      const y = this.conv1d(x, conv, strides);
      return activate(bn === null ? y : this.batchNorm(y, bn, training), activation);
    });
    if (outputs.length === 1) return outputs[0] as tf.Tensor;
    return merge === 'sum' ? tf.addN(outputs) : tf.concat(outputs, -1);
  }

  /** The options of {@link ConvCommonArgs} for `getConfig` (name and trainable come from tfjs's base config). @internal */
  protected commonConfig(): tf.serialization.ConfigDict {
    return {
      batchNormMomentum: this.batchNormMomentum,
      batchNormEpsilon: this.batchNormEpsilon,
      seed: this.seed ?? null,
    };
  }
}

/** Reads `seed: null` (as written by getConfig) back as "unseeded". */
export function fromConfigArgs<T>(config: tf.serialization.ConfigDict): T {
  const args: Record<string, unknown> = { ...config };
  for (const key of Object.keys(args)) if (args[key] === null) delete args[key];
  return args as T;
}
