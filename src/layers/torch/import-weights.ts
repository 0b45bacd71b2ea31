/**
 * Loads PyTorch weights (a state dict saved as safetensors) into flowsentry's recurrent layers and
 * into tfjs's Dense / Conv1D / Conv2D layers, converting PyTorch's layouts to tfjs's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { ShapeError, ValueError } from '../../errors.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import type { StackedRecurrent } from '../recurrent/stacked-recurrent.js';
import { readSafetensors, type Safetensors, type SafetensorsTensor } from './safetensors.js';

/** Options of {@link importTorchWeights}. */
export interface ImportTorchWeightsOptions {
  /**
   * Prefix of this layer's tensors in the state dict, e.g. `'encoder.rnn.'` for a whole model's
   * state dict (the names then read `encoder.rnn.weight_ih_l0`). Default `''`.
   */
  prefix?: string;
  /** Throw when a tensor under `prefix` is not used by the layer (a sign of the wrong prefix or layer). Default true. */
  strict?: boolean;
}

/** What {@link importTorchWeights} did. */
export interface ImportTorchWeightsResult {
  /** State-dict names that were loaded. */
  loaded: string[];
  /** State-dict names under the prefix that were not used (empty unless `strict: false`). */
  unused: string[];
}

/**
 * A safetensors file as {@link importTorchWeights} accepts it: its bytes, a file path (Node only,
 * read with `node:fs/promises`), or an already parsed {@link readSafetensors} result.
 */
export type TorchWeightsSource = Uint8Array | string | Safetensors;

async function loadSource(source: TorchWeightsSource): Promise<Safetensors> {
  if (typeof source === 'string') {
    const { readFile } = await import('node:fs/promises');
    return readSafetensors(new Uint8Array(await readFile(source)));
  }
  if (source instanceof Uint8Array) return readSafetensors(source);
  if (typeof source === 'object' && source !== null && source.tensors instanceof Map) return source;
  throw new ValueError('source', 'a safetensors file as Uint8Array, a path, or the result of readSafetensors', source);
}

/** Collects the tensors one layer needs, checks every shape, then writes them all (or none). */
class Assignment {
  readonly loaded: string[] = [];
  private readonly writes: [LayerVariable, tf.Tensor][] = [];

  constructor(
    private readonly state: Safetensors,
    private readonly prefix: string,
  ) {}

  /** The tensor `prefix + name`, checked for rank (and, when given, PyTorch shape). */
  take(name: string, expectedRank: number, expectedShape?: number[]): { name: string; tensor: SafetensorsTensor } {
    const full = `${this.prefix}${name}`;
    const tensor = this.state.tensors.get(full);
    if (tensor === undefined) {
      throw new ValueError(full, 'a tensor of that name in the state dict', 'no such tensor', `names present: ${[...this.state.tensors.keys()].slice(0, 12).join(', ')}`);
    }
    if (tensor.shape.length !== expectedRank) throw new ShapeError(full, `a rank-${expectedRank} tensor`, { shape: tensor.shape });
    if (expectedShape !== undefined && expectedShape.some((d, i) => tensor.shape[i] !== d)) {
      throw new ShapeError(full, `shape [${expectedShape.join(', ')}] (PyTorch layout) for this layer`, { shape: tensor.shape });
    }
    this.loaded.push(full);
    return { name: full, tensor };
  }

  /** Schedules `variable <- convert(tensor)`; the shape of the converted value must match. */
  assign(variable: LayerVariable, source: string, value: tf.Tensor): void {
    const expected = variable.shape;
    if (value.shape.length !== expected.length || value.shape.some((d, i) => d !== expected[i])) {
      const shape = value.shape;
      value.dispose();
      throw new ShapeError(source, `a tensor that converts to ${variable.name}'s shape [${expected.join(', ')}]`, { shape }, 'shape after conversion to the tfjs layout');
    }
    this.writes.push([variable, value]);
  }

  commit(): void {
    for (const [variable, value] of this.writes) variable.write(value);
    this.dispose();
  }

  dispose(): void {
    tf.dispose(this.writes.map(([, value]) => value));
    this.writes.length = 0;
  }
}

/**
 * Builds a layer the way tfjs does, inside its name scope (so weight names are scoped and unique),
 * by applying it once to zeros: `layer.build()` alone would create unscoped weight names.
 */
function buildEagerly(layer: tfl.layers.Layer, shape: number[]): void {
  tf.tidy(() => {
    layer.apply(tf.zeros(shape));
  });
}

function asTensor(t: SafetensorsTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, 'float32');
}

/** PyTorch GRU gate blocks (r, z, n) along axis 0 -> (z, r, n), the layout of recurrent-types.ts. */
function gruGates(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [r, z, n] = tf.split(t, 3, 0) as [tf.Tensor, tf.Tensor, tf.Tensor];
    return tf.concat([z, r, n], 0);
  });
}

function importRecurrent(layer: StackedRecurrent, a: Assignment, state: Safetensors, prefix: string): void {
  const isGru = layer instanceof GRU;
  if (!layer.built) {
    const first = state.tensors.get(`${prefix}weight_ih_l0`);
    if (first === undefined || first.shape.length !== 2) a.take('weight_ih_l0', 2); // throws, naming it
    buildEagerly(layer, [1, 1, (first as SafetensorsTensor).shape[1] as number]);
  }
  for (let l = 0; l < layer.numLayers; l += 1) {
    for (const reverse of layer.bidirectional ? [false, true] : [false]) {
      const suffix = `_l${l}${reverse ? '_reverse' : ''}`;
      const w = layer.directionWeightsOf(l, reverse);
      const rows = w.recurrentKernel.shape[1] as number; // gates * units
      const inputs = w.kernel.shape[0] as number;
      const ih = a.take(`weight_ih${suffix}`, 2, [rows, inputs]);
      const hh = a.take(`weight_hh${suffix}`, 2, [rows, layer.units]);
      const bih = a.take(`bias_ih${suffix}`, 1, [rows]);
      const bhh = a.take(`bias_hh${suffix}`, 1, [rows]);
      const gates = (t: SafetensorsTensor): tf.Tensor => tf.tidy(() => (isGru ? gruGates(asTensor(t)) : asTensor(t)));
      const [gih, ghh] = [gates(ih.tensor), gates(hh.tensor)];
      a.assign(w.kernel, ih.name, tf.transpose(gih));
      a.assign(w.recurrentKernel, hh.name, tf.transpose(ghh));
      tf.dispose([gih, ghh]);
      if (isGru) {
        a.assign(w.biases[0] as LayerVariable, bih.name, gates(bih.tensor));
        a.assign(w.biases[1] as LayerVariable, bhh.name, gates(bhh.tensor));
      } else {
        a.assign(w.biases[0] as LayerVariable, `${bih.name} + ${bhh.name}`, tf.tidy(() => tf.add(asTensor(bih.tensor), asTensor(bhh.tensor))));
      }
    }
  }
}

function weightNamed(layer: tfl.layers.Layer, name: string): LayerVariable | undefined {
  return layer.weights.find((w) => w.name === name || w.name.endsWith(`/${name}`));
}

/** nn.Linear / nn.Conv1d / nn.Conv2d: `weight` [out, in, ...kernel] -> tfjs `kernel` [...kernel, in, out], and `bias`. */
function importAffine(layer: tfl.layers.Layer, a: Assignment, state: Safetensors, prefix: string, rank: number): void {
  if (!layer.built) {
    const weight = state.tensors.get(`${prefix}weight`);
    if (weight === undefined || weight.shape.length !== rank) a.take('weight', rank); // throws, naming it
    const [, inputs, ...kernelSize] = (weight as SafetensorsTensor).shape as number[];
    // Spatial sizes with room for the kernel at any stride and a dilation up to 4.
    buildEagerly(layer, [1, ...kernelSize.map((k) => 4 * k + 8), inputs as number]);
  }
  const weight = a.take('weight', rank);
  // [out, in, k...] -> [k..., in, out]
  const perm = rank === 2 ? [1, 0] : [...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1, 0];
  const kernel = weightNamed(layer, 'kernel');
  if (kernel === undefined) throw new ValueError('layer', 'a layer with a kernel weight', layer.getClassName());
  a.assign(kernel, weight.name, tf.tidy(() => tf.transpose(asTensor(weight.tensor), perm)));
  const bias = weightNamed(layer, 'bias');
  const hasTorchBias = state.tensors.has(`${prefix}bias`);
  if (bias !== undefined) {
    const b = a.take('bias', 1);
    a.assign(bias, b.name, asTensor(b.tensor));
  } else if (hasTorchBias) {
    throw new ValueError('layer', `a ${layer.getClassName()} with useBias: true (the state dict has ${prefix}bias)`, 'useBias: false');
  }
}

/**
 * nn.BatchNorm1d/2d -> tfl batchNormalization: weight -> gamma, bias -> beta, running_mean -> moving_mean,
 * running_var -> moving_variance; num_batches_tracked has no counterpart and is skipped.
 */
function importBatchNorm(layer: tfl.layers.Layer, a: Assignment, state: Safetensors, prefix: string): void {
  if (!layer.built) {
    // Building fixes the input rank (its input spec), which the state dict does not tell.
    throw new ValueError('layer', 'a built BatchNormalization layer (apply it to an input or add it to a model first)', 'an unbuilt layer');
  }
  const pairs: [string, string][] = [
    ['weight', 'gamma'],
    ['bias', 'beta'],
    ['running_mean', 'moving_mean'],
    ['running_var', 'moving_variance'],
  ];
  for (const [torchName, tfjsName] of pairs) {
    const variable = weightNamed(layer, tfjsName);
    if (variable === undefined) {
      if (state.tensors.has(`${prefix}${torchName}`)) {
        throw new ValueError('layer', `a BatchNormalization layer with a ${tfjsName} weight (the state dict has ${prefix}${torchName}; set scale/center)`, layer.name);
      }
      continue;
    }
    const t = a.take(torchName, 1, [variable.shape[0] as number]);
    a.assign(variable, t.name, asTensor(t.tensor));
  }
  if (state.tensors.has(`${prefix}num_batches_tracked`)) a.take('num_batches_tracked', 0);
}

/**
 * Loads a PyTorch state dict, saved as safetensors (`safetensors.torch.save_file(module.state_dict(), path)`),
 * into a layer, converting layouts:
 * - {@link GRU} (`gru`, `biGru`) from `nn.GRU`: `weight_ih_l{k}[_reverse]` `[3U, in]` -> kernel `[in, 3U]`
 *   with gate blocks reordered (r, z, n) -> (z, r, n); the same for `weight_hh`, `bias_ih` and `bias_hh`;
 * - {@link LSTM} (`lstm`, `biLstm`) from `nn.LSTM`: transposed weights, bias = `bias_ih + bias_hh`;
 * - tfjs `dense` from `nn.Linear`: `weight` `[out, in]` -> kernel `[in, out]`, `bias`;
 * - tfjs `conv2d` from `nn.Conv2d`: `weight` `[out, in, kh, kw]` -> kernel `[kh, kw, in, out]`
 *   (and `conv1d` from `nn.Conv1d`); the tfjs layer takes channels-last inputs;
 * - a built tfjs `batchNormalization` from `nn.BatchNorm1d/2d`: `weight`, `bias`, `running_mean`,
 *   `running_var` -> gamma, beta, moving mean and variance. Create it with PyTorch's `epsilon: 1e-5`
 *   (tfjs's default is 1e-3) and `momentum: 1 - torch_momentum` (0.9) to behave the same.
 *
 * An unbuilt layer is built from the state dict's input size. Every tensor is checked before any
 * weight is written: a missing name or a wrong shape throws a `ValueError` / `ShapeError` naming the
 * tensor, and leaves the layer unchanged.
 *
 * @param layer the layer to load into.
 * @param source the safetensors file: its bytes, a file path (Node only), or `readSafetensors(bytes)`.
 * @example
 * ```ts
 * import { biGru, importTorchWeights } from 'flowsentry';
 *
 * // Python: rnn = torch.nn.GRU(5, 4, batch_first=True, bidirectional=True)
 * //         safetensors.torch.save_file(rnn.state_dict(), 'gru.safetensors')
 * const layer = biGru({ units: 4 });
 * const { loaded } = await importTorchWeights(layer, 'gru.safetensors'); // builds the layer for 5 input features
 * // loaded: ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', ...]
 * ```
 */
export async function importTorchWeights(
  layer: tfl.layers.Layer,
  source: TorchWeightsSource,
  options: ImportTorchWeightsOptions = {},
): Promise<ImportTorchWeightsResult> {
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new ValueError('prefix', 'a string', prefix);
  const strict = options.strict ?? true;
  const state = await loadSource(source);
  const a = new Assignment(state, prefix);
  try {
    const className = layer.getClassName();
    if (layer instanceof GRU || layer instanceof LSTM) importRecurrent(layer, a, state, prefix);
    else if (className === 'Dense') importAffine(layer, a, state, prefix, 2);
    else if (className === 'Conv1D') importAffine(layer, a, state, prefix, 3);
    else if (className === 'Conv2D') importAffine(layer, a, state, prefix, 4);
    else if (className === 'BatchNormalization') importBatchNorm(layer, a, state, prefix);
    else throw new ValueError('layer', 'a flowsentry GRU or LSTM, or a tfjs Dense, Conv1D, Conv2D or BatchNormalization layer', className);
    const used = new Set(a.loaded);
    const unused = [...state.tensors.keys()].filter((name) => name.startsWith(prefix) && !used.has(name));
    if (strict && unused.length > 0) {
      throw new ValueError('source', `only tensors that ${layer.name} uses under prefix '${prefix}' (or strict: false)`, `unused ${unused.join(', ')}`);
    }
    a.commit();
    return { loaded: a.loaded, unused };
  } finally {
    a.dispose();
  }
}
