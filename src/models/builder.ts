import * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import { Rng, type Seed } from '../util/rng.js';

/** Options every model of the zoo accepts. */
export interface FlowModelOptions {
  /** Number of input features of one flow (after preprocessing). Required. */
  inputDim: number;
  /** Number of output classes (softmax units). Required, at least 2. */
  numClasses: number;
  /** Seed of every weight initializer (default 0): same seed, same initial weights. */
  seed?: Seed;
  /** Model name, also the prefix of no layer (layer names are fixed per architecture). */
  name?: string;
  /** Dropout rate before the classifier (architecture default when omitted). */
  dropout?: number;
}

/** What a named architecture hands to {@link buildFlowModel}. */
export interface ArchitectureContext {
  /** The next initializer seed. */
  seed(): number;
  /** Glorot-uniform initializer with the next seed. */
  glorot(): ReturnType<typeof tfl.initializers.glorotUniform>;
  /** He-normal initializer with the next seed (ReLU layers). */
  he(): ReturnType<typeof tfl.initializers.heNormal>;
}

/** The part of a model an architecture supplies: from the flat input `[batch, inputDim]` to features `[batch, ...]`. */
export type ArchitectureBody = (input: tfl.SymbolicTensor, ctx: ArchitectureContext) => tfl.SymbolicTensor;

/** Checks the common options early, with ValueError naming the option. */
export function checkModelOptions(o: FlowModelOptions, defaults: { dropout: number }): Required<Omit<FlowModelOptions, 'name'>> & { name: string | undefined } {
  if (o === null || typeof o !== 'object') throw new ValueError('options', 'an object { inputDim, numClasses, ... }', o);
  if (!Number.isInteger(o.inputDim) || o.inputDim < 1) throw new ValueError('inputDim', 'a positive integer', o.inputDim);
  if (!Number.isInteger(o.numClasses) || o.numClasses < 2) throw new ValueError('numClasses', 'an integer >= 2', o.numClasses);
  const dropout = o.dropout ?? defaults.dropout;
  if (!Number.isFinite(dropout) || dropout < 0 || dropout >= 1) throw new ValueError('dropout', 'a rate in [0, 1)', dropout);
  const seed = o.seed ?? 0;
  if (!Number.isFinite(seed)) throw new ValueError('seed', 'a finite number', seed);
  return { inputDim: o.inputDim, numClasses: o.numClasses, seed, dropout, name: o.name };
}

/** Checks a positive integer option. */
export function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(name, 'a positive integer', v);
  return v;
}

/** Makes the initializer-seed context of one model. */
export function architectureContext(seed: Seed): ArchitectureContext {
  const rng = new Rng(seed);
  const ctx: ArchitectureContext = {
    seed: () => rng.nextSeed(),
    glorot: () => tfl.initializers.glorotUniform({ seed: ctx.seed() }),
    he: () => tfl.initializers.heNormal({ seed: ctx.seed() }),
  };
  return ctx;
}

/**
 * The generic builder behind every named architecture (Keras-applications style): a flat input
 * `input` `[batch, inputDim]`, the architecture's body, flattening when needed, optional dropout
 * (`dropout`), and a softmax classifier `predictions`. Every model of the zoo therefore takes
 * preprocessed flows as they are and outputs class probabilities. `stem` lets an architecture
 * start from an existing graph (e.g. a pre-trainable encoder whose layers the model must share).
 */
export function buildFlowModel(
  options: FlowModelOptions,
  body: ArchitectureBody,
  defaults: { dropout: number; name: string },
  stem?: { input: tfl.SymbolicTensor; ctx: ArchitectureContext },
): tfl.LayersModel {
  const o = checkModelOptions(options, defaults);
  const ctx = stem?.ctx ?? architectureContext(o.seed);
  const input = stem?.input ?? tfl.input({ shape: [o.inputDim], name: 'input' });
  let x = body(input, ctx);
  if (x.shape.length > 2) x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  if (o.dropout > 0) x = tfl.layers.dropout({ rate: o.dropout, seed: ctx.seed(), name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: o.numClasses, activation: 'softmax', kernelInitializer: ctx.glorot(), name: 'predictions' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name: o.name ?? defaults.name });
}
