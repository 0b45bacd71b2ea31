// One training step of a small model that uses tfjs-layers' GRU (its orthogonal initializer needs
// chained tensor methods, missing when tfjs-core is loaded as CommonJS) and, when present,
// flowsentry's own layers and optimizer.
exports.trainOneStep = async function trainOneStep(tf, tfl, fs) {
  const rng = new fs.Rng(0);
  const x = tf.tensor3d(Array.from({ length: 8 * 5 * 3 }, () => rng.normal()), [8, 5, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0, 1, 0], 'int32'), 2);
  const model = tfl.sequential();
  model.add(tfl.layers.gru({ units: 4, inputShape: [5, 3], returnSequences: true }));
  if (typeof fs.biGru === 'function') model.add(fs.biGru({ units: 4 }));
  else model.add(tfl.layers.gru({ units: 4 }));
  model.add(tfl.layers.dense({ units: 2, activation: 'softmax' }));
  const optimizer = typeof fs.SAM === 'function' ? new fs.SAM(tf.train.sgd(0.1), { rho: 0.05 }) : tf.train.sgd(0.1);
  const before = tf.memory().numTensors;
  const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
  const loss = (await cost.data())[0];
  cost.dispose();
  if (tf.memory().numTensors !== before) throw new Error(`tensor leak in a training step: ${tf.memory().numTensors - before}`);
  if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss}`);
  return loss;
};
