import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError, ValueError } from '../errors.js';

/** Options of {@link recalibrateBatchNorm}. */
export interface RecalibrateBatchNormOptions {
  /** Rows per forward pass (default 2048). Larger batches give a less biased variance estimate. */
  batchSize?: number;
}

/** A layer whose batch-norm moving averages can be steered: flowsentry's conv layers (`batchNormMomentum`) or tfjs' `BatchNormalization` (`momentum`). */
interface MomentumField {
  layer: Record<string, unknown>;
  field: 'batchNormMomentum' | 'momentum';
  saved: number;
}

function momentumFields(model: tfl.LayersModel): MomentumField[] {
  const out: MomentumField[] = [];
  const seen = new Set<unknown>();
  const visit = (layers: readonly tfl.layers.Layer[]): void => {
    for (const layer of layers) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      const rec = layer as unknown as Record<string, unknown>;
      const hasMoving = layer.weights.some((w) => /moving_(mean|variance)/.test(w.originalName ?? w.name));
      if (hasMoving && typeof rec.batchNormMomentum === 'number') out.push({ layer: rec, field: 'batchNormMomentum', saved: rec.batchNormMomentum });
      else if (hasMoving && layer.getClassName() === 'BatchNormalization' && typeof rec.momentum === 'number') out.push({ layer: rec, field: 'momentum', saved: rec.momentum });
      const nested = rec.layers;
      if (Array.isArray(nested)) visit(nested as tfl.layers.Layer[]);
    }
  };
  visit(model.layers);
  return out;
}

/**
 * Recomputes the batch-norm moving statistics of `model` from `x` with the model's current
 * weights: the moving mean becomes the mean over all rows of `x` and the moving variance the
 * (row-weighted) average of the per-pass variances (exactly the full-data statistics when
 * `batchSize` >= the number of rows). Uses forward passes in training mode, no gradients.
 *
 * Why: moving averages with momentum 0.9 or 0.99 lag behind weights that change quickly. After a
 * short training run (tens of steps) they describe early weights, and inference-mode predictions
 * collapse onto one class although training-mode accuracy is good. Calling this after training
 * makes inference use statistics of the final network (as PyTorch's `momentum=None` cumulative
 * averages do). Returns the number of layers recalibrated (0 when the model has no batch norm).
 */
export function recalibrateBatchNorm(model: tfl.LayersModel, x: tf.Tensor, options: RecalibrateBatchNormOptions = {}): number {
  const batchSize = options.batchSize ?? 2048;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError('batchSize', 'a positive integer', batchSize);
  if (!(x instanceof tf.Tensor)) throw new ValueError('x', 'a tf.Tensor of model inputs', x);
  const n = x.shape[0] ?? 0;
  if (n < 1) throw new ShapeError('x', 'at least one row', x);
  const fields = momentumFields(model);
  if (fields.length === 0) return 0;
  try {
    let seen = 0;
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      // Cumulative (size-weighted) average: new = old + (batch - old) * size / (seen + size).
      const momentum = 1 - size / (seen + size);
      for (const f of fields) f.layer[f.field] = momentum;
      tf.tidy(() => {
        model.apply(tf.slice(x, start, size), { training: true });
      });
      seen += size;
    }
  } finally {
    for (const f of fields) f.layer[f.field] = f.saved;
  }
  return fields.length;
}
