import * as tf from '@tensorflow/tfjs-core';

/**
 * Chained tensor methods (`t.flatten()`, `t.add(b)`, ...) are installed by tfjs-core's ESM entry
 * only. Node resolves `@tensorflow/tfjs-core` to its CommonJS bundle for both `require` and
 * `import` (the package has no `exports` map), so in Node the methods are missing and tfjs-layers
 * code that uses them fails (`rMat.flatten is not a function` in the orthogonal initializer).
 * We install the same methods, delegating to the public ops, wherever they are absent.
 */

// Methods whose chained form is `op(this, ...args)`.
const DIRECT = (
  'abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh avgPool batchToSpaceND ' +
  'batchNorm broadcastTo cast ceil clipByValue conv1d conv2d conv2dTranspose cos cosh cumprod ' +
  'cumsum depthToSpace depthwiseConv2d dilation2d div divNoNan dot elu equal erf euclideanNorm exp ' +
  'expandDims expm1 fft floor floorDiv gather greater greaterEqual ifft irfft isFinite isInf isNaN ' +
  'leakyRelu less lessEqual localResponseNormalization log log1p logSigmoid logSoftmax logSumExp ' +
  'logicalAnd logicalNot logicalOr logicalXor matMul max maxPool maximum mean min minimum mirrorPad ' +
  'mod mul neg norm notEqual oneHot onesLike pad pool pow prelu prod reciprocal relu relu6 reshape ' +
  'resizeBilinear resizeNearestNeighbor reverse rfft round rsqrt selu separableConv2d sigmoid sign ' +
  'sin sinh slice softmax softplus spaceToBatchND split sqrt square squaredDifference squeeze step ' +
  'stridedSlice sub sum tan tanh tile topk transpose unique unsortedSegmentSum unstack zerosLike'
).split(' ');

type AnyFn = (...args: unknown[]) => unknown;
interface Disposable {
  throwIfDisposed(): void;
  size: number;
}

/** Installs any missing chained tensor method; returns how many were installed. */
export function installChainedOps(): number {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const ops = tf as unknown as Record<string, AnyFn>;
  let installed = 0;
  const define = (name: string, fn: (this: tf.Tensor & Disposable, ...args: unknown[]) => unknown): void => {
    if (typeof proto[name] === 'function') return;
    proto[name] = function (this: tf.Tensor & Disposable, ...args: unknown[]) {
      this.throwIfDisposed();
      return fn.apply(this, args);
    };
    installed++;
  };
  for (const name of DIRECT) {
    const op = ops[name];
    if (typeof op !== 'function') continue;
    define(name, function (...args) {
      return op(this, ...args);
    });
  }
  const reshapeTo = (shapeOf: (t: tf.Tensor, args: unknown[]) => number[]) =>
    function (this: tf.Tensor, ...args: unknown[]) {
      return tf.reshape(this, shapeOf(this, args));
    };
  define('flatten', reshapeTo((t) => [t.size]));
  define('as1D', reshapeTo((t) => [t.size]));
  define('as2D', reshapeTo((_t, a) => a.slice(0, 2) as number[]));
  define('as3D', reshapeTo((_t, a) => a.slice(0, 3) as number[]));
  define('as4D', reshapeTo((_t, a) => a.slice(0, 4) as number[]));
  define('as5D', reshapeTo((_t, a) => a.slice(0, 5) as number[]));
  define('asScalar', function () {
    if (this.size !== 1) throw new Error('The array must have only 1 element.');
    return tf.reshape(this, []);
  });
  define('asType', function (dtype) {
    return tf.cast(this, dtype as tf.DataType);
  });
  define('concat', function (x, axis) {
    const rest = x instanceof tf.Tensor ? [x] : (x as tf.Tensor[]);
    return tf.concat([this, ...rest], axis as number | undefined);
  });
  define('stack', function (x, axis) {
    const rest = x instanceof tf.Tensor ? [x] : (x as tf.Tensor[]);
    return tf.stack([this, ...rest], axis as number | undefined);
  });
  define('where', function (condition, x) {
    return tf.where(condition as tf.Tensor, this, x as tf.Tensor);
  });
  return installed;
}
