import type * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import type { FlowModelOptions } from './builder.js';
import { cnnBiLstm } from './cnn-bilstm.js';
import { lktAdnStudent, lktAdnTeacher } from './lkt-adn.js';
import { mlp } from './mlp.js';
import { msmrNet } from './msmrnet.js';
import { resCaeBiGru, resCaeBiGruModels } from './rescae-bigru.js';

/** Options a registered builder receives: the common ones plus architecture-specific extras. */
export type ModelBuilderOptions = FlowModelOptions & Record<string, unknown>;

/** A model builder of the zoo: options in, an uncompiled tfjs-layers model out. */
export type ModelBuilder = (options: ModelBuilderOptions) => tfl.LayersModel;

/** A builder of a classifier together with the autoencoder that pre-trains its encoder. */
export type PretrainableBuilder = (options: ModelBuilderOptions) => {
  /** The supervised classifier (the model a Detector trains and scores with). */
  classifier: tfl.LayersModel;
  /** The autoencoder that pre-trains the classifier's encoder; shares the encoder layers (weights) with `classifier`. */
  autoencoder: tfl.LayersModel;
};

const REGISTRY = new Map<string, ModelBuilder>([
  ['mlp', mlp as ModelBuilder],
  ['rescae-bigru', resCaeBiGru as ModelBuilder],
  ['msmrnet', msmrNet as ModelBuilder],
  ['cnn-bilstm', cnnBiLstm as ModelBuilder],
  ['lktadn', lktAdnTeacher as ModelBuilder],
  ['lktadn-student', lktAdnStudent as ModelBuilder],
]);
const PRETRAINABLE = new Map<string, PretrainableBuilder>([['rescae-bigru', resCaeBiGruModels as PretrainableBuilder]]);

/** Names of the architectures {@link buildModel} knows (the CLI's `--model`). */
export function modelNames(): string[] {
  return [...REGISTRY.keys()];
}

/** Registers an architecture under a name (optionally with its pre-training autoencoder), e.g. your own model for a Detector. */
export function registerModel(name: string, builder: ModelBuilder, pretrainable?: PretrainableBuilder): void {
  REGISTRY.set(name, builder);
  if (pretrainable) PRETRAINABLE.set(name, pretrainable);
}

/** Builds a zoo model by name: `buildModel('rescae-bigru', { inputDim: 78, numClasses: 15 })`. */
export function buildModel(name: string, options: ModelBuilderOptions): tfl.LayersModel {
  const b = REGISTRY.get(name);
  if (!b) throw new ValueError('model', `one of ${modelNames().join(', ')}`, name);
  return b(options);
}

/** Builds a classifier and its pre-training autoencoder, or null when the architecture has none. */
export function buildPretrainable(
  name: string,
  options: ModelBuilderOptions,
): {
  /** The supervised classifier (the model a Detector trains and scores with). */
  classifier: tfl.LayersModel;
  /** The autoencoder that pre-trains the classifier's encoder; shares the encoder layers (weights) with `classifier`. */
  autoencoder: tfl.LayersModel;
} | null {
  const b = PRETRAINABLE.get(name);
  return b ? b(options) : null;
}
