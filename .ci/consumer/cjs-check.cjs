// CommonJS consumer: require() of the package, then one training step.
const tf = require('@tensorflow/tfjs-core');
const tfl = require('@tensorflow/tfjs-layers');
const fs = require('flowsentry');
const { trainOneStep } = require('./train-step.cjs');

(async () => {
  await fs.selectBackend({ verbose: true });
  const loss = await trainOneStep(tf, tfl, fs);
  console.log(`CJS: one training step, loss ${loss.toFixed(4)}, ${Object.keys(fs).length} exports`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
