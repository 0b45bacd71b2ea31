import * as tfl from '@tensorflow/tfjs-layers';
import { ValueError } from '../../errors.js';
import { Rng } from '../../util/rng.js';
import { checkIntList, checkPositiveInt, uniqueLayerName } from './common.js';
import { SplitResidualBlock, splitResidualBlock } from './split-residual-block.js';

/** Options of {@link resCae}. */
export interface ResCaeArgs {
  /** Number of features F of a flow vector, at least 5; the decoder reconstructs exactly F (odd or even). */
  features: number;
  /**
   * `'vector'`: inputs and reconstructions are `[batch, F]` (reshaped to a 1 x F image inside);
   * `'image'`: both are `[batch, 1, F, 1]`, the paper's layout. Default `'vector'`.
   */
  inputFormat?: 'vector' | 'image';
  /** Filters of the two split-residual encoder blocks. Default `[16, 32]` (Table 1). */
  encoderFilters?: [number, number];
  /** Filters of the first transposed convolution of the decoder (the second has 1). Default 16. */
  decoderFilters?: number;
  /** Batch-norm momentum of the encoder blocks (Keras convention). Default 0.9, PyTorch's `momentum=0.1` as the paper trains in PyTorch. */
  batchNormMomentum?: number;
  /** Batch-norm epsilon of the encoder blocks. Default 1e-5 (PyTorch's). */
  batchNormEpsilon?: number;
  /** Seed of every initializer: the same seed gives the same initial weights. Default: unseeded. */
  seed?: number;
  /** Prefix of the layer names (unique per call by default, so several ResCAEs fit in one process). */
  name?: string;
}

/** The ResCAE autoencoder and its encoder, sharing the same layers (and so the same weights). */
export interface ResCae {
  /** Input -> reconstruction, trained with MSE (pre-training stage of ResCAE-BiGRU). */
  autoencoder: tfl.LayersModel;
  /**
   * Input -> code `[batch, 1, ceil(ceil(F / 2) / 2), encoderFilters[1]]`. Usable on its own, or as a
   * layer of a classifier (`encoder.apply(input)`); training either model trains the shared weights.
   */
  encoder: tfl.LayersModel;
}

/** Width after the two stride-2 blocks. */
export function resCaeCodeWidth(features: number): number {
  return Math.ceil(Math.ceil(features / 2) / 2);
}

/**
 * The ResCAE of ResCAE-BiGRU (Table 1): an encoder of two split-residual blocks (16 and 32 filters,
 * stride 2 along the width) and a decoder of two transposed convolutions (kernel [1, 3], stride
 * [1, 2], PyTorch `padding=1, output_padding=1` alignment: 16 filters + ReLU, then 1 filter +
 * sigmoid), cropped to exactly F features. Only the width shrinks: a flow is a 1 x F image.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { resCae } from 'flowsentry';
 *
 * const x = tf.randomUniform([256, 78]); // flows scaled to [0, 1]
 * const { autoencoder, encoder } = resCae({ features: 78, seed: 0 });
 * autoencoder.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
 * await autoencoder.fit(x, x, { epochs: 2, batchSize: 64 });
 * const code = encoder.predict(x) as tf.Tensor; // [256, 1, 20, 32]
 * ```
 */
export function resCae(args: ResCaeArgs): ResCae {
  const features = checkPositiveInt('features', args.features);
  // Block 2 sees ceil(F / 2) columns and its kernel is 3 wide.
  if (features < 5) throw new ValueError('features', 'at least 5 (block 2 needs ceil(F / 2) >= 3 columns for its width-3 kernel)', features);
  const inputFormat = args.inputFormat ?? 'vector';
  if (inputFormat !== 'vector' && inputFormat !== 'image') throw new ValueError('inputFormat', "'vector' or 'image'", inputFormat);
  const [filters1, filters2] = checkIntList('encoderFilters', args.encoderFilters ?? [16, 32], 2) as [number, number];
  const decoderFilters = checkPositiveInt('decoderFilters', args.decoderFilters ?? 16);
  const prefix = args.name ?? uniqueLayerName('res_cae');
  const rng = args.seed === undefined ? undefined : new Rng(args.seed);
  const seeded = (): { seed?: number } => (rng === undefined ? {} : { seed: rng.nextSeed() });
  const bn = { batchNormMomentum: args.batchNormMomentum ?? 0.9, batchNormEpsilon: args.batchNormEpsilon ?? 1e-5 };

  const input = tfl.input({ shape: inputFormat === 'vector' ? [features] : [1, features, 1], name: `${prefix}_input` });
  let image = input;
  if (inputFormat === 'vector') image = tfl.layers.reshape({ targetShape: [1, features, 1], name: `${prefix}_to_image` }).apply(input) as tfl.SymbolicTensor;
  const block1 = splitResidualBlock({ filters: filters1, name: `${prefix}_block1`, ...bn, ...seeded() });
  const block2 = splitResidualBlock({ filters: filters2, name: `${prefix}_block2`, ...bn, ...seeded() });
  const code = block2.apply(block1.apply(image)) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: input, outputs: code, name: `${prefix}_encoder` });

  const width = resCaeCodeWidth(features);
  const deconv = (filters: number, activation: 'relu' | 'sigmoid', name: string): tfl.layers.Layer =>
    tfl.layers.conv2dTranspose({
      filters,
      kernelSize: [1, 3],
      strides: [1, 2],
      padding: 'valid',
      activation,
      name,
      kernelInitializer: tfl.initializers.glorotUniform(seeded()),
    });
  // A 'valid' transposed convolution gives 2W + 1 columns; PyTorch's padding=1, output_padding=1 keeps
  // columns 1 .. 2W. The last crop also drops the 4W - F columns beyond F.
  let y = deconv(decoderFilters, 'relu', `${prefix}_deconv1`).apply(code) as tfl.SymbolicTensor;
  y = tfl.layers.cropping2D({ cropping: [[0, 0], [1, 0]], name: `${prefix}_crop1` }).apply(y) as tfl.SymbolicTensor;
  y = deconv(1, 'sigmoid', `${prefix}_deconv2`).apply(y) as tfl.SymbolicTensor;
  y = tfl.layers.cropping2D({ cropping: [[0, 0], [1, 4 * width - features]], name: `${prefix}_crop2` }).apply(y) as tfl.SymbolicTensor;
  if (inputFormat === 'vector') y = tfl.layers.reshape({ targetShape: [features], name: `${prefix}_to_vector` }).apply(y) as tfl.SymbolicTensor;
  const autoencoder = tfl.model({ inputs: input, outputs: y, name: `${prefix}_autoencoder` });
  return { autoencoder, encoder };
}

/**
 * The encoder of a ResCAE autoencoder, for example one loaded with `tfl.loadLayersModel()` (a saved
 * autoencoder carries its encoder: input -> last split-residual block). Shares the autoencoder's layers.
 */
export function resCaeEncoder(autoencoder: tfl.LayersModel): tfl.LayersModel {
  const blocks = autoencoder.layers.filter((layer) => layer instanceof SplitResidualBlock);
  const last = blocks.at(-1);
  if (last === undefined) {
    throw new ValueError('autoencoder', 'a model built by resCae (with split-residual blocks)', autoencoder.name, `layers: ${autoencoder.layers.map((l) => l.getClassName()).join(', ')}`);
  }
  return tfl.model({ inputs: autoencoder.inputs, outputs: last.output as tfl.SymbolicTensor, name: `${autoencoder.name}_encoder` });
}
