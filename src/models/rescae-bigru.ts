import * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import { biGru, resCae, resCaeCodeWidth } from '../layers/index.js';
import { architectureContext, buildFlowModel, checkModelOptions, positiveInt, type FlowModelOptions } from './builder.js';

/** Options of {@link resCaeBiGru}; defaults are the paper's (Table 1 and Section 3). */
export interface ResCaeBiGruOptions extends FlowModelOptions {
  /** Filters of the two split-residual encoder blocks (default `[16, 32]`). */
  encoderFilters?: [number, number];
  /** Hidden units of each GRU direction (default 64). */
  gruUnits?: number;
  /** Stacked BiGRU layers (default 2). */
  gruLayers?: number;
  /** Dropout before the classifier (default 0.5). */
  dropout?: number;
}

/** The ResCAE-BiGRU classifier and the autoencoder that pre-trains its encoder (shared layers). */
export interface ResCaeBiGruModels {
  /** Flow -> class probabilities. */
  classifier: tfl.LayersModel;
  /** Flow -> reconstruction; its encoder layers are the classifier's. */
  autoencoder: tfl.LayersModel;
}

/**
 * ResCAE-BiGRU with its pre-training autoencoder. Layers: `rescae_input`, `rescae_to_image`,
 * `rescae_block1`, `rescae_block2` (encoder, shared), `rescae_deconv1/2` (decoder), `to_sequence`
 * (the `[1, W, 32]` code as W steps of 32 features), `bigru`, `dropout`, `predictions`.
 */
export function resCaeBiGruModels(options: ResCaeBiGruOptions): ResCaeBiGruModels {
  const o = checkModelOptions(options, { dropout: 0.5 });
  // Block 2's width-3 kernel must fit its ceil(F / 2)-wide input, so F >= 5 (resCae checks the same, naming 'features').
  if (o.inputDim < 5) throw new ValueError('inputDim', 'at least 5 (the second ResCAE block needs a 3-wide input)', o.inputDim);
  const units = positiveInt('gruUnits', options.gruUnits ?? 64);
  const layers = positiveInt('gruLayers', options.gruLayers ?? 2);
  const filters = options.encoderFilters ?? [16, 32];
  const ctx = architectureContext(o.seed);
  const { autoencoder, encoder } = resCae({ features: o.inputDim, encoderFilters: filters, seed: ctx.seed(), name: 'rescae' });
  const classifier = buildFlowModel(
    options,
    (_input, c) => {
      const code = encoder.outputs[0]!;
      const seq = tfl.layers.reshape({ targetShape: [resCaeCodeWidth(o.inputDim), filters[1]], name: 'to_sequence' }).apply(code) as tfl.SymbolicTensor;
      return biGru({ units, numLayers: layers, seed: c.seed(), name: 'bigru' }).apply(seq) as tfl.SymbolicTensor;
    },
    { dropout: 0.5, name: 'rescae_bigru' },
    { input: encoder.inputs[0]!, ctx },
  );
  return { classifier, autoencoder };
}

/** The ResCAE-BiGRU classifier (see {@link resCaeBiGruModels} for the pre-training autoencoder). */
export function resCaeBiGru(options: ResCaeBiGruOptions): tfl.LayersModel {
  const { classifier, autoencoder } = resCaeBiGruModels(options);
  disposeDecoder({ classifier, autoencoder });
  return classifier;
}

/** Frees the decoder layers (those of the autoencoder the classifier does not use), once pre-training is over. */
export function disposeDecoder(models: ResCaeBiGruModels): void {
  const keep = new Set(models.classifier.layers);
  for (const l of models.autoencoder.layers) if (!keep.has(l)) l.dispose();
}
