/**
 * What the GRU and LSTM layers share: a stack of `numLayers` recurrent layers, each one or two
 * directions, with dropout between layers, as `torch.nn.GRU` / `torch.nn.LSTM` with
 * `batch_first=True`. Every weight is a direct weight of the layer (`addWeight`), so
 * `model.save()` keeps it (tfjs issue 8253 drops the weights of nested layers).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { Kwargs } from '@tensorflow/tfjs-layers/dist/types';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { ShapeError, ValueError } from '../../errors.js';
import { Rng } from '../../util/rng.js';

/**
 * Weight initialisation:
 * - `'pytorch'`: every weight and bias uniform in `[-1/sqrt(units), 1/sqrt(units)]`, as `torch.nn.GRU`/`LSTM`;
 * - `'keras'`: Glorot-uniform kernels, orthogonal recurrent kernels, zero biases (LSTM: forget-gate bias 1).
 */
export type RecurrentInit = 'pytorch' | 'keras';

/** Options shared by {@link gru}, {@link biGru}, {@link lstm} and {@link biLstm} (names follow `torch.nn.GRU`). */
export interface StackedRecurrentArgs {
  /** Hidden units of each direction (PyTorch `hidden_size`). */
  units: number;
  /** Recurrent layers stacked on each other (PyTorch `num_layers`). Default 1. */
  numLayers?: number;
  /**
   * Dropout rate applied to the outputs of every layer except the last, in training mode only
   * (PyTorch `dropout`). Default 0.
   */
  dropout?: number;
  /**
   * `true`: every time step's output, `[batch, time, directions * units]` (PyTorch `output`).
   * `false` (default): the final hidden state of the last layer, `[batch, directions * units]`:
   * the forward direction's state after the last step concatenated with the backward direction's
   * state after the first step, i.e. PyTorch's `cat(h_n[-2], h_n[-1])` and Keras's
   * `Bidirectional(GRU(...))`. (This is not `output[:, -1, :]`, whose backward half has seen one step only.)
   */
  returnSequences?: boolean;
  /** Weight initialisation. Default `'pytorch'`. */
  init?: RecurrentInit;
  /** Seed of the weight initialisers and of the dropout masks. Default: unseeded. */
  seed?: number;
  /** Layer name, unique within a model. Default: derived from the class name. */
  name?: string;
  /** Whether training updates the weights. Default true. */
  trainable?: boolean;
  /** Input shape without the batch axis, `[time, features]`, when this is the first layer of a `tf.sequential()`. */
  inputShape?: tfl.Shape;
  /** Input shape with the batch axis (tfjs's alternative to `inputShape`; written by `getConfig`). */
  batchInputShape?: tfl.Shape;
}

/** Keras / tfjs options with no counterpart here: rejected rather than silently ignored. */
const UNSUPPORTED = [
  'returnState',
  'goBackwards',
  'stateful',
  'unroll',
  'implementation',
  'activation',
  'recurrentActivation',
  'useBias',
  'recurrentDropout',
  'batchFirst',
] as const;

const nameCounts = new Map<string, number>();

/** `gru_1`, `gru_2`, ... (tfjs would derive `flowsentry.gru_flowsentry.GRU1` from the class name). */
function defaultName(prefix: string): string {
  const n = (nameCounts.get(prefix) ?? 0) + 1;
  nameCounts.set(prefix, n);
  return `${prefix}_${n}`;
}

export function checkPositiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ValueError(option, 'a positive integer', value);
  return value;
}

/** One direction of one layer: its weights in the layout of `src/kernels/recurrent-types.ts`. */
export interface DirectionWeights {
  /** Input-to-hidden weights `[inputFeatures, gates * units]`, gate blocks side by side (Keras `kernel`). */
  kernel: LayerVariable;
  /** Hidden-to-hidden weights `[units, gates * units]` (Keras `recurrent_kernel`). */
  recurrentKernel: LayerVariable;
  /** GRU: `[inputBias, recurrentBias]`; LSTM: `[bias]`. */
  biases: LayerVariable[];
}

/**
 * The whole-sequence ops a recurrent layer runs, on one direction's weights `W` (the GRU's
 * `gruSequence` / `biGruSequence` / `biGruFinalStates`, the LSTM's likewise).
 */
export interface SequenceOps<W> {
  /** One direction: `[batch, time, units]`, aligned with the input. */
  sequence(args: W & { x: tf.Tensor3D; goBackwards: boolean }): tf.Tensor3D;
  /** Both directions: `[batch, time, 2 units]`, forward then backward outputs on the last axis. */
  bidirectional(args: { x: tf.Tensor3D; forward: W; backward: W }): tf.Tensor3D;
  /** Both directions' final states, `[batch, 2 units]` (a stack's last layer without `returnSequences`). */
  finalStates(args: { x: tf.Tensor3D; forward: W; backward: W }): tf.Tensor2D;
}

/**
 * The base of {@link GRU} and {@link LSTM}; subclasses name their gates, give their sequence ops
 * and map a direction's variables to those ops' weights `W`.
 */
export abstract class StackedRecurrent<W extends object = object> extends tfl.layers.Layer {
  /** Hidden units of each direction (PyTorch `hidden_size`), as given in {@link StackedRecurrentArgs.units}. */
  readonly units: number;
  /** Number of stacked recurrent layers (PyTorch `num_layers`). */
  readonly numLayers: number;
  /** Whether each layer runs forward and backward, its outputs concatenated on the last axis. */
  readonly bidirectional: boolean;
  /** Dropout rate between stacked layers, in training mode only; 0 disables it. */
  readonly dropout: number;
  /** Whether the output is every time step (`[batch, time, directions * units]`) or the final state only. */
  readonly returnSequences: boolean;
  /** Weight initialisation scheme used by `build`. */
  readonly init: RecurrentInit;
  /** Seed of the weight initialisers and dropout masks; `undefined` when unseeded. */
  readonly seed: number | undefined;
  /** `directionWeights[layer][0]` forward, `[layer][1]` backward (when bidirectional). */
  protected directionWeights: DirectionWeights[][] = [];
  private dropoutRng: Rng | undefined;

  /** Gate blocks along the last axis of the kernels (GRU 3, LSTM 4). */
  protected abstract readonly gates: number;
  /** Names of the bias weights of one direction, in `DirectionWeights.biases` order. */
  protected abstract readonly biasNames: readonly string[];
  /** Keras-init value of one bias weight of `size` values; `null` for zeros (LSTM: forget gate 1). */
  protected abstract kerasBias(biasIndex: number, size: number): tf.Tensor1D | null;
  /** The layer's whole-sequence ops (one call per direction, or both directions in one op). */
  protected abstract readonly ops: SequenceOps<W>;
  /** The read values of one direction's variables, as its ops take them. */
  protected abstract opWeights(weights: DirectionWeights): W;

  constructor(args: StackedRecurrentArgs, bidirectional: boolean, defaultNamePrefix: string) {
    const layerArgs: LayerArgs = { name: args.name ?? defaultName(defaultNamePrefix) };
    if (args.trainable !== undefined) layerArgs.trainable = args.trainable;
    if (args.inputShape !== undefined) layerArgs.inputShape = args.inputShape;
    if (args.batchInputShape !== undefined) layerArgs.batchInputShape = args.batchInputShape;
    super(layerArgs);
    const given = args as unknown as Record<string, unknown>;
    for (const option of UNSUPPORTED) {
      if (given[option] !== undefined && given[option] !== null) {
        throw new ValueError(option, 'not set (flowsentry recurrent layers do not implement this option)', given[option]);
      }
    }
    this.units = checkPositiveInteger('units', args.units);
    this.numLayers = checkPositiveInteger('numLayers', args.numLayers ?? 1);
    if (typeof bidirectional !== 'boolean') throw new ValueError('bidirectional', 'a boolean', bidirectional);
    this.bidirectional = bidirectional;
    const dropout = args.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new ValueError('dropout', 'a number in [0, 1)', dropout);
    this.dropout = dropout;
    const returnSequences = args.returnSequences ?? false;
    if (typeof returnSequences !== 'boolean') throw new ValueError('returnSequences', 'a boolean', returnSequences);
    this.returnSequences = returnSequences;
    const init = args.init ?? 'pytorch';
    if (init !== 'pytorch' && init !== 'keras') throw new ValueError('init', "'pytorch' or 'keras'", init);
    this.init = init;
    if (args.seed !== undefined && (typeof args.seed !== 'number' || !Number.isInteger(args.seed))) {
      throw new ValueError('seed', 'an integer', args.seed);
    }
    this.seed = args.seed;
  }

  /** 1 or 2. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The weights of one direction of one layer (`reverse`: the backward direction), e.g. for weight import. */
  directionWeightsOf(layer: number, reverse: boolean): DirectionWeights {
    const found = this.directionWeights[layer]?.[reverse ? 1 : 0];
    if (found === undefined) {
      throw new ValueError('layer', `a layer index below ${this.numLayers}${reverse && !this.bidirectional ? ' (and a bidirectional layer for reverse weights)' : ''} of a built layer`, layer);
    }
    return found;
  }

  private inputShapeOf(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (shape.length !== 3) {
      throw new ShapeError('inputShape', `rank 3, [batch, time, features], for ${this.getClassName()}`, `[${shape.join(', ')}]`);
    }
    return shape;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const features = this.inputShapeOf(inputShape)[2];
    if (typeof features !== 'number' || !(features >= 1)) {
      throw new ShapeError('inputShape', 'a known number of features on the last axis', `[${this.inputShapeOf(inputShape).join(', ')}]`);
    }
    const seeds = this.seed === undefined ? undefined : new Rng(this.seed);
    const seeded = (): { seed?: number } => (seeds === undefined ? {} : { seed: seeds.nextSeed() });
    const g = this.gates * this.units;
    const bound = 1 / Math.sqrt(this.units);
    const torchInit = (): ReturnType<typeof tfl.initializers.zeros> => tfl.initializers.randomUniform({ minval: -bound, maxval: bound, ...seeded() });
    this.directionWeights = [];
    for (let l = 0; l < this.numLayers; l += 1) {
      const inDim = l === 0 ? features : this.directions * this.units;
      const layer: DirectionWeights[] = [];
      for (let d = 0; d < this.directions; d += 1) {
        const prefix = `l${l}${d === 1 ? '_reverse' : ''}`;
        const keras = this.init === 'keras';
        const biases = this.biasNames.map((name) => this.addWeight(`${prefix}/${name}`, [g], 'float32', keras ? tfl.initializers.zeros() : torchInit()));
        if (keras) {
          biases.forEach((bias, i) => {
            const value = this.kerasBias(i, g);
            if (value !== null) {
              bias.write(value);
              value.dispose();
            }
          });
        }
        layer.push({
          kernel: this.addWeight(`${prefix}/kernel`, [inDim, g], 'float32', keras ? tfl.initializers.glorotUniform(seeded()) : torchInit()),
          recurrentKernel: this.addWeight(`${prefix}/recurrent_kernel`, [this.units, g], 'float32', keras ? tfl.initializers.orthogonal(seeded()) : torchInit()),
          biases,
        });
      }
      this.directionWeights.push(layer);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [batch, time] = this.inputShapeOf(inputShape);
    const width = this.directions * this.units;
    return this.returnSequences ? [batch ?? null, time ?? null, width] : [batch ?? null, width];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x === undefined || x.rank !== 3) throw new ShapeError('inputs', `a rank-3 tensor [batch, time, features] for ${this.getClassName()}`, x);
      const training = kwargs['training'] === true;
      let h = x as tf.Tensor3D;
      for (let l = 0; l < this.numLayers; l += 1) {
        if (l > 0 && training && this.dropout > 0) h = tf.dropout(h, this.dropout, undefined, this.nextDropoutSeed()) as tf.Tensor3D;
        const [forward, backward] = this.directionWeights[l] as [DirectionWeights, DirectionWeights?];
        if (backward === undefined) {
          h = this.ops.sequence({ x: h, ...this.opWeights(forward), goBackwards: false });
        } else {
          const both = { x: h, forward: this.opWeights(forward), backward: this.opWeights(backward) };
          // The last layer without returnSequences: only the final states (one call at inference
          // on the cpu backend, copying out only those rows; slices of each direction while training).
          if (!this.returnSequences && l === this.numLayers - 1) return this.ops.finalStates(both);
          h = this.ops.bidirectional(both);
        }
      }
      return this.returnSequences ? h : this.finalState(h);
    });
  }

  /** The final state `[batch, units]` of one direction run forward: its output at the last time step. */
  private finalState(h: tf.Tensor3D): tf.Tensor2D {
    const [batch, time] = h.shape;
    return tf.reshape(tf.slice(h, [0, time - 1, 0], [batch, 1, this.units]), [batch, this.units]);
  }

  private nextDropoutSeed(): number | undefined {
    if (this.seed === undefined) return undefined;
    this.dropoutRng ??= new Rng(this.seed).fork();
    return this.dropoutRng.nextSeed();
  }

  /**
   * The read values of one direction's weights.
   * @param weights The variables of one direction of one layer.
   * @returns The current values of `kernel`, `recurrentKernel` and `biases`.
   */
  protected read(weights: DirectionWeights): {
    /** Current value of {@link DirectionWeights.kernel}. */
    kernel: tf.Tensor2D;
    /** Current value of {@link DirectionWeights.recurrentKernel}. */
    recurrentKernel: tf.Tensor2D;
    /** Current values of {@link DirectionWeights.biases}, in the same order. */
    biases: tf.Tensor1D[];
  } {
    return {
      kernel: weights.kernel.read() as tf.Tensor2D,
      recurrentKernel: weights.recurrentKernel.read() as tf.Tensor2D,
      biases: weights.biases.map((b) => b.read() as tf.Tensor1D),
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
      dropout: this.dropout,
      returnSequences: this.returnSequences,
      init: this.init,
      seed: this.seed ?? null,
    };
  }
}

/** Reads `null` (as `getConfig` writes an unset option) back as "not given". */
export function argsFromConfig<T>(config: tf.serialization.ConfigDict): T {
  const args: Record<string, unknown> = { ...config };
  for (const key of Object.keys(args)) if (args[key] === null) delete args[key];
  return args as T;
}
