import type * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../errors.js';
import { trainModel, type History, type TrainData, type TrainOptions } from './trainModel.js';

/** The two models of a two-stage run; the classifier reuses the autoencoder's encoder layers (shared weights). */
export interface TwoStageModels {
  /** Maps inputs to their reconstruction; trained first, with mean squared error. */
  autoencoder: tfl.LayersModel;
  /** Shares the encoder layers with `autoencoder`; fine-tuned second, on the labels. */
  classifier: tfl.LayersModel;
  /** Names of the encoder layers shared by both models (frozen during fine-tuning when `freezeEncoder`). */
  encoderLayers?: string[];
}

/** Options of {@link trainTwoStage}. */
export interface TwoStageOptions {
  /** Options of the unsupervised pre-training (loss defaults to `meanSquaredError`, validation data to the inputs of `finetune.validationData`). */
  pretrain?: TrainOptions;
  /** Options of the supervised fine-tuning. */
  finetune?: TrainOptions;
  /** Keep the pre-trained encoder fixed during fine-tuning (default false: fine-tune everything, as the ResCAE-BiGRU paper). */
  freezeEncoder?: boolean;
}

/** Histories of both stages. */
export interface TwoStageHistory {
  /** History of the unsupervised pre-training of the autoencoder (reconstruction loss per epoch). */
  pretrain: History;
  /** History of the supervised fine-tuning of the classifier (loss and metrics per epoch). */
  finetune: History;
}

/**
 * Two-stage training: unsupervised autoencoder pre-training on all training inputs, then
 * supervised fine-tuning of the classifier that starts from the pre-trained encoder.
 */
export async function trainTwoStage(models: TwoStageModels, data: TrainData, options: TwoStageOptions = {}): Promise<TwoStageHistory> {
  const { autoencoder, classifier } = models;
  const shared = new Set(classifier.layers.map((l) => l.name));
  const encoderNames = models.encoderLayers ?? autoencoder.layers.map((l) => l.name).filter((n) => shared.has(n));
  if (encoderNames.length === 0) throw new ValueError('models', 'an autoencoder and a classifier that share encoder layers', 'no shared layer names');
  for (const name of encoderNames) {
    if (autoencoder.getLayer(name) !== classifier.getLayer(name)) {
      throw new ValueError('models.encoderLayers', 'layers shared (the same objects) by both models', name);
    }
  }
  const pre = options.pretrain ?? {};
  const valX = options.finetune?.validationData?.x;
  const pretrain = await trainModel(autoencoder, { x: data.x, y: data.x }, {
    ...pre,
    loss: pre.loss ?? 'meanSquaredError',
    accuracy: false,
    ...(pre.validationData === undefined && valX ? { validationData: { x: valX, y: valX } } : {}),
  });
  const frozen = options.freezeEncoder ?? false;
  const before = encoderNames.map((n) => classifier.getLayer(n).trainable);
  if (frozen) for (const n of encoderNames) classifier.getLayer(n).trainable = false;
  try {
    const finetune = await trainModel(classifier, data, options.finetune ?? {});
    return { pretrain, finetune };
  } finally {
    encoderNames.forEach((n, i) => (classifier.getLayer(n).trainable = before[i] ?? true));
  }
}
