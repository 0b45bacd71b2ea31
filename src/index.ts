/**
 * flowsentry: typed TensorFlow.js layers, optimizers, losses, samplers, metrics and pipelines
 * for deep network-traffic anomaly detection on imbalanced data.
 * @packageDocumentation
 * @module flowsentry
 */
import 'flowsentry/register';

export * from './errors.js';
export { Rng, rngFrom, type Seed } from './util/rng.js';
export { toMatrix, type DenseMatrix, type MatrixLike, type Labels, type ToMatrixOptions } from './util/matrix.js';
export * from './backend.js';
export * from './io/index.js';
export * from './layers/index.js';
export * from './kernels/index.js';
export * from './optim/index.js';
export * from './losses/index.js';
export * from './sampling/index.js';
export * from './distill/index.js';
export * from './models/index.js';
export * from './train/index.js';
export * from './data/index.js';
export * from './metrics/index.js';
export * from './pipeline/index.js';
