import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DataFormatError, ValueError } from '../errors.js';

/** File names written by {@link fileSystem}, the same names tfjs-node's `file://` handler uses. */
export const MODEL_JSON = 'model.json';
/** The single weights shard written by {@link fileSystem}. */
export const WEIGHTS_BIN = 'weights.bin';

/** Options of {@link fileSystem}. */
export interface FileSystemOptions {
  /**
   * Name of the weights file inside the directory. Default `'weights.bin'`.
   * Loading always follows the paths listed in `model.json`'s `weightsManifest`.
   */
  weightsFileName?: string;
}

/**
 * A tfjs `io.IOHandler` that saves a model as `model.json` + `weights.bin` in a directory and loads
 * it back, with `node:fs`. tfjs's own `file://` scheme exists only in `@tensorflow/tfjs-node`, which
 * flowsentry cannot require; this handler writes the same format, so either can read the other's files.
 *
 * @param directory Directory to write into (created, with its parents, on save) or read from.
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { fileSystem } from 'flowsentry';
 *
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [4] })] });
 * await model.save(fileSystem('./out/model')); // ./out/model/model.json + weights.bin
 * const again = await tfl.loadLayersModel(fileSystem('./out/model'));
 * ```
 */
export function fileSystem(directory: string, options: FileSystemOptions = {}): tf.io.IOHandler {
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new ValueError('directory', 'a non-empty directory path', directory);
  }
  const weightsFileName = options.weightsFileName ?? WEIGHTS_BIN;
  if (weightsFileName.length === 0 || weightsFileName.includes('/') || weightsFileName.includes('\\')) {
    throw new ValueError('weightsFileName', 'a plain file name without directory separators', weightsFileName);
  }
  return {
    save: (artifacts) => saveArtifacts(directory, weightsFileName, artifacts),
    load: () => loadArtifacts(directory),
  };
}

/** The URL scheme {@link fileSystemRouter} answers, the same as tfjs-node's. */
export const FILE_SCHEME = 'file://';

/**
 * A tfjs IO router for `file://` URLs, so that `model.save('file://./out')` and
 * `tfl.loadLayersModel('file://./out/model.json')` work without `@tensorflow/tfjs-node`.
 * Register it only where tfjs-node is absent (two routers answering one URL make tfjs throw):
 *
 * ```ts
 * if (tf.io.getSaveHandlers('file://x').length === 0) {
 *   tf.io.registerSaveRouter(fileSystemIORouter);
 *   tf.io.registerLoadRouter(fileSystemIORouter);
 * }
 * ```
 *
 * A load URL may name the directory or its `model.json`. Returns null for other schemes.
 */
export function fileSystemRouter(url: string | string[]): tf.io.IOHandler | null {
  if (typeof url !== 'string' || !url.startsWith(FILE_SCHEME)) return null;
  let directory = url.slice(FILE_SCHEME.length);
  if (path.basename(directory) === MODEL_JSON) directory = path.dirname(directory);
  return fileSystem(directory);
}

/**
 * {@link fileSystemRouter} typed as tfjs's `IORouter` for `tf.io.registerSaveRouter` /
 * `registerLoadRouter` (tfjs declares routers as never returning null, yet its own routers return
 * null for URLs they do not handle, as this one does).
 */
export const fileSystemIORouter = fileSystemRouter as Parameters<typeof tf.io.registerSaveRouter>[0];

async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  // Write-then-rename: a crash mid-save never leaves a truncated model.json next to old weights.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

async function saveArtifacts(
  directory: string,
  weightsFileName: string,
  artifacts: tf.io.ModelArtifacts,
): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new ValueError('modelTopology', 'a JSON model topology', 'an ArrayBuffer', 'binary topologies are not supported');
  }
  await mkdir(directory, { recursive: true });
  const weightsManifest: tf.io.WeightsManifestConfig = [
    { paths: [`./${weightsFileName}`], weights: artifacts.weightSpecs ?? [] },
  ];
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    weightsManifest,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_core}`,
    convertedBy: artifacts.convertedBy ?? null,
  };
  if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature !== undefined) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer !== undefined) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature !== undefined) modelJson.initializerSignature = artifacts.initializerSignature;

  const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  await writeAtomically(path.join(directory, weightsFileName), new Uint8Array(weightData));
  await writeAtomically(path.join(directory, MODEL_JSON), JSON.stringify(modelJson));
  return {
    modelArtifactsInfo: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: JSON.stringify(modelJson.modelTopology).length,
      weightSpecsBytes: JSON.stringify(weightsManifest[0]?.weights ?? []).length,
      weightDataBytes: weightData.byteLength,
    },
  };
}

async function loadArtifacts(directory: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = path.join(directory, MODEL_JSON);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (error) {
    throw new ValueError('directory', `a directory containing ${MODEL_JSON}`, directory, (error as Error).message);
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new DataFormatError(jsonPath, 1, `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof modelJson !== 'object' || modelJson === null || modelJson.modelTopology === undefined) {
    throw new DataFormatError(jsonPath, 1, 'missing "modelTopology"');
  }
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const shard of group.paths) {
        const bytes = await readFile(path.join(directory, shard));
        buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
}
